"""A generative adversarial network for 2-D points: a generator G and a discriminator D, two small MLPs.

The generator turns noise into a point; the discriminator turns a point into a logit, the log-odds that the
point came from the data rather than from G:

    G(z) = W₃ · relu(W₂ · relu(W₁ z + b₁) + b₂) + b₃,     z ~ N(0, I_Z)
    D(x) = σ(ℓ(x)),  ℓ(x) = V₃ · lrelu(V₂ · lrelu(V₁ x + c₁) + c₂) + c₃

with lrelu(u) = max(u, 0.2 u) (a leaky slope, so D passes a gradient back to G everywhere) and σ the logistic
function. The game of Goodfellow et al. (2014) is

    min_G max_D  V(D, G) = E_x[log D(x)] + E_z[log(1 − D(G(z)))]

D's side is ordinary binary cross-entropy (data labelled 1, generated points 0). G's side is the trap: the
term it can move, log(1 − D(G(z))), is flat where D confidently rejects its points, which is where every
generator starts. :func:`generator_loss` gives both that "saturating" loss and the "non-saturating" one,
−log D(G(z)), which has the same fixed point and a strong gradient exactly there. Both are written on the
logit ℓ with ``logsigmoid``, so they stay finite when D is sure.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["LOSSES", "Discriminator", "Generator", "build", "discriminator_loss", "generator_loss"]

#: generator loss name -> what it minimizes, on D's logit ℓ = logit D(G(z))
LOSSES = {"non-saturating": "−log D(G(z))", "saturating": "log(1 − D(G(z)))"}


class Generator(nn.Module):
    """Noise (B, Z) to points (B, 2) through two ReLU layers of ``width`` units."""

    def __init__(self, noise: int = 4, width: int = 64) -> None:
        super().__init__()
        self.noise = noise
        self.net = nn.Sequential(nn.Linear(noise, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                                 nn.Linear(width, 2))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)  # (B, Z) -> (B, 2)


class Discriminator(nn.Module):
    """Points (B, 2) to logits (B,) through two leaky-ReLU layers of ``width`` units."""

    def __init__(self, width: int = 64) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, width), nn.LeakyReLU(0.2), nn.Linear(width, width), nn.LeakyReLU(0.2),
                                 nn.Linear(width, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)  # (B, 2) -> (B,) logits ℓ(x); D(x) = σ(ℓ)


def build(seed: int, noise: int = 4, width: int = 64) -> tuple[Generator, Discriminator]:
    """A generator and a discriminator with torch's default initialization, drawn from ``seed``."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return Generator(noise, width), Discriminator(width)


def discriminator_loss(real_logit: torch.Tensor, fake_logit: torch.Tensor) -> torch.Tensor:
    """−V(D, G) on a batch: −mean log D(x) − mean log(1 − D(G(z))); 2 ln 2 when D answers ½ everywhere."""
    return -(F.logsigmoid(real_logit).mean() + F.logsigmoid(-fake_logit).mean())  # log(1 − σ(ℓ)) = logσ(−ℓ)


def generator_loss(fake_logit: torch.Tensor, kind: str) -> torch.Tensor:
    """What G minimizes: ``"saturating"`` mean log(1 − D(G(z))), or ``"non-saturating"`` mean −log D(G(z)).

    With respect to the logit ℓ of one point the gradients are −D(G(z)) and −(1 − D(G(z))): the first vanishes
    when D rejects the point (D → 0), the second is then close to −1.
    """
    if kind == "saturating":
        return F.logsigmoid(-fake_logit).mean()
    if kind == "non-saturating":
        return -F.logsigmoid(fake_logit).mean()
    raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {kind!r}.")
