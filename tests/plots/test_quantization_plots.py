"""Quantization figures: they draw the library's numbers, and plotly accepts them."""

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab.compress import quantize_effects
from neuralab.plots import quantization as figures


@pytest.fixture(scope="module")
def view():
    return quantize_effects.layer_view("student", 1, 3, "asymmetric", "tensor")


@pytest.fixture(scope="module")
def sweep():
    return quantize_effects.sweep("student", "symmetric", "channel", 100, 1)


def test_histogram_counts_every_weight_and_draws_every_level(view):
    f = figures.histogram_figure(view)
    go.Figure(f.to_dict())
    bars, lines = f.data
    assert int(np.sum(bars.y)) == len(view.weights) == 8 * 64
    xs = [x for x in lines.x if x is not None]
    n = len(xs) // 2  # the levels that fall inside the drawn range, each a vertical line
    assert 6 <= n <= view.qp.levels == 8  # 3 bits asymmetric: 8 levels
    # the legend never passes off the levels in view as all of them
    assert lines.name == (f"{n} levels" if n == 8 else f"levels: {n} of 8 in view")


def test_histogram_caption_quotes_the_errors(view):
    text = figures.describe_histogram(view)
    assert f"{view.max_err:.4f}" in text and f"{view.rms_err:.4f}" in text and "3 bits" in text


def test_channel_figure_compares_both_granularities(view):
    f = figures.channel_figure(view)
    go.Figure(f.to_dict())
    assert [t.name for t in f.data] == ["one scale per tensor", "one scale per channel"]
    assert np.allclose(f.data[0].y, view.channel_rms) and np.allclose(f.data[1].y, view.channel_rms_other)
    assert "of 8 channels" in figures.describe_channels(view)


def test_sweep_figure_has_the_three_methods_in_percent(sweep):
    f = figures.sweep_figure(sweep)
    go.Figure(f.to_dict())
    names = [t.name for t in f.data]
    assert names[0] == "float32" and names[1] == "dynamic PTQ" and names[2].startswith("static PTQ")
    assert np.allclose(f.data[3].y, 100 * sweep.qat) and list(f.data[3].x) == list(range(1, 9))
    assert f"{sweep.qat[3]:.1%}" in figures.describe_sweep(sweep)


def test_check_rows_and_caption(sweep):
    rows = figures.check_rows(sweep.check)
    assert len(rows) == 6 and all(len(r) == 3 for r in rows)
    assert f"{sweep.check.torch_acc:.1%}" in figures.describe_check(sweep.check)
