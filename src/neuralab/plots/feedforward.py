"""Figures for the feedforward page: a trained network's activations, the worked example, the gradient check,
and the activation explorer.

The network drawing tags each trace with ``meta = {"layer": i, "kind": "node" | "edge"}`` so the page's
browser-side animation can light the layers one after the other without asking the server.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.nn.activations import Curve, Summary
from neuralab.nn.teaching import GRADIENTS, Check
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, PURPLE, VERMILLION, figure
from neuralab.train.stepwise import Activations

__all__ = [
    "activation_figure",
    "activation_rows",
    "backprop_rows",
    "check_figure",
    "describe_activation",
    "describe_check",
    "describe_network",
    "describe_worked",
    "network_figure",
    "worked_figure",
    "worked_rows",
]

EDGE_SHARE = 0.15  # draw only this share of each layer's weights, the largest |w|, or the picture is a grey wall
X_LAYER = (0.0, 3.2, 5.2, 7.2)  # horizontal position of each column
NODE_SCALE = "Viridis"  # reads on light and dark pages alike


def _columns(sizes: tuple[int, ...]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Node positions: the input as its 8×8 image, the other layers as centred columns."""
    r, c = np.divmod(np.arange(sizes[0]), 8)
    pos = [(X_LAYER[0] + c * 0.28, 3.5 - r * 1.0)]
    for i, n in enumerate(sizes[1:], start=1):
        pos.append((np.full(n, X_LAYER[i]), np.linspace(0.5 * (n - 1), -0.5 * (n - 1), n) * (8.0 / max(n, 8))))
    return pos


def _scaled(v: np.ndarray) -> np.ndarray:
    lo, hi = float(v.min()), float(v.max())
    return (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)


def network_figure(a: Activations) -> go.Figure:
    """Units coloured by their activation (scaled 0–1 within each layer); the strongest weights as edges."""
    pos = _columns(a.sizes)
    data: list[dict] = []
    for i, W in enumerate(a.weights):  # edges into layer i + 1
        (x0, y0), (x1, y1) = pos[i], pos[i + 1]
        cut = np.quantile(np.abs(W), 1 - EDGE_SHARE)
        for sign, color in ((1, BLUE), (-1, VERMILLION)):
            to, frm = np.nonzero((np.abs(W) >= cut) & (np.sign(W) == sign))
            xs = np.stack([x0[frm], x1[to], np.full(len(to), np.nan)], 1).ravel()
            ys = np.stack([y0[frm], y1[to], np.full(len(to), np.nan)], 1).ravel()
            data.append(dict(type="scatter", mode="lines", x=xs.tolist(), y=ys.tolist(), hoverinfo="skip",
                             line=dict(color=color, width=1), opacity=0.25, showlegend=False,
                             meta={"layer": i + 1, "kind": "edge"}))
    names = ["input pixel", "hidden 1 (ReLU)", "hidden 2 (ReLU)", "output p"]
    for i, (x, y) in enumerate(pos):
        raw = a.layers[i]
        shown = _scaled(raw) if i < len(pos) - 1 else raw
        text = [f"{names[i]} {k}: {v:.3f}" for k, v in enumerate(raw)]
        data.append(dict(type="scatter", mode="markers", x=x.tolist(), y=y.tolist(), text=text,
                         hovertemplate="%{text}<extra></extra>", showlegend=False,
                         marker=dict(color=shown.tolist(), colorscale=NODE_SCALE, cmin=0, cmax=1,
                                     size=11 if i == 0 else 16, line=dict(color=GREY, width=1),
                                     symbol="square" if i == 0 else "circle",
                                     showscale=i == len(pos) - 1,
                                     colorbar=dict(title=dict(text="activation<br>(scaled)"), thickness=12)),
                         meta={"layer": i, "kind": "node", "values": shown.tolist()}))
    out_x, out_y = pos[-1]
    labels = [dict(x=float(out_x[k]) + 0.35, y=float(out_y[k]), text=f"{k}: {p:.2f}", showarrow=False,
                   xanchor="left", font=dict(size=11, color=ORANGE if k == a.predicted else None))
              for k, p in enumerate(a.probs)]
    heads = [dict(x=x, y=4.6, text=t, showarrow=False, font=dict(size=12))
             for x, t in zip((0.98, *X_LAYER[1:]), ("input 8×8", "hidden 16", "hidden 12", "output 10"), strict=True)]
    return figure(data, height=460, annotations=labels + heads, margin=dict(l=10, r=10, t=20, b=10),
                  xaxis=dict(visible=False, range=[-0.4, 8.6]), yaxis=dict(visible=False, range=[-4.3, 5.0]),
                  hovermode="closest")


