"""Figures for /cnn's weight-sharing and shift sections: parameters against accuracy, predictions of moved digits."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.cnn_maps import DIVERGING, grid
from neuralab.plots.format import log_axis
from neuralab.plots.theme import BLUE, GREY, ORANGE, VERMILLION, figure, subplot_title
from neuralab.train.cnn import SHIFTS, Sharing, Shift

__all__ = ["LAYER_HEADER", "RUN_HEADER", "describe_grid", "describe_sharing", "describe_shift", "describe_work",
           "grid_figure", "layer_rows", "run_rows", "sharing_figure", "shift_figure"]

LAYER_HEADER = ("layer", "shared filters (as built)", "own filter at every pixel", "fully connected")
RUN_HEADER = ("network", "parameters", "MACs per digit", "largest layer input + output (values)", "test accuracy",
              "training wall time")


def sharing_figure(sh: Sharing) -> go.Figure:
    """Test accuracy against parameter count: the MLP family, the reference MLP and the CNN."""
    params = [sh.params(w) for w in sh.widths]
    med = [sh.median(w) for w in sh.widths]
    data = [
        dict(type="scatter", x=[r.params for r in sh.runs], y=[r.accuracy for r in sh.runs], mode="markers",
             marker=dict(color=BLUE, size=6, opacity=0.45), name="MLP 64-h-10, each seed",
             hovertemplate="%{x} parameters: %{y:.1%}<extra></extra>"),
        dict(type="scatter", x=params, y=med, mode="lines+markers+text", text=[f"h={w}" for w in sh.widths],
             textposition="bottom right", marker=dict(color=BLUE, size=9), line=dict(color=BLUE),
             name="MLP 64-h-10, median", hovertemplate="%{text}: %{x} parameters, %{y:.1%}<extra></extra>"),
        dict(type="scatter", x=[sh.mlp_params], y=[sh.mlp_accuracy], mode="markers", name="MLP 64-64-32-10",
             marker=dict(color=ORANGE, size=12, symbol="square"),
             hovertemplate="MLP 64-64-32-10: %{x} parameters, %{y:.1%}<extra></extra>"),
        dict(type="scatter", x=[sh.cnn_params], y=[sh.cnn_accuracy], mode="markers", name="CNN (8 and 16 filters)",
             marker=dict(color=VERMILLION, size=16, symbol="star"),
             hovertemplate="CNN: %{x} parameters, %{y:.1%}<extra></extra>"),
    ]
    xs = [r.params for r in sh.runs] + [sh.mlp_params, sh.cnn_params]
    lo, hi = math.log10(min(xs)) - 0.1, math.log10(max(xs)) + 0.15
    ys = [r.accuracy for r in sh.runs] + [sh.mlp_accuracy, sh.cnn_accuracy]
    return figure(data, height=380, xaxis=log_axis(lo, hi, title=dict(text="trainable parameters (log scale)")),
                  yaxis=dict(title=dict(text="test accuracy (360 digits)"), tickformat=".0%",
                             range=[min(ys) - 0.02, min(1.0, max(ys) + 0.01)]),
                  shapes=[dict(type="line", xref="paper", x0=0, x1=1, y0=sh.cnn_accuracy, y1=sh.cnn_accuracy,
                               line=dict(color=VERMILLION, dash="dot", width=1.5))])


def describe_sharing(sh: Sharing) -> str:
    m = sh.matched
    if m is None:
        best = min(sh.widths, key=lambda w: (-sh.median(w), w))  # the most accurate, the narrowest of a tie
        short = round((sh.cnn_accuracy - sh.median(best)) * sh.n_test)
        match = (f"No MLP here reaches it. The closest, h = {best}, scores {sh.median(best):.1%} with "
                 f"{sh.params(best):,} parameters ({sh.params(best) / sh.cnn_params:.1f} times the CNN's), "
                 f"{short} test digit{'s' if short != 1 else ''} short of it"
                 f"{'; the wider ones do no better' if best != max(sh.widths) else ''}.")
    else:
        p = sh.params(m)
        match = (f"The narrowest one-hidden-layer MLP that reaches it has h = {m} ({sh.median(m):.1%}, {p:,} "
                 f"parameters, {p / sh.cnn_params:.1f} times the CNN's).")
    return (f"The CNN scores {sh.cnn_accuracy:.1%} on the test digits with {sh.cnn_params:,} parameters (red star, "
            f"dotted line). {match} The reference MLP 64-64-32-10 scores {sh.mlp_accuracy:.1%} with "
            f"{sh.mlp_params:,}. Each MLP point is the median over "
            f"{sh.seeds} seed(s); the faint dots are the single runs. {describe_work(sh)}")


def describe_work(sh: Sharing) -> str:
    """Parameters are not the cost on a device: MACs and activations per digit, the CNN against the MLPs."""
    c, m = sh.cnn_work, sh.mlp_work
    return (f"Parameters are not the whole cost on a microcontroller: the CNN needs {c.macs:,} multiply-accumulates "
            f"per digit ({c.macs / m.macs:.0f} times the reference MLP's {m.macs:,}) and a layer-by-layer runtime "
            f"holds up to {c.peak:,} activations at once (the MLP {m.peak:,}); an MLP needs about as many MACs as "
            "it has weights.")


def layer_rows(sh: Sharing) -> list[list[str]]:
    rows = [[name, f"{a:,}", f"{b:,}", f"{c:,}"] for name, a, b, c in sh.layer_params]
    total = [sum(r[i] for r in sh.layer_params) for i in (1, 2, 3)]
    return [*rows, ["total", *(f"{t:,}" for t in total)]]


def run_rows(sh: Sharing) -> list[list[str]]:
    out = []
    for w in sh.widths:
        rs = [r for r in sh.runs if r.width == w]
        wk = sh.work(w)
        out.append([f"MLP 64-{w}-10", f"{rs[0].params:,}", f"{wk.macs:,}", f"{wk.peak:,}", f"{sh.median(w):.1%}",
                    f"{np.median([r.seconds for r in rs]):.1f} s"])
    return [*out, ["MLP 64-64-32-10 (reference)", f"{sh.mlp_params:,}", f"{sh.mlp_work.macs:,}",
                   f"{sh.mlp_work.peak:,}", f"{sh.mlp_accuracy:.1%}", "—"],
            ["CNN 8 and 16 filters", f"{sh.cnn_params:,}", f"{sh.cnn_work.macs:,}", f"{sh.cnn_work.peak:,}",
             f"{sh.cnn_accuracy:.1%}", "—"]]


def grid_figure(sh: Sharing) -> go.Figure:
    """Test accuracy of both networks for every shift of the test digits up to two pixels each way."""
    labels = [str(v) for v in SHIFTS]
    cells = []
    for c, (name, acc) in enumerate((("CNN", sh.grid_cnn), ("MLP 64-64-32-10", sh.grid_mlp))):
        cells.append((0, c, dict(type="heatmap", z=np.round(acc, 4).tolist(), x=labels, y=labels,
                                 colorscale=[[0.0, "#f0f0f0"], [1.0, BLUE]], zmin=0.0, zmax=1.0, showscale=False,
                                 texttemplate="%{z:.0%}", textfont=dict(size=12), xgap=2, ygap=2, name=name,
                                 hovertemplate=f"{name}, shifted %{{x}} right and %{{y}} down: "
                                               "%{z:.1%}<extra></extra>")))
    data, axes = grid(cells, 1, 2, gap=0.14, top=0.86, left=0.08, right=0.94)
    for k in ("xaxis", "xaxis2"):
        axes[k] |= dict(visible=True, title=dict(text="shift right (px)"), type="category")
    for k in ("yaxis", "yaxis2"):
        axes[k] |= dict(visible=True, title=dict(text="shift down (px)"), type="category")
    notes = [subplot_title("CNN", 0.26), subplot_title("MLP 64-64-32-10", 0.76)]
    return figure(data, height=360, margin=dict(l=40, r=16, t=36, b=48), annotations=notes, **axes)


def describe_grid(sh: Sharing) -> str:
    i0 = SHIFTS.index(0)
    one = [(i0, i0 + 1), (i0, i0 - 1), (i0 + 1, i0), (i0 - 1, i0)]
    c1 = float(np.mean([sh.grid_cnn[a] for a in one]))
    m1 = float(np.mean([sh.grid_mlp[a] for a in one]))
    c2, m2 = float(sh.grid_cnn[i0, i0 + 2]), float(sh.grid_mlp[i0, i0 + 2])
    return (f"In place the CNN scores {sh.grid_cnn[i0, i0]:.1%} and the MLP {sh.grid_mlp[i0, i0]:.1%}. Moved one "
            f"pixel (the mean of the four directions) the CNN keeps {c1:.1%} and the MLP {m1:.1%}; two pixels to the "
            f"right, {c2:.1%} against {m2:.1%}. Neither network saw a moved digit in training.")


def shift_figure(s: Shift) -> go.Figure:
    """The moved digit as the networks read it, and both networks' probabilities, moved and in place."""
    lim = float(np.abs(s.x).max()) or 1.0
    img, img_axes = grid([(0, 0, dict(type="heatmap", z=np.round(s.x, 4).tolist(), colorscale=DIVERGING, zmin=-lim,
                                      zmax=lim, showscale=False, xgap=1, ygap=1, name="moved input",
                                      hovertemplate="row %{y}, column %{x}: %{z:.2f}<extra></extra>"))],
                         1, 1, top=0.9, left=0.0, right=0.26)
    digits = [str(d) for d in range(10)]
    bars = [
        dict(type="bar", x=digits, y=np.round(s.cnn, 4).tolist(), name="CNN, moved", marker=dict(color=VERMILLION),
             xaxis="x2", yaxis="y2", hovertemplate="CNN, moved: P(%{x}) = %{y:.3f}<extra></extra>"),
        dict(type="bar", x=digits, y=np.round(s.mlp, 4).tolist(), name="MLP, moved", marker=dict(color=ORANGE),
             xaxis="x2", yaxis="y2", hovertemplate="MLP, moved: P(%{x}) = %{y:.3f}<extra></extra>"),
        dict(type="scatter", x=digits, y=np.round(s.cnn_still, 4).tolist(), mode="markers", name="CNN, in place",
             marker=dict(color=VERMILLION, symbol="line-ew-open", size=16, line=dict(width=2)), xaxis="x2",
             yaxis="y2", hovertemplate="CNN, in place: P(%{x}) = %{y:.3f}<extra></extra>"),
        dict(type="scatter", x=digits, y=np.round(s.mlp_still, 4).tolist(), mode="markers", name="MLP, in place",
             marker=dict(color=GREY, symbol="line-ew-open", size=16, line=dict(width=2)), xaxis="x2", yaxis="y2",
             hovertemplate="MLP, in place: P(%{x}) = %{y:.3f}<extra></extra>"),
    ]
    axes = img_axes | dict(xaxis2=dict(domain=[0.34, 1.0], anchor="y2", title=dict(text="digit"), type="category"),
                           yaxis2=dict(domain=[0.0, 0.9], anchor="x2", title=dict(text="probability"), range=[0, 1.02]))
    notes = [subplot_title(f"test digit {s.digit} (a {s.label}), moved ({s.dx:+d}, {s.dy:+d})", 0.13)]
    return figure([*img, *bars], height=320, barmode="group", margin=dict(l=8, r=16, t=40, b=44), annotations=notes,
                  legend=dict(x=0.34, y=1.02, orientation="h", yanchor="bottom"), **axes)


def describe_shift(s: Shift) -> str:
    c, m = int(s.cnn.argmax()), int(s.mlp.argmax())

    def say(name: str, pred: int, p: np.ndarray, still: np.ndarray) -> str:
        ok = "right" if pred == s.label else "wrong"
        return (f"the {name} answers {pred} ({ok}) with probability {p[pred]:.3f}; in place it gave the true "
                f"class probability {still[s.label]:.3f}")

    moved = "not moved" if s.dx == s.dy == 0 else f"moved {s.dx:+d} px right and {s.dy:+d} px down"
    return (f"Test digit {s.digit}, a {s.label}, {moved}: {say('CNN', c, s.cnn, s.cnn_still)}, and "
            f"{say('MLP', m, s.mlp, s.mlp_still)}. The first convolution's maps moved with the input: away from the "
            f"edges they equal the maps of the digit in place, moved, to within {s.equivariance:.1e} (their values "
            f"reach {s.conv1_scale:.2f}).")
