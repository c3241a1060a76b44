"""Figures for /som: the U-matrix, the map unfolding over training, its error curves, component planes, sizes.

Every builder takes a :class:`neuralab.train.som.Mapped` (one fitted map) or a :class:`~neuralab.train.som.Sweep`.
The unfolding and the curves take a snapshot index ``k`` too: the page's step slider replays them in the
browser, so only the map's grid and the markers at step ``k`` move between positions.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import num, pct
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, VERMILLION, figure, subplot_title
from neuralab.train.som import Mapped, Sweep

__all__ = ["describe_curves", "describe_planes", "describe_sweep", "describe_umatrix", "describe_unfolding",
           "metric_rows", "planes_figure", "step_note", "sweep_figure", "umatrix_figure", "unfolding_figure",
           "curves_figure", "METRIC_HEADER"]

SCALE = "Viridis"
METRIC_HEADER = ("Measure", "Training samples", "Held-out samples")


def _size(m: Mapped) -> str:
    R, C = m.fit.shape
    return f"{R} × {C}"


def _scale(data: str) -> str:
    """The scale distances are measured in: z-units (standardized motor features) or pixels scaled to 0–1."""
    return "z-units" if data == "motor" else "pixels 0–1"


def _qe_title(data: str) -> str:
    """The QE axis title: a Euclidean distance over all features, in the scaled data's units."""
    return f"QE (distance, {_scale(data)})"


def _grid(P: np.ndarray) -> tuple[list, list]:
    """x and y of every row line and every column line of a map drawn at positions ``P`` (R, C, 2)."""
    R, C, _ = P.shape
    xs: list = []
    ys: list = []
    for r in range(R):
        xs += [*P[r, :, 0].tolist(), None]
        ys += [*P[r, :, 1].tolist(), None]
    for c in range(C):
        xs += [*P[:, c, 0].tolist(), None]
        ys += [*P[:, c, 1].tolist(), None]
    return xs, ys


# --------------------------------------------------------------------------- the U-matrix


def umatrix_figure(m: Mapped) -> go.Figure:
    """The U-matrix as a heatmap, each cell labelled with its majority digit (digits) or its hit count (motor)."""
    R, C = m.fit.shape
    if m.data.labelled:
        text = [[("·" if m.label[r, c] < 0 else str(m.label[r, c])) for c in range(C)] for r in range(R)]
        what = "majority digit"
    else:
        text = [[str(m.hits[r, c]) for c in range(C)] for r in range(R)]
        what = "training samples"
    trace = dict(type="heatmap", z=np.round(m.u, 4).tolist(), colorscale=SCALE, text=text, texttemplate="%{text}",
                 textfont=dict(size=11 if max(R, C) <= 14 else 8),
                 customdata=m.hits.tolist(),
                 colorbar=dict(title=dict(text=f"mean distance<br>to neighbours ({_scale(m.data.name)})", side="right"),
                               thickness=12),
                 hovertemplate=f"unit (%{{y}}, %{{x}}): U = %{{z:.3g}}, %{{customdata}} samples, {what} "
                               "%{text}<extra></extra>")
    return figure([trace], height=max(300, min(560, 40 * R + 90)),
                  xaxis=dict(title=dict(text="map column"), constrain="domain", showgrid=False, zeroline=False),
                  yaxis=dict(title=dict(text="map row"), autorange="reversed", scaleanchor="x", showgrid=False,
                             zeroline=False),
                  margin=dict(l=56, r=16, t=20, b=44))


def describe_umatrix(m: Mapped) -> str:
    u = m.u
    empty = int((m.hits == 0).sum())
    tail = (f" Each cell shows its unit's majority digit among the training samples (· for a unit no sample "
            f"picked; the hit count is in the hover); used as a classifier this way the map labels "
            f"{pct(m.accuracy or 0.0)} of the held-out digits correctly.") if m.data.labelled else (
        " Each cell shows how many training windows picked the unit as their best match.")
    ratio = m.qe_test / m.qe_train if m.qe_train > 0 else float("nan")
    held = (f" The held-out QE, {num(m.qe_test)}, is {ratio:.1f} times the training QE, {num(m.qe_train)}: the "
            "prototypes were pulled onto the training samples, so a new sample's distance is to be compared with "
            "the held-out figure.")
    return (f"U-matrix of the {_size(m)} map on the {m.data.name} data: values from {num(u.min())} to "
            f"{num(u.max())} (median {num(float(np.median(u)))}); bright cells separate groups of similar units, "
            f"dark regions are the inside of a group. {empty} of {u.size} units are picked by no training "
            f"sample.{tail}{held}")


# --------------------------------------------------------------------------- the unfolding


