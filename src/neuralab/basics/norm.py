"""Batch norm against layer norm, measured: their statistics, batch norm's two modes, and small batches.

* :func:`statistics` takes a real batch (raw wine measurements, 13 features in their own units),
  computes by hand what ``BatchNorm1d`` (one mean and variance per feature, over the batch) and
  ``LayerNorm`` (one per sample, over its features) normalize with, and checks the result against
  torch's modules, including the running averages batch norm updates as a side effect.
* :func:`modes` trains a small batch-norm network on the digits, then asks it about one test sample
  inside batches of different company: in train mode the answer moves with the company, in eval mode
  it does not. It also measures the forgotten ``model.eval()``: the test accuracy when the trained
  network is run in train mode on tiny or single-class batches.
* :func:`small_batches` trains the same network with batch norm, layer norm and none at several
  batch sizes for the same number of epochs and reports the test accuracy of each.

Conventions (torch's): ``y = (x - mean) / sqrt(var + eps)`` with the *biased* variance of the
batch (divided by n) and ``eps = 1e-5``; the running variance is updated with the *unbiased* one
(divided by n - 1): ``running = (1 - momentum) · running + momentum · batch``, momentum 0.1.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from sklearn.datasets import load_wine
from torch import nn

from neuralab.cache import memo
from neuralab.checks import check_array, fail
from neuralab.data.arrays import digits
from neuralab.params import SEED, Int, ParamSpec
from neuralab.progress import Progress, quiet

__all__ = ["BATCH_SIZES", "EPS", "MODES", "MOMENTUM", "NORMS", "SMALL", "STATS", "Modes", "SmallBatches", "Stats",
           "batchnorm", "layernorm", "make_net", "modes", "small_batches", "statistics", "train"]

EPS = 1e-5  # torch's default for both norms
MOMENTUM = 0.1  # torch's default for BatchNorm's running averages
NORMS: dict[str, str] = {"none": "no normalization", "batch": "BatchNorm", "layer": "LayerNorm"}
BATCH_SIZES = (2, 4, 8, 32, 128)
HIDDEN = 32  # units in each of the two hidden layers
LR = 3e-3  # Adam's learning rate, for every run
MODE_BATCH = 32  # the batch size the train/eval network is trained with
MODE_EPOCHS = 4
COMPANIES = 30  # batches of different composition around the one sample

STATS = ParamSpec("norm-stats",
                  norm_batch=Int(2, 32, 8, label="Batch size", unit="samples",
                                 help="How many wines go into the batch both norms look at."),
                  norm_seed=SEED)
MODES = ParamSpec("norm-modes",
                  norm_mix=Int(2, 64, 8, label="Batch size in train mode", unit="samples",
                               help="The size of the batches the one test sample is asked about in."),
                  norm_seed=SEED)
SMALL = ParamSpec("norm-small",
                  norm_epochs=Int(2, 8, 4, label="Epochs", help="Passes over the training digits, the same for "
                                  "every batch size and every norm."),
                  norm_seed=SEED)


# --------------------------------------------------------------------------- the two statistics

def batchnorm(x: np.ndarray, eps: float = EPS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(out, mean, var)`` of batch norm in train mode, by hand: per feature (column), over the batch (rows)."""
    x = check_array(x, "x", ndim=2, min_len=2, max_size=1_000_000, why="a variance over one sample is 0")
    mean, var = x.mean(axis=0), x.var(axis=0)  # biased, as torch normalizes with
    return (x - mean) / np.sqrt(var + eps), mean, var


