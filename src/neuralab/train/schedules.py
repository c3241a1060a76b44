"""Learning-rate schedules by name, each built from ``torch.optim.lr_scheduler``.

Every schedule here is stepped once per epoch. The formulas are torch's; this module
only chooses their settings from the run's length so that every schedule spans it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch.optim import lr_scheduler

from neuralab.params import Choice

__all__ = ["SCHEDULE", "SCHEDULES", "make", "settings", "source", "lr_curve", "PLATEAU_FACTOR", "PLATEAU_PATIENCE"]

SCHEDULES: dict[str, str] = {
    "constant": "Constant",
    "step": "Step decay (×0.1 every third of the schedule)",
    "exponential": "Exponential (to 1% by the schedule's end)",
    "cosine": "Cosine annealing",
    "warmup_cosine": "Linear warm-up, then cosine",
    "sgdr": "Cosine with warm restarts (SGDR)",
    "plateau": "Reduce on plateau",
    "cyclical": "Cyclical (triangular)",
    "one_cycle": "One-cycle",
}
SCHEDULE = Choice(tuple(SCHEDULES.items()), default="constant", label="Schedule")

# What each schedule does once its length (``epochs``) is over, when training goes on; a test checks
# the numbers against lr_curve over the playground's range of lengths.
AFTER_LENGTH: dict[str, str] = {
    "constant": "constant: ignores it",
    "step": "step decay: 1%",
    "exponential": "exponential: 1%",
    "cosine": "cosine: 0, nothing more is learned",
    "warmup_cosine": "warm-up + cosine: 0, nothing more is learned",
    "sgdr": "SGDR: where its last cycle ended, mostly near 100%",
    "plateau": "reduce on plateau: has no length, it reacts to the test loss every epoch",
    "cyclical": "cyclical: where its cycle ended",
    "one_cycle": "one-cycle: under 5%, near 0 for long lengths",
}
assert AFTER_LENGTH.keys() == SCHEDULES.keys()

PLATEAU_FACTOR = 0.5  # reduce-on-plateau multiplies the LR by this ...
PLATEAU_PATIENCE = 3  # ... after this many epochs without a new best validation loss
WARMUP_FRAC = 0.1  # warm-up share of the run for warmup_cosine


Arg = tuple[object, str]  # a keyword argument's value and the Python text that computes it


def _a(value: object, text: str | None = None) -> Arg:
    return value, repr(value) if text is None else text


def settings(name: str, lr: float, epochs: int) -> tuple[str, dict[str, Arg]]:
    """The ``torch.optim.lr_scheduler`` class of schedule ``name`` over ``epochs`` epochs, and its arguments.

    Each argument is ``(value, text)``: the text is Python that computes the same value from ``LR``
    (the initial learning rate), so an exported script can build the very scheduler :func:`make` builds.
    ``SequentialLR``'s ``schedulers`` holds ``(class, arguments)`` pairs.
    """
    if name not in SCHEDULES:
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}; got {name!r}.")
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1; got {epochs}.")
    last = max(1, epochs - 1)
    if name == "constant":
        return "ConstantLR", {"factor": _a(1.0), "total_iters": _a(0)}
    if name == "step":
        return "StepLR", {"step_size": _a(max(1, math.ceil(epochs / 3))), "gamma": _a(0.1)}
    if name == "exponential":
        return "ExponentialLR", {"gamma": _a(0.01 ** (1 / last), f"0.01 ** (1 / {last})")}
    if name == "cosine":
        return "CosineAnnealingLR", {"T_max": _a(last)}
    if name == "warmup_cosine":
        warm = max(1, round(WARMUP_FRAC * epochs))
        parts = [("LinearLR", {"start_factor": _a(0.1), "total_iters": _a(warm)}),
                 ("CosineAnnealingLR", {"T_max": _a(max(1, epochs - 1 - warm))})]
        return "SequentialLR", {"schedulers": (parts, ""), "milestones": _a([warm])}
    if name == "sgdr":  # restarts after T0, 2·T0, 4·T0 epochs: three cycles fill the run
        return "CosineAnnealingWarmRestarts", {"T_0": _a(max(1, epochs // 7)), "T_mult": _a(2)}
    if name == "plateau":
        return "ReduceLROnPlateau", {"factor": _a(PLATEAU_FACTOR), "patience": _a(PLATEAU_PATIENCE)}
    if name == "cyclical":
        return "CyclicLR", {"base_lr": _a(lr / 10, "LR / 10"), "max_lr": _a(lr, "LR"),
                            "step_size_up": _a(max(1, epochs // 8)), "cycle_momentum": _a(False)}
    # one_cycle: warms up to lr over 30% of the run, then anneals far below the start
    return "OneCycleLR", {"max_lr": _a(lr, "LR"), "total_steps": _a(epochs + 1)}


def make(name: str, optimizer: torch.optim.Optimizer, epochs: int
         ) -> lr_scheduler.LRScheduler | lr_scheduler.ReduceLROnPlateau:
    """A scheduler for ``epochs`` epochs, stepped after each one (built from :func:`settings`).

    ``plateau`` must be stepped with the epoch's validation loss: ``sched.step(val_loss)``.
    """
    cls, args = settings(name, optimizer.param_groups[0]["lr"], epochs)
    return _build(optimizer, cls, args)


def _build(optimizer: torch.optim.Optimizer, cls: str, args: dict[str, Arg]) -> lr_scheduler.LRScheduler:
    kw = {k: ([_build(optimizer, c, a) for c, a in v[0]] if k == "schedulers" else v[0]) for k, v in args.items()}
    return getattr(lr_scheduler, cls)(optimizer, **kw)


def source(name: str, epochs: int, optimizer: str = "opt", lr: float = 1.0) -> str:
    """Python text that builds :func:`make`'s scheduler, e.g.
    ``torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=999)``; it reads ``LR`` for the initial rate."""
    return _source(optimizer, *settings(name, lr, epochs))


def _source(optimizer: str, cls: str, args: dict[str, Arg]) -> str:
    parts = [optimizer]
    for k, (value, text) in args.items():
        if k == "schedulers":
            text = "[" + ", ".join(_source(optimizer, c, a) for c, a in value) + "]"
        parts.append(f"{k}={text}")
    return f"torch.optim.lr_scheduler.{cls}({', '.join(parts)})"


def step(sched: lr_scheduler.LRScheduler | lr_scheduler.ReduceLROnPlateau, val_loss: float) -> None:
    """Advance one epoch; reduce-on-plateau reads the validation loss, the others ignore it."""
    if isinstance(sched, lr_scheduler.ReduceLROnPlateau):
        sched.step(val_loss)
    else:
        sched.step()


def lr_curve(name: str, lr: float, epochs: int, val_losses: Sequence[float] | None = None) -> np.ndarray:
    """The LR each epoch would use, read back from torch's own scheduler on a dummy parameter.

    ``plateau`` needs the validation losses it would react to; without them it stays flat.
    """
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = make(name, opt, epochs)
    out = np.empty(epochs)
    opt.step()  # no gradient, so nothing moves; torch only checks that a step came before the scheduler's
    for e in range(epochs):  # (one step is enough: an optimizer step per epoch cost 5x the whole loop)
        out[e] = opt.param_groups[0]["lr"]
        step(sched, float(val_losses[e]) if val_losses is not None and e < len(val_losses) else 1.0)
    return out
