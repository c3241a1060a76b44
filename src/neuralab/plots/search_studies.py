"""Figures for the studies in the lab's database: a study's trials as they arrive, one colour per worker."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.theme import COLORWAY, GREY, VERMILLION, figure, message_figure
from neuralab.search.study import TrialRow

__all__ = ["NO_REASON", "describe_trials", "trials_figure"]

NO_REASON = "no reason recorded (e.g. the worker stopped sending heartbeats, or raised an error)"


def trials_figure(rows: Sequence[TrialRow]) -> go.Figure:
    """Validation loss against trial number, a marker colour per worker, the best so far as a step line.

    Failed trials have no value: they sit as crosses at the highest complete value, their reason in the hover.
    The best-so-far line is ordered by trial number, which with several workers is not the order trials finished.
    """
    if not rows:
        return message_figure("No trials yet: start a worker with the command below.")
    done = [r for r in rows if r.state == "COMPLETE" and r.value is not None]
    workers = sorted({r.worker for r in rows})
    colour = {w: COLORWAY[i % len(COLORWAY)] for i, w in enumerate(workers)}
    top = max((r.value for r in done), default=1.0)
    data = []
    for w in workers:
        mine = [r for r in done if r.worker == w]
        if mine:
            data.append(dict(type="scatter", mode="markers", name=w, x=[r.number for r in mine],
                             y=[r.value for r in mine], marker=dict(color=colour[w], size=7),
                             customdata=[[r.lr, r.wd] for r in mine],
                             hovertemplate=f"{w}<br>trial %{{x}}: val loss %{{y:.4g}}<br>"
                                           "lr %{customdata[0]:.3g}, wd %{customdata[1]:.3g}<extra></extra>"))
    failed = [r for r in rows if r.state == "FAIL"]
    if failed:
        data.append(dict(type="scatter", mode="markers", name="failed", x=[r.number for r in failed],
                         y=[top] * len(failed), marker=dict(symbol="x", color=VERMILLION, size=9),
                         customdata=[[r.worker, r.reason or NO_REASON] for r in failed],
                         hovertemplate="trial %{x} failed on %{customdata[0]}: %{customdata[1]}<extra></extra>"))
    if done:
        order = sorted(done, key=lambda r: r.number)
        best = np.minimum.accumulate([r.value for r in order])
        data.append(dict(type="scatter", mode="lines", name="best so far", x=[r.number for r in order], y=best.tolist(),
                         line=dict(color=GREY, shape="hv", width=1.5), hoverinfo="skip"))
    return figure(data, height=340, xaxis=dict(title=dict(text="trial number")),
                  yaxis=dict(title=dict(text="validation loss"), type="log"),
                  legend=dict(x=0, y=1.02, orientation="h", yanchor="bottom", font=dict(color=GREY)))


def describe_trials(rows: Sequence[TrialRow]) -> str:
    """One sentence: how many trials in which state, from how many workers, and the best value."""
    if not rows:
        return "The study has no trials yet."
    count = {s: sum(r.state == s for r in rows) for s in ("COMPLETE", "FAIL", "RUNNING")}
    done = [r for r in rows if r.state == "COMPLETE" and r.value is not None]
    hosts = sorted({r.host for r in rows})
    text = (f"{count['COMPLETE']} complete, {count['FAIL']} failed and {count['RUNNING']} running trials from "
            f"{len({r.worker for r in rows})} worker(s) on {len(hosts)} host(s)")
    if done:
        b = min(done, key=lambda r: r.value)
        where = f", lr {b.lr:.3g}, wd {b.wd:.3g}" if b.lr is not None and b.wd is not None else ""
        text += f"; best validation loss {b.value:.4g} (trial {b.number}{where})"
    return text + "."
