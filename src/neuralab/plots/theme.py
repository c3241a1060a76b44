"""Shared look of every figure: transparent, so the page theme (light or dark) shows through.

Axis text and grid colours follow the page theme through CSS (see the app's
``assets/neuralab.css``); the data colours here read well on both backgrounds.
"""

from __future__ import annotations

import plotly.graph_objects as go

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, GREY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#F0E442",
    "#8c8c8c",
)
COLORWAY = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, GREY]
SPLIT_COLORS = {"train": BLUE, "val": ORANGE, "test": GREEN}

TEMPLATE = go.layout.Template(
    layout=dict(
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        colorway=COLORWAY,
        font=dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=13, color="#444"),
        margin=dict(l=56, r=16, t=40, b=44),
        xaxis=dict(gridcolor="rgba(128,128,128,0.25)", zerolinecolor="rgba(128,128,128,0.4)"),
        yaxis=dict(gridcolor="rgba(128,128,128,0.25)", zerolinecolor="rgba(128,128,128,0.4)"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, bgcolor="rgba(0,0,0,0)"),
        hoverlabel=dict(font=dict(size=12)),
        title=dict(font=dict(size=14), x=0, xanchor="left"),
    )
)


def figure(data: list[dict], **layout) -> go.Figure:
    """A figure in the lab's template from plain trace dicts and layout keywords.

    Builders describe traces and axes as plain dicts and this wraps them once,
    without plotly's per-property validation: that validation (and ``make_subplots``)
    costs 10–20 ms a figure, more than a slider's whole time budget. The tests
    re-validate every builder's output (``go.Figure(fig.to_dict())``) instead.
    """
    return go.Figure(data=[_titled(t) for t in data], layout=_titled({"template": TEMPLATE, **layout}),
                     _validate=False)


def _titled(d: dict) -> dict:
    """``d`` with every ``title="…"`` written as ``title={"text": "…"}``, in nested dicts too.

    plotly.js 4 (Plotly 7) draws no title given as a bare string; plotly's validation used to rewrite it, and
    :func:`figure` skips that validation. Arrays are not walked, only dicts (axes, colour bars, legends).
    """
    out = {}
    for key, value in d.items():
        if key == "title" and isinstance(value, str):
            value = {"text": value}
        elif isinstance(value, dict) and key != "template":
            value = _titled(value)
        out[key] = value
    return out


def message_figure(text: str) -> go.Figure:
    """A blank figure that says why there is nothing to draw."""
    return figure(
        [],
        height=160,
        annotations=[dict(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")],
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
    )


def subplot_title(text: str, x_center: float) -> dict:
    """An annotation placed as a subplot title above a column centred at ``x_center`` (paper units)."""
    return dict(text=text, x=x_center, y=1.0, xref="paper", yref="paper", xanchor="center", yanchor="bottom",
                showarrow=False, font=dict(size=13), yshift=4)
