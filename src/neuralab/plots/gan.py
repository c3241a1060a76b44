"""Figures for /gan: the game at one snapshot (points on D's surface), both losses, the coverage, the two G losses.

Every builder takes a run and a snapshot index ``k``, so the page's snapshot slider can replay the run in the
browser: what moves between snapshots is the generated points, the surface and the markers at round ``k``.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.data import targets
from neuralab.plots.format import num, vline
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, PURPLE, VERMILLION, figure
from neuralab.train.gan import LIMIT, RADIUS, Curves, Run

__all__ = ["coverage_figure", "curves_figure", "describe_coverage", "describe_curves", "describe_losses",
           "describe_samples", "losses_figure", "samples_figure", "snapshot_note"]

SURFACE = [[0.0, "rgba(230,159,0,0.55)"], [0.5, "rgba(140,140,140,0.06)"], [1.0, "rgba(0,114,178,0.55)"]]
MAX_POINTS = 300  # loss curves are averaged into at most this many bins


def _r(a: np.ndarray, digits: int = 3) -> list:
    return np.round(np.asarray(a, dtype=float), digits).tolist()


def samples_figure(run: Run, k: int) -> go.Figure:
    """Data points, generated points and D's probability of 'data' over the plane, at snapshot ``k``."""
    s = run.snapshots[k]
    axis = run.axis
    data = [
        dict(type="heatmap", x=_r(axis), y=_r(axis), z=_r(s.surface, 2), zmin=0, zmax=1, colorscale=SURFACE,
             colorbar=dict(title=dict(text="D(x)"), thickness=10, len=0.8), name="D(x)",
             hovertemplate="x %{x:.2f}, y %{y:.2f}: D = %{z:.2f}<extra></extra>"),
        dict(type="scatter", mode="markers", x=_r(run.real[:, 0], 2), y=_r(run.real[:, 1], 2), name="data",
             marker=dict(size=4, color=GREEN, opacity=0.7), hoverinfo="skip"),
        dict(type="scatter", mode="markers", x=_r(s.fake[:, 0], 2), y=_r(s.fake[:, 1], 2), name="generated",
             marker=dict(size=5, color=VERMILLION, line=dict(color="white", width=0.5)), hoverinfo="skip"),
    ]
    shapes = []
    if run.centres is not None:  # the 3σ circle around each mode: inside it a point is of high quality
        r = 3 * targets.SD
        covered = s.cover.modes
        for (cx, cy), on in zip(run.centres, covered, strict=True):
            shapes.append(dict(type="circle", xref="x", yref="y", x0=cx - r, x1=cx + r, y0=cy - r, y1=cy + r,
                               line=dict(color=PURPLE if on else GREY, width=2 if on else 1,
                                         dash="solid" if on else "dot")))
    rng = [-LIMIT, LIMIT]
    return figure(data, height=460, shapes=shapes,
                  xaxis=dict(range=rng, title=dict(text="x₁"), constrain="domain"),
                  yaxis=dict(range=rng, title=dict(text="x₂"), scaleanchor="x", scaleratio=1, constrain="domain"),
                  margin=dict(l=50, r=16, t=36, b=44))


def _binned(y: np.ndarray) -> tuple[list, list]:
    """Rounds (1-based, the bin's centre) and the mean of ``y`` over at most MAX_POINTS bins."""
    n = len(y)
    size = max(1, math.ceil(n / MAX_POINTS))
    m = n // size * size
    means = np.nanmean(y[:m].reshape(-1, size), axis=1) if m else np.array([])
    if m < n:
        means = np.append(means, np.nanmean(y[m:]))
    centres = np.minimum(np.arange(len(means)) * size + (size + 1) / 2, n)
    return _r(centres, 1), [None if not np.isfinite(v) else round(float(v), 4) for v in means]


