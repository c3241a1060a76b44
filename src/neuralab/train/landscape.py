"""A real network's loss landscape: a 2-D slice through weight space around trained weights.

A network has thousands of weights, so its loss surface cannot be drawn; a plane
through it can. Pick the trained weights θ* and two directions d₁, d₂ (vectors as long
as θ*) and evaluate ``L(θ* + α·d₁ + β·d₂)`` on a grid of (α, β). Two choices of plane:

* **Filter-normalized random directions** (Li, Xu, Taylor, Studer and Goldstein, 2018,
  "Visualizing the Loss Landscape of Neural Nets"): each row of a random Gaussian
  direction (the incoming weights of one neuron) is rescaled to the norm of the same
  row of θ*, so α = 1 means "a change as large as the weights themselves" in every
  neuron; without it, layers with small weights would look falsely sharp. Bias entries
  are set to zero, as in the paper's default.
* **PCA of the trajectory**: the two directions along which the weights moved most
  during training (principal components of θₜ − θ*). A random plane is almost
  orthogonal to the training path in thousands of dimensions, so the path projected
  on it collapses near the centre; the PCA plane is the one that shows it.

The trap: a slice shows one plane; a valley in it may be a ridge in another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from sklearn.decomposition import PCA
from torch import nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from neuralab.data.arrays import digits
from neuralab.nn.models import mlp
from neuralab.params import SEED, Choice, Int, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.train.descent import one_thread
from neuralab.train.loop import Config, evaluate, fit

__all__ = ["DIRECTIONS", "GRID", "HIDDEN", "LANDSCAPE", "Landscape", "filter_normalized", "landscape"]

GRID = 21  # grid nodes per axis: 441 evaluations of the training loss
HIDDEN = 32  # hidden units of the 64 → 32 → 10 MLP
LR = 1e-3  # Adam's learning rate
BATCH = 32
SPAN = 1.0  # the random slice covers α, β in [−SPAN, SPAN] (units of the filter norms)
PCA_MARGIN = 1.3  # the PCA slice covers the projected path times this

DIRECTIONS = {"random": "Filter-normalized random", "pca": "PCA of the training path"}
LANDSCAPE = ParamSpec(
    "landscape",
    ls_dirs=Choice(tuple(DIRECTIONS.items()), default="random", label="Slice directions"),
    ls_epochs=Int(5, 40, 20, step=5, label="Training epochs", help="Adam, one snapshot of the weights per epoch."),
    seed=SEED,
)


@dataclass(frozen=True)
class Landscape:
    """The loss on a plane through the trained weights, and the training path projected on it."""

    directions: str  # key of DIRECTIONS
    alphas: np.ndarray  # (GRID,) coordinate along d₁
    betas: np.ndarray  # (GRID,) coordinate along d₂
    loss: np.ndarray  # (GRID, GRID) training cross-entropy, [i, j] at (alphas[j], betas[i])
    path_a: np.ndarray  # (epochs + 1,) projection of θₜ − θ* on d₁ (least squares in the plane)
    path_b: np.ndarray  # (epochs + 1,) projection on d₂
    path_loss: np.ndarray  # (epochs + 1,) the true training loss at θₜ (not at its projection)
    off_plane: np.ndarray  # (epochs + 1,) ‖part of θₜ − θ* outside the plane‖ / ‖θₜ − θ*‖ (nan at θ*)
    explained: tuple[float, float] | None  # PCA variance ratios of the two directions; None for random
    n_params: int
    train_loss: float  # at θ*, the centre of the plot
    val_accuracy: float  # of the trained network


def filter_normalized(model: nn.Module, gen: torch.Generator) -> torch.Tensor:
    """A random direction with each neuron's row scaled to that row's weight norm; zeros for biases.

    For a weight matrix W (out × in) the direction's row i is ``dᵢ · ‖Wᵢ‖ / ‖dᵢ‖``; flattened
    in ``model.parameters()`` order, so ``θ* + α·d`` maps back with ``vector_to_parameters``.
    """
    parts = []
    for p in model.parameters():
        if p.dim() < 2:
            parts.append(torch.zeros(p.numel()))
            continue
        d = torch.randn(p.shape, generator=gen)
        w = p.detach().reshape(p.shape[0], -1)
        d = d.reshape(p.shape[0], -1)
        d = d * (w.norm(dim=1, keepdim=True) / (d.norm(dim=1, keepdim=True) + 1e-10))
        parts.append(d.reshape(-1))
    return torch.cat(parts)


def landscape(ls_dirs: str, ls_epochs: int, seed: int, progress: Progress | None = None) -> Landscape:
    """Train a 64 → 32 → 10 ReLU MLP on digits with Adam and slice its loss around the result.

    Progress counts training epochs, then rows of the grid. Raises ParamError on bad values.
    """
    v = LANDSCAPE.validate(ls_dirs=ls_dirs, ls_epochs=ls_epochs, seed=seed)
    with one_thread():
        return _landscape(v["ls_dirs"], v["ls_epochs"], v["seed"], progress)


@lru_cache(maxsize=8)
def _trained(epochs: int, seed: int) -> tuple[nn.Module, np.ndarray, np.ndarray, float]:
    """The trained model, its weight snapshots (epochs + 1, P), per-epoch training loss, and validation accuracy."""
    data = digits(seed)
    model = mlp((data.n_features, HIDDEN, data.n_classes), "relu", seed=seed)
    snaps: list[torch.Tensor] = []
    hist = fit(model, data, Config(epochs=epochs, batch_size=BATCH, optimizer="adam", lr=LR, seed=seed),
               on_epoch=lambda m, _e: snaps.append(parameters_to_vector(m.parameters()).detach().clone()))
    return model, torch.stack(snaps).numpy(), np.array(hist.train_loss), hist.val_metric[-1]


def _landscape(dirs: str, epochs: int, seed: int, progress: Progress | None) -> Landscape:
    report = progress or quiet
    total = epochs + GRID
    cached = _trained.cache_info().currsize
    model, snaps, path_loss, val_acc = _trained(epochs, seed)
    if _trained.cache_info().currsize != cached:
        report(epochs, total)
    data = digits(seed)
    theta = torch.tensor(snaps[-1])
    delta = snaps - snaps[-1]  # (epochs + 1, P)
    explained = None
    if dirs == "random":
        gen = torch.Generator().manual_seed(seed)
        d1, d2 = filter_normalized(model, gen), filter_normalized(model, gen)
    else:
        pca = PCA(n_components=2).fit(delta)
        d1, d2 = (torch.tensor(c, dtype=torch.float32) for c in pca.components_)
        explained = (float(pca.explained_variance_ratio_[0]), float(pca.explained_variance_ratio_[1]))
    basis = torch.stack([d1, d2], dim=1).numpy()  # (P, 2)
    coef, *_ = np.linalg.lstsq(basis, delta.T, rcond=None)  # (2, epochs + 1)
    resid = np.linalg.norm(delta.T - basis @ coef, axis=0)
    norm = np.linalg.norm(delta, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        off = np.where(norm > 0, resid / norm, np.nan)
    if dirs == "random":
        alphas = betas = np.linspace(-SPAN, SPAN, GRID)
    else:
        alphas, betas = (_span(c) for c in coef)
    loss = _slice(model, theta, d1, d2, alphas, betas, data.X_train, data.y_train, lambda i: report(epochs + i, total))
    vector_to_parameters(theta, model.parameters())  # leave the cached model at θ*
    return Landscape(dirs, alphas, betas, loss, coef[0], coef[1], path_loss, off, explained,
                     int(theta.numel()), float(path_loss[-1]), float(val_acc))


def _span(c: np.ndarray) -> np.ndarray:
    reach = PCA_MARGIN * max(float(np.abs(c).max()), 1e-3)
    return np.linspace(-reach, reach, GRID)


@torch.no_grad()
def _slice(model: nn.Module, theta: torch.Tensor, d1: torch.Tensor, d2: torch.Tensor, alphas: np.ndarray,
           betas: np.ndarray, X: np.ndarray, y: np.ndarray, row_done: Callable[[int], None]) -> np.ndarray:
    loss = np.empty((len(betas), len(alphas)))
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for i, b in enumerate(betas):
        for j, a in enumerate(alphas):
            vector_to_parameters(theta + float(a) * d1 + float(b) * d2, model.parameters())
            loss[i, j] = evaluate(model, Xt, yt, "classification")[0]
        row_done(i + 1)
    return loss
