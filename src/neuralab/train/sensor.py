"""The winding-temperature estimate on one test drive cycle, and two moments only a memory tells apart.

:func:`estimate_cycle` runs a trained network (:func:`neuralab.train.sequence.thermal_model`) over
one test cycle of :func:`neuralab.data.sequences.thermal_split` and returns its inputs, the true
winding temperature, the estimate and its error in kelvin, in physical units.

:func:`twin_moments` finds the two moments of a cycle whose last ``window`` samples of current,
speed and coolant temperature are most alike while the winding temperatures differ most. A
network that sees only those samples (the window MLP) is a function of them, so it must answer
nearly the same at both moments; the true temperatures differ because the load history before
the window differs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from neuralab.data.sequences import TEMP_REF_C, TEMP_SCALE_C, THERMAL, SeqSplit, thermal_cycles, thermal_split
from neuralab.nn.recurrent import ARCH, ARCHS
from neuralab.params import Int, ParamSpec
from neuralab.progress import Progress
from neuralab.train.sequence import Trained, predict, thermal_model

__all__ = ["SENSOR", "N_TEST", "CycleEstimate", "Twins", "estimate_cycle", "twin_moments"]

N_TEST = max(1, round(0.2 * THERMAL.fields["cycles"].default))  # test cycles of the default thermal_split
SENSOR = ParamSpec(
    "sensor",
    sensor_cycle=Int(1, N_TEST, 1, label="Test cycle", help="Which of the held-out drive cycles to show."),
    sensor_arch=ARCH,
)
TOLERANCE = 0.15  # the most two windows may differ: root-mean-square, in training standard deviations


@dataclass(frozen=True)
class Twins:
    """Two moments ``a < b`` (sample indices) with alike input windows and different temperatures."""

    a: int
    b: int
    distance: float  # root-mean-square difference of the two windows, in training standard deviations
    current_a: float  # largest difference of the current within the windows, A
    speed_rpm: float  # largest difference of the speed within the windows, rpm
    window: int  # samples per window


def twin_moments(x: np.ndarray, temp_c: np.ndarray, scale: np.ndarray, window: int = 4,
                 tolerance: float = TOLERANCE) -> Twins:
    """The pair of moments whose last ``window`` inputs differ by at most ``tolerance`` with the largest |Δϑ|.

    ``x (T, F)`` in physical units, ``scale (F,)`` the training standard deviations; if no pair is
    within ``tolerance``, the pair with the most alike windows.
    """
    T = len(x)
    if T < window + 1:
        raise ValueError(f"x: a cycle of {T} samples has no two windows of {window}.")
    wins = np.lib.stride_tricks.sliding_window_view(x / scale, window, axis=0)  # (T − w + 1, F, w)
    flat = wins.reshape(len(wins), -1)
    dist = np.sqrt(((flat[:, None] - flat[None]) ** 2).mean(axis=2))  # (n, n)
    ends = np.arange(window - 1, T)  # the moment each window ends at
    dtemp = np.abs(temp_c[ends][:, None] - temp_c[ends][None])
    upper = np.triu(np.ones_like(dist, dtype=bool), 1)
    ok = upper & (dist <= tolerance)
    if ok.any():
        i, j = np.unravel_index(np.argmax(np.where(ok, dtemp, -1.0)), dist.shape)
    else:
        i, j = np.unravel_index(np.argmin(np.where(upper, dist, np.inf)), dist.shape)
    diff = np.abs(x[ends[i] - window + 1:ends[i] + 1] - x[ends[j] - window + 1:ends[j] + 1]).max(axis=0)
    return Twins(int(ends[i]), int(ends[j]), float(dist[i, j]), float(diff[0]), float(diff[1]), window)


@dataclass(frozen=True)
class CycleEstimate:
    """One test cycle with a network's estimate; temperatures in °C, errors in K."""

    arch: str
    cycle: int  # the drive cycle's id in thermal_cycles()
    position: int  # 1-based position among the test cycles
    t_min: np.ndarray  # (T,) minutes since the start of the cycle
    x: np.ndarray  # (T, 3) current A, speed rpm, coolant °C (as logged)
    temp_c: np.ndarray  # (T,) true winding temperature
    estimate_c: np.ndarray  # (T,) the network's estimate
    baseline_c: np.ndarray  # (T,) the window MLP's estimate (no memory)
    cycle_rmse_k: float  # the network's RMSE on this cycle
    test_rmse_k: float  # the network's RMSE on all test cycles
    baseline_rmse_k: float  # the window MLP's RMSE on this cycle
    twins: Twins
    cycles_train: tuple[int, ...]
    cycles_val: tuple[int, ...]
    cycles_test: tuple[int, ...]
    diverged: str  # the training's divergence sentence, or ""

    @property
    def error_k(self) -> np.ndarray:
        return self.estimate_c - self.temp_c

    @property
    def label(self) -> str:
        return ARCHS[self.arch].label


def _celsius(scaled: np.ndarray) -> np.ndarray:
    return scaled * TEMP_SCALE_C + TEMP_REF_C


def estimate_cycle(sensor_cycle: int = 1, sensor_arch: str = "gru", *, train: Callable[..., Trained] | None = None,
                   split: SeqSplit | None = None, progress: Progress | None = None) -> CycleEstimate:
    """Network ``sensor_arch`` (and the window MLP beside it) on test cycle number ``sensor_cycle`` (1-based).

    ``train(arch, progress=)`` returns the trained network (default :func:`thermal_model`, memoised).
    """
    train = train or thermal_model
    split = split or thermal_split()
    n = len(split.cycles_test)
    if not 1 <= sensor_cycle <= n:
        raise ValueError(f"sensor_cycle must be between 1 and {n}; got {sensor_cycle}.")
    if sensor_arch not in ARCHS:
        raise ValueError(f"sensor_arch must be one of {', '.join(ARCHS)}; got {sensor_arch!r}.")
    half = (lambda d, t: progress(d, 2 * t), lambda d, t: progress(t + d, 2 * t)) if progress else (None, None)
    trained = train(sensor_arch, progress=half[0])
    base = trained if sensor_arch == "mlp" else train("mlp", progress=half[1])
    k = sensor_cycle - 1
    xk = split.x_test[k:k + 1]
    temp = _celsius(split.y_test[k, :, 0].astype(float))
    est = _celsius(predict(trained.model(), xk)[0, :, 0].astype(float))
    mlp = _celsius(predict(base.model(), xk)[0, :, 0].astype(float))
    x = split.x_test[k].astype(float) * split.scale_ + split.mean_
    data = thermal_cycles()
    twins = twin_moments(x, temp, split.scale_, base.model().window)

    def rmse(a: np.ndarray) -> float:
        return float(np.sqrt(np.mean((a - temp) ** 2)))

    return CycleEstimate(sensor_arch, int(split.cycles_test[k]), sensor_cycle, data.t_min, x, temp, est, mlp,
                         rmse(est), trained.test_rmse_k, rmse(mlp), twins, tuple(map(int, split.cycles_train)),
                         tuple(map(int, split.cycles_val)), tuple(map(int, split.cycles_test)),
                         trained.history.diverged)
