"""Regime binning, per-regime statistics and validation across regimes, against numpy and scikit-learn."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.cluster import KMeans
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, StratifiedGroupKFold, StratifiedKFold, cross_val_score

from neuralab.params import ParamError
from neuralab.signal import regimes as R

finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, allow_subnormal=False)
adc = st.integers(-80_000, 80_000).map(lambda k: k / 8)  # quantized readings, like a sensor behind an ADC
value_arrays = arrays(np.float64, st.integers(2, 120), elements=adc)


def _temperature_data(n: int = 1200, seed: int = 0):
    """Load current x and temperature; the target's dependence on x grows with temperature."""
    rng = np.random.default_rng(seed)
    temp = rng.uniform(20.0, 120.0, n)
    x = rng.uniform(0.0, 1.0, n)
    y = x * (1.0 + 0.03 * (temp - 20.0)) + 0.05 * rng.normal(size=n)
    return np.column_stack([x, temp]), y, temp


# --------------------------------------------------------------------------- edges


@settings(max_examples=60, deadline=None)
@given(value_arrays, st.integers(2, 10), st.sampled_from(["equal_width", "quantile", "kmeans"]))
def test_edges_are_increasing_and_cover_the_data(values, n_bins, method):
    distinct = len(np.unique(values))
    if distinct == 1:
        with pytest.raises(ParamError, match="σ = 0"):
            R.bin_edges(values, n_bins, method)
        return
    if distinct < n_bins:
        with pytest.raises(ParamError, match=f"n_bins must not exceed the number of distinct values \\({distinct}\\)"):
            R.bin_edges(values, n_bins, method)
        return
    edges = R.bin_edges(values, n_bins, method)
    assert np.all(np.diff(edges) > 0)
    assert edges[0] == values.min() and edges[-1] == values.max()
    if method == "quantile":
        assert 2 <= len(edges) <= n_bins + 1  # tied quantiles merge
    else:
        assert len(edges) == n_bins + 1
    labels = R.assign_bins(values, edges)
    assert labels.min() >= 0 and labels.max() <= len(edges) - 2


@settings(max_examples=60, deadline=None)
@given(value_arrays, st.lists(finite, min_size=1, max_size=9, unique=True))
def test_assign_bins_puts_each_value_in_its_half_open_bin(values, inner):
    edges = np.unique(np.concatenate([[values.min() - 1.0, values.max() + 1.0], inner]))
    labels = R.assign_bins(values, edges)
    assert np.all(edges[labels] <= values) and np.all(values < edges[labels + 1])
    expected = np.clip(np.digitize(values, edges) - 1, 0, len(edges) - 2)  # numpy's own binning
    assert np.array_equal(labels, expected)


def test_last_edge_belongs_to_the_last_bin():
    assert list(R.assign_bins([20.0, 39.9, 40.0, 119.0, 120.0], R.TEMPERATURE_EDGES_C)) == [0, 0, 1, 4, 4]


def test_equal_width_and_quantile_are_numpy_linspace_and_quantile():
    v = np.random.default_rng(1).gamma(2.0, 10.0, 500)
    np.testing.assert_array_equal(R.bin_edges(v, 5, "equal_width"), np.linspace(v.min(), v.max(), 6))
    np.testing.assert_array_equal(R.bin_edges(v, 4, "quantile"), np.quantile(v, [0, 0.25, 0.5, 0.75, 1.0]))
    counts = np.bincount(R.assign_bins(v, R.bin_edges(v, 4, "quantile")))
    assert counts.min() >= 124 and counts.max() <= 126  # equal counts


def test_quantile_merges_tied_edges():
    v = np.array([25.0] * 60 + list(np.linspace(30.0, 100.0, 40)))
    edges = R.bin_edges(v, 4, "quantile")
    assert edges[0] == 25.0 and edges[-1] == 100.0
    assert len(edges) < 5 and np.all(np.diff(edges) > 0)


def test_kmeans_edges_reproduce_kmeans_labels():
    rng = np.random.default_rng(2)
    v = np.concatenate([rng.normal(c, 3.0, 200) for c in (25.0, 60.0, 80.0, 110.0)])
    edges = R.bin_edges(v, 4, "kmeans", seed=5)
    km = KMeans(4, n_init=R.KMEANS_INITS, random_state=5).fit(v.reshape(-1, 1))
    rank = np.argsort(np.argsort(km.cluster_centers_.ravel()))  # cluster id -> position of its centre
    np.testing.assert_array_equal(R.assign_bins(v, edges), rank[km.labels_])
    assert R.bin_edges(v, 4, "kmeans", seed=5).tolist() == edges.tolist()  # seeded: same again


