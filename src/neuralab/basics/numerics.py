"""Where floating point bites in training, measured: overflow, underflow, lost digits.

* :func:`limits` reads ``torch.finfo`` for float16, bfloat16 and float32: the largest value, the
  smallest normal value (``tiny``), the machine epsilon and the smallest subnormal (``tiny · eps``).
* :func:`softmax` computes a softmax the naive way (``exp(z) / sum(exp(z))``), max-shifted and
  through ``torch.logsumexp``, in float16 and float32. ``exp`` overflows once a logit passes
  ``ln(max)`` of the dtype; shifting by the largest logit makes every exponent ≤ 0, so nothing can.
* :func:`loss_scaling` casts a small gradient to float16 (it becomes subnormal, then zero), and
  shows what multiplying the loss by a scale S does: the gradient is S·g in float16, then divided
  by S in float32, as ``torch.amp.GradScaler`` does; too large an S overflows to inf instead.
* :func:`log_sigmoid` compares ``log(sigmoid(x))`` with ``F.logsigmoid`` in float32, and
  sigmoid + ``binary_cross_entropy`` with ``binary_cross_entropy_with_logits``, loss and gradient.
* :func:`cancellation` computes the variance of sensor samples on a large DC offset in float32 as
  E[x²] − E[x]² with running sums, in two passes, and with Welford's update, against float64.

Every number comes from numpy or torch when the function runs; nothing is tabulated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from neuralab.checks import fail
from neuralab.params import Choice, Float, Int, ParamSpec

__all__ = ["CANCEL", "DTYPES", "LOGSIG", "SCALES", "SCALING", "SOFTMAX", "BASE_LOGITS", "Cancellation", "Limit",
           "LogSigmoid", "Scaling", "Softmax", "cancellation", "limits", "loss_scaling", "log_sigmoid",
           "overflow_logit", "softmax", "welford"]

#: The dtypes the softmax section compares, and the ones whose limits it lists.
DTYPES = {"float16": torch.float16, "float32": torch.float32}
LIMIT_DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}
#: The shape of the logit vector; the slider scales it so that its largest entry is the chosen value.
BASE_LOGITS = (1.0, 0.8, 0.3, -0.5)
#: Loss scales offered: none, then powers of two (GradScaler starts at 2^16).
SCALES = {"1": 1.0, "256": 2.0**8, "65536": 2.0**16, "16777216": 2.0**24}
N_SAMPLES = 4096  # sensor samples in the cancellation section
NOISE_STD = 1.0  # their noise, in ADC counts

SOFTMAX = ParamSpec(
    "numerics-softmax",
    numerics_logit=Float(1.0, 1000.0, 50.0, step=1.0, label="Largest logit",
                         help="The logits are this value times (1, 0.8, 0.3, −0.5)."),
)
SCALING = ParamSpec(
    "numerics-scaling",
    numerics_grad=Float(1e-9, 1e-2, 1e-8, step=0.1, log=True, label="Gradient magnitude",
                        help="One exact gradient value, before it is stored in float16."),
    numerics_scale=Choice((("1", "1 (no scaling)"), ("256", "2⁸ = 256"), ("65536", "2¹⁶ = 65 536"),
                           ("16777216", "2²⁴ = 16 777 216")), "65536", label="Loss scale S",
                          help="The loss is multiplied by S before backward, the gradient divided by S after."),
)
LOGSIG = ParamSpec(
    "numerics-logsig",
    numerics_x=Float(-200.0, 20.0, -100.0, step=1.0, label="Logit x",
                     help="The input of the sigmoid; the target is y = 1."),
)
CANCEL = ParamSpec(
    "numerics-cancel",
    numerics_offset=Float(0.1, 1e6, 1e4, step=0.1, log=True, label="DC offset", unit="counts",
                          help="A constant added to every sample; the noise on top has a standard deviation of 1."),
    numerics_seed=Int(0, 99, 0, label="Seed", help="Draws another set of noise samples."),
)


# ----------------------------------------------------------------------------- limits


@dataclass(frozen=True)
class Limit:
    """The range of one floating-point format, from ``torch.finfo``."""

    name: str
    bits: int
    max: float  # largest finite value
    tiny: float  # smallest positive normal value
    eps: float  # gap between 1 and the next representable value
    subnormal: float  # smallest positive value at all (tiny · eps)
    exp_overflow: float  # ln(max): the largest x whose exp(x) is finite


def limits() -> list[Limit]:
    """float16, bfloat16 and float32, as torch describes them."""
    out = []
    for name, dt in LIMIT_DTYPES.items():
        fi = torch.finfo(dt)
        out.append(Limit(name, fi.bits, float(fi.max), float(fi.tiny), float(fi.eps), float(fi.tiny * fi.eps),
                         math.log(float(fi.max))))
    return out


def overflow_logit(dtype: str) -> float:
    """ln(max) of ``dtype`` from ``np.finfo``: beyond it ``exp`` returns inf."""
    if dtype not in DTYPES:
        raise fail(f"dtype must be one of {', '.join(DTYPES)}; got {dtype!r}.")
    return math.log(float(np.finfo(np.dtype(dtype)).max))  # in float64: np.log of a float16 rounds


# ----------------------------------------------------------------------------- softmax


@dataclass(frozen=True)
class Softmax:
    """The softmax of one logit vector, three ways, per dtype (values cast to float64 for display)."""

    logits: np.ndarray  # (K,) float64
    reference: np.ndarray  # (K,) float64 max-shifted softmax
    naive: dict[str, np.ndarray]  # dtype -> exp(z) / sum(exp(z)), computed in that dtype
    stable: dict[str, np.ndarray]  # dtype -> exp(z - max) / sum(exp(z - max))
    via_lse: dict[str, np.ndarray]  # dtype -> exp(z - logsumexp(z))
    lse: dict[str, float]  # dtype -> torch.logsumexp(z)
    naive_sum: dict[str, float]  # dtype -> sum(exp(z)) in that dtype (inf once it overflows)
    threshold: dict[str, float]  # dtype -> ln(max): the largest logit whose exp is finite
    sweep: np.ndarray  # (S,) largest logits for the chart
    sweep_exp: dict[str, np.ndarray]  # dtype -> exp(largest logit) in that dtype (inf past the threshold)


def _softmax_in(z: np.ndarray, dt: torch.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    t = torch.tensor(z, dtype=dt)
    e = torch.exp(t)
    naive = e / e.sum()
    shifted = torch.exp(t - t.max())
    stable = shifted / shifted.sum()
    lse = torch.logsumexp(t, dim=0)
    via = torch.exp(t - lse)
    return (naive.double().numpy(), stable.double().numpy(), via.double().numpy(), float(lse), float(e.sum()))


def softmax(numerics_logit: float) -> Softmax:
    """The softmax of ``numerics_logit · BASE_LOGITS`` naive, max-shifted and by logsumexp, in float16 and float32."""
    v = SOFTMAX.validate(numerics_logit=numerics_logit)
    z = v["numerics_logit"] * np.array(BASE_LOGITS)
    e = np.exp(z - z.max())
    parts = {name: _softmax_in(z, dt) for name, dt in DTYPES.items()}
    sweep = np.geomspace(SOFTMAX.fields["numerics_logit"].lo, SOFTMAX.fields["numerics_logit"].hi, 241)
    return Softmax(
        logits=z, reference=e / e.sum(),
        naive={k: p[0] for k, p in parts.items()}, stable={k: p[1] for k, p in parts.items()},
        via_lse={k: p[2] for k, p in parts.items()}, lse={k: p[3] for k, p in parts.items()},
        naive_sum={k: p[4] for k, p in parts.items()}, threshold={k: overflow_logit(k) for k in DTYPES},
        sweep=sweep,
        sweep_exp={k: torch.exp(torch.tensor(sweep, dtype=dt)).double().numpy() for k, dt in DTYPES.items()},
    )


# ----------------------------------------------------------------------------- loss scaling


def _kind(x: float) -> str:
    """'zero', 'subnormal', 'normal' or 'inf' for a float16 value."""
    a = abs(x)
    if math.isinf(a):
        return "inf"
    if a == 0:
        return "zero"
    return "subnormal" if a < torch.finfo(torch.float16).tiny else "normal"


@dataclass(frozen=True)
class Scaling:
    """One gradient through float16, with and without a loss scale."""

    grad: float  # the true gradient (float64)
    scale: float  # S
    fp16: float  # the gradient cast to float16, unscaled
    fp16_kind: str  # zero, subnormal or normal
    scaled: float  # S·g in float16 (inf when it overflows)
    scaled_kind: str  # zero, subnormal, normal or inf
    recovered: float  # float32(scaled) / S: what the optimizer sees
    rel_error: float  # |recovered − g| / g (inf on overflow)
    sweep: np.ndarray  # (G,) gradient magnitudes for the chart
    kept: dict[str, np.ndarray]  # scale key -> recovered / g over the sweep (nan where it overflowed)


def _recover(g: np.ndarray, scale: float) -> np.ndarray:
    """float32(float16(S·g)) / S, elementwise, as GradScaler's unscale step does."""
    scaled = torch.tensor(g * scale, dtype=torch.float64).half()
    return (scaled.float() / scale).double().numpy()


