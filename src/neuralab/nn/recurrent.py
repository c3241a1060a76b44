"""Sequence models that share one interface: ``model(x) -> y`` with ``x (B, T, F)`` and ``y (B, T, O)``.

Every model is causal (``y[:, t]`` depends on ``x[:, :t + 1]`` only) unless built bidirectional,
so each can run on a live sensor stream. The registry :data:`ARCHS` maps the names used by the
page, the URL and the benchmarks to builders:

* ``rnn``, ``lstm``, ``gru``: torch's ``nn.RNN`` (tanh), ``nn.LSTM``, ``nn.GRU``, one layer, with a
  linear read-out of the hidden state at every step. A new sample costs one cell update, O(1).
* ``tcn``: a causal, dilated 1-D convolutional network (dilations 1, 2, 4, …): it sees a fixed
  receptive field of past samples and nothing before it.
* ``attention``: one causal self-attention layer over the last ``window`` samples, with learned
  positions; a new sample attends over the whole window, O(window).
* ``mlp``: a feedforward network on the last ``window`` samples, flattened: no state at all.

:func:`streaming_step` runs a recurrent model one sample at a time, as a controller would.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from neuralab.params import Choice

__all__ = ["ARCHS", "ARCH", "RECURRENT", "CELL", "Recurrent", "CausalConv", "WindowAttention", "WindowMLP", "build",
           "streaming_step", "spectral_radius", "rescale_recurrent"]

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
RECURRENT = tuple(CELLS)


class Recurrent(nn.Module):
    """One recurrent layer (``kind`` in ``rnn``, ``lstm``, ``gru``) and a linear head on every step."""

    def __init__(self, kind: str, inputs: int, hidden: int, outputs: int, bidirectional: bool = False) -> None:
        super().__init__()
        if kind not in CELLS:
            raise ValueError(f"kind must be one of {', '.join(CELLS)}; got {kind!r}.")
        self.kind = kind
        self.rnn = CELLS[kind](inputs, hidden, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), outputs)

    def forward(self, x: torch.Tensor, state: object = None) -> torch.Tensor:
        out, self.last_state = self.rnn(x, state)  # out (B, T, H·directions)
        return self.head(out)  # (B, T, O)

    def states(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, H·directions) the hidden state after every step."""
        return self.rnn(x)[0]


class CausalConv(nn.Module):
    """Causal dilated 1-D convolutions (kernel ``kernel``, dilation doubling per layer), ReLU, linear head."""

    def __init__(self, inputs: int, channels: int, outputs: int, layers: int = 4, kernel: int = 3) -> None:
        super().__init__()
        self.kernel, self.dilations = kernel, [2**i for i in range(layers)]
        self.convs = nn.ModuleList(
            nn.Conv1d(inputs if i == 0 else channels, channels, kernel, dilation=d)
            for i, d in enumerate(self.dilations))
        self.head = nn.Linear(channels, outputs)

    @property
    def receptive_field(self) -> int:
        """How many samples (the current one included) one output sees."""
        return 1 + (self.kernel - 1) * sum(self.dilations)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.transpose(1, 2)  # (B, F, T)
        for conv, d in zip(self.convs, self.dilations, strict=True):
            h = F.relu(conv(F.pad(h, ((self.kernel - 1) * d, 0))))  # left padding only: causal
        return self.head(h.transpose(1, 2))  # (B, T, O)


class WindowAttention(nn.Module):
    """One causal self-attention block over the last ``window`` steps (learned positions, pre-norm, MLP)."""

    def __init__(self, inputs: int, width: int, outputs: int, window: int = 32, heads: int = 2) -> None:
        super().__init__()
        self.window = window
        self.embed = nn.Linear(inputs, width)
        self.pos = nn.Parameter(torch.zeros(window, width))
        nn.init.normal_(self.pos, std=0.02)
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.ff = nn.Sequential(nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, width))
        self.head = nn.Linear(width, outputs)

    def _mask(self, T: int) -> torch.Tensor:
        i = torch.arange(T)
        return (i[None, :] > i[:, None]) | (i[:, None] - i[None, :] >= self.window)  # True: may not attend

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        pos = self.pos[(torch.arange(T) % self.window)]  # (T, W): position within the window, cyclic
        h = self.embed(x) + pos
        a = self.norm1(h)
        h = h + self.attn(a, a, a, attn_mask=self._mask(T), need_weights=False)[0]
        h = h + self.ff(self.norm2(h))
        return self.head(h)  # (B, T, O)


