"""Motor fault detection by reconstruction error: the score by hand, the flags scored as on /preprocessing."""

import numpy as np
import pytest
import torch
from sklearn.metrics import f1_score, precision_score, recall_score

from neuralab import anomaly
from neuralab.params import ParamError
from neuralab.plots import autoencoder_motor as mo
from neuralab.train import motor_anomaly as ma
from tests.train.tiny_autoencoder import tiny_models


@pytest.fixture
def tiny(monkeypatch):
    yield from tiny_models(monkeypatch)


def test_the_score_of_a_sample_is_its_error_in_the_window_centred_on_it(tiny):
    s = ma.scores(0)
    log, x = ma._currents(0)
    n_c = log.samples_per_cycle
    net = ma._model(0, x, n_c, None)
    base = ma.TRAIN_CYCLES * n_c
    for i in (0, 5, 1000, n_c - 1, n_c + 17, 3 * n_c + 4321):  # cycle edges included
        c, j = divmod(i, n_c)
        start = min(max(j - ma.W // 2, 0), n_c - ma.W)
        w = x[base + c * n_c + start:base + c * n_c + start + ma.W]  # (W, 3)
        with torch.no_grad():
            rec = net(torch.tensor(w.reshape(1, -1))).numpy().reshape(ma.W, 3)  # time-major, as trained
        assert s.score[i] == pytest.approx(float(((rec[j - start] - w[j - start]) ** 2).mean()), rel=1e-4)


def test_flags_are_scored_like_sklearn_and_by_kind(tiny):
    f = anomaly.flags(0, 50.0)
    s = f.scores
    assert f.score.precision == pytest.approx(precision_score(s.truth, f.mask, zero_division=1.0))
    assert f.score.recall == pytest.approx(recall_score(s.truth, f.mask, zero_division=1.0))
    assert sum(n for n, _ in f.recall_by_kind.values()) == f.score.tp
    assert sum(m for _, m in f.recall_by_kind.values()) == int(s.truth.sum()) > 0
    assert 0 <= f.near <= f.score.fp


def test_the_threshold_is_referred_to_the_held_out_cycle_and_tuned_there(tiny):
    s = ma.scores(0)
    log, x = ma._currents(0)
    n_c = log.samples_per_cycle
    held = range(ma.TRAIN_CYCLES - 1, ma.TRAIN_CYCLES)  # validated on, never fitted on
    val = ma._score(ma._model(0, x, n_c, None), x, held, n_c)
    assert np.allclose(s.val_score, val) and s.val_median == pytest.approx(float(np.median(val)))
    assert np.array_equal(s.val_kind, log.glitch_kind[held.start * n_c:held.stop * n_c])
    sw = anomaly.sweep(0)
    f1 = [f1_score(s.val_kind != 0, val > k * s.val_median, zero_division=0.0) for k in ma.SWEEP]
    assert sw.val_best in ma.SWEEP and f1[list(ma.SWEEP).index(sw.val_best)] == pytest.approx(max(f1))
    assert f"F1 peaks at {sw.val_best:.3g}×" in mo.describe_pr(anomaly.flags(0, 50.0))


def test_a_higher_threshold_never_flags_more(tiny):
    s = ma.scores(0)
    counts = [int((s.score > k * s.val_median).sum()) for k in ma.SWEEP]
    assert all(a >= b for a, b in zip(counts, counts[1:], strict=False))
    assert np.all(np.diff(anomaly.sweep(0).recall) <= 1e-12)


def test_the_scores_are_kept_on_disk_by_seed(tiny):
    ma.scores(1)
    assert ma.kept(1) and not ma.kept(3)


@pytest.mark.parametrize(("seed", "threshold", "fragment"), [(0, 0.5, "threshold must be between 1 and 1000"),
                                                             (7, 10.0, "log_seed must be between 0 and 4")])
def test_bad_values_are_refused_with_a_sentence(seed, threshold, fragment):
    with pytest.raises(ParamError, match=fragment):
        anomaly.flags(seed, threshold)
