"""Figures of /fundamentals' debugging part: the tiny-batch overfit test."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.basics.debug import BUGS, PASS_LOSS, Overfit
from neuralab.plots.format import log_axis, num, pct
from neuralab.plots.theme import BLUE, GREEN, GREY, VERMILLION, figure, subplot_title

__all__ = ["describe_overfit", "overfit_figure"]

_FLOOR = 1e-8  # losses below this are drawn at it (a log axis has no zero)


def _range(values: np.ndarray, extra: tuple[float, ...] = ()) -> tuple[float, float]:
    v = np.concatenate([values[np.isfinite(values)], np.asarray(extra, dtype=float)])
    v = np.maximum(v[v > 0] if np.any(v > 0) else np.array([1.0]), _FLOOR)
    return math.log10(v.min()) - 0.15, math.log10(v.max()) + 0.15


def overfit_figure(r: Overfit) -> go.Figure:
    """Training loss (log scale) with the pass threshold and the constant-prediction level; gradient norm."""
    steps = np.arange(r.steps + 1)
    color = BLUE if r.passed else VERMILLION
    traces = [
        dict(type="scatter", x=steps, y=np.maximum(r.loss, _FLOOR), mode="lines", name="training loss",
             line=dict(color=color, width=2), customdata=r.loss,
             hovertemplate="step %{x}: loss %{customdata:.3g}<extra></extra>"),
        dict(type="scatter", x=steps[:-1], y=np.maximum(r.grad_norm, _FLOOR), mode="lines", name="gradient norm",
             line=dict(color=GREY, width=1.5), xaxis="x2", yaxis="y2", customdata=r.grad_norm,
             hovertemplate="step %{x}: ‖g‖ %{customdata:.3g}<extra></extra>"),
    ]
    if r.classes:
        traces.append(dict(type="scatter", x=steps, y=r.accuracy * 100, mode="lines", name="batch accuracy (%)",
                           line=dict(color=GREEN, width=1.5, dash="dot"), yaxis="y3",
                           hovertemplate="step %{x}: %{y:.0f}% right<extra></extra>"))
    shapes = [
        dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=PASS_LOSS, y1=PASS_LOSS,
             line=dict(color=GREEN, dash="dash")),
        dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=r.baseline, y1=r.baseline,
             line=dict(color=GREY, dash="dot")),
    ]
    notes = [
        subplot_title("Training loss on the tiny batch (log scale)", 0.24),
        subplot_title("Gradient norm (log scale)", 0.79),
        dict(text=f"pass below {PASS_LOSS:g}", xref="x domain", x=1, yref="y", y=math.log10(PASS_LOSS),
             xanchor="right", yanchor="top", showarrow=False, font=dict(size=11)),
        dict(text="constant prediction", xref="x domain", x=1, yref="y", y=math.log10(max(r.baseline, _FLOOR)),
             xanchor="right", yanchor="bottom", showarrow=False, font=dict(size=11)),
    ]
    unit = "nats" if r.classes else "squared std"
    layout = dict(
        height=340, legend=dict(y=1.12), margin=dict(t=64), shapes=shapes, annotations=notes,
        xaxis=dict(domain=[0, 0.44], title=dict(text="step")),
        yaxis=log_axis(*_range(r.loss, (PASS_LOSS, r.baseline)), title=dict(text=f"loss ({unit})")),
        xaxis2=dict(domain=[0.58, 1], anchor="y2", title=dict(text="step")),
        yaxis2=log_axis(*_range(r.grad_norm), anchor="x2", title=dict(text="‖gradient‖")),
    )
    if r.classes:
        layout["yaxis3"] = dict(overlaying="y", side="right", range=[0, 102], showgrid=False, anchor="x",
                                tickvals=[0, 50, 100], ticksuffix="%")
    return figure(traces, **layout)


def describe_overfit(r: Overfit) -> str:
    """One sentence: passed or not, the final loss, the steps to pass, and what went wrong if it did."""
    bug = "no planted bug" if r.bug == "none" else f"planted bug: {BUGS[r.bug].lower()}"
    head = f"{r.samples} samples, {r.params} weights, {bug}. "
    if r.diverged:
        last = int(np.flatnonzero(np.isfinite(r.loss))[-1])
        return (head + f"Failed: the loss stopped being a finite number after step {last} "
                f"(last finite value {num(r.final_loss)}; largest gradient norm {num(float(np.nanmax(r.grad_norm)))}).")
    acc = f", {pct(float(r.accuracy[-1]))} of the batch right" if r.classes else ""
    if r.passed:
        return head + (f"Passed: loss below {PASS_LOSS:g} after {r.steps_to_pass} steps; final loss "
                       f"{num(r.final_loss)}{acc}.")
    where = (f" It met the threshold at step {r.steps_to_pass} but did not stay there."
             if r.steps_to_pass is not None else "")
    return head + (f"Failed: final loss {num(r.final_loss)} after {r.steps} steps{acc}, against "
                   f"{num(r.baseline)} for the best constant prediction and a pass threshold of {PASS_LOSS:g}."
                   + where)
