"""The whole signal pipeline as one scikit-learn ``Pipeline``, from raw windows of a phase current to i_q.

Stages, in the canonical order (each a transformer that works on **rows**, one row = one window of
consecutive samples, so a window never borrows from another and only :class:`SignalScaler` learns):

1. :class:`Decimate`: anti-alias low-pass, then keep one sample in ``factor``;
2. :class:`~neuralab.signal.features.Detrend`: remove each window's mean (``kind="constant"``: a line
   fitted to a window of one or two periods would take part of the sine with it);
3. :class:`Hampel`: replace samples further than ``n_sigmas`` robust σ from their rolling median;
4. :class:`Smooth`: Savitzky–Golay (or a moving average, to compare);
5. :class:`SignalScaler`: one centre and one scale for the whole channel, learned on the training windows;
6. :class:`WindowFeatures`: FFT band amplitudes, rolling statistics and the Hilbert envelope;
7. ``Ridge``: a linear model. Why linear: the features, above all the envelope mean, are roughly
   proportional to the target, the torque-producing current amplitude ``i_q`` (their speed-dependent
   gains, from spectral scalloping and the smoother, are part of the remaining error); and a
   closed-form fit takes milliseconds, so the ablation can refit it for every fold, seed and variant
   (4 × 3 × 13 fits by default), where an MLP would have to be trained as many times.

:func:`build` assembles it (or one of the :data:`VARIANTS` that drops, swaps or reorders a stage);
:func:`evaluate` scores it on the user's arrays with ``GroupKFold`` over drive cycles (the pipeline is
refitted on each fold's training cycles only); :func:`ablate` scores every variant over several seeds
of the simulated bench log (:func:`pipeline_data`); :func:`stage_view` returns one window before and
after one stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from scipy import signal
from scipy.ndimage import uniform_filter1d
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, RobustScaler, StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

from neuralab.checks import check_array, fail
from neuralab.data.motor import motor_log
from neuralab.params import SEED, Choice, Int, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.signal.features import Detrend, hilbert_envelope
from neuralab.signal.normalize import NORMALIZERS
from neuralab.signal.outliers import rolling_stats as rolling_median
from neuralab.signal.sampling import amplitude_spectrum

__all__ = [
    "N_SPLITS",
    "ABLATION",
    "Ablation",
    "Decimate",
    "Hampel",
    "PipelineData",
    "STAGES",
    "STAGE_VIEW",
    "SignalScaler",
    "Smooth",
    "StageView",
    "VARIANTS",
    "Validation",
    "WindowFeatures",
    "NORMALIZATION",
    "NormalizationCompare",
    "ablate",
    "build",
    "evaluate",
    "normalization_compare",
    "pipeline_data",
    "stage_view",
]

# --------------------------------------------------------------------------- the transformers


def _rows(est: BaseEstimator, X: ArrayLike, reset: bool, min_cols: int = 1, why: str = "") -> np.ndarray:
    """``X`` checked by scikit-learn (records ``n_features_in_`` on fit), at least ``min_cols`` samples per row."""
    arr = validate_data(est, X, reset=reset, dtype=np.float64)
    if arr.shape[1] < min_cols:
        raise fail(f"X must hold at least {min_cols} samples per row ({why}); got n_features = {arr.shape[1]}.")
    return arr


FILTERS = ("before", "none", "after")


class Decimate(TransformerMixin, BaseEstimator):
    """Lower each row's sample rate by ``factor``; learns nothing.

    ``filter="before"`` is :func:`scipy.signal.decimate` (order-8 Chebyshev I low-pass at 0.8 × the new
    Nyquist frequency, forwards and backwards, then the slice): the right order. ``"none"`` only slices,
    so everything between the new Nyquist frequency and the old one folds into the band. ``"after"``
    slices first and runs the same low-pass at the new rate: the fold has already happened, and a filter
    at the new rate cannot tell folded content from signal. ``factor=1`` passes rows through.

    Args:
        factor: keep one sample in ``factor`` (1–13).
        filter: ``"before"``, ``"none"`` or ``"after"``.
    """

    def __init__(self, factor: int = 4, filter: str = "before"):
        self.factor = factor
        self.filter = filter

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Decimate:
        self._check_params()
        _rows(self, X, reset=True, min_cols=self._min(), why="the low-pass needs them")
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        check_is_fitted(self)
        arr = _rows(self, X, reset=False, min_cols=self._min(), why="the low-pass needs them")
        q = int(self.factor)
        if q == 1:
            return arr.copy()
        if self.filter == "before":
            return signal.decimate(arr, q, ftype="iir", zero_phase=True, axis=1)
        sliced = arr[:, ::q].copy()
        if self.filter == "after":
            b, a = signal.cheby1(8, 0.05, 0.8)  # scipy.signal.decimate's filter, designed at the new rate
            return signal.filtfilt(b, a, sliced, axis=1)
        return sliced

    def _min(self) -> int:
        return 1 if self.factor == 1 or self.filter == "none" else 32 * int(self.factor)

    def _check_params(self) -> None:
        if not isinstance(self.factor, int | np.integer) or not 1 <= self.factor <= 13:
            raise fail(f"factor must be a whole number from 1 to 13; got {self.factor!r}.")
        if self.filter not in FILTERS:
            raise fail(f"filter must be one of {', '.join(FILTERS)}; got {self.filter!r}.")


class Hampel(TransformerMixin, BaseEstimator):
    """Replace each sample further than ``n_sigmas`` robust σ from its rolling median by that median; learns nothing.

    The rolling median and ``1.4826 × MAD`` come from :func:`neuralab.signal.outliers.rolling_stats`
    (centred window, point-reflected ends), row by row. Replacing rather than dropping keeps every
    row the same length, as the features need.

    Args:
        window: odd samples per rolling window (5–51).
        n_sigmas: threshold in robust σ.
    """

    def __init__(self, window: int = 15, n_sigmas: float = 3.0):
        self.window = window
        self.n_sigmas = n_sigmas

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Hampel:
        self._check_params()
        _rows(self, X, reset=True, min_cols=int(self.window), why="one rolling window")
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        check_is_fitted(self)
        arr = _rows(self, X, reset=False, min_cols=int(self.window), why="one rolling window")
        out = arr.copy()
        for row in out:  # rolling_stats is vectorised within a row
            r = rolling_median(row, int(self.window))
            bad = np.abs(row - r.median) > self.n_sigmas * r.scale
            row[bad] = r.median[bad]
        return out

    def _check_params(self) -> None:
        if not isinstance(self.window, int | np.integer) or not 5 <= self.window <= 51 or self.window % 2 == 0:
            raise fail(f"window must be an odd whole number from 5 to 51; got {self.window!r}.")
        if not isinstance(self.n_sigmas, int | float) or not 1.0 <= self.n_sigmas <= 10.0:
            raise fail(f"n_sigmas must be a number from 1 to 10; got {self.n_sigmas!r}.")


SMOOTHERS = ("savgol", "moving_average")


class Smooth(TransformerMixin, BaseEstimator):
    """Savitzky–Golay (``scipy.signal.savgol_filter``, ``mode="interp"``) or a centred moving average, per row.

    The moving average is ``scipy.ndimage.uniform_filter1d`` (``mode="nearest"``), the order-0 case of
    Savitzky–Golay: it flattens peaks that a cubic fit keeps. Learns nothing.

    Args:
        kind: ``"savgol"`` or ``"moving_average"``.
        window: odd samples per window (3–51).
        order: polynomial degree for Savitzky–Golay, below ``window`` (the moving average ignores it).
    """

    def __init__(self, kind: str = "savgol", window: int = 15, order: int = 3):
        self.kind = kind
        self.window = window
        self.order = order

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Smooth:
        self._check_params()
        _rows(self, X, reset=True, min_cols=int(self.window), why="one smoothing window")
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        check_is_fitted(self)
        arr = _rows(self, X, reset=False, min_cols=int(self.window), why="one smoothing window")
        if self.kind == "savgol":
            return signal.savgol_filter(arr, int(self.window), int(self.order), axis=1, mode="interp")
        return uniform_filter1d(arr, int(self.window), axis=1, mode="nearest")

    def _check_params(self) -> None:
        if self.kind not in SMOOTHERS:
            raise fail(f"kind must be one of {', '.join(SMOOTHERS)}; got {self.kind!r}.")
        if not isinstance(self.window, int | np.integer) or not 3 <= self.window <= 51 or self.window % 2 == 0:
            raise fail(f"window must be an odd whole number from 3 to 51; got {self.window!r}.")
        whole = isinstance(self.order, int | np.integer)
        if self.kind == "savgol" and (not whole or not 1 <= self.order < self.window):
            raise fail(f"order must be a whole number from 1 to window - 1; got {self.order!r}.")


SCALERS = {"zscore": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler}


class SignalScaler(TransformerMixin, BaseEstimator):
    """One centre and one scale for the whole channel, learned from every sample of the training rows.

    The samples of all training windows are pooled into one column and handed to scikit-learn's
    ``StandardScaler`` (mean, std), ``MinMaxScaler`` (min, max) or ``RobustScaler`` (median, IQR), kept in
    ``scaler_``. Per channel, not per column: a column of a window matrix is "the k-th sample of every
    window", which has no physical meaning. Fit on the training windows only (a ``Pipeline`` does).

    Args:
        method: ``"zscore"``, ``"minmax"`` or ``"robust"``.
    """

    def __init__(self, method: str = "zscore"):
        self.method = method

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> SignalScaler:
        if self.method not in SCALERS:
            raise fail(f"method must be one of {', '.join(SCALERS)}; got {self.method!r}.")
        arr = _rows(self, X, reset=True)
        self.scaler_ = SCALERS[self.method]().fit(arr.reshape(-1, 1))
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        check_is_fitted(self)
        arr = _rows(self, X, reset=False)
        return self.scaler_.transform(arr.reshape(-1, 1)).reshape(arr.shape)


class WindowFeatures(TransformerMixin, BaseEstimator):
    """Per window: ``n_bands`` FFT band amplitudes, two rolling statistics and two envelope statistics.

    * band ``k``: the largest amplitude of :func:`~neuralab.signal.sampling.amplitude_spectrum` (Hann) among
      the bins of the ``k``-th of ``n_bands`` equal slices of 0 … Nyquist (the fundamental's bin moves with
      speed; the largest value in its band does not care where);
    * the mean rolling standard deviation and the mean rolling half range (max − min) / 2 over ``rolling``
      samples (trailing windows, ``sliding_window_view``);
    * the mean and the standard deviation of the Hilbert envelope
      (:func:`~neuralab.signal.features.hilbert_envelope`; FFT-based, so a window that does not hold whole
      periods adds edge ripple to both).

    ``(m, n)`` windows become ``(m, n_bands + 4)`` features; learns nothing.
    """

    def __init__(self, n_bands: int = 8, rolling: int = 25):
        self.n_bands = n_bands
        self.rolling = rolling

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> WindowFeatures:
        self._check_params()
        _rows(self, X, reset=True, min_cols=self._min(), why="the bands and the rolling window")
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        check_is_fitted(self)
        arr = _rows(self, X, reset=False, min_cols=self._min(), why="the bands and the rolling window")
        _, amp = amplitude_spectrum(arr, 1.0)  # bands are shares of Nyquist: the rate does not matter
        bands = np.array_split(np.arange(amp.shape[1]), int(self.n_bands))
        fft = np.column_stack([amp[:, b].max(axis=1) for b in bands])
        view = np.lib.stride_tricks.sliding_window_view(arr, int(self.rolling), axis=1)  # (m, k, rolling)
        roll = np.column_stack([view.std(axis=2, ddof=1).mean(axis=1),
                                ((view.max(axis=2) - view.min(axis=2)) / 2).mean(axis=1)])
        env = np.abs(signal.hilbert(arr, axis=1))  # features.hilbert_envelope, without its 8-sample floor
        return np.column_stack([fft, roll, env.mean(axis=1), env.std(axis=1)])

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        names = [f"band_{k}" for k in range(int(self.n_bands))]
        return np.array(names + ["rolling_std", "rolling_half_range", "envelope_mean", "envelope_std"])

    def _min(self) -> int:
        return max(2 * int(self.n_bands), int(self.rolling))

    def _check_params(self) -> None:
        if not isinstance(self.n_bands, int | np.integer) or not 1 <= self.n_bands <= 64:
            raise fail(f"n_bands must be a whole number from 1 to 64; got {self.n_bands!r}.")
        if not isinstance(self.rolling, int | np.integer) or not 2 <= self.rolling <= 1000:
            raise fail(f"rolling must be a whole number from 2 to 1000; got {self.rolling!r}.")


# --------------------------------------------------------------------------- the pipeline and its variants

STAGES = ("decimate", "detrend", "hampel", "smooth", "normalize", "features", "model")
TARGET_HZ = 2500  # rate after decimation: 25 samples per period of the fastest fundamental (100 Hz)
ALPHA = 1e-3  # ridge penalty: a touch, against the collinear features
N_SPLITS = 4  # GroupKFold folds of evaluate and ablate: each holds out a quarter of the drive cycles

#: name -> (label, what it changes). "full" is the canonical order.
VARIANTS: dict[str, tuple[str, str]] = {
    "full": ("Full pipeline", "every stage, in the canonical order"),
    "no_decimate": ("No decimation", "stays at the raw rate; the windows of the later stages span less time"),
    "no_detrend": ("No detrend", "each window keeps its offset and drift"),
    "no_hampel": ("No outlier removal", "glitches reach the smoother and the features"),
    "no_smooth": ("No smoothing", "noise reaches the features"),
    "no_normalize": ("No normalization", "features in amperes; the ridge penalty sees other scales"),
    "moving_average": ("Moving average for SG", "a mean of the same window instead of a cubic fit"),
    "minmax": ("Min–max for z-score", "maps the training min to 0: detrended windows regain a DC offset"),
    "robust": ("Robust for z-score", "training median and IQR set the scale"),
    "raw": ("Raw samples, no features", "the model reads the normalized samples themselves"),
    "smooth_first": ("Wrong order: smooth, then outliers", "the smoother spreads each glitch before Hampel looks"),
    "no_antialias": ("Wrong: decimate without filter", "slices only; the interference tone folds into the band"),
    "filter_after": ("Wrong order: decimate, then filter", "the same low-pass, run after the slice"),
}
WRONG = ("smooth_first", "no_antialias", "filter_after")


def _factor(rate: float) -> int:
    return int(np.clip(round(rate / TARGET_HZ), 1, 13))


def build(variant: str = "full", rate: float = 10_000, scaler: str = "zscore", alpha: float = ALPHA) -> Pipeline:
    """The pipeline (unfitted) for ``variant``, a key of :data:`VARIANTS`, for windows sampled at ``rate`` Hz.

    The decimation factor brings the rate near :data:`TARGET_HZ` (``round(rate / 2500)``, 1–13); Hampel and
    Savitzky–Golay use 15-sample windows, the features a 25-sample rolling window, at that lower rate.
    """
    if variant not in VARIANTS:
        raise fail(f"variant must be one of {', '.join(VARIANTS)}; got {variant!r}.")
    if scaler not in SCALERS:
        raise fail(f"scaler must be one of {', '.join(SCALERS)}; got {scaler!r}.")
    q = 1 if variant == "no_decimate" else _factor(float(rate))
    how = {"no_antialias": "none", "filter_after": "after"}.get(variant, "before")
    scaler = {"minmax": "minmax", "robust": "robust"}.get(variant, scaler)
    steps = [
        ("decimate", Decimate(q, how)),
        ("detrend", Detrend("constant")),
        ("hampel", Hampel(15, 3.0)),
        ("smooth", Smooth("moving_average" if variant == "moving_average" else "savgol", 15, 3)),
        ("normalize", SignalScaler(scaler)),
        ("features", WindowFeatures(8, 25)),
        ("model", Ridge(alpha=alpha)),
    ]
    drop = {"no_detrend": "detrend", "no_hampel": "hampel", "no_smooth": "smooth", "no_normalize": "normalize"}
    steps = [s for s in steps if s[0] != drop.get(variant)]
    if variant == "raw":
        steps = [s if s[0] != "features" else ("features", FunctionTransformer()) for s in steps]
    if variant == "smooth_first":
        names = [s[0] for s in steps]
        i, j = names.index("hampel"), names.index("smooth")
        steps[i], steps[j] = steps[j], steps[i]
    return Pipeline(steps)


@dataclass(frozen=True)
class Validation:
    """Held-out error of one pipeline, over ``GroupKFold`` folds of whole groups (drive cycles)."""

    rmse: float  # RMSE of every out-of-fold prediction, y units
    fold_rmse: np.ndarray  # (n_splits,) RMSE of each held-out fold
    pred: np.ndarray  # (m,) out-of-fold prediction of every window


def _arrays(X: ArrayLike, y: ArrayLike, groups: ArrayLike, rate: float) -> tuple[np.ndarray, ...]:
    Xa = check_array(X, "X", ndim=2, max_size=20_000_000)
    ya = check_array(y, "y")
    g = np.asarray(groups)
    for name, arr in (("y", ya), ("groups", g)):
        if len(arr) != len(Xa):
            raise fail(f"{name} must have one entry per row of X ({len(Xa)}); got {len(arr)}.")
    if not np.isfinite(rate) or rate <= 0:
        raise fail(f"rate must be a positive number of samples per second; got {rate!r}.")
    return Xa, ya, g


def evaluate(
    X: ArrayLike, y: ArrayLike, groups: ArrayLike, rate: float, variant: str = "full",
    n_splits: int = N_SPLITS,
) -> Validation:
    """Fit ``build(variant, rate)`` on the training groups of each ``GroupKFold`` fold, score the held-out ones.

    Args:
        X: ``(m, n)`` windows of one sensor channel, ``n`` consecutive samples per row.
        y: ``(m,)`` target per window.
        groups: ``(m,)`` group of each window (a drive cycle); a group is never split between train and test.
        rate: sample rate of ``X``, Hz.
        variant: a key of :data:`VARIANTS`.
        n_splits: folds, 2 to the number of groups.
    """
    Xa, ya, g = _arrays(X, y, groups, rate)
    n_groups = len(np.unique(g))
    if not isinstance(n_splits, int) or not 2 <= n_splits <= n_groups:
        raise fail(f"n_splits must be a whole number from 2 to the number of groups ({n_groups}); got {n_splits!r}.")
    pipe = build(variant, rate)
    pred = np.empty_like(ya)
    fold_rmse = []
    for train, test in GroupKFold(n_splits).split(Xa, ya, g):
        pred[test] = clone(pipe).fit(Xa[train], ya[train]).predict(Xa[test])
        fold_rmse.append(float(np.sqrt(np.mean((pred[test] - ya[test]) ** 2))))
    return Validation(float(np.sqrt(np.mean((pred - ya) ** 2))), np.array(fold_rmse), pred)


# --------------------------------------------------------------------------- the bench data

RIPPLE_A = 3.0  # interference amplitude added to the log, A
RIPPLE_HZ = (2200.0, 2800.0)  # range its frequency hops in, one value per window, Hz
WINDOW_S = 0.2  # window length, s
CYCLE_S = 2.0  # drive-cycle length, s
GLITCH_RATE = 0.005  # glitch events per sample


@dataclass(frozen=True)
class PipelineData:
    """Windows of the bench log's phase-a current, ready for :func:`evaluate`."""

    X: np.ndarray  # (m, n) A, measured phase-a current plus the interference tone, n samples per window
    y: np.ndarray  # (m,) A, mean torque-producing current i_q of each window (the target)
    torque_nm: np.ndarray  # (m,) N·m, mean torque (not the target: it also depends on the hidden temperature)
    groups: np.ndarray  # (m,) int, drive cycle of each window
    temp_c: np.ndarray  # (m,) °C, mean winding temperature (hidden from the model)
    glitches: np.ndarray  # (m,) int, glitched samples per window
    ripple_hz: np.ndarray  # (m,) Hz, frequency of the interference tone in each window
    rate: int  # Hz


