"""The measured landscape: validation loss over (learning rate, weight decay), every cell really trained.

A search is judged by how close it gets to the best setting, which is only known if the
whole space has been measured. Here it has: a ``res × res`` grid of cells, log-spaced in
learning rate and weight decay, each cell a small MLP (one hidden layer of 32 ReLU units)
trained for 15 epochs with SGD and momentum 0.9 from ``seeds`` different initial weights.
A cell's score is its validation loss averaged over the seeds. A run counts as diverged
if its final validation loss is not finite, or is above :data:`DIVERGED` (10) times the
same network's loss on the training set at initialisation, or its output weights are not
finite; a cell with any diverged run is diverged. The best cell is the lowest of ``res²``
noisy means, so its regret-0 status is relative to this measured table, not to the unknown
true best setting.

All the networks train at once, stacked along a batch dimension (``torch.baddbmm``): one
pass of the data updates every cell. The update is torch's own ``SGD``: each cell's
gradient is first replaced by ``lr · (grad + wd · w)``, and the optimizer, run with a
learning rate of 1, then does exactly what ``SGD(lr, momentum, weight_decay=wd)`` does to
that cell alone (the test checks it against a plain ``nn.Sequential``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch
import torch.nn.functional as F

from neuralab.cache import memo
from neuralab.data.arrays import Arrays
from neuralab.nn.models import mlp
from neuralab.params import Float, Int, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.search.tasks import DATASET, arrays, check

__all__ = ["LANDSCAPE", "LR", "WD", "Landscape", "landscape", "train_many", "HIDDEN", "EPOCHS", "BATCH", "MOMENTUM"]

LR = Float(1e-4, 3.0, 0.03, log=True, label="Learning rate", help="SGD's step size.")
WD = Float(1e-6, 0.3, 1e-4, log=True, label="Weight decay", help="L2 pull of every weight towards zero.")
HIDDEN, EPOCHS, BATCH, MOMENTUM = 32, 15, 64, 0.9
DIVERGED = 10.0  # a final validation loss above this multiple of the initial training-set loss: diverged

LANDSCAPE = ParamSpec(
    "landscape",
    dataset=DATASET,
    res=Int(8, 32, 24, step=4, label="Cells per axis", help="How finely the space is measured: res² cells."),
    seeds=Int(1, 5, 3, label="Seeds per cell", help="Initial weights per cell; the cell's score is their mean."),
)


@dataclass(frozen=True)
class Runs:
    """What ``len(lr)`` training runs ended with; NaN where a run diverged."""

    val_loss: np.ndarray
    val_metric: np.ndarray  # accuracy (classification) or R² (regression)
    test_loss: np.ndarray
    test_metric: np.ndarray


def _stack(data: Arrays, seeds: np.ndarray, hidden: int) -> list[torch.Tensor]:
    """The initial weights of one lab MLP per seed, stacked per run: W1 (B, d, h), b1 (B, 1, h), W2, b2."""
    out = data.n_outputs
    first = {int(s): mlp((data.n_features, hidden, out), seed=int(s)) for s in np.unique(seeds)}
    layers = [[m[0].weight.T, m[0].bias[None], m[2].weight.T, m[2].bias[None]] for m in first.values()]
    index = {s: i for i, s in enumerate(first)}
    pick = torch.as_tensor([index[int(s)] for s in seeds])
    return [torch.stack([lay[k].detach() for lay in layers])[pick].clone().requires_grad_() for k in range(4)]


def _forward(params: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    W1, b1, W2, b2 = params
    return torch.baddbmm(b2, torch.relu(torch.baddbmm(b1, x, W1)), W2)


def _losses(out: torch.Tensor, y: torch.Tensor, task: str) -> torch.Tensor:
    """Per-run mean loss: cross-entropy for classes, mean squared error for regression."""
    B, n = out.shape[:2]
    if task == "classification":
        return F.cross_entropy(out.reshape(B * n, -1), y.repeat(B), reduction="none").view(B, n).mean(1)
    return ((out[..., 0] - y) ** 2).mean(1)


def _metric(out: torch.Tensor, y: torch.Tensor, task: str) -> torch.Tensor:
    if task == "classification":
        return (out.argmax(-1) == y).float().mean(1)
    return 1 - ((out[..., 0] - y) ** 2).mean(1) / y.var(unbiased=False)


def train_many(
    data: Arrays, lr: np.ndarray, wd: np.ndarray, seeds: np.ndarray, *, hidden: int = HIDDEN, epochs: int = EPOCHS,
    batch: int = BATCH, momentum: float = MOMENTUM, progress: Progress = quiet,
) -> Runs:
    """Train one MLP ``d → hidden → out`` per entry of ``lr``, ``wd`` and ``seeds``, all at once.

    Run ``i`` starts from ``mlp(..., seed=seeds[i])`` and sees the training rows in the order
    that ``seeds[i]`` draws, so runs that share a seed differ only in their hyperparameters.
    """
    lr, wd, seeds = (np.asarray(a).ravel() for a in (lr, wd, seeds))
    if not (len(lr) == len(wd) == len(seeds)) or len(lr) == 0:
        raise ValueError(f"lr, wd and seeds must have one equal, non-zero length; got {len(lr)}, {len(wd)}, "
                         f"{len(seeds)}.")
    if not (np.all(lr > 0) and np.all(wd >= 0) and np.all(np.isfinite(lr)) and np.all(np.isfinite(wd))):
        raise ValueError("lr must be positive and wd at least 0, both finite.")
    B = len(lr)
    X = torch.tensor(data.X_train)
    y = torch.tensor(data.y_train)
    torch.manual_seed(0)
    params = _stack(data, seeds, hidden)
    opt = torch.optim.SGD(params, lr=1.0, momentum=momentum)
    lr_t = torch.as_tensor(lr, dtype=torch.float32).view(B, 1, 1)
    wd_t = torch.as_tensor(wd, dtype=torch.float32).view(B, 1, 1)
    uniq = np.unique(seeds)
    row = torch.as_tensor(np.searchsorted(uniq, seeds))
    n = len(y)
    with torch.no_grad():
        start = _losses(_forward(params, X.expand(B, -1, -1)), y, data.task)
    orders = {int(s): np.random.default_rng([int(s), 7]) for s in uniq}
    for epoch in range(epochs):
        perm = torch.as_tensor(np.stack([orders[int(s)].permutation(n) for s in uniq]))[row]  # (B, n)
        for s in range(0, n, batch):
            idx = perm[:, s:s + batch]
            out = _forward(params, X[idx])
            yb = y[idx]
            if data.task == "classification":
                loss = F.cross_entropy(out.reshape(-1, out.shape[-1]), yb.reshape(-1), reduction="none")
            else:
                loss = (out[..., 0] - yb).reshape(-1) ** 2
            opt.zero_grad(set_to_none=False)
            (loss.view(B, -1).mean(1).sum()).backward()  # each run's gradient is its own batch mean
            with torch.no_grad():
                for p in params:
                    p.grad.add_(wd_t * p).mul_(lr_t)
                    p.grad.nan_to_num_(nan=0.0, posinf=0.0, neginf=0.0)  # a diverged run must not poison the rest
            opt.step()
        progress(epoch + 1, epochs)
    with torch.no_grad():
        res = []
        for Xs, ys in ((data.X_val, data.y_val), (data.X_test, data.y_test)):
            xt, yt = torch.tensor(Xs), torch.tensor(ys)
            out = _forward(params, xt.expand(B, -1, -1))
            res += [_losses(out, yt, data.task), _metric(out, yt, data.task)]
        bad = ~torch.isfinite(res[0]) | (res[0] > DIVERGED * start) | ~torch.isfinite(params[2]).all(-1).all(-1)
        arrays_ = [torch.where(bad, torch.nan, r).double().numpy() for r in res]
    return Runs(*arrays_)


@dataclass(frozen=True)
class Landscape:
    """Every cell of the grid, every seed: validation and test loss and metric; NaN where diverged."""

    dataset: str
    lr: np.ndarray  # (res,) cell centres, log-spaced
    wd: np.ndarray  # (res,)
    val_loss: np.ndarray  # (seeds, res, res), indexed [seed, lr, wd]
    val_metric: np.ndarray
    test_loss: np.ndarray
    test_metric: np.ndarray
    metric: str  # "accuracy" or "R²"
    baseline: float  # validation loss of a constant prediction (train class shares, or train mean)

    @cached_property
    def score(self) -> np.ndarray:
        """(res, res) mean validation loss over seeds; NaN where any seed diverged."""
        return self.val_loss.mean(axis=0)

    @cached_property
    def best(self) -> tuple[int, int]:
        """The (lr, wd) index of the lowest mean validation loss: the best measured cell (a noisy winner itself)."""
        i = int(np.nanargmin(self.score))
        return divmod(i, self.score.shape[1])

    @property
    def optimum(self) -> float:
        return float(self.score[self.best])

    def regret(self, loss: np.ndarray | float) -> np.ndarray:
        """How far ``loss`` is from the best measured cell, as a share of the way from it to :attr:`baseline`.

        0 is the best measured cell, 1 is a network that learned nothing; "within 1 %" means ``regret <= 0.01``.
        A diverged (NaN) loss has regret 1 or more: it counts as having learned nothing.
        """
        r = (np.asarray(loss, dtype=float) - self.optimum) / (self.baseline - self.optimum)
        worst = float(np.nanmax(np.append(r, 1.0)))  # 1.0 keeps an all-NaN input from warning
        return np.where(np.isnan(r), worst, r)

    @property
    def diverged(self) -> np.ndarray:
        return np.isnan(self.score)

    def cell(self, lr: float, wd: float) -> tuple[int, int]:
        """The grid cell nearest (in log units) to the point ``(lr, wd)``."""
        i = int(np.argmin(np.abs(np.log10(self.lr) - math.log10(lr))))
        j = int(np.argmin(np.abs(np.log10(self.wd) - math.log10(wd))))
        return i, j

    def at(self, lr: float, wd: float) -> float:
        """The measured mean validation loss of the cell nearest ``(lr, wd)``; NaN if it diverged."""
        return float(self.score[self.cell(lr, wd)])


def axes(res: int) -> tuple[np.ndarray, np.ndarray]:
    """The cell centres: ``res`` log-spaced values across each of :data:`LR` and :data:`WD`'s ranges."""
    return np.geomspace(LR.lo, LR.hi, res), np.geomspace(WD.lo, WD.hi, res)


