"""Smoothing a sampled signal: Savitzky–Golay against the moving average, measured.

A Savitzky–Golay (SG) filter fits a polynomial of degree ``order`` by least squares
to the ``window`` samples around each output sample and returns the fit's value (or
its ``deriv``-th derivative) there. For a fixed window and order the fit is a fixed
weighted sum of the window, so SG is an FIR filter with taps from
:func:`scipy.signal.savgol_coeffs`; a moving average is the special case ``order = 0``.
Because the fit bends with the data, a peak survives an SG filter that a moving
average of the same window flattens.

Two placements of the window:

* **centred** (offline): the fit is evaluated at the middle of the window, so each
  output needs ``(window - 1) / 2`` future samples. That is
  :func:`scipy.signal.savgol_filter` with ``mode="interp"``.
* **causal** (real time): the fit uses only the current and past ``window - 1``
  samples and is evaluated at the newest one (``pos = window - 1``). A polynomial of
  degree ``<= order`` comes out exactly, with no lag; the price is more noise, because
  a least-squares fit is least certain at the ends of its window (white noise keeps 0.67
  of its variance at window 15, order 3, against 0.15 centred).

The metrics (:func:`rms_error`, :func:`peak_error`, :func:`lag_samples`) compare a
smoothed signal with a known clean truth, and :func:`frequency_response` shows the
same filters as gain against frequency.

Example:
    >>> import numpy as np
    >>> t = np.arange(400) / 1000.0                          # 400 samples at 1 kHz
    >>> truth = np.sin(2 * np.pi * 5 * t)                    # a 5 Hz current, in A
    >>> x = truth + np.random.default_rng(0).normal(0, 0.1, t.size)
    >>> sg = savgol(x, window=15, order=3, fs=1000.0)
    >>> bool(rms_error(sg.y, truth) < rms_error(x, truth))
    True

    On the motor-current trace of :mod:`neuralab.data.motor` the same call smooths
    ``current_trace(...)``'s noisy window, and ``rms_error`` scores it against the trace's truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import signal
from scipy.ndimage import uniform_filter1d
from scipy.optimize import brentq

from neuralab.checks import check_array
from neuralab.data.motor import TRACE_F_HZ, CurrentTrace, demo_trace
from neuralab.params import SEED, Choice, Float, Int, ParamError, ParamSpec, Rule

__all__ = [
    "CAUSAL",
    "MAX_SAMPLES",
    "MOVING_AVERAGE",
    "RESPONSE",
    "SAVGOL",
    "SMOOTHING",
    "Comparison",
    "Response",
    "Smoothed",
    "Smoothing",
    "check_signal",
    "compare",
    "frequency_response",
    "lag_samples",
    "moving_average",
    "peak_error",
    "rms_error",
    "savgol",
    "smoothing",
    "trace_sweep",
    "window_sweep",
]

#: Longest signal any function here accepts (10^7 samples of float64 is 80 MB).
MAX_SAMPLES = 10_000_000
GAIN_FLOOR_DB = -120.0  # gains below this are shown as this (a moving average has exact zeros)

WINDOW = Int(5, 51, 15, step=2, label="Window", unit="samples", help="Odd number of samples in each sliding window.")
ORDER = Int(1, 5, 3, label="Polynomial order", help="Degree of the polynomial fitted to each window.")
DERIV = Int(0, 2, 0, label="Derivative", help="0 smooths; 1 and 2 give the slope and curvature, per second.")
FS = Float(1e-3, 1e9, 1.0, label="Sampling rate", unit="Hz", log=True)
PROMINENCE = Float(0.01, 1.0, 0.5, label="Peak prominence", help="Share of the truth's range a peak must stand out by.")

SAVGOL = ParamSpec(
    "savgol",
    window=WINDOW,
    order=ORDER,
    deriv=DERIV,
    rules=[
        Rule(
            ("order", "window"),
            lambda v: v["order"] < v["window"],
            "order must be below window (a degree-{order} fit needs more than {order} samples); "
            "got order = {order}, window = {window}.",
        ),
        Rule(
            ("deriv", "order"),
            lambda v: v["deriv"] <= v["order"],
            "deriv must not exceed order (that derivative of a degree-{order} polynomial is 0); "
            "got deriv = {deriv}, order = {order}.",
        ),
    ],
)

MOVING_AVERAGE = ParamSpec(
    "moving_average",
    window=Int(3, 51, 15, step=2, label="Window", unit="samples", help="Odd number of samples averaged."),
)

KIND = Choice((("savgol", "Savitzky–Golay"), ("moving_average", "Moving average")), "savgol", label="Filter")
RESPONSE = ParamSpec("response", kind=KIND, window=WINDOW, order=ORDER, rules=SAVGOL.rules[:1])


@dataclass(frozen=True)
class Smoothed:
    """A smoothed signal (or its derivative) and the filter that made it."""

    y: np.ndarray  # (n,) float: x's unit per second**deriv
    kind: str  # "savgol" or "moving_average"
    window: int  # samples in each fit
    order: int  # polynomial degree (0 for the moving average)
    deriv: int  # 0 smoothed value, 1 slope, 2 curvature
    causal: bool  # True: only past and current samples were used
    lookahead: int  # future samples each output waits for: (window - 1) // 2 centred, 0 causal


# --------------------------------------------------------------------------- validation


def _fail(message: str) -> ParamError:
    return ParamError([message])


def check_signal(x: Any, name: str = "x", min_len: int = 1, why: str = "") -> np.ndarray:
    """``x`` as a finite 1-D float64 array of ``min_len`` to :data:`MAX_SAMPLES` samples, or a ParamError.

    The signal modules' use of :func:`neuralab.checks.check_array`.
    """
    return check_array(x, name, ndim=1, min_len=min_len, max_size=MAX_SAMPLES, why=why)


def _pair(y: Any, truth: Any) -> tuple[np.ndarray, np.ndarray]:
    y_arr, t_arr = check_signal(y, "y"), check_signal(truth, "truth")
    if y_arr.shape != t_arr.shape:
        raise _fail(f"y and truth must have the same length; got {y_arr.size} and {t_arr.size}.")
    return y_arr, t_arr


def _fs(fs: Any) -> float:
    try:
        return FS.coerce("fs", fs)
    except ValueError as exc:
        raise _fail(str(exc)) from None


def _causal_flag(causal: Any) -> bool:
    if not isinstance(causal, bool | np.bool_):
        raise _fail(f"causal must be True or False; got {causal!r}.")
    return bool(causal)


# --------------------------------------------------------------------------- filters


@lru_cache(maxsize=256)
def _causal_taps(window: int, order: int, deriv: int) -> tuple[np.ndarray, np.ndarray]:
    """Convolution taps of the causal SG filter, and the warm-up matrix for its first samples.

    Row ``i`` of the ``(window - 1, window - 1)`` warm-up matrix fits degree
    ``min(order, i)`` to the ``i + 1`` samples seen so far and evaluates at the newest.
    """
    taps = signal.savgol_coeffs(window, order, deriv=deriv, pos=window - 1, use="conv")  # (window,)
    warm = np.zeros((window - 1, window - 1))
    for i in range(window - 1):
        warm[i, : i + 1] = signal.savgol_coeffs(i + 1, min(order, i), deriv=deriv, pos=i, use="dot")
    taps.setflags(write=False)
    warm.setflags(write=False)
    return taps, warm


def _causal_savgol(x: np.ndarray, window: int, order: int, deriv: int) -> np.ndarray:
    taps, warm = _causal_taps(window, order, deriv)
    y = signal.lfilter(taps, [1.0], x)  # y[i] uses x[i - window + 1 : i + 1] only
    y[: window - 1] = warm @ x[: window - 1]  # lfilter assumed zeros before x[0]; refit on what exists
    return y


def savgol(
    x: Any, window: int = 15, order: int = 3, deriv: int = 0, fs: float = 1.0, causal: bool = False
) -> Smoothed:
    """Savitzky–Golay smoothing (or differentiation) of ``x``.

    Each output is ``y[i] = sum_j c_j x[i + j]``, where the taps ``c`` come from the
    least-squares fit of a degree-``order`` polynomial to ``window`` samples. With
    ``deriv = d`` the fit's d-th derivative is returned, scaled by ``fs**d``, so the
    slope of a current in A comes out in A/s.

    Centred (``causal=False``): :func:`scipy.signal.savgol_filter` with
    ``mode="interp"``; the first and last ``(window - 1) / 2`` outputs are read off
    the polynomial fitted to the first and last full window.

    Causal (``causal=True``): the fit uses ``x[i - window + 1 : i + 1]`` and is
    evaluated at ``i`` (taps from ``savgol_coeffs(..., pos=window - 1)``). During
    warm-up, ``i < window - 1``, the fit uses the ``i + 1`` samples that exist, with
    degree ``min(order, i)``; so ``y[0] = x[0]`` (or 0 for a derivative), and the
    output never looks at a future sample.

    The trap: causal SG has no lag only for signals that are polynomials of degree
    ``<= order`` across the window; evaluating the fit at the window's end lets more
    noise through than the centred fit, and lifts one or two frequency bands above 0 dB
    (see :func:`frequency_response` with ``causal=True``).

    Args:
        x: (n,) samples, finite, ``n >= window``.
        window: odd number of samples per fit, 5 to 51.
        order: polynomial degree, 1 to 5, below ``window``.
        deriv: 0, 1 or 2, at most ``order``.
        fs: sampling rate in Hz; only scales derivatives.
        causal: use past and current samples only.
    """
    p = SAVGOL.validate(window=window, order=order, deriv=deriv)
    window, order, deriv = p["window"], p["order"], p["deriv"]
    fs, causal = _fs(fs), _causal_flag(causal)
    arr = check_signal(x, min_len=window, why=f"window = {window} must fit inside it")
    if causal:
        y = _causal_savgol(arr, window, order, deriv) * fs**deriv
    else:
        y = signal.savgol_filter(arr, window, order, deriv=deriv, delta=1.0 / fs, mode="interp")
    return Smoothed(y, "savgol", window, order, deriv, causal, 0 if causal else (window - 1) // 2)


def moving_average(x: Any, window: int = 15, causal: bool = False) -> Smoothed:
    """Mean of ``window`` samples: ``y[i] = (1 / window) * sum of the window around (or ending at) i``.

    Centred: :func:`scipy.ndimage.uniform_filter1d`; the first and last
    ``(window - 1) / 2`` outputs take the mean of the first and last full window, the
    same edge rule as :func:`savgol` (this is ``savgol_filter(x, window, 0)``).
    Causal: the mean of the current and ``window - 1`` past samples, and during
    warm-up the mean of all samples so far. The causal mean lags a ramp by exactly
    ``(window - 1) / 2`` samples, the delay a causal SG filter removes.

    Args:
        x: (n,) samples, finite, ``n >= window``.
        window: odd number of samples averaged, 3 to 51.
        causal: use past and current samples only.
    """
    window = MOVING_AVERAGE.validate(window=window)["window"]
    causal = _causal_flag(causal)
    arr = check_signal(x, min_len=window, why=f"window = {window} must fit inside it")
    half = (window - 1) // 2
    if causal:
        y = signal.lfilter(np.full(window, 1.0 / window), [1.0], arr)
        y[: window - 1] = np.cumsum(arr[: window - 1]) / np.arange(1, window)
    else:
        y = uniform_filter1d(arr, window, mode="nearest")
        if half:
            y[:half], y[-half:] = y[half], y[-half - 1]
    return Smoothed(y, "moving_average", window, 0, 0, causal, 0 if causal else half)


# --------------------------------------------------------------------------- metrics


def rms_error(y: Any, truth: Any) -> float:
    """Root-mean-square error ``sqrt(mean((y - truth)**2))``, in the signal's unit."""
    y_arr, t_arr = _pair(y, truth)
    return float(np.sqrt(np.mean((y_arr - t_arr) ** 2)))


