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
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from neuralab.compress import zoo
from neuralab.params import Choice, Int, ParamSpec, Rule
from neuralab.progress import Progress
from neuralab.train.loop import Config, fit

__all__ = [
    "QUANT", "LAYER", "SWEEP", "QParams", "qrange", "calc_qparams", "qparams", "quantize", "dequantize",
    "round_trip", "fake_quant", "QuantLayer", "quantize_model", "calibrate", "ptq_dynamic", "ptq_static",
    "qat", "layers", "n_layers", "next_layer", "LayerView", "layer_view", "Sweep", "sweep", "TorchCheck", "torch_check",
]

EPS = float(np.finfo(np.float32).eps)  # smallest scale, as torch's observers use
BITS = tuple(range(1, 9))  # the bit widths the accuracy sweep measures
QAT_LR = 1e-3  # fine-tuning learning rate: small, the weights start trained
CALIB_SEED = 0  # which training digits calibrate (a fixed shuffle, first n taken)
HIST_BINS = 80  # bins of the weight histogram

SCHEME = Choice((("symmetric", "Symmetric (z = 0)"), ("asymmetric", "Asymmetric (zero point)")),
                default="symmetric", label="Scheme")
GRANULARITY = Choice((("tensor", "Per tensor"), ("channel", "Per channel")), default="tensor",
                     label="One scale per")


def n_layers(name: str) -> int:
    """How many weight layers (Linear, Conv2d) reference model ``name`` has (1 for an unknown name)."""
    return _N_LAYERS.get(name, 1)


def next_layer(name: str, layer: int) -> int:
    """The weight layer after ``layer`` of model ``name``, counted from 1 and wrapping to the first."""
    return layer % n_layers(name) + 1


_LAYER_RULE = Rule(("layer", "model"), lambda v: v["layer"] <= _N_LAYERS[v["model"]],
                   lambda v: f"layer must be at most {_N_LAYERS[v['model']]} for the {v['model']} model; "
                             f"got {v['layer']}.")

#: Controls of the one-layer view: which weights, how many bits, which scheme.
QUANT = ParamSpec(
    "quant",
    model=zoo.MODEL,
    layer=Int(1, 3, 1, label="Layer", help="Which weight tensor of the model, counted from the input."),
    bits=Int(1, 8, 4, label="Bits", help="Integer width b: 2^b levels (2^b − 1 symmetric)."),
    scheme=SCHEME,
    granularity=GRANULARITY,
    rules=[_LAYER_RULE],
)
LAYER = QUANT
#: Controls of the whole-network sweep (bits 1..8 are all measured).
SWEEP = ParamSpec(
    "quant_sweep",
    model=zoo.MODEL,
    scheme=SCHEME,
    granularity=GRANULARITY,
    calib=Int(1, 1000, 200, label="Calibration samples", unit="samples",
              help="Training digits run through the float model to fix each activation range."),
    qat_epochs=Int(1, 10, 2, label="QAT epochs", help="Passes of fake-quant fine-tuning per bit width."),
)


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


def calibration_set(n: int) -> np.ndarray:
    """The first ``n`` training digits of a fixed shuffle: the calibration samples."""
    X = zoo.data().X_train
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


# ----------------------------------------------------------------------------- one layer, up close


@dataclass(frozen=True)
class LayerView:
    """One trained weight tensor and its quantized round trip."""

    model: str  # zoo recipe name
    layer: int  # 1-based index among the weight layers
    shape: tuple[int, ...]  # weight tensor shape, output channels first
    weights: np.ndarray  # float32, flattened
    qp: QParams  # the grid (per channel: one scale per output channel)
    max_err: float  # max |w − ŵ| over the tensor
    rms_err: float  # sqrt(mean (w − ŵ)²)
    rms_weight: float  # sqrt(mean w²), to read the error against
    levels: np.ndarray  # the real values of the grid (per channel: of the widest channel), inside the data range
    level_channel: int  # the channel whose levels are drawn (0 per tensor)
    channel_rms: np.ndarray  # RMS error of each output channel with this granularity
    channel_rms_other: np.ndarray  # the same with the other granularity, for comparison
    used_levels: int  # distinct integers actually used
    counts: np.ndarray  # histogram of the weights: count per bin
    edges: np.ndarray  # the bins' edges (len(counts) + 1)
    bits: int
    scheme: str
    granularity: str

    def storage_bytes(self) -> int:
        """Bytes to store the tensor quantized: bits packed tightly, a float32 scale (and a zero point when
        asymmetric) per scale group."""
        groups = np.size(self.qp.scale)
        return int(np.ceil(len(self.weights) * self.bits / 8)) + groups * (4 + (self.scheme == "asymmetric"))


