"""Bayesian search opened up: a Gaussian-process surrogate on a 1-D slice of the landscape.

The slice is the learning rate alone, with the weight decay held at the landscape's best
cell. Its truth is a finer row of real trainings (:func:`truth`: ``n`` learning rates, each
trained from the landscape's seeds and averaged), which is also the set of candidates a
search may pick from: evaluating a candidate means reading its measured loss.

The surrogate is scikit-learn's :class:`~sklearn.gaussian_process.GaussianProcessRegressor`
on x = log10(lr) with the kernel ``C · Matern(ν = 5/2) + White`` (the kernel family behind
Optuna's ``GPSampler``; the white term may absorb seed noise) and ``normalize_y=True``; its
hyperparameters are refitted by maximum likelihood after every new point. Given the
posterior mean μ(x) and standard deviation σ(x), and the best loss seen so far y*,
three acquisitions say where to measure next (all for minimisation):

* expected improvement, EI(x) = (y* − μ)·Φ(z) + σ·φ(z) with z = (y* − μ)/σ: pick its maximum;
* the lower confidence bound, LCB(x) = μ − κσ: pick its minimum (κ = 0 trusts the mean alone);
* a Thompson draw: one function sampled from the posterior (``sample_y``): pick its minimum.

A diverged training has no loss; the surrogate is told the loss of a network that learned
nothing (:attr:`Landscape.baseline`) there, so it learns to avoid the region. (Optuna's
samplers instead drop a failed trial and learn nothing from it: see :mod:`neuralab.search.race`.)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import norm
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Kernel, Matern, WhiteKernel

from neuralab.cache import memo
from neuralab.params import Choice, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet, stage
from neuralab.search.landscape import EPOCHS, LR, landscape, train_many
from neuralab.search.tasks import DATASET, arrays, check

__all__ = ["ACQUISITION", "SURROGATE", "Explored", "Truth", "explore", "fit", "kernel", "run_explore", "truth"]

ACQUISITIONS = {"ei": "expected improvement", "lcb": "lower confidence bound μ − κσ", "thompson": "Thompson draw"}
ACQUISITION = Choice.of(ACQUISITIONS, "ei", label="Acquisition",
                        help="How the next learning rate is chosen from the surrogate.")
STEPS = 15  # K: points observed by the last step
START = 3  # spread points measured before the surrogate picks any
POINTS = 64  # learning rates in the truth row

SURROGATE = ParamSpec(
    "search-surrogate",
    dataset=DATASET,
    acquisition=ACQUISITION,
    kappa=Float(0.0, 5.0, 2.0, step=0.1, label="κ (confidence bound)",
                help="Used only by the lower confidence bound: how many standard deviations it sits below the mean; "
                     "more explores more."),
    seed=Int(0, 99, 0, label="Seed", help="Draws the Thompson samples and restarts the kernel fit."),
)


@dataclass(frozen=True)
class Truth:
    """The learning-rate slice at the landscape's best weight decay, every point really trained."""

    dataset: str
    lr: np.ndarray  # (n,) log-spaced over the whole learning-rate range
    wd: float  # the landscape's best weight decay
    loss: np.ndarray  # (n,) mean validation loss over the landscape's seeds; NaN where any seed diverged
    baseline: float  # the loss of a network that learned nothing


def truth(dataset: str = "digits", n: int = POINTS, progress: Progress = quiet) -> Truth:
    """The slice for ``dataset`` (default landscape: 24 × 24 cells, 3 seeds); cached on disk."""
    return _truth(check(dataset), n, progress=progress)


@memo("search-slice", depends=("neuralab.search.landscape", "neuralab.search.tasks", "neuralab.nn.models"),
      salt=torch.__version__)
def _truth(dataset: str, n: int, *, progress: Progress = quiet) -> Truth:
    ls = landscape(dataset, progress=stage(progress, 0, 2 * EPOCHS))
    wd = float(ls.wd[ls.best[1]])
    seeds = ls.val_loss.shape[0]
    lr = np.geomspace(LR.lo, LR.hi, n)
    runs = train_many(arrays(dataset), np.tile(lr, seeds), np.full(n * seeds, wd), np.repeat(np.arange(seeds), n),
                      progress=stage(progress, EPOCHS, 2 * EPOCHS))
    return Truth(dataset, lr, wd, runs.val_loss.reshape(seeds, n).mean(axis=0), ls.baseline)


def kernel() -> Kernel:
    """``C · Matern(ν = 5/2) + White``, with bounds that suit x = log10(lr) over about five decades.

    The noise bound keeps a fit to three points from explaining them all as noise (a flat mean).
    """
    return (ConstantKernel(1.0, (1e-3, 1e3)) * Matern(length_scale=0.5, length_scale_bounds=(0.05, 10.0), nu=2.5)
            + WhiteKernel(1e-3, (1e-6, 0.1)))  # noise: at most a tenth of the losses' variance (normalised)


