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

__all__ = ["SCHEDULE", "SCHEDULES", "make", "lr_curve", "PLATEAU_FACTOR", "PLATEAU_PATIENCE"]

SCHEDULES: dict[str, str] = {
    "constant": "Constant",
    "step": "Step decay (×0.1 every third of the run)",
    "exponential": "Exponential (to 1% by the end)",
    "cosine": "Cosine annealing",
    "warmup_cosine": "Linear warm-up, then cosine",
    "sgdr": "Cosine with warm restarts (SGDR)",
    "plateau": "Reduce on plateau",
    "cyclical": "Cyclical (triangular)",
    "one_cycle": "One-cycle",
}
SCHEDULE = Choice(tuple(SCHEDULES.items()), default="constant", label="Schedule")

PLATEAU_FACTOR = 0.5  # reduce-on-plateau multiplies the LR by this ...
PLATEAU_PATIENCE = 3  # ... after this many epochs without a new best validation loss
WARMUP_FRAC = 0.1  # warm-up share of the run for warmup_cosine


def make(name: str, optimizer: torch.optim.Optimizer, epochs: int
         ) -> lr_scheduler.LRScheduler | lr_scheduler.ReduceLROnPlateau:
    """A scheduler for ``epochs`` epochs, stepped after each one.

    ``plateau`` must be stepped with the epoch's validation loss: ``sched.step(val_loss)``.
    """
    if name not in SCHEDULES:
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}; got {name!r}.")
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1; got {epochs}.")
    lr = optimizer.param_groups[0]["lr"]
    if name == "constant":
        return lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0)
    if name == "step":
        return lr_scheduler.StepLR(optimizer, step_size=max(1, math.ceil(epochs / 3)), gamma=0.1)
    if name == "exponential":
        return lr_scheduler.ExponentialLR(optimizer, gamma=0.01 ** (1 / max(1, epochs - 1)))
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, epochs - 1))
    if name == "warmup_cosine":
        warm = max(1, round(WARMUP_FRAC * epochs))
        return lr_scheduler.SequentialLR(
            optimizer,
            [lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=warm),
             lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, epochs - 1 - warm))],
            milestones=[warm],
        )
    if name == "sgdr":  # restarts after T0, 2·T0, 4·T0 epochs: three cycles fill the run
        return lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=max(1, epochs // 7), T_mult=2)
    if name == "plateau":
        return lr_scheduler.ReduceLROnPlateau(optimizer, factor=PLATEAU_FACTOR, patience=PLATEAU_PATIENCE)
    if name == "cyclical":
        return lr_scheduler.CyclicLR(optimizer, base_lr=lr / 10, max_lr=lr, step_size_up=max(1, epochs // 8),
                            cycle_momentum=False)
    # one_cycle: warms up to lr over 30% of the run, then anneals far below the start
    return lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs + 1)


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
