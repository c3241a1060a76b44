"""Multi-fidelity search on a conditional space: pruners, samplers and importances, every trial really trained.

The space is a small architecture search around a digits MLP: learning rate, batch size,
depth (1–3) with one width per existing layer, dropout, weight decay and the optimizer,
where SGD brings a momentum parameter and Adam does not. A trial trains the network it
draws with :func:`neuralab.train.loop.fit` for up to ``epochs`` epochs and reports the
validation loss after every epoch (``trial.report``); a pruner reading those reports may
stop it (``trial.should_prune``). A run whose loss blows up is a failed trial, its reason
kept as the user attribute ``failed``, and the search goes on.

* :func:`pruners` runs the same TPE search (one sampler seed) with no pruning, the median
  rule, asynchronous successive halving (ASHA) and Hyperband, over the same number of trials,
  and measures the epochs each spent and the epochs each needed to reach a common score.
* :func:`samplers` runs multivariate TPE with grouped (conditional) parameters, independent
  TPE and random search on the same space without pruning: best-so-far against trials.
* :func:`importances` reads parameter importances from a finished arm with fANOVA and
  with the random forest's mean decrease in impurity (Optuna's evaluators, seeds fixed).

Results are frozen dataclasses holding Optuna's own ``FrozenTrial`` objects, so they pickle,
cache on disk (:func:`neuralab.cache.memo`) and rebuild an in-memory study for
``optuna.visualization`` (:meth:`Arm.study`).
"""

from __future__ import annotations

import contextlib
import inspect
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import optuna
import torch

from neuralab.cache import memo
from neuralab.data.arrays import Arrays
from neuralab.nn.models import mlp
from neuralab.params import Int, ParamError, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.search.tasks import DATASET, arrays, check
from neuralab.train.loop import Config, evaluate, fit

__all__ = ["FIDELITY", "PRUNERS", "SAMPLERS", "Arm", "Fidelity", "Importances", "Pruners", "Samplers", "brackets",
           "build", "fidelity", "importances", "objective", "pruners", "run_arm", "samplers", "suggest"]

# ---------------------------------------------------------------------------------------------- the space

LR = (1e-4, 1.0)  # learning rate, log scale
BATCH = (16, 128)  # batch size, log scale
DEPTH = (1, 3)  # hidden layers
WIDTH = (8, 128)  # units of each hidden layer, log scale
DROPOUT = (0.0, 0.5)
WD = (1e-6, 1e-1)  # weight decay, log scale
MOMENTUM = (0.0, 0.99)  # SGD only


def suggest(trial: optuna.trial.BaseTrial) -> dict:
    """Draw one configuration; ``width_2``/``width_3`` exist only if depth allows, ``momentum`` only with SGD."""
    p: dict = {
        "lr": trial.suggest_float("lr", *LR, log=True),
        "batch_size": trial.suggest_int("batch_size", *BATCH, log=True),
        "depth": trial.suggest_int("depth", *DEPTH),
    }
    p["widths"] = tuple(trial.suggest_int(f"width_{k}", *WIDTH, log=True) for k in range(1, p["depth"] + 1))
    p["dropout"] = trial.suggest_float("dropout", *DROPOUT)
    p["weight_decay"] = trial.suggest_float("weight_decay", *WD, log=True)
    p["optimizer"] = trial.suggest_categorical("optimizer", ["sgd", "adam"])
    p["momentum"] = trial.suggest_float("momentum", *MOMENTUM) if p["optimizer"] == "sgd" else 0.0
    return p


def build(data: Arrays, p: dict, seed: int = 0) -> torch.nn.Sequential:
    """The MLP of configuration ``p`` (from :func:`suggest`) for ``data``."""
    return mlp((data.n_features, *p["widths"], data.n_outputs), dropout=p["dropout"], seed=seed)


