"""Figures for /research-corner: a capsule network's routing for one digit, and a neural ODE's field and cost."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.nn.capsule import M_MINUS, M_PLUS, MAX_ITERATIONS
from neuralab.plots.format import log_axis, num, pct
from neuralab.plots.theme import BLUE, GREY, ORANGE, VERMILLION, figure, subplot_title
from neuralab.train.research import N_T, T_END, TOLERANCES, Capsules, Ode

__all__ = ["COMPARE_HEADER", "compare_rows", "coupling_figure", "cost_figure", "describe_cost",
           "describe_coupling", "describe_field", "describe_iterations", "describe_lengths", "field_figure",
           "iterations_figure", "lengths_figure"]

STEP = T_END / (N_T - 1)


# ----------------------------------------------------------------------------- capsules

def coupling_figure(c: Capsules) -> go.Figure:
    """Coupling coefficients c_ij of the last routing iteration: digit classes × the 64 primary capsules."""
    n = c.coupling.shape[0]
    per = n // c.types
    z = c.coupling.T  # (10, I)
    return figure(
        [dict(type="heatmap", z=z.tolist(), x=list(range(1, n + 1)), y=[str(j) for j in range(10)], zmin=0,
              zmax=max(0.2, float(z.max())), colorscale="Viridis",
              colorbar=dict(title=dict(text="c_ij", side="right"), thickness=12),
              hovertemplate="primary capsule %{x}, digit %{y}: c = %{z:.3f}<extra></extra>")],
        height=340, margin=dict(l=64, r=90, t=40, b=52),
        xaxis=dict(title=dict(text=f"primary capsule ({c.types} types × {per} positions)"),
                   tickvals=[1 + k * per for k in range(c.types)], ticktext=[f"type {k + 1}" for k in range(c.types)]),
        yaxis=dict(title=dict(text="digit capsule"), type="category"),
        shapes=[dict(type="line", x0=k * per + 0.5, x1=k * per + 0.5, y0=-0.5, y1=9.5, xref="x", yref="y",
                     line=dict(color="#ffffff", width=1)) for k in range(1, c.types)],
    )


def describe_coupling(c: Capsules) -> str:
    mean = c.coupling.mean(0)
    top = int(np.argmax(mean))
    spread = float(c.coupling.max(1).mean())
    it = f"{c.iterations} routing iteration{'s' if c.iterations > 1 else ''}"
    if c.iterations == 1:
        return (f"Test digit {c.digit} (a {c.label}), {it}: every coupling coefficient is "
                f"{num(float(c.coupling[0, 0]))}, uniform: with one iteration there is no routing, each primary "
                "capsule sends its prediction to all "
                "ten digit capsules equally.")
    return (f"Test digit {c.digit} (a {c.label}), {it}: each column sums to 1 over the ten digit capsules; on "
            f"average a primary capsule gives its largest share {num(spread)} to one parent (uniform would be "
            f"0.1), and the digit capsule with the largest mean coupling is {top} ({num(float(mean[top]))}).")


def lengths_figure(c: Capsules) -> go.Figure:
    """The ten digit capsules' lengths for the digit, the margins, and the digit itself."""
    colors = [VERMILLION if j == c.predicted else BLUE for j in range(10)]
    return figure(
        [dict(type="heatmap", z=c.image[::-1].tolist(), colorscale="Greys", showscale=False,
              xaxis="x2", yaxis="y2", hovertemplate="pixel %{x}, %{y}: %{z:.2f}<extra></extra>"),
         dict(type="bar", x=[str(j) for j in range(10)], y=c.lengths.tolist(), marker=dict(color=colors),
              name="‖v_j‖", hovertemplate="digit %{x}: length %{y:.3f}<extra></extra>")],
        height=320, margin=dict(l=64, r=16, t=48, b=48), showlegend=False,
        xaxis=dict(domain=[0, 0.7], title=dict(text="digit capsule"), type="category"),
        yaxis=dict(range=[0, 1], title=dict(text="length ‖v_j‖")),
        xaxis2=dict(domain=[0.78, 1.0], visible=False, anchor="y2"),
        yaxis2=dict(domain=[0.1, 0.9], visible=False, anchor="x2", scaleanchor="x2"),
        shapes=[dict(type="line", xref="x domain", yref="y", x0=0, x1=1, y0=m, y1=m,
                     line=dict(color=GREY, dash="dot", width=1.5)) for m in (M_PLUS, M_MINUS)],
        annotations=[subplot_title(f"test digit {c.digit}: a {c.label} (ink dark)", 0.89),
                     *(dict(text=f"{name} = {m}", x=1, xref="x domain", y=m, yref="y", showarrow=False,
                            xanchor="left", yanchor="middle", xshift=4, font=dict(size=11))
                       for name, m in (("m⁺", M_PLUS), ("m⁻", M_MINUS)))],
    )


