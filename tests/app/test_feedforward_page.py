"""/feedforward callbacks called as plain functions."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import feedforward as page
from neuralab.nn.teaching import WORKED
from tests.app.tree import ids as _ids
from tests.app.tree import text as _text

DEFAULT_WORKED = list(WORKED.defaults().values())


def test_layout_has_every_control_and_output():
    ids = _ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"ff-{name}" in ids
    for graph in ("net", "worked-chart", "bp-chart", "act-chart"):
        assert isinstance(ids[f"ff-{graph}"], dcc.Graph) and f"ff-{graph}-summary" in ids
    assert "ff-net-progress" in ids and "ff-clock" in ids and "ff-play" in ids
    assert "def backprop" in _text(page.layout(page.SPEC.defaults(), []))  # the checked code is shown


def test_url_values_reach_the_controls_and_bad_ones_are_reported():
    values, messages = page.SPEC.parse_query("?x1=-1.5&act=tanh&bp_net=digits&digit=7")
    ids = _ids(page.layout(values, messages))
    assert ids["ff-x1"].value == -1.5 and ids["ff-act"].value == "tanh" and ids["ff-digit"].value == 7
    values, messages = page.SPEC.parse_query("?w11=9")
    assert "w11 must be between -2 and 2" in _text(page.layout(values, messages))


def test_worked_view_follows_the_sliders():
    fig, text, rows, alert = page.worked_view(*DEFAULT_WORKED)
    assert isinstance(fig, go.Figure) and alert == "" and "a loss of 0.4032 nats" in text
    assert len(rows) == 7
    changed = dict(WORKED.defaults(), bh2=1.5)  # switches the second hidden unit on
    text2 = page.worked_view(*changed.values())[1]
    assert "is off" not in text2 and text2 != text


def test_backprop_view_on_both_networks():
    rows, fig, text, alert = page.backprop_view("worked", 8, 8, 0, DEFAULT_WORKED)
    assert len(rows) == 8 and alert == "" and "On a batch of 1" in text
    rows, fig, text, alert = page.backprop_view("digits", 16, 4, 2, DEFAULT_WORKED)
    assert "On a batch of 16" in text and "16×10" in _text(rows)
    assert page.update_backprop(8, 8, "worked", 0, *DEFAULT_WORKED)[2].startswith("On a batch of 1")


def test_explorer_and_network_views():
    fig, text, rows, alert = page.explorer_view("sigmoid", 6, -2, 801)  # threshold slider is log10
    assert "f′ is at most 0.25" in text and len(rows) == 8 and alert == ""
    fig, text, alert = page.network_view(5, 1)
    assert isinstance(fig, go.Figure) and "A 5 from the validation set" in text


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: page.worked_view(*([9] + DEFAULT_WORKED[1:])), "x1 must be between -2 and 2"),
        (lambda: page.backprop_view("digits", 0, 8, 0, DEFAULT_WORKED), "bp_batch must be between 1 and 64"),
        (lambda: page.backprop_view("both", 8, 8, 0, DEFAULT_WORKED), "bp_net must be one of"),
        (lambda: page.explorer_view("relu", 6, -2, "many"), "n_points must be a whole number"),
        (lambda: page.network_view(3, 42), "sample must be between 0 and 9"),
    ],
)
def test_bad_values_become_a_sentence(call, fragment):
    out = call()
    assert fragment in out[-1]
