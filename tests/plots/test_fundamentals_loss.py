"""Figures of /fundamentals' loss pairing, from small hand-made results."""

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.basics import pairing
from neuralab.plots import fundamentals_loss as figures

STEPS = 4


def run(mistake="double_softmax") -> pairing.MistakeRun:
    classification = mistake != "mae_skewed"
    wrong = pairing.Run("softmax, then CrossEntropyLoss", np.array([2.3, 2.0, 1.7, 1.5]),
                        np.array([0.09, 0.08, 0.05, 0.02]), np.array([0.1, 0.5, 0.92, 0.95]), 0.9,
                        np.empty(0) if classification else np.array([6.5, 19.7]))
    right = pairing.Run("logits into CrossEntropyLoss", np.array([2.3, 0.5, 0.1, 0.01]),
                        np.array([0.9, 0.4, 0.1, 0.01]), np.array([0.2, 0.95, 0.99, 1.0]), 0.98,
                        np.empty(0) if classification else np.array([8.8, 24.7]))
    skew = None
    if not classification:
        skew = pairing.Skew(np.array([20.0, 20.0, 100.0, 100.0]), np.array([5.0, 9.0, 15.0, 30.0]),
                            np.array([20.0, 100.0]), np.array([8.76, 24.68]), np.array([6.56, 19.74]))
    floor = pairing.double_softmax_floor(10) if mistake == "double_softmax" else math.nan
    return pairing.MistakeRun(mistake, "sgd", STEPS, 0, wrong, right, "digits", classification, floor, skew,
                              pairing.gradient_curve(mistake))


def test_the_loss_curves_draw_both_runs_and_the_floor():
    r = run()
    fig = figures.curves_figure(r)
    go.Figure(fig.to_dict())
    assert [t.name for t in fig.data] == ["mistake: softmax, then CrossEntropyLoss",
                                          "correct: logits into CrossEntropyLoss"]
    assert list(fig.data[1].y) == [2.3, 0.5, 0.1, 0.01]
    assert fig.layout.shapes[0]["y0"] == r.floor
    text = figures.describe_curves(r)
    assert "1.5 with the mistake, 0.01 correct" in text and "cannot go below 1.46" in text
    assert "90% at step 3 with the mistake and step 2 correct" in text and "90.0% against 98.0%" in text


def test_the_gradient_chart_and_caption_give_the_ratio():
    r = run()
    fig = figures.grads_figure(r)
    go.Figure(fig.to_dict())
    assert len(fig.data) == 2 and list(fig.data[0].y) == [0.09, 0.08, 0.05, 0.02]
    assert "0.09 per sample with the mistake and 0.9 with the correct pairing (10 times smaller)" in \
        figures.describe_grads(r)


def test_the_detail_is_the_gradient_curve_for_a_classifier():
    r = run("mse_probs")
    fig = figures.detail_figure(r)
    go.Figure(fig.to_dict())
    assert len(fig.data) == 2 and len(fig.data[0].x) == len(r.curve.x)
    text = figures.describe_detail(r)
    assert "at a logit of -6" in text and "gradient is -1 and the mistake's" in text


def test_the_detail_shows_where_the_regression_predictions_land():
    r = run("mae_skewed")
    fig = figures.detail_figure(r)
    go.Figure(fig.to_dict())
    assert [t.name for t in fig.data][1:] == ["mean of the data", "median of the data", "MSE run's prediction",
                                              "MAE run's prediction"]
    text = figures.describe_detail(r)
    assert "median is 19.7 ms and its mean 24.7 ms; the MAE run predicts 19.7 ms and the MSE run 24.7 ms" in text
    assert "train MAE 0.95 ms" in figures.describe_curves(r)
    assert "±1 for every sample" in figures.describe_grads(r)


def test_the_huber_chart_marks_mean_median_and_the_chosen_delta():
    h = pairing.huber_sweep(10.0, 0)
    fig = figures.huber_figure(h)
    go.Figure(fig.to_dict())
    assert fig.data[1].x == (10.0,) and fig.data[1].y == (h.estimate,)
    assert sorted(s["y0"] for s in fig.layout.shapes[:2]) == sorted([h.mean, h.median])
    text = figures.describe_huber(h)
    assert f"mean, {h.mean:.3g} ms" in text and f"median, {h.median:.3g} ms" in text
    assert f"δ = 10 ms gives {h.estimate:.3g} ms" in text
