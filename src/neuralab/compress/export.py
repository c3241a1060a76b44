"""Leaving Python: ONNX for a runtime, and plain C with int8 fixed-point arithmetic for a microcontroller.

The int8 path follows the TFLite / CMSIS-NN convention, so the C and the numpy reference
below compute the *same integers*:

* weights: int8, symmetric, one scale per output channel (s_w[j]), range ±127;
* activations: int8, asymmetric, one scale and zero point per tensor (s_x, z_x), fixed by calibration;
* biases: int32 in units of s_x·s_w[j], so they add straight onto the accumulator;
* a dense layer: ``acc[j] = bias[j] + Σ_i w[j,i]·(x[i] − z_x)`` in int32. The zero-point term
  ``−z_x·Σ_i w[j,i]`` is a constant, so it is folded into the stored bias (as TFLite does) and the
  inner loop is a plain int8 × int8 dot product: ``acc[j] = bias'[j] + Σ_i w[j,i]·x[i]``; then
  ``y[j] = clamp(z_y + round(acc[j] · M[j]), lo, 127)`` with ``M[j] = s_x·s_w[j]/s_y``;
* M[j] < 1 is stored as a 31-bit integer M0 and a right shift n: ``M ≈ M0 · 2^−n``, so the
  rescale is one 64-bit multiply, an add of 2^(n−1) (round half up) and an arithmetic shift;
* ReLU costs nothing: it is the lower clamp ``lo = z_y`` (the integer for real 0).

The only float step is quantizing the input, which happens where the sensor data arrive;
from the int8 input onward everything is integer. The trap: C's ``>>`` on a negative number is
implementation-defined (in C23 too; C++20 is what made it arithmetic). The generated code shifts
negative int64 sums (acc·M0 + 2^(n−1)), so it relies on an arithmetic shift, as numpy's, gcc's and
clang's; the tests compile it with gcc and compare every output integer on the whole test set.
MISRA C:2012 Rule 10.1 flags this signed shift: where MISRA applies, record a deviation or rewrite
the step without one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from neuralab.compress.quantize import calc_qparams, calibrate, qparams, quantize

__all__ = ["IntLayer", "IntModel", "to_int8", "quantize_input", "run_int", "quantize_multiplier",
           "c_source", "c_harness", "CRun", "gcc", "compile_and_run", "OnnxExport", "to_onnx", "latency_us"]

INT8_MIN, INT8_MAX = -128, 127
HARNESS_MAX = 4096  # most samples the C harness reads (static buffer)
COMPILE_TIMEOUT = 60  # seconds for gcc, and again for the run


@dataclass(frozen=True)
class IntLayer:
    """One dense layer in integers."""

    w: np.ndarray  # int8 (n_out, n_in), symmetric per output channel
    bias: np.ndarray  # int32 (n_out,), in units of s_x·s_w[j], with −z_x·Σ_i w[j,i] folded in
    mult: np.ndarray  # int32 (n_out,) per channel or (1,) per tensor: M0, the multiplier's 31-bit mantissa
    shift: np.ndarray  # int32, same shape: n, right shift so that M ≈ M0·2^−n
    in_zp: int  # zero point of the input activations
    out_zp: int  # zero point of the output activations
    relu: bool  # clamp below at out_zp


@dataclass(frozen=True)
class IntModel:
    """A whole MLP as integers, with the two scales needed at its edges."""

    layers: tuple[IntLayer, ...]
    in_scale: float  # s of the int8 input
    in_zp: int  # z of the int8 input
    out_scale: float  # s of the int8 logits
    out_zp: int  # z of the int8 logits

    @property
    def n_in(self) -> int:
        return self.layers[0].w.shape[1]

    @property
    def n_out(self) -> int:
        return self.layers[-1].w.shape[0]

    def nbytes(self) -> int:
        """Bytes of the constant tables: int8 weights, int32 biases and multipliers, int8 shifts."""
        return sum(L.w.size + 4 * L.bias.size + 4 * L.mult.size + L.shift.size for L in self.layers)


def quantize_multiplier(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Write each real ``m`` > 0 as M0·2^−n with M0 in [2^30, 2^31) (31 bits of mantissa).

    ``m = f·2^e`` with f in [½, 1) (``np.frexp``); M0 = round(f·2^31); n = 31 − e.
    """
    f, e = np.frexp(np.asarray(m, np.float64))
    m0 = np.round(f * 2.0**31).astype(np.int64)
    carry = m0 == 2**31  # f rounded up to 1
    m0[carry] //= 2
    e = e + carry
    n = 31 - e.astype(np.int64)
    if np.any(n < 1) or np.any(n > 62):
        raise ValueError("a requantization multiplier is out of the supported range 2^-31..1; check the scales.")
    return m0.astype(np.int32), n.astype(np.int32)


