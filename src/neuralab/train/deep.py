"""Plain against residual MLPs at depth 5, 20 and 50 on the digits: gradients per layer, curves, accuracy.

Every network is a :class:`~neuralab.nn.deep.DeepMLP` of width 64 trained by the lab's own loop
(:func:`neuralab.train.loop.fit`) on the digits split every model of the lab uses (``digits(0)``: 1,077
training, 360 validation and 360 test digits), with the same batches for the same seed. At the end of every
epoch (and before the first) :func:`neuralab.nn.deep.probe` measures the gradient of the loss over all the
training digits with respect to each block's weights, without touching the run.

* :func:`at_init` is one probe of an untrained network (milliseconds): the light section.
* :func:`run` trains one network and is kept on disk by its settings and seed; :func:`compare` trains the six
  of the page (plain and residual at :data:`DEPTHS`), :func:`sweep` the depth ladder of the benchmark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from neuralab.cache import memo
from neuralab.checks import fail
from neuralab.data.arrays import digits
from neuralab.nn.deep import DeepMLP, Probe, probe
from neuralab.nn.models import NORMS
from neuralab.params import SEED, Choice, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet, stage
from neuralab.train.loop import Config, evaluate, fit

__all__ = ["DEPTHS", "INIT", "LADDER", "LADDER_SPEC", "OPTIMIZERS", "TRAIN", "TRAINS", "Comparison", "Ladder",
           "Run", "at_init", "compare", "deepest", "run", "sweep"]

DEPTHS = (5, 20, 50)  # the page's three depths
LADDER = (5, 10, 20, 30, 40, 50)  # the benchmark's depths
WIDTH = 64  # units in every block (the 64 pixels enter the stream directly)
BATCH = 32
SPLIT_SEED = 0  # every model of the lab trains and is tested on digits(0)
TRAINS = 0.8  # a network "trains" when its test accuracy reaches this (chance is 0.1)
#: name -> (label, the loop's optimizer name, learning rate)
OPTIMIZERS: dict[str, tuple[str, str, float]] = {
    "momentum": ("SGD + momentum 0.9, lr 0.01", "momentum", 0.01),
    "adam": ("Adam, lr 0.001", "adam", 1e-3),
}

NORM = Choice.of(NORMS, "batch", label="Normalization", help="Inside every block, before its ReLU, and before "
                 "the read-out: none, BatchNorm1d (over the batch) or LayerNorm (over the units).")
SCALE = Float(0.1, 2.0, 1.0, step=0.05, label="Initial weight scale", unit="× He",
              help="Every block's weights start at this multiple of He's std √(2/fan_in); 1 is He.")
INIT = ParamSpec(
    "deep-init",
    deep_depth=Int(2, 50, 50, label="Depth", unit="blocks", help="How many blocks the two networks stack."),
    deep_norm=NORM, deep_scale=SCALE, deep_seed=SEED,
)
OPT = Choice(tuple((k, v[0]) for k, v in OPTIMIZERS.items()), "momentum", label="Optimizer",
             help="Both networks at every depth train with it, from the same weights' seed and batches.")
EPOCHS = Int(5, 30, 15, step=5, label="Epochs", help="Passes over the 1,077 training digits.")
TRAIN = ParamSpec(
    "deep-train",
    deep_norm=NORM, deep_scale=SCALE, deep_opt=OPT, deep_epochs=EPOCHS,
    deep_show=Choice(tuple((str(d), f"{d} blocks") for d in DEPTHS), "50", label="Heatmap depth",
                     help="Which depth the per-layer gradient heatmaps show."),
    deep_seed=SEED,
)
LADDER_SPEC = ParamSpec("deep-ladder", deep_norm=NORM, deep_scale=SCALE, deep_opt=OPT, deep_epochs=EPOCHS,
                        deep_seed=SEED)


@dataclass(frozen=True)
class Init:
    """The same untrained plain and residual networks, probed on the training digits."""

    depth: int
    norm: str
    scale: float
    plain: Probe
    residual: Probe


def at_init(depth: int = 50, norm: str = "batch", scale: float = 1.0, seed: int = 0) -> Init:
    """Probe the untrained plain and residual networks (the same weights: only the ``+ h`` differs)."""
    v = INIT.validate(deep_depth=depth, deep_norm=norm, deep_scale=scale, deep_seed=seed)
    return _at_init(v["deep_depth"], v["deep_norm"], v["deep_scale"], v["deep_seed"])


@memo("deep-init", depends=("neuralab.nn.deep", "neuralab.nn.models"), salt=torch.__version__)
def _at_init(depth: int, norm: str, scale: float, seed: int) -> Init:
    data = digits(SPLIT_SEED)
    got = {res: probe(_net(depth, res, norm, scale, seed), data.X_train, data.y_train) for res in (False, True)}
    return Init(depth, norm, scale, got[False], got[True])


def _net(depth: int, residual: bool, norm: str, scale: float, seed: int) -> DeepMLP:
    return DeepMLP(depth, residual, norm, scale, width=WIDTH, seed=seed)


@dataclass(frozen=True)
class Run:
    """One network trained: its curves, its per-layer gradient norms epoch by epoch, its test accuracy."""

    depth: int
    residual: bool
    train_loss: np.ndarray  # (epochs + 1,) mean cross-entropy on all training digits (the probe's); 0: untrained
    val_acc: np.ndarray  # (epochs + 1,)
    grad_norm: np.ndarray  # (epochs + 1, depth) ‖dLoss/dW_l‖ over all training digits, at the end of each epoch
    test_acc: float  # nan when the run diverged
    diverged: str  # empty, or the loop's sentence about what blew up

    @property
    def name(self) -> str:
        return f"{'residual' if self.residual else 'plain'}, {self.depth} blocks"

    @property
    def trains(self) -> bool:
        return math.isfinite(self.test_acc) and self.test_acc >= TRAINS


@memo("deep-runs", depends=("neuralab.nn.deep", "neuralab.train.loop", "neuralab.nn.models"),
      salt=torch.__version__)
def run(depth: int, residual: bool, norm: str, scale: float, opt: str, epochs: int, seed: int,
        progress: Progress = quiet) -> Run:
    """Train one network (seconds; then read from disk). Same seed: same initial weights and batches."""
    if opt not in OPTIMIZERS:
        raise fail(f"opt must be one of {', '.join(OPTIMIZERS)}; got {opt!r}.")
    if not 1 <= epochs <= 100:
        raise fail(f"epochs must be between 1 and 100; got {epochs!r}.")
    data = digits(SPLIT_SEED)
    model = _net(depth, residual, norm, scale, seed)
    _, name, lr = OPTIMIZERS[opt]
    probes: list[Probe] = []
    # the probe runs in training mode: the loss at epoch 0 of a batch-norm network is the one its first batches
    # see (in eval mode its running averages, still at mean 0 and variance 1, would not normalize at all)
    hist = fit(model, data, Config(epochs=epochs, batch_size=BATCH, optimizer=name, lr=lr, seed=seed),
               progress=progress, on_epoch=lambda m, _e: probes.append(probe(m, data.X_train, data.y_train)))
    n = epochs + 1
    loss, acc, g = np.full(n, np.nan), np.full(n, np.nan), np.full((n, depth), np.nan)
    loss[:len(probes)] = [p.loss for p in probes]
    acc[:len(hist.val_metric)] = hist.val_metric
    g[:len(probes)] = np.array([p.grad_norm for p in probes])
    test = math.nan if hist.diverged else evaluate(model, data.X_test, data.y_test, data.task)[1]
    progress(epochs, epochs)
    return Run(depth, residual, loss, acc, g, float(test), hist.diverged)


@dataclass(frozen=True)
class Comparison:
    """The page's six runs: plain and residual at every depth of :data:`DEPTHS`, one recipe."""

    norm: str
    scale: float
    opt: str
    epochs: int
    show: int  # the depth whose gradients the heatmaps show
    runs: dict[tuple[int, bool], Run]  # (depth, residual) -> run

    def at(self, depth: int, residual: bool) -> Run:
        return self.runs[(depth, residual)]


