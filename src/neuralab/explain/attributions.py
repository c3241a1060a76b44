"""Attribution maps for any torch model: how much each input feature contributes to one output.

Four methods, all for one output ``f_c(x)`` (a logit, or a regression output) of a model ``f``:

* **saliency**: ``|∂f_c/∂x|``, the size of the input gradient (Simonyan et al., 2014). A local slope: how fast the
  output moves when one input moves, not how much that input contributed.
* **gradient × input**: ``x ⊙ ∂f_c/∂x``. For a linear model ``f_c = w·x + b`` it is each term ``wᵢxᵢ`` exactly: the
  contribution relative to the input 0, which for standardized inputs is the training mean.
* **integrated gradients** (Sundararajan et al., 2017): the gradient averaged along the straight path from a
  baseline ``x̄`` to ``x``, times the distance::

      IGᵢ(x) = (xᵢ − x̄ᵢ) · ∫₀¹ ∂f_c/∂xᵢ (x̄ + α (x − x̄)) dα

  By the fundamental theorem of calculus for path integrals, **completeness** holds: ``Σᵢ IGᵢ = f_c(x) − f_c(x̄)``.
  The integral is computed with ``m`` points; the error ``δ = Σᵢ IGᵢ − (f_c(x) − f_c(x̄))`` (captum's *convergence
  delta*) measures the quadrature. On a smooth path the midpoint rule's error falls as ``1/m²``; along the path a
  ReLU/max-pool network's output is piecewise linear, so the integrand is piecewise constant and jumps where a unit
  switches: each step that straddles a jump errs by up to ``|jump| / 2m``, so the error falls about as ``1/m``,
  erratically, and Gauss–Legendre points do no better.
* **occlusion** (Zeiler and Fergus, 2014): replace a window of inputs by the baseline and record how much ``f_c``
  falls; each input gets the mean fall over the windows that cover it. No gradient at all: a finite difference of
  window size. An input equal to the baseline everywhere its windows reach gets exactly 0.

The maps are captum's (:func:`attribute`); :func:`integrated_gradients` is the midpoint Riemann sum written out
(checked against captum's ``riemann_middle`` in the tests).

The trap, and its check (Adebayo et al., *Sanity checks for saliency maps*, 2018): a map can look convincing because
it mostly redraws the input. Compute the same map for the same architecture with random weights; a method whose map
barely changes (high rank correlation, :func:`rank_correlation`) explains the input, not the model.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import spearmanr
from torch import nn

__all__ = ["METHODS", "IG", "attribute", "integrated_gradients", "rank_correlation"]

#: The four methods, by key, with the name the page uses.
METHODS = {"saliency": "Saliency |∇f|", "gradient_x_input": "Gradient × input",
           "integrated_gradients": "Integrated gradients", "occlusion": "Occlusion"}


@dataclass(frozen=True)
class IG:
    """Integrated gradients of one input, and the completeness check."""

    attributions: torch.Tensor  # same shape as the input
    f_x: float  # f_c(x)
    f_baseline: float  # f_c(x̄)
    steps: int

    @property
    def delta(self) -> float:
        """Σ attributions − (f_c(x) − f_c(x̄)): the quadrature's error (0 for the exact integral)."""
        return float(self.attributions.sum()) - (self.f_x - self.f_baseline)


def integrated_gradients(model: nn.Module, x: torch.Tensor, baseline: torch.Tensor, target: int | None = None,
                         steps: int = 50) -> IG:
    """Integrated gradients of ``model``'s output ``target`` for one input ``x`` (shape (1, …)), midpoint rule.

    The path ``x̄ + α (x − x̄)`` is sampled at ``α_k = (k + ½) / m``, k = 0 … m − 1, and the gradients' mean times
    ``x − x̄`` approximates the integral. ``target`` is the output column (None for a model with one output per input).
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1; got {steps}.")
    x, baseline = x.detach(), baseline.detach().expand_as(x)
    alphas = (torch.arange(steps, dtype=x.dtype) + 0.5) / steps  # (m,)
    shape = (steps, *([1] * (x.dim() - 1)))
    path = (baseline + alphas.view(shape) * (x - baseline)).requires_grad_(True)  # (m, …) points on the path
    with torch.enable_grad():
        out = _column(model(path), target)  # (m,)
        (grads,) = torch.autograd.grad(out.sum(), path)  # (m, …) ∂f_c/∂x at each point
    with torch.no_grad():
        f_x, f_b = (float(_column(model(z), target)[0]) for z in (x, baseline[:1]))
    return IG((x - baseline) * grads.mean(0, keepdim=True), f_x, f_b, steps)


def _column(out: torch.Tensor, target: int | None) -> torch.Tensor:
    return out.reshape(len(out), -1)[:, 0] if target is None else out[:, target]


def attribute(model: nn.Module, x: torch.Tensor, method: str, target: int | None = None,
              baseline: torch.Tensor | None = None, steps: int = 50, window: tuple[int, ...] | None = None,
              ig_method: str = "gausslegendre") -> torch.Tensor:
    """One captum attribution map of ``model``'s output ``target`` for inputs ``x`` (N, …), same shape as ``x``.

    ``method`` is a key of :data:`METHODS`. ``baseline`` (broadcast against ``x``; default 0) is the reference of
    integrated gradients and the fill of occlusion; ``steps`` and ``ig_method`` are integrated gradients' quadrature;
    ``window`` is occlusion's window over one input's shape (default: 1 per feature), slid with stride 1.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}.")
    x = x.detach()
    b = torch.zeros_like(x) if baseline is None else baseline.detach().expand_as(x)
    with warnings.catch_warnings():  # captum warns that it switches on the input's gradient, which it must
        warnings.filterwarnings("ignore", message="Input Tensor 0 did not already require gradients")
        return _captum(model, x, method, target, b, steps, window, ig_method)


def _captum(model: nn.Module, x: torch.Tensor, method: str, target: int | None, b: torch.Tensor, steps: int,
            window: tuple[int, ...] | None, ig_method: str) -> torch.Tensor:
    from captum.attr import InputXGradient, IntegratedGradients, Occlusion, Saliency  # captum: only when asked

    if method == "saliency":
        return Saliency(model).attribute(x, target=target, abs=True).detach()
    if method == "gradient_x_input":
        return InputXGradient(model).attribute(x, target=target).detach()
    if method == "integrated_gradients":
        return IntegratedGradients(model).attribute(x, b, target=target, n_steps=steps, method=ig_method).detach()
    w = window or (1,) * (x.dim() - 1)
    return Occlusion(model).attribute(x, sliding_window_shapes=w, strides=(1,) * len(w), baselines=b[:1],
                                      target=target).detach()


def rank_correlation(a: np.ndarray | torch.Tensor, b: np.ndarray | torch.Tensor, absolute: bool = True) -> float:
    """Spearman's rank correlation of two maps, flattened (of their absolute values by default: which inputs matter
    most, whatever the sign). 1: the same order of importance; 0: unrelated. NaN if a map is constant."""
    a, b = (np.abs(np.asarray(m, dtype=np.float64)).ravel() if absolute else np.asarray(m, np.float64).ravel()
            for m in (a, b))
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)