def describe_lengths(c: Capsules) -> str:
    second = float(np.sort(c.lengths)[-2])
    verdict = "right" if c.predicted == c.label else f"wrong (it is a {c.label})"
    return (f"The longest digit capsule is {c.predicted}, length {num(float(c.lengths.max()))}: the prediction is "
            f"{verdict}. The runner-up's length is {num(second)}; training pushes the right one above "
            f"m⁺ = {M_PLUS} and the others below m⁻ = {M_MINUS}.")


def iterations_figure(c: Capsules) -> go.Figure:
    """Test accuracy of the trained capsule network routed 1..5 times at test time, and the CNN's."""
    k = list(range(1, MAX_ITERATIONS + 1))
    return figure(
        [dict(type="scatter", mode="lines+markers", x=k, y=c.by_iterations.tolist(), name="capsule network",
              line=dict(color=BLUE), hovertemplate="%{x} iterations: %{y:.1%}<extra></extra>"),
         dict(type="scatter", mode="markers", x=[c.iterations], y=[float(c.by_iterations[c.iterations - 1])],
              name="as trained", marker=dict(color=VERMILLION, size=12, symbol="circle-open", line=dict(width=2))),
         dict(type="scatter", mode="lines", x=[1, MAX_ITERATIONS], y=[c.cnn.accuracy] * 2, name="the CNN",
              line=dict(color=ORANGE, dash="dash"))],
        height=300, margin=dict(l=64, r=16, t=48, b=48),
        xaxis=dict(title=dict(text="routing iterations at test time"), dtick=1),
        yaxis=dict(title=dict(text="test accuracy"), tickformat=".0%"),
    )


def describe_iterations(c: Capsules) -> str:
    a = c.by_iterations
    gap = c.cnn.accuracy - c.caps.accuracy
    return (f"Trained with {c.iterations} routing iteration{'s' if c.iterations > 1 else ''}, the capsule network "
            f"scores {pct(c.caps.accuracy)} on the 360 test digits, the CNN {pct(c.cnn.accuracy)} "
            f"({'ahead by' if gap > 0 else 'behind by'} {100 * abs(gap):.1f} percentage points). Routed from 1 to "
            f"{MAX_ITERATIONS} times at "
            f"test time the same weights score {pct(float(a.min()))} to {pct(float(a.max()))}. With "
            f"{c.caps.params:,} parameters against the CNN's {c.cnn.params:,}, one training epoch takes "
            f"{c.caps.epoch_s / c.cnn.epoch_s:.1f} times as long"
            + (": fewer parameters, more computation" if c.caps.epoch_s > c.cnn.epoch_s
               and c.caps.params < c.cnn.params else "")
            + " (training time, one measurement; inference latency grows with the routing iterations the same "
              "way but is not timed here). One seed, and the CNN's recipe, not tuned for capsules.")


COMPARE_HEADER = ("Network", "Test accuracy", "Parameters", "One epoch", "Whole training")


def compare_rows(c: Capsules) -> list[list[str]]:
    rows = []
    for n in (c.caps, c.cnn):
        whole = "trained by the zoo (20 epochs)" if math.isnan(n.train_s) else f"{n.train_s:.1f} s (20 epochs)"
        rows.append([n.name, pct(n.accuracy), f"{n.params:,}", f"{n.epoch_s:.2f} s", whole])
    return rows


# ----------------------------------------------------------------------------- neural ODE

