"""Sequence data sets for recurrent networks: the motor's winding temperature, and a long-memory task.

* :func:`thermal_cycles`: drive cycles of the lab's motor (the one of :mod:`neuralab.data.motor`)
  logged every ``dt_s`` seconds: measured current amplitude, speed and coolant temperature in,
  winding temperature out. The winding temperature is a hidden state: it depends on the whole
  load history, not on the last sample, which is why drives estimate it with a model that
  remembers (a thermal network, an observer, or a recurrent network).
* :func:`thermal_split`: train, validation and test **by drive cycle**, scaled on train only.
* :func:`adding_problem`: a common simplified form of the adding problem (after Hochreiter and
  Schmidhuber 1997), whose answer depends on two samples up to ``T`` steps back.

The thermal model (a two-node lumped-parameter thermal network, the smallest one that has both
the winding's fast rise and the iron's slow one)::

    C_w dϑ_w/dt = P_cu(ϑ_w) − (ϑ_w − ϑ_s) / R_ws          winding node, °C
    C_s dϑ_s/dt = P_fe + (ϑ_w − ϑ_s) / R_ws − (ϑ_s − ϑ_c) / R_sc   stator iron node, °C
    P_cu = 1.5 · R(ϑ_w) · i_q²      copper loss of three phases, amplitude-invariant i_q (peak), W
    P_fe = P_fe,rated · (n / n_rated)^1.5                    iron loss, W

with R(ϑ) and i_q = T_e / (1.5 p ψ(ϑ)) from :mod:`neuralab.data.motor` (so a hot motor draws
more current for the same torque, and loses more in the copper). Integrated with forward Euler at
1 s (far below the fastest time constant), logged as the mean over each ``dt_s`` interval; the
current and speed readings carry sensor noise. Each cycle starts with both nodes at its coolant
temperature (a cold start), so the whole cycle from its first sample determines the target.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from neuralab.data.motor import CONSTANTS, torque_current, winding_resistance
from neuralab.params import Int, ParamSpec

__all__ = ["ADDING", "THERMAL", "Adding", "SeqSplit", "Thermal", "adding_problem", "thermal_cycles",
           "thermal_split", "FEATURES", "TEMP_SCALE_C", "TEMP_REF_C"]

FEATURES = ("current_a", "speed_rpm", "coolant_c")  # the inputs, in column order
FEATURE_LABELS = ("Current amplitude i_q (A)", "Speed (rpm)", "Coolant temperature (°C)")
TEMP_REF_C = 20.0  # the target is scaled as (ϑ − TEMP_REF_C) / TEMP_SCALE_C
TEMP_SCALE_C = 100.0

C_W = 400.0  # winding heat capacity, J/K
C_S = 4000.0  # stator iron heat capacity, J/K
R_WS = 0.12  # winding → stator thermal resistance, K/W
R_SC = 0.25  # stator → coolant thermal resistance, K/W
P_FE_RATED_W = 60.0  # iron loss at rated speed, W
SIM_DT_S = 1.0  # integration step, s
NOISE_CURRENT_A = 0.3  # σ of the logged current amplitude
NOISE_SPEED_RPM = 10.0  # σ of the logged speed

THERMAL = ParamSpec(
    "thermal",
    cycles=Int(6, 96, 36, label="Drive cycles", help="How many independent drive cycles are logged."),
    steps=Int(20, 720, 180, label="Samples per cycle", help="Logged samples per cycle."),
    dt_s=Int(1, 60, 10, unit="s", label="Logging interval", help="Seconds between logged samples."),
)


@dataclass(frozen=True)
class Thermal:
    """Logged drive cycles: ``x[c, t]`` the inputs of cycle ``c`` at step ``t``, ``temp_c[c, t]`` the target."""

    x: np.ndarray  # (cycles, steps, 3) float64: current_a (A), speed_rpm (rpm), coolant_c (°C) — FEATURES
    temp_c: np.ndarray  # (cycles, steps) °C, winding temperature (the mean over each logging interval)
    stator_c: np.ndarray  # (cycles, steps) °C, stator iron temperature (hidden, for the curious)
    torque_nm: np.ndarray  # (cycles, steps) N·m, torque command (not an input: the drive measures current)
    dt_s: int  # s between samples

    @property
    def cycles(self) -> int:
        return self.x.shape[0]

    @property
    def steps(self) -> int:
        return self.x.shape[1]

    @property
    def t_min(self) -> np.ndarray:
        """(steps,) minutes since the start of a cycle, at the end of each logging interval."""
        return (np.arange(self.steps) + 1) * self.dt_s / 60.0


def _profile(rng: np.random.Generator, n: int, lo: float, hi: float, hold_s: tuple[float, float]) -> np.ndarray:
    """(n,) plateaus of random level and length, joined by 20 s ramps, one value per second."""
    knots_t, knots_v, t = [0.0], [rng.uniform(lo, hi)], 0.0
    while t < n:
        t += rng.uniform(*hold_s)
        knots_t.append(t)
        knots_v.append(knots_v[-1])
        t += 20.0
        knots_t.append(t)
        knots_v.append(rng.uniform(lo, hi) if rng.random() > 0.25 else lo)  # a quarter of the plateaus idle
    return np.interp(np.arange(n), knots_t, knots_v)


def _draw(rng: np.random.Generator, seconds: int) -> tuple[np.ndarray, np.ndarray, float]:
    """One cycle's speed and torque profiles (one value per second) and its coolant temperature."""
    c = CONSTANTS
    speed = _profile(rng, seconds, 0.0, c.speed_rated_rpm, (40, 240))
    torque = _profile(rng, seconds, 0.0, c.torque_rated_nm, (30, 300))
    return speed, torque, rng.uniform(15.0, 40.0)


