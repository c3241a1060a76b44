"""The playground's data sets: deterministic, balanced, the right geometry, features and splits."""

from __future__ import annotations

import numpy as np
import pytest

from neuralab.data import playground
from neuralab.params import ParamError


@pytest.mark.parametrize("name", playground.CLASSIFIERS + ("reg_plane", "reg_gauss"))
def test_points_are_deterministic_by_seed_and_inside_the_box(name):
    P1, y1 = playground.points(name, 500, 0.2, seed=4, classes=3)
    P2, y2 = playground.points(name, 500, 0.2, seed=4, classes=3)
    P3, _ = playground.points(name, 500, 0.2, seed=5, classes=3)
    np.testing.assert_array_equal(P1, P2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(P1, P3)
    assert P1.shape == (500, 2) and P1.dtype == np.float64
    if name != "gauss":  # Gaussian tails may leave the box
        assert np.abs(P1).max() <= playground.BOX + 1e-9


@pytest.mark.parametrize("name", playground.CLASSIFIERS)
@pytest.mark.parametrize("k", [2, 3, 4])
def test_classes_are_all_present_and_about_balanced(name, k):
    _, y = playground.points(name, 400, 0.0, seed=0, classes=k)
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k and counts.min() > 400 / k * 0.7


def test_circle_without_noise_separates_by_radius():
    P, y = playground.points("circle", 500, 0.0, seed=1)
    r = np.hypot(P[:, 0], P[:, 1])
    assert r[y == 0].max() <= 2.5 < 3.5 <= r[y == 1].min()
    P, y = playground.points("circle", 600, 0.0, seed=1, classes=3)
    for c in range(3):  # ring c lies between radii 5c/3 and 5(c+1)/3
        assert 5 * c / 3 <= r_min(P, y, c) and r_max(P, y, c) <= 5 * (c + 1) / 3


def r_min(P, y, c):
    return np.hypot(*P[y == c].T).min()


def r_max(P, y, c):
    return np.hypot(*P[y == c].T).max()


def test_xor_labels_follow_the_signs_and_the_checkerboard():
    P, y = playground.points("xor", 500, 0.0, seed=2)
    np.testing.assert_array_equal(y, (P[:, 0] * P[:, 1] < 0).astype(int))
    P, y = playground.points("xor", 500, 0.0, seed=2, classes=3)
    ij = ((P + 5) // (10 / 3)).astype(int)
    np.testing.assert_array_equal(y, (ij[:, 0] + ij[:, 1]) % 3)


def test_noise_moves_points_but_keeps_labels():
    P0, y0 = playground.points("spiral", 300, 0.0, seed=3)
    P1, y1 = playground.points("spiral", 300, 0.5, seed=3)
    np.testing.assert_array_equal(y0, y1)
    assert 0 < np.abs(P1 - P0).max() <= 0.5 * playground.BOX + 1e-9


def test_regression_targets_are_in_range_and_correct():
    P, y = playground.points("reg_plane", 300, 0.0, seed=0)
    np.testing.assert_allclose(y, (P[:, 0] + P[:, 1]) / 12)
    P, y = playground.points("reg_gauss", 300, 0.0, seed=0)
    assert np.abs(y).max() <= 1.0
    near = np.hypot(P[:, 0] + 4, P[:, 1] - 2.5) < 0.3  # on the positive bump at (-4, 2.5)
    assert (y[near] > 0.8).all()


def test_features_compute_each_column():
    P = np.array([[1.0, 2.0], [-3.0, 0.5]])
    X = playground.features(P, tuple(playground.FEATURES))
    np.testing.assert_allclose(X, [[1, 2, 1, 4, 2, np.sin(1), np.sin(2)], [-3, 0.5, 9, 0.25, -1.5, np.sin(-3),
                                                                           np.sin(0.5)]])
    with pytest.raises(ValueError, match="non-empty subset"):
        playground.features(P, ())


def test_load_splits_by_ratio_stratified_and_uses_selected_features():
    d = playground.load(dataset="spiral", classes=3, train_pct=70, n_points=600, f_x="1", f_y="0", f_sinx="1", seed=9)
    assert d.feature_names == ("x", "sinx") and d.n_inputs == 2 and d.n_outputs == 3 and d.head == "multiclass"
    assert len(d.y_train) == 420 and len(d.y_test) == 180
    assert set(np.bincount(d.y_train)) == {140}
    np.testing.assert_allclose(d.X_train[:, 1], np.sin(d.P_train[:, 0]))
    assert not d.X_train.flags.writeable
    assert playground.load(dataset="circle").head == "binary"
    assert playground.load(dataset="reg_plane").head == "regression"


def test_load_is_deterministic_and_refuses_no_features():
    a = playground.load(dataset="gauss", seed=3, noise=20)
    b = playground._load.__wrapped__("gauss", 2, 20, 50, 500, ("x", "y"), 3)  # uncached: drawn again
    np.testing.assert_array_equal(a.X_train, b.X_train)
    with pytest.raises(ParamError, match="at least one input feature"):
        playground.load(dataset="circle", f_x="0", f_y="0")
    with pytest.raises(ParamError, match="noise must be between 0 and 50"):
        playground.load(noise=80)


def test_digits_are_scaled_on_train_only():
    d = playground.load(dataset="digits", n_points=400, train_pct=50)
    assert d.n_inputs == 64 and d.n_classes == 10 and not d.is_2d and d.P_train is None
    used = d.X_train.std(axis=0) > 0
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(d.X_train.std(axis=0)[used], 1.0)
    assert abs(d.X_test.mean()) > 1e-6  # the test rows were not used to fit the scaler
    with pytest.raises(ValueError, match="decision map needs a 2-D"):
        playground.grid(d)


def test_motor_is_torque_from_current_and_temperature():
    d = playground.load(dataset="motor", n_points=400, f_x="1", f_y="1")
    assert d.task == "regression" and d.axis_names[0].startswith("q-axis current")
    assert np.abs(d.P_train).max() <= 5 + 1e-9 and np.abs(d.y_train).max() <= 1 + 1e-9
    torque = d.y_train * d.y_scale + d.y_offset
    assert 0 < torque.min() and torque.max() < 25  # N·m on the bench
    assert np.corrcoef(d.P_train[:, 0], d.y_train)[0, 1] > 0.95  # torque follows the q current


def test_grid_is_row_major_with_features():
    d = playground.load(dataset="circle", f_x="1", f_y="1", f_xy="1")
    g = playground.grid(d, res=7)
    assert g.P.shape == (49, 2) and g.X.shape == (49, 3)
    np.testing.assert_array_equal(g.P[1], [g.xs[1], g.ys[0]])
    np.testing.assert_array_equal(g.P[7], [g.xs[0], g.ys[1]])
    np.testing.assert_allclose(g.X[:, 2], g.P[:, 0] * g.P[:, 1])
    assert g.image(np.arange(49.0)).shape == (7, 7) and g.xs[0] == -playground.BOX and g.xs[-1] == playground.BOX
    with pytest.raises(ValueError, match="res must be between"):
        playground.grid(d, res=1000)
