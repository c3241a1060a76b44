"""Pruning figures: they draw the numbers the library measured, and plotly accepts them."""

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from neuralab.compress import prune, prune_effects
from neuralab.plots import pruning as figures

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def snap():
    return prune_effects.snapshot("mlp", 60, "unstructured", 0)


def _valid(f):
    """Re-validate with plotly, then read the builder's own arrays (to_dict encodes them as base64)."""
    go.Figure(f.to_dict())
    return f


def test_snapshot_figure_leaves_removed_weights_blank_and_counts_every_weight(snap):
    f = _valid(figures.snapshot_figure(snap))
    heat = f.data[0]
    z = np.array(heat.z, dtype=float)
    assert np.isnan(z).mean() == pytest.approx(0.6, abs=0.01)
    kept, removed = (np.sum(t.y) for t in f.data[1:])
    assert kept == len(snap.kept) and removed == len(snap.removed)
    summary = figures.describe_snapshot(snap)
    assert "60%" in summary and f"{100 * snap.acc_pruned:.1f}%" in summary


def test_structured_snapshot_blanks_whole_rows():
    s = prune_effects.snapshot("mlp", 50, "structured", 0)
    z = np.array(_valid(figures.snapshot_figure(s)).data[0].z, dtype=float)
    rows = np.isnan(z).all(1)
    assert rows.sum() == 32 and not np.isnan(z[~rows]).any()
    assert "whole hidden neurons" in figures.describe_snapshot(s)


def test_tuned_figure_and_summary():
    t = prune_effects.tuned("mlp", 80, "unstructured", 0)
    f = _valid(figures.tuned_figure(t))
    assert len(f.data[0].y) == prune.FT_EPOCHS + 1
    assert f"{100 * t.acc_tuned:.1f}%" in figures.describe_tuned(t)


def test_sweep_figure_draws_each_way_before_and_after():
    sw = prune_effects.sweep("mlp", 0, levels=(0, 50, 90))
    f = _valid(figures.sweep_figure(sw, marker=50))
    assert len(f.data) == 2 * len(prune_effects.WAYS)
    np.testing.assert_allclose(f.data[0].y, 100 * sw.after["unstructured"])
    assert f.layout.shapes[-1].x0 == 50
    assert "random removal" in figures.describe_sweep(sw)


def test_schedules_lottery_and_footprint_figures():
    sc = prune_effects.schedules("mlp", 80, "unstructured", 0)
    f = _valid(figures.schedules_figure(sc))
    assert len(f.data[0].x) == prune.ROUNDS and f.data[2].y[0] == pytest.approx(100 * sc.oneshot_after)
    assert f.data[3].y[0] == pytest.approx(100 * sc.oneshot_matched)
    assert f"{prune.ROUNDS} rounds" in figures.describe_schedules(sc)
    lt = prune_effects.lottery("mlp", 0, levels=(80,))
    f = _valid(figures.lottery_figure(lt))
    assert list(f.data[0].x) == ["80%"]
    assert "80%" in figures.describe_lottery(lt)
    fp = prune_effects.footprint("mlp", 50, 0, repeats=3)
    f = _valid(figures.footprint_figure(fp))
    assert len(f.data) == 3 and list(f.data[0].y) == list(prune_effects.VARIANTS)
    assert "KiB" in figures.describe_footprint(fp) and "64-32-16-10" in figures.describe_footprint(fp)


def _timed(one: tuple[float, ...], batch: tuple[float, ...]) -> prune_effects.Footprint:
    """A footprint with given median times (seconds) for dense, zeros, CSR and compacted; sizes do not matter here."""
    four = np.array([4.0, 4.0, 6.0, 2.0])
    return prune_effects.Footprint(prune_effects.VARIANTS, four * 1024, four, np.array(one), np.array(batch),
                                   np.full(4, 0.9), 0.5, (64, 32, 16, 10))


def test_speed_sentences_follow_the_measurement_either_way():
    # the page's own measurement: compacted slower for one sample (71.2 µs against 35.2 µs), faster for a batch
    slow_one = figures.describe_footprint(_timed((35.2e-6, 36e-6, 120e-6, 71.2e-6), (940e-6, 950e-6, 2.3e-3, 780e-6)))
    assert "dense took 35.2 µs for 1 sample and 940 µs for a batch of 256" in slow_one  # the absolute times stay
    assert "the compacted net was 2.0× slower for 1 sample and 1.2× faster for the batch" in slow_one
    assert "CSR was 3.4× slower for 1 sample and 2.4× slower for the batch" in slow_one
    # the other way round: faster for one sample, slower for the batch, and a tie that rounds to 1.0×
    fast_one = figures.describe_footprint(_timed((36e-6, 36e-6, 30e-6, 18e-6), (900e-6, 900e-6, 880e-6, 1.8e-3)))
    assert "the compacted net was 2.0× faster for 1 sample and 2.0× slower for the batch" in fast_one
    assert "CSR was 1.2× faster for 1 sample and about as fast for the batch" in fast_one
    assert "faster" not in figures.speed_against(1.0, 1.04) and "slower" not in figures.speed_against(1.0, 0.96)
    assert figures.speed_against(1.0, float("nan")) == "not measured"
    # the zeros do dense's exact work: their gap is given first, as the yardstick, and never called a finding
    assert "The zeros-in-dense copy does exactly dense's work and came out about as fast both times" in fast_one
    assert "The zeros-in-dense copy does exactly dense's work and came out about as fast both times" in slow_one


def test_a_gap_no_larger_than_the_zeros_copys_is_read_as_noise():
    # the zeros copy, the same work, read 1.1× slower for one sample: a 1.1× gap elsewhere is within that noise
    noisy = figures.describe_footprint(_timed((100e-6, 110e-6, 300e-6, 108e-6), (1e-3, 1e-3, 2.5e-3, 0.4e-3)))
    assert "dense took 100 µs for 1 sample and 1,000 µs for a batch of 256" in noisy
    assert "came out 1.1× slower for 1 sample and about as fast for the batch" in noisy
    assert ("the compacted net was about as fast (1.1× slower, within that noise) for 1 sample and 2.5× faster "
            "for the batch") in noisy
    assert "CSR was 3.0× slower for 1 sample" in noisy  # beyond the noise: said plainly
    assert figures.speed_against(1.0, 1.2, noise=1.2) == "about as fast (1.2× slower, within that noise)"
    assert figures.speed_against(1.0, 1.3, noise=1.2) == "1.3× slower"
    assert figures.speed_against(1.0, 0.8, noise=1.0) == "1.2× faster"
