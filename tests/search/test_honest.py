"""Honest scoring: the winner's curse replayed on a landscape, and nested cross-validation against the plain score."""

import numpy as np
import pytest
import torch
from sklearn.neural_network import MLPClassifier

from neuralab.params import ParamError
from neuralab.search import honest
from neuralab.search.landscape import Landscape, landscape
from neuralab.search.tasks import arrays

torch.set_num_threads(1)


def synthetic(val: np.ndarray, test: np.ndarray) -> Landscape:
    """A landscape with given per-seed validation and test losses (metric = 1 - loss), no training."""
    res = val.shape[1]
    axis = np.geomspace(1e-3, 1.0, res)
    return Landscape("spiral", axis, axis, val, 1 - val, test, 1 - test, "accuracy", baseline=float(np.nanmax(val)) + 1)


def test_the_kept_trial_is_the_lowest_validation_loss_seen_so_far():
    ls = synthetic(*np.random.default_rng(3).random((2, 2, 4, 4)))
    c = honest.winners_curse(ls, trials=7, repeats=100, seed=5)
    run = np.random.default_rng(5).integers(0, ls.val_loss.size, size=(100, 7))  # the same draws, replayed by hand
    flat_val, flat_test = ls.val_loss.ravel(), ls.test_loss.ravel()
    for n in range(1, 8):
        kept = [r[np.argmin(flat_val[r[:n]])] for r in run]
        assert c.val_loss.mean[n - 1] == pytest.approx(flat_val[kept].mean())
        assert c.test_loss.mean[n - 1] == pytest.approx(flat_test[kept].mean())
        assert c.test_metric.mean[n - 1] == pytest.approx(1 - flat_test[kept].mean())
        other = [ls.val_loss[1 - k // 16].ravel()[k % 16] for k in kept]  # two seeds: the other one
        assert c.rerun_loss.mean[n - 1] == pytest.approx(np.mean(other))
        assert c.optimism_loss.mean[n - 1] == pytest.approx(c.gap_loss[n - 1])  # no NaN: mean of differences
        assert c.rerun_optimism_metric.mean[n - 1] == pytest.approx(np.mean(1 - flat_val[kept] - (1 - np.array(other))))


def test_without_noise_there_is_no_curse():
    true = np.random.default_rng(0).random((1, 6, 6))
    c = honest.winners_curse(synthetic(np.repeat(true, 3, 0), np.repeat(true, 3, 0)), repeats=200)
    np.testing.assert_allclose(c.gap_loss, 0, atol=1e-12)
    np.testing.assert_allclose(c.rerun_loss.mean, c.val_loss.mean, atol=1e-12)
    assert c.val_loss.mean[-1] == pytest.approx(true.min(), abs=1e-3)  # 100 draws of 36 cells find the best


def test_pure_noise_is_all_curse():
    rng = np.random.default_rng(1)
    val, test = 1 + 0.1 * rng.standard_normal((2, 3, 16, 16))  # every setting equally good: 1.0
    c = honest.winners_curse(synthetic(val, test), repeats=1000)
    assert abs(c.gap_loss[0]) < 0.02  # one trial: no choice, no bias
    assert c.gap_loss[-1] > 0.15  # the best of 100 draws of N(1, 0.1) sits about 2.5 σ low
    assert abs(c.test_loss.mean[-1] - 1) < 0.05 and abs(c.rerun_loss.mean[-1] - 1) < 0.05  # fresh noise: unbiased
    assert np.all(np.diff(c.val_loss.mean) <= 1e-12)  # more trials, a lower best: never higher


def test_diverged_runs_are_never_kept():
    val = np.random.default_rng(2).random((2, 4, 4))
    val[:, :2] = np.nan
    c = honest.winners_curse(synthetic(val, val.copy()), trials=20, repeats=300)
    assert np.all(np.isfinite(c.val_loss.mean[5:])) and c.val_loss.mean[-1] <= np.nanmin(val[:, 2:]) + 0.1


def test_on_a_real_landscape_the_gap_is_positive_and_grows_with_the_trials():
    c = honest.winners_curse(landscape("spiral", res=8, seeds=2), repeats=2000)
    assert c.gap_loss[-1] > 0 and c.gap_loss[-1] > c.gap_loss[0] + 0.02
    assert c.gap_metric[-1] > 0 and c.gap_metric[-1] > c.gap_metric[0]
    assert c.rerun_loss.mean[-1] > c.val_loss.mean[-1]  # the winner trained again is worse than reported
    assert np.all(c.val_loss.lo <= c.val_loss.mean + 1e-12) and np.all(c.val_loss.mean <= c.val_loss.hi + 1e-12)


@pytest.mark.parametrize(("kwargs", "name"), [(dict(trials=0), "trials"), (dict(trials=101), "trials"),
                                              (dict(repeats=50), "repeats"), (dict(seed=-1), "seed")])
def test_bad_search_settings_are_sentences(kwargs, name):
    ls = synthetic(*np.ones((2, 1, 2, 2)))
    with pytest.raises(ParamError, match=f"^{name} must"):
        honest.winners_curse(ls, **kwargs)


@pytest.mark.parametrize(("kwargs", "name"), [(dict(pool=50), "pool"), (dict(pool=125), "pool"),
                                              (dict(repeats=9), "repeats"), (dict(dataset="mnist"), "dataset")])
def test_bad_nested_settings_are_sentences(kwargs, name):
    with pytest.raises(ParamError, match=f"^{name} must"):
        honest.nested_cv(**kwargs)


def test_nested_cv_numbers_are_consistent():
    r = honest.nested_cv("spiral", pool=100, repeats=1)
    assert r.metric == "accuracy" and r.pool == 100 and r.n_test == len(arrays("spiral").y_test)
    for v in (r.plain, r.nested, r.test):
        assert v.shape == (1,) and 0 <= v[0] <= 1
    assert r.fits_nested == honest.OUTER * r.fits_plain == honest.OUTER * (9 * honest.INNER + 1)
    chosen = r.chosen[0]
    assert all(chosen[k] in honest.GRID[k] for k in honest.GRID)
    data = arrays("spiral")  # the test score is the chosen setting's, refitted on the same pool, scored once
    idx = np.random.default_rng([0, 13]).choice(len(data.y_train), 100, replace=False)
    refit = MLPClassifier(hidden_layer_sizes=(honest.HIDDEN,), max_iter=honest.MAX_ITER, random_state=0, **chosen)
    with pytest.warns(Warning):
        refit.fit(data.X_train[idx], data.y_train[idx])
    assert r.test[0] == pytest.approx(refit.score(data.X_test, data.y_test))
    np.testing.assert_allclose(r.plain_bias, r.plain - r.test)


def test_expected_max_of_normals_matches_known_values():
    assert honest.expected_max(1) == pytest.approx(0.0, abs=1e-9)
    assert honest.expected_max(2) == pytest.approx(1 / np.sqrt(np.pi), rel=1e-6)
    assert honest.expected_max(10) == pytest.approx(1.5388, abs=1e-3)
