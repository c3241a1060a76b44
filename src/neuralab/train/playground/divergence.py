"""The sentence a diverged run gets: what blew up, what the engine measured then, what to change."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from neuralab.data import playground
from neuralab.train import divergence
from neuralab.train.playground.spec import GAIN_LIMIT, UNSCALED_RMS

if TYPE_CHECKING:  # the engine imports this module
    from neuralab.train.playground.engine import Engine

__all__ = ["diverged_sentence", "initial_gain"]


def diverged_sentence(eng: Engine, loss: float) -> str:
    """What blew up and when, what the engine measures at that moment, and what to change, most likely first.

    The measurements: the learning rate in force, the inputs' scale (root mean square of each training column:
    the loss's curvature, and so the largest stable learning rate, goes with its square) and, without
    normalization, the gain of the network at its initial weights (output RMS / input RMS on the training rows).
    """
    cfg, data = eng.cfg, eng.data
    what = divergence.what_blew_up(loss, eng._first_loss, cfg.explode)
    if math.isfinite(loss) and not np.isfinite(eng.theta).all():
        what = "stayed finite but some weights overflowed to infinity or NaN"
    when = f"by the end of epoch {eng.epoch} (update {eng.updates}), with the learning rate at {eng.lr:.3g}"
    rms = np.sqrt(np.mean(eng._Xtr**2, axis=0))
    k = int(np.argmax(rms))
    name = playground.FEATURES.get(data.feature_names[k], data.feature_names[k])
    if rms[k] > UNSCALED_RMS:
        seen = (f"The largest input, {name}, has a root mean square of {rms[k]:.3g} (1 for standardized inputs); "
                f"the loss's curvature grows with the square of the inputs' scale, and the largest stable learning "
                f"rate falls with it (roughly as 1/RMS²). ")
    else:
        seen = (f"The inputs are on a unit scale (largest root mean square {rms[k]:.2g}), so the learning rate "
                f"itself is the likely cause. ")
    fixes = [f"lower the learning rate ten-fold (to {eng.lr / 10:.3g})"]
    squared = [playground.FEATURES[f] for f in data.feature_names if f in ("x2", "y2", "xy")]
    if squared:
        fixes.append(f"drop {' and '.join(squared)}: {'it is' if len(squared) == 1 else 'they are'} far larger "
                     "than the other inputs")
    if cfg.optimizer in ("sgd", "momentum", "nesterov"):
        fixes.append("switch to Adam, which divides each step by the gradient's own recent size")
    gain = initial_gain(eng) if cfg.norm == "none" and len(cfg.sizes) > 2 else math.nan
    if gain > GAIN_LIMIT:
        narrow = min(cfg.sizes[1:-1])
        seen += (f"At its initial weights the network already multiplied its inputs' scale by {gain:.3g}; "
                 + (f"with hidden layers as narrow as {narrow} units that factor varies widely from seed to seed. "
                    if narrow <= 4 else "that factor varies from seed to seed. "))
        fixes.append("try another seed, wider layers, or batch or layer norm")
    if cfg.schedule == "constant":
        fixes.append("start with a warm-up schedule")
    return divergence.sentence(what, when, seen, fixes)


def initial_gain(eng: Engine) -> float:
    """Output RMS / input RMS on the training rows, at the run's initial weights (eval mode)."""
    saved = eng.theta.copy()
    try:
        eng.theta[:] = eng._init_theta
        with np.errstate(all="ignore"):
            out = eng.forward(eng._Xtr)[0]
    finally:
        eng.theta[:] = saved
    x = float(np.sqrt(np.mean(eng._Xtr**2)))
    return float(np.sqrt(np.mean(out**2))) / x if x > 0 else math.nan
