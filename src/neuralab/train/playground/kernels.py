"""Activation functions and their slopes in numpy: one registry entry per activation.

Each :class:`Kernel` holds, side by side, torch's module (the definition it must match),
the numpy value ``f(z)`` written into a preallocated array, and the slope ``f'(z)`` computed
from ``z`` and ``a = f(z)``. ``tests/train/test_fast.py`` checks every entry against torch's
module and autograd. The engine's inner loop calls :func:`value_into` and :func:`slope_into`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import erf, expit
from torch import nn

from neuralab.nn.models import ACTIVATIONS

__all__ = ["KERNELS", "LEAKY_SLOPE", "Kernel", "slope", "slope_into", "value", "value_into"]

LEAKY_SLOPE = 0.01  # torch's LeakyReLU default
_SQRT2 = math.sqrt(2.0)
_INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)

Array = np.ndarray


@dataclass(frozen=True)
class Kernel:
    """One activation: torch's module, f(z) into ``out``, f'(z) from z and a = f(z), and the peak of |f'|."""

    torch: type[nn.Module]  # the definition the two functions follow
    f: Callable[[Array, Array], Array]  # (z, out) -> out = f(z)
    slope: Callable[[Array, Array], Array]  # (z, a) -> f'(z)
    peak: float  # max |f'|: a unit is "saturated" where its slope is far below this


def _into(fn: Callable[[Array], Array]) -> Callable[[Array, Array], Array]:
    def write(z: Array, out: Array) -> Array:
        out[...] = fn(z)
        return out

    return write


def _linear(z: Array, out: Array) -> Array:
    np.copyto(out, z)
    return out


#: name -> kernel, one per key of :data:`neuralab.nn.models.ACTIVATIONS`. ReLU's slope at 0 is 0, as in torch;
#: GELU is the exact erf form (torch's default).
KERNELS: dict[str, Kernel] = {
    "tanh": Kernel(nn.Tanh, lambda z, out: np.tanh(z, out=out), lambda z, a: 1.0 - a * a, 1.0),
    "relu": Kernel(nn.ReLU, lambda z, out: np.maximum(z, 0.0, out=out), lambda z, a: (z > 0).astype(z.dtype), 1.0),
    "sigmoid": Kernel(nn.Sigmoid, lambda z, out: expit(z, out=out), lambda z, a: a * (1.0 - a), 0.25),
    "linear": Kernel(nn.Identity, _linear, lambda z, a: np.ones_like(z), 1.0),
    "leaky_relu": Kernel(nn.LeakyReLU, _into(lambda z: np.where(z > 0, z, LEAKY_SLOPE * z)),
                         lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE), 1.0),
    "elu": Kernel(nn.ELU, _into(lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))),
                  lambda z, a: np.where(z > 0, 1.0, a + 1.0), 1.0),
    "gelu": Kernel(nn.GELU, _into(lambda z: 0.5 * z * (1.0 + erf(z / _SQRT2))),
                   lambda z, a: 0.5 * (1.0 + erf(z / _SQRT2)) + z * _INV_SQRT2PI * np.exp(-0.5 * z * z), 1.129),
    "silu": Kernel(nn.SiLU, _into(lambda z: z * expit(z)),
                   lambda z, a: expit(z) * (1.0 + z * (1.0 - expit(z))), 1.1),
}


def _kernel(name: str) -> Kernel:
    try:
        return KERNELS[name]
    except KeyError:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {name!r}.") from None


def value_into(name: str, z: Array, out: Array) -> Array:
    """out ← f(z)."""
    return _kernel(name).f(z, out)


def value(name: str, z: Array) -> Array:
    """f(z) in a new array."""
    return value_into(name, z, np.empty_like(z))


def slope(name: str, z: Array, a: Array) -> Array:
    """f'(z), given z and a = f(z)."""
    return _kernel(name).slope(z, a)


def slope_into(name: str, z: Array, a: Array, out: Array) -> Array:
    """out ← f'(z), without temporaries for the common activations (the training hot path)."""
    if name == "tanh":
        np.multiply(a, a, out=out)
        return np.subtract(1.0, out, out=out)
    if name == "relu":
        return np.sign(a, out=out)  # a = max(z, 0) ≥ 0: sign(a) is 1 where z > 0 and 0 elsewhere, ReLU's slope
    if name == "sigmoid":
        np.subtract(1.0, a, out=out)
        return np.multiply(out, a, out=out)
    out[...] = slope(name, z, a)
    return out
