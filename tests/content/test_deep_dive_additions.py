"""The facts added to the reference entries from the deep-dive audit: each number recomputed, each claim run."""

from __future__ import annotations

import math
import warnings
from importlib import resources

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import signal, stats
from torch import nn
from torch.utils.checkpoint import checkpoint


def flat(topic: str) -> str:
    return " ".join(resources.files("neuralab.content").joinpath(f"{topic}.md").read_text(encoding="utf-8").split())


def test_splits_ratios_and_folds():
    text = flat("splits")
    assert round(0.01 * 1_000_000) == 10_000
    assert "1% each for validation and test already holds 10,000 samples or more, and 98/1/1" in text
    assert "(k = 5 or 10 in most work)" in text
    assert "a sliding training window of fixed length drops the oldest data" in text


def test_savgol_filter_is_the_fir_of_savgol_coeffs():
    rng = np.random.default_rng(0)
    x = np.sin(np.linspace(0, 6, 200)) + 0.1 * rng.normal(size=200)
    taps = signal.savgol_coeffs(11, 3)
    interior = np.convolve(x, taps[::-1], mode="valid")  # the taps are a correlation kernel
    assert np.allclose(signal.savgol_filter(x, 11, 3)[5:-5], interior)
    assert "`scipy.signal.savgol_filter(x, W, P)` runs the whole filter" in flat("preprocessing")
    assert "W = 11 and P = 3 is a common setting" in flat("preprocessing")


def test_adam_written_out_is_torchs_with_epsilon_after_the_root():
    torch.manual_seed(0)
    w = nn.Parameter(torch.randn(5, dtype=torch.float64))
    opt = torch.optim.Adam([w], lr=0.01)
    ref, m, v = w.detach().clone(), torch.zeros(5, dtype=torch.float64), torch.zeros(5, dtype=torch.float64)
    b1, b2, eps = 0.9, 0.999, 1e-8
    for t in range(1, 6):
        g = torch.randn(5, dtype=torch.float64) * 10.0 ** torch.arange(-9, -4, dtype=torch.float64)  # some tiny
        w.grad = g.clone()
        opt.step()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        ref = ref - 0.01 * (m / (1 - b1**t)) / (torch.sqrt(v / (1 - b2**t)) + eps)
        assert torch.allclose(w.detach(), ref, rtol=0, atol=1e-14)
    assert "w ← w − η·m̂/(√v̂ + ε). torch's ε is 10⁻⁸, added after the square root" in flat("gradient-descent")


def test_dropout_inverted_and_original_have_the_same_expectation():
    torch.manual_seed(1)
    p, x = 0.3, torch.ones(200_000)
    drop = nn.Dropout(p)
    out = drop(x)
    kept = out[out != 0]
    assert torch.allclose(kept, torch.full_like(kept, 1 / (1 - p)))
    assert out.mean().item() == pytest.approx(1.0, abs=0.01)  # inverted: the expectation is the evaluation value
    original = (torch.rand(200_000) > p).double()  # unscaled in training ...
    assert original.mean().item() == pytest.approx(1 - p, abs=0.01)  # ... so evaluation multiplies by 1 − p
    assert "multiplied the weights by 1 − p at evaluation" in flat("regularization")


def test_input_noise_on_a_linear_model_is_an_l2_penalty():
    rng = np.random.default_rng(2)
    x, y, w, sigma = rng.normal(size=6), 0.7, rng.normal(size=6), 0.3
    noisy = np.mean([(w @ (x + sigma * rng.normal(size=6)) - y) ** 2 for _ in range(200_000)])
    assert noisy == pytest.approx((w @ x - y) ** 2 + sigma**2 * w @ w, rel=0.01)
    assert "the expected loss gains σ²·‖w‖²" in flat("regularization")


def test_label_smoothing_target_and_its_finite_optimum():
    eps, c = 0.1, 10
    torch.manual_seed(3)
    logits, y = torch.randn(8, c), torch.randint(0, c, (8,))
    target = (1 - eps) * F.one_hot(y, c) + eps / c
    assert torch.allclose(F.cross_entropy(logits, y, label_smoothing=eps), F.cross_entropy(logits, target))
    gap = math.log((1 - eps + eps / c) / (eps / c))
    best = torch.zeros(1, c, dtype=torch.float64, requires_grad=True)
    with torch.no_grad():
        best[0, 0] = gap
    F.cross_entropy(best, torch.tensor([0]), label_smoothing=eps).backward()
    assert best.grad.abs().max().item() < 1e-12  # the minimum sits at this finite gap
    assert f"which is {gap:.2f} for ε = 0.1 and ten classes" in flat("regularization")
    assert [1 * (1 - eps) + eps / 2, 0 * (1 - eps) + eps / 2] == pytest.approx([0.95, 0.05])
    assert "which turns 1 and 0 into 0.95 and 0.05 for ε = 0.1" in flat("regularization")


