"""The RBF-network entry: its numbers recomputed, its counts checked against the library and torch."""

from __future__ import annotations

import math
from importlib import resources

import numpy as np
import pytest

from neuralab.app.pages import reference
from neuralab.nn import rbf
from neuralab.nn.models import mlp, n_params
from tests.app import tree


@pytest.fixture(scope="module")
def text() -> str:
    return resources.files("neuralab.content").joinpath("rbf-network.md").read_text(encoding="utf-8")


def test_the_responses_it_quotes(text):
    one = rbf.basis(np.array([[2.0, 0.0]]), np.zeros((1, 2)), np.array([2.0]))[0, 0]
    three = rbf.basis(np.array([[6.0, 0.0]]), np.zeros((1, 2)), np.array([2.0]))[0, 0]
    assert f"≈ {one:.2f} at one width" in text and one == pytest.approx(math.exp(-0.5))
    assert f"about {three:.3f} at three widths" in text


@pytest.mark.parametrize("k", [3, 12])
def test_the_parameter_counts_it_gives(text, k):
    X = np.random.default_rng(k).uniform(-1, 1, (40, 2))
    per_unit, shared = rbf.fit(X, X[:, 0], k, "nearest"), rbf.fit(X, X[:, 0], k, "global")
    assert per_unit.n_params == n_params(mlp((2, k, 1))) == 4 * k + 1
    assert per_unit.n_params - shared.n_params == k - 1
    assert "for d = 2 both have 4k + 1" in text and "k − 1 fewer" in text


def test_it_is_an_entry_of_the_reference_page():
    assert "rbf-network" in reference.TOPICS
    assert "The two-stage fit" in tree.text(reference.show("rbf-network"))


def test_narrow_units_underfit_when_there_are_far_fewer_units_than_points(text):
    from neuralab.train.rbf import surface

    rule, narrow = surface(width=1.0), surface(width=0.3)  # 24 units, 280 points: k ≪ n
    assert narrow.r2_train < rule.r2_train - 0.1 and narrow.r2_test < rule.r2_test
    assert "it underfits" in text and "Only with about one unit per training point" in text


def test_wide_units_need_a_bias_far_outside_the_targets_and_the_ridge_costs_fit_on_both_sides(text):
    from neuralab.train.rbf import surface

    rule, wide = surface(width=1.0), surface(width=5.0)  # the default λ = 1e-6
    assert wide.cond > 1e4 * rule.cond
    assert wide.r2_train < rule.r2_train and wide.r2_test < rule.r2_test
    assert abs(wide.net.bias_) > 10 * np.abs(wide.y_train).max()
    assert abs(rule.net.bias_ - rule.y_train.mean()) > 0.5  # b is not the mean, even at the rule's own width
    assert "b is not the mean of the targets" in text and "far outside the range of the targets" in text


def test_with_one_unit_per_point_the_training_error_vanishes_at_any_moderate_width(text):
    X = np.random.default_rng(0).uniform(-3, 3, (30, 2))
    y = np.sin(X[:, 0]) * X[:, 1]
    for factor in (0.3, 1.0, 2.0):
        net = rbf.fit(X, y, 30, "nearest", factor, 1e-12, centres=X)
        assert np.abs(net.predict(X) - y).max() < 1e-4
    assert "the training error is zero in exact arithmetic, whatever the width" in text


def test_k_means_centres_change_with_the_seed(text):
    from neuralab.train.rbf import _data

    P = _data("reg_gauss", 0, 0).P_train
    assert not np.allclose(np.sort(rbf.kmeans(P, 24, 0), axis=0), np.sort(rbf.kmeans(P, 24, 1), axis=0))
    assert "k-means is itself a non-convex problem" in text


def test_the_width_conventions_of_other_tools(text):
    from sklearn.metrics.pairwise import rbf_kernel

    X, sigma = np.random.default_rng(1).normal(size=(6, 2)), 1.7
    np.testing.assert_allclose(rbf.basis(X, X, np.full(6, sigma)), rbf_kernel(X, X, gamma=1 / (2 * sigma**2)))
    spread = sigma * math.sqrt(2 * math.log(2))
    assert rbf.basis(np.array([[spread, 0.0]]), np.zeros((1, 2)), np.array([sigma]))[0, 0] == pytest.approx(0.5)
    assert "γ = 1/(2σ²)" in text and f"σ·√(2 ln 2) ≈ {spread / sigma:.2f}σ" in text


def test_kernel_ridge_solves_the_system_the_entry_gives(text):
    from sklearn.kernel_ridge import KernelRidge

    X = np.random.default_rng(2).uniform(-2, 2, (25, 2))
    y, lam, gamma = np.cos(X[:, 0]) + X[:, 1], 0.1, 0.5
    K = np.exp(-gamma * ((X[:, None] - X[None]) ** 2).sum(-1))
    alpha = np.linalg.solve(K + lam * np.eye(25), y)
    np.testing.assert_allclose(alpha, KernelRidge(alpha=lam, kernel="rbf", gamma=gamma).fit(X, y).dual_coef_,
                               rtol=1e-6)
    assert "α = (K + λI)⁻¹y" in text and "αᵀKα rather than ‖w‖²" in text
