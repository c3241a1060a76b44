"""Figures for the training playground: curves, decision map, neuron maps, the network, layer health.

Every builder takes plain arrays (what the fast engine reports) and returns a figure
built from plain dicts (see :func:`neuralab.plots.theme.figure`), cheap enough to be
rebuilt ten times a second while a network trains. Each ``*_figure`` has a
``describe_*`` twin: the one-sentence caption under the chart, with the real numbers.

Colour convention (the TensorFlow Playground's): orange is negative or class 0, blue
is positive or class 1; the stronger the colour, the larger the magnitude.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from neuralab.plots.format import num
from neuralab.plots.theme import BLUE, COLORWAY, GREEN, GREY, ORANGE, VERMILLION, cell_text, figure, text_on

__all__ = [
    "DIVERGING",
    "boundary_figure",
    "boundary_update",
    "confusion_figure",
    "curves_figure",
    "curves_update",
    "describe_boundary",
    "describe_confusion",
    "describe_curves",
    "describe_health",
    "describe_network",
    "describe_neurons",
    "health_figure",
    "network_figure",
    "network_update",
    "neurons_figure",
]

#: Orange (negative) through a see-through grey (zero) to blue (positive): reads on light and dark pages.
#: Share of a true class predicted as each class: opaque (grey to blue), so each count's colour is chosen once.
CONFUSION_SCALE = [[0, "#aab2bb"], [1, BLUE]]
DIVERGING = [[0.0, ORANGE], [0.5, "rgba(140,140,140,0.12)"], [1.0, BLUE]]
#: At most this many edges get a clickable midpoint marker (the largest network has about 4 800 edges).
MAX_EDGE_MARKERS = 2500
#: Curves longer than this are thinned to this many evenly spread epochs for drawing.
MAX_CURVE_POINTS = 400
#: Neuron maps travel as one byte per cell: 0..254 spans [-1, 1] of the neuron's range, 255 is the see-through gap.
GAP_CODE = 255
_TILE_SCALE = [[0.0, ORANGE], [127 / 255, "rgba(140,140,140,0.12)"], [254 / 255, BLUE], [1.0, "rgba(0,0,0,0)"]]
#: Edge widths are binned into this many classes per sign: one trace per class keeps the figure small.
WIDTH_BINS = 5


def _finite(a: Sequence[float]) -> np.ndarray:
    arr = np.asarray(a, dtype=float)
    return arr[np.isfinite(arr)]


# ----------------------------------------------------------------------------- curves


def curves_figure(
    epochs: Sequence[float],
    train_loss: Sequence[float],
    test_loss: Sequence[float],
    train_metric: Sequence[float],
    test_metric: Sequence[float],
    metric: str = "accuracy",
    loss_name: str = "loss",
    best_epoch: float | None = None,
) -> go.Figure:
    """Training and test loss (log scale, left) and the task metric (right) against epochs.

    ``metric`` is "accuracy" (drawn as %, 0–100) or "R²" (drawn as is, clipped to −1 below).
    A non-finite loss (divergence) leaves a gap rather than breaking the axis.
    """
    traces, shapes, xmax, acc = _curve_parts(epochs, train_loss, test_loss, train_metric, test_metric, metric,
                                             loss_name, best_epoch)
    return figure(
        traces,
        height=280,
        margin=dict(t=56, b=44, l=56, r=16),
        legend=dict(y=1.12),
        shapes=shapes,
        uirevision="curves",
        xaxis=dict(domain=[0, 0.43], range=[0, max(xmax, 1e-9)], title=dict(text="epochs")),
        yaxis=dict(type="log", title=dict(text=f"{loss_name} (log scale)"), exponentformat="power"),
        xaxis2=dict(domain=[0.62, 1], anchor="y2", range=[0, max(xmax, 1e-9)], title=dict(text="epochs")),
        yaxis2=dict(anchor="x2", range=[0, 100] if acc else [-1, 1],
                    title=dict(text="accuracy (%)" if acc else "R² (1 = perfect)")),
    )


def _curve_parts(epochs, train_loss, test_loss, train_metric, test_metric, metric, loss_name, best_epoch):
    """The four traces, the best-epoch markers, the last epoch and whether the metric is accuracy."""
    keep = _thin(len(epochs))
    ep = np.asarray(epochs, dtype=float)[keep]

    def safe(y):
        y = np.asarray(y, dtype=float)[keep]
        return np.where(np.isfinite(y) & (y > 0), y, np.nan) if len(y) else y

    acc = metric == "accuracy"
    scale = 100.0 if acc else 1.0

    def met(y):
        y = np.asarray(y, dtype=float)[keep] * scale
        return y if acc else np.maximum(y, -1.0)

    hover = "epoch %{x:.2f}: %{y:.4g}<extra>%{fullData.name}</extra>"
    traces = [
        dict(type="scatter", x=ep, y=safe(train_loss), name=f"train {loss_name}", mode="lines",
             line=dict(color=BLUE, width=2), hovertemplate=hover),
        dict(type="scatter", x=ep, y=safe(test_loss), name=f"test {loss_name}", mode="lines",
             line=dict(color=ORANGE, width=2), hovertemplate=hover),
        dict(type="scatter", x=ep, y=met(train_metric), name=f"train {metric}", mode="lines", xaxis="x2",
             yaxis="y2", line=dict(color=BLUE, width=2, dash="dot"), hovertemplate=hover),
        dict(type="scatter", x=ep, y=met(test_metric), name=f"test {metric}", mode="lines", xaxis="x2",
             yaxis="y2", line=dict(color=ORANGE, width=2, dash="dot"), hovertemplate=hover),
    ]
    shapes = []
    if best_epoch is not None:
        for xref, yref in (("x", "y domain"), ("x2", "y2 domain")):
            shapes.append(dict(type="line", xref=xref, x0=best_epoch, x1=best_epoch, yref=yref, y0=0, y1=1,
                               line=dict(color=GREEN, dash="dot", width=2)))
    xmax = max(float(ep[-1]) if len(ep) else 1.0, 1.0)
    return traces, shapes, xmax, acc


def curves_update(
    epochs: Sequence[float],
    train_loss: Sequence[float],
    test_loss: Sequence[float],
    train_metric: Sequence[float],
    test_metric: Sequence[float],
    metric: str = "accuracy",
    loss_name: str = "loss",
    best_epoch: float | None = None,
) -> dict:
    """What changes in :func:`curves_figure` as a run goes on: each panel's curves, as a picture.

    Redrawing the figure's traces re-lays-out its axes, ticks and legend (most of a frame's
    drawing time in a browser); swapping two layout images does not. ``images`` are SVGs of the
    loss panel (log scale) and the metric panel, drawn over each panel's domain in the axis
    ranges of ``layout``; those ranges move in steps (epochs to the next 1, 2 or 5 × 10ⁿ, the
    loss to whole decades), so the axes are redrawn only when a curve outgrows them. The page
    empties the traces it stands in for (``clear``); the figure drawn when the run stops has
    them again. ``n``: the figure's trace count.
    """
    traces, _, xmax, acc = _curve_parts(epochs, train_loss, test_loss, train_metric, test_metric, metric,
                                        loss_name, best_epoch)
    xr = (0.0, _nice_ceil(xmax))
    losses = np.concatenate([np.asarray(t["y"], dtype=float) for t in traces[:2]])
    losses = losses[np.isfinite(losses) & (losses > 0)]
    lo, hi = (math.floor(math.log10(losses.min())), math.ceil(math.log10(losses.max()))) if losses.size else (-1, 0)
    yr = (float(lo), float(hi if hi > lo else lo + 1))
    mr = (0.0, 100.0) if acc else (-1.0, 1.0)
    best = [] if best_epoch is None else [best_epoch]

    def log(t: dict) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.log10(np.asarray(t["y"], dtype=float))

    loss_svg = _svg_panel([(t["x"], log(t)) for t in traces[:2]], xr, yr, best, dash=False)
    metric_svg = _svg_panel([(t["x"], t["y"]) for t in traces[2:]], xr, mr, best, dash=True)
    images = [dict(source=_svg_uri(svg), xref=f"{ax} domain", yref=f"{ay} domain", x=0, y=1, sizex=1, sizey=1,
                   xanchor="left", yanchor="top", sizing="stretch", layer="above")
              for svg, ax, ay in ((loss_svg, "x", "y"), (metric_svg, "x2", "y2"))]
    return dict(n=4, clear=[0, 1, 2, 3], images=images,
                layout={"xaxis.range": list(xr), "xaxis2.range": list(xr), "yaxis.range": list(yr),
                        "yaxis.autorange": False, "shapes": []})


def _nice_ceil(x: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above ``x`` (at least 1)."""
    x = max(float(x), 1.0)
    k = 10 ** math.floor(math.log10(x))
    return next(m * k for m in (1, 2, 5, 10) if m * k >= x - 1e-9)


