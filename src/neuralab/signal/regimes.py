"""Regime-aware analysis: cut a regime variable into bins, describe each bin, validate across regimes.

A motor behaves differently cold and hot, slow and fast, light and loaded. Tagging
every sample with its operating regime lets you

* compute per-regime statistics (:func:`bin_stats`),
* find where a model's error hides (:func:`regime_error_grid`: one decent overall
  RMSE can hide one regime that is far worse), and
* ask the deployment question honestly (:func:`regime_validation`): a shuffled
  K-fold lets the model see every regime during training, so it measures
  interpolation; leaving a whole regime out measures what happens in a regime the
  training data never covered.

Everything is generic on arrays: the regime variable can be a temperature in °C, a
speed in rpm or a torque in N·m. The bench experiments at the end (:func:`bench_regimes`,
:func:`bench_validation`) run that chain on the motor's bench log
(:func:`neuralab.data.motor.bench_windows`), binned by winding temperature.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import RegressorMixin
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, LeaveOneGroupOut, StratifiedGroupKFold, StratifiedKFold
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from neuralab.checks import check_array, fail
from neuralab.data.motor import MotorWindows, bench_windows
from neuralab.data.splits import SEED, K
from neuralab.params import Choice, Int, ParamSpec

__all__ = [
    "BENCH_BINNING",
    "BINNING",
    "BenchRegimes",
    "BenchValidation",
    "BinStats",
    "ErrorGrid",
    "JointBins",
    "METHODS",
    "REGIME_CV",
    "REGRESSOR",
    "REGRESSORS",
    "RegimeValidation",
    "TEMPERATURE_EDGES_C",
    "SPEED_BINS",
    "assign_bins",
    "bench_edges",
    "bench_regimes",
    "bench_validation",
    "bin_edges",
    "bin_stats",
    "joint_bins",
    "make_regressor",
    "regime_error_grid",
    "regime_validation",
]

#: How :func:`bin_edges` cuts the range; value -> label.
METHODS: dict[str, str] = {
    "equal_width": "Equal width",
    "quantile": "Quantiles (equal counts)",
    "kmeans": "k-means clusters",
    "domain": "Domain-defined edges",
}

N_BINS = Int(2, 10, 4, label="Bins", help="How many regimes the variable is cut into.")
METHOD = Choice(
    tuple(METHODS.items()),
    default="equal_width",
    label="Binning",
    help="Equal width cuts the range evenly; quantiles give equal counts; k-means follows clusters; "
    "domain edges are the ones an engineer would pick.",
)
BINNING = ParamSpec("binning", n_bins=N_BINS, method=METHOD, seed=SEED)  # seed: k-means initialisation

#: Winding-temperature regimes a drive engineer might pick: 20 °C steps over 20–120 °C.
TEMPERATURE_EDGES_C = (20.0, 40.0, 60.0, 80.0, 100.0, 120.0)

MAX_LABEL = 1000  # labels are bin or combination indices: 0 <= label < MAX_LABEL
MAX_REGIMES = 100  # held-out-regime validation fits one model per regime
MAX_JOINT_VARS = 3  # speed x torque x temperature: at most 10**3 combinations
KMEANS_INITS = 4  # k-means restarts; the best of these by inertia is kept


# --------------------------------------------------------------------------- input checks


_err = fail  # a ParamError with one sentence


def _floats(name: str, x: ArrayLike, ndim: int | tuple[int, ...] = 1) -> np.ndarray:
    """``x`` as a finite float64 array of ``ndim`` dimensions (one of, for a tuple), or a ParamError sentence."""
    return check_array(x, name, ndim=ndim)


def _labels(name: str, x: ArrayLike, n: int) -> np.ndarray:
    """``x`` as ``n`` int64 labels in ``[0, MAX_LABEL)``, or a ParamError sentence."""
    arr = _floats(name, x)
    if len(arr) != n:
        raise _err(f"{name} must have one entry per sample ({n}); got {len(arr)}.")
    if np.any(arr != np.round(arr)) or arr.min() < 0 or arr.max() >= MAX_LABEL:
        raise _err(
            f"{name} must hold whole numbers from 0 to {MAX_LABEL - 1}; "
            f"got values from {arr.min():g} to {arr.max():g}."
        )
    return arr.astype(np.int64)


def _same_length(name: str, arr: np.ndarray, n: int) -> None:
    if len(arr) != n:
        raise _err(f"{name} must have one entry per sample ({n}); got {len(arr)}.")


# --------------------------------------------------------------------------- bin edges


def bin_edges(
    values: ArrayLike,
    n_bins: int = 4,
    method: str = "equal_width",
    *,
    domain_edges: ArrayLike | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Edges that cut ``values`` into regimes; bin ``i`` is ``[edges[i], edges[i+1])``, the last closed.

    Methods:
        equal_width: ``np.linspace(min, max, n_bins + 1)``. Easy to read; the outer
            bins may hold few samples when the data bunch in the middle.
        quantile: ``np.quantile(values, linspace(0, 1, n_bins + 1))``, so each bin
            holds about ``n / n_bins`` samples. Trap: with ties (a sensor that sits at
            25.0 °C for half the log) several quantiles coincide; the duplicates are
            merged, so fewer than ``n_bins`` bins may come back. Compare
            ``len(edges) - 1`` with what you asked for.
        kmeans: scikit-learn ``KMeans(n_bins, random_state=seed)`` on the 1-D values
            (rescaled to 0–1 first, which only makes its tolerances relative); the
            inner edges are the midpoints between sorted centres, which is exactly
            where the nearest centre changes (the 1-D Voronoi boundaries).
        domain: the edges you pass in ``domain_edges`` (e.g. :data:`TEMPERATURE_EDGES_C`),
            which must cover the values; ``n_bins`` is not used.

    Args:
        values: ``(n,)`` regime variable, e.g. winding temperature in °C.
        n_bins: bins wanted, 2–10 (not used by ``domain``).
        method: a key of :data:`METHODS`.
        domain_edges: ``(n_bins + 1,)`` increasing edges, only with ``method="domain"``.
        seed: k-means initialisation seed.

    Returns:
        ``(m + 1,)`` strictly increasing float64 edges, ``edges[0] <= min`` and
        ``edges[-1] >= max`` of ``values``.

    Raises:
        ParamError: NaN/inf, a constant variable, fewer distinct values than bins, or
            domain edges that are not increasing or do not cover the values.
    """
    BINNING.validate(method=method)
    v = _floats("values", values)
    if method == "domain":
        if domain_edges is None:
            raise _err("method 'domain' needs domain_edges, the edges to cut at; got None.")
        return _domain_edges(v, domain_edges)
    if domain_edges is not None:
        raise _err(f"domain_edges are used only with method 'domain'; got method {method!r}.")
    BINNING.validate(n_bins=n_bins, method=method, seed=seed)
    lo, hi = float(v.min()), float(v.max())
    if lo == hi:
        raise _err(f"values must vary to be binned; every value equals {lo:g} (σ = 0).")
    n_distinct = len(np.unique(v))
    if n_distinct < n_bins:
        raise _err(
            f"n_bins must not exceed the number of distinct values ({n_distinct}); got n_bins = {n_bins}."
        )
    if method == "equal_width":
        edges = np.linspace(lo, hi, n_bins + 1)
    elif method == "quantile":
        edges = np.unique(np.quantile(v, np.linspace(0.0, 1.0, n_bins + 1)))
    else:
        edges = _kmeans_edges(v, n_bins, seed)
    edges[0], edges[-1] = lo, hi  # exact cover, whatever the rounding inside
    if np.any(np.diff(edges) <= 0):
        raise _err(f"values span too narrow a range ({lo:g} to {hi:g}) to cut into {n_bins} bins.")
    return edges


