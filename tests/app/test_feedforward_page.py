"""/feedforward callbacks called as plain functions."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import feedforward
from neuralab.nn.teaching import WORKED
from tests.app import tree

DEFAULT_WORKED = list(WORKED.defaults().values())


def test_layout_has_every_control_and_output():
    ids = tree.ids(feedforward.layout(feedforward.SPEC.defaults(), []))
    for name in feedforward.SPEC.fields:
        assert f"feedforward-{name}" in ids
    for graph in ("net", "worked-chart", "bp-chart", "act-chart"):
        assert isinstance(ids[f"feedforward-{graph}"], dcc.Graph) and f"feedforward-{graph}-summary" in ids
    assert "feedforward-net-progress" in ids and "feedforward-clock" in ids and "feedforward-play" in ids
    assert "def backprop" in tree.text(feedforward.layout(feedforward.SPEC.defaults(), []))  # the checked code is shown


def _bp(bp_net: str, bp_batch: int, bp_hidden: int, seed: int) -> dict:
    return dict(bp_net=bp_net, bp_batch=bp_batch, bp_hidden=bp_hidden, seed=seed, **WORKED.defaults())


def _act(a, x_max, threshold, n_points) -> dict:
    return dict(act=a, x_max=x_max, threshold=threshold, n_points=n_points)


def test_worked_view_follows_the_sliders():
    fig, text, rows, alert = feedforward.WORKED_SECTION.view(WORKED.defaults())
    assert isinstance(fig, go.Figure) and alert == "" and "a loss of 0.4032 nats" in text
    assert len(rows) == 7
    changed = dict(WORKED.defaults(), bh2=1.5)  # switches the second hidden unit on
    text2 = feedforward.WORKED_SECTION.view(changed)[1]
    assert "is off" not in text2 and text2 != text
    assert feedforward.update_worked(*changed.values())[1] == text2


def test_backprop_view_on_both_networks():
    rows, fig, text, alert = feedforward.BACKPROP_SECTION.view(_bp("worked", 8, 8, 0))
    assert len(rows) == 8 and alert == "" and "On a batch of 1" in text
    rows, fig, text, alert = feedforward.BACKPROP_SECTION.view(_bp("digits", 16, 4, 2))
    assert "On a batch of 16" in text and "16×10" in tree.text(rows)
    assert feedforward.update_backprop(8, 8, "worked", 0, *DEFAULT_WORKED)[2].startswith("On a batch of 1")


def test_explorer_and_network_views():
    fig, text, rows, alert = feedforward.EXPLORER_SECTION.view(_act("sigmoid", 6, 0.01, 801))
    assert "f′ is at most 0.25" in text and len(rows) == 8 and alert == ""
    assert feedforward.update_explorer("sigmoid", 6, -2, 801)[1] == text  # the threshold slider sits at log10
    fig, text, alert = feedforward.NET_SECTION.view(dict(digit=5, sample=1))
    assert isinstance(fig, go.Figure) and "A 5 from the validation set" in text


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: feedforward.WORKED_SECTION.view(dict(WORKED.defaults(), x1=9)), "x1 must be between -2 and 2"),
        (lambda: feedforward.BACKPROP_SECTION.view(_bp("digits", 0, 8, 0)), "bp_batch must be between 1 and 64"),
        (lambda: feedforward.BACKPROP_SECTION.view(_bp("both", 8, 8, 0)), "bp_net must be one of"),
        (lambda: feedforward.EXPLORER_SECTION.view(_act("relu", 6, 0.01, "many")), "n_points must be a whole number"),
        (lambda: feedforward.NET_SECTION.view(dict(digit=3, sample=42)), "sample must be between 0 and 9"),
    ],
)
def test_bad_values_become_a_sentence(call, fragment):
    out = call()
    assert fragment in out[-1]