def _simulate(speed: np.ndarray, torque: np.ndarray, coolant: np.ndarray) -> tuple[np.ndarray, ...]:
    """(cycles, seconds) current, winding and stator temperatures: forward Euler, all cycles at once."""
    c = CONSTANTS
    p_fe = P_FE_RATED_W * (speed / c.speed_rated_rpm) ** 1.5
    w, s = coolant.copy(), coolant.copy()
    tw, ts, cur = np.empty_like(speed), np.empty_like(speed), np.empty_like(speed)
    for k in range(speed.shape[1]):  # forward Euler, 1 s ≪ C_W · R_WS = 48 s
        i = torque_current(torque[:, k], w, c)
        p_cu = 1.5 * winding_resistance(w, c) * i * i
        q_ws = (w - s) / R_WS
        w = w + SIM_DT_S * (p_cu - q_ws) / C_W
        s = s + SIM_DT_S * (p_fe[:, k] + q_ws - (s - coolant) / R_SC) / C_S
        tw[:, k], ts[:, k], cur[:, k] = w, s, i
    return cur, tw, ts


@lru_cache(maxsize=8)
def thermal_cycles(cycles: int = 36, steps: int = 180, dt_s: int = 10, seed: int = 0) -> Thermal:
    """Simulate ``cycles`` drive cycles of ``steps`` samples, one every ``dt_s`` s (deterministic in ``seed``).

    Each cycle draws its own speed and torque profile (plateaus and ramps, a quarter of them idle)
    and its own coolant temperature (15–40 °C). See the module docstring for the thermal model.
    """
    THERMAL.validate(cycles=cycles, steps=steps, dt_s=dt_s)
    rng = np.random.default_rng(seed)
    seconds = steps * dt_s
    speed, torque = np.empty((cycles, seconds)), np.empty((cycles, seconds))
    coolant, noise_i, noise_n = np.empty(cycles), np.empty((cycles, steps)), np.empty((cycles, steps))
    for k in range(cycles):  # the draws of one cycle, then the next: the same numbers for any cycle count
        speed[k], torque[k], coolant[k] = _draw(rng, seconds)
        noise_i[k] = rng.normal(0, NOISE_CURRENT_A, steps)
        noise_n[k] = rng.normal(0, NOISE_SPEED_RPM, steps)
    cur, tw, ts = _simulate(speed, torque, coolant)

    def means(a: np.ndarray) -> np.ndarray:  # (cycles, seconds) -> (cycles, steps)
        return a.reshape(cycles, steps, dt_s).mean(axis=2)

    x = np.stack([means(cur) + noise_i, means(speed) + noise_n, np.repeat(coolant[:, None], steps, 1)], axis=-1)
    out = Thermal(x, means(tw), means(ts), means(torque), dt_s)
    for a in (out.x, out.temp_c, out.stator_c, out.torque_nm):
        a.setflags(write=False)
    return out


