"""What quantization does to the zoo's trained networks, measured: the experiments the /quantization page shows.

* :func:`layer_view`: one layer's trained weights on the integer grid, with the rounding error
  per tensor and per channel;
* :func:`sweep`: the whole network's test accuracy at every bit width, for dynamic PTQ,
  static PTQ and QAT;
* :func:`torch_check`: our INT8 integers, scales and accuracy against PyTorch's own.

The quantizer itself is :mod:`neuralab.compress.quantize`.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from neuralab.compress import zoo
from neuralab.compress.quantize import (
    GRANULARITY,
    SCHEME,
    QParams,
    calibration_set,
    dequantize,
    layers,
    ptq_dynamic,
    ptq_static,
    qat,
    qparams,
    qrange,
    quantize,
)
from neuralab.params import Int, ParamSpec, Rule
from neuralab.progress import Progress

__all__ = [
    "BITS", "QUANT", "SWEEP", "LayerView", "Sweep", "TorchCheck", "layer_view", "n_layers", "next_layer", "sweep",
    "torch_check",
]

BITS = tuple(range(1, 9))  # the bit widths the accuracy sweep measures
HIST_BINS = 80  # bins of the weight histogram


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
