"""Figures for the preprocessing page: smoothing, outliers, regimes, aliasing and the pipeline leak.

Each ``*_figure`` builder has a ``describe_*`` twin returning the one-sentence text
summary that sits under the chart for screen readers and for anyone skimming.
Traces and axes are plain dicts wrapped once by :func:`neuralab.plots.theme.figure`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.data.motor import CurrentTrace, MotorWindows, torque_current
from neuralab.plots.format import pct, vline
from neuralab.plots.theme import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
    cell_text,
    figure,
    subplot_title,
)
from neuralab.signal.measured import Measured
from neuralab.signal.normalize import PipelineLeak
from neuralab.signal.outliers import DETECTORS, Breakdown, Cleaned, Detection, Score
from neuralab.signal.regime_cv import ErrorGrid, RegimeValidation
from neuralab.signal.regimes import BinStats
from neuralab.signal.sampling import AliasDemo
from neuralab.signal.smooth import Comparison, Response, WindowSweep

__all__ = [
    "describe_measured",
    "measured_figure",
    "alias_figure",
    "breakdown_figure",
    "describe_alias",
    "describe_breakdown",
    "describe_error_grid",
    "describe_outliers",
    "describe_pipeline_leak",
    "describe_regimes",
    "describe_response",
    "describe_smoothing",
    "describe_sweep",
    "describe_validation",
    "error_grid_figure",
    "outlier_figure",
    "pipeline_leak_figure",
    "regime_figure",
    "response_figure",
    "smoothing_figure",
    "sweep_figure",
    "validation_figure",
]

_MS = 1000.0  # s -> ms on time axes


def _label(text: str, x: float, color: str, xref: str = "x", yref: str = "y domain", y: float = 1.0) -> dict:
    return dict(text=text, x=x, y=y, xref=xref, yref=yref, showarrow=False, xanchor="left", yanchor="top",
                font=dict(color=color, size=12), xshift=3)


# ----------------------------------------------------------------------------- smoothing


def smoothing_figure(trace: CurrentTrace, comp: Comparison, period_s: float) -> go.Figure:
    """The noisy current, SG and moving average of the same window, and the clean truth.

    The view opens on three periods (``period_s`` each) around the load step; double-click shows all.
    """
    t = trace.t * _MS
    mid = t[t.size // 2]
    view = [max(t[0], mid - period_s * _MS), min(t[-1], mid + 2 * period_s * _MS)]
    lines = [
        ("Measured (noisy)", trace.noisy, GREY, 1.0, "solid", 0.55),
        ("True current", trace.clean, GREEN, 2.5, "dot", 1.0),
        (f"Moving average ({comp.moving_average.window})", comp.moving_average.y, ORANGE, 2.0, "solid", 0.95),
        (f"Savitzky–Golay ({comp.savgol.window}, order {comp.savgol.order})", comp.savgol.y, BLUE, 2.0, "solid",
         0.95),
    ]
    data = [
        dict(type="scatter", x0=t[0], dx=t[1] - t[0], y=y, mode="lines", name=name, opacity=op,  # x0/dx: no x array
             line=dict(color=color, width=width, dash=dash),
             hovertemplate=f"{name}: %{{y:.2f}} A at %{{x:.1f}} ms<extra></extra>")
        for name, y, color, width, dash, op in lines
    ]
    return figure(
        data,
        height=360,
        legend=dict(y=1.1),
        margin=dict(t=56),
        xaxis=dict(title=dict(text="time (ms); double-click to see the whole window"), range=view),
        yaxis=dict(title=dict(text="phase current (A)")),
        hovermode="x",
    )


def describe_smoothing(comp: Comparison, fs: float) -> str:
    w = comp.savgol.window
    where = "causal (past samples only)" if comp.savgol.causal else "centred"
    return (
        f"{where.capitalize()} window of {w} samples ({w / fs * _MS:.1f} ms): RMS error against the true current "
        f"{comp.rms_savgol:.2f} A for Savitzky–Golay, {comp.rms_moving_average:.2f} A for the moving average, "
        f"{comp.rms_raw:.2f} A unfiltered; peak heights {pct(comp.peak_savgol, signed=True)} with Savitzky–Golay and "
        f"{pct(comp.peak_moving_average, signed=True)} with the moving average."
    )


def sweep_figure(sweep: WindowSweep, window: int) -> go.Figure:
    """RMS error against window length for both filters, with the chosen window marked."""
    data = [
        dict(type="scatter", x=sweep.windows, y=sweep.rms_moving_average, mode="lines+markers",
             name="Moving average", line=dict(color=ORANGE, width=2), marker=dict(size=5),
             hovertemplate="moving average, window %{x}: %{y:.3f} A<extra></extra>"),
        dict(type="scatter", x=sweep.windows, y=sweep.rms_savgol, mode="lines+markers", name="Savitzky–Golay",
             line=dict(color=BLUE, width=2), marker=dict(size=5),
             hovertemplate="Savitzky–Golay, window %{x}: %{y:.3f} A<extra></extra>"),
    ]
    shapes = [vline(window, GREY, "dash")]
    annotations = [_label(f"window {window}", window, GREY)]
    if sweep.crossover is not None:
        annotations.append(_label(f"SG better from {sweep.crossover}", sweep.crossover, BLUE, y=0.88))
    return figure(
        data,
        height=260,
        shapes=shapes,
        annotations=annotations,
        xaxis=dict(title=dict(text="window (samples)")),
        yaxis=dict(title=dict(text="RMS error (A)"), rangemode="tozero"),
    )


def describe_sweep(sweep: WindowSweep, order: int) -> str:
    best_sg = int(sweep.windows[np.argmin(sweep.rms_savgol)])
    best_ma = int(sweep.windows[np.argmin(sweep.rms_moving_average)])
    cross = (
        f"Savitzky–Golay (order {order}) has the lower RMS error from a window of {sweep.crossover} samples up"
        if sweep.crossover is not None
        else f"Savitzky–Golay (order {order}) never keeps the lower RMS error up to the widest window"
    )
    return (
        f"{cross}; its error is lowest at {best_sg} samples ({sweep.rms_savgol.min():.2f} A), the moving "
        f"average's at {best_ma} ({sweep.rms_moving_average.min():.2f} A)."
    )


def response_figure(sg: Response, ma: Response, f_signal_hz: float) -> go.Figure:
    """Gain in dB against frequency (log axis) for both filters, with each −3 dB cutoff."""
    keep = sg.f_hz > 0
    data = [
        dict(type="scatter", x=ma.f_hz[keep], y=ma.gain_db[keep], mode="lines", name="Moving average",
             line=dict(color=ORANGE, width=2),
             hovertemplate="moving average: %{y:.1f} dB at %{x:.0f} Hz<extra></extra>"),
        dict(type="scatter", x=sg.f_hz[keep], y=sg.gain_db[keep], mode="lines", name="Savitzky–Golay",
             line=dict(color=BLUE, width=2),
             hovertemplate="Savitzky–Golay: %{y:.1f} dB at %{x:.0f} Hz<extra></extra>"),
    ]
    shapes = [dict(type="line", xref="x domain", x0=0, x1=1, y0=-3, y1=-3, line=dict(color=GREY, dash="dash",
                                                                                     width=1))]
    annotations = []
    # on a log axis, shapes take frequencies but annotations take log10 of them
    for resp, color, y in ((sg, BLUE, 0.18), (ma, ORANGE, 0.36)):
        if resp.cutoff_hz:
            shapes.append(vline(resp.cutoff_hz, color))
            annotations.append(_label(f"−3 dB at {resp.cutoff_hz:.0f} Hz", np.log10(resp.cutoff_hz), color, y=y))
    shapes.append(vline(f_signal_hz, GREEN, "dash"))
    annotations.append(_label(f"current {f_signal_hz:.0f} Hz", np.log10(f_signal_hz), GREEN, y=0.08))
    top = max(3.0, float(np.max(sg.gain_db)) + 2)
    lo, hi = sg.f_hz[keep][0], sg.f_hz[-1]
    ticks = [m * 10.0**k for k in range(6) for m in (1, 2, 5) if lo <= m * 10.0**k <= hi]  # 1-2-5, not bare digits
    return figure(
        data,
        height=280,
        shapes=shapes,
        annotations=annotations,
        xaxis=dict(type="log", title=dict(text="frequency (Hz)"), tickvals=ticks, ticktext=[f"{v:g}" for v in ticks],
                   range=[np.log10(sg.f_hz[keep][0]), np.log10(sg.f_hz[-1])]),
        yaxis=dict(title=dict(text="gain (dB)"), range=[-50, top]),
    )


def describe_response(sg: Response, ma: Response) -> str:
    def cut(r: Response) -> str:
        return f"{r.cutoff_hz:.0f} Hz" if r.cutoff_hz else "nowhere below the Nyquist frequency"

    peak = float(np.max(sg.gain_db))
    boost = (f"; its gain rises to {peak:+.1f} dB in places, so noise at those frequencies is amplified"
             if peak > 0.05 else "")
    return (
        f"The −3 dB cutoff is {cut(sg)} for Savitzky–Golay and {cut(ma)} for the moving average{boost}. "
        f"Of white noise's variance, Savitzky–Golay passes {float(np.sum(sg.taps**2)):.2f} and the moving average "
        f"{float(np.sum(ma.taps**2)):.2f}."
    )


# ----------------------------------------------------------------------------- outliers


def outlier_figure(trace: CurrentTrace, det: Detection, cleaned: Cleaned) -> go.Figure:
    """The glitched current, the detector's accepted band, its flags and the true glitches."""
    t = trace.t * _MS
    data: list[dict] = []
    if det.lower is not None and det.upper is not None:
        data += [
            dict(type="scatter", x=t, y=det.lower, mode="lines", line=dict(width=0, color=SKY), showlegend=False,
                 hoverinfo="skip"),
            dict(type="scatter", x=t, y=det.upper, mode="lines", line=dict(width=0, color=SKY), fill="tonexty",
                 fillcolor="rgba(86,180,233,0.22)", name="Accepted band", hoverinfo="skip"),
        ]
    data.append(dict(type="scatter", x0=t[0], dx=t[1] - t[0], y=trace.noisy, mode="lines", name="Measured",
                     opacity=0.7,
                     line=dict(color=GREY, width=1), hovertemplate="%{y:.2f} A at %{x:.1f} ms<extra></extra>"))
    if cleaned.action != "flag":
        name = {"remove": "After removing", "winsorize": "After clipping", "impute": "After imputing"}[cleaned.action]
        data.append(dict(type="scatter", x=t[cleaned.index], y=cleaned.values, mode="lines", name=name,
                         line=dict(color=BLUE, width=1.5),
                         hovertemplate=f"{name.lower()}: %{{y:.2f}} A at %{{x:.1f}} ms<extra></extra>"))
    spikes = trace.glitch_kind == 1
    other = trace.glitch & ~spikes
    data += [
        dict(type="scatter", x=t[spikes], y=trace.noisy[spikes], mode="markers", name="True spike",
             marker=dict(symbol="circle-open", size=13, color=PURPLE, line=dict(width=2)),
             hovertemplate="true spike at %{x:.1f} ms<extra></extra>"),
        dict(type="scatter", x=t[other], y=trace.noisy[other], mode="markers", name="True dropout / stuck run",
             marker=dict(symbol="square-open", size=7, color=GREEN, line=dict(width=1.5)),
             hovertemplate="dropout or stuck sample at %{x:.1f} ms<extra></extra>"),
        dict(type="scatter", x=t[det.mask], y=trace.noisy[det.mask], mode="markers", name="Flagged",
             marker=dict(symbol="circle", size=6, color=VERMILLION),
             hovertemplate="flagged: %{y:.2f} A at %{x:.1f} ms<extra></extra>"),
    ]
    return figure(
        data,
        height=360,
        legend=dict(y=1.1),
        margin=dict(t=56),
        xaxis=dict(title=dict(text="time (ms)")),
        yaxis=dict(title=dict(text="phase current (A)")),
    )


