"""Honest scoring: how far the best validation score of a search overstates what the chosen setting delivers.

Two measurements, both from real trainings:

* :func:`winners_curse` replays random searches on a measured :class:`~neuralab.search.landscape.Landscape`.
  Each trial draws a cell and one seed at random and sees that one training's validation loss,
  as a real trial would; the search keeps the lowest. The more trials, the more likely the
  winner is a setting whose score was flattered by noise (its initial weights, the particular
  validation rows), so its validation score falls further below what the same network scores
  on the test set, and below what the same setting scores when trained again from other seeds.
  Expected best of n noisy draws is biased low even when every draw is unbiased: that is the
  winner's curse. Pure numpy on stored results, so thousands of searches cost milliseconds.
* :func:`nested_cv` runs scikit-learn's grid search on a small pool of training rows and compares
  three numbers: the grid search's best inner cross-validation score (the plain protocol), nested
  cross-validation (``cross_val_score`` over an outer split of the whole ``GridSearchCV``), and the
  refitted winner's score on the untouched test split.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor

from neuralab.cache import memo
from neuralab.params import Int, ParamError, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.search.landscape import Landscape
from neuralab.search.tasks import DATASET, arrays, check

__all__ = ["CURSE", "GRID", "NESTED", "Band", "Curse", "Nested", "expected_max", "nested_cv", "winners_curse"]

CURSE = ParamSpec(
    "winners-curse",
    trials=Int(1, 100, 100, label="Trials", help="The largest search replayed; every size from 1 up is reported."),
    repeats=Int(100, 10_000, 2000, step=100, label="Searches",
                help="How many random searches are replayed per size; the curves are their mean and spread."),
    seed=Int(0, 2**31 - 1, 0, label="Seed", help="Seeds the draws of cells and seeds."),
)

NESTED = ParamSpec(
    "nested-cv",
    dataset=DATASET,
    pool=Int(100, 300, 200, step=50, label="Training rows",
             help="How many training rows the small data set has; the test split stays whole."),
    repeats=Int(1, 5, 3, label="Repeats", help="Independent draws of the pool and of the folds."),
)

#: the grid both protocols search: MLP weight penalty and Adam's step size, three values each
GRID = {"alpha": [1e-4, 1e-2, 1.0], "learning_rate_init": [1e-3, 1e-2, 1e-1]}
INNER, OUTER = 3, 3  # folds of the grid search's cross-validation, and of nested CV's outer split
HIDDEN, MAX_ITER = 32, 60  # the MLP: one hidden layer of ReLU units, Adam epochs at most


@dataclass(frozen=True)
class Band:
    """A score per search size over the replayed searches: its mean and the percentiles of :data:`BAND`."""

    mean: np.ndarray  # (trials,)
    lo: np.ndarray
    hi: np.ndarray


@dataclass(frozen=True)
class Curse:
    """Replayed random searches of 1 … ``trials`` trials; "best" is the trial a search keeps.

    Losses are lower-is-better, metrics (accuracy or R²) higher-is-better. ``rerun_*`` is the kept
    setting's validation score from the landscape's *other* seeds (NaN with one seed): what training
    the winner again would show.
    """

    dataset: str
    metric: str  # "accuracy" or "R²"
    repeats: int
    n: np.ndarray  # (trials,) 1, 2, …, trials
    val_loss: Band  # the best validation loss a search reports
    test_loss: Band  # the same network's test loss
    rerun_loss: Band
    val_metric: Band
    test_metric: Band
    rerun_metric: Band
    optimum_test_loss: float  # the best measured cell's test loss, mean over seeds
    optimum_test_metric: float
    optimism_loss: Band  # per search: test loss minus the best validation loss (positive: the search flattered)
    optimism_metric: Band  # per search: best validation metric minus the same network's test metric
    rerun_optimism_loss: Band  # per search: other seeds' validation loss minus the best validation loss
    rerun_optimism_metric: Band

    @property
    def gap_loss(self) -> np.ndarray:
        """Mean test loss minus mean best validation loss per search size: the optimism in loss."""
        return self.test_loss.mean - self.val_loss.mean

    @property
    def gap_metric(self) -> np.ndarray:
        """Mean best validation metric minus the same networks' mean test metric: the optimism in accuracy (or R²)."""
        return self.val_metric.mean - self.test_metric.mean


