"""Figures for /fundamentals, initialization: spreads layer by layer, and the rows a constant start leaves equal."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.basics.init import ACTIVATIONS, SCHEMES, Profile, Profiles, Symmetry
from neuralab.plots.format import log_axis, num, pct
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, PURPLE, VERMILLION, figure

__all__ = ["activations_figure", "describe_activations", "describe_gradients", "describe_symmetry",
           "gradients_figure", "symmetry_figure"]

COLORS = {"zeros": GREY, "normal": VERMILLION, "xavier": GREEN, "he": BLUE, "default": ORANGE}
LEGEND = dict(orientation="h", y=1.02, yanchor="bottom", x=0)
MARGIN = dict(l=64, r=16, t=60, b=44)


def _positive(values: np.ndarray) -> list:
    """Finite positive values, None elsewhere (a log axis cannot show 0, and overflow has no value)."""
    return [float(v) if math.isfinite(v) and v > 0 else None for v in np.asarray(values, float)]


def _range(series: list[np.ndarray]) -> tuple[float, float]:
    v = np.concatenate([np.asarray(s, float) for s in series])
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return -1.0, 1.0
    lo, hi = math.log10(v.min()), math.log10(v.max())
    pad = max(0.1, 0.04 * (hi - lo))
    return lo - pad, hi + pad


def _axis(lo: float, hi: float, title: str) -> dict:
    """A log axis: 1, 2, 5 ticks over a few decades, a tick every few decades (written 1e-12) over many."""
    if hi - lo <= 8:
        return log_axis(lo, hi, title=dict(text=title))
    step = math.ceil((hi - lo) / 8)
    exps = [k for k in range(math.ceil(lo), math.floor(hi) + 1) if k % step == 0]
    return dict(type="log", range=[lo, hi], tickvals=[10.0**k for k in exps],
                ticktext=["1" if k == 0 else f"1e{k}" for k in exps], title=dict(text=title))


def _traces(p: Profiles, field: str, unit: str) -> list[dict]:
    data = []
    order = [s for s in SCHEMES if s != p.chosen] + [p.chosen]  # the chosen one on top
    for s in order:
        prof = p.profiles[s]
        y = getattr(prof, field)
        chosen = s == p.chosen
        name = SCHEMES[s] + ("" if np.any(np.asarray(y) > 0) else " (exactly 0: off the log axis)")
        data.append(dict(type="scatter", x=list(range(1, prof.depth + 1)), y=_positive(y), name=name,
                         mode="lines+markers" if chosen else "lines", opacity=1.0 if chosen else 0.35,
                         line=dict(color=COLORS[s], width=3 if chosen else 1.5), marker=dict(size=5),
                         hovertemplate=f"{SCHEMES[s]}, layer %{{x}}: %{{y:.3g}}{unit}<extra></extra>"))
    return data


def _figure(p: Profiles, field: str, title: str) -> go.Figure:
    lo, hi = _range([getattr(q, field) for q in p.profiles.values()])
    return figure(_traces(p, field, ""), height=380, legend=LEGEND, margin=MARGIN,
                  xaxis=dict(title=dict(text="layer"), range=[0.5, p.main.depth + 0.5]),
                  yaxis=_axis(lo, hi, title))


def activations_figure(p: Profiles) -> go.Figure:
    """Std of each layer's activations, on a log axis: the chosen scheme bold, the others faint."""
    return _figure(p, "act_std", "std of the activations")


def gradients_figure(p: Profiles) -> go.Figure:
    """Std of the gradient at each layer's pre-activation, on a log axis."""
    return _figure(p, "grad_std", "std of dLoss/dz (pre-activation)")


def _where(p: Profile) -> str:
    return f"{SCHEMES[p.scheme]} with {ACTIVATIONS[p.activation]}, {p.depth} layers of {p.width}"


def _g(x: float) -> str:
    """Three significant digits at any size (num() reads values below 1e-12 as 0; here they are the point)."""
    if not math.isfinite(x):
        return num(x)
    return "0" if x == 0 else f"{x:.3g}"


def _moved(p: Profile) -> str:
    if p.overflow_layer is not None:
        return f"float32 overflowed at layer {p.overflow_layer}"
    last = float(p.act_std[-1])
    if last == 0.0:
        return "exactly 0 from layer 1 on"
    return f"{_g(last)} ({p.decades:+.1f} decades)"


