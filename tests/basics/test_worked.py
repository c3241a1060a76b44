"""neuralab.basics.worked: the handbook example, by hand arithmetic and against torch."""

import math

import numpy as np
import pytest
import torch

from neuralab.basics import worked
from neuralab.nn import teaching
from neuralab.params import ParamError


def test_the_preset_is_valid_and_on_the_two_decimal_grid():
    values = worked.handbook_values(1)
    assert values == {**teaching.HANDBOOK, "y": 1}
    for name, f in teaching.WORKED.fields.items():
        if name != "y":
            assert f.step == 0.01 and round(values[name], 2) == values[name]


def test_forward_values_by_hand():
    h = teaching.HANDBOOK
    z = [h["x1"] * h["w11"] + h["x2"] * h["w12"] + h["x3"] * h["w13"] + h["bh1"],
         h["x1"] * h["w21"] + h["x2"] * h["w22"] + h["x3"] * h["w23"] + h["bh2"]]
    assert z == pytest.approx([0.93, 0.64])  # 0.4 + 0.12 + 0.21 + 0.2 and −0.2 + 1.08 − 0.14 − 0.1
    z2 = h["u1"] * z[0] + h["u2"] * z[1] + h["bo"]
    assert z2 == pytest.approx(0.689)  # 1.023 − 0.384 + 0.05
    c = worked.handbook(1)
    f = c.bp.forward
    np.testing.assert_allclose(f.z1[0], z)
    np.testing.assert_allclose(f.a1[0], z)
    assert f.z2[0, 0] == pytest.approx(z2)
    assert f.yhat[0, 0] == pytest.approx(1 / (1 + math.exp(-z2)))
    assert f.loss == pytest.approx(-math.log(f.yhat[0, 0]))
    assert worked.handbook(0).bp.forward.loss == pytest.approx(-math.log(1 - f.yhat[0, 0]))


def test_gradients_against_torch_directly():
    h = teaching.HANDBOOK
    x = torch.tensor([h["x1"], h["x2"], h["x3"]], dtype=torch.float64)
    W1 = torch.tensor([[h["w11"], h["w12"], h["w13"]], [h["w21"], h["w22"], h["w23"]]], dtype=torch.float64,
                      requires_grad=True)
    b1 = torch.tensor([h["bh1"], h["bh2"]], dtype=torch.float64, requires_grad=True)
    W2 = torch.tensor([h["u1"], h["u2"]], dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor(h["bo"], dtype=torch.float64, requires_grad=True)
    logit = W2 @ torch.relu(W1 @ x + b1) + b2
    torch.nn.functional.binary_cross_entropy_with_logits(logit, torch.tensor(1.0, dtype=torch.float64)).backward()
    g = worked.handbook(1).bp.grads
    np.testing.assert_allclose(g["W1"], W1.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(g["b1"], b1.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(g["W2"][0], W2.grad.numpy(), atol=1e-12)
    assert g["b2"][0] == pytest.approx(float(b2.grad))
    assert worked.autograd_gap(worked.handbook(1)) < 1e-12


def test_bad_target_names_the_parameter():
    with pytest.raises(ParamError, match="worked_y"):
        worked.handbook(2)