BAND = (10, 90)  # the percentiles that bound every band of the replayed searches


def expected_max(n: int) -> float:
    """The expected largest of ``n`` independent standard normal draws, in standard deviations."""
    from scipy import integrate, stats

    def density(x: float) -> float:
        return x * n * stats.norm.pdf(x) * stats.norm.cdf(x) ** (n - 1)

    return float(integrate.quad(density, -12, 12)[0])


def _band(x: np.ndarray) -> Band:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a size where every search only met diverged runs
        return Band(np.nanmean(x, axis=0), *(np.nanpercentile(x, q, axis=0) for q in BAND))


def winners_curse(ls: Landscape, trials: int = 100, repeats: int = 2000, seed: int = 0) -> Curse:
    """Replay ``repeats`` random searches of ``trials`` trials on ``ls`` and follow what each keeps.

    A trial is one cell (uniform over the grid, with replacement) trained from one of the
    landscape's seeds (uniform): its validation loss is what the search sees. A diverged
    run (NaN) is never kept. After ``n`` trials the search keeps the lowest validation loss
    so far; the reported curves are, for every ``n``, the mean and spread over searches of:
    that loss, the same run's test loss, and the cell's validation loss on the other seeds;
    and the same three for the metric of the kept run.
    """
    v = CURSE.validate(trials=trials, repeats=repeats, seed=seed)
    n_seeds, res, _ = ls.val_loss.shape
    rng = np.random.default_rng(v["seed"])
    run = rng.integers(0, ls.val_loss.size, size=(v["repeats"], v["trials"]))  # flat [seed, i, j] index
    seen = np.nan_to_num(ls.val_loss.ravel()[run], nan=np.inf)
    best = np.minimum.accumulate(seen, axis=1)
    step = np.arange(v["trials"])
    at = np.maximum.accumulate(np.where(seen == best, step, 0), axis=1)  # the trial each search keeps after n
    kept = np.take_along_axis(run, at, axis=1)
    cell = kept % (res * res)
    s = kept // (res * res)

    def rerun(a: np.ndarray) -> np.ndarray:
        per = a.reshape(n_seeds, -1)[:, cell]  # (seeds, repeats, trials)
        per[s[None] == np.arange(n_seeds)[:, None, None]] = np.nan  # leave the kept run out
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # one seed only: nothing to re-run
            return np.nanmean(per, axis=0)

    def kept_of(a: np.ndarray) -> np.ndarray:
        return a.ravel()[kept]

    opt = np.ravel_multi_index(ls.best, (res, res))
    val, test, again = kept_of(ls.val_loss), kept_of(ls.test_loss), rerun(ls.val_loss)
    val_m, test_m, again_m = kept_of(ls.val_metric), kept_of(ls.test_metric), rerun(ls.val_metric)
    return Curse(
        ls.dataset, ls.metric, v["repeats"], step + 1,
        _band(val), _band(test), _band(again), _band(val_m), _band(test_m), _band(again_m),
        float(np.nanmean(ls.test_loss.reshape(n_seeds, -1)[:, opt])),
        float(np.nanmean(ls.test_metric.reshape(n_seeds, -1)[:, opt])),
        _band(test - val), _band(val_m - test_m), _band(again - val), _band(val_m - again_m),
    )


@dataclass(frozen=True)
class Nested:
    """Per repeat: the plain protocol's score, nested CV's score and the winner's test score."""

    dataset: str
    metric: str  # "accuracy" or "R²" (scikit-learn's default score for the estimator)
    pool: int  # training rows searched on
    n_test: int  # rows of the untouched test split
    plain: np.ndarray  # (repeats,) GridSearchCV.best_score_: the best inner cross-validation mean
    nested: np.ndarray  # (repeats,) mean over the outer folds of the refitted inner winner's score
    test: np.ndarray  # (repeats,) the winner refitted on the whole pool, scored once on the test split
    outer_sd: np.ndarray  # (repeats,) standard deviation over the outer folds
    chosen: tuple[dict, ...]  # the plain protocol's winner per repeat (each outer fold may choose differently)
    fits_plain: int  # trainings each protocol costs per repeat
    fits_nested: int

    @property
    def test_se(self) -> float:
        """Standard error of an accuracy measured once on the test split, at the mean test accuracy; NaN for R²."""
        if self.metric != "accuracy":
            return float("nan")
        p = float(np.mean(self.test))
        return float(np.sqrt(p * (1 - p) / self.n_test))

    @property
    def plain_bias(self) -> np.ndarray:
        """Plain score minus test score, per repeat (positive: optimistic)."""
        return self.plain - self.test

    @property
    def nested_bias(self) -> np.ndarray:
        return self.nested - self.test


