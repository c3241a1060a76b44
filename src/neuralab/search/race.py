"""The race: Optuna's own samplers searching the measured landscape, repeated over seeds.

A trial's value is read from the measured landscape: the mean validation loss of the cell
nearest the suggested (learning rate, weight decay), over that cell's seeds
(:meth:`~neuralab.search.landscape.Landscape.at`). It is therefore noise-free and constant within
a cell, unlike a real trial (one noisy training at the exact point). A sampler pays nothing
extra here, and its regret is exact relative to this measured table (the best measured cell),
not to the unknown true best setting.

A cell whose training diverged answers NaN, which Optuna refuses: the trial is recorded as
``FAIL`` and the study goes on. Optuna's samplers fit their models to completed trials only,
so a failed trial teaches TPE, the GP and CMA-ES nothing; a model-based sampler that keeps
proposing points in a diverged corner keeps failing there, and the count of failures says so.
With ``diverged="nothing"`` the objective reports the loss of a network that learned nothing
instead, a bad but finite value the samplers do learn from.

Regret after trial t is :meth:`Landscape.regret` of the best value so far, capped at 1 (also
its value until a trial completes): 0 at the best measured cell, 1 for a network that learned nothing. One race is a
single draw of a random process, so each sampler runs ``repeats`` times (seed = repeat) and
the result keeps the median and the interquartile range over them.
"""

from __future__ import annotations

import inspect
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import optuna

from neuralab.cache import memo
from neuralab.params import Choice, Int, ParamSpec
from neuralab.progress import Progress, quiet, stage
from neuralab.search.landscape import EPOCHS, LR, WD, Landscape, landscape
from neuralab.search.tasks import DATASET, check

__all__ = ["DIVERGED", "GP_STARTUP", "RACE", "SAMPLER", "SAMPLERS", "STARTUP", "Race", "Sampler", "race", "run_race",
           "study"]

#: Optuna's defaults, read from its signatures: completed trials TPE and the GP draw at random before modelling
STARTUP = inspect.signature(optuna.samplers.TPESampler).parameters["n_startup_trials"].default
GP_STARTUP = inspect.signature(optuna.samplers.GPSampler).parameters["n_startup_trials"].default
THRESHOLDS = (0.01, 0.05)  # regret levels the table reports: median trials until regret ≤ 1 % and ≤ 5 %


@dataclass(frozen=True)
class Sampler:
    """One of Optuna's samplers, as the race builds it."""

    title: str  # what the page calls it
    build: Callable[[int, dict[str, list[float]]], optuna.samplers.BaseSampler]  # (seed, grid) -> sampler
    model: bool  # fits a model to the trials so far (its suggestions cost more than a random draw)


def _grid(seed: int, grid: dict[str, list[float]]) -> optuna.samplers.BaseSampler:
    return optuna.samplers.GridSampler(grid, seed=seed)


def _sobol(seed: int | None) -> optuna.samplers.BaseSampler:
    """Scrambled Sobol points; quiet about being experimental and about workers seeding on their own."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.QMCSampler(qmc_type="sobol", scramble=True, seed=seed, warn_asynchronous_seeding=False)


SAMPLERS: dict[str, Sampler] = {
    "grid": Sampler("Grid", _grid, False),
    "random": Sampler("Random", lambda s, _: optuna.samplers.RandomSampler(seed=s), False),
    "sobol": Sampler("Sobol (quasi-random)", lambda s, _: _sobol(s), False),
    "tpe": Sampler("TPE", lambda s, _: optuna.samplers.TPESampler(seed=s), True),
    "gp": Sampler("Gaussian process", lambda s, _: optuna.samplers.GPSampler(seed=s), True),
    "cmaes": Sampler("CMA-ES", lambda s, _: optuna.samplers.CmaEsSampler(seed=s), True),
}
DIVERGED = Choice(
    (("fail", "a failed trial (Optuna's FAIL)"), ("nothing", "the loss of a network that learned nothing")),
    "fail", label="A diverged training counts as",
    help="What the objective tells the sampler when a cell's training blew up.")
SAMPLER = Choice.of(SAMPLERS, "tpe", label="Sampler", help="Which of Optuna's samplers.", title=lambda s: s.title)

RACE = ParamSpec(
    "search-race",
    dataset=DATASET,
    trials=Int(5, 100, 40, label="Trials per study", help="How many trainings each search may ask for."),
    repeats=Int(3, 10, 5, label="Repeats", help="Each sampler runs this many times, with seeds 0, 1, 2, …"),
    diverged=DIVERGED,
)


@dataclass(frozen=True)
class Race:
    """Every sampler's studies on one landscape; arrays are indexed [sampler, repeat, trial]."""

    dataset: str
    names: tuple[str, ...]  # keys of SAMPLERS, in order
    lr: np.ndarray  # (S, R, N) suggested learning rates
    wd: np.ndarray  # (S, R, N) suggested weight decays
    value: np.ndarray  # (S, R, N) measured mean validation loss; NaN where the cell diverged
    failed: np.ndarray  # (S, R, N) bool: Optuna recorded the trial as FAIL
    diverged: str  # how a diverged cell was reported: "fail" or "nothing" (the baseline loss)
    regret: np.ndarray  # (S, R, N) regret of the best value after trials 1..t, capped at 1 (learned nothing)
    seconds: np.ndarray  # (S, R) wall time of each study divided by its trials (start-up trials included)
    grid: int  # m: the grid sampler's m × m cell centres

    @property
    def trials(self) -> int:
        return self.value.shape[2]

    @property
    def repeats(self) -> int:
        return self.value.shape[1]

    def quartiles(self) -> np.ndarray:
        """(3, S, N): the 25th, 50th and 75th percentile of regret over the repeats, per trial number."""
        return np.percentile(self.regret, [25, 50, 75], axis=1)

    def reach(self, level: float) -> np.ndarray:
        """(S,) median over repeats of the first trial (1-based) with regret ≤ ``level``; inf if not reached."""
        hit = self.regret <= level
        first = np.where(hit.any(axis=2), hit.argmax(axis=2) + 1.0, np.inf)  # (S, R)
        return np.median(first, axis=1)


