"""A trained recurrent network exported for a controller: ONNX, checked in onnxruntime, stepped sample by sample.

Two ONNX files are made from one trained :class:`~neuralab.nn.recurrent.Recurrent` GRU (or LSTM):

* the **sequence** model: ``x (1, T, F) -> y (1, T, 1)``, a whole drive cycle in one call, the way
  it was trained; checked against torch on a test cycle;
* the **step** model: ``(x_t (1, F), h_prev (1, H)) -> (y_t (1, 1), h (1, H))``, one new sample and
  the state carried from the last call, the way a controller runs it in its loop. The caller owns
  the state: it is ``H`` float32 numbers, ``4·H`` bytes of RAM, whatever the cycle's length.

Stepping the step model over a whole cycle must give the sequence model's answer: the state is the
whole memory of the network, so nothing else may be needed. :func:`export_gru` checks this in
onnxruntime against torch's full-sequence output, and times one step (median over many calls, on
this machine, one thread).

Both use ``torch.onnx.export`` with the TorchScript exporter (``dynamo=False``), as the rest of the
lab does. It turns ``nn.GRU`` into ONNX's own ``GRU`` operator (``linear_before_reset=1``, torch's
form of the reset gate). With torch 2.13 and onnxscript installed, the dynamo exporter also works
offline on the step model and writes the same operator; the TorchScript one is kept for one path.
"""

from __future__ import annotations

import os
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from neuralab.nn.recurrent import Recurrent
from neuralab.params import Int, ParamSpec
from neuralab.progress import Progress, stage

__all__ = ["EXPORT", "SNIPPET", "EdgeGru", "Exported", "StepModel", "export_gru", "export_onnx", "session",
           "step_loop", "thermal_edge"]

OPSET = 17
EXPORT = ParamSpec(
    "export",
    gates_export_cycle=Int(1, 7, 1, label="Test drive cycle",
                     help="The held-out drive cycle the exported model is checked on, sample by sample."),
)