_SVG_UNITS = 10000  # pictures are drawn in whole units of a 10 000 × 10 000 box: short to write, finer than a pixel


def _svg_panel(lines: list, xr: tuple[float, float], yr: tuple[float, float], marks: list, dash: bool) -> str:
    """An SVG of (x, y) lines (NaN breaks a line; blue, then orange) in the box ``xr`` × ``yr``, with
    a dotted green vertical line at each x of ``marks`` (the best epoch)."""
    paths, dashed = [], 'stroke-dasharray="2 2" ' if dash else ""
    for (x, y), color in zip(lines, (BLUE, ORANGE), strict=False):
        d = _svg_path(_units(x, xr), _units(y, yr, flip=True))
        if d:
            paths.append(f'<path d="{d}" stroke="{color}" stroke-width="2" fill="none" '
                         f'{dashed}vector-effect="non-scaling-stroke"/>')
    for m in _units(np.asarray(marks, dtype=float), xr):
        paths.append(f'<path d="M{m} 0V{_SVG_UNITS}" stroke="{GREEN}" stroke-width="2" stroke-dasharray="2 2" '
                     'vector-effect="non-scaling-stroke"/>')
    return _svg(paths)


def _units(v, r: tuple[float, float], flip: bool = False) -> np.ndarray:
    """Values in the range ``r`` as whole units of the picture's box (SVG's y points down: ``flip``); NaN stays."""
    with np.errstate(all="ignore"):
        t = (np.asarray(v, dtype=float) - r[0]) / (r[1] - r[0])
    t = 1 - t if flip else t
    return np.rint(np.clip(t, -1, 2) * _SVG_UNITS)


