"""Figures for /recurrent's training choices: truncated BPTT, the loss's targets, bidirectional, teacher forcing."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.nn.recurrent import ARCHS
from neuralab.plots.format import log_axis, num, vline
from neuralab.plots.theme import BLUE, COLORWAY, GREEN, GREY, ORANGE, VERMILLION, figure
from neuralab.train.choices import Bidirectional, Targets, TbpttSweep, Teacher

__all__ = ["bidirectional_figure", "describe_bidirectional", "describe_tbptt", "describe_tbptt_curves",
           "describe_targets", "describe_targets_steps", "describe_teacher", "targets_figure",
           "targets_steps_figure", "tbptt_curves_figure", "tbptt_figure", "teacher_figure"]

TARGETS = ("loss on the last step (sequence-to-one)", "loss on every step (sequence-to-sequence)")
TEACHER = ("teacher-forced training, run with the true previous temperature",
           "teacher-forced training, run free (its own previous prediction)",
           "free-running training, run free")
LEGEND = dict(orientation="h", y=1.02, yanchor="bottom", x=0)
MARGIN = dict(l=64, r=16, t=60, b=44)


def _label(x: float, text: str, color: str) -> dict:
    """A note above the plot at ``x`` on a log x axis (annotations sit in log10 units there; shapes do not)."""
    return dict(x=math.log10(x), y=1.0, xref="x", yref="paper", text=text, showarrow=False, yanchor="bottom",
                font=dict(color=color, size=11))


def _log_range(values: np.ndarray) -> tuple[float, float]:
    """log10 range around the finite values (1–100 K when there are none)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return 0.0, 2.0
    return math.log10(v.min()) - 0.05, math.log10(v.max()) + 0.05


def _diverged(runs) -> str:
    said = [r for r in runs if r]
    return (" " + " ".join(said)) if said else ""


def tbptt_figure(s: TbpttSweep) -> go.Figure:
    """Test RMSE against chunk length (log axis), with the winding's and the stator's time constants marked."""
    ks, err = s.ks, s.test_rmse_k
    ok = np.isfinite(err)
    lo, hi = math.log10(min(ks.min(), s.tau_winding)) - 0.1, math.log10(max(ks.max(), s.tau_stator)) + 0.1
    data = [dict(type="scatter", x=ks[ok].tolist(), y=err[ok].tolist(), mode="lines+markers", name="test RMSE",
                 marker=dict(size=9, color=BLUE), line=dict(color=BLUE),
                 hovertemplate="chunk of %{x} steps: %{y:.2f} K<extra></extra>")]
    shapes = [vline(s.tau_winding, ORANGE), vline(s.tau_stator, VERMILLION), vline(s.steps, GREY, dash="dash")]
    notes = [_label(s.tau_winding, f"winding τ {num(s.tau_winding)}", ORANGE),
             _label(s.tau_stator, f"stator τ {num(s.tau_stator)}", VERMILLION),
             _label(s.steps, "whole cycle", GREY)]
    return figure(data, height=360, shapes=shapes, annotations=notes, showlegend=False,
                  xaxis=log_axis(lo, hi, title=dict(text="BPTT chunk length k (steps of 10 s)")),
                  yaxis=dict(title=dict(text="test RMSE (K)"), rangemode="tozero"), margin=MARGIN)


def describe_tbptt(s: TbpttSweep) -> str:
    finite = np.isfinite(s.test_rmse_k)
    best = (f"The best is k = {s.runs[int(np.nanargmin(s.test_rmse_k))].k}, from one training per k: "
            "another seed can reorder chunk lengths whose errors are close" if finite.any()
            else "No chunk length gave a finite error")
    parts = ", ".join(f"k = {r.k}: {num(r.test_rmse_k)} K in {r.updates} updates ({num(r.seconds)} s)"
                      for r in s.runs)
    return (f"{ARCHS[s.cell].label}, 16 units, test RMSE over every step of the 7 test cycles: {parts}. {best}. The "
            f"thermal model's single-node time constants are {num(s.tau_winding)} steps (winding, C_W·R_WS) and "
            f"{num(s.tau_stator)} steps (stator iron, C_S·R_SC).{_diverged(r.diverged for r in s.runs)}")


def tbptt_curves_figure(s: TbpttSweep) -> go.Figure:
    """Validation RMSE after each epoch, one line per chunk length."""
    data = []
    for r, color in zip(s.runs, COLORWAY, strict=False):
        y = np.asarray(r.val_rmse_k, float)
        data.append(dict(type="scatter", x=list(range(len(y))), y=np.where(np.isfinite(y), y, None).tolist(),
                         mode="lines", name=f"k = {r.k}", line=dict(color=color, width=2),
                         hovertemplate=f"k = {r.k}, epoch %{{x}}: %{{y:.2f}} K<extra></extra>"))
    lo, hi = _log_range(np.concatenate([np.asarray(r.val_rmse_k, float) for r in s.runs]))
    return figure(data, height=340, legend=LEGEND, margin=MARGIN, xaxis=dict(title=dict(text="epoch")),
                  yaxis=log_axis(lo, hi, title=dict(text="validation RMSE (K)")))


def describe_tbptt_curves(s: TbpttSweep) -> str:
    per = s.runs[0].updates // max(len(s.runs[0].val_rmse_k) - 1, 1)
    return (f"Each epoch is one pass over the 22 training cycles: with k = {s.runs[0].k} that is {per} updates, "
            f"with the whole cycle {s.runs[-1].updates // max(len(s.runs[-1].val_rmse_k) - 1, 1)}. A shorter chunk "
            "updates more often, and each update looks back over fewer steps.")


