"""Learning-rate figures: they draw the numbers the library computed, and plotly accepts them."""

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab.plots import learning_rate as figures
from neuralab.train import lr
from neuralab.train.schedules import SCHEDULES


@pytest.fixture(scope="module")
def cmp():
    return lr.compare(0.1, 10, "momentum", 0)


@pytest.fixture(scope="module")
def rt():
    return lr.range_test("adam", 150, 0)


@pytest.fixture(scope="module")
def sc():
    return lr.scaling(0.3, 5, 0)


def _valid(fig):
    """Run plotly's full validation (skipped by the fast builder); return the figure as built (arrays intact)."""
    go.Figure(fig.to_dict())
    return fig


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_curve_figure_draws_the_schedule(name):
    c = lr.curve(name, 0.01, 60)
    f = _valid(figures.curve_figure(c))
    np.testing.assert_array_equal(f.data[0].y, c.values)
    np.testing.assert_array_equal(f.data[0].x, np.arange(1, 61))
    assert f.layout.xaxis.title.text == "epoch" and f.layout.yaxis.title.text == "learning rate"
    text = figures.describe_curve(c)
    assert SCHEDULES[name] in text and "over 60 epochs from 0.01" in text


def test_curve_summary_gives_the_real_end_value():
    assert "ends at 0.0001 (1% of the initial LR)" in figures.describe_curve(lr.curve("step", 0.01, 90))
    assert "never improves" in figures.describe_curve(lr.curve("plateau", 0.01, 30))
    assert "the LR stays at 0.01 throughout" in figures.describe_curve(lr.curve("constant", 0.01, 30))


def test_comparison_figure_has_the_lr_and_loss_of_every_run(cmp):
    f = _valid(figures.comparison_figure(cmp))
    assert len(f.data) == 2 * len(SCHEDULES)
    loss = [t for t in f.data if t.yaxis == "y2"]
    for t, r in zip(loss, cmp.runs, strict=True):
        assert t.name == figures.SHORT[r.schedule]
        np.testing.assert_array_equal(t.y, r.val_loss)
    lr_traces = [t for t in f.data if t.yaxis in (None, "y")]
    np.testing.assert_array_equal(lr_traces[0].y, cmp.runs[0].lr)
    assert f.layout.yaxis.type == "log" and f.layout.xaxis2.title.text == "epoch"
    text = figures.describe_comparison(cmp)
    best = cmp.ranked[0]
    assert f"lowest final validation loss is {figures.SHORT[best.schedule]} {best.final_loss:.3f}" in text


def test_range_figure_marks_the_three_lrs(rt):
    f = _valid(figures.range_figure(rt))
    np.testing.assert_array_equal(f.data[1].y, rt.smooth)
    np.testing.assert_array_equal(f.data[0].x, rt.lrs)
    xs = sorted(s.x0 for s in f.layout.shapes)
    assert xs == sorted([rt.suggested, rt.steepest, rt.min_lr])
    assert f.layout.xaxis.type == "log"
    text = figures.describe_range(rt)
    assert f"suggests {rt.suggested:.3g}" in text and f"fastest at {rt.steepest:.3g}" in text


def test_check_figure_has_one_run_per_pick(rt):
    f = _valid(figures.check_figure(rt))
    assert [t.name.split(":")[0] for t in f.data] == ["min / 10", "steepest", "minimum"]
    np.testing.assert_array_equal(f.data[0].y, rt.checks[0].val_loss)
    assert f"After {lr.CHECK_EPOCHS} epochs" in figures.describe_check(rt)


def test_scaling_figure_shows_both_rules_and_marks_divergence(sc):
    f = _valid(figures.scaling_figure(sc))
    scaled_loss, scaled_acc, fixed_loss, fixed_acc = f.data
    assert list(scaled_loss.x) == list(lr.BATCHES)
    np.testing.assert_allclose(fixed_acc.y, [0.0 if r.diverged else r.val_acc * 100 for r in sc.fixed])
    for r, symbol in zip(sc.scaled, scaled_loss.marker.symbol, strict=True):
        assert symbol == ("x" if r.diverged else "circle")
    text = figures.describe_scaling(sc)
    assert "LR 0.3 at batch 32" in text
    if any(r.diverged for r in sc.scaled):
        first = next(r.batch for r in sc.scaled if r.diverged)
        assert f"diverged from batch {first}" in text
