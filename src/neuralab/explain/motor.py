"""Which engineered features drive a torque model of the motor bench, against the simulator's own law.

The data are the bench log's 240 windows of 50 ms (:func:`neuralab.data.motor.bench_windows`, 12 drive cycles while
the winding heats from 20 to 120 °C), the target each window's mean torque. The features are the measured current
amplitude ``i_amp`` (mean Park i_q, A), the speed (rpm), the winding temperature (°C) and a column of pure noise
(standard normal, drawn from the seed): a feature that cannot matter, to see each method say so.

**What truly drives the target**, from :mod:`neuralab.data.motor`: with i_d = 0 the torque is
``T_e = 1.5 · p · ψ(ϑ) · i_q`` with ``ψ(ϑ) = ψ20 · (1 + α_ψ · (ϑ − 20))``. The current does nearly all of it, the
temperature corrects the torque per ampere by up to 12 % (the magnet weakens), the speed and the noise do not enter
at all. The "truth" bars are the permutation importance of that law itself (:func:`law`) on the same test windows:
how much of the torque's variance each feature carries, computed from the simulator, not from a model.

The model is a small scikit-learn MLP (two hidden layers of 32, inputs and target standardized), fitted on 9 of the 12
cycles and tested on the other 3 (one early, one middle, one late in the heat run; a group split, so no window of a
test cycle is seen in training). It is fitted once per seed and kept on disk.

* **Permutation importance** (:func:`sklearn.inspection.permutation_importance`): the fall of the test R² when one
  column is shuffled, breaking its link to the target, averaged over :data:`REPEATS` shuffles. The trap: with
  correlated features, shuffling one makes inputs that never occur, and the model's answer there is anyone's guess.
* **SHAP** (``shap.KernelExplainer``): for each window, Shapley values that split the prediction's distance from the
  mean prediction over the background among the features; they add up exactly (local accuracy). With 4 features
  every coalition is evaluated (2⁴), so the values are exact for the chosen background (:data:`BACKGROUND` windows
  of the training cycles), not sampled. The page reports mean |SHAP| per feature, in N·m.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import TransformedTargetRegressor
from sklearn.inspection import permutation_importance
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from neuralab import cache
from neuralab.data.motor import CONSTANTS, bench_windows, flux_linkage
from neuralab.params import Int, ParamSpec
from neuralab.progress import Progress, quiet

__all__ = ["BACKGROUND", "FEATURES", "IMPORTANCE", "REPEATS", "TEST_CYCLES", "Explained", "Importance", "Law", "Table",
           "explain_features", "explain_shap", "fit", "importance", "law", "table"]

FEATURES = {"i_amp": ("Current amplitude i_q", "A"), "speed_rpm": ("Speed", "rpm"),
            "temp_c": ("Winding temperature", "°C"), "noise": ("Pure noise", "")}
TEST_CYCLES = (2, 6, 10)  # held out: early, middle and late in the heat run
REPEATS = 20  # shuffles per feature
BACKGROUND = 30  # training windows SHAP compares against
EXPLAINED = 60  # test windows SHAP explains (every one is 16 model calls per background window)
IMPORTANCE = ParamSpec(
    "xai-motor",
    motor_seed=Int(0, 99, 0, label="Seed", help="Draws the MLP's initial weights, the noise column, the shuffles and "
                                                "the SHAP background."),
)


@dataclass(frozen=True)
class Table:
    """The features and target of the bench windows, split by cycle."""

    X_train: np.ndarray  # (n, 4) i_amp A, speed rpm, temp °C, noise
    y_train: np.ndarray  # (n,) torque N·m
    X_test: np.ndarray
    y_test: np.ndarray
    names: tuple[str, ...]


def table(seed: int = 0) -> Table:
    """The bench windows as features and torque, with a noise column drawn from ``seed``; test cycles held out."""
    w = bench_windows(0)
    noise = np.random.default_rng([seed, 19]).standard_normal(len(w.y))
    X = np.column_stack([w.i_amp, w.speed_rpm, w.temp_c, noise])
    test = np.isin(w.cycle, TEST_CYCLES)
    return Table(X[~test], np.asarray(w.y)[~test], X[test], np.asarray(w.y)[test], tuple(FEATURES))


class Law(RegressorMixin, BaseEstimator):
    """The simulator's torque law as an estimator: ``T = 1.5 · p · ψ(ϑ) · i_q`` from columns 0 (i_q) and 2 (ϑ)."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> Law:
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def predict(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        return 1.5 * CONSTANTS.pole_pairs * flux_linkage(X[:, 2]) * X[:, 0]


def law() -> Law:
    """The torque law of :mod:`neuralab.data.motor`, usable wherever a fitted regressor is."""
    return Law()


@cache.memo("xai-motor", depends=("neuralab.data.motor",))
def fit(seed: int = 0) -> TransformedTargetRegressor:
    """The MLP on the training cycles (standardized inputs and target), fitted once per seed and kept on disk."""
    d = table(seed)
    mlp = MLPRegressor(hidden_layer_sizes=(32, 32), max_iter=3000, tol=1e-6, random_state=seed, learning_rate_init=3e-3)
    model = TransformedTargetRegressor(make_pipeline(StandardScaler(), mlp), transformer=StandardScaler())
    return model.fit(d.X_train, d.y_train)


def explain_shap(predict, background: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, float]:
    """SHAP values (n, features) of ``predict`` on the rows of ``X``, against ``background``; and the base value.

    ``shap.KernelExplainer`` with every coalition evaluated when there are at most 11 features (2ᴹ − 2 ≤ 2046):
    exact Shapley values for that background. The values of a row add up to ``predict(row) − base``.
    """
    with warnings.catch_warnings():  # its colour maps warn of matplotlib deprecations on import
        warnings.simplefilter("ignore")
        import shap  # slow to import (numba): only when asked

    m = X.shape[1]
    explainer = shap.KernelExplainer(predict, background)
    values = explainer.shap_values(X, nsamples=2 ** m + 2 * m, silent=True)
    return np.asarray(values, dtype=np.float64), float(np.ravel(explainer.expected_value)[0])


@dataclass(frozen=True)
class Importance:
    """Each feature's importance to the torque: the simulator's law, and two explanations of the model."""

    names: tuple[str, ...]
    truth: np.ndarray  # (4,) permutation importance of the law (fall of R²)
    truth_r2: float  # the law's R² on the test windows (not 1: sensor noise and harmonics in i_amp)
    perm: np.ndarray  # (4,) permutation importance of the MLP (fall of test R²), mean over the shuffles
    perm_std: np.ndarray  # (4,) its standard deviation over the shuffles
    shap: np.ndarray  # (4,) mean |SHAP| over the explained test windows, N·m
    shap_additivity: float  # largest |Σ SHAP + base − prediction| over them, N·m
    test_r2: float  # the MLP's R² on the test cycles
    n_train: int
    n_test: int
    n_explained: int
    seed: int

    def ranking(self, which: str) -> tuple[str, ...]:
        """Feature names from most to least important by ``"truth"``, ``"perm"`` or ``"shap"``."""
        v = getattr(self, which)
        return tuple(self.names[i] for i in np.argsort(-v, kind="stable"))


@dataclass(frozen=True)
class Explained:
    """Permutation importance and SHAP of one fitted regressor, for any table."""

    perm: np.ndarray  # (features,) fall of the score when the column is shuffled, mean over the shuffles
    perm_std: np.ndarray  # (features,) its standard deviation over the shuffles
    shap: np.ndarray  # (rows, features) SHAP values of the explained rows
    base: float  # SHAP's base value: the mean prediction over the background
    predicted: np.ndarray  # (rows,) the model's answers on the explained rows

    @property
    def additivity(self) -> float:
        """Largest |Σ SHAP + base − prediction| over the rows (local accuracy: 0 up to rounding)."""
        return float(np.abs(self.shap.sum(1) + self.base - self.predicted).max())


def explain_features(model, X_test: np.ndarray, y_test: np.ndarray, background: np.ndarray, rows: np.ndarray,
                     seed: int = 0, repeats: int = REPEATS) -> Explained:
    """Permutation importance of ``model`` (R² on ``X_test``, ``repeats`` shuffles) and SHAP on ``rows``.

    ``model`` is any fitted scikit-learn regressor (or an object with ``predict``); usable on a user's own table.
    """
    p = permutation_importance(model, X_test, y_test, scoring="r2", n_repeats=repeats, random_state=seed)
    values, base = explain_shap(model.predict, background, rows)
    return Explained(p.importances_mean, p.importances_std, values, base, np.asarray(model.predict(rows)))


def importance(motor_seed: int = 0, progress: Progress = quiet) -> Importance:
    """Fit (or load) the MLP, then permutation importance of it and of the law, and SHAP; seconds."""
    seed = IMPORTANCE.validate(motor_seed=motor_seed)["motor_seed"]
    d = table(seed)
    model = fit(seed)
    progress(1, 3)
    t = permutation_importance(law(), d.X_test, d.y_test, scoring="r2", n_repeats=REPEATS, random_state=seed)
    progress(2, 3)
    rng = np.random.default_rng([seed, 20])
    bg = d.X_train[rng.choice(len(d.y_train), size=BACKGROUND, replace=False)]
    rows = d.X_test[np.sort(rng.choice(len(d.y_test), size=min(EXPLAINED, len(d.y_test)), replace=False))]
    e = explain_features(model, d.X_test, d.y_test, bg, rows, seed)
    progress(3, 3)
    return Importance(d.names, t.importances_mean, float(law().score(d.X_test, d.y_test)), e.perm, e.perm_std,
                      np.abs(e.shap).mean(0), e.additivity, float(r2_score(d.y_test, model.predict(d.X_test))),
                      len(d.y_train), len(d.y_test), len(rows), seed)