def _runs(depths: tuple[int, ...], norm: str, scale: float, opt: str, epochs: int, seed: int,
          progress: Progress) -> dict[tuple[int, bool], Run]:
    """Plain and residual at every depth; the progress counts block-epochs, so depth 50 weighs ten times 5."""
    total, done, out = 2 * sum(depths) * epochs, 0, {}
    for depth in depths:
        for res in (False, True):
            report = stage(progress, done, total)
            out[(depth, res)] = run(depth, res, norm, scale, opt, epochs, seed,
                                    progress=lambda e, _t, d=depth, r=report: r(e * d, total))
            done += depth * epochs
    return out


def compare(norm: str = "batch", scale: float = 1.0, opt: str = "momentum", epochs: int = 15, show: str = "50",
            seed: int = 0, progress: Progress = quiet) -> Comparison:
    """Train (or read) the six networks of the page."""
    v = TRAIN.validate(deep_norm=norm, deep_scale=scale, deep_opt=opt, deep_epochs=epochs, deep_show=show,
                       deep_seed=seed)
    runs = _runs(DEPTHS, v["deep_norm"], v["deep_scale"], v["deep_opt"], v["deep_epochs"], v["deep_seed"], progress)
    return Comparison(v["deep_norm"], v["deep_scale"], v["deep_opt"], v["deep_epochs"], int(v["deep_show"]), runs)


@dataclass(frozen=True)
class Ladder:
    """Plain and residual at every depth of a ladder, one recipe."""

    norm: str
    scale: float
    opt: str
    epochs: int
    depths: tuple[int, ...]
    runs: dict[tuple[int, bool], Run]  # (depth, residual) -> run


def sweep(norm: str = "batch", scale: float = 1.0, opt: str = "momentum", epochs: int = 15, seed: int = 0,
          depths: tuple[int, ...] = LADDER, progress: Progress = quiet) -> Ladder:
    """Plain and residual at every depth of ``depths`` (by default :data:`LADDER`, 5 to 50 blocks), one recipe.

    The runs at 5, 20 and 50 blocks are the ones :func:`compare` trains: on the page they are read from disk.
    """
    v = LADDER_SPEC.validate(deep_norm=norm, deep_scale=scale, deep_opt=opt, deep_epochs=epochs, deep_seed=seed)
    depths = tuple(depths)
    if not depths or any(not isinstance(d, int) or not 1 <= d <= 200 for d in depths):
        raise fail(f"depths must be whole numbers of blocks between 1 and 200; got {depths!r}.")
    runs = _runs(depths, v["deep_norm"], v["deep_scale"], v["deep_opt"], v["deep_epochs"], v["deep_seed"], progress)
    return Ladder(v["deep_norm"], v["deep_scale"], v["deep_opt"], v["deep_epochs"], depths, runs)


def deepest(runs: dict[tuple[int, bool], Run] | Ladder, residual: bool) -> int | None:
    """The deepest network of ``runs`` (plain or residual) that still trains (test accuracy ≥ :data:`TRAINS`)."""
    runs = runs.runs if isinstance(runs, Ladder) else runs
    ok = [d for (d, r), x in runs.items() if r == residual and x.trains]
    return max(ok) if ok else None
