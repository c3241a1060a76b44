"""Metrics on a rare class: formulas against scikit-learn, the cached fit, the cost threshold."""

import numpy as np
import pytest
from sklearn import metrics as skm

from neuralab.basics import metrics
from neuralab.params import ParamError


def _labels(tn, fp, fn, tp):
    y = np.array([0] * (tn + fp) + [1] * (fn + tp))
    pred = np.array([0] * tn + [1] * fp + [0] * fn + [1] * tp)
    return y, pred


def test_the_metrics_of_a_hand_checked_confusion_matrix_equal_sklearn():
    m = metrics.confusion_metrics(tn=5, fp=1, fn=2, tp=2)
    # by hand: 7 of 10 right; recall 2/4; specificity 5/6; precision 2/3; F1 = 2·2 / (2·2 + 1 + 2)
    assert m["accuracy"] == pytest.approx(0.7)
    assert m["recall"] == pytest.approx(0.5) and m["specificity"] == pytest.approx(5 / 6)
    assert m["balanced_accuracy"] == pytest.approx((0.5 + 5 / 6) / 2)
    assert m["precision"] == pytest.approx(2 / 3) and m["f1"] == pytest.approx(4 / 7)
    y, pred = _labels(5, 1, 2, 2)
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert m["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, pred))
    assert m["precision"] == pytest.approx(skm.precision_score(y, pred))
    assert m["recall"] == pytest.approx(skm.recall_score(y, pred))
    assert m["f1"] == pytest.approx(skm.f1_score(y, pred))


def test_no_flagged_window_gives_zero_precision_as_sklearn_does_with_zero_division_0():
    m = metrics.confusion_metrics(tn=9, fp=0, fn=1, tp=0)
    y, pred = _labels(9, 0, 1, 0)
    assert m["precision"] == skm.precision_score(y, pred, zero_division=0) == 0.0
    assert m["accuracy"] == 0.9 and m["balanced_accuracy"] == 0.5


def test_the_set_has_the_requested_share_of_faults():
    X, y = metrics.fault_windows(5.0, 0)
    assert X.shape == (metrics.N_WINDOWS, 4) and int(y.sum()) == 250
    assert (X[:, 0] > 0).all()  # vibration RMS is positive
    assert X[y == 1].mean(axis=0)[1] > X[y == 0].mean(axis=0)[1]


def test_evaluate_agrees_with_sklearn_and_its_own_confusion_matrix():
    e = metrics.evaluate(5.0, 0.3, 10, 0)
    s = e.scored
    pred = (s.score >= 0.3).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(s.y, pred).ravel()
    assert (e.tn, e.fp, e.fn, e.tp) == (tn, fp, fn, tp)
    by_formula = metrics.confusion_metrics(e.tn, e.fp, e.fn, e.tp)
    for name in ("accuracy", "balanced_accuracy", "precision", "recall", "f1"):
        assert getattr(e, name) == pytest.approx(by_formula[name])
    assert s.auc == pytest.approx(skm.roc_auc_score(s.y, s.score))
    assert s.test_prevalence == pytest.approx(0.05)  # stratified split
    assert e.baseline_accuracy == pytest.approx(0.95)
    assert e.fpr == pytest.approx(fp / (fp + tn))


def test_moving_only_the_threshold_reuses_the_fit():
    a, b = metrics.evaluate(5.0, 0.2, 10, 1), metrics.evaluate(5.0, 0.7, 10, 1)
    assert a.scored is b.scored
    assert a.recall >= b.recall and a.fp >= b.fp


def test_the_cheapest_threshold_is_the_minimum_of_the_cost_sweep():
    e = metrics.evaluate(5.0, 0.5, 9, 0)
    assert e.bayes_threshold == pytest.approx(0.1)
    assert e.best_cost == pytest.approx(e.cost_per_window.min()) and e.best_cost <= e.cost_now
    i = int(np.argmin(np.abs(e.cost_thresholds - 0.5)))
    assert e.cost_per_window[i] == pytest.approx(e.cost_now)
    assert e.cost_now == pytest.approx((9 * e.fn + e.fp) / e.scored.y.size)


def test_rarer_faults_leave_the_auc_and_lower_the_average_precision():
    rare, common = metrics.scored(2.0, 0), metrics.scored(40.0, 0)
    assert abs(rare.auc - common.auc) < 0.06
    assert rare.average_precision < common.average_precision


@pytest.mark.parametrize(("call", "fragment"), [
    (lambda: metrics.evaluate(prevalence_pct=70), "metrics_prevalence must be between 1 and 50"),
    (lambda: metrics.evaluate(threshold=1.5), "metrics_threshold must be between"),
    (lambda: metrics.evaluate(cost=0), "metrics_cost must be between 1 and 100"),
    (lambda: metrics.fault_windows(seed=-1), "metrics_seed must be between"),
    (lambda: metrics.confusion_metrics(-1, 0, 0, 1), "tn must be a count"),
    (lambda: metrics.confusion_metrics(0, 0, 0, 0), "nothing to measure"),
])
def test_bad_input_is_a_sentence_naming_the_parameter(call, fragment):
    with pytest.raises(ParamError, match=fragment):
        call()
