"""The tiny-batch overfit test, on a network you choose, with a bug you can plant.

Before tuning anything, train the model on a handful of samples and nothing else. A network
with a few hundred weights or more can store 16 examples outright, so the training loss must
fall to about zero (and every sample be classified right). If it does not, the cause is in the
plumbing (labels, loss, optimizer, learning rate, initialization, input scaling), not in the
capacity of the model or the amount of data.

* :func:`overfit`: the real training on the tiny batch, with one of :data:`BUGS` planted, and
  the loss, the accuracy and the gradient norm at every step.
* :data:`PASS_LOSS`: the pass threshold. Regression targets are standardized, so the mean
  squared error is in units of the target's variance: 0.01 means an RMS error of a tenth of a
  standard deviation. Cross-entropy is in nats; a classification run must also classify every
  sample right.

Runs are kept on disk (:func:`neuralab.cache.memo`): a second visit reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from neuralab import cache
from neuralab.checks import fail
from neuralab.nn.models import ACTIVATIONS, mlp
from neuralab.nn.runtime import one_thread
from neuralab.params import Choice, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet

__all__ = ["BUGS", "OVERFIT", "PASS_LOSS", "TASKS", "Batch", "Overfit", "batch", "class_share_loss", "mean_loss",
           "overfit", "run", "scale_spread"]

PASS_LOSS = 0.01  # nats (classification) or squared standard deviations (regression)
LR_FACTOR = 100  # the "learning rate ×100" bug
_PROGRESS_EVERY = 25  # steps between progress reports

TASKS: dict[str, str] = {
    "wine": "Classification: wine cultivar from 13 lab measurements",
    "motor": "Regression: motor torque from current, speed and temperature",
}
BUGS: dict[str, str] = {
    "none": "None (a healthy set-up)",
    "shuffle": "Labels shuffled against the inputs at every step",
    "lr": f"Learning rate ×{LR_FACTOR}",
    "zero_grad": "optimizer.zero_grad() forgotten (gradients add up)",
    "zero_init": "Every weight initialized to zero",
    "raw": "Inputs not normalized",
}
OPTIMIZERS: dict[str, str] = {"adam": "Adam", "sgd": "SGD"}
_ACTS = ("relu", "tanh", "gelu", "sigmoid")

OVERFIT = ParamSpec(
    "debug",
    debug_task=Choice(tuple(TASKS.items()), "wine", label="Task",
                      help="A small lab data set; the tiny batch is drawn from it."),
    debug_depth=Int(1, 4, 2, label="Hidden layers", help="Fully connected hidden layers."),
    debug_width=Int(4, 128, 32, step=4, label="Width", unit="units", help="Units per hidden layer."),
    debug_activation=Choice(tuple((a, ACTIVATIONS[a][0]) for a in _ACTS), "relu", label="Activation",
                            help="The nonlinearity after each hidden layer."),
    debug_optimizer=Choice(tuple(OPTIMIZERS.items()), "sgd", label="Optimizer",
                           help="Adam, or plain SGD with no momentum."),
    debug_lr=Float(1e-4, 1.0, 0.1, step=0.1, log=True, label="Learning rate",
                   help="The step size (before any planted bug changes it)."),
    debug_samples=Int(1, 64, 16, label="Samples", unit="samples", help="The size of the tiny batch."),
    debug_steps=Int(50, 1000, 300, step=50, label="Steps", help="Full-batch updates on those samples."),
    debug_bug=Choice(tuple(BUGS.items()), "none", label="Planted bug",
                     help="One mistake planted in the otherwise identical training."),
    debug_seed=Int(0, 99, 0, label="Seed", help="Picks the samples, the initial weights and any shuffling."),
)


@dataclass(frozen=True)
class Batch:
    """The tiny batch, inputs standardized with the whole data set's statistics (as a pipeline would)."""

    x: np.ndarray  # (n, features) float32, standardized
    x_raw: np.ndarray  # (n, features) float32, in the data set's units
    y: np.ndarray  # (n,) int64 class (classification) or float32 standardized target (regression)
    classes: int  # 0 for regression
    features: tuple[str, ...]  # column names


