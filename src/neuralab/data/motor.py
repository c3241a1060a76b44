"""Sensor log of a three-phase permanent-magnet synchronous motor (PMSM) on a test bench.

A seeded, deterministic, physically grounded data set: the phase currents a drive
measures while a dynamometer runs the motor through many drive cycles and the
winding heats from 20 °C to 120 °C. Every sample carries its cycle id (a group
for group-aware splitting) and its regime (speed, torque, temperature); the
clean currents and the exact positions and kinds of the injected glitches come
with it as ground truth.

* :func:`motor_log`: the whole bench log (default 12 cycles × 1 s × 10 kHz).
* :func:`current_trace`: a short single-phase window with a load step and every
  glitch kind, for the smoothing and outlier demos.
* :func:`motor_windows`: per-window aggregates, features and a torque target.

Symbols: ϑ winding temperature (°C), T_e torque (N·m), n speed (rpm), p pole
pairs, θ electrical angle (rad), ω_e electrical angular speed (rad/s).

The bench
    The load machine holds the **speed**: per cycle a staircase of plateaus
    joined by ramps between 200 rpm and rated speed. The motor under test
    follows a **torque** command: plateaus between 2 N·m and rated torque joined
    by 10 ms ramps (a current loop settles in about a millisecond, so the
    current follows the command at once). The two are drawn independently, as
    on a dynamometer; every cycle has its own profile, and the plateau levels
    are spread over the whole range (one per stratum).

The physics
    Winding resistance, copper (IEC 60028: α_Cu = 0.00393 /K at 20 °C)::

        R(ϑ) = R20 · (1 + α_Cu · (ϑ − 20))                               Ω

    Magnet flux linkage, sintered NdFeB (reversible temperature coefficient of
    the remanence; magnet data sheets give about −0.09 to −0.12 %/K, we take
    −0.12 %/K)::

        ψ(ϑ) = ψ20 · (1 + α_ψ · (ϑ − 20)),   α_ψ = −0.0012 /K             Wb

    We assume the magnets sit at the winding temperature (in a real machine
    the rotor usually runs cooler and lags behind).

    Torque of a surface PMSM under field-oriented control with i_d = 0 (dq
    model with the amplitude-invariant Park transform, e.g. Krause, *Analysis
    of Electric Machinery*)::

        T_e = 1.5 · p · ψ(ϑ) · i_q   ⇒   i_q = T_e / (1.5 · p · ψ(ϑ))       A (peak)

    so the same torque needs more current as the magnets heat: at 120 °C
    ψ20 / ψ(120) = 1 / 0.88, i.e. 13.6 % more current than at 20 °C.

    Electrical angle::

        ω_e = p · 2π · n / 60,   θ(t) = θ0 + ∫ ω_e dt

    integrated with the trapezoidal rule, θ0 random per cycle, reported wrapped
    to [0, 2π) as an encoder would.

    **The convention** (the textbook one, the same as
    :func:`neuralab.signal.features.park`): θ is the electrical angle of the
    rotor **d axis**, the axis of the magnet flux (north pole), measured from
    the phase-a axis; the q axis leads it by 90°. With θ_k = θ − k · 2π/3,
    k = 0, 1, 2 for phases a, b, c, the magnet flux linked by phase k and its
    back-EMF are::

        ψ_k = ψ(ϑ) · cos θ_k,   e_k = dψ_k/dt = −ω_e · ψ(ϑ) · sin θ_k       Wb, V

    The amplitude-invariant Park transform, i_d = i_α cos θ + i_β sin θ and
    i_q = −i_α sin θ + i_β cos θ after the Clarke transform, reads in phase
    quantities::

        i_d = (2/3) · Σ_k i_k · cos θ_k,   i_q = −(2/3) · Σ_k i_k · sin θ_k   A

    (:func:`park_q` is the second). The trap: an encoder offset of half a turn
    (d axis put on the south pole, flux −ψ cos θ_k) flips the signs of i_d and
    i_q, so motoring torque reads as braking; a quarter turn swaps them
    (one with its sign flipped).

    Phase currents, i_d = 0 (all the current on the q axis, in phase with the
    back-EMF: −sin θ_k = cos(θ_k + π/2))::

        i_k = −A · [sin θ_k + h5 · sin(5 θ_k + φ5) + h7 · sin(7 θ_k + φ7)],   A = i_q > 0

    Park gives i_d = 0 and i_q = +A for the fundamental. The 5th (negative
    sequence, 3 %) and 7th (positive sequence, 1.5 %) harmonics stand for
    dead-time distortion and back-EMF harmonics; in the rotor frame the 5th
    turns backwards and the 7th forwards, both at 6θ::

        i_d + j·i_q = j·A + A · [h5 · e^{−j(6θ + φ5 + π/2)} + h7 · e^{j(6θ + φ7 + π/2)}]

    a ripple of at most (h5 + h7) · A (with φ5 = π, φ7 = 0: (h5 + h7) · A · cos 6θ
    on i_q, (h5 − h7) · A · sin 6θ on i_d) that averages out over whole
    electrical periods. Neither is a multiple of 3, so neither has a
    zero-sequence part: ia + ib + ic = 0 exactly for the clean currents (a
    star-connected winding without neutral could not carry zero-sequence
    current anyway). In the measured currents a non-zero sum is a sensor
    fault: spikes show up in it, dropouts and stuck frames do not.

    Phase-a voltage (clean; fundamental back-EMF only), from the flux linkage
    λ_a = L · i_a + ψ cos θ_a::

        v_a = R(ϑ) · i_a + L · di_a/dt − ω_e · ψ(ϑ) · sin θ_a                V

    In the rotor frame, at steady state with i_d = 0::

        v_d = R i_d − ω_e L i_q = −ω_e L A,   v_q = R i_q + ω_e L i_d + ω_e ψ = R A + ω_e ψ
        v_a = v_d · cos θ − v_q · sin θ

    so the voltage phasor leads the current by atan(ω_e L A / (R A + ω_e ψ)):
    a motor draws lagging current, like any inductive load.

    Winding temperature, first-order heating with losses that grow with load::

        τ_th · dϑ/dt = ϑ_amb + R_th · P(t) − ϑ,   P ∝ (T_e / T_rated)² + 0.3 · (n / n_rated)²

    The trap: a real winding has τ_th of 10–40 minutes. This log is a
    **time-lapse**: τ_th is a third of the whole logged time, so a few seconds
    of log span a heat run, each cycle has its own temperature range, early
    cycles warm fast and late ones level off. R_th is set so that the hottest
    sample is exactly 120 °C (a heat run to the insulation limit); ϑ_amb = 20 °C
    and the log starts cold. The load varies, so the temperature may dip a
    little between cycles.

The sensors (Hall current sensors into a 12-bit ADC)
    * noise: Gaussian, σ = 1 % of rated current (sensor noise plus the PWM
      ripple left after centre-aligned sampling);
    * offset: per phase, a start-up offset (σ = 0.2 % of rated), a thermal drift
      (σ = 0.005 % of rated per kelvin) and a slow random walk (σ = 0.1 % of
      rated per √s, drawn at 100 Hz and interpolated);
    * quantization: 12 bits over ±50 A (LSB = 24.4 mA), clipped at the rails.

The glitches (frame-level: a corrupted frame hits all three phases at once)
    1 spike: an isolated wild value, a jump of 25–50 A with a random sign per
    phase, then clipped at the ±50 A rails (so at least about 22 A from the
    truth); some come as a *cluster* of five within nine samples, and every
    log with glitches has at least one cluster (the case where a global
    z-score breaks down: the cluster inflates σ and hides itself).
    2 dropout: a run of 3–12 exact zeros. 3 stuck: a run of 5–20 samples
    repeating the last good frame. Glitches never touch each other, never
    cross a cycle boundary, and a stuck run always repeats a good sample.
    ``glitch_rate`` is glitch *events* per sample: a log of n samples holds
    round(glitch_rate · n) events (at least one cluster when the rate is > 0).

Aliasing check: at rated speed f_e = p · n / 60 = 100 Hz, so the 7th harmonic
(700 Hz) stays below the Nyquist frequency of the slowest allowed rate
(2 kHz / 2 = 1 kHz).

The modelling lesson (:func:`motor_windows`)
    Predict torque from the fundamental current amplitude and the speed. A
    model fitted on cool windows (at ϑ_cool) learns the cool torque constant
    1.5 · p · ψ(ϑ_cool) and over-estimates the torque of hot windows by
    ψ(ϑ_cool)/ψ(ϑ) − 1, 13.6 % from 20 °C to 120 °C. Temperature is a hidden
    regime variable; speed does not help (it plays no part in the torque law).
    Adding temperature as a feature removes most of the error; a linear model
    still leaves a residue because the law is a product,
    T_e = K_t20 · (1 + α_ψ · (ϑ − 20)) · i_q, not a sum: a feature i_q · ϑ fixes it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy.integrate import cumulative_trapezoid
from scipy.signal import lfilter

from neuralab.checks import check_array
from neuralab.params import SEED, Float, Int, ParamError, ParamSpec, Rule

__all__ = [
    "BENCH_FS",
    "CONSTANTS",
    "CURRENT",
    "CurrentTrace",
    "GLITCH_KINDS",
    "MAX_SAMPLES",
    "MOTOR",
    "MotorConstants",
    "MotorLog",
    "MotorWindows",
    "TRACE_F_HZ",
    "TRACE_NOISE_A",
    "WINDOWS",
    "bench_windows",
    "current_trace",
    "demo_trace",
    "electrical_hz",
    "flux_linkage",
    "motor_log",
    "motor_windows",
    "park_q",
    "phase_currents",
    "torque_current",
    "winding_resistance",
]


@dataclass(frozen=True)
class MotorConstants:
    """Nameplate and model constants of the simulated motor and its current sensors.

    A 4-pole-pair, 20 N·m, 1500 rpm (about 3 kW) servo motor on a 325 V DC bus:
    back-EMF at rated speed ω_e · ψ20 = 94 V peak, below the 188 V (V_dc/√3) the
    inverter can apply.
    """

    pole_pairs: int = 4  # p
    r20_ohm: float = 0.25  # phase resistance at 20 °C, Ω
    psi20_wb: float = 0.15  # magnet flux linkage (peak, per phase) at 20 °C, Wb
    l_h: float = 3e-3  # synchronous inductance L_d = L_q (surface magnets), H
    i_rated_a: float = 25.0  # rated phase current, peak, A
    torque_rated_nm: float = 20.0  # rated torque, N·m
    speed_rated_rpm: float = 1500.0  # rated (and maximum) speed, rpm
    alpha_cu_per_k: float = 0.00393  # copper resistance coefficient at 20 °C, 1/K
    alpha_psi_per_k: float = -0.0012  # NdFeB remanence coefficient, 1/K (−0.12 %/K)
    t_ref_c: float = 20.0  # reference temperature of R20 and ψ20, °C
    h5: float = 0.03  # 5th harmonic, share of the fundamental
    h7: float = 0.015  # 7th harmonic, share of the fundamental
    phi5_rad: float = np.pi  # phase of the 5th harmonic, rad
    phi7_rad: float = 0.0  # phase of the 7th harmonic, rad
    noise_frac: float = 0.01  # sensor noise σ, share of rated current
    offset_frac: float = 0.002  # start-up offset σ, share of rated current
    offset_drift_frac_per_k: float = 5e-5  # thermal offset drift σ, share of rated current per K
    offset_walk_frac: float = 0.001  # offset random walk σ, share of rated current per √s
    adc_bits: int = 12  # ADC resolution, bits
    full_scale_a: float = 50.0  # ADC range ±full_scale, A

    @property
    def kt20(self) -> float:
        """Torque constant at 20 °C, 1.5 · p · ψ20, in N·m per ampere (peak)."""
        return 1.5 * self.pole_pairs * self.psi20_wb

    @property
    def lsb_a(self) -> float:
        """One ADC step in amperes."""
        return 2 * self.full_scale_a / 2**self.adc_bits

    @property
    def noise_sigma_a(self) -> float:
        """Sensor noise σ in amperes."""
        return self.noise_frac * self.i_rated_a


CONSTANTS = MotorConstants()

#: glitch_kind codes
GLITCH_KINDS = {0: "none", 1: "spike", 2: "dropout", 3: "stuck"}

T_AMB_C = 20.0  # ambient and start temperature, °C
T_MAX_C = 120.0  # hottest sample of a log, °C
SPEED_MIN_RPM = 200.0
TORQUE_MIN_NM = 2.0
TORQUE_RISE_S = 0.01  # torque command ramp time, s
MAX_SAMPLES = 1_000_000  # cap on cycles · seconds · fs

_BETA = 2 * np.pi / 3
_SLOT = 32  # samples per glitch slot: at most one event per slot, never touching the next
_CLUSTER = np.array([0, 2, 3, 5, 8])  # spike positions of a cluster, relative to its start
_EVENT_P = (0.55, 0.1, 0.2, 0.15)  # chance of spike, spike cluster, dropout, stuck per event

# --------------------------------------------------------------------------- parameters

FS = Int(2000, 20000, 10000, step=1000, unit="Hz", label="Sampling rate", help="Current samples per second.")
GLITCH_RATE = Float(
    0.0,
    0.01,
    0.002,
    step=0.0005,
    label="Glitch rate",
    unit="per sample",
    help="Expected glitch events (spike, spike cluster, dropout, stuck run) per sample.",
)


def _size_ok(v: dict) -> bool:
    return v["cycles"] * round(v["seconds"] * v["fs"]) <= MAX_SAMPLES


MOTOR = ParamSpec(
    "motor",
    cycles=Int(2, 40, 12, label="Drive cycles", help="Recorded cycles; the winding heats across them."),
    seconds=Float(0.2, 5.0, 1.0, step=0.1, unit="s", label="Cycle length", help="Logged seconds per cycle."),
    fs=FS,
    glitch_rate=GLITCH_RATE,
    seed=SEED,
    rules=[
        Rule(
            ("cycles", "seconds", "fs"),
            _size_ok,
            lambda v: (
                f"cycles × seconds × fs must be at most {MAX_SAMPLES:,} samples; got {v['cycles']} × "
                f"{v['seconds']:g} s × {v['fs']} Hz = {v['cycles'] * round(v['seconds'] * v['fs']):,}."
            ),
        )
    ],
)

CURRENT = ParamSpec(
    "current_trace",
    n=Int(500, 20000, 2000, step=100, unit="samples", label="Samples", help="Length of the window."),
    fs=FS,
    speed_rpm=Float(SPEED_MIN_RPM, 1500.0, 750.0, step=10, unit="rpm", label="Speed", help="Constant speed."),
    torque_nm=Float(1.0, 20.0, 12.0, step=0.5, unit="N·m", label="Torque", help="Torque after the load step."),
    temp_c=Float(20.0, 120.0, 60.0, step=1, unit="°C", label="Winding temperature", help="Hotter needs more current."),
    noise_pct=Float(0.0, 10.0, 3.0, step=0.5, unit="%", label="Sensor noise", help="σ as a share of rated current."),
    glitch_rate=GLITCH_RATE,
    seed=SEED,
)

WINDOWS = ParamSpec(
    "motor_windows",
    window_s=Float(0.005, 1.0, 0.05, step=0.005, unit="s", label="Window", help="Length of each aggregated window."),
)

# --------------------------------------------------------------------------- physics


def _finite(name: str, x: np.ndarray | float) -> np.ndarray:
    return check_array(x, name, ndim=None, min_len=0)


def winding_resistance(temp_c: np.ndarray | float, c: MotorConstants = CONSTANTS) -> np.ndarray:
    """Phase resistance R(ϑ) = R20 · (1 + α_Cu · (ϑ − 20)) in Ω; ``temp_c`` is ϑ in °C."""
    t = _finite("temp_c", temp_c)
    return c.r20_ohm * (1 + c.alpha_cu_per_k * (t - c.t_ref_c))


def flux_linkage(temp_c: np.ndarray | float, c: MotorConstants = CONSTANTS) -> np.ndarray:
    """Magnet flux linkage ψ(ϑ) = ψ20 · (1 + α_ψ · (ϑ − 20)) in Wb; ``temp_c`` is ϑ in °C."""
    t = _finite("temp_c", temp_c)
    return c.psi20_wb * (1 + c.alpha_psi_per_k * (t - c.t_ref_c))


def electrical_hz(speed_rpm: float, c: MotorConstants = CONSTANTS) -> float:
    """Electrical frequency ``f_e = p · n / 60`` in Hz of the phase currents at ``speed_rpm``."""
    return float(c.pole_pairs * speed_rpm / 60)


def torque_current(
    torque_nm: np.ndarray | float, temp_c: np.ndarray | float, c: MotorConstants = CONSTANTS
) -> np.ndarray:
    """Current amplitude i_q = T_e / (1.5 · p · ψ(ϑ)) in A (peak) that makes ``torque_nm`` with i_d = 0."""
    return _finite("torque_nm", torque_nm) / (1.5 * c.pole_pairs * flux_linkage(temp_c, c))


def phase_currents(theta: np.ndarray, amplitude: np.ndarray | float, c: MotorConstants = CONSTANTS) -> np.ndarray:
    """Clean phase currents with i_d = 0 and i_q = ``amplitude``, shape ``(3, n)`` (rows a, b, c) in A.

    ``i_k = −A · [sin θ_k + h5 · sin(5 θ_k + φ5) + h7 · sin(7 θ_k + φ7)]`` with
    ``θ_k = θ − k · 2π/3``; ``theta`` is the rotor d-axis (magnet flux) electrical
    angle in rad, ``amplitude`` A in A. The fundamental −A sin θ_k is in phase
    with the back-EMF −ω ψ sin θ_k: Park (textbook convention) gives i_q = +A.

    Speed trick: one complex exponential ``z = e^{jθ}`` and its powers ``z⁵, z⁷``
    replace nine sine evaluations: ``sin(hθ_k + φ) = Im z^h · cos(φ − hkβ) + Re z^h · sin(φ − hkβ)``,
    a ``(3, 6)`` matrix times the ``(6, n)`` basis.
    """
    theta = _finite("theta", theta)
    amp = _finite("amplitude", amplitude)
    z = np.exp(1j * theta.ravel())
    z2 = z * z
    z5 = z2 * z2 * z
    z7 = z5 * z2
    basis = np.stack([z.imag, z.real, z5.imag, z5.real, z7.imag, z7.real])  # (6, n)
    mix = np.zeros((3, 6))
    for j, (h, share, phi) in enumerate(((1, 1.0, 0.0), (5, c.h5, c.phi5_rad), (7, c.h7, c.phi7_rad))):
        shift = phi - h * _BETA * np.arange(3)
        mix[:, 2 * j], mix[:, 2 * j + 1] = share * np.cos(shift), share * np.sin(shift)
    return -amp * (mix @ basis).reshape((3,) + theta.shape)  # minus: i_q = +A is along −sin θ_k


# --------------------------------------------------------------------------- profiles


def _knots(holds: np.ndarray, ramps: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knot times and values of hold, ramp, hold, …: ``len(levels)`` plateaus, one ramp between each."""
    durations = np.empty(len(holds) + len(ramps))
    durations[0::2], durations[1::2] = holds, ramps
    return np.concatenate([[0.0], np.cumsum(durations)]), np.repeat(levels, 2)


