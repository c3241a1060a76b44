"""The edge stack: distill → prune → quantize → export, measured at every stage.

One model goes down the pipeline and each stage is measured the same way: bytes to store
its weights, test accuracy on the shared 360 digits, and the time to classify one sample in
each engine it can run in (PyTorch fp32, onnxruntime fp32, the generated C in int8).

1. **teacher** — the zoo's wide teacher MLP, fp32.
2. **distilled** — the zoo's small student MLP trained on the teacher's softened outputs
   (:func:`neuralab.compress.distill.train_student`).
3. **pruned** — whole hidden neurons removed (the ones with the smallest incoming weights,
   :mod:`neuralab.compress.prune`), a short fine-tune, and the dead neurons cut out. Removing
   neurons makes the dense matrices smaller, so the gain shows in every engine without sparse kernels.
4. **int8** — the pruned model in the int8 fixed-point pipeline of :mod:`neuralab.compress.export`,
   run by the numpy integer reference and by the compiled C (the two must agree exactly).

Sizes count parameters only (fp32: 4 bytes each; int8: the C file's constant tables), not
code or the runtime. Latencies are single-sample means on this shared machine: compare them
with each other, not with a datasheet.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from neuralab.compress import distill, export, prune, zoo
from neuralab.compress.quantize import GRANULARITY, calibration_set
from neuralab.nn.models import n_params
from neuralab.params import Choice, Int, ParamSpec
from neuralab.progress import Progress, quiet

__all__ = ["DEPLOY", "Stage", "Stack", "prune_student", "run", "C_REPEATS"]

T, ALPHA, SEED = 4.0, 0.5, 0  # distillation settings of the stack (the /distillation page explores them)
FINE_TUNE_EPOCHS = 8  # after pruning
FINE_TUNE_LR = 2e-3
C_REPEATS = 200  # passes over the test set in the C timing loop

#: Controls of the deploy pipeline.
DEPLOY = ParamSpec(
    "deploy",
    prune=Int(0, 75, 15, step=5, label="Hidden neurons removed", unit="%",
              help="Share of the student's hidden neurons pruned away, smallest incoming weights first."),
    calib=Int(1, 1000, 200, label="Calibration samples", unit="samples",
              help="Training digits that fix the int8 activation ranges."),
    granularity=Choice(GRANULARITY.options, default="channel", label=GRANULARITY.label),
)


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline, measured."""

    key: str  # teacher, distilled, pruned, int8
    title: str  # shown in tables and on axes
    params: int  # number of parameters
    size_bytes: int  # fp32: 4 per parameter; int8: the constant tables
    accuracy: float  # test accuracy, 0..1
    latency_us: dict[str, float]  # engine -> microseconds per single-sample inference


@dataclass(frozen=True)
class Stack:
    """The whole pipeline, and the exported artefacts of its last stage."""

    stages: tuple[Stage, ...]
    onnx_bytes: bytes  # the pruned fp32 model as ONNX
    onnx_max_diff: float  # max |onnxruntime − torch| logit over the test set
    c_source: str  # the int8 C file
    c_exact: bool  # the compiled C matched the numpy integer reference on every test logit
    c_mismatches: int  # number of differing logits (0 when exact)
    c_error: str  # why the C part could not run (e.g. no gcc), else ""
    compiler: str
    n_test: int
    hidden: tuple[int, int]  # student hidden width before and after pruning
    prune: int
    calib: int
    granularity: str  # of the int8 weight scales: "channel" or "tensor"


def prune_student(student: nn.Sequential, fraction: float, seed: int = SEED) -> nn.Sequential:
    """Structured magnitude pruning of ``fraction`` of the hidden neurons, fine-tuned, then cut out for real.

    Uses :mod:`neuralab.compress.prune` (``magnitude(..., structured=True)``, ``fine_tune``, ``compact``):
    the masked neurons stay zero while fine-tuning, and ``compact`` removes their rows and the matching
    columns, so the result is a smaller dense network.
    """
    if fraction == 0:
        return copy.deepcopy(student).eval()
    pruned, _ = prune.magnitude(student, fraction, structured=True)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        prune.fine_tune(pruned, FINE_TUNE_EPOCHS, FINE_TUNE_LR, seed=seed)
    return prune.compact(pruned)


def _fp32_latency(model: nn.Module, x1: np.ndarray) -> float:
    t = torch.as_tensor(x1)
    with torch.no_grad():
        return export.latency_us(lambda: model(t))


def _ort_latency(sess, x1: np.ndarray) -> float:
    return export.latency_us(lambda: sess.run(None, {"pixels": x1}))


def run(prune: int = 15, calib: int = 200, granularity: str = "channel", progress: Progress | None = None) -> Stack:
    """Take the teacher down the whole stack (validated with :data:`DEPLOY`; cached per arguments).

    ``granularity`` is that of the int8 weight scales (and so of the requantization tables).
    """
    DEPLOY.validate(dict(prune=prune, calib=calib, granularity=granularity))
    key = (prune, calib, granularity)
    if key not in _CACHE:
        _CACHE[key] = _run(*key, progress=progress)
        while len(_CACHE) > 8:
            _CACHE.pop(next(iter(_CACHE)))
    return _CACHE[key]


_CACHE: dict[tuple[int, int, str], Stack] = {}


def _run(prune: int, calib: int, granularity: str, progress: Progress | None = None) -> Stack:
    step = progress or quiet
    total = 6
    d = zoo.data()
    x1 = np.ascontiguousarray(d.X_test[:1])
    teacher = zoo.load("teacher").model
    step(1, total)
    student, _ = distill.train_student(None, T, ALPHA, SEED)
    step(2, total)
    pruned = prune_student(student, prune / 100)
    step(3, total)
    stages = []
    for key, title, m in (("teacher", "Teacher fp32", teacher), ("distilled", "Distilled student fp32", student),
                          ("pruned", "Pruned student fp32", pruned)):
        onnx = export.to_onnx(m, d.X_test)
        stages.append(Stage(key, title, n_params(m), 4 * n_params(m), zoo.accuracy(m),
                            {"torch fp32": _fp32_latency(m, x1), "onnxruntime": _ort_latency(onnx.session, x1)}))
    step(4, total)
    im = export.to_int8(pruned, calibration_set(calib), per_channel=granularity == "channel")
    Xq = export.quantize_input(im, d.X_test)
    ref = export.run_int(im, Xq)
    src = export.c_source(im, "neuralab_digits")
    c_err, compiler, mism, lat = "", "", -1, {}
    try:
        crun = export.compile_and_run(src, export.c_harness(im), Xq, repeats=C_REPEATS)
        mism = int((crun.outputs != ref).sum())
        lat, compiler = {"C int8": crun.ns_per_inference / 1e3}, f"{crun.compiler} {crun.flags}"
    except (RuntimeError, OSError, ValueError) as exc:
        c_err = str(exc)
    step(5, total)
    stages.append(Stage("int8", "Pruned student int8", n_params(pruned), im.nbytes(),
                        float((ref.argmax(1) == d.y_test).mean()), lat))
    step(6, total)
    return Stack(tuple(stages), onnx.data, onnx.max_abs_diff, src, mism == 0, max(mism, 0), c_err, compiler,
                 len(d.y_test), (student[0].out_features, pruned[0].out_features), prune, calib,
                 granularity)