@lru_cache(maxsize=2)
def _table(task: str) -> tuple[np.ndarray, np.ndarray, int, tuple[str, ...]]:
    if task == "wine":
        from neuralab.data.datasets import load

        ds = load("wine")
        return np.asarray(ds.X), np.asarray(ds.y), ds.n_classes, tuple(f"x{i}" for i in range(ds.X.shape[1]))
    from neuralab.data.motor import bench_windows

    w = bench_windows(0)
    return np.asarray(w.X_temp), np.asarray(w.y), 0, tuple(w.feature_names)


def batch(task: str, samples: int, seed: int) -> Batch:
    """``samples`` distinct rows of ``task``'s data set, drawn with ``seed``."""
    if task not in TASKS:
        raise fail(f"debug_task must be one of {', '.join(TASKS)}; got {task!r}.")
    X, y, classes, names = _table(task)
    if not 1 <= samples <= len(y):
        raise fail(f"debug_samples must be between 1 and {len(y)}; got {samples!r}.")
    idx = np.random.default_rng([seed, 15]).choice(len(y), size=samples, replace=False)
    mu, sd = X.mean(axis=0), X.std(axis=0)
    x = ((X[idx] - mu) / sd).astype(np.float32)
    if classes:
        target = y[idx].astype(np.int64)
    else:
        target = ((y[idx] - y.mean()) / y.std()).astype(np.float32)
    return Batch(x, X[idx].astype(np.float32), target, classes, names)


@dataclass(frozen=True)
class Overfit:
    """One training run on the tiny batch."""

    task: str
    bug: str
    classes: int  # 0: regression
    samples: int
    params: int  # trainable weights and biases
    loss: np.ndarray  # (steps + 1,) training loss before each step and after the last; NaN after a divergence
    accuracy: np.ndarray  # (steps + 1,) share of the batch right (classification); empty for regression
    grad_norm: np.ndarray  # (steps,) L2 norm of the gradient the optimizer stepped with, every parameter
    baseline: float  # the loss of the best constant prediction (class shares, or the batch mean)
    lr: float  # the learning rate actually used

    @property
    def steps(self) -> int:
        return len(self.grad_norm)

    @property
    def diverged(self) -> bool:
        """The loss became NaN or infinite."""
        return not bool(np.all(np.isfinite(self.loss)))

    def passed_at(self) -> np.ndarray:
        """(steps + 1,) bool: the pass condition after each step."""
        ok = np.isfinite(self.loss) & (self.loss < PASS_LOSS)
        if self.classes:
            ok &= self.accuracy == 1.0
        return ok

    @property
    def passed(self) -> bool:
        """Passed at the end: loss below :data:`PASS_LOSS` (and every sample right)."""
        return bool(self.passed_at()[-1])

    @property
    def steps_to_pass(self) -> int | None:
        """The first step after which the run met the pass condition; ``None`` if it never did."""
        hit = np.flatnonzero(self.passed_at())
        return int(hit[0]) if len(hit) else None

    @property
    def final_loss(self) -> float:
        """The last finite loss (the value before a divergence)."""
        finite = self.loss[np.isfinite(self.loss)]
        return float(finite[-1]) if len(finite) else float("nan")


def class_share_loss(y: np.ndarray) -> float:
    """Cross-entropy (nats) of predicting every sample's class with the batch's class shares: their entropy.

    It is the lowest loss a prediction that ignores the inputs can reach, and where a run whose labels
    carry no information about the inputs settles.
    """
    _, counts = np.unique(np.asarray(y), return_counts=True)
    share = counts / counts.sum()
    return float(-(share * np.log(share)).sum())


def mean_loss(y: np.ndarray) -> float:
    """Mean squared error of predicting the batch mean for every sample: the batch's (biased) variance."""
    y = np.asarray(y, dtype=np.float64)
    return float(((y - y.mean()) ** 2).mean())