def _layer_errors(w: np.ndarray, bits: int, symmetric: bool, per_channel: bool
                  ) -> tuple[QParams, np.ndarray, np.ndarray]:
    qp = qparams(w, bits, symmetric, per_channel)
    q = quantize(w, qp)
    return qp, q, w - dequantize(q, qp)


def layer_view(model: str, layer: int, bits: int, scheme: str, granularity: str) -> LayerView:
    """Quantize one weight tensor of a reference model (validated with :data:`QUANT`)."""
    QUANT.validate(dict(model=model, layer=layer, bits=bits, scheme=scheme, granularity=granularity))
    return _layer_view(model, layer, bits, scheme, granularity)


@lru_cache(maxsize=16)
def _weights(model: str, layer: int) -> np.ndarray:
    return layers(zoo.load(model).model)[layer - 1].weight.detach().numpy().astype(np.float32)


@lru_cache(maxsize=16)
def _histogram(model: str, layer: int) -> tuple[np.ndarray, np.ndarray]:
    return np.histogram(_weights(model, layer), bins=HIST_BINS)


@lru_cache(maxsize=256)
def _layer_view(model: str, layer: int, bits: int, scheme: str, granularity: str) -> LayerView:
    w = _weights(model, layer)
    sym, per = scheme == "symmetric", granularity == "channel"
    qp, q, err = _layer_errors(w, bits, sym, per)
    _, _, err_other = _layer_errors(w, bits, sym, not per)
    by_channel = lambda e: np.sqrt((e.reshape(len(e), -1).astype(np.float64) ** 2).mean(1))  # noqa: E731
    ch = int(np.argmax(qp.scale)) if per else 0
    s, z = float(np.atleast_1d(qp.scale)[ch]), int(np.atleast_1d(qp.zero_point)[ch])
    grid = s * (np.arange(qp.qmin, qp.qmax + 1) - z)
    return LayerView(
        model, layer, tuple(w.shape), w.ravel(), qp, float(np.abs(err).max()), float(np.sqrt((err**2).mean())),
        float(np.sqrt((w.astype(np.float64) ** 2).mean())), grid, ch, by_channel(err), by_channel(err_other),
        int(np.count_nonzero(np.bincount((q - qp.qmin).ravel()))), *_histogram(model, layer), bits, scheme,
        granularity,
    )


# ----------------------------------------------------------------------------- whole network, every bit width


@dataclass(frozen=True)
class Sweep:
    """Test accuracy of the whole network at each bit width, three ways."""

    model: str
    bits: tuple[int, ...]  # 1..8
    float_acc: float  # the float32 model
    dynamic: np.ndarray  # accuracy per bit width, dynamic PTQ
    static: np.ndarray  # static PTQ with ``calib`` calibration samples
    qat: np.ndarray  # after ``qat_epochs`` of fake-quant fine-tuning
    scheme: str
    granularity: str
    calib: int
    qat_epochs: int
    check: TorchCheck = field(repr=False, default=None)  # type: ignore[assignment]


def sweep(model: str, scheme: str, granularity: str, calib: int, qat_epochs: int,
          progress: Progress | None = None) -> Sweep:
    """Accuracy against bits for dynamic PTQ, static PTQ and QAT (validated with :data:`SWEEP`; cached)."""
    SWEEP.validate(dict(model=model, scheme=scheme, granularity=granularity, calib=calib, qat_epochs=qat_epochs))
    key = (model, scheme, granularity, calib, qat_epochs)
    if key not in _SWEEPS:
        _SWEEPS[key] = _sweep(*key, progress=progress)
        while len(_SWEEPS) > 32:
            _SWEEPS.pop(next(iter(_SWEEPS)))
    return _SWEEPS[key]


_SWEEPS: dict[tuple, Sweep] = {}


