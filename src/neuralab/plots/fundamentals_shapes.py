"""Figures for /fundamentals, shapes: per-layer parameters and activation memory; the two silent traps."""

from __future__ import annotations

import plotly.graph_objects as go

from neuralab.basics.shapes import Trace, Traps
from neuralab.plots.format import num
from neuralab.plots.theme import BLUE, ORANGE, VERMILLION, figure

__all__ = ["describe_layers", "describe_traps", "layers_figure", "shape_text", "traps_figure"]


def shape_text(shape) -> str:
    """A shape as Python prints a tuple: (32, 10), (8,)."""
    return str(tuple(int(s) for s in shape))


def _size(n_bytes: float) -> str:
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{num(n_bytes / scale)} {unit}"
    return f"{int(n_bytes)} B"


def layers_figure(t: Trace) -> go.Figure:
    """Two bar panels, one row per layer that ran: its parameters (left) and its output's float32 size in kB."""
    names = [f"{i + 1}. {r.text[:28]}" for i, r in enumerate(t.rows)]
    data = [
        dict(type="bar", orientation="h", y=names, x=[r.params for r in t.rows], name="parameters",
             marker=dict(color=BLUE), xaxis="x", yaxis="y",
             hovertemplate="%{y}: %{x} parameters<extra></extra>"),
        dict(type="bar", orientation="h", y=names, x=[r.bytes / 1e3 for r in t.rows], name="output (kB, float32)",
             marker=dict(color=ORANGE), xaxis="x2", yaxis="y",
             customdata=[shape_text(r.shape) for r in t.rows],
             hovertemplate="%{y}: output %{customdata}, %{x:.3g} kB<extra></extra>"),
    ]
    return figure(data, height=120 + 26 * max(len(names), 1), showlegend=True, bargap=0.3,
                  margin=dict(l=200, r=16, t=50, b=44),
                  xaxis=dict(domain=[0, 0.47], title=dict(text="parameters")),
                  xaxis2=dict(domain=[0.53, 1], title=dict(text="output activation (kB, float32)")),
                  yaxis=dict(autorange="reversed", automargin=True))


def describe_layers(t: Trace) -> str:
    """Totals, the output shape, and where the trace stopped if torch refused a layer."""
    total = (f"{len(t.rows)} of {len(t.layers)} layers ran on an input of {shape_text(t.input_shape)}: "
             f"{t.total_params:,} parameters ({_size(4 * t.total_params)} in float32) and "
             f"{_size(t.total_bytes)} of layer outputs for this batch")
    if t.failed is not None:
        return f"{total}; layer {t.failed + 1}, {t.layers[t.failed]}, failed: {t.explain}"
    return f"{total}; the network's output has shape {shape_text(t.output_shape)}."


def traps_figure(t: Traps) -> go.Figure:
    """Hidden unit 0 of sample 0 along the sequence, read from the same position of both outputs."""
    steps = list(range(1, len(t.right_steps) + 1))
    data = [
        dict(type="scatter", x=steps, y=list(t.right_steps), mode="lines+markers", name="batch_first=True",
             line=dict(color=BLUE)),
        dict(type="scatter", x=steps, y=list(t.wrong_steps), mode="lines+markers",
             name="batch_first left at False", line=dict(color=VERMILLION, dash="dot")),
    ]
    return figure(data, height=300, xaxis=dict(title=dict(text="time step of sample 0")),
                  yaxis=dict(title=dict(text="hidden unit 0")))


def describe_traps(t: Traps) -> str:
    return (f"Both RNNs return {shape_text(t.right_shape)} from the same weights and data, but the outputs differ "
            f"by up to {num(t.max_diff)}; pred {shape_text((t.n, 1))} minus target {shape_text((t.n,))} "
            f"broadcasts to {shape_text(t.broadcast_shape)}, and the MSE reads {num(t.mse_wrong)} "
            f"instead of {num(t.mse_right)}.")