def peak_error(y: Any, truth: Any, min_prominence: float = 0.5) -> float:
    """Mean relative error of peak heights, signed: negative means the peaks were shaved.

    Peaks are the local maxima of ``truth`` whose prominence (height above the higher
    of the two surrounding valleys, :func:`scipy.signal.find_peaks`) is at least
    ``min_prominence`` times the truth's full range. For each such peak ``p`` with
    prominence ``h_p`` the error is ``(y[p] - truth[p]) / h_p``; the result is their mean.
    The error is read at the truth's peak position, so a filter that delays the peak is
    charged for the delay too.

    Args:
        y: (n,) smoothed signal.
        truth: (n,) clean signal, same length.
        min_prominence: share of ``truth``'s range a peak must stand out by, 0.01 to 1.
    """
    y_arr, t_arr = _pair(y, truth)
    try:
        min_prominence = PROMINENCE.coerce("min_prominence", min_prominence)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    span = float(np.ptp(t_arr))
    peaks, props = signal.find_peaks(t_arr, prominence=min_prominence * span) if span > 0 else ([], {})
    if len(peaks) == 0:
        raise _fail(
            f"truth has no peak standing out by min_prominence = {min_prominence:g} of its range, "
            "so there is no peak height to compare."
        )
    return float(np.mean((y_arr[peaks] - t_arr[peaks]) / props["prominences"]))