def objective(data: Arrays, epochs: int, seed: int = 0) -> Callable[[optuna.Trial], float]:
    """The Optuna objective: train the drawn network, report validation loss each epoch, obey the pruner.

    The value is the validation loss after the last epoch. ``trial.user_attrs["epochs"]`` is
    the number of epochs the trial trained (a pruned or failed one stops short); a diverged
    run returns NaN, which Optuna records as a failed trial, with the reason in ``"failed"``.
    """
    X_val, y_val = torch.tensor(data.X_val), torch.tensor(data.y_val)

    def run(trial: optuna.Trial) -> float:
        p = suggest(trial)
        cfg = Config(epochs=epochs, batch_size=p["batch_size"], optimizer=p["optimizer"], lr=p["lr"],
                     weight_decay=p["weight_decay"], momentum=p["momentum"], seed=seed)

        def on_epoch(model: torch.nn.Module, epoch: int) -> None:  # after fit has evaluated epoch ``epoch``
            if epoch == 0:
                return
            trial.set_user_attr("epochs", epoch)
            loss = evaluate(model, X_val, y_val, data.task)[0]  # what fit just recorded (eval mode)
            if not math.isfinite(loss):
                return  # fit stops this run as diverged on its next batch
            trial.report(loss, epoch)
            if epoch < epochs and trial.should_prune():  # a trial that trained its whole budget keeps its value
                raise optuna.TrialPruned(f"stopped after epoch {epoch}")

        with torch.random.fork_rng(devices=[]):  # dropout draws its masks from torch's global generator
            torch.manual_seed(seed)
            hist = fit(build(data, p, seed), data, cfg, on_epoch=on_epoch)
        if hist.diverged or not math.isfinite(hist.val_loss[-1]):
            trial.set_user_attr("epochs", hist.stopped_epoch + (1 if hist.diverged else 0))
            trial.set_user_attr("failed", hist.diverged or "The validation loss is not finite.")
            return math.nan
        return float(hist.val_loss[-1])

    return run


# ---------------------------------------------------------------------------------------------- the arms

REDUCTION = 3  # ASHA's and Hyperband's reduction factor: a rung keeps about the best third
MIN_RESOURCE = 1  # epochs before the first rung
# TPE's first trials are random draws (from the same generator as RandomSampler's); Optuna's default count
TPE_STARTUP = inspect.signature(optuna.samplers.TPESampler).parameters["n_startup_trials"].default
MEDIAN_STARTUP, MEDIAN_WARMUP = 5, 1  # waits for 5 complete trials; steps are epochs 1, 2, …: judges from epoch 1


def brackets(epochs: int) -> int:
    """Hyperband's number of brackets for trials of ``epochs`` epochs: ⌊log_η(epochs / min resource)⌋ + 1, as Optuna."""
    return math.floor(math.log(epochs / MIN_RESOURCE, REDUCTION)) + 1


def _pruner(name: str, epochs: int) -> optuna.pruners.BasePruner:
    if name == "none":
        return optuna.pruners.NopPruner()
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=MEDIAN_STARTUP, n_warmup_steps=MEDIAN_WARMUP)
    if name == "asha":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=MIN_RESOURCE, reduction_factor=REDUCTION)
    return optuna.pruners.HyperbandPruner(min_resource=MIN_RESOURCE, max_resource=epochs,
                                          reduction_factor=REDUCTION)


def _sampler(name: str, seed: int) -> optuna.samplers.BaseSampler:
    if name == "tpe":
        with warnings.catch_warnings():  # ``group`` is marked experimental
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.samplers.TPESampler(multivariate=True, group=True, seed=seed, n_startup_trials=TPE_STARTUP)
    if name == "tpe-independent":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=TPE_STARTUP)
    return optuna.samplers.RandomSampler(seed=seed)


#: name -> label
PRUNERS = {"none": "No pruning", "median": "Median rule", "asha": "ASHA", "hyperband": "Hyperband"}
SAMPLERS = {"tpe": "TPE, multivariate, grouped", "tpe-independent": "TPE, independent", "random": "Random"}

FIDELITY = ParamSpec(
    "fidelity",
    dataset=DATASET,
    trials=Int(8, 60, 20, step=2, label="Trials per search", help="Every search gets the same number of trials."),
    epochs=Int(3, 27, 9, label="Epochs of a full trial", help="The most a trial may train; pruners stop it sooner."),
    seed=Int(0, 9, 0, label="Seed", help="The sampler's seed, shared by every search; trainings use it too."),
)


