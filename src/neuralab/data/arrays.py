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
from sklearn.model_selection import train_test_split
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
    name: str = "", scale_y: bool = True,
) -> Arrays:
    """Split ``X, y`` into train/val/test (stratified for classes) and standardize on train.

    For regression with ``scale_y`` the target is standardized with the training
    mean and standard deviation too, so losses read in units of the target's spread.
    """
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be classification or regression; got {task!r}.")
    if not (0 < val_frac < 1 and 0 < test_frac < 1 and val_frac + test_frac < 1):
        raise ValueError(f"val_frac and test_frac must be in (0, 1) with a sum below 1; got {val_frac}, {test_frac}.")
    strat = y if task == "classification" else None
    idx = np.arange(len(y))
    rest, test = train_test_split(idx, test_size=test_frac, random_state=seed, stratify=strat)
    strat_rest = y[rest] if task == "classification" else None
    train, val = train_test_split(rest, test_size=val_frac / (1 - test_frac), random_state=seed, stratify=strat_rest)
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
