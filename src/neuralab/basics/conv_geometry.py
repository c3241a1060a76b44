"""The geometry of a stack of convolutions: output sizes and receptive fields, by formula and checked with torch.

A stack of ``depth`` identical square convolutions (kernel ``k``, stride ``s``, padding ``p``, dilation ``d``),
each optionally followed by a 2×2 max pool with stride 2, on an ``n × n`` input. For every layer the output
size comes from :func:`neuralab.nn.cnn.out_size` and from the shape of what torch really returns; the
receptive field comes from :func:`neuralab.nn.cnn.receptive_field` and from autograd: with every weight set
to one, the input pixels whose gradient reaches one output pixel are exactly the pixels it depends on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from neuralab.nn.cnn import out_size, receptive_field
from neuralab.params import Bool, Int, ParamError, ParamSpec, Rule

__all__ = ["GEOMETRY", "Geometry", "Stage", "geometry", "plan"]

POOL = (2, 2)  # the pooling window and its stride


def plan(n: int, k: int, s: int, p: int, d: int, depth: int, pool: bool) -> list[tuple[str, int, int]]:
    """``(kind, size in, size out)`` for each stage by the formula alone (the first bad size ends the list)."""
    out, size = [], n
    for _ in range(depth):
        stages = [("conv", k, s, p, d)] + ([("pool", POOL[0], POOL[1], 0, 1)] if pool else [])
        for kind, kk, ss, pp, dd in stages:
            new = out_size(size, kk, ss, pp, dd)
            out.append((kind, size, new))
            if new < 1:
                return out
            size = new
    return out


def _fits(v: dict) -> bool:
    return plan(v["geo_n"], v["geo_k"], v["geo_s"], v["geo_p"], v["geo_d"], v["geo_depth"], v["geo_pool"])[-1][2] >= 1


def _why(v: dict) -> str:
    stages = plan(v["geo_n"], v["geo_k"], v["geo_s"], v["geo_p"], v["geo_d"], v["geo_depth"], v["geo_pool"])
    kind, size, new = stages[-1]
    layer = sum(1 for st in stages if st[0] == "conv")
    what = "convolution" if kind == "conv" else "max pool after convolution"
    return (f"With geo_n = {v['geo_n']}, geo_k = {v['geo_k']}, geo_s = {v['geo_s']}, geo_p = {v['geo_p']}, "
            f"geo_d = {v['geo_d']} and geo_pool = {'on' if v['geo_pool'] else 'off'}, the {what} {layer} gets "
            f"{size} pixels and would return {new}: fewer layers (geo_depth = {v['geo_depth']}), a larger input "
            "or more padding.")


GEOMETRY = ParamSpec(
    "cnn-geometry",
    geo_n=Int(4, 64, 28, unit="px", label="Input size n", help="The input is n × n pixels."),
    geo_k=Int(1, 7, 3, label="Kernel k", help="Each convolution's filter is k × k."),
    geo_s=Int(1, 3, 1, label="Stride s", help="The filter moves s pixels between outputs."),
    geo_p=Int(0, 3, 1, label="Padding p", help="Zeros added on every side before the convolution."),
    geo_d=Int(1, 3, 1, label="Dilation d", help="Gaps of d − 1 pixels between the filter's taps."),
    geo_depth=Int(1, 6, 3, label="Layers", help="How many identical convolutions are stacked."),
    geo_pool=Bool(False, label="2×2 max pool after each convolution"),
    rules=[Rule(("geo_n", "geo_k", "geo_s", "geo_p", "geo_d", "geo_depth", "geo_pool"), _fits, _why,
                name="every layer keeps a pixel")],
)


@dataclass(frozen=True)
class Stage:
    """One convolution or pooling of the stack."""

    kind: str  # "conv" or "pool"
    layer: int  # which convolution it is, or follows (1-based)
    size_in: int
    size_formula: int  # ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1
    size_torch: int  # the height of the tensor torch returned
    rf_formula: int  # receptive field along one axis after this stage, input pixels
    jump: int  # input pixels between neighbouring outputs of this stage
    rf_measured: int  # span of the input pixels whose gradient reaches one output pixel (autograd)
    touched: int  # how many pixels of that span really contribute (fewer when the taps leave holes)


@dataclass(frozen=True)
class Geometry:
    n: int
    k: int
    s: int
    p: int
    d: int
    pool: bool
    stages: tuple[Stage, ...]
    reach: np.ndarray  # (n, n) ∂y/∂x for the centre output pixel of the last stage, every weight 1
    centre: tuple[int, int]  # that output pixel (row, column)

    @property
    def agree(self) -> bool:
        """Formula and torch give the same size and the same receptive field at every stage."""
        return all(st.size_formula == st.size_torch and st.rf_formula == st.rf_measured for st in self.stages)


def _stack(k: int, s: int, p: int, d: int, depth: int, pool: bool, dims: int, avg: bool = True) -> nn.Sequential:
    """The stack with every weight 1 and no bias, in ``dims`` 1 or 2 dimensions. With ``avg`` the pool averages
    (the same geometry as the max pool), so the gradient reaches every pixel of its window, not one."""
    conv = nn.Conv1d if dims == 1 else nn.Conv2d
    pooling = {(1, True): nn.AvgPool1d, (2, True): nn.AvgPool2d, (2, False): nn.MaxPool2d}[(dims, avg)]
    layers: list[nn.Module] = []
    for _ in range(depth):
        c = conv(1, 1, k, stride=s, padding=p, dilation=d, bias=False)
        nn.init.ones_(c.weight)
        layers.append(c)
        if pool:
            layers.append(pooling(*POOL))
    return nn.Sequential(*layers)


def _span(grad: np.ndarray) -> tuple[int, int]:
    """(last − first + 1, count) of the non-zero entries of a 1-D gradient."""
    nz = np.flatnonzero(grad)
    return (int(nz[-1] - nz[0] + 1), int(nz.size)) if nz.size else (0, 0)


def geometry(geo_n: int = 28, geo_k: int = 3, geo_s: int = 1, geo_p: int = 1, geo_d: int = 1, geo_depth: int = 3,
             geo_pool: bool = False) -> Geometry:
    """Sizes and receptive fields of the stack, each by formula and by torch (see the module docstring)."""
    v = GEOMETRY.validate(geo_n=geo_n, geo_k=geo_k, geo_s=geo_s, geo_p=geo_p, geo_d=geo_d, geo_depth=geo_depth,
                          geo_pool=geo_pool)
    n, k, s, p, d, depth, pool = (v[f] for f in ("geo_n", "geo_k", "geo_s", "geo_p", "geo_d", "geo_depth",
                                                  "geo_pool"))
    sizes = plan(n, k, s, p, d, depth, pool)
    per = [(k, s, d) if kind == "conv" else (POOL[0], POOL[1], 1) for kind, _, _ in sizes]
    rf = receptive_field(per)
    with torch.no_grad():  # the sizes torch returns, on the real 2-D stack (max pool included)
        h = torch.zeros(1, 1, n, n)
        torch_sizes = []
        for layer in _stack(k, s, p, d, depth, pool, 2, avg=False):
            h = layer(h)  # (1, 1, size, size)
            torch_sizes.append(int(h.shape[-1]))
    measured = []
    line = _stack(k, s, 0, d, depth, pool, 1)
    for i, (r, _) in enumerate(rf):  # 1-D, no padding, input exactly r long: one output, its whole field inside
        net = line[: i + 1]
        x = torch.ones(1, 1, r, requires_grad=True)
        net(x)[0, 0, 0].backward()
        measured.append(_span(x.grad[0, 0].numpy()))
    # The all-ones stack is separable (a k × k block of ones is ones(k) ⊗ ones(k), and so are the zero padding and
    # the 2 × 2 average), so the 2-D gradient is the outer product of the 1-D one: the same numbers, far less work.
    x1 = torch.ones(1, 1, n, requires_grad=True)
    y = _stack(k, s, p, d, depth, pool, 1)(x1)  # (1, 1, m)
    m = y.shape[-1]
    centre = (m // 2, m // 2)
    y[0, 0, centre[0]].backward()
    g = x1.grad[0, 0].double().numpy()  # (n,)
    counts = iter(range(1, depth + 1))
    stages, layer = [], 0
    for (kind, size_in, size), t, (r, j), (span, touched) in zip(sizes, torch_sizes, rf, measured, strict=True):
        layer = next(counts) if kind == "conv" else layer
        stages.append(Stage(kind, layer, size_in, size, t, r, j, span, touched))
    if not stages:
        raise ParamError(["the stack has no layer."])
    return Geometry(n, k, s, p, d, pool, tuple(stages), np.outer(g, g), centre)
