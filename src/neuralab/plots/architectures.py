"""Figures of /architectures: the comparison table's rows, grouped by task, and latency against parameters."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.compress.architectures import GROUPS, Row, Table
from neuralab.plots.format import log_axis, num, pct
from neuralab.plots.theme import BLUE, GREEN, ORANGE, VERMILLION, figure

__all__ = ["HEADER", "describe_latency", "group_notes", "group_rows", "latency_figure", "seconds", "score"]

GROUP_STYLE = {  # group -> (colour, marker symbol): told apart without colour too
    "Digits": (BLUE, "circle"),
    "Winding temperature": (ORANGE, "square"),
    "Motor torque": (GREEN, "diamond"),
    "Token reversal": (VERMILLION, "triangle-up"),
}
PLACES = ("top center", "bottom center", "middle right", "middle left")  # labels of a group's points, in turn
HEADER = ("Model", "Parameters", "Training time", "Test score", "Latency per call (median)", "Slowest call", "Page")


def seconds(s: float) -> str:
    """A duration to three significant digits in the unit that reads best (µs, ms or s)."""
    if s < 1e-3:
        return f"{s * 1e6:.3g} µs"
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"


def score(r: Row) -> str:
    value = pct(r.score) if "accuracy" in r.metric else num(r.score)
    return f"{value} ({r.metric}{'' if r.higher_better else ', lower is better'})"


def group_rows(t: Table, group: str) -> list[list[str]]:
    """One group's rows as text, in :data:`HEADER` order (the last column is the page's path)."""
    return [[r.name, f"{r.params:,}", seconds(r.train_s) + (" (re-measured)" if r.timed == "re-measured" else ""),
             score(r), seconds(r.latency_s), seconds(r.latency_max_s) if math.isfinite(r.latency_max_s) else "–",
             r.page] for r in t.group(group)]


def group_notes(t: Table, group: str) -> list[str]:
    """What else to know about a group's rows, one sentence per row that has something to say."""
    return [f"{r.name}: {r.note}." for r in t.group(group) if r.note]


def latency_figure(t: Table) -> go.Figure:
    """Median latency against parameters, log–log, one marker per model, shape and colour by task."""
    data = []
    for group, (color, symbol) in GROUP_STYLE.items():
        rows = t.group(group)
        if not rows:
            continue
        data.append(dict(
            type="scatter", mode="markers+text", name=group, x=[r.params for r in rows],
            y=[r.latency_s * 1e6 for r in rows], text=[r.name for r in rows],
            textposition=[PLACES[i % len(PLACES)] for i in range(len(rows))],
            textfont=dict(size=10), marker=dict(size=11, color=color, symbol=symbol, line=dict(width=1, color="#fff")),
            customdata=np.array([[score(r), seconds(r.train_s),
                                  seconds(r.latency_max_s) if math.isfinite(r.latency_max_s) else "–"]
                                 for r in rows], dtype=object),
            hovertemplate="%{text}<br>%{x:,} parameters<br>median call %{y:.3g} µs, slowest %{customdata[2]}<br>"
                          "%{customdata[0]}<br>trained in %{customdata[1]}<extra>" + group + "</extra>"))
    p = [r.params for r in t.rows]
    lat = [r.latency_s * 1e6 for r in t.rows]
    xr = (math.log10(min(p)) - 0.6, math.log10(max(p)) + 0.6)  # room for the labels either side
    yr = (math.log10(min(lat)) - 0.3, math.log10(max(lat)) + 0.3)
    return figure(data, height=460, margin=dict(t=48, b=48, l=64, r=16),
                  xaxis=log_axis(*xr, title=dict(text="trained parameters")),
                  yaxis=log_axis(*yr, title=dict(text=f"median latency per call, batch {t.batch} (µs)")))


def describe_latency(t: Table) -> str:
    """One sentence: the extremes of parameters and of latency, and whether they are the same models."""
    small = min(t.rows, key=lambda r: r.params)
    big = max(t.rows, key=lambda r: r.params)
    fast = min(t.rows, key=lambda r: r.latency_s)
    slow = max(t.rows, key=lambda r: r.latency_s)
    tail = [r for r in t.rows if math.isfinite(r.latency_max_s)]
    worst = max(tail, key=lambda r: r.latency_max_s / r.latency_s) if tail else None
    seq = any(r.group == "Winding temperature" for r in t.rows)
    return (f"{len(t.rows)} models, seed {t.seed}, batch {t.batch}: from {small.params:,} parameters "
            f"({small.name}) to {big.params:,} ({big.name}); the fastest call is {fast.name} at "
            f"{seconds(fast.latency_s)}, the slowest {slow.name} at {seconds(slow.latency_s)} (median of "
            f"{t.calls} calls, one thread)."
            + (f" The largest tail: {worst.name}'s slowest call took {seconds(worst.latency_max_s)}, "
               f"{worst.latency_max_s / worst.latency_s:.3g} × its median." if worst else "")
            + (" A winding-temperature call replays a whole 180-step cycle, not one new sample." if seq else "")
            + " Scores are in the tables, compared within one task only.")


def describe_group(group: str) -> str:
    return GROUPS[group]