def unfolding_figure(m: Mapped, k: int | None = None) -> go.Figure:
    """The training samples on the plane of :attr:`Mapped.plane` and the map's grid at snapshot ``k``."""
    k = len(m.fit.steps) - 1 if k is None else k
    xs, ys = _grid(np.round(m.snap_xy[k], 4))
    data = [
        dict(type="scatter", mode="markers", x=np.round(m.data_xy[:, 0], 4).tolist(),
             y=np.round(m.data_xy[:, 1], 4).tolist(), name="training samples",
             marker=dict(size=4, color=GREY, opacity=0.45), hoverinfo="skip"),
        dict(type="scatter", mode="lines+markers", x=xs, y=ys, name="the map: prototypes joined to grid neighbours",
             line=dict(color=VERMILLION, width=1.2), marker=dict(size=4, color=VERMILLION),
             hovertemplate="prototype at (%{x:.3g}, %{y:.3g})<extra></extra>"),
    ]
    x0, x1 = np.nanmin(m.data_xy[:, 0]), np.nanmax(m.data_xy[:, 0])
    y0, y1 = np.nanmin(m.data_xy[:, 1]), np.nanmax(m.data_xy[:, 1])
    px, py = 0.08 * (x1 - x0), 0.08 * (y1 - y0)
    return figure(data, height=440,
                  xaxis=dict(title=dict(text=m.plane[0]), range=[x0 - px, x1 + px]),
                  yaxis=dict(title=dict(text=m.plane[1]), range=[y0 - py, y1 + py]))


def step_note(m: Mapped, k: int) -> str:
    """One line about snapshot ``k``: the step, σ, α and both errors."""
    f = m.fit
    n = len(m.data.X_train)
    return (f"Snapshot {k + 1} of {len(f.steps)}: step {f.steps[k]:,} of {f.total_steps:,} "
            f"(epoch {f.steps[k] / n:.1f}), σ = {f.sigma[k]:.2f} grid units, α = {f.alpha[k]:.3f}; "
            f"QE {num(f.qe[k])}, TE {pct(f.te[k])}.")


def describe_unfolding(m: Mapped, k: int | None = None) -> str:
    k = len(m.fit.steps) - 1 if k is None else k
    how = ("speed against torque, in their own units (the map also sees current and temperature, so lines that cross "
           "here need not cross in the full space)" if m.data.name == "motor" else
           "the digits' first two principal components (a projection of 64 pixels: units that look close here "
           "can be far apart in the image space)")
    return f"{step_note(m, k)} Drawn on {how}."


def curves_figure(m: Mapped, k: int | None = None) -> go.Figure:
    """Top: QE at each snapshot (k-means as a line). Middle: TE. Bottom: σ and α on one log axis. Markers at ``k``."""
    f = m.fit
    k = len(f.steps) - 1 if k is None else k
    x = f.steps.tolist()
    top, mid, low = dict(xaxis="x", yaxis="y"), dict(xaxis="x", yaxis="y2"), dict(xaxis="x", yaxis="y3")
    dot = dict(size=9, line=dict(color="white", width=1))

    def here(series: np.ndarray, color: str, where: dict) -> dict:
        return dict(type="scatter", mode="markers", x=[x[k]], y=[float(series[k])], marker=dict(color=color, **dot),
                    showlegend=False, hoverinfo="skip", **where)

    data = [
        dict(type="scatter", x=x, y=f.qe.tolist(), mode="lines+markers", name="quantization error (map)",
             line=dict(color=BLUE), marker=dict(size=4), **top),
        dict(type="scatter", x=[0, f.total_steps], y=[m.kmeans_qe] * 2, mode="lines",
             name=f"k-means, {f.weights.shape[0] * f.weights.shape[1]} centres", line=dict(color=GREY, dash="dot"),
             **top),
        dict(type="scatter", x=x, y=(100 * f.te).tolist(), mode="lines+markers", name="topographic error, %",
             line=dict(color=ORANGE), marker=dict(size=4), **mid),
        dict(type="scatter", x=x, y=f.sigma.tolist(), mode="lines", name="radius σ (grid units)",
             line=dict(color=GREEN), **low),
        dict(type="scatter", x=x, y=f.alpha.tolist(), mode="lines", name="learning rate α",
             line=dict(color=VERMILLION), **low),
        here(f.qe, BLUE, top), here(100 * f.te, ORANGE, mid), here(f.sigma, GREEN, low),
        here(f.alpha, VERMILLION, low),
    ]
    return figure(data, height=520,
                  xaxis=dict(title=dict(text="training step (one sample each)"), anchor="y3"),
                  yaxis=dict(title=dict(text=_qe_title(m.data.name)), domain=[0.7, 1.0], rangemode="tozero"),
                  yaxis2=dict(title=dict(text="TE, %"), domain=[0.38, 0.64], rangemode="tozero"),
                  yaxis3=dict(title=dict(text="σ, α"), domain=[0.0, 0.32], type="log", dtick=1),
                  legend=dict(orientation="h", y=1.04, yanchor="bottom", x=0),
                  margin=dict(l=56, r=16, t=70, b=44))


