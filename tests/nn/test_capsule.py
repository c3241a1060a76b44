"""The capsule network's teaching code against its definitions: squash, routing by agreement, margin loss."""

from __future__ import annotations

import pytest
import torch

from neuralab.nn.capsule import M_MINUS, M_PLUS, DigitCapsNet, margin_loss, route, squash
from neuralab.nn.cnn import digits_cnn
from neuralab.nn.models import n_params


def _u_hat(seed: int = 0, n: int = 3, i: int = 12, j: int = 10, d: int = 8) -> torch.Tensor:
    return torch.randn(n, i, j, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_squash_keeps_the_direction_and_maps_the_length_into_0_1():
    s = torch.randn(200, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    s = s * torch.logspace(-3, 3, 200, dtype=torch.float64)[:, None]  # lengths over six decades
    v = squash(s)
    n = s.norm(dim=1)
    assert torch.allclose(v.norm(dim=1), n**2 / (1 + n**2), rtol=1e-9)
    assert torch.allclose(torch.nn.functional.cosine_similarity(v, s, dim=1), torch.ones(200, dtype=torch.float64))
    assert (v.norm(dim=1) < 1).all() and (v.norm(dim=1) >= 0).all()
    assert float(squash(torch.tensor([3.0, 0.0])).norm()) == pytest.approx(0.9)
    assert torch.equal(squash(torch.zeros(4)), torch.zeros(4))  # no division by zero


def test_coupling_coefficients_sum_to_one_over_the_parents():
    for it in range(1, 6):
        r = route(_u_hat(it), it)
        assert torch.allclose(r.c.sum(2), torch.ones(3, 12, dtype=torch.float64))
        assert (r.c >= 0).all()


def test_one_iteration_is_uniform_coupling():
    u = _u_hat()
    r = route(u, 1)
    assert torch.allclose(r.c, torch.full_like(r.c, 0.1))
    assert torch.allclose(r.v, squash(0.1 * u.sum(1)))


def test_routing_follows_the_update_rule_written_out():
    """Three iterations by hand, with explicit loops over i and j, against route()."""
    u = _u_hat(2, n=1, i=5, j=4, d=3)[0]
    b = torch.zeros(5, 4, dtype=torch.float64)
    for r in range(3):
        c = torch.exp(b) / torch.exp(b).sum(1, keepdim=True)
        v = [squash(sum(c[i, j] * u[i, j] for i in range(5))) for j in range(4)]
        if r < 2:
            b = b + torch.tensor([[float(u[i, j] @ v[j]) for j in range(4)] for i in range(5)], dtype=torch.float64)
    got = route(u[None], 3)
    assert torch.allclose(got.v[0], torch.stack(v)) and torch.allclose(got.c[0], c)


def test_agreement_raises_the_coupling_of_predictions_that_point_the_same_way():
    u = torch.zeros(1, 6, 2, 4, dtype=torch.float64)
    u[0, :, 0] = torch.tensor([1.0, 0, 0, 0])  # all six primary capsules agree on parent 0
    u[0, :, 1, 1] = torch.tensor([1.0, -1.0] * 3)  # on parent 1 they cancel out
    c1, c3 = route(u, 1).c, route(u, 3).c
    assert torch.allclose(c1, torch.full_like(c1, 0.5))
    assert (c3[0, :, 0] > 0.6).all()


def test_routing_is_bounded_and_its_gradient_matches_finite_differences():
    with pytest.raises(ValueError, match="iterations must be between 1 and 5; got 0"):
        route(_u_hat(), 0)
    with pytest.raises(ValueError, match="got 6"):
        DigitCapsNet(6)
    u = _u_hat(3, n=2, i=4, j=3, d=3).requires_grad_()
    assert torch.autograd.gradcheck(lambda x: route(x, 3).v, (u,))


def test_margin_loss_by_hand():
    lengths = torch.tensor([[0.95, 0.3, 0.05], [0.5, 0.05, 0.2]], dtype=torch.float64)
    y = torch.tensor([0, 1])
    first = 0 + 0.5 * (0.3 - M_MINUS) ** 2 + 0
    second = 0.5 * (0.5 - M_MINUS) ** 2 + (M_PLUS - 0.05) ** 2 + 0.5 * (0.2 - M_MINUS) ** 2
    assert float(margin_loss(lengths, y)) == pytest.approx((first + second) / 2)


def test_the_network_has_about_the_cnns_parameters_and_shares_one_transform_per_type():
    net = DigitCapsNet(3, seed=0).double()
    assert n_params(net) == 3760 and n_params(digits_cnn(8, 16)) == 3818
    x = torch.randn(2, 64, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    u, u_hat = net.predictions(x)
    assert u.shape == (2, 64, 4) and u_hat.shape == (2, 64, 10, 8)
    for i in (0, 17, 40, 63):  # capsule i is type i // 16
        assert torch.allclose(u_hat[1, i, 3], net.W[i // 16, 3] @ u[1, i])
    out = net(x)
    assert out.shape == (2, 10) and (out >= 0).all() and (out < 1).all()
