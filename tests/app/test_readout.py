"""A slider's readout writes small values in powers of ten, as its marks do ("1e-5", not "1e-05" or "0.00001")."""

from __future__ import annotations

import pytest

from neuralab.app.controls import control, short_number
from neuralab.basics.numerics import SCALING


@pytest.mark.parametrize(("value", "text"), [(1e-5, "1e-5"), (3.162e-5, "3.162e-5"), (5e-4, "5e-4"), (0.001, "0.001"),
                                             (0.0447, "0.0447"), (123.456, "123.5"), (0.0, "0"), (-2e-6, "-2e-6")])
def test_short_number(value, text):
    assert short_number(value) == text


def test_a_log_sliders_first_readout_is_in_powers_of_ten():
    c = control("fundamentals", "numerics_grad", SCALING.fields["numerics_grad"], 1e-8, False, None)
    assert "1e-8" in str(c) and "1e-08" not in str(c)