@lru_cache(maxsize=16)
def _data(seed: int, cycles: int) -> PipelineData:
    log = motor_log(cycles=cycles, seconds=CYCLE_S, fs=10_000, glitch_rate=GLITCH_RATE, seed=seed)
    n = round(WINDOW_S * log.fs)
    per = log.samples_per_cycle // n
    keep = (np.arange(cycles)[:, None] * log.samples_per_cycle + np.arange(per * n)[None, :]).ravel()

    def win(x: np.ndarray) -> np.ndarray:
        return x[keep].reshape(cycles * per, n)

    rng = np.random.default_rng([seed, 21])
    f_r = rng.uniform(*RIPPLE_HZ, size=(cycles * per, 1))
    t = np.arange(n) / log.fs
    ripple = RIPPLE_A * np.sin(2 * np.pi * f_r * t + rng.uniform(0, 2 * np.pi, (cycles * per, 1)))
    out = PipelineData(win(log.ia) + ripple, win(log.amplitude).mean(axis=1), win(log.torque_nm).mean(axis=1),
                       win(log.cycle)[:, 0], win(log.temp_c).mean(axis=1), win(log.glitch).sum(axis=1), f_r[:, 0],
                       log.fs)
    for a in (out.X, out.y, out.torque_nm, out.groups, out.temp_c, out.glitches, out.ripple_hz):
        a.setflags(write=False)
    return out