def _svg(paths: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_SVG_UNITS} {_SVG_UNITS}" '
            f'preserveAspectRatio="none">{"".join(paths)}</svg>')


def _svg_path(x: np.ndarray, y: np.ndarray) -> str:
    """``M x y x y …`` through the points; a non-finite one starts a new line (a lone point draws nothing)."""
    ok = np.isfinite(x) & np.isfinite(y)
    out = []
    for run in np.split(np.arange(len(x)), np.flatnonzero(~ok)):
        run = run[ok[run]]
        if len(run) > 1:
            out.append("M" + " ".join(map(str, np.stack([x[run], y[run]], axis=1).astype(int).ravel().tolist())))
    return "".join(out)


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _thin(n: int, most: int = MAX_CURVE_POINTS) -> np.ndarray:
    """Indices of at most ``most`` evenly spread epochs, always with the first and the last.

    A long run has thousands of epochs; the screen has a few hundred pixels per curve, and every
    frame of a running job sends the curves again.
    """
    if n <= most:
        return np.arange(n)
    return np.unique(np.r_[np.linspace(0, n - 1, most).round().astype(int), n - 1])


def describe_curves(
    epochs: Sequence[float],
    train_loss: Sequence[float],
    test_loss: Sequence[float],
    train_metric: Sequence[float],
    test_metric: Sequence[float],
    metric: str = "accuracy",
    loss_name: str = "loss",
) -> str:
    if not len(epochs):
        return "No training yet: press Play or Step to train; the curves start at the first evaluation."
    tr, te = float(train_loss[-1]), float(test_loss[-1])
    m_tr, m_te = float(train_metric[-1]), float(test_metric[-1])
    if metric == "accuracy":
        m = f"train accuracy {m_tr:.1%}, test accuracy {m_te:.1%}"
    else:
        m = f"train R² {num(m_tr)}, test R² {num(m_te)}"
    start = _finite(test_loss)
    trend = ""
    if len(start) > 1 and math.isfinite(te):
        trend = f" (test {loss_name} started at {num(float(start[0]))})"
    e = float(epochs[-1])
    e_text = f"{e:,.0f}" if e == int(e) else f"{e:,.2f}"  # a whole epoch as a whole number
    return f"After {e_text} epochs: train {loss_name} {num(tr)}, test {loss_name} {num(te)}{trend}; {m}."


# ----------------------------------------------------------------------------- decision map


def boundary_figure(
    grid: np.ndarray,
    extent: tuple[float, float, float, float],
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    task: str = "binary",
    n_classes: int = 2,
    show_test: bool = True,
    axis_names: tuple[str, str] = ("x", "y"),
    square: bool = True,
    positive: str = "blue",
) -> go.Figure:
    """The model's output over the input plane, with the data points on top.

    Args:
        grid: model output on a regular grid, shape (ny, nx), rows from y_min to y_max. For "binary"
            the probability of class 1 (0..1); for "multiclass" the predicted class; for "regression"
            the prediction in the target's units.
        extent: (x_min, x_max, y_min, y_max) of the grid, in input units.
        x_train, x_test: points, shape (n, 2) (the two raw inputs, before feature expansion).
        y_train, y_test: labels (class index) or targets.
        task: "binary", "multiclass" or "regression".
        axis_names: what the two coordinates are (the motor set's are scaled current and temperature).
        square: one unit the same length on both axes; off for two columns in different units (a user table).
        positive: the name of class 1 (drawn blue), for the binary map's colour bar.
    """
    grid = np.asarray(grid, dtype=float)
    ny, nx = grid.shape
    x0, x1, y0, y1 = extent
    heat = dict(type="heatmap", z=grid, x0=x0, dx=(x1 - x0) / max(nx - 1, 1), y0=y0, dy=(y1 - y0) / max(ny - 1, 1),
                hoverinfo="skip", showscale=task != "multiclass",
                zsmooth="best" if task != "multiclass" else False)  # a smooth map, as the streamed picture is
    if task == "binary":
        heat.update(zmin=0, zmax=1, colorscale=DIVERGING, colorbar=dict(title=dict(text=f"P({positive})"),
                                                                          thickness=10))
    elif task == "regression":
        lim = float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 1.0
        heat.update(zmin=-lim, zmax=lim, colorscale=DIVERGING, colorbar=dict(title=dict(text="output"), thickness=10))
    else:
        k = max(n_classes, 2)
        scale = []
        for c in range(k):
            col = COLORWAY[c % len(COLORWAY)]
            scale += [[c / k, col], [(c + 1) / k, col]]
        heat.update(zmin=-0.5, zmax=k - 0.5, colorscale=scale, opacity=0.35)
    traces = [heat, _points(x_train, y_train, task, n_classes, "train", "circle")]
    with_test = show_test and len(x_test)
    if with_test:
        traces.append(_points(x_test, y_test, task, n_classes, "test", "circle-open"))
    # the points' colours are the classes (or targets), so the legend tells the splits apart by shape, in grey
    traces.append(_key("train (filled)", "circle"))
    if with_test:
        traces.append(_key("test (hollow)", "circle-open"))
    return figure(
        traces,
        height=360,
        margin=dict(t=36, b=44, l=48, r=8),
        uirevision="boundary",
        xaxis=dict(range=[x0, x1], title=dict(text=axis_names[0]), constrain="domain", showgrid=False, zeroline=False),
        yaxis=dict(range=[y0, y1], title=dict(text=axis_names[1]), scaleanchor="x" if square else None,
                   showgrid=False, zeroline=False),
    )