class WindowMLP(nn.Module):
    """A feedforward network on the last ``window`` samples (zeros before the start): no memory beyond it."""

    def __init__(self, inputs: int, hidden: int, outputs: int, window: int = 4) -> None:
        super().__init__()
        self.window = window
        self.net = nn.Sequential(nn.Linear(inputs * window, hidden), nn.Tanh(), nn.Linear(hidden, outputs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        padded = F.pad(x, (0, 0, self.window - 1, 0))  # (B, T + w − 1, F)
        win = padded.unfold(1, self.window, 1)  # (B, T, F, w)
        return self.net(win.flatten(2))  # (B, T, O)


@dataclass(frozen=True)
class Arch:
    label: str
    make: Callable[[int, int, int], nn.Module]  # (inputs, width, outputs) -> model


ARCHS: dict[str, Arch] = {
    "rnn": Arch("Vanilla RNN (tanh)", lambda i, w, o: Recurrent("rnn", i, w, o)),
    "lstm": Arch("LSTM", lambda i, w, o: Recurrent("lstm", i, w, o)),
    "gru": Arch("GRU", lambda i, w, o: Recurrent("gru", i, w, o)),
    "tcn": Arch("Causal dilated CNN", lambda i, w, o: CausalConv(i, w, o)),
    "attention": Arch("Self-attention (window 32)", lambda i, w, o: WindowAttention(i, w, o)),
    "mlp": Arch("Feedforward on 4 samples", lambda i, w, o: WindowMLP(i, w, o)),
}
ARCH = Choice(tuple((k, a.label) for k, a in ARCHS.items()), default="gru", label="Network",
              help="Which of the six trained networks estimates the cycle; all were trained on the same split.")
CELL = Choice(tuple((k, ARCHS[k].label) for k in RECURRENT), default="gru", label="Cell")


def build(arch: str, inputs: int, width: int, outputs: int = 1, seed: int = 0) -> nn.Module:
    """Model ``arch`` (a key of :data:`ARCHS`) with ``width`` hidden units or channels, weights from ``seed``."""
    if arch not in ARCHS:
        raise ValueError(f"arch must be one of {', '.join(ARCHS)}; got {arch!r}.")
    if width < 1:
        raise ValueError(f"width must be at least 1; got {width}.")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return ARCHS[arch].make(inputs, width, outputs)


@torch.no_grad()
def streaming_step(model: Recurrent, x_t: torch.Tensor, state: object = None) -> tuple[torch.Tensor, object]:
    """One new sample ``x_t (B, F)`` through ``model``: ``(y_t (B, O), new state)``. O(1) work per sample."""
    out, state = model.rnn(x_t[:, None, :], state)
    return model.head(out[:, 0]), state


def spectral_radius(w: torch.Tensor) -> float:
    """The largest absolute eigenvalue of a square matrix (e.g. a vanilla RNN's ``W_hh``)."""
    return float(torch.linalg.eigvals(w.detach().double()).abs().max())


def rescale_recurrent(model: Recurrent, radius: float) -> None:
    """Scale a vanilla RNN's ``W_hh`` in place so its spectral radius is ``radius``."""
    w = model.rnn.weight_hh_l0
    r = spectral_radius(w)
    if not math.isfinite(radius) or radius <= 0:
        raise ValueError(f"radius must be a positive number; got {radius}.")
    with torch.no_grad():
        w.mul_(radius / max(r, 1e-12))
