"""The RBF network's fit, piece by piece, against scikit-learn, torch and hand-checked cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from sklearn.cluster import KMeans
from sklearn.linear_model import Ridge
from sklearn.metrics.pairwise import rbf_kernel

from neuralab.nn import rbf
from neuralab.nn.models import mlp, n_params


def _blobs(seed: int = 0, n: int = 300) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-5, 5, (6, 2))
    return centres[rng.integers(0, 6, n)] + rng.normal(0, 0.8, (n, 2))


@pytest.mark.parametrize(("seed", "k"), [(0, 3), (1, 6), (2, 12)])
def test_lloyd_from_the_same_start_reaches_the_centres_sklearn_reaches(seed, k):
    X = _blobs(seed)
    init = rbf.kmeans_pp(X, k, np.random.default_rng(seed))
    ours = rbf.kmeans(X, k, init=init)
    ref = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd", tol=0.0, max_iter=300).fit(X)
    np.testing.assert_allclose(ours, ref.cluster_centers_, atol=1e-9)


def test_kmeans_pp_picks_distinct_data_points_and_kmeans_is_repeatable_by_seed():
    X = _blobs(3)
    C = rbf.kmeans_pp(X, 8, np.random.default_rng(0))
    assert all(any(np.array_equal(c, x) for x in X) for c in C)
    assert len({tuple(c) for c in C}) == 8
    np.testing.assert_array_equal(rbf.kmeans(X, 8, seed=4), rbf.kmeans(X, 8, seed=4))
    with pytest.raises(ValueError, match="k must be between 1"):
        rbf.kmeans(X, 0)


def test_an_empty_cluster_takes_the_worst_served_point():
    X = np.array([[0.0, 0.0], [0.1, 0.0], [10.0, 0.0]])
    C = rbf.kmeans(X, 2, init=np.array([[0.05, 0.0], [100.0, 0.0]]))  # the second centre wins no point
    assert sorted(C[:, 0].round(6).tolist()) == [0.05, 10.0]


def test_width_rules_by_hand():
    C = np.array([[0.0, 0.0], [3.0, 0.0], [3.0, 4.0]])  # distances 3, 4, 5
    np.testing.assert_allclose(rbf.widths(C, "nearest"), [3.0, 3.0, 4.0])
    np.testing.assert_allclose(rbf.widths(C, "global", 2.0), np.full(3, 2 * 5.0 / math.sqrt(6)))
    assert rbf.widths(np.zeros((2, 2)), "nearest").min() == rbf.MIN_WIDTH  # two centres on one point
    with pytest.raises(ValueError, match="rule must be one of"):
        rbf.widths(C, "median")


def test_the_basis_is_sklearns_rbf_kernel_for_one_width_and_exp_minus_half_at_one_width():
    X, C = _blobs(1, 40), _blobs(2, 7)
    sigma = 1.7
    np.testing.assert_allclose(rbf.basis(X, C, np.full(7, sigma)), rbf_kernel(X, C, gamma=1 / (2 * sigma**2)),
                               rtol=1e-10, atol=1e-14)
    assert rbf.basis(np.array([[0.0, 2.5]]), np.zeros((1, 2)), np.array([2.5]))[0, 0] == pytest.approx(math.exp(-0.5))


@pytest.mark.parametrize("ridge", [1e-6, 0.1, 5.0])
def test_output_weights_are_ridge_with_an_unpenalized_intercept(ridge):
    X = _blobs(4, 120)
    C = rbf.kmeans(X, 10, seed=0)
    Phi = rbf.basis(X, C, rbf.widths(C, "nearest"))
    y = np.sin(X[:, 0]) + 0.1 * X[:, 1]
    w, b = rbf.output_weights(Phi, y, ridge)
    ref = Ridge(alpha=ridge, fit_intercept=True, solver="svd").fit(Phi, y)
    np.testing.assert_allclose(w, ref.coef_, rtol=1e-6, atol=1e-8)
    assert b == pytest.approx(ref.intercept_, abs=1e-8)


def test_the_two_stage_fit_interpolates_with_one_narrow_unit_per_point_and_answers_its_bias_far_away():
    X = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0], [4.0, 4.0]])
    y = np.array([1.0, -2.0, 0.5, 3.0])
    net = rbf.fit(X, y, 4, "nearest", 0.3, ridge=1e-12)
    np.testing.assert_allclose(net.predict(X), y, atol=1e-6)
    assert net.predict(np.array([[500.0, -300.0]]))[0] == pytest.approx(net.bias_)


def test_the_torch_module_is_the_same_network_and_counts_like_an_mlp_of_k_units():
    X = _blobs(5, 200)
    y = np.cos(X[:, 0] / 2) * X[:, 1] / 5
    for k in (1, 5, 17):
        net = rbf.fit(X, y, k, "nearest")
        module = rbf.RBFNetwork(net)
        out = module(torch.tensor(X, dtype=torch.float32)).squeeze(-1).detach().double().numpy()
        np.testing.assert_allclose(out, net.predict(X), atol=2e-4)
        assert net.n_params == n_params(module) == n_params(mlp((2, k, 1))) == 4 * k + 1
        back = module.to_net()
        np.testing.assert_allclose(back.predict(X), net.predict(X), atol=2e-4)
    assert rbf.fit(X, y, 5, "global").n_params == 4 * 5 + 1 - (5 - 1)


def test_gradient_descent_moves_centres_and_widths_and_keeps_widths_positive():
    X = _blobs(6, 100)
    y = np.tanh(X[:, 0])
    module = rbf.RBFNetwork(rbf.fit(X, y, 6, "nearest", 0.5))
    before = (module.centres.detach().clone(), module.log_width.detach().clone())
    opt = torch.optim.Adam(module.parameters(), lr=0.05)
    Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    for _ in range(20):
        loss = ((module(Xt).squeeze(-1) - yt) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert not torch.equal(before[0], module.centres) and not torch.equal(before[1], module.log_width)
    assert (module.to_net().widths_ > 0).all()
