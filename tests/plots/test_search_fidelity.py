"""Figures of the multi-fidelity part: built from a tiny real search, valid plotly, numbers in the captions."""

import plotly.graph_objects as go
import pytest

from neuralab.plots import search_fidelity as figures
from neuralab.plots.theme import TEMPLATE
from neuralab.search import fidelity

CHARTS = ["curves", "cost", "samplers", "importance", "parallel", "slice", "contour"]


@pytest.fixture(scope="module")
def result() -> fidelity.Fidelity:
    return fidelity.fidelity("spiral", trials=10, epochs=3, seed=0)


@pytest.mark.parametrize("name", CHARTS)
def test_every_figure_is_valid_and_described(result, name):
    fig = getattr(figures, f"{name}_figure")(result)
    go.Figure(fig.to_dict())
    text = getattr(figures, f"describe_{name}")(result)
    assert isinstance(text, str) and text.endswith(".")


def test_the_curves_mark_every_pruned_trial_where_it_stopped(result):
    fig = figures.curves_figure(result)
    stops = [t for t in fig.data if t.name == "stopped by the pruner"]
    pruned = [a.states(fidelity.optuna.trial.TrialState.PRUNED).sum() for a in result.pruners.arms[1:]]
    assert sum(len(t.x) for t in stops) == sum(pruned) > 0
    assert len([t for t in fig.data if t.mode == "lines"]) == 4 * result.pruners.trials


def test_the_cost_chart_and_table_agree_with_the_library(result):
    pr = result.pruners
    fig = figures.cost_figure(result)
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert [int(t.x[-1]) for t in lines] == [a.total for a in pr.arms]
    rows = figures.rows(result)
    assert [r[4] for r in rows] == [str(a.total) for a in pr.arms] and rows[0][-1] == "1×"
    assert f"{pr.target:.4g}" in figures.describe_cost(result)


def test_optuna_charts_wear_the_lab_template_with_transparent_backgrounds(result):
    for name in ("parallel", "slice", "contour"):
        fig = getattr(figures, f"{name}_figure")(result)
        assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)" and fig.layout.plot_bgcolor == "rgba(0,0,0,0)"
        assert fig.layout.template.layout.colorway == TEMPLATE.layout.colorway


def test_importances_show_both_methods_for_every_parameter(result):
    fig = figures.importance_figure(result)
    assert [t.name for t in fig.data] == ["fANOVA", "mean decrease in impurity"]
    assert all(set(t.y) == set(result.importances.params) for t in fig.data)


def test_parallel_coordinates_colour_every_trial_line_on_the_lab_scale(result):
    fig = figures.parallel_figure(result)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert len(lines) == int(result.pruners.arms[0].states(fidelity.optuna.trial.TrialState.COMPLETE).sum())
    best = min(lines, key=lambda t: float(t.customdata[0][1]))
    assert best.line.color == "rgb(253, 231, 37)"  # the lowest loss is Viridis' bright end
