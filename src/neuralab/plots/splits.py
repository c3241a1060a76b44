"""Figures for the splits page: split sizes, class shares, fold maps and the leakage gap.

Each ``*_figure`` builder has a ``describe_*`` twin returning the one-sentence text
summary that sits under the chart for screen readers and for anyone skimming.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from neuralab.data.splits import SCHEMES, SPLIT_NAMES, CVResult, LeakResult, SplitReport, fold_map
from neuralab.plots.theme import BLUE, GREY, ORANGE, SPLIT_COLORS, TEMPLATE, VERMILLION, figure

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


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


# ----------------------------------------------------------------------------- split sizes


def sizes_figure(report: SplitReport) -> go.Figure:
    """One stacked bar: how many samples land in train, validation and test."""
    total = sum(report.counts)
    fig = figure(height=130, margin=dict(l=8, r=8, t=8, b=8), barmode="stack", showlegend=False)
    for name, count in zip(SPLIT_NAMES, report.counts, strict=True):
        fig.add_bar(
            x=[count],
            y=[""],
            orientation="h",
            name=_LABEL[name],
            marker_color=SPLIT_COLORS[name],
            text=f"{_LABEL[name]} · {count:,} ({count / total:.0%})",
            textposition="inside",
            insidetextanchor="middle",
            hovertemplate=f"{_LABEL[name]}: %{{x:,}} samples<extra></extra>",
        )
    fig.update_xaxes(visible=False, range=[0, total])
    fig.update_yaxes(visible=False)
    return fig


def describe_sizes(report: SplitReport) -> str:
    tr, va, te = report.counts
    return f"Of {sum(report.counts):,} samples, {tr:,} train, {va:,} validate and {te:,} test."


# ----------------------------------------------------------------------------- class shares


def class_share_figure(report: SplitReport, class_names: tuple[str, ...]) -> go.Figure:
    """Each class's share in each split minus its share overall, in percentage points."""
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=(
            f"Random split: worst gap {report.worst_random_pp:.1f} pp",
            f"Stratified split: worst gap {report.worst_stratified_pp:.1f} pp",
        ),
    )
    fig.update_layout(template=TEMPLATE, height=300, barmode="group", bargap=0.25)
    for col, shares in ((1, report.random), (2, report.stratified)):
        for i, name in enumerate(SPLIT_NAMES):
            gap_pp = (shares[i] - report.overall) * 100
            fig.add_bar(
                x=list(class_names),
                y=gap_pp,
                name=_LABEL[name],
                marker_color=SPLIT_COLORS[name],
                showlegend=col == 1,
                legendgroup=name,
                customdata=np.stack([shares[i] * 100, report.overall * 100], axis=-1),
                hovertemplate=f"{_LABEL[name]}, class %{{x}}: %{{customdata[0]:.1f}}% "
                "(overall %{customdata[1]:.1f}%)<extra></extra>",
                row=1,
                col=col,
            )
    worst = max(report.worst_random_pp, report.worst_stratified_pp, 1.0) * 1.15
    fig.update_yaxes(range=[-worst, worst], title_text="share − overall share (pp)", row=1, col=1)
    fig.update_xaxes(type="category")
    fig.update_layout(legend=dict(y=1.14))
    fig.update_annotations(font_size=13, yshift=4)
    return fig


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
    k = len(result.folds)
    fig = make_subplots(
        rows=2,
        cols=2,
        column_widths=[0.78, 0.22],
        row_heights=[0.1, 0.9],
        shared_yaxes=False,
        horizontal_spacing=0.03,
        vertical_spacing=0.03,
    )
    fig.update_layout(template=TEMPLATE, height=120 + 26 * k, showlegend=False, margin=dict(t=24))
    fig.add_heatmap(
        z=labels[np.newaxis, :],
        colorscale="Viridis",
        showscale=False,
        hovertemplate="sample %{x}: class %{z}<extra></extra>",
        x=np.arange(0, result.n_samples, stride),
        row=1,
        col=1,
    )
    fig.add_heatmap(
        z=grid,
        x=np.arange(0, result.n_samples, stride),
        y=[f"fold {i + 1}" for i in range(k)],
        zmin=0,
        zmax=2,
        colorscale=_MAP_SCALE,
        showscale=False,
        hovertemplate="%{y}, sample %{x}: %{text}<extra></extra>",
        text=np.array(["unused", "train", "validate"])[grid],
        row=2,
        col=1,
    )
    scores = result.scores * 100
    fig.add_bar(
        x=np.nan_to_num(scores, nan=0.0),
        y=[f"fold {i + 1}" for i in range(k)],
        orientation="h",
        marker_color=BLUE,
        text=[f"{s:.1f}%" if np.isfinite(s) else "no fit" for s in scores],
        textposition="inside",
        insidetextanchor="end",
        hovertemplate="%{y}: %{x:.1f}% accuracy<extra></extra>",
        row=2,
        col=2,
    )
    if np.isfinite(result.mean):
        fig.add_vline(x=result.mean * 100, line_dash="dot", line_color=VERMILLION, row=2, col=2)
    finite = scores[np.isfinite(scores)]
    lo = max(0.0, (finite.min() if len(finite) else 0.0) - 10)
    fig.update_xaxes(range=[lo, 100.5], title_text="accuracy (%)", row=2, col=2)
    fig.update_yaxes(autorange="reversed", row=2, col=1)
    fig.update_yaxes(autorange="reversed", showticklabels=False, row=2, col=2)
    fig.update_yaxes(showticklabels=False, row=1, col=1)
    fig.update_yaxes(visible=False, row=1, col=2)
    fig.update_xaxes(visible=False, row=1, col=1)
    fig.update_xaxes(visible=False, row=1, col=2)
    note = f"sample index (every {stride}th shown)" if stride > 1 else "sample index"
    fig.update_xaxes(title_text=note, row=2, col=1)
    return fig


