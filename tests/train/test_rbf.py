"""The RBF page's library: the light fit and the race against an MLP (a few epochs)."""

from __future__ import annotations

import numpy as np
import pytest

from neuralab.data import playground
from neuralab.nn import rbf as nn_rbf
from neuralab.params import ParamError
from neuralab.train import rbf

EPOCHS = 4  # the race in tests: enough to check what is measured, not how well


@pytest.fixture(scope="module")
def race():
    return rbf.compare("reg_plane", 6, "relu", 1, epochs=EPOCHS)


def test_the_surface_is_the_two_stage_fit_on_the_playground_split():
    s = rbf.surface(centres=10, width=0.8, ridge=1e-4, slice_y=1.5, seed=3)
    d = playground.load(dataset="reg_gauss", n_points=rbf.N_POINTS, train_pct=rbf.TRAIN_PCT, seed=3)
    np.testing.assert_array_equal(s.P_train, d.P_train)
    ref = nn_rbf.fit(d.P_train, d.y_train, 10, "nearest", 0.8, 1e-4, seed=3)
    np.testing.assert_allclose(s.net.weights_, ref.weights_)
    gx, gy = np.meshgrid(s.axis, s.axis)
    np.testing.assert_allclose(s.Z, ref.predict(np.column_stack([gx.ravel(), gy.ravel()])).reshape(s.Z.shape))
    line = np.column_stack([s.xs, np.full(len(s.xs), 1.5)])
    np.testing.assert_allclose(s.total, ref.predict(line), atol=1e-12)  # the bumps and the bias add up to the output
    assert (np.abs(s.near[:, 0]) <= playground.BOX).all() and len(s.near) > 0
    assert s.r2_train > s.r2_test - 0.2 and 0 < s.r2_train <= 1


def test_wide_units_make_the_design_matrix_ill_conditioned_and_ridge_tames_the_weights():
    narrow, wide = rbf.surface(width=0.5), rbf.surface(width=8.0, ridge=1e-9)
    assert wide.cond > 1e4 * narrow.cond
    held = rbf.surface(width=8.0, ridge=1.0)
    assert np.abs(held.net.weights_).max() < np.abs(wide.net.weights_).max() / 100


def test_the_motor_surface_reports_its_error_in_newton_metres():
    s = rbf.surface(dataset="motor")
    assert s.y_unit == "N·m" and s.r2_test > 0.9
    assert s.rmse_test == pytest.approx(float(np.sqrt(np.mean((s.net.predict(s.P_test) - s.y_test) ** 2))) * s.y_scale)


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"centres": 1}, "centres must be between 2 and 60"),
    ({"width": 0.0}, "width must be between 0.1 and 10"),
    ({"rule": "median"}, "rule must be one of global, nearest"),
    ({"dataset": "spiral"}, "dataset must be one of"),
    ({"ridge": float("nan")}, "ridge must be a finite number"),
])
def test_a_bad_value_is_a_sentence_naming_it(kwargs, fragment):
    with pytest.raises(ParamError, match=fragment):
        rbf.surface(**kwargs)
    with pytest.raises(ParamError, match="race_centres must be"):
        rbf.compare(race_centres=3)


def test_the_race_trains_below_the_cut_with_equal_parameter_counts(race):
    assert [m.n_params for m in race.models] == [4 * 6 + 1] * 3
    assert (race.P_train[:, 0] <= race.cut).all() and (race.near_out[:, 0] > race.cut).all()
    d = playground.load(dataset="reg_plane", n_points=rbf.N_POINTS, train_pct=rbf.TRAIN_PCT, seed=1)
    everything = np.vstack([d.P_train, d.P_test])
    assert race.n_outside == int((everything[:, 0] > race.cut).sum())
    assert race.n_train == int((d.P_train[:, 0] <= race.cut).sum())
    assert all(m.train_s > 0 and np.isfinite(m.rmse_outside) for m in race.models)
    assert not np.array_equal(*race.widths) and race.moved > 0  # Adam trained the widths and centres too


def test_the_two_stage_rbf_heads_for_its_bias_beyond_the_data(race):
    two_stage = race.models[0]
    at_cut = int(np.searchsorted(race.xs, race.cut))
    gap = np.abs(two_stage.line - race.bias)
    assert gap[-1] < gap[at_cut] / 2  # past its outermost centres the bumps die away and b is what is left


def test_the_race_is_kept_on_disk_by_its_settings(race):
    again = rbf.compare("reg_plane", 6, "relu", 1, epochs=EPOCHS)
    assert [m.train_s for m in again.models] == [m.train_s for m in race.models]  # read, not re-timed


def test_another_activation_retrains_only_the_mlp(race):
    tanh = rbf.compare("reg_plane", 6, "tanh", 1, epochs=EPOCHS)
    assert [m.train_s for m in tanh.models[:2]] == [m.train_s for m in race.models[:2]]
    assert tanh.models[2].name == "MLP, 6 tanh units" and tanh.models[2].train_s != race.models[2].train_s


def test_the_motor_race_takes_its_scaling_from_the_points_below_the_cut_only():
    r = rbf._Race.of("motor", 0)
    (P, y), (P_out, y_out) = r.train, r.outside
    np.testing.assert_allclose(P.min(axis=0), [-5, -5], atol=1e-12)  # the trained points alone set both ends
    np.testing.assert_allclose(P.max(axis=0), [5, 5], atol=1e-12)
    assert (y.min(), y.max()) == pytest.approx((-1, 1))
    assert (P_out[:, 0] > r.cut).all() and r.cut >= 5  # every withheld point lies beyond the trained range
    d = playground.load(dataset="motor", n_points=rbf.N_POINTS, train_pct=rbf.TRAIN_PCT, seed=0)
    everything = np.vstack([d.P_train, d.P_test])
    assert len(y_out) == int((everything[:, 0] > np.percentile(everything[:, 0], rbf.CUT_Q)).sum())
    newton_metres = np.sort(np.concatenate([d.y_train, d.y_test]) * d.y_scale + d.y_offset)
    here = np.sort(np.concatenate([y, r.inside[1], y_out]) * r.d.y_scale + r.d.y_offset)
    np.testing.assert_allclose(here, newton_metres)  # the same torques, only mapped differently
    below = d.P_train[d.P_train[:, 0] <= np.percentile(everything[:, 0], rbf.CUT_Q)]
    lo, hi = np.array(d.raw_range).T  # (2,), (2,): A and °C of the ends of load's scale
    raw = lo + (below + 5) / 10 * (hi - lo)  # the trained points in A and °C
    np.testing.assert_allclose(np.array(r.d.raw_range), np.column_stack([raw.min(axis=0), raw.max(axis=0)]))


def test_the_surface_carries_the_motors_raw_ranges_and_the_regression_sets_none():
    assert rbf.surface(dataset="motor").raw_range == playground.load(
        dataset="motor", n_points=rbf.N_POINTS, train_pct=rbf.TRAIN_PCT, seed=0).raw_range
    assert rbf.surface().raw_range == ()
