"""Figures for the gradient-descent page: optimizer race, batch-size noise, a network's loss landscape.

Contours are drawn in grey (dark = low loss) so the coloured optimizer paths stand out
in both themes. Loss surfaces span many orders of magnitude (Beale's walls reach 10⁵
while its valley floor is near 0), so contour levels are spaced in ``log10(1 + f − f_min)``:
level lines then sit as densely in the valley as on the walls. Path traces carry
``meta={"path": k}`` so the page's browser-side step slider can cut them at step k.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import num
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, PURPLE, SKY, VERMILLION, YELLOW, figure
from neuralab.train.descent import CONVERGE_TOL, SURFACES, BatchPaths, Path, Race
from neuralab.train.landscape import DIRECTIONS, Landscape

__all__ = [
    "COLORS", "batch_figure", "describe_batch", "describe_landscape", "describe_race", "landscape_figure",
    "loss_figure", "race_figure", "race_rows", "path_data",
]

COLORS = {"sgd": BLUE, "momentum": ORANGE, "nesterov": GREEN, "adagrad": VERMILLION, "rmsprop": SKY,
          "adam": PURPLE, "adamw": YELLOW}
#: Each optimizer also has its own marker, and three their own dash, so no two paths are told apart by colour
#: alone (SGD's blue and RMSProp's sky blue are close, and colour-blind readers need more than hue). AdamW is
#: dashed: with no weight decay its path lies exactly on Adam's.
DASH = {"adamw": "dash", "rmsprop": "dot", "adagrad": "dashdot"}
SYMBOL = {"sgd": "circle", "momentum": "square", "nesterov": "diamond", "adagrad": "triangle-up", "rmsprop": "x",
          "adam": "cross", "adamw": "triangle-down"}
GREYS = [[0.0, "#2b2b2b"], [1.0, "#f4f4f4"]]  # low loss dark, as on a relief map of a valley


def _z(x: float) -> float:
    """``x`` with a rounding-size value shown as 0 rather than −0.000."""
    return 0.0 if abs(x) < 5e-4 else x


def _log_view(z: np.ndarray, floor: float) -> np.ndarray:
    return np.log10(1.0 + np.maximum(z - floor, 0.0))


def _colorbar(z_view: np.ndarray, title: str) -> dict:
    """A colour bar labelled in loss values, not in the log units the contours are spaced in."""
    top = float(np.nanmax(z_view))
    ticks = np.linspace(0, top, 5)
    return dict(title=dict(text=title, side="right"), tickvals=ticks.tolist(),
                ticktext=[num(10**t - 1) for t in ticks], thickness=12)


def _token(race: Race) -> str:
    """Names one race; the figures carry it as layout.meta so the browser-side replay can tell that the figure
    on screen is the one its path data belongs to."""
    return f"{race.surface}|{race.start}|{race.lr!r}|{race.steps}|{','.join(p.name for p in race.paths)}"


def race_figure(race: Race, grid: tuple[np.ndarray, np.ndarray, np.ndarray]) -> go.Figure:
    """The surface's contours, its minima, the start, and each optimizer's path (all steps)."""
    s = SURFACES[race.surface]
    xs, ys, z = grid
    floor = float(z.min())
    view = _log_view(z, floor)
    data: list[dict] = [
        dict(type="contour", x=xs, y=ys, z=view, colorscale=GREYS, ncontours=24, line=dict(width=0.5),
             colorbar=_colorbar(view, "f − f<sub>grid min</sub>"), name="surface",
             hovertemplate="(%{x:.2f}, %{y:.2f})<br>click to start here<extra></extra>"),
        dict(type="scatter", x=[m[0] for m in race.minima], y=[m[1] for m in race.minima], mode="markers",
             marker=dict(symbol="star", size=14, color="#ffffff", line=dict(color="#000000", width=1)),
             name="minima", hovertemplate="minimum (%{x:.3f}, %{y:.3f})<extra></extra>"),
        dict(type="scatter", x=[race.start[0]], y=[race.start[1]], mode="markers", name="start",
             # white with a black rim, as the minima: seen on the dark valley floor, the light slopes, the legend
             marker=dict(symbol="circle", size=12, color="#ffffff", line=dict(color="#000000", width=2)),
             hovertemplate="start (%{x:.2f}, %{y:.2f})<extra></extra>"),
    ]
    for k, p in enumerate(race.paths):
        data.append(dict(type="scatter", x=p.x, y=p.y, mode="lines+markers", name=p.label, meta={"path": k},
                         line=dict(color=COLORS[p.name], width=2, dash=DASH.get(p.name, "solid")),
                         marker=dict(size=5, symbol=SYMBOL.get(p.name, "circle")), customdata=np.arange(len(p.x)),
                         hovertemplate=f"{p.label}<br>step %{{customdata}}: (%{{x:.3f}}, %{{y:.3f}})<extra></extra>"))
    x_lo, x_hi, y_lo, y_hi = s.window
    return figure(
        data,
        height=520,
        xaxis=dict(title=dict(text="x (weight 1)"), range=[x_lo, x_hi]),
        yaxis=dict(title=dict(text="y (weight 2)"), range=[y_lo, y_hi]),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        clickmode="event",
        uirevision=race.surface,
        meta=_token(race),
        margin=dict(l=56, r=16, t=60, b=44),
    )


def loss_figure(race: Race) -> go.Figure:
    """Loss above the lowest minimum against the step, log scale, one line per optimizer."""
    f_min = race.minima[0][2] if race.minima else 0.0
    data = []
    for k, p in enumerate(race.paths):
        gap = np.maximum(np.where(np.isfinite(p.loss), p.loss - f_min, np.nan), 1e-12)
        data.append(dict(type="scatter", x=np.arange(len(gap)), y=gap, mode="lines", name=p.label,
                         meta={"path": k}, line=dict(color=COLORS[p.name], dash=DASH.get(p.name, "solid")),
                         hovertemplate=f"{p.label}<br>step %{{x}}: f − f* = %{{y:.3g}}<extra></extra>"))
    return figure(
        data,
        height=300,
        meta=_token(race),
        xaxis=dict(title=dict(text="step"), range=[0, race.steps]),
        yaxis=dict(title=dict(text="f − f* (lowest minimum)"), type="log", exponentformat="power"),
    )


def path_data(race: Race) -> dict:
    """The paths as plain lists for the browser-side step slider (non-finite values become null)."""
    f_min = race.minima[0][2] if race.minima else 0.0

    def clean(a: np.ndarray) -> list:
        return [float(v) if math.isfinite(v) else None for v in a]

    return dict(steps=race.steps, token=_token(race),
                x=[clean(p.x) for p in race.paths], y=[clean(p.y) for p in race.paths],
                gap=[clean(np.maximum(p.loss - f_min, 1e-12)) for p in race.paths])


def _status(p: Path, race: Race) -> str:
    if p.diverged_at is not None:
        last = p.final_loss
        what = "the loss stopped being a finite number" if not math.isfinite(last) else (
            f"it was thrown far outside the window (f = {num(last)})")
        return f"Diverged at step {p.diverged_at}: {what}."
    if p.converged_at is not None:
        best = p.minimum == 0
        kind = "the lowest minimum" if best else "a higher local minimum"
        if len(race.minima) > 1 and race.minima[0][2] == race.minima[p.minimum][2]:
            kind = "one of the lowest minima"
        return f"Settled in {kind} at ({race.minima[p.minimum][0]:.2f}, {race.minima[p.minimum][1]:.2f})."
    moved = math.hypot(p.x[-1] - p.x[0], p.y[-1] - p.y[0])
    note = " It left the window on the way." if p.left_window else ""
    return f"Not converged after {len(p.x) - 1} steps; moved {moved:.2g} from the start.{note}"


def race_rows(race: Race) -> list[dict[str, str]]:
    """Table rows: optimizer, steps to converge, final loss, final point, verdict."""
    rows = []
    for p in race.paths:
        ended = p.diverged_at is not None
        rows.append({
            "Optimizer": p.label,
            "Steps to converge": "—" if p.converged_at is None else str(p.converged_at),
            "Final loss f": ("diverged" if ended else num(p.final_loss)),
            "Final point": "—" if ended else f"({_z(p.x[-1]):.3f}, {_z(p.y[-1]):.3f})",
            "What happened": _status(p, race),
        })
    return rows


def describe_race(race: Race) -> str:
    s = SURFACES[race.surface]
    done = [p for p in race.paths if p.converged_at is not None]
    bad = [p.label for p in race.paths if p.diverged_at is not None]
    head = f"{s.label}, η = {race.lr:.3g}, {race.steps} steps from ({race.start[0]:.2f}, {race.start[1]:.2f}): "
    if done:
        fast = min(done, key=lambda p: p.converged_at)
        head += (f"{len(done)} of {len(race.paths)} optimizers converged (within {CONVERGE_TOL:g} of a minimum), "
                 f"fastest {fast.label} in {fast.converged_at} steps")
    else:
        head += f"none of the {len(race.paths)} optimizers converged"
    if bad:
        head += f"; diverged: {', '.join(bad)}"
    return head + "."


def batch_figure(bp: BatchPaths) -> go.Figure:
    """Left: the three SGD paths on the true MSE contours of (w, b). Right: training MSE against samples used."""
    colors = (BLUE, ORANGE, VERMILLION)
    view = _log_view(bp.loss_grid, bp.loss_star)
    data: list[dict] = [
        dict(type="contour", x=bp.w_grid, y=bp.b_grid, z=view, colorscale=GREYS, ncontours=20,
             line=dict(width=0.5), showscale=False, hoverinfo="skip", name="MSE"),
        dict(type="scatter", x=[bp.w_star], y=[bp.b_star], mode="markers", name="least squares",
             marker=dict(symbol="star", size=14, color="#ffffff", line=dict(color="#000000", width=1)),
             hovertemplate="least squares: w %{x:.3f}, b %{y:.3f}<extra></extra>"),
    ]
    for r, c in zip(bp.runs, colors, strict=True):
        data.append(dict(type="scatter", x=r.w, y=r.b, mode="lines+markers", name=r.label, legendgroup=r.label,
                         line=dict(color=c, width=1.5), marker=dict(size=3),
                         hovertemplate=f"{r.label}<br>w %{{x:.3f}}, b %{{y:.3f}}<extra></extra>"))
    for r, c in zip(bp.runs, colors, strict=True):
        data.append(dict(type="scatter", x=np.maximum(r.samples, 1), y=r.loss, mode="lines", xaxis="x2",
                         yaxis="y2", name=r.label, legendgroup=r.label, showlegend=False, line=dict(color=c),
                         hovertemplate=f"{r.label}<br>%{{x}} gradients: MSE %{{y:.4f}}<extra></extra>"))
    return figure(
        data,
        height=420,
        xaxis=dict(domain=[0, 0.48], title=dict(text="w (slope on standardized BMI)"),
                   range=[bp.w_grid[0], bp.w_grid[-1]]),
        yaxis=dict(title=dict(text="b (intercept)"), range=[bp.b_grid[0], bp.b_grid[-1]]),
        xaxis2=dict(domain=[0.58, 1], anchor="y2", type="log", title=dict(text="per-sample gradients computed")),
        yaxis2=dict(anchor="x2", type="log", title=dict(text="training MSE (standardized)"),
                    tickvals=[0.7, 1, 1.5, 2, 3, 5, 7, 10]),
        shapes=[dict(type="line", xref="x2 domain", x0=0, x1=1, yref="y2", y0=bp.loss_star, y1=bp.loss_star,
                     line=dict(color=GREY, dash="dot"))],
    )


def describe_batch(bp: BatchPaths) -> str:
    parts = [f"{r.label.split(' (')[0].lower()} ends at MSE {r.loss[-1]:.4f} after {int(r.samples[-1]):,} gradients"
             for r in bp.runs]
    return (f"{len(bp.runs[0].w) - 1} updates of SGD at η = {bp.lr:.3g} from (w, b) = ({bp.runs[0].w[0]:g}, "
            f"{bp.runs[0].b[0]:g}); least squares gives w = {bp.w_star:.3f}, b = {_z(bp.b_star):.3f}, MSE "
            f"{bp.loss_star:.4f}. " + "; ".join(parts) + ".")


def landscape_figure(ls: Landscape) -> go.Figure:
    """The loss on the slice (log-spaced levels), θ* at the centre and the projected training path."""
    view = _log_view(ls.loss, float(ls.loss.min()))
    epochs = np.arange(len(ls.path_a))
    hover = [f"epoch {e}<br>true training loss {lv:.3f}<br>{100 * o:.0f}% of the way to θ* is off this plane"
             if np.isfinite(o) else f"epoch {e}: θ*, training loss {lv:.3f}"
             for e, lv, o in zip(epochs, ls.path_loss, ls.off_plane, strict=True)]
    unit = "filter norms" if ls.directions == "random" else "weight units"
    data = [
        dict(type="contour", x=ls.alphas, y=ls.betas, z=view, colorscale=GREYS, ncontours=20,
             line=dict(width=0.5), colorbar=_colorbar(view, "cross-entropy above slice min"),
             name="loss", customdata=ls.loss,
             hovertemplate="α %{x:.2f}, β %{y:.2f}<br>training loss %{customdata:.3f}<extra></extra>"),
        dict(type="scatter", x=ls.path_a, y=ls.path_b, mode="lines+markers", name="training path (projected)",
             line=dict(color=ORANGE, width=2), marker=dict(size=6, color=epochs, colorscale="Viridis"),
             text=hover, hovertemplate="%{text}<extra></extra>"),
        dict(type="scatter", x=[0], y=[0], mode="markers", name="trained weights θ*",
             marker=dict(symbol="star", size=15, color="#ffffff", line=dict(color="#000000", width=1)),
             hovertemplate="θ*: training loss " + f"{ls.train_loss:.3f}<extra></extra>"),
    ]
    return figure(
        data,
        height=480,
        xaxis=dict(title=dict(text=f"α along d₁ ({unit})"), range=[ls.alphas[0], ls.alphas[-1]]),
        yaxis=dict(title=dict(text=f"β along d₂ ({unit})"), range=[ls.betas[0], ls.betas[-1]]),
    )


def describe_landscape(ls: Landscape) -> str:
    off = float(np.nanmedian(ls.off_plane))
    head = (f"{DIRECTIONS[ls.directions]} slice of {len(ls.alphas)} × {len(ls.betas)} points around a "
            f"{ls.n_params:,}-weight MLP (training loss {ls.train_loss:.3f}, validation accuracy "
            f"{100 * ls.val_accuracy:.1f}%); the slice's loss runs from {ls.loss.min():.3f} to {ls.loss.max():.3g}")
    if ls.explained:
        head += (f"; the two directions hold {100 * ls.explained[0]:.0f}% and {100 * ls.explained[1]:.0f}% of the "
                 "path's variance")
    return head + f"; the median snapshot has {100 * off:.0f}% of its distance to θ* off this plane."