def scale_spread(task: str) -> float:
    """Largest over smallest column standard deviation of ``task``'s inputs, before normalization."""
    if task not in TASKS:
        raise fail(f"debug_task must be one of {', '.join(TASKS)}; got {task!r}.")
    sd = _table(task)[0].std(axis=0)
    return float(sd.max() / sd.min())


def _baseline(y: torch.Tensor, classes: int) -> float:
    return class_share_loss(y.numpy()) if classes else mean_loss(y.numpy())


@cache.memo("fundamentals-debug", depends=("neuralab.nn.models", "neuralab.data.datasets", "neuralab.data.motor"),
            salt=torch.__version__)
def _run(task: str, depth: int, width: int, activation: str, optimizer: str, lr: float, samples: int, steps: int,
         bug: str, seed: int, *, progress: Progress = quiet) -> Overfit:
    b = batch(task, samples, seed)
    x = torch.from_numpy(b.x_raw if bug == "raw" else b.x)  # (n, features)
    y = torch.from_numpy(b.y)  # (n,)
    out = b.classes or 1
    model = mlp((x.shape[1], *[width] * depth, out), activation, init="zeros" if bug == "zero_init" else "he",
                seed=seed)
    rate = lr * LR_FACTOR if bug == "lr" else lr
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=rate) if optimizer == "adam" else torch.optim.SGD(params, lr=rate)
    gen = torch.Generator().manual_seed(seed)
    loss_log = np.full(steps + 1, np.nan)
    acc_log = np.full(steps + 1, np.nan) if b.classes else np.empty(0)
    grad_log = np.full(steps, np.nan)
    for step in range(steps + 1):
        target = y[torch.randperm(len(y), generator=gen)] if bug == "shuffle" else y  # a new pairing every step
        pred = model(x)  # (n, classes) logits, or (n, 1)
        loss = F.cross_entropy(pred, target) if b.classes else F.mse_loss(pred[:, 0], target)
        loss_log[step] = float(loss.detach())
        if b.classes:
            acc_log[step] = float((pred.argmax(dim=1) == y).float().mean())  # scored on the true labels
        if step == steps or not np.isfinite(loss_log[step]):
            break
        if bug != "zero_grad":
            opt.zero_grad()
        loss.backward()
        grad_log[step] = float(torch.sqrt(sum((p.grad.double() ** 2).sum() for p in params)))
        opt.step()
        if step % _PROGRESS_EVERY == 0:
            progress(step, steps)
    return Overfit(task, bug, b.classes, samples, sum(p.numel() for p in params), loss_log, acc_log, grad_log,
                   _baseline(y, b.classes), rate)


def overfit(task: str = "wine", depth: int = 2, width: int = 32, activation: str = "relu", optimizer: str = "sgd",
            lr: float = 0.1, samples: int = 16, steps: int = 300, bug: str = "none", seed: int = 0, *,
            progress: Progress = quiet) -> Overfit:
    """Train a ``depth`` × ``width`` MLP on ``samples`` rows of ``task`` for ``steps`` full-batch updates.

    Deterministic: the rows come from ``numpy.random.default_rng``, the weights from ``seed``, the
    per-step shuffling (``bug="shuffle"``) from a private ``torch.Generator``. The training stops at the
    first non-finite loss. The accuracy is always scored against the true labels.
    """
    v = OVERFIT.validate(debug_task=task, debug_depth=depth, debug_width=width, debug_activation=activation,
                         debug_optimizer=optimizer, debug_lr=lr, debug_samples=samples, debug_steps=steps,
                         debug_bug=bug, debug_seed=seed)
    with one_thread():
        result = _run(*(v[k] for k in OVERFIT.fields), progress=progress)
    progress(steps, steps)  # also after a result read from disk
    return result


def run(values: dict, progress: Progress = quiet) -> Overfit:
    """:func:`overfit` on a page's checked values (the fields of :data:`OVERFIT`)."""
    return overfit(*(values[k] for k in OVERFIT.fields), progress=progress)
