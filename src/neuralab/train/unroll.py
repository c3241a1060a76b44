"""A small trained vanilla RNN opened up: its weights, and its hidden state at every step of a test cycle.

:func:`thermal_unrolled` takes the vanilla RNN of :func:`neuralab.train.sequence.thermal_model`
(narrow, so its state can be drawn), runs it over every test drive cycle once, and keeps every
input, hidden state and output. It also runs the hand-written forward pass and BPTT of
:mod:`neuralab.nn.rnn_teaching` on the same weights and cycles and records how far they are from torch.
:func:`window` then cuts T steps out of one cycle, which is free.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from neuralab.data.sequences import TEMP_REF_C, TEMP_SCALE_C, thermal_cycles, thermal_split
from neuralab.nn import rnn_teaching
from neuralab.nn.recurrent import spectral_radius
from neuralab.params import Int, ParamSpec
from neuralab.progress import Progress
from neuralab.train import sequence
from neuralab.train.sequence import thermal_model

__all__ = ["WIDTH", "UNROLL", "Unrolled", "Window", "NOT_READY", "ready", "train", "thermal_unrolled", "window"]

WIDTH = 8  # hidden units: few enough to draw every one of them at every step
STEPS = 180  # samples per drive cycle (thermal_cycles' default)
TEST_CYCLES = 7  # test cycles of the default thermal_split (36 cycles, 20 % to test)

UNROLL = ParamSpec(
    "unroll",
    unroll_cycle=Int(1, TEST_CYCLES, 1, label="Test drive cycle",
                     help="Which of the test cycles (never seen in training) the network reads."),
    unroll_start=Int(0, STEPS - 1, 60, label="First step shown", unit="step",
                     help="Where in the cycle the unrolled window begins (one step is 10 s)."),
    unroll_steps=Int(1, 50, 8, label="Steps unrolled T", unit="steps",
                     help="How many steps of the recurrence to draw side by side."),
)


@dataclass(frozen=True)
class Unrolled:
    """The trained RNN and everything it computed on the test cycles."""

    net: rnn_teaching.Net  # its weights, float64
    radius: float  # spectral radius of W_hh
    test_rmse_k: float  # over all test cycles, K
    cycles: np.ndarray  # (n,) the test cycles' ids in thermal_cycles()
    x_raw: np.ndarray  # (n, steps, 3) the inputs in their units: A, rpm, °C
    x: np.ndarray  # (n, steps, 3) the inputs as the network sees them (standardised)
    h: np.ndarray  # (n, steps, H) hidden states from torch (float32 network)
    pred_c: np.ndarray  # (n, steps) the network's winding temperature estimate, °C
    true_c: np.ndarray  # (n, steps) the true winding temperature, °C
    check_every: rnn_teaching.Check  # hand vs torch, loss on every step
    check_last: rnn_teaching.Check  # hand vs torch, loss on the last step
    dt_s: int  # seconds between steps

    @property
    def width(self) -> int:
        return self.net.hidden


@dataclass(frozen=True)
class Window:
    """T consecutive steps of one test cycle."""

    data: Unrolled
    cycle: int  # index into data.cycles (0-based)
    start: int  # first step shown (0-based)
    steps: int  # T
    asked_start: int  # the start asked for: moved back when start + T ran past the cycle's end

    @property
    def span(self) -> slice:
        return slice(self.start, self.start + self.steps)

    @property
    def rmse_k(self) -> float:
        """Root-mean-square error of the estimate over the window, K."""
        c, s = self.cycle, self.span
        return float(np.sqrt(np.mean((self.data.pred_c[c, s] - self.data.true_c[c, s]) ** 2)))


@lru_cache(maxsize=4)
def thermal_unrolled(width: int = WIDTH) -> Unrolled:
    """Train (once, memoised on disk) and run the vanilla RNN of width ``width`` on every test cycle."""
    trained = thermal_model("rnn", width)  # positional: the disk memo keys on positional arguments only
    model = trained.model()
    split = thermal_split()
    data = thermal_cycles()
    with torch.no_grad():
        xt = torch.as_tensor(split.x_test)
        h = model.states(xt).numpy()  # (n, steps, H)
        pred = model(xt).numpy()[..., 0]  # (n, steps) scaled
    net = rnn_teaching.from_torch(model)
    x64, y64 = split.x_test.astype(np.float64), split.y_test.astype(np.float64)
    return Unrolled(
        net=net, radius=spectral_radius(model.rnn.weight_hh_l0), test_rmse_k=trained.test_rmse_k,
        cycles=split.cycles_test, x_raw=data.x[split.cycles_test], x=split.x_test, h=h,
        pred_c=pred * TEMP_SCALE_C + TEMP_REF_C, true_c=split.y_test[..., 0] * TEMP_SCALE_C + TEMP_REF_C,
        check_every=rnn_teaching.check(net, x64, y64, last_only=False),
        check_last=rnn_teaching.check(net, x64, y64, last_only=True), dt_s=data.dt_s,
    )


NOT_READY = ("The network is still being trained (once on this machine; the rolled view above shows its "
             "progress). The unrolled steps appear here as soon as it is done.")


def ready(width: int = WIDTH) -> bool:
    """Whether the network is trained already (in memory or on disk), so :func:`window` answers at once."""
    opened = getattr(thermal_unrolled, "cache_info", None)  # absent when a test stands in for it
    return bool(opened and opened().currsize) or sequence._thermal_model.kept("rnn", width, 0)


def train(width: int = WIDTH, progress: Progress | None = None) -> Unrolled:
    """Train the network if it is not on disk yet (reporting ``progress``), then open it up."""
    thermal_model("rnn", width, progress=progress)
    return thermal_unrolled(width)


def window(unroll_cycle: int, unroll_start: int, unroll_steps: int, data: Unrolled | None = None) -> Window:
    """Steps ``unroll_start … unroll_start + T − 1`` of test cycle ``unroll_cycle`` (1-based), validated."""
    v = UNROLL.validate(unroll_cycle=unroll_cycle, unroll_start=unroll_start, unroll_steps=unroll_steps)
    data = data or thermal_unrolled()
    n, total = data.h.shape[:2]
    T = min(v["unroll_steps"], total)
    start = min(v["unroll_start"], total - T)
    return Window(data, min(v["unroll_cycle"], n) - 1, start, T, v["unroll_start"])