def pipeline_data(seed: int = 0, cycles: int = 12) -> PipelineData:
    """The bench log (:func:`~neuralab.data.motor.motor_log`: 2 s cycles at 10 kHz, 0.005 glitch events per
    sample) cut into 200 ms windows, 10 per cycle; the target is each window's mean i_q.

    Phase a only, plus an interference tone the log leaves out: amplitude :data:`RIPPLE_A` (3 A), a frequency
    that hops between 2.2 and 2.8 kHz from window to window, random phase. After decimation by 4 (2.5 kHz)
    it would fold to 0–300 Hz, on top of the fundamental and its harmonics; the anti-alias filter (pass
    band to 1 kHz) removes it first. Why i_q and not torque: torque = 1.5 p ψ(ϑ) i_q also depends on the
    winding temperature, which one current channel does not show; that error would hide every stage.
    Cached per argument pair; the arrays are read-only.
    """
    ABLATION.validate(seed=seed, n_seeds=ABLATION.fields["n_seeds"].default, cycles=cycles)
    return _data(int(seed), int(cycles))


# --------------------------------------------------------------------------- the ablation

ABLATION = ParamSpec(
    "ablation",
    n_seeds=Int(2, 10, 3, label="Seeds", help="Bench logs simulated, each with its own noise, glitches and cycles."),
    cycles=Int(8, 40, 12, step=4, label="Drive cycles per log", help="More cycles: more windows to train on."),
    seed=SEED,
)


