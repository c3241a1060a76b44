"""A trained digits CNN opened up: feature maps, one output pixel, shifts, weight sharing against MLPs.

The views read a :class:`Nets`: a trained :func:`neuralab.nn.cnn.digits_cnn`, a trained reference MLP, the split
both learned from and the MLP's training recipe (the lab's page passes the compression zoo's ``"cnn"`` and
``"mlp"``, trained once per machine and cached). The weight-sharing study (:func:`sharing`) trains a family of
one-hidden-layer MLPs with that recipe, each once per seed and kept on disk.

The networks read the 64 pixels after scaling (each pixel standardized with its training mean and standard
deviation). A shift moves those 64 numbers and fills the uncovered edge with zeros, the training mean of
those pixels: the shift a convolution is equivariant to.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from neuralab import cache
from neuralab.data.arrays import Arrays, digits
from neuralab.nn.cnn import PixelSum, Work, conv_pixel, stages, work
from neuralab.nn.models import TRAINING_CODE, mlp, n_params
from neuralab.nn.runtime import one_thread
from neuralab.params import Choice, Int, ParamSpec, Rule
from neuralab.progress import Progress, quiet
from neuralab.train.loop import Config, evaluate, fit

__all__ = ["MAPS", "PIXEL", "SHARING", "SHIFT", "Maps", "Nets", "Pixel", "Sharing", "Shift", "maps", "pixel",
           "sharing", "shift", "shifted"]

N_TRAIN, N_TEST = 1077, 360  # training and test digits of the shared split (a test checks them)
WIDTHS = (8, 16, 32, 64, 128, 256)  # hidden widths of the one-hidden-layer MLPs compared with the CNN
SHIFTS = (-2, -1, 0, 1, 2)  # pixels, each axis, of the accuracy-against-shift grid
DIGIT = Int(0, N_TEST - 1, 0, label="Test digit", help="Which of the 360 test digits the networks read.")
MAPS = ParamSpec("cnn-maps", digit=DIGIT)
LAYERS = {"1": "Layer 1 (1 → 8 maps)", "2": "Layer 2 (8 → 16 maps)"}
PIXEL = ParamSpec(
    "cnn-pixel",
    digit=DIGIT,
    pixel_layer=Choice(tuple(LAYERS.items()), "2", label="Convolution"),
    pixel_channel=Int(0, 15, 6, label="Output map", help="Which filter's map (layer 1 has maps 0 to 7)."),
    pixel_row=Int(0, 7, 4, label="Row"),
    pixel_col=Int(0, 7, 5, label="Column"),
    rules=[Rule(("pixel_layer", "pixel_channel"), lambda v: v["pixel_layer"] == "2" or v["pixel_channel"] < 8,
                "pixel_channel must be below 8 for layer 1, which has 8 filters; got {pixel_channel}.",
                name="a filter of the chosen layer")],
)
SHIFT = ParamSpec(
    "cnn-shift",
    digit=DIGIT,
    shift_dx=Int(-2, 2, 1, unit="px", label="Shift right", help="Negative values shift left."),
    shift_dy=Int(-2, 2, 0, unit="px", label="Shift down", help="Negative values shift up."),
)
SHARING = ParamSpec("cnn-sharing", sharing_seeds=Int(1, 3, 1, label="Seeds per MLP",
                                                     help="Each MLP is trained this many times; the median counts."))


@dataclass(frozen=True)
class Nets:
    """The two trained networks the views read, and what they were trained on."""

    cnn: nn.Sequential  # a trained digits_cnn, in eval mode
    cnn_accuracy: float  # on data's test digits
    mlp: nn.Module  # the reference MLP, trained on the same split, in eval mode
    mlp_accuracy: float
    data: Arrays  # the split both were trained and tested on: digits(split_seed)
    split_seed: int
    recipe: Config  # how the reference MLP was trained; the MLP family of :func:`sharing` is trained the same way


def _x(nets: Nets, digit: int) -> tuple[np.ndarray, int]:
    return nets.data.X_test[digit], int(nets.data.y_test[digit])


@torch.no_grad()
def _probs(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """(N, 10) softmax of ``model`` on (N, 64) inputs."""
    return torch.softmax(model(torch.as_tensor(np.asarray(x, dtype=np.float32))), 1).double().numpy()


# ----------------------------------------------------------------------------- feature maps


@dataclass(frozen=True)
class Maps:
    """One test digit through the trained CNN."""

    digit: int
    label: int
    x: np.ndarray  # (8, 8) the scaled input the network reads
    filters: np.ndarray  # (8, 3, 3) the first layer's learned kernels
    bias1: np.ndarray  # (8,)
    relu1: np.ndarray  # (8, 8, 8) maps after the first convolution and its ReLU
    relu2: np.ndarray  # (16, 8, 8) after the second
    pool: np.ndarray  # (16, 4, 4) after the max pool: what the dense layer reads
    probs: np.ndarray  # (10,)
    accuracy: float  # on the 360 test digits
    params: int


@one_thread()
def maps(nets: Nets, digit: int) -> Maps:
    """The chosen test digit's feature maps, layer by layer, and the first layer's filters."""
    digit = MAPS.validate(digit=digit)["digit"]
    x, label = _x(nets, digit)
    st = stages(nets.cnn, x)  # Unflatten, Conv2d, ReLU, Conv2d, ReLU, MaxPool2d, Flatten, Linear
    conv1 = nets.cnn[1]
    logits = st[-1][1]
    probs = np.exp(logits - logits.max())
    return Maps(digit, label, st[0][1][0], conv1.weight.detach().double().numpy()[:, 0],
                conv1.bias.detach().double().numpy(), st[2][1], st[4][1], st[5][1], probs / probs.sum(),
                nets.cnn_accuracy, n_params(nets.cnn))


# ----------------------------------------------------------------------------- one output pixel


@dataclass(frozen=True)
class Pixel:
    """One output pixel of a trained convolution, summed by hand and read from torch."""

    digit: int
    layer: int  # 1 or 2
    channel: int
    row: int
    col: int
    source: np.ndarray  # (C_in, 8, 8) what the layer reads: the scaled digit, or layer 1's maps after ReLU
    out: np.ndarray  # (8, 8) the chosen output map, before its ReLU, as torch computed it
    sum: PixelSum  # the hand-written sum
    torch_value: float  # torch's Conv2d output at the pixel
    receptive: tuple[tuple[int, int], tuple[int, int]]  # input rows and columns the pixel depends on (clipped)

    @property
    def error(self) -> float:
        return abs(self.sum.value - self.torch_value)


@one_thread()
def pixel(nets: Nets, digit: int, pixel_layer: str, pixel_channel: int, pixel_row: int, pixel_col: int) -> Pixel:
    """Output ``(pixel_channel, pixel_row, pixel_col)`` of convolution ``pixel_layer`` for a test digit."""
    v = PIXEL.validate(digit=digit, pixel_layer=pixel_layer, pixel_channel=pixel_channel, pixel_row=pixel_row,
                       pixel_col=pixel_col)
    layer, ch, r, c = int(v["pixel_layer"]), v["pixel_channel"], v["pixel_row"], v["pixel_col"]
    x, _ = _x(nets, v["digit"])
    st = stages(nets.cnn, x)
    source = st[0][1] if layer == 1 else st[2][1]  # (1, 8, 8) or (8, 8, 8)
    conv = nets.cnn[1 if layer == 1 else 3]
    out = st[1 if layer == 1 else 3][1][ch]  # (8, 8) torch's convolution output, before the ReLU
    w, b = conv.weight.detach().numpy(), conv.bias.detach().numpy()
    by_hand = conv_pixel(source, w, b, ch, r, c, stride=1, padding=1)
    reach = 1 if layer == 1 else 2  # a 3×3 field in the input, then 5×5 after the second 3×3 layer
    rows = (max(r - reach, 0), min(r + reach, 7))
    cols = (max(c - reach, 0), min(c + reach, 7))
    return Pixel(v["digit"], layer, ch, r, c, source, out, by_hand, float(out[r, c]), (rows, cols))


# ----------------------------------------------------------------------------- shifts


def shifted(x: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """(N, 64) inputs moved ``dx`` pixels right and ``dy`` down on the 8×8 grid; the uncovered edge is 0."""
    img = np.asarray(x).reshape(-1, 8, 8)
    out = np.zeros_like(img)
    src = img[:, max(-dy, 0):8 - max(dy, 0), max(-dx, 0):8 - max(dx, 0)]
    out[:, max(dy, 0):max(dy, 0) + src.shape[1], max(dx, 0):max(dx, 0) + src.shape[2]] = src
    return out.reshape(len(img), 64)


@dataclass(frozen=True)
class Shift:
    """One digit, moved: what each network answers, and how exactly the first layer's maps moved with it."""

    digit: int
    label: int
    dx: int
    dy: int
    x: np.ndarray  # (8, 8) the scaled input, moved
    cnn: np.ndarray  # (10,) the CNN's probabilities for the moved digit
    mlp: np.ndarray  # (10,) the MLP's
    cnn_still: np.ndarray  # (10,) for the digit in place
    mlp_still: np.ndarray
    equivariance: float  # largest |conv1(shifted x) − shifted conv1(x)| away from the edges
    conv1_scale: float  # largest |conv1(x)| there, for scale


