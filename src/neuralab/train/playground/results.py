"""What the engine reports: where a run stands, its curves, its health, its maps, one frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Metrics:
    """Where the run stands now (evaluated in eval mode: no dropout, batch norm on running statistics)."""

    epoch: int  # completed epochs
    updates: int  # weight updates so far
    lr: float  # learning rate of the current epoch
    train_loss: float  # data loss on the whole training set (no penalty)
    test_loss: float
    train_metric: float  # accuracy (0..1) for classes, R² for regression
    test_metric: float
    train_rmse: float  # regression: RMSE in data.y_unit (stored-scale RMSE × data.y_scale); nan for classes
    test_rmse: float
    metric_name: str  # "accuracy" or "R²"


@dataclass(frozen=True)
class Curves:
    """Per-epoch history (index 0 is the initial network, before any update)."""

    epoch: np.ndarray  # (E+1,) 0, 1, ..., E
    train_loss: np.ndarray  # (E+1,)
    test_loss: np.ndarray  # (E+1,)
    train_metric: np.ndarray  # (E+1,) accuracy or R²
    test_metric: np.ndarray  # (E+1,)
    lr: np.ndarray  # (E+1,) LR used during each epoch (nan at index 0)


@dataclass(frozen=True)
class Health:
    """Signals that training is going wrong, one entry per layer."""

    grad_norm: np.ndarray  # (n_linear,) Frobenius norm of ∂loss/∂W of each Linear layer, last update
    dead: np.ndarray  # (n_hidden,) share of units whose slope is 0 on every training point ("dead ReLUs")
    saturated: np.ndarray  # (n_hidden,) share of live units flat (slope < 5% of peak) on ≥ 90% of training points
    dead_total: float  # share of all hidden units that are dead
    saturated_total: float  # share of all hidden units that are saturated
    zero_weights: float  # share of weights that are exactly 0 (L1 at work)


@dataclass(frozen=True)
class Maps:
    """Every neuron's output over the grid (eval mode), for the per-neuron heatmaps."""

    xs: np.ndarray  # (res,) column coordinates
    ys: np.ndarray  # (res,) row coordinates
    inputs: np.ndarray  # (n_inputs, res, res) each input feature
    hidden: list[np.ndarray]  # per hidden layer (width, res, res): post-activation outputs
    output: np.ndarray  # (res, res) P(class 1) for binary, predicted class for multiclass, value for regression
    proba: np.ndarray | None  # (k, res, res) class probabilities for multiclass, else None


@dataclass(frozen=True)
class Snapshot:
    """Everything the page draws, in one object."""

    metrics: Metrics
    curves: Curves
    health: Health
    weights: list[np.ndarray]  # per Linear layer (out, in), torch layout, copies
    biases: list[np.ndarray]  # per Linear layer (out,)
    confusion: np.ndarray | None  # (k, k) test-set counts, rows true class, columns predicted; None for regression
    maps: Maps | None  # None for digits or when not asked for
    diverged: str  # "" or a sentence: what blew up, when, the likely cause and the fix
    stopped: str  # "" or why training stopped (end of the run, early stop, target reached, divergence)


