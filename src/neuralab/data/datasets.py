"""Small real datasets that ship inside scikit-learn, so everything works offline.

Each entry of :data:`DATASETS` loads one table of measurements with class labels.
:func:`with_copies` adds near-duplicate copies of every sample, the way a sensor
log holds the same event recorded several times; the copies share a group id,
which is what group-aware splitting needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn import datasets

from neuralab.params import Choice, Int

__all__ = ["DATASETS", "Dataset", "DATASET", "COPIES", "load", "with_copies"]


@dataclass(frozen=True)
class Dataset:
    """A labelled table. Arrays are read-only views; copy before you change them."""

    name: str  # registry key
    title: str  # human name, e.g. "Breast cancer (Wisconsin)"
    X: np.ndarray  # (n_samples, n_features) float64 measurements
    y: np.ndarray  # (n_samples,) int class index
    groups: np.ndarray  # (n_samples,) id of the original sample each row comes from
    class_names: tuple[str, ...]  # one name per class index

    @property
    def n_samples(self) -> int:
        return len(self.y)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


@dataclass(frozen=True)
class _Entry:
    title: str
    blurb: str  # one line for the page: what is measured, how many, how balanced
    loader: Callable[[], tuple[np.ndarray, np.ndarray, tuple[str, ...]]]


def _sk(load: Callable) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    bunch = load()
    return bunch.data.astype(np.float64), bunch.target.astype(np.int64), tuple(map(str, bunch.target_names))


def _rare_cancer() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """All 357 benign tumours and a fixed random 19 of the 212 malignant ones (about 5%)."""
    X, y, names = _sk(datasets.load_breast_cancer)
    malignant = np.flatnonzero(y == 0)
    keep_m = np.sort(np.random.default_rng(0).choice(malignant, size=19, replace=False))
    keep = np.sort(np.concatenate([keep_m, np.flatnonzero(y == 1)]))
    return X[keep], y[keep], names


DATASETS: dict[str, _Entry] = {
    "cancer": _Entry(
        "Breast cancer",
        "569 tumours, 30 features measured on cell images; 37% malignant.",
        lambda: _sk(datasets.load_breast_cancer),
    ),
    "cancer_rare": _Entry(
        "Breast cancer, rare class",
        "376 tumours: every benign one and 19 malignant (5%), to show what a rare class does.",
        _rare_cancer,
    ),
    "wine": _Entry(
        "Wine",
        "178 wines, 13 chemical measurements, 3 cultivars (33%, 40%, 27%).",
        lambda: _sk(datasets.load_wine),
    ),
    "digits": _Entry(
        "Handwritten digits",
        "1,797 images of 8×8 pixels, 10 digits, about 10% each.",
        lambda: _sk(datasets.load_digits),
    ),
}

DATASET = Choice(
    tuple((k, e.title) for k, e in DATASETS.items()),
    default="cancer",
    label="Dataset",
    help="A real dataset bundled with scikit-learn.",
)

COPIES = Int(
    0,
    4,
    0,
    label="Near-duplicate copies per sample",
    help="Each copy is the sample plus 5% sensor noise and shares its group, "
    "like one event logged several times.",
)


@lru_cache(maxsize=16)
def load(name: str) -> Dataset:
    """Load a dataset by its registry key (cached; arrays are read-only)."""
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}; got {name!r}.")
    entry = DATASETS[name]
    X, y, names = entry.loader()
    return _frozen(Dataset(name, entry.title, X, y, np.arange(len(y)), names))


@lru_cache(maxsize=32)
def with_copies(name: str, copies: int, seed: int = 0) -> Dataset:
    """The dataset with ``copies`` noisy duplicates after each original sample.

    Copy ``j`` of sample ``i`` is ``X[i] + e`` with ``e ~ N(0, (0.05 * std_f)^2)`` per
    feature ``f``; it keeps the label and takes group ``i``. Rows stay in source order
    (original, then its copies), as repeated readings would arrive in a log.
    """
    base = load(name)
    COPIES.coerce("copies", copies)
    if copies == 0:
        return base
    rng = np.random.default_rng(seed)
    reps = copies + 1
    X = np.repeat(base.X, reps, axis=0)  # (n * reps, f)
    noise = rng.normal(size=X.shape) * (0.05 * base.X.std(axis=0))
    noise[::reps] = 0.0  # the first row of each block is the original
    title = f"{base.title} + {copies} cop{'y' if copies == 1 else 'ies'} each"
    ds = Dataset(name, title, X + noise, np.repeat(base.y, reps), np.repeat(base.groups, reps), base.class_names)
    return _frozen(ds)


def _frozen(ds: Dataset) -> Dataset:
    for arr in (ds.X, ds.y, ds.groups):
        arr.setflags(write=False)
    return ds