def _levels(rng: np.random.Generator, k: int, lo: float, hi: float) -> np.ndarray:
    """``k`` plateau levels in [lo, hi], one per stratum in shuffled order: a cycle always spans the range."""
    return lo + (hi - lo) * (rng.permutation(k) + rng.uniform(0, 1, k)) / k


def _speed_profile(rng: np.random.Generator, t: np.ndarray, seconds: float, c: MotorConstants) -> np.ndarray:
    k = int(rng.integers(3, 6))
    levels = _levels(rng, k, SPEED_MIN_RPM, c.speed_rated_rpm)
    d = rng.dirichlet(np.full(2 * k - 1, 2.0)) * seconds
    times, values = _knots(d[0::2], d[1::2], levels)
    return np.interp(t, times, values)


def _torque_profile(rng: np.random.Generator, t: np.ndarray, seconds: float, c: MotorConstants) -> np.ndarray:
    k = int(rng.integers(3, 7))
    levels = _levels(rng, k, TORQUE_MIN_NM, c.torque_rated_nm)
    rise = min(TORQUE_RISE_S, seconds / (4 * k))
    holds = rng.dirichlet(np.full(k, 2.0)) * (seconds - (k - 1) * rise)
    times, values = _knots(holds, np.full(k - 1, rise), levels)
    return np.interp(t, times, values)