def _key(name: str, symbol: str) -> dict:
    """A legend entry only: a neutral marker of the given shape (nothing is drawn on the plane)."""
    return dict(type="scatter", x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
                marker=dict(size=8, symbol=symbol, color=GREY, line=dict(width=1.5, color=GREY)))


def boundary_update(grid: np.ndarray, extent: tuple[float, float, float, float], task: str = "binary",
                    n_classes: int = 2, with_test: bool = True) -> dict:
    """What changes in :func:`boundary_figure` as a network trains: the map, as a picture.

    Redrawing the heatmap trace redraws every data point on top of it as well (most of a frame's
    drawing time in a browser); swapping one layout image does not. ``image`` is a layout image
    over the plane: the grid coloured exactly as the heatmap's colour scale colours it, one pixel
    per cell, as a PNG (a few kB). The page shows it in place of the heatmap while a run streams;
    the figure drawn when the run stops has the heatmap again. ``n``: the figure's trace count
    (the map, the training points, the test points if shown, and one legend entry for each split).
    """
    grid = np.asarray(grid, dtype=float)
    x0, x1, y0, y1 = extent
    rgba = _map_colors(grid, task, n_classes)[::-1]  # the picture's first row is the top of the plane
    return dict(n=5 if with_test else 3, hide=[0], images=[dict(
        source="data:image/png;base64," + base64.b64encode(_png(rgba)).decode(), xref="x", yref="y", x=x0, y=y1,
        sizex=x1 - x0, sizey=y1 - y0, xanchor="left", yanchor="top", sizing="stretch", layer="below")])


def _rgba(color: str) -> np.ndarray:
    """A "#rrggbb" or "rgba(r,g,b,a)" colour as four floats in 0..255."""
    if color.startswith("#"):
        return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)] + [255], dtype=float)
    parts = [float(p) for p in color[color.index("(") + 1:-1].split(",")]
    return np.array(parts[:3] + [255 * (parts[3] if len(parts) > 3 else 1.0)])


def _map_colors(grid: np.ndarray, task: str, n_classes: int) -> np.ndarray:
    """(ny, nx, 4) uint8: each cell in the colour the heatmap of :func:`boundary_figure` gives it."""
    if task == "multiclass":
        palette = np.array([_rgba(COLORWAY[c % len(COLORWAY)]) for c in range(max(n_classes, 2))])
        palette[:, 3] = 255 * 0.35  # the heatmap's opacity
        k = np.clip(np.nan_to_num(np.rint(grid), nan=0), 0, len(palette) - 1).astype(int)
        return palette[k].astype(np.uint8)
    if task == "regression":
        lim = float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 1.0
        t = (grid + lim) / (2 * lim) if lim > 0 else np.full_like(grid, 0.5)
    else:
        t = grid
    t = np.clip(np.nan_to_num(t, nan=0.5), 0, 1)
    stops = np.array([s for s, _ in DIVERGING])
    cols = np.array([_rgba(c) for _, c in DIVERGING])
    out = np.stack([np.interp(t, stops, cols[:, j]) for j in range(4)], axis=-1)
    return np.rint(out).astype(np.uint8)


def _png(rgba: np.ndarray) -> bytes:
    """A PNG file of an (h, w, 4) uint8 image: small (a few kB) and fast to make."""
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba, dtype=np.uint8), "RGBA").save(out, "PNG", compress_level=6)
    return out.getvalue()