@one_thread()
def shift(nets: Nets, digit: int, shift_dx: int, shift_dy: int) -> Shift:
    """The chosen test digit moved by ``(shift_dx, shift_dy)`` pixels, read by the CNN and the MLP."""
    v = SHIFT.validate(digit=digit, shift_dx=shift_dx, shift_dy=shift_dy)
    dx, dy = v["shift_dx"], v["shift_dy"]
    x, label = _x(nets, v["digit"])
    both = np.vstack([x, shifted(x[None], dx, dy)])  # (2, 64)
    p_cnn, p_mlp = _probs(nets.cnn, both), _probs(nets.mlp, both)
    with torch.no_grad():
        conv1 = nets.cnn[1](torch.as_tensor(both.reshape(2, 1, 8, 8))).double().numpy()  # (2, 8, 8, 8)
    moved = shifted(conv1[0].reshape(8, 64), dx, dy).reshape(8, 8, 8)  # the maps of the digit in place, moved
    inner = (slice(None), slice(max(dy, 0) + 1, 7 + min(dy, 0)), slice(max(dx, 0) + 1, 7 + min(dx, 0)))
    gap = float(np.abs(conv1[1] - moved)[inner].max(initial=0.0))
    return Shift(v["digit"], label, dx, dy, both[1].reshape(8, 8), p_cnn[1], p_mlp[1], p_cnn[0], p_mlp[0], gap,
                 float(np.abs(moved[inner]).max(initial=0.0)))