def targets_figure(t: Targets) -> go.Figure:
    """Last-step validation RMSE after each epoch for both trainings."""
    data = []
    for j, color in enumerate((ORANGE, BLUE)):
        y = t.val_last_k[j]
        data.append(dict(type="scatter", x=list(range(len(y))), y=np.where(np.isfinite(y), y, None).tolist(),
                         mode="lines", name=TARGETS[j], line=dict(color=color, width=2),
                         hovertemplate="epoch %{x}: %{y:.2f} K<extra></extra>"))
    lo, hi = _log_range(t.val_last_k)
    return figure(data, height=340, legend=LEGEND, margin=MARGIN, xaxis=dict(title=dict(text="epoch")),
                  yaxis=log_axis(lo, hi, title=dict(text="RMSE at the last step, validation (K)")))


def describe_targets(t: Targets) -> str:
    a, b = t.test_last_k
    return (f"Both trainings took {t.updates} updates with the same batches. At the last step of the "
            f"{t.cycles} test cycles the sequence-to-one network is off by {num(a)} K (RMSE), the "
            f"sequence-to-sequence one by {num(b)} K; training took {num(t.seconds[0])} s and "
            f"{num(t.seconds[1])} s.{_diverged(t.diverged)}")


def targets_steps_figure(t: Targets) -> go.Figure:
    """RMSE over the test cycles at each step, for both trainings."""
    x = list(range(1, t.test_step_k.shape[1] + 1))
    data = [dict(type="scatter", x=x, y=t.test_step_k[j].tolist(), mode="lines", name=TARGETS[j],
                 line=dict(color=c, width=2), hovertemplate="step %{x}: %{y:.2f} K<extra></extra>")
            for j, c in enumerate((ORANGE, BLUE))]
    return figure(data, height=340, legend=LEGEND, margin=MARGIN,
                  xaxis=dict(title=dict(text="step of the test cycle (10 s each)")),
                  yaxis=dict(title=dict(text="test RMSE at that step (K)"), rangemode="tozero"))


def describe_targets_steps(t: Targets) -> str:
    mid = t.test_step_k.shape[1] // 2
    return (f"Halfway through the test cycles (step {mid}) the sequence-to-one network is off by "
            f"{num(t.test_step_k[0, mid - 1])} K and the sequence-to-sequence one by {num(t.test_step_k[1, mid - 1])} "
            "K: the first was only ever asked about the last step.")


def bidirectional_figure(b: Bidirectional) -> go.Figure:
    """Largest change of the estimate at t when only the inputs after t are replaced: causal and bidirectional."""
    x = list(range(1, b.change_k.shape[1] + 1))
    data = [dict(type="scatter", x=x, y=b.change_k[j].tolist(), mode="lines", name=name,
                 line=dict(color=c, width=2), hovertemplate="step %{x}: %{y:.3g} K<extra></extra>")
            for j, (name, c) in enumerate((("causal", BLUE), ("bidirectional", VERMILLION)))]
    return figure(data, height=340, legend=LEGEND, margin=MARGIN,
                  xaxis=dict(title=dict(text="step t of the test cycle")),
                  yaxis=dict(title=dict(text="largest change of the estimate at t (K)"), rangemode="tozero"))


def describe_bidirectional(b: Bidirectional) -> str:
    c, bi = b.test_rmse_k
    verdict = ("reading the future helped here" if bi < c else
               "reading the future did not help here" if bi > c else "no difference here")
    return (f"Offline, over every step of the test cycles: causal {num(c)} K, bidirectional "
            f"{num(bi)} K ({verdict}; {b.params[0]:,} and {b.params[1]:,} parameters). Replacing only the inputs "
            f"after step t moves the bidirectional estimate at t by up to {num(b.change_k[1].max())} K and the "
            f"causal one by {num(b.change_k[0].max())} K. Given only the samples up to t, as a drive would, the "
            f"bidirectional network's error is {num(b.live_rmse_k)} K.{_diverged(b.diverged)}")


def teacher_figure(t: Teacher) -> go.Figure:
    """RMSE at each step over the test cycles for the three runs."""
    x = list(range(1, t.step_k.shape[1] + 1))
    data = [dict(type="scatter", x=x, y=t.step_k[j].tolist(), mode="lines", name=TEACHER[j],
                 line=dict(color=c, width=2, dash=d), hovertemplate="step %{x}: %{y:.2f} K<extra></extra>")
            for j, (c, d) in enumerate(((GREY, "dot"), (ORANGE, "solid"), (GREEN, "solid")))]
    return figure(data, height=360, legend=dict(LEGEND, y=1.02), margin=dict(MARGIN, t=80),
                  xaxis=dict(title=dict(text="step of the test cycle (10 s each)")),
                  yaxis=dict(title=dict(text="test RMSE at that step (K)"), rangemode="tozero"))


def describe_teacher(t: Teacher) -> str:
    q = t.step_k.shape[1] // 4
    return (f"Teacher-forced training, run with the true previous temperature: {num(t.rmse_k[0])} K over every "
            f"step. The same network run free: {num(t.step_k[1, q - 1])} K at step {q}, "
            f"{num(t.step_k[1, -1])} K at the last step ({num(t.rmse_k[1])} K over every step). Trained free: "
            f"{num(t.step_k[2, q - 1])} K at step {q}, {num(t.step_k[2, -1])} K at the last step "
            f"({num(t.rmse_k[2])} K over every step). Training took {num(t.seconds[0])} s forced and "
            f"{num(t.seconds[1])} s free.{_diverged(t.diverged)}")
