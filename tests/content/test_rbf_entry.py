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
