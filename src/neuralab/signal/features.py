"""Per-window transforms that learn nothing, so they cannot leak: detrending and three-phase current features.

:class:`Detrend` removes each window's mean or line; :func:`clarke` and :func:`park` turn
three phase currents into the rotor frame; :func:`fft_harmonics`, :func:`hilbert_envelope`
and :func:`rolling_stats` read a window's harmonics, envelope and running statistics.
:func:`dq_transformer` and friends wrap them as scikit-learn ``FunctionTransformer`` steps.
What does learn (a normalizer) is :mod:`neuralab.signal.normalize`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike
from scipy import signal
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.validation import check_is_fitted, validate_data

from neuralab.checks import check_array, check_frequency, fail
from neuralab.params import Choice, Int, ParamSpec
from neuralab.signal.sampling import SPECTRUM, amplitude_spectrum

__all__ = [
    "DETREND",
    "Detrend",
    "HARMONICS",
    "ROLLING",
    "RollingStats",
    "clarke",
    "dq_transformer",
    "envelope_transformer",
    "fft_harmonics",
    "harmonics_transformer",
    "hilbert_envelope",
    "park",
    "rolling_stats",
]

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
        return signal.detrend(self._check(X, reset=False), axis=1, type=self.kind)

    def _check(self, X: ArrayLike, reset: bool) -> np.ndarray:
        X = validate_data(self, X, reset=reset, dtype=np.float64, ensure_all_finite=False)
        return check_array(X, "X", ndim=2)


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
#: Fewest periods of f0 per window: the taper's main lobe must not smear DC into the fundamental.
MIN_PERIODS = {"boxcar": 2, "hann": 3, "flattop": 6}


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
        taper: a key of :data:`neuralab.signal.sampling.TAPER`.

    Returns:
        ``(len(harmonics),)`` or ``(m, len(harmonics))`` amplitudes, signal units.
    """
    x = check_array(window, "window", ndim=(1, 2))
    fs, f0 = check_frequency(fs, "fs"), check_frequency(f0, "f0")
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
    return np.abs(signal.hilbert(arr, axis=-1))


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
    fs, f0 = check_frequency(fs, "fs"), check_frequency(f0, "f0")
    _check_harmonics(harmonics, fs, f0)
    SPECTRUM.validate(taper=taper)
    kw = {"fs": fs, "f0": f0, "harmonics": tuple(harmonics), "taper": taper}
    return FunctionTransformer(fft_harmonics, kw_args=kw)


def envelope_transformer() -> FunctionTransformer:
    """``(m, n)`` windows -> ``(m, n)`` Hilbert envelopes by :func:`hilbert_envelope`; learns nothing."""
    return FunctionTransformer(hilbert_envelope)