def _mlp_parts(model: nn.Sequential) -> list[tuple[nn.Linear, bool]]:
    parts: list[tuple[nn.Linear, bool]] = []
    for m in model:
        if isinstance(m, nn.Linear):
            parts.append((m, False))
        elif isinstance(m, nn.ReLU) and parts:
            parts[-1] = (parts[-1][0], True)
        elif not isinstance(m, nn.Dropout | nn.Identity):
            raise ValueError(f"the int8 C path handles Linear and ReLU layers only; found {type(m).__name__}.")
    return parts


@torch.no_grad()
def to_int8(model: nn.Sequential, X_calib: np.ndarray, per_channel: bool = True) -> IntModel:
    """Quantize a Linear/ReLU MLP to the int8 pipeline, activation ranges calibrated on ``X_calib``.

    ``per_channel`` gives each output neuron its own weight scale, hence its own multiplier and
    shift (5 bytes per neuron); per tensor, a layer has one of each, a little smaller, a little coarser.
    """
    parts = _mlp_parts(model)
    ranges = calibrate(model, X_calib)  # input range of every Linear
    logits = model.eval()(torch.as_tensor(np.array(X_calib)))
    ranges.append((float(logits.min()), float(logits.max())))
    act = [calc_qparams(lo, hi, 8, False) for lo, hi in ranges]  # (scale, zp) of every activation tensor
    out = []
    for k, (lin, relu) in enumerate(parts):
        (s_x, z_x), (s_y, z_y) = act[k], act[k + 1]
        w = lin.weight.detach().numpy()
        qw = qparams(w, 8, symmetric=True, per_channel=per_channel)
        acc_scale = np.float64(s_x) * np.atleast_1d(qw.scale).astype(np.float64)  # (n_out,) or (1,)
        b = lin.bias.detach().numpy().astype(np.float64) if lin.bias is not None else np.zeros(len(w))
        acc_scale_b = np.broadcast_to(acc_scale, b.shape)
        bias = np.clip(np.round(b / acc_scale_b), -(2**31), 2**31 - 1).astype(np.int32)
        mult, shift = quantize_multiplier(acc_scale / np.float64(s_y))
        qwi = quantize(w, qw).astype(np.int8)
        folded = bias.astype(np.int64) - int(z_x) * qwi.astype(np.int64).sum(1)
        bound = np.abs(qwi.astype(np.int64)).sum(1) * 128 + np.abs(folded)
        if bound.max() >= 2**31:
            raise ValueError(f"an int32 accumulator could overflow in layer {k + 1}; the layer is too wide.")
        bias = folded.astype(np.int32)
        out.append(IntLayer(qwi, bias, mult, shift, int(z_x), int(z_y), relu))
    return IntModel(tuple(out), float(act[0][0]), int(act[0][1]), float(act[-1][0]), int(act[-1][1]))


def quantize_input(im: IntModel, X: np.ndarray) -> np.ndarray:
    """The int8 input: the one float step, done where the data arrive."""
    q = np.round(np.asarray(X, np.float32) / np.float32(im.in_scale)) + im.in_zp
    return np.clip(q, INT8_MIN, INT8_MAX).astype(np.int8)


def run_int(im: IntModel, Xq: np.ndarray) -> np.ndarray:
    """The reference: int8 inputs (N, n_in) to int8 logits (N, n_out), integer arithmetic only.

    int64 numpy holds every intermediate exactly; the C code uses int32 accumulators and one
    int64 product, which :func:`to_int8` checks cannot overflow.
    """
    x = np.asarray(Xq, np.int64)
    for L in im.layers:
        acc = x @ L.w.astype(np.int64).T + L.bias.astype(np.int64)  # (N, n_out); zero point is in the bias
        shift = L.shift.astype(np.int64)
        y = L.out_zp + ((acc * L.mult.astype(np.int64) + (np.int64(1) << (shift - 1))) >> shift)
        x = np.clip(y, L.out_zp if L.relu else INT8_MIN, INT8_MAX)
    return x.astype(np.int8)


def dequantize_logits(im: IntModel, q: np.ndarray) -> np.ndarray:
    return (np.asarray(q, np.float64) - im.out_zp) * im.out_scale


# ----------------------------------------------------------------------------- C code


def _array(ctype: str, name: str, a: np.ndarray, per_line: int = 16) -> str:
    vals = [str(int(v)) for v in np.asarray(a).ravel()]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
    body = ",\n    ".join(lines)
    return f"static const {ctype} {name}[{len(vals)}] = {{\n    {body}\n}};\n"


