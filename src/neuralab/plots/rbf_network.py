"""Figures of /rbf-network: the fitted surface with its bumps, a slice through it, and the race against an MLP."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.data.playground import BOX
from neuralab.plots.format import num
from neuralab.plots.playground import DIVERGING
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, VERMILLION, figure, subplot_title
from neuralab.train.rbf import RAW_UNITS, Comparison, Surface

__all__ = ["describe_race_maps", "describe_race_slice", "describe_slice", "describe_surface", "race_maps_figure",
           "race_rows", "race_slice_figure", "slice_figure", "surface_figure"]

MODEL_COLORS = (BLUE, GREEN, VERMILLION)  # two-stage RBF, learned RBF, MLP
SHORT = ("RBF, two-stage", "RBF, all learned", "MLP")
MAX_CIRCLES = 60  # one circle per centre, at most this many


def _target_name(s: Surface | Comparison, scaled: bool) -> str:
    if s.dataset == "motor":
        return "torque (scaled to ±1 on training)" if scaled else f"torque ({s.y_unit})"
    return "target"


def _raw(s: Surface | Comparison, i: int, v: float) -> str:
    """A scaled coordinate of input i in its own unit (motor: A or °C), as text; "" for the other sets."""
    if not s.raw_range:
        return ""
    lo, hi = s.raw_range[i]
    return f"{num(lo + (v + 5) / 10 * (hi - lo))} {RAW_UNITS[i]}"


def _axis_title(s: Surface | Comparison, i: int) -> str:
    """The input's name, and for the motor which A or °C values the scaled ends −5 and 5 stand for."""
    if not s.raw_range:
        return s.axis_names[i]
    return f"{s.axis_names[i]}: −5 = {_raw(s, i, -5.0)}, 5 = {_raw(s, i, 5.0)}"


def _scale_note(s: Surface | Comparison) -> str:
    """For the motor: the A and °C ranges that the scaled [−5, 5] stands for."""
    if not s.raw_range:
        return ""
    (a0, a1), (t0, t1) = s.raw_range
    return (f" Both inputs are scaled: −5 to 5 stands for {num(a0)} to {num(a1)} A of current and {num(t0)} to "
            f"{num(t1)} °C.")


def surface_figure(s: Surface) -> go.Figure:
    """The network's output over the plane, the training points, each centre and a circle of radius σ round it."""
    lim = float(max(np.abs(s.Z).max(), np.abs(s.y_train).max(), 1e-9))
    step = float(s.axis[1] - s.axis[0])
    heat = dict(type="heatmap", z=s.Z, x0=float(s.axis[0]), dx=step, y0=float(s.axis[0]), dy=step, zmin=-lim,
                zmax=lim, colorscale=DIVERGING, hoverinfo="skip",
                colorbar=dict(title=dict(text=_target_name(s, scaled=True) if s.dataset == "motor" else "output"),
                              thickness=10))
    pts = dict(type="scatter", x=s.P_train[:, 0], y=s.P_train[:, 1], mode="markers", name="training point",
               marker=dict(size=5, color=s.y_train, colorscale=DIVERGING, cmin=-lim, cmax=lim,
                           line=dict(width=0.5, color=GREY)),
               hovertemplate="(%{x:.2f}, %{y:.2f})<extra>training point</extra>")
    C = s.net.centres_
    cen = dict(type="scatter", x=C[:, 0], y=C[:, 1], mode="markers", name="centre cⱼ",
               marker=dict(symbol="x-thin", size=10, line=dict(width=2.5, color=GREEN)),
               customdata=np.column_stack([s.net.widths_, s.net.weights_]),
               hovertemplate="centre (%{x:.2f}, %{y:.2f})<br>σ = %{customdata[0]:.3g}<br>"
                             "w = %{customdata[1]:.3g}<extra></extra>")
    circles = [dict(type="circle", xref="x", yref="y", x0=c[0] - r, x1=c[0] + r, y0=c[1] - r, y1=c[1] + r,
                    line=dict(width=1.2, color=GREEN))
               for c, r in zip(C[:MAX_CIRCLES], s.net.widths_[:MAX_CIRCLES], strict=True)]
    cut = dict(type="line", xref="x", yref="y", x0=-BOX, x1=BOX, y0=s.slice_y, y1=s.slice_y,
               line=dict(width=1.5, dash="dash", color=ORANGE))
    return figure(
        [heat, pts, cen], height=440, shapes=[*circles, cut], margin=dict(t=36, b=44, l=48, r=8),
        xaxis=dict(range=[-BOX, BOX], title=dict(text=_axis_title(s, 0)), constrain="domain", showgrid=False,
                   zeroline=False),
        yaxis=dict(range=[-BOX, BOX], title=dict(text=_axis_title(s, 1)), scaleanchor="x", showgrid=False,
                   zeroline=False),
    )


