"""The GAN's two networks and its losses, checked against torch's own binary cross-entropy and autograd."""

import pytest
import torch
from torch import nn

from neuralab.nn import gan


def test_the_networks_map_noise_to_points_and_points_to_logits():
    G, D = gan.build(0)
    z = torch.randn(7, G.noise)
    x = G(z)
    assert x.shape == (7, 2) and D(x).shape == (7,)


def test_the_same_seed_builds_the_same_networks_and_leaves_the_global_generator_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    G1, D1 = gan.build(5)
    after = torch.rand(1)
    G2, D2 = gan.build(5)
    assert torch.equal(before, after)  # build forks the random state
    for a, b in zip([*G1.parameters(), *D1.parameters()], [*G2.parameters(), *D2.parameters()], strict=True):
        assert torch.equal(a, b)
    assert not torch.equal(next(gan.build(6)[0].parameters()), next(G1.parameters()))


def test_the_discriminator_loss_is_torchs_cross_entropy_with_data_labelled_one():
    real, fake = torch.randn(50) * 3, torch.randn(40) * 3
    bce = nn.BCEWithLogitsLoss()
    expected = bce(real, torch.ones(50)) + bce(fake, torch.zeros(40))
    assert gan.discriminator_loss(real, fake).item() == pytest.approx(expected.item(), rel=1e-6)


def test_the_generator_losses_and_their_gradients_per_logit():
    logit = torch.linspace(-8, 8, 33, dtype=torch.float64, requires_grad=True)
    p = torch.sigmoid(logit).detach()
    bce = nn.BCEWithLogitsLoss()
    ns = gan.generator_loss(logit, "non-saturating")
    assert ns.item() == pytest.approx(bce(logit, torch.ones_like(logit)).item(), rel=1e-9)  # −log D
    sat = gan.generator_loss(logit, "saturating")
    assert sat.item() == pytest.approx(-bce(logit, torch.zeros_like(logit)).item(), rel=1e-9)  # log(1 − D)
    (g_sat,) = torch.autograd.grad(sat * len(logit), logit)
    (g_ns,) = torch.autograd.grad(gan.generator_loss(logit, "non-saturating") * len(logit), logit)
    assert torch.allclose(g_sat, -p) and torch.allclose(g_ns, -(1 - p))


def test_a_sure_discriminator_keeps_both_losses_finite():
    sure = torch.tensor([-200.0, 200.0])
    assert torch.isfinite(gan.generator_loss(sure, "saturating"))
    assert torch.isfinite(gan.generator_loss(sure, "non-saturating"))
    assert torch.isfinite(gan.discriminator_loss(sure, sure))


def test_an_unknown_loss_is_named():
    with pytest.raises(ValueError, match="loss must be one of non-saturating, saturating; got 'wgan'"):
        gan.generator_loss(torch.zeros(3), "wgan")
