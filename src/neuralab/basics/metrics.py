"""Metrics on a rare class: what accuracy hides, ROC against PR, and a threshold chosen from the cost of errors.

* :func:`fault_windows`: a synthetic fault-detection set (four condition features per motor
  operating window, a fault in a chosen share of them).
* :func:`scored`: a logistic regression fitted on half of it, its fault probabilities on the other
  half, and both curves (ROC and precision–recall). Cached per (prevalence, seed), so moving only
  the threshold does not refit.
* :func:`evaluate`: every metric at one threshold, all from :mod:`sklearn.metrics`, with the
  majority-class baseline and the threshold that minimises the cost of the errors.
* :func:`confusion_metrics`: the metrics of a confusion matrix, by their formulas (checked
  against scikit-learn in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn import metrics
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from neuralab.checks import fail
from neuralab.params import Float, Int, ParamSpec

__all__ = ["FEATURES", "METRICS", "N_WINDOWS", "Evaluated", "Scored", "confusion_metrics", "evaluate",
           "fault_windows", "scored"]

N_WINDOWS = 5000  # operating windows in the set; half train, half test
#: (name, unit, healthy (mean, sd), faulty (mean, sd)); vibration is log-normal (its log's mean and sd).
FEATURES = (
    ("vibration RMS", "mm/s", (np.log(1.8), 0.35), (np.log(2.6), 0.40)),
    ("phase current imbalance", "%", (1.0, 0.5), (1.7, 0.7)),
    ("5th-harmonic current", "% of fundamental", (2.0, 0.6), (2.5, 0.7)),
    ("winding temperature above the thermal model", "K", (0.0, 3.0), (2.0, 3.5)),
)

METRICS = ParamSpec(
    "metrics",
    metrics_prevalence=Float(1.0, 50.0, 5.0, step=0.5, label="Faulty windows", unit="%",
                             help="The share of windows with a fault, in training and test alike."),
    metrics_threshold=Float(0.01, 0.99, 0.5, step=0.01, label="Threshold",
                            help="A window is flagged as faulty when its fault probability is at least this."),
    metrics_cost=Int(1, 100, 10, label="Cost of a missed fault", unit="× a false alarm",
                     help="What one missed fault costs, counted in false alarms."),
    metrics_seed=Int(0, 9, 0, label="Seed", help="Draws the windows and the train/test split."),
)


def fault_windows(prevalence_pct: float = 5.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(X, y): ``N_WINDOWS`` windows of four condition features, ``y = 1`` for a fault.

    Synthetic, with the overlap real condition monitoring has: each feature drifts with a fault
    (more vibration, more imbalance and harmonics, a winding warmer than the thermal model says),
    but healthy spread covers much of the faulty range.
    """
    v = METRICS.validate(metrics_prevalence=prevalence_pct, metrics_seed=seed)
    rng = np.random.default_rng([v["metrics_seed"], 15])
    n_pos = round(N_WINDOWS * v["metrics_prevalence"] / 100)
    y = np.zeros(N_WINDOWS, dtype=np.int64)
    y[:n_pos] = 1
    y = rng.permutation(y)
    cols = []
    for i, (_, _, healthy, faulty) in enumerate(FEATURES):
        mu = np.where(y == 1, faulty[0], healthy[0])
        sd = np.where(y == 1, faulty[1], healthy[1])
        x = rng.normal(mu, sd)
        cols.append(np.exp(x) if i == 0 else x)
    return np.column_stack(cols), y


@dataclass(frozen=True)
class Scored:
    """A fitted detector's fault probabilities on the test half, and its curves."""

    prevalence_pct: float  # requested share of faults
    seed: int
    y: np.ndarray  # (n,) test labels, 1 = fault
    score: np.ndarray  # (n,) fault probability from the logistic regression
    fpr: np.ndarray  # ROC curve: false-positive rate
    tpr: np.ndarray  # ROC curve: true-positive rate (recall)
    roc_thresholds: np.ndarray
    auc: float  # area under the ROC curve
    pr_precision: np.ndarray  # precision–recall curve
    pr_recall: np.ndarray
    pr_thresholds: np.ndarray
    average_precision: float

    @property
    def test_prevalence(self) -> float:
        return float(self.y.mean())


