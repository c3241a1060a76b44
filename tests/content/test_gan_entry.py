"""The GAN entry: its identities recomputed, its counts the lab's own, its code run, its place in /reference."""

from __future__ import annotations

import math
from importlib import resources

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.spatial.distance import jensenshannon
from torch import nn

from neuralab.app.pages import reference
from neuralab.train import gan
from tests.app import tree


def entry() -> str:
    return resources.files("neuralab.content").joinpath("gan.md").read_text(encoding="utf-8")


def flat() -> str:
    return " ".join(entry().split())


def test_the_value_at_the_best_discriminator_is_twice_js_minus_2_ln_2():
    rng = np.random.default_rng(0)
    for _ in range(5):
        p, q = rng.dirichlet(np.ones(12)), rng.dirichlet(np.ones(12))
        d = p / (p + q)  # D*(x) = p_data / (p_data + p_G)
        value = float(np.sum(p * np.log(d)) + np.sum(q * np.log(1 - d)))
        assert value == pytest.approx(2 * jensenshannon(p, q) ** 2 - 2 * math.log(2), abs=1e-12)
        for other in (d * 0.9, np.clip(d + 0.05, 0, 0.999)):  # any other D gives a smaller value
            assert np.sum(p * np.log(other)) + np.sum(q * np.log(1 - other)) < value
    text = flat()
    assert "D*(x) = p_data(x) / (p_data(x) + p_G(x))" in text and "V(D*, G) = 2 · JS(p_data ‖ p_G) − 2 ln 2" in text
    assert f"V = −2 ln 2 ≈ −{2 * math.log(2):.3f}" in text


def test_the_gradients_with_respect_to_the_logit():
    logit = torch.tensor([-3.0, 0.0, 2.0], requires_grad=True)
    d = torch.sigmoid(logit).detach()
    (g_sat,) = torch.autograd.grad(torch.log1p(-torch.sigmoid(logit)).sum(), logit)
    (g_ns,) = torch.autograd.grad((-torch.log(torch.sigmoid(logit))).sum(), logit)
    assert torch.allclose(g_sat, -d) and torch.allclose(g_ns, -(1 - d))
    text = flat()
    assert "The derivative of log(1 − σ(ℓ)) with respect to ℓ is −σ(ℓ) = −D(G(z))" in text
    assert "Its derivative with respect to ℓ is −(1 − D(G(z)))" in text


def test_log_of_sigmoid_underflows_where_logsigmoid_does_not():
    big = torch.tensor(-120.0)
    assert torch.isinf(torch.log(torch.sigmoid(big))) and torch.isfinite(torch.nn.functional.logsigmoid(big))
    assert "Never write `log(sigmoid(ℓ))`" in flat()


def test_a_pooled_cross_entropy_is_half_of_minus_v():
    from neuralab.nn.gan import discriminator_loss
    torch.manual_seed(0)
    real, fake = torch.randn(32), torch.randn(32)
    pooled = F.binary_cross_entropy_with_logits(torch.cat([real, fake]), torch.cat([torch.ones(32), torch.zeros(32)]))
    assert float(pooled) == pytest.approx(float(discriminator_loss(real, fake)) / 2)
    balanced = (torch.arange(64) < 32).float()
    assert float(F.binary_cross_entropy_with_logits(torch.zeros(64), balanced)) == pytest.approx(math.log(2))
    assert "ln 2 at equilibrium instead of 2 ln 2" in flat()


def test_both_generator_losses_in_terms_of_bce_with_logits():
    logit = torch.tensor([-8.0, -1.0, 0.5, 3.0])
    ones, zeros = torch.ones(4), torch.zeros(4)
    non_saturating = -F.logsigmoid(logit).mean()
    saturating = F.logsigmoid(-logit).mean()
    assert torch.allclose(F.binary_cross_entropy_with_logits(logit, ones), non_saturating)
    assert torch.allclose(-F.binary_cross_entropy_with_logits(logit, zeros), saturating)
    text = flat()
    assert "non-saturating generator loss is the cross-entropy with target 1" in text
    assert "saturating one is minus the cross-entropy with target 0" in text


def test_bce_after_a_sigmoid_clamps_at_100_with_no_gradient():
    logit = torch.tensor([-120.0], requires_grad=True)  # a generated point D is sure of: σ(ℓ) is exactly 0
    loss = torch.nn.BCELoss()(torch.sigmoid(logit), torch.ones(1))  # the non-saturating loss, the quiet way
    (grad,) = torch.autograd.grad(loss, logit)
    assert loss.item() == pytest.approx(100.0) and grad.item() == 0.0
    assert "clamps each log at −100, so the loss stops at 100 and no gradient flows" in flat()


def test_a_caught_up_discriminator_shows_the_collapse_in_its_loss():
    p = np.full(8, 1 / 8)  # the data: eight equal modes
    q = np.array([1 / 3] * 3 + [0] * 5)  # the generator: three of them
    loss = 2 * math.log(2) - 2 * jensenshannon(p, q) ** 2  # −V(D*, G)
    assert round(loss, 2) == 0.81
    assert f"≈ {loss:.2f} nats" in flat()


def test_the_mode_count_is_the_labs():
    assert round(gan.MIN_SHARE * gan.N_EVAL) == 20 and gan.N_EVAL == 2500
    assert "fewer than 20 of 2,500 generated samples" in flat()
    assert f"one fixed radius of {gan.RADIUS:g} in the plane" in flat()  # the playground coverage's radius


def test_the_code_block_trains_both_sides():
    block = entry().split("```python\n")[1].split("```")[0]
    ns: dict = {}
    exec(compile(block, "entry", "exec"), ns)
    torch.manual_seed(0)
    G = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
    D = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1), nn.Flatten(0))
    opt_g, opt_d = torch.optim.Adam(G.parameters(), 1e-3), torch.optim.Adam(D.parameters(), 1e-3)
    before = [p.clone() for p in D.parameters()]
    batches = []

    def next_real():
        batches.append(torch.randn(64, 2))
        return batches[-1]

    d_loss, g_loss = ns["gan_step"](G, D, opt_g, opt_d, next_real, d_steps=2)
    assert math.isfinite(d_loss) and math.isfinite(g_loss)
    assert len(batches) == 2  # a fresh data batch for every D step, as in Goodfellow et al.'s algorithm
    assert all(not torch.equal(a, b) for a, b in zip(before, D.parameters(), strict=True))
    d_before = [p.clone() for p in D.parameters()]
    opt_d.zero_grad()  # what the comment promises: D's next turn starts from clean gradients
    assert all(p.grad is None or p.grad.abs().sum() == 0 for p in D.parameters())
    assert all(torch.equal(a, b) for a, b in zip(d_before, D.parameters(), strict=True))


def test_every_attribution_has_its_year():
    text = flat()
    for who in ("Goodfellow et al. (2014)", "Arjovsky and Bottou (2017)", "Radford, Metz and Chintala, 2015",
                "Heusel et al., 2017", "Srivastava et al., 2017", "Lin et al., 2018", "Sajjadi et al., 2018",
                "Kynkäänniemi et al., 2019",
                "Arjovsky, Chintala and Bottou, 2017", "Gulrajani et al., 2017", "Miyato et al., 2018",
                "Salimans et al., 2016", "Metz et al., 2016"):
        assert who in text, who


def test_the_entry_sits_after_recurrent_and_renders():
    topics = list(reference.TOPICS)
    assert topics[topics.index("autoencoder") + 1] == "gan"  # the sidebar order
    text = tree.text(reference.show("gan"))
    assert "Generative adversarial networks" in text and "Open the live page: Generative adversarial networks" in text
