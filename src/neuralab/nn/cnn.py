"""A small convolutional network for the 8×8 digits, and the arithmetic of a convolution written out.

A 2-D convolution layer with ``C_in`` input channels and ``C_out`` filters of ``k × k`` weights computes,
for output channel ``o`` at row ``i`` and column ``j`` (stride ``s``, dilation ``d``, the input zero-padded
by ``p`` on every side)::

    y[o, i, j] = b[o] + Σ_c Σ_u Σ_v  w[o, c, u, v] · x_pad[c, s·i + d·u, s·j + d·v]

torch computes exactly this sum (a cross-correlation: the kernel is not flipped). One filter is slid over
every position, so a layer has ``C_out · (C_in · k² + 1)`` parameters whatever the image size: weight sharing.

Output size along one axis (torch's ``Conv2d`` and ``MaxPool2d`` documentation)::

    n_out = ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1

Receptive field, the input pixels one output pixel depends on, along one axis: with ``j`` the distance in
input pixels between neighbouring outputs of a layer (the product of the strides so far)::

    r_0 = 1, j_0 = 1;   r_l = r_(l−1) + d_l·(k_l − 1)·j_(l−1),   j_l = j_(l−1)·s_l

The trap: ``p`` changes the output size, never the receptive field; and with a flatten and a dense layer at
the end the network is not translation invariant. Convolution is translation *equivariant* (shift the input,
the maps shift), and only the pooling adds a little tolerance to small shifts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from neuralab.params import ParamError

__all__ = ["PixelSum", "Work", "conv_pixel", "digits_cnn", "out_size", "receptive_field", "stages", "work"]


def digits_cnn(c1: int = 8, c2: int = 16, seed: int = 0) -> nn.Sequential:
    """Two 3×3 convolutions (``c1`` then ``c2`` filters, padding 1), a 2×2 max pool and a dense read-out.

    Reads the 64 pixels of an 8×8 digit and returns 10 logits. The weights are drawn from ``seed``.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(
            nn.Unflatten(1, (1, 8, 8)),  # (N, 64) -> (N, 1, 8, 8)
            nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(),  # (N, c1, 8, 8)
            nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(),  # (N, c2, 8, 8)
            nn.MaxPool2d(2),  # (N, c2, 4, 4)
            nn.Flatten(),  # (N, c2·16)
            nn.Linear(c2 * 16, 10),  # (N, 10)
        )


