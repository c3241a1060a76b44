"""Operating regimes: cut a regime variable into bins, number joint bins, describe each bin.

A motor behaves differently cold and hot, slow and fast, light and loaded. Tagging
every sample with its operating regime (:func:`bin_edges`, :func:`assign_bins`,
:func:`joint_bins`) lets you compute per-regime statistics (:func:`bin_stats`), find
where a model's error hides and validate across regimes (:mod:`neuralab.signal.regime_cv`).

Everything is generic on arrays: the regime variable can be a temperature in °C, a
speed in rpm or a torque in N·m. The same chain on the motor's bench log is
:mod:`neuralab.signal.bench_log`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning

from neuralab.checks import check_array, check_labels, check_length, fail
from neuralab.params import SEED, Choice, Int, ParamSpec

__all__ = [
    "BINNING",
    "BinStats",
    "JointBins",
    "MAX_LABEL",
    "METHOD",
    "METHODS",
    "N_BINS",
    "TEMPERATURE_EDGES_C",
    "assign_bins",
    "bin_edges",
    "bin_stats",
    "joint_bins",
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
MAX_JOINT_VARS = 3  # speed x torque x temperature: at most 10**3 combinations
KMEANS_INITS = 4  # k-means restarts; the best of these by inertia is kept


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

    The methods (``method``):
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
    v = check_array(values, "values")
    if method == "domain":
        if domain_edges is None:
            raise fail("method 'domain' needs domain_edges, the edges to cut at; got None.")
        return _domain_edges(v, domain_edges)
    if domain_edges is not None:
        raise fail(f"domain_edges are used only with method 'domain'; got method {method!r}.")
    BINNING.validate(n_bins=n_bins, method=method, seed=seed)
    lo, hi = float(v.min()), float(v.max())
    if lo == hi:
        raise fail(f"values must vary to be binned; every value equals {lo:g} (σ = 0).")
    n_distinct = len(np.unique(v))
    if n_distinct < n_bins:
        raise fail(
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
        raise fail(f"values span too narrow a range ({lo:g} to {hi:g}) to cut into {n_bins} bins.")
    return edges


def _kmeans_edges(v: np.ndarray, n_bins: int, seed: int) -> np.ndarray:
    lo, span = v.min(), np.ptp(v)
    u = ((v - lo) / span).reshape(-1, 1)  # 0..1: k-means tolerances are absolute
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            km = KMeans(n_clusters=n_bins, n_init=KMEANS_INITS, random_state=seed).fit(u)
        except ConvergenceWarning:
            raise fail(
                f"n_bins must not exceed the number of clearly separate values for k-means; "
                f"it found fewer than {n_bins} clusters."
            ) from None
    centres = np.sort(km.cluster_centers_.ravel()) * span + lo
    mids = (centres[:-1] + centres[1:]) / 2.0
    return np.concatenate([[v.min()], mids, [v.max()]])


def _domain_edges(v: np.ndarray, domain_edges: ArrayLike) -> np.ndarray:
    e = check_array(domain_edges, "domain_edges")
    if not N_BINS.lo + 1 <= len(e) <= N_BINS.hi + 1:
        raise fail(
            f"domain_edges must hold {N_BINS.lo + 1} to {N_BINS.hi + 1} edges ({N_BINS.lo}–{N_BINS.hi} bins); "
            f"got {len(e)}."
        )
    if np.any(np.diff(e) <= 0):
        raise fail(f"domain_edges must be strictly increasing; got {np.array2string(e, precision=4)}.")
    if v.min() < e[0] or v.max() > e[-1]:
        raise fail(
            f"domain_edges must cover the values: the edges span {e[0]:g} to {e[-1]:g} but the values "
            f"span {v.min():g} to {v.max():g}."
        )
    return e.copy()


def _check_edges(edges: ArrayLike) -> np.ndarray:
    e = check_array(edges, "edges")
    if not 2 <= len(e) <= MAX_LABEL + 1:
        raise fail(f"edges must hold 2 to {MAX_LABEL + 1} values; got {len(e)}.")
    if np.any(np.diff(e) <= 0):
        raise fail("edges must be strictly increasing; some edge is not above the one before it.")
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
    v = check_array(values, "values")
    outside = int(np.count_nonzero((v < e[0]) | (v > e[-1])))
    if outside:
        raise fail(
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
        raise fail(f"variables must name 1 to {MAX_JOINT_VARS} regime variables; got {len(names)}.")
    if set(edges) != set(names):
        raise fail(f"edges must have one entry per variable ({', '.join(names)}); got {', '.join(edges)}.")
    units = dict(units or {})
    cols, all_edges = [], []
    for name in names:
        e = _check_edges(edges[name])
        if len(e) - 1 > N_BINS.hi:
            raise fail(f"edges[{name!r}] must give at most {N_BINS.hi} bins; got {len(e) - 1}.")
        cols.append(assign_bins(variables[name], e))
        all_edges.append(e)
        check_length(cols[-1], f"variables[{name!r}]", len(cols[0]))
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
    v = check_array(values, "values")
    lab = check_labels(labels, "labels", len(v), MAX_LABEL)
    e = None if edges is None else _check_edges(edges)
    m = int(lab.max()) + 1 if e is None else len(e) - 1
    if lab.max() >= m:
        raise fail(f"labels must be below the number of bins ({m}); got {int(lab.max())}.")
    counts = np.bincount(lab, minlength=m)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(lab, weights=v, minlength=m) / counts
        sq = np.bincount(lab, weights=(v - mean[lab]) ** 2, minlength=m)
        std = np.sqrt(sq / np.maximum(counts - 1, 1))
    std[counts == 0] = np.nan
    centres = None if e is None else (e[:-1] + e[1:]) / 2.0
    return BinStats(counts, mean, std, e, centres)
