"""Adversarial examples under an L∞ budget: the fast gradient sign method and projected gradient descent.

An attacker may move every input feature by at most ``ε`` (the L∞ ball around ``x``) and wants the classifier's
loss ``L(f(x'), y)`` as large as possible. To first order ``L(x + δ) ≈ L(x) + δ·∇ₓL``; over the L∞ ball that
is largest at ``δ = ε · sign(∇ₓL)``, so **FGSM** (Goodfellow et al., 2015) takes one step::

    x' = clip(x + ε · sign(∇ₓ L(f(x), y)), lo, hi)

The first-order gain is ``ε · ‖∇ₓL‖₁``: it grows with the number of inputs, which is why many tiny changes add
up to a large one. **PGD** (the iterative FGSM of Kurakin et al., 2017, with Madry et al.'s 2018 random start)
repeats smaller steps of size ``α`` and projects back onto the ball (and the valid range) after each::

    x⁰ = x + U(−ε, ε)   (random start, optional)
    xᵏ⁺¹ = clip( clip(xᵏ + α · sign(∇ₓ L(f(xᵏ), y)), x − ε, x + ε), lo, hi )

PGD with one step, ``α = ε`` and no random start is FGSM. ``ε``, ``lo`` and ``hi`` may be numbers or
tensors that broadcast against one input (a budget per feature: in another unit than the model reads).

The trap: an attack is a lower bound on the damage, so the accuracy it leaves is an upper bound on the robust
accuracy. A model that resists FGSM may fall to PGD; one that resists both may still fall to a stronger attack.
Report the attack, its steps, step size, random starts and ``ε`` with every number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from neuralab.params import ParamError

__all__ = ["Attack", "Loss", "accuracy", "fgsm", "input_gradient", "margin_drop", "pgd", "run",
           "summed_cross_entropy"]

Bound = float | torch.Tensor
#: ``loss(outputs, y) -> scalar`` the attacker raises, summed over the batch (a mean would divide each input's
#: gradient by the batch size: the sign does not care, L2 steps and magnitude checks do).
Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def summed_cross_entropy(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The default objective: cross-entropy of each input against its label, summed over the batch."""
    return F.cross_entropy(out, y, reduction="sum")


def input_gradient(model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss: Loss = summed_cross_entropy
                   ) -> torch.Tensor:
    """``∇ₓ L(f(x), y)`` for each input (N, …): by default the cross-entropy of each input against its label.

    ``loss`` may be any objective of the outputs the attacker wants raised (for a regression, the output itself
    or its negative).

    Only the input's gradient is computed (``torch.autograd.grad``), so the model's ``.grad`` fields are untouched
    and the call is safe inside a training step; it works inside ``torch.no_grad()`` too.
    """
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(loss(model(x), y), x)
    return g


def _check(eps: Bound, steps: int = 1, alpha: float = 1.0) -> None:
    e = torch.as_tensor(eps)
    if not bool(torch.isfinite(e).all()) or bool((e < 0).any()):
        raise ParamError([f"eps must be a finite number ≥ 0 (the largest change of one input); got {eps}."])
    if not 1 <= steps <= 1000:
        raise ParamError([f"steps must be between 1 and 1000; got {steps}."])
    if not 0 < alpha <= 1:
        raise ParamError([f"alpha must be in (0, 1], a share of eps per step; got {alpha}."])


def _clip(x: torch.Tensor, lo: Bound | None, hi: Bound | None) -> torch.Tensor:
    if lo is not None:
        x = torch.maximum(x, torch.as_tensor(lo, dtype=x.dtype))
    if hi is not None:
        x = torch.minimum(x, torch.as_tensor(hi, dtype=x.dtype))
    return x


def fgsm(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: Bound, lo: Bound | None = None,
         hi: Bound | None = None) -> torch.Tensor:
    """One step of size ``eps`` along the sign of the loss's input gradient, clipped to ``[lo, hi]``.

    Args:
        model: a classifier returning logits; put it in eval mode first (dropout would change the gradient).
        x: (N, …) inputs, in the unit the model reads.
        y: (N,) true classes.
        eps: the L∞ budget, a number or a tensor broadcasting against one input.
        lo, hi: the valid range of the inputs (numbers or tensors), or None for no limit.

    Returns:
        The adversarial inputs, detached, with ``|x' − x| ≤ eps`` everywhere.
    """
    _check(eps)
    g = input_gradient(model, x, y)
    return _clip(x.detach() + torch.as_tensor(eps, dtype=x.dtype) * g.sign(), lo, hi).detach()


