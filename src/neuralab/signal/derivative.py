"""Speed from a quantized angle: finite difference, Savitzky–Golay slope and a Kalman filter, scored.

An incremental encoder reports the rotor angle in whole counts: with ``cpr`` counts per
revolution the angle is known to one step ``q = 2π / cpr`` rad. Differentiating it to get
speed amplifies that rounding, and every cure trades noise for lag:

* :func:`finite_difference`: ``(θ_i − θ_{i−1}) / dt``; one count more or less in one sample
  period is a speed step of ``q / dt``: at 1,024 counts and 1 kHz that is 58.6 rpm.
* :func:`savgol_slope`: the slope of a degree-``order`` polynomial fitted by least squares to
  ``window`` samples (:func:`scipy.signal.savgol_filter` with ``deriv=1``). Read at the
  centre of the window it is noise-optimal among polynomial fits, and in real time it
  arrives ``(window − 1) / 2`` samples late.
* :func:`kalman`: a Kalman filter on a constant-velocity (or constant-acceleration) model of
  the rotor, with measurement variance ``q² / 12`` (uniform rounding error) and a process
  noise that says how fast the speed may change. Its gain settles to the steady state of
  the discrete algebraic Riccati equation; for the constant-velocity model that steady
  state is the α–β filter of Kalata's tracking index (:func:`alpha_beta`).

:func:`compare` runs all three on a drive profile with ramps, holds and a reversal
(:func:`speed_profile`) and measures error, lag and noise (:func:`metrics`);
:func:`tradeoff` sweeps the window and the process noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import signal
from scipy.linalg import solve_discrete_are
from scipy.ndimage import maximum_filter1d, uniform_filter1d
from scipy.optimize import minimize_scalar

from neuralab.checks import check_array
from neuralab.params import SEED, Choice, Float, Int, ParamError, ParamSpec

__all__ = [
    "BITS",
    "DERIVATIVES",
    "FS_HZ",
    "KALMAN_MODEL",
    "PROCESS_NOISE",
    "RPM",
    "SG_ORDER",
    "SG_WINDOW",
    "TRADEOFF",
    "Comparison",
    "Estimate",
    "Filtered",
    "Metrics",
    "Profile",
    "Tradeoff",
    "alpha_beta",
    "compare",
    "finite_difference",
    "kalman",
    "metrics",
    "model_matrices",
    "quantize",
    "savgol_slope",
    "speed_profile",
    "steady_gain",
    "tradeoff",
]

RPM = 60.0 / (2.0 * np.pi)  # rad/s -> rpm
FS_HZ = 1000  # the encoder is read once per millisecond, a common speed-loop rate
SG_ORDER = 2  # the SG polynomial degree; a centred slope is the same for orders 1 and 2
MAX_SAMPLES = 200_000  # longest signal the Kalman loop accepts
LAG_BOUNDS_S = (-0.02, 0.3)  # the delays searched by metrics()
SETTLE_S = 0.1  # noise is read once the speed has held still this long

BITS = Int(6, 12, 10, label="Encoder resolution", unit="bits",
           help="2^bits counts per revolution: 6 bits = 64, 10 bits = 1,024, 12 bits = 4,096 counts.")
SG_WINDOW = Int(5, 151, 31, step=2, label="Savitzky–Golay window", unit="samples",
                help="Samples in each polynomial fit (1 sample = 1 ms); longer is smoother and later.")
PROCESS_NOISE = Float(1.0, 1e6, 1e3, step=0.1, log=True, label="Kalman process noise σ_w", unit="rad/s² (CA: rad/s³)",
                      help="How hard the speed may change from one sample to the next: "
                      "acceleration noise for constant velocity, jerk noise for constant acceleration.")
KALMAN_MODEL = Choice((("cv", "Constant velocity"), ("ca", "Constant acceleration")), "cv", label="Kalman model",
                      help="The motion the filter assumes between samples, disturbed by the process noise.")

DERIVATIVES = ParamSpec("derivatives", bits=BITS, window=SG_WINDOW, process_noise=PROCESS_NOISE, model=KALMAN_MODEL,
                        seed=SEED)
TRADEOFF = ParamSpec("tradeoff", bits=BITS, model=KALMAN_MODEL, seed=SEED)


def _fail(message: str) -> ParamError:
    return ParamError([message])


def _signal(x: object, name: str = "theta", min_len: int = 2) -> np.ndarray:
    return check_array(x, name, ndim=1, min_len=min_len, max_size=MAX_SAMPLES)


def _dt(dt: object) -> float:
    return _positive("dt", dt)


def _positive(name: str, value: object) -> float:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        v = float("nan")
    if not (np.isfinite(v) and v > 0):
        raise _fail(f"{name} must be a positive finite number; got {value!r:.40}.")
    return v


# --------------------------------------------------------------------------- the three estimators


def finite_difference(theta: object, dt: float) -> np.ndarray:
    """Backward difference ``ω_i = (θ_i − θ_{i−1}) / dt`` (``ω_0 = 0``), the newest reading only.

    Its delay is half a sample; its noise is one quantization step per sample period.
    """
    arr, dt = _signal(theta), _dt(dt)
    return np.diff(arr, prepend=arr[0]) / dt


def savgol_slope(theta: object, dt: float, window: int = 31, order: int = SG_ORDER,
                 realtime: bool = True) -> np.ndarray:
    """Slope of the least-squares polynomial over ``window`` samples (``savgol_filter(deriv=1, delta=dt)``).

    ``realtime=False`` returns the slope at the centre of each window (offline, no delay; the
    ends come from the first and last full window, ``mode="interp"``). ``realtime=True`` gives
    what a controller has at sample ``i``: the slope of the window that ends at ``i``, read at its
    centre, so it arrives ``(window − 1) / 2`` samples late (the first ``window − 1`` outputs come from
    the first full window).
    """
    arr, dt = _signal(theta), _dt(dt)
    try:
        window = SG_WINDOW.coerce("window", window)
        order = Int(1, 5, SG_ORDER).coerce("order", order)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if order >= window:
        raise _fail(f"order must be below window; got order = {order}, window = {window}.")
    if arr.size < window:
        raise _fail(f"theta has {arr.size} samples; window = {window} must fit inside it.")
    slope = signal.savgol_filter(arr, window, order, deriv=1, delta=dt, mode="interp")
    if not realtime:
        return slope
    half = (window - 1) // 2
    return np.concatenate([np.full(half, slope[0]), slope[: arr.size - half]])  # ω̂_i = centred slope at i − half


def model_matrices(model: str, dt: float, sigma_w: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``F`` (transition), ``Q`` (process covariance) and ``H`` (measurement row) of a motion model.

    * ``"cv"``: state ``[θ, ω]``; the acceleration is white between samples, constant over each
      one, with standard deviation ``sigma_w``: ``Q = σ_w² g gᵀ``, ``g = [dt²/2, dt]``.
    * ``"ca"``: state ``[θ, ω, α]``; the same for the jerk: ``g = [dt³/6, dt²/2, dt]``.

    Both measure the angle only: ``H = [1, 0(, 0)]``.
    """
    dt = _dt(dt)
    if model == "cv":
        F, g = np.array([[1.0, dt], [0.0, 1.0]]), np.array([dt**2 / 2, dt])
    elif model == "ca":
        F = np.array([[1.0, dt, dt**2 / 2], [0.0, 1.0, dt], [0.0, 0.0, 1.0]])
        g = np.array([dt**3 / 6, dt**2 / 2, dt])
    else:
        raise _fail(f"model must be one of cv, ca; got {model!r:.40}.")
    H = np.zeros((1, F.shape[0]))
    H[0, 0] = 1.0
    return F, sigma_w**2 * np.outer(g, g), H


