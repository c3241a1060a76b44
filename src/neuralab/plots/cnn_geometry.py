"""Figures for /cnn's geometry section: output size and receptive field per layer, and what one output sees."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.basics.conv_geometry import Geometry
from neuralab.plots.theme import BLUE, ORANGE, figure, subplot_title

__all__ = ["describe_sizes", "describe_reach", "reach_figure", "size_rows", "sizes_figure", "SIZE_HEADER"]

SIZE_HEADER = ("stage", "input size (px)", "output size, formula", "output size, torch",
               "receptive field (px per side)", "autograd span (px per side)", "pixels used per side", "jump (px)")


def _names(g: Geometry) -> list[str]:
    return [f"conv {st.layer}" if st.kind == "conv" else f"pool {st.layer}" for st in g.stages]


def sizes_figure(g: Geometry) -> go.Figure:
    """Output size (formula line, torch markers) and receptive field (formula line, autograd markers) per stage."""
    names = ["input", *_names(g)]
    size_f = [g.n, *(st.size_formula for st in g.stages)]
    size_t = [g.n, *(st.size_torch for st in g.stages)]
    rf_f = [1, *(st.rf_formula for st in g.stages)]
    rf_m = [1, *(st.rf_measured for st in g.stages)]
    line = dict(type="scatter", x=names, mode="lines")
    dots = dict(type="scatter", x=names, mode="markers", marker=dict(size=10, symbol="circle-open", line=dict(width=2)))
    data = [
        dict(line, y=size_f, name="output size, formula", line=dict(color=BLUE, width=2)),
        dict(dots, y=size_t, name="output size, torch", marker=dict(dots["marker"], color=BLUE)),
        dict(line, y=rf_f, name="receptive field, formula", line=dict(color=ORANGE, width=2, dash="dash")),
        dict(dots, y=rf_m, name="receptive field, autograd", marker=dict(dots["marker"], color=ORANGE,
                                                                        symbol="diamond-open")),
    ]
    return figure(data, height=340, xaxis=dict(title=dict(text="stage")),
                  yaxis=dict(title=dict(text="pixels along one side"), rangemode="tozero"),
                  hovermode="x unified")


def describe_sizes(g: Geometry) -> str:
    last = g.stages[-1]
    agree = ("Formula and torch agree at every stage, for both size and receptive field." if g.agree else
             "Formula and torch disagree somewhere: see the table.")
    holes = next((st for st in g.stages if st.touched < st.rf_measured), None)
    hole = ("" if holes is None else
            f" From {('conv' if holes.kind == 'conv' else 'pool')} {holes.layer} on, only {holes.touched} of the "
            f"{holes.rf_measured} pixels along each side of the span feed the output ({holes.touched ** 2} of "
            f"{holes.rf_measured ** 2} in 2-D): the stride or dilation skips the others.")
    return (f"The {g.n}×{g.n} input, through {sum(st.kind == 'conv' for st in g.stages)} convolution(s) of "
            f"{g.k}×{g.k} (stride {g.s}, padding {g.p}, dilation {g.d}){' with 2×2 pooling' if g.pool else ''}, ends "
            f"as {last.size_torch}×{last.size_torch}; the receptive field of one output pixel there spans "
            f"{last.rf_formula}×{last.rf_formula} input pixels (near the border, part of it is padding). "
            f"{agree}{hole}")


def size_rows(g: Geometry) -> list[list[str]]:
    return [[name, str(st.size_in), str(st.size_formula), str(st.size_torch), str(st.rf_formula),
             str(st.rf_measured), str(st.touched), str(st.jump)] for name, st in zip(_names(g), g.stages, strict=True)]


def reach_figure(g: Geometry) -> go.Figure:
    """The input, coloured by how many paths carry it to the centre output pixel (all weights 1)."""
    z = g.reach / (g.reach.max() or 1.0)
    data = [dict(type="heatmap", z=np.round(z, 4).tolist(), colorscale=[[0.0, "#d9d9d9"], [1e-9, "#c6dbef"],
                                                                        [1.0, BLUE]],
                 zmin=0.0, zmax=1.0, xgap=1 if g.n <= 32 else 0, ygap=1 if g.n <= 32 else 0,
                 colorbar=dict(title=dict(text="share of<br>the peak"), thickness=12),
                 hovertemplate="input row %{y}, column %{x}: %{z:.3f} of the peak<extra></extra>")]
    return figure(data, height=380, margin=dict(l=50, r=16, t=36, b=44),
                  xaxis=dict(title=dict(text="input column"), constrain="domain", range=[-0.5, g.n - 0.5]),
                  yaxis=dict(title=dict(text="input row"), autorange="reversed", scaleanchor="x", constrain="domain"),
                  annotations=[subplot_title(f"Input pixels that reach output pixel {g.centre}", 0.5)])


def describe_reach(g: Geometry) -> str:
    nz = np.argwhere(g.reach > 0)
    if not len(nz):
        return "No input pixel reaches the centre output: it lies wholly in the padding."
    (r0, c0), (r1, c1) = nz.min(0), nz.max(0)
    inside = g.reach[g.reach > 0]
    low = float(inside.min() / inside.max())
    return (f"Output pixel {g.centre} of the last stage depends on input rows {r0}–{r1} and columns {c0}–{c1} "
            f"(the gradient of that output with every weight set to 1{', and average pooling' if g.pool else ''}). "
            f"Inside the field the pixels are not equal: the least-reached one gets {low:.0%} of the gradient of the "
            "most-reached one, because more paths through the stack lead to the middle of the field than to its edge.")
