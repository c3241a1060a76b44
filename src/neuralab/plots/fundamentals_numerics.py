"""Figures for /fundamentals, numerics: softmax overflow, float16 underflow, log-sigmoid, cancellation."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.basics.numerics import METHODS, SCALES, Cancellation, LogSigmoid, Scaling, Softmax
from neuralab.plots.format import log_axis, num, vline
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, PURPLE, VERMILLION, figure

__all__ = ["cancel_figure", "describe_cancel", "describe_logsig", "describe_scaling", "describe_softmax",
           "logsig_figure", "scaling_figure", "softmax_figure"]

DTYPE_COLORS = {"float16": VERMILLION, "float32": BLUE}
SCALE_COLORS = dict(zip(SCALES, (GREY, ORANGE, GREEN, PURPLE), strict=True))
SCALE_NAMES = {"1": "S = 1", "256": "S = 2⁸", "65536": "S = 2¹⁶", "16777216": "S = 2²⁴"}
METHOD_NAMES = {"one-pass": "E[x²] − E[x]², running sums", "two-pass": "two passes (mean, then deviations)",
                "welford": "Welford's running update"}
METHOD_COLORS = {"one-pass": VERMILLION, "two-pass": ORANGE, "welford": BLUE}
FLOOR = 1e-9  # an exact 0 relative error drawn here on the log axis
MARGIN = dict(l=64, r=16, t=60, b=48)


def _finite(a: np.ndarray) -> list:
    """Values for a trace: non-finite ones become gaps."""
    return [float(v) if math.isfinite(v) else None for v in np.asarray(a, dtype=float)]


def _label(x: float, text: str, color: str) -> dict:
    """A note above the plot at ``x`` on a log x axis (annotations there sit in log10 units)."""
    return dict(x=math.log10(x), y=1.0, xref="x", yref="paper", text=text, showarrow=False, yanchor="bottom",
                font=dict(color=color, size=11))


def _prob(p: float) -> str:
    """A probability to six significant digits (float16 holds about three); nan as torch prints it."""
    return "nan" if math.isnan(p) else ("0" if p == 0 else f"{p:.6g}")


# ----------------------------------------------------------------------------- softmax


def softmax_figure(s: Softmax) -> go.Figure:
    """exp(largest logit) in each dtype against the largest logit, with each dtype's max and the current value."""
    data, shapes, notes = [], [vline(float(s.logits.max()), GREY)], []
    for name, color in DTYPE_COLORS.items():
        data.append(dict(type="scatter", mode="lines", x=s.sweep.tolist(), y=_finite(s.sweep_exp[name]),
                         name=f"exp(largest logit) in {name}", line=dict(color=color, width=2.5),
                         hovertemplate="logit %{x:.3g}: exp = %{y:.3g}<extra>" + name + "</extra>"))
        top = math.exp(s.threshold[name])
        shapes.append(dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=top, y1=top,
                           line=dict(color=color, dash="dash", width=1)))
        shapes.append(vline(s.threshold[name], color, dash="dash", width=1))
        notes.append(_label(s.threshold[name], f"{name}: {s.threshold[name]:.2f}", color))
    hi = math.log10(max(math.exp(s.threshold["float32"]), 1.0)) + 2
    return figure(data, height=360, shapes=shapes, annotations=notes, margin=MARGIN,
                  xaxis=log_axis(0, 3, title=dict(text="largest logit")),
                  yaxis=dict(type="log", range=[0, hi], exponentformat="power",
                             title=dict(text="exp(largest logit)")),
                  legend=dict(orientation="h", y=-0.25, yanchor="top", x=0))


def describe_softmax(s: Softmax) -> str:
    top = float(s.logits.max())
    parts = []
    for name in DTYPE_COLORS:
        naive = s.naive[name]
        state = ("gives nan" if np.isnan(naive).any() else "stays finite")
        parts.append(f"in {name} (exp overflows past {s.threshold[name]:.2f}) the naive softmax {state}, "
                     f"sum of exp = {num(s.naive_sum[name])}")
    return (f"Largest logit {top:g}: " + "; ".join(parts) + ". The max-shifted softmax gives "
            f"p₁ = {_prob(s.stable['float16'][0])} in float16 and {_prob(s.stable['float32'][0])} in float32 "
            f"(float64: {_prob(s.reference[0])}); torch.logsumexp = {s.lse['float16']:.4g} (float16) and "
            f"{s.lse['float32']:.6g} (float32).")


def softmax_rows(s: Softmax) -> list[tuple[str, ...]]:
    """(logit, then naive / shifted / via logsumexp per dtype, then float64) for each class."""
    rows = []
    for i, z in enumerate(s.logits):
        cells = [f"z{i + 1} = {z:g}"]
        for name in DTYPE_COLORS:
            cells += [_prob(s.naive[name][i]), _prob(s.stable[name][i]), _prob(s.via_lse[name][i])]
        rows.append((*cells, _prob(s.reference[i])))
    return rows


# ----------------------------------------------------------------------------- loss scaling


def scaling_figure(r: Scaling) -> go.Figure:
    """The share of a gradient that survives float16 and unscaling, per loss scale, against its magnitude."""
    data = [dict(type="scatter", mode="lines", x=r.sweep.tolist(), y=_finite(r.kept[k]), name=SCALE_NAMES[k],
                 line=dict(color=SCALE_COLORS[k], width=3 if SCALES[k] == r.scale else 1.5),
                 hovertemplate="g = %{x:.3g}: kept %{y:.4f}<extra>" + SCALE_NAMES[k] + "</extra>")
            for k in SCALES]
    return figure(data, height=340, margin=MARGIN, shapes=[vline(r.grad, GREY)],
                  xaxis=log_axis(-10, 0, title=dict(text="true gradient g")),
                  yaxis=dict(range=[-0.05, 1.15], title=dict(text="float32(float16(S·g)) / S ÷ g")),
                  legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))