def landscape(dataset: str = "digits", res: int = 24, seeds: int = 3, progress: Progress = quiet) -> Landscape:
    """Measure (or load from the disk cache) the landscape of ``dataset``: ``res² × seeds`` trainings.

    ``dataset`` may be ``user:<id>``, a table of this machine's catalogue (see :mod:`neuralab.search.tasks`).
    """
    v = LANDSCAPE.validate(dataset=dataset, res=res, seeds=seeds)
    return _measure(check(v["dataset"]), v["res"], v["seeds"], progress=progress)


@memo("search-landscape", depends=("neuralab.search.tasks", "neuralab.nn.models"), salt=torch.__version__)
def _measure(dataset: str, res: int, seeds: int, *, progress: Progress = quiet) -> Landscape:
    data = arrays(dataset)
    lrs, wds = axes(res)
    L, W = np.meshgrid(lrs, wds, indexing="ij")
    S = np.repeat(np.arange(seeds), res * res)
    runs = train_many(data, np.tile(L.ravel(), seeds), np.tile(W.ravel(), seeds), S, progress=progress)
    shape = (seeds, res, res)
    return Landscape(dataset, lrs, wds, runs.val_loss.reshape(shape), runs.val_metric.reshape(shape),
                     runs.test_loss.reshape(shape), runs.test_metric.reshape(shape),
                     "accuracy" if data.task == "classification" else "R²", _baseline(data))


def _baseline(data: Arrays) -> float:
    """The validation loss of a network that learned nothing: it predicts the training labels' shares (or mean)."""
    if data.task == "classification":
        share = np.bincount(data.y_train, minlength=data.n_classes) / len(data.y_train)
        return float(-np.mean(np.log(np.clip(share[data.y_val], 1e-12, None))))
    return float(np.mean((data.y_val - data.y_train.mean()) ** 2))
