"""The activation explorer: curves from torch modules, derivatives from autograd, saturation and death marked."""

import numpy as np
import pytest

from neuralab.nn import activations
from neuralab.nn.models import ACTIVATIONS
from neuralab.params import ParamError


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_matches_the_slope_of_the_curve(name):
    c = activations.curve(name, x_max=4.0, threshold=0.01, n_points=2001)
    slope = np.gradient(c.f, c.x)
    away = np.abs(c.x) > 0.05  # ReLU-type kinks at 0
    assert np.max(np.abs(slope[away] - c.df[away])[1:-1]) < 1e-3
    assert not (c.saturated & c.dead).any()
    assert np.all(np.abs(c.df[c.saturated]) < 0.01) and np.all(c.df[c.dead] == 0)


def test_known_facts():
    rows = {r.name: r for r in activations.summary_table(6.0, 0.01, 801)}
    assert rows["sigmoid"].max_slope == pytest.approx(0.25, abs=1e-6)
    assert rows["tanh"].slope_at_zero == pytest.approx(1.0)
    assert rows["relu"].frac_dead == pytest.approx(0.5, abs=0.01) and rows["relu"].frac_saturated == 0
    assert rows["leaky_relu"].frac_dead == 0 and rows["linear"].frac_saturated == 0
    assert rows["tanh"].frac_saturated > rows["sigmoid"].frac_saturated > 0  # tanh saturates faster, beyond ±3


def test_threshold_moves_the_saturated_share():
    low = activations.curve("sigmoid", 6.0, 1e-4).frac_saturated
    high = activations.curve("sigmoid", 6.0, 0.1).frac_saturated
    assert high > low


def test_bad_values_name_the_parameter():
    with pytest.raises(ParamError, match="act must be one of"):
        activations.curve("swoosh")
    with pytest.raises(ParamError, match="x_max must be between 1 and 10"):
        activations.curve("relu", x_max=50)