def c_source(im: IntModel, name: str = "model") -> str:
    """A self-contained C99 file: constant tables, static buffers, no malloc, integers only.

    Entry point: ``void nl_infer(const int8_t in[NL_N_IN], int8_t out[NL_N_OUT])`` and
    ``int nl_argmax(const int8_t out[NL_N_OUT])``.
    """
    width = max(max(L.w.shape) for L in im.layers)
    head = [
        f"/* {name}.c: int8 fixed-point inference, generated by neuralab.compress.export.",
        f" * {len(im.layers)} dense layers, {im.nbytes()} bytes of constants; no malloc, no floats.",
        f" * Input: int8 = clamp(round(x / {im.in_scale:.9g}) + ({im.in_zp}), -128, 127).",
        f" * Output: int8 logits; real logit = {im.out_scale:.9g} * (q - ({im.out_zp})).",
        " * Requantization: y = zp_out + ((acc * M0 + 2^(n-1)) >> n), arithmetic shift. */",
        "#include <stdint.h>\n",
        f"#define NL_N_IN {im.n_in}",
        f"#define NL_N_OUT {im.n_out}",
        f"#define NL_MAX_WIDTH {width}\n",
    ]
    tables = []
    for k, L in enumerate(im.layers):
        tables += [_array("int8_t", f"W{k}", L.w), _array("int32_t", f"B{k}", L.bias),
                   _array("int32_t", f"M{k}", L.mult), _array("int8_t", f"N{k}", L.shift)]
    kernel = """static int8_t buf_a[NL_MAX_WIDTH], buf_b[NL_MAX_WIDTH];

/* Rescale an int32 accumulator to int8: zp + round(acc * M0 / 2^n), clamped to [lo, 127]. */
static int8_t requantize(int32_t acc, int32_t m0, int n, int32_t zp, int32_t lo)
{
    int64_t p = (int64_t)acc * m0 + ((int64_t)1 << (n - 1));
    int32_t v = zp + (int32_t)(p >> n);
    return (int8_t)(v < lo ? lo : (v > 127 ? 127 : v));
}
"""
    funcs = []
    for k, L in enumerate(im.layers):
        n_out, n_in = L.w.shape
        lo = L.out_zp if L.relu else INT8_MIN
        idx = "j" if L.mult.size > 1 else "0"
        funcs.append(
            f"/* Layer {k + 1}: {n_in} -> {n_out}{', ReLU' if L.relu else ''}. */\n"
            f"static void layer{k}(const int8_t *x, int8_t *y)\n{{\n"
            f"    for (int j = 0; j < {n_out}; j++) {{\n"
            f"        const int8_t *row = W{k} + j * {n_in};\n"
            f"        int32_t acc = B{k}[j];\n"
            f"        for (int i = 0; i < {n_in}; i++)\n"
            f"            acc += (int32_t)row[i] * (int32_t)x[i];\n"
            f"        y[j] = requantize(acc, M{k}[{idx}], N{k}[{idx}], {L.out_zp}, {lo});\n"
            f"    }}\n}}\n"
        )
    kernel += "\n" + "\n".join(funcs)
    calls = []
    src = "in"
    for k in range(len(im.layers)):
        dst = "out" if k == len(im.layers) - 1 else ("buf_a" if k % 2 == 0 else "buf_b")
        calls.append(f"    layer{k}({src}, {dst});")
        src = dst
    infer = ("void nl_infer(const int8_t in[NL_N_IN], int8_t out[NL_N_OUT])\n{\n" + "\n".join(calls) + "\n}\n\n"
             "int nl_argmax(const int8_t out[NL_N_OUT])\n{\n    int best = 0;\n"
             "    for (int j = 1; j < NL_N_OUT; j++)\n        if (out[j] > out[best]) best = j;\n"
             "    return best;\n}\n")
    return "\n".join(head) + "\n" + "\n".join(tables) + "\n" + kernel + "\n" + infer


def c_harness(im: IntModel) -> str:
    """A test/benchmark main(): reads int8 inputs from a file, writes int8 logits, times a loop.

    Usage: ``prog inputs.bin outputs.bin repeats``; prints nanoseconds per inference.
    """
    return f"""#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <time.h>

void nl_infer(const int8_t *in, int8_t *out);

static int8_t inputs[{HARNESS_MAX} * {im.n_in}], outputs[{HARNESS_MAX} * {im.n_out}];

int main(int argc, char **argv)
{{
    if (argc != 4) return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 3;
    long n = (long)fread(inputs, {im.n_in}, {HARNESS_MAX}, f);
    fclose(f);
    for (long s = 0; s < n; s++) nl_infer(inputs + s * {im.n_in}, outputs + s * {im.n_out});
    f = fopen(argv[2], "wb");
    if (!f) return 4;
    fwrite(outputs, {im.n_out}, (size_t)n, f);
    fclose(f);
    long repeats = 0;
    sscanf(argv[3], "%ld", &repeats);
    volatile int32_t sink = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long r = 0; r < repeats; r++)
        for (long s = 0; s < n; s++) {{
            nl_infer(inputs + s * {im.n_in}, outputs);
            sink += outputs[0];
        }}
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
    printf("%.3f\\n", repeats > 0 && n > 0 ? ns / ((double)repeats * n) : 0.0);
    return 0;
}}
"""


