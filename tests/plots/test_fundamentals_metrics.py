"""Figures of /fundamentals' metrics, from a real (cached, cheap) evaluation."""

import plotly.graph_objects as go

from neuralab.basics import metrics
from neuralab.plots import fundamentals_metrics as figures


def test_the_roc_chart_has_the_curve_the_diagonal_and_the_operating_point():
    e = metrics.evaluate(5.0, 0.3, 10, 0)
    fig = figures.roc_figure(e)
    go.Figure(fig.to_dict())
    assert len(fig.data) == 3 and list(fig.data[1].x) == [0, 1] and list(fig.data[1].y) == [0, 1]
    assert fig.data[2].x == (e.fpr,) and fig.data[2].y == (e.recall,)
    text = figures.describe_roc(e)
    assert f"ROC AUC {e.scored.auc:.3g}" in text and f"({e.fp:,} of {e.fp + e.tn:,})" in text


def test_the_pr_chart_puts_no_skill_at_the_prevalence():
    e = metrics.evaluate(5.0, 0.3, 10, 0)
    fig = figures.pr_figure(e)
    go.Figure(fig.to_dict())
    assert list(fig.data[1].y) == [0.05, 0.05] and "5.0%" in fig.data[1].name
    assert fig.data[2].x == (e.recall,) and fig.data[2].y == (e.precision,)
    text = figures.describe_pr(e)
    assert f"Average precision {e.scored.average_precision:.3g}, against 0.05" in text
    assert f"{e.tp:,} of the {e.tp + e.fp:,} flagged" in text


def test_nothing_flagged_is_said():
    e = metrics.evaluate(1.0, 0.99, 10, 0)
    assert e.tp + e.fp == 0 and "no window is flagged" in figures.describe_pr(e)


def test_the_cost_chart_marks_the_cheapest_and_the_chosen_threshold():
    e = metrics.evaluate(5.0, 0.5, 9, 0)
    fig = figures.cost_figure(e)
    go.Figure(fig.to_dict())
    assert fig.data[1].x == (e.best_threshold,) and fig.data[2].x == (0.5,)
    assert fig.layout.shapes[0]["x0"] == e.bayes_threshold
    text = figures.describe_cost(e)
    assert "1/(1 + 9) = 0.1" in text and f"({e.fn:,} missed, {e.fp:,} false alarms)" in text
    assert "Always answering “no fault” scores 95.0% accuracy" in figures.describe_metrics(e)