# ----------------------------------------------------------------------------- weight sharing, measured


@dataclass(frozen=True)
class Run:
    """One trained MLP 64-h-10."""

    width: int
    seed: int
    params: int
    accuracy: float  # on the 360 test digits
    seconds: float  # wall time of its training, when it was first trained


@cache.memo("cnn-mlp-runs", depends=TRAINING_CODE, salt=torch.__version__)
def _run(width: int, seed: int, recipe: Config, split_seed: int) -> Run:
    """Train MLP 64-width-10 with ``recipe`` (its seed replaced) on ``digits(split_seed)``; kept on disk."""
    data = digits(split_seed)
    model = mlp((64, width, 10), "relu", seed=seed)
    t0 = time.perf_counter()
    with one_thread():
        fit(model, data, dataclasses.replace(recipe, seed=seed))
    seconds = time.perf_counter() - t0
    return Run(width, seed, n_params(model), evaluate(model, data.X_test, data.y_test, data.task)[1], seconds)


@dataclass(frozen=True)
class Sharing:
    """The CNN against MLPs of every width, and both networks against shifted test digits."""

    runs: tuple[Run, ...]
    cnn_params: int
    cnn_accuracy: float
    mlp_params: int  # the reference MLP 64-64-32-10
    mlp_accuracy: float
    layer_params: tuple[tuple[str, int, int, int], ...]  # (layer, shared, one filter per position, dense)
    grid_cnn: np.ndarray  # (5, 5) test accuracy for each (dy, dx) in SHIFTS
    grid_mlp: np.ndarray
    n_test: int  # test digits behind every accuracy
    cnn_work: Work  # MACs and peak activations per digit
    mlp_work: Work  # the reference MLP's
    family_work: tuple[Work, ...]  # MLP 64-h-10 for each h in ``widths``, in that order

    @property
    def widths(self) -> tuple[int, ...]:
        """The MLP hidden widths, in training order."""
        return tuple(dict.fromkeys(r.width for r in self.runs))

    @property
    def seeds(self) -> int:
        return len(self.runs) // len(self.widths)

    def params(self, width: int) -> int:
        return next(r.params for r in self.runs if r.width == width)

    def median(self, width: int) -> float:
        return float(np.median([r.accuracy for r in self.runs if r.width == width]))

    def work(self, width: int) -> Work:
        return self.family_work[self.widths.index(width)]

    @property
    def matched(self) -> int | None:
        """The narrowest MLP width whose median accuracy reaches the CNN's, or None."""
        return next((w for w in self.widths if self.median(w) >= self.cnn_accuracy), None)


