"""Figures for the distillation page: soft targets, why T², and the measured student comparison.

Each ``*_figure`` builder has a ``describe_*`` twin returning the one-sentence summary
shown under the chart.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.compress.distill import Comparison, GradientScale, Soft, mean_std
from neuralab.plots.format import pct
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, PURPLE, VERMILLION, figure, subplot_title

__all__ = [
    "compare_figure", "describe_compare", "describe_gradient", "describe_soft", "gradient_figure", "soft_figure",
]

CLASSES = [str(c) for c in range(10)]


def soft_figure(s: Soft) -> go.Figure:
    """The digit (left) and the teacher's probabilities at T = 1 and at T (right)."""
    data = [
        dict(type="heatmap", z=s.image, colorscale="Greys", showscale=False, xaxis="x", yaxis="y",
             hovertemplate="row %{y}, column %{x}<extra></extra>"),
        dict(type="bar", x=CLASSES, y=s.teacher_t1, name="T = 1 (ordinary softmax)", marker=dict(color=GREY),
             xaxis="x2", yaxis="y2", hovertemplate="class %{x}: %{y:.4f}<extra>T = 1</extra>"),
        dict(type="bar", x=CLASSES, y=s.teacher_t, name=f"T = {s.T:g}", marker=dict(color=BLUE),
             xaxis="x2", yaxis="y2", hovertemplate="class %{x}: %{y:.4f}<extra>T = " + f"{s.T:g}</extra>"),
    ]
    return figure(
        data, height=320, barmode="group",
        xaxis=dict(domain=[0, 0.2], visible=False, scaleanchor="y", constrain="domain"),
        yaxis=dict(visible=False, autorange="reversed", constrain="domain"),
        xaxis2=dict(domain=[0.3, 1], title="class", type="category", anchor="y2"),
        yaxis2=dict(title="teacher probability", range=[0, 1.02], anchor="x2"),
        legend=dict(x=0.3, y=1.02, orientation="h", yanchor="bottom"),
        annotations=[subplot_title(f"test digit #{s.index}, label {s.label}", 0.1)],
    )


def _runner_up(p: np.ndarray, label: int) -> int:
    q = p.copy()
    q[label] = -1
    return int(np.argmax(q))


def describe_soft(s: Soft) -> str:
    top = int(np.argmax(s.teacher_t1))
    r = _runner_up(s.teacher_t, top)
    return (f"For this {s.label}, the teacher gives class {top} {s.teacher_t1[top]:.1%} at T = 1 and "
            f"{s.teacher_t[top]:.1%} at T = {s.T:g}; the runner-up, {r}, rises from {s.teacher_t1[r]:.2%} to "
            f"{s.teacher_t[r]:.1%}, and the entropy from {s.entropy_t1:.2f} to {s.entropy_t:.2f} bits "
            f"(uniform: {np.log2(10):.2f}).")


def gradient_figure(g: GradientScale, T: float | None = None) -> go.Figure:
    data = [
        dict(type="scatter", x=g.T, y=g.plain, mode="lines+markers", name="KL alone", line=dict(color=VERMILLION),
             hovertemplate="T = %{x}: %{y:.3g}<extra>KL alone</extra>"),
        dict(type="scatter", x=g.T, y=g.scaled, mode="lines+markers", name="T² · KL", line=dict(color=BLUE),
             hovertemplate="T = %{x}: %{y:.3g}<extra>T² · KL</extra>"),
    ]
    shapes = [dict(type="line", xref="x domain", x0=0, x1=1, y0=g.hard, y1=g.hard, line=dict(color=GREEN, dash="dot"))]
    notes = [dict(text=f"hard-label CE: {g.hard:.3g}", xref="x domain", x=1, y=np.log10(g.hard), xanchor="right",
                  yanchor="bottom", showarrow=False, font=dict(size=11, color=GREEN))]
    if T is not None:
        shapes.append(dict(type="line", x0=T, x1=T, yref="y domain", y0=0, y1=1, line=dict(color=PURPLE, dash="dot")))
    return figure(data, height=340, shapes=shapes, annotations=notes, margin=dict(l=72, r=16, t=40, b=56),
                  xaxis=dict(title=dict(text="temperature T"), dtick=1, automargin=True),
                  yaxis=dict(title=dict(text="mean ‖∂loss/∂logits‖ (log)"), type="log", dtick=1,
                             exponentformat="power", automargin=True))


