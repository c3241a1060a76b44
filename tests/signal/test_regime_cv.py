"""A model scored per regime cell and validated across regimes, against numpy loops and scikit-learn's splitters."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, StratifiedGroupKFold, StratifiedKFold, cross_val_score

from neuralab.data.baselines import make_regressor
from neuralab.params import ParamError
from neuralab.signal import regime_cv, regimes


def _temperature_data(n: int = 1200, seed: int = 0):
    """Load current x and temperature; the target's dependence on x grows with temperature."""
    rng = np.random.default_rng(seed)
    temp = rng.uniform(20.0, 120.0, n)
    x = rng.uniform(0.0, 1.0, n)
    y = x * (1.0 + 0.03 * (temp - 20.0)) + 0.05 * rng.normal(size=n)
    return np.column_stack([x, temp]), y, temp


# --------------------------------------------------------------------------- error grid


def test_error_grid_matches_a_loop_over_cells():
    rng = np.random.default_rng(4)
    n = 300
    y, p = rng.normal(size=n), rng.normal(size=n)
    a, b = rng.integers(0, 3, n), rng.integers(0, 4, n)
    b[b == 3] = 2  # column 3 stays empty
    g = regime_cv.regime_error_grid(y, p, a, b, n_b=4)
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
        regime_cv.regime_error_grid(y, p[:-1], a, b)


# --------------------------------------------------------------------------- validation schemes


def _rmse_scores(X, y, cv, groups=None):
    return -cross_val_score(Ridge(), X, y, cv=cv, groups=groups, scoring="neg_root_mean_squared_error")


def test_random_and_stratified_scores_match_sklearn():
    X, y, temp = _temperature_data()
    labels = regimes.assign_bins(temp, regimes.TEMPERATURE_EDGES_C)
    res = regime_cv.regime_validation(X, y, labels, model_factory=Ridge, k=4, seed=3)
    np.testing.assert_allclose(res.random, _rmse_scores(X, y, KFold(4, shuffle=True, random_state=3)))
    strat = list(StratifiedKFold(4, shuffle=True, random_state=3).split(X, labels))
    np.testing.assert_allclose(res.stratified, _rmse_scores(X, y, strat))
    assert not res.grouped and res.counts.sum() == len(y)


def test_held_out_regime_scores_match_a_manual_leave_one_out_loop():
    X, y, temp = _temperature_data()
    labels = regimes.assign_bins(temp, regimes.TEMPERATURE_EDGES_C)
    res = regime_cv.regime_validation(X, y, labels, model_factory="tree", k=5, seed=0)
    assert res.regimes.tolist() == [0, 1, 2, 3, 4]
    for r, score in zip(res.regimes, res.held_out, strict=True):
        train, test = labels != r, labels == r
        est = make_regressor("tree", 0).fit(X[train], y[train])
        assert score == pytest.approx(np.sqrt(np.mean((est.predict(X[test]) - y[test]) ** 2)))
        assert np.sqrt(np.mean((res.pred_held_out[test] - y[test]) ** 2)) == pytest.approx(score)


def test_grouped_stratified_folds_are_sklearn_stratified_group_kfold():
    X, y, temp = _temperature_data()
    labels = regimes.assign_bins(temp, regimes.TEMPERATURE_EDGES_C)
    cycles = np.arange(len(y)) // 40  # 30 drive cycles of 40 rows
    res = regime_cv.regime_validation(X, y, labels, cycles, model_factory=Ridge, k=5, seed=1)
    cv = list(StratifiedGroupKFold(5, shuffle=True, random_state=1).split(X, labels, cycles))
    np.testing.assert_allclose(res.stratified, _rmse_scores(X, y, cv))
    assert res.grouped


def test_held_out_regime_is_worse_than_random_folds_when_the_relation_changes_with_regime():
    X, y, temp = _temperature_data()
    labels = regimes.assign_bins(temp, regimes.TEMPERATURE_EDGES_C)
    res = regime_cv.regime_validation(X, y, labels, model_factory="tree", k=5, seed=0)
    assert res.pooled[2] > 1.5 * res.pooled[0] and res.gap > 0
    # the coldest and hottest regimes must be extrapolated to: nothing beyond them was ever seen
    assert np.all(res.held_out[[0, -1]] > 1.5 * res.random_by_regime[[0, -1]])
    # stratified folds hold each regime's share; shuffled folds only roughly
    overall = res.counts / res.counts.sum()
    assert np.abs(res.stratified_shares - overall).max() < np.abs(res.random_shares - overall).max()


def test_regime_validation_rejects_bad_input_with_sentences():
    X, y, temp = _temperature_data(200)
    labels = regimes.assign_bins(temp, regimes.TEMPERATURE_EDGES_C)
    with pytest.raises(ParamError, match="regime_labels must hold 2 to 100 distinct regimes; got 1"):
        regime_cv.regime_validation(X, y, np.zeros(200, int))
    with pytest.raises(ParamError, match="k must not exceed the number of distinct groups \\(3\\)"):
        regime_cv.regime_validation(X, y, labels, np.arange(200) % 3, k=5)
    bad = X.copy()
    bad[5, 1] = np.inf
    with pytest.raises(ParamError, match="X must be finite"):
        regime_cv.regime_validation(bad, y, labels)
    with pytest.raises(ParamError, match="k must be between 2 and 10"):
        regime_cv.regime_validation(X, y, labels, k=1)
    with pytest.raises(ParamError, match="model must be one of"):
        regime_cv.regime_validation(X, y, labels, model_factory="xgboost")
    with pytest.raises(ParamError, match="k must not exceed the rows of the largest regime \\(2\\)"):
        regime_cv.regime_validation(X[:4], y[:4], [0, 0, 1, 1], k=3)


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 6), st.integers(0, 9999))
def test_out_of_fold_predictions_cover_every_row_once(k, seed):
    X, y, temp = _temperature_data(150, seed)
    labels = regimes.assign_bins(temp, regimes.TEMPERATURE_EDGES_C)
    assume(np.bincount(labels).max() >= k)
    res = regime_cv.regime_validation(X, y, labels, model_factory=Ridge, k=k, seed=seed)
    for pred in (res.pred_random, res.pred_stratified, res.pred_held_out):
        assert np.all(np.isfinite(pred))
    pooled = np.sqrt(np.mean((res.pred_random - y) ** 2))
    assert res.pooled[0] == pytest.approx(pooled)
    np.testing.assert_allclose(res.random_shares.sum(axis=1), 1.0)


def test_held_out_temperature_regime_is_worse_on_the_motor_dataset():
    from neuralab.data import motor
    w = motor.motor_windows(motor.motor_log(cycles=12, seconds=1.0, fs=5000, seed=0), 0.05)
    labels = regimes.assign_bins(w.temp_c, regimes.bin_edges(w.temp_c, 4))
    res = regime_cv.regime_validation(w.X, w.y, labels, w.cycle, "ridge", 5, 0)  # torque from current and speed
    assert res.grouped and res.counts.sum() == len(w.y)
    assert res.pooled[2] > res.pooled[0]  # magnets weaken when hot: unseen temperatures cost accuracy
