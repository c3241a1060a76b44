"""Figures for the splits page: split sizes, class shares, fold maps and the leakage gap.

Each ``*_figure`` builder has a ``describe_*`` twin returning the one-sentence text
summary that sits under the chart for screen readers and for anyone skimming.
Traces and axes are plain dicts wrapped once by :func:`neuralab.plots.theme.figure`.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.data.splits import SCHEMES, SPLIT_NAMES, CVResult, LeakResult, SplitReport, fold_map
from neuralab.plots.theme import BLUE, GREY, ORANGE, SPLIT_COLORS, VERMILLION, figure, subplot_title

__all__ = [
    "class_share_figure",
    "describe_class_shares",
    "describe_folds",
    "describe_leak",
    "describe_sizes",
    "fold_figure",
    "leak_figure",
    "sizes_figure",
]

_LABEL = {"train": "Train", "val": "Validation", "test": "Test"}
MAX_MAP_COLUMNS = 1800  # wider fold maps are drawn with every n-th sample


# ----------------------------------------------------------------------------- split sizes


def sizes_figure(report: SplitReport) -> go.Figure:
    """One stacked bar: how many samples land in train, validation and test."""
    total = sum(report.counts)
    bars = [
        dict(
            type="bar",
            x=[count],
            y=[""],
            orientation="h",
            name=_LABEL[name],
            marker=dict(color=SPLIT_COLORS[name]),
            text=[f"{_LABEL[name]} · {count:,} ({count / total:.0%})"],
            textposition="inside",
            insidetextanchor="middle",
            hovertemplate=f"{_LABEL[name]}: %{{x:,}} samples<extra></extra>",
        )
        for name, count in zip(SPLIT_NAMES, report.counts, strict=True)
    ]
    return figure(
        bars,
        height=130,
        margin=dict(l=8, r=8, t=8, b=8),
        barmode="stack",
        showlegend=False,
        xaxis=dict(visible=False, range=[0, total]),
        yaxis=dict(visible=False),
    )


def describe_sizes(report: SplitReport) -> str:
    tr, va, te = report.counts
    return f"Of {sum(report.counts):,} samples, {tr:,} train, {va:,} validate and {te:,} test."


# ----------------------------------------------------------------------------- class shares


def class_share_figure(report: SplitReport, class_names: tuple[str, ...]) -> go.Figure:
    """Each class's share in each split minus its share overall, in percentage points."""
    bars = []
    for col, shares in ((1, report.random), (2, report.stratified)):
        for i, name in enumerate(SPLIT_NAMES):
            bars.append(
                dict(
                    type="bar",
                    x=list(class_names),
                    y=(shares[i] - report.overall) * 100,
                    name=_LABEL[name],
                    marker=dict(color=SPLIT_COLORS[name]),
                    showlegend=col == 1,
                    legendgroup=name,
                    customdata=np.stack([shares[i] * 100, report.overall * 100], axis=-1),
                    hovertemplate=f"{_LABEL[name]}, class %{{x}}: %{{customdata[0]:.1f}}% "
                    "(overall %{customdata[1]:.1f}%)<extra></extra>",
                    xaxis=f"x{col if col > 1 else ''}",
                    yaxis=f"y{col if col > 1 else ''}",
                )
            )
    worst = max(report.worst_random_pp, report.worst_stratified_pp, 1.0) * 1.15
    return figure(
        bars,
        height=300,
        barmode="group",
        bargap=0.25,
        legend=dict(y=1.14),
        xaxis=dict(domain=[0, 0.48], type="category"),
        xaxis2=dict(domain=[0.52, 1], type="category", anchor="y2"),
        yaxis=dict(range=[-worst, worst], title=dict(text="share − overall share (pp)")),
        yaxis2=dict(matches="y", anchor="x2", showticklabels=False),
        annotations=[
            subplot_title(f"Random split: worst gap {report.worst_random_pp:.1f} pp", 0.24),
            subplot_title(f"Stratified split: worst gap {report.worst_stratified_pp:.1f} pp", 0.76),
        ],
    )


