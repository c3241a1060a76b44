"""torch's update rules on flat numpy buffers: one small function per optimizer, and a registry.

Each rule updates the parameters ``th`` in place from the gradient ``g`` (weight decay, when
not decoupled, already added to it), its state buffers ``m`` and ``v`` and a scratch buffer
``tmp``, all of the same shape, at learning rate ``lr`` on update number ``t`` (from 1).
Hyperparameters are torch's defaults; ``tests/train/test_fast.py`` checks each rule against
the matching ``torch.optim`` class update for update.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from neuralab.train.optimizers import MOMENTUM, OPTIMIZERS

__all__ = ["ADAGRAD_EPS", "ADAM_BETAS", "ADAM_EPS", "RMS_ALPHA", "RMS_EPS", "RULES", "step"]

ADAM_BETAS = (0.9, 0.999)  # torch's defaults for Adam and AdamW
ADAM_EPS = 1e-8
RMS_ALPHA, RMS_EPS = 0.99, 1e-8  # torch's RMSprop defaults
ADAGRAD_EPS = 1e-10  # torch's Adagrad default

Array = np.ndarray
Rule = Callable[[Array, Array, Array, Array, Array, float, int, float], None]


def sgd(th: Array, g: Array, m: Array, v: Array, tmp: Array, lr: float, t: int, wd: float) -> None:
    """θ ← θ − η·g."""
    np.multiply(g, lr, out=tmp)
    th -= tmp


def _velocity(g: Array, m: Array, t: int) -> None:
    """torch's momentum buffer: b ← g on the first update, then b ← μ·b + g (no dampening)."""
    if t == 1:
        m[:] = g
    else:
        m *= MOMENTUM
        m += g


def momentum(th: Array, g: Array, m: Array, v: Array, tmp: Array, lr: float, t: int, wd: float) -> None:
    """Heavy ball: θ ← θ − η·b."""
    _velocity(g, m, t)
    np.multiply(m, lr, out=tmp)
    th -= tmp


def nesterov(th: Array, g: Array, m: Array, v: Array, tmp: Array, lr: float, t: int, wd: float) -> None:
    """torch's Nesterov form: θ ← θ − η·(g + μ·b)."""
    _velocity(g, m, t)
    np.multiply(m, MOMENTUM, out=tmp)
    tmp += g
    tmp *= lr
    th -= tmp


def adam(th: Array, g: Array, m: Array, v: Array, tmp: Array, lr: float, t: int, wd: float) -> None:
    """m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − η·m̂ / (√v̂ + ε) with bias-corrected m̂, v̂."""
    b1, b2 = ADAM_BETAS
    m *= b1
    np.multiply(g, 1.0 - b1, out=tmp)
    m += tmp
    v *= b2
    np.multiply(g, g, out=tmp)
    tmp *= 1.0 - b2
    v += tmp
    np.sqrt(v, out=tmp)
    tmp *= 1.0 / math.sqrt(1.0 - b2**t)
    tmp += ADAM_EPS
    np.divide(m, tmp, out=tmp)
    tmp *= lr / (1.0 - b1**t)
    th -= tmp


def adamw(th: Array, g: Array, m: Array, v: Array, tmp: Array, lr: float, t: int, wd: float) -> None:
    """Adam after the decoupled decay θ ← θ·(1 − η·λ)."""
    if wd:
        th *= 1.0 - lr * wd
    adam(th, g, m, v, tmp, lr, t, wd)


def rmsprop(th: Array, g: Array, m: Array, v: Array, tmp: Array, lr: float, t: int, wd: float) -> None:
    """v ← αv + (1−α)g², θ ← θ − η·g / (√v + ε)."""
    v *= RMS_ALPHA
    np.multiply(g, g, out=tmp)
    tmp *= 1.0 - RMS_ALPHA
    v += tmp
    np.sqrt(v, out=tmp)
    tmp += RMS_EPS
    np.divide(g, tmp, out=tmp)
    tmp *= lr
    th -= tmp


def adagrad(th: Array, g: Array, m: Array, v: Array, tmp: Array, lr: float, t: int, wd: float) -> None:
    """v ← v + g², θ ← θ − η·g / (√v + ε)."""
    np.multiply(g, g, out=tmp)
    v += tmp
    np.sqrt(v, out=tmp)
    tmp += ADAGRAD_EPS
    np.divide(g, tmp, out=tmp)
    tmp *= lr
    th -= tmp


#: name -> rule, one per key of :data:`neuralab.train.optimizers.OPTIMIZERS`.
RULES: dict[str, Rule] = {"sgd": sgd, "momentum": momentum, "nesterov": nesterov, "adagrad": adagrad,
                          "rmsprop": rmsprop, "adam": adam, "adamw": adamw}
DECOUPLED = ("adamw",)  # rules that apply weight decay themselves (not through the gradient)


def step(name: str, th: Array, g: Array, m: Array, v: Array, tmp: Array, lr: float, t: int, wd: float) -> None:
    """One update of optimizer ``name``; weight decay goes into ``g`` first unless the rule decouples it."""
    try:
        rule = RULES[name]
    except KeyError:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}.") from None
    if wd and name not in DECOUPLED:
        np.multiply(th, wd, out=tmp)
        g += tmp
    rule(th, g, m, v, tmp, lr, t, wd)
