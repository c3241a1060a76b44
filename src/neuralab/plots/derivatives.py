"""Figures for /derivatives: speed estimates against the truth, the Kalman gain settling, noise against lag.

Each ``*_figure`` has a ``describe_*`` twin that returns the sentence under the chart.
Speeds are drawn in rpm, times in seconds (traces) or milliseconds (lags).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import log_axis, num
from neuralab.plots.theme import BLUE, GREY, ORANGE, VERMILLION, figure
from neuralab.signal.derivative import RPM, Comparison, Metrics, Tradeoff, alpha_beta

__all__ = ["describe_gain", "describe_speed", "describe_tradeoff", "gain_figure", "metric_rows", "speed_figure",
           "tradeoff_figure"]

_MS = 1000.0
COLORS = (GREY, ORANGE, BLUE)  # finite difference, Savitzky–Golay, Kalman
ZOOM_S = (0.6, 1.35)  # the first view: the ramp-down through zero into the reversal


def speed_figure(c: Comparison) -> go.Figure:
    """The true speed and the three estimates, zoomed on the reversal (drag to zoom, double-click for all)."""
    p = c.profile
    data = [dict(type="scatter", x=p.t, y=e.speed * RPM, mode="lines", name=e.name,
                 line=dict(color=col, width=1 if i == 0 else 1.8), opacity=0.55 if i == 0 else 1.0,
                 hovertemplate=f"{e.name}: %{{y:.0f}} rpm at %{{x:.3f}} s<extra></extra>")
            for i, (e, col) in enumerate(zip(c.estimates, COLORS, strict=True))]
    data.append(dict(type="scatter", x=p.t, y=p.speed * RPM, mode="lines", name="True speed",
                     line=dict(color=VERMILLION, width=2, dash="dash"),
                     hovertemplate="true: %{y:.0f} rpm at %{x:.3f} s<extra></extra>"))
    lo, hi = p.speed.min() * RPM, p.speed.max() * RPM
    pad = 0.15 * (hi - lo)
    return figure(data, height=380, xaxis=dict(title="time (s)", range=list(ZOOM_S)),
                  yaxis=dict(title="speed (rpm)", range=[lo - pad, hi + pad]), hovermode="x unified")


def _lead(c: Comparison) -> str:
    step = c.profile.q / c.profile.dt * RPM
    return (f"At {c.profile.cpr:,} counts per revolution one count per {c.profile.dt * _MS:g} ms sample is "
            f"{num(step)} rpm")


def describe_speed(c: Comparison) -> str:
    """Which estimate has the lowest error, and what each costs."""
    fd, sg, kf = c.estimates
    best = min(c.estimates, key=lambda e: e.metrics.rms)
    return (f"{_lead(c)}, so the finite difference has {num(fd.metrics.noise * RPM)} rpm RMS of noise during "
            f"holds (standstill included). The Savitzky–Golay slope cuts that to {num(sg.metrics.noise * RPM)} rpm "
            f"but arrives "
            f"{num(sg.metrics.lag_s * _MS)} ms late; the Kalman filter has {num(kf.metrics.noise * RPM)} rpm "
            f"and lags {num(kf.metrics.lag_s * _MS)} ms. Lowest error over the whole run: {best.name}, "
            f"{num(best.metrics.rms * RPM)} rpm RMS.")


def metric_rows(c: Comparison) -> list[list[str]]:
    """The table's rows: method, error RMS (rpm), lag (ms), noise (rpm)."""
    return [[e.name, num(e.metrics.rms * RPM), num(e.metrics.lag_s * _MS), num(e.metrics.noise * RPM)]
            for e in c.estimates]


def _scaled_gain(c: Comparison) -> tuple[np.ndarray, tuple[str, ...]]:
    """The gain as dimensionless α, β (= K₁ dt) and, for constant acceleration, γ (= 2 K₂ dt²)."""
    dt = c.profile.dt
    g = c.kalman_gain
    cols = [g[:, 0], g[:, 1] * dt] + ([2 * g[:, 2] * dt**2] if g.shape[1] > 2 else [])
    return np.column_stack(cols), ("α (angle)", "β (speed)", "γ (acceleration)")[: len(cols)]


def gain_figure(c: Comparison) -> go.Figure:
    """The Kalman gain against the sample number (log axis), with Kalata's α and β for constant velocity."""
    g, names = _scaled_gain(c)
    n = g.shape[0]
    k = np.arange(1, n + 1)
    data = [dict(type="scatter", x=k, y=g[:, j], mode="lines", name=name, line=dict(color=col, width=2),
                 hovertemplate=f"{name}: %{{y:.4g}} at sample %{{x}}<extra></extra>")
            for j, (name, col) in enumerate(zip(names, (BLUE, ORANGE, GREY), strict=False))]
    shapes = []
    if c.model == "cv":
        for val, col in zip(alpha_beta(c.process_noise, np.sqrt(c.r), c.profile.dt), (BLUE, ORANGE), strict=True):
            shapes.append(dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=val, y1=val,
                               line=dict(color=col, dash="dot", width=1.5)))
    top = max(float(g.max()), 1e-6)
    return figure(data, height=300, shapes=shapes,
                  xaxis=log_axis(0, np.log10(n), title="sample (1 ms each)"),
                  yaxis=log_axis(np.log10(max(float(g[-1].min()), 1e-12)) - 0.5, np.log10(top) + 0.2,
                                 title="gain (dimensionless)"))


