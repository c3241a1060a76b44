"""Figures for /fundamentals, numerics: the traces are there and the captions carry the computed numbers."""

import plotly.graph_objects as go

from neuralab.basics import numerics
from neuralab.plots import fundamentals_numerics as figures


def _valid(fig: go.Figure) -> go.Figure:
    return go.Figure(fig.to_dict())  # plotly's own validation, which the builders skip


def test_softmax_figure_and_caption():
    s = numerics.softmax(50.0)
    fig = _valid(figures.softmax_figure(s))
    assert [t.name for t in fig.data] == ["exp(largest logit) in float16", "exp(largest logit) in float32"]
    assert None in fig.data[0].y and None not in fig.data[1].y[:100]
    text = figures.describe_softmax(s)
    assert "Largest logit 50" in text and "past 11.09" in text and "past 88.72" in text and "gives nan" in text
    rows = figures.softmax_rows(s)
    assert len(rows) == 4 and rows[0][1] == "nan" and rows[0][-1] == f"{s.reference[0]:.6g}"


def test_scaling_figure_and_caption():
    r = numerics.loss_scaling(1e-8, "65536")
    fig = _valid(figures.scaling_figure(r))
    assert len(fig.data) == len(numerics.SCALES) and fig.data[2].line.width == 3
    text = figures.describe_scaling(r)
    assert "lost entirely (0)" in text and "S = 65536" in text and f"{r.recovered:.4g}" in text
    over = figures.describe_scaling(numerics.loss_scaling(1e-2, "16777216"))
    assert "past float16's largest value" in over
    assert dict(figures.scaling_rows(r))["g cast to float16"] == "0 (zero)"


def test_logsig_figure_and_caption():
    r = numerics.log_sigmoid(-100.0)
    fig = _valid(figures.logsig_figure(r))
    assert [t.name for t in fig.data] == ["F.logsigmoid(x)", "log(sigmoid(x))", "BCE with logits",
                                          "sigmoid, then BCE"]
    text = figures.describe_logsig(r)
    assert "log(sigmoid(x)) = −∞" in text and "F.logsigmoid = -100" in text and "-88.72" in text
    assert "gradient 0;" in text and "gradient -1." in text


def test_cancel_figure_and_caption():
    c = numerics.cancellation(1e4, 0)
    fig = _valid(figures.cancel_figure(c))
    assert len(fig.data) == 3 and len(fig.data[0].x) == len(c.sweep)
    text = figures.describe_cancel(c)
    assert f"{c.reference:.4f}" in text and f"{c.rel_error['one-pass']:.1e}" in text and "4096 samples" in text
