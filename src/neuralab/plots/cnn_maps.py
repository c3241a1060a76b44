"""Figures for /cnn, the trained network opened up: filters, feature maps, one output pixel as a sum."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import num
from neuralab.plots.theme import BLUE, GREY, ORANGE, VERMILLION, figure, subplot_title
from neuralab.train.cnn import Maps, Pixel

__all__ = ["check_rows", "describe_filters", "describe_maps", "describe_pixel", "describe_where", "filters_figure",
           "grid", "maps_figure", "pixel_figure", "where_figure"]

DIVERGING = [[0.0, ORANGE], [0.5, "#b4b4b4"], [1.0, BLUE]]  # negative orange, zero grey, positive blue
ACTIVE = [[0.0, "#b4b4b4"], [1.0, BLUE]]  # after a ReLU: zero grey, the strongest blue
INK = [[0.0, "#f2f2f2"], [1.0, "#202020"]]  # an input digit: light background, dark ink


def grid(cells: list[tuple[int, int, dict]], rows: int, cols: int, gap: float = 0.012, top: float = 1.0,
         bottom: float = 0.0, left: float = 0.0, right: float = 1.0, row_gap: float = 0.09) -> tuple[list, dict]:
    """Heatmap traces placed at ``(row, col)`` of a grid of square panels, and the layout's axes.

    Plain dicts (no make_subplots, which costs more than a slider's budget). Each trace gets its own axis pair.
    """
    w = (right - left - gap * (cols - 1)) / cols
    h = (top - bottom - row_gap * (rows - 1)) / rows
    data, axes = [], {}
    for n, (r, c, trace) in enumerate(cells, start=1):
        x0, y1 = left + c * (w + gap), top - r * (h + row_gap)
        xa, ya = ("x", "y") if n == 1 else (f"x{n}", f"y{n}")
        hidden = dict(visible=False, fixedrange=True, constrain="domain")
        axes[f"xaxis{'' if n == 1 else n}"] = dict(hidden, domain=[_unit(x0), _unit(x0 + w)], anchor=ya)
        axes[f"yaxis{'' if n == 1 else n}"] = dict(hidden, domain=[_unit(y1 - h), _unit(y1)], anchor=xa,
                                                   autorange="reversed", scaleanchor=xa)
        data.append(dict(trace, xaxis=xa, yaxis=ya))
    return data, axes


def _unit(v: float) -> float:
    """A domain end inside [0, 1] (sums of fractions land a rounding error outside)."""
    return min(max(round(v, 6), 0.0), 1.0)


def _cells(z: np.ndarray) -> list:
    """A heatmap's values as lists, rounded; NaN (a gap between maps) becomes None, which draws nothing."""
    return [[None if v != v else v for v in row] for row in np.round(np.asarray(z, dtype=np.float64), 4).tolist()]


def _heat(z: np.ndarray, colorscale: list, lo: float, hi: float, name: str, text: bool = False) -> dict:
    t = dict(type="heatmap", z=_cells(z), colorscale=colorscale, zmin=lo, zmax=hi, showscale=False,
             xgap=1, ygap=1, name=name, hovertemplate=f"{name}<br>row %{{y}}, column %{{x}}: %{{z:.3f}}<extra></extra>")
    if text:
        t |= dict(texttemplate="%{z:.2f}", textfont=dict(size=10))
    return t


def _lim(a: np.ndarray) -> float:
    return float(np.abs(a).max()) or 1.0


def _strip(maps: list[np.ndarray] | np.ndarray, gap: int = 1) -> np.ndarray:
    """Equal-sized 2-D maps side by side in one array, ``gap`` columns of NaN (drawn as nothing) between them."""
    h = maps[0].shape[0]
    parts = []
    for i, a in enumerate(maps):
        if i:
            parts.append(np.full((h, gap), np.nan))
        parts.append(np.asarray(a, dtype=np.float64))
    return np.hstack(parts)  # (h, n·w + (n − 1)·gap)


def _row(z: np.ndarray, y0: float, colorscale: list, lo: float, hi: float, name: str, text: bool = False,
         x0: float = 0.0, scale: float = 1.0) -> dict:
    """One heatmap trace of a strip, its top-left cell centred at (x0, y0), cells ``scale`` wide, on axes x/y.

    A whole row of maps is one trace on one pair of axes: forty small subplots would cost more to lay out than a
    slider's budget.
    """
    t = _heat(z, colorscale, lo, hi, name, text)
    t |= dict(x0=x0, dx=scale, y0=y0, dy=scale, hoverongaps=False,
              hovertemplate=f"{name}: %{{z:.3f}}<extra></extra>")
    return t


def _label(x: float, y: float, text: str, size: int = 12, anchor: str = "left") -> dict:
    return dict(x=x, y=y, xref="x", yref="y", text=text, showarrow=False, xanchor=anchor, yanchor="bottom",
                font=dict(size=size))


def _canvas(data: list, notes: list, width: float, height_units: float, px: int, **layout) -> go.Figure:
    """One pair of hidden axes with square cells, ``width`` × ``height_units`` data units, ``px`` pixels high."""
    axis = dict(visible=False, fixedrange=True)
    return figure(data, height=px, annotations=notes, margin=dict(l=8, r=8, t=30, b=8),
                  xaxis=dict(axis, range=[-0.6, width - 0.4], constrain="domain"),
                  yaxis=dict(axis, range=[height_units - 0.4, -0.6], scaleanchor="x", constrain="domain"), **layout)


# ----------------------------------------------------------------------------- filters


def filters_figure(m: Maps) -> go.Figure:
    """The digit the network reads, and the eight 3×3 filters its first layer learned, with their weights."""
    lim = _lim(m.filters)
    z = _strip(list(m.filters), gap=1)  # (3, 31)
    data = [_row(m.x, 1.0, DIVERGING, -_lim(m.x), _lim(m.x), "scaled input"),
            _row(z, 1.0, DIVERGING, -lim, lim, "filter weight", text=True, x0=10.0, scale=2.0)]
    notes = [_label(-0.5, 0.3, f"digit {m.digit} (a {m.label})", 11)]
    notes += [_label(10.0 + 8.0 * i - 1.0, 0.3, f"filter {i}, b = {m.bias1[i]:.2f}", 11) for i in range(8)]
    return _canvas(data, notes, 10.0 + 8.0 * 8 - 2.0, 9.5, 220)


def describe_filters(m: Maps) -> str:
    signs = [int((f > 0).sum()) for f in m.filters]
    return (f"The first layer's eight learned 3×3 filters, weights between {num(m.filters.min())} and "
            f"{num(m.filters.max())}; a blue weight counts the value under it positively, an orange one negatively. "
            f"Positive weights per filter: {', '.join(map(str, signs))} of 9. The digit on the left is test digit "
            f"{m.digit}, a {m.label}, as the network reads it (each pixel scaled by its training mean and spread).")


# ----------------------------------------------------------------------------- feature maps


def maps_figure(m: Maps) -> go.Figure:
    """Every feature map of the chosen digit: after layer 1, after layer 2, after the max pool (cells doubled)."""
    pooled = np.kron(m.pool, np.ones((2, 2)))  # (16, 8, 8): each pooled value over the 2×2 block it came from
    rows = [("after convolution 1 and its ReLU", m.relu1, 8), ("after convolution 2 and its ReLU", m.relu2, 8),
            ("after the 2×2 max pool (4×4 maps, each value drawn over its block)", pooled, 4)]
    data, notes = [], []
    for r, (title, maps, _) in enumerate(rows):
        y0 = 1.5 + r * 11.0
        hi = float(maps.max()) or 1.0
        data.append(_row(_strip(list(maps)), y0, ACTIVE, 0.0, hi, title))
        notes.append(_label(-0.5, y0 - 1.5, f"{title}: {len(maps)} maps", 12))
    return _canvas(data, notes, 16 * 9 - 1, 3 * 11.0, 360)


def describe_maps(m: Maps) -> str:
    pred = int(m.probs.argmax())
    verdict = "right" if pred == m.label else f"wrong: it is a {m.label}"
    dead1 = int((m.relu1.reshape(len(m.relu1), -1).max(1) == 0).sum())
    dead2 = int((m.relu2.reshape(len(m.relu2), -1).max(1) == 0).sum())
    return (f"Test digit {m.digit}: the CNN answers {pred} with probability {m.probs[pred]:.3f} ({verdict}); "
            f"it scores {m.accuracy:.1%} on the 360 test digits with {m.params:,} parameters. For this digit "
            f"{dead1} of the 8 first-layer maps and {dead2} of the 16 second-layer maps are zero everywhere "
            "(their filter found nothing it responds to). Each row has its own colour scale, from 0 (grey) to the "
            "row's largest value (blue); the dense layer reads the 256 numbers of the last row.")


# ----------------------------------------------------------------------------- one pixel


def _rect(rows: tuple[int, int], cols: tuple[int, int], axis: str, color: str, dash: str = "solid") -> dict:
    return dict(type="rect", x0=cols[0] - 0.5, x1=cols[1] + 0.5, y0=rows[0] - 0.5, y1=rows[1] + 0.5,
                xref=axis.replace("y", "x"), yref=axis, line=dict(color=color, width=3, dash=dash))


def where_figure(p: Pixel) -> go.Figure:
    """The input the layer reads (channel-wise sum for layer 2), the 3×3 window, and the output map."""
    src = p.source[0] if p.layer == 1 else p.source.sum(axis=0)
    out = p.out
    cells = [(0, 0, _heat(src, DIVERGING if p.layer == 1 else ACTIVE, -_lim(src) if p.layer == 1 else 0.0,
                          _lim(src), "input" if p.layer == 1 else "sum of the 8 layer-1 maps")),
             (0, 1, _heat(out, DIVERGING, -_lim(out), _lim(out), f"map {p.channel} before its ReLU"))]
    data, axes = grid(cells, 1, 2, gap=0.12, top=0.88, left=0.1, right=0.9)
    shapes = [_rect(p.sum.rows, p.sum.cols, "y", VERMILLION), _rect((p.row, p.row), (p.col, p.col), "y2", VERMILLION)]
    if p.layer == 2:
        shapes.append(_rect(*p.receptive, "y", GREY, "dot"))
    first = "the scaled digit" if p.layer == 1 else "layer 1's 8 maps (their sum)"
    notes = [subplot_title(f"what convolution {p.layer} reads: {first}", 0.29),
             subplot_title(f"its output map {p.channel}, pixel ({p.row}, {p.col})", 0.71)]
    return figure(data, height=300, margin=dict(l=8, r=8, t=36, b=8), shapes=shapes, annotations=notes, **axes)


def describe_where(p: Pixel) -> str:
    pad = "" if _inside(p) else " Part of the window hangs over the edge: those entries are the zero padding."
    field = ("" if p.layer == 1 else
             f" Through layer 1 the pixel depends on input rows {p.receptive[0][0]}–{p.receptive[0][1]} and columns "
             f"{p.receptive[1][0]}–{p.receptive[1][1]} (dotted): a 5×5 field where the image allows, from two "
             "stacked 3×3 filters.")
    return (f"The red square is the 3×3 window (rows {p.sum.rows[0]}–{p.sum.rows[1]}, columns "
            f"{p.sum.cols[0]}–{p.sum.cols[1]}) whose values make output pixel ({p.row}, {p.col}) of map "
            f"{p.channel}.{pad}{field}")


def _inside(p: Pixel) -> bool:
    return p.sum.rows[0] >= 0 and p.sum.cols[0] >= 0 and p.sum.rows[1] <= 7 and p.sum.cols[1] <= 7


def pixel_figure(p: Pixel) -> go.Figure:
    """Patch, kernel and their product for each input channel, every number written in its cell."""
    s = p.sum
    c_in = len(s.patch)
    rows = [("input patch", s.patch), ("kernel", s.kernel), ("patch × kernel", s.products)]
    left = 6.0  # room for the row names
    data, notes = [], []
    for r, (name, arr) in enumerate(rows):
        y0 = 1.0 + r * 5.0
        lim = _lim(arr)
        data.append(_row(_strip(list(arr)), y0, DIVERGING, -lim, lim, name, text=True, x0=left))
        notes.append(dict(_label(left - 1.0, y0 + 0.5, name, 12, "right"), yanchor="middle"))
    notes += [_label(left + 4 * c - 0.5, 0.0, f"ch {c}: {s.per_channel[c]:+.3f}", 11) for c in range(c_in)]
    width = left + max(4 * c_in - 1, 10)
    return _canvas(data, notes, width, 15.0, 440 if c_in > 1 else 400)


def describe_pixel(p: Pixel) -> str:
    s = p.sum
    terms = s.products.size
    return (f"Output ({p.row}, {p.col}) of map {p.channel} = the {terms} products summed "
            f"({num(s.products.sum())}) + bias ({num(s.bias)}) = {s.value:.6f}; torch's Conv2d gives "
            f"{p.torch_value:.6f}, a difference of {p.error:.1e} (float32 rounding). After the ReLU it becomes "
            f"{max(s.value, 0.0):.4f}.")


def check_rows(p: Pixel) -> list[list[str]]:
    """The sum's last steps and torch's value, for a table."""
    s = p.sum
    return [["Σ patch × kernel", f"{s.products.sum():.6f}"], ["+ bias", f"{s.bias:.6f}"],
            ["= by hand (float64)", f"{s.value:.6f}"], ["torch Conv2d (float32)", f"{p.torch_value:.6f}"],
            ["difference", f"{p.error:.1e}"], ["after ReLU", f"{max(s.value, 0.0):.6f}"]]