def _arrows(grid: np.ndarray, field: np.ndarray, length: float) -> tuple[list, list]:
    """Segments of equal length along ``field`` at every grid point (None between them): a quiver."""
    g, f = grid.reshape(-1, 2), field.reshape(-1, 2)
    n = np.linalg.norm(f, axis=1, keepdims=True)
    d = np.where(n > 0, f / np.where(n > 0, n, 1), 0) * length
    xs, ys = [], []
    for (x, y), (dx, dy) in zip(g, d, strict=True):
        xs += [float(x), float(x + dx), None]
        ys += [float(y), float(y + dy), None]
    return xs, ys


def field_figure(o: Ode) -> go.Figure:
    """The true and learned vector fields, the true trajectory, the chosen solve, and the rk4-fitted f stepped by Euler
    (what a tied ResNet with these weights computes; it was not trained as a ResNet)."""
    step = float(o.grid[0, 1, 0] - o.grid[0, 0, 0])
    data = []
    for fld, name, color in ((o.true, "true field", GREY), (o.learned, "learned field f", BLUE)):
        xs, ys = _arrows(o.grid, fld, 0.7 * step)
        sizes = [0, 7, 0] * (len(xs) // 3)
        data.append(dict(type="scatter", mode="lines+markers", x=xs, y=ys, name=name, hoverinfo="skip",
                         line=dict(color=color, width=1.2),
                         marker=dict(symbol="arrow", angleref="previous", size=sizes, color=color)))
    data.append(dict(type="scatter", mode="lines", x=o.truth[:, 0].tolist(), y=o.truth[:, 1].tolist(),
                     name="true trajectory", line=dict(color=ORANGE, width=4)))
    euler = next(s for s in o.sweep if s.method == "euler")
    if euler.z is not None:
        data.append(dict(type="scatter", mode="lines", x=euler.z[:, 0].tolist(), y=euler.z[:, 1].tolist(),
                         name=f"rk4-fitted f stepped by Euler, h = {STEP:g} s (= a tied ResNet with this f, untrained)",
                         line=dict(color=GREY, dash="dot", width=2)))
    if o.chosen.z is not None:
        data.append(dict(type="scatter", mode="lines", x=o.chosen.z[:, 0].tolist(), y=o.chosen.z[:, 1].tolist(),
                         name=f"neural ODE, {o.chosen.label}", line=dict(color=VERMILLION, dash="dash", width=2.5)))
    lim = float(np.abs(o.grid).max()) + step
    return figure(data, height=520, margin=dict(l=56, r=16, t=72, b=48),
                  xaxis=dict(range=[-lim, lim], title=dict(text="z₁"), constrain="domain"),
                  yaxis=dict(range=[-lim, lim], title=dict(text="z₂"), scaleanchor="x", scaleratio=1))


def describe_field(o: Ode) -> str:
    c = o.chosen
    euler = next(s for s in o.sweep if s.method == "euler")
    head = (f"The field f ({o.params:,} parameters) was fitted in {o.fit.train_s:.1f} s to 1-s pieces of the "
            f"trajectory. ")
    if c.stopped:
        body = f"{c.stopped} Raise the cap or loosen the tolerance to draw the trajectory."
    else:
        body = (f"Integrated from z(0) = (1, 0) over {T_END:g} s with {c.label}, it stays on average "
                f"{num(c.error)} from the true trajectory (mean ‖z(t) − z_true(t)‖ over the {N_T} sample times, "
                f"in state units on a spiral of radius ≤ 1), for {c.nfe:,} evaluations of f. That error is "
                "in-sample: f was fitted to pieces of this same trajectory.")
    res = (f" The dotted line is the same rk4-fitted f stepped by Euler, {N_T - 1} steps of h = {STEP:g} s, which "
           f"is what a ResNet of {N_T - 1} blocks sharing these weights computes (it differs from torchdiffeq's "
           f"euler by {num(o.resnet_gap)}); stepping the rk4-fitted f with Euler, it spirals outward, "
           f"{num(euler.error)} off on average (a ResNet trained as one would have compensated)."
           ) if euler.z is not None else ""
    return (head + body + res + " Arrows show direction only (equal length); the speed falls like |z|³ toward the "
            "centre.")


def cost_figure(o: Ode) -> go.Figure:
    """Trajectory error against function evaluations: dopri5 at each tolerance, rk4 and Euler on the grid."""
    dop = [s for s in o.sweep if s.method == "dopri5" and not s.stopped]
    data = [dict(type="scatter", mode="lines+markers+text", x=[s.nfe for s in dop], y=[s.error for s in dop],
                 text=[f"{s.tol:.0e}" for s in dop], textposition="top right", name="dopri5 (tolerance)",
                 line=dict(color=BLUE), hovertemplate="tolerance %{text}: %{x} evaluations, error %{y:.3g}"
                 "<extra></extra>")]
    for s, color in zip([s for s in o.sweep if s.method != "dopri5"], (ORANGE, GREY), strict=True):
        if not s.stopped:
            name = f"{s.method} on the {STEP:g}-s grid" + (
                " (= a tied ResNet with this f, untrained)" if s.method == "euler" else "")
            data.append(dict(type="scatter", mode="markers", x=[s.nfe], y=[s.error], name=name,
                             marker=dict(color=color, size=11, symbol="diamond")))
    if not o.chosen.stopped:
        data.append(dict(type="scatter", mode="markers", x=[o.chosen.nfe], y=[o.chosen.error], name="chosen",
                         marker=dict(color=VERMILLION, size=16, symbol="circle-open", line=dict(width=2))))
    xs = [s.nfe for s in o.sweep if not s.stopped] or [100, 1000]
    ys = [s.error for s in o.sweep if not s.stopped and s.error > 0] or [1e-2, 1]
    lx, hx = math.log10(min(xs)) - 0.15, math.log10(max(xs)) + 0.25
    ly, hy = math.log10(min(ys)) - 0.2, math.log10(max(ys)) + 0.3
    return figure(data, height=380, margin=dict(l=64, r=16, t=72, b=48),
                  xaxis=log_axis(lx, hx, title=dict(text="evaluations of f per forward pass (NFE)")),
                  yaxis=log_axis(ly, hy, title=dict(
                      text=f"mean ‖z(t) − z_true(t)‖<br>({N_T} times, state units)")))


def describe_cost(o: Ode) -> str:
    dop = [s for s in o.sweep if s.method == "dopri5"]
    ok = [s for s in dop if not s.stopped]
    stopped = [s for s in dop if s.stopped]
    rk4 = next(s for s in o.sweep if s.method == "rk4")
    parts = []
    if len(ok) >= 2:
        parts.append(f"dopri5 needs {ok[0].nfe:,} evaluations at tolerance {ok[0].tol:.0e} and {ok[-1].nfe:,} at "
                     f"{ok[-1].tol:.0e}, while its error only moves from {num(ok[0].error)} to {num(ok[-1].error)}: "
                     "below a tolerance of about "
                     f"{_knee(ok):.0e} the error is the fit's, not the solver's, and tighter tolerances buy nothing.")
        up = [(a, b) for a, b in zip(ok, ok[1:], strict=False) if b.nfe < a.nfe]
        if up:
            a, b = up[0]
            parts.append(f"The cost does not grow strictly: at {a.tol:.0e} dopri5 needs {a.nfe:,} evaluations, more "
                         f"than the {b.nfe:,} at {b.tol:.0e}, because rejected steps cost evaluations too.")
        parts.append(f"The solve runs in float32, whose round-off (about 1e-7) sets the tightest tolerance offered, "
                     f"{TOLERANCES[-1]:.0e}.")
    if stopped:
        parts.append(f"At {', '.join(f'{s.tol:.0e}' for s in stopped)} the solve passed the cap of {o.cap:,} "
                     "evaluations and was stopped.")
    if not rk4.stopped:
        parts.append(f"rk4 (torchdiffeq's 3/8-rule variant) on the training grid costs a fixed {rk4.nfe:,} "
                     "evaluations (4 per step) for an error of "
                     f"{num(rk4.error)}.")
    if parts:
        parts.append(f"The error is the mean ‖z(t) − z_true(t)‖ over the {N_T} sample times, a distance at equal "
                     "times (a phase lag counts), in state units on a spiral of radius at most 1.")
    return " ".join(parts) or "Every solve of the sweep passed the cap; raise it to see the cost."


def _knee(ok: list) -> float:
    """The loosest tolerance whose error is within 5 % of the tightest one's."""
    best = ok[-1].error
    return next((s.tol for s in ok if s.error <= 1.05 * best), ok[-1].tol)


assert TOLERANCES  # the sweep the cost chart reads
