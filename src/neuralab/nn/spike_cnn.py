"""A 1-D convolutional spike detector for a phase current as its sensor reads it: one logit per sample.

For an input current window ``x`` (scaled by the ADC's full scale), ``C`` filters of ``k`` taps, centred::

    h[c, t] = ReLU(b1[c] + Σ_u w1[c, u] · x[t + u − (k − 1)/2])     c = 0 … C − 1: a bank of C FIR filters
    z[t]    = b2 + Σ_c w2[c] · h[c, t]                               the logit that sample t is a spike

Each first-layer filter is an FIR filter with frequency response ``H_c(f) = Σ_u w1[c, u] · e^(−j2πfu/fs)``.
The padding is centred, so output ``t`` reads ``(k − 1)/2`` samples after ``t``: a detector for logs, not a
causal one (a controller would pad on the left only and accept the delay).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

__all__ = ["response", "spike_cnn"]


def spike_cnn(channels: int = 4, k: int = 9, seed: int = 0) -> nn.Sequential:
    """``channels`` filters of ``k`` taps (odd), a ReLU and a 1×1 convolution to one logit per sample."""
    if k % 2 == 0 or k < 1 or channels < 1:
        raise ValueError(f"k must be odd and positive and channels positive; got k={k}, channels={channels}.")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(
            nn.Conv1d(1, channels, k, padding=k // 2),  # (N, 1, T) -> (N, C, T)
            nn.ReLU(),
            nn.Conv1d(channels, 1, 1),  # (N, C, T) -> (N, 1, T): one logit per sample
        )


def response(taps: np.ndarray, fs: float, n: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """``(f, |H(f)|)`` of FIR filters ``taps`` (C, k) from 0 to fs/2, ``n`` + 1 frequencies, in Hz."""
    h = np.fft.rfft(np.asarray(taps, dtype=np.float64), 2 * n, axis=-1)  # (C, n + 1)
    return np.fft.rfftfreq(2 * n, 1 / fs), np.abs(h)
