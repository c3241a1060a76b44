"""Self-organizing maps fitted on the lab's data: the 8×8 digits and the motor's operating points.

:func:`train` fits one map (:func:`neuralab.nn.som.fit`) on the training part of a dataset, keeps the
snapshots taken during the fit, and measures it: quantization and topographic error on the training and
the held-out samples, the units' hits and (digits) their majority class, the map used as a classifier,
and k-means with as many centres as the map has units (scikit-learn) as the reference for the
quantization error. Results are kept on disk by their arguments (:func:`neuralab.cache.memo`).
:func:`size_sweep` repeats the fit over square maps of growing size.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from neuralab.cache import memo
from neuralab.data.datasets import load
from neuralab.data.motor import motor_log, motor_windows
from neuralab.nn import som
from neuralab.params import SEED, Choice, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet

__all__ = ["DATASETS", "MAP", "SIZES", "SWEEP", "Data", "Mapped", "Sweep", "dataset", "size_sweep", "toolbox_size",
           "train"]

DATASETS = {"motor": "Motor operating points (4 features)", "digits": "Handwritten digits 8×8 (64 pixels)"}
SIZES = (2, 3, 4, 6, 8, 10, 13, 16, 20)  # side of the square maps of the sweep
MOTOR_FEATURES = ("speed_rpm", "torque_nm", "i_amp", "temp_c")
MOTOR_LABELS = ("speed", "torque", "q-axis current i_q", "winding temperature")  # as the page names them
MOTOR_UNITS = ("rpm", "N·m", "A peak", "°C")
MOTOR_WINDOW_S = 0.02  # s: 600 windows from the 12 cycles of the bench log
MOTOR_TEST_CYCLE = 4  # every 4th drive cycle (3, 7, 11) is held out

MAP = ParamSpec(
    "som",
    som_data=Choice(tuple(DATASETS.items()), default="motor", label="Data",
                    help="What the map is fitted to: the drive's operating points or the digit images."),
    som_rows=Int(2, 20, 10, label="Map rows", unit="units", help="Height of the grid of units."),
    som_cols=Int(2, 20, 12, label="Map columns", unit="units", help="Width of the grid of units."),
    som_epochs=Int(1, 30, 10, label="Epochs", help="Passes over the training samples, one sample per step."),
    som_alpha=Float(0.02, 1.0, 0.5, step=0.01, label="Start learning rate α₀",
                    help="Fraction of the distance to the sample that the best-matching unit covers at the first step; "
                         "decays exponentially to 0.01 by the last step."),
    som_sigma=Float(0.5, 10.0, 5.0, step=0.1, label="Start radius σ₀", unit="grid units",
                    help="Width of the neighbourhood at the first step, in grid units; it decays to 0.5."),
    som_seed=SEED,
)
SWEEP = ParamSpec("som-sweep", som_data=MAP.fields["som_data"], som_seed=SEED)


@dataclass(frozen=True)
class Data:
    """A dataset as the map sees it, split in training and held-out samples."""

    name: str
    X_train: np.ndarray  # (N, d) what the map is fitted to (digits: pixels / 16; motor: z-scores)
    X_test: np.ndarray  # (M, d) held out
    y_train: np.ndarray  # (N,) int class (digits) or drive cycle (motor)
    y_test: np.ndarray  # (M,)
    features: tuple[str, ...]  # (d,) names as the page writes them
    units: tuple[str, ...]  # (d,) unit of each feature in physical terms ("" for pixels)
    mean: np.ndarray  # (d,) X_phys = X · scale + mean
    scale: np.ndarray  # (d,)
    labelled: bool  # y holds classes (digits), so the map can be used as a classifier

    def physical(self, X: np.ndarray) -> np.ndarray:
        """Values (…, d) back in the features' own units."""
        return X * self.scale + self.mean