def describe_network(a: Activations) -> str:
    active = [int((layer > 0).sum()) for layer in a.layers[1:-1]]
    sizes = a.sizes[1:-1]
    return (f"A {a.label} from the validation set goes through the trained 64 → 16 → 12 → 10 network "
            f"(validation accuracy {a.val_acc:.1%}): {active[0]} of {sizes[0]} and {active[1]} of {sizes[1]} hidden "
            f"units fire, and it answers {a.predicted} with p = {a.probs[a.predicted]:.3f}.")


# ----------------------------------------------------------------------------- worked example


def worked_figure(c: Check) -> go.Figure:
    """The 3 → 2 → 1 network with every weight on its edge and every value beside its node."""
    n, f = c.net, c.bp.forward
    col = {"x": (0.0, [2.0, 1.0, 0.0]), "h": (1.4, [1.55, 0.45]), "o": (2.8, [1.0])}
    data, notes = [], []
    box = "rgba(128,128,128,0.16)"
    for src, dst, W, t in (("x", "h", n.W1, 0.24), ("h", "o", n.W2, 0.5)):
        (xa, ya), (xb, yb) = col[src], col[dst]
        for j in range(W.shape[0]):
            for i in range(W.shape[1]):
                w = float(W[j, i])
                data.append(dict(type="scatter", mode="lines", x=[xa, xb], y=[ya[i], yb[j]], hoverinfo="skip",
                                 line=dict(color=BLUE if w >= 0 else VERMILLION, width=1 + 1.5 * min(abs(w), 2)),
                                 showlegend=False))
                notes.append(dict(x=xa + t * (xb - xa), y=ya[i] + t * (yb[j] - ya[i]), text=f"{w:+.2f}",
                                  showarrow=False, font=dict(size=11), bgcolor=box))
    off = [bool(z <= 0) for z in f.z1[0]]
    node_x = [col["x"][0]] * 3 + [col["h"][0]] * 2 + [col["o"][0]]
    node_y = col["x"][1] + col["h"][1] + col["o"][1]
    colors = [GREY] * 3 + [GREY if d else GREEN for d in off] + [PURPLE]
    names = ["x₁", "x₂", "x₃", "h₁", "h₂", "ŷ"]
    data.append(dict(type="scatter", mode="markers+text", x=node_x, y=node_y, text=names, showlegend=False,
                     hoverinfo="skip", textfont=dict(color="white", size=13),
                     marker=dict(size=34, color=colors, line=dict(color=GREY, width=1))))
    for i in range(3):
        notes.append(dict(x=col["x"][0] - 0.12, y=col["x"][1][i], text=f"x{'₁₂₃'[i]} = {n.X[0, i]:+.2f}",
                          xanchor="right", showarrow=False))
    for j in range(2):
        state = " (off)" if off[j] else ""
        notes.append(dict(x=col["h"][0], y=col["h"][1][j] + 0.2, yanchor="bottom", showarrow=False, bgcolor=box,
                          text=f"z = {f.z1[0, j]:+.3f}, a = {f.a1[0, j]:.3f}{state}", font=dict(size=12)))
        notes.append(dict(x=col["h"][0], y=col["h"][1][j] - 0.2, yanchor="top", showarrow=False,
                          text=f"b = {n.b1[j]:+.2f}", font=dict(size=11)))
    notes.append(dict(x=col["o"][0] + 0.16, y=1.0, xanchor="left", showarrow=False, align="left", bgcolor=box,
                      text=(f"b = {n.b2[0]:+.2f}<br>z = {f.z2[0, 0]:+.3f}<br>ŷ = σ(z) = {f.yhat[0, 0]:.4f}<br>"
                            f"y = {int(n.Y[0, 0])}<br><b>L = {f.loss:.4f}</b>")))
    return figure(data, height=330, annotations=notes, margin=dict(l=10, r=10, t=10, b=10),
                  xaxis=dict(visible=False, range=[-0.75, 3.75]), yaxis=dict(visible=False, range=[-0.35, 2.35]))