def _estimator(task: str, seed: int):
    kind = MLPClassifier if task == "classification" else MLPRegressor
    return kind(hidden_layer_sizes=(HIDDEN,), max_iter=MAX_ITER, random_state=seed)


def _folds(task: str, k: int, seed: int):
    kind = StratifiedKFold if task == "classification" else KFold
    return kind(k, shuffle=True, random_state=seed)


def nested_cv(dataset: str = "digits", pool: int = 200, repeats: int = 3, progress: Progress = quiet) -> Nested:
    """Plain grid search against nested cross-validation on ``pool`` training rows, ``repeats`` times.

    Each repeat draws ``pool`` rows of the data set's training split (stratified shuffling is not
    needed: the draw is uniform), then:

    * plain: ``GridSearchCV`` over :data:`GRID` with :data:`INNER`-fold cross-validation; its
      ``best_score_`` is the number the plain protocol would report.
    * nested: ``cross_val_score`` of that same ``GridSearchCV`` over an :data:`OUTER`-fold split: each
      outer fold's rows never influence the choice scored on them.
    * test: the plain protocol's winner, refitted on the whole pool, scored once on the test split.

    The estimator is scikit-learn's MLP (one hidden layer of :data:`HIDDEN` ReLU units, Adam, at most
    :data:`MAX_ITER` epochs); rows were standardized with the full training split's statistics, which
    never include test rows but do include every outer fold's rows, so a little of each outer fold
    leaks into the scaling its models were trained with.
    """
    v = NESTED.validate(dataset=dataset, pool=pool, repeats=repeats)
    have, least = len(arrays(check(v["dataset"])).y_train), NESTED.fields["pool"].lo
    if have < v["pool"]:
        why = (f"; the table is too small for this part, which needs at least {least} training rows" if have < least
               else "")
        raise ParamError([f"pool must be at most the {have:,} training rows of dataset {v['dataset']}; got "
                          f"{v['pool']}{why}."])
    return _nested(v["dataset"], v["pool"], v["repeats"], progress=progress)


@memo("search-nested-cv", depends=("neuralab.search.tasks",), salt=sklearn.__version__)
def _nested(dataset: str, pool: int, repeats: int, *, progress: Progress = quiet) -> Nested:
    data = arrays(dataset)
    n_grid = int(np.prod([len(g) for g in GRID.values()]))
    rows: list[tuple[float, float, float, float, dict]] = []
    for r in range(repeats):
        idx = np.random.default_rng([r, 13]).choice(len(data.y_train), pool, replace=False)
        X, y = data.X_train[idx], data.y_train[idx]
        search = GridSearchCV(_estimator(data.task, r), GRID, cv=_folds(data.task, INNER, r))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # short Adam runs: part of the setting
            warnings.filterwarnings("ignore", message="The least populated class")
            search.fit(X, y)
            outer = cross_val_score(search, X, y, cv=_folds(data.task, OUTER, 1000 + r))
        test = float(search.best_estimator_.score(data.X_test, data.y_test))
        rows.append((float(search.best_score_), float(outer.mean()), test, float(outer.std()),
                     dict(search.best_params_)))
        progress(r + 1, repeats)
    plain, nest, test, sd, chosen = zip(*rows, strict=True)
    return Nested(dataset, "accuracy" if data.task == "classification" else "R²", pool, len(data.y_test),
                  np.array(plain), np.array(nest), np.array(test), np.array(sd), tuple(chosen),
                  n_grid * INNER + 1, OUTER * (n_grid * INNER + 1))
