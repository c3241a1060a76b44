"""Attribution maps of the compression zoo's digits CNN, against the same CNN with random weights.

The network is ``zoo.load("cnn")`` (trained once per machine and cached, the one /robustness attacks); its random
twin is ``zoo.build("cnn", 0)``, the same architecture with the weights it started training from, so the two differ
only by what training learned. Both are explained for the class the trained CNN predicts, on the 360 test digits as
the networks read them (each pixel standardized by its training mean and spread; :func:`neuralab.robust.digits.threat`).

The baseline of integrated gradients and the fill of occlusion is the **blank digit** (every pixel at raw grey level
0), the natural "no ink" reference; occlusion slides a 2 × 2 window with stride 1. Rank correlations compare the
absolute values of two maps (:func:`neuralab.explain.attributions.rank_correlation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from neuralab.compress import zoo
from neuralab.explain.attributions import METHODS, attribute, integrated_gradients, rank_correlation
from neuralab.nn.runtime import one_thread
from neuralab.params import Int, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.robust import digits as rd

__all__ = ["MAPS", "SANITY", "STEP_GRID", "WINDOW", "Completeness", "Maps", "Sanity", "completeness", "kept", "make",
           "maps", "sanity"]

WINDOW = (1, 2, 2)  # occlusion's window over one (1, 8, 8) image
STEP_GRID = (2, 4, 8, 16, 32, 64, 128, 256)  # integrated gradients' steps in the completeness chart
N_TEST = rd.N_TEST
DIGIT = Int(0, N_TEST - 1, 0, label="Test digit", help="Which of the 360 test digits is explained.")
STEPS = Int(4, 256, 32, step=4, label="Integrated-gradient steps",
            help="Points on the path from the blank digit to the digit; more make the sum closer to the integral on "
                 "the whole (on a ReLU network the error falls about as 1/steps, not at every step).")
MAPS = ParamSpec("xai-maps", digit=DIGIT, steps=STEPS)
SANITY = ParamSpec("xai-sanity", steps=STEPS)


def kept() -> bool:
    """The zoo's CNN is on disk, so a light section takes milliseconds."""
    return zoo.kept("cnn")


def make() -> None:
    """Train (or load) the zoo's CNN: seconds the first time on a machine."""
    with one_thread():
        zoo.load("cnn")


@lru_cache(maxsize=1)
def _random() -> nn.Module:
    return zoo.build("cnn", 0).eval()


def _image(model: nn.Module) -> nn.Module:
    """The model reading (N, 1, 8, 8) images instead of (N, 64) rows, so occlusion's window is two-dimensional."""
    return nn.Sequential(nn.Flatten(), model)


def _maps(model: nn.Module, x: torch.Tensor, target: int, steps: int) -> dict[str, np.ndarray]:
    """(8, 8) map of each method for one input row ``x`` (1, 64)."""
    xi, bi = x.reshape(1, 1, 8, 8), rd.threat().lo.reshape(1, 1, 8, 8)
    out = {}
    for m in METHODS:
        a = attribute(_image(model), xi, m, target, bi, steps=steps, window=WINDOW if m == "occlusion" else None)
        out[m] = a.reshape(8, 8).double().numpy()
    return out


@dataclass(frozen=True)
class Maps:
    """The four maps of one test digit, for the trained CNN and for its random twin."""

    digit: int
    label: int
    predicted: int  # the trained CNN's class: the output both networks are explained for
    prob: float  # the trained CNN's probability of it
    image: np.ndarray  # (8, 8) grey levels 0..16
    trained: dict[str, np.ndarray]  # method -> (8, 8) attribution
    random: dict[str, np.ndarray]  # the same for the random twin
    rho: dict[str, float]  # method -> Spearman rank correlation of |trained| and |random|
    rho_ink: dict[str, float]  # method -> rank correlation of |trained| with the image's ink
    steps: int
    ig_sum: float  # Σ integrated gradients (captum, Gauss–Legendre) of the trained CNN
    ig_gap: float  # f(x) − f(blank), the logit's rise from the blank digit

    def rho_random_ink(self, method: str) -> float:
        return rank_correlation(self.random[method], self.image)


