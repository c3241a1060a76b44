"""The one way figures write numbers and log axes."""

import math

from neuralab.plots.format import log_axis, num, pct, vline


def test_numbers_read_cleanly_even_when_they_are_not_finite():
    assert num(0.012345) == "0.0123" and num(1e-15) == "0" and num(123456) == "123,000"
    assert num(4263.2) == "4,260" and num(999.6) == "1,000" and num(-1234) == "-1,230" and num(2.5e6) == "2.5e+06"
    assert num(math.nan) == "not a number" and num(None) == "not a number"
    assert num(math.inf) == "∞" and num(-math.inf) == "−∞"
    assert pct(0.1234) == "12.3%" and pct(-0.02, signed=True) == "-2.0%" and pct(0.05, signed=True) == "+5.0%"


def test_log_axes_label_every_tick_in_full_and_fall_back_to_decades():
    short = log_axis(-2, -1)  # one decade: 1, 1.5, 2, 3, 5, 7 × 10⁻²
    assert short["ticktext"][:3] == ["0.01", "0.015", "0.02"] and short["range"] == [-2, -1]
    wide = log_axis(-5, 0, title=dict(text="λ"))
    assert wide["ticktext"] == ["1e-05", "0.0001", "0.001", "0.01", "0.1", "1"] and wide["title"] == dict(text="λ")
    assert log_axis(-2, 0)["ticktext"] == ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"]  # 1, 2, 5 while it fits
    assert log_axis(-2, 1)["ticktext"] == ["0.01", "0.1", "1", "10"]  # ten such ticks would crowd: decades


def test_a_vertical_line_spans_the_plot_height():
    shape = vline(3.0, "red", dash="dash", xref="x2", yref="y2 domain")
    assert (shape["x0"], shape["x1"], shape["y0"], shape["y1"]) == (3.0, 3.0, 0, 1) and shape["xref"] == "x2"
