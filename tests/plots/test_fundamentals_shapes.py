"""Figures for /fundamentals, shapes: bars per layer, the traps chart, captions holding the computed numbers."""

import plotly.graph_objects as go

from neuralab.basics import shapes
from neuralab.plots import fundamentals_shapes as figures


def test_layers_figure_has_a_bar_per_layer_in_both_panels_and_the_caption_totals():
    t = shapes.trace(*shapes.PRESETS["mlp"][1:])
    fig = go.Figure(figures.layers_figure(t).to_dict())  # re-validated
    assert [tr.type for tr in fig.data] == ["bar", "bar"]
    assert list(fig.data[0].x) == [r.params for r in t.rows]
    assert list(fig.data[1].x) == [r.bytes / 1e3 for r in t.rows] and len(fig.data[1].y) == len(t.layers)
    text = figures.describe_layers(t)
    assert f"{t.total_params:,} parameters" in text and "(32, 1)" in text and "6 of 6 layers" in text


def test_a_failed_trace_says_which_layer_and_why():
    t = shapes.trace(*shapes.PRESETS["broken"][1:])
    text = figures.describe_layers(t)
    assert "layer 8, Linear(768, 10), failed" in text and "set in_features to 704" in text
    assert len(figures.layers_figure(t).data[0].x) == 7


def test_traps_figure_and_caption():
    t = shapes.traps(4, 8, 0)
    fig = go.Figure(figures.traps_figure(t).to_dict())
    assert len(fig.data) == 2 and list(fig.data[0].y) == list(t.right_steps)
    text = figures.describe_traps(t)
    assert "(8, 8)" in text and "(8,)" in text and f"{t.mse_wrong:.3g}" in text and f"{t.mse_right:.3g}" in text


def test_shape_text_writes_tuples_as_python_does():
    assert figures.shape_text((8,)) == "(8,)" and figures.shape_text([32, 10]) == "(32, 10)"
