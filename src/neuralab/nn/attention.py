"""A tiny transformer encoder, and scaled dot-product attention written out by hand to check torch's.

The model reads a sequence of T tokens and answers one class per position::

    h⁰ = E[x] + P                              token embedding plus positional encoding (P = 0 when off)
    for each layer ℓ:
        a  = MultiHead(h) = concat(head₁ … head_H) W_O + b_O
        headᵢ = softmax(Qᵢ Kᵢᵀ / √d_k + M) Vᵢ,   Qᵢ = h W_Qᵢ + b,  Kᵢ = h W_Kᵢ + b,  Vᵢ = h W_Vᵢ + b
        h  = LayerNorm(h + a)
        h  = LayerNorm(h + W₂ ReLU(W₁ h + b₁) + b₂)
    logits = h W_out + b_out

``M`` is the mask: 0 where a position may look, −∞ where it may not (a causal mask hides every
later position). ``P`` is the sinusoidal encoding of Vaswani et al. (2017):
``P[t, 2i] = sin(t / 10000^(2i/d))``, ``P[t, 2i+1] = cos(t / 10000^(2i/d))``.

Attention itself is torch's ``nn.MultiheadAttention``. :func:`by_hand` recomputes one layer's
attention from its weights, step by step (projections, scores, softmax, weighted values, output
projection), with the 1/√d_k scale on or off; the tests check it against ``nn.MultiheadAttention``
and ``F.scaled_dot_product_attention``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["ByHand", "Inside", "TinyTransformer", "by_hand", "causal_mask", "sinusoidal"]


def sinusoidal(steps: int, d_model: int) -> torch.Tensor:
    """(steps, d_model) the fixed sinusoidal positional encoding."""
    t = torch.arange(steps, dtype=torch.float32)[:, None]  # (T, 1)
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)  # (d/2,)
    pe = torch.zeros(steps, d_model)  # (T, d)
    pe[:, 0::2] = torch.sin(t * freq)
    pe[:, 1::2] = torch.cos(t * freq[: d_model // 2])
    return pe


def causal_mask(steps: int) -> torch.Tensor:
    """(steps, steps) additive mask: 0 on and below the diagonal, −∞ above (position t sees 0 … t)."""
    return torch.triu(torch.full((steps, steps), float("-inf")), diagonal=1)


class TinyTransformer(nn.Module):
    """A post-norm transformer encoder of ``layers`` layers with a per-position read-out (see the module docstring)."""

    def __init__(self, vocab: int, steps: int, d_model: int = 32, heads: int = 2, layers: int = 1,
                 d_ff: int = 64, *, positions: bool = True, causal: bool = False, seed: int = 0):
        super().__init__()
        if d_model % heads:
            raise ValueError(f"d_model ({d_model}) must be a multiple of heads ({heads}).")
        self.vocab, self.steps, self.heads, self.positions, self.causal = vocab, steps, heads, positions, causal
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.embed = nn.Embedding(vocab, d_model)
            self.attn = nn.ModuleList(nn.MultiheadAttention(d_model, heads, batch_first=True) for _ in range(layers))
            self.norm1 = nn.ModuleList(nn.LayerNorm(d_model) for _ in range(layers))
            self.ff = nn.ModuleList(nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))
                                    for _ in range(layers))
            self.norm2 = nn.ModuleList(nn.LayerNorm(d_model) for _ in range(layers))
            self.out = nn.Linear(d_model, vocab)
        self.register_buffer("pe", sinusoidal(steps, d_model) if positions else torch.zeros(steps, d_model))
        self.register_buffer("mask", causal_mask(steps) if causal else torch.zeros(steps, steps))

    @property
    def d_model(self) -> int:
        return self.embed.embedding_dim

    @property
    def d_k(self) -> int:
        return self.d_model // self.heads

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T) token ids → (B, T, vocab) logits."""
        return self.run(x).logits

    def run(self, x: torch.Tensor) -> Inside:
        """The forward pass, keeping each layer's input to attention and its per-head weights."""
        T = x.shape[1]
        h = self.embed(x) + self.pe[:T]  # (B, T, d)
        inputs, weights = [], []
        mask = self.mask[:T, :T] if self.causal else None  # (T, T)
        for attn, n1, ff, n2 in zip(self.attn, self.norm1, self.ff, self.norm2, strict=True):
            inputs.append(h)
            a, w = attn(h, h, h, attn_mask=mask, need_weights=True, average_attn_weights=False)  # (B,T,d), (B,H,T,T)
            weights.append(w)
            h = n1(h + a)  # (B, T, d)
            h = n2(h + ff(h))  # (B, T, d)
        return Inside(self.out(h), inputs, weights)  # logits (B, T, vocab)


@dataclass
class Inside:
    """One forward pass opened: the logits, each layer's attention input and its per-head weights."""

    logits: torch.Tensor  # (B, T, vocab)
    inputs: list[torch.Tensor]  # per layer, (B, T, d): what the layer's attention reads
    weights: list[torch.Tensor]  # per layer, (B, H, T, T): softmax weights, row = query position


@dataclass(frozen=True)
class ByHand:
    """One attention layer computed step by step (float64), for one sequence."""

    q: torch.Tensor  # (H, T, d_k) queries, per head
    k: torch.Tensor  # (H, T, d_k) keys
    v: torch.Tensor  # (H, T, d_k) values
    scores: torch.Tensor  # (H, T, T) Q Kᵀ (× 1/√d_k when scaled) + mask, before the softmax
    weights: torch.Tensor  # (H, T, T) after the softmax; each row sums to 1
    heads: torch.Tensor  # (H, T, d_k) weights @ V
    out: torch.Tensor  # (T, d) concat(heads) W_Oᵀ + b_O


def by_hand(attn: nn.MultiheadAttention, h: torch.Tensor, mask: torch.Tensor | None = None,
            scaled: bool = True) -> ByHand:
    """Scaled dot-product attention of ``attn`` on one sequence ``h`` (T, d), from its weights, in float64.

    torch packs W_Q, W_K and W_V into ``in_proj_weight`` (3d, d), one above the other; a head's
    share of each projection is a block of d_k consecutive rows.
    """
    h = h.detach().double()  # (T, d)
    d, H = attn.embed_dim, attn.num_heads
    dk = d // H
    w = attn.in_proj_weight.detach().double()  # (3d, d)
    b = attn.in_proj_bias.detach().double()  # (3d,)
    q, k, v = (h @ w[i * d:(i + 1) * d].T + b[i * d:(i + 1) * d] for i in range(3))  # each (T, d)
    q, k, v = (m.reshape(-1, H, dk).transpose(0, 1) for m in (q, k, v))  # each (H, T, d_k)
    scores = q @ k.transpose(1, 2)  # (H, T, T)
    if scaled:
        scores = scores / math.sqrt(dk)
    if mask is not None:
        scores = scores + mask.double()
    weights = torch.softmax(scores, dim=-1)  # (H, T, T)
    heads = weights @ v  # (H, T, d_k)
    concat = heads.transpose(0, 1).reshape(-1, d)  # (T, d)
    out = concat @ attn.out_proj.weight.detach().double().T + attn.out_proj.bias.detach().double()  # (T, d)
    return ByHand(q, k, v, scores, weights, heads, out)