def describe_outliers(trace: CurrentTrace, det: Detection, cleaned: Cleaned, s: Score) -> str:
    n = trace.noisy.size
    flagged = int(det.mask.sum())
    other = trace.glitch & (trace.glitch_kind != 1)
    caught_other = int((det.mask & other).sum())
    kept = cleaned.values.size
    act = {
        "flag": f"all {kept:,} samples are kept with a flag column",
        "remove": f"{kept:,} of {n:,} samples are kept",
        "winsorize": f"{cleaned.n_changed:,} values are clipped and all {kept:,} samples kept",
        "impute": f"{cleaned.n_changed:,} values are replaced and all {kept:,} samples kept",
    }[cleaned.action]
    return (
        f"{DETECTORS[det.method].title} flags {flagged:,} of {n:,} samples: precision {s.precision:.0%} and "
        f"recall {s.recall:.0%} against the {s.tp + s.fn} true spikes ({s.fp:,} false alarms, {s.fn} missed); "
        f"{caught_other} of the {int(other.sum())} dropout and stuck samples are flagged; {act}."
    )


def breakdown_figure(b: Breakdown, threshold: float) -> go.Figure:
    """Samples with spikes, the z-score's band (mean ± τσ), and what each detector flagged."""
    idx = np.arange(b.x.size)
    clean = ~b.truth
    data = [
        dict(type="scatter", x=idx[clean], y=b.x[clean], mode="markers", name="Clean sample",
             marker=dict(color=GREY, size=3, opacity=0.6), hoverinfo="skip"),
        dict(type="scatter", x=idx[b.truth], y=b.x[b.truth], mode="markers", name="Spike (truth)",
             marker=dict(color=PURPLE, size=5), hovertemplate="spike %{x}: %{y:.1f}<extra></extra>"),
        dict(type="scatter", x=idx[b.hampel_mask], y=b.x[b.hampel_mask], mode="markers", name="Flagged by Hampel",
             marker=dict(symbol="circle-open", color=BLUE, size=9, line=dict(width=1.5)), hoverinfo="skip"),
        dict(type="scatter", x=idx[b.zscore_mask], y=b.x[b.zscore_mask], mode="markers", name="Flagged by z-score",
             marker=dict(symbol="x-thin-open", color=VERMILLION, size=10, line=dict(width=2)), hoverinfo="skip"),
    ]
    lo, hi = b.mean - threshold * b.std, b.mean + threshold * b.std
    shapes = [dict(type="line", xref="x domain", x0=0, x1=1, y0=y, y1=y, line=dict(color=VERMILLION, dash="dash"))
              for y in (lo, hi)]
    return figure(
        data,
        height=300,
        legend=dict(y=1.12),
        margin=dict(t=56),
        shapes=shapes,
        annotations=[dict(text=f"z-score band: mean ± {threshold:g}σ", x=1, y=hi, xref="x domain", yref="y",
                          xanchor="right", yanchor="bottom", showarrow=False, font=dict(color=VERMILLION, size=12))],
        xaxis=dict(title=dict(text="sample")),
        yaxis=dict(title=dict(text="value (clean σ = 1)")),
    )


