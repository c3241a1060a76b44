"""Uniform affine quantization: levels, round trip, schemes, PTQ (dynamic and static) and QAT.

A real number x is stored as an integer q on a grid of equally spaced levels::

    q = clamp(round(x / s) + z, qmin, qmax)        x̂ = s · (q − z)

``s`` (the scale, in the units of x per integer step) and ``z`` (the zero point, an
integer that stands for real 0) are chosen from the range the tensor spans. Inside the
representable range the error |x − x̂| is at most s/2; outside it the value is clipped
and the error grows without bound, which is why the range matters so much.

* **Symmetric**: z = 0 and the grid is [−(2^(b−1)−1), 2^(b−1)−1], i.e. 2^b − 1 levels
  (the "restricted" range TFLite and CMSIS-NN use for weights). Simple integer maths,
  but half the grid is wasted on a tensor that is never negative. With one bit the only
  symmetric level is 0.
* **Asymmetric**: z chosen so that [x_min, x_max] maps onto all 2^b levels
  [−2^(b−1), 2^(b−1)−1]. Better for post-ReLU activations (all ≥ 0).
* **Per tensor** vs **per channel**: one (s, z) for the whole weight tensor, or one per
  output channel (axis 0), so a channel of small weights is not rounded with the step a
  channel of large ones needs.

The range always includes 0 (x_min ≤ 0 ≤ x_max), as in PyTorch's observers, so that a
zero (padding, ReLU output) is stored exactly. Scales are float32, computed exactly as
``torch.ao.quantization.MinMaxObserver`` does; the tests check the two agree.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from neuralab.compress import zoo
from neuralab.params import Choice
from neuralab.train.loop import Config, fit

__all__ = [
    "GRANULARITY", "SCHEME", "QParams", "QuantLayer", "calc_qparams", "calibrate", "calibration_set", "dequantize",
    "fake_quant", "layers", "ptq_dynamic", "ptq_static", "qat", "qparams", "qrange", "quantize", "quantize_model",
    "round_trip",
]

EPS = float(np.finfo(np.float32).eps)  # smallest scale, as torch's observers use
QAT_LR = 1e-3  # fine-tuning learning rate: small, the weights start trained
CALIB_SEED = 0  # which training digits calibrate (a fixed shuffle, first n taken)

SCHEME = Choice((("symmetric", "Symmetric (z = 0)"), ("asymmetric", "Asymmetric (zero point)")),
                default="symmetric", label="Scheme")
GRANULARITY = Choice((("tensor", "Per tensor"), ("channel", "Per channel")), default="tensor",
                     label="One scale per")


# ----------------------------------------------------------------------------- the quantizer (numpy)


@dataclass(frozen=True)
class QParams:
    """Where the integer grid sits on the real line."""

    scale: np.ndarray  # float32 step s between neighbouring levels; shape () per tensor, (C,) per channel
    zero_point: np.ndarray  # int64 z, the integer that stands for real 0; same shape as scale
    qmin: int  # lowest integer
    qmax: int  # highest integer
    axis: int | None = None  # the channel axis, None per tensor

    @property
    def levels(self) -> int:
        """The number of distinct integers, qmax − qmin + 1."""
        return self.qmax - self.qmin + 1

    def _b(self, x: np.ndarray, a: np.ndarray) -> np.ndarray:
        """Broadcast a per-channel array along ``self.axis`` of ``x``."""
        if self.axis is None:
            return a
        shape = [1] * x.ndim
        shape[self.axis] = -1
        return a.reshape(shape)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The real range the grid covers: s·(qmin − z) .. s·(qmax − z)."""
        s, z = self.scale.astype(np.float64), self.zero_point
        return s * (self.qmin - z), s * (self.qmax - z)


def qrange(bits: int, symmetric: bool) -> tuple[int, int]:
    """(qmin, qmax) for ``bits``-bit signed integers; symmetric drops −2^(b−1) so that the grid is ±."""
    if not 1 <= bits <= 16:
        raise ValueError(f"bits must be between 1 and 16; got {bits}.")
    half = 2 ** (bits - 1)
    return (-(half - 1), half - 1) if symmetric else (-half, half - 1)