@dataclass(frozen=True)
class CRun:
    """The compiled C model run on int8 inputs."""

    outputs: np.ndarray  # int8 (N, n_out) logits
    ns_per_inference: float  # mean of the timing loop, one sample at a time
    compiler: str  # first line of ``gcc --version``
    flags: str  # the compile command's flags


def gcc() -> str | None:
    """Path of the machine's gcc, or None."""
    return shutil.which("gcc")


def compile_and_run(source: str, harness: str, Xq: np.ndarray, repeats: int = 200, flags: str = "-O2") -> CRun:
    """Compile ``source`` + ``harness`` with gcc in a temp dir, run on ``Xq`` (int8), read the logits back.

    Raises:
        RuntimeError: with a sentence when gcc is missing, fails, or the program fails.
    """
    cc = gcc()
    if cc is None:
        raise RuntimeError("gcc was not found on this machine, so the C file could not be compiled and run.")
    Xq = np.ascontiguousarray(Xq, np.int8)
    if not 1 <= len(Xq) <= HARNESS_MAX:
        raise ValueError(f"the C harness reads 1 to {HARNESS_MAX} samples; got {len(Xq)}.")
    with tempfile.TemporaryDirectory(prefix="neuralab-c-") as tmp:
        d = Path(tmp)
        (d / "model.c").write_text(source)
        (d / "main.c").write_text(harness)
        (d / "in.bin").write_bytes(Xq.tobytes())
        cmd = [cc, *flags.split(), "-std=c99", "-Wall", "-Wextra", "-o", str(d / "prog"), str(d / "model.c"),
               str(d / "main.c")]
        built = subprocess.run(cmd, capture_output=True, text=True, timeout=COMPILE_TIMEOUT)
        if built.returncode != 0:
            raise RuntimeError(f"gcc failed to compile the generated C: {built.stderr.strip()[:400]}")
        ran = subprocess.run([str(d / "prog"), str(d / "in.bin"), str(d / "out.bin"), str(repeats)],
                             capture_output=True, text=True, timeout=COMPILE_TIMEOUT)
        if ran.returncode != 0:
            raise RuntimeError(f"the compiled C program stopped with exit code {ran.returncode}.")
        out = np.frombuffer((d / "out.bin").read_bytes(), np.int8).reshape(len(Xq), -1).copy()
        version = subprocess.run([cc, "--version"], capture_output=True, text=True, timeout=10).stdout
    return CRun(out, float(ran.stdout.strip()), version.splitlines()[0] if version else "gcc", flags)


# ----------------------------------------------------------------------------- ONNX


@dataclass(frozen=True)
class OnnxExport:
    """A model exported to ONNX and run in onnxruntime."""

    data: bytes  # the .onnx file
    outputs: np.ndarray  # float32 logits from onnxruntime on the checked inputs
    max_abs_diff: float  # largest |onnxruntime − torch| over those logits
    opset: int
    session: object  # the onnxruntime.InferenceSession, kept for timing


def to_onnx(model: nn.Module, X: np.ndarray, opset: int = 17) -> OnnxExport:
    """Export with ``torch.onnx.export`` (TorchScript exporter), run in onnxruntime, compare with torch."""
    import onnx
    import onnxruntime as ort

    model = model.eval()
    X = np.ascontiguousarray(X, np.float32)
    with tempfile.TemporaryDirectory(prefix="neuralab-onnx-") as tmp:
        path = os.path.join(tmp, "model.onnx")
        with warnings.catch_warnings():  # the TorchScript exporter warns that it is deprecated; it still works
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (torch.as_tensor(X[:1]),), path, input_names=["pixels"], output_names=["logits"],
                              dynamic_axes={"pixels": {0: "batch"}, "logits": {0: "batch"}},
                              opset_version=opset, dynamo=False)
        data = Path(path).read_bytes()
    onnx.checker.check_model(onnx.load_from_string(data))
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])
    out = sess.run(None, {"pixels": X})[0]
    with torch.no_grad():
        ref = model(torch.as_tensor(X)).numpy()
    return OnnxExport(data, out, float(np.abs(out - ref).max()), opset, sess)


def latency_us(call: Callable[[], object], number: int = 200, repeat: int = 5) -> float:
    """Median over ``repeat`` rounds of the mean time of one ``call()``, in microseconds."""
    call()  # warm up
    rounds = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        for _ in range(number):
            call()
        rounds.append((time.perf_counter_ns() - t0) / number / 1e3)
    return float(np.median(rounds))
