"""The six-step loop, replayed from the seed, against a plain torch loop; the trained forward-pass network."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from neuralab.data.arrays import digits
from neuralab.nn.models import mlp
from neuralab.params import ParamError
from neuralab.train import optimizers, stepwise

torch.set_num_threads(1)
N_TRAIN = len(digits(0).y_train)


def test_ticks_walk_phases_in_order():
    per = stepwise.ticks_per_epoch(64, N_TRAIN)
    phases = [stepwise.locate(t, 64, N_TRAIN).phase for t in range(per + 1)]
    n_batches = -(-N_TRAIN // 64)
    assert phases[: 5 * n_batches] == [1, 2, 3, 4, 5] * n_batches
    assert phases[per - 1] == 6
    assert stepwise.locate(per, 64, N_TRAIN) == stepwise.Position(2, 0, 1, n_batches, n_batches)


def test_buttons_move_the_counter():
    assert stepwise.advance(0, "next", 32) == 1
    assert stepwise.advance(2, "batch", 32) == 5  # the next batch's forward pass
    per = stepwise.ticks_per_epoch(32, N_TRAIN)
    assert stepwise.advance(7, "epoch", 32) == per - 1 and stepwise.locate(per - 1, 32, N_TRAIN).phase == 6
    last = stepwise.EPOCHS * per - 1
    assert stepwise.advance(last, "next", 32) == last and stepwise.advance(99, "restart", 32) == 0


def _plain_torch(batch_size, optimizer, lr, seed, n_updates):
    """The same run written as an ordinary loop: the batch losses of the first n_updates updates."""
    data = digits(0)
    X, y = torch.tensor(data.X_train), torch.tensor(data.y_train)
    model = mlp((64, stepwise.HIDDEN, 10), "relu", seed=seed)
    opt = optimizers.make(optimizer, model.parameters(), lr)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(stepwise.EPOCHS):
        for rows in torch.randperm(len(y), generator=gen).split(batch_size):
            loss = F.cross_entropy(model(X[rows]), y[rows])
            losses.append(float(loss.detach()))
            loss.backward()
            opt.step()
            opt.zero_grad()
            if len(losses) == n_updates:
                return losses, model


@pytest.mark.parametrize(("optimizer", "lr"), [("sgd", 0.1), ("adam", 0.01)])
def test_replay_matches_a_plain_torch_loop(optimizer, lr):
    k = 12  # beyond one snapshot interval, so a replay from a snapshot is exercised
    expected, _ = _plain_torch(32, optimizer, lr, 5, k + 1)
    st = stepwise.state(32, optimizer, lr, 5, 5 * k + 1)  # batch k, phase 2
    assert st.pos.phase == 2 and st.pos.batch == k
    assert st.loss == pytest.approx(expected[k], abs=1e-5)
    assert st.step_losses == pytest.approx(expected[:k], abs=1e-5)
    # asked again (now from the cache), the same numbers
    assert stepwise.state(32, optimizer, lr, 5, 5 * k + 1).loss == st.loss


def test_each_phase_fills_its_values():
    s = [stepwise.state(16, "sgd", 0.05, 1, t) for t in range(5)]
    assert s[0].probs.sum(1) == pytest.approx(np.ones(16), abs=1e-5) and s[0].loss is None
    assert s[1].loss == pytest.approx(float(s[1].per_sample.mean()), abs=1e-6) and s[1].grad_norms is None
    assert np.all(s[2].grad_norms > 0) and s[2].update_norms is None and s[2].after is None
    # plain SGD: Δθ = −lr·∇θ, so ‖Δθ‖ = lr·‖∇θ‖ for every tensor
    assert s[3].update_norms == pytest.approx(0.05 * s[3].grad_norms, rel=1e-4)
    assert not s[3].grads_cleared and s[4].grads_cleared
    assert len(s[3].step_losses) == 1 and s[3].step_losses[0] == pytest.approx(s[3].loss)


def test_adam_first_step_moves_each_weight_by_the_learning_rate():
    st = stepwise.state(32, "adam", 0.01, 0, 3)
    for name, before in st.before.items():
        change = np.abs(st.after[name] - before)
        moved = change > 0  # a weight whose gradient is exactly 0 (a pixel that is always blank) stays put
        assert moved.any() and change[moved] == pytest.approx(np.full(moved.sum(), 0.01), rel=1e-3), name


def test_validation_at_the_end_of_the_epoch():
    per = stepwise.ticks_per_epoch(128, N_TRAIN)
    st = stepwise.state(128, "adam", 0.01, 2, per - 1)
    assert st.pos.phase == 6 and st.val_loss is not None and len(st.val_losses) == 2
    _, model = _plain_torch(128, "adam", 0.01, 2, st.pos.n_batches)
    data = digits(0)
    with torch.no_grad():
        expected = float(F.cross_entropy(model(torch.tensor(data.X_val)), torch.tensor(data.y_val)))
    assert st.val_loss == pytest.approx(expected, abs=1e-5)
    assert st.val_losses[1] < st.val_losses[0]


def test_a_tick_past_the_run_names_the_parameter():
    with pytest.raises(ParamError, match="tick must be below"):
        stepwise.state(128, "adam", 0.01, 0, stepwise.EPOCHS * stepwise.ticks_per_epoch(128, N_TRAIN))
    with pytest.raises(ParamError, match="batch_size must be"):
        stepwise.state(12, "adam", 0.01, 0, 0)


def test_code_marks_the_current_line():
    text = stepwise.code(4, "momentum", 0.1, 64, 3)
    marked = [line for line in text.splitlines() if "◀ here" in line]
    assert len(marked) == 1 and "optimizer.step()" in marked[0]
    assert "torch.optim.SGD" in text and "batches of 64" in text


def test_trained_network_activations_are_the_models_own():
    t = stepwise.trained_net()
    assert t.val_acc > 0.9
    a = stepwise.activations(7, 2)
    data = digits(0)
    idx = np.flatnonzero(data.y_val == 7)[2]
    with torch.no_grad():
        logits = t.model(torch.tensor(data.X_val[idx : idx + 1]))[0].numpy()
    assert a.pre[-1] == pytest.approx(logits, abs=1e-5)
    assert a.probs.sum() == pytest.approx(1.0, abs=1e-6) and a.predicted == int(logits.argmax())
    assert [len(v) for v in a.layers] == list(stepwise.ARCH)
    assert all(np.all(h >= 0) for h in a.layers[1:-1])  # after ReLU


def test_forgetting_zero_grad_is_sgd_with_momentum_one():
    """content/training-loop.md: without zero_grad(), p.grad is the running sum of all gradients, so plain SGD takes
    exactly the steps of torch's SGD with momentum = 1 (β = 1, no decay) on the page's own network and batches."""
    run = stepwise._run(32, "sgd", 0.01, 0)
    forgot, opt = run.restore(0)
    heavy, _ = run.restore(0)
    ball = torch.optim.SGD(heavy.parameters(), lr=0.01, momentum=1.0)
    for k in range(6):
        rows = run.batch_rows(k)
        F.cross_entropy(forgot(run.X[rows]), run.y[rows]).backward()
        opt.step()  # and no opt.zero_grad()
        F.cross_entropy(heavy(run.X[rows]), run.y[rows]).backward()
        ball.step()
        ball.zero_grad(set_to_none=True)
    for a, b in zip(forgot.parameters(), heavy.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    fresh, _ = run.restore(6)  # the page's loop, which clears: a different place
    assert not torch.allclose(next(fresh.parameters()), next(forgot.parameters()), atol=1e-4)
