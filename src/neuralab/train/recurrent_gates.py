"""The trained LSTM and GRU of the winding-temperature task opened up on one test drive cycle.

:func:`gates_on_cycle` reads the two networks :func:`neuralab.train.sequence.thermal_model` trained
(memoised on disk, so after the first call this is a few milliseconds of gate arithmetic) and returns
the cycle's raw inputs, its true winding temperature, both networks' estimates and every gate of
both (:mod:`neuralab.nn.gates`) at every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from neuralab.data.sequences import TEMP_REF_C, TEMP_SCALE_C, thermal_cycles, thermal_split
from neuralab.nn.gates import GruGates, LstmGates, gru_gates, lstm_gates
from neuralab.params import Int, ParamSpec
from neuralab.progress import Progress, stage
from neuralab.train.sequence import THERMAL_CFG, thermal_model

__all__ = ["GATES", "GatesOnCycle", "LONG", "gates_on_cycle", "test_cycles"]

WIDTH = 16  # hidden units of both networks (the page's shared thermal models)
LONG = 0.95  # a unit whose mean forget / update gate is above this holds a long memory (half-life > 13 steps)


def test_cycles() -> int:
    """How many drive cycles the default thermal split keeps for testing."""
    return len(thermal_split().cycles_test)


GATES = ParamSpec(
    "gates",
    gates_cycle=Int(1, 7, 1, label="Test drive cycle",
                    help="Which of the held-out drive cycles runs through the trained LSTM and GRU."),
)


@dataclass(frozen=True)
class GatesOnCycle:
    """One test drive cycle through the trained LSTM and GRU."""

    cycle: int  # 1-based position among the test cycles
    cycle_id: int  # the drive cycle's index in :func:`thermal_cycles`
    t_min: np.ndarray  # (T,) minutes since the cycle's start
    current_a: np.ndarray  # (T,) logged current amplitude, A
    speed_rpm: np.ndarray  # (T,) logged speed, rpm
    temp_c: np.ndarray  # (T,) true winding temperature, °C
    lstm_c: np.ndarray  # (T,) the LSTM's estimate, °C
    gru_c: np.ndarray  # (T,) the GRU's estimate, °C
    lstm: LstmGates
    gru: GruGates
    lstm_rmse_k: float  # on this cycle
    gru_rmse_k: float
    max_rebuild_diff: float  # largest |h from the gates − h from the fused layer| over both networks

    @property
    def long_lstm(self) -> np.ndarray:
        """Indices of the LSTM units whose mean forget gate on this cycle is above :data:`LONG`."""
        return np.flatnonzero(self.lstm.f.mean(axis=0) > LONG)

    @property
    def long_gru(self) -> np.ndarray:
        """Indices of the GRU units whose mean update gate on this cycle is above :data:`LONG`."""
        return np.flatnonzero(self.gru.z.mean(axis=0) > LONG)


def _celsius(scaled: np.ndarray) -> np.ndarray:
    return scaled * TEMP_SCALE_C + TEMP_REF_C


@lru_cache(maxsize=16)
def _on_cycle(cycle: int, width: int) -> GatesOnCycle:
    split = thermal_split()
    n = len(split.cycles_test)
    if not 1 <= cycle <= n:
        raise ValueError(f"gates_cycle must be between 1 and {n}; got {cycle}.")
    x = split.x_test[cycle - 1]  # (T, F) standardised
    cid = int(split.cycles_test[cycle - 1])
    raw = thermal_cycles()
    models = {arch: thermal_model(arch, width).model() for arch in ("lstm", "gru")}
    found = {"lstm": lstm_gates(models["lstm"].rnn, x), "gru": gru_gates(models["gru"].rnn, x)}
    est, diff = {}, 0.0
    with torch.no_grad():
        for arch, m in models.items():
            fused = m.rnn(torch.as_tensor(x)[None])[0][0].numpy()  # (T, H)
            diff = max(diff, float(np.abs(fused - found[arch].h).max()))
            est[arch] = _celsius(m(torch.as_tensor(x)[None])[0, :, 0].numpy().astype(np.float64))
    temp = raw.temp_c[cid]
    return GatesOnCycle(cycle, cid, raw.t_min, raw.x[cid, :, 0], raw.x[cid, :, 1], temp, est["lstm"], est["gru"],
                        found["lstm"], found["gru"], float(np.sqrt(np.mean((est["lstm"] - temp) ** 2))),
                        float(np.sqrt(np.mean((est["gru"] - temp) ** 2))), diff)


def gates_on_cycle(cycle: int = 1, width: int = WIDTH, *, progress: Progress | None = None) -> GatesOnCycle:
    """Test cycle ``cycle`` (1-based) through the trained LSTM and GRU of ``width`` units.

    The first call trains the two networks if no process has yet (a few seconds each, reported
    through ``progress``); later calls read them from the disk cache.
    """
    if progress:  # a cold cache trains both networks here, epoch by epoch; a warm one reads them at once
        epochs = THERMAL_CFG.epochs
        thermal_model("lstm", width, progress=stage(progress, 0, 2 * epochs))
        thermal_model("gru", width, progress=stage(progress, epochs, 2 * epochs))
        progress(2 * epochs, 2 * epochs)
    return _on_cycle(int(cycle), int(width))
