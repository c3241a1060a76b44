"""Leak-free preprocessing for sampled motor signals: decimate, detrend, normalize, engineer features.

Order matters, and so does *what each step learns*:

1. Anti-alias, then decimate (:func:`decimate`): a tone above the new Nyquist
   frequency does not disappear when you drop samples, it folds down to a false
   frequency (:func:`alias_demo` predicts it and finds it in the spectrum).
2. Detrend each window (:class:`Detrend`): learns nothing, so it cannot leak.
3. Normalize (:data:`NORMALIZERS`): learns means, ranges or quantiles, so it must be
   fitted on the training rows only; a scikit-learn ``Pipeline`` does that by
   construction (:func:`pipeline_leak` measures what happens otherwise).
4. Features from three-phase current windows: :func:`clarke`, :func:`park`,
   :func:`fft_harmonics`, :func:`hilbert_envelope`, :func:`rolling_stats`. They
   learn nothing either; :func:`dq_transformer` and friends wrap them as
   scikit-learn ``FunctionTransformer`` steps.

Nothing here re-implements scipy or scikit-learn; the functions choose, check and
explain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike
from scipy import signal as sps
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, Normalizer, RobustScaler, StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

from neuralab.checks import check_array, fail
from neuralab.data.motor import MotorWindows, bench_windows
from neuralab.params import SEED, Choice, Float, Int, ParamSpec, Rule
from neuralab.signal.regimes import REGRESSOR, make_regressor

__all__ = [
    "ALIAS",
    "ALIASING",
    "ALIASING_FS_HZ",
    "AliasDemo",
    "BENCH_LEAK",
    "BenchLeak",
    "DECIMATE",
    "DETREND",
    "Detrend",
    "HARMONICS",
    "NORMALIZER",
    "NORMALIZERS",
    "NORMALIZE",
    "PIPELINE_LEAK",
    "PipelineLeak",
    "ROLLING",
    "RollingStats",
    "SPECTRUM",
    "alias_demo",
    "alias_frequency",
    "amplitude_spectrum",
    "bench_leak",
    "clarke",
    "decimate",
    "dq_transformer",
    "envelope_transformer",
    "fft_harmonics",
    "harmonics_transformer",
    "hilbert_envelope",
    "make_normalizer",
    "park",
    "pipeline_leak",
    "rolling_stats",
]

# --------------------------------------------------------------------------- decimation and aliasing

FACTOR = Int(2, 13, 4, label="Decimation factor", help="Keep one sample in this many; the sample rate drops by it.")
DECIMATE = ParamSpec("decimate", factor=FACTOR)
#: Shortest input scipy's zero-phase order-8 Chebyshev filter accepts (its edge padding is 27 samples).
MIN_DECIMATE_SAMPLES = 32


def decimate(x: ArrayLike, factor: int, anti_alias: bool = True) -> np.ndarray:
    """Lower the sample rate by ``factor`` along the last axis.

    With ``anti_alias`` this is ``scipy.signal.decimate(x, factor, ftype="iir",
    zero_phase=True)``: an order-8 Chebyshev type I low-pass at 0.8 × the new Nyquist
    frequency, run forwards and backwards (no phase shift), then every
    ``factor``-th sample. Without it, plain ``x[..., ::factor]``: anything between
    the new Nyquist frequency ``fs / (2 factor)`` and ``fs / 2`` folds into the
    band and cannot be told apart from real signal afterwards. Trap: the filter
    must come *before* the samples are dropped; no filter afterwards can undo a fold.
    Second trap: the pass band ripples by 0.05 dB and, the order being even, DC sits
    at the bottom of a ripple; run twice, a DC level comes out multiplied by
    ``10 ** (-0.05 / 10)`` ≈ 0.9886 (an offset of 3 A reads 2.966 A).

    Args:
        x: ``(n,)`` or ``(m, n)`` samples, at least 32 per row.
        factor: 2–13 (scipy advises chaining calls for larger factors).
        anti_alias: filter first (True) or only slice (False).

    Returns:
        ``(ceil(n / factor),)`` or ``(m, ceil(n / factor))`` samples at ``fs / factor``.
    """
    DECIMATE.validate(factor=factor)
    arr = check_array(x, "x", ndim=(1, 2))
    if arr.shape[-1] < MIN_DECIMATE_SAMPLES:
        raise fail(f"x must hold at least {MIN_DECIMATE_SAMPLES} samples to decimate; got {arr.shape[-1]}.")
    if not anti_alias:
        return arr[..., ::factor].copy()
    return sps.decimate(arr, factor, ftype="iir", zero_phase=True, axis=-1)


def alias_frequency(f_hz: float, fs_hz: float) -> float:
    """Where a tone at ``f_hz`` appears after sampling at ``fs_hz``: ``|f - fs · round(f / fs)|``.

    The sampled spectrum repeats every ``fs``, so the tone is seen at its distance
    from the nearest multiple of ``fs``, always within ``[0, fs / 2]``. Example: 3.3 kHz
    sampled at 2.5 kHz shows up at 0.8 kHz. A tone at an exact multiple of ``fs``
    lands on 0 Hz and looks like a DC offset.
    """
    fs_hz = _check_rate("fs_hz", fs_hz)
    if f_hz != 0:
        f_hz = _check_rate("f_hz", f_hz)
    return float(abs(f_hz - fs_hz * np.round(f_hz / fs_hz)))


FS_HZ = Int(1000, 48000, 10000, step=1000, unit="Hz", label="Sample rate", help="Rate of the raw samples.")
TONE_HZ = Float(
    1.0,
    24000.0,
    3300.0,
    step=1.0,
    unit="Hz",
    label="Interfering tone",
    help="A high-frequency component such as PWM ripple; above the new Nyquist frequency it folds.",
)
ALIAS = ParamSpec(
    "alias",
    fs_hz=FS_HZ,
    factor=FACTOR,
    tone_hz=TONE_HZ,
    rules=[
        Rule(
            ("tone_hz", "fs_hz"),
            lambda v: v["tone_hz"] < v["fs_hz"] / 2,
            lambda v: f"tone_hz must be below the Nyquist frequency fs_hz / 2 = {v['fs_hz'] / 2:g} Hz; "
            f"got {v['tone_hz']:g} Hz.",
        )
    ],
)
ALIAS_DURATION_S = 1.0  # signal length of the demo: 1 Hz frequency resolution
TONE_AMP = 0.5  # interfering tone amplitude; the wanted tone has amplitude 1
TONE_PHASE = np.pi / 3  # so a tone folding onto 0 Hz is still visible


@dataclass(frozen=True)
class AliasDemo:
    """Spectra of one two-tone signal: raw, decimated by slicing, decimated with the anti-alias filter."""

    fs_hz: float  # raw sample rate
    fs_new_hz: float  # fs_hz / factor
    wanted_hz: float  # wanted tone (amplitude 1): a tenth of the new Nyquist frequency
    tone_hz: float  # interfering tone (amplitude TONE_AMP)
    alias_hz: float  # where theory puts the interfering tone after decimation (alias_frequency)
    freqs: np.ndarray  # (n_f,) Hz, raw spectrum bins
    spectrum: np.ndarray  # (n_f,) amplitude of the raw signal (signal units, Hann window)
    freqs_new: np.ndarray  # (m_f,) Hz, decimated spectrum bins
    spectrum_sliced: np.ndarray  # (m_f,) amplitude after x[::factor]
    spectrum_filtered: np.ndarray  # (m_f,) amplitude after scipy.signal.decimate
    peak_hz_sliced: float  # strongest peak of the sliced spectrum more than 3 bins from the wanted tone
    alias_amp_sliced: float  # amplitude found at alias_hz after slicing (≈ TONE_AMP when it folds)
    alias_amp_filtered: float  # the same after filtering (≈ 0 when the filter removed the tone)

    @property
    def folds(self) -> bool:
        """True when the tone lies above the new Nyquist frequency, so decimation moves it."""
        return self.tone_hz > self.fs_new_hz / 2


def amplitude_spectrum(x: ArrayLike, fs: float, taper: str = "hann") -> tuple[np.ndarray, np.ndarray]:
    """One-sided amplitude spectrum along the last axis, scaled so a sine of amplitude A reads A.

    ``amp_k = c_k |rfft(x · w)_k| / sum(w)`` with ``c_k = 2`` except at 0 Hz (and at
    the Nyquist bin for even n), where ``c_k = 1``. Dividing by ``sum(w)`` undoes
    the window's coherent gain. Trap: a tone between two bins reads low (up to
    about 15% with Hann; under 0.1% with ``flattop``, whose peaks are wider).

    Returns:
        ``(freqs, amp)``: ``(n // 2 + 1,)`` Hz and ``(..., n // 2 + 1)`` signal units.
    """
    arr = check_array(x, "x", ndim=(1, 2))
    _check_rate("fs", fs)
    SPECTRUM.validate(taper=taper)
    n = arr.shape[-1]
    w = sps.get_window(taper, n)  # periodic (DFT-even) window
    amp = np.abs(np.fft.rfft(arr * w, axis=-1)) / w.sum()
    amp[..., 1:] *= 2.0
    if n % 2 == 0:
        amp[..., -1] /= 2.0
    return np.fft.rfftfreq(n, 1.0 / fs), amp


def _amp_near(freqs: np.ndarray, amp: np.ndarray, f: float) -> float:
    k = int(np.argmin(np.abs(freqs - f)))
    return float(amp[max(k - 1, 0) : k + 2].max())


def alias_demo(fs_hz: int = 10000, factor: int = 4, tone_hz: float = 3300.0) -> AliasDemo:
    """Decimate a wanted tone plus an interfering tone with and without the anti-alias filter.

    The signal is 1 s of ``sin(2π f_w t) + 0.5 sin(2π f_t t + π/3)`` sampled at
    ``fs_hz``, with the wanted tone ``f_w`` a tenth of the new Nyquist frequency.
    After slicing, the interfering tone appears at :func:`alias_frequency` of
    ``(tone_hz, fs_hz / factor)`` with its full amplitude; after
    ``scipy.signal.decimate`` it is gone (if it lay above 0.8 × the new Nyquist
    frequency, where the filter's pass band ends).
    """
    ALIAS.validate(fs_hz=fs_hz, factor=factor, tone_hz=tone_hz)
    fs_new = fs_hz / factor
    wanted = fs_new / 20.0
    t = np.arange(int(round(fs_hz * ALIAS_DURATION_S))) / fs_hz
    x = np.sin(2 * np.pi * wanted * t) + TONE_AMP * np.sin(2 * np.pi * tone_hz * t + TONE_PHASE)
    freqs, spec = amplitude_spectrum(x, fs_hz)
    freqs_new, sliced = amplitude_spectrum(decimate(x, factor, anti_alias=False), fs_new)
    _, filtered = amplitude_spectrum(decimate(x, factor, anti_alias=True), fs_new)
    alias = alias_frequency(tone_hz, fs_new)
    df = freqs_new[1] - freqs_new[0]
    away = np.abs(freqs_new - wanted) > 3 * df  # bins not belonging to the wanted tone
    return AliasDemo(
        fs_hz=float(fs_hz),
        fs_new_hz=fs_new,
        wanted_hz=wanted,
        tone_hz=float(tone_hz),
        alias_hz=alias,
        freqs=freqs,
        spectrum=spec,
        freqs_new=freqs_new,
        spectrum_sliced=sliced,
        spectrum_filtered=filtered,
        peak_hz_sliced=float(freqs_new[away][np.argmax(sliced[away])]),
        alias_amp_sliced=_amp_near(freqs_new, sliced, alias),
        alias_amp_filtered=_amp_near(freqs_new, filtered, alias),
    )


# --------------------------------------------------------------------------- detrending


DETREND = ParamSpec(
    "detrend",
    kind=Choice(
        (("constant", "Remove the mean (DC)"), ("linear", "Remove the best-fit line")),
        default="linear",
        label="Detrend",
        help="What each window loses: its mean, or its least-squares straight line.",
    ),
)


class Detrend(TransformerMixin, BaseEstimator):
    """Remove the mean or the least-squares line from each **row** (``scipy.signal.detrend(X, axis=1)``).

    Each row is one window of consecutive samples, ``(n_windows, n_samples)``; each
    is detrended using its own samples only. Why rows: a window detrended on its own
    learns nothing from other windows, so no validation window can leak into a
    training one (``fit`` only records ``n_features_in_``). Detrending *columns* of
    a time-ordered table would fit one line through all rows, the future included.

    Args:
        kind: ``"linear"`` (subtract the best-fit line) or ``"constant"`` (subtract the mean).
    """

    def __init__(self, kind: str = "linear"):
        self.kind = kind

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Detrend:
        DETREND.validate(kind=self.kind)
        self._check(X, reset=True)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        check_is_fitted(self)
        return sps.detrend(self._check(X, reset=False), axis=1, type=self.kind)

    def _check(self, X: ArrayLike, reset: bool) -> np.ndarray:
        X = validate_data(self, X, reset=reset, dtype=np.float64, ensure_all_finite=False)
        return check_array(X, "X", ndim=2)


# --------------------------------------------------------------------------- normalization

#: Name -> scikit-learn class. All but ``unit`` learn per-column statistics in ``fit``.
NORMALIZERS: dict[str, type[TransformerMixin]] = {
    "zscore": StandardScaler,  # (x - mean) / std per column
    "minmax": MinMaxScaler,  # (x - min) / (max - min) per column, to [0, 1]
    "robust": RobustScaler,  # (x - median) / IQR per column; outliers barely move it
    "unit": Normalizer,  # each ROW divided by its L2 norm; learns nothing
}

NORMALIZER = Choice(
    (
        ("zscore", "z-score (mean 0, std 1)"),
        ("minmax", "Min–max to [0, 1]"),
        ("robust", "Robust (median, IQR)"),
        ("unit", "Unit norm per row"),
    ),
    default="minmax",
    label="Normalizer",
    help="z-score, min–max and robust learn column statistics from the rows they are fitted on; "
    "unit norm rescales each row on its own.",
)
NORMALIZE = ParamSpec("normalize", normalizer=NORMALIZER)
INPUTS = Choice(
    (
        ("extrapolate", "Out-of-range inputs pass through"),
        ("saturate", "Inputs saturate at the fitted range"),
    ),
    default="saturate",
    label="Out-of-range inputs",
    help="Saturate is MinMaxScaler(clip=True): like a fixed-point input whose full scale was set from training data.",
)


def make_normalizer(name: str, saturate: bool = False) -> TransformerMixin:
    """A fresh scikit-learn normalizer; ``saturate`` gives ``MinMaxScaler(clip=True)`` (min–max only).

    Trap: ``unit`` (``Normalizer``) is not a column scaler at all; it rescales every
    sample to length 1, which throws away the overall magnitude (e.g. the load).
    """
    NORMALIZE.validate(normalizer=name)
    if saturate:
        if name != "minmax":
            raise fail(f"saturate needs normalizer 'minmax' (MinMaxScaler(clip=True)); got {name!r}.")
        return MinMaxScaler(clip=True)
    return NORMALIZERS[name]()


# --------------------------------------------------------------------------- three-phase features


def _same_shapes(**arrays: ArrayLike) -> list[np.ndarray]:
    out = [check_array(v, k, ndim=(1, 2)) for k, v in arrays.items()]
    shapes = {a.shape for a in out}
    if len(shapes) > 1:
        desc = ", ".join(f"{k} {a.shape}" for k, a in zip(arrays, out, strict=True))
        raise fail(f"{', '.join(arrays)} must have the same shape; got {desc}.")
    return out


def clarke(ia: ArrayLike, ib: ArrayLike, ic: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Clarke transform, amplitude-invariant: three phase currents -> two orthogonal ones.

    ``i_α = (2/3)(i_a - i_b/2 - i_c/2)``, ``i_β = (i_b - i_c)/√3``. The 2/3 factor
    keeps amplitudes: a balanced set of amplitude A gives ``i_α = A cos θ``,
    ``i_β = A sin θ`` (the power-invariant convention uses √(2/3) and scales by
    √(3/2) instead). A common-mode current ``i_0`` in all three phases cancels. Trap:
    the shortcut ``i_α = i_a`` assumes ``i_a + i_b + i_c = 0``; with a zero-sequence
    component or an offset on one sensor it disagrees with this form.

    Args:
        ia, ib, ic: phase currents, equal shapes, A.

    Returns:
        ``(i_alpha, i_beta)`` in A, same shape.
    """
    a, b, c = _same_shapes(ia=ia, ib=ib, ic=ic)
    return (2.0 / 3.0) * (a - 0.5 * b - 0.5 * c), (b - c) / np.sqrt(3.0)


def park(i_alpha: ArrayLike, i_beta: ArrayLike, theta: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Park transform: rotate (i_α, i_β) by −θ into the rotor frame.

    ``i_d = i_α cos θ + i_β sin θ``, ``i_q = −i_α sin θ + i_β cos θ``, θ the
    electrical angle in rad (mechanical angle × pole pairs). With the amplitude-
    invariant :func:`clarke`, phase currents ``i_a = A cos(θ + φ)`` (b and c lagging
    by 120° and 240°) give the constants ``i_d = A cos φ``, ``i_q = A sin φ``: AC
    currents become DC, which is why a motor controller regulates them with PI loops.
    Trap: a wrong pole-pair count or encoder offset in θ makes i_d and i_q oscillate.

    Returns:
        ``(i_d, i_q)`` in A, same shape as the inputs.
    """
    a, b, th = _same_shapes(i_alpha=i_alpha, i_beta=i_beta, theta=theta)
    cos, sin = np.cos(th), np.sin(th)
    return a * cos + b * sin, -a * sin + b * cos


HARMONICS = (1, 5, 7)  # the fundamental and the two strongest six-pulse harmonics
MAX_HARMONICS = 50
TAPER = Choice(
    (("hann", "Hann"), ("flattop", "Flat top (exact amplitudes)"), ("boxcar", "None (rectangular)")),
    default="hann",
    label="Window",
    help="Hann separates nearby lines; flat top reads amplitudes accurately between bins.",
)
SPECTRUM = ParamSpec("spectrum", taper=TAPER)
#: Fewest periods of f0 per window: the taper's main lobe must not smear DC into the fundamental.
MIN_PERIODS = {"boxcar": 2, "hann": 3, "flattop": 6}


def _check_rate(name: str, value: float) -> float:
    number = isinstance(value, int | float | np.number) and not isinstance(value, bool)
    if not number or not np.isfinite(value) or value <= 0:
        raise fail(f"{name} must be a positive, finite frequency in Hz; got {value!r}.")
    return float(value)


def fft_harmonics(
    window: ArrayLike, fs: float, f0: float, harmonics: tuple[int, ...] = HARMONICS, taper: str = "hann"
) -> np.ndarray:
    """Amplitude of the harmonics ``h · f0`` of each window, read from its windowed FFT.

    Uses :func:`amplitude_spectrum` (``np.fft.rfft`` of ``x · w``, corrected for the
    window's gain) and reads the bin nearest ``h · f0``. Exact when the window holds a
    whole number of periods of ``f0`` (coherent sampling, the usual case for windows
    synchronised to the electrical angle); otherwise use ``taper="flattop"``.

    Args:
        window: ``(n,)`` or ``(m, n)`` samples (e.g. phase current, A).
        fs: sample rate, Hz.
        f0: fundamental (electrical) frequency, Hz.
        harmonics: orders to read, e.g. ``(1, 5, 7)``; all below the Nyquist frequency.
        taper: a key of :data:`TAPER`.

    Returns:
        ``(len(harmonics),)`` or ``(m, len(harmonics))`` amplitudes, signal units.
    """
    x = check_array(window, "window", ndim=(1, 2))
    fs, f0 = _check_rate("fs", fs), _check_rate("f0", f0)
    SPECTRUM.validate(taper=taper)
    h = _check_harmonics(harmonics, fs, f0)
    n = x.shape[-1]
    need = int(np.ceil(MIN_PERIODS[taper] * fs / f0))
    if n < need:
        raise fail(
            f"window must hold at least {MIN_PERIODS[taper]} periods of f0 with the {taper} taper "
            f"({need} samples at fs = {fs:g} Hz, f0 = {f0:g} Hz); got {n}."
        )
    _, amp = amplitude_spectrum(x, fs, taper)
    bins = np.rint(h * f0 * n / fs).astype(np.int64)
    return amp[..., bins]


def _check_harmonics(harmonics: tuple[int, ...], fs: float, f0: float) -> np.ndarray:
    h = np.asarray(harmonics)
    if h.ndim != 1 or not 1 <= len(h) <= MAX_HARMONICS or h.dtype.kind not in "iu" or h.min() < 1:
        raise fail(f"harmonics must be 1 to {MAX_HARMONICS} whole numbers ≥ 1; got {harmonics!r}.")
    if h.max() * f0 >= fs / 2:
        raise fail(
            f"harmonics must stay below the Nyquist frequency fs / 2 = {fs / 2:g} Hz; "
            f"got order {int(h.max())} at {h.max() * f0:g} Hz."
        )
    return h


MIN_ENVELOPE_SAMPLES = 8


def hilbert_envelope(x: ArrayLike) -> np.ndarray:
    """Envelope ``|x + j·H{x}|`` along the last axis, via ``scipy.signal.hilbert``.

    For ``x = a(t) cos(2π f_c t)`` with a slow, positive ``a(t)`` the envelope is
    ``a(t)``: the amplitude modulation of a current (load ripple, a bearing fault's
    once-per-revolution bump). Traps: remove DC first (a DC offset adds to the
    envelope rather than being demodulated); the FFT-based transform treats the
    window as periodic, so the envelope rings near both ends unless the window
    holds whole periods.

    Returns:
        Same shape as ``x``, signal units.
    """
    arr = check_array(x, "x", ndim=(1, 2))
    if arr.shape[-1] < MIN_ENVELOPE_SAMPLES:
        raise fail(f"x must hold at least {MIN_ENVELOPE_SAMPLES} samples for an envelope; got {arr.shape[-1]}.")
    return np.abs(sps.hilbert(arr, axis=-1))


ROLLING = ParamSpec("rolling", window=Int(2, 1000, 25, unit="samples", label="Rolling window"))


@dataclass(frozen=True)
class RollingStats:
    """Statistics over each run of ``window`` consecutive samples (trailing windows)."""

    end: np.ndarray  # (n - window + 1,) int index of each window's last sample
    mean: np.ndarray  # (n - window + 1,) signal units
    std: np.ndarray  # (n - window + 1,) sample std, ddof=1, signal units
    min: np.ndarray  # (n - window + 1,)
    max: np.ndarray  # (n - window + 1,)


def rolling_stats(x: ArrayLike, window: int) -> RollingStats:
    """Rolling mean, std (ddof=1), min and max over ``np.lib.stride_tricks.sliding_window_view``.

    Window ``j`` covers samples ``j .. j + window - 1`` and is reported at its last
    sample, ``end[j] = j + window - 1``: the value a causal controller could compute
    at that instant. Trap: centring the window instead would use future samples.
    """
    ROLLING.validate(window=window)
    arr = check_array(x, "x")
    if len(arr) < window:
        raise fail(f"x must be at least as long as the window ({window} samples); got {len(arr)}.")
    view = sliding_window_view(arr, window)  # (n - window + 1, window), no copy
    end = np.arange(window - 1, len(arr))
    return RollingStats(end, view.mean(axis=1), view.std(axis=1, ddof=1), view.min(axis=1), view.max(axis=1))


def _dq_columns(X: ArrayLike) -> np.ndarray:
    arr = check_array(X, "X", ndim=2)
    if arr.shape[1] != 4:
        raise fail(f"X must have 4 columns (ia, ib, ic, theta); got {arr.shape[1]}.")
    i_d, i_q = park(*clarke(arr[:, 0], arr[:, 1], arr[:, 2]), arr[:, 3])
    return np.column_stack([i_d, i_q])


def dq_transformer() -> FunctionTransformer:
    """``(n, 4)`` columns ia, ib, ic (A), theta (rad) -> ``(n, 2)`` i_d, i_q (A); learns nothing."""
    return FunctionTransformer(_dq_columns, feature_names_out=lambda _t, _f: np.array(["i_d", "i_q"]))


def harmonics_transformer(
    fs: float, f0: float, harmonics: tuple[int, ...] = HARMONICS, taper: str = "hann"
) -> FunctionTransformer:
    """``(m, n)`` windows -> ``(m, len(harmonics))`` amplitudes by :func:`fft_harmonics`; learns nothing."""
    fs, f0 = _check_rate("fs", fs), _check_rate("f0", f0)
    _check_harmonics(harmonics, fs, f0)
    SPECTRUM.validate(taper=taper)
    kw = {"fs": fs, "f0": f0, "harmonics": tuple(harmonics), "taper": taper}
    return FunctionTransformer(fft_harmonics, kw_args=kw)


def envelope_transformer() -> FunctionTransformer:
    """``(m, n)`` windows -> ``(m, n)`` Hilbert envelopes by :func:`hilbert_envelope`; learns nothing."""
    return FunctionTransformer(hilbert_envelope)


# --------------------------------------------------------------------------- leakage through preprocessing

SPLIT_FRAC = Float(0.5, 0.9, 0.7, step=0.05, label="Training share", help="The oldest rows train; the rest test.")
PIPELINE_LEAK = ParamSpec(
    "pipeline_leak",
    normalizer=NORMALIZER,
    inputs=INPUTS,
    model=REGRESSOR,
    split_frac=SPLIT_FRAC,
    seed=SEED,
    rules=[
        Rule(
            ("inputs", "normalizer"),
            lambda v: v["inputs"] == "extrapolate" or v["normalizer"] == "minmax",
            "inputs 'saturate' needs normalizer 'minmax' (MinMaxScaler(clip=True)); got normalizer {normalizer!r}.",
        )
    ],
)
MIN_LEAK_ROWS = 20


@dataclass(frozen=True)
class PipelineLeak:
    """The same normalizer + model, its normalizer fitted on every row (leaky) or on the training rows."""

    leaky_rmse: float  # test-tail RMSE, y units: normalizer fitted on all rows, model on the training rows
    honest_rmse: float  # test-tail RMSE, y units: the whole Pipeline fitted on the training rows only
    train: np.ndarray  # (n_train,) row indices of the oldest rows, in time order
    test: np.ndarray  # (n_test,) row indices of the newest rows (the held-out tail), in time order
    y_test: np.ndarray  # (n_test,) target of the tail
    pred_leaky: np.ndarray  # (n_test,) leaky predictions of the tail
    pred_honest: np.ndarray  # (n_test,) honest predictions of the tail
    out_of_range: np.ndarray  # (f,) share of tail rows outside each feature's training range

    @property
    def gap(self) -> float:
        """``honest_rmse - leaky_rmse`` (y units): how much better the leak makes the model look."""
        return self.honest_rmse - self.leaky_rmse


def _leak_inputs(X: ArrayLike, y: ArrayLike, time_order: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Xa = check_array(X, "X", ndim=2)
    ya = check_array(y, "y")
    t = check_array(time_order, "time_order")
    for name, arr in (("y", ya), ("time_order", t)):
        if len(arr) != len(Xa):
            raise fail(f"{name} must have one entry per row of X ({len(Xa)}); got {len(arr)}.")
    if len(Xa) < MIN_LEAK_ROWS:
        raise fail(f"X must have at least {MIN_LEAK_ROWS} rows to split; got {len(Xa)}.")
    return Xa, ya, t


def pipeline_leak(
    X: ArrayLike,
    y: ArrayLike,
    time_order: ArrayLike,
    split_frac: float = 0.7,
    normalizer: str = "minmax",
    inputs: str = "saturate",
    model: str = "ridge",
    seed: int = 0,
) -> PipelineLeak:
    """Score a normalizer + regressor on the newest rows, its normalizer fitted before or after the split.

    Rows are sorted by ``time_order``; the oldest ``split_frac`` train, the rest is
    the test tail. *Leaky*: the normalizer is fitted on every row, tail included
    (then frozen with ``sklearn.frozen.FrozenEstimator``), and the model on the
    training rows. *Honest*: ``Pipeline([normalizer, model]).fit`` on the training
    rows only. Both are scored by RMSE on the tail.

    What the gap shows depends on the step, and that is the lesson. When the data
    drift (the tail is hotter than anything in training), a saturating input
    (``inputs="saturate"``, like a fixed-point input scaled from training data)
    clips the tail's values in the honest pipeline, while the leaky one "knew" the
    hot range in advance: the leaky score looks far better than deployment will be.
    With an affine scaler (z-score, min–max, robust) and ridge regression the leak
    changes almost nothing, because a linear model absorbs any per-column shift and
    scale; ``unit`` learns nothing, so its gap is exactly zero.

    Args:
        X: ``(n, f)`` features; y: ``(n,)`` target; time_order: ``(n,)`` timestamps or sample indices.
        split_frac: training share, 0.5–0.9.
        normalizer: a key of :data:`NORMALIZERS`; inputs: ``"extrapolate"`` or ``"saturate"``.
        model: a key of ``REGRESSORS`` (without its own scaler); seed: its seed.
    """
    PIPELINE_LEAK.validate(split_frac=split_frac, normalizer=normalizer, inputs=inputs, model=model, seed=seed)
    Xa, ya, t = _leak_inputs(X, y, time_order)
    order = np.argsort(t, kind="stable")
    n_train = int(round(split_frac * len(order)))
    train, test = order[:n_train], order[n_train:]
    saturate = inputs == "saturate"
    fitted_on_all = make_normalizer(normalizer, saturate).fit(Xa)  # the leak: the tail's statistics
    leaky = Pipeline([("norm", FrozenEstimator(fitted_on_all)), ("model", make_regressor(model, seed, scale=False))])
    honest = Pipeline([("norm", make_normalizer(normalizer, saturate)), ("model", make_regressor(model, seed, False))])
    pred_leaky = leaky.fit(Xa[train], ya[train]).predict(Xa[test])
    pred_honest = honest.fit(Xa[train], ya[train]).predict(Xa[test])
    lo, hi = Xa[train].min(axis=0), Xa[train].max(axis=0)
    out = ((Xa[test] < lo) | (Xa[test] > hi)).mean(axis=0)
    return PipelineLeak(
        leaky_rmse=float(np.sqrt(np.mean((pred_leaky - ya[test]) ** 2))),
        honest_rmse=float(np.sqrt(np.mean((pred_honest - ya[test]) ** 2))),
        train=train,
        test=test,
        y_test=ya[test],
        pred_leaky=pred_leaky,
        pred_honest=pred_honest,
        out_of_range=out,
    )


# --------------------------------------------------------------------------- on the motor

ALIASING_FS_HZ = 10_000  # raw rate of the aliasing experiment, Hz
ALIASING_TONE = Float(100.0, 4900.0, 3300.0, step=100.0, unit="Hz", label="Interfering tone",
                      help="A high-frequency component, such as PWM ripple, in a signal sampled at 10 kHz.")
#: :func:`alias_demo` at :data:`ALIASING_FS_HZ`: only the factor and the tone move.
ALIASING = ParamSpec("aliasing", factor=FACTOR, tone_hz=ALIASING_TONE)

BENCH_SPLIT = Float(0.5, 0.9, 0.5, step=0.05, label="Training share", help="The oldest windows train; the rest test.")
#: :func:`pipeline_leak` of min–max scaling and ridge on the bench windows: the split, the inputs and the seed move.
BENCH_LEAK = ParamSpec("bench_leak", split_frac=BENCH_SPLIT, inputs=INPUTS, seed=SEED)


@dataclass(frozen=True)
class BenchLeak:
    """The leak experiment on the bench windows, with the windows it ran on."""

    leak: PipelineLeak
    windows: MotorWindows  # of :func:`neuralab.data.motor.bench_windows`; ``X_temp`` were the features


def bench_leak(split_frac: float = 0.5, inputs: str = "saturate", seed: int = 0) -> BenchLeak:
    """:func:`pipeline_leak` of ``MinMaxScaler`` + ridge predicting torque from current, speed and temperature.

    The bench windows (:func:`neuralab.data.motor.bench_windows`) in time order: the winding heats
    over the log, so the test tail is hotter than anything in training.
    """
    v = BENCH_LEAK.validate(split_frac=split_frac, inputs=inputs, seed=seed)
    w = bench_windows(v["seed"])
    return BenchLeak(pipeline_leak(w.X_temp, w.y, w.t, v["split_frac"], "minmax", v["inputs"], "ridge", v["seed"]), w)