def layernorm(x: np.ndarray, eps: float = EPS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(out, mean, var)`` of layer norm, by hand: per sample (row), over its features (columns)."""
    x = check_array(x, "x", ndim=2, max_size=1_000_000)
    if x.shape[1] < 2:
        raise fail(f"x needs at least 2 features for layer norm; got {x.shape[1]}.")
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps), mean[:, 0], var[:, 0]


@dataclass(frozen=True)
class Stats:
    """Both norms on one real batch, by hand and by torch."""

    features: tuple[str, ...]
    rows: np.ndarray  # (batch,) index of each wine in the dataset
    x: np.ndarray  # (batch, features) raw measurements
    bn_out: np.ndarray  # (batch, features) batch norm by hand
    bn_mean: np.ndarray  # (features,)
    bn_var: np.ndarray  # (features,) biased
    ln_out: np.ndarray  # (batch, features) layer norm by hand
    ln_mean: np.ndarray  # (batch,)
    ln_var: np.ndarray  # (batch,)
    bn_torch_diff: float  # largest |by hand - torch's BatchNorm1d (train mode)|
    ln_torch_diff: float  # largest |by hand - torch's LayerNorm|
    running_mean: np.ndarray  # (features,) BatchNorm1d's running mean after this one batch
    running_var: np.ndarray  # (features,) and its running variance (from the unbiased batch variance)
    running_diff: float  # largest |running stats predicted by the momentum formula - torch's|


@lru_cache(maxsize=1)
def _wine() -> tuple[np.ndarray, tuple[str, ...]]:
    bunch = load_wine()
    x = bunch.data.astype(np.float64)
    x.setflags(write=False)
    return x, tuple(bunch.feature_names)


def statistics(batch: int = 8, seed: int = 0) -> Stats:
    """Batch norm and layer norm of ``batch`` raw wines drawn with ``seed``, by hand and by torch."""
    v = STATS.validate(norm_batch=batch, norm_seed=seed)
    data, names = _wine()
    rows = np.sort(np.random.default_rng(v["norm_seed"]).choice(len(data), size=v["norm_batch"], replace=False))
    x = data[rows]
    bn_out, bn_mean, bn_var = batchnorm(x)
    ln_out, ln_mean, ln_var = layernorm(x)
    t = torch.from_numpy(x)
    bn = nn.BatchNorm1d(x.shape[1], affine=False, dtype=torch.float64).train()
    ln = nn.LayerNorm(x.shape[1], elementwise_affine=False, dtype=torch.float64)
    with torch.no_grad():
        bn_t, ln_t = bn(t).numpy(), ln(t).numpy()
    run_mean, run_var = bn.running_mean.numpy().copy(), bn.running_var.numpy().copy()
    n = len(x)
    want_mean = (1 - MOMENTUM) * 0.0 + MOMENTUM * bn_mean  # starts at 0 and 1
    want_var = (1 - MOMENTUM) * 1.0 + MOMENTUM * bn_var * n / (n - 1)
    run_diff = float(max(np.abs(run_mean - want_mean).max(), np.abs(run_var - want_var).max()))
    return Stats(names, rows, x, bn_out, bn_mean, bn_var, ln_out, ln_mean, ln_var,
                 float(np.abs(bn_out - bn_t).max()), float(np.abs(ln_out - ln_t).max()), run_mean, run_var, run_diff)


def batchnorm_value(values: tuple[float, ...], which: int) -> float:
    """What ``BatchNorm1d(1)`` in train mode outputs for ``values[which]`` in a batch of one feature (via torch)."""
    x = check_array(values, "values", ndim=1, min_len=2, max_size=1024, why="a variance over one sample is 0")
    if not 0 <= which < len(x):
        raise fail(f"which must be between 0 and {len(x) - 1}; got {which!r}.")
    bn = nn.BatchNorm1d(1, dtype=torch.float64).train()
    with torch.no_grad():
        return float(bn(torch.from_numpy(x)[:, None])[which, 0])


# --------------------------------------------------------------------------- one small network, three ways

def make_net(norm: str, n_in: int = 64, n_out: int = 10, hidden: int = HIDDEN) -> nn.Sequential:
    """Linear → norm → ReLU → Linear → norm → ReLU → Linear; ``norm`` one of :data:`NORMS`."""
    if norm not in NORMS:
        raise fail(f"norm must be one of {', '.join(NORMS)}; got {norm!r}.")

    def block(a: int, b: int) -> list[nn.Module]:
        layer: list[nn.Module] = [nn.Linear(a, b)]
        if norm == "batch":
            layer.append(nn.BatchNorm1d(b))
        elif norm == "layer":
            layer.append(nn.LayerNorm(b))
        return [*layer, nn.ReLU()]

    return nn.Sequential(*block(n_in, hidden), *block(hidden, hidden), nn.Linear(hidden, n_out))


def _tensors() -> tuple[torch.Tensor, ...]:
    d = digits(0)
    return tuple(torch.from_numpy(np.array(a)) for a in (d.X_train, d.y_train, d.X_test, d.y_test))


def _accuracy(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((net(x).argmax(1) == y).double().mean())


def train(norm: str, batch: int, epochs: int, seed: int = 0, progress: Progress = quiet) -> tuple[nn.Module, float]:
    """Train :func:`make_net` on the digits with Adam; returns the network (in eval mode) and its test accuracy.

    A last batch of a single sample is skipped (batch norm cannot take one in train mode); every other
    batch, the short last one included, is used, so each epoch sees every other sample once.
    """
    if batch not in range(2, 1025):
        raise fail(f"batch must be between 2 and 1024; got {batch!r}.")
    if epochs not in range(1, 51):
        raise fail(f"epochs must be between 1 and 50; got {epochs!r}.")
    x, y, x_test, y_test = _tensors()
    torch.manual_seed(seed)
    net = make_net(norm)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    gen = torch.Generator().manual_seed(seed)
    n = len(y)
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(n, generator=gen)
        for start in range(0, n, batch):
            idx = order[start:start + batch]  # (≤ batch,)
            if len(idx) < 2:
                continue
            opt.zero_grad()
            nn.functional.cross_entropy(net(x[idx]), y[idx]).backward()
            opt.step()
        progress(epoch + 1, epochs)
    net.eval()
    return net, _accuracy(net, x_test, y_test)


# --------------------------------------------------------------------------- train mode against eval mode

@dataclass(frozen=True)
class Modes:
    """One trained batch-norm network asked the same question in different batches and modes."""

    sample: int  # index of the test sample followed
    label: int  # its true digit
    mix: int  # batch size of the companies
    p_train: np.ndarray  # (COMPANIES,) probability of its true digit, train mode, one per company
    p_eval: np.ndarray  # (COMPANIES,) the same in eval mode
    pred_train: np.ndarray  # (COMPANIES,) predicted digit, train mode
    pred_eval: np.ndarray  # (COMPANIES,)
    acc_eval: float  # test accuracy in eval mode (the right way)
    forgot: dict[str, float]  # test accuracy in train mode, per way of batching the test set (NaN: refused)
    batch1_error: str  # what torch says to a batch of one in train mode
    running_shift: float  # largest change of a running mean after one forgotten-eval pass over the test set


def _in_batches(net: nn.Module, x: torch.Tensor, y: torch.Tensor, groups: list[torch.Tensor]) -> float:
    right = 0
    with torch.no_grad():
        for idx in groups:
            right += int((net(x[idx]).argmax(1) == y[idx]).sum())
    return right / len(y)


@memo("basics-norm", salt=torch.__version__)
def _mode_net(seed: int) -> tuple[dict, float]:
    net, acc = train("batch", MODE_BATCH, MODE_EPOCHS, seed)
    return net.state_dict(), acc


def modes(mix: int = 8, seed: int = 0, progress: Progress = quiet) -> Modes:
    """Train (or load) the batch-norm network; follow one test sample through ``COMPANIES`` batches of ``mix``."""
    v = MODES.validate(norm_mix=mix, norm_seed=seed)
    mix, seed = v["norm_mix"], v["norm_seed"]
    state, acc_eval = _mode_net(seed)
    progress(1, 3)
    net = make_net("batch")
    net.load_state_dict(state)
    _, _, x, y = _tensors()
    n = len(y)
    rng = np.random.default_rng(seed)
    sample = int(rng.integers(n))
    others = np.delete(np.arange(n), sample)
    p = {"train": [], "eval": []}
    pred = {"train": [], "eval": []}
    for _ in range(COMPANIES):
        idx = torch.from_numpy(np.r_[sample, rng.choice(others, size=mix - 1, replace=False)])
        for mode in ("train", "eval"):
            trial = copy.deepcopy(net)  # train mode updates the running statistics: keep the original clean
            trial.train(mode == "train")
            with torch.no_grad():
                probs = torch.softmax(trial(x[idx]), dim=1)[0]
            p[mode].append(float(probs[y[sample]]))
            pred[mode].append(int(probs.argmax()))
    progress(2, 3)
    forgot, error, shift = _forgot(net, x, y, np.random.default_rng([seed, 1]))  # the same for every mix
    progress(3, 3)
    return Modes(sample, int(y[sample]), mix, np.array(p["train"]), np.array(p["eval"]), np.array(pred["train"]),
                 np.array(pred["eval"]), acc_eval, forgot, error, shift)


def _forgot(net: nn.Module, x: torch.Tensor, y: torch.Tensor, rng: np.random.Generator
            ) -> tuple[dict[str, float], str, float]:
    """Test accuracy of ``net`` run in train mode (``model.eval()`` forgotten), per way of batching."""
    n = len(y)
    order = torch.from_numpy(rng.permutation(n))
    out: dict[str, float] = {}
    for size in (2, 8, 128):
        out[f"shuffled batches of {size}"] = _in_batches(copy.deepcopy(net).train(), x, y,
                                                         [order[i:i + size] for i in range(0, n, size)
                                                          if len(order[i:i + size]) > 1])
    by_class = [torch.nonzero(y == c)[:, 0] for c in range(int(y.max()) + 1)]
    trial = copy.deepcopy(net).train()
    before = trial[1].running_mean.clone()
    out["one digit per batch"] = _in_batches(trial, x, y, by_class)
    shift = float((trial[1].running_mean - before).abs().max())
    try:
        with torch.no_grad():
            copy.deepcopy(net).train()(x[:1])
        error = ""
    except ValueError as exc:
        error = str(exc)
    out["batches of 1"] = float("nan")
    return out, error, shift


# --------------------------------------------------------------------------- small batches

@dataclass(frozen=True)
class SmallBatches:
    """Test accuracy per norm (rows, in :data:`NORMS` order) and batch size (columns)."""

    sizes: tuple[int, ...]
    epochs: int
    accuracy: np.ndarray  # (len(NORMS), len(sizes))
    steps: tuple[int, ...]  # optimizer steps per run, per batch size


@memo("basics-norm", salt=torch.__version__)
def _run(norm: str, batch: int, epochs: int, seed: int, progress: Progress = quiet) -> float:
    return train(norm, batch, epochs, seed, progress=progress)[1]


def small_batches(epochs: int = 4, seed: int = 0, sizes: tuple[int, ...] = BATCH_SIZES,
                  progress: Progress = quiet) -> SmallBatches:
    """Every norm at every batch size, ``epochs`` epochs each; progress counts optimizer steps."""
    v = SMALL.validate(norm_epochs=epochs, norm_seed=seed)
    epochs, seed = v["norm_epochs"], v["norm_seed"]
    if not sizes or len(sizes) > 8 or any(s not in range(2, 1025) for s in sizes):
        raise fail(f"sizes must be 1 to 8 batch sizes between 2 and 1024; got {sizes!r}.")
    n = len(digits(0).y_train)
    steps = tuple(sum(1 for i in range(0, n, s) if n - i > 1) * epochs for s in sizes)
    total, done = len(NORMS) * sum(steps), 0
    acc = np.zeros((len(NORMS), len(sizes)))
    for j, (size, k) in enumerate(zip(sizes, steps, strict=True)):
        for i, norm in enumerate(NORMS):
            acc[i, j] = _run(norm, size, epochs, seed,
                             progress=lambda d, t, base=done, k=k: progress(base + d * k // t, total))
            done += k
            progress(done, total)
    return SmallBatches(tuple(sizes), epochs, acc, steps)