@lru_cache(maxsize=32)
def scored(prevalence_pct: float = 5.0, seed: int = 0) -> Scored:
    """Fit a standardised logistic regression on a stratified half; score the other half (cached)."""
    X, y = fault_windows(prevalence_pct, seed)
    x_tr, x_te, y_tr, y_te = train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(x_tr, y_tr)
    score = model.predict_proba(x_te)[:, 1]
    fpr, tpr, roc_t = metrics.roc_curve(y_te, score, drop_intermediate=False)
    prec, rec, pr_t = metrics.precision_recall_curve(y_te, score)
    out = Scored(float(prevalence_pct), int(seed), y_te, score, fpr, tpr, roc_t,
                 float(metrics.roc_auc_score(y_te, score)), prec, rec, pr_t,
                 float(metrics.average_precision_score(y_te, score)))
    for a in (out.y, out.score, fpr, tpr, roc_t, prec, rec, pr_t):
        a.setflags(write=False)
    return out


def confusion_metrics(tn: int, fp: int, fn: int, tp: int) -> dict[str, float]:
    """Accuracy, balanced accuracy, precision, recall, specificity and F1 from the four counts (0 where undefined)."""
    counts = {"tn": tn, "fp": fp, "fn": fn, "tp": tp}
    for name, c in counts.items():
        if not isinstance(c, int | np.integer) or c < 0:
            raise fail(f"{name} must be a count (a whole number, 0 or more); got {c!r:.40}.")
    n = tn + fp + fn + tp
    if n == 0:
        raise fail("tn, fp, fn and tp are all 0: there is nothing to measure.")

    def ratio(a: int, b: int) -> float:
        return a / b if b else 0.0

    recall, specificity, precision = ratio(tp, tp + fn), ratio(tn, tn + fp), ratio(tp, tp + fp)
    return {
        "accuracy": (tp + tn) / n,
        "balanced_accuracy": (recall + specificity) / 2,
        "precision": precision,
        "recall": recall,
        "specificity": specificity,
        "f1": ratio(2 * tp, 2 * tp + fp + fn),
    }


@dataclass(frozen=True)
class Evaluated:
    scored: Scored
    threshold: float
    cost: int  # cost of a missed fault in false alarms
    tn: int
    fp: int
    fn: int
    tp: int
    accuracy: float
    balanced_accuracy: float
    precision: float
    recall: float
    f1: float
    baseline_accuracy: float  # always answering the majority class ("no fault" below 50 %)
    fpr: float  # operating point on the ROC curve
    cost_thresholds: np.ndarray  # thresholds of the cost sweep
    cost_per_window: np.ndarray  # (m,) (cost · FN + FP) / n at each threshold
    cost_now: float  # at the chosen threshold
    best_threshold: float  # the cheapest threshold on the test half
    best_cost: float
    bayes_threshold: float  # 1 / (1 + cost): right for well-calibrated probabilities


def evaluate(prevalence_pct: float = 5.0, threshold: float = 0.5, cost: int = 10, seed: int = 0) -> Evaluated:
    """Every metric at ``threshold`` (flag when probability ≥ threshold), all from :mod:`sklearn.metrics`."""
    v = METRICS.validate(metrics_prevalence=prevalence_pct, metrics_threshold=threshold, metrics_cost=cost,
                         metrics_seed=seed)
    s = scored(v["metrics_prevalence"], v["metrics_seed"])
    t, c = v["metrics_threshold"], v["metrics_cost"]
    pred = (s.score >= t).astype(np.int64)
    tn, fp, fn, tp = (int(x) for x in metrics.confusion_matrix(s.y, pred, labels=[0, 1]).ravel())
    majority = int(s.y.mean() > 0.5)
    grid = np.linspace(0.0, 1.0, 201)
    flagged = s.score[None, :] >= grid[:, None]  # (201, n)
    pos = s.y == 1
    fn_g, fp_g = (~flagged[:, pos]).sum(axis=1), flagged[:, ~pos].sum(axis=1)
    per = (c * fn_g + fp_g) / s.y.size
    best = int(np.argmin(per))
    return Evaluated(
        s, t, c, tn, fp, fn, tp,
        accuracy=float(metrics.accuracy_score(s.y, pred)),
        balanced_accuracy=float(metrics.balanced_accuracy_score(s.y, pred)),
        precision=float(metrics.precision_score(s.y, pred, zero_division=0)),
        recall=float(metrics.recall_score(s.y, pred, zero_division=0)),
        f1=float(metrics.f1_score(s.y, pred, zero_division=0)),
        baseline_accuracy=float(metrics.accuracy_score(s.y, np.full_like(s.y, majority))),
        fpr=fp / (fp + tn) if fp + tn else 0.0,
        cost_thresholds=grid, cost_per_window=per, cost_now=(c * fn + fp) / s.y.size,
        best_threshold=float(grid[best]), best_cost=float(per[best]), bayes_threshold=1 / (1 + c),
    )
