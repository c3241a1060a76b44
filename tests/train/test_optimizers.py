"""Every optimizer in OPTIMIZERS against its textbook update, written out by hand, on a quadratic.

The loss is L(w) = ½·wᵀAw with A = diag(1, 10), so the gradient is g = A·w. Each
textbook rule below is applied in numpy for three steps and compared with what
``optimizers.make`` (the real torch.optim class) does from the same start; three
steps, because on the first step momentum and Nesterov coincide with plain SGD.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neuralab.train import optimizers

A = np.diag([1.0, 10.0])
W0 = np.array([1.5, -0.8])
LR = 0.05
STEPS = 3
MU = optimizers.MOMENTUM


def grad(w: np.ndarray) -> np.ndarray:
    return A @ w


def sgd(w, wd):
    for _ in range(STEPS):
        g = grad(w) + wd * w  # torch's weight_decay: an L2 term in the gradient
        w = w - LR * g
    return w


def momentum(w, wd):
    v = np.zeros_like(w)
    for t in range(STEPS):
        g = grad(w) + wd * w
        v = g if t == 0 else MU * v + g  # heavy ball: v ← μ·v + g (the first step starts v at g)
        w = w - LR * v
    return w


def nesterov(w, wd):
    v = np.zeros_like(w)
    for t in range(STEPS):
        g = grad(w) + wd * w
        v = g if t == 0 else MU * v + g
        w = w - LR * (g + MU * v)  # the look-ahead, written in the current point's coordinates
    return w


def adagrad(w, wd, eps=1e-10):
    G = np.zeros_like(w)
    for _ in range(STEPS):
        g = grad(w) + wd * w
        G = G + g**2  # sum of every squared gradient so far
        w = w - LR * g / (np.sqrt(G) + eps)
    return w


def rmsprop(w, wd, alpha=0.99, eps=1e-8):
    s = np.zeros_like(w)
    for _ in range(STEPS):
        g = grad(w) + wd * w
        s = alpha * s + (1 - alpha) * g**2  # moving average of g², not a sum
        w = w - LR * g / (np.sqrt(s) + eps)
    return w


def adam(w, wd, b1=0.9, b2=0.999, eps=1e-8):
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, STEPS + 1):
        g = grad(w) + wd * w  # Adam's weight decay goes through the gradient (and then the normalizer)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        w = w - LR * m_hat / (np.sqrt(v_hat) + eps)
    return w


def adamw(w, wd, b1=0.9, b2=0.999, eps=1e-8):
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, STEPS + 1):
        g = grad(w)  # no decay in the gradient...
        w = w * (1 - LR * wd)  # ...the weights shrink directly (decoupled)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        w = w - LR * m_hat / (np.sqrt(v_hat) + eps)
    return w


TEXTBOOK = {"sgd": sgd, "momentum": momentum, "nesterov": nesterov, "adagrad": adagrad, "rmsprop": rmsprop,
            "adam": adam, "adamw": adamw}


def torch_run(name: str, wd: float) -> np.ndarray:
    w = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    opt = optimizers.make(name, [w], LR, wd)
    a = torch.tensor(A)
    for _ in range(STEPS):
        loss = 0.5 * w @ a @ w
        opt.zero_grad()
        loss.backward()
        opt.step()
    return w.detach().numpy()


def test_every_optimizer_has_a_textbook_formula_here():
    assert set(TEXTBOOK) == set(optimizers.OPTIMIZERS)


@pytest.mark.parametrize("name", list(optimizers.OPTIMIZERS))
@pytest.mark.parametrize("wd", [0.0, 0.1])
def test_torch_step_matches_the_textbook_rule(name, wd):
    expected = TEXTBOOK[name](W0.copy(), wd)
    got = torch_run(name, wd)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    assert not np.allclose(got, W0)  # it moved


def test_momentum_differs_from_sgd_after_the_first_step():
    assert not np.allclose(torch_run("momentum", 0.0), torch_run("sgd", 0.0))
    assert not np.allclose(torch_run("nesterov", 0.0), torch_run("momentum", 0.0))


def test_adamw_equals_adam_without_decay_and_differs_with_it():
    np.testing.assert_allclose(torch_run("adamw", 0.0), torch_run("adam", 0.0))
    assert not np.allclose(torch_run("adamw", 0.1), torch_run("adam", 0.1))
