"""The plain and residual networks of /deep-networks: their gradient probe against finite differences, the skip
connection's Jacobian, and the variance argument against a measured wide network."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from neuralab.nn.deep import DeepMLP, decades, mean_cosine, probe, variance_factor
from neuralab.params import ParamError


def _loss(model: DeepMLP, X: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float(F.cross_entropy(model(X), y))


@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("norm", ["none", "layer"])
def test_the_probes_gradient_norm_is_the_slope_along_the_gradient_by_finite_differences(residual, norm):
    torch.manual_seed(0)
    X, y = torch.randn(40, 8, dtype=torch.float64), torch.randint(0, 3, (40,))
    model = DeepMLP(4, residual, norm, 0.8, width=8, n_in=8, n_out=3, seed=2).double()
    got = probe(model, X, y)
    assert math.isclose(got.loss, _loss(model, X, y), rel_tol=1e-12)
    for k, lin in enumerate(model.blocks):
        model.zero_grad()
        F.cross_entropy(model(X), y).backward()
        g = lin.weight.grad.clone()
        u, eps = g / g.norm(), 1e-6  # the directional derivative along the gradient's direction is its norm
        with torch.no_grad():
            lin.weight += eps * u
            up = _loss(model, X, y)
            lin.weight -= 2 * eps * u
            down = _loss(model, X, y)
            lin.weight += eps * u
        assert math.isclose(got.grad_norm[k], (up - down) / (2 * eps), rel_tol=1e-6), k


@pytest.mark.parametrize("residual", [False, True])
def test_the_backward_signal_is_the_gradient_at_each_blocks_input_by_finite_differences(residual):
    """signal_grad[l] = ‖∂L/∂h_(l-1)‖: perturb block l's input along that gradient and watch the loss."""
    torch.manual_seed(1)
    X, y = torch.randn(30, 8, dtype=torch.float64), torch.randint(0, 3, (30,))
    model = DeepMLP(4, residual, "none", 0.9, width=8, n_in=8, n_out=3, seed=5).double()
    got = probe(model, X, y)

    def loss_with(k: int, delta: torch.Tensor) -> float:
        """The loss when block k's input is shifted by delta (block 0's input is the stem's output)."""
        with torch.no_grad():
            h = model.stem(X)
            for i, (lin, norm) in enumerate(zip(model.blocks, model.norms, strict=False)):
                h = h + delta if i == k else h
                branch = lin(torch.relu(norm(h)))
                h = h + branch if residual else branch
            return float(F.cross_entropy(model.head(torch.relu(model.norms[-1](h))), y))

    for k in range(4):
        d = torch.randn(30, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(k))
        d /= d.norm()
        eps = 1e-6
        slope = (loss_with(k, eps * d) - loss_with(k, -eps * d)) / (2 * eps)  # = <∂L/∂h, d> ≤ ‖∂L/∂h‖
        assert abs(slope) <= got.signal_grad[k] * (1 + 1e-6), k
    # the gradient's own direction reaches the bound: build it by autograd and compare
    h0 = model.stem(X).detach().requires_grad_(True)
    g = torch.autograd.grad(F.cross_entropy(model.head(torch.relu(model.norms[-1](model.through(h0)[-1]))), y),
                            h0)[0]
    eps = 1e-6
    slope = (loss_with(0, eps * g / g.norm()) - loss_with(0, -eps * g / g.norm())) / (2 * eps)
    assert math.isclose(got.signal_grad[0], slope, rel_tol=1e-6)


def test_the_weight_gradient_is_the_backward_signal_times_the_forward_activation():
    """∂L/∂W_l = δ_lᵀ · relu(h_(l-1)), with δ_l the gradient at block l's output (no normalization)."""
    torch.manual_seed(2)
    X, y = torch.randn(25, 6, dtype=torch.float64), torch.randint(0, 3, (25,))
    model = DeepMLP(3, False, "none", 1.0, width=6, n_in=6, n_out=3, seed=1).double()
    got = probe(model, X, y)
    h0 = X.clone().requires_grad_(True)
    hs = model.through(h0)
    for h in hs:
        h.retain_grad()
    F.cross_entropy(model.head(torch.relu(hs[-1])), y).backward()
    ins = [h0, *hs[:-1]]
    for k in range(3):
        outer = hs[k].grad.T @ torch.relu(ins[k].detach())
        assert math.isclose(got.grad_norm[k], float(outer.norm()), rel_tol=1e-10)
    # the plain block's output is the next block's input: the signal there is the next entry
    assert math.isclose(got.signal_grad[1], float(hs[0].grad.norm()), rel_tol=1e-10)