def _kmeans_edges(v: np.ndarray, n_bins: int, seed: int) -> np.ndarray:
    lo, span = v.min(), np.ptp(v)
    u = ((v - lo) / span).reshape(-1, 1)  # 0..1: k-means tolerances are absolute
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            km = KMeans(n_clusters=n_bins, n_init=KMEANS_INITS, random_state=seed).fit(u)
        except ConvergenceWarning:
            raise _err(
                f"n_bins must not exceed the number of clearly separate values for k-means; "
                f"it found fewer than {n_bins} clusters."
            ) from None
    centres = np.sort(km.cluster_centers_.ravel()) * span + lo
    mids = (centres[:-1] + centres[1:]) / 2.0
    return np.concatenate([[v.min()], mids, [v.max()]])


def _domain_edges(v: np.ndarray, domain_edges: ArrayLike) -> np.ndarray:
    e = _floats("domain_edges", domain_edges)
    if not N_BINS.lo + 1 <= len(e) <= N_BINS.hi + 1:
        raise _err(
            f"domain_edges must hold {N_BINS.lo + 1} to {N_BINS.hi + 1} edges ({N_BINS.lo}–{N_BINS.hi} bins); "
            f"got {len(e)}."
        )
    if np.any(np.diff(e) <= 0):
        raise _err(f"domain_edges must be strictly increasing; got {np.array2string(e, precision=4)}.")
    if v.min() < e[0] or v.max() > e[-1]:
        raise _err(
            f"domain_edges must cover the values: the edges span {e[0]:g} to {e[-1]:g} but the values "
            f"span {v.min():g} to {v.max():g}."
        )
    return e.copy()


