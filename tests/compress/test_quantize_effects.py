"""The /quantization experiments: one layer up close, the accuracy sweep's inputs, and the cross-check with torch."""

from __future__ import annotations

import pytest

from neuralab.compress import quantize_effects
from neuralab.params import ParamError


def test_torch_check_on_the_reference_mlp_agrees():
    c = quantize_effects.torch_check("mlp")
    assert c.same_int_tensor == c.same_int_asym == c.same_int_channel == c.n_weights
    assert c.max_scale_rel < 1e-6
    assert abs(c.ours_acc - c.torch_acc) < 0.02 and c.agree > 0.97


def test_layer_view_numbers():
    v = quantize_effects.layer_view("mlp", 2, 4, "symmetric", "tensor")
    assert v.shape == (32, 64) and v.qp.levels == 15
    assert v.max_err <= float(v.qp.scale) / 2 * (1 + 1e-5)
    assert v.rms_err < v.max_err and v.used_levels <= 15
    assert len(v.channel_rms) == 32
    assert v.storage_bytes() == 32 * 64 * 4 // 8 + 4  # packed 4-bit weights and one float32 scale


@pytest.mark.parametrize(
    "kwargs, word",
    [(dict(bits=0), "bits"), (dict(bits=9), "bits"), (dict(layer=3, model="student"), "layer"),
     (dict(scheme="log"), "scheme"), (dict(model="resnet"), "model")],
)
def test_bad_layer_input_is_a_sentence(kwargs, word):
    args = dict(model="mlp", layer=1, bits=4, scheme="symmetric", granularity="tensor") | kwargs
    with pytest.raises(ParamError, match=word):
        quantize_effects.layer_view(**args)


@pytest.mark.parametrize("kwargs", [dict(calib=0), dict(calib=5000), dict(qat_epochs=0), dict(granularity="row")])
def test_bad_sweep_input_is_a_sentence(kwargs):
    args = dict(model="mlp", scheme="symmetric", granularity="tensor", calib=200, qat_epochs=2) | kwargs
    with pytest.raises(ParamError, match=next(iter(kwargs))):
        quantize_effects.sweep(**args)


def test_next_layer_wraps_per_model():
    assert [quantize_effects.next_layer("mlp", k) for k in (1, 2, 3)] == [2, 3, 1]
    assert quantize_effects.next_layer("student", 2) == 1 and quantize_effects.next_layer("unknown", 1) == 1
