"""A self-organizing map (Kohonen), trained online, in numpy.

The map is a grid of ``R × C`` units. Unit ``j`` sits at grid position ``r_j = (row, col)`` and holds a
prototype ``w_j`` in the data space (d numbers). Nothing is learned by backpropagation; the map is fitted
by competition and cooperation:

* **Best-matching unit** (BMU) of a sample ``x``: ``c(x) = argmin_j ‖x − w_j‖``.
* **Online update**, one sample ``x_t`` per step ``t = 0 … T−1`` (samples in a fresh random order each
  epoch, ``T = epochs · N``)::

      w_j ← w_j + α(t) · h_cj(t) · (x_t − w_j),      h_cj(t) = exp(−‖r_c − r_j‖² / (2 σ(t)²))

  Every unit moves toward the sample, the BMU most and its grid neighbours less: that is what makes
  neighbouring units end up with similar prototypes (the map is ordered).
* **Schedules**, exponential decays over the T steps, from a start to an end value::

      σ(t) = σ₀ · (σ_end / σ₀)^(t / (T − 1)),      α(t) = α₀ · (α_end / α₀)^(t / (T − 1))

  Early on, a wide neighbourhood drags large parts of the map together (the map unfolds and orders
  itself); late, a narrow one with a small rate lets each unit settle on its own patch of data.

Measures of a fitted map on samples ``x_1 … x_N``:

* **Quantization error** ``QE = (1/N) Σ_i ‖x_i − w_c(x_i)‖``: how far a sample is from its prototype, a
  Euclidean distance over all d features together (it generally falls as units are added; it says nothing
  about order).
* **Topographic error** ``TE = (1/N) Σ_i 1[BMU and second BMU of x_i are not grid neighbours]``, with
  neighbours the 8 units around a unit (``max(|Δrow|, |Δcol|) = 1``): the share of samples where the map
  is folded, i.e. where the two closest prototypes lie apart on the grid.
* **U-matrix** ``U_j = mean over the 4 grid neighbours k of ‖w_j − w_k‖``: high values are borders between
  clusters, low values the inside of one.

This is the online (sequential) SOM, as in Kohonen's 1982 papers (which used a "bubble" neighbourhood, 1 inside
a shrinking radius and 0 outside, where this uses the now common Gaussian) and in the MiniSom package (whose
default schedules differ). The batch SOM replaces the step-by-step update with a weighted mean over all samples per
epoch and has no learning rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neuralab.progress import Progress, quiet

__all__ = ["SomFit", "bmus", "decay", "fit", "grid_positions", "neighbourhood", "quantization_error",
           "topographic_error", "u_matrix"]

SIGMA_END = 0.5  # grid units: at the end the BMU's direct neighbours still move by exp(−2) ≈ 0.14 of its step
ALPHA_END = 0.01  # the learning rate at the last step


@dataclass(frozen=True)
class SomFit:
    """A map fitted online, with snapshots taken during the one fit."""

    weights: np.ndarray  # (R, C, d) the prototypes after the last step
    snapshots: np.ndarray  # (K, R, C, d) the prototypes at the K snapshot steps (the first is the start)
    steps: np.ndarray  # (K,) int, steps taken before each snapshot (0 … T)
    sigma: np.ndarray  # (K,) neighbourhood radius at each snapshot, grid units
    alpha: np.ndarray  # (K,) learning rate at each snapshot
    qe: np.ndarray  # (K,) quantization error on the training samples at each snapshot
    te: np.ndarray  # (K,) topographic error on the training samples at each snapshot
    total_steps: int  # T = epochs · N

    @property
    def shape(self) -> tuple[int, int]:
        return self.weights.shape[0], self.weights.shape[1]


def grid_positions(rows: int, cols: int) -> np.ndarray:
    """(R·C, 2) float grid positions (row, col) of the units, row-major as ``weights.reshape(-1, d)``."""
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")  # (R, C) each
    return np.column_stack([r.ravel(), c.ravel()]).astype(np.float64)  # (R·C, 2)


def decay(start: float, end: float, t: np.ndarray | float, total: int) -> np.ndarray:
    """``start · (end / start)^(t / (total − 1))``: ``start`` at step 0, ``end`` at step ``total − 1``."""
    frac = np.asarray(t, dtype=np.float64) / max(total - 1, 1)
    return start * (end / start) ** frac


def neighbourhood(grid_d2: np.ndarray | float, sigma: np.ndarray | float) -> np.ndarray:
    """``h = exp(−d² / (2 σ²))``: the share of the winner's step a unit at squared grid distance ``d²`` takes."""
    return np.exp(-np.asarray(grid_d2, dtype=np.float64) / (2.0 * np.asarray(sigma, dtype=np.float64) ** 2))


