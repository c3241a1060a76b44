"""Figures for /hyperparameter-search's measured landscape: the whole (learning rate, weight decay) space.

:func:`landscape_trace` is the heat map every chart of a search on this space draws under
its trials, so the samplers' points and the best measured cell are always seen on the same map.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import num
from neuralab.plots.theme import GREY, figure
from neuralab.search.landscape import Landscape

__all__ = ["describe_landscape", "landscape_axes", "landscape_figure", "landscape_trace", "optimum_trace"]

SCALE = "Viridis_r"  # low loss (good) is bright


def landscape_trace(ls: Landscape, showscale: bool = True, **where) -> dict:
    """The heat map of the mean validation loss (log colour), on log axes.

    A cell is blank if any of its runs diverged; the colour scale is capped at the baseline, so every cell
    worse than a network that learned nothing has the same colour.
    """
    z = np.log10(ls.score)
    hover = np.where(ls.diverged, "diverged", np.char.mod("%.4g", np.nan_to_num(ls.score)))
    return dict(type="heatmap", x=np.log10(ls.wd), y=np.log10(ls.lr), z=z, colorscale=SCALE, showscale=showscale,
                customdata=hover, zmin=float(np.nanmin(z)), zmax=float(np.log10(ls.baseline)),
                colorbar=dict(title=dict(text="val loss", side="right"), thickness=10,
                              tickvals=list(np.log10(_ticks(ls))), ticktext=[num(t) for t in _ticks(ls)]),
                hovertemplate="lr 10^%{y:.2f}, wd 10^%{x:.2f}: val loss %{customdata}<extra></extra>", **where)


def _ticks(ls: Landscape) -> list[float]:
    lo, hi = float(np.nanmin(ls.score)), ls.baseline
    return [float(t) for t in np.geomspace(lo, hi, 4)]


def optimum_trace(ls: Landscape, **where) -> dict:
    i, j = ls.best
    return dict(type="scatter", x=[np.log10(ls.wd[j])], y=[np.log10(ls.lr[i])], mode="markers",
                name="best measured cell",
                marker=dict(symbol="star", size=16, color="white", line=dict(color="black", width=1.5)),
                hovertemplate=f"best measured cell: lr {num(ls.lr[i])}, wd {num(ls.wd[j])}, val loss "
                              f"{ls.optimum:.4g}<extra></extra>", **where)


def landscape_axes(ls: Landscape) -> dict:
    """x: weight decay, y: learning rate, both labelled in powers of ten."""
    def axis(values: np.ndarray, title: str) -> dict:
        lo, hi = int(np.floor(np.log10(values[0]))), int(np.ceil(np.log10(values[-1])))
        ticks = list(range(lo, hi + 1))
        return dict(title=dict(text=title), tickvals=ticks, ticktext=[f"10<sup>{t}</sup>" for t in ticks],
                    range=[np.log10(values[0]) - 0.1, np.log10(values[-1]) + 0.1], zeroline=False)
    return dict(xaxis=axis(ls.wd, "weight decay"), yaxis=axis(ls.lr, "learning rate"))


def landscape_figure(ls: Landscape) -> go.Figure:
    return figure([landscape_trace(ls), optimum_trace(ls)], height=420, **landscape_axes(ls),
                  legend=dict(x=0, y=1.02, orientation="h", yanchor="bottom", font=dict(color=GREY)))


def describe_landscape(ls: Landscape) -> str:
    i, j = ls.best
    seeds = ls.val_loss.shape[0]
    near = int(np.sum(ls.regret(ls.score) <= 0.05))
    metric = ls.val_metric.mean(axis=0)[i, j]
    shown = f"{metric:.1%}" if ls.metric == "accuracy" else f"{metric:.3f}"
    text = (f"{ls.score.size} cells × {seeds} seeds = {ls.val_loss.size} trainings. The best measured cell is lr "
            f"{num(ls.lr[i])}, weight decay {num(ls.wd[j])}: validation loss {ls.optimum:.4g} (validation "
            f"{ls.metric} {shown}). {near} cells ({near / ls.score.size:.0%}) are within 5 % of the way from it to "
            f"a network that learned nothing (loss {ls.baseline:.3g}); {int(ls.diverged.sum())} cells are blank "
            "because at least one of their runs diverged.")
    if seeds > 1:
        se = float(np.std(ls.val_loss[:, i, j], ddof=1) / np.sqrt(seeds))
        close = int(np.sum(ls.score <= ls.optimum + se))
        text += (f" The best cell's standard error over its {seeds} seeds is {se:.2g}; "
                 + ("only the best cell itself lies" if close == 1 else f"{close} cells (itself included) lie")
                 + " within one standard error of its mean.")
    row = ls.regret(ls.score[i])
    text += (f" At its learning rate, weight decay moves the regret from {float(np.min(row)):.2g} to "
             f"{float(np.max(row)):.2g} (above 1: worse than learning nothing).")
    return text