def loss_scaling(numerics_grad: float, numerics_scale: str) -> Scaling:
    """Cast ``numerics_grad`` to float16 as is, and scaled by ``SCALES[numerics_scale]`` then unscaled in float32."""
    v = SCALING.validate(numerics_grad=numerics_grad, numerics_scale=numerics_scale)
    g, s = v["numerics_grad"], SCALES[v["numerics_scale"]]
    fp16 = float(torch.tensor(g, dtype=torch.float64).half())
    scaled = float(torch.tensor(g * s, dtype=torch.float64).half())
    recovered = float(_recover(np.array([g]), s)[0])
    rel = abs(recovered - g) / g if math.isfinite(recovered) else math.inf
    sweep = np.geomspace(1e-10, 1.0, 301)
    kept = {}
    for key, sc in SCALES.items():
        r = _recover(sweep, sc) / sweep
        kept[key] = np.where(np.isfinite(r), r, np.nan)
    return Scaling(g, s, fp16, _kind(fp16), scaled, _kind(scaled), recovered, rel, sweep, kept)


# ----------------------------------------------------------------------------- log-sigmoid


@dataclass(frozen=True)
class LogSigmoid:
    """log σ(x) and the binary cross-entropy for target 1, the naive and the fused way, in float32."""

    x: float
    reference: float  # −log(1 + e^−x) in float64 (np.logaddexp)
    naive: float  # log(sigmoid(x)) in float32
    stable: float  # F.logsigmoid(x) in float32
    bce_naive: float  # F.binary_cross_entropy(sigmoid(x), 1)
    bce_logits: float  # F.binary_cross_entropy_with_logits(x, 1)
    grad_naive: float  # d bce_naive / dx by autograd
    grad_logits: float  # d bce_logits / dx by autograd
    last_finite: float  # most negative x (on a 0.01 grid) where the naive log σ is still finite
    sweep: np.ndarray  # (S,) x for the chart
    sweep_naive: np.ndarray  # log(sigmoid) in float32 (−inf where it failed)
    sweep_stable: np.ndarray  # logsigmoid in float32
    sweep_bce_naive: np.ndarray
    sweep_bce_logits: np.ndarray


