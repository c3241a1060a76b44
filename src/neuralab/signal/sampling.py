"""Sample rates and spectra: decimation with and without the anti-alias filter, where a tone folds, and the
amplitude spectrum that shows it.

Anti-alias, then decimate (:func:`decimate`): a tone above the new Nyquist frequency does not
disappear when you drop samples, it folds down to a false frequency (:func:`alias_frequency`
predicts where; :func:`alias_demo` finds it in the spectrum). Nothing here re-implements scipy;
the functions choose, check and explain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import signal

from neuralab.checks import check_array, check_frequency, fail
from neuralab.params import Choice, Float, Int, ParamSpec, Rule

__all__ = [
    "ALIAS",
    "ALIASING",
    "ALIASING_FS_HZ",
    "AliasDemo",
    "DECIMATE",
    "FACTOR",
    "SPECTRUM",
    "TAPER",
    "alias_demo",
    "alias_frequency",
    "amplitude_spectrum",
    "decimate",
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
    return signal.decimate(arr, factor, ftype="iir", zero_phase=True, axis=-1)


def alias_frequency(f_hz: float, fs_hz: float) -> float:
    """Where a tone at ``f_hz`` appears after sampling at ``fs_hz``: ``|f - fs · round(f / fs)|``.

    The sampled spectrum repeats every ``fs``, so the tone is seen at its distance
    from the nearest multiple of ``fs``, always within ``[0, fs / 2]``. Example: 3.3 kHz
    sampled at 2.5 kHz shows up at 0.8 kHz. A tone at an exact multiple of ``fs``
    lands on 0 Hz and looks like a DC offset.
    """
    fs_hz = check_frequency(fs_hz, "fs_hz")
    if f_hz != 0:
        f_hz = check_frequency(f_hz, "f_hz")
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


TAPER = Choice(
    (("hann", "Hann"), ("flattop", "Flat top (exact amplitudes)"), ("boxcar", "None (rectangular)")),
    default="hann",
    label="Window",
    help="Hann separates nearby lines; flat top reads amplitudes accurately between bins.",
)
SPECTRUM = ParamSpec("spectrum", taper=TAPER)


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
    check_frequency(fs, "fs")
    SPECTRUM.validate(taper=taper)
    n = arr.shape[-1]
    w = signal.get_window(taper, n)  # periodic (DFT-even) window
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


# --------------------------------------------------------------------------- at the motor drive's rate

ALIASING_FS_HZ = 10_000  # raw rate of the aliasing experiment, Hz
ALIASING_TONE = Float(100.0, 4900.0, 3300.0, step=100.0, unit="Hz", label="Interfering tone",
                      help="A high-frequency component, such as PWM ripple, in a signal sampled at 10 kHz.")
#: :func:`alias_demo` at :data:`ALIASING_FS_HZ`: only the factor and the tone move.
ALIASING = ParamSpec("aliasing", factor=FACTOR, tone_hz=ALIASING_TONE)