def _layer_params(model: nn.Sequential) -> tuple[tuple[str, int, int, int], ...]:
    """Each layer's parameters: as built (shared), with its own filter at every output position, fully dense."""
    out = []
    for layer in model:
        if isinstance(layer, nn.Conv2d):
            c_out, c_in, k, _ = layer.weight.shape
            pixels = 64  # padding 1 keeps 8 × 8 outputs
            out.append((f"Conv2d {c_in} → {c_out}, {k}×{k}", n_params(layer), pixels * c_out * (c_in * k * k + 1),
                        (c_in * pixels + 1) * c_out * pixels))
        elif isinstance(layer, nn.Linear):
            out.append((f"Linear {layer.in_features} → {layer.out_features}", *(n_params(layer),) * 3))
    return tuple(out)


@torch.no_grad()
def _grid(model: nn.Module, d: Arrays) -> np.ndarray:
    y = torch.tensor(d.y_test)
    acc = np.zeros((len(SHIFTS), len(SHIFTS)))
    for i, dy in enumerate(SHIFTS):
        for j, dx in enumerate(SHIFTS):
            out = model(torch.as_tensor(shifted(d.X_test, dx, dy)))
            acc[i, j] = float((out.argmax(1) == y).double().mean())
    return acc


def sharing(nets: Nets, sharing_seeds: int = 1, progress: Progress = quiet) -> Sharing:
    """Train (or load) MLP 64-h-10 for every h in :data:`WIDTHS` and each seed; score both networks on shifts."""
    seeds = SHARING.validate(sharing_seeds=sharing_seeds)["sharing_seeds"]
    total = len(WIDTHS) * seeds + 1
    runs = []
    for i, (w, s) in enumerate((w, s) for w in WIDTHS for s in range(seeds)):
        runs.append(_run(w, s, nets.recipe, nets.split_seed))
        progress(1 + i, total)
    with one_thread():
        grids = _grid(nets.cnn, nets.data), _grid(nets.mlp, nets.data)
    progress(total, total)
    family = tuple(work(mlp((64, w, 10), "relu")) for w in WIDTHS)
    return Sharing(tuple(runs), n_params(nets.cnn), nets.cnn_accuracy, n_params(nets.mlp), nets.mlp_accuracy,
                   _layer_params(nets.cnn), *grids, len(nets.data.y_test), work(nets.cnn), work(nets.mlp), family)