def describe_worked(c: Check) -> str:
    f = c.bp.forward
    dead = [j + 1 for j, z in enumerate(c.bp.forward.z1[0]) if z <= 0]
    tail = f"; h{', h'.join(map(str, dead))} is off (z ≤ 0), so it passes nothing on" if dead else ""
    return (f"z₁ = ({f.z1[0, 0]:.3f}, {f.z1[0, 1]:.3f}) and a₁ = ({f.a1[0, 0]:.3f}, {f.a1[0, 1]:.3f}); the output "
            f"is ŷ = {f.yhat[0, 0]:.4f} for target {int(c.net.Y[0, 0])}, a loss of {f.loss:.4f} nats{tail}.")


def _num(v: float, fmt: str = ".2f") -> str:
    """A number with a true minus sign."""
    return f"{v:{fmt}}" if v >= 0 else f"−{-v:{fmt}}"


def _factor(v: float, fmt: str = ".2f") -> str:
    """A factor of a product as written by hand: 0.80, or (−0.30)."""
    return _num(v, fmt) if v >= 0 else f"({_num(v, fmt)})"


def _sum(products: list[str], bias: float) -> str:
    """``a·b + c·d − 0.10``: the products, then the bias with its sign as the operator."""
    return " + ".join(products) + (f" + {bias:.2f}" if bias >= 0 else f" − {-bias:.2f}")


def worked_rows(c: Check) -> list[tuple[str, str, str]]:
    """(quantity, how it is computed, value) for each intermediate of the worked example."""
    n, f = c.net, c.bp.forward
    rows = []
    for j in range(2):
        terms = [f"{_factor(n.W1[j, i])}·{_factor(n.X[0, i])}" for i in range(3)]
        rows.append((f"z₁[{j + 1}]", _sum(terms, n.b1[j]), f"{f.z1[0, j]:.4f}"))
        rows.append((f"a₁[{j + 1}]", f"max(0, {_num(f.z1[0, j], '.4f')})", f"{f.a1[0, j]:.4f}"))
    terms = [f"{_factor(n.W2[0, j])}·{f.a1[0, j]:.4f}" for j in range(2)]
    rows.append(("z₂", _sum(terms, n.b2[0]), f"{f.z2[0, 0]:.4f}"))
    rows.append(("ŷ", f"1 / (1 + exp({_num(-f.z2[0, 0], '.4f')}))", f"{f.yhat[0, 0]:.4f}"))
    y = int(n.Y[0, 0])
    rows.append(("L", f"−ln({'ŷ' if y == 1 else '1 − ŷ'})  (binary cross-entropy, y = {y})", f"{f.loss:.4f}"))
    return rows


# ----------------------------------------------------------------------------- gradient check


def _values(g: np.ndarray) -> str:
    flat = g.ravel()
    if flat.size <= 6:
        return ", ".join(f"{v:+.4f}" for v in flat)
    return f"‖·‖ = {np.linalg.norm(flat):.4g}, max |·| = {np.abs(flat).max():.4g}"


def backprop_rows(c: Check) -> list[tuple[str, str, str, str, str, str]]:
    """(symbol, formula, shape, values, vs autograd, vs finite differences) per gradient, in backward order."""
    rows = []
    for key, sym, formula in GRADIENTS:
        if key == "yhat":
            formula = formula.split(";")[0 if c.net.head == "sigmoid" else 1].split(":", 1)[1].strip()
        g = c.bp.grads[key]
        rows.append((sym, formula, "×".join(map(str, g.shape)), _values(g), f"{c.vs_autograd[key]:.1e}",
                     f"{c.vs_fd[key]:.1e} ({c.fd_checked[key]} of {g.size})"))
    return rows


FLOOR = 1e-18  # an exact 0 difference drawn here on the log axis


