"""One small training loop on top of torch, recording everything a page wants to draw.

``fit`` trains a model on :class:`~neuralab.data.arrays.Arrays` with a named optimizer
and schedule and returns a :class:`History`. It watches for divergence (a NaN or
infinite loss, or a loss that explodes past ``explode`` times its first value) and
stops there with a sentence saying what happened; it can stop early on validation
loss and restore the best weights; and it can apply L1 as a proximal step, which
makes exact zeros that a plain L1 gradient never does.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from neuralab.data.arrays import Arrays
from neuralab.progress import Progress
from neuralab.train import divergence, optimizers, schedules

__all__ = ["Config", "History", "fit", "evaluate", "prox_l1", "weights"]


@dataclass(frozen=True)
class Config:
    """How to train. Every field has a default that trains a small MLP on digits well."""

    epochs: int = 30  # passes over the training set
    batch_size: int = 32  # samples per update; the last batch of an epoch may be smaller
    optimizer: str = "adam"  # a key of neuralab.train.optimizers.OPTIMIZERS
    lr: float = 1e-3  # initial learning rate
    weight_decay: float = 0.0  # torch's weight_decay: L2 in the gradient, or decoupled for AdamW
    momentum: float = 0.0  # heavy-ball momentum of optimizer "sgd" (the other optimizers fix their own)
    l2: float = 0.0  # explicit L2 penalty λ·Σw² added to the loss (weights only, not biases)
    l1: float = 0.0  # L1 strength λ, applied as a proximal soft-threshold after each step (weights only)
    l1_mode: str = "prox"  # "prox" (soft-threshold, exact zeros) or "subgradient" (λ·Σ|w| added to the loss)
    schedule: str = "constant"  # a key of neuralab.train.schedules.SCHEDULES
    patience: int = 0  # stop after this many epochs without a new best validation loss; 0 never stops
    restore_best: bool = True  # with patience, end on the weights of the best validation epoch
    explode: float = 1e3  # a loss above this multiple of the first batch's loss counts as divergence
    seed: int = 0  # fixes the batch order (the model's weights are fixed by its own seed)


@dataclass
class History:
    """What happened, epoch by epoch (index 0 is before any training)."""

    train_loss: list[float] = field(default_factory=list)  # on the whole training set, in eval mode, no penalty
    batch_loss: list[float] = field(default_factory=list)  # mean of the epoch's batch losses (dropout, penalty)
    val_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)  # accuracy (classes) or R² (regression)
    val_metric: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)  # the LR used during each epoch (nan at index 0)
    step_loss: list[float] = field(default_factory=list)  # every batch's loss, in order
    best_epoch: int = 0  # epoch with the lowest validation loss
    stopped_epoch: int = 0  # last epoch run
    early_stopped: bool = False
    diverged: str = ""  # empty, or a sentence: what blew up, when, and the likely cause

    @property
    def epochs(self) -> np.ndarray:
        return np.arange(len(self.val_loss))


def _loss_fn(task: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    if task == "classification":
        return F.cross_entropy
    return lambda out, y: F.mse_loss(out.squeeze(-1), y)


def weights(model: nn.Module) -> list[torch.Tensor]:
    """The weight matrices and kernels (dim ≥ 2): what L1/L2 penalize. Biases and norms are left alone."""
    return [p for p in model.parameters() if p.dim() >= 2]


@torch.no_grad()
def prox_l1(model: nn.Module, threshold: float) -> None:
    """Soft-threshold every weight: ``w ← sign(w)·max(|w| − threshold, 0)``.

    This is the proximal operator of ``threshold·|w|``; after a gradient step with
    learning rate η, calling it with ``threshold = η·λ`` is one proximal-gradient step
    on the L1-penalized loss. Weights smaller than the threshold become exactly 0.
    """
    for w in weights(model):
        w.copy_(torch.sign(w) * torch.clamp(w.abs() - threshold, min=0.0))


@torch.no_grad()
def evaluate(model: nn.Module, X: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor, task: str
             ) -> tuple[float, float]:
    """(loss, metric) on one set in eval mode: accuracy for classes, R² for regression."""
    was = model.training
    model.eval()
    X, y = torch.as_tensor(np.array(X) if isinstance(X, np.ndarray) else X), torch.as_tensor(
        np.array(y) if isinstance(y, np.ndarray) else y)
    out = model(X)
    loss = float(_loss_fn(task)(out, y))
    if task == "classification":
        metric = float((out.argmax(1) == y).float().mean())
    else:
        resid = float(((out.squeeze(-1) - y) ** 2).sum())
        total = float(((y - y.mean()) ** 2).sum()) or 1.0
        metric = 1.0 - resid / total
    model.train(was)
    return loss, metric


def fit(
    model: nn.Module,
    data: Arrays,
    cfg: Config = Config(),
    *,
    progress: Progress | None = None,
    on_step: Callable[[nn.Module, int], None] | None = None,
    on_epoch: Callable[[nn.Module, int], None] | None = None,
    criterion: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
) -> History:
    """Train ``model`` in place on ``data.X_train`` and return its history.

    ``on_step(model, step)`` runs after every update, ``on_epoch(model, epoch)`` after
    each epoch's evaluation (epoch 0 before training): hooks for trajectories, masks and
    checkpoints. ``criterion(out, y, idx)`` replaces the training loss (``idx``: the batch's row
    indices into ``X_train``, e.g. to look up a teacher's logits); evaluation keeps the plain
    loss. The model must already be built with its own seed.
    """
    if cfg.epochs < 1 or cfg.batch_size < 1:
        raise ValueError(f"epochs and batch_size must be at least 1; got {cfg.epochs} and {cfg.batch_size}.")
    if cfg.l1_mode not in ("prox", "subgradient"):
        raise ValueError(f"l1_mode must be prox or subgradient; got {cfg.l1_mode!r}.")
    opt = optimizers.make(cfg.optimizer, model.parameters(), cfg.lr, cfg.weight_decay, cfg.momentum)
    sched = schedules.make(cfg.schedule, opt, cfg.epochs)
    loss_fn = _loss_fn(data.task)
    X, y = torch.tensor(data.X_train), torch.tensor(data.y_train)  # copies: the arrays are read-only
    gen = torch.Generator().manual_seed(cfg.seed)
    hist = History()
    _record(hist, model, data, math.nan)
    if on_epoch:
        on_epoch(model, 0)
    best, best_state, since_best, first, step = hist.val_loss[0], None, 0, None, 0
    for epoch in range(1, cfg.epochs + 1):
        lr = opt.param_groups[0]["lr"]
        model.train()
        losses = []
        for idx in torch.randperm(len(y), generator=gen).split(cfg.batch_size):
            out = model(X[idx])
            loss = criterion(out, y[idx], idx) if criterion else loss_fn(out, y[idx])
            if cfg.l2:
                loss = loss + cfg.l2 * sum((w**2).sum() for w in weights(model))
            if cfg.l1 and cfg.l1_mode == "subgradient":  # autograd's d|w|/dw is sign(w): a subgradient
                loss = loss + cfg.l1 * sum(w.abs().sum() for w in weights(model))
            value = loss.item()
            first = value if first is None else first
            if not math.isfinite(value) or value > cfg.explode * max(first, 1e-12):
                hist.step_loss.append(value)
                hist.diverged = _diverged_sentence(value, first, epoch, step, cfg)
                hist.stopped_epoch = epoch - 1
                return hist
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if cfg.l1 and cfg.l1_mode == "prox":
                prox_l1(model, opt.param_groups[0]["lr"] * cfg.l1)
            step += 1
            losses.append(value)
            hist.step_loss.append(value)
            if on_step:
                on_step(model, step)
        _record(hist, model, data, lr, train_loss=float(np.mean(losses)))
        if on_epoch:
            on_epoch(model, epoch)
        schedules.step(sched, hist.val_loss[-1])
        hist.stopped_epoch = epoch
        if progress:
            progress(epoch, cfg.epochs)
        if hist.val_loss[-1] < best:
            best, since_best, hist.best_epoch = hist.val_loss[-1], 0, epoch
            if cfg.patience:
                best_state = copy.deepcopy(model.state_dict())
        else:
            since_best += 1
            if cfg.patience and since_best >= cfg.patience:
                hist.early_stopped = True
                break
    if cfg.patience and cfg.restore_best and best_state is not None:
        model.load_state_dict(best_state)
    return hist


def _record(hist: History, model: nn.Module, data: Arrays, lr: float, train_loss: float | None = None) -> None:
    tl, tm = evaluate(model, data.X_train, data.y_train, data.task)
    vl, vm = evaluate(model, data.X_val, data.y_val, data.task)
    hist.train_loss.append(tl)
    hist.batch_loss.append(math.nan if train_loss is None else train_loss)
    hist.val_loss.append(vl)
    hist.train_metric.append(tm)
    hist.val_metric.append(vm)
    hist.lr.append(lr)


def _diverged_sentence(value: float, first: float, epoch: int, step: int, cfg: Config) -> str:
    measured = (f"With {cfg.optimizer} at a learning rate of {cfg.lr:g}, each step overshoots the minimum by more "
                "than it corrects, so the weights grow until the numbers overflow. ")
    return divergence.sentence(divergence.what_blew_up(value, first, cfg.explode),
                               f"at update {step + 1} (epoch {epoch})", measured,
                               [f"lower the learning rate ten-fold (to {cfg.lr / 10:.3g})", "add a warm-up"])
