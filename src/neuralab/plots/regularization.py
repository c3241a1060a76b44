"""Figures for the regularization page: L1 paths, weight histograms, λ and p sweeps, dropout masks, decay, stopping.

Each ``*_figure`` builder has a ``describe_*`` twin returning the one-sentence summary
under the chart. The two sweep figures draw the current slider position with
``*_marker(value)`` shapes, so a page can move the marker with a cheap patch
instead of retraining the sweep.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import Score, log_axis, pct, score
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, PURPLE, VERMILLION, figure, subplot_title
from neuralab.train.regularize import (
    KINDS,
    NEAR_ZERO,
    DecayComparison,
    DropoutRun,
    DropoutSweep,
    L1Paths,
    PenaltyComparison,
    PenaltySweep,
    Stopping,
)

__all__ = [
    "decay_figure", "decay_table", "describe_decay", "describe_dropout_sweep", "describe_histograms",
    "describe_l1_paths", "describe_masks", "describe_penalty_sweep", "describe_stopping", "dropout_marker",
    "dropout_sweep_figure", "histogram_figure", "l1_paths_figure", "lam_marker", "mask_figure",
    "penalty_sweep_figure", "penalty_table", "stopping_figure",
]

COLORS = {"none": GREY, "l2": BLUE, "l1": ORANGE, "elastic": GREEN, "l1_sub": PURPLE, "adam": VERMILLION,
          "adamw": BLUE}
MASK_UNITS = 40  # hidden units drawn in the mask picture (of 256)


def _cell(sc: Score, value: float) -> str:
    """A score in a table cell: accuracy as a percentage, R² to three decimals."""
    return pct(value) if sc.scale == 100 else f"{value:.3f}"


def _short(sc: Score) -> str:
    return "acc." if sc.scale == 100 else "R²"


# ----------------------------------------------------------------------------- L1: proximal against subgradient


def l1_paths_figure(paths: L1Paths) -> go.Figure:
    data = [
        dict(type="scatter", x=paths.steps, y=paths.subgradient, mode="lines+markers", name="subgradient step",
             line=dict(color=PURPLE), marker=dict(size=4)),
        dict(type="scatter", x=paths.steps, y=paths.prox, mode="lines+markers", name="proximal step",
             line=dict(color=ORANGE, width=3), marker=dict(size=5)),
    ]
    zero = dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=0, y1=0, line=dict(color=GREY, dash="dot"))
    return figure(data, height=300, shapes=[zero], xaxis=dict(title=dict(text="update")),
                  yaxis=dict(title=dict(text="weight w")), margin=dict(l=64, r=16, t=40, b=44))


def describe_l1_paths(paths: L1Paths) -> str:
    n_exact_prox = int((paths.prox == 0).sum())
    tail = np.abs(paths.subgradient[len(paths.subgradient) // 2:])
    first = int(np.argmax(paths.prox == 0)) if n_exact_prox else -1
    where = f"reaches exactly 0 at update {first} and stays" if first >= 0 else "never reaches 0 at this λ"
    return (f"With λ = {paths.lam:g} and step η = {paths.lr:g}, the proximal path {where}; the subgradient path "
            f"is exactly 0 at {int((paths.subgradient == 0).sum())} of {len(paths.steps)} updates and rattles with "
            f"|w| up to {tail.max():.2g} over the second half.")


# ----------------------------------------------------------------------------- weight histograms


def histogram_figure(cmp: PenaltyComparison) -> go.Figure:
    """One row per penalty: the nonzero weights binned, and the exact zeros as a separate bar at 0."""
    centers = (cmp.edges[:-1] + cmp.edges[1:]) / 2
    width = float(cmp.edges[1] - cmp.edges[0])
    n = len(cmp.runs)
    gap = 0.05
    height = (1 - gap * (n - 1)) / n
    data, notes, layout = [], [], {}
    for i, run in enumerate(cmp.runs):
        ax = "" if i == 0 else str(i + 1)
        top = 1 - i * (height + gap)
        data.append(dict(type="bar", x=centers, y=cmp.counts[i], width=width, name=run.label, showlegend=False,
                         marker=dict(color=COLORS[run.kind]), xaxis=f"x{ax}", yaxis=f"y{ax}",
                         hovertemplate="w ≈ %{x:.3f}: %{y} weights<extra>" + run.label + "</extra>"))
        data.append(dict(type="bar", x=[0.0], y=[run.n_zero], width=width, name="exactly 0", showlegend=i == 0,
                         marker=dict(color=VERMILLION),
                         xaxis=f"x{ax}", yaxis=f"y{ax}",
                         hovertemplate="exactly 0: %{y} weights<extra>" + run.label + "</extra>"))
        layout[f"yaxis{ax}"] = dict(domain=[max(0.0, round(top - height, 6)), round(top, 6)], anchor=f"x{ax}",
                                    rangemode="tozero",
                                    title=dict(text="count", font=dict(size=11)))
        layout[f"xaxis{ax}"] = dict(anchor=f"y{ax}", matches="x" if i else None, showticklabels=i == n - 1,
                                    title=dict(text="weight value w") if i == n - 1 else None)
        notes.append(dict(text=f"<b>{run.label}</b>: {run.n_zero:,} exact zeros ({pct(run.n_zero / run.n_weights)}), "
                               f"mean |w| {run.mean_abs:.3f}",
                          xref="paper", x=1, xanchor="right", yref="paper", y=top, yanchor="top", showarrow=False,
                          font=dict(size=12)))
    layout = {k: {kk: vv for kk, vv in v.items() if vv is not None} for k, v in layout.items()}
    return figure(data, height=130 * n + 80, annotations=notes, bargap=0, margin=dict(l=64, r=16, t=40, b=48),
                  legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0), **layout)


def describe_histograms(cmp: PenaltyComparison) -> str:
    none, l2, l1, sub = (cmp.run(k) for k in ("none", "l2", "l1", "l1_sub"))
    return (f"At λ = {cmp.lam:g}, L1 with the proximal step leaves {l1.n_zero:,} of {l1.n_weights:,} weights exactly "
            f"0 ({pct(l1.n_zero / l1.n_weights)}); the same L1 as a plain subgradient leaves {sub.n_zero:,} exact "
            f"zeros but {sub.n_near_zero:,} below {NEAR_ZERO:g}; L2 shrinks the mean |w| from {none.mean_abs:.3f} to "
            f"{l2.mean_abs:.3f} without zeroing any.")


def penalty_table(cmp: PenaltyComparison) -> tuple[list[str], list[list[str]]]:
    """(header, rows): every run's final numbers, as text for a table."""
    sc = score(cmp.runs[0].task)
    header = [f"penalty at λ = {cmp.lam:g}", f"train {_short(sc)}", f"val. {_short(sc)}", "gap", "train loss",
              "val. loss", "exactly 0", f"|w| < {NEAR_ZERO:g}", "mean |w|", "time"]
    rows = []
    for r in cmp.runs:
        label = r.label + (f" (α = {cmp.alpha:g})" if r.kind == "elastic" else "")
        gap = f"{100 * r.acc_gap:.1f} pts" if sc.scale == 100 else f"{r.acc_gap:.3f}"
        rows.append([label, _cell(sc, r.train_acc), _cell(sc, r.val_acc), gap, f"{r.train_loss:.3f}",
                     f"{r.val_loss:.3f}", f"{r.n_zero:,} ({pct(r.n_zero / r.n_weights)})", f"{r.n_near_zero:,}",
                     f"{r.mean_abs:.4f}", f"{r.seconds:.2f} s"])
    return header, rows