def _check_edges(edges: ArrayLike) -> np.ndarray:
    e = _floats("edges", edges)
    if not 2 <= len(e) <= MAX_LABEL + 1:
        raise _err(f"edges must hold 2 to {MAX_LABEL + 1} values; got {len(e)}.")
    if np.any(np.diff(e) <= 0):
        raise _err("edges must be strictly increasing; some edge is not above the one before it.")
    return e


def assign_bins(values: ArrayLike, edges: ArrayLike) -> np.ndarray:
    """Bin index of each value: ``i`` where ``edges[i] <= v < edges[i+1]``; ``v == edges[-1]`` is in the last bin.

    Args:
        values: ``(n,)`` regime variable.
        edges: ``(m + 1,)`` strictly increasing edges, e.g. from :func:`bin_edges`.

    Returns:
        ``(n,)`` int64 labels in ``0 .. m - 1``.

    Raises:
        ParamError: a value outside ``[edges[0], edges[-1]]`` (it would have no bin), NaN/inf.
    """
    e = _check_edges(edges)
    v = _floats("values", values)
    outside = int(np.count_nonzero((v < e[0]) | (v > e[-1])))
    if outside:
        raise _err(
            f"values must lie within the edges ({e[0]:g} to {e[-1]:g}); got {outside} value(s) outside, "
            f"from {v.min():g} to {v.max():g}."
        )
    idx = np.searchsorted(e, v, side="right") - 1
    return np.minimum(idx, len(e) - 2).astype(np.int64)


# --------------------------------------------------------------------------- joint bins


@dataclass(frozen=True)
class JointBins:
    """One label per combination of several binned variables (e.g. speed × torque × temperature)."""

    names: tuple[str, ...]  # variable names, in the order of the label's digits
    edges: tuple[np.ndarray, ...]  # per variable, (n_bins_v + 1,) edges in that variable's unit
    shape: tuple[int, ...]  # bins per variable
    per_variable: np.ndarray  # (n, n_vars) int bin of each variable
    labels: np.ndarray  # (n,) int combination id = np.ravel_multi_index(per_variable.T, shape)
    counts: np.ndarray  # (prod(shape),) samples per combination; 0 where no sample falls
    descriptions: tuple[str, ...]  # (prod(shape),) e.g. "speed_rpm 0–1500 rpm · temp_c 20–40 °C"

    @property
    def n_combinations(self) -> int:
        return int(np.prod(self.shape))


