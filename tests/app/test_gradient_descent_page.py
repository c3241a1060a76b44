"""/gradient-descent callbacks called as plain functions: figures and text for good input, sentences for bad."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest
from dash import dcc, html, no_update

from neuralab.app.pages import gradient_descent as gd
from tests.app.tree import ids as _ids
from tests.app.tree import text as _text

LR = math.log10(0.04)  # the log slider's position for η = 0.04


def test_layout_has_every_control_and_every_output():
    ids = _ids(gd.layout(gd.SPEC.defaults(), []))
    for name in gd.SPEC.fields:  # the URL sync reads each of these
        assert f"gd-{name}" in ids
    for graph in ("race", "loss", "batch", "landscape"):
        assert isinstance(ids[f"gd-{graph}"], dcc.Graph) and f"gd-{graph}-summary" in ids
    assert "gd-landscape-progress" in ids and "gd-race-progress" not in ids
    assert isinstance(ids["gd-opts"], dcc.Checklist) and ids["gd-opts"].value == ["sgd", "momentum", "rmsprop", "adam"]
    assert ids["gd-step"].updatemode == "drag" and ids["gd-lr"].updatemode == "mouseup"
    assert {"gd-play", "gd-tick", "gd-paths", "gd-table", "gd-surface-card"} <= set(ids)


def test_url_values_reach_the_controls_and_bad_ones_are_reported():
    values, messages = gd.SPEC.parse_query("?surface=beale&x0=1&y0=1&lr=0.001&opts=adam,sgd&ls_dirs=pca")
    assert messages == []
    ids = _ids(gd.layout(values, messages))
    assert ids["gd-surface"].value == "beale" and ids["gd-x0"].value == 1
    assert ids["gd-lr"].value == pytest.approx(-3) and ids["gd-opts"].value == ["sgd", "adam"]
    assert ids["gd-ls_dirs"].value == "pca"
    values, messages = gd.SPEC.parse_query("?lr=fast")
    assert "lr must be a number" in _text(gd.layout(values, messages)) and values["lr"] == 0.04
    values, messages = gd.SPEC.parse_query("?surface=bowl&x0=4.4")  # a start outside the surface's window
    assert "x0, y0 must lie inside the Convex bowl window" in _text(gd.layout(values, messages))
    assert values["x0"] == gd.SPEC.defaults()["x0"]


def test_race_view_gives_figures_table_paths_and_a_card():
    out = gd.race_view("ravine", -3.5, 1.5, LR, 200, ["sgd", "momentum"])
    race, summary, loss, loss_summary, table, paths, step_max, step, alert, card = out
    assert isinstance(race, go.Figure) and isinstance(loss, go.Figure) and alert == ""
    assert summary.startswith("Narrow ravine, η = 0.04, 200 steps from (-3.50, 1.50)")
    assert isinstance(table, html.Table) and "SGD + momentum" in _text(table)
    assert step_max == step == 200 and len(paths["x"]) == 2
    assert "f(x, y) = 0.1x² + 10y²" in _text(card) and "(0.000, 0.000)" in _text(card)


def test_race_view_explains_divergence_in_the_table():
    out = gd.race_view("rosenbrock", -1.5, 2.0, LR, 100, ["sgd", "adam"])
    assert "diverged: SGD" in out[1] and "Diverged at step" in _text(out[4])


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("bowl", -2.5, 2.0, LR, 100, []), "opts must name at least one"),
        (("bowl", -2.5, 2.0, LR, 100, ["sgd", "<img>"]), "opts may only name"),
        (("bowl", -2.5, 2.0, LR, 100, "sgd"), ""),
        (("bowl", 9, 2.0, LR, 100, ["sgd"]), "x0 must be between -4.5 and 4.5"),
        (("bowl", -2.5, 2.0, 7, 100, ["sgd"]), "lr must be between"),
        (("bowl", -2.5, 2.0, LR, "lots", ["sgd"]), "steps must be a whole number"),
        (("nope", -2.5, 2.0, LR, 100, ["sgd"]), "surface must be one of"),
        (("bowl", -2.5, None, LR, 100, ["sgd"]), "y0 must be a number"),
    ],
)
def test_race_view_bad_input_is_a_sentence(args, fragment):
    out = gd.race_view(*args)
    assert fragment in out[-2]
    assert isinstance(out[0], go.Figure)
    if fragment:
        assert out[5] is None and fragment in out[1]


def test_click_and_surface_move_the_start():
    click = {"points": [{"x": 1.23456, "y": -0.5, "curveNumber": 0}]}
    assert gd.start_from("gd-race", click, "bowl", 0, 0) == (1.23, -0.5)
    assert gd.start_from("gd-surface", None, "rosenbrock", 0, 0) == gd.SURFACES["rosenbrock"].start
    assert gd.start_from("gd-race", {"points": []}, "bowl", 0, 0) == (no_update, no_update)
    assert gd.start_from("gd-race", {"points": [{"x": "x"}]}, "bowl", 0, 0) == (no_update, no_update)
    assert gd.start_from("gd-surface", None, "nope", 0, 0) == (no_update, no_update)


def test_batch_view():
    figure, summary, alert = gd.batch_view(math.log10(0.05), 16, 100, 0)
    assert isinstance(figure, go.Figure) and alert == "" and "100 updates of SGD at η = 0.05" in summary
    assert "bs_size must be between 2 and 128" in gd.batch_view(math.log10(0.05), 1000, 100, 0)[2]
    assert "bs_steps must be 10 plus a multiple of 10" in gd.batch_view(math.log10(0.05), 16, 15, 0)[2]


def test_landscape_view():
    seen = []
    figure, summary, alert = gd.landscape_view("random", 5, 0, progress=lambda d, t: seen.append((d, t)))
    assert isinstance(figure, go.Figure) and alert == ""
    assert "Filter-normalized random slice of 21 × 21 points" in summary
    assert seen[-1] == (5 + 21, 5 + 21)
    assert "ls_dirs must be one of" in gd.landscape_view("<b>", 5, 0)[2]
    assert "ls_epochs must be between 5 and 40" in gd.landscape_view("pca", 10**9, 0)[2]
