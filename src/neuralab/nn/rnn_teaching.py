"""Hand-written teaching code: a vanilla (tanh) RNN and backpropagation through time, in numpy.

The recurrence, for one sequence ``x_1 … x_T`` (each ``x_t`` a vector of F inputs)::

    a_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh      (H,)   pre-activation
    h_t = tanh(a_t)                                 (H,)   hidden state, h_0 = 0 unless given
    y_t = W_hy h_t + b_y                            (O,)   read-out

These are exactly torch's ``nn.RNN(nonlinearity="tanh")`` followed by ``nn.Linear`` on every step,
with the same names for the weights (``weight_ih_l0`` is ``W_xh``, ``weight_hh_l0`` is ``W_hh``,
``bias_ih_l0`` / ``bias_hh_l0`` are ``b_xh`` / ``b_hh``). The two biases always add, so one would
do; torch keeps both and so do we, which makes the check exact.

The three matrices are the same at every step: unrolling the loop over T steps makes a deep
feedforward network of T layers that all share one ``W_xh``, one ``W_hh`` and one ``W_hy``.
Backpropagation through that unrolled network is *backpropagation through time* (BPTT), and
because each weight is used T times, its gradient is the *sum* of T contributions.

Shapes follow torch with ``batch_first=True``: a batch ``x`` is ``(B, T, F)``, hidden states
``(B, T, H)``, outputs ``(B, T, O)``. Everything is float64. :func:`check` compares every value
with torch (``nn.RNN`` + ``nn.Linear`` + autograd) and returns the largest differences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

__all__ = ["WEIGHTS", "Net", "Forward", "BPTT", "Check", "forward", "mse", "bptt", "autograd", "check",
           "from_torch", "random_net"]

#: The six parameters, in the order BPTT finishes them, with their torch names.
WEIGHTS: tuple[tuple[str, str], ...] = (
    ("W_hy", "head.weight"), ("b_y", "head.bias"),
    ("W_xh", "rnn.weight_ih_l0"), ("b_xh", "rnn.bias_ih_l0"),
    ("W_hh", "rnn.weight_hh_l0"), ("b_hh", "rnn.bias_hh_l0"),
)


@dataclass(frozen=True)
class Net:
    """A vanilla RNN and its linear read-out, float64."""

    W_xh: np.ndarray  # (H, F) input -> hidden
    b_xh: np.ndarray  # (H,)
    W_hh: np.ndarray  # (H, H) hidden -> hidden: the loop
    b_hh: np.ndarray  # (H,)
    W_hy: np.ndarray  # (O, H) hidden -> output
    b_y: np.ndarray  # (O,)

    @property
    def hidden(self) -> int:
        return self.W_hh.shape[0]


@dataclass(frozen=True)
class Forward:
    """Every intermediate value of the forward pass over a batch of sequences."""

    a: np.ndarray  # (B, T, H) pre-activations
    h: np.ndarray  # (B, T, H) hidden states h_1 … h_T
    h0: np.ndarray  # (B, H) the state before the first step
    y: np.ndarray  # (B, T, O) outputs


@dataclass(frozen=True)
class BPTT:
    """The forward pass, the loss and every gradient, by hand."""

    forward: Forward
    loss: float
    grads: dict[str, np.ndarray]  # name in WEIGHTS -> array shaped like the weight
    dh: np.ndarray  # (B, T, H) ∂L/∂h_t: the gradient reaching each hidden state, all paths summed


@dataclass(frozen=True)
class Check:
    """Hand-written values next to torch's, as the largest absolute differences."""

    bp: BPTT
    last_only: bool
    hidden: float  # max |h_hand − h_torch|
    output: float  # max |y_hand − y_torch|
    loss: float  # |L_hand − L_torch|
    grads: dict[str, float]  # max |hand − autograd| per weight
    dh: float  # max |∂L/∂h_t hand − autograd|

    @property
    def worst(self) -> float:
        """The largest difference of all."""
        return max(self.hidden, self.output, self.loss, self.dh, *self.grads.values())


def forward(net: Net, x: np.ndarray, h0: np.ndarray | None = None) -> Forward:
    """Run the recurrence over ``x`` (B, T, F), one step after the other.

    The loop cannot be parallelised over time: ``h_t`` needs ``h_{t-1}``. That is the price of
    the fixed-size state, and what attention trades away.
    """
    B, T, _ = x.shape
    H = net.hidden
    h_prev = np.zeros((B, H)) if h0 is None else np.asarray(h0, dtype=np.float64)
    start = h_prev
    a = np.empty((B, T, H))
    h = np.empty((B, T, H))
    for t in range(T):
        a[:, t] = x[:, t] @ net.W_xh.T + net.b_xh + h_prev @ net.W_hh.T + net.b_hh  # (B, H)
        h[:, t] = np.tanh(a[:, t])  # (B, H)
        h_prev = h[:, t]
    y = h @ net.W_hy.T + net.b_y  # (B, T, O): the read-out needs no loop
    return Forward(a, h, start, y)


