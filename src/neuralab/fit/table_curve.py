"""Learning curves on any table: training and validation error against training-set size, cross-validated.

The polynomial curves of /fitting know their noise floor; a real table (a built-in dataset or the learner's own)
does not, so here the curve is what can be measured: scikit-learn's :func:`~sklearn.model_selection.learning_curve`
over folds that respect the table's roles (whole groups apart, or time order, else shuffled), with a linear model
(ridge regression, or logistic regression for classes) that standardizes its input inside each training fold. A
gap still closing at the largest size says more data would help; two curves that have met say the model, not the
data, is the limit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, TimeSeriesSplit, learning_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

__all__ = ["TableCurve", "table_learning_curve"]

N_SIZES = 8  # training-set sizes, spaced evenly in log from MIN_TRAIN to every training row of a fold
MIN_TRAIN = 20
FOLDS = 5  # cross-validation folds; a time split's first training part is about 1 / (FOLDS + 1) of the rows


@dataclass(frozen=True)
class TableCurve:
    """Per-fold training and validation error at each training-set size."""

    name: str  # the dataset's name
    metric: str  # what the error is, in words
    sizes: np.ndarray  # (k,) training-set sizes
    train: np.ndarray  # (k, folds) training error
    val: np.ndarray  # (k, folds) validation error
    n_rows: int  # rows the curve was computed on
    folds: str = "shuffled"  # how the folds were drawn: "shuffled", "groups" or "time"

    @property
    def train_mean(self) -> np.ndarray:
        return self.train.mean(axis=1)

    @property
    def val_mean(self) -> np.ndarray:
        return self.val.mean(axis=1)


def table_learning_curve(X: np.ndarray, y: np.ndarray, *, classify: bool, seed: int, folds: int = FOLDS,
                         name: str = "", groups: np.ndarray | None = None, ordered: bool = False) -> TableCurve:
    """Cross-validated learning curve of a linear model on ``X, y``.

    Error is 1 − accuracy for classes, and the mean squared error of the target standardized by its spread
    (so 1.0 is what always predicting the mean scores) for regression. ``groups``: group k-fold (no group is
    validated on after training on it); ``ordered`` (rows in time order): scikit-learn's ``TimeSeriesSplit``,
    each fold validating on the rows after the ones it trains on; else shuffled (stratified for classes).
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if groups is not None and ordered:
        raise ValueError("groups and ordered draw folds differently: give one of them.")
    if groups is not None and len(np.unique(groups)) < folds:
        raise ValueError(f"Group k-fold with {folds} folds needs at least {folds} groups; "
                         f"{name or 'this table'} has {len(np.unique(groups))}.")
    kind = "groups" if groups is not None else "time" if ordered else "shuffled"
    if classify:
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))
        cv, scoring, metric = StratifiedKFold(folds, shuffle=True, random_state=seed), "accuracy", "error rate"
        target = y
    else:
        model = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
        cv, scoring = KFold(folds, shuffle=True, random_state=seed), "neg_mean_squared_error"
        metric = "MSE of the standardized target"
        sd = float(np.std(y)) or 1.0
        target = (y - float(np.mean(y))) / sd
    if kind == "groups":
        cv = GroupKFold(folds, shuffle=True, random_state=seed)
    elif kind == "time":
        cv = TimeSeriesSplit(folds)
    # the smallest training part of any fold (group folds differ in size; a time split's first fold is shortest)
    n_train = min(len(train) for train, _ in cv.split(X, target, groups))
    if n_train < 2 * MIN_TRAIN:
        raise ValueError(f"A learning curve needs at least {2 * MIN_TRAIN} training rows per fold; "
                         f"{name or 'this table'} has {n_train}.")
    sizes = np.unique(np.geomspace(MIN_TRAIN, n_train, N_SIZES).astype(int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence on a few rows; a class missing from a small draw
        # the sizes are drawn from each fold's training rows; shuffling them would break a time order
        sz, tr, va = learning_curve(model, X, target, groups=groups, train_sizes=sizes, cv=cv, scoring=scoring,
                                    shuffle=kind != "time", random_state=seed if kind != "time" else None,
                                    error_score=np.nan)
    if classify:
        tr, va = 1.0 - tr, 1.0 - va
    else:
        tr, va = -tr, -va
    return TableCurve(name, metric, np.asarray(sz), tr, va, len(y), kind)
