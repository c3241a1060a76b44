"""Figures of /fundamentals' initialization part, from small hand-made results."""

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.basics import init
from neuralab.plots import fundamentals_init as figures

D = 4


def profile(scheme, act, grad=None, sat=0.5):
    return init.Profile(scheme, "relu", D, 64, np.asarray(act, float),
                        np.asarray(grad if grad is not None else [1e-4] * D, float),
                        np.full(D, 2e-3), np.full(D, sat), 1.0)


def profiles(chosen="he"):
    return init.Profiles(chosen, {
        "zeros": profile("zeros", [0.0] * D, [0.0] * D),
        "normal": profile("normal", [10, 1e3, np.inf, np.nan], [np.nan, 1e9, 1e4, 1e-4]),
        "xavier": profile("xavier", [0.5, 0.1, 0.01, 1e-3]),
        "he": profile("he", [0.8, 0.7, 0.9, 0.5], [2e-4, 1.5e-4, 1.2e-4, 1e-4], sat=0.512),
        "default": profile("default", [0.3, 1e-2, 1e-4, 1e-6]),
    })


def test_both_charts_draw_every_scheme_with_the_chosen_one_bold_and_on_top():
    for build in (figures.activations_figure, figures.gradients_figure):
        fig = build(profiles())
        go.Figure(fig.to_dict())  # valid plotly
        assert len(fig.data) == 5 and fig.data[-1].name == init.SCHEMES["he"]
        assert fig.data[-1].line.width > fig.data[0].line.width and fig.data[0].opacity < 1
        assert fig.layout.yaxis.type == "log"
        zeros = next(t for t in fig.data if t.name.startswith("zeros"))
        assert "off the log axis" in zeros.name and all(v is None for v in zeros.y)
        normal = next(t for t in fig.data if t.name == init.SCHEMES["normal"])
        assert None in normal.y  # overflow has no point


def test_a_wide_range_gets_ticks_every_few_decades():
    axis = figures.activations_figure(profiles()).layout.yaxis
    assert axis.range[1] - axis.range[0] > 8 and all(t.startswith("1") for t in axis.ticktext)


def test_the_activation_caption_states_the_last_std_and_the_decades_moved():
    text = figures.describe_activations(profiles())
    assert "after layer 4 is 0.5" in text and "0.30 orders of magnitude down" in text
    assert "51.2%" in text and "float32 overflowed at layer 3" in text and "1e-06 (-6.0 decades)" in text
    assert "exactly 0 from layer 1 on" in text


def test_the_gradient_caption_states_both_ends():
    text = figures.describe_gradients(profiles())
    assert "0.0001 at layer 4" in text and "0.0002 at layer 1" in text and "2 times" in text
    assert "overflowed" in figures.describe_gradients(profiles("normal"))
    assert "exactly 0, so no weight" in figures.describe_gradients(profiles("zeros"))


def test_the_symmetry_chart_and_caption_give_the_counts():
    s = init.Symmetry(16, 60, 0.1, 1, 16, 1e-14, 0.25, 0.225, 0.956)
    fig = figures.symmetry_figure(s)
    go.Figure(fig.to_dict())
    assert list(fig.data[0].y) == [1, 16] and math.isclose(fig.data[1].y[1], 95.6)
    text = figures.describe_symmetry(s)
    assert "1 distinct row in" in text and "16 distinct rows" in text and "22.5%" in text and "95.6%" in text
    assert "only the biases moved" in figures.describe_symmetry(init.Symmetry(16, 60, 0.0, 1, 16, 0.0, 0.0, 0.1, 0.9))