def mse(y: np.ndarray, target: np.ndarray, last_only: bool = False) -> float:
    """Mean squared error over every step (``last_only=False``) or over the last step only.

    The mean runs over every element compared, as torch's ``mse_loss``: B·T·O of them on every
    step, B·O on the last step.
    """
    if last_only:
        return float(np.mean((y[:, -1] - target[:, -1]) ** 2))
    return float(np.mean((y - target) ** 2))


def bptt(net: Net, x: np.ndarray, target: np.ndarray, last_only: bool = False,
         h0: np.ndarray | None = None) -> BPTT:
    """Backpropagation through time by hand, for the MSE loss of :func:`mse`.

    Walk the unrolled network from the last step back to the first:

    * ``∂L/∂y_t = 2 (y_t − target_t) / N`` (N elements in the mean; zero for t < T with ``last_only``).
    * ``∂L/∂W_hy = Σ_t (∂L/∂y_t)ᵀ h_t`` and ``∂L/∂b_y = Σ_t ∂L/∂y_t``.
    * ``∂L/∂h_t = ∂L/∂y_t · W_hy + ∂L/∂a_{t+1} · W_hh``: the state gets blame from its own output
      and from everything later, through the next step's pre-activation.
    * ``∂L/∂a_t = ∂L/∂h_t ⊙ (1 − h_t²)``: tanh's slope, at most 1, small where the unit saturates.
    * ``∂L/∂W_xh = Σ_t (∂L/∂a_t)ᵀ x_t``, ``∂L/∂W_hh = Σ_t (∂L/∂a_t)ᵀ h_{t−1}``,
      ``∂L/∂b_xh = ∂L/∂b_hh = Σ_t ∂L/∂a_t``: one matrix, so its T contributions add up.

    Where the product of Jacobians appears: unrolling the second and third lines, the blame that the
    loss at step t sends to an earlier state h_k is ``∂L/∂h_t · J_t J_{t−1} … J_{k+1}`` with
    ``J_s = ∂h_s/∂h_{s−1} = diag(1 − h_s²) W_hh``. That is t − k factors of the same W_hh, each shrunk
    by tanh's slope: if W_hh's spectral radius is below 1 the product dies geometrically with the
    distance, and well above 1 it can grow just as fast. The loop below never forms the product; it
    multiplies the running ``∂L/∂a_{t+1}`` by ``W_hh`` once per step, which is the same thing.
    """
    f = forward(net, x, h0)
    B, T, H = f.h.shape
    if last_only:
        dy = np.zeros_like(f.y)
        dy[:, -1] = 2 * (f.y[:, -1] - target[:, -1]) / (B * f.y.shape[2])  # (B, O)
    else:
        dy = 2 * (f.y - target) / f.y.size  # (B, T, O)
    g = {k: np.zeros_like(getattr(net, k)) for k, _ in WEIGHTS}
    g["W_hy"] = np.einsum("bto,bth->oh", dy, f.h)  # (O, H)
    g["b_y"] = dy.sum(axis=(0, 1))  # (O,)
    dh = np.zeros((B, T, H))
    da_next = np.zeros((B, H))  # ∂L/∂a_{T+1} = 0: nothing after the last step
    for t in range(T - 1, -1, -1):
        dh[:, t] = dy[:, t] @ net.W_hy + da_next @ net.W_hh  # (B, H): own output + the future, through W_hh
        da = dh[:, t] * (1 - f.h[:, t] ** 2)  # (B, H): through tanh
        h_prev = f.h[:, t - 1] if t > 0 else f.h0  # (B, H)
        g["W_xh"] += da.T @ x[:, t]  # (H, F)
        g["W_hh"] += da.T @ h_prev  # (H, H)
        g["b_xh"] += da.sum(axis=0)
        g["b_hh"] += da.sum(axis=0)
        da_next = da
    return BPTT(f, mse(f.y, target, last_only), g, dh)


def _torch_modules(net: Net) -> tuple[nn.RNN, nn.Linear]:
    H, Fi = net.W_xh.shape
    rnn = nn.RNN(Fi, H, batch_first=True, nonlinearity="tanh").double()
    head = nn.Linear(H, net.W_hy.shape[0]).double()
    with torch.no_grad():
        for name, value in (("weight_ih_l0", net.W_xh), ("bias_ih_l0", net.b_xh),
                            ("weight_hh_l0", net.W_hh), ("bias_hh_l0", net.b_hh)):
            getattr(rnn, name).copy_(torch.from_numpy(np.asarray(value, dtype=np.float64)))
        head.weight.copy_(torch.from_numpy(np.asarray(net.W_hy, dtype=np.float64)))
        head.bias.copy_(torch.from_numpy(np.asarray(net.b_y, dtype=np.float64)))
    return rnn, head