def _widths_text(s: Surface) -> str:
    w = s.net.widths_
    if s.net.rule == "global":
        return f"every width σ = {num(float(w[0]))}"
    return f"widths σ from {num(float(w.min()))} to {num(float(w.max()))} (median {num(float(np.median(w)))})"


def describe_surface(s: Surface) -> str:
    unit = f" {s.y_unit}" if s.dataset == "motor" else ""
    return (f"{s.net.k} Gaussian units placed by k-means on {len(s.y_train)} training points, {_widths_text(s)} "
            f"(circles of radius σ). R² {num(s.r2_train)} on the training points and {num(s.r2_test)} on "
            f"{len(s.y_test)} held-out points (error {num(s.rmse_test)}{unit} root mean square). The design matrix "
            f"Φ, before λ is added, has condition number {num(s.cond)} (the ridge does not change this number, only "
            f"how much it matters); the largest output weight is {num(float(np.abs(s.net.weights_).max()))} and "
            f"the bias b, the answer far from every centre, is {num(s.net.bias_)}.{_scale_note(s)}")


def slice_figure(s: Surface) -> go.Figure:
    """Along the dashed line: every unit's contribution wⱼφⱼ, the bias, and their sum (the output)."""
    k, n = s.bumps.shape
    gap = np.full((k, 1), np.nan)  # one trace for every bump: a NaN ends each unit's curve
    data: list[dict] = [
        dict(type="scatter", x=np.hstack([np.tile(s.xs, (k, 1)), gap]).ravel(), y=np.hstack([s.bumps, gap]).ravel(),
             customdata=np.repeat(np.arange(1, k + 1), n + 1), mode="lines", line=dict(width=1, color=GREY),
             opacity=0.8, name="wⱼ φⱼ, one curve per unit",
             hovertemplate="unit %{customdata}: %{y:.3g}<extra></extra>"),
        dict(type="scatter", x=[s.xs[0], s.xs[-1]], y=[s.net.bias_] * 2, mode="lines", name="bias b",
             line=dict(width=1.5, dash="dot", color=ORANGE), hoverinfo="skip"),
        dict(type="scatter", x=s.xs, y=s.total, mode="lines", name="output b + Σ wⱼ φⱼ",
             line=dict(width=3, color=BLUE), hovertemplate="output %{y:.3g}<extra></extra>"),
        dict(type="scatter", x=s.near[:, 0], y=s.near[:, 1], mode="markers", name="training points near the line",
             marker=dict(size=6, color=VERMILLION), hovertemplate="(%{x:.2f}, target %{y:.3g})<extra></extra>"),
    ]
    return figure(data, height=340, xaxis=dict(title=dict(text=_axis_title(s, 0)), range=[-BOX, BOX]),
                  yaxis=dict(title=dict(text=_target_name(s, scaled=True))), hovermode="closest")


def describe_slice(s: Surface) -> str:
    peak = np.abs(s.bumps).max(axis=1)
    seen = int((peak > 0.01 * max(float(peak.max()), 1e-12)).sum())
    at = f" ({_raw(s, 1, s.slice_y)})" if s.raw_range else ""
    return (f"Along {s.axis_names[1]} = {num(s.slice_y)}{at}: {seen} of the {s.net.k} units contribute more than 1% of "
            f"the largest one here; the output (blue) is their sum plus the bias {num(s.net.bias_)}, and "
            f"{len(s.near)} training points lie within 0.6 of the line.")


