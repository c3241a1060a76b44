"""Fitting figures: they show the numbers the library computed, and plotly accepts them."""

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab.fit.memorize import BUGS, memorize
from neuralab.fit.poly import SIZES, bias_variance, fit_poly, learning_curve
from neuralab.plots import fitting as figures
from neuralab.plots.theme import message_figure


@pytest.fixture(scope="module")
def fit():
    return fit_poly(12, 20, 0.3, 0)


@pytest.fixture(scope="module")
def bv():
    return bias_variance(list(range(1, 16)), 30, 0.3, 100, 0)


@pytest.fixture(scope="module")
def lc():
    return learning_curve(4, 0.3, SIZES, 0, repeats=20)


@pytest.fixture(scope="module")
def runs():
    return {bug: memorize(8, 100, bug, 0) for bug in ("softmax", "lr")}


def _by_name(figure, name):
    return next(t for t in figure.data if t.name == name)


def test_fit_figure_draws_the_points_and_both_curves(fit):
    f = figures.fit_figure(fit)
    np.testing.assert_array_equal(_by_name(f, "Training points").y, fit.y_train)
    np.testing.assert_array_equal(_by_name(f, "Degree-12 fit").y, fit.y_fit)
    np.testing.assert_array_equal(_by_name(f, "True function f").y, fit.y_true)
    text = figures.describe_fit(fit)
    assert f"training MSE {fit.train_mse:.3g}" in text and "overfit" in text


def test_exact_fits_read_zero_not_rounding_noise():
    exact = fit_poly(12, 10, 0.3, 0)  # interpolates: the training MSE is ~1e-30
    assert "Training MSE 0 ·" in figures.describe_errors(exact) and "training MSE 0 and" in figures.describe_fit(exact)


def test_sweep_marks_the_degree_and_keeps_exact_values_for_hover(fit):
    f = figures.sweep_figure(fit)
    train = _by_name(f, "Training MSE")
    np.testing.assert_array_equal(train.customdata, fit.train_by_degree)
    assert min(train.y) >= figures.LOG_FLOOR * fit.noise_var  # an interpolating fit's 0 still shows on the log axis
    assert f.layout.shapes[1].x0 == 12 and f.layout.shapes[0].y0 == fit.noise_var
    assert f"lowest at degree {fit.best_degree}" in figures.describe_sweep(fit)


def test_bias_variance_figure_shows_every_part(bv):
    f = figures.bias_variance_figure(bv)
    np.testing.assert_array_equal(_by_name(f, "Bias²").customdata, bv.bias2)
    np.testing.assert_array_equal(_by_name(f, "Variance").customdata, bv.variance)
    np.testing.assert_array_equal(_by_name(f, "Bias² + variance + σ²").customdata, bv.total)
    np.testing.assert_array_equal(_by_name(f, "Measured test MSE").customdata, bv.expected)
    assert f.layout.shapes[1].x0 == bv.best_degree
    assert f"lowest at degree {bv.best_degree}" in figures.describe_bias_variance(bv)


def test_learning_curve_figure_plots_medians_and_the_threshold(lc):
    f = figures.learning_curve_figure(lc, n_train=30)
    np.testing.assert_array_equal(_by_name(f, "Validation MSE (median)").customdata, lc.val_median)
    xs = [s.x0 for s in f.layout.shapes]
    assert 5 in xs and 30 in xs  # n = d + 1 and the page's sample size
    assert f.layout.annotations[1].x == pytest.approx(math.log10(5))  # annotations use log10 on a log axis
    assert f"falls from {lc.val_median[0]:.3g}" in figures.describe_learning_curve(lc)


def test_memorize_figure_draws_the_floor_only_where_there_is_one(runs):
    soft, lr = figures.memorize_figure(runs["softmax"]), figures.memorize_figure(runs["lr"])
    assert len(soft.layout.shapes) == 2 and soft.layout.shapes[1].y0 == runs["softmax"].floor
    assert len(lr.layout.shapes) == 1
    np.testing.assert_array_equal(soft.data[0].customdata, runs["softmax"].healthy.loss)
    text = figures.describe_memorize(runs["softmax"])
    assert "the healthy network memorizes them" in text and "softmax before the loss it does not" in text
    assert "can never go below 1.461" in text
    assert set(figures.CHANGED) == set(BUGS)


def test_every_builder_emits_a_valid_plotly_figure(fit, bv, lc, runs):
    """Builders skip plotly's validation for speed; here it runs on their output."""
    figs = [
        figures.fit_figure(fit),
        figures.sweep_figure(fit),
        figures.bias_variance_figure(bv),
        figures.learning_curve_figure(lc),
        figures.learning_curve_figure(lc, n_train=200),
        *(figures.memorize_figure(m) for m in runs.values()),
        figures.memorize_figure(memorize(8, 100, "shuffled", 1)),
        message_figure("nothing"),
    ]
    for f in figs:
        go.Figure(f.to_dict())  # raises ValueError on any invalid property
