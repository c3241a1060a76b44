"""The compression pages' "On your own data" chart: each model's test score and stored bytes, side by side.

One builder for /quantization, /pruning and /distillation: a :class:`~neuralab.compress.own.Own` result has the
same shape on every page (models compared, one or two series of scores, the bytes of each).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.compress.own import Own
from neuralab.plots.format import num, pct
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, figure, subplot_title

__all__ = ["describe_own", "own_figure", "score_text"]

SERIES_COLORS = (ORANGE, BLUE)
LABELLED_BARS = 8  # score bars that carry their number above them


def score_text(o: Own, x: float) -> str:
    """A score as the caption writes it: a percentage for accuracy, three digits for an MSE."""
    return num(x) if o.lower_better else pct(x)


def _shown(o: Own, x: np.ndarray) -> np.ndarray:
    return x if o.lower_better else 100 * x


def own_figure(o: Own) -> go.Figure:
    """Scores (left, grouped by series) and stored KiB (right) of each model; the uncompressed score dotted."""
    unit = "" if o.lower_better else " (%)"
    labelled = len(o.labels) * len(o.scores) <= LABELLED_BARS  # more bars: their numbers would overlap (caption)
    data = []
    colors = SERIES_COLORS[-len(o.scores):]
    for (series, vals), color in zip(o.scores.items(), colors, strict=True):
        shown = _shown(o, vals)
        data.append(dict(type="bar", x=list(o.labels), y=shown, name=series, marker=dict(color=color),
                         showlegend=len(o.scores) > 1, xaxis="x", yaxis="y",
                         text=[score_text(o, v) for v in vals], textposition="outside" if labelled else "none",
                         cliponaxis=False, hovertemplate="%{x}: %{text}<extra>" + series + "</extra>"))
    data.append(dict(type="bar", x=list(o.labels), y=o.sizes / 1024, marker=dict(color=GREEN), showlegend=False,
                     xaxis="x2", yaxis="y2", text=[f"{v / 1024:.3g}" for v in o.sizes], textposition="outside",
                     cliponaxis=False, hovertemplate="%{x}: %{y:.3g} KiB<extra>stored</extra>"))
    ref = float(_shown(o, np.array(o.reference)))
    top = max(float(np.nanmax(_shown(o, v))) for v in o.scores.values())
    shapes = [dict(type="line", xref="x domain", x0=0, x1=1, y0=ref, y1=ref, line=dict(color=GREY, dash="dot"))]
    return figure(
        data, height=360, barmode="group", shapes=shapes,
        xaxis=dict(domain=[0, 0.62], type="category", anchor="y"),
        yaxis=dict(title=o.metric + unit, range=[0, 1.15 * top if o.lower_better else 108], anchor="x"),
        xaxis2=dict(domain=[0.72, 1], type="category", anchor="y2"),
        yaxis2=dict(title="stored parameters (KiB)", range=[0, 1.2 * float(o.sizes.max()) / 1024], anchor="x2"),
        legend=dict(x=0, y=1.08, orientation="h", yanchor="bottom"),
        annotations=[subplot_title(o.metric + (", lower is better" if o.lower_better else ""), 0.31),
                     subplot_title("size", 0.86)],
        margin=dict(t=64),
    )


def describe_own(o: Own) -> str:
    """The caption: what was measured on which table, and the numbers."""
    main = list(o.scores)[-1]
    vals = o.scores[main]
    parts = [f"{lab} {score_text(o, v)} ({o.sizes[i] / 1024:.3g} KiB)" for i, (lab, v) in enumerate(
        zip(o.labels, vals, strict=True))]
    head = (f"On {o.name}, {o.metric} over {o.n_test:,} test rows"
            + (f" ({main})" if len(o.scores) > 1 else "") + ", " + o.detail + ": ")
    return head + "; ".join(parts) + "."
