"""The attacks, checked against what they must compute: a finite difference, the L∞ ball, FGSM as PGD's first step."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from neuralab.nn.cnn import digits_cnn
from neuralab.nn.models import mlp
from neuralab.params import ParamError
from neuralab.robust import attacks


def _data(n: int = 6, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 64, generator=g, dtype=torch.float64), torch.randint(0, 10, (n,), generator=g)


@pytest.mark.parametrize("build", [lambda: mlp((64, 32, 10), "tanh", seed=3), lambda: digits_cnn(4, 6, seed=3)])
def test_the_input_gradient_is_the_finite_difference_of_the_loss(build):
    model = build().double().eval()
    x, y = _data()
    g = attacks.input_gradient(model, x, y)
    h = 1e-6
    for i, j in [(0, 0), (1, 17), (2, 33), (5, 63)]:
        e = torch.zeros_like(x)
        e[i, j] = h
        with torch.no_grad():  # the loss of input i alone: the summed loss's other terms do not move
            up = F.cross_entropy(model(x + e)[i:i + 1], y[i:i + 1])
            down = F.cross_entropy(model(x - e)[i:i + 1], y[i:i + 1])
        fd = float((up - down) / (2 * h))
        assert abs(fd - float(g[i, j])) <= 1e-6 * max(1.0, abs(fd)), (i, j, fd, float(g[i, j]))


def test_fgsm_moves_each_input_eps_along_the_gradients_sign_and_raises_the_loss():
    model = mlp((64, 32, 10), seed=1).double().eval()
    x, y = _data(50)
    xa = attacks.fgsm(model, x, y, 0.1)
    g = attacks.input_gradient(model, x, y)
    assert torch.allclose(xa - x, 0.1 * g.sign())
    with torch.no_grad():
        assert F.cross_entropy(model(xa), y) > F.cross_entropy(model(x), y)


def test_fgsm_on_a_linear_model_moves_the_margin_by_eps_times_the_l1_norm():
    lin = nn.Linear(3, 2).double()
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]]))
        lin.bias.zero_()
    x, y = torch.tensor([[0.3, 0.1, -0.2]], dtype=torch.float64), torch.tensor([0])
    xa = attacks.fgsm(lin, x, y, 0.1)
    with torch.no_grad():
        drop = float(lin(x)[0, 0] - lin(xa)[0, 0])
    assert drop == pytest.approx(0.1 * 3.5)  # ε·‖w₀ − w₁‖₁: the most any L∞ change of 0.1 can move the margin


def test_pgd_stays_in_the_ball_and_the_range_with_a_per_feature_budget():
    model = digits_cnn(4, 6, seed=2).double().eval()
    x, y = _data(20)
    eps = torch.linspace(0.0, 0.5, 64, dtype=torch.float64)
    lo, hi = -torch.ones(64, dtype=torch.float64), torch.ones(64, dtype=torch.float64)
    x = x.clamp(-1, 1)
    xa = attacks.pgd(model, x, y, eps, steps=7, alpha=0.4, lo=lo, hi=hi, seed=5)
    assert bool(((xa - x).abs() <= eps + 1e-12).all())
    assert bool((xa >= lo).all() and (xa <= hi).all())
    assert bool((xa[:, 0] == x[:, 0]).all())  # a budget of 0 leaves the feature alone


def test_pgd_of_one_full_step_without_random_start_is_fgsm():
    model = mlp((64, 16, 10), seed=4).double().eval()
    x, y = _data(30)
    x = x.clamp(-2.0, 2.0)  # valid inputs: PGD starts from a point of the range
    a = attacks.pgd(model, x, y, 0.2, steps=1, alpha=1.0, random_start=False, lo=-2.0, hi=2.0)
    b = attacks.fgsm(model, x, y, 0.2, lo=-2.0, hi=2.0)
    assert torch.equal(a, b)


def test_pgd_does_at_least_as_much_damage_as_fgsm_here():
    model = mlp((64, 32, 10), seed=1).double().eval()
    x, y = _data(200, seed=1)
    with torch.no_grad():
        y = model(x).argmax(1)  # every input starts correct
    acc_f = attacks.accuracy(model, attacks.fgsm(model, x, y, 0.05), y)
    acc_p = attacks.accuracy(model, attacks.pgd(model, x, y, 0.05, steps=20), y)
    assert acc_p <= acc_f < 1.0


def test_the_input_gradient_leaves_the_models_gradients_alone():
    model = mlp((64, 8, 10), seed=0)
    x, y = _data()
    attacks.input_gradient(model, x.float(), y)
    assert all(p.grad is None for p in model.parameters())


def test_bad_settings_say_which_and_why():
    model = mlp((64, 8, 10), seed=0)
    x, y = _data()
    with pytest.raises(ParamError, match="eps"):
        attacks.fgsm(model, x.float(), y, -0.1)
    with pytest.raises(ParamError, match="steps"):
        attacks.pgd(model, x.float(), y, 0.1, steps=0)
    with pytest.raises(ParamError, match="attack must be"):
        attacks.Attack("cw")
    assert str(attacks.Attack("pgd", steps=7)) == "PGD-7" and np.isclose(attacks.Attack("pgd").alpha, 0.25)