def grid_values(ls: Landscape, n_trials: int) -> dict[str, list[float]]:
    """The grid sampler's space: ``m = ceil(√N)`` measured cell centres per axis, spread over the landscape."""
    m = min(math.ceil(math.sqrt(n_trials)), len(ls.lr))
    pick = np.unique(np.round(np.linspace(0, len(ls.lr) - 1, m)).astype(int))
    return {"lr": [float(ls.lr[i]) for i in pick], "wd": [float(ls.wd[i]) for i in pick]}


def study(ls: Landscape, name: str, seed: int, n_trials: int, diverged: str = "fail") -> optuna.Study:
    """One in-memory Optuna study of sampler ``name`` with ``seed`` on ``ls``: ``n_trials`` trials, failures kept.

    ``diverged="fail"`` hands Optuna the NaN of a diverged cell (the trial becomes FAIL, and the
    samplers' models never see it); ``"nothing"`` reports the loss of a network that learned
    nothing (:attr:`Landscape.baseline`) instead, a bad but finite value every sampler learns from.
    """
    SAMPLER.coerce("sampler", name)
    DIVERGED.coerce("diverged", diverged)
    worst = ls.baseline if diverged == "nothing" else math.nan

    def objective(trial: optuna.Trial) -> float:
        lr = trial.suggest_float("lr", LR.lo, LR.hi, log=True)
        wd = trial.suggest_float("wd", WD.lo, WD.hi, log=True)
        loss = ls.at(lr, wd)  # NaN for a diverged cell: Optuna marks the trial FAIL
        return worst if math.isnan(loss) else loss

    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # a failed trial is expected here, not news
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # experimental-feature notices (QMCSampler)
            sampler = SAMPLERS[name].build(seed, grid_values(ls, n_trials))
            s = optuna.create_study(sampler=sampler, direction="minimize")
            s.optimize(objective, n_trials=n_trials)
    finally:
        optuna.logging.set_verbosity(level)
    return s


def run_race(ls: Landscape, n_trials: int, repeats: int, diverged: str = "fail", progress: Progress = quiet) -> Race:
    """Run every sampler ``repeats`` times on ``ls`` (not cached; :func:`race` is). Reports per finished study."""
    names = tuple(SAMPLERS)
    S, R, N = len(names), repeats, n_trials
    lr, wd, value = (np.full((S, R, N), np.nan) for _ in range(3))
    failed = np.zeros((S, R, N), bool)
    seconds = np.zeros((S, R))
    for a, name in enumerate(names):
        for r in range(R):
            t0 = time.perf_counter()
            s = study(ls, name, r, N, diverged)
            seconds[a, r] = (time.perf_counter() - t0) / N
            for t, trial in enumerate(s.trials[:N]):
                lr[a, r, t], wd[a, r, t] = trial.params["lr"], trial.params["wd"]
                failed[a, r, t] = trial.state == optuna.trial.TrialState.FAIL
                value[a, r, t] = ls.at(lr[a, r, t], wd[a, r, t])
            progress(a * R + r + 1, S * R)
    best = np.fmin.accumulate(value, axis=2)  # NaN until the first completed trial
    regret = np.minimum(1.0, ls.regret(np.nan_to_num(best, nan=ls.baseline)))  # 1: nothing better than learning nothing
    return Race(ls.dataset, names, lr, wd, value, failed, diverged, regret, seconds, len(grid_values(ls, N)["lr"]))


def race(dataset: str = "digits", trials: int = 40, repeats: int = 5, diverged: str = "fail",
         progress: Progress = quiet) -> Race:
    """Race every sampler on ``dataset``'s measured landscape (24 × 24 cells, 3 seeds); cached on disk.

    Raises:
        ParamError: a bad ``dataset``, ``trials`` (5–100), ``repeats`` (3–10) or ``diverged``, with a sentence
            naming it.
    """
    v = RACE.validate(dataset=dataset, trials=trials, repeats=repeats, diverged=diverged)
    return _race(check(v["dataset"]), v["trials"], v["repeats"], v["diverged"], progress=progress)


@memo("search-race", depends=("neuralab.search.landscape", "neuralab.search.tasks"), salt=optuna.__version__)
def _race(dataset: str, trials: int, repeats: int, diverged: str, *, progress: Progress = quiet) -> Race:
    total = EPOCHS + len(SAMPLERS) * repeats  # the landscape's epochs (none when cached), then the studies
    ls = landscape(dataset, progress=stage(progress, 0, total))
    return run_race(ls, trials, repeats, diverged, progress=stage(progress, EPOCHS, total))
