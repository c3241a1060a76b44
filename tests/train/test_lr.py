"""The learning-rate experiments: real runs, the numbers they claim, sentences for bad input."""

import math

import numpy as np
import pytest

from neuralab.params import ParamError
from neuralab.train import lr
from neuralab.train.schedules import SCHEDULES, lr_curve


@pytest.fixture(scope="module")
def cmp():
    return lr.compare(0.1, 10, "momentum", 0)


@pytest.fixture(scope="module")
def rt():
    return lr.range_test("momentum", 200, 0)


@pytest.fixture(scope="module")
def sc():
    return lr.scaling(10**-1.5, 5, 0)


def test_curve_is_the_schedulers_own_and_plateau_is_drawn_for_a_flat_loss():
    for name in SCHEDULES:
        c = lr.curve(name, 0.01, 50)
        expected = lr_curve(name, 0.01, 50, np.ones(50) if name == "plateau" else None)
        np.testing.assert_array_equal(c.values, expected)
    assert lr.curve("plateau", 0.01, 50).values[-1] < 0.01 / 100  # a stalled loss keeps halving it
    assert lr.curve("cosine", 0.01, 50).ratio < 1e-6


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        (dict(schedule="cosine", lr=2.0, epochs=100), "lr must be between 0.0001 and 1"),
        (dict(schedule="cosine", lr=0.01, epochs=15), "epochs must be 10 plus a multiple of 10"),
        (dict(schedule="linear", lr=0.01, epochs=100), "schedule must be one of"),
    ],
)
def test_curve_refuses_bad_values_with_a_sentence(kwargs, fragment):
    with pytest.raises(ParamError, match=fragment):
        lr.curve(**kwargs)


def test_compare_trains_every_schedule_from_the_same_start(cmp):
    assert [r.schedule for r in cmp.runs] == list(SCHEDULES)
    starts = {round(float(r.val_loss[0]), 6) for r in cmp.runs}
    assert len(starts) == 1  # same weights, same split: the same loss before training
    for r in cmp.runs:
        assert len(r.lr) == 10 and len(r.val_loss) == 11 and not r.diverged
        assert r.val_loss[-1] < r.val_loss[0] and r.val_acc[-1] > 0.85
    # the LR each run used is the schedule's own curve (plateau: driven by the real validation losses)
    for name in ("cosine", "step", "one_cycle", "constant"):
        np.testing.assert_allclose(cmp.run(name).lr, lr_curve(name, 0.1, 10))
    plateau = cmp.run("plateau")
    np.testing.assert_allclose(plateau.lr, lr_curve("plateau", 0.1, 10, plateau.val_loss[1:]))
    # the schedules really differ: not every run ends at the same loss
    assert len({round(r.final_loss, 4) for r in cmp.runs}) > 3
    assert cmp.ranked[0].final_loss == min(r.final_loss for r in cmp.runs)


def test_compare_reports_progress_and_is_cached(cmp):
    seen = []
    again = lr.compare(0.1, 10, "momentum", 0, progress=lambda d, t: seen.append((d, t)))
    assert again is cmp and seen == []  # cached: no training the second time
    lr._CACHE.clear()
    fresh = lr.compare(0.1, 10, "momentum", 0, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (90, 90) and fresh.run("cosine").final_loss == pytest.approx(cmp.run("cosine").final_loss)


def test_at_a_high_lr_the_schedules_that_start_low_come_through():
    c = lr.compare(10**-0.5, 10, "momentum", 0)
    worst_start_low = max(c.run(n).final_loss for n in ("warmup_cosine", "one_cycle", "cyclical"))
    assert c.run("constant").final_loss > 2 * worst_start_low


def test_diverged_runs_rank_last_and_have_no_final_loss():
    ok = lr.ScheduleRun("cosine", np.ones(2), np.ones(3), np.array([2.3, 1.0, 0.5]), np.ones(3), "")
    bad = lr.ScheduleRun("constant", np.ones(1), np.ones(2), np.array([2.3, 9.0]), np.ones(2), "The loss became NaN.")
    c = lr.Comparison(1.0, 2, "sgd", 0, 128, (bad, ok))
    assert math.isnan(bad.final_loss) and [r.schedule for r in c.ranked] == ["cosine", "constant"]


def test_range_test_sweeps_geometrically_and_stops_at_the_blowup(rt):
    ratios = rt.lrs[1:] / rt.lrs[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)  # one constant factor per mini-batch
    assert rt.lrs[0] == pytest.approx(lr.RANGE_LR[0])
    assert ratios[0] == pytest.approx((lr.RANGE_LR[1] / lr.RANGE_LR[0]) ** (1 / 199))
    assert len(rt.lrs) < 200 and "4× its minimum" in rt.stop  # SGD + momentum at LR 10 blows up
    assert rt.smooth[-1] > lr.RANGE_BLOWUP * rt.smooth.min()


def test_range_test_smoothing_is_a_bias_corrected_moving_average(rt):
    beta, avg = lr.RANGE_BETA, 0.0
    for k, value in enumerate(rt.loss):
        avg = beta * avg + (1 - beta) * value
        assert rt.smooth[k] == pytest.approx(avg / (1 - beta ** (k + 1)))


def test_range_test_suggestions_and_the_runs_that_check_them(rt):
    assert rt.min_lr == rt.lrs[np.argmin(rt.smooth)] and rt.suggested == pytest.approx(rt.min_lr / 10)
    assert rt.lrs[0] <= rt.steepest <= rt.min_lr
    labels = [c.label for c in rt.checks]
    assert labels == ["min / 10", "steepest", "minimum"]
    suggested = rt.checks[0]
    assert not suggested.diverged and suggested.val_acc[-1] > 0.9  # training at the suggestion works
    hot = rt.checks[2]
    assert hot.diverged or hot.val_loss[-1] > suggested.val_loss[-1]  # the minimum's LR is too hot


def test_scaling_rule_scales_the_lr_and_breaks_at_large_batches(sc):
    assert [r.batch for r in sc.scaled] == list(lr.BATCHES) == [r.batch for r in sc.fixed]
    for s, f in zip(sc.scaled, sc.fixed, strict=True):
        assert s.lr == pytest.approx(sc.base_lr * s.batch / lr.BASE_BATCH) and f.lr == sc.base_lr
        assert s.updates == f.updates or s.diverged or f.diverged
    assert sc.scaled[1].val_loss == pytest.approx(sc.fixed[1].val_loss)  # batch 32: the same run
    fixed = [r.val_loss for r in sc.fixed]
    assert fixed[-1] > 2 * fixed[1]  # fixed LR, same epochs: far fewer updates, under-trained
    mid = lr.BATCHES.index(128)
    assert sc.scaled[mid].val_loss < sc.fixed[mid].val_loss  # where the rule holds it beats the fixed LR
    worst = sc.scaled[-1]
    assert worst.diverged or worst.val_loss > 2 * min(r.val_loss for r in sc.scaled)  # and where it breaks


def test_bad_arguments_are_sentences():
    with pytest.raises(ParamError, match="optimizer must be one of sgd, momentum, adam"):
        lr.range_test("adamw", 200, 0)
    with pytest.raises(ParamError, match="steps must be between 100 and 500"):
        lr.range_test("sgd", 5000, 0)
    with pytest.raises(ParamError, match="scale_epochs must be between 5 and 30"):
        lr.scaling(0.03, 100, 0)
    with pytest.raises(ParamError, match="seed must be between 0 and 9999"):
        lr.compare(0.01, 10, "sgd", -1)
