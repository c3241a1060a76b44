"""Quick scikit-learn models, fast enough to refit on every fold.

Classifiers score splits (:mod:`neuralab.data.splits`); regressors score operating regimes and
preprocessing (:mod:`neuralab.signal.regime_cv`, :mod:`neuralab.signal.normalize`). Each family is a
registry of name -> model, read by its dropdown, the URL and the library alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import Ridge, RidgeClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from neuralab.params import SEED, Choice, ParamSpec

__all__ = ["MODEL", "MODELS", "REGRESSION", "REGRESSOR", "REGRESSORS", "make_model", "make_regressor"]


@dataclass(frozen=True)
class _Model:
    title: str
    build: Callable[[int], BaseEstimator]  # seed -> fresh, unfitted estimator (a deterministic one ignores it)


MODELS: dict[str, _Model] = {
    "ridge": _Model("Ridge classifier", lambda seed: RidgeClassifier(alpha=1.0)),
    "bayes": _Model("Gaussian naive Bayes", lambda seed: GaussianNB()),
    "knn": _Model("1-nearest neighbour", lambda seed: KNeighborsClassifier(n_neighbors=1)),
}

MODEL = Choice.of(
    MODELS,
    "ridge",
    label="Model",
    help="The classifier refitted on every training fold. 1-nearest neighbour is the "
    "one most fooled by near-duplicates.",
    title=attrgetter("title"),
)

REGRESSORS: dict[str, _Model] = {
    "ridge": _Model("Ridge regression", lambda seed: Ridge(alpha=1.0)),
    "knn": _Model("10-nearest neighbours", lambda seed: KNeighborsRegressor(n_neighbors=10)),
    "tree": _Model(
        "Decision tree (depth 6)",
        lambda seed: DecisionTreeRegressor(max_depth=6, min_samples_leaf=5, random_state=seed),
    ),
    "forest": _Model(
        "Random forest (10 trees, slower)",
        lambda seed: RandomForestRegressor(
            n_estimators=10, max_depth=6, min_samples_leaf=3, random_state=seed, n_jobs=1
        ),
    ),
}

REGRESSOR = Choice.of(
    REGRESSORS,
    "ridge",
    label="Model",
    help="The regressor refitted on every training fold. Trees cannot extrapolate beyond the "
    "targets they saw; ridge extrapolates a straight line.",
    title=attrgetter("title"),
)
#: What :func:`make_regressor` accepts: a regressor's name and its seed.
REGRESSION = ParamSpec("regression", model=REGRESSOR, seed=SEED)


def _scaled(est: BaseEstimator, scale: bool) -> BaseEstimator:
    """``est`` behind a ``StandardScaler`` (fitted on each training fold only, inside the pipeline), or alone."""
    return make_pipeline(StandardScaler(), est) if scale else est


def make_model(name: str, scale: bool = True) -> Pipeline | ClassifierMixin:
    """A fresh, unfitted classifier from :data:`MODELS`; with ``scale`` it standardizes its input first."""
    return _scaled(MODELS[name].build(0), scale)


def make_regressor(name: str, seed: int = 0, scale: bool = True) -> Pipeline | RegressorMixin:
    """A fresh, unfitted regressor from :data:`REGRESSORS`, built with ``seed``; with ``scale``, standardized input.

    Raises:
        ParamError: ``name`` is not a key of :data:`REGRESSORS`, or ``seed`` is out of range.
    """
    REGRESSION.validate(model=name, seed=seed)
    return _scaled(REGRESSORS[name].build(seed), scale)