def losses_figure(run: Run, k: int) -> go.Figure:
    """Top: D's loss and G's loss per round, with their values at the equilibrium. Bottom: mean D on each side."""
    at = run.snapshots[k].round
    top, bottom = dict(xaxis="x", yaxis="y"), dict(xaxis="x2", yaxis="y2")
    g_eq = math.log(2) if run.loss == "non-saturating" else -math.log(2)
    data = []
    for y, name, color, where in ((run.d_loss, "D's loss −V(D, G)", BLUE, top),
                                  (run.g_loss, f"G's loss ({run.loss})", VERMILLION, top),
                                  (run.d_real, "mean D(x) on data", BLUE, bottom),
                                  (run.d_fake, "mean D(G(z)) on generated points", VERMILLION, bottom)):
        x, v = _binned(y)
        data.append(dict(type="scatter", mode="lines", x=x, y=v, name=name, line=dict(color=color, width=1.5),
                         showlegend=where is top, **where))
    lines = [dict(type="line", xref="x domain", yref="y", x0=0, x1=1, y0=v, y1=v,
                  line=dict(color=c, dash="dot", width=1)) for v, c in ((2 * math.log(2), BLUE), (g_eq, VERMILLION))]
    lines.append(dict(type="line", xref="x2 domain", yref="y2", x0=0, x1=1, y0=0.5, y1=0.5,
                      line=dict(color=GREY, dash="dot", width=1)))
    lines += [vline(at, GREY, xref="x"), vline(at, GREY, xref="x2", yref="y2 domain")]
    return figure(data, height=420, shapes=lines,
                  xaxis=dict(anchor="y", domain=[0, 1], showticklabels=False, range=[0, run.rounds]),
                  yaxis=dict(title=dict(text="loss (nats)"), domain=[0.42, 1]),
                  xaxis2=dict(anchor="y2", matches="x", title=dict(text="round")),
                  yaxis2=dict(title=dict(text="mean D"), domain=[0, 0.32], range=[0, 1]),
                  margin=dict(l=60, r=16, t=40, b=44))


def coverage_figure(run: Run, k: int) -> go.Figure:
    """Coverage and quality at every snapshot, with the snapshot shown marked."""
    rounds = [s.round for s in run.snapshots]
    mixture = run.centres is not None
    covered = [100 * s.cover.covered for s in run.snapshots]
    quality = [100 * s.cover.quality for s in run.snapshots]
    names = (("modes covered", "high-quality points (within 3σ of a mode)") if mixture else
             (f"data points with a generated point within {RADIUS:g}",
              f"generated points within {RADIUS:g} of the data"))
    data = [dict(type="scatter", mode="lines+markers", x=rounds, y=_r(covered, 1), name=names[0],
                 line=dict(color=PURPLE, width=2)),
            dict(type="scatter", mode="lines+markers", x=rounds, y=_r(quality, 1), name=names[1],
                 line=dict(color=ORANGE, width=2, dash="dash"))]
    if mixture:
        data[0]["text"] = [f"{s.cover.n_covered} of {len(run.centres)}" for s in run.snapshots]
        data[0]["hovertemplate"] = "round %{x}: %{text} modes<extra></extra>"
    return figure(data, height=300, shapes=[vline(run.snapshots[k].round, GREY)],
                  xaxis=dict(title=dict(text="round"), range=[0, run.rounds]),
                  yaxis=dict(title=dict(text="%"), range=[-3, 103]),
                  margin=dict(l=56, r=16, t=40, b=44))


def snapshot_note(run: Run, k: int) -> str:
    """The slider's readout: which round the snapshot shows."""
    return f"after round {run.snapshots[k].round:,} of {run.rounds:,}"


def describe_samples(run: Run, k: int) -> str:
    s = run.snapshots[k]
    c = s.cover
    head = f"After round {s.round:,}: " if s.round else "Before training: "
    if c.modes is not None:
        body = (f"{c.n_covered} of the {len(c.modes)} modes covered (solid purple circles, radius 3σ), "
                f"{c.quality:.0%} of the generated points within 3σ of a mode.")
    else:
        body = (f"{c.covered:.0%} of the data points have a generated point within {RADIUS:g}, and {c.quality:.0%} of "
                f"the generated points lie within {RADIUS:g} of the data.")
    return (head + body + " Blue ground: D takes a point there for data; orange ground: for a generated one; "
            "grey: it cannot tell.")


