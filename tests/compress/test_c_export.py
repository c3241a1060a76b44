"""Exports: ONNX against torch, the compiled C int8 model bit-exact against the numpy integer reference."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
import torch

from neuralab.compress import export, zoo
from neuralab.compress.quantize import calibration_set

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def student():
    return zoo.load("student").model


@pytest.fixture(scope="module")
def int_model(student):
    return export.to_int8(student, calibration_set(200))


def test_onnx_matches_torch(student):
    d = zoo.data()
    o = export.to_onnx(student, d.X_test)
    assert o.max_abs_diff <= 1e-5
    assert o.outputs.shape == (len(d.X_test), 10) and o.data[:2] != b""


def test_multiplier_encodes_the_real_factor():
    m = np.array([0.5, 0.1234, 3e-5, 0.999999])
    m0, n = export.quantize_multiplier(m)
    assert np.all((m0 >= 2**30) & (m0 < 2**31))
    assert np.allclose(m0 * 2.0 ** (-n.astype(float)), m, rtol=1e-9)


def test_integer_reference_tracks_the_float_model(student, int_model):
    d = zoo.data()
    Xq = export.quantize_input(int_model, d.X_test)
    ref = export.run_int(int_model, Xq)
    assert ref.dtype == np.int8
    acc = (ref.argmax(1) == d.y_test).mean()
    assert acc > zoo.accuracy(student) - 0.02
    with torch.no_grad():
        logits = student(torch.as_tensor(np.array(d.X_test))).numpy()
    err = np.abs(export.dequantize_logits(int_model, ref) - logits)
    assert np.median(err) < 4 * int_model.out_scale  # a few output steps


def test_int_layers_are_integers(int_model):
    for L in int_model.layers:
        assert L.w.dtype == np.int8 and L.bias.dtype == np.int32 and L.mult.dtype == np.int32
        assert np.abs(L.w).max() <= 127


def _need_gcc() -> None:
    """Skip without gcc on a developer machine; on CI (``make test`` installs it) that is a failure."""
    if export.gcc() is None:
        if os.environ.get("CI"):
            pytest.fail("gcc is not installed (make test installs it); CI must compile the C export")
        pytest.skip("gcc not installed")


def test_compiled_c_is_bit_exact_on_the_whole_test_set(int_model):
    _need_gcc()
    d = zoo.data()
    Xq = export.quantize_input(int_model, d.X_test)
    src = export.c_source(int_model)
    code = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    assert "malloc" not in code and "float" not in code and "double" not in code
    run = export.compile_and_run(src, export.c_harness(int_model), Xq, repeats=1)
    assert run.outputs.shape == (len(Xq), 10)
    assert np.array_equal(run.outputs, export.run_int(int_model, Xq))
    assert run.ns_per_inference > 0


@pytest.mark.parametrize("per_channel", [True, False])
def test_compiled_c_is_bit_exact_on_a_deeper_mlp(per_channel):
    _need_gcc()
    im = export.to_int8(zoo.load("mlp").model, calibration_set(100), per_channel=per_channel)
    assert all(L.mult.size == (L.w.shape[0] if per_channel else 1) for L in im.layers)
    Xq = export.quantize_input(im, zoo.data().X_test)
    run = export.compile_and_run(export.c_source(im), export.c_harness(im), Xq, repeats=0)
    assert np.array_equal(run.outputs, export.run_int(im, Xq))


def test_missing_gcc_is_a_sentence(monkeypatch, int_model):
    monkeypatch.setattr(export.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="gcc was not found"):
        export.compile_and_run("", "", np.zeros((1, 64), np.int8))


def test_cnn_is_refused_with_a_sentence():
    with pytest.raises(ValueError, match="Linear and ReLU"):
        export.to_int8(zoo.load("cnn").model, calibration_set(10))


def test_the_c_rounding_shift_sees_negative_values(int_model):
    """content/deploy.md: the generated C right-shifts negative int64 products (implementation-defined in C, C23
    included), so the bit-exact test above does exercise the compiler's arithmetic shift."""
    assert "(int32_t)(p >> n)" in export.c_source(int_model)
    x = export.quantize_input(int_model, zoo.data().X_test).astype(np.int64)
    negative = []
    for L in int_model.layers:
        acc = x @ L.w.astype(np.int64).T + L.bias.astype(np.int64)
        p = acc * L.mult.astype(np.int64) + (np.int64(1) << (L.shift.astype(np.int64) - 1))
        negative.append(float((p < 0).mean()))
        x = np.clip(L.out_zp + (p >> L.shift.astype(np.int64)), L.out_zp if L.relu else -128, 127)
    assert min(negative) > 0.05, negative
    Xq = export.quantize_input(int_model, zoo.data().X_test)
    assert np.array_equal(x.astype(np.int8), export.run_int(int_model, Xq))
