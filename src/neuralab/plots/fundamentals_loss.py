"""Figures for /fundamentals' loss pairing: a mistake's training run against the correct one, and Huber's δ."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.basics.pairing import OPTIMIZERS, HuberSweep, MistakeRun, first_step
from neuralab.plots.format import log_axis, num, pct, vline
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, VERMILLION, figure

__all__ = ["curves_figure", "describe_curves", "describe_detail", "describe_grads", "describe_huber",
           "detail_figure", "grads_figure", "huber_figure"]

LEGEND = dict(orientation="h", y=1.02, yanchor="bottom", x=0)
MARGIN = dict(l=64, r=16, t=60, b=44)
WRONG, RIGHT = VERMILLION, BLUE


def _log_range(*arrays: np.ndarray) -> tuple[float, float]:
    v = np.concatenate([np.asarray(a, float).ravel() for a in arrays])
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return -3.0, 1.0
    return math.log10(v.min()) - 0.05, math.log10(v.max()) + 0.05


def _lines(r: MistakeRun, what: str, unit: str) -> list[dict]:
    steps = list(range(1, r.steps + 1))
    return [dict(type="scatter", x=steps, y=np.asarray(getattr(run, what), float).tolist(), mode="lines",
                 name=("mistake: " if wrong else "correct: ") + run.label, line=dict(color=c, width=2),
                 hovertemplate=f"step %{{x}}: %{{y:.3g}}{unit}<extra></extra>")
            for run, c, wrong in ((r.wrong, WRONG, True), (r.right, RIGHT, False))]


def curves_figure(r: MistakeRun) -> go.Figure:
    """Training loss per step (log axis), mistake against correct pairing, with the mistake's floor when it has one."""
    data = _lines(r, "loss", "")
    shapes, notes = [], []
    lo, hi = _log_range(r.wrong.loss, r.right.loss)
    if math.isfinite(r.floor):
        shapes.append(dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=r.floor, y1=r.floor,
                           line=dict(color=WRONG, dash="dot", width=1.5)))
        notes.append(dict(x=1, xref="x domain", y=math.log10(r.floor), yref="y", xanchor="right", yanchor="bottom",
                          text=f"lowest loss the mistake can reach: {num(r.floor)}", showarrow=False,
                          font=dict(color=WRONG, size=11)))
    title = "training loss" if r.classification else "training loss (each run its own, targets in std units)"
    return figure(data, height=340, legend=LEGEND, margin=MARGIN, shapes=shapes, annotations=notes,
                  xaxis=dict(title=dict(text="full-batch update")), yaxis=log_axis(lo, hi, title=dict(text=title)))


def _reached(run, level: float) -> str:
    step = first_step(run.train_score, level)
    return f"step {step}" if step else "never"


def describe_curves(r: MistakeRun) -> str:
    w, c = r.wrong, r.right
    head = (f"Trained on {r.dataset}, {OPTIMIZERS[r.optimizer]}, {r.steps} steps, same initial weights. "
            f"Final training loss: {num(w.loss[-1])} with the mistake, {num(c.loss[-1])} correct")
    if not r.classification:
        return (f"{head} (different losses, so compare the errors: train MAE {num(w.train_score[-1])} ms against "
                f"{num(c.train_score[-1])} ms; the mean test error, prediction minus target, is "
                f"{num(w.test_score)} ms against {num(c.test_score)} ms).")
    floor = f"; the mistake cannot go below {num(r.floor)}" if math.isfinite(r.floor) else ""
    return (f"{head}{floor}. Train accuracy reached 90% at {_reached(w, 0.9)} with the mistake and "
            f"{_reached(c, 0.9)} correct; test accuracy {pct(w.test_score)} against {pct(c.test_score)}.")


def _ratio(a: float, b: float) -> str:
    if not (a > 0 and b > 0):
        return "not comparable"
    return f"{num(b / a)} times smaller" if a < b else f"{num(a / b)} times larger"


def grads_figure(r: MistakeRun) -> go.Figure:
    """Mean per-sample gradient norm at the output layer per step (log axis), both runs."""
    lo, hi = _log_range(r.wrong.grad_norm, r.right.grad_norm)
    return figure(_lines(r, "grad_norm", ""), height=340, legend=LEGEND, margin=MARGIN,
                  xaxis=dict(title=dict(text="full-batch update")),
                  yaxis=log_axis(lo, hi, title=dict(text="‖∂loss/∂output‖ per sample (mean)")))


def describe_grads(r: MistakeRun) -> str:
    w, c = r.wrong.grad_norm, r.right.grad_norm
    first = (f"At the first step the gradient at the output is {num(w[0])} per sample with the mistake and "
             f"{num(c[0])} with the correct pairing ({_ratio(w[0], c[0])})")
    if not r.classification:
        return (f"{first}. The MAE gradient is ±1 for every sample however close the fit (mean {num(w[-1])} at "
                f"the last step), the MSE gradient is twice the error ({num(c[-1])} at the last step).")
    return (f"{first}; halfway, at step {r.steps // 2}: {num(w[r.steps // 2 - 1])} against "
            f"{num(c[r.steps // 2 - 1])}. With SGD a step is proportional to the gradient; Adam divides it by "
            "its running size, which hides a uniform shrink but not the floor.")