def describe_breakdown(b: Breakdown, threshold: float) -> str:
    n_spikes = int(b.truth.sum())
    return (
        f"{n_spikes} spikes among {b.x.size - n_spikes:,} clean samples raise the global σ from "
        f"{b.clean_std:.2f} to {b.std:.2f}, so a spike sits only {b.spike_z:.1f}σ from the mean: the z-score "
        f"at {threshold:g}σ finds {b.zscore.recall:.0%} of them, Hampel {b.hampel.recall:.0%} "
        f"(precision {b.hampel.precision:.0%})."
    )


# ----------------------------------------------------------------------------- regimes


def regime_figure(w: MotorWindows, stats: BinStats) -> go.Figure:
    """Current per N·m of every window against temperature, with per-bin mean ± 1σ and the physics curve."""
    ratio = w.current_per_torque
    grid = np.linspace(w.temp_c.min(), w.temp_c.max(), 60)
    data = [
        dict(type="scatter", x=w.temp_c, y=ratio, mode="markers", name="Windows (50 ms each)",
             marker=dict(color=GREY, size=5, opacity=0.55),
             hovertemplate="%{x:.1f} °C: %{y:.3f} A/(N·m)<extra></extra>"),
        dict(type="scatter", x=grid, y=torque_current(1.0, grid), mode="lines", name="Physics: 1 / (1.5·p·ψ(ϑ))",
             line=dict(color=GREEN, dash="dot", width=2), hoverinfo="skip"),
        dict(type="scatter", x=stats.centres, y=stats.mean, mode="markers", name="Per-bin mean ± 1σ",
             marker=dict(color=BLUE, size=11, symbol="diamond"),
             error_y=dict(type="data", array=np.nan_to_num(stats.std), color=BLUE, thickness=2, width=8),
             customdata=np.column_stack([stats.edges[:-1], stats.edges[1:], stats.counts]),
             hovertemplate="%{customdata[0]:.0f}–%{customdata[1]:.0f} °C, %{customdata[2]} windows: "
             "%{y:.3f} A/(N·m)<extra></extra>"),
    ]
    shapes = [vline(e, GREY, "dot") for e in stats.edges]
    lo, hi = np.percentile(ratio, [1, 99])
    pad = (hi - lo) * 0.3
    return figure(
        data,
        height=330,
        legend=dict(y=1.12),
        margin=dict(t=56),
        shapes=shapes,
        xaxis=dict(title=dict(text="winding temperature (°C)")),
        yaxis=dict(title=dict(text="current per torque (A per N·m)"), range=[lo - pad, hi + pad]),
    )