def pgd(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: Bound, steps: int = 10, alpha: float = 0.25,
        lo: Bound | None = None, hi: Bound | None = None, random_start: bool = True, seed: int = 0,
        loss: Loss = summed_cross_entropy) -> torch.Tensor:
    """Projected gradient descent on the loss (ascent, for the attacker) inside the L∞ ball of radius ``eps``.

    Args:
        steps: gradient-sign steps.
        alpha: the step size as a share of ``eps`` (0.25: a step of ε/4; with 10 steps the attack can cross the
            ball more than once, which it needs to turn corners).
        random_start: start from a uniform random point of the ball (drawn from ``seed``), as Madry et al. do;
            without it and with ``steps=1, alpha=1`` this is :func:`fgsm`.
        loss: the objective raised, ``loss(outputs, y)`` summed over the batch (default: the cross-entropy).
        The other arguments as for :func:`fgsm`.
    """
    _check(eps, steps, alpha)
    e = torch.as_tensor(eps, dtype=x.dtype)
    x0 = x.detach()
    if random_start:
        gen = torch.Generator().manual_seed(seed)
        xk = x0 + e * (2 * torch.rand(x0.shape, generator=gen, dtype=x0.dtype) - 1)
    else:
        xk = x0.clone()
    xk = _clip(xk, lo, hi)
    for _ in range(steps):
        xk = xk + alpha * e * input_gradient(model, xk, y, loss).sign()
        xk = _clip(torch.minimum(torch.maximum(xk, x0 - e), x0 + e), lo, hi)  # project on the ball, then the range
    return xk.detach()


@dataclass(frozen=True)
class Attack:
    """An attack by name, with its settings: what every accuracy must be reported with."""

    name: str  # "fgsm" or "pgd"
    steps: int = 10  # PGD only
    alpha: float = 0.25  # PGD only: step size as a share of ε
    random_start: bool = True  # PGD only

    def __post_init__(self) -> None:
        if self.name not in ("fgsm", "pgd"):
            raise ParamError([f"attack must be fgsm or pgd; got {self.name!r}."])

    def __str__(self) -> str:
        return "FGSM" if self.name == "fgsm" else f"PGD-{self.steps}"


def run(attack: Attack, model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: Bound, lo: Bound | None = None,
        hi: Bound | None = None, seed: int = 0) -> torch.Tensor:
    """The adversarial inputs of ``attack`` (ε = 0 returns ``x`` itself)."""
    if not bool(torch.as_tensor(eps).any()):
        _check(eps)
        return x.detach().clone()
    if attack.name == "fgsm":
        return fgsm(model, x, y, eps, lo, hi)
    return pgd(model, x, y, eps, attack.steps, attack.alpha, lo, hi, attack.random_start, seed)


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Share of inputs classified correctly (0..1)."""
    return float((model(x).argmax(1) == y).double().mean())


def margin_drop(w: tuple[float, ...], eps: float) -> float:
    """How much FGSM at ``eps`` shrinks the margin of a two-class linear model whose class weights differ by ``w``.

    Measured by running :func:`fgsm` on a ``torch.nn.Linear``; it equals ``eps · ‖w‖₁``, the largest drop any
    L∞ change of ``eps`` can cause, because a linear model's input gradient points the same way everywhere.
    """
    lin = nn.Linear(len(w), 2, dtype=torch.float64)
    with torch.no_grad():
        lin.weight.copy_(torch.stack([torch.tensor(w, dtype=torch.float64), torch.zeros(len(w), dtype=torch.float64)]))
        lin.bias.zero_()
    x, y = torch.zeros(1, len(w), dtype=torch.float64), torch.tensor([0])
    with torch.no_grad():
        before = lin(x)
        after = lin(fgsm(lin, x, y, eps))
    return float((before[0, 0] - before[0, 1]) - (after[0, 0] - after[0, 1]))
