"""A fully connected autoencoder: an encoder squeezes the input into a short code, a decoder rebuilds it.

For an input x of n values, a code of c ≪ n values and one hidden layer of h units on each side::

    z = norm(W₂ relu(W₁ x̃ + b₁) + b₂)              encoder, z ∈ ℝᶜ
    x̂ = out(W₄ relu(W₃ z + b₃) + b₄)               decoder, x̂ ∈ ℝⁿ
    loss = mean((x̂ − x)²)                          the target is the input itself

``x̃`` is the input, or in training mode, with ``noise`` σ > 0, the input plus Gaussian noise
``x + σ·ε`` drawn afresh for every batch (a denoising autoencoder: it must rebuild the clean x from
a corrupted copy). Like dropout, the corruption is switched off in eval mode.

``norm`` (``code_norm=True``) is a batch normalization with no learned scale or shift: each code
coordinate is standardized to mean 0 and variance 1 over the training data (running statistics in eval
mode). It fixes the scale of the code, so a 2-D code space can be drawn and sampled on fixed axes; it
removes nothing the decoder could use, since any affine change of z can be undone by W₃.

``out`` is a sigmoid for inputs in [0, 1] (pixels) and the identity for signals of any sign.
The trap: nothing forces the code to mean anything. The loss only asks that x̂ be close to x, so the
code's axes are whatever made the reconstruction easiest, and points of the code space that no training
input maps near decode to images no digit looks like.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["Autoencoder"]


class Autoencoder(nn.Module):
    """``n → hidden → code → hidden → n``; see the module docstring for the formula."""

    def __init__(self, n: int, hidden: int, code: int, *, sigmoid: bool = True, code_norm: bool = True,
                 noise: float = 0.0, seed: int = 0):
        super().__init__()
        if min(n, hidden, code) < 1 or noise < 0:
            raise ValueError(f"n, hidden and code must be at least 1 and noise at least 0; got {n}, {hidden}, "
                             f"{code}, {noise}.")
        self.noise = float(noise)
        self.gen = torch.Generator().manual_seed(seed + 1)  # draws the training corruption only
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.encoder = nn.Sequential(
                nn.Linear(n, hidden), nn.ReLU(),  # (N, n) -> (N, hidden)
                nn.Linear(hidden, code),  # (N, hidden) -> (N, code)
                nn.BatchNorm1d(code, affine=False) if code_norm else nn.Identity(),  # (N, code), standardized
            )
            self.decoder = nn.Sequential(
                nn.Linear(code, hidden), nn.ReLU(),  # (N, code) -> (N, hidden)
                nn.Linear(hidden, n),  # (N, hidden) -> (N, n)
                nn.Sigmoid() if sigmoid else nn.Identity(),  # (N, n)
            )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)  # (N, n) -> (N, code)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)  # (N, code) -> (N, n)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.noise > 0:
            x = x + self.noise * torch.randn(x.shape, generator=self.gen)  # (N, n) corrupted copy
        return self.decode(self.encode(x))  # (N, n)
