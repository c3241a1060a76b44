"""Ready-to-train arrays: a dataset split into train, validation and test, scaled on train only.

Every training page starts here, so every page gets the same leak-free preparation:
the split is stratified for classes, and the scaler's mean and scale are learned
from the training rows alone, then applied to the other two.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from sklearn.preprocessing import StandardScaler

from neuralab.data.datasets import load

__all__ = ["Arrays", "prepare", "digits", "diabetes"]


@dataclass(frozen=True)
class Arrays:
    """Train, validation and test arrays (float32 inputs), read-only."""

    X_train: np.ndarray  # (n_train, n_features) float32, standardized with train statistics
    y_train: np.ndarray  # (n_train,) int64 class index, or float32 target for regression
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    task: str  # "classification" or "regression"
    n_classes: int  # 0 for regression
    name: str = ""

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.n_classes if self.task == "classification" else 1


def prepare(
    X: np.ndarray, y: np.ndarray, *, task: str, val_frac: float = 0.2, test_frac: float = 0.2, seed: int = 0,
    name: str = "", scale_y: bool = True, ordered: bool = False, groups: np.ndarray | None = None,
) -> Arrays:
    """Split ``X, y`` into train/val/test and standardize on train.

    The split is stratified for classes by default. ``ordered``: the rows are in time order, and the split keeps
    it (train the earliest rows, then validation, then test), so no model is scored on moments between ones it
    trained on. ``groups``: whole groups go to one part (scikit-learn's ``GroupShuffleSplit``), so no drive
    cycle or unit is scored on after training on it. For regression with ``scale_y`` the target is standardized
    with the training mean and standard deviation too, so losses read in units of the target's spread.
    """
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be classification or regression; got {task!r}.")
    if not (0 < val_frac < 1 and 0 < test_frac < 1 and val_frac + test_frac < 1):
        raise ValueError(f"val_frac and test_frac must be in (0, 1) with a sum below 1; got {val_frac}, {test_frac}.")
    if ordered and groups is not None:
        raise ValueError("ordered and groups split differently: give one of them.")
    train, val, test = _split(len(y), y if task == "classification" else None, val_frac, test_frac, seed,
                              ordered, groups)
    scaler = StandardScaler().fit(X[train])
    out = [scaler.transform(X[i]).astype(np.float32) for i in (train, val, test)]
    if task == "classification":
        ys = [y[i].astype(np.int64) for i in (train, val, test)]
        n_classes = int(y.max()) + 1
    else:
        mu, sd = (float(y[train].mean()), float(y[train].std()) or 1.0) if scale_y else (0.0, 1.0)
        ys = [((y[i] - mu) / sd).astype(np.float32) for i in (train, val, test)]
        n_classes = 0
    arrays = Arrays(out[0], ys[0], out[1], ys[1], out[2], ys[2], task, n_classes, name)
    for a in (arrays.X_train, arrays.y_train, arrays.X_val, arrays.y_val, arrays.X_test, arrays.y_test):
        a.setflags(write=False)
    return arrays


def _split(n: int, strat: np.ndarray | None, val_frac: float, test_frac: float, seed: int, ordered: bool,
           groups: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices of train, validation and test: in time order, by whole groups, or shuffled (stratified)."""
    idx = np.arange(n)
    if ordered:
        n_test, n_val = round(n * test_frac), round(n * val_frac)
        if min(n_test, n_val, n - n_test - n_val) < 1:
            raise ValueError(f"{n} rows are too few to split in time order into training, validation and test.")
        return idx[: n - n_test - n_val], idx[n - n_test - n_val: n - n_test], idx[n - n_test:]
    if groups is not None:
        groups = np.asarray(groups)
        if len(groups) != n:
            raise ValueError(f"groups has {len(groups)} entries for {n} rows.")
        if len(np.unique(groups)) < 3:
            raise ValueError(f"{len(np.unique(groups))} group(s) are too few to split whole groups into "
                             "training, validation and test; at least 3 are needed.")
        rest, test = next(GroupShuffleSplit(1, test_size=test_frac, random_state=seed).split(idx, groups=groups))
        sub = GroupShuffleSplit(1, test_size=val_frac / (1 - test_frac), random_state=seed)
        train, val = next(sub.split(rest, groups=groups[rest]))
        return rest[train], rest[val], test
    rest, test = train_test_split(idx, test_size=test_frac, random_state=seed, stratify=strat)
    strat_rest = strat[rest] if strat is not None else None
    train, val = train_test_split(rest, test_size=val_frac / (1 - test_frac), random_state=seed, stratify=strat_rest)
    return train, val, test


@lru_cache(maxsize=16)
def digits(seed: int = 0, val_frac: float = 0.2, test_frac: float = 0.2) -> Arrays:
    """sklearn's 1,797 handwritten 8×8 digits, 10 classes, 64 pixel features."""
    ds = load("digits")
    return prepare(np.asarray(ds.X), np.asarray(ds.y), task="classification", val_frac=val_frac,
                   test_frac=test_frac, seed=seed, name="digits")


@lru_cache(maxsize=16)
def diabetes(seed: int = 0, val_frac: float = 0.2, test_frac: float = 0.2) -> Arrays:
    """sklearn's diabetes regression: 442 patients, 10 features, disease progression after a year."""
    bunch = load_diabetes()
    return prepare(bunch.data, bunch.target.astype(np.float64), task="regression", val_frac=val_frac,
                   test_frac=test_frac, seed=seed, name="diabetes")