def describe_gradient(g: GradientScale, T: float) -> str:
    i = int(np.argmin(np.abs(g.T - T)))
    return (f"On an untrained student, the soft term's gradient falls from {g.plain[0]:.3g} at T = 1 to "
            f"{g.plain[-1]:.3g} at T = {g.T[-1]:g} ({g.plain[0] / g.plain[-1]:.0f}× smaller) without the factor; "
            f"with T² it stays between {g.scaled.min():.3g} and {g.scaled.max():.3g} ({g.scaled[i]:.3g} at "
            f"T = {g.T[i]:g}).")


def compare_figure(c: Comparison) -> go.Figure:
    arms = ["hard labels only", f"distilled (T = {c.T:g}, α = {c.alpha:g})"]
    data = []
    for i in range(len(c.seeds)):  # paired lines: one student seed, two losses
        data.append(dict(type="scatter", x=arms, y=[100 * c.hard[i], 100 * c.distilled[i]], mode="lines",
                         line=dict(color=GREY, width=1), showlegend=False, hoverinfo="skip"))
    for arm, vals, color in ((arms[0], c.hard, ORANGE), (arms[1], c.distilled, BLUE)):
        m, sd = mean_std(vals)
        data.append(dict(type="scatter", x=[arm] * len(vals), y=100 * vals, mode="markers", name=f"{arm}: seeds",
                         marker=dict(color=color, size=9, opacity=0.7), showlegend=False,
                         customdata=c.seeds, hovertemplate="seed %{customdata}: %{y:.1f}%<extra></extra>"))
        data.append(dict(type="scatter", x=[arm], y=[100 * m], mode="markers", name=f"{arm}: mean ± std",
                         marker=dict(color=color, size=16, symbol="line-ew-open", line=dict(width=3)),
                         error_y=dict(type="data", array=[100 * sd], color=color, thickness=2, width=12),
                         showlegend=False, hovertemplate="mean %{y:.2f}%<extra></extra>"))
    lo = 100 * min(c.hard.min(), c.distilled.min(), c.teacher) - 1.5
    shapes = [dict(type="line", xref="x domain", x0=0, x1=1, y0=100 * c.teacher, y1=100 * c.teacher,
                   line=dict(color=GREEN, dash="dot"))]
    notes = [dict(text=f"teacher {pct(c.teacher)} ({c.n_teacher:,} parameters)", xref="x domain", x=0,
                  y=100 * c.teacher, xanchor="left", yanchor="bottom", showarrow=False,
                  font=dict(size=11, color=GREEN))]
    return figure(data, height=360, shapes=shapes, annotations=notes,
                  xaxis=dict(title=f"student ({c.n_student} parameters), {len(c.seeds)} seeds each"),
                  yaxis=dict(title="test accuracy (%)", range=[lo, 100 * c.teacher + 1.2]))


def describe_compare(c: Comparison) -> str:
    mh, sh = mean_std(c.hard)
    md, sd = mean_std(c.distilled)
    gm, gs = mean_std(c.gain)
    wins = int((c.gain > 0).sum())
    return (f"Over {len(c.seeds)} seeds the student scores {100 * mh:.1f} ± {100 * sh:.1f}% on hard labels and "
            f"{100 * md:.1f} ± {100 * sd:.1f}% distilled at T = {c.T:g}, α = {c.alpha:g} (paired gain "
            f"{100 * gm:+.1f} ± {100 * gs:.1f} points, better on {wins} of {len(c.seeds)} seeds); the teacher, "
            f"{c.n_teacher // c.n_student}× larger, scores {pct(c.teacher)}.")