@dataclass(frozen=True)
class Arm:
    """One search: a sampler, a pruner, and every trial it ran (Optuna's ``FrozenTrial``, in order)."""

    sampler: str  # a key of SAMPLERS
    pruner: str  # a key of PRUNERS
    epochs: int  # the full budget of one trial
    trials: tuple[optuna.trial.FrozenTrial, ...]

    @cached_property
    def spent(self) -> np.ndarray:
        """Epochs each trial trained (a pruned trial stops at its rung, a failed one where it blew up)."""
        return np.array([int(t.user_attrs.get("epochs", 0)) for t in self.trials])

    @property
    def total(self) -> int:
        return int(self.spent.sum())

    def states(self, state: optuna.trial.TrialState) -> np.ndarray:
        return np.array([t.state == state for t in self.trials])

    @cached_property
    def values(self) -> np.ndarray:
        """The final validation loss of each trial that trained its whole budget; NaN for pruned and failed ones."""
        return np.array([t.value if t.state == optuna.trial.TrialState.COMPLETE else np.nan for t in self.trials])

    @cached_property
    def best_so_far(self) -> np.ndarray:
        """After each trial, the lowest final validation loss so far (NaN before the first complete trial)."""
        return np.fmin.accumulate(self.values)

    @property
    def best(self) -> float:
        return float(np.nanmin(self.values)) if np.isfinite(self.values).any() else math.nan

    def epochs_to(self, target: float) -> float:
        """Epochs spent up to and including the first complete trial that reached ``target``; NaN if none did."""
        hit = np.flatnonzero(self.values <= target)
        return float(np.cumsum(self.spent)[hit[0]]) if len(hit) else math.nan

    def curves(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each trial's reported (epochs, validation losses)."""
        out = []
        for t in self.trials:
            steps = np.array(sorted(t.intermediate_values), dtype=int)
            out.append((steps, np.array([t.intermediate_values[s] for s in steps], dtype=float)))
        return out

    def study(self) -> optuna.Study:
        """A fresh in-memory study holding these trials (for ``optuna.visualization`` and the importances)."""
        with _quiet_optuna():
            study = optuna.create_study(direction="minimize")
        study.add_trials(self.trials)
        return study


def run_arm(dataset: str, sampler: str, pruner: str, trials: int, epochs: int, seed: int, *,
            storage: str | optuna.storages.BaseStorage | None = None, study_name: str | None = None,
            progress: Progress = quiet) -> Arm:
    """One search of ``trials`` trials; cached on disk when ``storage`` is None (an in-memory study)."""
    dataset = check(dataset)
    if storage is None:
        return _cached_arm(dataset, sampler, pruner, trials, epochs, seed, progress=progress)
    return _run(dataset, sampler, pruner, trials, epochs, seed, storage, study_name, progress)


def _run(dataset: str, sampler: str, pruner: str, trials: int, epochs: int, seed: int,
         storage: str | optuna.storages.BaseStorage | None, study_name: str | None, progress: Progress) -> Arm:
    if sampler not in SAMPLERS:
        raise ParamError([f"sampler must be one of {', '.join(SAMPLERS)}; got {sampler!r}."])
    if pruner not in PRUNERS:
        raise ParamError([f"pruner must be one of {', '.join(PRUNERS)}; got {pruner!r}."])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # networks this small train several times faster on one thread
    try:
        with _quiet_optuna():
            # Hyperband puts a trial in a bracket by a hash of the study's name and the trial's number: a fixed name
            # keeps it reproducible
            name = study_name or f"neuralab-{dataset}-{sampler}-{pruner}-{trials}x{epochs}-seed{seed}"
            study = optuna.create_study(storage=storage, study_name=name, direction="minimize",
                                        sampler=_sampler(sampler, seed), pruner=_pruner(pruner, epochs))
            study.set_user_attr("dataset", dataset)
            study.optimize(objective(arrays(dataset), epochs, seed), n_trials=trials,
                           callbacks=[lambda _s, t: progress(t.number + 1, trials)])
    finally:
        torch.set_num_threads(threads)
    return Arm(sampler, pruner, epochs, tuple(study.get_trials(deepcopy=False)))


@memo("search-fidelity", depends=("neuralab.search.tasks", "neuralab.nn.models", "neuralab.train"),
      salt=f"{torch.__version__} {optuna.__version__}")
def _cached_arm(dataset: str, sampler: str, pruner: str, trials: int, epochs: int, seed: int, *,
                progress: Progress = quiet) -> Arm:
    return _run(dataset, sampler, pruner, trials, epochs, seed, None, None, progress)


@contextlib.contextmanager
def _quiet_optuna() -> Iterator[None]:
    """Optuna logs every trial at INFO; a search of the lab reports through ``progress`` instead."""
    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # a failed trial is recorded, with its reason
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            yield
    finally:
        optuna.logging.set_verbosity(before)


def _arms(dataset: str, pairs: list[tuple[str, str]], trials: int, epochs: int, seed: int,
          storage: str | optuna.storages.BaseStorage | None, study_name: str, progress: Progress) -> tuple[Arm, ...]:
    out = []
    for k, (sampler, pruner) in enumerate(pairs):
        name = f"{study_name}-{sampler}-{pruner}"
        out.append(run_arm(dataset, sampler, pruner, trials, epochs, seed, storage=storage, study_name=name,
                           progress=lambda d, _t, k=k: progress(k * trials + d, len(pairs) * trials)))
    return tuple(out)


# ---------------------------------------------------------------------------------------------- pruners


@dataclass(frozen=True)
class Pruners:
    """The same TPE search with each pruner: what each spent, and what it reached."""

    dataset: str
    trials: int
    epochs: int
    seed: int
    arms: tuple[Arm, ...]  # in PRUNERS order; arms[0] is the search without pruning

    @property
    def target(self) -> float:
        """The best final validation loss every arm reached (the unpruned arm's best, when all got there)."""
        return max(a.best for a in self.arms)

    def epochs_to_target(self) -> np.ndarray:
        return np.array([a.epochs_to(self.target) for a in self.arms])

    def speedup(self) -> np.ndarray:
        """Epochs the unpruned search needed to reach :attr:`target` over the epochs each arm needed."""
        need = self.epochs_to_target()
        return need[0] / need

    def unpruned_within(self) -> np.ndarray:
        """For each arm, the unpruned search's best final loss within as many epochs as that arm spent in all.

        The other reading of the same runs: at equal cost, who is ahead (NaN if no unpruned trial had finished).
        """
        none = self.arms[0]
        done = np.cumsum(none.spent)
        out = []
        for a in self.arms:
            k = np.searchsorted(done, a.total, side="right")  # unpruned trials finished within the budget
            out.append(float(none.best_so_far[k - 1]) if k else math.nan)
        return np.array(out)

    def saving(self) -> np.ndarray:
        """Total epochs of the unpruned search over each arm's total (all trials, whatever they reached)."""
        return self.arms[0].total / np.array([a.total for a in self.arms])


def pruners(dataset: str = "digits", trials: int = 20, epochs: int = 9, seed: int = 0, *,
            storage: str | optuna.storages.BaseStorage | None = None, study_name: str = "fidelity",
            progress: Progress = quiet) -> Pruners:
    """Run grouped multivariate TPE (seed ``seed``) with each of :data:`PRUNERS` over ``trials`` trials.

    ``storage`` None keeps the studies in memory and caches the result on disk; an Optuna
    storage URL or object keeps them there as ``{study_name}-tpe-{pruner}`` (not cached).
    """
    v = FIDELITY.validate(dataset=dataset, trials=trials, epochs=epochs, seed=seed)
    check(v["dataset"])
    arms = _arms(v["dataset"], [("tpe", p) for p in PRUNERS], v["trials"], v["epochs"], v["seed"], storage,
                 study_name, progress)
    return Pruners(v["dataset"], v["trials"], v["epochs"], v["seed"], arms)


# ---------------------------------------------------------------------------------------------- samplers


@dataclass(frozen=True)
class Samplers:
    """Three samplers on the conditional space, no pruning: best-so-far and what each explored."""

    dataset: str
    trials: int
    epochs: int
    seed: int
    arms: tuple[Arm, ...]  # in SAMPLERS order

    def explored(self, arm: Arm) -> dict[tuple[int, str], int]:
        """How many trials of ``arm`` drew each (depth, optimizer)."""
        out = {(d, o): 0 for d in range(DEPTH[0], DEPTH[1] + 1) for o in ("sgd", "adam")}
        for t in arm.trials:
            out[(t.params["depth"], t.params["optimizer"])] += 1
        return out


def samplers(dataset: str = "digits", trials: int = 20, epochs: int = 9, seed: int = 0, *,
             storage: str | optuna.storages.BaseStorage | None = None, study_name: str = "fidelity",
             progress: Progress = quiet) -> Samplers:
    """Run each of :data:`SAMPLERS` (seed ``seed``, no pruning) over ``trials`` trials; storage as in :func:`pruners`.

    The grouped TPE arm is the very search :func:`pruners` runs without pruning (cached once).
    """
    v = FIDELITY.validate(dataset=dataset, trials=trials, epochs=epochs, seed=seed)
    check(v["dataset"])
    arms = _arms(v["dataset"], [(s, "none") for s in SAMPLERS], v["trials"], v["epochs"], v["seed"], storage,
                 study_name, progress)
    return Samplers(v["dataset"], v["trials"], v["epochs"], v["seed"], arms)


# ---------------------------------------------------------------------------------------------- importances


@dataclass(frozen=True)
class Importances:
    """Each parameter's share of the variation in validation loss, by two methods; each sums to 1."""

    params: tuple[str, ...]  # every parameter that all complete trials have, most important (fANOVA) first
    fanova: np.ndarray
    mdi: np.ndarray
    n_trials: int  # complete trials the forests were fitted on


def importances(arm: Arm, seed: int = 0) -> Importances:
    """fANOVA and mean-decrease-in-impurity importances over ``arm``'s complete trials (forest seeds fixed).

    Conditional parameters (``width_2``, ``width_3``, ``momentum``) are left out: both methods
    need every trial to have a value, and Optuna keeps the parameters all trials share.
    """
    complete = int(arm.states(optuna.trial.TrialState.COMPLETE).sum())
    if complete < 2:
        raise ParamError([f"importances need at least 2 complete trials; this search has {complete}."])
    study = arm.study()
    with _quiet_optuna():
        fa = optuna.importance.get_param_importances(
            study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=seed))
        md = optuna.importance.get_param_importances(
            study, evaluator=optuna.importance.MeanDecreaseImpurityImportanceEvaluator(seed=seed))
    names = tuple(sorted(fa, key=lambda k: -fa[k]))
    return Importances(names, np.array([fa[k] for k in names]), np.array([md[k] for k in names]), complete)


# ---------------------------------------------------------------------------------------------- all at once


@dataclass(frozen=True)
class Fidelity:
    """What /hyperparameter-search shows of this space: the pruners, the samplers, the importances."""

    pruners: Pruners
    samplers: Samplers
    importances: Importances  # of the unpruned grouped-TPE search (every trial trained in full)


def fidelity(dataset: str = "digits", trials: int = 20, epochs: int = 9, seed: int = 0, *,
             progress: Progress = quiet) -> Fidelity:
    """:func:`pruners`, :func:`samplers` (sharing their unpruned TPE search) and :func:`importances`, in memory."""
    v = FIDELITY.validate(dataset=dataset, trials=trials, epochs=epochs, seed=seed)
    check(v["dataset"])
    n = len(PRUNERS) + len(SAMPLERS) - 1
    pr = pruners(**v, progress=lambda d, t: progress(d, n * v["trials"] + 1))
    sa = samplers(**v, progress=lambda d, t: progress(max(0, d - v["trials"]) + len(PRUNERS) * v["trials"],
                                                      n * v["trials"] + 1))
    imp = importances(pr.arms[0], seed=v["seed"])
    progress(n * v["trials"] + 1, n * v["trials"] + 1)
    return Fidelity(pr, sa, imp)