@dataclass(frozen=True)
class Filtered:
    """A Kalman filter's run: the state estimates and the gain it used at each sample."""

    x: np.ndarray  # (n, d) state after each update: θ rad, ω rad/s (, α rad/s²)
    gain: np.ndarray  # (n, d) Kalman gain K_k used at sample k
    P: np.ndarray  # (d, d) error covariance after the last update
    settled: int  # first sample whose gain equals the one before it (to 1e-13); n if none does


@lru_cache(maxsize=64)
def _gains(model: str, dt: float, sigma_w: float, r: float, n: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The gain sequence: the covariance recursion does not depend on the data, so it runs once."""
    F, Q, _ = model_matrices(model, dt, sigma_w)
    d = F.shape[0]
    P = np.diag([r] + [1e6 * r / dt ** (2 * i) for i in range(1, d)])  # the angle to a count; the rest unknown
    gains = np.empty((n, d))
    for k in range(n):
        P = F @ P @ F.T + Q  # predict the covariance
        K = P[:, 0] / (P[0, 0] + r)  # the gain P Hᵀ / (H P Hᵀ + r): H = [1, 0, ...] picks the angle
        P = P - np.outer(K, P[0])  # update the covariance: (I − K H) P
        gains[k] = K
        if k and np.abs(K - gains[k - 1]).max() <= 1e-13 * np.abs(K).max():
            gains[k + 1 :] = K  # converged: every later step repeats it
            break
    gains.setflags(write=False)
    return gains, P, k


def kalman(theta: object, dt: float, sigma_w: float = 1e3, r: float | None = None, model: str = "cv",
           cpr: int | None = None) -> Filtered:
    """Kalman filter of angle measurements ``theta`` (rad) under a motion model (:func:`model_matrices`).

    Each sample: **predict** ``x ← F x``, ``P ← F P Fᵀ + Q``; **update** with the gain
    ``K = P Hᵀ / (H P Hᵀ + r)``: ``x ← x + K (z − H x)``, ``P ← (I − K H) P``.
    The measurement variance ``r`` defaults to a uniform rounding error of one encoder step,
    ``q² / 12`` with ``q = 2π / cpr``. The covariance and gain do not depend on the
    measurements, so they are computed once per setting and reused.

    The trap: ``sigma_w`` is a belief about the motion, not a measured noise. Too small and
    the filter trusts its model through every ramp (lag); too large and it follows the rounding.
    """
    z = _signal(theta)
    dt = _dt(dt)
    if r is None:
        if cpr is None:
            raise _fail("give r (the measurement variance, rad²) or cpr (encoder counts per revolution).")
        r = (2 * np.pi / int(cpr)) ** 2 / 12
    r, sigma_w = _positive("r", r), _positive("sigma_w", sigma_w)
    F, _, _ = model_matrices(model, dt, sigma_w)
    gains, P, settled = _gains(model, dt, sigma_w, r, z.size)
    d = F.shape[0]
    x = np.zeros(d)
    x[0] = z[0]
    out = np.empty((z.size, d))
    loop = min(z.size, settled + d)  # step by step until the gain has been constant for d steps
    for k in range(loop):
        x = F @ x  # predict
        x = x + gains[k] * (z[k] - x[0])  # update: the innovation is the measured minus the predicted angle
        out[k] = x
    if loop < z.size:
        out[loop:] = _steady(F, gains[-1], z, out, loop)
    return Filtered(out, np.array(gains), P, settled if settled < z.size - 1 else z.size)


def _steady(F: np.ndarray, K: np.ndarray, z: np.ndarray, out: np.ndarray, start: int) -> np.ndarray:
    """The rest of the run with a constant gain: a fixed IIR filter per state, run by :func:`scipy.signal.lfilter`.

    With ``K`` constant, ``x_k = A x_{k−1} + K z_k``, ``A = (I − K H) F``: each state is a linear
    filter of the measurements (:func:`scipy.signal.ss2tf`), started from the last ``d`` states and
    measurements (:func:`scipy.signal.lfiltic`). The same numbers as the loop, without the loop.
    """
    d = F.shape[0]
    A = F - np.outer(K, F[0])  # (I − K H) F
    num, den = signal.ss2tf(A, K[:, None], A, K[:, None])  # ξ_k = x_{k−1}: ξ_{k+1} = A ξ_k + K z_k, x_k = A ξ_k + K z_k
    past_z = z[start - d : start][::-1]
    rest = np.empty((z.size - start, d))
    for i in range(d):
        zi = signal.lfiltic(num[i], den, out[start - d : start, i][::-1], past_z)
        rest[:, i] = signal.lfilter(num[i], den, z[start:], zi=zi)[0]
    return rest


def steady_gain(model: str, dt: float, sigma_w: float, r: float) -> np.ndarray:
    """The steady-state Kalman gain from the discrete algebraic Riccati equation (its dual, filter form).

    :func:`scipy.linalg.solve_discrete_are` with ``(Fᵀ, Hᵀ, Q, r)`` gives the predicted
    covariance ``P⁻``; the gain is ``K = P⁻ Hᵀ / (H P⁻ Hᵀ + r)``.
    """
    F, Q, H = model_matrices(model, dt, sigma_w)
    P = solve_discrete_are(F.T, H.T, Q, np.array([[r]]))
    return (P @ H.T / (H @ P @ H.T + r))[:, 0]


def alpha_beta(sigma_w: float, sigma_v: float, dt: float) -> tuple[float, float]:
    """Steady-state α and β of the constant-velocity filter from the tracking index ``λ = σ_w dt² / σ_v``.

    Kalata (1984), for the piecewise-constant white acceleration of :func:`model_matrices`::

        α = −(λ² + 8λ − (λ + 4) √(λ² + 8λ)) / 8,   β = (λ² + 4λ − λ √(λ² + 8λ)) / 4

    The Kalman gain settles to ``[α, β / dt]``.
    """
    lam = sigma_w * dt**2 / sigma_v
    root = np.sqrt(lam**2 + 8 * lam)
    return float(-(lam**2 + 8 * lam - (lam + 4) * root) / 8), float((lam**2 + 4 * lam - lam * root) / 4)


# --------------------------------------------------------------------------- the drive and its encoder


@dataclass(frozen=True)
class Profile:
    """A speed profile and the encoder's view of it."""

    t: np.ndarray  # (n,) s
    speed: np.ndarray  # (n,) rad/s, true mechanical speed
    accel: np.ndarray  # (n,) rad/s², true acceleration
    theta: np.ndarray  # (n,) rad, true angle (multi-turn)
    theta_q: np.ndarray  # (n,) rad, the encoder's angle: whole counts
    cpr: int  # counts per revolution
    dt: float  # s

    @property
    def q(self) -> float:
        """One encoder count, rad."""
        return 2 * np.pi / self.cpr


#: (time s, speed rpm) corners of the drive profile: a hold, a ramp, a hold, a reversal, a hold, a stop.
CORNERS = ((0.0, 0.0), (0.1, 0.0), (0.35, 1200.0), (0.75, 1200.0), (1.15, -600.0), (1.55, -600.0), (1.7, 0.0),
           (2.0, 0.0))
JERK_S = 0.04  # the corners are rounded over this long (jerk-limited ramps, as a drive's ramp generator does)


def quantize(theta: np.ndarray, cpr: int) -> np.ndarray:
    """The angle as an encoder reports it: whole counts (``floor``), times one count ``2π / cpr``."""
    q = 2 * np.pi / cpr
    return np.floor(np.asarray(theta) / q) * q


@lru_cache(maxsize=32)
def _profile(cpr: int, seed: int) -> Profile:
    dt = 1.0 / FS_HZ
    t = np.arange(round(CORNERS[-1][0] * FS_HZ)) * dt
    ct, cv = np.array(CORNERS).T
    speed = uniform_filter1d(np.interp(t, ct, cv / RPM), round(JERK_S * FS_HZ), mode="nearest")
    accel = np.gradient(speed, dt)
    theta0 = np.random.default_rng(seed).uniform(0, 2 * np.pi)
    theta = theta0 + np.concatenate([[0.0], np.cumsum((speed[1:] + speed[:-1]) / 2) * dt])
    p = Profile(t, speed, accel, theta, quantize(theta, cpr), cpr, dt)
    for a in (p.t, p.speed, p.accel, p.theta, p.theta_q):
        a.setflags(write=False)
    return p


def speed_profile(bits: int = 10, seed: int = 0) -> Profile:
    """The drive profile of :data:`CORNERS` sampled at :data:`FS_HZ`, and its quantized angle.

    The speed ramps to 1,200 rpm, holds, reverses to −600 rpm, holds and stops, with the corners
    rounded over :data:`JERK_S`; the angle is its integral from a random start (``seed``), read by an
    encoder of ``2**bits`` counts per revolution.
    Cached per setting; the arrays are read-only.
    """
    v = DERIVATIVES.validate(bits=bits, seed=seed)
    return _profile(2 ** v["bits"], v["seed"])


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Metrics:
    """One speed estimate against the truth."""

    rms: float  # rad/s, RMS error over the whole run
    lag_s: float  # s, the delay d that minimises the RMS of ω̂(t) − ω(t − d)
    noise: float  # rad/s, RMS of ω̂(t) − ω(t − lag) while the delayed speed holds still (after SETTLE_S)


def _held(p: Profile, lag_s: float) -> np.ndarray:
    """(n,) bool: ``lag_s`` earlier, the true speed had held still for the preceding SETTLE_S."""
    moving = np.abs(p.accel) > 1e-9
    w = round(SETTLE_S / p.dt)
    held = ~maximum_filter1d(moving, w, origin=(w - 1) // 2, mode="nearest")  # still over [i − w + 1, i]
    shift = round(lag_s / p.dt)
    return np.concatenate([np.zeros(shift, bool), held[: held.size - shift]]) if shift > 0 else held


def metrics(estimate: np.ndarray, p: Profile) -> Metrics:
    """Error RMS, lag and noise of a speed ``estimate`` (rad/s) of profile ``p``.

    Lag: the delay ``d`` in :data:`LAG_BOUNDS_S` minimising ``RMS(ω̂(t) − ω(t − d))``, the true
    speed interpolated between samples (:func:`scipy.optimize.minimize_scalar`, bounded).
    Noise: the RMS of ``ω̂(t) − ω(t − d)`` over the samples where ``ω(t − d)`` has held still for
    :data:`SETTLE_S`: what is left when the speed is constant and the delay is taken out.
    """
    est = check_array(estimate, "estimate", ndim=1, min_len=p.t.size)
    if est.size != p.t.size:
        raise _fail(f"estimate must have {p.t.size} samples, one per profile sample; got {est.size}.")

    def late(d: float) -> np.ndarray:
        return est - np.interp(p.t - d, p.t, p.speed)

    lag = float(minimize_scalar(lambda d: float(np.mean(late(d) ** 2)), bounds=LAG_BOUNDS_S, method="bounded",
                                options={"xatol": 1e-5}).x)
    held = _held(p, lag)
    return Metrics(float(np.sqrt(np.mean((est - p.speed) ** 2))), lag, float(np.sqrt(np.mean(late(lag)[held] ** 2))))


# --------------------------------------------------------------------------- on the drive profile


@dataclass(frozen=True)
class Estimate:
    """One method's speed estimate and its scores."""

    name: str  # "Finite difference", ...
    speed: np.ndarray  # (n,) rad/s
    metrics: Metrics


@dataclass(frozen=True)
class Comparison:
    """The three estimators on one encoder, at one window and one process noise."""

    profile: Profile
    estimates: tuple[Estimate, ...]  # finite difference, Savitzky–Golay, Kalman
    window: int  # SG window, samples
    process_noise: float  # σ_w
    model: str  # "cv" or "ca"
    kalman_gain: np.ndarray  # (n, d) the Kalman gain at each sample
    settled: int  # the sample from which the gain no longer changes (n: never, within the run)

    @property
    def r(self) -> float:
        """The measurement variance q² / 12, rad²."""
        return self.profile.q**2 / 12


def _kalman_name(model: str) -> str:
    return f"Kalman ({'constant velocity' if model == 'cv' else 'constant acceleration'})"


def compare(bits: int = 10, window: int = 31, process_noise: float = 1e3, model: str = "cv",
            seed: int = 0) -> Comparison:
    """Finite difference, real-time SG slope and Kalman filter on the drive profile, each scored."""
    v = DERIVATIVES.validate(bits=bits, window=window, process_noise=process_noise, model=model, seed=seed)
    p = _profile(2 ** v["bits"], v["seed"])
    r = p.q**2 / 12
    kf = kalman(p.theta_q, p.dt, v["process_noise"], r, v["model"])
    est = (("Finite difference", finite_difference(p.theta_q, p.dt)),
           (f"Savitzky–Golay ({v['window']} samples)", savgol_slope(p.theta_q, p.dt, v["window"])),
           (_kalman_name(v["model"]), kf.x[:, 1]))
    return Comparison(p, tuple(Estimate(n, s, metrics(s, p)) for n, s in est), v["window"], v["process_noise"],
                      v["model"], kf.gain, kf.settled)


# --------------------------------------------------------------------------- the trade-off

SWEEP_WINDOWS = (5, 9, 15, 21, 31, 41, 61, 81, 101, 151)  # SG windows of the sweep, samples
SWEEP_NOISE = tuple(float(x) for x in np.logspace(0, 6, 13))  # σ_w of the sweep


@dataclass(frozen=True)
class Tradeoff:
    """Noise against lag for each method as its knob turns."""

    cpr: int
    model: str
    finite_difference: Metrics  # one point: it has no knob
    windows: tuple[int, ...]
    savgol: tuple[Metrics, ...]  # one per window
    process_noise: tuple[float, ...]
    kalman: tuple[Metrics, ...]  # one per σ_w


@lru_cache(maxsize=16)
def _tradeoff(cpr: int, model: str, seed: int) -> Tradeoff:
    p = _profile(cpr, seed)
    r = p.q**2 / 12
    sg = tuple(metrics(savgol_slope(p.theta_q, p.dt, w), p) for w in SWEEP_WINDOWS)
    kf = tuple(metrics(kalman(p.theta_q, p.dt, s, r, model).x[:, 1], p) for s in SWEEP_NOISE)
    return Tradeoff(cpr, model, metrics(finite_difference(p.theta_q, p.dt), p), SWEEP_WINDOWS, sg, SWEEP_NOISE, kf)


def tradeoff(bits: int = 10, model: str = "cv", seed: int = 0) -> Tradeoff:
    """Lag and noise of the SG slope at every window of :data:`SWEEP_WINDOWS` and of the Kalman filter at every
    σ_w of :data:`SWEEP_NOISE`, with the finite difference's single point. Cached per setting."""
    v = TRADEOFF.validate(bits=bits, model=model, seed=seed)
    return _tradeoff(2 ** v["bits"], v["model"], v["seed"])

