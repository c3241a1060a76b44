"""Smoothing and outlier flags on a signal with no known truth: what can be measured instead of an error.

On the lab's simulated motor log every filter is scored against the true current. A recorded column has no truth,
so :func:`measure` reports quantities that need none: the spread of what the smoother removed (the residual, as an
RMS and as a share of the signal's own spread) and how many samples the Hampel detector flags. A residual that
grows with the window is signal being removed with the noise; a flag share far above what a few glitches would
give says the threshold, not the data, is deciding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neuralab.signal import outliers, smooth

__all__ = ["Measured", "measure", "N_SIGMAS"]

N_SIGMAS = 3.0  # Hampel threshold, robust standard deviations (the detector's usual default)


@dataclass(frozen=True)
class Measured:
    """A signal, its Savitzky–Golay smoothing and its Hampel flags, with the measured spreads."""

    x: np.ndarray  # (n,) the signal as given
    smoothed: np.ndarray  # (n,) Savitzky–Golay output
    flagged: np.ndarray  # (n,) bool, Hampel flags
    fs: float | None  # Hz, None when only the row order is known
    window: int
    order: int

    @property
    def residual_rms(self) -> float:
        """RMS of what smoothing removed (x − smoothed), in the signal's units."""
        return float(np.sqrt(np.mean((self.x - self.smoothed) ** 2)))

    @property
    def signal_sd(self) -> float:
        return float(np.std(self.x))

    @property
    def n_flagged(self) -> int:
        return int(self.flagged.sum())


def measure(x: np.ndarray, *, window: int, order: int, fs: float | None = None) -> Measured:
    """Smooth ``x`` (Savitzky–Golay, centred) and flag it (Hampel, :data:`N_SIGMAS`), both over ``window`` samples."""
    x = smooth.check_signal(x, "signal", min_len=window, why=f"at least one window ({window} samples)")
    y = smooth.savgol(x, window, order).y
    return Measured(x, y, outliers.hampel(x, window, N_SIGMAS), fs, window, order)