def check_figure(c: Check) -> go.Figure:
    """Largest |hand − autograd| and |hand − finite difference| per gradient, on a log axis."""
    syms = [s for _, s, _ in GRADIENTS]
    ag = [max(c.vs_autograd[k], FLOOR) for k, _, _ in GRADIENTS]
    fd = [max(c.vs_fd[k], FLOOR) for k, _, _ in GRADIENTS]
    traces = [
        dict(type="bar", x=syms, y=ag, name="vs torch autograd", marker=dict(color=BLUE),
             text=["0 (exact)" if c.vs_autograd[k] == 0 else "" for k, _, _ in GRADIENTS], textposition="outside",
             cliponaxis=False, hovertemplate="%{x}: %{y:.2e}<extra>autograd</extra>"),
        dict(type="bar", x=syms, y=fd, name="vs finite differences (ε = 1e-6)", marker=dict(color=ORANGE),
             hovertemplate="%{x}: %{y:.2e}<extra>finite differences</extra>"),
    ]
    return figure(traces, height=300, barmode="group", xaxis=dict(title=dict(text="gradient")),
                  yaxis=dict(type="log", title=dict(text="max |difference|"), range=[-18.5, 0], dtick=3,
                             exponentformat="power"))


def describe_check(c: Check) -> str:
    worst_ag = max(c.vs_autograd.values())
    k = max(c.vs_fd, key=c.vs_fd.get)
    B = c.net.X.shape[0]
    return (f"On a batch of {B}, the hand-written gradients differ from torch autograd by at most {worst_ag:.1e} "
            f"and from finite differences by at most {c.vs_fd[k]:.1e} (on {dict((g[0], g[1]) for g in GRADIENTS)[k]}).")


# ----------------------------------------------------------------------------- activation explorer


def _runs(mask: np.ndarray, x: np.ndarray) -> list[tuple[float, float]]:
    """Contiguous stretches of ``mask`` as (x_start, x_end)."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
    return [(float(x[s]), float(x[e - 1])) for s, e in zip(edges[::2], edges[1::2], strict=True)]


def activation_figure(c: Curve) -> go.Figure:
    """f and f′ with the saturated (grey) and dead (red) stretches of the input shaded."""
    shapes = [dict(type="rect", xref="x", yref="paper", x0=a, x1=b, y0=0, y1=1, line=dict(width=0),
                   fillcolor="rgba(140,140,140,0.22)", layer="below") for a, b in _runs(c.saturated, c.x)]
    shapes += [dict(type="rect", xref="x", yref="paper", x0=a, x1=b, y0=0, y1=1, line=dict(width=0),
                    fillcolor="rgba(213,94,0,0.18)", layer="below") for a, b in _runs(c.dead, c.x)]
    traces = [
        dict(type="scatter", mode="lines", x=c.x, y=c.f, name=f"f(z) = {c.label}", line=dict(color=BLUE, width=2.5),
             hovertemplate="z = %{x:.2f}: f = %{y:.4f}<extra></extra>"),
        dict(type="scatter", mode="lines", x=c.x, y=c.df, name="f′(z) (autograd)",
             line=dict(color=ORANGE, width=2, dash="dash"), hovertemplate="z = %{x:.2f}: f′ = %{y:.4g}<extra></extra>"),
        dict(type="scatter", mode="markers", x=[None], y=[None], name=f"saturated: 0 < |f′| < {c.threshold:g}",
             marker=dict(symbol="square", size=12, color="rgba(140,140,140,0.5)")),
        dict(type="scatter", mode="markers", x=[None], y=[None], name="dead: f′ = 0",
             marker=dict(symbol="square", size=12, color="rgba(213,94,0,0.45)")),
    ]
    return figure(traces, height=340, shapes=shapes, xaxis=dict(title=dict(text="pre-activation z")),
                  yaxis=dict(title=dict(text="f(z) and f′(z)")))


def describe_activation(c: Curve) -> str:
    return (f"{c.label} on ±{c.x.max():g}: f′ is at most {c.max_slope:.3g} and f′(0) = {c.slope_at_zero:.3g}; "
            f"{c.frac_saturated:.0%} of the range is saturated (|f′| < {c.threshold:g}) and "
            f"{c.frac_dead:.0%} is dead (f′ = 0).")


def activation_rows(rows: list[Summary]) -> list[tuple[str, str, str, str, str, str]]:
    """(name, output range, f′(0), max |f′|, saturated share, dead share) for the comparison table."""
    return [(r.label, f"{r.f_range[0]:.3g} … {r.f_range[1]:.3g}", f"{r.slope_at_zero:.3g}", f"{r.max_slope:.3g}",
             f"{r.frac_saturated:.0%}", f"{r.frac_dead:.0%}") for r in rows]
