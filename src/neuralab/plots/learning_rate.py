"""Figures for the learning-rate page: a schedule's shape, schedules on a real run, the range test, scaling.

Each ``*_figure`` builder has a ``describe_*`` twin: the one-sentence summary of the
real numbers that sits under the chart. Traces are plain dicts wrapped once by
:func:`neuralab.plots.theme.figure` (a slider drag cannot afford plotly's validation).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import log_axis, num, score, vline
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, PURPLE, SKY, VERMILLION, YELLOW, figure, subplot_title
from neuralab.train.lr import (
    BASE_BATCH,
    Comparison,
    Curve,
    RangeTest,
    Scaling,
    ScheduleRun,
)
from neuralab.train.optimizers import OPTIMIZERS
from neuralab.train.schedules import PLATEAU_FACTOR, PLATEAU_PATIENCE, SCHEDULES

__all__ = [
    "check_figure", "comparison_figure", "curve_figure", "describe_check", "describe_comparison", "describe_curve",
    "describe_range", "describe_scaling", "range_figure", "scaling_figure",
]

#: One colour and dash per schedule (nine schedules, eight palette colours: the last is dotted grey).
STYLE: dict[str, tuple[str, str]] = {
    "constant": (GREY, "solid"),
    "step": (VERMILLION, "solid"),
    "exponential": (ORANGE, "solid"),
    "cosine": (BLUE, "solid"),
    "warmup_cosine": (SKY, "solid"),
    "sgdr": (GREEN, "solid"),
    "plateau": (PURPLE, "solid"),
    "cyclical": (YELLOW, "dash"),
    "one_cycle": (BLUE, "dot"),
}
#: Short legend names.
SHORT = {"constant": "constant", "step": "step", "exponential": "exponential", "cosine": "cosine",
         "warmup_cosine": "warm-up + cosine", "sgdr": "SGDR", "plateau": "plateau", "cyclical": "cyclical",
         "one_cycle": "one-cycle"}
PICKS = {"min / 10": GREEN, "steepest": BLUE, "minimum": VERMILLION}


# ----------------------------------------------------------------------------- the shape


def curve_figure(c: Curve) -> go.Figure:
    """LR against epoch for one schedule, on a linear axis from 0, with the initial LR as a dashed line."""
    epochs = np.arange(1, c.epochs + 1)
    trace = dict(type="scatter", x=epochs, y=c.values, mode="lines", name=SCHEDULES[c.schedule],
                 line=dict(color=ORANGE, width=3, shape="hv" if c.schedule in ("step", "plateau") else None),
                 hovertemplate="epoch %{x}: LR %{y:.4g}<extra></extra>")
    top = max(float(c.values.max()), c.lr)
    start = dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=c.lr, y1=c.lr,
                 line=dict(color=GREY, dash="dash", width=1))
    note = dict(text=f"initial LR {c.lr:.3g}", xref="x domain", x=1, yref="y", y=c.lr, xanchor="right",
                yanchor="bottom", showarrow=False, font=dict(size=11))
    return figure([trace], height=300, showlegend=False, shapes=[start], annotations=[note], margin=dict(t=20),
                  xaxis=dict(title=dict(text="epoch"), range=[0.5, c.epochs + 0.5]),
                  yaxis=dict(title=dict(text="learning rate"), range=[0, top * 1.12], exponentformat="e"))


def describe_curve(c: Curve) -> str:
    v = c.values
    first = f"{SCHEDULES[c.schedule]} over {c.epochs} epochs from {num(c.lr)}: "
    if v.min() == v.max():
        return first + f"the LR stays at {num(v[0])} throughout."
    span = (f"the LR runs between {num(v.min())} and {num(v.max())}, ends at {num(v[-1])} "
            f"({v[-1] / c.lr * 100:.3g}% of the initial LR), and averages {num(v.mean())}.")
    if c.schedule == "plateau":
        return (first + span + f" Drawn for a validation loss that never improves, so it falls ×{PLATEAU_FACTOR:g} "
                f"each time {PLATEAU_PATIENCE + 1} epochs pass without a new best: as fast as it can. "
                "The real runs below show when it actually fires.")
    return first + span


# ----------------------------------------------------------------------------- the real runs


def comparison_figure(cmp: Comparison) -> go.Figure:
    """LR used (top, log) and validation loss (bottom) against epoch, one line per schedule."""
    traces, sc = [], score(cmp.task)
    for r in cmp.runs:
        color, dash = STYLE[r.schedule]
        name = SHORT[r.schedule]
        ep_lr = np.arange(1, len(r.lr) + 1)
        ep = np.arange(len(r.val_loss))
        traces += [
            dict(type="scatter", x=ep_lr, y=r.lr, mode="lines", name=name, legendgroup=r.schedule, showlegend=False,
                 line=dict(color=color, dash=dash, width=1.5), hovertemplate=f"{name}, epoch %{{x}}: LR %{{y:.3g}}"
                 "<extra></extra>"),
            dict(type="scatter", x=ep, y=r.val_loss, mode="lines", name=name, legendgroup=r.schedule,
                 line=dict(color=color, dash=dash, width=2), xaxis="x2", yaxis="y2",
                 customdata=np.stack([r.val_acc * sc.scale, r.train_loss], axis=-1),
                 hovertemplate=f"{name}, epoch %{{x}}: validation loss %{{y:.3f}}, {sc.hover.format('customdata[0]')}, "
                 "training loss %{customdata[1]:.3f}<extra></extra>"),
        ]
    lrs = np.concatenate([r.lr for r in cmp.runs])
    lrs = lrs[np.isfinite(lrs) & (lrs > 0)]
    lr_lo, lr_hi = math.log10(max(lrs.min(), cmp.lr * 1e-6)) - 0.1, math.log10(lrs.max()) + 0.1
    low, top = _loss_window(cmp)
    return figure(
        traces,
        height=620,
        legend=dict(y=1.06),
        margin=dict(t=70),
        annotations=[subplot_title("Learning rate used in each epoch (log scale)", 0.5) | dict(y=1.0),
                     subplot_title(f"Validation loss ({sc.loss}, log scale; the first tenth of the run "
                                   "may run off the top)", 0.5) | dict(y=0.52)],
        xaxis=dict(domain=[0, 1], anchor="y", matches="x2", showticklabels=False),
        yaxis=log_axis(lr_lo, lr_hi) | dict(domain=[0.6, 1], title=dict(text="LR")),
        xaxis2=dict(domain=[0, 1], anchor="y2", title=dict(text="epoch")),
        yaxis2=log_axis(math.log10(low) - 0.03, math.log10(top) + 0.03)
        | dict(domain=[0, 0.5], title=dict(text=f"validation loss ({sc.unit})")),
    )


def _loss_window(cmp: Comparison) -> tuple[float, float]:
    """Validation-loss axis limits that show where the schedules part ways.

    The first tenth of the run (the common plunge from the untrained loss) may run off
    the top; the rest fits, up to 100× the lowest value (hover still gives every value).
    """
    skip = max(1, math.ceil(cmp.epochs / 10))
    tails = [r.val_loss[skip:] for r in cmp.runs]
    tails = [t[np.isfinite(t)] for t in tails if len(t)]
    values = np.concatenate(tails) if tails else np.array([])
    values = values[values > 0]
    if not len(values):
        return 0.1, 3.0
    low = float(values.min())
    return low, max(min(float(values.max()), 100 * low), 1.5 * low)


def _run_text(r: ScheduleRun, task: str) -> str:
    return f"{SHORT[r.schedule]} {r.final_loss:.3f} ({score(task).said(r.val_acc[-1])})"


def describe_comparison(cmp: Comparison) -> str:
    ranked = cmp.ranked
    ok = [r for r in ranked if not r.diverged]
    opt = OPTIMIZERS[cmp.optimizer][0]
    head = f"{opt} from LR {num(cmp.lr)} for {cmp.epochs} epochs, mini-batches of {cmp.batch_size}: "
    if not ok:
        return head + "every schedule diverged; lower the initial LR."
    best, worst = ok[0], ok[-1]
    text = (head + f"the lowest final validation loss is {_run_text(best, cmp.task)}, the highest "
            f"{_run_text(worst, cmp.task)}; "
            f"constant ends at {cmp.run('constant').final_loss:.3f}.")
    bad = [SHORT[r.schedule] for r in ranked if r.diverged]
    if bad:
        text += f" Diverged: {', '.join(bad)}."
    return text


# ----------------------------------------------------------------------------- the range test


def _vline(x: float, color: str, text: str, y: float, left: bool = False) -> tuple[dict, dict]:
    shape = vline(x, color, dash="dash", width=2)
    note = dict(text=text, xref="x", x=math.log10(x), yref="y domain", y=y, xanchor="right" if left else "left",
                yanchor="top", showarrow=False, font=dict(size=11, color=color), xshift=-3 if left else 3,
                bgcolor="rgba(128,128,128,0.12)")
    return shape, note


def range_figure(rt: RangeTest) -> go.Figure:
    """Raw and smoothed mini-batch loss against the LR (log axis), with the three picks marked."""
    traces = [
        dict(type="scatter", x=rt.lrs, y=rt.loss, mode="markers", name="loss of each mini-batch",
             marker=dict(color=GREY, size=4, opacity=0.5),
             hovertemplate="LR %{x:.3g}: batch loss %{y:.3f}<extra></extra>"),
        dict(type="scatter", x=rt.lrs, y=rt.smooth, mode="lines", name="smoothed (moving average)",
             line=dict(color=ORANGE, width=3), hovertemplate="LR %{x:.3g}: smoothed loss %{y:.3f}<extra></extra>"),
    ]
    shapes, notes = [], []
    for (label, x), y in zip((("min / 10", rt.suggested), ("steepest", rt.steepest), ("minimum", rt.min_lr)),
                             (0.98, 0.88, 0.78), strict=True):
        s, n = _vline(x, PICKS[label], f"{label}: {x:.2g}", y, left=label == "minimum")
        shapes.append(s), notes.append(n)
    top = max(float(rt.smooth[: max(1, len(rt.smooth) // 10)].max()), rt.min_loss) * 1.3
    return figure(traces, height=360, shapes=shapes, annotations=notes, margin=dict(t=50),
                  xaxis=log_axis(math.log10(rt.lrs[0]), math.log10(rt.lrs[-1]) + 0.05)
                  | dict(title=dict(text="learning rate (log scale)")),
                  yaxis=dict(title=dict(text=f"training loss ({score(rt.task).unit})"), range=[0, top]))


def describe_range(rt: RangeTest) -> str:
    opt = OPTIMIZERS[rt.optimizer][0]
    return (f"{opt}, {len(rt.lrs)} mini-batches: the smoothed loss is lowest ({rt.min_loss:.3f}) at an LR of "
            f"{rt.min_lr:.3g}, so a tenth of it suggests {rt.suggested:.3g}; it falls fastest at {rt.steepest:.3g}. "
            + rt.stop)


def check_figure(rt: RangeTest) -> go.Figure:
    """Validation loss against epoch for the short runs at each pick (log scale: a diverging run is huge)."""
    traces, values, sc = [], [], score(rt.task)
    for c in rt.checks:
        ep = np.arange(len(c.val_loss))
        name = f"{c.label}: LR {c.lr:.2g}" + (" (diverged)" if c.diverged else "")
        traces.append(dict(type="scatter", x=ep, y=c.val_loss, mode="lines+markers", name=name,
                           line=dict(color=PICKS[c.label], width=2), marker=dict(size=5),
                           customdata=c.val_acc * sc.scale,
                           hovertemplate=f"{c.label}, epoch %{{x}}: validation loss %{{y:.3f}}, "
                           f"{sc.hover.format('customdata')}<extra></extra>"))
        values.append(c.val_loss[np.isfinite(c.val_loss)])
    v = np.concatenate(values)
    v = v[v > 0]
    lo, hi = math.log10(v.min()) - 0.05, math.log10(min(v.max(), 1e4)) + 0.05
    return figure(traces, height=320, margin=dict(t=50),
                  xaxis=dict(title=dict(text="epoch"), dtick=5),
                  yaxis=log_axis(lo, hi) | dict(title=dict(text=f"validation loss ({sc.unit}, log)")))


def describe_check(rt: RangeTest) -> str:
    parts = []
    for c in rt.checks:
        if c.diverged:
            parts.append(f"at the {c.label} LR ({c.lr:.2g}) the run diverged")
        else:
            parts.append(f"at the {c.label} LR ({c.lr:.2g}) validation loss {c.val_loss[-1]:.3f} with "
                         f"{score(rt.task).said(c.val_acc[-1])}")
    return f"After {len(rt.checks[0].val_loss) - 1} epochs, " + "; ".join(parts) + "."


# ----------------------------------------------------------------------------- the scaling rule


def scaling_figure(sc: Scaling) -> go.Figure:
    """Final validation loss (left, log) and accuracy or R² (right) against batch size, LR scaled vs fixed."""
    traces, score_ = [], score(sc.task)
    losses = [r.val_loss for r in sc.scaled + sc.fixed if math.isfinite(r.val_loss)]
    ceiling = max(losses) * 2 if losses else 10.0
    for runs, name, color in ((sc.scaled, "LR ∝ batch (linear scaling)", BLUE), (sc.fixed, "LR fixed", ORANGE)):
        b = [r.batch for r in runs]
        loss = [r.val_loss if math.isfinite(r.val_loss) else ceiling for r in runs]
        acc = [r.val_acc * score_.scale if math.isfinite(r.val_acc) else 0.0 for r in runs]
        symbols = ["x" if r.diverged else "circle" for r in runs]
        text = [f"LR {r.lr:.3g}, {r.updates} updates" + (" — diverged" if r.diverged else "") for r in runs]
        traces += [
            dict(type="scatter", x=b, y=loss, mode="lines+markers", name=name, legendgroup=name, text=text,
                 line=dict(color=color, width=2), marker=dict(size=10, symbol=symbols),
                 hovertemplate="batch %{x}: validation loss %{y:.3f}<br>%{text}<extra></extra>"),
            dict(type="scatter", x=b, y=acc, mode="lines+markers", name=name, legendgroup=name, showlegend=False,
                 text=text, line=dict(color=color, width=2), marker=dict(size=10, symbol=symbols),
                 xaxis="x2", yaxis="y2", hovertemplate=f"batch %{{x}}: {score_.hover.format('y')}<br>%{{text}}"
                 "<extra></extra>"),
        ]
    ticks = dict(type="log", tickvals=list(sc.batches), ticktext=[str(b) for b in sc.batches],
                 title=dict(text="batch size (log scale)"))
    low = min(losses) if losses else 0.1
    return figure(
        traces,
        height=360,
        legend=dict(y=1.14),
        margin=dict(t=80),
        annotations=[subplot_title("Final validation loss (log; × = diverged)", 0.23),
                     subplot_title(f"Final validation {score_.axis}", 0.79)],
        xaxis=ticks | dict(domain=[0, 0.46]),
        yaxis=log_axis(math.log10(low) - 0.1, math.log10(ceiling) + 0.1)
        | dict(title=dict(text=f"loss ({score_.unit})")),
        xaxis2=ticks | dict(domain=[0.56, 1], anchor="y2"),
        yaxis2=dict(anchor="x2", range=[_acc_floor(sc), 101 if sc.task != "regression" else 1.02],
                    title=dict(text=score_.axis)),
    )


def _acc_floor(sc: Scaling) -> float:
    """Bottom of the accuracy axis: 5 points below the worst run, in steps of 10 (0 if any run diverged).

    R² (a numeric target) has no floor: its axis stops at −1 (a run worse than that is drawn off the bottom);
    a diverged run is drawn at 0, as on the accuracy axis.
    """
    if sc.task == "regression":
        r2 = [r.val_acc if math.isfinite(r.val_acc) else 0.0 for r in sc.scaled + sc.fixed]
        return max(-1.0, min(r2)) - 0.05
    acc = [r.val_acc * 100 for r in sc.scaled + sc.fixed]
    if any(not math.isfinite(a) for a in acc):
        return 0.0
    return max(0.0, 10 * math.floor((min(acc) - 5) / 10))


def describe_scaling(sc: Scaling) -> str:
    def best(runs) -> str:
        ok = [r for r in runs if math.isfinite(r.val_loss)]
        r = min(ok, key=lambda r: r.val_loss) if ok else None
        return (f"best at batch {r.batch} ({r.val_loss:.3f}, {score(sc.task).said(r.val_acc)})" if r
                else "every run diverged")

    big_s, big_f = sc.scaled[-1], sc.fixed[-1]
    said = score(sc.task).said
    scaled_end = "diverged" if big_s.diverged else f"loss {big_s.val_loss:.3f}, {said(big_s.val_acc)}"
    fixed_end = "diverged" if big_f.diverged else f"loss {big_f.val_loss:.3f}, {said(big_f.val_acc)}"
    broke = [r.batch for r in sc.scaled if r.diverged]
    tail = f" The scaled LR diverged from batch {broke[0]}." if broke else ""
    return (f"{sc.epochs} epochs, LR {num(sc.base_lr)} at batch {BASE_BATCH}: scaled LR {best(sc.scaled)}, "
            f"fixed LR {best(sc.fixed)}. At batch {big_s.batch}, scaled (LR {num(big_s.lr)}) {scaled_end}; fixed "
            f"{fixed_end}.{tail}")