def autograd(net: Net, x: np.ndarray, target: np.ndarray, last_only: bool = False,
             h0: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The same numbers from torch: ``nn.RNN`` + ``nn.Linear`` in float64, gradients by autograd.

    Returns ``h``, ``y``, ``loss``, ``dh`` (∂L/∂h_t, every path summed) and the six weight gradients
    under their names here.
    """
    rnn, head = _torch_modules(net)
    xt = torch.from_numpy(np.asarray(x, dtype=np.float64))
    state = None if h0 is None else torch.from_numpy(np.asarray(h0, dtype=np.float64))[None]
    h, _ = rnn(xt, state)  # (B, T, H)
    h.retain_grad()
    y = head(h)  # (B, T, O)
    tt = torch.from_numpy(np.asarray(target, dtype=np.float64))
    loss = nn.functional.mse_loss(y[:, -1], tt[:, -1]) if last_only else nn.functional.mse_loss(y, tt)
    loss.backward()
    params = {"W_xh": rnn.weight_ih_l0, "b_xh": rnn.bias_ih_l0, "W_hh": rnn.weight_hh_l0, "b_hh": rnn.bias_hh_l0,
              "W_hy": head.weight, "b_y": head.bias}
    out = {k: p.grad.numpy().copy() for k, p in params.items()}
    out |= {"h": h.detach().numpy().copy(), "y": y.detach().numpy().copy(), "loss": float(loss.detach()),
            "dh": _state_gradients(rnn, head, xt, tt, state, last_only)}
    return out


def _state_gradients(rnn: nn.RNN, head: nn.Linear, x: torch.Tensor, target: torch.Tensor,
                     state: torch.Tensor | None, last_only: bool) -> np.ndarray:
    """(B, T, H) total ∂L/∂h_t from autograd.

    The fused ``nn.RNN`` hides its per-step states from autograd (the ``h`` it returns is a copy
    read by the head only), so its ``h.grad`` holds the head's share alone. An ``nn.RNNCell``
    sharing the layer's weights, stepped once per sample, exposes every ``h_t`` as a graph node.
    """
    cell = nn.RNNCell(rnn.input_size, rnn.hidden_size, nonlinearity="tanh").double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(rnn, f"{name}_l0"))
    h = torch.zeros(x.shape[0], rnn.hidden_size, dtype=torch.float64) if state is None else state[0]
    hs = []
    for t in range(x.shape[1]):
        h = cell(x[:, t], h)  # (B, H)
        h.retain_grad()
        hs.append(h)
    y = head(torch.stack(hs, dim=1))  # (B, T, O)
    loss = nn.functional.mse_loss(y[:, -1], target[:, -1]) if last_only else nn.functional.mse_loss(y, target)
    loss.backward()
    return torch.stack([h.grad for h in hs], dim=1).numpy().copy()


def check(net: Net, x: np.ndarray, target: np.ndarray, last_only: bool = False,
          h0: np.ndarray | None = None) -> Check:
    """Hand forward pass and BPTT against torch, as the largest absolute differences."""
    x = np.asarray(x, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    bp = bptt(net, x, target, last_only, h0)
    ag = autograd(net, x, target, last_only, h0)

    def diff(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.max(np.abs(a - b)))

    return Check(bp, last_only, diff(bp.forward.h, ag["h"]), diff(bp.forward.y, ag["y"]), abs(bp.loss - ag["loss"]),
                 {k: diff(bp.grads[k], ag[k]) for k, _ in WEIGHTS}, diff(bp.dh, ag["dh"]))


def from_torch(model: nn.Module) -> Net:
    """The weights of a one-layer ``neuralab.nn.recurrent.Recurrent("rnn", …)`` (or any module with
    ``.rnn`` an ``nn.RNN`` and ``.head`` an ``nn.Linear``), copied as float64 arrays."""
    state = {k: v.detach().double().numpy().copy() for k, v in model.state_dict().items()}
    return Net(**{k: state[name] for k, name in WEIGHTS})


def random_net(inputs: int, hidden: int, outputs: int, seed: int = 0, scale: float = 0.5) -> Net:
    """Random weights (normal, ``scale / √fan_in``), for tests and experiments."""
    rng = np.random.default_rng(seed)

    def w(*shape: int) -> np.ndarray:
        return rng.normal(0.0, scale / np.sqrt(shape[-1]), shape)

    return Net(w(hidden, inputs), w(hidden) * 0.1, w(hidden, hidden), w(hidden) * 0.1, w(outputs, hidden), w(outputs))