@dataclass(frozen=True)
class Ablation:
    """Held-out RMSE of every variant on every seed's log."""

    variants: tuple[str, ...]  # keys of VARIANTS, in order
    seeds: tuple[int, ...]
    rmse: np.ndarray  # (variants, seeds) A, out-of-fold RMSE over GroupKFold(N_SPLITS) by cycle
    y_std: float  # A, spread of the target (about the error of predicting its mean)

    @property
    def mean(self) -> np.ndarray:
        return self.rmse.mean(axis=1)

    @property
    def std(self) -> np.ndarray:
        """Sample std over seeds (ddof=1)."""
        return self.rmse.std(axis=1, ddof=1)

    def of(self, variant: str) -> tuple[float, float]:
        i = self.variants.index(variant)
        return float(self.mean[i]), float(self.std[i])


def ablate(
    n_seeds: int = 3, cycles: int = 12, seed: int = 0, variants: tuple[str, ...] = tuple(VARIANTS),
    progress: Progress = quiet, data: Sequence[tuple[ArrayLike, ArrayLike, ArrayLike, float]] | None = None,
) -> Ablation:
    """Score every variant with :func:`evaluate` (GroupKFold(N_SPLITS) by cycle) on the logs of seeds ``seed`` on.

    Each variant is refitted from scratch on each fold's training cycles; the seeds change the motor's
    drive cycles, noise, glitches and ripple, so mean ± std over seeds is the spread a different bench
    day would give.

    Your own recordings: pass ``data``, a list of ``(X, y, groups, rate)`` (at least two, one per
    recording or session, each as :func:`evaluate` takes it); they stand in for the seeds, which are then
    numbered 0, 1, … in the result.
    """
    ABLATION.validate(n_seeds=n_seeds, cycles=cycles, seed=seed)
    for v in variants:
        if v not in VARIANTS:
            raise fail(f"variants must be keys of VARIANTS; got {v!r}.")
    if data is not None:
        if not 2 <= len(data) <= 100:
            raise fail(f"data must hold 2 to 100 (X, y, groups, rate) entries; got {len(data)}.")
        sets = [tuple(entry) for entry in data]
        seeds = tuple(range(len(sets)))
    else:
        seeds = tuple(range(seed, seed + n_seeds))
        sets = None
    rmse = np.empty((len(variants), len(seeds)))
    total, done = len(seeds) * len(variants), 0
    ys = []
    for j, s in enumerate(seeds):
        if sets is None:
            d = _data(s, cycles)
            X, y, groups, rate = d.X, d.y, d.groups, d.rate
        else:
            X, y, groups, rate = sets[j]
        ys.append(np.asarray(y, dtype=float))
        for i, v in enumerate(variants):
            rmse[i, j] = evaluate(X, y, groups, rate, v).rmse
            done += 1
            progress(done, total)
    return Ablation(tuple(variants), seeds, rmse, float(np.concatenate(ys).std()))