@dataclass(frozen=True)
class SeqSplit:
    """Whole sequences split into train, validation and test (never a cycle in two parts), float32, scaled.

    Inputs are standardised with the training cycles' mean and scale per feature; the target is
    ``(ϑ − TEMP_REF_C) / TEMP_SCALE_C`` (a fixed affine map, so errors convert back to kelvin
    by multiplying by ``TEMP_SCALE_C``).
    """

    x_train: np.ndarray  # (n_train, steps, features) float32
    y_train: np.ndarray  # (n_train, steps, 1) float32
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    cycles_train: np.ndarray  # (n_train,) int, the cycle ids in each part
    cycles_val: np.ndarray
    cycles_test: np.ndarray
    mean_: np.ndarray  # (features,) learned on the training cycles
    scale_: np.ndarray  # (features,)

    def kelvin(self, scaled_error: float) -> float:
        """A root-mean-square error of the scaled target, in kelvin."""
        return float(scaled_error) * TEMP_SCALE_C


def thermal_split(data: Thermal | None = None, val: float = 0.2, test: float = 0.2, seed: int = 0) -> SeqSplit:
    """Split ``data`` (default :func:`thermal_cycles`) by drive cycle into train, validation and test."""
    data = data or thermal_cycles()
    n = data.cycles
    n_val, n_test = max(1, round(val * n)), max(1, round(test * n))
    if n - n_val - n_test < 1:
        raise ValueError(f"cycles: {n} drive cycles leave none to train on with these fractions.")
    order = np.random.default_rng(seed).permutation(n)
    parts = np.sort(order[n_val + n_test:]), np.sort(order[:n_val]), np.sort(order[n_val:n_val + n_test])
    mean = data.x[parts[0]].reshape(-1, data.x.shape[2]).mean(axis=0)
    scale = data.x[parts[0]].reshape(-1, data.x.shape[2]).std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)

    def xs(idx: np.ndarray) -> np.ndarray:
        return ((data.x[idx] - mean) / scale).astype(np.float32)

    def ys(idx: np.ndarray) -> np.ndarray:
        return ((data.temp_c[idx] - TEMP_REF_C) / TEMP_SCALE_C).astype(np.float32)[..., None]

    return SeqSplit(xs(parts[0]), ys(parts[0]), xs(parts[1]), ys(parts[1]), xs(parts[2]), ys(parts[2]),
                    *parts, mean, scale)


ADDING = ParamSpec(
    "adding",
    length=Int(2, 400, 50, label="Sequence length T", unit="steps",
               help="How far back the two marked numbers can lie."),
    n=Int(16, 20000, 2000, label="Sequences"),
)


@dataclass(frozen=True)
class Adding:
    """The adding problem: ``x[:, t] = (value, marker)``; the target is the sum of the two marked values."""

    x: np.ndarray  # (n, T, 2) float32: uniform value in [0, 1), marker 1.0 at the two chosen steps
    y: np.ndarray  # (n, 1) float32, the sum of the two marked values
    first: np.ndarray  # (n,) int, the step of the first marker (in the first half)
    second: np.ndarray  # (n,) int, the step of the second marker (in the second half)

    #: the mean squared error of always answering 1 (the mean of the target): the "learned nothing" level
    CHANCE_MSE: float = 1.0 / 6.0


def adding_problem(n: int = 2000, length: int = 50, seed: int = 0) -> Adding:
    """``n`` adding-problem sequences of ``length`` steps.

    The common simplified form of the adding problem (after Hochreiter & Schmidhuber 1997, whose
    original differs in the value range, where the markers fall and the target's scaling): values
    uniform on [0, 1), one marker in each half, and the plain sum as the target.

    One marker falls in the first half and one in the second, so the answer needs a memory of at
    least ``length / 2`` steps. Answering 1 for every sequence scores a mean squared error of 1/6
    (the variance of the sum of two uniform numbers), the level of a network that learned nothing.
    """
    ADDING.validate(length=length, n=n)
    rng = np.random.default_rng(seed)
    half = length // 2
    values = rng.random((n, length))
    first = rng.integers(0, half, n)
    second = rng.integers(half, length, n)
    marker = np.zeros((n, length))
    rows = np.arange(n)
    marker[rows, first] = 1.0
    marker[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    return Adding(np.stack([values, marker], axis=-1).astype(np.float32), y[:, None].astype(np.float32),
                  first, second)