def test_domain_edges_are_taken_as_given_and_checked():
    v = np.random.default_rng(3).uniform(20.0, 120.0, 300)
    edges = R.bin_edges(v, method="domain", domain_edges=R.TEMPERATURE_EDGES_C)
    assert edges.tolist() == list(R.TEMPERATURE_EDGES_C)
    with pytest.raises(ParamError, match="domain_edges must cover the values"):
        R.bin_edges(v, method="domain", domain_edges=[40, 60, 80, 100, 120])
    with pytest.raises(ParamError, match="domain_edges must be strictly increasing"):
        R.bin_edges(v, method="domain", domain_edges=[20, 60, 40, 120])
    with pytest.raises(ParamError, match="method 'domain' needs domain_edges"):
        R.bin_edges(v, method="domain")
    with pytest.raises(ParamError, match="only with method 'domain'"):
        R.bin_edges(v, 4, "quantile", domain_edges=R.TEMPERATURE_EDGES_C)


def test_binning_rejects_bad_input_with_sentences():
    with pytest.raises(ParamError, match="values must be finite \\(no NaN or inf\\); got 1 non-finite"):
        R.bin_edges([20.0, np.nan, 30.0], 2)
    with pytest.raises(ParamError, match="every value equals 25"):
        R.bin_edges(np.full(50, 25.0), 3)
    with pytest.raises(ParamError, match="n_bins must not exceed the number of distinct values \\(3\\); got n_bins"):
        R.bin_edges([1.0, 2.0, 3.0, 3.0], 4, "kmeans")
    with pytest.raises(ParamError, match="clearly separate values for k-means"):
        R.bin_edges([0.0, 1e-300, 3.0, 4.0], 4, "kmeans")
    with pytest.raises(ParamError, match="n_bins must be between 2 and 10"):
        R.bin_edges([1.0, 2.0, 3.0], 11)
    with pytest.raises(ParamError, match="method must be one of"):
        R.bin_edges([1.0, 2.0, 3.0], 2, "jenks")
    with pytest.raises(ParamError, match="values must lie within the edges \\(20 to 120\\); got 1 value"):
        R.assign_bins([19.0, 50.0], R.TEMPERATURE_EDGES_C)
    with pytest.raises(ParamError, match="values must be a 1-D array"):
        R.bin_edges(np.ones((3, 3)), 2)


# --------------------------------------------------------------------------- joint bins


def test_joint_bins_number_each_combination_like_ravel_multi_index():
    speed = np.array([100.0, 900.0, 1400.0, 100.0, 1400.0])
    temp = np.array([25.0, 45.0, 115.0, 105.0, 25.0])
    jb = R.joint_bins(
        {"speed_rpm": speed, "temp_c": temp},
        {"speed_rpm": [0.0, 500.0, 1000.0, 1500.0], "temp_c": R.TEMPERATURE_EDGES_C},
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
        R.joint_bins({"a": v}, {"b": [0.0, 1.0]})
    with pytest.raises(ParamError, match="variables must name 1 to 3"):
        R.joint_bins({k: v for k in "abcd"}, {k: [0.0, 1.0] for k in "abcd"})


# --------------------------------------------------------------------------- bin statistics


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 80), elements=finite), st.integers(1, 8), st.integers(0, 1000))
def test_bin_stats_match_numpy_per_bin(values, m, seed):
    labels = np.random.default_rng(seed).integers(0, m, len(values))
    edges = np.arange(m + 1, dtype=float)
    s = R.bin_stats(values, labels, edges)
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
    s = R.bin_stats([1.0, 2.0, 3.0, 5.0], [0, 0, 2, 2])
    assert s.counts.tolist() == [2, 0, 2] and s.edges is None and s.centres is None
    assert s.mean[0] == 1.5 and np.isnan(s.mean[1]) and s.std[2] == pytest.approx(np.sqrt(2.0))
    with pytest.raises(ParamError, match="labels must hold whole numbers from 0 to 999"):
        R.bin_stats([1.0, 2.0], [0, -1])
    with pytest.raises(ParamError, match="labels must be below the number of bins \\(2\\); got 2"):
        R.bin_stats([1.0, 2.0], [0, 2], [0.0, 1.0, 2.0])