@one_thread()
def maps(digit: int = 0, steps: int = 32) -> Maps:
    """Saliency, gradient × input, integrated gradients and occlusion of test digit ``digit``; ~0.1 s."""
    v = MAPS.validate(digit=digit, steps=steps)
    t, net = rd.threat(), zoo.load("cnn").model
    x = t.x[v["digit"]:v["digit"] + 1]
    with torch.no_grad():
        p = torch.softmax(net(x), 1)[0]
    c = int(p.argmax())
    trained, random = _maps(net, x, c, v["steps"]), _maps(_random(), x, c, v["steps"])
    image = np.clip(t.grey(x[0]), 0.0, rd.GREY_MAX).reshape(8, 8)
    with torch.no_grad():
        gap = float(net(x)[0, c] - net(t.lo[None])[0, c])
    return Maps(v["digit"], int(t.y[v["digit"]]), c, float(p[c]), image, trained, random,
                {m: rank_correlation(trained[m], random[m]) for m in METHODS},
                {m: rank_correlation(trained[m], image) for m in METHODS}, v["steps"],
                float(trained["integrated_gradients"].sum()), gap)


# ----------------------------------------------------------------------------- completeness


@dataclass(frozen=True)
class Completeness:
    """Integrated gradients' error against the number of steps, for one digit and the trained CNN."""

    digit: int
    target: int
    steps: np.ndarray  # (k,) the grid, with the chosen steps in it
    chosen: int
    own: np.ndarray  # (k,) |δ| of our midpoint sum
    gauss: np.ndarray  # (k,) |δ| of captum's default (Gauss–Legendre)
    gap: float  # f(x) − f(blank)
    own_sum: float  # Σ of our attributions at the chosen steps
    captum_diff: float  # largest |ours − captum's riemann_middle| over the 64 pixels at the chosen steps

    def at(self, which: str, steps: int) -> float:
        return float((self.own if which == "own" else self.gauss)[list(self.steps).index(steps)])


@one_thread()
def completeness(digit: int = 0, steps: int = 32) -> Completeness:
    """|Σ IG − (f(x) − f(blank))| at every steps of :data:`STEP_GRID` and at ``steps``; ours against captum's."""
    v = MAPS.validate(digit=digit, steps=steps)
    t, net = rd.threat(), zoo.load("cnn").model
    x, b = t.x[v["digit"]:v["digit"] + 1], t.lo[None]
    with torch.no_grad():
        c = int(net(x).argmax())
    grid = sorted({*STEP_GRID, v["steps"]})
    own, gauss = [], []
    for s in grid:
        ig = integrated_gradients(net, x, b, c, s)
        own.append(abs(ig.delta))
        gauss.append(abs(float(attribute(net, x, "integrated_gradients", c, b, steps=s).sum())
                         - (ig.f_x - ig.f_baseline)))
        if s == v["steps"]:
            mine = ig
    cap = attribute(net, x, "integrated_gradients", c, b, steps=v["steps"], ig_method="riemann_middle")
    return Completeness(v["digit"], c, np.array(grid), v["steps"], np.array(own), np.array(gauss),
                        mine.f_x - mine.f_baseline, float(mine.attributions.sum()),
                        float((mine.attributions - cap).abs().max()))


# ----------------------------------------------------------------------------- the sanity check, on many digits


@dataclass(frozen=True)
class Sanity:
    """Rank correlations over many test digits: trained against random maps, and each against the ink."""

    n: int
    steps: int
    rho: dict[str, np.ndarray]  # method -> (n,) |trained| against |random|
    ink_trained: dict[str, np.ndarray]  # method -> (n,) |trained map| against the image
    ink_random: dict[str, np.ndarray]  # method -> (n,) |random map| against the image

    def median(self, method: str) -> float:
        return float(np.nanmedian(self.rho[method]))


@one_thread()
def sanity(steps: int = 32, n: int = 120, progress: Progress = quiet) -> Sanity:
    """The sanity check on the first ``n`` test digits (each explained for the trained CNN's class); seconds."""
    v = SANITY.validate(steps=steps)
    if not 1 <= n <= N_TEST:
        raise ValueError(f"n must be between 1 and {N_TEST}; got {n}.")
    t, net = rd.threat(), zoo.load("cnn").model
    rho = {m: np.empty(n) for m in METHODS}
    ink_t, ink_r = {m: np.empty(n) for m in METHODS}, {m: np.empty(n) for m in METHODS}
    for i in range(n):
        x = t.x[i:i + 1]
        with torch.no_grad():
            c = int(net(x).argmax())
        a, r = _maps(net, x, c, v["steps"]), _maps(_random(), x, c, v["steps"])
        img = t.grey(x[0])
        for m in METHODS:
            rho[m][i] = rank_correlation(a[m], r[m])
            ink_t[m][i], ink_r[m][i] = rank_correlation(a[m], img), rank_correlation(r[m], img)
        if (i + 1) % 10 == 0 or i + 1 == n:
            progress(i + 1, n)
    return Sanity(n, v["steps"], rho, ink_t, ink_r)
