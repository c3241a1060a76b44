"""The memory experiments: the adding problem is learned or not as measured, gradients back through time, clipping."""

import numpy as np
import pytest
import torch

from neuralab.nn import recurrent as rec
from neuralab.train import memory
from neuralab.train.bptt import hidden_gradients


@pytest.fixture()
def small(monkeypatch):
    monkeypatch.setattr(memory, "N_TRAIN", 200)
    monkeypatch.setattr(memory, "N_TEST", 100)
    monkeypatch.setattr(memory, "BUDGET", memory.SeqConfig(epochs=8, lr=1e-2, batch=25, clip=1.0, last_only=True))


def test_a_gru_learns_the_adding_problem_at_a_short_length_and_records_its_gradient(small):
    runs = {k: memory._run.__wrapped__(k, 5, 0) for k in ("gru",)}
    r = runs["gru"]
    assert len(r.val_mse) == 9 and r.val_mse[-1] < r.val_mse[0]
    assert r.test_mse < memory.CHANCE_MSE and len(r.grad) == 5 and all(g >= 0 for g in r.grad)


def test_the_largest_length_beating_chance_is_read_off_the_threshold():
    assert memory.largest_beating((5, 10, 20, 40), (0.001, 0.01, 0.2, 0.05)) == 40  # the largest, not the first
    assert memory.largest_beating((5, 10), (0.2, memory.THRESHOLD)) == 0  # the bar is strict
    s = memory.Sweep((5, 10), {"rnn": (0.01, 0.2), "lstm": (0.2, 0.2), "gru": (0.0, 0.0)}, 0)
    assert (s.largest("rnn"), s.largest("lstm"), s.largest("gru")) == (5, 0, 10)


def test_the_sweep_shares_the_runs_of_each_length(monkeypatch):
    calls = []

    def fake(length, seed, progress=None):
        calls.append(length)
        return {k: memory.MemoryRun(k, length, seed, (0.2, 0.1), 0.01 * length, 0.1, "", (1.0,) * length)
                for k in rec.RECURRENT}

    monkeypatch.setattr(memory, "at_length", fake)
    s = memory.sweep(3, (5, 10))
    assert calls == [5, 10] and s.test_mse["gru"] == (0.05, 0.1) and s.seed == 3


def test_gradient_profiles_follow_the_radius_and_are_autograd_norms():
    small, big = memory.gradient_profiles(0.5), memory.gradient_profiles(2.5)
    assert small.norms["rnn"][40] < 1e-6 * small.norms["rnn"][0]  # ρ = 0.5: geometric decay
    assert big.norms["rnn"][40] > 1e-2 * big.norms["rnn"][0]  # ρ = 2.5: no vanishing
    assert small.singular == pytest.approx(float(torch.linalg.matrix_norm(
        _rnn(0.5).rnn.weight_hh_l0.detach(), ord=2)), rel=1e-6)
    m = _rnn(0.5)
    np.testing.assert_allclose(small.norms["rnn"], hidden_gradients(m.rnn, memory._inputs(0)), rtol=1e-6)
    np.testing.assert_array_equal(small.norms["gru"], big.norms["gru"])  # the slider does not touch the GRU


def _rnn(radius):
    m = rec.build("rnn", 2, memory.WIDTH, 1, 0)
    rec.rescale_recurrent(m, radius)
    return m


def test_without_clipping_the_large_radius_run_diverges_and_clipped_it_does_not():
    c = memory._clipping.__wrapped__(2.5, 1.0)
    assert c.off.diverged.startswith("Training diverged at update") and not c.on.diverged
    assert len(c.on.val_loss) == memory.CLIP_EPOCHS + 1 and max(c.on.grad_norm) > 1.0  # clipped, not small


@pytest.mark.parametrize(("call", "fragment"), [
    (lambda: memory.at_length(201), "memory_length must be between 5 and 200"),
    (lambda: memory.at_length(42), "memory_length must be 5 plus a multiple of 5"),
    (lambda: memory.gradient_profiles(5.0), "memory_radius must be between 0.5 and 3"),
    (lambda: memory.clipping(2.0, 0.0), "memory_clip must be between 0.1 and 10"),
])
def test_bad_values_are_named(call, fragment):
    with pytest.raises(ValueError, match=fragment):
        call()