# --------------------------------------------------------------------------- error grid


def test_error_grid_matches_a_loop_over_cells():
    rng = np.random.default_rng(4)
    n = 300
    y, p = rng.normal(size=n), rng.normal(size=n)
    a, b = rng.integers(0, 3, n), rng.integers(0, 4, n)
    b[b == 3] = 2  # column 3 stays empty
    g = R.regime_error_grid(y, p, a, b, n_b=4)
    assert g.rmse.shape == (3, 4) and np.all(np.isnan(g.rmse[:, 3])) and np.all(g.counts[:, 3] == 0)
    for i in range(3):
        for j in range(3):
            cell = (a == i) & (b == j)
            assert g.counts[i, j] == cell.sum()
            assert g.rmse[i, j] == pytest.approx(np.sqrt(np.mean((p[cell] - y[cell]) ** 2)))
            assert g.bias[i, j] == pytest.approx(np.mean(p[cell] - y[cell]))
    assert g.overall_rmse == pytest.approx(np.sqrt(np.mean((p - y) ** 2)))
    assert g.rmse[g.worst] == np.nanmax(g.rmse)
    with pytest.raises(ParamError, match="y_pred must have one entry per sample \\(300\\); got 299"):
        R.regime_error_grid(y, p[:-1], a, b)


# --------------------------------------------------------------------------- validation schemes


def _rmse_scores(X, y, cv, groups=None):
    return -cross_val_score(Ridge(), X, y, cv=cv, groups=groups, scoring="neg_root_mean_squared_error")


def test_random_and_stratified_scores_match_sklearn():
    X, y, temp = _temperature_data()
    labels = R.assign_bins(temp, R.TEMPERATURE_EDGES_C)
    res = R.regime_validation(X, y, labels, model_factory=Ridge, k=4, seed=3)
    np.testing.assert_allclose(res.random, _rmse_scores(X, y, KFold(4, shuffle=True, random_state=3)))
    strat = list(StratifiedKFold(4, shuffle=True, random_state=3).split(X, labels))
    np.testing.assert_allclose(res.stratified, _rmse_scores(X, y, strat))
    assert not res.grouped and res.counts.sum() == len(y)


def test_held_out_regime_scores_match_a_manual_leave_one_out_loop():
    X, y, temp = _temperature_data()
    labels = R.assign_bins(temp, R.TEMPERATURE_EDGES_C)
    res = R.regime_validation(X, y, labels, model_factory="tree", k=5, seed=0)
    assert res.regimes.tolist() == [0, 1, 2, 3, 4]
    for r, score in zip(res.regimes, res.held_out, strict=True):
        train, test = labels != r, labels == r
        est = R.make_regressor("tree", 0).fit(X[train], y[train])
        assert score == pytest.approx(np.sqrt(np.mean((est.predict(X[test]) - y[test]) ** 2)))
        assert np.sqrt(np.mean((res.pred_held_out[test] - y[test]) ** 2)) == pytest.approx(score)


def test_grouped_stratified_folds_are_sklearn_stratified_group_kfold():
    X, y, temp = _temperature_data()
    labels = R.assign_bins(temp, R.TEMPERATURE_EDGES_C)
    cycles = np.arange(len(y)) // 40  # 30 drive cycles of 40 rows
    res = R.regime_validation(X, y, labels, cycles, model_factory=Ridge, k=5, seed=1)
    cv = list(StratifiedGroupKFold(5, shuffle=True, random_state=1).split(X, labels, cycles))
    np.testing.assert_allclose(res.stratified, _rmse_scores(X, y, cv))
    assert res.grouped


def test_held_out_regime_is_worse_than_random_folds_when_the_relation_changes_with_regime():
    X, y, temp = _temperature_data()
    labels = R.assign_bins(temp, R.TEMPERATURE_EDGES_C)
    res = R.regime_validation(X, y, labels, model_factory="tree", k=5, seed=0)
    assert res.pooled[2] > 1.5 * res.pooled[0] and res.gap > 0
    # the coldest and hottest regimes must be extrapolated to: nothing beyond them was ever seen
    assert np.all(res.held_out[[0, -1]] > 1.5 * res.random_by_regime[[0, -1]])
    # stratified folds hold each regime's share; shuffled folds only roughly
    overall = res.counts / res.counts.sum()
    assert np.abs(res.stratified_shares - overall).max() < np.abs(res.random_shares - overall).max()