def describe_activations(p: Profiles) -> str:
    m = p.main
    sat = ("saturated (|tanh| > 0.99)" if m.activation == "tanh" else "exactly 0 (inactive ReLU)")
    if m.overflow_layer is not None:
        head = f"float32 overflowed at layer {m.overflow_layer}"
    elif float(m.act_std[-1]) == 0.0:
        head = "every activation is exactly 0 from layer 1 on"
    else:
        way = "up" if m.decades > 0 else "down"
        head = (f"the activation std after layer {m.depth} is {_g(float(m.act_std[-1]))}, "
                f"{abs(m.decades):.2f} orders of magnitude {way} from the input's {_g(m.input_std)}")
    others = "; ".join(f"{SCHEMES[s]} {_moved(q)}" for s, q in p.profiles.items() if s != p.chosen)
    return (f"{_where(m)}: {head}, and {pct(float(m.saturated[-1]))} of the last layer's units are {sat}. "
            f"The others at layer {m.depth}: {others}.")


def describe_gradients(p: Profiles) -> str:
    m = p.main
    g0, gl = float(m.grad_std[0]), float(m.grad_std[-1])
    w0, wl = float(m.wgrad_std[0]), float(m.wgrad_std[-1])
    if not (math.isfinite(g0) and math.isfinite(gl)):
        ratio = "the backward pass overflowed float32 on its way down"
    elif g0 == 0.0 and gl == 0.0:
        ratio = "every gradient is exactly 0, so no weight can ever change"
    elif g0 == 0.0:
        ratio = "it is exactly 0 at layer 1: nothing reaches the early layers"
    else:
        ratio = f"layer 1 gets {_g(g0 / gl)} times the last layer's gradient"
    return (f"{_where(m)}: the gradient at the pre-activation has std {_g(gl)} at layer {m.depth} and "
            f"{_g(g0)} at layer 1 ({ratio}). The weight gradients the optimizer receives have std {_g(wl)} "
            f"(last layer) and {_g(w0)} (first layer).")


def symmetry_figure(s: Symmetry) -> go.Figure:
    """Distinct rows of the first weight matrix and test accuracy, constant start against random start."""
    names = [f"every weight {s.constant:g}", "random (Xavier)"]
    data = [dict(type="bar", x=names, y=[s.rows_constant, s.rows_random], name="distinct rows of W1",
                 marker=dict(color=[VERMILLION, BLUE]), text=[str(s.rows_constant), str(s.rows_random)],
                 textposition="outside", hovertemplate="%{x}: %{y} distinct rows<extra></extra>",
                 xaxis="x", yaxis="y"),
            dict(type="bar", x=names, y=[100 * s.acc_constant, 100 * s.acc_random], name="test accuracy",
                 marker=dict(color=[VERMILLION, BLUE], opacity=0.6),
                 text=[pct(s.acc_constant), pct(s.acc_random)], textposition="outside",
                 hovertemplate="%{x}: %{y:.1f}% test accuracy<extra></extra>", xaxis="x2", yaxis="y2")]
    return figure(data, height=320, showlegend=False, margin=dict(MARGIN, t=40),
                  xaxis=dict(domain=[0, 0.45]), xaxis2=dict(domain=[0.55, 1], anchor="y2"),
                  yaxis=dict(title=dict(text=f"distinct rows of W1 (of {s.width})"), range=[0, s.width * 1.2]),
                  yaxis2=dict(title=dict(text="test accuracy (%)"), range=[0, 115], anchor="x2"),
                  annotations=[dict(text=f"after {s.steps} steps", x=1, y=1.08, xref="paper", yref="paper",
                                    showarrow=False, xanchor="right", font=dict(color=PURPLE, size=11))])


def describe_symmetry(s: Symmetry) -> str:
    rows = f"{s.rows_constant} distinct row{'' if s.rows_constant == 1 else 's'}"
    spread = ("exactly 0" if s.spread_constant == 0 else f"{_g(s.spread_constant)}, rounding noise")
    moved = (f"while the weights moved by up to {_g(s.moved)}" if s.moved > 0 else
             "and with every weight at 0 even the weights' gradients are 0: only the biases moved")
    return (f"After {s.steps} full-batch steps on the digits, the network that started with every weight and bias "
            f"at {s.constant:g} has {rows} in its first weight matrix of {s.width} (the largest difference "
            f"between two rows is {spread}, {moved}) and {pct(s.acc_constant)} test accuracy. From a random start "
            f"it has {s.rows_random} distinct rows and {pct(s.acc_random)}.")
