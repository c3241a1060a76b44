"""Figures of /fundamentals' debugging part: traces drawn, captions hold the computed numbers."""

import numpy as np
import plotly.graph_objects as go

from neuralab.basics.debug import PASS_LOSS, Overfit
from neuralab.plots import fundamentals_debug as figures


def run(loss, accuracy=(), bug="none", classes=3) -> Overfit:
    loss = np.asarray(loss, dtype=float)
    return Overfit("wine", bug, classes, 16, 1603, loss, np.asarray(accuracy, dtype=float),
                   np.linspace(2.0, 1.0, len(loss) - 1), 1.04, 0.1)


def test_a_passing_run_has_loss_gradient_and_accuracy_traces_and_says_when_it_passed():
    r = run([1.0, 0.1, 0.005, 0.001], [0.5, 0.9, 1.0, 1.0])
    fig = figures.overfit_figure(r)
    go.Figure(fig.to_dict())  # valid plotly
    assert [t.name for t in fig.data] == ["training loss", "gradient norm", "batch accuracy (%)"]
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"
    assert any(s.y0 == PASS_LOSS for s in fig.layout.shapes) and any(s.y0 == 1.04 for s in fig.layout.shapes)
    text = figures.describe_overfit(r)
    assert "Passed" in text and "after 2 steps" in text and "0.001" in text and "100.0%" in text


def test_a_failing_run_gives_the_final_loss_and_the_constant_level():
    text = figures.describe_overfit(run([1.1, 1.05, 1.04], [0.5, 0.5, 0.5], bug="shuffle"))
    assert "Failed: final loss 1.04 after 2 steps, 50.0%" in text and "shuffled" in text


def test_a_diverged_run_says_where_the_loss_stopped_being_finite():
    r = run([1.0, 50.0, 3e20, np.nan], [0.5, 0.3, 0.3, np.nan], bug="lr")
    text = figures.describe_overfit(r)
    assert "finite number after step 2" in text and "3e+20" in text
    go.Figure(figures.overfit_figure(r).to_dict())


def test_regression_draws_no_accuracy_and_a_lost_pass_is_reported():
    r = run([0.5, 0.005, 0.2], classes=0)
    fig = figures.overfit_figure(r)
    assert len(fig.data) == 2 and "squared std" in fig.layout.yaxis.title.text
    assert "met the threshold at step 1 but did not stay there" in figures.describe_overfit(r)