# ----------------------------------------------------------------------------- λ sweep


def lam_marker(lam: float) -> list[dict]:
    """Vertical lines at ``lam`` in both panels of :func:`penalty_sweep_figure`."""
    return [dict(type="line", xref=x, x0=lam, x1=lam, yref=f"{y} domain", y0=0, y1=1,
                 line=dict(color=GREY, dash="dot", width=2)) for x, y in (("x", "y"), ("x2", "y2"))]


def _score_axis(sc: Score) -> dict:
    """The score axis: accuracy from 0 to 100 %, R² up to 1 (from its lowest value, at least −1)."""
    return dict(title=dict(text=sc.axis)) | (dict(range=[0, 102]) if sc.scale == 100 else {})


def penalty_sweep_figure(sweep: PenaltySweep, lam: float) -> go.Figure:
    data, sc = [], score(sweep.reference.task)
    for i, kind in enumerate(sweep.kinds):
        color = COLORS[kind]
        data.append(dict(type="scatter", x=sweep.lams, y=sc.scale * sweep.val_acc[i], mode="lines+markers",
                         name=f"{KINDS[kind]}: validation", line=dict(color=color), legendgroup=kind))
        data.append(dict(type="scatter", x=sweep.lams, y=sc.scale * sweep.train_acc[i], mode="lines",
                         name=f"{KINDS[kind]}: training", line=dict(color=color, dash="dash", width=1.5),
                         legendgroup=kind))
        data.append(dict(type="scatter", x=sweep.lams, y=100 * sweep.zero_share[i], mode="lines+markers",
                         name=KINDS[kind], line=dict(color=color), legendgroup=kind, showlegend=False,
                         xaxis="x2", yaxis="y2"))
    ref = sc.scale * sweep.reference.val_acc
    data.append(dict(type="scatter", x=[sweep.lams[0], sweep.lams[-1]], y=[ref, ref], mode="lines",
                     name="no penalty: validation", line=dict(color=GREY, dash="dot")))
    lo, hi = math.log10(sweep.lams[0]), math.log10(sweep.lams[-1])
    return figure(
        data, height=420, shapes=lam_marker(lam),
        annotations=[subplot_title(sc.axis[0].upper() + sc.axis[1:], 0.23),
                     subplot_title("Weights exactly 0 (%)", 0.78)],
        xaxis=dict(domain=[0, 0.46], title=dict(text="λ (log scale)"), **log_axis(lo - 0.1, hi + 0.1)),
        yaxis=_score_axis(sc),
        xaxis2=dict(domain=[0.56, 1], anchor="y2", title=dict(text="λ (log scale)"), **log_axis(lo - 0.1, hi + 0.1)),
        yaxis2=dict(anchor="x2", title=dict(text="share of weights (%)"), range=[-2, 102]),
        legend=dict(orientation="h", yanchor="top", y=-0.2, x=0), margin=dict(l=64, r=16, t=40, b=120),
    )


