"""Shared look of every figure: transparent, so the page theme (light or dark) shows through.

Axis text and grid colours follow the page theme through CSS (see the app's
``assets/neuralab.css``); the data colours here read well on both backgrounds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.colors as pc
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
#: Text colours for text drawn on a coloured cell (heatmap values, labels on bars): the darker of the two is the
#: template's font colour's darkest reading, the lighter white. The axis text follows the page theme instead.
DARK_TEXT, LIGHT_TEXT = "#1f2328", "#ffffff"
#: The least contrast (WCAG) of chart text with what is behind it; 3:1 is the graphics threshold (WCAG 1.4.11).
MIN_CONTRAST = 3.0

TEMPLATE = go.layout.Template(
    layout=dict(
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        colorway=COLORWAY,
        font=dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=13, color="#444"),
        margin=dict(l=56, r=16, t=40, b=44),
        # automargin: the margins grow to fit tick labels and axis titles (a long tick label never runs into
        # its axis title, a rotated one is never cut); the margins above are the least each side gets.
        # ticklabelstandoff: x labels 4 px further below the axis, so the first x label ("0", "1e-05") and the
        # lowest y label ("0") no longer touch at the axes' corner
        xaxis=dict(gridcolor="rgba(128,128,128,0.25)", zerolinecolor="rgba(128,128,128,0.4)", automargin=True,
                   ticklabelstandoff=4),
        yaxis=dict(gridcolor="rgba(128,128,128,0.25)", zerolinecolor="rgba(128,128,128,0.4)", automargin=True),
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


def _rgb(color: str) -> tuple[float, float, float]:
    """``color`` ("#rrggbb", "rgb(…)"; an alpha is ignored) as 0–255 floats."""
    if color.startswith("#"):
        return tuple(float(v) for v in pc.hex_to_rgb(color))  # type: ignore[return-value]
    parts = color[color.index("(") + 1:color.index(")")].split(",")
    return float(parts[0]), float(parts[1]), float(parts[2])


def luminance(color: str) -> float:
    """The WCAG relative luminance of an opaque colour: 0 for black, 1 for white."""
    lin = [v / 255 / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in _rgb(color)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two opaque colours, from 1 (same) to 21 (black on white)."""
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def text_on(background: str) -> str:
    """The text colour (:data:`DARK_TEXT` or :data:`LIGHT_TEXT`) that reads best on an opaque ``background``.

    The one rule for text drawn on a cell or a bar: a cell's colour is the same in both page themes, so the
    choice is too. A translucent cell would take the page's colour through it, and no one text colour reads on
    both themes' mixes: colour scales that carry text are opaque.
    """
    return max((DARK_TEXT, LIGHT_TEXT), key=lambda t: contrast(t, background))


def cell_colors(z: Sequence[Sequence[float]] | np.ndarray, colorscale: list | str, zmin: float,
                zmax: float) -> list[list[str]]:
    """The colour of each heatmap cell ``z[i][j]`` under ``colorscale`` spanning ``zmin``..``zmax``."""
    scale = pc.get_colorscale(colorscale) if isinstance(colorscale, str) else colorscale
    z = np.asarray(z, dtype=float)
    t = np.clip((np.nan_to_num(z, nan=zmin) - zmin) / ((zmax - zmin) or 1.0), 0, 1)
    flat = pc.sample_colorscale(scale, t.ravel().tolist())
    return [flat[i * z.shape[1]:(i + 1) * z.shape[1]] for i in range(z.shape[0])]


def cell_text(z: Sequence[Sequence[float]] | np.ndarray, text: Sequence[Sequence[str]], x: Sequence,
              y: Sequence, colorscale: list | str, zmin: float, zmax: float, size: int = 12, **axes) -> dict:
    """A text trace writing ``text[i][j]`` on heatmap cell (``x[j]``, ``y[i]``), each in :func:`text_on` its cell.

    Plotly's own heatmap ``texttemplate`` takes one text colour for the whole trace (or guesses one per cell
    from the colour alone, white on a light blue); this writes each cell's text in the colour that contrasts
    most with that cell. ``axes`` places it on the heatmap's axes (``xaxis="x2", yaxis="y2"``).
    """
    colors = cell_colors(z, colorscale, zmin, zmax)
    xs, ys, ts, cs = [], [], [], []
    for i, row in enumerate(text):
        for j, t in enumerate(row):
            if t:
                xs.append(x[j]), ys.append(y[i]), ts.append(t), cs.append(text_on(colors[i][j]))
    return dict(type="scatter", mode="text", x=xs, y=ys, text=ts, textfont=dict(color=cs, size=size),
                hoverinfo="skip", showlegend=False, **axes)