def fit(x: np.ndarray, y: np.ndarray, seed: int = 0) -> GaussianProcessRegressor:
    """The surrogate fitted to points ``x`` (log10 lr) and losses ``y``, hyperparameters by maximum likelihood."""
    gp = GaussianProcessRegressor(kernel(), normalize_y=True, n_restarts_optimizer=3, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a bound reached is a fit, not a fault
        return gp.fit(np.asarray(x, float).reshape(-1, 1), np.asarray(y, float))


@dataclass(frozen=True)
class Explored:
    """K steps of one search on the slice; arrays over steps are (K, n) on the truth's learning rates."""

    truth: Truth
    acquisition: str
    kappa: float
    seed: int
    chosen: np.ndarray  # (START + K,) indices into truth.lr, in the order measured (the last is step K's pick)
    mean: np.ndarray  # (K, n) posterior mean at step k, fitted to the first START + k − 1 points
    std: np.ndarray  # (K, n)
    ei: np.ndarray  # (K, n) expected improvement
    lcb: np.ndarray  # (K, n) μ − κσ
    draw: np.ndarray  # (K, n) one Thompson sample
    picks: np.ndarray  # (K, 3) the index each of ei, lcb, thompson would pick next
    kernels: tuple[str, ...]  # (K,) the fitted kernel, as scikit-learn prints it

    @property
    def x(self) -> np.ndarray:
        return np.log10(self.truth.lr)

    def observed(self, k: int) -> np.ndarray:
        """The indices measured before step ``k`` (1-based) picks: START + k − 1 of them."""
        return self.chosen[:START + k - 1]

    @property
    def found(self) -> float:
        """The lowest loss among every point measured, the last pick included."""
        return float(np.min(_scored(self.truth)[self.chosen]))

    def best(self, k: int) -> float:
        """The lowest loss measured before step ``k`` picks (diverged points count as the baseline)."""
        return float(np.min(_scored(self.truth)[self.observed(k)]))


def _scored(t: Truth) -> np.ndarray:
    return np.where(np.isnan(t.loss), t.baseline, t.loss)


def expected_improvement(mean: np.ndarray, std: np.ndarray, best: float) -> np.ndarray:
    """EI for minimisation: how far below ``best`` the loss is expected to land, 0 where σ = 0."""
    std = np.maximum(std, 1e-12)
    z = (best - mean) / std
    return (best - mean) * norm.cdf(z) + std * norm.pdf(z)


def run_explore(t: Truth, acquisition: str = "ei", kappa: float = 2.0, seed: int = 0, steps: int = STEPS,
                progress: Progress = quiet) -> Explored:
    """Search the slice ``t`` for ``steps`` steps with ``acquisition`` (not cached; :func:`explore` is)."""
    n = len(t.lr)
    x, y = np.log10(t.lr), _scored(t)
    chosen = list(np.round(np.linspace(0.15, 0.85, START) * (n - 1)).astype(int))  # spread starting points
    out: dict[str, list] = {k: [] for k in ("mean", "std", "ei", "lcb", "draw", "picks", "kernels")}
    which = list(ACQUISITIONS).index(acquisition)
    for k in range(steps):
        gp = fit(x[chosen], y[chosen], seed)
        mean, std = gp.predict(x[:, None], return_std=True)
        best = float(y[chosen].min())
        ei, lcb = expected_improvement(mean, std, best), mean - kappa * std
        draw = gp.sample_y(x[:, None], random_state=seed * 1000 + k)[:, 0]
        picks = [int(np.argmax(ei)), int(np.argmin(lcb)), int(np.argmin(draw))]
        for key, v in zip(out, (mean, std, ei, lcb, draw, picks, str(gp.kernel_)), strict=True):
            out[key].append(v)
        chosen.append(picks[which])
        progress(k + 1, steps)
    return Explored(t, acquisition, kappa, seed, np.array(chosen), *(np.array(out[k]) for k in list(out)[:-1]),
                    tuple(out["kernels"]))


def explore(dataset: str = "digits", acquisition: str = "ei", kappa: float = 2.0, seed: int = 0,
            progress: Progress = quiet) -> Explored:
    """Every step of a Bayesian search on ``dataset``'s learning-rate slice; cached on disk.

    Raises:
        ParamError: a bad ``dataset``, ``acquisition``, ``kappa`` (0–5) or ``seed``, with a sentence naming it.
    """
    v = SURROGATE.validate(dataset=dataset, acquisition=acquisition, kappa=kappa, seed=seed)
    return _explore(check(v["dataset"]), v["acquisition"], v["kappa"], v["seed"], progress=progress)


@memo("search-surrogate", depends=("neuralab.search.landscape", "neuralab.search.tasks"))
def _explore(dataset: str, acquisition: str, kappa: float, seed: int, *, progress: Progress = quiet) -> Explored:
    t = truth(dataset, progress=stage(progress, 0, 2 * EPOCHS + STEPS))
    return run_explore(t, acquisition, kappa, seed, progress=stage(progress, 2 * EPOCHS, 2 * EPOCHS + STEPS))
