"""Figures of /fundamentals' normalization part, from real statistics and small hand-made results."""

import numpy as np
import plotly.graph_objects as go

from neuralab.basics import norm
from neuralab.plots import fundamentals_norm as figures


def modes():
    p_train = np.array([0.9, 0.2, 0.95, 0.6])
    return norm.Modes(12, 6, 8, p_train, np.full(4, 0.93), np.array([6, 1, 6, 6]), np.full(4, 6), 0.964,
                      {"shuffled batches of 2": 0.439, "one digit per batch": 0.139, "batches of 1": float("nan")},
                      "Expected more than 1 value per channel when training", 0.07)


def test_the_statistics_charts_show_both_axes_of_averaging():
    s = norm.statistics(5, 0)
    fig = figures.stats_figure(s)
    go.Figure(fig.to_dict())
    assert len(fig.data) == 4 and len(fig.data[0].x) == 13 and len(fig.data[2].x) == 5
    assert fig.layout.yaxis.type == "log"
    heat = figures.outputs_figure(s)
    go.Figure(heat.to_dict())
    assert [t.type for t in heat.data] == ["heatmap", "heatmap"] and np.shape(heat.data[0].z) == (5, 13)
    text = figures.describe_stats(s)
    assert "13 means" in text and "computes 5" in text and "proline" in text
    assert "mean 0 and std 1" in figures.describe_outputs(s)


def test_the_modes_chart_and_caption():
    m = modes()
    fig = figures.modes_figure(m)
    go.Figure(fig.to_dict())
    assert len(fig.data) == 2 and list(fig.data[1].y) == [0.93] * 4
    text = figures.describe_modes(m)
    assert "from 0.2 to 0.95" in text and "something else in 1 of them" in text and "0.93 every time" in text


def test_the_forgotten_eval_chart_marks_the_refused_batch():
    m = modes()
    fig = figures.forgot_figure(m)
    go.Figure(fig.to_dict())
    assert list(fig.data[0].text) == ["96.4%", "43.9%", "13.9%", "torch refuses"]
    text = figures.describe_forgot(m)
    assert "96.4%" in text and "one digit per batch 13.9%" in text and "Expected more than 1 value" in text


def test_the_small_batch_chart_and_caption():
    acc = np.array([[0.95, 0.95], [0.60, 0.96], [0.94, 0.97]])
    r = norm.SmallBatches((2, 32), 4, acc, (2152, 136))
    fig = figures.small_figure(r)
    go.Figure(fig.to_dict())
    assert [t.name for t in fig.data] == list(norm.NORMS.values())
    text = figures.describe_small(r)
    assert "batch 2: BatchNorm 60.0%, LayerNorm 94.0%" in text and "34.0 points" in text and "2,152" in text
