"""A run's history as TensorBoard event files, for engineers who already watch training there.

    from neuralab.train.tensorboard import write
    write({"loss/train": losses, "loss/val": (epochs, val_losses)}, "runs/lab")
    # then: tensorboard --logdir runs

Each series is a sequence of numbers (logged at steps 0, 1, 2, ...) or a pair ``(steps, values)``. The file is
written with ``torch.utils.tensorboard.SummaryWriter``, so TensorBoard (or its ``EventAccumulator``) reads it as
it reads any torch run.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["curves_scalars", "loop_scalars", "write", "zipped"]

Series = Sequence[float] | np.ndarray | tuple[Sequence[int], Sequence[float]]


def write(scalars: Mapping[str, Series], logdir: str | Path) -> Path:
    """Write every series of ``scalars`` into one event file under ``logdir``; returns the file's path.

    Raises:
        ValueError: a series whose steps and values differ in length.
    """
    from torch.utils.tensorboard import SummaryWriter

    logdir = Path(logdir)
    logdir.mkdir(parents=True, exist_ok=True)
    series = {name: _steps_values(name, s) for name, s in scalars.items()}
    before = set(logdir.glob("events.out.tfevents.*"))
    with SummaryWriter(log_dir=str(logdir)) as writer:
        for name, (steps, values) in series.items():
            for step, value in zip(steps, values, strict=True):
                writer.add_scalar(name, value, global_step=step)
    made = sorted(set(logdir.glob("events.out.tfevents.*")) - before)
    return made[-1] if made else logdir


def _steps_values(name: str, s: Series) -> tuple[list[int], list[float]]:
    if isinstance(s, tuple) and len(s) == 2 and np.ndim(s[0]) == 1 and np.ndim(s[1]) == 1:
        steps, values = [int(x) for x in s[0]], [float(x) for x in s[1]]
    else:
        values = [float(x) for x in np.asarray(s, dtype=float).ravel()]
        steps = list(range(len(values)))
    if len(steps) != len(values):
        raise ValueError(f"series {name!r}: {len(steps)} steps but {len(values)} values")
    return steps, values


def loop_scalars(state: Any) -> dict[str, Series]:
    """The training loop's history (:class:`neuralab.train.stepwise.LoopState`) as TensorBoard series:
    the batch loss of every update so far, and the validation loss and accuracy after every epoch (step = epoch)."""
    return {"loss/batch": np.asarray(state.step_losses, dtype=float),
            "loss/validation": (list(state.val_epochs), list(state.val_losses)),
            "accuracy/validation": (list(state.val_epochs), list(state.val_accs))}


def curves_scalars(curves: Any) -> dict[str, Series]:
    """A playground run's per-epoch history (:class:`neuralab.train.playground.results.Curves`) as series, step =
    epoch (0 is the network before any update); the learning rate from epoch 1 (epoch 0 had none)."""
    lr = np.asarray(curves.lr, dtype=float)
    used = np.isfinite(lr)
    return {"loss/train": (list(curves.epoch), list(curves.train_loss)),
            "loss/test": (list(curves.epoch), list(curves.test_loss)),
            "metric/train": (list(curves.epoch), list(curves.train_metric)),
            "metric/test": (list(curves.epoch), list(curves.test_metric)),
            "lr": (list(np.asarray(curves.epoch)[used]), list(lr[used]))}


def zipped(scalars: Mapping[str, Series], run: str = "neuralab") -> bytes:
    """The event file of :func:`write` in a zip, under ``run/`` (unzip, then ``tensorboard --logdir .``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write(scalars, Path(tmp) / run)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(path, f"{run}/{path.name}")
        return buf.getvalue()
