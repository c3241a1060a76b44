"""Training choices: truncated BPTT, future dependence, teacher forcing and free running, on tiny data."""

import numpy as np
import pytest
import torch

from neuralab.nn.recurrent import Recurrent, build
from neuralab.train import choices
from neuralab.train.sequence import SeqConfig, fit_sequence


def _data(n=6, T=12, F=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, T, F)).astype(np.float32)
    y = np.cumsum(x[..., :1], axis=1).astype(np.float32) / 5
    return x, y


def _trained(tbptt, cell="gru"):
    x, y = _data()
    m = build(cell, 3, 5, 1, seed=1)
    fit_sequence(m, x, y, x, y, SeqConfig(epochs=3, batch=3, tbptt=tbptt))
    return torch.cat([p.detach().flatten() for p in m.parameters()])


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_chunks_as_long_as_the_sequence_are_full_bptt(cell):
    full = _trained(0, cell)
    assert torch.allclose(_trained(12, cell), full, atol=1e-6)
    assert torch.allclose(_trained(40, cell), full, atol=1e-6)
    assert not torch.allclose(_trained(4, cell), full, atol=1e-4)  # shorter chunks: other gradients, more updates


def test_the_time_constants_in_steps():
    assert choices.tau_steps(10) == pytest.approx((4.8, 100.0))
    assert choices.tau_steps(1) == pytest.approx((48.0, 1000.0))


@pytest.mark.parametrize("cell", ["gru", "lstm", "rnn"])
def test_a_bidirectional_estimate_reads_the_future_a_causal_one_does_not(cell):
    x, _ = _data(n=4, T=15)
    other = np.roll(x, 1, axis=0) + 1.0
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        causal, bi = Recurrent(cell, 3, 6, 1), Recurrent(cell, 3, 6, 1, bidirectional=True)
    zero = choices.future_dependence(causal, x, other)
    assert zero.shape == (15,) and np.all(zero == 0.0)  # exactly: no sample after t reaches the estimate at t
    moved = choices.future_dependence(bi, x, other)
    assert np.all(moved[:-1] > 1e-4) and moved[-1] == 0.0  # nothing follows the last step
    with torch.no_grad():  # one step against the brute force
        t = 6
        mixed = torch.as_tensor(np.concatenate([x[:, :t + 1], other[:, t + 1:]], axis=1))
        ref = (bi(mixed)[:, t, 0] - bi(torch.as_tensor(x))[:, t, 0]).abs().max()
    assert moved[t] == pytest.approx(float(ref), rel=1e-4, abs=1e-6)


def test_prefix_estimates_are_what_each_prefix_alone_gives():
    x, _ = _data(n=3, T=10)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        causal, bi = Recurrent("gru", 3, 6, 1), Recurrent("gru", 3, 6, 1, bidirectional=True)
    with torch.no_grad():
        full_c, full_b = causal(torch.as_tensor(x))[..., 0].numpy(), bi(torch.as_tensor(x))[..., 0].numpy()
        ref = np.stack([bi(torch.as_tensor(x[:, :t + 1]))[:, -1, 0].numpy() for t in range(10)], axis=1)
    np.testing.assert_allclose(choices.prefix_estimates(causal, x), full_c, atol=1e-6)
    live = choices.prefix_estimates(bi, x)
    np.testing.assert_allclose(live, ref, atol=1e-6)
    assert np.abs(live[:, :-1] - full_b[:, :-1]).max() > 1e-4  # live, the backward pass has not seen the rest
    np.testing.assert_allclose(live[:, -1], full_b[:, -1], atol=1e-6)


def test_free_running_feeds_back_its_own_predictions():
    x, y = _data(n=4, T=9)
    y0 = y[:, :1, 0] * 0
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        m = Recurrent("gru", 4, 5, 1)
    X, Y, Y0 = torch.as_tensor(x), torch.as_tensor(y), torch.as_tensor(y0)
    with torch.no_grad():
        forced, free = choices.run_feedback(m, X, Y0, Y), choices.run_feedback(m, X, Y0)
        again = choices.run_feedback(m, X, Y0, free)  # forcing with its own predictions is free running
    assert forced.shape == free.shape == (4, 9, 1)
    torch.testing.assert_close(forced[:, 0], free[:, 0])  # the same first input
    assert (forced[:, 1:] - free[:, 1:]).abs().max() > 1e-4
    torch.testing.assert_close(again, free)


def test_free_running_training_learns_and_counts_its_updates():
    x, y = _data(n=6, T=8)
    y0 = np.zeros((6, 1), np.float32)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        m = Recurrent("gru", 4, 6, 1)
    seen = []
    h = choices.fit_free(m, x, y, y0, SeqConfig(epochs=30, batch=3, clip=1.0), progress=lambda d, t: seen.append(d))
    assert len(h.grad_norm) == 60 and seen[-1] == 30 and h.diverged == ""
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]
