"""The gates of a trained LSTM and GRU, step by step, from torch's own gate equations.

torch's fused ``nn.LSTM`` and ``nn.GRU`` return only the hidden states; the gate values are
computed inside and thrown away. :func:`lstm_gates` and :func:`gru_gates` recompute them from the
layer's weights with the equations of torch's documentation, one step at a time, and the tests
check that the hidden states rebuilt from these gates equal the fused layer's output.

LSTM (``weight_ih_l0`` stacks the rows of the input, forget, cell and output gates, in that order)::

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)     input gate: how much of the candidate to write
    f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)     forget gate: how much of c_{t−1} to keep
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)  candidate content
    o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)     output gate: how much of the cell to show
    c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(c_t)

GRU (rows in the order reset, update, new)::

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)     reset gate
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)     update gate: z = 1 keeps h_{t−1} unchanged
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}

The trap in the GRU: torch's update gate ``z`` is the share of the *old* state that is kept (some
texts write ``z`` for the share of the new one), and the reset gate multiplies ``W_hn h + b_hn``
after the matrix product, not ``h`` before it (ONNX calls this ``linear_before_reset=1``).

A unit whose forget gate (LSTM) or update gate (GRU) stays near 1 carries its state over many
steps: a gate value ``a`` held constant halves the old content after ``ln 2 / −ln a`` steps,
:func:`half_life`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

__all__ = ["GruGates", "LstmGates", "gru_gates", "half_life", "lstm_gates"]


@dataclass(frozen=True)
class LstmGates:
    """One sequence through an LSTM layer: every gate and state at every step, ``(T, H)`` float32."""

    i: np.ndarray  # input gate
    f: np.ndarray  # forget gate
    g: np.ndarray  # candidate content (tanh)
    o: np.ndarray  # output gate
    c: np.ndarray  # cell state after the step
    h: np.ndarray  # hidden state after the step


@dataclass(frozen=True)
class GruGates:
    """One sequence through a GRU layer: every gate and state at every step, ``(T, H)`` float32."""

    r: np.ndarray  # reset gate
    z: np.ndarray  # update gate (share of h_{t−1} kept)
    n: np.ndarray  # candidate state (tanh)
    h: np.ndarray  # hidden state after the step


def _check(layer: nn.Module, kind: type, x: torch.Tensor) -> torch.Tensor:
    if not isinstance(layer, kind):
        raise TypeError(f"layer must be torch's nn.{kind.__name__}; got {type(layer).__name__}.")
    if layer.num_layers != 1 or layer.bidirectional or not layer.bias or getattr(layer, "proj_size", 0):
        raise ValueError("layer: the gates are read from a single-layer, one-directional layer with biases.")
    x = torch.as_tensor(x, dtype=layer.weight_ih_l0.dtype)
    if x.ndim != 2 or x.shape[1] != layer.input_size:
        raise ValueError(f"x must be (steps, {layer.input_size}); got {tuple(x.shape)}.")
    return x


@torch.no_grad()
def lstm_gates(layer: nn.LSTM, x: np.ndarray | torch.Tensor) -> LstmGates:
    """The gates of ``layer`` over one sequence ``x (T, F)``, starting from zero state (as torch does)."""
    x = _check(layer, nn.LSTM, x)
    H = layer.hidden_size
    pre_x = x @ layer.weight_ih_l0.T + layer.bias_ih_l0  # (T, 4H): the input's share of every gate, all steps
    h = x.new_zeros(H)
    c = x.new_zeros(H)
    out = {k: [] for k in "ifgoch"}
    for t in range(x.shape[0]):
        a = pre_x[t] + layer.weight_hh_l0 @ h + layer.bias_hh_l0  # (4H,) rows i, f, g, o
        i, f, o = torch.sigmoid(a[:H]), torch.sigmoid(a[H:2 * H]), torch.sigmoid(a[3 * H:])
        g = torch.tanh(a[2 * H:3 * H])
        c = f * c + i * g
        h = o * torch.tanh(c)
        for k, v in zip("ifgoch", (i, f, g, o, c, h), strict=True):
            out[k].append(v)
    return LstmGates(**{k: torch.stack(v).numpy() for k, v in out.items()})


@torch.no_grad()
def gru_gates(layer: nn.GRU, x: np.ndarray | torch.Tensor) -> GruGates:
    """The gates of ``layer`` over one sequence ``x (T, F)``, starting from zero state (as torch does)."""
    x = _check(layer, nn.GRU, x)
    H = layer.hidden_size
    pre_x = x @ layer.weight_ih_l0.T + layer.bias_ih_l0  # (T, 3H) rows r, z, n
    h = x.new_zeros(H)
    out = {k: [] for k in "rznh"}
    for t in range(x.shape[0]):
        a_h = layer.weight_hh_l0 @ h + layer.bias_hh_l0  # (3H,)
        r = torch.sigmoid(pre_x[t, :H] + a_h[:H])
        z = torch.sigmoid(pre_x[t, H:2 * H] + a_h[H:2 * H])
        n = torch.tanh(pre_x[t, 2 * H:] + r * a_h[2 * H:])
        h = (1 - z) * n + z * h
        for k, v in zip("rznh", (r, z, n, h), strict=True):
            out[k].append(v)
    return GruGates(**{k: torch.stack(v).numpy() for k, v in out.items()})


def half_life(gate: np.ndarray) -> np.ndarray:
    """Steps until a state multiplied by ``gate`` each step halves: ``ln 2 / −ln gate`` (inf at gate 1)."""
    g = np.clip(np.asarray(gate, dtype=np.float64), 1e-12, 1.0)
    with np.errstate(divide="ignore"):
        return np.log(2.0) / -np.log(g)