def lag_samples(y: Any, reference: Any, max_lag: int = 50) -> int:
    """Delay of ``y`` behind ``reference``, in samples, where their cross-correlation peaks.

    Both signals have their means removed; the lag ``L`` in ``[-max_lag, max_lag]``
    maximising ``sum_i y[i] * reference[i - L]`` is returned (positive: ``y`` is late).
    A periodic reference is ambiguous by whole periods: keep ``max_lag`` below half a period.
    """
    y_arr, r_arr = _pair(y, reference)
    if not isinstance(max_lag, int | np.integer) or not 0 <= max_lag < y_arr.size:
        raise _fail(f"max_lag must be a whole number from 0 to {y_arr.size - 1}; got {max_lag!r}.")
    corr = signal.correlate(y_arr - y_arr.mean(), r_arr - r_arr.mean(), mode="full")
    lags = signal.correlation_lags(y_arr.size, r_arr.size, mode="full")
    keep = np.abs(lags) <= max_lag
    return int(lags[keep][np.argmax(corr[keep])])


# --------------------------------------------------------------------------- frequency response


@dataclass(frozen=True)
class Response:
    """Gain of a smoothing filter against frequency, from its actual taps."""

    f_hz: np.ndarray  # (n,) frequency from 0 to fs / 2 inclusive, Hz
    gain_db: np.ndarray  # (n,) 20 log10 |H(f)|, dB, floored at GAIN_FLOOR_DB
    taps: np.ndarray  # (window,) impulse response, dimensionless (convolution order)
    cutoff_hz: float | None  # first f where the gain falls to -3 dB; None if it never does below fs / 2