def _points(x: np.ndarray, y: np.ndarray, task: str, n_classes: int, name: str, symbol: str) -> dict:
    x = np.asarray(x, dtype=float).reshape(-1, 2)
    y = np.asarray(y)
    marker = dict(size=6 if name == "train" else 7, symbol=symbol, line=dict(width=1 if name == "train" else 1.5))
    if task == "regression":
        lim = float(np.max(np.abs(y))) if len(y) else 1.0
        marker.update(color=y.astype(float), colorscale=[[0, ORANGE], [0.5, "#dddddd"], [1, BLUE]], cmin=-lim,
                      cmax=lim, line=dict(width=1 if name == "train" else 1.5, color="white" if name == "train"
                                          else GREY))
    else:
        palette = [ORANGE, BLUE] if task == "binary" else COLORWAY
        colors = [palette[int(c) % len(palette)] for c in y]
        if name == "train":  # the outline contrasts with the point's own colour, which is also the colour of the
            # map where the network predicts that class: the point stays visible there, in either page theme
            marker.update(color=colors, line=dict(width=1.5, color=[text_on(c) for c in colors]))
        else:
            marker.update(color=colors, line=dict(width=1.5, color=colors))
    return dict(type="scatter", x=x[:, 0], y=x[:, 1], mode="markers", name=f"{name} points", marker=marker,
                showlegend=False, hovertemplate=f"{name} (%{{x:.2f}}, %{{y:.2f}})<extra></extra>")


def describe_boundary(task: str, train_metric: float, test_metric: float, n_train: int, n_test: int) -> str:
    if task == "regression":
        return (f"The background is the network's output over the plane; {n_train} training points (filled) and "
                f"{n_test} test points (rings) are coloured by their target; test R² is {num(test_metric)}.")
    return (f"The background is the class the network predicts at each point of the plane; {n_train} training "
            f"points (filled) are {train_metric:.1%} right and {n_test} test points (rings) {test_metric:.1%} right.")


# ----------------------------------------------------------------------------- neuron maps


def neurons_figure(maps: Sequence[np.ndarray], layer_names: Sequence[str] | None = None) -> go.Figure:
    """Every hidden neuron's output over the input plane, one small map each, one row per layer.

    ``maps[l]`` has shape (n_neurons, r, r), rows from the bottom of the plane to the top. Each map
    is scaled by its own largest magnitude, so the pattern shows whatever the unit's range. The
    maps are tiled into one heatmap of bytes (with see-through gaps), which the browser draws far
    faster than one trace per neuron and which is an eighth of the size of float64 data.
    """
    maps = [np.nan_to_num(np.asarray(m, dtype=float), nan=0.0) for m in maps]  # a diverged net: NaN reads as 0
    if not maps or not any(m.size for m in maps):
        return _note_figure("No hidden layer: the output is a direct function of the features.")
    r = maps[0].shape[-1]
    cols = max(m.shape[0] for m in maps)
    gap = 1
    cell = r + gap
    tiles = np.full((len(maps) * cell, cols * cell), GAP_CODE, dtype=np.uint8)  # one byte a cell: small to send
    for li, m in enumerate(maps):
        flat = m.reshape(m.shape[0], -1)
        scale = np.abs(flat).max(axis=1) if m.size else np.array([])
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        unit = m / scale[:, None, None]  # each map on [-1, 1]
        codes = np.rint((np.clip(unit, -1, 1) + 1) * (GAP_CODE - 1) / 2).astype(np.uint8)
        top = (len(maps) - 1 - li) * cell  # first layer at the top
        for ni in range(m.shape[0]):
            tiles[top:top + r, ni * cell:ni * cell + r] = codes[ni]
    names = list(layer_names) if layer_names else [f"layer {i + 1}" for i in range(len(maps))]
    tickvals = [(len(maps) - 1 - li) * cell + (r - 1) / 2 for li in range(len(maps))]
    cell_px = max(12.0, min(90.0, 440.0 / cols))  # on-screen size of one map
    return figure(
        [dict(type="heatmap", z=tiles, zmin=0, zmax=GAP_CODE, colorscale=_TILE_SCALE, showscale=False,
              hoverinfo="skip")],
        height=int(min(40 + len(maps) * cell_px * 1.08, 480)),
        margin=dict(t=8, b=24, l=64, r=8),
        xaxis=dict(visible=True, showgrid=False, zeroline=False, tickvals=[c * cell + (r - 1) / 2 for c in range(cols)],
                   ticktext=[str(c + 1) for c in range(cols)], constrain="domain", fixedrange=True),
        yaxis=dict(showgrid=False, zeroline=False, tickvals=tickvals, ticktext=names, scaleanchor="x",
                   fixedrange=True),
    )


def describe_neurons(maps: Sequence[np.ndarray], dead: Sequence[float] | None = None) -> str:
    sizes = [int(np.asarray(m).shape[0]) for m in maps]
    if not sizes:
        return "No hidden layer, so there are no neuron maps to draw."
    flat = [np.nan_to_num(np.asarray(m, dtype=float).reshape(np.asarray(m).shape[0], -1), nan=0.0) for m in maps]
    constant = sum(int(np.sum(f.max(axis=1) - f.min(axis=1) < 1e-6)) for f in flat if f.size)
    text = (f"{sum(sizes)} hidden neurons in {len(sizes)} layer{'s' if len(sizes) > 1 else ''} "
            f"({' · '.join(map(str, sizes))}); each map is one neuron's output over the plane")
    if constant:
        text += f"; {constant} of them output the same value everywhere (dead or saturated)"
    return text + "."


