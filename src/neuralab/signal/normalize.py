"""Normalizers learn column statistics, so where they are fitted matters: fit them on the training rows only.

:data:`NORMALIZERS` are scikit-learn's scalers; :func:`make_normalizer` builds one. A
scikit-learn ``Pipeline`` fits them on the training rows by construction; :func:`pipeline_leak`
measures what happens when one is fitted on every row, the test rows included.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import TransformerMixin
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, Normalizer, RobustScaler, StandardScaler

from neuralab.checks import check_array, fail
from neuralab.data.baselines import REGRESSOR, make_regressor
from neuralab.params import SEED, Choice, Float, ParamSpec, Rule

__all__ = [
    "INPUTS",
    "NORMALIZE",
    "NORMALIZER",
    "NORMALIZERS",
    "PIPELINE_LEAK",
    "PipelineLeak",
    "make_normalizer",
    "pipeline_leak",
]

# --------------------------------------------------------------------------- normalization

#: Name -> scikit-learn class. All but ``unit`` learn per-column statistics in ``fit``.
NORMALIZERS: dict[str, type[TransformerMixin]] = {
    "zscore": StandardScaler,  # (x - mean) / std per column
    "minmax": MinMaxScaler,  # (x - min) / (max - min) per column, to [0, 1]
    "robust": RobustScaler,  # (x - median) / IQR per column; outliers barely move it
    "unit": Normalizer,  # each ROW divided by its L2 norm; learns nothing
}

NORMALIZER = Choice(
    (
        ("zscore", "z-score (mean 0, std 1)"),
        ("minmax", "Min–max to [0, 1]"),
        ("robust", "Robust (median, IQR)"),
        ("unit", "Unit norm per row"),
    ),
    default="minmax",
    label="Normalizer",
    help="z-score, min–max and robust learn column statistics from the rows they are fitted on; "
    "unit norm rescales each row on its own.",
)
NORMALIZE = ParamSpec("normalize", normalizer=NORMALIZER)
INPUTS = Choice(
    (
        ("extrapolate", "Out-of-range inputs pass through"),
        ("saturate", "Inputs saturate at the fitted range"),
    ),
    default="saturate",
    label="Out-of-range inputs",
    help="Saturate is MinMaxScaler(clip=True): like a fixed-point input whose full scale was set from training data.",
)


def make_normalizer(name: str, saturate: bool = False) -> TransformerMixin:
    """A fresh scikit-learn normalizer; ``saturate`` gives ``MinMaxScaler(clip=True)`` (min–max only).

    Trap: ``unit`` (``Normalizer``) is not a column scaler at all; it rescales every
    sample to length 1, which throws away the overall magnitude (e.g. the load).
    """
    NORMALIZE.validate(normalizer=name)
    if saturate:
        if name != "minmax":
            raise fail(f"saturate needs normalizer 'minmax' (MinMaxScaler(clip=True)); got {name!r}.")
        return MinMaxScaler(clip=True)
    return NORMALIZERS[name]()


# --------------------------------------------------------------------------- leakage through preprocessing

SPLIT_FRAC = Float(0.5, 0.9, 0.7, step=0.05, label="Training share", help="The oldest rows train; the rest test.")
PIPELINE_LEAK = ParamSpec(
    "pipeline_leak",
    normalizer=NORMALIZER,
    inputs=INPUTS,
    model=REGRESSOR,
    split_frac=SPLIT_FRAC,
    seed=SEED,
    rules=[
        Rule(
            ("inputs", "normalizer"),
            lambda v: v["inputs"] == "extrapolate" or v["normalizer"] == "minmax",
            "inputs 'saturate' needs normalizer 'minmax' (MinMaxScaler(clip=True)); got normalizer {normalizer!r}.",
        )
    ],
)
MIN_LEAK_ROWS = 20


@dataclass(frozen=True)
class PipelineLeak:
    """The same normalizer + model, its normalizer fitted on every row (leaky) or on the training rows."""

    leaky_rmse: float  # test-tail RMSE, y units: normalizer fitted on all rows, model on the training rows
    honest_rmse: float  # test-tail RMSE, y units: the whole Pipeline fitted on the training rows only
    train: np.ndarray  # (n_train,) row indices of the oldest rows, in time order
    test: np.ndarray  # (n_test,) row indices of the newest rows (the held-out tail), in time order
    y_test: np.ndarray  # (n_test,) target of the tail
    pred_leaky: np.ndarray  # (n_test,) leaky predictions of the tail
    pred_honest: np.ndarray  # (n_test,) honest predictions of the tail
    out_of_range: np.ndarray  # (f,) share of tail rows outside each feature's training range

    @property
    def gap(self) -> float:
        """``honest_rmse - leaky_rmse`` (y units): how much better the leak makes the model look."""
        return self.honest_rmse - self.leaky_rmse


def _leak_inputs(X: ArrayLike, y: ArrayLike, time_order: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Xa = check_array(X, "X", ndim=2)
    ya = check_array(y, "y")
    t = check_array(time_order, "time_order")
    for name, arr in (("y", ya), ("time_order", t)):
        if len(arr) != len(Xa):
            raise fail(f"{name} must have one entry per row of X ({len(Xa)}); got {len(arr)}.")
    if len(Xa) < MIN_LEAK_ROWS:
        raise fail(f"X must have at least {MIN_LEAK_ROWS} rows to split; got {len(Xa)}.")
    return Xa, ya, t


def pipeline_leak(
    X: ArrayLike,
    y: ArrayLike,
    time_order: ArrayLike,
    split_frac: float = 0.7,
    normalizer: str = "minmax",
    inputs: str = "saturate",
    model: str = "ridge",
    seed: int = 0,
) -> PipelineLeak:
    """Score a normalizer + regressor on the newest rows, its normalizer fitted before or after the split.

    Rows are sorted by ``time_order``; the oldest ``split_frac`` train, the rest is
    the test tail. *Leaky*: the normalizer is fitted on every row, tail included
    (then frozen with ``sklearn.frozen.FrozenEstimator``), and the model on the
    training rows. *Honest*: ``Pipeline([normalizer, model]).fit`` on the training
    rows only. Both are scored by RMSE on the tail.

    What the gap shows depends on the step, and that is the lesson. When the data
    drift (the tail is hotter than anything in training), a saturating input
    (``inputs="saturate"``, like a fixed-point input scaled from training data)
    clips the tail's values in the honest pipeline, while the leaky one "knew" the
    hot range in advance: the leaky score looks far better than deployment will be.
    With an affine scaler (z-score, min–max, robust) and ridge regression the leak
    changes almost nothing, because a linear model absorbs any per-column shift and
    scale; ``unit`` learns nothing, so its gap is exactly zero.

    Args:
        X: ``(n, f)`` features.
        y: ``(n,)`` target.
        time_order: ``(n,)`` timestamps or sample indices.
        split_frac: training share, 0.5–0.9.
        normalizer: a key of :data:`NORMALIZERS`.
        inputs: ``"extrapolate"`` or ``"saturate"``.
        model: a key of :data:`~neuralab.data.baselines.REGRESSORS` (without its own scaler).
        seed: the model's seed.
    """
    PIPELINE_LEAK.validate(split_frac=split_frac, normalizer=normalizer, inputs=inputs, model=model, seed=seed)
    Xa, ya, t = _leak_inputs(X, y, time_order)
    order = np.argsort(t, kind="stable")
    n_train = int(round(split_frac * len(order)))
    train, test = order[:n_train], order[n_train:]
    saturate = inputs == "saturate"
    fitted_on_all = make_normalizer(normalizer, saturate).fit(Xa)  # the leak: the tail's statistics
    leaky = Pipeline([("norm", FrozenEstimator(fitted_on_all)), ("model", make_regressor(model, seed, scale=False))])
    honest = Pipeline([("norm", make_normalizer(normalizer, saturate)), ("model", make_regressor(model, seed, False))])
    pred_leaky = leaky.fit(Xa[train], ya[train]).predict(Xa[test])
    pred_honest = honest.fit(Xa[train], ya[train]).predict(Xa[test])
    lo, hi = Xa[train].min(axis=0), Xa[train].max(axis=0)
    out = ((Xa[test] < lo) | (Xa[test] > hi)).mean(axis=0)
    return PipelineLeak(
        leaky_rmse=float(np.sqrt(np.mean((pred_leaky - ya[test]) ** 2))),
        honest_rmse=float(np.sqrt(np.mean((pred_honest - ya[test]) ** 2))),
        train=train,
        test=test,
        y_test=ya[test],
        pred_leaky=pred_leaky,
        pred_honest=pred_honest,
        out_of_range=out,
    )
