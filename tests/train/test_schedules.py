"""Schedules: lr_curve reads back exactly what torch's schedulers do to a real optimizer, and each has its shape."""

import math

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler

from neuralab.train import schedules
from neuralab.train.schedules import PLATEAU_FACTOR, PLATEAU_PATIENCE, SCHEDULES, lr_curve, make


def _stepped(name: str, lr: float, epochs: int, val_losses=None) -> np.ndarray:
    """The LR of each epoch from ``get_last_lr()``, stepping a real optimizer on a real gradient."""
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    sched = make(name, opt, epochs)
    x, y = torch.randn(8, 3), torch.randn(8, 1)
    out = []
    for e in range(epochs):
        if isinstance(sched, lr_scheduler.ReduceLROnPlateau):
            out.append(opt.param_groups[0]["lr"])  # ReduceLROnPlateau has get_last_lr only after a step
        else:
            out.append(sched.get_last_lr()[0])
        loss = torch.nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if isinstance(sched, lr_scheduler.ReduceLROnPlateau):
            sched.step(val_losses[e] if val_losses is not None else 1.0)
            assert sched.get_last_lr()[0] == opt.param_groups[0]["lr"]
        else:
            sched.step()
    return np.array(out)


@pytest.mark.parametrize("name", list(SCHEDULES))
@pytest.mark.parametrize(("lr", "epochs"), [(0.01, 100), (0.3, 17), (1e-4, 10)])
def test_lr_curve_matches_the_scheduler_stepping_a_real_optimizer(name, lr, epochs):
    np.testing.assert_allclose(lr_curve(name, lr, epochs), _stepped(name, lr, epochs), rtol=1e-12, atol=0)


def test_lr_curve_matches_reduce_on_plateau_fed_real_losses():
    losses = list(np.linspace(1.0, 0.5, 10)) + [0.5] * 20 + list(np.linspace(0.49, 0.3, 10))
    np.testing.assert_allclose(lr_curve("plateau", 0.1, 40, losses), _stepped("plateau", 0.1, 40, losses), rtol=1e-12)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_every_schedule_stays_positive_and_at_most_its_lr(name):
    c = lr_curve(name, 0.05, 60, np.ones(60))
    assert c.shape == (60,) and np.all(c >= 0) and np.all(c <= 0.05 * (1 + 1e-9))


def test_constant_never_moves():
    assert np.all(lr_curve("constant", 0.02, 50) == 0.02)


def test_cosine_ends_near_zero_and_falls_monotonically():
    c = lr_curve("cosine", 0.1, 100)
    assert c[0] == 0.1 and c[-1] < 1e-6 * 0.1
    assert np.all(np.diff(c) <= 0)
    assert c[49] == pytest.approx(0.05 * (1 + math.cos(math.pi * 49 / 99)))  # torch's half cosine


def test_step_drops_by_ten_at_each_third():
    c = lr_curve("step", 0.1, 90)
    drops = np.flatnonzero(np.diff(c))
    assert list(drops + 1) == [30, 60]
    np.testing.assert_allclose(c[drops + 1] / c[drops], 0.1)
    np.testing.assert_allclose(c[[0, 30, 60]], [0.1, 0.01, 0.001])


def test_exponential_reaches_one_percent():
    c = lr_curve("exponential", 0.1, 40)
    assert c[-1] == pytest.approx(0.001)
    np.testing.assert_allclose(c[1:] / c[:-1], c[1] / c[0])  # a constant ratio: geometric


def test_warmup_ramps_up_then_cosine_decays():
    c = lr_curve("warmup_cosine", 0.1, 100)
    peak = int(np.argmax(c))
    assert c[0] == pytest.approx(0.01) and peak == round(schedules.WARMUP_FRAC * 100) and c[peak] == pytest.approx(0.1)
    assert np.all(np.diff(c[: peak + 1]) > 0) and np.all(np.diff(c[peak:]) <= 0) and c[-1] < 1e-6


def test_sgdr_restarts_to_the_full_lr():
    c = lr_curve("sgdr", 0.1, 100)
    restarts = np.flatnonzero(np.diff(c) > 0) + 1
    assert len(restarts) >= 2 and np.allclose(c[restarts], 0.1)
    assert np.diff(restarts)[0] == 2 * restarts[0]  # T_mult = 2: each cycle twice as long


def test_plateau_reacts_to_a_flat_validation_loss_only():
    falling = lr_curve("plateau", 0.1, 30, np.linspace(1, 0.1, 30))
    assert np.all(falling == 0.1)  # always improving: never reduced
    flat = lr_curve("plateau", 0.1, 30, np.ones(30))
    first = int(np.flatnonzero(flat < 0.1)[0])
    assert first == PLATEAU_PATIENCE + 2  # epoch 1 sets the best, then patience + 1 epochs without improvement
    assert flat[first] == pytest.approx(0.1 * PLATEAU_FACTOR)


def test_cyclical_swings_between_a_tenth_and_the_lr():
    c = lr_curve("cyclical", 0.1, 80)
    assert c.min() == pytest.approx(0.01) and c.max() == pytest.approx(0.1)
    assert np.sum(np.isclose(c, 0.1)) >= 3  # several peaks


def test_one_cycle_peaks_at_the_max_lr_and_ends_far_below_its_start():
    c = lr_curve("one_cycle", 0.1, 100)
    peak = int(np.argmax(c))
    assert c[peak] == pytest.approx(0.1, rel=1e-3)
    assert 0.2 * 100 < peak < 0.4 * 100
    assert c[0] == pytest.approx(0.1 / 25) and c[-1] < c[0] / 10  # annealed below the warm-up start


def test_bad_names_and_lengths_are_sentences():
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="schedule must be one of"):
        make("linear", opt, 10)
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        make("cosine", opt, 0)


@pytest.mark.parametrize("epochs", [10, 20, 50, 100, 1000, 5000])
def test_the_after_length_sentences_match_the_last_rate_of_each_schedule(epochs):
    last = {n: float(schedules.lr_curve(n, 1.0, epochs)[-1]) for n in schedules.SCHEDULES if n != "plateau"}
    assert last["constant"] == 1.0 and "ignores it" in schedules.AFTER_LENGTH["constant"]
    assert last["step"] == pytest.approx(0.01) and last["exponential"] == pytest.approx(0.01)
    assert last["cosine"] == pytest.approx(0.0, abs=1e-12) and last["warmup_cosine"] == pytest.approx(0.0, abs=1e-12)
    assert last["one_cycle"] < 0.05 and (epochs < 100 or last["one_cycle"] < 1e-3)
    assert "has no length" in schedules.AFTER_LENGTH["plateau"]
    assert ": 0," in schedules.AFTER_LENGTH["cosine"] and "1%" in schedules.AFTER_LENGTH["step"]
    assert "under 5%" in schedules.AFTER_LENGTH["one_cycle"] and "near 100%" in schedules.AFTER_LENGTH["sgdr"]
    assert epochs < 50 or last["sgdr"] > 0.99