def test_mean_cosine_is_the_mean_over_pairs_of_sklearns_cosine_similarity():
    from sklearn.metrics.pairwise import cosine_similarity
    h = torch.tensor(np.random.default_rng(3).normal(0.3, 1.0, size=(17, 5)))
    c = cosine_similarity(h.numpy())
    expected = (c.sum() - np.trace(c)) / (17 * 16)
    assert mean_cosine(h) == pytest.approx(expected, rel=1e-12)
    assert mean_cosine(torch.ones(4, 3)) == pytest.approx(1.0)
    assert math.isnan(mean_cosine(torch.ones(1, 3)))


def test_probing_changes_neither_batch_norm_statistics_nor_gradients_nor_the_mode():
    model = DeepMLP(3, True, "batch", width=8, n_in=8, n_out=3)
    before = {k: v.clone() for k, v in model.named_buffers()}
    model.eval()
    probe(model, np.random.default_rng(0).normal(size=(20, 8)), np.zeros(20, int))
    assert not model.training
    assert all(torch.equal(before[k], v) for k, v in model.named_buffers())
    assert all(p.grad is None for p in model.parameters())


def test_a_residual_block_is_the_identity_plus_the_plain_block():
    plain = DeepMLP(1, False, "none", width=6, n_in=6, n_out=2, seed=3).double()
    res = DeepMLP(1, True, "none", width=6, n_in=6, n_out=2, seed=3).double()
    assert torch.equal(plain.blocks[0].weight, res.blocks[0].weight)  # same seed, same weights
    x = torch.randn(6, dtype=torch.float64)
    jp = torch.autograd.functional.jacobian(lambda h: plain.stream(h[None])[-1][0], x)
    jr = torch.autograd.functional.jacobian(lambda h: res.stream(h[None])[-1][0], x)
    assert torch.allclose(jr, torch.eye(6, dtype=torch.float64) + jp, atol=1e-12)


def test_the_weights_start_at_scale_times_hes_std():
    model = DeepMLP(20, False, "none", scale=0.5, width=256, n_in=256)
    w = torch.cat([lin.weight.flatten() for lin in model.blocks])
    assert w.std().item() == pytest.approx(0.5 * math.sqrt(2 / 256), rel=0.01)
    assert all(float(lin.bias.detach().abs().max()) == 0 for lin in model.blocks)


@pytest.mark.parametrize(("residual", "scale"), [(False, 0.7), (False, 1.3), (True, 0.5), (True, 1.0)])
def test_the_variance_per_block_is_the_predicted_factor(residual, scale):
    """A wide untrained network without normalization: measured std ratio against decades(...)."""
    depth = 8
    model = DeepMLP(depth, residual, "none", scale, width=1024, n_in=1024, seed=0)
    x = torch.randn(512, 1024, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        hs = model.stream(x)
    measured = math.log10(float(hs[-1].std()) / float(x.std()))
    assert measured == pytest.approx(decades(residual, scale, depth), abs=0.1)
    assert variance_factor(residual, scale) == pytest.approx(1 + scale**2 if residual else scale**2)


def test_bad_settings_are_named():
    with pytest.raises(ParamError, match="depth must be between 1 and 200"):
        DeepMLP(0, False)
    with pytest.raises(ParamError, match="norm must be one of none, batch, layer; got 'group'"):
        DeepMLP(3, False, "group")
    with pytest.raises(ParamError, match="scale must be a positive number"):
        variance_factor(True, -1.0)


def test_a_network_is_the_same_while_another_thread_draws_from_torchs_global_generator():
    """The weights come from the network's own generator: a self-check answer or a request drawing random numbers
    on another thread while the network is built (seen in the test suite: other values each run) cannot move them."""
    import threading

    ref = [p.detach().clone() for p in DeepMLP(20, False, "layer", 1.0, seed=3).parameters()]
    stop = threading.Event()

    def churn():
        k = 0
        while not stop.is_set():
            torch.manual_seed(k)
            torch.randn(256)
            k += 1

    worker = threading.Thread(target=churn, daemon=True)
    worker.start()
    try:
        for _ in range(30):
            got = list(DeepMLP(20, False, "layer", 1.0, seed=3).parameters())
            assert all(torch.equal(a, b) for a, b in zip(ref, got, strict=True))
    finally:
        stop.set()
        worker.join()
