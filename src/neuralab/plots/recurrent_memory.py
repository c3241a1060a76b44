"""Figures for /recurrent's memory part: the adding problem, its sweep over T, and gradients through time."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import num
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, VERMILLION, figure
from neuralab.train.memory import BUDGET, CHANCE_MSE, N_TRAIN, THRESHOLD, Clipped, MemoryRun, Profiles, Sweep

__all__ = ["clip_figure", "curves_figure", "describe_clip", "describe_curves", "describe_profiles",
           "describe_sweep", "describe_trained_gradients", "profiles_figure", "sweep_figure",
           "trained_gradients_figure"]

COLORS = {"rnn": VERMILLION, "lstm": BLUE, "gru": GREEN}
NAMES = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
LEVELS = ((CHANCE_MSE, "chance: always answer 1 (MSE 1/6)", "dash"),
          (THRESHOLD, "half of chance: the bar for 'learned'", "dot"))


def _levels(x0: float, x1: float) -> list[dict]:
    return [dict(type="scatter", x=[x0, x1], y=[y, y], mode="lines", name=label,
                 line=dict(color=GREY, dash=dash, width=1.5), hoverinfo="skip") for y, label, dash in LEVELS]


def curves_figure(runs: dict[str, MemoryRun]) -> go.Figure:
    """Held-out MSE per epoch of the three cells at one T, against chance."""
    epochs = len(next(iter(runs.values())).val_mse) - 1
    data = [dict(type="scatter", x=list(range(len(r.val_mse))), y=list(r.val_mse), mode="lines", name=NAMES[k],
                 line=dict(color=COLORS[k], width=2)) for k, r in runs.items()]
    return figure(data + _levels(0, epochs), height=360, yaxis=dict(type="log", title=dict(text="validation MSE")),
                  xaxis=dict(title=dict(text=f"epoch ({N_TRAIN // BUDGET.batch} updates each)")))


def describe_curves(runs: dict[str, MemoryRun]) -> str:
    r0 = next(iter(runs.values()))
    parts = [f"{NAMES[k]} {r.test_mse:.3g} ({'learned' if r.beats_chance else 'not better than chance'}, "
             f"{r.seconds:.1f} s)" for k, r in runs.items()]
    return (f"T = {r0.length}, seed {r0.seed}: test MSE on 500 new sequences, " + "; ".join(parts) +
            f". Chance is {CHANCE_MSE:.3f}; the bar for learned is {THRESHOLD:.3f}.")


def trained_gradients_figure(runs: dict[str, MemoryRun]) -> go.Figure:
    """The trained networks' ‖∂L/∂h‖ at every step back from the answer; where the markers lie shaded."""
    T = next(iter(runs.values())).length
    data = [dict(type="scatter", x=list(range(T)), y=[max(g, 1e-30) for g in r.grad], mode="lines", name=NAMES[k],
                 line=dict(color=COLORS[k], width=2)) for k, r in runs.items()]
    shapes = [dict(type="rect", xref="x", yref="paper", x0=0, x1=T // 2 - 1 if T > 1 else 0, y0=0, y1=1,
                   fillcolor="rgba(230,159,0,0.12)", line=dict(width=0)),
              dict(type="rect", xref="x", yref="paper", x0=T - T // 2, x1=T - 1, y0=0, y1=1,
                   fillcolor="rgba(0,114,178,0.10)", line=dict(width=0))]
    notes = [dict(text="second marker here", x=(T // 2 - 1) / 2, y=1, xref="x", yref="paper", showarrow=False,
                  yanchor="bottom", font=dict(size=11)),
             dict(text="first marker here", x=T - 1 - (T // 2 - 1) / 2, y=1, xref="x", yref="paper", showarrow=False,
                  yanchor="bottom", font=dict(size=11))]
    return figure(data, height=340, shapes=shapes, annotations=notes,
                  yaxis=dict(type="log", title=dict(text="‖∂L/∂h‖, trained network"), exponentformat="power"),
                  xaxis=dict(title=dict(text="steps back from the answer")), legend=dict(y=1.1))


def describe_trained_gradients(runs: dict[str, MemoryRun]) -> str:
    T = next(iter(runs.values())).length
    back = T - 1
    parts = []
    for k, r in runs.items():
        g0, gb = r.grad[0], r.grad[back]
        ratio = gb / g0 if g0 > 0 else 0.0
        parts.append(f"{NAMES[k]} {ratio:.1e}")
    return (f"After training at T = {T}: the gradient that reaches the first step, as a share of the gradient at "
            f"the last step (median over 16 test sequences): " + ", ".join(parts) +
            ". The first marker lies in the first half, so a share near zero there means the loss cannot tell the "
            "network what to keep from it.")


def sweep_figure(s: Sweep) -> go.Figure:
    """Test MSE against T for the three cells, on log axes, with the chance level."""
    data = [dict(type="scatter", x=list(s.lengths), y=list(s.test_mse[k]), mode="lines+markers", name=NAMES[k],
                 line=dict(color=COLORS[k], width=2), marker=dict(size=8)) for k in s.test_mse]
    return figure(data + _levels(s.lengths[0], s.lengths[-1]), height=360,
                  xaxis=dict(type="log", title=dict(text="sequence length T (steps)"), tickvals=list(s.lengths)),
                  yaxis=dict(type="log", title=dict(text="test MSE")))


def describe_sweep(s: Sweep) -> str:
    parts = []
    for k in s.test_mse:
        big = s.largest(k)
        parts.append(f"{NAMES[k]} {big}" if big else f"{NAMES[k]} none of them")
    return (f"Seed {s.seed}, the same budget at every T. The largest T that still beat half the chance level: "
            + ", ".join(parts) + f" (of T = {', '.join(map(str, s.lengths))}). One seed: the benchmark "
            "reports the median over seeds.")


def _decay(g: np.ndarray, k1: int = 1, k2: int = 40) -> float:
    """The mean factor per step back between steps k1 and k2 (geometric), or NaN when it reached zero."""
    a, b = float(g[k1]), float(g[k2])
    return (b / a) ** (1 / (k2 - k1)) if a > 0 and b > 0 else math.nan


def profiles_figure(p: Profiles) -> go.Figure:
    """‖∂L/∂h_t‖ back through time for the three fresh cells, with ρ^k for the vanilla RNN."""
    k = list(range(p.length))
    data = [dict(type="scatter", x=k, y=[float(max(v, 1e-300)) for v in g], mode="lines", name=NAMES[n],
                 line=dict(color=COLORS[n], width=2)) for n, g in p.norms.items()]
    g0 = float(p.norms["rnn"][0])
    for base, label, color in ((p.radius, f"ρ^k = {p.radius:g}^k", ORANGE),
                               (p.singular, f"σ_max^k = {p.singular:.2f}^k", GREY)):
        ys = [g0 * base**i for i in k]
        data.append(dict(type="scatter", x=k, y=[y if 1e-300 < y < 1e300 else None for y in ys], mode="lines",
                         name=f"{label} (RNN, scaled to its last step)", line=dict(color=color, dash="dot", width=1.5)))
    finite = [v for g in p.norms.values() for v in np.asarray(g, np.float64).tolist() if 0 < v < 1e300]
    lo, hi = max(min(finite), 1e-30), max(finite)
    return figure(data, height=380, xaxis=dict(title=dict(text="steps back from the loss")),
                  yaxis=dict(type="log", title=dict(text="‖∂L/∂h‖"), exponentformat="power",
                             range=[math.log10(lo) - 0.5, math.log10(hi) + 0.5]), legend=dict(y=1.08))


def describe_profiles(p: Profiles) -> str:
    parts = [f"{NAMES[n]} {_decay(g):.2f}" for n, g in p.norms.items()]
    last = {n: float(g[-1]) / float(g[0]) if g[0] > 0 else 0.0 for n, g in p.norms.items()}
    return (f"Vanilla RNN at spectral radius {p.radius:g} (largest singular value {p.singular:.2f}). Mean factor "
            f"per step back over steps 1–40: " + ", ".join(parts) + f". After {p.length - 1} steps the gradient is "
            + ", ".join(f"{v:.1e}×" for v in last.values()) + " its value at the last step (RNN, LSTM, GRU; "
            "fresh networks, torch's default initialisation for the gated cells).")


def clip_figure(c: Clipped) -> go.Figure:
    """Validation MSE per epoch and the gradient norm per update, without and with clipping."""
    per = len(c.on.grad_norm) // max(len(c.on.val_loss) - 1, 1)  # updates per epoch
    data = []
    for h, name, color in ((c.off, "no clipping", VERMILLION), (c.on, f"clipped at {c.clip:g}", BLUE)):
        data.append(dict(type="scatter", x=list(range(1, len(h.grad_norm) + 1)), y=h.grad_norm, mode="lines",
                         name=f"{name}: gradient norm", line=dict(color=color, width=1.5)))
        data.append(dict(type="scatter", x=[per * e for e in range(len(h.val_loss))], y=h.val_loss,
                         mode="lines+markers", name=f"{name}: validation MSE", yaxis="y2",
                         line=dict(color=color, width=2.5, dash="dash")))
    data.append(dict(type="scatter", x=[1, max(len(c.on.grad_norm), 1)], y=[c.clip, c.clip], mode="lines",
                     name="clip level", line=dict(color=GREY, dash="dot", width=1.5)))
    for h in (c.off,):
        if h.diverged:
            data.append(dict(type="scatter", x=[h.diverged_step + 1], y=[h.grad_norm[-1] if h.grad_norm else 1],
                             mode="markers", name="diverged here", marker=dict(symbol="x", size=14,
                                                                             color=VERMILLION)))
    return figure(data, height=460, xaxis=dict(title=dict(text="update")),
                  yaxis=dict(type="log", title=dict(text="gradient norm"), domain=[0, 0.58],
                             exponentformat="power"),
                  yaxis2=dict(title=dict(text="val. MSE"), domain=[0.68, 1], anchor="x", rangemode="tozero"),
                  legend=dict(y=1.1))


def describe_clip(c: Clipped) -> str:
    off = c.off.diverged or (f"Without clipping the run finished: validation MSE {c.off.val_loss[-1]:.3g}, "
                             f"largest gradient norm {num(max(c.off.grad_norm))}.")
    if c.on.diverged:
        on = f"Clipped at {c.clip:g} it diverged as well: {c.on.diverged}"
    else:
        on = (f"Clipped at {c.clip:g}, the same network from the same weights trained all "
              f"{len(c.on.grad_norm)} updates: validation MSE {c.on.val_loss[-1]:.3g}, largest gradient norm "
              f"{num(max(c.on.grad_norm))} before clipping.")
    return f"Spectral radius {c.radius:g}, SGD at learning rate {c.lr:g}. {off} {on}"
