"""The reference entry on convolutional networks: every number recomputed, every claim about torch run."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
import torch
from scipy import signal
from torch import nn

from neuralab.nn.cnn import digits_cnn, out_size, receptive_field
from neuralab.nn.models import n_params


def flat() -> str:
    return " ".join(resources.files("neuralab.content").joinpath("cnn.md").read_text(encoding="utf-8").split())


def test_the_counts_of_the_pages_second_layer():
    text = flat()
    conv = nn.Conv2d(8, 16, 3, padding=1)
    assert n_params(conv) == 1168 and 64 * 16 * (8 * 9 + 1) == 74752 and (512 + 1) * 1024 == 525312
    assert "has 1,168 parameters as built, 74,752 if each of the 64 output positions" in text
    assert "525,312 as a dense layer from the 512 input values to the 1,024 output values" in text
    assert n_params(digits_cnn()) == 3818 and "# 3818" in text


def test_output_size_cases():
    for n in range(3, 30):
        for k in (3, 5, 7):
            assert out_size(n, k, 1, (k - 1) // 2) == n  # "same"
            assert out_size(n, k, 2, (k - 1) // 2) == -(-n // 2)  # halved, rounded up
            assert out_size(n, k, 1, 0) == n - (k - 1)  # valid
    assert "stride 2 with that padding: the size is halved, rounded up" in flat()
    with pytest.raises(ValueError):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    layer = nn.Conv2d(1, 1, 9)  # a layer too large for its input is built, and fails at the first forward pass
    with pytest.raises(RuntimeError):
        layer(torch.zeros(1, 1, 4, 4))


def test_receptive_field_claims():
    assert [r for r, _ in receptive_field([(3, 1, 1)] * 3)] == [3, 5, 7]
    assert receptive_field([(2, 1, d) for d in (1, 2, 4, 8)])[-1][0] == 16
    assert "Two of them see 5 × 5, three see 7 × 7, with 2 · 9 or 3 · 9 weights" in flat()
    assert "kernel 2 (as in WaveNet and the temporal convolutional network of /recurrent) covers 16 samples" in flat()


def test_torch_correlates_and_scipy_convolve_flips():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(6, 6)), rng.normal(size=(3, 3))
    ours = nn.functional.conv2d(torch.tensor(x)[None, None], torch.tensor(w)[None, None])[0, 0].numpy()
    assert np.allclose(ours, signal.correlate2d(x, w, mode="valid"))
    assert np.allclose(ours, signal.convolve2d(x, w[::-1, ::-1], mode="valid"))
    assert "`scipy.signal.convolve2d`, which does flip; `scipy.signal.correlate2d` does not" in flat()


def test_the_spike_detector_has_the_weights_the_entry_counts():
    from neuralab.signal import spikes

    assert spikes.PARAMS == 45 and (spikes.CHANNELS, spikes.TAPS) == (4, 9)
    assert "a spike detector of four 9-tap filters and 45 weights" in flat()