def _note_figure(text: str) -> go.Figure:
    return figure([], height=140, annotations=[dict(text=text, showarrow=False, x=0.5, y=0.5, xref="paper",
                                                    yref="paper")],
                  xaxis=dict(visible=False), yaxis=dict(visible=False))


# ----------------------------------------------------------------------------- network


def network_figure(
    weights: Sequence[np.ndarray],
    input_names: Sequence[str],
    output_names: Sequence[str] | None = None,
) -> go.Figure:
    """The network as drawn by the TensorFlow Playground: one column per layer, an edge per weight.

    ``weights[l]`` has shape (n_out, n_in) (torch's ``Linear.weight``). Edge width grows with
    |w| (relative to the largest weight of the network); blue edges are positive, orange
    negative. Each edge has a small marker at its midpoint that carries ``(layer, out, in)``
    in ``customdata``: clicking it selects that weight for editing.
    """
    weights = [np.asarray(w, dtype=float) for w in weights]
    sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights] if weights else [len(input_names)]
    pos = [np.asarray(_column(n)) for n in sizes]
    e = _edges(weights, pos)
    traces = []
    for (sign, b), (xs, ys) in zip(_EDGE_CLASSES, _edge_lines(e), strict=True):  # every class, empty or not
        traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                           connectgaps=False, line=dict(color=BLUE if sign else ORANGE,
                                                        width=0.4 + 4.6 * (b + 0.5) / WIDTH_BINS),
                           opacity=0.35 + 0.6 * (b + 0.5) / WIDTH_BINS))
    stride = max(1, math.ceil(len(e) / MAX_EDGE_MARKERS))
    m = e[::stride]
    # (layer, unit, input, weight), 1-based, as a plain list: a click reports plain lists, not typed arrays
    picks = [[int(a) + 1, int(b) + 1, int(c) + 1, float(f"{w:.4g}")] for w, a, b, c in m[:, 4:8]]
    traces.append(dict(type="scatter", x=((m[:, 0] + m[:, 2]) / 2).astype(np.float32),
                       y=((m[:, 1] + m[:, 3]) / 2).astype(np.float32), mode="markers",
                       customdata=picks,
                       name="weights",
                       showlegend=False, marker=dict(size=7, color="rgba(128,128,128,0.05)"),
                       hovertemplate="layer %{customdata[0]}: neuron %{customdata[1]} ← unit %{customdata[2]}, "
                                     "w = %{customdata[3]:.3g}<br>click to edit<extra></extra>"))
    node_x = np.concatenate([np.full(len(col), li) for li, col in enumerate(pos)])
    node_y = np.concatenate(pos)
    labels = [*input_names] + [f"h{li + 1}.{n + 1}" for li, s in enumerate(sizes[1:-1]) for n in range(s)]
    labels += list(output_names or [f"out {n + 1}" for n in range(sizes[-1])])
    traces.append(dict(type="scatter", x=node_x, y=node_y, mode="markers", showlegend=False, text=labels,
                       marker=dict(size=12 if max(sizes) <= 16 else 8, color="#f4f4f4", line=dict(width=1.5,
                                                                                                 color=GREY)),
                       hovertemplate="%{text}<extra></extra>"))
    annotations = [dict(x=-0.08, y=pos[0][i], text=name, xanchor="right", showarrow=False, font=dict(size=11))
                   for i, name in enumerate(input_names)] if len(input_names) <= 16 else []
    col_names = ["inputs"] + [f"hidden {i}" for i in range(1, len(sizes) - 1)] + ["output"]
    annotations += [dict(x=li, y=1.04, yref="paper", text=n, showarrow=False, font=dict(size=11))
                    for li, n in enumerate(col_names)]
    return figure(
        traces,
        height=max(260, min(560, 40 + 14 * max(sizes))),
        margin=dict(t=28, b=8, l=70, r=16),
        annotations=annotations,
        hovermode="closest",
        xaxis=dict(visible=False, range=list(_network_ranges(len(sizes))[0]), fixedrange=True),
        yaxis=dict(visible=False, range=list(_network_ranges(len(sizes))[1]), fixedrange=True),
    )


#: The edge traces of :func:`network_figure`, in order: (sign, width class), negative (orange) first.
_EDGE_CLASSES = [(sign, b) for sign in (0, 1) for b in range(WIDTH_BINS)]


def _edges(weights: list[np.ndarray], pos: list[np.ndarray]) -> np.ndarray:
    """One row per weight: x0, y0, x1, y1, w, layer, out, in."""
    seg = []
    for li, w in enumerate(weights):
        o, i = np.meshgrid(np.arange(w.shape[0]), np.arange(w.shape[1]), indexing="ij")
        o, i = o.ravel(), i.ravel()
        seg.append(np.stack([np.full(o.size, li), pos[li][i], np.full(o.size, li + 1), pos[li + 1][o], w.ravel(),
                             np.full(o.size, li), o, i], axis=1))
    return np.concatenate(seg) if seg else np.zeros((0, 8))