def describe_penalty_sweep(sweep: PenaltySweep) -> str:
    sc = score(sweep.reference.task)
    best = np.unravel_index(np.argmax(sweep.val_acc), sweep.val_acc.shape)
    kind, lam = sweep.kinds[best[0]], sweep.lams[best[1]]
    l1 = sweep.kinds.index("l1")
    dead = sweep.lams[sweep.val_acc[l1] < 0.2]
    end = f"; from λ = {dead[0]:g}, L1 zeroes {pct(sweep.zero_share[l1][sweep.lams == dead[0]][0])} of the weights " \
          "and the network stops learning" if len(dead) else ""
    return (f"Without a penalty the network scores {_cell(sc, sweep.reference.train_acc)} on its training rows and "
            f"{_cell(sc, sweep.reference.val_acc)} on validation; the best validation {sc.name} in this sweep is "
            f"{_cell(sc, sweep.val_acc[best])}, with {KINDS[kind]} at λ = {lam:g}{end} "
            f"({len(sweep.kinds) * len(sweep.lams) + 1} trainings, {sweep.seconds:.1f} s of training in all).")


# ----------------------------------------------------------------------------- dropout


def mask_figure(run: DropoutRun) -> go.Figure:
    """Kept (blue) and dropped (pale) hidden units, update by update, for the first rows of each batch."""
    n_samples = run.masks.shape[1]
    steps = np.arange(1, run.masks.shape[0] + 1)
    units = np.arange(1, MASK_UNITS + 1)
    gap = 0.04
    w = (1 - gap * (n_samples - 1)) / n_samples
    data, layout, titles = [], {}, []
    for s in range(n_samples):
        ax = "" if s == 0 else str(s + 1)
        z = run.masks[:, s, :MASK_UNITS].T.astype(np.int8)  # (units, steps)
        data.append(dict(type="heatmap", x=steps, y=units, z=z, zmin=0, zmax=1, showscale=False, xgap=1, ygap=1,
                         colorscale=[[0, "rgba(128,128,128,0.15)"], [0.5, "rgba(128,128,128,0.15)"], [0.5, BLUE],
                                     [1, BLUE]], xaxis=f"x{ax}", yaxis=f"y{ax}",
                         hovertemplate="update %{x}, unit %{y}: %{z}<extra>1 kept, 0 dropped</extra>"))
        x0 = s * (w + gap)
        layout[f"xaxis{ax}"] = dict(domain=[round(x0, 6), min(1.0, round(x0 + w, 6))], anchor=f"y{ax}",
                                    title=dict(text="update"))
        layout[f"yaxis{ax}"] = dict(anchor=f"x{ax}", autorange="reversed", showticklabels=s == 0,
                                    title=dict(text="hidden unit") if s == 0 else None, matches="y" if s else None)
        titles.append(subplot_title(f"row {s + 1} of each batch", x0 + w / 2))
    layout = {k: {kk: vv for kk, vv in v.items() if vv is not None} for k, v in layout.items()}
    return figure(data, height=460, annotations=titles, margin=dict(l=64, r=16, t=40, b=44), **layout)


