"""Hand-written forward pass and backprop, checked against torch autograd and finite differences."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from neuralab.data.arrays import digits
from neuralab.nn import teaching
from neuralab.nn.models import mlp
from neuralab.nn.teaching import GRADIENTS, WORKED, Net
from neuralab.params import ParamError

torch.set_num_threads(1)


def _random_net(head: str, batch: int, n_in: int, hidden: int, n_out: int, seed: int) -> Net:
    rng = np.random.default_rng(seed)
    if head == "sigmoid":
        Y = rng.integers(0, 2, (batch, n_out)).astype(float)
    else:
        Y = np.eye(n_out)[rng.integers(0, n_out, batch)]
    return Net(X=rng.normal(size=(batch, n_in)), Y=Y, W1=rng.normal(size=(hidden, n_in)), b1=rng.normal(size=hidden),
               W2=rng.normal(size=(n_out, hidden)), b2=rng.normal(size=n_out), head=head)


def test_worked_example_forward_matches_torch_layers():
    values = WORKED.defaults()
    net = teaching.worked_net(values)
    l1, l2 = torch.nn.Linear(3, 2).double(), torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        l1.weight.copy_(torch.tensor(net.W1)), l1.bias.copy_(torch.tensor(net.b1))
        l2.weight.copy_(torch.tensor(net.W2)), l2.bias.copy_(torch.tensor(net.b2))
    x = torch.tensor(net.X)
    logit = l2(torch.relu(l1(x)))
    loss = F.binary_cross_entropy_with_logits(logit, torch.tensor(net.Y))
    f = teaching.worked_check(**values).bp.forward
    assert f.z1 == pytest.approx(l1(x).detach().numpy(), abs=1e-12)
    assert f.yhat == pytest.approx(torch.sigmoid(logit).detach().numpy(), abs=1e-12)
    assert f.loss == pytest.approx(float(loss.detach()), abs=1e-12)
    # the defaults teach something: one hidden unit is off
    assert (f.z1 <= 0).sum() == 1


@pytest.mark.parametrize("head", ["sigmoid", "softmax"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hand_gradients_equal_autograd_and_finite_differences(head, seed):
    net = _random_net(head, batch=5, n_in=4, hidden=6, n_out=1 if head == "sigmoid" else 3, seed=seed)
    c = teaching.check(net)
    for key, _, _ in GRADIENTS:
        assert c.bp.grads[key].shape == c.autograd[key].shape
        scale = max(1.0, float(np.abs(c.autograd[key]).max()))  # ∂L/∂ŷ = −1/(Bŷ) can be large
        assert c.vs_autograd[key] < 1e-12 * scale, key
        assert c.vs_fd[key] < 1e-6 * scale, key


def test_parameter_gradients_match_a_plain_torch_model_on_digits():
    """Independent of our own autograd helper: the mlp the page builds, differentiated by torch."""
    c = teaching.digits_check(bp_batch=6, bp_hidden=5, seed=3)
    data = digits(0)
    rows = np.random.default_rng(3).choice(len(data.y_train), 6, replace=False)
    model = mlp((64, 5, 10), "relu", seed=3).double()
    F.cross_entropy(model(torch.tensor(data.X_train[rows]).double()), torch.tensor(data.y_train[rows])).backward()
    for key, layer in (("W1", 0), ("W2", 2)):
        assert c.bp.grads[key] == pytest.approx(model[layer].weight.grad.numpy(), abs=1e-12)
    assert c.bp.grads["b1"] == pytest.approx(model[0].bias.grad.numpy(), abs=1e-12)
    assert max(c.vs_fd.values()) < 1e-6


def test_a_dead_relu_gets_no_gradient():
    c = teaching.worked_check(**WORKED.defaults())
    off = c.bp.forward.z1[0] <= 0
    assert np.all(c.bp.grads["z1"][0, off] == 0) and np.all(c.bp.grads["W1"][off] == 0)
    assert np.all(c.bp.grads["W1"][~off] != 0)


def test_finite_differences_would_catch_a_bug():
    net = _random_net("softmax", 4, 3, 5, 3, seed=7)
    idx, est = teaching.finite_differences(net, "W1")
    wrong = teaching.backprop(net).grads["W1"] * 4  # e.g. summing instead of averaging over the batch
    assert np.max(np.abs(wrong.ravel()[idx] - est)) > 1e-3


def test_bad_values_name_the_parameter():
    with pytest.raises(ParamError, match="w11 must be between -2 and 2"):
        teaching.worked_check(**{**WORKED.defaults(), "w11": 5})
    with pytest.raises(ParamError, match="bp_batch"):
        teaching.digits_check(bp_batch=0, bp_hidden=4, seed=0)