@lru_cache(maxsize=4)
def dataset(name: str) -> Data:
    """The fixed data of ``name`` ("motor" or "digits"); the split never depends on the map's seed."""
    if name == "digits":
        ds = load("digits")
        X, y = np.asarray(ds.X, dtype=np.float64) / 16.0, np.asarray(ds.y, dtype=np.int64)
        tr, te = train_test_split(np.arange(len(y)), test_size=0.2, random_state=0, stratify=y)
        d = X.shape[1]
        return Data(name, X[tr], X[te], y[tr], y[te], tuple(f"pixel {i // 8},{i % 8}" for i in range(d)),
                    ("",) * d, np.zeros(d), np.full(d, 16.0), True)
    if name == "motor":
        w = motor_windows(motor_log(seed=0, fs=2000), window_s=MOTOR_WINDOW_S)
        raw = np.column_stack([getattr(w, f) for f in MOTOR_FEATURES])  # (m, 4)
        test = w.cycle % MOTOR_TEST_CYCLE == MOTOR_TEST_CYCLE - 1
        mean, scale = raw[~test].mean(0), raw[~test].std(0)
        Z = (raw - mean) / scale
        return Data(name, Z[~test], Z[test], w.cycle[~test].astype(np.int64), w.cycle[test].astype(np.int64),
                    MOTOR_LABELS, MOTOR_UNITS, mean, scale, False)
    raise ValueError(f"dataset must be one of {', '.join(DATASETS)}; got {name!r}.")


def toolbox_size(X: np.ndarray) -> tuple[float, int, int]:
    """The SOM Toolbox's default map size for samples ``X`` (N, d), as its ``som_topol_struct`` computes it.

    Units ``5 · N^0.54321``; the sides in the ratio ``√(λ₁/λ₂)`` of the two largest variances along the data's
    principal axes, the longer side along the first. Returns (units before rounding, rows, cols) for a
    rectangular grid; the Toolbox's default hexagonal grid squeezes the rows by √0.75.
    """
    units = 5.0 * len(X) ** 0.54321
    ev = np.sort(np.linalg.eigvalsh(np.cov(np.asarray(X, dtype=np.float64).T)))[::-1]  # (d,) largest first
    ratio = float(np.sqrt(ev[0] / ev[1])) if len(ev) > 1 and ev[1] > 0 else 1.0
    cols = max(1, round(np.sqrt(units / ratio)))
    return units, round(units / cols), cols


@dataclass(frozen=True)
class Mapped:
    """One fitted map, measured."""

    data: Data
    fit: som.SomFit
    u: np.ndarray  # (R, C) U-matrix of the final map
    hits: np.ndarray  # (R, C) training samples whose BMU is each unit
    label: np.ndarray  # (R, C) majority class of each unit's training hits, −1 without hits (digits only)
    qe_train: float
    te_train: float
    qe_test: float
    te_test: float
    accuracy: float | None  # digits: share of held-out samples whose BMU's majority class is theirs
    kmeans_qe: float  # quantization error of k-means with R·C centres on the training samples
    plane: tuple[str, str]  # names of the two axes the map is drawn on
    data_xy: np.ndarray  # (N, 2) the training samples on that plane
    snap_xy: np.ndarray  # (K, R, C, 2) each snapshot's prototypes on that plane
    seconds: float  # wall time of the fit (the first time it was computed)


def _plane(data: Data, fit: som.SomFit) -> tuple[tuple[str, str], np.ndarray, np.ndarray]:
    """Where the unfolding is drawn: speed and torque for the motor, the two first principal components for digits."""
    if data.name == "motor":
        axes = tuple(f"{f} ({u})" for f, u in zip(data.features[:2], data.units[:2], strict=True))
        return (axes, data.physical(data.X_train)[:, :2],
                data.physical(fit.snapshots)[..., :2])
    pca = PCA(2, random_state=0).fit(data.X_train)
    K, R, C, d = fit.snapshots.shape
    snap = pca.transform(fit.snapshots.reshape(-1, d)).reshape(K, R, C, 2)  # (K, R, C, 2)
    return ("principal component 1", "principal component 2"), pca.transform(data.X_train), snap