def describe_regimes(stats: BinStats) -> str:
    ok = stats.counts > 0
    first, last = np.flatnonzero(ok)[[0, -1]]
    rise = stats.mean[last] / stats.mean[first] - 1
    counts = ", ".join(str(int(c)) for c in stats.counts)
    return (
        f"{len(stats.counts)} bins holding {counts} windows; the hottest bin needs {rise:+.1%} current per N·m "
        f"compared with the coolest ({stats.mean[first]:.3f} → {stats.mean[last]:.3f} A/(N·m))."
    )


def _bin_names(edges: np.ndarray, unit: str) -> list[str]:
    return [f"{lo:.0f}–{hi:.0f} {unit}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]


def error_grid_figure(grid: ErrorGrid, temp_edges: np.ndarray, speed_edges: np.ndarray) -> go.Figure:
    """Mean error (prediction − truth) per temperature × speed cell; RMSE and count on hover."""
    span = float(np.nanmax(np.abs(grid.bias))) if np.isfinite(grid.bias).any() else 1.0
    text = np.where(np.isfinite(grid.bias), np.char.mod("%+.2f", np.nan_to_num(grid.bias)), "")
    x, y = _bin_names(speed_edges, "rpm"), _bin_names(temp_edges, "°C")
    data = [
        dict(type="heatmap", z=grid.bias, x=x, y=y, zmin=-span, zmax=span, colorscale="RdBu",
             customdata=np.dstack([grid.rmse, grid.counts]),
             colorbar=dict(title=dict(text="N·m"), thickness=12),
             hovertemplate="%{y}, %{x}: mean error %{z:+.3f} N·m, RMSE %{customdata[0]:.3f} N·m, "
             "%{customdata[1]} windows<extra></extra>"),
        cell_text(grid.bias, text.tolist(), x, y, "RdBu", -span, span),
    ]
    return figure(
        data,
        height=120 + 40 * len(temp_edges),
        margin=dict(l=96),
        xaxis=dict(title=dict(text="speed"), type="category"),
        yaxis=dict(type="category", automargin=True),
    )


def describe_error_grid(grid: ErrorGrid, temp_edges: np.ndarray, speed_edges: np.ndarray) -> str:
    rows = np.nanmean(np.where(grid.counts > 0, grid.bias, np.nan), axis=1)
    names = _bin_names(temp_edges, "°C")
    ok = np.flatnonzero(np.isfinite(rows))
    cold, hot = ok[0], ok[-1]
    a, b = grid.worst
    return (
        f"Overall RMSE {grid.overall_rmse:.2f} N·m, but the model's mean error runs from {rows[cold]:+.2f} N·m at "
        f"{names[cold]} to {rows[hot]:+.2f} N·m at {names[hot]}; the worst cell ({names[a]}, "
        f"{_bin_names(speed_edges, 'rpm')[b]}) has an RMSE of "
        f"{grid.rmse[a, b]:.2f} N·m."
    )


def validation_figure(rv: RegimeValidation, temp_edges: np.ndarray) -> go.Figure:
    """RMSE per temperature regime: shuffled K-fold, regime-stratified K-fold, and the regime held out."""
    names = [_bin_names(temp_edges, "°C")[int(r)] for r in rv.regimes]
    arms = (
        ("Shuffled K-fold", rv.random_by_regime, SKY),
        ("Regime-stratified K-fold", rv.stratified_by_regime, BLUE),
        ("Regime held out", rv.held_out, VERMILLION),
    )
    data = [
        dict(type="bar", x=names, y=vals, name=f"{name} (pooled {pooled:.2f})", marker=dict(color=color),
             hovertemplate=f"{name}, %{{x}}: RMSE %{{y:.3f}} N·m<extra></extra>")
        for (name, vals, color), pooled in zip(arms, rv.pooled, strict=True)
    ]
    return figure(
        data,
        height=300,
        barmode="group",
        legend=dict(y=1.12),
        margin=dict(t=56),
        xaxis=dict(title=dict(text="winding temperature regime"), type="category"),
        yaxis=dict(title=dict(text="RMSE (N·m)"), rangemode="tozero"),
    )


def describe_validation(rv: RegimeValidation) -> str:
    r, s, h = rv.pooled
    return (
        f"Pooled RMSE: {r:.2f} N·m with shuffled folds, {s:.2f} N·m with regime-stratified folds, {h:.2f} N·m "
        f"when each regime is held out in turn; the worst held-out regime scores {np.max(rv.held_out):.2f} N·m "
        f"(always predicting the mean torque would score {rv.no_skill:.2f} N·m)."
    )


# ----------------------------------------------------------------------------- pipeline


def alias_figure(d: AliasDemo) -> go.Figure:
    """Raw spectrum on top; the decimated spectra (sliced, filtered) below, with the predicted alias marked."""
    nyq_new = d.fs_new_hz / 2
    data = [
        dict(type="scatter", x=d.freqs, y=d.spectrum, mode="lines", name=f"Raw at {d.fs_hz:,.0f} Hz",
             line=dict(color=GREY, width=1.5), xaxis="x", yaxis="y",
             hovertemplate="%{y:.3f} at %{x:.0f} Hz<extra></extra>"),
        dict(type="scatter", x=d.freqs_new, y=d.spectrum_sliced, mode="lines", name="Every n-th sample kept",
             line=dict(color=VERMILLION, width=2), xaxis="x2", yaxis="y2",
             hovertemplate="sliced: %{y:.3f} at %{x:.0f} Hz<extra></extra>"),
        dict(type="scatter", x=d.freqs_new, y=d.spectrum_filtered, mode="lines", name="Anti-alias filter, then kept",
             line=dict(color=BLUE, width=2, dash="dash"), xaxis="x2", yaxis="y2",
             hovertemplate="filtered: %{y:.3f} at %{x:.0f} Hz<extra></extra>"),
    ]
    shapes = [
        vline(nyq_new, ORANGE, "dash", yref="y domain"),
        vline(d.alias_hz, VERMILLION, "dot", yref="y2 domain", xref="x2"),
    ]
    annotations = [
        subplot_title(f"Before: {d.fs_hz:,.0f} Hz, tones at {d.wanted_hz:,.0f} Hz and {d.tone_hz:,.0f} Hz", 0.5),
        _label(f"new Nyquist {nyq_new:,.0f} Hz", nyq_new, ORANGE, yref="y domain", y=0.9),
        dict(subplot_title(f"After keeping one sample in {round(d.fs_hz / d.fs_new_hz)}: {d.fs_new_hz:,.0f} Hz",
                           0.5), y=0.42),
        _label(f"predicted alias {d.alias_hz:,.0f} Hz", d.alias_hz, VERMILLION, xref="x2", yref="y2 domain", y=0.9),
    ]
    return figure(
        data,
        height=440,
        legend=dict(y=1.1),
        margin=dict(t=64),
        shapes=shapes,
        annotations=annotations,
        xaxis=dict(domain=[0, 1], anchor="y"),
        yaxis=dict(domain=[0.62, 0.94], title=dict(text="amplitude"), range=[0, 1.1]),
        xaxis2=dict(domain=[0, 1], anchor="y2", title=dict(text="frequency (Hz)")),
        yaxis2=dict(domain=[0, 0.36], title=dict(text="amplitude"), range=[0, 1.1]),
    )


def describe_alias(d: AliasDemo) -> str:
    if not d.folds:
        return (
            f"The {d.tone_hz:,.0f} Hz tone is below the new Nyquist frequency ({d.fs_new_hz / 2:,.0f} Hz), so it "
            f"does not fold; slicing keeps it at amplitude {d.alias_amp_sliced:.2f} and the filter leaves "
            f"{d.alias_amp_filtered:.2g}."
        )
    return (
        f"Slicing moves the {d.tone_hz:,.0f} Hz tone to {d.peak_hz_sliced:,.0f} Hz (predicted {d.alias_hz:,.0f} Hz) "
        f"at amplitude {d.alias_amp_sliced:.2f}; with the anti-alias filter first, {d.alias_amp_filtered:.2g} is left "
        "there."
    )


def pipeline_leak_figure(p: PipelineLeak, t: np.ndarray) -> go.Figure:
    """Torque of the held-out newest windows, and both pipelines' predictions of it."""
    tt = t[p.test]
    data = [
        dict(type="scatter", x=tt, y=p.y_test, mode="markers", name="True torque", marker=dict(color=GREY, size=6),
             hovertemplate="%{y:.2f} N·m at %{x:.2f} s<extra></extra>"),
        dict(type="scatter", x=tt, y=p.pred_leaky, mode="lines", name=f"Scaler fitted on all rows ({p.leaky_rmse:.2f})",
             line=dict(color=ORANGE, width=2), hovertemplate="leaky: %{y:.2f} N·m<extra></extra>"),
        dict(type="scatter", x=tt, y=p.pred_honest, mode="lines",
             name=f"Scaler fitted on training rows ({p.honest_rmse:.2f})", line=dict(color=BLUE, width=2),
             hovertemplate="honest: %{y:.2f} N·m<extra></extra>"),
    ]
    return figure(
        data,
        height=320,
        legend=dict(y=1.12),
        margin=dict(t=56),
        hovermode="x",
        xaxis=dict(title=dict(text="time in the log (s), newest windows only")),
        yaxis=dict(title=dict(text="torque (N·m)")),
    )


def describe_pipeline_leak(p: PipelineLeak, feature_names: tuple[str, ...]) -> str:
    worst = int(np.argmax(p.out_of_range))
    flattering = "flatters the model by" if p.gap > 0 else "changes the RMSE by"
    return (
        f"On the newest {p.test.size} windows the leaky pipeline scores an RMSE of {p.leaky_rmse:.3f} N·m and the "
        f"honest one {p.honest_rmse:.3f} N·m: fitting the scaler on all rows {flattering} {abs(p.gap):.3f} N·m. "
        f"{p.out_of_range[worst]:.0%} of the held-out {feature_names[worst]} values lie outside the training range."
    )


# ----------------------------------------------------------------------------- a signal with no known truth

MAX_DRAWN = 5_000  # samples drawn of a longer signal (every k-th): the numbers use all of them


def measured_figure(m: Measured, quantity: str = "value") -> go.Figure:
    """The signal, its smoothing and its flagged samples, against time (s) or row; ``quantity`` names the y axis."""
    stride = max(1, -(-len(m.x) // MAX_DRAWN))
    idx = np.arange(0, len(m.x), stride)
    t = idx / m.fs if m.fs else idx
    flagged = np.flatnonzero(m.flagged)
    tf = flagged / m.fs if m.fs else flagged
    traces = [
        dict(type="scatter", x=t, y=m.x[idx], mode="lines", name="signal", line=dict(color=GREY, width=1)),
        dict(type="scatter", x=t, y=m.smoothed[idx], mode="lines", name=f"Savitzky–Golay ({m.window}, {m.order})",
             line=dict(color=BLUE, width=2)),
        dict(type="scatter", x=tf, y=m.x[flagged], mode="markers", name="flagged by Hampel",
             marker=dict(color=VERMILLION, size=7, symbol="x")),
    ]
    note = f" (one in {stride} samples drawn)" if stride > 1 else ""
    return figure(traces, xaxis=dict(title=("time (s)" if m.fs else "row") + note), yaxis=dict(title=quantity),
                  legend=dict(orientation="h", y=1.12), height=360)


def describe_measured(m: Measured, name: str) -> str:
    share = m.residual_rms / m.signal_sd if m.signal_sd else float("nan")
    return (f"{name}: smoothing removes a residual of RMS {m.residual_rms:.3g} ({pct(share)} of the signal's "
            f"standard deviation, {m.signal_sd:.3g}); Hampel flags {m.n_flagged:,} of {len(m.x):,} samples "
            f"({pct(m.n_flagged / len(m.x))}). With no truth to compare, these are measured spreads and counts, "
            "not errors.")
