"""The reference entry on convolutional networks: every number recomputed, every claim about torch run."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
import torch
from scipy import signal
from torch import nn

from neuralab.nn.cnn import digits_cnn, out_size, receptive_field, work
from neuralab.nn.models import mlp, n_params
from neuralab.nn.recurrent import CausalConv


def flat() -> str:
    return " ".join(resources.files("neuralab.content").joinpath("cnn.md").read_text(encoding="utf-8").split())


def test_the_counts_of_the_pages_second_layer():
    text = flat()
    conv = nn.Conv2d(8, 16, 3, padding=1)
    assert n_params(conv) == 1168 and 64 * 16 * (8 * 9 + 1) == 74752 and (512 + 1) * 1024 == 525312
    assert "has 1,168 parameters as built, 74,752 if each of the 64 output positions" in text
    assert "525,312 as a dense layer from the 512 input values to the 1,024 output values" in text
    assert n_params(digits_cnn()) == 3818 and "# 3818" in text


def test_the_cost_is_not_the_parameter_count():
    cnn, ref = work(digits_cnn()), work(mlp((64, 64, 32, 10), "relu"))
    assert cnn.params < ref.params and cnn.macs > 10 * ref.macs and cnn.peak > 10 * ref.peak
    text = flat()
    assert "small in weight memory (flash) but heavy in arithmetic, and often in activation memory (RAM)" in text
    assert "one-hidden-layer MLPs of six widths, 8 to 256 units" in text
    from neuralab.train.cnn import WIDTHS

    assert len(WIDTHS) == 6 and (min(WIDTHS), max(WIDTHS)) == (8, 256)


def test_output_size_cases():
    for n in range(3, 30):
        for k in (3, 5, 7):
            for d in (1, 2, 3):
                same = d * (k - 1) // 2
                assert out_size(n, k, 1, same, d) == n  # "same" needs p = d·(k − 1)/2
                assert out_size(n, k, 2, same, d) == -(-n // 2)  # halved, rounded up
                if n > d * (k - 1):
                    assert out_size(n, k, 1, 0, d) == n - d * (k - 1)  # valid, at stride 1
            assert out_size(n, k, 1, 0) != n  # (k − 1)/2 alone is not "same" once d > 1:
            assert out_size(n, k, 1, (k - 1) // 2, 2) == n - (k - 1)
    text = flat()
    assert "stride 1, p = d·(k − 1)/2" in text and "the size is kept" in text
    assert "stride 2 with that padding: the size is halved, rounded up" in text
    assert "no padding (\"valid\") and stride 1: each layer loses d·(k − 1) pixels" in text


def test_the_floor_drops_padding_before_it_drops_pixels():
    def unread(n, k, s, p):  # rows of the padded input that no window reaches, at the end
        last = (out_size(n, k, s, p) - 1) * s + k - 1  # last padded row a window reads
        return n + 2 * p - 1 - last

    assert unread(8, 3, 2, 1) == (8 + 2 - 2 - 1) % 2 == 1  # one row dropped: the padding, no pixel lost
    assert unread(8, 3, 2, 0) == 1  # no padding: column 7 of the image is never read
    x = torch.zeros(1, 1, 8, 8, requires_grad=True)
    nn.Conv2d(1, 1, 3, stride=2, bias=False)(x).sum().backward()
    assert x.grad[0, 0, :, 7].abs().sum() == 0 and x.grad[0, 0, :, 6].abs().sum() > 0
    y = torch.zeros(1, 1, 8, 8, requires_grad=True)
    nn.Conv2d(1, 1, 3, stride=2, padding=1, bias=False)(y).sum().backward()
    assert (y.grad[0, 0].abs().sum(0) > 0).all()  # with p = 1 every column is read
    text = flat()
    assert "(n + 2p − d·(k − 1) − 1) mod s rows and columns of the padded input" in text
    assert "When that remainder is larger than p, real input pixels are never read" in text


def test_pooling_rounds_up_with_ceil_mode_and_steps_by_its_window():
    assert nn.MaxPool2d(2).stride == 2
    assert nn.MaxPool2d(2, ceil_mode=True)(torch.zeros(1, 1, 5, 5)).shape[-1] == 3 == out_size(5, 2, 2) + 1
    assert "`ceil_mode=True` rounds up" in flat() and "a pool's stride defaults to its window" in flat()
    with pytest.raises(ValueError):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    layer = nn.Conv2d(1, 1, 9)  # a layer too large for its input is built, and fails at the first forward pass
    with pytest.raises(RuntimeError):
        layer(torch.zeros(1, 1, 4, 4))


def test_receptive_field_claims():
    assert [r for r, _ in receptive_field([(3, 1, 1)] * 3)] == [3, 5, 7]
    assert receptive_field([(2, 1, d) for d in (1, 2, 4, 8)])[-1][0] == 16
    tcn = CausalConv(1, 4, 1)  # the temporal convolutional network of /recurrent, as it is built there
    assert tcn.kernel == 3 and tcn.dilations == [1, 2, 4, 8] and tcn.receptive_field == 31
    assert receptive_field([(3, 1, d) for d in tcn.dilations])[-1][0] == 31
    text = flat()
    assert "Two of them see 5 × 5, three see 7 × 7, with 2 · 9 or 3 · 9 weights" in text
    assert "kernel 2 and dilations 1, 2, 4, 8 (the WaveNet pattern) cover 1 + 1 + 2 + 4 + 8 = 16 samples" in text
    assert "/recurrent uses the same dilations with kernel 3 and covers 1 + 2 · 15 = 31" in text


def test_holes_appear_when_taps_lie_further_apart_than_the_field_they_see():
    from neuralab.basics.conv_geometry import geometry

    g = geometry(geo_n=64, geo_k=3, geo_s=1, geo_p=0, geo_d=2, geo_depth=1, geo_pool=False)
    assert g.stages[-1].touched < g.stages[-1].rf_measured  # one dilated layer: taps 2 apart, each sees 1 pixel
    r, j = 1, 1
    for d in (1, 2, 4, 8):  # doubling dilations, kernel 2: the tap distance d·j never exceeds the field r
        assert d * j <= r
        r += d
    assert "when a layer's taps lie further apart (d_l · j_(l−1)) than the field r_(l−1)" in flat()


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
    assert spikes.TRAIN_CYCLES == 8 and spikes.LOG["cycles"] == 12 and spikes.LOG["fs"] == 10_000
    text = flat()
    assert "a spike detector of four 9-tap filters (45 parameters in all) on the simulated bench log" in text
    assert "measured phase current" not in text
    assert "trains on cycles 0–7 and is tested on cycles 8–11" in text
    assert "a 9-tap filter spans 0.9 ms at 10 kHz" in text


def test_the_injected_spikes_are_as_large_as_the_entry_says():
    from neuralab.data.motor import CONSTANTS, motor_log
    from neuralab.signal import spikes

    log = motor_log(**spikes.LOG)
    gap = np.abs(log.ia - log.ia_clean)[log.glitch_kind == 1]
    assert gap.min() > 20 and CONSTANTS.noise_frac == 0.01
    assert "at least about 22 A from the true current, against sensor noise of 1 % of the rated current" in flat()


def test_shifts_move_the_standardized_inputs_and_the_traps_do_not_overclaim():
    text = flat()
    assert "It moves the standardized inputs and sets the uncovered edge to 0, the training mean there" in text
    assert "invariant only to shifts by multiples of the total stride" in text
    assert "can be better than anything deployable" in text and "is then better than anything" not in text
    assert "its last d·(k − 1) inputs in a ring buffer" in text