def _labels(data: Data, first: np.ndarray, units: int) -> np.ndarray:
    """(U,) majority class of each unit's hits, −1 for a unit no sample picked."""
    votes = np.zeros((units, int(data.y_train.max()) + 1), dtype=np.int64)  # (U, classes)
    np.add.at(votes, (first, data.y_train), 1)
    return np.where(votes.sum(1) > 0, votes.argmax(1), -1)


@memo("som-maps", depends=("neuralab.nn.som", "neuralab.data.motor", "neuralab.data.datasets"),
      salt=sklearn.__version__)
def train(data: str, rows: int, cols: int, epochs: int, alpha: float, sigma: float, seed: int,
          progress: Progress = quiet) -> Mapped:
    """Fit and measure one map (validated by :data:`MAP`); cached on disk by its arguments."""
    MAP.validate(som_data=data, som_rows=rows, som_cols=cols, som_epochs=epochs, som_alpha=alpha,
                 som_sigma=sigma, som_seed=seed)
    d = dataset(data)
    t0 = time.perf_counter()
    f = som.fit(d.X_train, rows, cols, epochs=epochs, alpha0=alpha, sigma0=sigma, seed=seed, progress=progress)
    seconds = time.perf_counter() - t0
    units = rows * cols
    first = som.bmus(d.X_train, f.weights)[:, 0]  # (N,)
    hits = np.bincount(first, minlength=units).reshape(rows, cols)
    label = _labels(d, first, units) if d.labelled else np.full(units, -1)
    accuracy = None
    if d.labelled:
        labelled = np.flatnonzero(label >= 0)  # a held-out sample takes the class of its nearest labelled unit
        W = f.weights.reshape(units, -1)[labelled]
        near = som.bmus(d.X_test, W[:, None, :])[:, 0]
        accuracy = float((label[labelled][near] == d.y_test).mean())
    km = KMeans(units, n_init=1, random_state=seed).fit(d.X_train)
    plane, data_xy, snap_xy = _plane(d, f)
    return Mapped(
        data=d, fit=f, u=som.u_matrix(f.weights), hits=hits, label=label.reshape(rows, cols),
        qe_train=float(f.qe[-1]), te_train=float(f.te[-1]),
        qe_test=som.quantization_error(d.X_test, f.weights), te_test=som.topographic_error(d.X_test, f.weights),
        accuracy=accuracy, kmeans_qe=som.quantization_error(d.X_train, km.cluster_centers_[:, None, :]),
        plane=plane, data_xy=data_xy, snap_xy=snap_xy, seconds=seconds,
    )


@dataclass(frozen=True)
class Sweep:
    """Square maps of growing size, each fitted with the defaults of :data:`MAP`."""

    data: str
    sides: np.ndarray  # (S,) side n of each n × n map
    qe_train: np.ndarray  # (S,)
    qe_test: np.ndarray  # (S,)
    te_train: np.ndarray  # (S,)
    te_test: np.ndarray  # (S,)
    kmeans_qe: np.ndarray  # (S,)
    accuracy: np.ndarray  # (S,) digits only, NaN for the motor
    n_test: int  # held-out samples: one of them moves the held-out TE by 1 / n_test


def size_sweep(data: str, seed: int, progress: Progress = quiet) -> Sweep:
    """Fit an n × n map for every n in :data:`SIZES` (σ₀ = n / 2, the other settings at their defaults)."""
    SWEEP.validate(som_data=data, som_seed=seed)
    dflt = MAP.defaults()
    maps = []
    for i, n in enumerate(SIZES):
        maps.append(train(data, n, n, dflt["som_epochs"], dflt["som_alpha"], n / 2, seed))
        progress(i + 1, len(SIZES))

    def col(name: str) -> np.ndarray:
        return np.array([np.nan if getattr(m, name) is None else getattr(m, name) for m in maps])

    return Sweep(data, np.array(SIZES), col("qe_train"), col("qe_test"), col("te_train"), col("te_test"),
                 col("kmeans_qe"), col("accuracy"), len(maps[0].data.X_test))