def _temperature(speed: np.ndarray, torque: np.ndarray, fs: int, c: MotorConstants) -> np.ndarray:
    """First-order heating over the whole log (time-lapse: τ_th is a third of it), 20 → 120 °C."""
    heat = (torque / c.torque_rated_nm) ** 2 + 0.3 * (speed / c.speed_rated_rpm) ** 2
    tau_s = len(heat) / fs / 3
    a = np.exp(-1.0 / (fs * tau_s))
    rise = lfilter([1 - a], [1, -a], heat)  # starts cold: zero initial state
    return T_AMB_C + (T_MAX_C - T_AMB_C) * rise / rise.max()


# --------------------------------------------------------------------------- sensors and glitches


def _glitch_plan(
    rng: np.random.Generator, n_blocks: int, block: int, rate: float, require: tuple[int, ...]
) -> np.ndarray:
    """``(n_blocks * block,)`` int8 glitch kinds; events sit in slots that never cross a block.

    Event codes: 0 spike, 1 spike cluster, 2 dropout, 3 stuck; ``require`` lists the
    events that must occur at least once (when ``rate > 0``).
    """
    kind = np.zeros(n_blocks * block, dtype=np.int8)
    per_block = (block - 1) // _SLOT
    n_slots = n_blocks * per_block
    if rate == 0 or n_slots < len(require):
        return kind
    m = min(n_slots, max(len(require), round(rate * n_blocks * block)))
    slots = np.sort(rng.choice(n_slots, size=m, replace=False))
    what = rng.choice(4, size=m, p=_EVENT_P)
    what[rng.permutation(m)[: len(require)]] = require
    starts = (slots // per_block) * block + (slots % per_block) * _SLOT + 1 + rng.integers(0, 4, m)
    lengths = np.where(what == 2, rng.integers(3, 13, m), rng.integers(5, 21, m))
    for s, w, n_run in zip(starts, what, lengths, strict=True):
        if w == 0:
            kind[s] = 1
        elif w == 1:
            kind[s + _CLUSTER] = 1
        else:
            kind[s : s + n_run] = w
    return kind


def _measure(rng: np.random.Generator, analog: np.ndarray, kind: np.ndarray, c: MotorConstants) -> np.ndarray:
    """ADC reading of ``analog`` ``(k, n)`` with the glitches of ``kind`` applied to every row."""
    x = analog.copy()
    spikes = np.flatnonzero(kind == 1)
    size = (x.shape[0], len(spikes))
    x[:, spikes] += rng.choice([-1.0, 1.0], size=size) * rng.uniform(0.5, 1.0, size=size) * c.full_scale_a
    half = 2 ** (c.adc_bits - 1)
    q = np.clip(np.round(x / c.lsb_a), -half, half - 1) * c.lsb_a
    q[:, kind == 2] = 0.0
    idx = np.arange(kind.size)
    last_good = np.maximum.accumulate(np.where(kind != 3, idx, 0))
    stuck = kind == 3
    q[:, stuck] = q[:, last_good[stuck]]
    return q


def _offsets(rng: np.random.Generator, temp_c: np.ndarray, fs: int, c: MotorConstants) -> np.ndarray:
    """``(3, n)`` sensor offsets in A: start-up value + thermal drift + slow random walk."""
    n = temp_c.size
    i0 = c.i_rated_a
    start = rng.normal(0.0, c.offset_frac * i0, (3, 1))
    drift = rng.normal(0.0, c.offset_drift_frac_per_k * i0, (3, 1)) * (temp_c - T_AMB_C)
    walk_fs = 100.0  # the walk is drawn at 100 Hz and interpolated: drift is slow
    n_walk = int(np.ceil(n / fs * walk_fs)) + 2
    steps = rng.normal(0.0, c.offset_walk_frac * i0 / np.sqrt(walk_fs), (3, n_walk))
    steps[:, 0] = 0.0
    walk = np.cumsum(steps, axis=1)
    t_walk, t = np.arange(n_walk) / walk_fs, np.arange(n) / fs
    return start + drift + np.vstack([np.interp(t, t_walk, w) for w in walk])


# --------------------------------------------------------------------------- the log


@dataclass(frozen=True)
class MotorLog:
    """A bench log: ``n = cycles · samples_per_cycle`` samples, cycles one after another."""

    t: np.ndarray  # (n,) s, time since the start of the log
    cycle: np.ndarray  # (n,) int, drive-cycle id 0 … cycles − 1 (the group), contiguous runs
    speed_rpm: np.ndarray  # (n,) rpm, mechanical speed
    torque_nm: np.ndarray  # (n,) N·m, electromagnetic torque
    temp_c: np.ndarray  # (n,) °C, winding (and magnet) temperature
    theta: np.ndarray  # (n,) rad, electrical angle of the rotor d axis (magnet flux), wrapped to [0, 2π)
    amplitude: np.ndarray  # (n,) A, true fundamental amplitude i_q = T_e / (1.5 p ψ(ϑ))
    ia: np.ndarray  # (n,) A, measured phase currents: clean + offset + noise, quantized, glitched
    ib: np.ndarray  # (n,) A
    ic: np.ndarray  # (n,) A
    ia_clean: np.ndarray  # (n,) A, true phase currents (fundamental + 5th + 7th)
    ib_clean: np.ndarray  # (n,) A
    ic_clean: np.ndarray  # (n,) A
    offset: np.ndarray  # (n, 3) A, true sensor offsets of phases a, b, c
    va: np.ndarray  # (n,) V, clean phase-a voltage R i + L di/dt − ω_e ψ sin θ
    glitch: np.ndarray  # (n,) bool, True where the frame is corrupted
    glitch_kind: np.ndarray  # (n,) int8, 0 none, 1 spike, 2 dropout, 3 stuck (GLITCH_KINDS)
    fs: int  # Hz, sampling rate
    seconds: float  # s, logged length of one cycle
    samples_per_cycle: int  # samples per cycle
    constants: MotorConstants  # the motor and sensor constants used

    @property
    def n(self) -> int:
        return len(self.t)

    @property
    def cycles(self) -> int:
        return self.n // self.samples_per_cycle

    @property
    def noise_sigma(self) -> float:
        """Sensor noise σ in A."""
        return self.constants.noise_sigma_a


def motor_log(
    cycles: int = 12, seconds: float = 1.0, fs: int = 10000, glitch_rate: float = 0.002, seed: int = 0
) -> MotorLog:
    """Simulate ``cycles`` bench drive cycles of ``seconds`` each at ``fs`` Hz (deterministic in ``seed``).

    See the module docstring for the equations, the constants and the glitch model.
    """
    MOTOR.validate(cycles=cycles, seconds=seconds, fs=fs, glitch_rate=glitch_rate, seed=seed)
    c = CONSTANTS
    rng = np.random.default_rng(seed)
    n_c = round(seconds * fs)
    tc = np.arange(n_c) / fs
    speed = np.vstack([_speed_profile(rng, tc, seconds, c) for _ in range(cycles)])  # (cycles, n_c)
    torque = np.vstack([_torque_profile(rng, tc, seconds, c) for _ in range(cycles)])  # (cycles, n_c)
    temp = _temperature(speed.ravel(), torque.ravel(), fs, c).reshape(cycles, n_c)
    omega_e = c.pole_pairs * 2 * np.pi * speed / 60  # (cycles, n_c) rad/s
    theta0 = rng.uniform(0, 2 * np.pi, (cycles, 1))
    theta = np.mod(theta0 + cumulative_trapezoid(omega_e, dx=1 / fs, axis=1, initial=0), 2 * np.pi)
    amp = torque_current(torque, temp, c)
    clean = phase_currents(theta.ravel(), amp.ravel(), c)  # (3, n)
    ia2 = clean[0].reshape(cycles, n_c)
    va = winding_resistance(temp, c) * ia2 + c.l_h * np.gradient(ia2, 1 / fs, axis=1)
    va -= omega_e * flux_linkage(temp, c) * np.sin(theta)  # back-EMF d(ψ cos θ)/dt
    offset = _offsets(rng, temp.ravel(), fs, c)  # (3, n)
    analog = clean + offset + rng.normal(0.0, c.noise_sigma_a, clean.shape)
    kind = _glitch_plan(rng, cycles, n_c, glitch_rate, require=(1,))
    meas = _measure(rng, analog, kind, c)
    return MotorLog(
        t=np.arange(cycles * n_c) / fs,
        cycle=np.repeat(np.arange(cycles), n_c),
        speed_rpm=speed.ravel(),
        torque_nm=torque.ravel(),
        temp_c=temp.ravel(),
        theta=theta.ravel(),
        amplitude=amp.ravel(),
        ia=meas[0],
        ib=meas[1],
        ic=meas[2],
        ia_clean=clean[0],
        ib_clean=clean[1],
        ic_clean=clean[2],
        offset=offset.T,
        va=va.ravel(),
        glitch=kind != 0,
        glitch_kind=kind,
        fs=fs,
        seconds=float(seconds),
        samples_per_cycle=n_c,
        constants=c,
    )


# --------------------------------------------------------------------------- a short window


@dataclass(frozen=True)
class CurrentTrace:
    """Phase-a current over a short window with a load step halfway: half torque, then full torque."""

    t: np.ndarray  # (n,) s
    noisy: np.ndarray  # (n,) A, measured: clean + noise, 12-bit quantized, glitched
    clean: np.ndarray  # (n,) A, true current (fundamental + 5th + 7th)
    amplitude: np.ndarray  # (n,) A, true fundamental amplitude: the height the peaks should have
    glitch: np.ndarray  # (n,) bool
    glitch_kind: np.ndarray  # (n,) int8, 0 none, 1 spike, 2 dropout, 3 stuck
    fs: int  # Hz
    sigma: float  # A, noise σ


def current_trace(
    n: int = 2000,
    fs: int = 10000,
    speed_rpm: float = 750.0,
    torque_nm: float = 12.0,
    temp_c: float = 60.0,
    noise_pct: float = 3.0,
    glitch_rate: float = 0.002,
    seed: int = 0,
) -> CurrentTrace:
    """One phase current at constant speed and temperature, for smoothing and outlier demos.

    The torque steps from ``torque_nm / 2`` to ``torque_nm`` at the middle (2 ms ramp), so the
    peaks have two true heights (``amplitude``) that a smoother should keep. No offset drift:
    over a fraction of a second it is a constant that start-up calibration removes. With
    ``glitch_rate > 0`` there is always at least one spike cluster, one isolated spike, one
    dropout and one stuck run.
    """
    CURRENT.validate(
        n=n,
        fs=fs,
        speed_rpm=speed_rpm,
        torque_nm=torque_nm,
        temp_c=temp_c,
        noise_pct=noise_pct,
        glitch_rate=glitch_rate,
        seed=seed,
    )
    c = CONSTANTS
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    mid = t[n // 2]
    torque = torque_nm * (0.5 + 0.5 * np.clip((t - mid) / 0.002, 0.0, 1.0))
    amp = torque_current(torque, temp_c, c)
    theta = rng.uniform(0, 2 * np.pi) + c.pole_pairs * 2 * np.pi * speed_rpm / 60 * t
    clean = phase_currents(theta, amp, c)[0]
    sigma = noise_pct / 100 * c.i_rated_a
    analog = clean + rng.normal(0.0, sigma, n)
    kind = _glitch_plan(rng, 1, n, glitch_rate, require=(1, 0, 2, 3))
    noisy = _measure(rng, analog[None, :], kind, c)[0]
    return CurrentTrace(t, noisy, clean, amp, kind != 0, kind, fs, sigma)


# --------------------------------------------------------------------------- windows for modelling


@dataclass(frozen=True)
class MotorWindows:
    """Non-overlapping windows of a log, aggregated; windows never straddle two cycles.

    ``y`` is torque. ``X`` holds (i_amp, speed_rpm): a model fitted on cool windows
    over-estimates hot torque by ψ(ϑ_cool)/ψ(ϑ) − 1. ``X_temp`` adds temp_c.
    """

    start: np.ndarray  # (m,) int, index of each window's first sample in the log
    t: np.ndarray  # (m,) s, window centre time
    cycle: np.ndarray  # (m,) int, cycle id (group)
    speed_rpm: np.ndarray  # (m,) rpm, mean
    torque_nm: np.ndarray  # (m,) N·m, mean
    temp_c: np.ndarray  # (m,) °C, mean
    i_rms: np.ndarray  # (m,) A, RMS of the measured phase currents (all three phases)
    i_amp: np.ndarray  # (m,) A, fundamental amplitude from the measured currents (mean Park i_q)
    i_amp_clean: np.ndarray  # (m,) A, the same from the clean currents
    glitch_frac: np.ndarray  # (m,) share of glitched samples in the window
    X: np.ndarray  # (m, 2) features i_amp (A), speed_rpm (rpm)
    X_temp: np.ndarray  # (m, 3) features i_amp (A), speed_rpm (rpm), temp_c (°C)
    y: np.ndarray  # (m,) N·m, target: mean torque
    feature_names: tuple[str, ...]  # column names of X_temp (X is the first two)
    window: int  # samples per window
    window_s: float  # s

    @property
    def current_per_torque(self) -> np.ndarray:
        """(m,) fundamental current per newton-metre of each window, A/(N·m): ``i_amp / torque``.

        It rises with temperature as the magnet weakens: the same torque needs more current.
        """
        return self.i_amp / self.torque_nm


def park_q(ia: np.ndarray, ib: np.ndarray, ic: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Torque-producing current ``i_q = −(2/3) · Σ_k i_k · sin(θ − k · 2π/3)`` in A.

    The amplitude-invariant Park transform's q row (the same numbers as
    ``neuralab.signal.features.park(*clarke(ia, ib, ic), theta)[1]``), ``theta``
    the rotor d-axis electrical angle in rad. For the motoring currents
    ``i_k = −A sin θ_k`` of :func:`phase_currents` it returns ``+A`` at every
    sample; the 5th and 7th harmonics add a ripple at 6θ that averages out over
    whole electrical periods. A common-mode current (or offset) in all three
    phases cancels, because Σ_k sin θ_k = 0.
    """
    arrays = {"ia": ia, "ib": ib, "ic": ic, "theta": theta}
    ia, ib, ic, theta = (_finite(name, x) for name, x in arrays.items())
    if not ia.shape == ib.shape == ic.shape == theta.shape:
        shapes = ", ".join(f"{name} {np.shape(x)}" for name, x in arrays.items())
        raise ParamError([f"ia, ib, ic and theta must have the same shape; got {shapes}."])
    s, co = np.sin(theta), np.cos(theta)
    # sin(θ − kβ) = sin θ cos kβ − cos θ sin kβ, with cos β = −1/2, sin β = √3/2
    r3 = np.sqrt(3) / 2
    return -(2 / 3) * (ia * s + ib * (-0.5 * s - r3 * co) + ic * (-0.5 * s + r3 * co))


def _blocks(x: np.ndarray, cycles: int, n_c: int, nw: int, w: int) -> np.ndarray:
    """``(cycles, nw, w)`` view of the first ``nw · w`` samples of each cycle."""
    return x.reshape(cycles, n_c)[:, : nw * w].reshape(cycles, nw, w)


def motor_windows(log: MotorLog, window_s: float = 0.05) -> MotorWindows:
    """Aggregate ``log`` over windows of ``window_s`` seconds, per cycle (the remainder is dropped)."""
    if not isinstance(log, MotorLog):
        raise ParamError([f"log must be a MotorLog from motor_log(); got {type(log).__name__}."])
    WINDOWS.validate(window_s=window_s)
    if window_s > log.seconds:
        raise ParamError([f"window_s must be at most the cycle length of {log.seconds:g} s; got {window_s:g} s."])
    cycles, n_c = log.cycles, log.samples_per_cycle
    w = max(1, round(window_s * log.fs))
    nw = n_c // w

    def mean(x: np.ndarray) -> np.ndarray:
        return _blocks(x, cycles, n_c, nw, w).mean(axis=-1).ravel()

    i_amp = mean(park_q(log.ia, log.ib, log.ic, log.theta))
    i_amp_clean = mean(park_q(log.ia_clean, log.ib_clean, log.ic_clean, log.theta))
    i_rms = np.sqrt(mean((log.ia**2 + log.ib**2 + log.ic**2) / 3))
    speed, torque, temp = mean(log.speed_rpm), mean(log.torque_nm), mean(log.temp_c)
    start = (np.arange(cycles)[:, None] * n_c + np.arange(nw)[None, :] * w).ravel()
    return MotorWindows(
        start=start,
        t=(start + w / 2) / log.fs,
        cycle=log.cycle[start],
        speed_rpm=speed,
        torque_nm=torque,
        temp_c=temp,
        i_rms=i_rms,
        i_amp=i_amp,
        i_amp_clean=i_amp_clean,
        glitch_frac=mean(log.glitch.astype(np.float64)),
        X=np.column_stack([i_amp, speed]),
        X_temp=np.column_stack([i_amp, speed, temp]),
        y=torque,
        feature_names=("i_amp", "speed_rpm", "temp_c"),
        window=w,
        window_s=float(window_s),
    )


# --------------------------------------------------------------------------- the demo signals, generated once per seed

#: Fundamental of :func:`demo_trace` (the default speed of :data:`CURRENT`), Hz.
TRACE_F_HZ = electrical_hz(CURRENT.fields["speed_rpm"].default)
#: Sensor-noise σ of :func:`demo_trace` (the default noise of :data:`CURRENT`), A.
TRACE_NOISE_A = CURRENT.fields["noise_pct"].default / 100 * CONSTANTS.i_rated_a
#: Sampling rate of :func:`bench_windows`' log, Hz: above twice the 7th harmonic at rated speed (700 Hz).
BENCH_FS = 2000


def _frozen(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.setflags(write=False)


@lru_cache(maxsize=16)
def _demo_trace(seed: int, glitches: bool) -> CurrentTrace:
    tr = current_trace(seed=seed, glitch_rate=CURRENT.fields["glitch_rate"].default if glitches else 0.0)
    _frozen(tr.t, tr.noisy, tr.clean, tr.amplitude, tr.glitch, tr.glitch_kind)
    return tr


def _seed(seed: Any) -> int:
    try:
        return SEED.coerce("seed", seed)
    except ValueError as exc:
        raise ParamError([str(exc)]) from None


def demo_trace(seed: int = 0, glitches: bool = True) -> CurrentTrace:
    """The demo current (the defaults of :data:`CURRENT`: 2,000 samples at 10 kHz), cached per seed.

    Without ``glitches`` for smoothing (a pipeline handles outliers before it smooths);
    with them for the outlier detectors. The arrays are shared between callers, so they
    are read-only.

    Args:
        seed: draws the phase, the noise and the glitches.
        glitches: inject glitches at the default rate of :data:`CURRENT`.
    """
    if not isinstance(glitches, bool | np.bool_):
        raise ParamError([f"glitches must be True or False; got {glitches!r:.40}."])
    return _demo_trace(_seed(seed), bool(glitches))


@lru_cache(maxsize=8)
def _bench_windows(seed: int) -> MotorWindows:
    w = motor_windows(motor_log(seed=seed, fs=BENCH_FS))
    _frozen(*(getattr(w, f.name) for f in dataclasses.fields(w) if isinstance(getattr(w, f.name), np.ndarray)))
    return w


def bench_windows(seed: int = 0) -> MotorWindows:
    """The bench log (the defaults of :data:`MOTOR`: 12 drive cycles while the winding heats) in 50 ms windows.

    Logged at :data:`BENCH_FS` = 2 kHz, above twice the 7th harmonic at rated speed
    (700 Hz): the same 240 windows as at 10 kHz, built in about 7 ms instead of 40, so
    a new seed stays interactive. Cached per seed; the arrays are read-only.
    """
    return _bench_windows(_seed(seed))