def test_mixup_loss_is_the_blend_of_the_two_losses():
    torch.manual_seed(4)
    logits, yi, yj, lam = torch.randn(6, 4), torch.randint(0, 4, (6,)), torch.randint(0, 4, (6,)), 0.37
    soft = lam * F.one_hot(yi, 4) + (1 - lam) * F.one_hot(yj, 4)
    assert torch.allclose(F.cross_entropy(logits, soft.float()),
                          lam * F.cross_entropy(logits, yi) + (1 - lam) * F.cross_entropy(logits, yj))
    near = 2 * stats.beta(0.2, 0.2).cdf(0.1)
    assert 0.6 < near < 0.72 and "with α = 0.2, about two draws in three put λ within 0.1 of 0 or 1" in flat(
        "regularization")


def test_gradient_accumulation_equals_the_large_batch():
    torch.manual_seed(5)
    net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    x, y = torch.randn(12, 4, dtype=torch.float64), torch.randn(12, 1, dtype=torch.float64)
    F.mse_loss(net(x), y).backward()
    whole = [p.grad.clone() for p in net.parameters()]
    net.zero_grad()
    for xb, yb in zip(x.chunk(3), y.chunk(3), strict=True):
        (F.mse_loss(net(xb), yb) / 3).backward()
    assert all(torch.allclose(a, p.grad, atol=1e-14) for a, p in zip(whole, net.parameters(), strict=True))
    assert "call `backward()` on each loss divided by k, and step once" in flat("training-loop")


class Counting(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin, self.calls = nn.Linear(6, 6), 0

    def forward(self, x):
        self.calls += 1
        return torch.tanh(self.lin(x))


def test_checkpointing_recomputes_the_block_and_gives_the_same_gradients():
    torch.manual_seed(6)
    block = Counting()
    x = torch.randn(3, 6, requires_grad=True)
    block(x).sum().backward()
    plain = [block.lin.weight.grad.clone(), x.grad.clone()]
    block.zero_grad()
    x.grad, block.calls = None, 0
    checkpoint(block, x, use_reentrant=False).sum().backward()
    assert block.calls == 2  # the forward pass, and once more during backward
    assert torch.allclose(block.lin.weight.grad, plain[0]) and torch.allclose(x.grad, plain[1])
    assert "`torch.utils.checkpoint.checkpoint(block, x, use_reentrant=False)`" in flat("training-loop")
    assert (1 + 2 + 1) / (1 + 2) == pytest.approx(4 / 3) and "about a third more compute" in flat("training-loop")


def test_autocast_keeps_weights_gradients_and_the_loss_in_float32():
    lin = nn.Linear(8, 4)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = lin(torch.randn(3, 8))
        loss = F.cross_entropy(out, torch.tensor([0, 1, 2]))
    assert out.dtype == torch.bfloat16 and loss.dtype == torch.float32
    loss.backward()
    assert lin.weight.dtype == torch.float32 and lin.weight.grad.dtype == torch.float32
    assert "losses such as cross-entropy are computed in float32" in flat("training-loop")


def test_torchscript_is_deprecated_and_its_successors_exist():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.jit.script(nn.Linear(2, 2))
    assert any("deprecated" in str(w.message) for w in caught)
    assert callable(torch.compile) and callable(torch.export.export)
    assert "TorchScript, the older route, is deprecated in favour of those two" in flat("training-loop")


def test_semi_structured_sparsity_is_in_torch():
    assert callable(torch.sparse.to_sparse_semi_structured)
    assert "`torch.sparse.to_sparse_semi_structured`" in flat("pruning")


def test_the_energy_ratios_follow_from_the_quoted_figures():
    text = flat("deploy")
    assert round(3.7 / 0.2) == 18 and round(0.9 / 0.03) == 30 and 640 / 5 == 128
    assert "8-bit integer multiply at 0.2 pJ against 3.7 pJ for a 32-bit float multiply, about 18 times less" in text
    assert "an 8-bit add at 0.03 pJ against 0.9 pJ, 30 times less" in text
    assert "about 640 pJ, 128 times a read from a small on-chip SRAM at 5 pJ" in text


def test_the_approximation_theorem_citations():
    text = flat("feedforward")
    for who in ("Cybenko, 1989", "Hornik, 1991", "Leshno, Lin, Pinkus and Schocken, 1993"):
        assert who in text
