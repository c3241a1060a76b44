"""Figures of /recurrent's training choices, from small hand-made results."""

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab.plots import recurrent_choices as figures
from neuralab.train import choices

T = 12


def sweep(diverged="") -> choices.TbpttSweep:
    runs = tuple(choices.TbpttRun(k, err, np.linspace(40, err, 4), 3 * T // min(k, T), 1.5, d)
                 for k, err, d in ((2, 7.5, ""), (4, 2.0, ""), (12, 1.7, diverged)))
    return choices.TbpttSweep("gru", runs, T, 10, *choices.tau_steps(10))


def targets() -> choices.Targets:
    curves = np.array([[40, 6, 5.5, 5.3], [40, 4, 2, 1.9]])
    steps = np.stack([np.linspace(9, 5.3, T), np.full(T, 1.9)])
    return choices.Targets("gru", 9, curves, steps, steps[:, -1].copy(), 3, np.array([1.0, 1.1]), ("", ""))


def bidirectional() -> choices.Bidirectional:
    change = np.stack([np.zeros(T), np.r_[np.linspace(2, 0.1, T - 1), 0.0]])
    return choices.Bidirectional("gru", np.array([1.7, 2.1]), 2.3, change, np.array([100, 200]),
                                 np.array([1.0, 2.0]), ("", ""))


def teacher() -> choices.Teacher:
    steps = np.stack([np.full(T, 1.3), np.linspace(3, 8.4, T), np.linspace(2.7, 1.7, T)])
    return choices.Teacher("gru", steps, np.sqrt((steps**2).mean(axis=1)), np.array([2.0, 15.0]), ("", ""))


def test_the_sweep_marks_both_time_constants_and_reports_every_chunk():
    s = sweep()
    fig = figures.tbptt_figure(s)
    go.Figure(fig.to_dict())  # valid plotly
    assert list(fig.data[0].x) == [2, 4, 12] and list(fig.data[0].y) == [7.5, 2.0, 1.7]
    assert sorted(sh["x0"] for sh in fig.layout.shapes) == [4.8, 12, 100.0]
    notes = {a.text: a.x for a in fig.layout.annotations}  # on a log axis an annotation's x is log10
    assert notes["stator τ 100"] == pytest.approx(2.0) and notes["winding τ 4.8"] == pytest.approx(math.log10(4.8))
    text = figures.describe_tbptt(s)
    assert "k = 2: 7.5 K in 18 updates (1.5 s)" in text and "The best is k = 12" in text and "100 steps" in text
    curves = figures.tbptt_curves_figure(s)
    go.Figure(curves.to_dict())
    assert [t.name for t in curves.data] == ["k = 2", "k = 4", "k = 12"]


def test_a_diverged_run_is_said_and_drawn_without_it():
    s = sweep("Training diverged at update 3 (epoch 1): the loss reached not a finite number.")
    s = choices.TbpttSweep("gru", (*s.runs[:2], choices.TbpttRun(12, math.nan, np.array([40.0, math.nan]), 3, 1.0,
                                                                 s.runs[2].diverged)), T, 10, 4.8, 100.0)
    fig = figures.tbptt_figure(s)
    assert list(fig.data[0].x) == [2, 4]
    assert "diverged at update 3" in figures.describe_tbptt(s)
    go.Figure(figures.tbptt_curves_figure(s).to_dict())


def test_the_target_figures_compare_both_trainings():
    t = targets()
    fig, steps = figures.targets_figure(t), figures.targets_steps_figure(t)
    for f in (fig, steps):
        go.Figure(f.to_dict())
        assert len(f.data) == 2 and "last step" in f.data[0].name and "every step" in f.data[1].name
    assert "9 updates" in figures.describe_targets(t) and "5.3 K" in figures.describe_targets(t)
    assert "step 6" in figures.describe_targets_steps(t)


def test_the_bidirectional_figure_shows_the_causal_flat_at_zero():
    b = bidirectional()
    fig = figures.bidirectional_figure(b)
    go.Figure(fig.to_dict())
    assert max(fig.data[0].y) == 0 and max(fig.data[1].y) == 2
    text = figures.describe_bidirectional(b)
    assert "up to 2 K" in text and "causal one by 0 K" in text and "2.3 K" in text


def test_the_teacher_figure_has_the_three_runs_along_the_cycle():
    t = teacher()
    fig = figures.teacher_figure(t)
    go.Figure(fig.to_dict())
    assert len(fig.data) == 3 and len(fig.data[1].x) == T and fig.data[1].y[-1] == 8.4
    text = figures.describe_teacher(t)
    assert "8.4 K at the last step" in text and "1.7 K at the last step" in text and "15 s free" in text


def test_a_sweep_where_every_run_diverged_still_draws_and_says_so():
    s = sweep()
    gone = tuple(choices.TbpttRun(r.k, math.nan, np.array([40.0, math.nan]), 1, 0.1, "Training diverged at update 1.")
                 for r in s.runs)
    s = choices.TbpttSweep("gru", gone, T, 10, 4.8, 100.0)
    assert "No chunk length gave a finite error" in figures.describe_tbptt(s)
    go.Figure(figures.tbptt_figure(s).to_dict())
    go.Figure(figures.tbptt_curves_figure(s).to_dict())