# --------------------------------------------------------------------------- one window through the stages

HELD_OUT = 4  # the stage view trains on every cycle but each 4th (cycles 3, 7, 11 held out)
STAGE = Choice(
    (("decimate", "1 Anti-alias + decimate"), ("detrend", "2 Detrend"), ("hampel", "3 Outliers (Hampel)"),
     ("smooth", "4 Smooth (Savitzky–Golay)"), ("normalize", "5 Normalize (z-score)"),
     ("features", "6 Features (envelope, rolling std)")),
    default="hampel", label="Stage", help="The stage whose input and output are drawn.")
STAGE_VIEW = ParamSpec(
    "stage_view",
    stage=STAGE,
    window=Int(0, 119, 21, label="Window", help="Which 200 ms window of the log (10 per drive cycle)."),
    seed=SEED,
)


@dataclass(frozen=True)
class StageView:
    """One window before and after one stage of the full pipeline, fitted on the training cycles."""

    stage: str
    window: int
    cycle: int
    held_out: bool  # the window's cycle was not used to fit
    t_in: np.ndarray  # (n_in,) s, sample times of the stage's input
    x_in: np.ndarray  # (n_in,) its input (A before normalization, z after)
    t_out: np.ndarray  # (n_out,) s
    x_out: np.ndarray  # (n_out,) its output; for "features" the Hilbert envelope of the input
    rolling_std: np.ndarray | None  # (n_in - 24,) for "features": the rolling std the features average
    features: np.ndarray  # (n_features,) the window's features
    feature_names: tuple[str, ...]
    pred: float  # A, the fitted pipeline's i_q for the window
    truth: float  # A
    temp_c: float  # °C
    glitches: int  # glitched raw samples in the window
    ripple_hz: float
    rate_in: float  # Hz, rate of the stage's input
    rate_out: float
    changed: float  # A, RMS of output − input where both share a unit and a rate; nan for decimate/normalize/features
    center: float  # A, the scaler's training mean
    scale: float  # A, the scaler's training σ