def calc_qparams(x_min: np.ndarray, x_max: np.ndarray, bits: int, symmetric: bool
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(scale, zero_point) covering [x_min, x_max], widened to include 0 (float32 maths, like torch).

    Symmetric: s = max(|x_min|, x_max) / ((qmax − qmin)/2), z = 0.
    Asymmetric: s = (x_max − x_min) / (qmax − qmin), z = qmin − round(x_min / s), clamped to the grid.
    """
    qmin, qmax = qrange(bits, symmetric)
    lo = np.minimum(np.asarray(x_min, np.float32), np.float32(0))
    hi = np.maximum(np.asarray(x_max, np.float32), np.float32(0))
    if symmetric:
        amax = np.maximum(-lo, hi)
        scale = amax / np.float32(max((qmax - qmin) / 2, 1))  # one bit: a single level (0); any scale will do
        zp = np.zeros(np.shape(scale), np.int64)
        scale = np.maximum(scale, np.float32(EPS))
    else:
        scale = np.maximum((hi - lo) / np.float32(qmax - qmin), np.float32(EPS))
        zp = np.clip(qmin - np.round(lo / scale), qmin, qmax).astype(np.int64)
    return np.asarray(scale, np.float32), np.asarray(zp, np.int64)


def qparams(x: np.ndarray, bits: int, symmetric: bool = True, per_channel: bool = False, axis: int = 0) -> QParams:
    """Scale and zero point for tensor ``x``: from its min and max, over all of it or per ``axis`` slice."""
    x = np.asarray(x, np.float32)
    if per_channel:
        flat = np.moveaxis(x, axis, 0).reshape(x.shape[axis], -1)
        s, z = calc_qparams(flat.min(1), flat.max(1), bits, symmetric)
        return QParams(s, z, *qrange(bits, symmetric), axis=axis)
    s, z = calc_qparams(x.min(), x.max(), bits, symmetric)
    return QParams(s, z, *qrange(bits, symmetric))


def quantize(x: np.ndarray, qp: QParams) -> np.ndarray:
    """The integers q = clamp(round(x / s) + z, qmin, qmax) (round half to even, as torch does)."""
    x = np.asarray(x, np.float32)
    q = np.round(x / qp._b(x, qp.scale)) + qp._b(x, qp.zero_point)
    return np.clip(q, qp.qmin, qp.qmax).astype(np.int64)


def dequantize(q: np.ndarray, qp: QParams) -> np.ndarray:
    """Back to reals: x̂ = s · (q − z)."""
    return (qp._b(q, qp.scale) * (q - qp._b(q, qp.zero_point))).astype(np.float32)


def round_trip(x: np.ndarray, qp: QParams) -> np.ndarray:
    """x̂ = dequantize(quantize(x)): what the network actually computes with."""
    return dequantize(quantize(x, qp), qp)


# ----------------------------------------------------------------------------- fake quantization (torch)


def fake_quant(x: torch.Tensor, scale: torch.Tensor, zero_point: torch.Tensor, qmin: int, qmax: int) -> torch.Tensor:
    """Round trip in the forward pass, straight-through gradient in the backward pass.

    Forward: x̂ = s·(clamp(round(x/s) + z, qmin, qmax) − z). ``round`` has zero gradient almost
    everywhere, so training through it would stall; the straight-through estimator (STE) passes
    the gradient on unchanged for x inside the grid's range and blocks it where x was clipped:
    ``xc + (x̂ − xc).detach()`` with ``xc`` the clipped x. This is what
    ``torch.fake_quantize_per_tensor_affine`` computes (the tests compare values and gradients).
    """
    lo, hi = (qmin - zero_point) * scale, (qmax - zero_point) * scale
    xc = torch.maximum(torch.minimum(x, hi), lo)
    q = torch.clamp(torch.round(x / scale) + zero_point, qmin, qmax)
    return xc + ((q - zero_point) * scale - xc).detach()


def _t(a: np.ndarray, ndim: int = 0) -> torch.Tensor:
    """A per-channel numpy array as a tensor broadcasting along axis 0 of an ``ndim`` tensor."""
    t = torch.from_numpy(np.asarray(a))
    return t.reshape(-1, *([1] * (ndim - 1))) if ndim and t.ndim else t


class QuantLayer(nn.Module):
    """A Linear or Conv2d computing with quantized weights and quantized inputs (simulated in float).

    ``act`` says where the input's range comes from:
    ``"dynamic"`` from each sample's own min and max, at run time (dynamic PTQ);
    ``"static"`` from a range fixed beforehand on calibration data (static PTQ);
    ``"qat"`` from a running average of batch ranges while training, then fixed (QAT).
    Activations are always asymmetric per tensor; weights follow ``symmetric``/``per_channel``.
    """

    def __init__(self, layer: nn.Module, bits: int, symmetric: bool, per_channel: bool, act: str,
                 act_range: tuple[float, float] = (0.0, 0.0), momentum: float = 0.1):
        super().__init__()
        if act not in ("dynamic", "static", "qat"):
            raise ValueError(f"act must be dynamic, static or qat; got {act!r}.")
        self.layer, self.bits, self.symmetric, self.per_channel, self.act = layer, bits, symmetric, per_channel, act
        self.momentum = momentum
        self.register_buffer("act_range", torch.tensor(act_range, dtype=torch.float32))  # (lo, hi) of the input

    def weight_qparams(self) -> QParams:
        return qparams(self.layer.weight.detach().numpy(), self.bits, self.symmetric, self.per_channel)

    def quant_weight(self) -> torch.Tensor:
        w = self.layer.weight
        qp = self.weight_qparams()
        return fake_quant(w, _t(qp.scale, w.ndim), _t(qp.zero_point, w.ndim), qp.qmin, qp.qmax)

    def quant_input(self, x: torch.Tensor) -> torch.Tensor:
        qmin, qmax = qrange(self.bits, False)
        if self.act == "dynamic":  # each sample's own range
            flat = x.detach().flatten(1).numpy()
            s, z = calc_qparams(flat.min(1), flat.max(1), self.bits, False)
            return fake_quant(x, _t(s, x.ndim), _t(z, x.ndim), qmin, qmax)
        if self.act == "qat" and self.training:  # follow the batch ranges
            lo, hi = x.detach().min(), x.detach().max()
            r = self.act_range
            self.act_range = torch.stack([r[0] + self.momentum * (lo - r[0]), r[1] + self.momentum * (hi - r[1])])
        s, z = calc_qparams(float(self.act_range[0]), float(self.act_range[1]), self.bits, False)
        return fake_quant(x, torch.from_numpy(s), torch.from_numpy(z), qmin, qmax)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x, w, layer = self.quant_input(x), self.quant_weight(), self.layer
        if isinstance(layer, nn.Conv2d):
            return F.conv2d(x, w, layer.bias, layer.stride, layer.padding, layer.dilation, layer.groups)
        return F.linear(x, w, layer.bias)


def layers(model: nn.Module) -> list[nn.Module]:
    """The weight layers (Linear, Conv2d) of ``model`` in order: the tensors that get quantized."""
    return [m for m in model.modules() if isinstance(m, nn.Linear | nn.Conv2d)]


def quantize_model(model: nn.Sequential, bits: int, symmetric: bool, per_channel: bool, act: str,
                   ranges: list[tuple[float, float]] | None = None) -> nn.Sequential:
    """A deep copy of ``model`` whose Linear/Conv2d layers are :class:`QuantLayer`; ``model`` is untouched."""
    q = copy.deepcopy(model)
    k = 0
    for i, m in enumerate(q):
        if isinstance(m, nn.Linear | nn.Conv2d):
            q[i] = QuantLayer(m, bits, symmetric, per_channel, act, ranges[k] if ranges else (0.0, 0.0))
            k += 1
    return q.eval()


def calibration_set(n: int, X: np.ndarray | None = None) -> np.ndarray:
    """The first ``n`` training rows of a fixed shuffle: the calibration samples (rows of ``X``, else the digits)."""
    X = zoo.data().X_train if X is None else X
    if not 1 <= n <= len(X):
        raise ValueError(f"calib must be between 1 and {len(X)} samples; got {n}.")
    return X[np.random.default_rng(CALIB_SEED).permutation(len(X))[:n]]


@torch.no_grad()
def calibrate(model: nn.Module, X: np.ndarray) -> list[tuple[float, float]]:
    """(min, max) of the input of every weight layer while the float model reads ``X``."""
    seen: list[tuple[float, float]] = []
    hooks = [m.register_forward_pre_hook(lambda _m, a: seen.append((float(a[0].min()), float(a[0].max()))))
             for m in layers(model)]
    try:
        model.eval()(torch.as_tensor(X))
    finally:
        for h in hooks:
            h.remove()
    return seen


def ptq_dynamic(model: nn.Sequential, bits: int, symmetric: bool = True, per_channel: bool = False) -> nn.Sequential:
    """Dynamic PTQ: weights quantized once; each input quantized with its own range as it arrives."""
    return quantize_model(model, bits, symmetric, per_channel, "dynamic")


def ptq_static(model: nn.Sequential, X_calib: np.ndarray, bits: int, symmetric: bool = True,
               per_channel: bool = False) -> nn.Sequential:
    """Static PTQ: activation ranges fixed from the calibration samples ``X_calib``; values outside are clipped."""
    return quantize_model(model, bits, symmetric, per_channel, "static", calibrate(model, X_calib))


def qat(model: nn.Sequential, X_calib: np.ndarray, bits: int, symmetric: bool = True, per_channel: bool = False,
        epochs: int = 2, seed: int = 0) -> nn.Sequential:
    """Quantization-aware training: start from static PTQ, fine-tune through fake quantization (STE)."""
    q = ptq_static(model, X_calib, bits, symmetric, per_channel)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for m in q.modules():
            if isinstance(m, QuantLayer):
                m.act = "qat"
        fit(q, zoo.data(), Config(epochs=epochs, lr=QAT_LR, seed=seed))
    return q.eval()