def _edge_lines(e: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """x and y (float32, NaN between segments) of each class of :data:`_EDGE_CLASSES`.

    Width grows with |w| relative to the largest finite weight; a non-finite weight is drawn
    at full width, in blue.
    """
    v = e[:, 4]
    fin = np.isfinite(v)
    finite = np.abs(v[fin])
    wmax = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    mag = np.where(fin, np.abs(v) / wmax, 1.0)
    bins = np.minimum(WIDTH_BINS - 1, (mag * WIDTH_BINS).astype(int))
    positive = ~fin | (v >= 0)
    out = []
    for sign, b in _EDGE_CLASSES:
        sel = e[(bins == b) & (positive == bool(sign))]
        nan = np.full(len(sel), np.nan)
        out.append((np.stack([sel[:, 0], sel[:, 2], nan], axis=1).ravel().astype(np.float32),
                    np.stack([sel[:, 1], sel[:, 3], nan], axis=1).ravel().astype(np.float32)))
    return out


def network_update(weights: Sequence[np.ndarray]) -> dict:
    """What changes in :func:`network_figure` as a network trains: the edges, as one picture.

    Redrawing the edge traces redraws the nodes and the clickable midpoints with them; swapping
    one layout image does not. ``image`` is an SVG of every edge, in the figure's own widths,
    colours and opacities, stretched over the figure's axes; the page shows it in place of the
    edge traces (``hide``) while a run streams, and the figure drawn when the run stops has the
    traces again, hover weights included. ``n``: the figure's trace count.
    """
    weights = [np.asarray(w, dtype=float) for w in weights]
    sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights] if weights else [0]
    pos = [np.asarray(_column(n)) for n in sizes]
    (x0, x1), (y0, y1) = _network_ranges(len(sizes))
    paths = []
    for (sign, b), (xs, ys) in zip(_EDGE_CLASSES, _edge_lines(_edges(weights, pos)), strict=True):
        if not len(xs):
            continue
        ends = (_units(xs.reshape(-1, 3)[:, :2], (x0, x1)), _units(ys.reshape(-1, 3)[:, :2], (y0, y1), flip=True))
        seg = np.stack(ends, axis=-1).reshape(-1, 4).astype(int).tolist()  # x0 y0 x1 y1 per edge
        d = "".join(f"M{a} {c} {e} {g}" for a, c, e, g in seg)
        width, opacity = 0.4 + 4.6 * (b + 0.5) / WIDTH_BINS, 0.35 + 0.6 * (b + 0.5) / WIDTH_BINS  # as the traces
        paths.append(f'<path d="{d}" stroke="{BLUE if sign else ORANGE}" stroke-width="{width:.2f}" '
                     f'stroke-opacity="{opacity:.2f}" fill="none" vector-effect="non-scaling-stroke"/>')
    svg = _svg(paths)
    return dict(n=len(_EDGE_CLASSES) + 2, hide=list(range(len(_EDGE_CLASSES))), images=[dict(
        source=_svg_uri(svg), xref="x", yref="y", x=x0,
        y=y1, sizex=x1 - x0, sizey=y1 - y0, xanchor="left", yanchor="top", sizing="stretch", layer="below")])