@lru_cache(maxsize=8)
def _fitted(seed: int) -> Pipeline:
    d = _data(seed, 12)
    train = d.groups % HELD_OUT != HELD_OUT - 1
    return build("full", d.rate).fit(d.X[train], d.y[train])


@lru_cache(maxsize=4)
def _stage_outputs(seed: int) -> tuple[np.ndarray, ...]:
    """Every window after every step but the model (``outs[k]`` is step k's input), computed once per seed."""
    outs = [_data(seed, 12).X]
    for _, step in _fitted(seed).steps[:-1]:
        outs.append(step.transform(outs[-1]))
    for a in outs[1:]:
        a.setflags(write=False)
    return tuple(outs)


def stage_view(stage: str = "hampel", window: int = 21, seed: int = 0) -> StageView:
    """Run window ``window`` of the default log through the full pipeline and keep ``stage``'s input and output."""
    STAGE_VIEW.validate(stage=stage, window=window, seed=seed)
    d, pipe = _data(seed, 12), _fitted(seed)
    outs = [o[window : window + 1] for o in _stage_outputs(seed)]  # outs[k] is the input of step k
    k = [n for n, _ in pipe.steps].index(stage)
    before = outs[k]
    q = pipe["decimate"].factor
    rate_in = d.rate / (q if k > 0 else 1)
    roll = None
    if stage == "features":
        after = hilbert_envelope(before)[0]
        roll = np.lib.stride_tricks.sliding_window_view(before[0], pipe["features"].rolling).std(axis=1, ddof=1)
    else:
        after = outs[k + 1][0]
    rate_out = rate_in / q if stage == "decimate" else rate_in
    same = stage not in ("decimate", "features", "normalize")
    scaler = pipe["normalize"].scaler_
    return StageView(
        stage=stage, window=int(window), cycle=int(d.groups[window]),
        held_out=bool(d.groups[window] % HELD_OUT == HELD_OUT - 1),
        t_in=np.arange(before.shape[1]) / rate_in, x_in=before[0],
        t_out=np.arange(len(after)) / rate_out, x_out=after, rolling_std=roll, features=outs[-1][0],
        feature_names=tuple(pipe["features"].get_feature_names_out()),
        pred=float(pipe["model"].predict(outs[-1])[0]), truth=float(d.y[window]), temp_c=float(d.temp_c[window]),
        glitches=int(d.glitches[window]), ripple_hz=float(d.ripple_hz[window]),
        rate_in=float(rate_in), rate_out=float(rate_out),
        changed=float(np.sqrt(np.mean((after - before[0]) ** 2))) if same else float("nan"),
        center=float(scaler.mean_[0]), scale=float(scaler.scale_[0]),
    )


