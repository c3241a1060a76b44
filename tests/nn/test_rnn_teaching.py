"""The hand-written vanilla RNN and its BPTT against torch's nn.RNN + nn.Linear and autograd."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from neuralab.nn import rnn_teaching as rt
from neuralab.nn.recurrent import build

TOL = 1e-10


def _data(B, T, F, n_out, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(B, T, F)), rng.normal(size=(B, T, n_out))


@pytest.mark.parametrize("last_only", [False, True])
def test_forward_and_every_gradient_match_torch(last_only):
    net = rt.random_net(3, 5, 2, seed=0, scale=1.5)
    x, y = _data(4, 12, 3, 2)
    c = rt.check(net, x, y, last_only)
    assert c.hidden < TOL and c.output < TOL and c.loss < TOL and c.dh < TOL
    assert set(c.grads) == {k for k, _ in rt.WEIGHTS}
    assert all(v < TOL for v in c.grads.values()), c.grads
    # the gradients are not trivially zero: the check compares real numbers
    assert all(np.abs(g).max() > 1e-6 for g in c.bp.grads.values())


def test_last_step_loss_sends_no_blame_to_earlier_outputs_but_reaches_early_states():
    net = rt.random_net(3, 4, 1, seed=2)
    x, y = _data(2, 6, 3, 1)
    bp = rt.bptt(net, x, y, last_only=True)
    assert np.all(np.abs(bp.dh[:, 0]) > 0)  # through W_hh only
    every = rt.bptt(net, x, y, last_only=False)
    assert not np.allclose(every.grads["W_hh"], bp.grads["W_hh"])


def test_initial_state_is_used_like_torch():
    net = rt.random_net(2, 3, 1, seed=3)
    x, y = _data(2, 5, 2, 1)
    h0 = np.random.default_rng(0).normal(size=(2, 3))
    c = rt.check(net, x, y, h0=h0)
    assert c.worst < TOL
    assert not np.allclose(rt.forward(net, x, h0).h, rt.forward(net, x).h)


def test_from_torch_reads_the_recurrent_model_weights():
    model = build("rnn", 3, 6, 1, 0)
    net = rt.from_torch(model)
    x = np.random.default_rng(0).normal(size=(2, 7, 3))
    with torch.no_grad():
        ref = model(torch.as_tensor(x, dtype=torch.float32)).numpy()
    assert np.max(np.abs(rt.forward(net, x).y - ref)) < 1e-5


def test_gradient_of_loss_matches_a_finite_difference():
    net = rt.random_net(2, 3, 1, seed=4)
    x, y = _data(1, 5, 2, 1)
    g = rt.bptt(net, x, y).grads["W_hh"][1, 2]
    eps = 1e-6
    plus, minus = net.W_hh.copy(), net.W_hh.copy()
    plus[1, 2] += eps
    minus[1, 2] -= eps
    lp = rt.mse(rt.forward(rt.Net(**{**net.__dict__, "W_hh": plus}), x).y, y)
    lm = rt.mse(rt.forward(rt.Net(**{**net.__dict__, "W_hh": minus}), x).y, y)
    assert abs((lp - lm) / (2 * eps) - g) < 1e-7


@settings(max_examples=15, deadline=None)
@given(B=st.integers(1, 3), T=st.integers(1, 9), F=st.integers(1, 4), H=st.integers(1, 6), n_out=st.integers(1, 3),
       last_only=st.booleans(), seed=st.integers(0, 1000))
def test_matches_torch_for_any_shape(B, T, F, H, n_out, last_only, seed):
    net = rt.random_net(F, H, n_out, seed=seed, scale=1.2)
    x, y = _data(B, T, F, n_out, seed)
    assert rt.check(net, x, y, last_only).worst < 1e-9