def describe_masks(run: DropoutRun) -> str:
    if run.p == 0:
        return "With p = 0 there is no dropout layer: every unit is kept at every update."
    exact = "exactly" if run.mismatch == 0 else f"to within {run.mismatch:.2g}"
    return (f"At p = {run.p:g}, torch zeroed {run.dropped:,} of {run.seen:,} hidden activations over the run "
            f"({pct(run.drop_share)}) and multiplied the kept ones by {run.scale:.4g} = 1/(1 − p); input × mask × "
            f"scale reproduces the layer's output {exact}.")


def dropout_marker(p: float) -> list[dict]:
    """Vertical lines at ``p`` in both panels of :func:`dropout_sweep_figure`."""
    return [dict(type="line", xref=x, x0=p, x1=p, yref=f"{y} domain", y0=0, y1=1,
                 line=dict(color=GREY, dash="dot", width=2)) for x, y in (("x", "y"), ("x2", "y2"))]


def dropout_sweep_figure(sweep: DropoutSweep, p: float) -> go.Figure:
    sc = score(sweep.task)
    data = [
        dict(type="scatter", x=sweep.ps, y=sc.scale * sweep.train_acc, mode="lines+markers", name="training",
             line=dict(color=BLUE, dash="dash")),
        dict(type="scatter", x=sweep.ps, y=sc.scale * sweep.val_acc, mode="lines+markers", name="validation",
             line=dict(color=ORANGE)),
        dict(type="scatter", x=sweep.ps, y=sweep.train_loss, mode="lines+markers", name="training", showlegend=False,
             line=dict(color=BLUE, dash="dash"), xaxis="x2", yaxis="y2"),
        dict(type="scatter", x=sweep.ps, y=sweep.val_loss, mode="lines+markers", name="validation", showlegend=False,
             line=dict(color=ORANGE), xaxis="x2", yaxis="y2"),
    ]
    return figure(
        data, height=380, shapes=dropout_marker(p), legend=dict(orientation="h", yanchor="top", y=-0.3, x=0),
        margin=dict(l=64, r=16, t=40, b=100),
        annotations=[subplot_title(sc.axis[0].upper() + sc.axis[1:], 0.23),
                     subplot_title(f"{sc.loss[0].upper() + sc.loss[1:]} ({sc.unit})", 0.78)],
        xaxis=dict(domain=[0, 0.46], title=dict(text="drop probability p")),
        yaxis=dict(title=dict(text=sc.axis)),
        xaxis2=dict(domain=[0.56, 1], anchor="y2", title=dict(text="drop probability p")),
        yaxis2=dict(anchor="x2", title=dict(text=f"loss ({sc.unit})"), rangemode="tozero"),
    )


def describe_dropout_sweep(sweep: DropoutSweep) -> str:
    gap, sc = sweep.val_loss - sweep.train_loss, score(sweep.task)
    i = int(np.argmin(sweep.val_loss))
    return (f"Validation loss is lowest at p = {sweep.ps[i]:g} ({sweep.val_loss[i]:.3f} {sc.unit}, against "
            f"{sweep.val_loss[0]:.3f} without dropout); the loss gap goes from {gap[0]:.3f} at p = 0 to "
            f"{gap[-1]:.3f} at p = {sweep.ps[-1]:g}, and validation {sc.name} ranges from "
            f"{_cell(sc, sweep.val_acc.min())} to {_cell(sc, sweep.val_acc.max())} ({len(sweep.ps)} trainings, "
            f"{sweep.seconds:.1f} s in all).")


# ----------------------------------------------------------------------------- Adam + L2 against AdamW


def decay_figure(dc: DecayComparison) -> go.Figure:
    data, sc = [], score(dc.runs[0].task)
    for run, norms in zip(dc.runs, dc.norms, strict=True):
        color = COLORS[run.kind]
        dash = "dot" if run.kind == "none" else None
        epochs = np.arange(len(norms))
        data.append(dict(type="scatter", x=epochs, y=run.history.val_loss, mode="lines", name=run.label,
                         line=dict(color=color, dash=dash), legendgroup=run.kind))
        data.append(dict(type="scatter", x=epochs, y=norms, mode="lines", name=run.label, showlegend=False,
                         line=dict(color=color, dash=dash), legendgroup=run.kind, xaxis="x2", yaxis="y2"))
    return figure(
        data, height=380, legend=dict(orientation="h", yanchor="top", y=-0.3, x=0),
        margin=dict(l=64, r=16, t=40, b=100),
        annotations=[subplot_title(f"Validation loss ({sc.unit})", 0.23), subplot_title("Weight norm ‖w‖₂", 0.78)],
        xaxis=dict(domain=[0, 0.46], title=dict(text="epoch")),
        yaxis=dict(title=dict(text=f"{sc.loss} ({sc.unit})"), type="log"),
        xaxis2=dict(domain=[0.56, 1], anchor="y2", title=dict(text="epoch")),
        yaxis2=dict(anchor="x2", title=dict(text="‖w‖₂"), rangemode="tozero"),
    )


