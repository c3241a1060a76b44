"""A model scored per operating regime and across regimes: where its error hides, and whether it generalizes.

One decent overall RMSE can hide one regime that is far worse; :func:`regime_error_grid`
shows the error in every cell of two regime labels. :func:`regime_validation` asks the
deployment question honestly: a shuffled K-fold lets the model see every regime during
training, so it measures interpolation; leaving a whole regime out measures what happens
in a regime the training data never covered.

The regime labels come from :mod:`neuralab.signal.regimes` (or any integer labels); the
regressors from :data:`neuralab.data.baselines.REGRESSORS`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import RegressorMixin
from sklearn.model_selection import KFold, LeaveOneGroupOut, StratifiedGroupKFold, StratifiedKFold

from neuralab.checks import check_array, check_labels, check_length, fail
from neuralab.data.baselines import REGRESSOR, make_regressor
from neuralab.data.splits import K
from neuralab.params import SEED, ParamSpec
from neuralab.signal.regimes import MAX_LABEL

__all__ = ["REGIME_CV", "ErrorGrid", "RegimeValidation", "regime_error_grid", "regime_validation"]

REGIME_CV = ParamSpec("regime_cv", model=REGRESSOR, k=K, seed=SEED)
MAX_REGIMES = 100  # held-out-regime validation fits one model per regime


# --------------------------------------------------------------------------- error per regime


@dataclass(frozen=True)
class ErrorGrid:
    """A model's error in every cell of two regime labels, for a heatmap."""

    rmse: np.ndarray  # (n_a, n_b) root-mean-square error per cell, y units; NaN where empty
    bias: np.ndarray  # (n_a, n_b) mean of y_pred - y_true per cell, y units; NaN where empty
    counts: np.ndarray  # (n_a, n_b) int samples per cell
    overall_rmse: float  # over every sample, y units

    @property
    def worst(self) -> tuple[int, int]:
        """``(a, b)`` of the cell with the largest RMSE (ignoring empty cells)."""
        flat = int(np.nanargmax(self.rmse))
        return tuple(int(i) for i in np.unravel_index(flat, self.rmse.shape))


def regime_error_grid(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    labels_a: ArrayLike,
    labels_b: ArrayLike,
    n_a: int | None = None,
    n_b: int | None = None,
) -> ErrorGrid:
    """RMSE and bias of predictions per (regime a, regime b) cell.

    ``rmse[a, b] = sqrt(mean over cell of (y_pred - y_true)^2)``. Trap: the overall
    RMSE weights cells by their counts, so a rare regime with a large error barely
    moves it; the grid shows it.

    Args:
        y_true, y_pred: ``(n,)`` target and prediction.
        labels_a, labels_b: ``(n,)`` regime labels, e.g. temperature bin and speed bin.
        n_a, n_b: number of regimes on each axis (default: largest label + 1).
    """
    t = check_array(y_true, "y_true")
    p = check_array(y_pred, "y_pred")
    check_length(p, "y_pred", len(t))
    a = check_labels(labels_a, "labels_a", len(t), MAX_LABEL)
    b = check_labels(labels_b, "labels_b", len(t), MAX_LABEL)
    n_a = _n_regimes("n_a", a, n_a)
    n_b = _n_regimes("n_b", b, n_b)
    cell = a * n_b + b
    err = p - t
    counts = np.bincount(cell, minlength=n_a * n_b)
    with np.errstate(invalid="ignore", divide="ignore"):
        rmse = np.sqrt(np.bincount(cell, weights=err**2, minlength=n_a * n_b) / counts)
        bias = np.bincount(cell, weights=err, minlength=n_a * n_b) / counts
    shape = (n_a, n_b)
    return ErrorGrid(rmse.reshape(shape), bias.reshape(shape), counts.reshape(shape), float(np.sqrt(np.mean(err**2))))


def _n_regimes(name: str, labels: np.ndarray, n: int | None) -> int:
    needed = int(labels.max()) + 1
    if n is None:
        return needed
    if not needed <= n <= MAX_LABEL:
        raise fail(f"{name} must be from the largest label + 1 ({needed}) to {MAX_LABEL}; got {n}.")
    return int(n)