def _sq_dists(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """(N, U) squared Euclidean distances between samples and prototypes (clipped at 0 against round-off)."""
    d2 = (X * X).sum(1)[:, None] - 2.0 * X @ W.T + (W * W).sum(1)[None, :]  # (N, U)
    return np.maximum(d2, 0.0)


def bmus(X: np.ndarray, weights: np.ndarray, k: int = 1) -> np.ndarray:
    """(N, k) flat indices of each sample's k nearest prototypes, nearest first (``weights`` is (R, C, d))."""
    W = weights.reshape(-1, weights.shape[-1])  # (U, d)
    d2 = _sq_dists(X, W)  # (N, U)
    if k == 1:
        return d2.argmin(1)[:, None]  # (N, 1)
    part = np.argpartition(d2, k - 1, axis=1)[:, :k]  # (N, k) the k nearest, unordered
    order = np.take_along_axis(d2, part, 1).argsort(1)  # (N, k)
    return np.take_along_axis(part, order, 1)  # (N, k)


def quantization_error(X: np.ndarray, weights: np.ndarray) -> float:
    """Mean Euclidean distance (over all features together) from each sample to its BMU's prototype."""
    W = weights.reshape(-1, weights.shape[-1])  # (U, d)
    return float(np.sqrt(_sq_dists(X, W).min(1)).mean())


def _te_from(first_second: np.ndarray, cols: int) -> float:
    r, c = np.divmod(first_second, cols)  # (N, 2) each: grid row and column of BMU and second BMU
    apart = np.maximum(np.abs(r[:, 0] - r[:, 1]), np.abs(c[:, 0] - c[:, 1])) > 1  # (N,)
    return float(apart.mean())


def topographic_error(X: np.ndarray, weights: np.ndarray) -> float:
    """Share of samples whose BMU and second BMU are not among each other's 8 grid neighbours."""
    if weights.shape[0] * weights.shape[1] < 2:
        return 0.0
    return _te_from(bmus(X, weights, 2), weights.shape[1])


def u_matrix(weights: np.ndarray) -> np.ndarray:
    """(R, C) mean distance from each unit's prototype to those of its 4 grid neighbours (up, down, left, right)."""
    R, C, _ = weights.shape
    total = np.zeros((R, C))
    count = np.zeros((R, C))
    down = np.linalg.norm(weights[1:] - weights[:-1], axis=-1)  # (R−1, C) between row i and i+1
    right = np.linalg.norm(weights[:, 1:] - weights[:, :-1], axis=-1)  # (R, C−1) between col j and j+1
    total[:-1] += down
    total[1:] += down
    count[:-1] += 1
    count[1:] += 1
    total[:, :-1] += right
    total[:, 1:] += right
    count[:, :-1] += 1
    count[:, 1:] += 1
    return np.divide(total, count, out=np.zeros((R, C)), where=count > 0)


def snapshot_steps(total: int, k: int) -> np.ndarray:
    """``k`` distinct steps from 0 to ``total``, packed toward the start (quadratic), where the map moves most."""
    at = np.round(total * np.linspace(0.0, 1.0, k) ** 2).astype(np.int64)  # (k,)
    return np.unique(at)


def fit(
    X: np.ndarray, rows: int, cols: int, *, epochs: int = 10, alpha0: float = 0.5, sigma0: float | None = None,
    seed: int = 0, snapshots: int = 30, init: str = "centre", progress: Progress = quiet,
) -> SomFit:
    """Fit an online SOM of ``rows × cols`` units to ``X`` (N, d); see the module docstring for the rule.

    The prototypes start in a small random cloud around the data mean (``init="centre"``, the default: the first
    snapshot is a crumpled map at the centre of the data) or at ``rows · cols`` samples drawn from ``X``
    (``init="sample"``, with replacement only when there are more units than samples). ``sigma0`` defaults to
    half the larger side of the grid. QE and TE are measured on ``X`` at each snapshot.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) < 2 or not np.isfinite(X).all():
        raise ValueError(f"X must be a finite (N, d) array with N ≥ 2; got shape {X.shape}.")
    if rows < 1 or cols < 1 or rows * cols < 2:
        raise ValueError(f"the map needs at least 2 units; got {rows} × {cols}.")
    sigma0 = max(rows, cols) / 2 if sigma0 is None else float(sigma0)
    rng = np.random.default_rng(seed)
    n, d = X.shape
    units = rows * cols
    if init == "sample":
        W = X[rng.choice(n, units, replace=units > n)].copy()  # (U, d)
    elif init == "centre":
        W = X.mean(0) + 0.1 * X.std(0) * rng.standard_normal((units, d))  # (U, d)
    else:
        raise ValueError(f"init must be 'sample' or 'centre'; got {init!r}.")
    grid = grid_positions(rows, cols)  # (U, 2)
    g2 = ((grid[:, None, :] - grid[None, :, :]) ** 2).sum(-1)  # (U, U) squared grid distances
    T = epochs * n
    sig = decay(sigma0, SIGMA_END, np.arange(T), T)  # (T,)
    alp = decay(alpha0, ALPHA_END, np.arange(T), T)  # (T,)
    order = np.concatenate([rng.permutation(n) for _ in range(epochs)])  # (T,)
    at = snapshot_steps(T, snapshots)  # (K,)
    shots = np.empty((len(at), units, d))  # (K, U, d)
    k = 0
    for t in range(T + 1):
        while k < len(at) and at[k] == t:
            shots[k] = W
            k += 1
        if t == T:
            break
        diff = X[order[t]] - W  # (U, d)
        c = np.einsum("ud,ud->u", diff, diff).argmin()
        W += (alp[t] * neighbourhood(g2[c], sig[t]))[:, None] * diff  # (U, d)
        if t % n == n - 1:
            progress(t // n + 1, epochs)
    shots4 = shots.reshape(len(at), rows, cols, d)  # (K, R, C, d)
    last = np.minimum(at, T - 1)  # the schedule's value at the step about to be taken (the last one at T)
    return SomFit(
        weights=shots4[-1].copy(),
        snapshots=shots4,
        steps=at,
        sigma=decay(sigma0, SIGMA_END, last, T),
        alpha=decay(alpha0, ALPHA_END, last, T),
        qe=np.array([quantization_error(X, s) for s in shots4]),
        te=np.array([topographic_error(X, s) for s in shots4]),
        total_steps=T,
    )
