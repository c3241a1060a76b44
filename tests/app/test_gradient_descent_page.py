"""/gradient-descent callbacks called as plain functions: figures and text for good input, sentences for bad."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest
from dash import dcc, html, no_update

from neuralab.app.pages import gradient_descent
from tests.app import tree

ETA = 0.04
LR = math.log10(ETA)  # the log slider's position for η = 0.04


def test_layout_has_every_control_and_every_output():
    ids = tree.ids(gradient_descent.layout(gradient_descent.SPEC.defaults(), []))
    for name in gradient_descent.SPEC.fields:  # the URL sync reads each of these
        assert f"gradient-descent-{name}" in ids
    for graph in ("race", "loss", "batch", "landscape"):
        assert isinstance(ids[f"gradient-descent-{graph}"], dcc.Graph) and f"gradient-descent-{graph}-summary" in ids
    for job in ("race", "batch", "landscape"):  # each a background job with a progress bar
        assert f"gradient-descent-{job}-progress" in ids
    opts = ids["gradient-descent-opts"]
    assert isinstance(opts, dcc.Checklist) and opts.value == ["sgd", "momentum", "rmsprop", "adam"]
    assert ids["gradient-descent-step"].updatemode == "drag" and ids["gradient-descent-lr"].updatemode == "mouseup"
    assert {f"gradient-descent-{name}" for name in ("play", "tick", "paths", "table", "surface-card")} <= set(ids)


def _race(surface="bowl", x0=-2.5, y0=2.0, lr=ETA, steps=100, opts=("sgd",)) -> dict:
    return dict(surface=surface, x0=x0, y0=y0, lr=lr, steps=steps, opts=list(opts) if isinstance(opts, tuple) else opts)


def test_race_view_gives_figures_table_paths_and_a_card():
    out = gradient_descent.RACE_SECTION.view(_race("ravine", -3.5, 1.5, ETA, 200, ("sgd", "momentum")))
    race, summary, loss, loss_summary, table, paths, step_max, step, alert = out
    assert isinstance(race, go.Figure) and isinstance(loss, go.Figure) and alert == ""
    assert summary.startswith("Narrow ravine, η = 0.04, 200 steps from (-3.50, 1.50)")
    assert isinstance(table, html.Table) and "SGD + momentum" in tree.text(table)
    assert step_max == step == 200 and len(paths["x"]) == 2
    card = gradient_descent.update_surface_card("ravine")
    assert "f(x, y) = 0.1x² + 10y²" in tree.text(card) and "(0.000, 0.000)" in tree.text(card)
    assert gradient_descent.update_surface_card("nope") == ""


def test_race_callback_reads_the_log_slider_and_reports_progress():
    # the lr slider sits at log10(η); the race runs as a job, its first argument the progress bar's setter
    seen = []
    out = gradient_descent.update_race(seen.append, "ravine", -3.5, 1.5, LR, 200, ["sgd", "momentum"])
    assert out[1] == gradient_descent.RACE_SECTION.view(_race("ravine", -3.5, 1.5, ETA, 200, ("sgd", "momentum")))[1]
    assert out[1].startswith("Narrow ravine, η = 0.04, 200 steps")
    assert len(seen) >= 10 and seen[-1] == ("200", "200") and all(t == "200" for _, t in seen)


def test_race_and_batch_are_jobs_so_no_request_waits_for_them(client):
    """Hundreds of milliseconds on a busy machine: each runs as a background job, never inside a request."""
    deps = client.get("/_dash-dependencies").get_json()
    for section in (gradient_descent.RACE_SECTION, gradient_descent.BATCH_SECTION):
        first = f"{section.outputs()[0].component_id}.figure"
        (dep,) = [d for d in deps if d["output"].strip(".").split("...")[0] == first]
        assert section.job and dep.get("background")


def test_race_view_explains_divergence_in_the_table():
    out = gradient_descent.RACE_SECTION.view(_race("rosenbrock", -1.5, 2.0, ETA, 100, ("sgd", "adam")))
    assert "diverged: SGD" in out[1] and "Diverged at step" in tree.text(out[4])


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        (_race(opts=[]), "opts must name at least one"),
        (_race(opts=["sgd", "<img>"]), "opts may only name"),
        (_race(opts="sgd"), ""),
        (_race(x0=9), "x0 must be between -4.5 and 4.5"),
        (_race(lr=7), "lr must be between"),
        (_race(steps="lots"), "steps must be a whole number"),
        (_race(surface="nope"), "surface must be one of"),
        (_race(y0=None), "y0 must be a number"),
    ],
)
def test_race_view_bad_input_is_a_sentence(values, fragment):
    out = gradient_descent.RACE_SECTION.view(values)
    assert fragment in out[-1]
    assert isinstance(out[0], go.Figure)
    if fragment:
        assert out[5] is None and fragment in out[1]


def test_click_and_surface_move_the_start():
    click = {"points": [{"x": 1.23456, "y": -0.5, "curveNumber": 0}]}
    assert gradient_descent.start_from("gradient-descent-race", click, "bowl", 0, 0) == (1.23, -0.5)
    rosenbrock = gradient_descent.SURFACES["rosenbrock"].start
    assert gradient_descent.start_from("gradient-descent-surface", None, "rosenbrock", 0, 0) == rosenbrock
    assert gradient_descent.start_from("gradient-descent-race", {"points": []}, "bowl", 0, 0) == (no_update, no_update)
    bad_click = {"points": [{"x": "x"}]}
    assert gradient_descent.start_from("gradient-descent-race", bad_click, "bowl", 0, 0) == (no_update, no_update)
    assert gradient_descent.start_from("gradient-descent-surface", None, "nope", 0, 0) == (no_update, no_update)


def test_batch_view():
    batch = dict(bs_lr=0.05, bs_size=16, bs_steps=100, seed=0)
    figure, summary, alert = gradient_descent.BATCH_SECTION.view(batch)
    assert isinstance(figure, go.Figure) and alert == "" and "100 updates of SGD at η = 0.05" in summary
    assert "bs_size must be between 2 and 128" in gradient_descent.BATCH_SECTION.view({**batch, "bs_size": 1000})[2]
    assert "bs_steps must be 10 plus a multiple of 10" in gradient_descent.BATCH_SECTION.view(
        {**batch, "bs_steps": 15})[2]
    seen = []
    assert gradient_descent.update_batch(seen.append, math.log10(0.05), 16, 100, 0)[1] == summary  # log slider
    assert seen[-1] == ("300", "300") and seen[0][0] != "300"  # three runs of 100 updates


def test_landscape_view():
    seen = []
    view = gradient_descent.LANDSCAPE_SECTION.view
    figure, summary, alert = view(dict(ls_dirs="random", ls_epochs=5, seed=0), lambda d, t: seen.append((d, t)))
    assert isinstance(figure, go.Figure) and alert == ""
    assert "Filter-normalized random slice of 21 × 21 points" in summary
    assert seen[-1] == (5 + 21, 5 + 21)
    assert "ls_dirs must be one of" in view(dict(ls_dirs="<b>", ls_epochs=5, seed=0))[2]
    assert "ls_epochs must be between 5 and 40" in view(dict(ls_dirs="pca", ls_epochs=10**9, seed=0))[2]
