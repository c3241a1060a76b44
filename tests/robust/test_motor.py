"""The motor's virtual-sensor margin: bisection, bounds and kinds checked on /recurrent's GRU (trained once, ~40 s)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neuralab.params import ParamError
from neuralab.robust import attacks, motor


@pytest.fixture(scope="module")
def current():
    return motor.margin("current_a", 5.0, 1)


def test_each_error_found_lowers_the_estimate_by_the_drop_and_a_smaller_one_does_not(current):
    m = current
    assert m.eps["worst"] is not None and m.eps["offset"] is not None
    assert m.clean_c[m.moment] - m.worst_c[m.moment] >= 5.0 - 1e-3
    assert m.clean_c[m.moment] - m.offset_c[m.moment] >= 5.0 - 1e-3
    assert m.eps["worst"] <= m.eps["offset"] * (1 + 1e-3)  # PGD's search is at least as good as the offset
    assert m.moment == int(np.argmax(m.truth_c)) and m.eps["worst"] < m.reach


def test_what_the_reference_entry_says_of_the_current_sensor(current):
    assert current.ratio("offset") < 1.02  # the worst case found is the calibration offset
    assert current.eps["random"] is None and current.reach > 10 * current.eps["worst"]  # noise many times larger fails


def test_the_worst_case_error_stays_within_eps_and_ends_at_the_moment(current):
    m = current
    err = m.worst_signal - m.signal
    assert np.abs(err).max() <= m.eps["worst"] * (1 + 1e-4) + 1e-4
    assert np.abs(err[m.moment + 1:]).max() < 1e-4  # after the moment nothing is changed


def test_pgd_on_a_regression_objective_lowers_the_output():
    lin = torch.nn.Linear(3, 1)
    x = torch.zeros(4, 3)
    out = attacks.pgd(lin, x, torch.zeros(4), 0.1, steps=5, random_start=False, loss=lambda o, y: -o.sum())
    with torch.no_grad():
        drop = lin(x) - lin(out)
    assert torch.allclose(drop, torch.full((4, 1), 0.1 * float(lin.weight.detach().abs().sum())), atol=1e-6)


def test_bad_values_are_named():
    with pytest.raises(ParamError, match="motor_channel"):
        motor.margin(motor_channel="torque")
    with pytest.raises(ParamError, match="motor_drop"):
        motor.margin(motor_drop=0.0)
