"""The learning rate on a real network: schedule shapes, schedules compared, the range test, the scaling rule.

Everything trains a small MLP (64 → 32 → 10, ReLU) on scikit-learn's handwritten
digits through :func:`neuralab.train.loop.fit`, with torch's own optimizers and
schedulers. The three training experiments also take ``dataset="user:<id>"``, one of the
learner's tables, or :class:`~neuralab.data.arrays.Arrays` (:func:`neuralab.data.source.resolve`):
the network's input and output widths follow the data (features → 32 → classes, or one
output trained on the mean squared error for a numeric target). The four experiments:

* :func:`curve`: the LR a schedule would use at each epoch (torch's scheduler on a dummy parameter).
* :func:`compare`: the nine schedules trained side by side at one initial LR and length.
* :func:`range_test`: Smith's LR range test: raise the LR geometrically every mini-batch,
  watch the smoothed loss, stop when it blows up, and suggest a starting LR; then train at it.
* :func:`scaling`: the linear scaling rule, LR ∝ batch size, against a fixed LR, at a fixed number of epochs.

Heavy results are cached in memory by their arguments: every run is deterministic.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
import torch
from torch.optim import lr_scheduler

from neuralab.data import source
from neuralab.data.arrays import Arrays
from neuralab.nn.models import mlp
from neuralab.nn.runtime import one_thread
from neuralab.params import SEED, Choice, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.train import optimizers, schedules
from neuralab.train.loop import Config, History, _loss_fn, fit

__all__ = [
    "BATCHES", "CHECK_EPOCHS", "COMPARE", "CURVE", "RANGE", "SCALING", "Comparison", "CheckRun", "Curve",
    "RangeTest", "Scaling", "ScalingRun", "ScheduleRun", "about", "compare", "curve", "range_test", "scaling",
]

HIDDEN = 32  # hidden units of the MLP every experiment trains
COMPARE_BATCH = 256  # mini-batch of the schedule comparison: 5 updates an epoch keep 9 runs × 100 epochs a few seconds
RANGE_BATCH = 32  # mini-batch of the range test and of the runs that check its suggestion
RANGE_LR = (1e-5, 10.0)  # the range test sweeps the LR geometrically between these
RANGE_BETA = 0.95  # smoothing of the range test's loss: an exponential moving average, bias-corrected
RANGE_BLOWUP = 4.0  # the range test stops when the smoothed loss exceeds this multiple of its minimum
CHECK_EPOCHS = 15  # length of the short runs that try the range test's suggestions
BASE_BATCH = 32  # the scaling rule's reference batch: the LR slider sets the LR at this size
BATCHES = (16, 32, 64, 128, 256, 512, 1024)  # batch sizes of the scaling experiment (the training set has 1,077)
MAX_TRAIN = 4_000  # a user table's training rows these runs keep (seeded): every job within ~4× the digits' time

#: The optimizers offered here: plain SGD feels the schedule most, Adam least.
OPTIMIZER = Choice(tuple((k, optimizers.OPTIMIZERS[k][0]) for k in ("sgd", "momentum", "adam")),
                   default="momentum", label="Optimizer",
                   help="Plain SGD steps by LR × gradient; momentum adds up to ten such steps in a steady slope; "
                   "Adam rescales the step of every weight.")
LR = Float(1e-4, 1.0, 1e-2, step=0.1, log=True, label="Initial learning rate",
           help="The LR the schedule starts from (one-cycle peaks at it; cyclical swings up to it).")
EPOCHS = Int(10, 200, 100, step=10, label="Epochs", help="Length of the run; every schedule stretches to fit it.")
STEPS = Int(100, 500, 300, step=50, label="Range-test steps", unit="batches",
            help=f"Mini-batches of {RANGE_BATCH} over which the LR rises from {RANGE_LR[0]:g} to {RANGE_LR[1]:g}.")
BASE_LR = Float(1e-3, 1.0, 10**-1.5, step=0.1, log=True, label=f"LR at batch {BASE_BATCH}",
                help="The scaled runs use this × batch / 32; the fixed runs use it at every batch size.")
SCALE_EPOCHS = Int(5, 30, 10, step=5, label="Epochs per run", help="The same for every batch size.")

SCHEDULE = Choice(schedules.SCHEDULE.options, default="cosine", label="Schedule",
                  help="Each is a torch.optim.lr_scheduler class, with settings chosen to span the run.")

CURVE = ParamSpec("lr_curve", schedule=SCHEDULE, lr=LR, epochs=EPOCHS)
COMPARE = ParamSpec("lr_compare", lr=LR, epochs=EPOCHS, optimizer=OPTIMIZER, seed=SEED, dataset=source.DATASET)
RANGE = ParamSpec("lr_range", optimizer=OPTIMIZER, steps=STEPS, seed=SEED, dataset=source.DATASET)
SCALING = ParamSpec("lr_scaling", base_lr=BASE_LR, scale_epochs=SCALE_EPOCHS, seed=SEED, dataset=source.DATASET)




T = TypeVar("T")
_CACHE: OrderedDict[Hashable, Any] = OrderedDict()
_CACHE_SIZE = 32  # results kept; each is a few hundred kB at most


def _cached(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per key (least recently used dropped): the runs are deterministic."""
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    value = compute()
    _CACHE[key] = value
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return value


