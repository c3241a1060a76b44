"""Outliers in a sampled signal: detect them, act on them, and score the detector against the truth.

Detectors return a boolean mask, ``True`` where a sample is flagged:

* :func:`zscore`: ``|x - mean| / std > threshold``, with one mean and std for the whole signal;
* :func:`iqr`: outside Tukey's fences ``[Q1 - k IQR, Q3 + k IQR]``;
* :func:`hampel`: ``|x - m| > threshold * S`` with ``m`` the median of a sliding window
  and ``S = 1.4826 * MAD`` its scaled median absolute deviation (a robust σ);
* :func:`isolation_forest` and :func:`lof`: scikit-learn's unsupervised models on two
  features per sample, which flag a fixed share (``contamination``) of the samples;
* :func:`model_residual`: a robust first-pass fit (a physics model's regressors, or a smooth
  spline when there is none), then ``|r - median(r)| > threshold * 1.4826 * MAD(r)`` on its residuals.

Actions (:func:`apply_action`) remove, flag, winsorize (clip) or impute the flagged
samples. :func:`score` compares a mask with the known glitch positions, and
:func:`breakdown_demo` computes the classic failure of the z-score: a group of spikes
inflates the global σ until the spikes no longer stand out by ``threshold`` σ.

Example:
    >>> import numpy as np
    >>> x = np.sin(np.linspace(0, 6, 500))
    >>> x[[100, 300]] += 3.0                     # two glitches
    >>> np.flatnonzero(hampel(x, window=15, n_sigmas=3.0)).tolist()
    [100, 300]

    With :mod:`neuralab.data.motor`, ``current_trace(...)`` gives a noisy current with
    known glitch positions; ``score(hampel(trace_x), glitch_mask)`` measures the detector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import sparse
from scipy.optimize import least_squares
from scipy.sparse.linalg import lsqr
from scipy.stats import norm
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor
from sklearn.preprocessing import RobustScaler, SplineTransformer

from neuralab.checks import check_array
from neuralab.data.motor import TRACE_F_HZ, CurrentTrace, demo_trace
from neuralab.params import SEED, Applies, Choice, Float, Int, ParamError, ParamSpec
from neuralab.signal.smooth import WINDOW, check_signal

__all__ = [
    "ACTIONS",
    "BREAKDOWN",
    "DETECTOR",
    "DETECTORS",
    "MAD_TO_SIGMA",
    "MASKING",
    "MASKING_THRESHOLD",
    "OUTLIER",
    "TRACE_OUTLIERS",
    "Breakdown",
    "Cleaned",
    "Detection",
    "Rolling",
    "Score",
    "TraceOutliers",
    "apply_action",
    "breakdown_demo",
    "detect",
    "hampel",
    "iqr",
    "isolation_forest",
    "harmonic_regressors",
    "lof",
    "model_residual",
    "point_reflect",
    "readers",
    "rolling_stats",
    "score",
    "trace_outliers",
    "zscore",
]

#: ``1 / Φ⁻¹(3/4) ≈ 1.4826``: for Gaussian data, this times the MAD estimates σ.
MAD_TO_SIGMA = float(1.0 / norm.ppf(0.75))
MAX_MODEL_SAMPLES = 200_000  # isolation forest, LOF, model residual: larger inputs are refused, not waited for
MAX_REGRESSORS = 64  # columns a physics model may give model_residual
_CHUNK = 8192  # windows per block in rolling_stats: bounds the temporary to _CHUNK * window floats

THRESHOLD = Float(
    1.0, 6.0, 3.0, step=0.1, unit="σ", label="Threshold τ", help="How many σ from the centre a sample may lie."
)
K_IQR = Float(0.5, 5.0, 1.5, step=0.1, label="IQR multiplier k", help="Fence distance beyond the quartiles, in IQRs.")
CONTAMINATION = Float(
    0.01, 0.3, 0.05, step=0.01, label="Contamination", help="Share of samples the model flags, whatever the data."
)
NEIGHBORS = Int(5, 50, 20, label="Neighbours", unit="samples", help="Samples whose density LOF compares against.")


# --------------------------------------------------------------------------- helpers


def _fail(message: str) -> ParamError:
    return ParamError([message])


def _coerce(f: Int | Float | Choice, name: str, value: Any) -> Any:
    try:
        return f.coerce(name, value)
    except ValueError as exc:
        raise _fail(str(exc)) from None


def _windowed(x: Any, window: int) -> tuple[np.ndarray, int]:
    window = _coerce(WINDOW, "window", window)
    return check_signal(x, min_len=window, why=f"window = {window} must fit inside it"), window


def _mask(mask: Any, n: int, name: str = "mask") -> np.ndarray:
    arr = np.asarray(mask)
    if arr.dtype != np.bool_:
        raise _fail(f"{name} must be an array of True/False values; got dtype {arr.dtype}.")
    if arr.shape != (n,):
        raise _fail(f"{name} must have shape ({n},), one flag per sample; got {arr.shape}.")
    return arr


# --------------------------------------------------------------------------- rolling median and MAD


@dataclass(frozen=True)
class Rolling:
    """Sliding-window centre and spread of a signal, one value per sample."""

    median: np.ndarray  # (n,) median of the window centred on each sample, signal unit
    scale: np.ndarray  # (n,) 1.4826 * MAD of that window, signal unit (a robust σ)


def _window_medians(padded: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Median and MAD of every full window of ``padded``, block by block."""
    half = window // 2
    views = sliding_window_view(padded, window)  # (m, window) view, no copy
    m = views.shape[0]
    med, mad = np.empty(m), np.empty(m)
    for a in range(0, m, _CHUNK):  # blocks of windows, not one window at a time
        block = views[a : a + _CHUNK].copy()  # (b, window)
        block.partition(half, axis=1)
        centre = block[:, half].copy()  # the middle value of an odd window is its median
        np.abs(np.subtract(block, centre[:, None], out=block), out=block)
        block.partition(half, axis=1)
        med[a : a + _CHUNK], mad[a : a + _CHUNK] = centre, block[:, half]
    return med, mad