# --------------------------------------------------------------------------- normalization side by side

NORM_METHODS = ("zscore", "minmax", "robust", "unit")
NORM_FEATURE = Choice(
    (("envelope_std", "Envelope std"), ("band_1", "FFT band 1 (harmonics, glitches)"),
     ("band_0", "FFT band 0 (the fundamental)")),
    default="envelope_std", label="Feature drawn", help="The feature whose scaled values are drawn.")
NORMALIZATION = ParamSpec("normalization", norm_feature=NORM_FEATURE, seed=SEED)


@dataclass(frozen=True)
class NormalizationCompare:
    """Four normalizers on the window features of a pipeline without outlier removal, each fitted on training cycles."""

    feature: str  # the feature drawn
    raw: np.ndarray  # (m,) its values before scaling, A
    scaled: dict[str, np.ndarray]  # method -> (m,) its values after scaling
    rmse: dict[str, float]  # method -> held-out RMSE of ridge on the scaled features, A
    train: np.ndarray  # (m,) bool, window in a training cycle
    outliers: np.ndarray  # (m,) bool, raw value beyond Tukey's fences (1.5 IQR) of the training values
    row_norms: np.ndarray  # (m,) L2 norm of each window's features after Normalizer (all 1: the magnitude is gone)
    per_sample_rmse: float  # A, ridge after z-scoring each row across its features (StandardScaler on the transpose)
    y_std: float  # A, spread of the held-out target


