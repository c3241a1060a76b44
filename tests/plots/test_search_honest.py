"""Honest-scoring figures: they draw the library's numbers, and plotly accepts them."""

import numpy as np
import plotly.graph_objects as go

from neuralab.plots import search_honest as figures
from neuralab.search import honest
from neuralab.search.landscape import Landscape


def curse() -> honest.Curse:
    rng = np.random.default_rng(0)
    val, test = 0.5 + 0.1 * rng.random((2, 3, 6, 6))
    axis = np.geomspace(1e-3, 1.0, 6)
    return honest.winners_curse(Landscape("digits", axis, axis, val, 1 - val, test, 1 - test, "accuracy", 2.0),
                                trials=40, repeats=200)


def nested(metric: str = "accuracy") -> honest.Nested:
    return honest.Nested("digits", metric, 200, 360, np.array([0.93, 0.89, 0.93]), np.array([0.885, 0.89, 0.94]),
                         np.array([0.91, 0.91, 0.925]), np.array([0.04, 0.05, 0.01]),
                         tuple({"alpha": 1.0, "learning_rate_init": 0.01} for _ in range(3)), 28, 112)


def test_curse_figure_draws_every_curve_in_both_panels():
    c = curse()
    f = figures.curse_figure(c)
    go.Figure(f.to_dict())
    lines = {(t.name, t.xaxis): t for t in f.data if t.name}
    np.testing.assert_allclose(lines[(figures.CURVES[0][1], "x")].y, c.val_loss.mean)
    np.testing.assert_allclose(lines[(figures.CURVES[1][1], "x2")].y, c.test_metric.mean)
    np.testing.assert_allclose(lines[(figures.CURVES[2][1], "x2")].y, c.rerun_metric.mean)
    filled = [t for t in f.data if t.fill == "tonexty"]
    assert len(filled) == 6  # validation and test bands in the upper panels, the test check's in the lower
    np.testing.assert_allclose(filled[0].y, c.val_loss.lo)
    lower = {(t.name, t.xaxis): t for t in f.data if t.name and t.xaxis in ("x3", "x4")}
    np.testing.assert_allclose(lower[(figures.OPTIMISM[0][2], "x3")].y, c.optimism_loss.mean)
    np.testing.assert_allclose(lower[(figures.OPTIMISM[1][2], "x4")].y, c.rerun_optimism_metric.mean)
    assert lines[("test score of the best measured cell", "x")].y == (c.optimum_test_loss,) * 2
    assert f.layout.yaxis2.tickformat == ".0%"


def test_curse_caption_quotes_the_gaps():
    c = curse()
    text = figures.describe_curse(c)
    assert "200 random searches of 40 trials" in text
    assert figures.score(c.gap_loss[-1], "loss", True) in text
    assert figures.score(c.val_metric.mean[-1], "accuracy") in text


def test_nested_figure_joins_each_repeat_and_marks_the_means():
    r = nested()
    f = figures.nested_figure(r)
    go.Figure(f.to_dict())
    joined = [t for t in f.data if t.mode == "lines+markers"]
    assert [list(t.y) for t in joined] == [[0.93, 0.885, 0.91], [0.89, 0.89, 0.91], [0.93, 0.94, 0.925]]
    means = [t for t in f.data if t.mode == "markers"]
    np.testing.assert_allclose([t.y[0] for t in means], [r.plain.mean(), r.nested.mean(), r.test.mean()])


def test_nested_caption_reports_bias_and_cost():
    text = figures.describe_nested(nested())
    assert "3 repeats on 200 training rows" in text and "+0.2%" in text and "-1.0%" in text
    assert "in 2 of 3" in text and "28 trainings" in text and "112 for nested CV" in text
    se = np.sqrt(0.915 * 0.085 / 360)  # the mean test accuracy, measured once on 360 rows
    assert f"standard error of about {figures.score(se, 'accuracy')}" in text
    assert f"outer folds is {figures.score(np.mean([0.04, 0.05, 0.01]), 'accuracy')}" in text
    assert "standard error" not in figures.describe_nested(nested("R²"))
    assert "R²" not in text and figures.score(0.5, "R²") == "0.5000" and figures.score(0.1, "loss", True) == "+0.1"
