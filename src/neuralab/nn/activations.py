"""The activation functions of :data:`neuralab.nn.models.ACTIVATIONS`, and where their gradient fades.

For each function the curve ``f(x)`` comes from torch's own module and the derivative
``f'(x)`` from torch autograd (no hand-written formulas), on a grid over ``[-x_max, x_max]``.
Two ways a unit stops learning are marked:

* **saturated**: ``0 < |f'(x)| < threshold``. The gradient passed back is multiplied by
  ``f'``; a sigmoid's ``f'`` never exceeds 0.25, so ten stacked sigmoids shrink it by 4¹⁰ ≈ 10⁶.
* **dead**: ``f'(x) = 0`` exactly. A ReLU with a negative input passes back nothing at
  all; if a unit's input is negative for every sample, its weights never change again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from neuralab.nn.models import ACTIVATION, ACTIVATIONS
from neuralab.params import Float, Int, ParamSpec

__all__ = ["EXPLORER", "Curve", "Summary", "curve", "summary_table"]

EXPLORER = ParamSpec(
    "activations",
    act=ACTIVATION,
    x_max=Float(1.0, 10.0, 6.0, step=0.5, label="Input range ±", help="The curves span −x_max … +x_max."),
    threshold=Float(1e-4, 0.1, 0.01, step=0.25, log=True, label="Saturation threshold",
                    help="|f′| below this counts as saturated: the unit passes back almost no gradient."),
    n_points=Int(101, 2001, 801, step=100, label="Grid points", help="How finely the curve is sampled."),
)


@dataclass(frozen=True)
class Curve:
    """One activation function and its derivative on a grid."""

    name: str  # key of ACTIVATIONS
    label: str  # its display name
    x: np.ndarray  # (n,) inputs (pre-activations z)
    f: np.ndarray  # (n,) f(x), from the torch module
    df: np.ndarray  # (n,) f'(x), from torch autograd
    saturated: np.ndarray  # (n,) bool: 0 < |f'| < threshold
    dead: np.ndarray  # (n,) bool: f' == 0 exactly
    threshold: float  # the saturation threshold used
    slope_at_zero: float  # f'(0) exactly, from autograd at x = 0 (torch takes ReLU'(0) = 0)

    @property
    def frac_saturated(self) -> float:
        return float(self.saturated.mean())

    @property
    def frac_dead(self) -> float:
        return float(self.dead.mean())

    @property
    def max_slope(self) -> float:
        return float(np.abs(self.df).max())


@dataclass(frozen=True)
class Summary:
    """One row of the comparison table."""

    name: str  # key of ACTIVATIONS
    label: str
    frac_saturated: float  # share of the range with 0 < |f'| < threshold
    frac_dead: float  # share of the range with f' == 0
    max_slope: float  # max |f'| on the range: above 1 can amplify, below 1 always shrinks a gradient
    slope_at_zero: float  # f'(0)
    f_range: tuple[float, float]  # min and max of f on the range


def curve(act: str, x_max: float = 6.0, threshold: float = 0.01, n_points: int = 801) -> Curve:
    """``f`` and ``f'`` of activation ``act`` on ``n_points`` evenly spaced inputs in ``[-x_max, x_max]``."""
    v = EXPLORER.validate(act=act, x_max=x_max, threshold=threshold, n_points=n_points)
    return _curve(v["act"], v["x_max"], v["threshold"], v["n_points"])


@lru_cache(maxsize=128)
def _curve(act: str, x_max: float, threshold: float, n_points: int) -> Curve:
    label, cls = ACTIVATIONS[act]
    x = torch.linspace(-x_max, x_max, n_points, dtype=torch.float64, requires_grad=True)
    y = cls()(x)
    (grad,) = torch.autograd.grad(y.sum(), x)  # elementwise f: the gradient of Σf is f'(x) at each x
    df = grad.numpy()
    dead = df == 0.0
    saturated = (np.abs(df) < threshold) & ~dead
    xs, fs = x.detach().numpy(), y.detach().numpy()
    for a in (xs, fs, df, dead, saturated):
        a.setflags(write=False)
    zero = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    (g0,) = torch.autograd.grad(cls()(zero).sum(), zero)
    return Curve(act, label, xs, fs, df, saturated, dead, threshold, float(g0))


def summary_table(x_max: float = 6.0, threshold: float = 0.01, n_points: int = 801) -> list[Summary]:
    """Every activation of :data:`ACTIVATIONS` on the same range and threshold."""
    rows = []
    for name in ACTIVATIONS:
        c = curve(name, x_max, threshold, n_points)
        rows.append(Summary(name, c.label, c.frac_saturated, c.frac_dead, c.max_slope, c.slope_at_zero,
                            (float(c.f.min()), float(c.f.max()))))
    return rows