def point_reflect(x: np.ndarray, half: int) -> np.ndarray:
    """``x`` continued by ``half`` samples at each end by point reflection through the end sample.

    ``x[-k] := 2 x[0] - x[k]`` and ``x[n-1+k] := 2 x[n-1] - x[n-1-k]`` for ``k = 1..half``
    (the ``padtype="odd"`` extension of :func:`scipy.signal.filtfilt`): a straight line stays straight.
    """
    head = 2.0 * x[0] - x[half:0:-1]
    tail = 2.0 * x[-1] - x[-2 : -half - 2 : -1]
    return np.concatenate([head, x, tail])


def rolling_stats(x: Any, window: int = 15) -> Rolling:
    """Rolling median and scaled MAD over an odd ``window`` centred on each sample, vectorised.

    Sample ``i`` is judged by ``x[i - h : i + h + 1]``, ``h = window // 2``, and
    ``MAD = median(|x_j - median|)`` over that window; ``scale = 1.4826 * MAD``.
    The work is done on a :func:`~numpy.lib.stride_tricks.sliding_window_view` in blocks,
    never one window at a time.

    Edges: past either end the signal is continued by point reflection through the end
    sample (:func:`point_reflect`), so every sample has a full centred window and a
    trend runs straight through the edge instead of looking like a deviation. The
    price: the first and last sample are the centre of symmetry of their own window,
    so their median is themselves and they are never flagged. (Shifting the window
    inwards or truncating it instead catches end glitches, but flags the clean ends of
    any curved signal: there the sample is compared with a median taken elsewhere.)

    The trap: when more than half of a window holds one value (a clipped or coarsely
    quantised signal), MAD = 0 and any other value in that window counts as an outlier.
    """
    arr, window = _windowed(x, window)
    med, mad = _window_medians(point_reflect(arr, window // 2), window)
    return Rolling(med, MAD_TO_SIGMA * mad)


# --------------------------------------------------------------------------- detectors


@dataclass(frozen=True)
class Detection:
    """What a detector flagged, and the band it accepts where it has one."""

    method: str  # key of DETECTORS
    mask: np.ndarray  # (n,) bool, True = flagged
    lower: np.ndarray | None  # (n,) lowest accepted value, signal unit; None for model-based detectors
    upper: np.ndarray | None  # (n,) highest accepted value, signal unit


def _zscore(x: np.ndarray, threshold: float) -> Detection:
    mu, sigma = float(x.mean()), float(x.std())
    if sigma == 0.0:
        raise _fail("x is constant (its standard deviation σ is 0), so the z-score |x - mean| / σ is undefined.")
    mask = np.abs(x - mu) / sigma > threshold
    return Detection("zscore", mask, np.full(x.size, mu - threshold * sigma), np.full(x.size, mu + threshold * sigma))


def _iqr(x: np.ndarray, k: float) -> Detection:
    q1, q3 = np.percentile(x, [25.0, 75.0])
    spread = q3 - q1
    if spread == 0.0:
        raise _fail(
            "x has an interquartile range of 0 (its middle half is one value), so Tukey's fences "
            "Q1 - k·IQR and Q3 + k·IQR collapse onto that value."
        )
    lo, hi = q1 - k * spread, q3 + k * spread
    return Detection("iqr", (x < lo) | (x > hi), np.full(x.size, lo), np.full(x.size, hi))


def _hampel(x: np.ndarray, window: int, n_sigmas: float) -> Detection:
    r = rolling_stats(x, window)
    band = n_sigmas * r.scale
    return Detection("hampel", np.abs(x - r.median) > band, r.median - band, r.median + band)


def zscore(x: Any, threshold: float = 3.0) -> np.ndarray:
    """Flag ``|x - mean(x)| / std(x) > threshold`` (population std, ``ddof=0``).

    Mean and σ are taken over the whole signal, outliers included: this is the
    detector's weakness. Many large outliers raise σ until none of them exceeds the
    threshold (masking, see :func:`breakdown_demo`). A constant signal (σ = 0) is refused.
    """
    return _zscore(check_signal(x), _coerce(THRESHOLD, "threshold", threshold)).mask


def iqr(x: Any, k: float = 1.5) -> np.ndarray:
    """Flag samples outside ``[Q1 - k IQR, Q3 + k IQR]``, ``IQR = Q3 - Q1`` (Tukey's fences).

    Quartiles are :func:`numpy.percentile` with linear interpolation. Quartiles move
    little when a few samples are extreme, so the fences resist outliers better than
    mean ± τσ; they still ignore time, so a glitch inside the signal's normal range passes.
    """
    return _iqr(check_signal(x), _coerce(K_IQR, "k", k)).mask


def hampel(x: Any, window: int = 15, n_sigmas: float = 3.0) -> np.ndarray:
    """Hampel filter's detector: flag ``|x_i - m_i| > n_sigmas * 1.4826 * MAD_i``.

    ``m_i`` and ``MAD_i`` are the median and median absolute deviation of the window
    centred on sample ``i`` (see :func:`rolling_stats` for the edges). The median and MAD
    have a 50% breakdown point: up to half of a window may be outliers before they move
    it arbitrarily, so a burst shorter than ``window // 2`` samples is still caught.
    Comparison is strict, so a sample equal to its window's median is never flagged.
    On a clean sine whose period spans at least ten windows no sample, edges included,
    lies 2.5 robust σ from its median, so ``n_sigmas >= 2.5`` raises no false alarm there.
    """
    arr, window = _windowed(x, window)
    return _hampel(arr, window, _coerce(THRESHOLD, "n_sigmas", n_sigmas)).mask


def _features(x: np.ndarray, window: int) -> np.ndarray:
    """(n, 2) value and residual to the rolling median, each scaled by median and IQR."""
    if np.ptp(x) == 0.0:
        raise _fail("x is constant, so no sample can stand out from the others.")
    if x.size > MAX_MODEL_SAMPLES:
        raise _fail(f"x may hold at most {MAX_MODEL_SAMPLES:,} samples for a model-based detector; got {x.size:,}.")
    resid = x - rolling_stats(x, window).median
    return RobustScaler().fit_transform(np.column_stack([x, resid]))


def isolation_forest(x: Any, contamination: float = 0.05, seed: int = 0, window: int = 15) -> np.ndarray:
    """Flag the ``contamination`` share of samples that random trees isolate fastest.

    Features per sample: its value, and its residual to the rolling median over
    ``window`` (so a spike inside the normal range still stands out); both are centred
    on their median and divided by their IQR (:class:`sklearn.preprocessing.RobustScaler`).
    :class:`sklearn.ensemble.IsolationForest` with 100 trees, ``random_state=seed``.

    The trap: the model flags about ``contamination * n`` samples whatever the data,
    so on a clean signal every flag is a false alarm.
    """
    arr, window = _windowed(x, window)
    c = _coerce(CONTAMINATION, "contamination", contamination)
    seed = _coerce(SEED, "seed", seed)
    model = IsolationForest(n_estimators=100, contamination=c, random_state=seed)
    return model.fit_predict(_features(arr, window)) == -1


def lof(x: Any, n_neighbors: int = 20, contamination: float = 0.05, window: int = 15) -> np.ndarray:
    """Flag the ``contamination`` share of samples whose local density is lowest (Local Outlier Factor).

    Same two features as :func:`isolation_forest`; LOF compares each sample's density
    with that of its ``n_neighbors`` nearest neighbours in feature space
    (:class:`sklearn.neighbors.LocalOutlierFactor`, deterministic). Many repeated
    values (a quantised signal) make densities infinite and the scores unreliable.
    """
    arr, window = _windowed(x, window)
    k = _coerce(NEIGHBORS, "n_neighbors", n_neighbors)
    c = _coerce(CONTAMINATION, "contamination", contamination)
    if arr.size <= k:
        raise _fail(f"x has {arr.size} samples; LOF needs more than n_neighbors = {k}.")
    return LocalOutlierFactor(n_neighbors=k, contamination=c).fit_predict(_features(arr, window)) == -1


def harmonic_regressors(t: Any, f_hz: float, envelope: Any = None,
                        harmonics: tuple[int, ...] = (1, 5, 7)) -> np.ndarray:
    """(n, 2h) columns ``e(t) sin(2π k f t)`` and ``e(t) cos(2π k f t)`` for each harmonic ``k``.

    A phase current in a physics model's terms: the drive knows its speed (so ``f_hz``) and its
    torque command (so the envelope's shape, ``e``); a linear fit on these columns learns the
    rest, the phase and the amplitude of each harmonic (the current per unit torque, which
    the winding temperature changes).
    """
    tt = check_signal(t, "t")
    e = np.ones_like(tt) if envelope is None else check_signal(envelope, "envelope")
    if e.shape != tt.shape:
        raise _fail(f"envelope must have shape {tt.shape}, one value per sample of t; got {e.shape}.")
    return np.column_stack([e * f(2 * np.pi * k * f_hz * tt) for k in harmonics for f in (np.sin, np.cos)])


def _robust_fit(x: np.ndarray, basis: Any, scale: float) -> np.ndarray:
    """The first pass: least squares with the soft-L1 loss (:func:`scipy.optimize.least_squares`), from the plain fit.

    A residual r pulls with ``r / sqrt(1 + (r / scale)²)``, never more than ``scale``: a spike, however far
    off, pulls no harder than a residual of ``scale`` does in plain least squares."""
    start = lsqr(basis, x)[0] if sparse.issparse(basis) else np.linalg.lstsq(basis, x, rcond=None)[0]
    fit = least_squares(lambda c: basis @ c - x, start, jac=lambda _c: basis, loss="soft_l1", f_scale=scale,
                        tr_solver="lsmr" if sparse.issparse(basis) else "exact")
    return np.asarray(basis @ fit.x)


def _model_residual(x: np.ndarray, threshold: float, window: int, regressors: Any = None) -> Detection:
    if np.ptp(x) == 0.0:
        raise _fail("x is constant, so no sample can stand out from the others.")
    if x.size > MAX_MODEL_SAMPLES:
        raise _fail(f"x may hold at most {MAX_MODEL_SAMPLES:,} samples for a model-based detector; got {x.size:,}.")
    if regressors is None:  # no physics: a cubic spline with a knot every `window` samples
        knots = max(2, x.size // window)
        basis = SplineTransformer(n_knots=knots, degree=3, sparse_output=True).fit_transform(
            np.arange(x.size, dtype=float)[:, None]).tocsr()
    else:
        basis = check_array(regressors, "regressors", ndim=2, min_len=0, max_size=MAX_REGRESSORS * x.size)
        if basis.shape[0] != x.size or not 1 <= basis.shape[1] <= MAX_REGRESSORS:
            raise _fail(f"regressors must have shape ({x.size}, k) with k from 1 to {MAX_REGRESSORS}, one row per "
                        f"sample; got {basis.shape}.")
    noise = MAD_TO_SIGMA * float(np.median(np.abs(np.diff(x) - np.median(np.diff(x))))) / np.sqrt(2)
    fit = _robust_fit(x, basis, noise if noise > 0 else float(np.ptp(x)) * 1e-6)
    r = x - fit
    centre = float(np.median(r))
    band = threshold * MAD_TO_SIGMA * float(np.median(np.abs(r - centre)))
    return Detection("model", np.abs(r - centre) > band, fit + centre - band, fit + centre + band)


def model_residual(x: Any, threshold: float = 3.0, window: int = 15, regressors: Any = None) -> np.ndarray:
    """Flag samples far from a robust first-pass fit: ``|r - median(r)| > threshold * 1.4826 * MAD(r)``.

    ``r = x - fit``. With ``regressors`` ((n, k), e.g. :func:`harmonic_regressors` from a physics
    model), the fit is linear in them; without, it is a cubic spline with a knot every ``window``
    samples. Either way it is fitted with a soft-L1 loss scaled to the sample noise (estimated from
    the first differences, ``1.4826 * MAD(diff x) / √2``), so a spike hardly moves it.

    Where a model exists this sees what value-only detectors cannot: a dropout to zero or a stuck
    value inside the normal range is still far from what the model says the sample should be.
    The trap: a model that misses part of the physics (a load step it does not know) leaves that
    part in the residuals, and the detector flags the model's error as the signal's.
    """
    arr, window = _windowed(x, window)
    return _model_residual(arr, _coerce(THRESHOLD, "threshold", threshold), window, regressors).mask


@dataclass(frozen=True)
class _Detector:
    title: str
    lesson: str  # one sentence for the page
    uses: tuple[str, ...]  # the OUTLIER fields this detector reads
    run: Callable[[np.ndarray, dict[str, Any]], Detection]


def _model(method: str, fn: Callable[..., np.ndarray]) -> Callable[[np.ndarray, dict[str, Any]], Detection]:
    def run(x: np.ndarray, p: dict[str, Any]) -> Detection:
        args = {k: p[k] for k in DETECTORS[method].uses}
        return Detection(method, fn(x, **args), None, None)

    return run


DETECTORS: dict[str, _Detector] = {
    "zscore": _Detector(
        "Z-score (global mean and σ)",
        "Fine for Gaussian noise with rare outliers; many outliers inflate σ and hide themselves.",
        ("threshold",),
        lambda x, p: _zscore(x, p["threshold"]),
    ),
    "iqr": _Detector(
        "IQR / Tukey fences",
        "Quartiles resist a few extremes, but the fences are global: a glitch within the normal range passes.",
        ("k",),
        lambda x, p: _iqr(x, p["k"]),
    ),
    "hampel": _Detector(
        "Hampel (rolling median and MAD)",
        "Judges each sample against its neighbours with robust statistics; catches spikes on a moving signal.",
        ("window", "threshold"),
        lambda x, p: _hampel(x, p["window"], p["threshold"]),
    ),
    "iforest": _Detector(
        "Isolation forest",
        "Flags the samples random splits isolate fastest; always flags about the contamination share.",
        ("contamination", "seed", "window"),
        _model("iforest", isolation_forest),
    ),
    "lof": _Detector(
        "Local outlier factor",
        "Flags samples in sparse regions of (value, residual) space; always flags about the contamination share.",
        ("n_neighbors", "contamination", "window"),
        _model("lof", lof),
    ),
    "model": _Detector(
        "Model residual (robust fit, MAD)",
        "Judges each sample against what a robustly fitted model predicts, so a dropout where the model expects "
        "current stands out; a stuck run only once the waveform moves away from it.",
        ("threshold", "window"),
        lambda x, p: _model_residual(x, p["threshold"], p["window"], p.get("regressors")),
    ),
}

METHOD = Choice(tuple((k, d.title) for k, d in DETECTORS.items()), "hampel", label="Detector")

ACTIONS: dict[str, str] = {
    "flag": "Keep every value; add a True/False flag the model can use.",
    "remove": "Drop flagged samples; the signal gets shorter and its time steps uneven.",
    "winsorize": "Clip flagged samples to the accepted band; the sample count is kept.",
    "impute": "Replace flagged samples by an estimate from their unflagged neighbours.",
}
ACTION = Choice(
    (("flag", "Flag"), ("remove", "Remove"), ("winsorize", "Winsorize (clip)"), ("impute", "Impute")),
    "flag",
    label="Action",
)
FILL = Choice(
    (("linear", "Linear interpolation"), ("median", "Rolling median")), "linear", label="Imputed value"
)

OUTLIER = ParamSpec(
    "outlier",
    method=METHOD,
    threshold=THRESHOLD,
    k=K_IQR,
    window=WINDOW,
    contamination=CONTAMINATION,
    n_neighbors=NEIGHBORS,
    action=ACTION,
    fill=FILL,
    seed=SEED,
)


def detect(x: Any, method: str = "hampel", regressors: Any = None, **params: Any) -> Detection:
    """Run the detector ``method`` (a key of :data:`DETECTORS`) with :data:`OUTLIER` parameters.

    Unused parameters may be passed (the page sends them all); missing ones take their
    defaults. ``regressors`` is the physics model of the ``"model"`` detector (others ignore it).
    Returns the mask and, for zscore, iqr, hampel and model, the accepted band.
    """
    p = OUTLIER.validate(method=method, **params)
    arr = check_signal(x)
    if "window" in DETECTORS[p["method"]].uses:
        arr, _ = _windowed(arr, p["window"])
    return DETECTORS[p["method"]].run(arr, p | {"regressors": regressors})


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class Cleaned:
    """A signal after an action on its flagged samples."""

    action: str  # key of ACTIONS
    values: np.ndarray  # (n_kept,) float, signal unit; n_kept = n except after "remove"
    index: np.ndarray  # (n_kept,) int, position of each value in the original signal
    mask: np.ndarray  # (n,) bool, the flags the action used
    n_changed: int  # samples removed ("remove") or whose value changed (other actions)


def _band(x: np.ndarray, bound: Any, name: str, fallback: float) -> np.ndarray:
    """``bound`` as an (n,) array: a number is repeated; ``None`` gives ``fallback``."""
    if bound is None:
        return np.full(x.size, fallback)
    if np.ndim(bound) == 0:
        try:
            bound = np.full(x.size, float(bound))
        except (TypeError, ValueError):
            raise _fail(f"{name} must be a number or an array of shape ({x.size},); got {bound!r:.40}.") from None
    if np.shape(bound) != x.shape:
        raise _fail(f"{name} must be a number or an array of shape ({x.size},); got shape {np.shape(bound)}.")
    return check_signal(bound, name)


def _winsorize(x: np.ndarray, mask: np.ndarray, lower: Any, upper: Any) -> np.ndarray:
    kept = x[~mask]
    if kept.size == 0 and (lower is None or upper is None):
        raise _fail("every sample is flagged, so there is no accepted range to clip to; pass lower and upper.")
    lo = _band(x, lower, "lower", float(kept.min()) if kept.size else 0.0)
    hi = _band(x, upper, "upper", float(kept.max()) if kept.size else 0.0)
    if np.any(lo > hi):
        raise _fail(f"lower must not exceed upper; first at index {int(np.argmax(lo > hi))}.")
    return np.where(mask, np.clip(x, lo, hi), x)


def _impute(x: np.ndarray, mask: np.ndarray, fill: str, window: int) -> np.ndarray:
    if fill == "median":
        return np.where(mask, rolling_stats(x, window).median, x)
    if mask.all():
        raise _fail("every sample is flagged, so there is no unflagged neighbour to interpolate from.")
    idx = np.arange(x.size)
    out = x.copy()
    out[mask] = np.interp(idx[mask], idx[~mask], x[~mask])
    return out


def apply_action(
    x: Any,
    mask: Any,
    action: str = "flag",
    lower: Any = None,
    upper: Any = None,
    fill: str = "linear",
    window: int = 15,
) -> Cleaned:
    """Act on the flagged samples of ``x``; unflagged samples are never changed.

    * ``flag``: values unchanged; the mask is the information.
    * ``remove``: keep ``x[~mask]`` and their positions; the time axis gets gaps.
    * ``winsorize``: clip each flagged sample into ``[lower, upper]`` (numbers or (n,)
      arrays, e.g. a :class:`Detection`'s band). Without bounds, the range of the
      unflagged samples is used, so a flagged sample inside that range stays as it is.
      The sample count never changes.
    * ``impute``: ``fill="linear"`` interpolates linearly between the nearest unflagged
      neighbours (:func:`numpy.interp`; before the first and after the last unflagged
      sample the nearest one is repeated). ``fill="median"`` takes the rolling median
      over ``window`` (:func:`rolling_stats`; it includes the flagged samples, fine
      while they are fewer than half of each window; at the first and last sample the
      median is the sample itself, so a flagged end sample keeps its value).
    """
    arr = check_signal(x)
    m = _mask(mask, arr.size)
    action, fill = _coerce(ACTION, "action", action), _coerce(FILL, "fill", fill)
    idx = np.arange(arr.size)
    if action == "remove":
        return Cleaned(action, arr[~m], idx[~m], m, int(m.sum()))
    if action == "flag":
        values = arr.copy()
    elif action == "winsorize":
        values = _winsorize(arr, m, lower, upper)
    else:
        values = _impute(arr, m, fill, _coerce(WINDOW, "window", window))
    return Cleaned(action, values, idx, m, int(np.count_nonzero(values != arr)))


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Score:
    """A mask scored against the true outlier positions.

    Conventions, so no NaN reaches a page: precision is 1.0 when nothing is flagged
    (no false alarm was raised), recall is 1.0 when there is no true outlier (none was
    missed), and F1 = 2 tp / (2 tp + fp + fn) is 1.0 when both are empty. These match
    scikit-learn's ``precision_score``, ``recall_score`` and ``f1_score`` with ``zero_division=1.0``.
    """

    precision: float  # tp / (tp + fp): share of flags that are real outliers
    recall: float  # tp / (tp + fn): share of real outliers flagged
    f1: float  # harmonic mean of precision and recall
    tp: int  # flagged and truly an outlier
    fp: int  # flagged, but clean (false alarm)
    fn: int  # truly an outlier, not flagged (missed)


def score(mask: Any, truth: Any) -> Score:
    """Precision, recall and F1 of ``mask`` against ``truth`` (both (n,) bool)."""
    t = np.asarray(truth)
    if t.ndim != 1:
        raise _fail(f"truth must be one-dimensional; got shape {t.shape}.")
    t = _mask(t, t.size, "truth")
    m = _mask(mask, t.size)
    tp = int(np.count_nonzero(m & t))
    fp = int(np.count_nonzero(m & ~t))
    fn = int(np.count_nonzero(~m & t))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    return Score(precision, recall, f1, tp, fp, fn)


# --------------------------------------------------------------------------- z-score breakdown

BREAKDOWN = ParamSpec(
    "breakdown",
    n=Int(200, 5000, 1000, step=100, label="Clean samples", unit="samples"),
    share_pct=Int(0, 45, 15, label="Spikes, share of clean samples", unit="%"),
    height=Float(2.0, 20.0, 10.0, step=0.5, label="Spike height", unit="σ", help="Offset added to each spike."),
    threshold=THRESHOLD,
    window=WINDOW,
    seed=SEED,
)


@dataclass(frozen=True)
class Breakdown:
    """The same spiky signal judged by the z-score and by Hampel."""

    x: np.ndarray  # (n + n_spikes,) N(0, 1) noise; spikes have `height` added, signal unit = clean σ
    truth: np.ndarray  # (n + n_spikes,) bool, True at the spikes
    zscore_mask: np.ndarray  # (n + n_spikes,) bool, flagged by the global z-score
    hampel_mask: np.ndarray  # (n + n_spikes,) bool, flagged by Hampel
    zscore: Score
    hampel: Score
    mean: float  # global mean with the spikes, signal unit
    std: float  # global σ with the spikes (ddof=0), signal unit
    clean_std: float  # σ of the clean samples alone, signal unit
    spike_z: float  # mean z-score of the spikes under the global mean and σ


def breakdown_demo(
    n: int = 1000, share_pct: int = 15, height: float = 10.0, threshold: float = 3.0, window: int = 15, seed: int = 0
) -> Breakdown:
    """Masking, computed: spikes inflate the global σ until the z-score stops seeing them.

    ``n`` clean samples of N(0, 1) get ``round(n * share_pct / 100)`` spikes inserted at
    random positions, each a N(0, 1) sample plus ``height``. With spike share
    ``p = s / (1 + s)`` of all samples (``s = share_pct / 100``), the global mean is about ``p h``
    and the variance about ``1 + p (1 - p) h²``, so a spike's z-score is about
    ``(1 - p) h / sqrt(1 + p (1 - p) h²)``; for ``h = 10`` that is about 4.0 at 5 % spikes
    (nearly all caught at τ = 3), 3.0 at 10 % (about half) and 2.5 at 15 % (almost none).
    Hampel's median and MAD see only the few spikes inside each window, and keep
    catching them until spikes fill about half a window.
    """
    p = BREAKDOWN.validate(n=n, share_pct=share_pct, height=height, threshold=threshold, window=window, seed=seed)
    rng = np.random.default_rng(p["seed"])
    n_spikes = round(p["n"] * p["share_pct"] / 100)
    total = p["n"] + n_spikes
    truth = np.zeros(total, dtype=bool)
    truth[rng.choice(total, size=n_spikes, replace=False)] = True
    x = rng.normal(size=total) + np.where(truth, p["height"], 0.0)  # (total,)
    z = _zscore(x, p["threshold"])
    h = _hampel(x, p["window"], p["threshold"])
    mu, sigma = float(x.mean()), float(x.std())
    spike_z = float(np.mean((x[truth] - mu) / sigma)) if n_spikes else 0.0
    z_score, h_score = score(z.mask, truth), score(h.mask, truth)
    return Breakdown(x, truth, z.mask, h.mask, z_score, h_score, mu, sigma, float(x[~truth].std()), spike_z)


# --------------------------------------------------------------------------- on the motor's demo current

#: The detector of :func:`trace_outliers`; it starts at the z-score, the detector whose failure the demo shows.
DETECTOR = Choice(METHOD.options, "zscore", label="Detector")


def readers(field: str) -> tuple[str, ...]:
    """The detectors (keys of :data:`DETECTORS`) that read ``field``; the others ignore it."""
    return tuple(k for k, d in DETECTORS.items() if field in d.uses)


TRACE_OUTLIERS = ParamSpec(
    "trace_outliers", detector=DETECTOR, threshold=THRESHOLD, contamination=CONTAMINATION, action=ACTION, seed=SEED,
    applies=[Applies("threshold", "detector", readers("threshold"),
                     "Ignored by this detector: τ is read by Z-score, Hampel and the model residual only. IQR uses "
                     "fixed fences "
                     f"{K_IQR.default:g} IQR beyond the quartiles; isolation forest and LOF flag the contamination "
                     "share."),
             Applies("contamination", "detector", readers("contamination"))],
)
#: The threshold of :func:`breakdown_demo`, which runs the z-score and Hampel side by side: its own control, so that
#: choosing a detector above that ignores :data:`THRESHOLD` leaves this one live.
MASKING_THRESHOLD = Float(
    1.0, 6.0, 3.0, step=0.1, unit="σ", label="Threshold τ of this chart",
    help="Both detectors of this chart flag a sample more than τ spreads from its centre: the global mean and σ, "
    "spikes included, for the "
    f"z-score; the median and {MAD_TO_SIGMA:g} × MAD of the {BREAKDOWN.fields['window'].default} samples around it "
    "for Hampel.")
#: :func:`breakdown_demo` with its spikes at their defaults: only the threshold and the seed move.
MASKING = ParamSpec("masking", mask_threshold=MASKING_THRESHOLD, seed=SEED)


@dataclass(frozen=True)
class TraceOutliers:
    """One detector and one action on the glitched demo current, scored against its true spikes."""

    trace: CurrentTrace  # the glitched current and its truth
    detection: Detection
    cleaned: Cleaned  # the action applied to the flagged samples
    score: Score  # the flags against the true spikes (dropouts and stuck runs are not spikes)


def trace_outliers(
    detector: str = "zscore", threshold: float = 3.0, contamination: float = 0.05, action: str = "flag", seed: int = 0
) -> TraceOutliers:
    """Detect, act on and score the outliers of the motor's glitched demo current.

    Args:
        detector: a key of :data:`DETECTORS`; ``"model"`` fits the current's physics (the speed's harmonics
            1, 5 and 7 under the torque command's envelope, :func:`harmonic_regressors`).
        threshold: the fence of zscore, hampel and model, in σ.
        contamination: the share isolation forest and LOF flag.
        action: a key of :data:`ACTIONS`; the band of the detection is the winsorizing range.
        seed: the seed of the demo current (and of isolation forest).
    """
    v = TRACE_OUTLIERS.validate(
        detector=detector, threshold=threshold, contamination=contamination, action=action, seed=seed
    )
    tr = demo_trace(v["seed"], True)
    physics = harmonic_regressors(tr.t, TRACE_F_HZ, tr.amplitude / tr.amplitude.max())  # speed and torque command
    det = detect(tr.noisy, v["detector"], physics, threshold=v["threshold"], contamination=v["contamination"],
                 seed=v["seed"])
    cleaned = apply_action(tr.noisy, det.mask, v["action"], det.lower, det.upper)
    return TraceOutliers(tr, det, cleaned, score(det.mask, tr.glitch_kind == 1))