def _bce(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss sigmoid+BCE, loss with logits, their gradients) for target 1, elementwise."""
    y = torch.ones_like(x)
    a, b = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    la = F.binary_cross_entropy(torch.sigmoid(a), y, reduction="none")
    lb = F.binary_cross_entropy_with_logits(b, y, reduction="none")
    la.sum().backward()
    lb.sum().backward()
    return la.detach(), lb.detach(), a.grad, b.grad


def log_sigmoid(numerics_x: float) -> LogSigmoid:
    """log σ(``numerics_x``) and the BCE for target 1, computed naively and by torch's fused functions (float32)."""
    v = LOGSIG.validate(numerics_x=numerics_x)
    x = v["numerics_x"]
    t = torch.tensor([x], dtype=torch.float32)
    la, lb, ga, gb = _bce(t)
    grid = torch.arange(-20000, 2001, dtype=torch.float32) / 100  # −200 … 20 by 0.01
    finite = torch.isfinite(torch.log(torch.sigmoid(grid)))
    sweep = torch.linspace(-200.0, 20.0, 441)
    sa, sb, _, _ = _bce(sweep)
    return LogSigmoid(
        x=x, reference=-float(np.logaddexp(0.0, -x)),
        naive=float(torch.log(torch.sigmoid(t))), stable=float(F.logsigmoid(t)),
        bce_naive=float(la), bce_logits=float(lb), grad_naive=float(ga), grad_logits=float(gb),
        last_finite=float(grid[finite][0]),
        sweep=sweep.double().numpy(), sweep_naive=torch.log(torch.sigmoid(sweep)).double().numpy(),
        sweep_stable=F.logsigmoid(sweep).double().numpy(), sweep_bce_naive=sa.double().numpy(),
        sweep_bce_logits=sb.double().numpy(),
    )


