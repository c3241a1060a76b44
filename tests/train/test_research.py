"""The research corner's experiments: the spiral, the fitted neural ODE, the capsule network against the CNN."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from neuralab.compress import zoo
from neuralab.nn.cnn import digits_cnn
from neuralab.params import ParamError
from neuralab.train import research


def test_the_spiral_follows_its_differential_equation():
    t, z = research.spiral()
    assert t.shape == (research.N_T,) and z.shape == (research.N_T, 2) and np.allclose(z[0], research.Z0)
    dt = t[1] - t[0]
    central = (z[2:] - z[:-2]) / (2 * dt)  # finite difference of the trajectory against the field
    assert np.allclose(central, research.true_field(z[1:-1]), atol=0.04)  # O(dt²) of a speed up to 2
    assert np.allclose(research.true_field(np.array([1.0, 0.0])), [-0.1, 2.0])


def test_the_fitted_ode_follows_the_spiral_and_the_tied_resnet_is_euler():
    o = research.ode("dopri5", 1e-5, 5000, 0)
    assert o.chosen.error < 0.1 and not o.chosen.stopped and o.chosen.nfe > 50
    assert o.resnet_gap < 1e-12
    by = {s.label: s for s in o.sweep}
    assert by["rk4"].nfe == 4 * (research.N_T - 1) and by["euler"].nfe == research.N_T - 1
    assert by["euler"].error > 10 * by["rk4"].error  # Euler at 0.1 s spirals outward on the rotating field
    assert by["dopri5 at 1e-07"].nfe > by["dopri5 at 1e-03"].nfe
    assert o.learned.shape == o.true.shape == (15, 15, 2) and o.params == 450
    # the learned field points like the true one where the trajectory runs (radius 0.6 to 1)
    r = np.linalg.norm(o.grid, axis=-1)
    ring = (r > 0.6) & (r < 1.0)
    a, b = o.learned[ring], o.true[ring]
    cos = (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    assert np.median(cos) > 0.9


def test_a_solve_past_the_cap_is_stopped_in_words_and_bad_values_are_named():
    o = research.ode("dopri5", 1e-7, 200, 0)
    assert o.chosen.z is None and math.isnan(o.chosen.error)
    assert "more than 200 evaluations of f and was stopped" in o.chosen.stopped
    with pytest.raises(ParamError, match="ode_tol must be between 1e-07 and 0.01; got 1e-09"):
        research.ode("dopri5", 1e-9)
    with pytest.raises(ParamError, match="caps_iters must be between 1 and 5"):
        research.capsules(digits_cnn(), 7)


def test_the_capsule_network_is_compared_with_the_zoos_cnn(monkeypatch):
    monkeypatch.setattr(research, "RECIPE", dataclasses.replace(research.RECIPE, epochs=2))
    c = research.capsules(zoo.load("cnn", 0).model, 2, 5, 0)
    assert c.caps.params == 3760 and c.cnn.params == 3818
    assert np.allclose(c.coupling.sum(1), 1.0, atol=1e-5) and c.coupling.shape == (64, 10)
    assert ((c.lengths >= 0) & (c.lengths < 1)).all() and c.lengths.shape == (10,)
    assert c.cnn.accuracy > 0.9 and 0.1 < c.caps.accuracy <= 1  # the zoo's trained CNN, read, not retrained
    assert c.caps.accuracy == c.by_iterations[1] and len(c.by_iterations) == 5
    assert c.caps.epoch_s > 0 and c.cnn.epoch_s > 0 and math.isnan(c.cnn.train_s) and c.caps.train_s > 0
    assert c.image.shape == (8, 8) and c.label == int(research.digits(0).y_test[5])
