"""The quantizer: levels, round trip, error bound, schemes, STE, and agreement with torch.ao."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.ao.quantization import MinMaxObserver, PerChannelMinMaxObserver

from neuralab.compress import quantize, zoo

torch.set_num_threads(1)
RNG = np.random.default_rng(0)
X = RNG.normal(0.3, 1.0, size=(16, 40)).astype(np.float32)


@pytest.mark.parametrize("bits", range(1, 9))
@pytest.mark.parametrize("symmetric", [True, False])
def test_number_of_levels(bits, symmetric):
    qp = quantize.qparams(X, bits, symmetric)
    assert qp.levels == (2**bits - 1 if symmetric else 2**bits)
    lo, hi = qp.bounds()
    dense = np.linspace(lo - 1, hi + 1, 20000).astype(np.float32)
    assert len(np.unique(quantize.quantize(dense, qp))) == qp.levels  # every level reachable, none more


@pytest.mark.parametrize("bits", [2, 4, 8])
@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("per_channel", [True, False])
def test_error_at_most_half_a_step_inside_the_range(bits, symmetric, per_channel):
    qp = quantize.qparams(X, bits, symmetric, per_channel)
    err = np.abs(X - quantize.round_trip(X, qp))
    half = (qp.scale[:, None] if per_channel else qp.scale) / 2
    assert np.all(err <= half * (1 + 1e-5) + 1e-7)


def test_round_trip_is_exact_on_the_grid_and_clips_outside():
    qp = quantize.qparams(X, 4, symmetric=False)
    grid = quantize.dequantize(np.arange(qp.qmin, qp.qmax + 1), qp)
    assert np.allclose(quantize.round_trip(grid, qp), grid)
    lo, hi = qp.bounds()
    assert quantize.round_trip(np.array([hi + 10.0]), qp)[0] == pytest.approx(hi, rel=1e-6)
    assert quantize.dequantize(quantize.quantize(np.zeros(1), qp), qp)[0] == 0.0  # zero is exact


def test_one_bit_symmetric_has_only_zero():
    qp = quantize.qparams(X, 1, symmetric=True)
    assert qp.levels == 1 and np.all(quantize.round_trip(X, qp) == 0)


def test_per_channel_beats_per_tensor_on_uneven_channels():
    w = X * np.array([[10.0]] + [[0.1]] * 15, np.float32)  # one channel 100× wider
    e_t = np.abs(w - quantize.round_trip(w, quantize.qparams(w, 4, True, False)))[1:].mean()
    e_c = np.abs(w - quantize.round_trip(w, quantize.qparams(w, 4, True, True)))[1:].mean()
    assert e_c < e_t / 5


@pytest.mark.parametrize("symmetric", [True, False])
def test_int8_matches_torch_per_tensor(symmetric):
    w = torch.from_numpy(X)
    kind = torch.per_tensor_symmetric if symmetric else torch.per_tensor_affine
    qmin, qmax = quantize.qrange(8, symmetric)
    obs = MinMaxObserver(dtype=torch.qint8, qscheme=kind, quant_min=qmin, quant_max=qmax)
    obs(w)
    scale, zp = obs.calculate_qparams()
    ours = quantize.qparams(X, 8, symmetric)
    assert float(ours.scale) == pytest.approx(float(scale), rel=1e-7) and int(ours.zero_point) == int(zp)
    theirs = torch.quantize_per_tensor(w, float(scale), int(zp), torch.qint8).int_repr().numpy()
    assert np.array_equal(quantize.quantize(X, ours), theirs)
    fq = torch.fake_quantize_per_tensor_affine(w, float(scale), int(zp), qmin, qmax).numpy()
    assert np.allclose(quantize.round_trip(X, ours), fq, atol=1e-6)


def test_int8_matches_torch_per_channel():
    w = torch.from_numpy(X)
    obs = PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric,
                                   quant_min=-127, quant_max=127)
    obs(w)
    scale, zp = obs.calculate_qparams()
    ours = quantize.qparams(X, 8, True, True)
    assert np.allclose(ours.scale, scale.numpy(), rtol=1e-7)
    theirs = torch.quantize_per_channel(w, scale, zp, 0, torch.qint8).int_repr().numpy()
    assert np.array_equal(quantize.quantize(X, ours), theirs)


def test_ste_matches_torch_fake_quantize_values_and_gradients():
    x = torch.linspace(-3, 3, 101, requires_grad=True)
    scale, zp = 0.01, 3
    ours = quantize.fake_quant(x, torch.tensor(scale), torch.tensor(zp), -128, 127)
    ours.sum().backward()
    g_ours = x.grad.clone()
    x.grad = None
    theirs = torch.fake_quantize_per_tensor_affine(x, scale, zp, -128, 127)
    theirs.sum().backward()
    assert torch.allclose(ours, theirs, atol=1e-6)
    assert torch.equal(g_ours, x.grad)  # 1 inside the range, 0 where clipped
    assert 0 < g_ours.sum() < len(x)


def test_ptq_and_qat_on_the_network():
    ref = zoo.load("mlp").model
    Xc = quantize.calibration_set(200)
    float_acc = zoo.accuracy(ref)
    assert zoo.accuracy(quantize.ptq_dynamic(ref, 8)) > float_acc - 0.01
    assert zoo.accuracy(quantize.ptq_static(ref, Xc, 8, per_channel=True)) > float_acc - 0.01
    static3 = zoo.accuracy(quantize.ptq_static(ref, Xc, 3))
    qat3 = zoo.accuracy(quantize.qat(ref, Xc, 3, epochs=2))
    assert qat3 > static3 + 0.2  # fine-tuning through the rounding recovers what PTQ lost
    assert zoo.accuracy(ref) == float_acc  # the reference model was not changed


def test_calibration_ranges_come_from_the_samples():
    ref = zoo.load("mlp").model
    ranges = quantize.calibrate(ref, quantize.calibration_set(50))
    assert len(ranges) == 3 and ranges[1][0] == 0.0  # after a ReLU the minimum is 0


def test_torch_default_weight_granularity_for_linear_layers():
    """content/quantization.md: per-tensor for quantize_dynamic and qnnpack, per-channel for the x86 configuration."""
    from torch.ao.quantization import get_default_qconfig, quantize_dynamic

    dynamic = quantize_dynamic(torch.nn.Sequential(torch.nn.Linear(8, 4)), {torch.nn.Linear}, dtype=torch.qint8)
    assert dynamic[0].weight().qscheme() == torch.per_tensor_affine
    assert get_default_qconfig("qnnpack").weight().qscheme == torch.per_tensor_symmetric
    assert get_default_qconfig("x86").weight().qscheme == torch.per_channel_symmetric