def describe_gain(c: Comparison) -> str:
    """When the gain stops changing, its steady value and the closed form it matches."""
    g, names = _scaled_gain(c)
    final = ", ".join(f"{n.split()[0]} = {v:.4g}" for n, v in zip(names, g[-1], strict=True))
    when = (f"stops changing after {c.settled:,} samples ({num(c.settled * c.profile.dt * _MS)} ms)"
            if c.settled < g.shape[0] else f"is still changing after all {g.shape[0]:,} samples")
    text = f"The gain {when} at {final}."
    if c.model == "cv":
        a, b = alpha_beta(c.process_noise, np.sqrt(c.r), c.profile.dt)
        lam = c.process_noise * c.profile.dt**2 / np.sqrt(c.r)
        text += (f" Kalata's closed form for the tracking index λ = σ_w dt² / σ_v = {lam:.3g} gives α = {a:.4g}, "
                 f"β = {b:.4g} (dotted lines).")
    return text


def _curve(ms: tuple[Metrics, ...]) -> tuple[list[float], list[float]]:
    return [m.lag_s * _MS for m in ms], [max(m.noise * RPM, 1e-3) for m in ms]


def tradeoff_figure(tr: Tradeoff, c: Comparison) -> go.Figure:
    """Noise against lag: one curve per knob, the finite difference as a point, the current settings ringed."""
    sg_x, sg_y = _curve(tr.savgol)
    kf_x, kf_y = _curve(tr.kalman)
    data = [
        dict(type="scatter", x=sg_x, y=sg_y, mode="lines+markers", name="Savitzky–Golay, window",
             line=dict(color=ORANGE), customdata=list(tr.windows),
             hovertemplate="window %{customdata} samples: lag %{x:.1f} ms, noise %{y:.3g} rpm<extra></extra>"),
        dict(type="scatter", x=kf_x, y=kf_y, mode="lines+markers", name="Kalman, process noise σ_w",
             line=dict(color=BLUE), customdata=[f"{s:.3g}" for s in tr.process_noise],
             hovertemplate="σ_w %{customdata}: lag %{x:.1f} ms, noise %{y:.3g} rpm<extra></extra>"),
        dict(type="scatter", x=[tr.finite_difference.lag_s * _MS], y=[tr.finite_difference.noise * RPM],
             mode="markers", name="Finite difference", marker=dict(color=GREY, size=11, symbol="diamond"),
             hovertemplate="finite difference: lag %{x:.2f} ms, noise %{y:.3g} rpm<extra></extra>"),
        dict(type="scatter", x=[e.metrics.lag_s * _MS for e in c.estimates[1:]],
             y=[max(e.metrics.noise * RPM, 1e-3) for e in c.estimates[1:]], mode="markers", name="Your settings",
             marker=dict(color="rgba(0,0,0,0)", size=16, line=dict(color=VERMILLION, width=2.5)),
             hovertemplate="your setting: lag %{x:.1f} ms, noise %{y:.3g} rpm<extra></extra>"),
    ]
    ys = [*sg_y, *kf_y, tr.finite_difference.noise * RPM]
    return figure(data, height=380, xaxis=dict(title="lag (ms)", rangemode="tozero"),
                  yaxis=log_axis(np.log10(min(ys)) - 0.2, np.log10(max(ys)) + 0.2,
                                 title="noise during holds (rpm)"))


def describe_tradeoff(tr: Tradeoff, c: Comparison) -> str:
    """Where each curve reaches its lowest noise, at what lag, and whether it turns up again past that point."""
    sg_i = int(np.argmin([m.noise for m in tr.savgol]))
    kf_i = int(np.argmin([m.noise for m in tr.kalman]))
    sg, kf = tr.savgol[sg_i], tr.kalman[kf_i]
    text = (f"Longer windows and smaller process noise buy quiet with delay. The quietest Savitzky–Golay window here, "
            f"{tr.windows[sg_i]} samples, leaves {num(sg.noise * RPM)} rpm at {num(sg.lag_s * _MS)} ms of lag; the "
            f"quietest Kalman setting, σ_w = {tr.process_noise[kf_i]:.3g}, leaves {num(kf.noise * RPM)} rpm at "
            f"{num(kf.lag_s * _MS)} ms.")
    turned = [name for name, i, n in (("a still longer window", sg_i, len(tr.windows)),
                                      ("a still smaller σ_w", kf_i, len(tr.process_noise))) if 0 < i < n - 1]
    if turned:
        text += (f" Past that point {' and '.join(turned)} {'gets' if len(turned) == 1 else 'get'} noisier again: "
                 "this is not noise but the estimate smearing each corner of the profile, counted where it falls "
                 "inside a hold.")
    sg_now = c.estimates[1].metrics
    lags, noise = _curve(tr.kalman)
    order = np.argsort(lags)
    if lags[order[0]] <= sg_now.lag_s * _MS <= lags[order[-1]]:
        at = 10 ** np.interp(sg_now.lag_s * _MS, np.array(lags)[order], np.log10(np.array(noise)[order]))
        text += (f" At the {num(sg_now.lag_s * _MS)} ms lag of your Savitzky–Golay window, the Kalman curve leaves "
                 f"{num(at)} rpm against its {num(sg_now.noise * RPM)} rpm.")
    return text + (f" The finite difference sits alone at {num(tr.finite_difference.lag_s * _MS)} ms and "
                   f"{num(tr.finite_difference.noise * RPM)} rpm.")