# ----------------------------------------------------------------------------- cancellation


def welford(x: np.ndarray) -> np.ndarray:
    """Welford's running variance (divided by n) along axis 0, in the dtype of ``x``.

    ``x`` is (n,) or (n, m): m independent streams updated side by side, one sample at a time.
    """
    x = np.asarray(x)
    dt = x.dtype.type
    mean = np.zeros(x.shape[1:], x.dtype)
    m2 = np.zeros(x.shape[1:], x.dtype)
    for k in range(x.shape[0]):
        delta = x[k] - mean
        mean = mean + delta / dt(k + 1)
        m2 = m2 + delta * (x[k] - mean)
    return m2 / dt(x.shape[0])


def _methods(x32: np.ndarray) -> dict[str, np.ndarray]:
    """Variance (divided by n) along axis 0 of float32 samples, three ways, all arithmetic in float32."""
    n = np.float32(x32.shape[0])
    s1 = np.cumsum(x32, axis=0, dtype=np.float32)[-1]  # a running sum, one sample after another
    s2 = np.cumsum(x32 * x32, axis=0, dtype=np.float32)[-1]
    one_pass = s2 / n - (s1 / n) ** 2
    mean = s1 / n
    d = x32 - mean
    two_pass = np.cumsum(d * d, axis=0, dtype=np.float32)[-1] / n
    return {"one-pass": one_pass, "two-pass": two_pass, "welford": welford(x32)}


METHODS = ("one-pass", "two-pass", "welford")


@dataclass(frozen=True)
class Cancellation:
    """Variance of ``N_SAMPLES`` noisy samples on a DC offset, in float32 three ways, against float64."""

    offset: float
    n: int
    reference: float  # np.var of the same float32 samples, in float64
    estimate: dict[str, float]  # method -> float32 result
    rel_error: dict[str, float]  # method -> |estimate − reference| / reference
    sweep: np.ndarray  # (S,) offsets for the chart
    sweep_error: dict[str, np.ndarray]  # method -> relative error per offset


def _samples(offsets: np.ndarray, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0.0, NOISE_STD, N_SAMPLES)
    return (offsets[None, :] + noise[:, None]).astype(np.float32)  # (n, len(offsets))


def cancellation(numerics_offset: float, numerics_seed: int = 0) -> Cancellation:
    """The variance of ``N_SAMPLES`` samples ``offset + N(0, 1)``, stored as float32, computed three ways."""
    v = CANCEL.validate(numerics_offset=numerics_offset, numerics_seed=numerics_seed)
    f = CANCEL.fields["numerics_offset"]
    sweep = np.geomspace(f.lo, f.hi, 36)
    offsets = np.concatenate([[v["numerics_offset"]], sweep])
    x32 = _samples(offsets, v["numerics_seed"])
    ref = np.var(x32.astype(np.float64), axis=0)
    est = _methods(x32)
    err = {k: np.abs(e.astype(np.float64) - ref) / ref for k, e in est.items()}
    return Cancellation(
        offset=v["numerics_offset"], n=N_SAMPLES, reference=float(ref[0]),
        estimate={k: float(e[0]) for k, e in est.items()}, rel_error={k: float(e[0]) for k, e in err.items()},
        sweep=sweep, sweep_error={k: e[1:] for k, e in err.items()},
    )