def _network_ranges(n_columns: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """The x and y ranges of :func:`network_figure` for ``n_columns`` columns of nodes."""
    return (-0.3, n_columns - 0.7), (-0.04, 1.04)


def _column(n: int) -> list[float]:
    if n == 1:
        return [0.5]
    return [1 - (i + 0.5) / n for i in range(n)]


def describe_network(weights: Sequence[np.ndarray], n_params: int | None = None) -> str:
    weights = [np.asarray(w, dtype=float) for w in weights]
    if not weights:
        return "No weights yet."
    flat = np.concatenate([w.ravel() for w in weights])
    fin = flat[np.isfinite(flat)]
    sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
    n = n_params if n_params is not None else int(sum(w.size + w.shape[0] for w in weights))
    if not fin.size:
        return f"A {' → '.join(map(str, sizes))} network with {n} parameters; every weight is non-finite."
    return (f"A {' → '.join(map(str, sizes))} network with {n} parameters; its {flat.size} weights range from "
            f"{num(float(fin.min()))} to {num(float(fin.max()))} (largest magnitude {num(float(np.abs(fin).max()))}).")


# ----------------------------------------------------------------------------- layer health


def health_figure(
    layer_names: Sequence[str],
    grad_norms: Sequence[float],
    dead: Sequence[float],
    saturated: Sequence[float],
) -> go.Figure:
    """Gradient norm per layer (log scale, left) and the share of dead and saturated units (right).

    ``dead`` and ``saturated`` may be shorter than ``layer_names``: they cover the hidden layers
    (the output layer has no activation to die or saturate), the first ``len(dead)`` names.

    A gradient norm that shrinks layer after layer towards the input is the vanishing-gradient
    picture; one that grows is the exploding one. A dead ReLU outputs 0 for every input and
    so gets no gradient; a saturated tanh or sigmoid sits on its flat tails.
    """
    names = list(layer_names)
    g = np.asarray(grad_norms, dtype=float)
    g_show = np.where(np.isfinite(g) & (g > 0), g, np.nan)
    traces = [
        dict(type="bar", x=names, y=g_show, name="gradient norm", marker=dict(color=GREEN),
             hovertemplate="%{x}: ‖∇W‖ = %{y:.3g}<extra></extra>"),
        dict(type="bar", x=names[:len(dead)], y=100 * np.asarray(dead, dtype=float), name="dead units", xaxis="x2",
             yaxis="y2", marker=dict(color=GREY), hovertemplate="%{x}: %{y:.0f}% dead<extra></extra>"),
        dict(type="bar", x=names[:len(saturated)], y=100 * np.asarray(saturated, dtype=float), name="saturated units",
             xaxis="x2",
             yaxis="y2", marker=dict(color=VERMILLION), hovertemplate="%{x}: %{y:.0f}% saturated<extra></extra>"),
    ]
    return figure(
        traces,
        height=260,
        barmode="group",
        margin=dict(t=48, b=44, l=64, r=16),
        legend=dict(y=1.1),
        xaxis=dict(domain=[0, 0.42], type="category"),
        yaxis=dict(type="log", title=dict(text="‖∇W‖ (log)", standoff=4), exponentformat="power"),
        xaxis2=dict(domain=[0.6, 1], anchor="y2", type="category"),
        yaxis2=dict(anchor="x2", range=[0, 100], title=dict(text="% of units", standoff=4)),
    )


def describe_health(
    layer_names: Sequence[str], grad_norms: Sequence[float], dead: Sequence[float], saturated: Sequence[float],
    before: bool = False,
) -> str:
    """One sentence on :func:`health_figure`; ``before``: no update yet, the gradient is the whole training set's."""
    if not len(layer_names):
        return "No layers to measure."
    g = np.asarray(grad_norms, dtype=float)
    parts = []
    if np.isfinite(g).all() and len(g) > 1 and g[-1] > 0 and g[0] > 0:
        parts.append(f"gradient norm {num(g[0])} at {layer_names[0]} and {num(g[-1])} at {layer_names[-1]} "
                     f"(ratio {num(g[0] / g[-1])})")
    else:
        parts.append("gradient norms " + ", ".join(num(float(v)) for v in g))
    d, s = np.asarray(dead, dtype=float), np.asarray(saturated, dtype=float)
    parts.append(f"dead units up to {d.max():.0%}" if len(d) else "no dead units measured")
    parts.append(f"saturated up to {s.max():.0%}" if len(s) else "no saturation measured")
    if before:
        return "Before training, on the whole training set: " + "; ".join(parts) + "."
    return f"Latest batch: {parts[0]}; on the whole training set: {parts[1]}, {parts[2]}."


# ----------------------------------------------------------------------------- confusion matrix


def confusion_figure(matrix: np.ndarray, class_names: Sequence[str]) -> go.Figure:
    """Test-set confusion matrix: rows are the true class, columns the predicted one; the diagonal is right."""
    m = np.asarray(matrix, dtype=float)
    rows = m.sum(axis=1, keepdims=True)
    share = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    names = [str(c) for c in class_names]
    text = [[f"{int(m[i, j])}" for j in range(m.shape[1])] for i in range(m.shape[0])]
    return figure(
        [dict(type="heatmap", z=share, x=names, y=names, zmin=0, zmax=1, text=text,
              colorscale=CONFUSION_SCALE, showscale=False,
              hovertemplate="true %{y}, predicted %{x}: %{text} (%{z:.0%} of the row)<extra></extra>"),
         cell_text(share, text, names, names, CONFUSION_SCALE, 0, 1)],
        height=max(220, min(380, 60 + 28 * len(names))),
        margin=dict(t=16, b=48, l=64, r=8),
        xaxis=dict(title=dict(text="predicted class"), type="category", side="bottom"),
        yaxis=dict(title=dict(text="true class"), type="category", autorange="reversed"),
    )


def describe_confusion(matrix: np.ndarray, class_names: Sequence[str]) -> str:
    m = np.asarray(matrix, dtype=float)
    n = int(m.sum())
    if n == 0:
        return "No test points to count."
    right = int(np.trace(m))
    off = m.copy()
    np.fill_diagonal(off, 0)
    text = f"{right} of {n} test points ({right / n:.1%}) fall on the diagonal"
    if off.max() > 0:
        i, j = np.unravel_index(int(np.argmax(off)), off.shape)
        text += (f"; the most common mistake is true {class_names[i]} taken for {class_names[j]} "
                 f"({int(off[i, j])} times)")
    return text + "."
