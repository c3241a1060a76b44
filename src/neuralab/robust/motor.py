"""The smallest sensor error that moves a virtual temperature sensor by a chosen amount: a safety-case question.

The network is /recurrent's GRU that estimates the motor's winding temperature from the logged current amplitude
i_q, speed and coolant temperature (each input a mean over a 10-s logging interval;
:func:`neuralab.train.sequence.thermal_model`, trained once per machine and cached). On one held-out drive cycle we
take the moment the winding is hottest, where thermal protection matters, and ask: how large an error on one input
channel, over the cycle up to that moment, lowers the estimate there by ``drop`` kelvin? An estimate that reads low
lets the drive run hot.

Three kinds of error, each given as the smallest ``ε`` (in the channel's own unit) found by bisection:

* **worst case**: any error sequence with ``|δₜ| ≤ ε`` at every sample, found by PGD on the estimate itself, or the
  constant offset if PGD does no better (the offset lies inside the same box). The ε found is an **upper bound** on
  the smallest harmful error: a stronger search might find a smaller one (the drop found at a given ε is, likewise,
  a lower bound on the worst drop);
* **offset**: the same ``±ε`` at every sample (a bias of the logged signal), the sign that lowers the estimate more;
* **random**: independent uniform errors in ``[−ε, ε]``, the mean estimate over :data:`DRAWS` draws.

The bisection assumes that a larger ε lowers the estimate at least as much, which holds for the offset's exact drop
but which PGD, a local search, does not guarantee. Readings are not clipped (an offset can push a reading below zero).

What the box is not: a fault model. It admits errors no sensor makes (a sign change every sample), leaves out gain
errors, drift, delay, stuck-at, dropouts and errors on several channels at once, bounds the logged 10-s means
rather than the raw sensor, and covers one cycle at one moment. If the ε found is inside the tolerance of the
signal the network reads, the margin is missing; if it is outside, nothing is proven.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from neuralab.data.sequences import FEATURES, TEMP_REF_C, TEMP_SCALE_C, thermal_cycles, thermal_split
from neuralab.nn.runtime import one_thread
from neuralab.params import Choice, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.robust.attacks import pgd
from neuralab.train import sequence
from neuralab.train.sequence import thermal_model

__all__ = ["CHANNELS", "MARGIN", "Margin", "kept", "margin"]

ARCH = "gru"  # /recurrent's default estimator
CHANNELS = {"current_a": ("Current amplitude i_q", "A"), "speed_rpm": ("Speed", "rpm"), "coolant_c": ("Coolant", "°C")}
N_TEST = 7  # held-out drive cycles of the default thermal split
REACH = 3.0  # the bisection searches ε up to this many training standard deviations of the channel
BISECT = 14  # halvings: the answer to within REACH · σ / 2¹⁴
DRAWS = 16  # random-noise draws averaged
STEPS = 20  # PGD steps per trial ε
MARGIN = ParamSpec(
    "robust-motor",
    motor_channel=Choice(tuple((k, f"{n} ({u})") for k, (n, u) in CHANNELS.items()), "current_a",
                         label="Sensor in error", help="The one input channel whose readings are wrong."),
    motor_drop=Float(1.0, 20.0, 5.0, step=1.0, unit="K", label="Estimate lowered by",
                     help="How far below its clean value the estimate must fall at the hottest moment."),
    motor_cycle=Int(1, N_TEST, 1, label="Test cycle", help="Which held-out drive cycle."),
)


def kept() -> bool:
    """The GRU is trained and on disk (by /recurrent or by this page's job), so the analysis takes seconds."""
    return sequence._thermal_model.kept(ARCH, 16, 0)


@dataclass(frozen=True)
class Margin:
    """The smallest error of each kind on one channel that lowers the estimate by ``drop`` at the hottest moment."""

    channel: str
    unit: str
    drop: float  # K
    cycle: int
    t_min: np.ndarray  # (T,) minutes
    truth_c: np.ndarray  # (T,) true winding temperature, °C
    clean_c: np.ndarray  # (T,) the GRU's estimate
    moment: int  # index of the hottest true temperature
    signal: np.ndarray  # (T,) the channel's clean reading, in its unit
    sigma: float  # the channel's training standard deviation, in its unit
    eps: dict[str, float | None]  # "worst" | "offset" | "random" -> smallest ε found (None: not within reach)
    reach: float  # the largest ε tried
    worst_signal: np.ndarray  # (T,) the channel under the worst-case error at eps["worst"] (or at reach)
    worst_c: np.ndarray  # (T,) the estimate under it
    offset_c: np.ndarray  # (T,) the estimate under the offset at eps["offset"] (or at reach)
    offset_sign: float  # +1.0 or −1.0: the sign of the offset applied (the one that lowers the estimate more)
    worst_is_offset: bool  # PGD found nothing that needs a smaller ε than the constant offset
    test_rmse_k: float  # the GRU's error on the test cycles, K

    def ratio(self, kind: str) -> float | None:
        """How many times the worst case's ε the other kind needs (None if either was not found)."""
        w, e = self.eps["worst"], self.eps[kind]
        return None if w is None or e is None or w == 0 else e / w


def _estimate(model: nn.Module, x: torch.Tensor, moment: int) -> torch.Tensor:
    """(B,) the estimate at ``moment``, scaled."""
    return model(x)[:, moment, 0]


def _bisect(drop_at, target: float, reach: float) -> float | None:
    if drop_at(reach) < target:
        return None
    lo, hi = 0.0, reach
    for _ in range(BISECT):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if drop_at(mid) >= target else (mid, hi)
    return hi


@one_thread()
def margin(motor_channel: str = "current_a", motor_drop: float = 5.0, motor_cycle: int = 1,
           progress: Progress = quiet) -> Margin:
    """Bisect the smallest worst-case, offset and random error on one channel; seconds once the GRU is trained."""
    v = MARGIN.validate(motor_channel=motor_channel, motor_drop=motor_drop, motor_cycle=motor_cycle)
    ch, drop, cyc = v["motor_channel"], v["motor_drop"], v["motor_cycle"]
    trained = thermal_model(ARCH, progress=lambda d, t: progress(d, 2 * t))
    model = trained.model()
    for p in model.parameters():
        p.requires_grad_(False)
    split = thermal_split()
    j = FEATURES.index(ch)
    x = torch.tensor(split.x_test[cyc - 1:cyc])  # (1, T, 3) scaled
    truth = split.y_test[cyc - 1, :, 0] * TEMP_SCALE_C + TEMP_REF_C
    moment = int(np.argmax(truth))
    sigma = float(split.scale_[j])
    reach = REACH * sigma
    mask = torch.zeros_like(x)
    mask[0, :moment + 1, j] = 1.0 / sigma  # an error of 1 unit on the channel, up to the moment, in the scaled input
    target = drop / TEMP_SCALE_C
    with torch.no_grad():
        clean = float(_estimate(model, x, moment))
    lower = lambda out, y: -out[:, moment, 0].sum()  # noqa: E731  the attacker lowers the estimate
    gen = torch.Generator().manual_seed(cyc)
    noise = 2 * torch.rand((DRAWS, *x.shape[1:]), generator=gen) - 1  # (DRAWS, T, 3) uniform in [−1, 1]

    def worst(eps: float) -> torch.Tensor:
        return pgd(model, x, torch.zeros(1), eps * mask, steps=STEPS, alpha=0.15, loss=lower, seed=cyc)

    @torch.no_grad()
    def offset_drop(eps: float) -> float:
        return clean - min(float(_estimate(model, x + s * eps * mask, moment)) for s in (1.0, -1.0))

    @torch.no_grad()
    def pgd_drop(eps: float) -> float:
        return clean - float(_estimate(model, worst(eps), moment))

    def worst_drop(eps: float) -> float:  # the offset lies inside the box too: the best of both searches
        return max(pgd_drop(eps), offset_drop(eps))

    @torch.no_grad()
    def random_drop(eps: float) -> float:
        return clean - float(_estimate(model, x + eps * noise * mask, moment).mean())

    eps: dict[str, float | None] = {}
    for i, (kind, f) in enumerate((("worst", worst_drop), ("offset", offset_drop), ("random", random_drop))):
        eps[kind] = _bisect(f, target, reach)
        progress(4 + i, 6)
    e_off = eps["offset"] if eps["offset"] is not None else reach
    sign = 1.0 if float(_estimate(model, x + e_off * mask, moment)) < float(_estimate(model, x - e_off * mask,
                                                                                     moment)) else -1.0
    e_w = eps["worst"] if eps["worst"] is not None else reach
    xw = worst(e_w)
    by_offset = offset_drop(e_w) >= pgd_drop(e_w)
    if by_offset:  # the constant offset at this ε, in the sign that lowers the estimate more
        s_w = 1.0 if float(_estimate(model, x + e_w * mask, moment)) < float(_estimate(model, x - e_w * mask,
                                                                                      moment)) else -1.0
        xw = x + s_w * e_w * mask
    with torch.no_grad():
        to_c = lambda out: out[0, :, 0].double().numpy() * TEMP_SCALE_C + TEMP_REF_C  # noqa: E731
        clean_c, worst_c = to_c(model(x)), to_c(model(xw))
        offset_c = to_c(model(x + sign * e_off * mask))
    raw = split.x_test[cyc - 1, :, j] * sigma + split.mean_[j]
    worst_raw = xw[0, :, j].double().numpy() * sigma + split.mean_[j]
    return Margin(ch, CHANNELS[ch][1], drop, cyc, thermal_cycles().t_min, truth, clean_c, moment, raw, sigma,
                  eps, reach, worst_raw, worst_c, offset_c, sign, by_offset, trained.test_rmse_k)