# --------------------------------------------------------------------------- validation across regimes


@dataclass(frozen=True)
class RegimeValidation:
    """Three ways to validate one regressor, all scored by RMSE in the units of ``y``.

    ``random`` shuffles rows into K folds: every regime is in every training set, so
    it measures interpolation. ``stratified`` keeps each regime's share equal across
    folds (and, with groups, keeps each group, e.g. a drive cycle, inside one fold).
    ``held_out`` trains on all other regimes and tests on one: what deployment in an
    unseen regime would give. The gap between ``random`` and ``held_out`` is the lesson.
    """

    regimes: np.ndarray  # (r,) the regime label behind each per-regime entry below
    counts: np.ndarray  # (r,) rows per regime
    random: np.ndarray  # (k,) RMSE per fold, shuffled KFold
    stratified: np.ndarray  # (k,) RMSE per fold, StratifiedKFold (StratifiedGroupKFold with groups) on regimes
    held_out: np.ndarray  # (r,) RMSE on each regime when it alone is left out (LeaveOneGroupOut)
    random_by_regime: np.ndarray  # (r,) RMSE of the shuffled-fold out-of-fold predictions within each regime
    stratified_by_regime: np.ndarray  # (r,) the same for the stratified folds
    random_shares: np.ndarray  # (k, r) share of each regime in each shuffled validation fold
    stratified_shares: np.ndarray  # (k, r) the same for the stratified folds
    pred_random: np.ndarray  # (n,) out-of-fold prediction of every row, shuffled folds
    pred_stratified: np.ndarray  # (n,) the same, stratified folds
    pred_held_out: np.ndarray  # (n,) prediction of every row by the model that never saw its regime
    pooled: tuple[float, float, float]  # RMSE over all rows of the three predictions (random, stratified, held out)
    no_skill: float  # RMSE of always predicting mean(y): the scale the scores are read against
    grouped: bool  # True when groups kept each group inside one stratified fold

    @property
    def gap(self) -> float:
        """Pooled held-out RMSE minus pooled random-fold RMSE (y units): what the shuffle hides."""
        return self.pooled[2] - self.pooled[0]


Folds = list[tuple[np.ndarray, np.ndarray]]  # (train indices, validation indices) per fold


def _fit_predict(
    factory: Callable[[], RegressorMixin], X: np.ndarray, y: np.ndarray, folds: Folds
) -> tuple[np.ndarray, np.ndarray]:
    """Per-fold RMSE and the out-of-fold predictions (each row predicted by the fold that held it out)."""
    pred = np.empty(len(y))
    scores = np.empty(len(folds))
    for i, (tr, va) in enumerate(folds):
        pred[va] = factory().fit(X[tr], y[tr]).predict(X[va])
        scores[i] = np.sqrt(np.mean((pred[va] - y[va]) ** 2))
    return scores, pred


def _per_regime_rmse(err: np.ndarray, inv: np.ndarray, counts: np.ndarray) -> np.ndarray:
    return np.sqrt(np.bincount(inv, weights=err**2, minlength=len(counts)) / counts)


def _shares(folds: Folds, inv: np.ndarray, r: int) -> np.ndarray:
    return np.vstack([np.bincount(inv[va], minlength=r) / len(va) for _, va in folds])


def _check_validation_inputs(
    X: ArrayLike, y: ArrayLike, regime_labels: ArrayLike, groups: ArrayLike | None, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray, np.ndarray, np.ndarray]:
    """Checked ``(X, y, groups, regimes, regime index per row, rows per regime)``."""
    Xa = check_array(X, "X", ndim=2)
    ya = check_array(y, "y")
    check_length(ya, "y", len(Xa))
    lab = check_labels(regime_labels, "regime_labels", len(Xa), MAX_LABEL)
    regimes, inv, counts = np.unique(lab, return_inverse=True, return_counts=True)
    if not 2 <= len(regimes) <= MAX_REGIMES:
        raise fail(f"regime_labels must hold 2 to {MAX_REGIMES} distinct regimes; got {len(regimes)}.")
    if counts.max() < k:
        raise fail(f"k must not exceed the rows of the largest regime ({counts.max()}); got k = {k}.")
    g = None
    if groups is not None:
        g = check_array(groups, "groups")
        check_length(g, "groups", len(Xa))
        n_groups = len(np.unique(g))
        if n_groups < k:
            raise fail(f"k must not exceed the number of distinct groups ({n_groups}); got k = {k}.")
    return Xa, ya, g, regimes, inv, counts


