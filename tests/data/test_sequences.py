"""The sequence data sets: the thermal drive cycles obey their model and split by cycle; the adding problem."""

import numpy as np
import pytest

from neuralab.data import sequences as sq
from neuralab.data.motor import CONSTANTS, torque_current


def test_each_cycle_starts_cold_at_its_coolant_and_heats_under_load():
    d = sq.thermal_cycles(cycles=6, steps=60, dt_s=10, seed=1)
    assert d.x.shape == (6, 60, 3) and d.temp_c.shape == (6, 60)
    coolant = d.x[:, 0, 2]
    assert np.all(np.ptp(d.x[:, :, 2], axis=1) == 0)  # the coolant is constant within a cycle
    assert np.all(np.abs(d.temp_c[:, 0] - coolant) < 5)  # first 10 s mean: close to the cold start
    assert np.all(d.temp_c >= coolant[:, None] - 1e-9)  # losses only heat
    assert np.all(d.stator_c >= coolant[:, None] - 1e-9)
    assert not d.x.flags.writeable


def test_the_logged_current_is_the_torque_current_at_the_winding_temperature_plus_noise():
    d = sq.thermal_cycles(cycles=6, steps=60, dt_s=10, seed=2)
    approx = torque_current(d.torque_nm, d.temp_c, CONSTANTS)  # means of products ≈ products of means
    resid = d.x[:, :, 0] - approx
    assert abs(resid.mean()) < 0.2 and resid.std() < 3 * sq.NOISE_CURRENT_A + 0.3


def test_temperature_is_a_hidden_state_the_current_alone_does_not_determine():
    d = sq.thermal_cycles()
    cur, temp = d.x[:, :, 0].ravel(), d.temp_c.ravel()
    similar = (cur > 10) & (cur < 11)  # one current band, many temperatures
    assert np.ptp(temp[similar]) > 20


def test_the_split_keeps_every_cycle_whole_and_scales_on_train_only():
    d = sq.thermal_cycles(cycles=10, steps=30)
    s = sq.thermal_split(d, seed=3)
    parts = [set(s.cycles_train), set(s.cycles_val), set(s.cycles_test)]
    assert set().union(*parts) == set(range(10)) and sum(map(len, parts)) == 10
    np.testing.assert_allclose(s.x_train.reshape(-1, 3).mean(axis=0)[:2], 0, atol=1e-5)
    np.testing.assert_allclose(s.y_test[..., 0] * sq.TEMP_SCALE_C + sq.TEMP_REF_C, d.temp_c[s.cycles_test],
                               rtol=1e-5)
    with pytest.raises(ValueError, match="cycles"):
        sq.thermal_split(sq.thermal_cycles(cycles=6, steps=20), val=0.5, test=0.5)


def test_bad_sizes_get_a_sentence_naming_the_parameter():
    with pytest.raises(ValueError, match="steps"):
        sq.thermal_cycles(steps=10_000)
    with pytest.raises(ValueError, match="length"):
        sq.adding_problem(length=1)


def test_the_adding_problem_sums_the_two_marked_values_one_in_each_half():
    a = sq.adding_problem(n=500, length=20, seed=4)
    assert a.x.shape == (500, 20, 2)
    assert np.all(a.x[:, :, 1].sum(axis=1) == 2)
    assert np.all(a.first < 10) and np.all(a.second >= 10)
    rows = np.arange(500)
    np.testing.assert_allclose(a.y[:, 0], a.x[rows, a.first, 0] + a.x[rows, a.second, 0], rtol=1e-6)
    assert abs(np.mean((a.y - 1.0) ** 2) - a.CHANCE_MSE) < 0.03