def describe_losses(run: Run, k: int) -> str:
    i = max(run.snapshots[k].round, 1) - 1
    eq = "ln 2" if run.loss == "non-saturating" else "−ln 2"
    return (f"In round {i + 1:,}: D's loss {num(run.d_loss[i])} (2 ln 2 = {2 * math.log(2):.3f} when D answers ½ "
            f"on both sets), G's {run.loss} loss {num(run.g_loss[i])} ({eq} there), mean D(x) {num(run.d_real[i])}, "
            f"mean D(G(z)) {num(run.d_fake[i])}, both by D after its turn. Curves are means over bins of rounds; "
            f"the run took {run.seconds:.1f} s.")


def describe_coverage(run: Run, k: int) -> str:
    c = run.snapshots[k].cover
    if c.modes is not None:
        return (f"{c.n_covered} of {len(c.modes)} modes covered and {c.quality:.0%} high-quality points at the marked "
                f"round; the final verdict is read from the last snapshot.")
    return (f"{c.covered:.0%} of the data points have a generated point within {RADIUS:g}, and {c.quality:.0%} of "
            f"the generated points lie within {RADIUS:g} of the data, at the marked round; the final verdict is read "
            "from the last snapshot.")


def curves_figure(c: Curves) -> go.Figure:
    """Both generator losses and their gradients with respect to D's logit, against D(G(z)); the marker's value."""
    left, right = dict(xaxis="x", yaxis="y"), dict(xaxis="x2", yaxis="y2")
    data = [
        dict(type="scatter", mode="lines", x=_r(c.p, 4), y=_r(c.saturating), name="saturating: log(1 − D)",
             line=dict(color=VERMILLION, width=2), **left),
        dict(type="scatter", mode="lines", x=_r(c.p, 4), y=_r(c.non_saturating), name="non-saturating: −log D",
             line=dict(color=BLUE, width=2), **left),
        dict(type="scatter", mode="lines", x=_r(c.p, 4), y=_r(c.grad_saturating), showlegend=False,
             line=dict(color=VERMILLION, width=2), **right),
        dict(type="scatter", mode="lines", x=_r(c.p, 4), y=_r(c.grad_non_saturating), showlegend=False,
             line=dict(color=BLUE, width=2), **right),
        dict(type="scatter", mode="markers", x=[c.at, c.at], y=[c.at_grad_saturating, c.at_grad_non_saturating],
             showlegend=False, marker=dict(size=10, color=[VERMILLION, BLUE], line=dict(color="white", width=1)),
             hovertemplate="D(G(z)) = %{x:.3f}: gradient %{y:.3f}<extra></extra>", **right),
    ]
    return figure(data, height=340, shapes=[vline(c.at, GREY, xref="x"), vline(c.at, GREY, xref="x2",
                                                                                 yref="y2 domain")],
                  xaxis=dict(domain=[0, 0.45], title=dict(text="D(G(z))"), range=[0, 1]),
                  yaxis=dict(title=dict(text="generator loss (nats)"), range=[-5, 5]),
                  xaxis2=dict(domain=[0.55, 1], anchor="y2", title=dict(text="D(G(z))"), range=[0, 1]),
                  yaxis2=dict(anchor="x2", title=dict(text="∂loss/∂logit"), range=[-1.05, 0.05]),
                  margin=dict(l=56, r=16, t=40, b=44))


def describe_curves(c: Curves) -> str:
    return (f"Where D gives a generated point {c.at:g}, the saturating loss pulls its logit with a gradient of "
            f"{c.at_grad_saturating:.3f} and the non-saturating one with {c.at_grad_non_saturating:.3f}: "
            f"{_ratio(c)} Computed with torch's autograd.")


def _ratio(c: Curves) -> str:
    if abs(c.at_grad_saturating) < 1e-12:
        return "the saturating loss gives no push at all."
    r = c.at_grad_non_saturating / c.at_grad_saturating
    if abs(r - 1) < 0.005:
        return "the same push from both losses."
    return f"{r:.3g} times as strong with the non-saturating loss." if r >= 1 else (
        f"{1 / r:.3g} times as strong with the saturating loss.")
