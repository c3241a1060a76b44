"""Shapes through a network: a typed PyTorch layer list, traced layer by layer with a real forward pass.

A learner writes a short layer list the way PyTorch code does (``Conv1d(3, 16, 5); ReLU(); Flatten()``),
and an input shape (``32, 3, 100``). :func:`parse_layers` reads the list with :mod:`ast` and never
evaluates it: only whitelisted layer names, int/float/bool literals and known keyword arguments pass,
and every size is bounded before anything is built. :func:`trace` then builds the real ``torch.nn``
modules and runs a random batch through them, one layer at a time, recording the output shape,
parameter count and activation memory of each. When torch refuses a shape, the trace stops at that
layer with torch's own message and one plain sentence saying which number to change.

:func:`traps` shows two mistakes that raise nothing: an RNN fed batch-first data without
``batch_first=True``, and a ``(N, 1) - (N,)`` subtraction that broadcasts to ``(N, N)``.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

import torch
from torch import nn

from neuralab.checks import fail
from neuralab.params import SEED, Choice, Int, ParamSpec, Text

__all__ = ["LAYERS", "PRESET", "PRESETS", "SHAPES", "TRAPS", "Layer", "LayerRow", "Trace", "Traps",
           "parse_layers", "parse_shape", "trace", "traps"]

MAX_LAYERS = 20
MAX_PARAMS = 5_000_000
MAX_ELEMENTS = 4_000_000  # per activation tensor (the input included)
MAX_DIM = 100_000  # any single size written in a layer or the input shape
MAX_TEXT = 600
MAX_MACS = 300_000_000  # multiply-adds of one layer on the batch: well under a second on one core

_INT, _FLOAT, _BOOL = "int", "float", "bool"

#: name -> (positional argument kinds, keyword arguments accepted with their kinds, required positional count)
LAYERS: dict[str, tuple[tuple[str, ...], dict[str, str], int]] = {
    "Linear": ((_INT, _INT), {"in_features": _INT, "out_features": _INT, "bias": _BOOL}, 2),
    "Conv1d": ((_INT, _INT, _INT), {"in_channels": _INT, "out_channels": _INT, "kernel_size": _INT,
                                    "stride": _INT, "padding": _INT, "dilation": _INT, "bias": _BOOL}, 3),
    "Conv2d": ((_INT, _INT, _INT), {"in_channels": _INT, "out_channels": _INT, "kernel_size": _INT,
                                    "stride": _INT, "padding": _INT, "dilation": _INT, "bias": _BOOL}, 3),
    "MaxPool1d": ((_INT,), {"kernel_size": _INT, "stride": _INT}, 1),
    "MaxPool2d": ((_INT,), {"kernel_size": _INT, "stride": _INT}, 1),
    "AvgPool1d": ((_INT,), {"kernel_size": _INT, "stride": _INT}, 1),
    "BatchNorm1d": ((_INT,), {"num_features": _INT}, 1),
    "BatchNorm2d": ((_INT,), {"num_features": _INT}, 1),
    "LayerNorm": ((_INT,), {"normalized_shape": _INT}, 1),
    "RNN": ((_INT, _INT), {"input_size": _INT, "hidden_size": _INT, "num_layers": _INT, "batch_first": _BOOL,
                           "bidirectional": _BOOL}, 2),
    "LSTM": ((_INT, _INT), {"input_size": _INT, "hidden_size": _INT, "num_layers": _INT, "batch_first": _BOOL,
                            "bidirectional": _BOOL}, 2),
    "GRU": ((_INT, _INT), {"input_size": _INT, "hidden_size": _INT, "num_layers": _INT, "batch_first": _BOOL,
                           "bidirectional": _BOOL}, 2),
    "Flatten": ((), {}, 0),
    "Dropout": ((_FLOAT,), {"p": _FLOAT}, 0),
    "ReLU": ((), {}, 0),
    "Tanh": ((), {}, 0),
    "Sigmoid": ((), {}, 0),
    "GELU": ((), {}, 0),
}
_RECURRENT = ("RNN", "LSTM", "GRU")
_NUM_LAYERS_MAX = 4


@dataclass(frozen=True)
class Layer:
    """One parsed layer: its name, literal arguments and the text it was written as."""

    name: str
    args: tuple
    kwargs: tuple[tuple[str, object], ...]
    text: str

    def build(self) -> nn.Module:
        return getattr(nn, self.name)(*self.args, **dict(self.kwargs))


@dataclass(frozen=True)
class LayerRow:
    text: str
    shape: tuple[int, ...]
    params: int
    bytes: int  # the output activation in float32
    note: str = ""  # e.g. an RNN's tuple: which part was kept


@dataclass(frozen=True)
class Trace:
    input_shape: tuple[int, ...]
    rows: tuple[LayerRow, ...]  # the layers that ran
    layers: tuple[str, ...]  # every layer's text, in order
    failed: int | None = None  # index of the layer torch refused
    error: str = ""  # torch's message, verbatim
    explain: str = ""  # one sentence: what to change

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.rows)

    @property
    def total_bytes(self) -> int:
        return sum(r.bytes for r in self.rows)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.rows[-1].shape if self.rows else self.input_shape


def _fmt_shape(shape) -> str:
    return str(tuple(int(s) for s in shape))


def _literal(node: ast.expr, kind: str, where: str, lo: int = 1) -> object:
    if not isinstance(node, ast.Constant):
        raise ValueError(f"{where} must be a plain number or True/False, not an expression.")
    v = node.value
    if kind == _BOOL:
        if not isinstance(v, bool):
            raise ValueError(f"{where} must be True or False; got {v!r:.20}.")
        return v
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"{where} must be a number; got {str(v)!r:.20}.")
    if kind == _INT:
        if not isinstance(v, int):
            raise ValueError(f"{where} must be a whole number; got {v!r}.")
        if not lo <= v <= MAX_DIM:
            shown = v if abs(v) < 10**12 else "a huge number"
            raise ValueError(f"{where} must be between {lo} and {MAX_DIM}; got {shown}.")
        return v
    if not math.isfinite(v) or not 0 <= v < 1:
        raise ValueError(f"{where} must be between 0 and 1; got {v!r}.")
    return float(v)


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]


def _parse_one(name: str, part: str, i: int) -> Layer:
    where = f"{name}: layer {i + 1} ({part[:30]})"
    try:
        tree = ast.parse(part, mode="eval")
    except SyntaxError:
        raise ValueError(f"{where} is not a layer call such as Linear(64, 10).") from None
    call = tree.body
    if not isinstance(call, ast.Call):
        raise ValueError(f"{where} is not a layer call such as Linear(64, 10).")
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "nn":
        layer = func.attr  # nn.Linear(...) is accepted too
    elif isinstance(func, ast.Name):
        layer = func.id
    else:
        raise ValueError(f"{where} must call a layer by name, e.g. Linear(64, 10).")
    if layer not in LAYERS:
        raise ValueError(f"{where}: {layer[:30]} is not a layer known here; known: {', '.join(LAYERS)}.")
    kinds, known_kw, required = LAYERS[layer]
    if len(call.args) > len(kinds):
        raise ValueError(f"{where}: {layer} takes at most {len(kinds)} positional arguments.")
    pairs = zip(call.args, kinds[: len(call.args)], strict=True)
    args = tuple(_literal(a, k, f"{where}, argument {j + 1}") for j, (a, k) in enumerate(pairs))
    kwargs = {}
    for kw in call.keywords:
        if kw.arg is None or kw.arg not in known_kw:
            raise ValueError(f"{where}: {layer} does not take the keyword {str(kw.arg)[:20]} here; "
                             f"known: {', '.join(known_kw) or 'none'}.")
        kwargs[kw.arg] = _literal(kw.value, known_kw[kw.arg], f"{where}, {kw.arg}", 0 if kw.arg == "padding" else 1)
    positional_names = list(known_kw)[: len(kinds)]
    given = len(args) + sum(1 for k in kwargs if k in positional_names[len(args):required])
    if given < required:
        raise ValueError(f"{where}: {layer} needs {required} sizes, e.g. {_example(layer)}.")
    if layer in _RECURRENT and not 1 <= int(kwargs.get("num_layers", 1)) <= _NUM_LAYERS_MAX:
        raise ValueError(f"{where}: num_layers must be between 1 and {_NUM_LAYERS_MAX}.")
    return Layer(layer, args, tuple(kwargs.items()), part)


def _example(layer: str) -> str:
    return {"Linear": "Linear(64, 10)", "Conv1d": "Conv1d(3, 16, 5)", "Conv2d": "Conv2d(3, 16, 3)",
            "RNN": "RNN(8, 32, batch_first=True)", "LSTM": "LSTM(8, 32, batch_first=True)",
            "GRU": "GRU(8, 32, batch_first=True)"}.get(layer, f"{layer}(16)")


def _count_params(layer: Layer) -> int:
    with torch.device("meta"):  # shapes only: nothing is allocated
        return sum(p.numel() for p in layer.build().parameters())


def parse_layers(text: str, name: str = "layers") -> tuple[Layer, ...]:
    """The layers written in ``text`` (one per line or ``;``-separated), checked and bounded, never evaluated."""
    if not isinstance(text, str):
        raise ValueError(f"{name} must be text.")
    if len(text) > MAX_TEXT:
        raise ValueError(f"{name} must be at most {MAX_TEXT} characters; got {len(text)}.")
    parts = _split(text)
    if not parts:
        raise ValueError(f"{name} must list at least one layer, e.g. Linear(64, 10).")
    if len(parts) > MAX_LAYERS:
        raise ValueError(f"{name} may list at most {MAX_LAYERS} layers; got {len(parts)}.")
    layers = tuple(_parse_one(name, p, i) for i, p in enumerate(parts))
    total = 0
    for i, layer in enumerate(layers):
        try:
            total += _count_params(layer)
        except (ValueError, TypeError, RuntimeError) as exc:  # torch's own refusal of an argument
            raise ValueError(f"{name}: layer {i + 1} ({layer.text[:30]}) cannot be built: {str(exc)[:80]}") from None
        if total > MAX_PARAMS:
            raise ValueError(f"{name} holds more than {MAX_PARAMS:,} parameters by layer {i + 1} "
                             f"({layer.text[:30]}); use smaller sizes.")
    return layers


def parse_shape(text: str, name: str = "input shape") -> tuple[int, ...]:
    """An input shape such as ``32, 3, 100`` (brackets allowed), each size >= 1, bounded in elements."""
    if not isinstance(text, str) or len(text) > 60:
        raise ValueError(f"{name} must be a short list of sizes such as 32, 3, 100.")
    body = text.strip().strip("()[]").strip()
    sizes = [s.strip() for s in body.split(",") if s.strip()]
    if not 1 <= len(sizes) <= 5 or not all(s.isdigit() for s in sizes):
        raise ValueError(f"{name} must be 1 to 5 whole numbers separated by commas, such as 32, 3, 100; "
                         f"got {text[:30]!r}.")
    shape = tuple(int(s) for s in sizes)
    if any(not 1 <= s <= MAX_DIM for s in shape):
        raise ValueError(f"{name}: every size must be between 1 and {MAX_DIM}.")
    if math.prod(shape) > MAX_ELEMENTS:
        raise ValueError(f"{name} holds {math.prod(shape):,} numbers; at most {MAX_ELEMENTS:,} are allowed here.")
    return shape


def _check_layers(name: str, text: str) -> None:
    parse_layers(text, name)


def _check_shape(name: str, text: str) -> None:
    parse_shape(text, name)


#: Example networks: (label, layers, input shape).
PRESETS: dict[str, tuple[str, str, str]] = {
    "cnn": ("1-D CNN on a sensor window",
            "Conv1d(3, 16, 5); ReLU(); MaxPool1d(2); Conv1d(16, 32, 5); ReLU(); MaxPool1d(2); Flatten(); "
            "Linear(704, 10)", "32, 3, 100"),
    "mlp": ("MLP on 20 features", "Linear(20, 64); ReLU(); Dropout(0.1); Linear(64, 64); ReLU(); Linear(64, 1)",
            "32, 20"),
    "lstm": ("LSTM regressor", "LSTM(8, 32, batch_first=True); LayerNorm(32); Linear(32, 1)", "16, 50, 8"),
    "broken": ("A broken CNN",
               "Conv1d(3, 16, 5); ReLU(); MaxPool1d(2); Conv1d(16, 32, 5); ReLU(); MaxPool1d(2); Flatten(); "
               "Linear(768, 10)", "32, 3, 100"),
}

#: The example picker: it only fills the two boxes of :data:`SHAPES` (the page wires that).
PRESET = ParamSpec(
    "shapes-preset",
    shapes_preset=Choice(tuple((k, v[0]) for k, v in PRESETS.items()), "cnn", label="Example network",
                         help="Fills the two boxes with an example network; then edit them."),
)
SHAPES = ParamSpec(
    "shapes",
    shapes_layers=Text(PRESETS["cnn"][1], max_len=MAX_TEXT, check=_check_layers, label="Layers",
                       help="PyTorch layers separated by ; (press Enter or leave the box to run)."),
    shapes_input=Text(PRESETS["cnn"][2], max_len=60, check=_check_shape, label="Input shape",
                      help="The batch shape fed to the first layer, e.g. 32, 3, 100."),
)


TRAPS = ParamSpec(
    "shapes-traps",
    shapes_batch=Int(2, 16, 4, label="Batch size (RNN)", help="Sequences in the RNN's batch."),
    shapes_n=Int(2, 64, 8, label="Samples N (MSE)", help="Length of the prediction and target vectors."),
    shapes_seed=SEED,
)


def _explain(layer: Layer, shape: tuple[int, ...]) -> str:
    """One sentence on why ``layer`` refused an input of ``shape``, with the number that would fit."""
    kw = dict(layer.kwargs)
    a = list(layer.args)

    def arg(i: int, key: str, default=None):
        return a[i] if len(a) > i else kw.get(key, default)

    got = _fmt_shape(shape)
    n = layer.name
    if n == "Linear":
        want = arg(0, "in_features")
        return (f"{layer.text} expects the last dimension to be {want} but it is {shape[-1]}: set in_features "
                f"to {shape[-1]} or change the layers before.")
    if n in ("Conv1d", "Conv2d", "BatchNorm1d", "BatchNorm2d"):
        want = arg(0, "in_channels" if n.startswith("Conv") else "num_features")
        dims = (2, 3) if n.endswith("1d") else (3, 4)
        if len(shape) not in dims:
            return (f"{layer.text} expects {' or '.join(str(d) for d in dims)} dimensions "
                    f"({'batch, channels, length' if n.endswith('1d') else 'batch, channels, height, width'}) "
                    f"but the input {got} has {len(shape)}.")
        axis = 1 if len(shape) == dims[1] else 0  # without a batch dimension torch reads dimension 0 as channels
        channels = shape[axis]
        if channels != want:
            what = "in_channels" if n.startswith("Conv") else "num_features"
            return (f"{layer.text} expects {want} channels in dimension {axis} but the input {got} has {channels} "
                    f"there: set {what} to {channels}, or permute the input to channels-first.")
        if n.startswith("Conv"):
            return (f"{layer.text} needs at least kernel_size samples along the length, and the input {got} "
                    "is too short: shrink the kernel or the pooling before it.")
    if n == "LayerNorm":
        want = arg(0, "normalized_shape")
        return (f"{layer.text} normalizes over the last dimension and expects it to be {want} but it is "
                f"{shape[-1]}: set normalized_shape to {shape[-1]}.")
    if n in _RECURRENT:
        want = arg(0, "input_size")
        if len(shape) not in (2, 3):
            return f"{layer.text} expects 3 dimensions (batch, time, features with batch_first=True), got {got}."
        return (f"{layer.text} expects {want} features in the last dimension but the input {got} has "
                f"{shape[-1]}: set input_size to {shape[-1]}.")
    if n.startswith(("MaxPool", "AvgPool")):
        return f"{layer.text} needs more samples along the pooled dimension than the input {got} has."
    return f"{layer.text} cannot take an input of shape {got}."


def _macs(layer: Layer, out_numel: int, params: int) -> float:
    """Multiply-adds of one forward pass, roughly: each output number costs the weights of one output unit."""
    if not params or layer.name.startswith(("BatchNorm", "LayerNorm")):
        return float(out_numel)
    kw = dict(layer.kwargs)
    units = layer.args[1] if len(layer.args) > 1 else kw.get(
        "out_channels", kw.get("out_features", kw.get("hidden_size", 1)))
    if layer.name in _RECURRENT and kw.get("bidirectional"):
        units *= 2
    return out_numel * params / max(int(units), 1)


def _first(out, layer: Layer) -> tuple[torch.Tensor, str]:
    if isinstance(out, tuple):  # RNN/LSTM/GRU: (output, hidden state)
        return out[0], (f"{layer.name} returns a tuple (output, {'(h, c)' if layer.name == 'LSTM' else 'h'}); "
                        "the output at every step is kept")
    return out, ""


def trace(layers: str, input_shape: str, seed: int = 0) -> Trace:
    """Run a random batch of ``input_shape`` through ``layers`` and record each layer's output.

    Raises ParamError (naming the field) for a list or shape that is not allowed; a shape that torch
    refuses is not an error here: the trace stops at that layer and says why.
    """
    try:
        parsed = parse_layers(layers, "shapes_layers")
        shape = parse_shape(input_shape, "shapes_input")
    except ValueError as exc:
        raise fail(str(exc)) from None
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=gen)
    rows: list[LayerRow] = []
    texts = tuple(layer.text for layer in parsed)
    torch.manual_seed(seed)
    for i, layer in enumerate(parsed):
        module = layer.build().eval()
        try:  # first on the meta device: the output's size is known before anything is allocated
            with torch.device("meta"):
                meta = layer.build()
                size = _first(meta.eval()(torch.empty(x.shape, device="meta")), layer)[0].numel()
            macs = _macs(layer, size, sum(p.numel() for p in meta.parameters()))
        except (RuntimeError, ValueError, IndexError, NotImplementedError):
            size = macs = 0  # the real call below raises torch's own message
        if size > MAX_ELEMENTS:
            raise fail(f"shapes_layers: layer {i + 1} ({layer.text[:30]}) would output {size:,} numbers; "
                       f"at most {MAX_ELEMENTS:,} are allowed here.")
        if macs > MAX_MACS:
            raise fail(f"shapes_layers: layer {i + 1} ({layer.text[:30]}) would take about {macs:,.0f} "
                       f"multiply-adds on this batch; at most {MAX_MACS:,} are allowed here.")
        try:
            with torch.no_grad():
                out, note = _first(module(x), layer)
        except (RuntimeError, ValueError, IndexError) as exc:
            return Trace(shape, tuple(rows), texts, i, str(exc), _explain(layer, tuple(x.shape)))
        rows.append(LayerRow(layer.text, tuple(out.shape), sum(p.numel() for p in module.parameters()),
                             out.numel() * 4, note))
        x = out
    return Trace(shape, tuple(rows), texts)


@dataclass(frozen=True)
class Traps:
    batch: int
    time: int
    features: int
    hidden: int
    right_shape: tuple[int, ...]  # output with batch_first=True
    wrong_shape: tuple[int, ...]  # the same data, same weights, without it
    max_diff: float  # largest difference between the two outputs (same layout)
    right_steps: tuple[float, ...]  # hidden unit 0 of sample 0 over time, read as out[0, :, 0], batch_first=True
    wrong_steps: tuple[float, ...]  # the same position without batch_first: each value starts a fresh sequence
    n: int
    broadcast_shape: tuple[int, ...]  # (pred - target).shape with pred (N, 1), target (N,)
    mse_right: float
    mse_wrong: float


def traps(batch: int = 4, n: int = 8, seed: int = 0, time: int = 10, features: int = 3, hidden: int = 5) -> Traps:
    """The batch_first trap and the broadcasting trap, computed on real tensors."""
    TRAPS.validate(shapes_batch=batch, shapes_n=n, shapes_seed=seed)
    if not (1 <= time <= 50 and 1 <= features <= 16 and 1 <= hidden <= 32):
        raise fail("traps: time must be 1 to 50, features 1 to 16 and hidden 1 to 32.")
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, time, features, generator=gen)  # (batch, time, features)
    torch.manual_seed(seed)
    right = nn.RNN(features, hidden, batch_first=True)
    wrong = nn.RNN(features, hidden)  # default batch_first=False: reads dim 0 as time
    wrong.load_state_dict(right.state_dict())
    with torch.no_grad():
        y_right, _ = right(x)
        y_wrong, _ = wrong(x)
    pred = torch.randn(n, 1, generator=gen)
    target = torch.randn(n, generator=gen)
    diff = pred - target
    return Traps(batch, time, features, hidden, tuple(y_right.shape), tuple(y_wrong.shape),
                 float((y_right - y_wrong).abs().max()), tuple(y_right[0, :, 0].tolist()),
                 tuple(y_wrong[0, :, 0].tolist()), n, tuple(diff.shape),
                 float(((pred.squeeze(1) - target) ** 2).mean()), float((diff**2).mean()))
