"""Training sequence models: full or truncated backpropagation through time, clipping, divergence caught.

:func:`fit_sequence` trains any model of :mod:`neuralab.nn.recurrent` on whole sequences with Adam (or SGD)
and a mean squared error (on every step, or on the last step only for sequence-to-one tasks).
With ``tbptt=k`` a recurrent model's sequences are cut into chunks of ``k`` steps: the hidden state
is carried from one chunk to the next but the gradient is not (``detach``), which is truncated
backpropagation through time. With ``clip`` the gradient's global norm is clipped before each update.

:func:`thermal_model` trains one architecture on the motor's winding-temperature task, once: the
page's sections, the benchmarks and a notebook all read the same trained network.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from neuralab import cache
from neuralab.data.sequences import SeqSplit, thermal_split
from neuralab.nn.recurrent import Recurrent, build
from neuralab.nn.runtime import one_thread
from neuralab.progress import Progress

__all__ = ["SeqConfig", "SeqHistory", "Trained", "fit_sequence", "rmse", "thermal_model", "predict"]


@dataclass(frozen=True)
class SeqConfig:
    epochs: int = 150  # passes over the training sequences
    lr: float = 1e-2  # Adam's learning rate
    batch: int = 8  # sequences per update
    clip: float = 0.0  # max global gradient norm; 0 = no clipping
    tbptt: int = 0  # chunk length of truncated BPTT; 0 = backpropagate through the whole sequence
    last_only: bool = False  # loss on the last step only (sequence-to-one); else on every step
    seed: int = 0  # batch order
    explode: float = 1e4  # a loss above explode × the first one counts as diverged
    optimizer: str = "adam"  # "adam", or "sgd" (plain steps: lr × gradient, where an exploding gradient shows)


@dataclass
class SeqHistory:
    train_loss: list[float] = field(default_factory=list)  # per epoch, mean over its updates
    val_loss: list[float] = field(default_factory=list)  # per epoch, epoch 0 before training
    grad_norm: list[float] = field(default_factory=list)  # per update, before clipping
    diverged: str = ""  # a sentence: at which update the loss left the finite numbers, and how
    diverged_step: int = -1  # the update at which training stopped; −1 if it did not
    seconds: float = 0.0  # wall time of the training


def _loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, last_only: bool) -> torch.Tensor:
    out = model(x)
    return nn.functional.mse_loss(out[:, -1], y[:, -1]) if last_only else nn.functional.mse_loss(out, y)


@torch.no_grad()
def predict(model: nn.Module, x: np.ndarray | torch.Tensor) -> np.ndarray:
    """The model's output for every step, ``(B, T, O)``, as numpy."""
    model.eval()
    return model(torch.as_tensor(x)).numpy()


def rmse(model: nn.Module, x: np.ndarray, y: np.ndarray, last_only: bool = False) -> float:
    """Root-mean-square error of ``model`` on sequences ``x`` against ``y`` (every step, or the last)."""
    p = predict(model, x)
    return float(np.sqrt(np.mean((p[:, -1] - y[:, -1]) ** 2 if last_only else (p - y) ** 2)))


def _chunks(model: nn.Module, x: torch.Tensor, y: torch.Tensor, k: int, last_only: bool):
    """Yield the loss of each k-step chunk, carrying the recurrent state detached between chunks."""
    state = None
    for start in range(0, x.shape[1], k):
        out, state = model.rnn(x[:, start:start + k], state)
        pred = model.head(out)
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        yb = y[:, start:start + k]
        if last_only:
            if start + k >= x.shape[1]:
                yield nn.functional.mse_loss(pred[:, -1], yb[:, -1])
        else:
            yield nn.functional.mse_loss(pred, yb)


def _diverged(value: float, first: float, step: int, epoch: int, explode: float) -> str:
    how = ("is no longer a finite number" if not math.isfinite(value)
           else f"is {value:.3g}, more than {explode:g} times its first value of {first:.3g}")
    return (f"Training diverged at update {step} (epoch {epoch}): the loss {how}. The updates made it grow "
            "instead of shrink: an exploding gradient, or a learning rate too large for this network.")