def regime_validation(
    X: ArrayLike,
    y: ArrayLike,
    regime_labels: ArrayLike,
    groups: ArrayLike | None = None,
    model_factory: str | Callable[[], RegressorMixin] = "ridge",
    k: int = 5,
    seed: int = 0,
) -> RegimeValidation:
    """Score one regressor by shuffled K-fold, regime-stratified K-fold and leave-one-regime-out.

    All three use scikit-learn's splitters: ``KFold(k, shuffle=True)``,
    ``StratifiedKFold(k, shuffle=True)`` on the regime labels (or
    ``StratifiedGroupKFold`` when ``groups`` such as cycle ids are given, so no cycle
    is split between training and validation) and ``LeaveOneGroupOut`` with the
    regime labels as groups. Trap: stratifying does not test a new regime; it only
    makes each fold a fair miniature of the data. Only leaving a regime out does.

    Args:
        X: ``(n, f)`` features.
        y: ``(n,)`` regression target.
        regime_labels: ``(n,)`` regime of each row (from :func:`~neuralab.signal.regimes.assign_bins` or
            :func:`~neuralab.signal.regimes.joint_bins`).
        groups: ``(n,)`` optional integer group of each row (e.g. drive-cycle id).
        model_factory: a key of :data:`~neuralab.data.baselines.REGRESSORS` (built with ``seed``, scaled input) or a
            callable returning a fresh, unfitted scikit-learn regressor.
        k: folds for the two K-fold schemes, 2–10.
        seed: shuffling seed of the two K-fold schemes.
    """
    REGIME_CV.validate(k=k, seed=seed)
    if isinstance(model_factory, str):
        REGIME_CV.validate(model=model_factory)
        name = model_factory

        def factory() -> RegressorMixin:
            return make_regressor(name, seed)
    else:
        factory = model_factory
    Xa, ya, g, regimes, inv, counts = _check_validation_inputs(X, y, regime_labels, groups, k)
    random_folds = list(KFold(k, shuffle=True, random_state=seed).split(Xa))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a regime with fewer than k rows
        if g is None:
            strat_folds = list(StratifiedKFold(k, shuffle=True, random_state=seed).split(Xa, inv))
        else:
            strat_folds = list(StratifiedGroupKFold(k, shuffle=True, random_state=seed).split(Xa, inv, g))
    held_folds = list(LeaveOneGroupOut().split(Xa, ya, inv))  # ordered by regime, like `regimes`
    random, pred_r = _fit_predict(factory, Xa, ya, random_folds)
    strat, pred_s = _fit_predict(factory, Xa, ya, strat_folds)
    held, pred_h = _fit_predict(factory, Xa, ya, held_folds)
    pooled = tuple(float(np.sqrt(np.mean((p - ya) ** 2))) for p in (pred_r, pred_s, pred_h))
    return RegimeValidation(
        regimes=regimes,
        counts=counts,
        random=random,
        stratified=strat,
        held_out=held,
        random_by_regime=_per_regime_rmse(pred_r - ya, inv, counts),
        stratified_by_regime=_per_regime_rmse(pred_s - ya, inv, counts),
        random_shares=_shares(random_folds, inv, len(regimes)),
        stratified_shares=_shares(strat_folds, inv, len(regimes)),
        pred_random=pred_r,
        pred_stratified=pred_s,
        pred_held_out=pred_h,
        pooled=pooled,
        no_skill=float(ya.std()),
        grouped=g is not None,
    )