def _range_texts(name: str, edges: np.ndarray, unit: str) -> list[str]:
    """One "name lo–hi unit" text per bin."""
    suffix = f" {unit}" if unit else ""
    return [f"{name} {lo:.4g}–{hi:.4g}{suffix}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]


def joint_bins(
    variables: Mapping[str, ArrayLike], edges: Mapping[str, ArrayLike], units: Mapping[str, str] | None = None
) -> JointBins:
    """Bin each variable with its own edges and number every combination.

    The combination id reads like a number whose digits are the per-variable bins:
    with 4 speed bins, 3 torque bins and 5 temperature bins, speed bin ``s``, torque
    bin ``t``, temperature bin ``c`` get id ``(s * 3 + t) * 5 + c``
    (``np.ravel_multi_index``). Trap: combinations multiply fast and most of them
    can be empty; check ``counts`` before training one model per combination.

    Args:
        variables: name -> ``(n,)`` values; 1 to 3 variables of equal length.
        edges: name -> that variable's edges (same names as ``variables``).
        units: name -> unit shown in the descriptions (optional).

    Returns:
        A :class:`JointBins`.
    """
    names = tuple(variables)
    if not 1 <= len(names) <= MAX_JOINT_VARS:
        raise _err(f"variables must name 1 to {MAX_JOINT_VARS} regime variables; got {len(names)}.")
    if set(edges) != set(names):
        raise _err(f"edges must have one entry per variable ({', '.join(names)}); got {', '.join(edges)}.")
    units = dict(units or {})
    cols, all_edges = [], []
    for name in names:
        e = _check_edges(edges[name])
        if len(e) - 1 > N_BINS.hi:
            raise _err(f"edges[{name!r}] must give at most {N_BINS.hi} bins; got {len(e) - 1}.")
        cols.append(assign_bins(variables[name], e))
        all_edges.append(e)
        _same_length(f"variables[{name!r}]", cols[-1], len(cols[0]))
    shape = tuple(len(e) - 1 for e in all_edges)
    per_variable = np.column_stack(cols)  # (n, n_vars)
    labels = np.ravel_multi_index(tuple(per_variable.T), shape)
    counts = np.bincount(labels, minlength=int(np.prod(shape)))
    texts = [_range_texts(n, e, units.get(n, "")) for n, e in zip(names, all_edges, strict=True)]
    descriptions = tuple(" · ".join(t[i] for t, i in zip(texts, combo, strict=True)) for combo in np.ndindex(*shape))
    return JointBins(names, tuple(all_edges), shape, per_variable, labels.astype(np.int64), counts, descriptions)


# --------------------------------------------------------------------------- statistics per bin


@dataclass(frozen=True)
class BinStats:
    """Count, mean and spread of a variable within each bin.

    Convention for small bins: an empty bin has ``mean`` and ``std`` NaN (nothing to
    draw); a one-sample bin has ``std = 0.0`` rather than the NaN that ``ddof=1``
    would give, so error bars collapse instead of vanishing. Read ``counts`` before
    trusting any bin's spread.
    """

    counts: np.ndarray  # (m,) int samples per bin
    mean: np.ndarray  # (m,) mean of the values in each bin (value units); NaN if empty
    std: np.ndarray  # (m,) sample std, ddof=1 (value units); 0.0 for one sample, NaN if empty
    edges: np.ndarray | None  # (m + 1,) bin edges (regime-variable units), when given
    centres: np.ndarray | None  # (m,) midpoints of the edges, when given


def bin_stats(values: ArrayLike, labels: ArrayLike, edges: ArrayLike | None = None) -> BinStats:
    """Per-bin count, mean and sample standard deviation of ``values``.

    ``std_b = sqrt(sum_{i in b} (v_i - mean_b)^2 / (n_b - 1))``, computed in one pass
    with ``np.bincount``. ``values`` need not be the binned variable: bin by
    temperature and describe the torque.

    Args:
        values: ``(n,)`` the variable to describe.
        labels: ``(n,)`` bin index of each sample (from :func:`assign_bins`).
        edges: ``(m + 1,)`` edges; fixes ``m`` (so trailing empty bins show) and adds
            centres. Without it ``m = labels.max() + 1``.
    """
    v = _floats("values", values)
    lab = _labels("labels", labels, len(v))
    e = None if edges is None else _check_edges(edges)
    m = int(lab.max()) + 1 if e is None else len(e) - 1
    if lab.max() >= m:
        raise _err(f"labels must be below the number of bins ({m}); got {int(lab.max())}.")
    counts = np.bincount(lab, minlength=m)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(lab, weights=v, minlength=m) / counts
        sq = np.bincount(lab, weights=(v - mean[lab]) ** 2, minlength=m)
        std = np.sqrt(sq / np.maximum(counts - 1, 1))
    std[counts == 0] = np.nan
    centres = None if e is None else (e[:-1] + e[1:]) / 2.0
    return BinStats(counts, mean, std, e, centres)


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
    t = _floats("y_true", y_true)
    p = _floats("y_pred", y_pred)
    _same_length("y_pred", p, len(t))
    a = _labels("labels_a", labels_a, len(t))
    b = _labels("labels_b", labels_b, len(t))
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
        raise _err(f"{name} must be from the largest label + 1 ({needed}) to {MAX_LABEL}; got {n}.")
    return int(n)


# --------------------------------------------------------------------------- regressors


@dataclass(frozen=True)
class _Regressor:
    title: str
    build: Callable[[int], RegressorMixin]  # seed -> fresh estimator


REGRESSORS: dict[str, _Regressor] = {
    "ridge": _Regressor("Ridge regression", lambda seed: Ridge(alpha=1.0)),
    "knn": _Regressor("10-nearest neighbours", lambda seed: KNeighborsRegressor(n_neighbors=10)),
    "tree": _Regressor(
        "Decision tree (depth 6)",
        lambda seed: DecisionTreeRegressor(max_depth=6, min_samples_leaf=5, random_state=seed),
    ),
    "forest": _Regressor(
        "Random forest (10 trees, slower)",
        lambda seed: RandomForestRegressor(
            n_estimators=10, max_depth=6, min_samples_leaf=3, random_state=seed, n_jobs=1
        ),
    ),
}

REGRESSOR = Choice(
    tuple((k, r.title) for k, r in REGRESSORS.items()),
    default="ridge",
    label="Model",
    help="The regressor refitted on every training fold. Trees cannot extrapolate beyond the "
    "targets they saw; ridge extrapolates a straight line.",
)

REGIME_CV = ParamSpec("regime_cv", model=REGRESSOR, k=K, seed=SEED)


def make_regressor(name: str, seed: int = 0, scale: bool = True) -> RegressorMixin:
    """A fresh, unfitted regressor from :data:`REGRESSORS`; with ``scale``, standardized input first.

    The scaler sits inside the pipeline, so it is fitted on each training fold only.
    """
    REGIME_CV.validate(model=name, seed=seed)
    est = REGRESSORS[name].build(seed)
    return make_pipeline(StandardScaler(), est) if scale else est


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
    Xa = _floats("X", X, ndim=2)
    ya = _floats("y", y)
    _same_length("y", ya, len(Xa))
    lab = _labels("regime_labels", regime_labels, len(Xa))
    regimes, inv, counts = np.unique(lab, return_inverse=True, return_counts=True)
    if not 2 <= len(regimes) <= MAX_REGIMES:
        raise _err(f"regime_labels must hold 2 to {MAX_REGIMES} distinct regimes; got {len(regimes)}.")
    if counts.max() < k:
        raise _err(f"k must not exceed the rows of the largest regime ({counts.max()}); got k = {k}.")
    g = None
    if groups is not None:
        g = _floats("groups", groups)
        _same_length("groups", g, len(Xa))
        n_groups = len(np.unique(g))
        if n_groups < k:
            raise _err(f"k must not exceed the number of distinct groups ({n_groups}); got k = {k}.")
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
        regime_labels: ``(n,)`` regime of each row (from :func:`assign_bins` or :func:`joint_bins`).
        groups: ``(n,)`` optional integer group of each row (e.g. drive-cycle id).
        model_factory: a key of :data:`REGRESSORS` (built with ``seed``, scaled input) or a
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


# --------------------------------------------------------------------------- on the motor's bench log

#: The bench log binned by winding temperature (``binning`` is a :data:`METHOD`; seed: the log and k-means).
BENCH_BINNING = ParamSpec("bench_binning", n_bins=N_BINS, binning=METHOD, seed=SEED)
SPEED_BINS = 4  # equal-width speed bins: the speed axis of the error grid


@lru_cache(maxsize=64)
def _bench_edges(n_bins: int, binning: str, seed: int) -> np.ndarray:
    w = bench_windows(seed)
    if binning == "domain":
        edges = bin_edges(w.temp_c, method="domain", domain_edges=TEMPERATURE_EDGES_C)
    else:
        edges = bin_edges(w.temp_c, n_bins, binning, seed=seed)
    edges.setflags(write=False)
    return edges


def bench_edges(n_bins: int = 4, binning: str = "equal_width", seed: int = 0) -> np.ndarray:
    """Temperature bin edges of the bench windows, °C, cached (k-means takes about 20 ms, so each setting is cut once).

    ``"domain"`` uses :data:`TEMPERATURE_EDGES_C` and ignores ``n_bins``. The array is shared, so it is read-only.
    """
    v = BENCH_BINNING.validate(n_bins=n_bins, binning=binning, seed=seed)
    return _bench_edges(v["n_bins"], v["binning"], v["seed"])


@dataclass(frozen=True)
class BenchRegimes:
    """The bench windows and their current per newton-metre described per temperature bin."""

    windows: MotorWindows
    stats: BinStats  # of ``windows.current_per_torque``, A/(N·m), per temperature bin


def bench_regimes(n_bins: int = 4, binning: str = "equal_width", seed: int = 0) -> BenchRegimes:
    """Bin the bench windows by temperature (:func:`bench_edges`) and describe their current per N·m in each bin."""
    edges = bench_edges(n_bins, binning, seed)
    w = bench_windows(seed)
    return BenchRegimes(w, bin_stats(w.current_per_torque, assign_bins(w.temp_c, edges), edges))


@dataclass(frozen=True)
class BenchValidation:
    """A torque model that never sees the temperature, validated three ways and its error per regime cell."""

    validation: RegimeValidation  # shuffled, stratified (cycles kept whole) and held-out temperature regimes
    grid: ErrorGrid  # out-of-fold error of the shuffled folds per (temperature, speed) cell
    temp_edges: np.ndarray  # (n_t + 1,) °C
    speed_edges: np.ndarray  # (SPEED_BINS + 1,) rpm


def bench_validation(n_bins: int = 4, binning: str = "equal_width", seed: int = 0) -> BenchValidation:
    """Ridge on (current, speed) of the bench windows: :func:`regime_validation` by temperature, and its error grid.

    The regimes are the temperature bins of :func:`bench_edges`; the stratified folds keep each
    drive cycle whole. The grid splits the shuffled folds' out-of-fold errors by temperature and
    by :data:`SPEED_BINS` equal-width speed bins.
    """
    t_edges = bench_edges(n_bins, binning, seed)
    w = bench_windows(seed)
    t_bins = assign_bins(w.temp_c, t_edges)
    s_edges = bin_edges(w.speed_rpm, SPEED_BINS, "equal_width")
    rv = regime_validation(w.X, w.y, t_bins, groups=w.cycle, seed=seed)
    grid = regime_error_grid(w.y, rv.pred_random, t_bins, assign_bins(w.speed_rpm, s_edges), len(t_edges) - 1,
                             SPEED_BINS)
    return BenchValidation(rv, grid, t_edges, s_edges)