@one_thread()
def fit_sequence(model: nn.Module, x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray | None,
                 y_val: np.ndarray | None, cfg: SeqConfig = SeqConfig(), *, progress: Progress | None = None,
                 criterion: Callable[[nn.Module, torch.Tensor], torch.Tensor] | None = None) -> SeqHistory:
    """Train ``model`` in place with Adam (or SGD) on ``(B, T, F)`` sequences; return its history.

    A non-finite loss, or one above ``cfg.explode`` times the first, stops training with a sentence
    saying at which update (the exploding-gradient lesson, not a crash). ``criterion(model, idx)``
    replaces the loss of a batch (``idx``: its rows of ``x_train``), e.g. a model run on its own
    predictions; with no ``x_val`` no validation loss is recorded.
    """
    if cfg.tbptt and (criterion or not isinstance(model, Recurrent)):
        raise ValueError("tbptt: truncated backpropagation through time needs a recurrent model (rnn, lstm, gru) "
                         "and the built-in loss.")
    if cfg.epochs < 1 or cfg.batch < 1:
        raise ValueError(f"epochs and batch must be at least 1; got {cfg.epochs} and {cfg.batch}.")
    t0 = time.perf_counter()
    X, Y = torch.as_tensor(np.asarray(x_train)), torch.as_tensor(np.asarray(y_train))
    if cfg.optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be adam or sgd; got {cfg.optimizer!r}.")
    opt = (torch.optim.Adam if cfg.optimizer == "adam" else torch.optim.SGD)(model.parameters(), lr=cfg.lr)
    gen = torch.Generator().manual_seed(cfg.seed)
    hist = SeqHistory()
    validate = x_val is not None and y_val is not None
    if validate:
        hist.val_loss.append(rmse(model, x_val, y_val, cfg.last_only) ** 2)
    first, step = None, 0
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        losses = []
        for idx in torch.randperm(len(X), generator=gen).split(cfg.batch):
            xb, yb = X[idx], Y[idx]
            parts = ([criterion(model, idx)] if criterion else _chunks(model, xb, yb, cfg.tbptt, cfg.last_only)
                     if cfg.tbptt else [_loss(model, xb, yb, cfg.last_only)])
            for loss in parts:
                value = loss.item()
                first = value if first is None else first
                if not math.isfinite(value) or value > cfg.explode * max(first, 1e-12):
                    hist.diverged_step = step
                    hist.diverged = _diverged(value, first, step, epoch, cfg.explode)
                    hist.seconds = time.perf_counter() - t0
                    return hist
                opt.zero_grad(set_to_none=True)
                loss.backward()
                norm = nn.utils.clip_grad_norm_(model.parameters(), cfg.clip if cfg.clip > 0 else math.inf)
                hist.grad_norm.append(float(norm))
                opt.step()
                step += 1
                losses.append(value)
        hist.train_loss.append(float(np.mean(losses)))
        if validate:
            hist.val_loss.append(rmse(model, x_val, y_val, cfg.last_only) ** 2)
        if progress:
            progress(epoch, cfg.epochs)
    hist.seconds = time.perf_counter() - t0
    return hist


@dataclass(frozen=True)
class Trained:
    """One architecture trained on the winding-temperature task (the default thermal split)."""

    arch: str
    width: int
    seed: int
    state: dict  # the model's state_dict
    history: SeqHistory
    test_rmse_k: float  # root-mean-square error on the test cycles, kelvin
    val_rmse_k: float

    def model(self) -> nn.Module:
        """A fresh copy of the trained network."""
        split = thermal_split()
        m = build(self.arch, split.x_train.shape[2], self.width, 1, self.seed)
        m.load_state_dict(self.state)
        return m.eval()


THERMAL_CFG = SeqConfig()  # the one recipe for the thermal task


def thermal_model(arch: str = "gru", width: int = 16, seed: int = 0, *, progress: Progress | None = None) -> Trained:
    """``arch`` (a key of :data:`neuralab.nn.recurrent.ARCHS`) trained on :func:`thermal_split`, kept on disk.

    ``thermal_model("gru")`` and ``thermal_model("gru", 16, 0)`` read the same stored network.
    """
    return _thermal_model(arch, int(width), int(seed), progress=progress)


@cache.memo("recurrent", depends=("neuralab.nn.recurrent", "neuralab.data.sequences", "neuralab.data.motor"),
            salt=torch.__version__)
def _thermal_model(arch: str, width: int, seed: int, *, progress: Progress | None = None) -> Trained:
    split: SeqSplit = thermal_split()
    torch.manual_seed(seed)
    model = build(arch, split.x_train.shape[2], width, 1, seed)
    hist = fit_sequence(model, split.x_train, split.y_train, split.x_val, split.y_val,
                        SeqConfig(**{**THERMAL_CFG.__dict__, "seed": seed}), progress=progress)
    return Trained(arch, width, seed, {k: v.clone() for k, v in model.state_dict().items()}, hist,
                   split.kelvin(rmse(model, split.x_test, split.y_test)),
                   split.kelvin(rmse(model, split.x_val, split.y_val)))