def _sweep(model: str, scheme: str, granularity: str, calib: int, qat_epochs: int,
           progress: Progress | None = None) -> Sweep:
    ref = zoo.load(model)
    sym, per = scheme == "symmetric", granularity == "channel"
    Xc = calibration_set(calib)
    dyn, sta, qt = [], [], []
    total = 2 * len(BITS) + 1
    for i, b in enumerate(BITS):
        dyn.append(zoo.accuracy(ptq_dynamic(ref.model, b, sym, per)))
        sta.append(zoo.accuracy(ptq_static(ref.model, Xc, b, sym, per)))
        if progress:
            progress(2 * i + 1, total)
        qt.append(zoo.accuracy(qat(ref.model, Xc, b, sym, per, qat_epochs)))
        if progress:
            progress(2 * i + 2, total)
    check = torch_check(model)
    if progress:
        progress(total, total)
    return Sweep(model, BITS, ref.accuracy, np.array(dyn), np.array(sta), np.array(qt), scheme, granularity,
                 calib, qat_epochs, check)


# ----------------------------------------------------------------------------- cross-check with torch.ao


@dataclass(frozen=True)
class TorchCheck:
    """Our INT8 quantizer against PyTorch's on the same trained model."""

    n_weights: int  # weights compared (all layers)
    same_int_tensor: int  # of those, integers equal to torch.quantize_per_tensor's (symmetric, per tensor)
    same_int_asym: int  # equal to torch's with the asymmetric (affine) observer
    same_int_channel: int  # equal to torch.quantize_per_channel's (symmetric, per channel)
    max_scale_rel: float  # largest relative gap between our scales and the observers' scales
    ours_acc: float  # our dynamic INT8 (symmetric per-tensor weights, per-sample activations)
    torch_acc: float  # torch.ao.quantization.quantize_dynamic (Linear layers, qint8)
    agree: float  # fraction of test digits on which the two predict the same class
    linear_only: bool  # False when the model has Conv2d layers, which quantize_dynamic leaves in float


def _observer_qparams(w: torch.Tensor, symmetric: bool, per_channel: bool) -> tuple[torch.Tensor, torch.Tensor]:
    from torch.ao.quantization import MinMaxObserver, PerChannelMinMaxObserver

    qmin, qmax = qrange(8, symmetric)
    kind = (torch.per_channel_symmetric if per_channel else torch.per_tensor_symmetric) if symmetric else (
        torch.per_channel_affine if per_channel else torch.per_tensor_affine)
    obs = (PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=kind, quant_min=qmin, quant_max=qmax)
           if per_channel else MinMaxObserver(dtype=torch.qint8, qscheme=kind, quant_min=qmin, quant_max=qmax))
    obs(w)
    return obs.calculate_qparams()


@lru_cache(maxsize=8)
def torch_check(model: str) -> TorchCheck:
    """Compare our INT8 integers and scales with torch's observers and quantize functions, and our dynamic
    PTQ network with ``torch.ao.quantization.quantize_dynamic``."""
    with warnings.catch_warnings():  # torch deprecates quantized tensors; they are still the reference here
        warnings.simplefilter("ignore")
        return _torch_check(zoo.load(model).model)


def _torch_check(ref: nn.Module) -> TorchCheck:
    n = same_t = same_a = same_c = 0
    gap = 0.0
    for lay in layers(ref):
        w = lay.weight.detach()
        n += w.numel()
        for sym, per in ((True, False), (False, False), (True, True)):
            ts, tz = _observer_qparams(w, sym, per)
            ours = qparams(w.numpy(), 8, sym, per)
            gap = max(gap, float(np.max(np.abs(ours.scale - ts.numpy()) / ts.numpy())))
            tq = (torch.quantize_per_channel(w, ts, tz, 0, torch.qint8) if per
                  else torch.quantize_per_tensor(w, float(ts), int(tz), torch.qint8)).int_repr().numpy()
            same = int((quantize(w.numpy(), ours) == tq).sum())
            if per:
                same_c += same
            elif sym:
                same_t += same
            else:
                same_a += same
    tq_model = torch.ao.quantization.quantize_dynamic(copy.deepcopy(ref), {nn.Linear}, dtype=torch.qint8)
    ours_model = ptq_dynamic(ref, 8, True, False)
    X = torch.as_tensor(np.array(zoo.data().X_test))
    with torch.no_grad():
        p_t, p_o = tq_model(X).argmax(1), ours_model(X).argmax(1)
    return TorchCheck(n, same_t, same_a, same_c, gap, zoo.accuracy(ours_model), zoo.accuracy(tq_model),
                      float((p_t == p_o).float().mean()), not any(isinstance(m, nn.Conv2d) for m in ref.modules()))


_N_LAYERS = {name: len(layers(zoo.build(name))) for name in zoo.RECIPES}