def detail_figure(r: MistakeRun) -> go.Figure:
    """Classification: one sample's gradient against its logit; regression: where each run's prediction lands."""
    if r.skew is None:
        g = r.curve
        data = [dict(type="scatter", x=g.x.tolist(), y=y.tolist(), mode="lines", name=name,
                     line=dict(color=c, width=2), hovertemplate="%{x:.1f}: %{y:.3g}<extra></extra>")
                for y, name, c in ((g.wrong, "mistake: " + r.wrong.label, WRONG),
                                   (g.right, "correct: " + r.right.label, RIGHT))]
        return figure(data, height=340, legend=LEGEND, margin=MARGIN,
                      xaxis=dict(title=dict(text=f"{g.x_label} ({g.setting})")),
                      yaxis=dict(title=dict(text="∂loss/∂logit, one sample")))
    s = r.skew
    jitter = (np.random.default_rng(0).random(s.level.size) - 0.5) * 6
    data = [dict(type="scatter", x=(s.level + jitter).tolist(), y=s.y.tolist(), mode="markers", name="settle times",
                 marker=dict(color=GREY, size=4, opacity=0.35), hoverinfo="skip")]
    for y, name, c, sym in ((s.mean, "mean of the data", GREEN, "line-ew"),
                            (s.median, "median of the data", ORANGE, "line-ew"),
                            (r.right.prediction, "MSE run's prediction", RIGHT, "circle"),
                            (r.wrong.prediction, "MAE run's prediction", WRONG, "diamond")):
        wide = sym == "line-ew"
        data.append(dict(type="scatter", x=s.levels.tolist(), y=np.asarray(y, float).tolist(), mode="markers",
                         name=name, marker=dict(color=c, symbol=sym, size=28 if wide else 10,
                                                line=dict(color=c, width=3 if wide else 1)),
                         hovertemplate=f"{name}, load %{{x}}%: %{{y:.2f}} ms<extra></extra>"))
    top = float(np.quantile(s.y, 0.98)) * 1.1
    return figure(data, height=360, legend=LEGEND, margin=MARGIN,
                  xaxis=dict(title=dict(text="load level (% of rated)"), tickvals=s.levels.tolist()),
                  yaxis=dict(title=dict(text="settle time (ms)"), range=[0, top]))


def describe_detail(r: MistakeRun) -> str:
    if r.skew is not None:
        s = r.skew
        return (f"At full load the training data's median is {num(s.median[-1])} ms and its mean "
                f"{num(s.mean[-1])} ms; the MAE run predicts {num(r.wrong.prediction[-1])} ms and the MSE run "
                f"{num(r.right.prediction[-1])} ms. At 20% load: median {num(s.median[0])}, mean {num(s.mean[0])}, "
                f"MAE {num(r.wrong.prediction[0])}, MSE {num(r.right.prediction[0])} ms.")
    g = r.curve
    i = int(np.argmin(np.abs(g.x + 6)))
    j = int(np.argmin(np.abs(g.x)))
    return (f"Computed by autograd ({g.setting}): at a logit of {num(g.x[i])}, confidently wrong, the correct "
            f"pairing's gradient is {num(g.right[i])} and the mistake's {num(g.wrong[i])}; at 0 they are "
            f"{num(g.right[j])} and {num(g.wrong[j])}.")


def huber_figure(h: HuberSweep) -> go.Figure:
    """The constant each loss fits to the full-load settle times, against Huber's δ (log axis)."""
    data = [dict(type="scatter", x=h.deltas.tolist(), y=h.estimates.tolist(), mode="lines", name="Huber estimate",
                 line=dict(color=BLUE, width=2), hovertemplate="δ = %{x:.3g} ms: %{y:.2f} ms<extra></extra>"),
            dict(type="scatter", x=[h.delta], y=[h.estimate], mode="markers", name=f"δ = {num(h.delta)} ms",
                 marker=dict(color=BLUE, size=11), hovertemplate="%{y:.2f} ms<extra></extra>")]
    shapes = [dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=v, y1=v, line=dict(color=c, dash="dot"))
              for v, c in ((h.mean, GREEN), (h.median, ORANGE))]
    notes = [dict(x=0, xref="x domain", y=v, yref="y", xanchor="left", yanchor="bottom", showarrow=False, text=t,
                  font=dict(color=c, size=11))
             for v, c, t in ((h.mean, GREEN, f"mean {num(h.mean)} ms (MSE)"),
                             (h.median, ORANGE, f"median {num(h.median)} ms (MAE)"))]
    shapes.append(vline(h.delta, GREY))
    lo, hi = math.log10(h.deltas[0]), math.log10(h.deltas[-1])
    return figure(data, height=320, legend=LEGEND, margin=MARGIN, shapes=shapes, annotations=notes,
                  xaxis=log_axis(lo, hi, title=dict(text="Huber δ (ms)")),
                  yaxis=dict(title=dict(text="best constant prediction (ms)")))


def describe_huber(h: HuberSweep) -> str:
    return (f"{h.y.size} settle times at {h.level:g}% load: MSE's best constant is their mean, {num(h.mean)} ms; "
            f"MAE's is their median, {num(h.median)} ms; Huber with δ = {num(h.delta)} ms gives "
            f"{num(h.estimate)} ms (δ = {num(h.deltas[0])} ms: {num(h.estimates[0])}, "
            f"δ = {num(h.deltas[-1])} ms: {num(h.estimates[-1])}).")
