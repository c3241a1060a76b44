"""Deep plain and residual MLPs that differ in one term, and what a gradient sees in them layer by layer.

Both networks stack ``depth`` blocks of one square ``Linear`` layer each, in the pre-activation order of
He et al.'s second ResNet paper. Block ``l`` maps the stream ``h`` to::

    plain:     h ← W_l · relu(N_l(h)) + b_l
    residual:  h ← h + W_l · relu(N_l(h)) + b_l

with ``N_l`` no normalization, ``BatchNorm1d`` or ``LayerNorm``. The read-out is ``Linear(relu(N(h)))``.
The weights start at ``scale`` times He's standard deviation ``sqrt(2 / fan_in)`` (``kaiming_normal_``
then a multiplication), the biases at zero; ``scale = 1`` is He.

Why depth hurts the plain one (no normalization, ReLU): a block multiplies the stream's variance by
``fan_in · Var(w) · E[relu(h)²] / Var(h) = scale²`` (ReLU keeps half the power, He's 2 puts it back), so
after ``L`` blocks the forward signal has moved by ``scale^L`` and, by the same count on the way back,
so has the gradient with respect to the stream: ``L · log10(scale)`` decades. ``scale = 0.5`` over 20 layers
is six decades. The gradient of a block's *weights* is the backward signal at its output times the forward
activation at its input, which drift in opposite directions: every block's weight gradient is about
``scale^L`` times its He value, level across blocks. Even at ``scale = 1`` the product of ``L`` random
matrices has a spread that grows with ``L / width``, the streams of different inputs collapse onto one
direction (their mean cosine tends to 1), and the loss surface of a deep plain stack is rough: it trains
slowly or not at all.

Why the residual one is different: the Jacobian of a block is ``I + ∂F/∂h``, so the gradient at the
first layer is the gradient at the last plus terms, never only a product of ``L`` factors. Its trap is
the forward pass: without normalization a block adds an independent branch of variance ``scale² · Var(h)``,
so the variance grows by ``1 + scale²`` per block, ``2^50`` for fifty He-initialized blocks. Deep ResNets
therefore normalize inside the branch or start the branch small (Fixup, SkipInit, torchvision's
``zero_init_residual``): the ``scale`` control does the latter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from neuralab.checks import fail
from neuralab.nn.models import NORMS

__all__ = ["DeepMLP", "Probe", "decades", "mean_cosine", "probe", "variance_factor"]


def _norm(kind: str, width: int) -> nn.Module:
    return {"none": nn.Identity, "batch": nn.BatchNorm1d, "layer": nn.LayerNorm}[kind](width)


def _linear(n_in: int, n_out: int, g: torch.Generator) -> nn.Linear:
    """``nn.Linear(n_in, n_out)`` with torch's default initialization drawn from ``g`` (``reset_parameters``)."""
    lin = torch.nn.utils.skip_init(nn.Linear, n_in, n_out)
    with torch.no_grad():
        nn.init.kaiming_uniform_(lin.weight, a=math.sqrt(5), generator=g)
        bound = 1 / math.sqrt(n_in)
        nn.init.uniform_(lin.bias, -bound, bound, generator=g)
    return lin


