"""/recurrent: recurrent networks trained on real sequences, the motor's winding temperature first.

The page is assembled from part modules, one per concept (``recurrent_<part>.py``): each
declares its controls (``SPEC``), its sections (``SECTIONS``, registered on import) and
``layout(values)``. This module merges their controls for the URL and lays them out in order.
"""

from __future__ import annotations

import torch

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.app.selfcheck import Pick, Value

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.recurrent_", (
    "unroll",
    "sensor",
    "memory",
    "gates",
    "choices",
))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "A recurrent network reads a sequence one sample at a time and carries a hidden state from each "
    "step to the next, so what it answers now can depend on everything it has seen. Every network on "
    "this page is a real torch model trained here, most of them on a job motor drives really do: "
    "estimating the winding temperature, which few drives measure directly, from the current, speed "
    "and coolant temperature they log."
)
layout = parts.layout("Recurrent networks", INTRO, PARTS)

wire(P, SPEC)


def _gru_params() -> int:
    """Parameters of torch's GRU with 3 inputs and 16 hidden units (built on the meta device: no numbers drawn)."""
    return sum(p.numel() for p in torch.nn.GRU(3, 16, device="meta").parameters())


def _vanishing_bound() -> float:
    """σ_max(W_hh)^20 for a recurrent matrix scaled to a largest singular value of 0.8."""
    gen = torch.Generator().manual_seed(0)
    q, _ = torch.linalg.qr(torch.randn(16, 16, generator=gen, dtype=torch.float64))
    return float(torch.linalg.matrix_norm(0.8 * q, ord=2) ** 20)


QUESTIONS = (
    Value("gru-params", "torch.nn.GRU(input_size=3, hidden_size=16): how many parameters does it have?",
          _gru_params,
          "Three blocks (reset, update, candidate), each with input weights 16 × 3, recurrent weights 16 × 16 "
          "and two bias vectors of 16: {answer}. A vanilla RNN has one such block, an LSTM four.",
          section="Against the alternatives, on the same cycles"),
    Value("vanishing", "A vanilla RNN whose recurrent matrix W_hh has largest singular value 0.8: at most what "
          "fraction of the last step's gradient is left 20 steps back?", _vanishing_bound,
          "Each step back multiplies by diag(1 − h²)·W_hh, at most σ_max in size, so 20 steps leave at most "
          "0.8²⁰ = {answer}; the tanh slopes make it smaller still.",
          section="Vanishing and exploding gradients, measured", tolerance=0.01),
    Pick("tbptt", "Truncated BPTT with chunks of k steps: what happens at the start of each chunk?",
         ("The hidden state is reset to zero", "The state carries over but is detached, so the gradient stops "
          "there", "The weights are re-initialized"), 1,
         "The network still remembers across chunks; only the gradient is cut, so it learns dependencies at most "
         "k steps long.", section="Training choices: how far back the gradient goes"),
    Pick("bidirectional", "Can a bidirectional layer run in the drive's control loop, one sample at a time?",
         ("Yes, like any recurrent layer", "No: its estimate at step t uses samples after t",
          "Only with a smaller hidden state"), 1,
         "The backward pass starts from the end of the sequence, which a controller does not have yet; use it "
         "on finished logs only.", section="Bidirectional: an estimate that reads the future"),
)