def describe_class_shares(report: SplitReport, class_names: tuple[str, ...]) -> str:
    rare = class_names[report.rare_class]
    r, s = report.rare_counts_random, report.rare_counts_stratified
    return (
        f"A random split moves a class's share by up to {report.worst_random_pp:.1f} percentage points; "
        f"stratifying keeps it within {report.worst_stratified_pp:.1f}. The rarest class, {rare}, "
        f"gets {r[0]}/{r[1]}/{r[2]} samples (train/val/test) at random and {s[0]}/{s[1]}/{s[2]} stratified."
    )


# ----------------------------------------------------------------------------- fold maps

_MAP_SCALE = [  # 0 unused, 1 train, 2 validation
    [0.0, "rgba(128,128,128,0.12)"],
    [0.333, "rgba(128,128,128,0.12)"],
    [0.334, BLUE],
    [0.666, BLUE],
    [0.667, ORANGE],
    [1.0, ORANGE],
]


def fold_figure(result: CVResult, y: np.ndarray, class_names: tuple[str, ...]) -> go.Figure:
    """Fold × sample map (blue trains, orange validates) beside each fold's score."""
    grid = fold_map(result.folds, result.n_samples)  # (k, n)
    stride = max(1, math.ceil(result.n_samples / MAX_MAP_COLUMNS))
    grid, labels = grid[:, ::stride], y[::stride]
    columns = np.arange(0, result.n_samples, stride)
    k = len(result.folds)
    rows = [f"fold {i + 1}" for i in range(k)]
    scores = result.scores * 100
    traces = [
        dict(
            type="heatmap",
            z=labels[np.newaxis, :],
            x=columns,
            colorscale="Viridis",
            showscale=False,
            customdata=np.asarray(class_names, dtype=object)[labels][np.newaxis, :],
            hovertemplate="sample %{x}: class %{customdata}<extra></extra>",
            xaxis="x",
            yaxis="y3",
        ),
        dict(
            type="heatmap",
            z=grid,
            x=columns,
            y=rows,
            zmin=0,
            zmax=2,
            colorscale=_MAP_SCALE,
            showscale=False,
            text=np.array(["unused", "train", "validate"])[grid],
            hovertemplate="%{y}, sample %{x}: %{text}<extra></extra>",
            xaxis="x",
            yaxis="y",
        ),
        dict(
            type="bar",
            x=np.nan_to_num(scores, nan=0.0),
            y=rows,
            orientation="h",
            marker=dict(color=BLUE),
            text=[f"{s:.1f}%" if np.isfinite(s) else "no fit" for s in scores],
            textposition="auto",  # inside the bar, or beside it when the bar is too short for its number
            insidetextanchor="end",
            hovertemplate="%{y}: %{x:.1f}% accuracy<extra></extra>",
            xaxis="x2",
            yaxis="y2",
        ),
    ]
    shapes = []
    if np.isfinite(result.mean):
        shapes.append(dict(type="line", xref="x2", yref="y2 domain", x0=result.mean * 100, x1=result.mean * 100,
                           y0=0, y1=1, line=dict(color=VERMILLION, dash="dot")))
    note = f"sample index (one in {stride} shown)" if stride > 1 else "sample index"
    return figure(
        traces,
        height=120 + 26 * k,
        showlegend=False,
        margin=dict(t=24),
        shapes=shapes,
        xaxis=dict(domain=[0, 0.76], title=dict(text=note), anchor="y"),
        yaxis=dict(domain=[0, 0.88], autorange="reversed", anchor="x"),
        yaxis3=dict(domain=[0.91, 1.0], visible=False, anchor="x"),
        xaxis2=dict(domain=[0.79, 1.0], anchor="y2", title=dict(text="accuracy (%)"),
                    range=[0, 100.5]),  # bars start at zero: a cut axis hid a short bar's number
        yaxis2=dict(domain=[0, 0.88], anchor="x2", autorange="reversed", showticklabels=False),
    )


def describe_folds(result: CVResult) -> str:
    k = len(result.folds)
    head = f"{SCHEMES[result.scheme].title} with {k} folds scores {_mean_std(result.mean, result.std)} accuracy"
    n_val = [len(v) for _, v in result.folds]
    if min(n_val) != max(n_val):
        return head + f"; each fold validates on {min(n_val):,}–{max(n_val):,} samples."
    return head + f"; each fold validates on {n_val[0]:,} samples."


