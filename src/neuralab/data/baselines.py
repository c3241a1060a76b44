"""Quick scikit-learn classifiers used to score splits: fast enough to refit per fold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sklearn.base import ClassifierMixin
from sklearn.linear_model import RidgeClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from neuralab.params import Choice

__all__ = ["MODEL", "MODELS", "make_model"]


@dataclass(frozen=True)
class _Model:
    title: str
    build: Callable[[], ClassifierMixin]


MODELS: dict[str, _Model] = {
    "ridge": _Model("Ridge classifier", lambda: RidgeClassifier(alpha=1.0)),
    "bayes": _Model("Gaussian naive Bayes", GaussianNB),
    "knn": _Model("1-nearest neighbour", lambda: KNeighborsClassifier(n_neighbors=1)),
}

MODEL = Choice(
    tuple((k, m.title) for k, m in MODELS.items()),
    default="ridge",
    label="Model",
    help="The classifier refitted on every training fold. 1-nearest neighbour is the "
    "one most fooled by near-duplicates.",
)


def make_model(name: str, scale: bool = True) -> Pipeline | ClassifierMixin:
    """A fresh, unfitted classifier; with ``scale`` it standardizes its input first.

    The scaler sits inside the pipeline, so it is fitted on each training fold only.
    """
    est = MODELS[name].build()
    return make_pipeline(StandardScaler(), est) if scale else est