@lru_cache(maxsize=8)
def _raw_features(seed: int) -> tuple[np.ndarray, tuple[str, ...]]:
    d = _data(seed, 12)
    pipe = build("no_hampel", d.rate)
    feats = Pipeline([s for s in pipe.steps if s[0] in ("decimate", "detrend", "smooth", "features")])
    F = feats.fit_transform(d.X)  # learns nothing: every stage here is per window
    F.setflags(write=False)
    return F, tuple(feats["features"].get_feature_names_out())


def normalization_compare(norm_feature: str = "envelope_std", seed: int = 0) -> NormalizationCompare:
    """Scale the features of the default log (no outlier removal) four ways and refit ridge on each.

    ``zscore``, ``minmax`` and ``robust`` are per-feature (columns) scalers fitted on the training cycles
    (every cycle but each 4th); ``unit`` is scikit-learn's ``Normalizer``, which divides each **row** by
    its L2 norm: per sample, not per feature, so every window ends up the same length and its amplitude,
    the very thing the target measures, is divided out.
    """
    NORMALIZATION.validate(norm_feature=norm_feature, seed=seed)
    d = _data(seed, 12)
    F, names = _raw_features(seed)
    Z, rmse, per_sample = _norm_fits(seed)
    train = d.groups % HELD_OUT != HELD_OUT - 1
    j = names.index(norm_feature)
    q1, q3 = np.percentile(F[train, j], [25, 75])
    fence = (F[:, j] < q1 - 1.5 * (q3 - q1)) | (F[:, j] > q3 + 1.5 * (q3 - q1))
    return NormalizationCompare(
        feature=norm_feature, raw=F[:, j].copy(), scaled={m: Z[m][:, j].copy() for m in NORM_METHODS},
        rmse=dict(rmse), train=train, outliers=fence, row_norms=np.linalg.norm(Z["unit"], axis=1),
        per_sample_rmse=per_sample, y_std=float(d.y[~train].std()),
    )


@lru_cache(maxsize=8)
def _norm_fits(seed: int) -> tuple[dict[str, np.ndarray], dict[str, float], float]:
    """Every feature scaled four ways (fitted on training cycles), ridge's held-out RMSE after each; once per seed."""
    d = _data(seed, 12)
    F, _ = _raw_features(seed)
    train = d.groups % HELD_OUT != HELD_OUT - 1

    def held_out_rmse(Z: np.ndarray) -> float:
        pred = Ridge(alpha=ALPHA).fit(Z[train], d.y[train]).predict(Z[~train])
        return float(np.sqrt(np.mean((pred - d.y[~train]) ** 2)))

    scaled = {m: NORMALIZERS[m]().fit(F[train]).transform(F) for m in NORM_METHODS}
    Zs = StandardScaler().fit_transform(F.T).T  # the axis trap: each row z-scored across its own features
    return scaled, {m: held_out_rmse(Z) for m, Z in scaled.items()}, held_out_rmse(Zs)