class DeepMLP(nn.Module):
    """``depth`` square blocks, plain or residual (the module docstring gives the formulas)."""

    def __init__(self, depth: int, residual: bool, norm: str = "none", scale: float = 1.0, width: int = 64,
                 n_in: int = 64, n_out: int = 10, seed: int = 0):
        super().__init__()
        if not 1 <= depth <= 200:
            raise fail(f"depth must be between 1 and 200 blocks; got {depth!r}.")
        if norm not in NORMS:
            raise fail(f"norm must be one of {', '.join(NORMS)}; got {norm!r}.")
        if not (math.isfinite(scale) and scale > 0):
            raise fail(f"scale must be a positive number; got {scale!r}.")
        self.depth, self.residual, self.norm, self.scale = depth, residual, norm, scale
        # Every weight is drawn from a generator of its own, never torch's global one: another thread drawing
        # from that (a self-check answer, a request) while this network is built would change its weights. The
        # draws are those of torch.manual_seed(seed) followed by torch's own layer initialization, in order.
        g = torch.Generator().manual_seed(int(seed))
        # the pixels enter the stream directly when they fit it (64 pixels, width 64), else through a projection
        self.stem = nn.Identity() if n_in == width else _linear(n_in, width, g)
        self.blocks = nn.ModuleList(_linear(width, width, g) for _ in range(depth))
        self.norms = nn.ModuleList(_norm(norm, width) for _ in range(depth + 1))  # one more for the read-out
        self.head = _linear(width, n_out, g)
        with torch.no_grad():
            for lin in self.blocks:
                nn.init.kaiming_normal_(lin.weight, nonlinearity="relu", generator=g)  # std sqrt(2 / fan_in)
                lin.weight.mul_(scale)
                nn.init.zeros_(lin.bias)

    def stream(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The stream after each block, ``[h_1, ..., h_depth]``, each (batch, width)."""
        return self.through(self.stem(x))

    def through(self, h: torch.Tensor) -> list[torch.Tensor]:
        """The blocks applied to a stream ``h_0`` (batch, width): ``[h_1, ..., h_depth]``."""
        out = []
        for lin, norm in zip(self.blocks, self.norms, strict=False):
            branch = lin(torch.relu(norm(h)))  # (batch, width)
            h = h + branch if self.residual else branch
            out.append(h)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stream(x)[-1]
        return self.head(torch.relu(self.norms[-1](h)))  # (batch, n_out) logits


def variance_factor(residual: bool, scale: float) -> float:
    """By how much one block multiplies the stream's variance at initialization (no normalization, ReLU).

    Plain: ``scale²``. Residual: ``1 + scale²`` (the stream plus an independent branch of ``scale²`` times its
    variance). Both assume a stream symmetric about zero, so that ReLU keeps half its power.
    """
    if not (math.isfinite(scale) and scale > 0):
        raise fail(f"scale must be a positive number; got {scale!r}.")
    return 1.0 + scale**2 if residual else scale**2


def decades(residual: bool, scale: float, depth: int) -> float:
    """log10 of the predicted std ratio after ``depth`` blocks: ``depth · log10(variance factor) / 2``."""
    return depth * math.log10(variance_factor(residual, scale)) / 2


@dataclass(frozen=True)
class Probe:
    """One look at a network: the loss, the gradient of each block's weights and of its input, the stream.

    ``grad_norm`` is what the optimizer receives. It is the product of two signals: ∂L/∂W_l is the backward signal
    arriving at block l's output times the forward activation relu(N(h_(l-1))) entering its weights, so it can stay
    level across blocks while each of the two drifts in opposite directions. ``signal_grad`` is the backward signal
    alone, the gradient with respect to each block's input. ``cosine`` is how alike the samples' streams are.
    """

    loss: float  # mean cross-entropy over the probe's samples (nan when the forward pass overflowed)
    grad_norm: np.ndarray  # (depth,) Frobenius norm of dLoss/dW_l, block 1 first (nan where not finite)
    act_std: np.ndarray  # (depth,) std of the stream h_l over samples and units
    input_std: float  # std of the input batch
    signal_grad: np.ndarray  # (depth,) Frobenius norm of dLoss/dh_(l-1), the gradient at block l's input
    cosine: np.ndarray  # (depth,) mean cosine between two different samples' streams h_l
    input_cosine: float  # the same for the input batch


def mean_cosine(h: torch.Tensor) -> float:
    """The mean cosine similarity between the rows of ``h`` (batch, width) over all pairs of different rows.

    With unit rows ``u_i``: ``(‖Σ u_i‖² − n) / (n (n − 1))``, exact and linear in the batch. A zero row counts as
    cosine 0 with everything.
    """
    n = h.shape[0]
    if n < 2:
        return math.nan
    h = h.double()
    norm = h.norm(dim=1, keepdim=True)
    u = torch.where(norm > 0, h / norm.clamp_min(1e-300), torch.zeros_like(h))
    return float((u.sum(0).pow(2).sum() - (norm > 0).sum()) / (n * (n - 1)))


def _tensor(a: np.ndarray | torch.Tensor) -> torch.Tensor:
    """A copy as a tensor (the lab's arrays are read-only, which torch warns about)."""
    return a.detach().clone() if isinstance(a, torch.Tensor) else torch.tensor(np.array(a))


def probe(model: DeepMLP, X: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor) -> Probe:
    """The gradient of the mean cross-entropy over ``X, y`` with respect to every block's weights.

    Runs in training mode (batch norm uses the statistics of ``X``, as during training), then puts the
    batch-norm running averages back as they were and leaves every ``.grad`` untouched: probing a network
    during training changes nothing about its training.
    """
    dtype = next(model.parameters()).dtype  # float32, or float64 for a gradient check
    X, y = _tensor(X).to(dtype), _tensor(y).long()
    kept = {k: v.clone() for k, v in model.named_buffers()}
    was = model.training
    model.train()
    try:
        h0 = model.stem(X).detach().requires_grad_(True)  # the stream entering block 1
        hs = model.through(h0)
        logits = model.head(torch.relu(model.norms[-1](hs[-1])))
        loss = F.cross_entropy(logits, y)
        weights = [lin.weight for lin in model.blocks]
        inputs = [h0, *hs[:-1]]  # block l reads h_(l-1)
        if torch.isfinite(loss):
            grads = torch.autograd.grad(loss, weights + inputs, allow_unused=True)
            got = np.array([float(g.norm()) if g is not None else 0.0 for g in grads])
            norms, signal = got[:len(weights)], got[len(weights):]
        else:
            norms, signal = np.full(len(weights), np.nan), np.full(len(weights), np.nan)
        with torch.no_grad():
            act = np.array([float(h.std()) for h in hs])
            cos = np.array([mean_cosine(h) if torch.isfinite(h).all() else math.nan for h in hs])
            cos0 = mean_cosine(h0)
    finally:
        with torch.no_grad():
            for k, v in model.named_buffers():
                v.copy_(kept[k])
        model.train(was)
    norms[~np.isfinite(norms)] = np.nan
    signal[~np.isfinite(signal)] = np.nan
    return Probe(float(loss.detach()), norms, act, float(X.std()), signal, cos, cos0)
