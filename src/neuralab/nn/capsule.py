"""A small capsule network for the 8 × 8 digits, with routing by agreement written out (Sabour et al., 2017).

A capsule is a vector whose length is read as the probability that its entity is present and whose direction
encodes how. Three pieces, each a few lines below and tested against its definition:

* :func:`squash` keeps a vector's direction and maps its length ``n`` to ``n² / (1 + n²)``, into [0, 1)::

      v = (‖s‖² / (1 + ‖s‖²)) · s / ‖s‖

* :func:`route`, dynamic routing: every primary capsule ``i`` predicts every digit capsule ``j``,
  ``û_j|i = W_ij · u_i``. Logits ``b_ij`` start at 0; each iteration takes the coupling coefficients
  ``c_ij = softmax_j(b_ij)`` (they sum to 1 over the parents ``j``), forms ``s_j = Σ_i c_ij · û_j|i``,
  ``v_j = squash(s_j)`` and, except after the last, raises ``b_ij`` by the agreement ``û_j|i · v_j``.
  With one iteration the coupling stays uniform (1/10): no routing at all.
* :func:`margin_loss`: ``Σ_k T_k · max(0, m⁺ − ‖v_k‖)² + λ · (1 − T_k) · max(0, ‖v_k‖ − m⁻)²`` with
  ``m⁺ = 0.9``, ``m⁻ = 0.1``, ``λ = 0.5``, averaged over the batch.

:class:`DigitCapsNet` keeps the parameter count near the lab's digits CNN (``digits_cnn(8, 16)``, 3,818): one
transform ``W`` per primary capsule *type* and digit class, shared by the type's 16 positions (the paper's
MNIST network has a separate ``W_ij`` for every one of its 1,152 primary capsules, and a reconstruction decoder
this one leaves out).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["DigitCapsNet", "Routed", "margin_loss", "route", "squash"]

M_PLUS, M_MINUS, LAMBDA = 0.9, 0.1, 0.5  # the margin loss's constants (Sabour et al.)
MAX_ITERATIONS = 5  # routing iterations are bounded: each one is another pass over every prediction


def squash(s: torch.Tensor, dim: int = -1, eps: float = 1e-9) -> torch.Tensor:
    """``s · ‖s‖ / (1 + ‖s‖²)``: the direction of ``s``, its length mapped into [0, 1)."""
    n2 = (s * s).sum(dim, keepdim=True)
    return s * torch.sqrt(n2 + eps) / (1.0 + n2)


@dataclass(frozen=True)
class Routed:
    """The result of routing for a batch."""

    v: torch.Tensor  # (N, J, D) digit capsules
    c: torch.Tensor  # (N, I, J) coupling coefficients of the last iteration (each row sums to 1 over J)
    b: torch.Tensor  # (N, I, J) the logits they came from


def route(u_hat: torch.Tensor, iterations: int) -> Routed:
    """Routing by agreement over predictions ``u_hat`` (N, I primary, J parents, D) for ``iterations`` rounds."""
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise ValueError(f"iterations must be between 1 and {MAX_ITERATIONS}; got {iterations!r}.")
    b = torch.zeros(u_hat.shape[:3], dtype=u_hat.dtype)  # (N, I, J)
    for r in range(iterations):
        c = torch.softmax(b, dim=2)  # (N, I, J): over the parents
        v = squash((c.unsqueeze(-1) * u_hat).sum(1))  # (N, J, D)
        if r < iterations - 1:
            b = b + (u_hat * v.unsqueeze(1)).sum(-1)  # agreement û_j|i · v_j
    return Routed(v, c, b)


def margin_loss(lengths: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The margin loss of digit-capsule ``lengths`` (N, J) against integer labels ``y`` (N,), batch mean."""
    t = nn.functional.one_hot(y.long(), lengths.shape[1]).to(lengths.dtype)  # (N, J)
    present = t * torch.clamp(M_PLUS - lengths, min=0) ** 2
    absent = LAMBDA * (1 - t) * torch.clamp(lengths - M_MINUS, min=0) ** 2
    return (present + absent).sum(1).mean()


class DigitCapsNet(nn.Module):
    """Conv 3×3 (16) → primary capsules (4 types × 4-D at 4 × 4 positions) → 10 digit capsules of 8-D.

    ``forward`` returns the digit capsules' lengths (N, 10), read like class scores (the largest wins).
    """

    def __init__(self, iterations: int = 3, conv: int = 16, types: int = 4, dim: int = 4, out_dim: int = 8,
                 seed: int = 0):
        super().__init__()
        if not 1 <= iterations <= MAX_ITERATIONS:
            raise ValueError(f"iterations must be between 1 and {MAX_ITERATIONS}; got {iterations!r}.")
        self.iterations, self.types, self.dim, self.out_dim = iterations, types, dim, out_dim
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.conv = nn.Conv2d(1, conv, 3, padding=1)  # (N, 16, 8, 8)
            self.primary = nn.Conv2d(conv, types * dim, 3, stride=2, padding=1)  # (N, types·dim, 4, 4)
            self.W = nn.Parameter(0.5 * torch.randn(types, 10, out_dim, dim))  # one transform per type and class

    def predictions(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Primary capsules ``u`` (N, I, dim) and their predictions ``û`` (N, I, 10, out_dim); I = types·16."""
        h = torch.relu(self.conv(x.reshape(-1, 1, 8, 8)))  # (N, 16, 8, 8)
        p = self.primary(h)  # (N, types·dim, 4, 4)
        n = p.shape[0]
        u = p.reshape(n, self.types, self.dim, -1).permute(0, 1, 3, 2)  # (N, types, 16 positions, dim)
        u = squash(u).reshape(n, -1, self.dim)  # (N, I, dim), type-major: capsule i is type i // 16
        w = self.W.repeat_interleave(u.shape[1] // self.types, dim=0)  # (I, 10, out_dim, dim)
        u_hat = torch.einsum("ijod,nid->nijo", w, u)  # (N, I, 10, out_dim)
        return u, u_hat

    def routed(self, x: torch.Tensor, iterations: int | None = None) -> Routed:
        """The digit capsules and coupling coefficients for ``x`` (N, 64)."""
        return route(self.predictions(x)[1], iterations or self.iterations)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.routed(x).v.norm(dim=-1)  # (N, 10)