def describe_scaling(r: Scaling) -> str:
    kept = "lost entirely (0)" if r.fp16 == 0 else f"{r.fp16:.4g} ({r.fp16_kind})"
    if math.isinf(r.scaled):
        after = (f"S·g = {num(r.grad * r.scale)} is past float16's largest value: the gradient is inf, and "
                 "GradScaler would skip this step and halve S")
    else:
        after = (f"S·g is {r.scaled:.4g} in float16 ({r.scaled_kind}), and dividing by S in float32 gives "
                 f"{r.recovered:.4g}, a relative error of {r.rel_error:.1e}")
    return f"g = {r.grad:.3g}. Cast to float16 on its own it is {kept}. With S = {r.scale:g}, {after}."


def scaling_rows(r: Scaling) -> list[tuple[str, str]]:
    return [("true gradient g (float64)", f"{r.grad:.6g}"),
            ("g cast to float16", f"{r.fp16:.6g} ({r.fp16_kind})"),
            ("loss scale S", f"{r.scale:g}"),
            ("S·g in float16", f"{r.scaled:.6g} ({r.scaled_kind})"),
            ("float32(S·g) / S", f"{r.recovered:.6g}"),
            ("relative error", "overflow" if math.isinf(r.rel_error) else f"{r.rel_error:.2e}")]


# ----------------------------------------------------------------------------- log-sigmoid


def logsig_figure(r: LogSigmoid) -> go.Figure:
    """Left: log σ(x) naive and by logsigmoid; right: the BCE for y = 1 both ways (float32)."""
    x = r.sweep.tolist()
    data = [dict(type="scatter", mode="lines", x=x, y=_finite(r.sweep_stable), name="F.logsigmoid(x)",
                 line=dict(color=BLUE, width=3), xaxis="x", yaxis="y"),
            dict(type="scatter", mode="lines", x=x, y=_finite(r.sweep_naive), name="log(sigmoid(x))",
                 line=dict(color=VERMILLION, width=2, dash="dash"), xaxis="x", yaxis="y"),
            dict(type="scatter", mode="lines", x=x, y=_finite(r.sweep_bce_logits), name="BCE with logits",
                 line=dict(color=GREEN, width=3), xaxis="x2", yaxis="y2"),
            dict(type="scatter", mode="lines", x=x, y=_finite(r.sweep_bce_naive), name="sigmoid, then BCE",
                 line=dict(color=ORANGE, width=2, dash="dash"), xaxis="x2", yaxis="y2")]
    shapes = [vline(r.x, GREY), vline(r.x, GREY, xref="x2", yref="y2 domain"),
              vline(r.last_finite, VERMILLION, dash="dash", width=1)]
    titles = [dict(text=t, x=x0, y=1.0, xref="paper", yref="paper", showarrow=False, xanchor="left",
                   yanchor="bottom", font=dict(size=12))
              for t, x0 in (("log σ(x), float32", 0.0), ("binary cross-entropy for y = 1", 0.56))]
    return figure(data, height=360, margin=dict(MARGIN, t=80), shapes=shapes, annotations=titles,
                  legend=dict(orientation="h", y=1.1, yanchor="bottom", x=0),
                  xaxis=dict(domain=[0, 0.44], title=dict(text="x")),
                  yaxis=dict(title=dict(text="log σ(x)")),
                  xaxis2=dict(domain=[0.56, 1], anchor="y2", title=dict(text="x")),
                  yaxis2=dict(anchor="x2", title=dict(text="loss (nats)")))


def describe_logsig(r: LogSigmoid) -> str:
    return (f"At x = {r.x:g}: log(sigmoid(x)) = {num(r.naive)} and F.logsigmoid = {num(r.stable)} "
            f"(float64: {num(r.reference)}); the naive form is finite only down to x = {r.last_finite:.2f}. "
            f"For y = 1, sigmoid then BCE gives a loss of {num(r.bce_naive)} with gradient {num(r.grad_naive)}; "
            f"BCE with logits gives {num(r.bce_logits)} with gradient {num(r.grad_logits)}.")


# ----------------------------------------------------------------------------- cancellation


def cancel_figure(c: Cancellation) -> go.Figure:
    """Relative error of each float32 variance against the DC offset (log-log), the current offset marked."""
    data = [dict(type="scatter", mode="lines+markers", x=c.sweep.tolist(),
                 y=[max(float(v), FLOOR) for v in c.sweep_error[m]], name=METHOD_NAMES[m],
                 line=dict(color=METHOD_COLORS[m], width=2.5), marker=dict(size=5),
                 hovertemplate="offset %{x:.3g}: error %{y:.2e}<extra>" + METHOD_NAMES[m] + "</extra>")
            for m in METHODS]
    top = max(1.0, max(float(np.max(e)) for e in c.sweep_error.values()))
    return figure(data, height=360, margin=MARGIN, shapes=[vline(c.offset, GREY)],
                  xaxis=log_axis(-1, 6, title=dict(text="DC offset (counts); noise std 1")),
                  yaxis=dict(type="log", range=[math.log10(FLOOR), math.log10(top) + 0.5], exponentformat="power",
                             title=dict(text="relative error of the variance")),
                  legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))


def describe_cancel(c: Cancellation) -> str:
    est = ", ".join(f"{METHOD_NAMES[m]} {num(c.estimate[m])} (error {c.rel_error[m]:.1e})" for m in METHODS)
    return (f"{c.n} samples at offset {c.offset:.3g} with noise std 1: the float64 variance is {c.reference:.4f}; "
            f"in float32, {est}.")