# ---------------------------------------------------------------------------------------------- the race


def race_slice_figure(c: Comparison) -> go.Figure:
    """The three models along one line, across the cut and past the data."""
    data: list[dict] = [
        dict(type="scatter", x=c.near_in[:, 0], y=c.near_in[:, 1], mode="markers", name="trained on",
             marker=dict(size=6, color=GREY), hovertemplate="(%{x:.2f}, %{y:.3g})<extra>trained on</extra>"),
        dict(type="scatter", x=c.near_out[:, 0], y=c.near_out[:, 1], mode="markers", name="held out beyond the cut",
             marker=dict(size=7, color=ORANGE, symbol="diamond"),
             hovertemplate="(%{x:.2f}, %{y:.3g})<extra>held out</extra>"),
    ]
    for m, col in zip(c.models, MODEL_COLORS, strict=True):
        data.append(dict(type="scatter", x=c.xs, y=m.line, mode="lines", name=m.name, line=dict(width=2.5, color=col),
                         hovertemplate="%{y:.3g}<extra>" + m.name + "</extra>"))
    shade = dict(type="rect", xref="x", yref="paper", x0=c.cut, x1=float(c.xs[-1]), y0=0, y1=1,
                 fillcolor="rgba(230,159,0,0.10)", line=dict(width=0), layer="below")
    note = dict(text="never trained on →", x=c.cut, y=1, xref="x", yref="paper", xanchor="left", yanchor="top",
                showarrow=False, font=dict(size=12))
    lo = min(float(np.nanmin(m.line)) for m in c.models)
    hi = max(float(np.nanmax(m.line)) for m in c.models)
    pts = np.concatenate([c.near_in[:, 1], c.near_out[:, 1]]) if len(c.near_in) + len(c.near_out) else np.zeros(1)
    pad = 0.1 * (max(hi, pts.max()) - min(lo, pts.min()) or 1.0)
    return figure(data, height=420, shapes=[shade], annotations=[note], hovermode="closest",
                  legend=dict(orientation="h", yanchor="top", y=-0.27, x=0),  # below the (long) axis title
                  margin=dict(t=24, b=130, l=56, r=16),
                  xaxis=dict(title=dict(text=_axis_title(c, 0)), range=[float(c.xs[0]), float(c.xs[-1])]),
                  yaxis=dict(title=dict(text=_target_name(c, scaled=False)),
                             range=[min(lo, pts.min()) - pad, max(hi, pts.max()) + pad]))


def describe_race_slice(c: Comparison) -> str:
    rbf, learned, net = c.models
    unit = f" {c.y_unit}" if c.y_unit else ""
    raw = lambda i, v: f" ({_raw(c, i, v)})" if c.raw_range else ""  # noqa: E731
    edge = f"{num(float(c.xs[-1]))}{raw(0, float(c.xs[-1]))}"
    return (f"Along {c.axis_names[1]} = {num(c.slice_y)}{raw(1, c.slice_y)}. Right of {c.axis_names[0]} = "
            f"{num(c.cut)}{raw(0, c.cut)} (shaded) no model saw a point; the orange diamonds are held-out points "
            f"there. At {c.axis_names[0]} = {edge} the "
            f"two-stage RBF answers {num(float(rbf.line[-1]))}{unit}, against its bias {num(c.bias)}{unit} (its "
            f"answer far from every centre); the fully trained RBF answers {num(float(learned.line[-1]))}{unit} "
            f"and the MLP {num(float(net.line[-1]))}{unit}.{_scale_note(c)}")