class StepModel(nn.Module):
    """One sample through a trained recurrent model: ``(x_t (B, F), h_prev (B, H)) -> (y_t (B, O), h (B, H))``.

    It shares the model's weights (no copy). For an LSTM the state is ``h`` and ``c`` concatenated, ``(B, 2H)``.
    """

    def __init__(self, model: Recurrent) -> None:
        super().__init__()
        if not isinstance(model, Recurrent) or model.rnn.bidirectional:
            raise TypeError("model must be a one-directional Recurrent (rnn, lstm or gru): "
                            "a bidirectional one needs the future and cannot be stepped.")
        self.rnn, self.head, self.kind = model.rnn, model.head, model.kind
        self.hidden = model.rnn.hidden_size

    @property
    def state_size(self) -> int:
        """Float32 numbers the caller keeps between steps."""
        return 2 * self.hidden if self.kind == "lstm" else self.hidden

    def forward(self, x_t: torch.Tensor, h_prev: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.kind == "lstm":
            state = (h_prev[None, :, :self.hidden].contiguous(), h_prev[None, :, self.hidden:].contiguous())
            out, (h, c) = self.rnn(x_t[:, None, :], state)
            new = torch.cat([h[0], c[0]], dim=1)
        else:
            out, h = self.rnn(x_t[:, None, :], h_prev[None])  # out (B, 1, H), h (1, B, H)
            new = h[0]
        return self.head(out[:, 0]), new


def export_onnx(module: nn.Module, example: tuple[torch.Tensor, ...], inputs: list[str], outputs: list[str],
                dynamic: dict | None = None, opset: int = OPSET) -> bytes:
    """``module`` as ONNX bytes (TorchScript exporter), checked by ``onnx.checker``."""
    import onnx

    with tempfile.TemporaryDirectory(prefix="neuralab-rnn-onnx-") as tmp:
        path = os.path.join(tmp, "model.onnx")
        with warnings.catch_warnings():  # the TorchScript exporter warns that it is deprecated; it still works
            warnings.simplefilter("ignore")
            torch.onnx.export(module.eval(), example, path, input_names=inputs, output_names=outputs,
                              dynamic_axes=dynamic, opset_version=opset, dynamo=False)
        data = Path(path).read_bytes()
    onnx.checker.check_model(onnx.load_from_string(data))
    return data


def session(data: bytes):
    """An onnxruntime session on one thread (as on a controller's single core), CPU provider."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])


def step_loop(sess, x: np.ndarray, state_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Run the step model over ``x (T, F)`` one sample at a time: ``(y (T, O), per-step seconds (T,))``."""
    h = np.zeros((1, state_size), np.float32)
    ys, dt = [], []
    for t in range(len(x)):
        feed = {"x_t": x[t:t + 1], "h_prev": h}
        t0 = time.perf_counter_ns()
        y, h = sess.run(None, feed)
        dt.append((time.perf_counter_ns() - t0) * 1e-9)
        ys.append(y[0])
    return np.stack(ys), np.asarray(dt)


@dataclass(frozen=True)
class Exported:
    """The trained network exported twice and checked in onnxruntime on one test cycle."""

    kind: str  # "gru" (or "lstm", "rnn")
    sequence_onnx: bytes  # x (1, T, F) -> y (1, T, 1)
    step_onnx: bytes  # (x_t, h_prev) -> (y_t, h)
    torch_y: np.ndarray  # (T,) torch's full-sequence output on the cycle (scaled target units)
    onnx_y: np.ndarray  # (T,) onnxruntime, the sequence model
    step_y: np.ndarray  # (T,) onnxruntime, the step model stepped sample by sample
    sequence_diff: float  # max |onnx_y − torch_y|
    step_diff: float  # max |step_y − torch_y|
    step_us: float  # median time of one step in onnxruntime on this machine, µs
    step_us_p90: float  # its 90th percentile, µs
    torch_step_us: float  # median time of one torch step (streaming_step), µs, for comparison
    steps_timed: int  # how many steps the medians are over
    parameters: int  # trained parameters (recurrent layer + head)
    hidden: int  # hidden units
    state_floats: int  # float32 numbers kept between steps
    opset: int

    @property
    def state_bytes(self) -> int:
        """RAM the state needs between steps: float32, 4 bytes each."""
        return 4 * self.state_floats

    @property
    def weight_bytes(self) -> int:
        """The parameters as float32."""
        return 4 * self.parameters


def _time_torch(step: StepModel, x: np.ndarray, rounds: int) -> float:
    xt = torch.as_tensor(x)
    times = []
    with torch.no_grad():
        for _ in range(rounds):
            h = torch.zeros(1, step.state_size)
            for t in range(len(xt)):
                t0 = time.perf_counter_ns()
                _, h = step(xt[t:t + 1], h)
                times.append(time.perf_counter_ns() - t0)
    return float(np.median(times)) / 1e3


def export_gru(model: Recurrent, x: np.ndarray, *, rounds: int = 5, progress: Progress | None = None) -> Exported:
    """Export ``model`` (a trained :class:`Recurrent`), check both ONNX files on ``x (T, F)``, time one step.

    The step model is run over the cycle ``rounds`` times (the first pass is the check, the rest
    only add timings); the latency is the median over all timed steps but the first pass's first
    ten (warm-up).
    """
    model = model.eval()
    x = np.ascontiguousarray(x, np.float32)
    T, F = x.shape
    step = StepModel(model).eval()
    say = progress or (lambda done, total: None)
    say(0, 4)
    seq_bytes = export_onnx(model, (torch.as_tensor(x[None]),), ["x"], ["y"],
                            {"x": {0: "batch", 1: "steps"}, "y": {0: "batch", 1: "steps"}})
    step_bytes = export_onnx(step, (torch.as_tensor(x[:1]), torch.zeros(1, step.state_size)),
                             ["x_t", "h_prev"], ["y_t", "h"])
    say(1, 4)
    with torch.no_grad():
        ref = model(torch.as_tensor(x[None]))[0, :, 0].numpy()
    seq_y = session(seq_bytes).run(None, {"x": x[None]})[0][0, :, 0]
    sess = session(step_bytes)
    step_y, dt = step_loop(sess, x, step.state_size)
    say(2, 4)
    times = [dt[10:]]
    for _ in range(rounds - 1):
        times.append(step_loop(sess, x, step.state_size)[1])
    us = np.concatenate(times) * 1e6
    say(3, 4)
    torch_us = _time_torch(step, x, max(1, rounds // 2))
    say(4, 4)
    return Exported(model.kind, seq_bytes, step_bytes, ref, seq_y, step_y[:, 0],
                    float(np.abs(seq_y - ref).max()), float(np.abs(step_y[:, 0] - ref).max()),
                    float(np.median(us)), float(np.percentile(us, 90)), torch_us, len(us),
                    sum(p.numel() for p in model.parameters()), model.rnn.hidden_size, step.state_size, OPSET)


SNIPPET = '''\
import numpy as np
import onnxruntime as ort

sess = ort.InferenceSession("{filename}", providers=["CPUExecutionProvider"])
MEAN = np.array({mean}, np.float32)     # standardisation learned on the training cycles
SCALE = np.array({std}, np.float32)
h = np.zeros((1, {state}), np.float32)   # the whole memory: {state} float32 = {bytes} bytes


def on_sample(current_a, speed_rpm, coolant_c):
    """Called once per logged sample ({dt} s apart): returns the winding temperature in degC."""
    global h
    x = (np.array([[current_a, speed_rpm, coolant_c]], np.float32) - MEAN) / SCALE
    y, h = sess.run(None, {{"x_t": x, "h_prev": h}})
    return float(y[0, 0]) * {scale:g} + {ref:g}
'''


@dataclass(frozen=True)
class EdgeGru:
    """The winding-temperature GRU exported and checked on one test drive cycle, in °C."""

    cycle: int  # 1-based position among the test cycles
    exported: Exported
    t_min: np.ndarray  # (T,) minutes since the cycle's start
    temp_c: np.ndarray  # (T,) true winding temperature
    torch_c: np.ndarray  # (T,) torch's full-sequence estimate
    step_c: np.ndarray  # (T,) onnxruntime stepped sample by sample
    test_rmse_k: float  # the GRU's error over all test cycles (from training)
    snippet: str  # the step loop as Python a user takes away
    filename: str = "neuralab_winding_gru_step.onnx"


def thermal_edge(cycle: int = 1, width: int = 16, *, rounds: int = 5, progress: Progress | None = None) -> EdgeGru:
    """The trained winding-temperature GRU (:func:`~neuralab.train.sequence.thermal_model`) exported and stepped."""
    from neuralab.data.sequences import TEMP_REF_C, TEMP_SCALE_C, thermal_cycles, thermal_split
    from neuralab.train.sequence import THERMAL_CFG, thermal_model

    split = thermal_split()
    n = len(split.cycles_test)
    if not 1 <= cycle <= n:
        raise ValueError(f"gates_export_cycle must be between 1 and {n}; got {cycle}.")
    epochs = THERMAL_CFG.epochs  # a cold cache trains the GRU first, epoch by epoch
    trained = thermal_model("gru", width, progress=stage(progress, 0, epochs + 4))
    ex = export_gru(trained.model(), split.x_test[cycle - 1], rounds=rounds,
                    progress=stage(progress, epochs, epochs + 4))
    raw = thermal_cycles()
    cid = int(split.cycles_test[cycle - 1])
    name = EdgeGru.filename
    snippet = SNIPPET.format(filename=name, state=ex.state_floats, bytes=ex.state_bytes, dt=raw.dt_s,
                             scale=TEMP_SCALE_C, ref=TEMP_REF_C,
                             mean="[" + ", ".join(f"{v:.6g}" for v in split.mean_) + "]",
                             std="[" + ", ".join(f"{v:.6g}" for v in split.scale_) + "]")
    return EdgeGru(cycle, ex, raw.t_min, raw.temp_c[cid], ex.torch_y * TEMP_SCALE_C + TEMP_REF_C,
                   ex.step_y * TEMP_SCALE_C + TEMP_REF_C, trained.test_rmse_k, snippet)