def _taps(kind: str, window: int, order: int, causal: bool) -> np.ndarray:
    if kind == "moving_average":
        return np.full(window, 1.0 / window)
    if causal:
        return _causal_taps(window, order, 0)[0]
    return signal.savgol_coeffs(window, order)


def _cutoff(taps: np.ndarray, f: np.ndarray, power: np.ndarray, fs: float) -> float | None:
    below = np.flatnonzero(power < 0.5)
    if below.size == 0:
        return None
    i = int(below[0])
    if i == 0:
        return 0.0

    def excess(freq: float) -> float:
        return float(np.abs(signal.freqz(taps, worN=[freq], fs=fs)[1][0]) ** 2 - 0.5)

    return float(brentq(excess, f[i - 1], f[i], xtol=1e-12 * fs))


def frequency_response(
    window: int = 15, order: int = 3, fs: float = 1.0, kind: str = "savgol", n: int = 512, causal: bool = False
) -> Response:
    """Gain ``|H(f)|`` of the smoothing filter, by :func:`scipy.signal.freqz` of its taps.

    Both filters pass DC unchanged (0 dB). A moving average has exact nulls at
    multiples of ``fs / window``; SG keeps the passband flatter but rejects less in
    the stopband. The causal SG filter has gain above 0 dB in a band or two: noise there
    comes out larger, which is part of what its zero lag costs. The ``-3 dB`` cutoff (``|H|^2 = 1/2``)
    is refined between grid points with :func:`scipy.optimize.brentq`.

    Args:
        window, order: as in :func:`savgol` (``order`` is ignored for the moving average).
        fs: sampling rate in Hz; frequencies are in Hz.
        kind: ``"savgol"`` or ``"moving_average"``.
        n: frequency points, 16 to 8192.
        causal: taps of the causal filter (same gain as centred for the moving average).
    """
    p = RESPONSE.validate(kind=kind, window=window, order=order)
    fs, causal = _fs(fs), _causal_flag(causal)
    if not isinstance(n, int | np.integer) or not 16 <= n <= 8192:
        raise _fail(f"n must be a whole number from 16 to 8192; got {n!r}.")
    taps = _taps(p["kind"], p["window"], p["order"], causal)
    f, h = signal.freqz(taps, worN=int(n), fs=fs, include_nyquist=True)
    power = np.abs(h) ** 2
    gain_db = np.maximum(10 * np.log10(np.maximum(power, 1e-300)), GAIN_FLOOR_DB)
    return Response(f, gain_db, np.array(taps), _cutoff(taps, f, power, fs))


# --------------------------------------------------------------------------- side by side


@dataclass(frozen=True)
class Comparison:
    """SG and a moving average of the same window on one signal, scored against the truth."""

    savgol: Smoothed
    moving_average: Smoothed
    rms_raw: float  # RMS error of the unfiltered signal, signal unit
    rms_savgol: float  # signal unit
    rms_moving_average: float  # signal unit
    peak_savgol: float  # relative peak-height error (see peak_error), dimensionless
    peak_moving_average: float  # dimensionless