def test_regime_validation_rejects_bad_input_with_sentences():
    X, y, temp = _temperature_data(200)
    labels = R.assign_bins(temp, R.TEMPERATURE_EDGES_C)
    with pytest.raises(ParamError, match="regime_labels must hold 2 to 100 distinct regimes; got 1"):
        R.regime_validation(X, y, np.zeros(200, int))
    with pytest.raises(ParamError, match="k must not exceed the number of distinct groups \\(3\\)"):
        R.regime_validation(X, y, labels, np.arange(200) % 3, k=5)
    bad = X.copy()
    bad[5, 1] = np.inf
    with pytest.raises(ParamError, match="X must be finite"):
        R.regime_validation(bad, y, labels)
    with pytest.raises(ParamError, match="k must be between 2 and 10"):
        R.regime_validation(X, y, labels, k=1)
    with pytest.raises(ParamError, match="model must be one of"):
        R.regime_validation(X, y, labels, model_factory="xgboost")
    with pytest.raises(ParamError, match="k must not exceed the rows of the largest regime \\(2\\)"):
        R.regime_validation(X[:4], y[:4], [0, 0, 1, 1], k=3)


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 6), st.integers(0, 9999))
def test_out_of_fold_predictions_cover_every_row_once(k, seed):
    X, y, temp = _temperature_data(150, seed)
    labels = R.assign_bins(temp, R.TEMPERATURE_EDGES_C)
    assume(np.bincount(labels).max() >= k)
    res = R.regime_validation(X, y, labels, model_factory=Ridge, k=k, seed=seed)
    for pred in (res.pred_random, res.pred_stratified, res.pred_held_out):
        assert np.all(np.isfinite(pred))
    pooled = np.sqrt(np.mean((res.pred_random - y) ** 2))
    assert res.pooled[0] == pytest.approx(pooled)
    np.testing.assert_allclose(res.random_shares.sum(axis=1), 1.0)


def test_held_out_temperature_regime_is_worse_on_the_motor_dataset():
    from neuralab.data import motor as M
    w = M.motor_windows(M.motor_log(cycles=12, seconds=1.0, fs=5000, seed=0), 0.05)
    labels = R.assign_bins(w.temp_c, R.bin_edges(w.temp_c, 4))
    res = R.regime_validation(w.X, w.y, labels, w.cycle, "ridge", 5, 0)  # torque from current and speed
    assert res.grouped and res.counts.sum() == len(w.y)
    assert res.pooled[2] > res.pooled[0]  # magnets weaken when hot: unseen temperatures cost accuracy


# --------------------------------------------------------------------------- on the motor's bench log


@pytest.mark.parametrize("binning", ["equal_width", "quantile", "kmeans", "domain"])
def test_bench_edges_cut_the_bench_temperatures_once(binning):
    from neuralab.data.motor import bench_windows

    edges = R.bench_edges(4, binning, 0)
    assert edges is R.bench_edges(4, binning, 0) and not edges.flags.writeable
    w = bench_windows(0)
    if binning == "domain":
        ref = R.bin_edges(w.temp_c, method="domain", domain_edges=R.TEMPERATURE_EDGES_C)
    else:
        ref = R.bin_edges(w.temp_c, 4, binning, seed=0)
    np.testing.assert_array_equal(edges, ref)
    assert len(edges) - 1 == (5 if binning == "domain" else 4)


def test_bench_regimes_and_validation_follow_the_chain():
    from neuralab.data.motor import bench_windows

    w = bench_windows(0)
    edges = R.bench_edges(3, "quantile", 0)
    r = R.bench_regimes(3, "quantile", 0)
    ref = R.bin_stats(w.current_per_torque, R.assign_bins(w.temp_c, edges), edges)
    np.testing.assert_array_equal(r.stats.counts, ref.counts)
    np.testing.assert_allclose(r.stats.mean, ref.mean)
    assert r.stats.mean[-1] > r.stats.mean[0]  # hot windows need more current per N·m
    v = R.bench_validation(3, "quantile", 0)
    t_bins = R.assign_bins(w.temp_c, edges)
    rv = R.regime_validation(w.X, w.y, t_bins, groups=w.cycle, seed=0)
    np.testing.assert_allclose(v.validation.held_out, rv.held_out)
    assert v.grid.rmse.shape == (3, R.SPEED_BINS) and len(v.speed_edges) == R.SPEED_BINS + 1
    with pytest.raises(ParamError, match="binning must be one of"):
        R.bench_validation(4, "random", 0)
