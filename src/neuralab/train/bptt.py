"""How much gradient reaches each step back in time: ‖∂L/∂h_t‖ from autograd, for any torch RNN, LSTM or GRU.

torch's fused ``nn.RNN``/``nn.LSTM``/``nn.GRU`` hide the hidden states between steps, so
:func:`hidden_gradients` replays the layer with torch's own cells (``nn.RNNCell``,
``nn.LSTMCell``, ``nn.GRUCell``) that share its weight tensors, one step at a time, keeps the
gradient of every ``h_t``, and backpropagates the loss once. The replay is checked against the
fused layer's output in the tests.

Backpropagation through time multiplies the gradient by the step's Jacobian ``∂h_t/∂h_{t−1}``
once per step back. For a vanilla RNN that is ``diag(1 − h_t²) · W_hh``. The tanh slopes
``1 − h_t²`` are at most 1, so with the largest singular value of ``W_hh`` below 1 the gradient
is sure to shrink geometrically; the spectral radius describes the linear part alone (below 1 it
decays there, above 1 it grows), and saturation can shrink the growth: vanishing and exploding
gradients, measured rather than assumed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

__all__ = ["cell_of", "hidden_gradients", "replay"]

_CELLS = {nn.RNN: nn.RNNCell, nn.LSTM: nn.LSTMCell, nn.GRU: nn.GRUCell}


def cell_of(layer: nn.RNN | nn.LSTM | nn.GRU) -> nn.RNNCell | nn.LSTMCell | nn.GRUCell:
    """A torch cell whose weights **are** the first layer's (the same tensors, so gradients reach them)."""
    kind = type(layer)
    if kind not in _CELLS:
        raise TypeError(f"layer must be torch's nn.RNN, nn.LSTM or nn.GRU; got {kind.__name__}.")
    if layer.num_layers != 1 or layer.bidirectional or not layer.batch_first:
        raise ValueError("layer: hidden_gradients reads a single-layer, one-directional, batch_first layer.")
    extra = {"nonlinearity": layer.nonlinearity} if kind is nn.RNN else {}
    cell = _CELLS[kind](layer.input_size, layer.hidden_size, bias=layer.bias, **extra)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        if hasattr(cell, name) and getattr(cell, name) is not None:
            setattr(cell, name, getattr(layer, f"{name}_l0"))  # share, do not copy
    return cell


def replay(layer: nn.RNN | nn.LSTM | nn.GRU, x: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Run ``layer`` over ``x (B, T, F)`` step by step: the hidden states ``h_t`` and (LSTM) cell states ``c_t``."""
    cell = cell_of(layer)
    B = x.shape[0]
    h = x.new_zeros(B, layer.hidden_size)
    c = x.new_zeros(B, layer.hidden_size)
    hs, cs = [], []
    for t in range(x.shape[1]):
        if isinstance(cell, nn.LSTMCell):
            h, c = cell(x[:, t], (h, c))
            cs.append(c)
        else:
            h = cell(x[:, t], h)
        hs.append(h)
    return hs, cs


def hidden_gradients(layer: nn.RNN | nn.LSTM | nn.GRU, x: torch.Tensor,
                     loss: Callable[[torch.Tensor], torch.Tensor] | None = None) -> np.ndarray:
    """``g[k] = ‖∂L/∂h_{T−1−k}‖``: the gradient norm at ``k`` steps back from the last one.

    Args:
        layer: a single-layer torch ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` with ``batch_first=True``.
        x: ``(B, T, F)`` input sequences.
        loss: a function of the last hidden state ``h_{T−1} (B, H)`` (default: half its squared
            norm summed over the batch, a loss that depends on the last step alone).

    Returns:
        ``(T,)`` the median over the batch of each sequence's gradient norm; entry 0 is the last step.
    """
    x = torch.as_tensor(x)
    with torch.enable_grad():
        hs, _ = replay(layer, x)
        for h in hs:
            h.retain_grad()
        last = hs[-1]
        value = loss(last) if loss else 0.5 * (last**2).sum()
        value.backward()
    norms = torch.stack([h.grad.norm(dim=1) if h.grad is not None else torch.zeros(x.shape[0]) for h in hs])
    return norms.median(dim=1).values.flip(0).detach().numpy()  # (T,), k steps back
