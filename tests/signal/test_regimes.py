"""Regime binning, joint bins and per-regime statistics, against numpy and scikit-learn."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.cluster import KMeans

from neuralab.params import ParamError
from neuralab.signal import regimes

finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, allow_subnormal=False)
adc = st.integers(-80_000, 80_000).map(lambda k: k / 8)  # quantized readings, like a sensor behind an ADC
value_arrays = arrays(np.float64, st.integers(2, 120), elements=adc)


# --------------------------------------------------------------------------- edges


@settings(max_examples=60, deadline=None)
@given(value_arrays, st.integers(2, 10), st.sampled_from(["equal_width", "quantile", "kmeans"]))
def test_edges_are_increasing_and_cover_the_data(values, n_bins, method):
    distinct = len(np.unique(values))
    if distinct == 1:
        with pytest.raises(ParamError, match="σ = 0"):
            regimes.bin_edges(values, n_bins, method)
        return
    if distinct < n_bins:
        with pytest.raises(ParamError, match=f"n_bins must not exceed the number of distinct values \\({distinct}\\)"):
            regimes.bin_edges(values, n_bins, method)
        return
    edges = regimes.bin_edges(values, n_bins, method)
    assert np.all(np.diff(edges) > 0)
    assert edges[0] == values.min() and edges[-1] == values.max()
    if method == "quantile":
        assert 2 <= len(edges) <= n_bins + 1  # tied quantiles merge
    else:
        assert len(edges) == n_bins + 1
    labels = regimes.assign_bins(values, edges)
    assert labels.min() >= 0 and labels.max() <= len(edges) - 2


@settings(max_examples=60, deadline=None)
@given(value_arrays, st.lists(finite, min_size=1, max_size=9, unique=True))
def test_assign_bins_puts_each_value_in_its_half_open_bin(values, inner):
    edges = np.unique(np.concatenate([[values.min() - 1.0, values.max() + 1.0], inner]))
    labels = regimes.assign_bins(values, edges)
    assert np.all(edges[labels] <= values) and np.all(values < edges[labels + 1])
    expected = np.clip(np.digitize(values, edges) - 1, 0, len(edges) - 2)  # numpy's own binning
    assert np.array_equal(labels, expected)


def test_last_edge_belongs_to_the_last_bin():
    assert list(regimes.assign_bins([20.0, 39.9, 40.0, 119.0, 120.0], regimes.TEMPERATURE_EDGES_C)) == [0, 0, 1, 4, 4]


def test_equal_width_and_quantile_are_numpy_linspace_and_quantile():
    v = np.random.default_rng(1).gamma(2.0, 10.0, 500)
    np.testing.assert_array_equal(regimes.bin_edges(v, 5, "equal_width"), np.linspace(v.min(), v.max(), 6))
    np.testing.assert_array_equal(regimes.bin_edges(v, 4, "quantile"), np.quantile(v, [0, 0.25, 0.5, 0.75, 1.0]))
    counts = np.bincount(regimes.assign_bins(v, regimes.bin_edges(v, 4, "quantile")))
    assert counts.min() >= 124 and counts.max() <= 126  # equal counts


def test_quantile_merges_tied_edges():
    v = np.array([25.0] * 60 + list(np.linspace(30.0, 100.0, 40)))
    edges = regimes.bin_edges(v, 4, "quantile")
    assert edges[0] == 25.0 and edges[-1] == 100.0
    assert len(edges) < 5 and np.all(np.diff(edges) > 0)


def test_kmeans_edges_reproduce_kmeans_labels():
    rng = np.random.default_rng(2)
    v = np.concatenate([rng.normal(c, 3.0, 200) for c in (25.0, 60.0, 80.0, 110.0)])
    edges = regimes.bin_edges(v, 4, "kmeans", seed=5)
    km = KMeans(4, n_init=regimes.KMEANS_INITS, random_state=5).fit(v.reshape(-1, 1))
    rank = np.argsort(np.argsort(km.cluster_centers_.ravel()))  # cluster id -> position of its centre
    np.testing.assert_array_equal(regimes.assign_bins(v, edges), rank[km.labels_])
    assert regimes.bin_edges(v, 4, "kmeans", seed=5).tolist() == edges.tolist()  # seeded: same again


def test_domain_edges_are_taken_as_given_and_checked():
    v = np.random.default_rng(3).uniform(20.0, 120.0, 300)
    edges = regimes.bin_edges(v, method="domain", domain_edges=regimes.TEMPERATURE_EDGES_C)
    assert edges.tolist() == list(regimes.TEMPERATURE_EDGES_C)
    with pytest.raises(ParamError, match="domain_edges must cover the values"):
        regimes.bin_edges(v, method="domain", domain_edges=[40, 60, 80, 100, 120])
    with pytest.raises(ParamError, match="domain_edges must be strictly increasing"):
        regimes.bin_edges(v, method="domain", domain_edges=[20, 60, 40, 120])
    with pytest.raises(ParamError, match="method 'domain' needs domain_edges"):
        regimes.bin_edges(v, method="domain")
    with pytest.raises(ParamError, match="only with method 'domain'"):
        regimes.bin_edges(v, 4, "quantile", domain_edges=regimes.TEMPERATURE_EDGES_C)


def test_binning_rejects_bad_input_with_sentences():
    with pytest.raises(ParamError, match="values must be finite \\(no NaN or inf\\); got 1 non-finite"):
        regimes.bin_edges([20.0, np.nan, 30.0], 2)
    with pytest.raises(ParamError, match="every value equals 25"):
        regimes.bin_edges(np.full(50, 25.0), 3)
    with pytest.raises(ParamError, match="n_bins must not exceed the number of distinct values \\(3\\); got n_bins"):
        regimes.bin_edges([1.0, 2.0, 3.0, 3.0], 4, "kmeans")
    with pytest.raises(ParamError, match="clearly separate values for k-means"):
        regimes.bin_edges([0.0, 1e-300, 3.0, 4.0], 4, "kmeans")
    with pytest.raises(ParamError, match="n_bins must be between 2 and 10"):
        regimes.bin_edges([1.0, 2.0, 3.0], 11)
    with pytest.raises(ParamError, match="method must be one of"):
        regimes.bin_edges([1.0, 2.0, 3.0], 2, "jenks")
    with pytest.raises(ParamError, match="values must lie within the edges \\(20 to 120\\); got 1 value"):
        regimes.assign_bins([19.0, 50.0], regimes.TEMPERATURE_EDGES_C)
    with pytest.raises(ParamError, match="values must be a 1-D array"):
        regimes.bin_edges(np.ones((3, 3)), 2)


# --------------------------------------------------------------------------- joint bins


def test_joint_bins_number_each_combination_like_ravel_multi_index():
    speed = np.array([100.0, 900.0, 1400.0, 100.0, 1400.0])
    temp = np.array([25.0, 45.0, 115.0, 105.0, 25.0])
    jb = regimes.joint_bins(
        {"speed_rpm": speed, "temp_c": temp},
        {"speed_rpm": [0.0, 500.0, 1000.0, 1500.0], "temp_c": regimes.TEMPERATURE_EDGES_C},
        {"speed_rpm": "rpm", "temp_c": "°C"},
    )
    assert jb.shape == (3, 5) and jb.n_combinations == 15
    assert jb.per_variable.tolist() == [[0, 0], [1, 1], [2, 4], [0, 4], [2, 0]]
    assert jb.labels.tolist() == [0, 6, 14, 4, 10]  # speed_bin * 5 + temp_bin
    assert jb.counts.sum() == 5 and jb.counts[14] == 1 and jb.counts[1] == 0
    assert jb.descriptions[14] == "speed_rpm 1000–1500 rpm · temp_c 100–120 °C"


def test_joint_bins_reject_mismatched_names_and_too_many_variables():
    v = np.linspace(0.0, 1.0, 10)
    with pytest.raises(ParamError, match="edges must have one entry per variable"):
        regimes.joint_bins({"a": v}, {"b": [0.0, 1.0]})
    with pytest.raises(ParamError, match="variables must name 1 to 3"):
        regimes.joint_bins({k: v for k in "abcd"}, {k: [0.0, 1.0] for k in "abcd"})


# --------------------------------------------------------------------------- bin statistics


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 80), elements=finite), st.integers(1, 8), st.integers(0, 1000))
def test_bin_stats_match_numpy_per_bin(values, m, seed):
    labels = np.random.default_rng(seed).integers(0, m, len(values))
    edges = np.arange(m + 1, dtype=float)
    s = regimes.bin_stats(values, labels, edges)
    for b in range(m):
        sel = values[labels == b]
        assert s.counts[b] == len(sel)
        if len(sel) == 0:
            assert np.isnan(s.mean[b]) and np.isnan(s.std[b])
        else:
            assert s.mean[b] == pytest.approx(sel.mean(), rel=1e-9, abs=1e-9)
            expected_std = sel.std(ddof=1) if len(sel) > 1 else 0.0  # the one-sample convention
            assert s.std[b] == pytest.approx(expected_std, rel=1e-6, abs=1e-6)
    np.testing.assert_array_equal(s.centres, edges[:-1] + 0.5)


def test_bin_stats_without_edges_infer_the_bin_count():
    s = regimes.bin_stats([1.0, 2.0, 3.0, 5.0], [0, 0, 2, 2])
    assert s.counts.tolist() == [2, 0, 2] and s.edges is None and s.centres is None
    assert s.mean[0] == 1.5 and np.isnan(s.mean[1]) and s.std[2] == pytest.approx(np.sqrt(2.0))
    with pytest.raises(ParamError, match="labels must hold whole numbers from 0 to 999"):
        regimes.bin_stats([1.0, 2.0], [0, -1])
    with pytest.raises(ParamError, match="labels must be below the number of bins \\(2\\); got 2"):
        regimes.bin_stats([1.0, 2.0], [0, 2], [0.0, 1.0, 2.0])