def _mean_std(mean: float, std: float) -> str:
    if not np.isfinite(mean):
        return "no"
    if not np.isfinite(std):
        return f"{mean * 100:.1f}%"
    return f"{mean * 100:.1f}% ± {std * 100:.1f}"


# ----------------------------------------------------------------------------- leakage


def leak_figure(result: LeakResult) -> go.Figure:
    """Per-fold balanced accuracy, leaky against honest, with means ± std and the chance level."""
    rng = np.random.default_rng(0)  # horizontal jitter only, so dots do not overlap
    traces = []
    arms = (("Fitted on all data (leaky)", result.leaky, VERMILLION), ("Fitted per training fold", result.honest, BLUE))
    for x, (name, scores, color) in enumerate(arms):
        mean, std = scores.mean() * 100, scores.std(ddof=1) * 100
        traces.append(dict(type="scatter", x=x + rng.uniform(-0.12, 0.12, len(scores)), y=scores * 100,
                           mode="markers", marker=dict(color=color, size=9, opacity=0.75),
                           hovertemplate=f"{name}: %{{y:.1f}}%<extra></extra>"))
        traces.append(dict(type="scatter", x=[x + 0.3], y=[mean], mode="markers",
                           error_y=dict(type="data", array=[std], color=color, thickness=2, width=8),
                           marker=dict(color=color, size=13, symbol="diamond"),
                           hovertemplate=f"{name}: mean %{{y:.1f}}% ± {std:.1f}<extra></extra>"))
    chance = result.chance * 100
    return figure(
        traces,
        height=300,
        showlegend=False,
        shapes=[dict(type="line", xref="x domain", x0=0, x1=1, y0=chance, y1=chance,
                     line=dict(color=GREY, dash="dash"))],
        annotations=[dict(text=f"chance {chance:.1f}%", xref="x domain", x=1, y=chance, yanchor="top",
                          xanchor="right", showarrow=False)],
        xaxis=dict(tickvals=[0.1, 1.1], ticktext=["Step fitted on all data", "Step fitted inside each fold"],
                   range=[-0.5, 1.6]),
        yaxis=dict(title=dict(text="balanced accuracy (%)")),
    )


def describe_leak(result: LeakResult) -> str:
    leaky, honest = result.leaky.mean() * 100, result.honest.mean() * 100
    verdict = "inflates" if result.gap_pp > 0 else "changes"
    return (
        f"Fitting the step on all data reports {leaky:.1f}% balanced accuracy, fitting it inside each training "
        f"fold {honest:.1f}%: the leak {verdict} the score by {result.gap_pp:+.1f} points (chance is "
        f"{result.chance * 100:.1f}%)."
    )


def describe_twins(result: CVResult) -> str:
    """Whether validation samples had a copy (a sample of their group) in training, summed over the folds that
    could be scored (a fold whose model could not be fitted judged nothing).

    Empty when every sample is its own group and the scheme does not group: there is nothing to say.
    """
    scored = np.isfinite(result.scores)
    n_val = sum(len(v) for (_, v), ok in zip(result.folds, scored, strict=True) if ok)
    twins = sum(t for t, ok in zip(result.twins, scored, strict=True) if ok)
    if result.groups == result.n_samples:
        if result.scheme != "group":
            return ""
        return (f"With 0 copies each of the {result.n_samples:,} samples is a group of one, so "
                f"{SCHEMES['group'].title} has nothing to keep together and draws its folds as K-fold does: add "
                "copies to see the difference.")
    k, n_scored = len(result.folds), int(scored.sum())
    folds = f"the {k} folds" if n_scored == k else f"the {n_scored} of {k} folds that could be scored"
    if n_scored == 0:
        return ""
    if twins == 0:
        return (f"Measured over {folds}, none of the {n_val:,} validation samples has a copy in training: in "
                "every fold, a sample and its copies are all in training or all in validation.")
    share = f"{twins / n_val:.0%}" if twins / n_val >= 0.01 else "under 1%"
    where = (" In a time-series split a sample and its copies sit next to each other, so only groups cut by the "
             "boundary between a fold's training and validation blocks are split."
             if result.scheme == "timeseries" else "")
    return (f"Summed over {folds} (no sample is validated twice): {twins:,} of {n_val:,} validation samples "
            f"({share}) had a copy in training in the fold that validated them, so for those the model had "
            f"trained on a copy of what it was judged on.{where}")