def decay_table(dc: DecayComparison) -> tuple[list[str], list[list[str]]]:
    """(header, rows): each optimizer's final numbers, as text for a table."""
    sc = score(dc.runs[0].task)
    header = [f"weight_decay = {dc.decay:g}", f"train {_short(sc)}", f"val. {_short(sc)}", "train loss", "val. loss",
              "‖w‖₂"]
    rows = [[r.label, _cell(sc, r.train_acc), _cell(sc, r.val_acc), f"{r.train_loss:.3f}", f"{r.val_loss:.3f}",
             f"{r.norm:.2f}"] for r in dc.runs]
    return header, rows


def describe_decay(dc: DecayComparison) -> str:
    none, l2, w = dc.runs
    said = score(l2.task).said
    return (f"With the same weight_decay = {dc.decay:g}, Adam + L2 ends with ‖w‖₂ = {l2.norm:.2f} and validation loss "
            f"{l2.val_loss:.3f} ({said(l2.val_acc)}), AdamW with ‖w‖₂ = {w.norm:.2f} and {w.val_loss:.3f} "
            f"({said(w.val_acc)}); without decay, {none.norm:.2f} and {none.val_loss:.3f}.")


# ----------------------------------------------------------------------------- early stopping


def stopping_figure(st: Stopping) -> go.Figure:
    full, stopped = st.full, st.stopped
    epochs = np.arange(len(full.val_loss))
    data = [
        dict(type="scatter", x=epochs, y=full.train_loss, mode="lines", name="training loss (full run)",
             line=dict(color=BLUE, dash="dash", width=1.5)),
        dict(type="scatter", x=epochs, y=full.val_loss, mode="lines", name="validation loss (full run)",
             line=dict(color=GREY)),
        dict(type="scatter", x=np.arange(len(stopped.val_loss)), y=stopped.val_loss, mode="lines",
             name="validation loss (with patience)", line=dict(color=ORANGE, width=3)),
        dict(type="scatter", x=[st.best_epoch], y=[stopped.val_loss[st.best_epoch]], mode="markers+text",
             name="restored checkpoint", marker=dict(symbol="star", size=16, color=VERMILLION),
             text=[f"restored: epoch {st.best_epoch}"], textposition="bottom center",
             textfont=dict(color=VERMILLION, size=12)),
    ]
    stop = dict(type="line", xref="x", x0=st.stopped_epoch, x1=st.stopped_epoch, yref="y domain", y0=0, y1=1,
                line=dict(color=ORANGE, dash="dot"))
    unused = dict(type="rect", xref="x", x0=st.stopped_epoch, x1=epochs[-1], yref="y domain", y0=0, y1=1,
                  fillcolor="rgba(128,128,128,0.12)", line=dict(width=0), layer="below")
    note = dict(text=f"stopped after epoch {st.stopped_epoch}", xref="x", x=st.stopped_epoch, xanchor="left",
                yref="y domain", y=0.98, showarrow=False, font=dict(size=12))
    top = max(float(np.nanmax(full.val_loss[1:])), float(np.nanmax(full.train_loss[1:]))) * 1.15
    return figure(data, height=380, shapes=[unused, stop], annotations=[note],
                  xaxis=dict(title=dict(text="epoch")),
                  yaxis=dict(title=dict(text=f"{score(st.task).loss} ({score(st.task).unit})"), range=[0, top]))


def describe_stopping(st: Stopping) -> str:
    sc = score(st.task)
    what = "labels scrambled" if sc.scale == 100 else "targets swapped for other rows'"
    return (f"With patience {st.patience} and {100 * st.label_noise:.0f}% of training {what}, training "
            f"stopped after epoch {st.stopped_epoch} of {len(st.full.val_loss) - 1} and restored epoch "
            f"{st.best_epoch}: "
            f"validation loss {st.restored_val[0]:.3f}, {sc.name} {_cell(sc, st.restored_val[1])}, against "
            f"{st.final_val[0]:.3f} and {_cell(sc, st.final_val[1])} after the full run.")