# ----------------------------------------------------------------------------- the shape of a schedule


@dataclass(frozen=True)
class Curve:
    """The LR a schedule sets at each epoch."""

    schedule: str  # key of schedules.SCHEDULES
    lr: float  # initial (for one-cycle and cyclical: peak) LR
    epochs: int
    values: np.ndarray  # (epochs,) LR used during epochs 1 … epochs

    @property
    def ratio(self) -> float:
        """Last epoch's LR over the first epoch's: how far the schedule brings the LR down (or up)."""
        return float(self.values[-1] / self.values[0])


def curve(schedule: str, lr: float, epochs: int) -> Curve:
    """The LR per epoch, read back from torch's scheduler (see :func:`neuralab.train.schedules.lr_curve`).

    Reduce-on-plateau depends on the validation loss, which a preview does not have. It
    is drawn here for a loss that never improves after the first epoch: the fastest it
    can fall (×0.5 every patience + 1 epochs). In a real run it falls later, or never.
    About 1–3 ms.
    """
    CURVE.validate(schedule=schedule, lr=lr, epochs=epochs)
    return Curve(schedule, lr, epochs, _lr_curve(schedule, float(lr), int(epochs)))


@lru_cache(maxsize=512)
def _lr_curve(schedule: str, lr: float, epochs: int) -> np.ndarray:
    flat = np.ones(epochs) if schedule == "plateau" else None
    values = schedules.lr_curve(schedule, lr, epochs, flat)
    values.setflags(write=False)  # shared by every caller of the cache
    return values


# ----------------------------------------------------------------------------- schedules on a real run


@dataclass(frozen=True)
class ScheduleRun:
    """One schedule's training run (index 0 of the loss arrays is before training)."""

    schedule: str  # key of schedules.SCHEDULES
    lr: np.ndarray  # (epochs_run,) LR used in each epoch
    train_loss: np.ndarray  # (epochs_run + 1,) cross-entropy (nats) or MSE on the whole training set
    val_loss: np.ndarray  # (epochs_run + 1,) the same on the validation set
    val_acc: np.ndarray  # (epochs_run + 1,) validation accuracy (0–1), or R² for a numeric target
    diverged: str  # empty, or the loop's sentence about what blew up

    @property
    def final_loss(self) -> float:
        """Validation loss after the last epoch; NaN when the run diverged."""
        return math.nan if self.diverged else float(self.val_loss[-1])


@dataclass(frozen=True)
class Comparison:
    """Every schedule trained from the same weights on the same batches."""

    lr: float  # initial LR
    epochs: int
    optimizer: str  # key of optimizers.OPTIMIZERS
    seed: int  # split, weights and batch order
    batch_size: int
    runs: tuple[ScheduleRun, ...]  # one per schedule, in SCHEDULES order
    task: str = "classification"  # or "regression": losses are then MSE and val_acc is R²
    about: str = ""  # what was trained on, in a sentence (neuralab.data.source)

    def run(self, schedule: str) -> ScheduleRun:
        return next(r for r in self.runs if r.schedule == schedule)

    @property
    def ranked(self) -> list[ScheduleRun]:
        """Runs from lowest to highest final validation loss; diverged runs last."""
        return sorted(self.runs, key=lambda r: (bool(r.diverged), r.final_loss if not r.diverged else 0.0))


