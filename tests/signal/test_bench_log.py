"""The regime chain and the normalizer leak on the motor's bench log: the same numbers as the tools give."""

import numpy as np
import pytest

from neuralab.data.motor import bench_windows
from neuralab.params import ParamError
from neuralab.signal import bench_log, normalize, regime_cv, regimes


@pytest.mark.parametrize("binning", ["equal_width", "quantile", "kmeans", "domain"])
def test_bench_edges_cut_the_bench_temperatures_once(binning):
    edges = bench_log.bench_edges(4, binning, 0)
    assert edges is bench_log.bench_edges(4, binning, 0) and not edges.flags.writeable
    w = bench_windows(0)
    if binning == "domain":
        ref = regimes.bin_edges(w.temp_c, method="domain", domain_edges=regimes.TEMPERATURE_EDGES_C)
    else:
        ref = regimes.bin_edges(w.temp_c, 4, binning, seed=0)
    np.testing.assert_array_equal(edges, ref)
    assert len(edges) - 1 == (5 if binning == "domain" else 4)


def test_bench_regimes_and_validation_follow_the_chain():
    w = bench_windows(0)
    edges = bench_log.bench_edges(3, "quantile", 0)
    r = bench_log.bench_regimes(3, "quantile", 0)
    ref = regimes.bin_stats(w.current_per_torque, regimes.assign_bins(w.temp_c, edges), edges)
    np.testing.assert_array_equal(r.stats.counts, ref.counts)
    np.testing.assert_allclose(r.stats.mean, ref.mean)
    assert r.stats.mean[-1] > r.stats.mean[0]  # hot windows need more current per N·m
    v = bench_log.bench_validation(3, "quantile", 0)
    t_bins = regimes.assign_bins(w.temp_c, edges)
    rv = regime_cv.regime_validation(w.X, w.y, t_bins, groups=w.cycle, seed=0)
    np.testing.assert_allclose(v.validation.held_out, rv.held_out)
    assert v.grid.rmse.shape == (3, bench_log.SPEED_BINS) and len(v.speed_edges) == bench_log.SPEED_BINS + 1
    with pytest.raises(ParamError, match="binning must be one of"):
        bench_log.bench_validation(4, "random", 0)


def test_bench_leak_is_pipeline_leak_on_the_bench_windows():
    r = bench_log.bench_leak(0.6, "saturate", 0)
    w = bench_windows(0)
    ref = normalize.pipeline_leak(w.X_temp, w.y, w.t, 0.6, "minmax", "saturate", "ridge", 0)
    assert r.windows is w and r.leak.honest_rmse == ref.honest_rmse and r.leak.leaky_rmse == ref.leaky_rmse
    assert r.leak.gap > 0  # the leak flatters the model when the inputs saturate
    with pytest.raises(ParamError, match="split_frac must be between 0.5 and 0.9"):
        bench_log.bench_leak(0.95)