def describe_curves(m: Mapped, k: int | None = None) -> str:
    f = m.fit
    k = len(f.steps) - 1 if k is None else k
    peak = int(np.argmax(f.qe))
    return (f"{step_note(m, k)} Over the whole fit QE went from {num(f.qe[0])} to {num(f.qe[-1])} "
            f"(highest {num(f.qe[peak])} at step {f.steps[peak]:,}) and TE from {pct(f.te[0])} to {pct(f.te[-1])}; "
            f"k-means with as many centres reaches QE {num(m.kmeans_qe)}. σ and α fall as straight lines on the log "
            "axis: both decay exponentially.")


# --------------------------------------------------------------------------- component planes


def planes_figure(m: Mapped) -> go.Figure:
    """Motor: one heatmap per feature, in its units. Digits: every prototype drawn as an 8×8 image, side by side,
    on the 0–1 pixel scale the map works on."""
    W = m.fit.weights if m.data.labelled else m.data.physical(m.fit.weights)  # (R, C, d)
    R, C, d = W.shape
    if m.data.labelled:
        side = int(round(np.sqrt(d)))
        mosaic = np.full((R * (side + 1) - 1, C * (side + 1) - 1), np.nan)
        for r in range(R):
            for c in range(C):
                mosaic[r * (side + 1):r * (side + 1) + side, c * (side + 1):c * (side + 1) + side] = \
                    W[r, c].reshape(side, side)
        z = [[None if np.isnan(v) else round(float(v), 3) for v in row] for row in mosaic]
        trace = dict(type="heatmap", z=z, colorscale="Greys", zmin=0, zmax=1, hoverongaps=False,
                     colorbar=dict(title=dict(text="pixel value<br>(0–1)", side="right"), thickness=12),
                     hovertemplate="value %{z:.2f}<extra></extra>")
        return figure([trace], height=max(320, min(640, 45 * R + 80)),
                      xaxis=dict(visible=False, constrain="domain"),
                      yaxis=dict(visible=False, autorange="reversed", scaleanchor="x"),
                      margin=dict(l=16, r=16, t=16, b=16))
    cols = 2
    rows = int(np.ceil(d / cols))
    gap_x, gap_y = 0.12, 0.14
    w, h = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
    data, layout, notes = [], {}, []
    for i in range(d):
        r, c = divmod(i, cols)
        a = "" if i == 0 else str(i + 1)
        x0, y1 = c * (w + gap_x), 1 - r * (h + gap_y)
        bare = dict(showgrid=False, zeroline=False, showticklabels=False)
        layout[f"xaxis{a}"] = dict(domain=[max(0.0, x0), min(1.0, x0 + w)], anchor=f"y{a}", **bare)
        layout[f"yaxis{a}"] = dict(domain=[max(0.0, y1 - h), min(1.0, y1)], anchor=f"x{a}", autorange="reversed",
                                   **bare)
        unit = m.data.units[i]
        data.append(dict(type="heatmap", z=np.round(W[..., i], 3).tolist(), colorscale=SCALE,
                         xaxis=f"x{a}", yaxis=f"y{a}",
                         colorbar=dict(x=x0 + w + 0.005, xanchor="left", y=y1 - h / 2, len=h, thickness=8,
                                       tickfont=dict(size=10)),
                         hovertemplate=f"unit (%{{y}}, %{{x}}): {m.data.features[i]} %{{z:.4g}} {unit}<extra></extra>"))
        notes.append(subplot_title(f"{m.data.features[i]} ({unit})", x0 + w / 2) | dict(y=y1, yref="paper"))
    return figure(data, height=560, annotations=notes, **layout, margin=dict(l=16, r=40, t=30, b=16))


def _plane_corr(m: Mapped) -> np.ndarray:
    W = m.fit.weights.reshape(-1, m.fit.weights.shape[-1])  # (U, d)
    return np.corrcoef(W.T)  # (d, d)


def describe_planes(m: Mapped) -> str:
    if m.data.labelled:
        return (f"The {m.hits.size} prototypes of the {_size(m)} map, each drawn as "
                "the 8×8 image it has become, in the map's own layout: neighbouring cells hold similar digits. One "
                "pixel position read across all cells is that pixel's component plane.")
    corr = _plane_corr(m)
    f = m.data.features
    i, j = 1, 2  # torque and current
    W = m.data.physical(m.fit.weights)
    ranges = "; ".join(f"{f[n]} {num(W[..., n].min())} to {num(W[..., n].max())} {m.data.units[n]}"
                       for n in range(len(f)))
    return (f"Component planes of the {_size(m)} map: one heatmap per feature, the same unit at the same place in "
            f"each, in the feature's own units ({ranges}). Planes that look alike belong to correlated features: "
            f"across the units, {f[i]} and {f[j]} correlate at {corr[i, j]:.3f}, "
            f"{f[0]} and {f[i]} at {corr[0, i]:.3f}.")


