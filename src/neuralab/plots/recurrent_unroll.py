"""Figures for /recurrent, part 1: a trained vanilla RNN drawn rolled (its three matrices) and unrolled over T steps."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.nn.rnn_teaching import WEIGHTS
from neuralab.plots.theme import BLUE, GREY, ORANGE, cell_text, figure, subplot_title
from neuralab.train.unroll import Unrolled, Window

__all__ = ["rolled_figure", "describe_rolled", "unrolled_figure", "describe_unrolled", "cycle_figure",
           "describe_cycle", "check_rows", "describe_check"]

#: Opaque diverging scale (orange negative, grey zero, blue positive): heatmap text picks its contrast from it.
DIVERGING = [[0.0, ORANGE], [0.5, "#b4b4b4"], [1.0, BLUE]]
INPUTS = ("current (A)", "speed (rpm)", "coolant (°C)")
INPUT_FMT = ("{:.1f} A", "{:.0f} rpm", "{:.1f} °C")
TEXT_UP_TO = 16  # write the value in every cell when at most this many steps are shown
ARROWS_UP_TO = 20  # mark W_hh between the columns when at most this many steps are shown
LINE = GREY  # schematic lines: mid grey reads on light and dark pages


def _units(n: int) -> list[str]:
    return [f"h{i + 1}" for i in range(n)]


# ---------------------------------------------------------------------- rolled


def _arrow(x: float, y: float, ax: float, ay: float, text: str = "") -> dict:
    return dict(x=x, y=y, ax=ax, ay=ay, xref="x", yref="y", axref="x", ayref="y", showarrow=True, arrowhead=2,
                arrowsize=1.2, arrowwidth=1.6, arrowcolor=LINE, text=text, standoff=2)


def _label(x: float, y: float, text: str, size: int = 13) -> dict:
    return dict(x=x, y=y, xref="x", yref="y", text=text, showarrow=False, font=dict(size=size))


def rolled_figure(u: Unrolled) -> go.Figure:
    """The cell with its loop, and the three weight matrices it uses at every step, with their real values."""
    net, H = u.net, u.width
    units = _units(H)
    lim = float(max(np.abs(net.W_xh).max(), np.abs(net.W_hh).max(), np.abs(net.W_hy).max()))
    heat = dict(type="heatmap", coloraxis="coloraxis", yaxis="y2", xgap=1, ygap=1)
    data = [
        dict(heat, z=net.W_xh.tolist(), x=list(INPUTS), y=units, xaxis="x2",
             hovertemplate="W_xh[%{y}, %{x}] = %{z:.4f}<extra></extra>"),
        dict(heat, z=net.W_hh.tolist(), x=[f"{s}(t−1)" for s in units], y=units, xaxis="x3",
             hovertemplate="W_hh[%{y}, %{x}] = %{z:.4f}<extra></extra>"),
        dict(heat, z=net.W_hy.T.tolist(), x=["ŷ"], y=units, xaxis="x4",
             hovertemplate="W_hy[ŷ, %{y}] = %{z:.4f}<extra></extra>"),
        dict(type="scatter", x=[0], y=[0], mode="markers", marker=dict(opacity=0), hoverinfo="skip",
             showlegend=False, xaxis="x", yaxis="y"),  # keeps the schematic's axes alive
    ]
    for h in data[:3]:  # each weight written on its cell, in the colour that reads on that cell
        z = np.asarray(h["z"])
        data.append(cell_text(z, [[f"{v:.2f}" for v in row] for row in z], h["x"], h["y"], DIVERGING, -lim, lim,
                              size=10, xaxis=h["xaxis"], yaxis="y2"))
    cell = dict(type="rect", x0=0.3, x1=0.7, y0=0.38, y1=0.62, xref="x", yref="y", line=dict(color=LINE, width=2),
                fillcolor="rgba(86,180,233,0.18)")
    loop = dict(type="path", path="M 0.62,0.62 C 0.62,0.95 0.95,0.95 0.95,0.75 C 0.95,0.62 0.85,0.5 0.72,0.5",
                xref="x", yref="y", line=dict(color=LINE, width=2))
    annotations = [
        _label(0.5, 0.5, "h<sub>t</sub> = tanh(…)", 12),
        _arrow(0.29, 0.5, 0.04, 0.5), _label(0.08, 0.56, "x<sub>t</sub>"), _label(0.17, 0.44, "W<sub>xh</sub>", 11),
        _arrow(0.5, 0.1, 0.5, 0.37), _label(0.5, 0.04, "ŷ<sub>t</sub> (°C)"), _label(0.6, 0.24, "W<sub>hy</sub>", 11),
        _arrow(0.71, 0.5, 0.8, 0.52), _label(0.9, 0.98, "W<sub>hh</sub> h<sub>t−1</sub>", 11),
        subplot_title("Rolled: one cell, one loop", 0.13),
        subplot_title("W<sub>xh</sub> (input → hidden)", 0.41),
        subplot_title(f"W<sub>hh</sub> (hidden → hidden), ρ = {u.radius:.2f}", 0.70),
        subplot_title("W<sub>hy</sub>", 0.955),
    ]
    hidden = dict(visible=False, range=[0, 1], fixedrange=True)
    return figure(
        data, height=380, margin=dict(l=20, r=20, t=40, b=90), shapes=[cell, loop], annotations=annotations,
        xaxis=dict(hidden, domain=[0.0, 0.26]), yaxis=dict(hidden, domain=[0.0, 1.0]),
        xaxis2=dict(domain=[0.33, 0.49], anchor="y2", tickangle=-40),
        xaxis3=dict(domain=[0.53, 0.87], anchor="y2", tickangle=-40),
        xaxis4=dict(domain=[0.92, 0.99], anchor="y2"),
        yaxis2=dict(anchor="x2", autorange="reversed", domain=[0.0, 1.0]),
        coloraxis=dict(colorscale=DIVERGING, cmin=-lim, cmax=lim, showscale=False),
    )


def describe_rolled(u: Unrolled) -> str:
    n = sum(getattr(u.net, k).size for k, _ in WEIGHTS)
    sat = "above" if u.radius > 1 else "below"
    return (f"The trained vanilla RNN: {u.width} hidden units, {n} weights and biases in all, {u.test_rmse_k:.1f} K "
            f"root-mean-square error on the {len(u.cycles)} test cycles. Its W_hh has spectral radius "
            f"{u.radius:.2f}, {sat} 1; the step-to-step Jacobian is diag(1 − h²)·W_hh, so tanh's slope (at most 1) "
            "shrinks it wherever a unit saturates.")


# ---------------------------------------------------------------------- unrolled


def unrolled_figure(w: Window) -> go.Figure:
    """T steps side by side: each step's three inputs, its hidden state, its estimate against the truth."""
    u, c, s = w.data, w.cycle, w.span
    steps = list(range(w.start, w.start + w.steps))
    H = u.width
    write = w.steps <= TEXT_UP_TO
    x_std = u.x[c, s].T  # (3, T)
    x_txt = [[fmt.format(v) for v in u.x_raw[c, s, i]] for i, fmt in enumerate(INPUT_FMT)]
    h = u.h[c, s].T  # (H, T)
    data = [
        dict(type="heatmap", z=x_std.tolist(), x=steps, y=list(INPUTS), text=x_txt, colorscale=DIVERGING,
             zmin=-2.5, zmax=2.5, showscale=False, xgap=2, ygap=1, xaxis="x", yaxis="y3",
             hovertemplate="step %{x}: %{y} = %{text} (%{z:.2f} σ from the training mean)<extra></extra>"),
        dict(type="heatmap", z=h.tolist(), x=steps, y=_units(H), colorscale=DIVERGING, zmin=-1, zmax=1,
             xgap=2, ygap=1, xaxis="x", yaxis="y2",
             colorbar=dict(title=dict(text="h<sub>t</sub>"), thickness=10, len=0.42, y=0.52, yanchor="middle"),
             hovertemplate="step %{x}: %{y} = %{z:.4f}<extra></extra>"),
        dict(type="scatter", x=steps, y=u.true_c[c, s].tolist(), name="true winding temperature", mode="lines+markers",
             line=dict(color=GREY, dash="dash"), marker=dict(size=5), xaxis="x", yaxis="y",
             hovertemplate="step %{x}: true %{y:.1f} °C<extra></extra>"),
        dict(type="scatter", x=steps, y=u.pred_c[c, s].tolist(), name="the RNN's estimate ŷ<sub>t</sub>",
             mode="lines+markers", line=dict(color=BLUE), marker=dict(size=6), xaxis="x", yaxis="y",
             hovertemplate="step %{x}: estimate %{y:.1f} °C<extra></extra>"),
    ]
    # each value written on its cell (in the colour that reads on it) while the cells are wide enough; the text
    # traces stay, empty, past that, so every window has the same traces
    h_txt = [[f"{v:.2f}" for v in row] for row in h]
    for z, txt, y, axis, lim in ((x_std, x_txt, list(INPUTS), "y3", 2.5), (h, h_txt, _units(H), "y2", 1.0)):
        data.append(cell_text(z, txt if write else [[""] * len(r) for r in txt], steps, y, DIVERGING, -lim, lim,
                              size=10, xaxis="x", yaxis=axis))
    same = "↓ W<sub>xh</sub> at every step"
    if 1 < w.steps <= ARROWS_UP_TO:
        same += "     → W<sub>hh</sub> carries h<sub>t−1</sub> into step t"
    annotations = [
        dict(text=same + " (one matrix each, not T copies)", x=0.5, y=0.815, xref="paper", yref="paper",
             showarrow=False, font=dict(size=12)),
        dict(text="↓ W<sub>hy</sub>: the same matrix at every step", x=0.5, y=0.283, xref="paper", yref="paper",
             showarrow=False, font=dict(size=12)),
    ]
    if 1 < w.steps <= ARROWS_UP_TO:
        annotations += [dict(text="→", x=t + 0.5, y=0.729, xref="x", yref="paper", yanchor="bottom", showarrow=False,
                             font=dict(size=14)) for t in steps[:-1]]
    return figure(
        data, height=560, margin=dict(l=100, r=20, t=50, b=50), annotations=annotations,
        xaxis=dict(title=dict(text=f"step t ({u.dt_s} s each)"), anchor="y", range=[w.start - 0.5,
                   w.start + w.steps - 0.5], dtick=max(1, w.steps // 10)),
        yaxis3=dict(domain=[0.83, 1.0], anchor="x", autorange="reversed"),
        yaxis2=dict(domain=[0.325, 0.723], anchor="x", autorange="reversed"),
        yaxis=dict(domain=[0.0, 0.25], anchor="x", title=dict(text="°C")),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        hovermode="closest",
    )


def describe_unrolled(w: Window) -> str:
    u, c, s = w.data, w.cycle, w.span
    h = u.h[c, s]
    sat = float(np.mean(np.abs(h) > 0.95)) * 100
    moved = (f" (moved back from step {w.asked_start} so that {w.steps} steps fit in the cycle)"
             if w.start != w.asked_start else "")
    return (f"Steps {w.start}–{w.start + w.steps - 1}{moved} of test cycle {w.cycle + 1} (drive cycle "
            f"{int(u.cycles[c])}): the estimate is off by {w.rmse_k:.1f} K root-mean-square over these {w.steps} "
            f"step{'s' if w.steps > 1 else ''}, and {sat:.0f} % of the hidden values shown are saturated "
            "(|h| > 0.95), where tanh's slope is below 0.1.")


def cycle_figure(w: Window) -> go.Figure:
    """The whole test cycle, with the unrolled window shaded."""
    u, c = w.data, w.cycle
    t = list(range(u.h.shape[1]))
    data = [
        dict(type="scatter", x=t, y=u.true_c[c].tolist(), name="true", line=dict(color=GREY, dash="dash"),
             hovertemplate="step %{x}: true %{y:.1f} °C<extra></extra>"),
        dict(type="scatter", x=t, y=u.pred_c[c].tolist(), name="estimate", line=dict(color=BLUE),
             hovertemplate="step %{x}: estimate %{y:.1f} °C<extra></extra>"),
    ]
    shade = dict(type="rect", xref="x", yref="paper", x0=w.start - 0.5, x1=w.start + w.steps - 0.5, y0=0, y1=1,
                 fillcolor="rgba(230,159,0,0.2)", line=dict(width=0), layer="below")
    return figure(data, height=240, shapes=[shade], xaxis=dict(title=dict(text="step t")),
                  yaxis=dict(title=dict(text="winding °C")), margin=dict(l=56, r=16, t=30, b=44))


def describe_cycle(w: Window) -> str:
    u, c = w.data, w.cycle
    err = float(np.sqrt(np.mean((u.pred_c[c] - u.true_c[c]) ** 2)))
    return (f"Test cycle {w.cycle + 1} from start to end ({u.h.shape[1]} steps, {u.h.shape[1] * u.dt_s / 60:.0f} "
            f"min): {err:.1f} K root-mean-square error over the whole cycle; the shaded band is the window above.")


# ---------------------------------------------------------------------- the check


def check_rows(u: Unrolled) -> list[list[str]]:
    """Largest |hand − torch| for each quantity, for the loss on every step and on the last step."""
    e, last = u.check_every, u.check_last
    rows = [["hidden states h_t", f"{e.hidden:.1e}", f"{last.hidden:.1e}", f"{np.abs(e.bp.forward.h).max():.2f}"],
            ["outputs ŷ_t", f"{e.output:.1e}", f"{last.output:.1e}", f"{np.abs(e.bp.forward.y).max():.2f}"],
            ["loss", f"{e.loss:.1e}", f"{last.loss:.1e}", f"{e.bp.loss:.2e} / {last.bp.loss:.2e}"],
            ["∂L/∂h_t", f"{e.dh:.1e}", f"{last.dh:.1e}",
             f"{np.abs(e.bp.dh).max():.1e} / {np.abs(last.bp.dh).max():.1e}"]]
    for k, _ in WEIGHTS:
        rows.append([f"∂L/∂{k}", f"{e.grads[k]:.1e}", f"{last.grads[k]:.1e}",
                     f"{np.abs(e.bp.grads[k]).max():.1e} / {np.abs(last.bp.grads[k]).max():.1e}"])
    return rows


CHECK_HEADER = ("Quantity", "Loss on every step", "Loss on the last step", "Largest |value| (every / last)")


def describe_check(u: Unrolled) -> str:
    worst = max(u.check_every.worst, u.check_last.worst)
    return (f"On this trained network and all {len(u.cycles)} test cycles ({u.h.shape[1]} steps each), the "
            f"hand-written forward pass and BPTT differ from torch's nn.RNN and autograd (float64) by at most "
            f"{worst:.1e}. The float32 network drawn above differs from the hand-written float64 pass by at most "
            f"{float(np.abs(u.check_every.bp.forward.h - u.h).max()):.1e} in its hidden states: float32 rounding.")