def describe_folds(result: CVResult) -> str:
    k = len(result.folds)
    head = f"{SCHEMES[result.scheme].title} with {k} folds scores {_mean_std(result.mean, result.std)} accuracy"
    n_val = [len(v) for _, v in result.folds]
    tail = f"; each fold validates on {min(n_val):,}–{max(n_val):,} samples." if min(n_val) != max(n_val) else (
        f"; each fold validates on {n_val[0]:,} samples."
    )
    return head + tail


def _mean_std(mean: float, std: float) -> str:
    if not np.isfinite(mean):
        return "no"
    if not np.isfinite(std):
        return f"{mean * 100:.1f}%"
    return f"{mean * 100:.1f}% ± {std * 100:.1f}"


# ----------------------------------------------------------------------------- leakage


def leak_figure(result: LeakResult) -> go.Figure:
    """Per-fold accuracy, leaky against honest, with means and the chance level."""
    fig = figure(height=300, showlegend=False)
    rng = np.random.default_rng(0)  # horizontal jitter only, so dots do not overlap
    for x, (name, scores, color) in enumerate(
        (("Fitted on all data (leaky)", result.leaky, VERMILLION), ("Fitted per training fold", result.honest, BLUE))
    ):
        fig.add_scatter(
            x=x + rng.uniform(-0.12, 0.12, len(scores)),
            y=scores * 100,
            mode="markers",
            marker=dict(color=color, size=9, opacity=0.75),
            hovertemplate=f"{name}: %{{y:.1f}}%<extra></extra>",
        )
        mean, std = scores.mean() * 100, scores.std(ddof=1) * 100
        fig.add_scatter(
            x=[x + 0.3],
            y=[mean],
            error_y=dict(type="data", array=[std], color=color, thickness=2, width=8),
            mode="markers",
            marker=dict(color=color, size=13, symbol="diamond"),
            hovertemplate=f"{name}: mean %{{y:.1f}}% ± {std:.1f}<extra></extra>",
        )
    fig.add_hline(
        y=result.chance * 100,
        line_dash="dash",
        line_color=GREY,
        annotation_text=f"chance {result.chance * 100:.1f}%",
        annotation_position="bottom right",
    )
    fig.update_xaxes(
        tickvals=[0.1, 1.1], ticktext=["Step fitted on all data", "Step fitted inside each fold"], range=[-0.5, 1.6]
    )
    fig.update_yaxes(title_text="balanced accuracy (%)")
    return fig


def describe_leak(result: LeakResult) -> str:
    leaky, honest = result.leaky.mean() * 100, result.honest.mean() * 100
    verdict = "inflates" if result.gap_pp > 0 else "changes"
    return (
        f"Fitting the step on all data reports {leaky:.1f}% balanced accuracy, fitting it inside each training fold "
        f"{honest:.1f}%: the leak {verdict} the score by {result.gap_pp:+.1f} points (chance is "
        f"{result.chance * 100:.1f}%)."
    )