@torch.no_grad()
def stages(model: nn.Sequential, x: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Every intermediate result of ``model`` for one input ``x`` (64 pixels), named after its module.

    Returns ``[("Unflatten", (1, 8, 8)), ("Conv2d", (c1, 8, 8)), ("ReLU", ...), ..., ("Linear", (10,))]``:
    the feature maps layer by layer, as float64 arrays without the batch axis.
    """
    h = torch.tensor(np.asarray(x, dtype=np.float32)).reshape(1, -1)  # (1, 64)
    out = []
    for layer in model:
        h = layer(h)  # (1, C, H, W) for the image layers, (1, F) after Flatten
        out.append((type(layer).__name__, h[0].double().numpy()))
    return out


def out_size(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """Output length of a convolution or pooling along one axis: ``⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1``.

    May be zero or negative: the layer then has no valid position (torch raises an error).
    """
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def receptive_field(layers: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """``(r, j)`` after each layer ``(k, s, d)``: receptive field and jump (input pixels between outputs)."""
    r, j, out = 1, 1, []
    for k, s, d in layers:
        r, j = r + d * (k - 1) * j, j * s
        out.append((r, j))
    return out


@dataclass(frozen=True)
class Work:
    """What one input costs a network on a device: weights (flash), arithmetic and activations (RAM)."""

    params: int
    macs: int  # multiply-accumulates of one forward pass: the weights of Conv and Linear layers times their uses
    peak: int  # the largest input plus output of one layer: values a layer-by-layer runtime holds at once


_VIEWS = (nn.Flatten, nn.Unflatten, nn.Identity)  # reshapes: a runtime does not copy them
_IN_PLACE = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.Tanh, nn.Sigmoid, nn.GELU, nn.Dropout)  # run in place or fused


@torch.no_grad()
def work(model: nn.Module, inputs: int = 64) -> Work:
    """Count, with one forward pass of a zero input of ``inputs`` values, what ``model`` needs per input.

    A ``Conv1d``/``Conv2d`` costs ``C_out · C_in/groups · k … · (output positions)`` MACs, a ``Linear``
    ``in · out``; biases, activations and pooling are left out. ``peak`` is the largest ``numel(input) +
    numel(output)`` of one leaf module, in values, without the batch axis; reshapes and element-wise activations
    are skipped, since a runtime applies those in place (or fuses them into the layer before).
    """
    macs, peak, hooks = [0], [0], []

    def count(module: nn.Module, args: tuple, out: torch.Tensor) -> None:
        x = args[0]
        if isinstance(module, nn.Conv1d | nn.Conv2d):
            macs[0] += module.weight[0].numel() * out[0].numel()  # (C_in/groups · k…) per output value
        elif isinstance(module, nn.Linear):
            macs[0] += module.in_features * module.out_features
        if not isinstance(module, _VIEWS + _IN_PLACE):
            peak[0] = max(peak[0], x[0].numel() + out[0].numel())

    for m in model.modules():
        if not list(m.children()):
            hooks.append(m.register_forward_hook(count))
    try:
        model(torch.zeros(1, inputs))
    finally:
        for h in hooks:
            h.remove()
    return Work(sum(p.numel() for p in model.parameters()), macs[0], peak[0])


@dataclass(frozen=True)
class PixelSum:
    """One output pixel of a convolution, as the sum it is."""

    patch: np.ndarray  # (C_in, k, k) the padded input under the kernel
    kernel: np.ndarray  # (C_in, k, k) the filter's weights
    products: np.ndarray  # (C_in, k, k) patch × kernel, element by element
    bias: float
    value: float  # Σ products + bias, summed here in float64
    rows: tuple[int, int]  # first and last input row under the kernel (may lie in the padding: < 0 or ≥ H)
    cols: tuple[int, int]

    @property
    def per_channel(self) -> np.ndarray:
        """(C_in,) each input channel's share of the sum."""
        return self.products.sum(axis=(1, 2))


def conv_pixel(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, channel: int, row: int, col: int,
               stride: int = 1, padding: int = 0) -> PixelSum:
    """Output pixel ``(channel, row, col)`` of a convolution of ``x`` (C_in, H, W), summed by hand.

    ``weight`` is torch's layout (C_out, C_in, k, k); the dilation is 1. Nothing is flipped: this is the
    cross-correlation torch calls convolution.
    """
    x, weight, bias = (np.asarray(a, dtype=np.float64) for a in (x, weight, bias))
    c_out, c_in, k, _ = weight.shape
    if x.ndim != 3 or x.shape[0] != c_in:
        raise ParamError([f"x must have shape ({c_in}, H, W) for this kernel; got {x.shape}."])
    h_out, w_out = (out_size(n, k, stride, padding) for n in x.shape[1:])
    if not (0 <= channel < c_out and 0 <= row < h_out and 0 <= col < w_out):
        raise ParamError([f"the output pixel must lie in ({c_out}, {h_out}, {w_out}); got ({channel}, {row}, {col})."])
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))  # (C_in, H + 2p, W + 2p)
    r0, c0 = row * stride, col * stride  # top-left corner of the window in the padded input
    patch = xp[:, r0:r0 + k, c0:c0 + k]  # (C_in, k, k)
    kernel = weight[channel]  # (C_in, k, k)
    products = patch * kernel  # (C_in, k, k)
    value = float(products.sum() + bias[channel])
    return PixelSum(patch, kernel, products, float(bias[channel]), value,
                    (r0 - padding, r0 - padding + k - 1), (c0 - padding, c0 - padding + k - 1))