def race_maps_figure(c: Comparison) -> go.Figure:
    """Each model's output over a plane wider than the data, with the trained region outlined."""
    lim = max(float(np.abs(m.Z).max()) for m in c.models) or 1.0
    step = float(c.axis[1] - c.axis[0])
    n = len(c.models)
    gap = 0.04
    width = (1 - gap * (n - 1)) / n
    data, shapes, notes, layout = [], [], [], {}
    lo, hi = c.P_train.min(axis=0), c.P_train.max(axis=0)
    for i, m in enumerate(c.models):
        ax = "" if i == 0 else str(i + 1)
        x0 = i * (width + gap)
        data.append(dict(type="heatmap", z=m.Z, x0=float(c.axis[0]), dx=step, y0=float(c.axis[0]), dy=step,
                          zmin=-lim, zmax=lim, colorscale=DIVERGING, xaxis=f"x{ax}", yaxis=f"y{ax}",
                          showscale=i == n - 1, hovertemplate="(%{x:.1f}, %{y:.1f}): %{z:.3g}<extra></extra>",
                          colorbar=dict(title=dict(text=c.y_unit or "output"), thickness=10)))
        layout[f"xaxis{ax}"] = dict(domain=[x0, x0 + width], range=[float(c.axis[0]), float(c.axis[-1])],
                                    showgrid=False, zeroline=False, constrain="domain",
                                    title=dict(text=_axis_title(c, 0), font=dict(size=11)))
        layout[f"yaxis{ax}"] = dict(range=[float(c.axis[0]), float(c.axis[-1])], showgrid=False, zeroline=False,
                                    anchor=f"x{ax}", scaleanchor=f"x{ax}", showticklabels=i == 0,
                                    title=dict(text=_axis_title(c, 1) if i == 0 else "", font=dict(size=11)))
        shapes.append(dict(type="rect", xref=f"x{ax}", yref=f"y{ax}", x0=float(lo[0]), x1=float(hi[0]),
                           y0=float(lo[1]), y1=float(hi[1]), line=dict(width=2, dash="dash", color=GREY)))
        notes.append(subplot_title(SHORT[i], x0 + width / 2))
    return figure(data, height=380, shapes=shapes, annotations=notes, margin=dict(t=36, b=44, l=56, r=8), **layout)


def _outside(c: Comparison) -> np.ndarray:
    """(GRID, GRID) True where a grid point lies outside the box of the training inputs."""
    gx, gy = np.meshgrid(c.axis, c.axis)
    lo, hi = c.P_train.min(axis=0), c.P_train.max(axis=0)
    return (gx < lo[0]) | (gx > hi[0]) | (gy < lo[1]) | (gy > hi[1])


def describe_race_maps(c: Comparison) -> str:
    out = _outside(c)
    spread = ", ".join(f"{name} {num(float(m.Z[out].std()))}" for name, m in zip(SHORT, c.models, strict=True))
    unit = f" {c.y_unit}" if c.y_unit else ""
    return (f"The dashed box holds the {c.n_train} training inputs; the planes reach ±{num(float(c.axis[-1]))} on "
            f"both inputs. Outside the box the outputs vary by (standard deviation{unit}): {spread}. A small "
            "spread means a model answers about the same constant everywhere out there. Being inside the box is "
            "not being near the data: a combination of inputs no training point came close to is just as far. "
            "While Adam trained the "
            f"second RBF, its median width went from {num(float(np.median(c.widths[0])))} to "
            f"{num(float(np.median(c.widths[1])))} and its centres moved {num(c.moved)} (median), both in "
            f"{'scaled input units (the −5 to 5 scale of the training inputs)' if c.raw_range else 'input units'}.")


def race_rows(c: Comparison) -> list[dict[str, str]]:
    unit = f" ({c.y_unit})" if c.y_unit else ""
    return [{"model": m.name, "parameters": str(m.n_params), "training time": f"{m.train_s * 1e3:.3g} ms"
             if m.train_s < 1 else f"{m.train_s:.3g} s",
             f"RMS error inside{unit}": num(m.rmse_inside), f"RMS error beyond the cut{unit}": num(m.rmse_outside),
             "R² inside": num(m.r2_inside)} for m in c.models]
