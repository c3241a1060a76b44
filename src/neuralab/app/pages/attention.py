"""/attention: scaled dot-product attention opened up on a tiny transformer trained here to reverse sequences.

Assembled from part modules (``attention_<part>.py``), each with its controls, sections and layout.
"""

from __future__ import annotations

import math

import torch

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.app.selfcheck import Pick, Value

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.attention_", ("inside", "scale", "order"))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "Attention lets every position of a sequence collect information from every other position, with weights "
    "it computes from the data itself. This page opens up the mechanism on a real transformer layer trained "
    "here in a few seconds: the queries, keys and values of one token, the scores and the softmax, each head's "
    "map, and three things measured rather than asserted: what the 1/√d_k scale does, what positional encoding "
    "is for, and what a causal mask takes away."
)
layout = parts.layout("Attention", INTRO, PARTS)

wire(P, SPEC)


def _mha_params() -> int:
    """Parameters of torch's MultiheadAttention with embed_dim 32 and 2 heads (built on the meta device)."""
    return sum(p.numel() for p in torch.nn.MultiheadAttention(32, 2, device="meta").parameters())


QUESTIONS = (
    Value("dk-spread", "q and k have 64 independent components, each of mean 0 and variance 1. What is the standard "
          "deviation of q·k, before any scaling?", lambda: math.sqrt(64),
          "Each of the 64 products has variance 1 and they add up: variance 64, standard deviation {answer}. "
          "Dividing by √d_k = 8 brings it back to 1.", section="Why divide by √d_k: the softmax's saturation, measured",
          tolerance=0.01),
    Value("mha-params", "torch.nn.MultiheadAttention(embed_dim=32, num_heads=2): how many parameters does it have?",
          _mha_params,
          "W_Q, W_K, W_V and W_O are each 32 × 32, with a bias of 32 each: 4 · (1024 + 32) = {answer}. The number "
          "of heads does not change it: the heads split the 32 dimensions between them.",
          section="One query through a trained attention layer"),
    Pick("no-positions", "A transformer encoder with no positional encoding and no mask reads a sequence. You swap "
         "two of its input tokens. What happens to its outputs?",
         ("Nothing changes", "The outputs at those two positions swap, and the others stay the same",
          "All outputs change unpredictably"), 1,
         "Attention is permutation-equivariant: the outputs move with their tokens. It cannot tell where a "
         "token stands, which is why it cannot learn to reverse a sequence.",
         section="Order: positional encoding and the causal mask"),
    Pick("causal", "With a causal mask, which keys can position 3 of 8 attend to?",
         ("Positions 1, 2 and 3", "Positions 3 to 8", "All 8, with later ones down-weighted"), 0,
         "The mask sets the scores of later keys to −∞, so their softmax weights are exactly 0.",
         section="Order: positional encoding and the causal mask"),
)