def _schedule_run(name: str, h: History) -> ScheduleRun:
    return ScheduleRun(name, np.array(h.lr[1:]), np.array(h.train_loss), np.array(h.val_loss),
                       np.array(h.val_metric), h.diverged)


def about(dataset: str | Arrays = source.DIGITS, seed: int = 0) -> str:
    """What the runs train on, in a sentence (a table beyond ``MAX_TRAIN`` training rows is sampled, and says so)."""
    return source.resolve(dataset, seed, MAX_TRAIN).sentence


def _net(data: Arrays, seed: int) -> torch.nn.Module:
    """The MLP every experiment trains: the data's features → HIDDEN → its classes (or one output)."""
    return mlp((data.n_features, HIDDEN, data.n_outputs), seed=seed)


def compare(lr: float, epochs: int, optimizer: str, seed: int, dataset: str | Arrays = source.DIGITS,
            progress: Progress = quiet) -> Comparison:
    """Train the MLP once per schedule at initial LR ``lr`` for ``epochs`` epochs.

    Same split, same initial weights, same batch order (all fixed by ``seed``): the
    schedule is the only difference. Mini-batches of 256, so 5 updates an epoch. About
    0.4 s per 100 epochs per schedule on one idle core (digits); cached by the arguments.
    ``dataset``: ``"digits"``, ``"user:<id>"`` or Arrays (see :mod:`neuralab.data.source`).
    """
    COMPARE.validate(lr=lr, epochs=epochs, optimizer=optimizer, seed=seed)
    src = source.resolve(dataset, seed, MAX_TRAIN)

    def run() -> Comparison:
        data, names, out = src.data, list(schedules.SCHEDULES), []
        with one_thread():
            for i, name in enumerate(names):
                cfg = Config(epochs=epochs, batch_size=COMPARE_BATCH, optimizer=optimizer, lr=lr, schedule=name,
                             seed=seed)
                h = fit(_net(data, seed), data, cfg, progress=lambda d, t, i=i: progress(i * t + d, len(names) * t))
                out.append(_schedule_run(name, h))
        return Comparison(lr, epochs, optimizer, seed, COMPARE_BATCH, tuple(out), data.task, src.sentence)

    return _cached(("compare", src.key, float(lr), int(epochs), optimizer, int(seed)), run)


# ----------------------------------------------------------------------------- the LR range test


@dataclass(frozen=True)
class CheckRun:
    """A short training run at one of the range test's LRs."""

    label: str  # which LR this is, in words
    lr: float
    val_loss: np.ndarray  # (epochs_run + 1,) nats (MSE for a numeric target)
    val_acc: np.ndarray  # (epochs_run + 1,) 0–1 (R² for a numeric target)
    diverged: str  # empty, or what blew up


@dataclass(frozen=True)
class RangeTest:
    """Loss against a geometrically rising LR, the LRs it suggests, and short runs at them."""

    optimizer: str  # key of optimizers.OPTIMIZERS
    steps: int  # mini-batches planned (the test may stop earlier)
    seed: int
    lrs: np.ndarray  # (n,) LR of each mini-batch actually run
    loss: np.ndarray  # (n,) that mini-batch's loss before its update (nats)
    smooth: np.ndarray  # (n,) bias-corrected moving average of ``loss``
    stop: str  # why the test ended, in a sentence
    min_lr: float  # LR where the smoothed loss is lowest
    suggested: float  # min_lr / 10: the rule "an order of magnitude below the minimum"
    steepest: float  # LR where the smoothed loss falls fastest per decade of LR (before the minimum)
    checks: tuple[CheckRun, ...]  # short runs at suggested, steepest and min_lr
    task: str = "classification"  # or "regression": the loss is then MSE, val_acc R²
    about: str = ""  # what was trained on, in a sentence

    @property
    def min_loss(self) -> float:
        return float(self.smooth.min())