def compare(x: Any, truth: Any, window: int = 15, order: int = 3, causal: bool = False) -> Comparison:
    """Smooth ``x`` both ways with the same window and score each against ``truth``.

    ``truth`` must have a peak for :func:`peak_error` (a sine or a pulse does).
    """
    sg = savgol(x, window, order, causal=causal)
    ma = moving_average(x, window, causal=causal)
    xs, ts = _pair(x, truth)
    return Comparison(
        sg,
        ma,
        rms_error(xs, ts),
        rms_error(sg.y, ts),
        rms_error(ma.y, ts),
        peak_error(sg.y, ts),
        peak_error(ma.y, ts),
    )


@dataclass(frozen=True)
class WindowSweep:
    """RMS error of both filters at every window, for one order, placement and signal."""

    windows: np.ndarray  # (m,) odd window lengths, samples
    rms_savgol: np.ndarray  # (m,) signal unit
    rms_moving_average: np.ndarray  # (m,) signal unit
    rms_raw: float  # signal unit, unfiltered

    @property
    def crossover(self) -> int | None:
        """Smallest window from which SG's RMS error stays below the moving average's; None if never."""
        better = self.rms_savgol < self.rms_moving_average
        for i in range(len(self.windows)):
            if better[i:].all():
                return int(self.windows[i])
        return None

def window_sweep(x: Any, truth: Any, order: int = 3, causal: bool = False) -> WindowSweep:
    """Both filters' RMS error against ``truth`` at every odd window the WINDOW field offers above ``order``."""
    f = WINDOW
    windows = np.array([w for w in range(f.lo, f.hi + 1, f.step) if w > order])
    sg = [rms_error(savgol(x, int(w), order, causal=causal).y, truth) for w in windows]
    ma = [rms_error(moving_average(x, int(w), causal).y, truth) for w in windows]
    return WindowSweep(windows, np.array(sg), np.array(ma), rms_error(x, truth))


# --------------------------------------------------------------------------- on the motor's demo current

CAUSAL = Choice(
    (("centred", "Centred (offline)"), ("causal", "Causal (real time)")),
    "centred",
    label="Window placement",
    help="Centred waits for (window − 1) / 2 future samples; causal uses the current and past samples only.",
)
SMOOTHING = ParamSpec("smoothing", window=WINDOW, order=ORDER, causal=CAUSAL, seed=SEED, rules=SAVGOL.rules[:1])


@dataclass(frozen=True)
class Smoothing:
    """Both filters on the demo current of :func:`neuralab.data.motor.demo_trace`, and their gains."""

    trace: CurrentTrace  # the signal, without glitches
    comparison: Comparison  # both filters on it, scored against its truth
    savgol: Response  # gain of the SG filter against frequency, Hz
    moving_average: Response  # gain of the moving average
    f_signal_hz: float  # the current's fundamental, Hz

    @property
    def period_s(self) -> float:
        """One electrical period of the current, s."""
        return 1 / self.f_signal_hz


def smoothing(window: int = 15, order: int = 3, causal: str = "centred", seed: int = 0) -> Smoothing:
    """Smooth the motor's demo current (no glitches) both ways and compute both frequency responses.

    Args:
        window, order: as in :func:`savgol`.
        causal: ``"centred"`` (offline) or ``"causal"`` (real time), see :data:`CAUSAL`.
        seed: the seed of the demo current.
    """
    v = SMOOTHING.validate(window=window, order=order, causal=causal, seed=seed)
    tr, is_causal = demo_trace(v["seed"], False), v["causal"] == "causal"
    comp = compare(tr.noisy, tr.clean, v["window"], v["order"], is_causal)
    sg = frequency_response(v["window"], v["order"], tr.fs, "savgol", causal=is_causal)
    ma = frequency_response(v["window"], v["order"], tr.fs, "moving_average", causal=is_causal)
    return Smoothing(tr, comp, sg, ma, TRACE_F_HZ)


@lru_cache(maxsize=32)
def _trace_sweep(order: int, causal: bool, seed: int) -> WindowSweep:
    tr = demo_trace(seed, False)
    return window_sweep(tr.noisy, tr.clean, order, causal)


def trace_sweep(order: int = 3, causal: str = "centred", seed: int = 0) -> WindowSweep:
    """:func:`window_sweep` of the motor's demo current (no glitches), cached per order, placement and seed.

    A new window only moves the marker on the sweep; a new order recomputes it once (about 10 ms).

    Args:
        order: the polynomial order, as in :func:`savgol`.
        causal: ``"centred"`` or ``"causal"``, see :data:`CAUSAL`.
        seed: the seed of the demo current.
    """
    v = SMOOTHING.validate(window=WINDOW.hi, order=order, causal=causal, seed=seed)
    return _trace_sweep(v["order"], v["causal"] == "causal", v["seed"])
