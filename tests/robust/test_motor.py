"""The motor's virtual-sensor margin: bisection, bounds and kinds checked on /recurrent's GRU (trained once, ~40 s)."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
import torch

from neuralab.params import ParamError
from neuralab.plots import robustness as figures
from neuralab.robust import attacks, motor


@pytest.fixture(scope="module")
def current():
    return motor.margin("current_a", 5.0, 1)


def test_each_error_found_lowers_the_estimate_by_the_drop_and_a_smaller_one_does_not(current):
    m = current
    assert m.eps["worst"] is not None and m.eps["offset"] is not None
    assert m.clean_c[m.moment] - m.worst_c[m.moment] >= 5.0 - 1e-3
    assert m.clean_c[m.moment] - m.offset_c[m.moment] >= 5.0 - 1e-3
    assert m.eps["worst"] <= m.eps["offset"]  # the offset lies inside the box: the worst case is the best of both
    assert m.moment == int(np.argmax(m.truth_c)) and m.eps["worst"] < m.reach


def test_what_the_reference_entry_says_of_the_current_sensor(current):
    text = " ".join(resources.files("neuralab.content").joinpath("robustness.md").read_text(encoding="utf-8").split())
    assert "the worst case found is a constant offset on that signal" in text
    assert "random noise up to 3 training σ (more than ten times that size)" in text and motor.REACH == 3
    assert "on average over 16 draws" in text and motor.DRAWS == 16
    assert current.worst_is_offset and current.ratio("offset") < 1.02  # the worst case found is the offset
    assert current.eps["random"] is None and current.reach > 10 * current.eps["worst"]  # noise many times larger fails


def test_the_caption_names_the_bound_the_channel_and_the_offsets_sign(current):
    m = current
    text = figures.describe_motor(m)
    assert "current amplitude i_q error of" in text and "an upper bound on the smallest such error" in text
    assert "PGD found nothing smaller than the constant offset" in text and "over 16 draws" in text
    # the offset's legend gives the sign applied, and that sign lowers the estimate
    legend = figures.motor_figure(m).data[3].name
    assert ("reads low" in legend) == (m.offset_sign < 0) and ("−" in legend) == (m.offset_sign < 0)
    lowered = m.clean_c[m.moment] - m.offset_c[m.moment]
    assert lowered >= m.drop - 1e-3


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