def _sweep(optimizer: str, steps: int, seed: int, data: Arrays, progress: Progress
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Run the range test proper: one update per mini-batch, LR × a constant factor after each."""
    model, loss_fn = _net(data, seed), _loss_fn(data.task)
    lo, hi = RANGE_LR
    opt = optimizers.make(optimizer, model.parameters(), lo)
    # LR_k = lo · γ^k reaches hi at the end
    sched = lr_scheduler.ExponentialLR(opt, gamma=(hi / lo) ** (1 / (steps - 1)))
    X, y = torch.tensor(data.X_train), torch.tensor(data.y_train)
    gen = torch.Generator().manual_seed(seed)
    order = torch.empty(0, dtype=torch.long)
    lrs_, loss, smooth, avg, best = [], [], [], 0.0, math.inf
    stop = f"It ran all {steps} mini-batches up to an LR of {hi:g} without the loss blowing up."
    for k in range(steps):
        if len(order) < RANGE_BATCH:  # a new epoch: reshuffle
            order = torch.randperm(len(y), generator=gen)
        idx, order = order[:RANGE_BATCH], order[RANGE_BATCH:]
        value_t = loss_fn(model(X[idx]), y[idx])
        value, lr = value_t.item(), opt.param_groups[0]["lr"]
        if not math.isfinite(value):
            stop = f"The loss became {value} at an LR of {lr:.3g} (mini-batch {k + 1}), so the test stopped there."
            break
        avg = RANGE_BETA * avg + (1 - RANGE_BETA) * value
        s = avg / (1 - RANGE_BETA ** (k + 1))  # bias correction: the average starts from 0
        lrs_.append(lr), loss.append(value), smooth.append(s)
        best = min(best, s)
        if s > RANGE_BLOWUP * best:
            stop = (f"The smoothed loss passed {RANGE_BLOWUP:g}× its minimum at an LR of {lr:.3g} "
                    f"(mini-batch {k + 1}), so the test stopped there.")
            break
        opt.zero_grad(set_to_none=True)
        value_t.backward()
        opt.step()
        sched.step()
        if k % 25 == 0:
            progress(k, steps)
    return np.array(lrs_), np.array(loss), np.array(smooth), stop


def _steepest(lrs_: np.ndarray, smooth: np.ndarray) -> float:
    """LR of the most negative slope d(smoothed loss)/d(log10 LR), between the first tenth and the minimum.

    The first tenth is skipped: the moving average still remembers too little there.
    """
    end = int(np.argmin(smooth))
    start = min(len(smooth) // 10, max(0, end - 2))
    if end - start < 2:
        return float(lrs_[end])
    slope = np.gradient(smooth[start : end + 1], np.log10(lrs_[start : end + 1]))
    return float(lrs_[start + int(np.argmin(slope))])


def range_test(optimizer: str, steps: int, seed: int, dataset: str | Arrays = source.DIGITS,
               progress: Progress = quiet) -> RangeTest:
    """Smith's LR range test on the MLP, then a short run at each LR it points to.

    The LR rises geometrically from 1e-5 to 10 over ``steps`` mini-batches of 32, one
    update each. The loss of each batch is noisy, so it is smoothed with a bias-corrected
    moving average (β = 0.95, about the last 20 batches). The test stops once the smoothed
    loss exceeds 4× its minimum. Two readings of the curve:

    * **min / 10**: the LR of the lowest smoothed loss, divided by ten. At the minimum the
      loss is already about to turn up; a tenth of it is safely on the falling side.
    * **steepest**: the LR where the smoothed loss falls fastest per decade of LR.

    The trap: the minimum lies late, because the smoothed loss lags the LR and the test's
    LR was only held for one batch. Training *at* the minimum's LR is usually too hot.
    Then each suggestion (and the minimum's LR, for contrast) trains for 15 epochs.
    A numeric target is trained on the mean squared error instead of cross-entropy.
    """
    RANGE.validate(optimizer=optimizer, steps=steps, seed=seed)
    src = source.resolve(dataset, seed, MAX_TRAIN)

    def run() -> RangeTest:
        total, data = steps + 3 * CHECK_EPOCHS, src.data
        with one_thread():
            lrs_, loss, smooth, stop = _sweep(optimizer, steps, seed, data, progress=lambda d, t: progress(d, total))
            i_min = int(np.argmin(smooth))
            min_lr = float(lrs_[i_min])
            picks = (("min / 10", min_lr / 10), ("steepest", _steepest(lrs_, smooth)), ("minimum", min_lr))
            checks = []
            for j, (label, lr) in enumerate(picks):
                cfg = Config(epochs=CHECK_EPOCHS, batch_size=RANGE_BATCH, optimizer=optimizer, lr=lr, seed=seed)
                h = fit(_net(data, seed), data, cfg, progress=lambda d, t, j=j: progress(steps + j * t + d, total))
                checks.append(CheckRun(label, lr, np.array(h.val_loss), np.array(h.val_metric), h.diverged))
        return RangeTest(optimizer, steps, seed, lrs_, loss, smooth, stop, min_lr, picks[0][1], picks[1][1],
                         tuple(checks), data.task, src.sentence)

    return _cached(("range", src.key, optimizer, int(steps), int(seed)), run)


# ----------------------------------------------------------------------------- the linear scaling rule


@dataclass(frozen=True)
class ScalingRun:
    """One batch size at one LR."""

    batch: int
    lr: float
    updates: int  # optimizer steps taken (fewer for large batches: the epochs are fixed)
    val_loss: float  # final validation cross-entropy (nats) or MSE; NaN if the run diverged
    val_acc: float  # final validation accuracy (0–1) or R²; NaN if diverged
    diverged: str  # empty, or what blew up


@dataclass(frozen=True)
class Scaling:
    """SGD + momentum at each batch size, with the LR scaled ∝ batch and with the LR held fixed."""

    base_lr: float  # LR at BASE_BATCH (both rules agree there)
    epochs: int  # the same for every run
    seed: int
    batches: tuple[int, ...]
    scaled: tuple[ScalingRun, ...]  # LR = base_lr · batch / BASE_BATCH
    fixed: tuple[ScalingRun, ...]  # LR = base_lr
    task: str = "classification"  # or "regression": the loss is then MSE, val_acc R²
    about: str = ""  # what was trained on, in a sentence


def _scaling_run(data, batch: int, lr: float, epochs: int, seed: int, progress: Progress) -> ScalingRun:
    cfg = Config(epochs=epochs, batch_size=batch, optimizer="momentum", lr=lr, seed=seed)
    h = fit(_net(data, seed), data, cfg, progress=progress)
    updates = len(h.step_loss) - (1 if h.diverged else 0)
    if h.diverged:
        return ScalingRun(batch, lr, updates, math.nan, math.nan, h.diverged)
    return ScalingRun(batch, lr, updates, h.val_loss[-1], h.val_metric[-1], "")


def scaling(base_lr: float, scale_epochs: int, seed: int, dataset: str | Arrays = source.DIGITS,
            progress: Progress = quiet) -> Scaling:
    """The linear scaling rule (Goyal et al. 2017) tested on the MLP, SGD with momentum 0.9.

    With the number of epochs fixed, a k× larger batch takes k× fewer updates. The rule
    multiplies the LR by k to make up for it: each update then moves the weights about as
    far as the k small updates it replaces would have, *as long as the gradient changes
    little over those k steps*. When the LR gets large enough that it does not, the rule
    breaks: the run diverges or lands worse. Holding the LR fixed instead leaves
    large-batch runs under-trained. Cached by the arguments. On a table with fewer training
    rows than a batch size, that batch is the whole training set (one update an epoch).
    """
    SCALING.validate(base_lr=base_lr, scale_epochs=scale_epochs, seed=seed)
    src = source.resolve(dataset, seed, MAX_TRAIN)

    def run() -> Scaling:
        data, n = src.data, len(BATCHES)
        scaled, fixed = [], []
        with one_thread():
            for i, b in enumerate(BATCHES):
                rep = lambda d, t, i=i: progress(2 * i * t + d, 2 * n * t)  # noqa: E731
                scaled.append(_scaling_run(data, b, base_lr * b / BASE_BATCH, scale_epochs, seed, rep))
                rep2 = lambda d, t, i=i: progress((2 * i + 1) * t + d, 2 * n * t)  # noqa: E731
                same = b == BASE_BATCH  # both rules give base_lr here: the same run, trained once
                fixed.append(scaled[-1] if same else _scaling_run(data, b, base_lr, scale_epochs, seed, rep2))
        return Scaling(base_lr, scale_epochs, seed, BATCHES, tuple(scaled), tuple(fixed), data.task, src.sentence)

    return _cached(("scaling", src.key, float(base_lr), int(scale_epochs), int(seed)), run)