# --------------------------------------------------------------------------- the numbers


def metric_rows(m: Mapped) -> list[list[str]]:
    rows = [
        ["Quantization error QE (mean distance to the BMU's prototype)", num(m.qe_train), num(m.qe_test)],
        ["Topographic error TE (BMU and second BMU not neighbours)", pct(m.te_train), pct(m.te_test)],
        [f"k-means QE with {m.hits.size} centres (scikit-learn)", num(m.kmeans_qe), "—"],
    ]
    if m.accuracy is not None:
        rows.append(["Map as a classifier (majority digit of the BMU)", "—", pct(m.accuracy)])
    rows.append(["Samples", f"{len(m.data.X_train):,}", f"{len(m.data.X_test):,}"])
    per_unit = m.fit.total_steps / m.hits.size
    steps = f"{m.fit.total_steps:,} steps ({per_unit:,.0f} per unit)"
    rows.append(["Fit time (first run)", f"{m.seconds:.2f} s for {steps}", "—"])
    return rows


# --------------------------------------------------------------------------- map size


def sweep_figure(s: Sweep) -> go.Figure:
    """QE (train, held-out, k-means) and TE against the number of units, log x."""
    units = (s.sides**2).tolist()
    top, low = dict(xaxis="x", yaxis="y"), dict(xaxis="x", yaxis="y2")
    text = [f"{n} × {n}" for n in s.sides]
    hover = "%{text} map: %{y:.3g}<extra></extra>"
    data = [
        dict(type="scatter", x=units, y=s.qe_train.tolist(), text=text, mode="lines+markers", name="QE, training",
             line=dict(color=BLUE), hovertemplate=hover, **top),
        dict(type="scatter", x=units, y=s.qe_test.tolist(), text=text, mode="lines+markers", name="QE, held out",
             line=dict(color=BLUE, dash="dash"), hovertemplate=hover, **top),
        dict(type="scatter", x=units, y=s.kmeans_qe.tolist(), text=text, mode="lines+markers",
             name="QE, k-means (training)", line=dict(color=GREY, dash="dot"), hovertemplate=hover, **top),
        dict(type="scatter", x=units, y=(100 * s.te_train).tolist(), text=text, mode="lines+markers",
             name="TE %, training", line=dict(color=ORANGE), hovertemplate=hover, **low),
        dict(type="scatter", x=units, y=(100 * s.te_test).tolist(), text=text, mode="lines+markers",
             name="TE %, held out", line=dict(color=ORANGE, dash="dash"), hovertemplate=hover, **low),
    ]
    return figure(data, height=460,
                  xaxis=dict(title=dict(text="units in the map (n × n)"), type="log", anchor="y2",
                             tickvals=units, ticktext=[str(u) for u in units]),
                  yaxis=dict(title=dict(text=_qe_title(s.data)), domain=[0.52, 1.0], rangemode="tozero"),
                  yaxis2=dict(title=dict(text="TE, %"), domain=[0.0, 0.42], rangemode="tozero"),
                  legend=dict(orientation="h", y=1.03, yanchor="bottom", x=0),
                  margin=dict(l=56, r=16, t=60, b=44))


def describe_sweep(s: Sweep) -> str:
    a, b = 0, len(s.sides) - 1
    acc = "" if np.isnan(s.accuracy).all() else (
        f" As a classifier the map gets {pct(s.accuracy[a])} of the held-out digits right at "
        f"{s.sides[a]} × {s.sides[a]} and {pct(s.accuracy[b])} at {s.sides[b]} × {s.sides[b]}.")
    best = int(np.argmin(s.qe_test))
    return (f"From {s.sides[a]} × {s.sides[a]} to {s.sides[b]} × {s.sides[b]} units on the {s.data} data, the training "
            f"QE falls from {num(s.qe_train[a])} to {num(s.qe_train[b])} (k-means: {num(s.kmeans_qe[a])} to "
            f"{num(s.kmeans_qe[b])}); the held-out QE is lowest, {num(s.qe_test[best])}, at {s.sides[best]} × "
            f"{s.sides[best]}. TE on the training samples goes from {pct(s.te_train[a])} to {pct(s.te_train[b])}."
            f"{acc} On a 2 × 2 map every unit neighbours every other, so TE is 0 by construction, and on a "
            "3 × 3 map more than half the pairs of units are still neighbours: read the TE curve from 4 × 4 up. "
            f"Each size is one fit with one seed, and one of the {s.n_test:,} held-out samples moves the held-out "
            f"TE by {100 / s.n_test:.2f} points, so small wiggles "
            "between sizes are noise.")
