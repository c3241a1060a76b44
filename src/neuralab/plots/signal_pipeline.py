"""Figures for /signal-pipeline: one window through a stage, the ablation's bars, four normalizers side by side.

Each ``*_figure`` has a ``describe_*`` twin: the sentence under the chart, computed from the same result.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import log_axis, num
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, VERMILLION, figure, subplot_title
from neuralab.signal.pipeline import VARIANTS, WRONG, Ablation, NormalizationCompare, StageView

__all__ = [
    "ablation_figure",
    "ablation_rows",
    "describe_ablation",
    "describe_normalization",
    "describe_stage",
    "normalization_figure",
    "stage_figure",
]

_MS = 1000.0
STAGE_NAMES = {"decimate": "anti-alias filter and decimation", "detrend": "detrending", "hampel": "Hampel",
               "smooth": "Savitzky–Golay", "normalize": "z-score", "features": "feature extraction"}


def _unit(v: StageView, after: bool) -> str:
    past_scaler = v.stage in ("features",) or (v.stage == "normalize" and after)
    return "z (training σ)" if past_scaler else "A"


def stage_figure(v: StageView) -> go.Figure:
    """The stage's input (top) and output (bottom) over the window's time; for features, what they average."""
    top = [dict(type="scatter", x=v.t_in * _MS, y=v.x_in, mode="lines", name=f"input, {v.rate_in:,.0f} Hz",
                line=dict(color=GREY, width=1), xaxis="x", yaxis="y",
                hovertemplate="%{y:.2f} at %{x:.1f} ms<extra>input</extra>")]
    if v.stage == "features":
        k = len(v.x_in) - len(v.rolling_std)
        bottom = [dict(type="scatter", x=v.t_out * _MS, y=v.x_out, mode="lines", name="Hilbert envelope",
                       line=dict(color=GREEN, width=2), xaxis="x2", yaxis="y2",
                       hovertemplate="envelope %{y:.2f} at %{x:.1f} ms<extra></extra>"),
                  dict(type="scatter", x=v.t_in[k:] * _MS, y=v.rolling_std, mode="lines", name="rolling std",
                       line=dict(color=ORANGE, width=2), xaxis="x2", yaxis="y2",
                       hovertemplate="rolling std %{y:.2f} at %{x:.1f} ms<extra></extra>")]
    else:
        bottom = [dict(type="scatter", x=v.t_out * _MS, y=v.x_out, mode="lines",
                       name=f"output, {v.rate_out:,.0f} Hz", line=dict(color=BLUE, width=1.5), xaxis="x2",
                       yaxis="y2", hovertemplate="%{y:.2f} at %{x:.1f} ms<extra>output</extra>")]
    name = STAGE_NAMES[v.stage]
    return figure(
        top + bottom, height=440, margin=dict(t=64), legend=dict(y=1.1),
        annotations=[subplot_title(f"Before {name}", 0.5),
                     dict(subplot_title("What the features read" if v.stage == "features" else f"After {name}",
                                        0.5), y=0.43)],
        xaxis=dict(domain=[0, 1], anchor="y", matches="x2", showticklabels=False),
        yaxis=dict(domain=[0.58, 0.94], title=dict(text=_unit(v, False))),
        xaxis2=dict(domain=[0, 1], anchor="y2", title=dict(text="time in the window (ms)")),
        yaxis2=dict(domain=[0, 0.37], title=dict(text=_unit(v, True))),
    )


def describe_stage(v: StageView) -> str:
    split = "held out (not used to fit)" if v.held_out else "a training cycle"
    head = (f"Window {v.window}, cycle {v.cycle} ({split}): {v.glitches} glitched raw samples, interference at "
            f"{v.ripple_hz:,.0f} Hz, winding at {v.temp_c:.0f} °C. ")
    if v.stage == "decimate":
        what = (f"The filter and the slice turn {len(v.x_in):,} samples at {v.rate_in:,.0f} Hz into "
                f"{len(v.x_out):,} at {v.rate_out:,.0f} Hz. ")
    elif v.stage == "features":
        what = (f"The window's envelope mean is {v.features[v.feature_names.index('envelope_mean')]:.2f} and its "
                f"mean rolling std {v.features[v.feature_names.index('rolling_std')]:.2f} (z units). ")
    elif v.stage == "normalize":
        what = (f"The scaler subtracts the training mean {v.center:.3f} A and divides by the training σ "
                f"{v.scale:.2f} A, the same two numbers for every window. ")
    else:
        what = f"The stage moved the samples by {v.changed:.3f} A RMS. "
    return head + what + f"The fitted pipeline predicts i_q = {v.pred:.2f} A; the truth is {v.truth:.2f} A."


def _kind(variant: str) -> str:
    if variant == "full":
        return "full"
    if variant in WRONG:
        return "wrong"
    return "removed" if variant.startswith("no_") else "swapped"


_COLORS = {"full": BLUE, "removed": GREY, "swapped": ORANGE, "wrong": VERMILLION}
_KIND_NAMES = {"full": "canonical order", "removed": "one stage removed", "swapped": "one stage swapped",
               "wrong": "wrong order"}


def ablation_figure(a: Ablation) -> go.Figure:
    """Held-out RMSE per variant, mean ± std over seeds, on a log axis (raw samples are far off the others)."""
    order = list(range(len(a.variants)))[::-1]  # the full pipeline on top
    data = []
    for kind, color in _COLORS.items():
        idx = [i for i in order if _kind(a.variants[i]) == kind]
        if not idx:
            continue
        data.append(dict(
            type="bar", orientation="h", name=_KIND_NAMES[kind], marker=dict(color=color),
            y=[VARIANTS[a.variants[i]][0] for i in idx], x=[float(a.mean[i]) for i in idx],
            error_x=dict(type="data", array=[float(a.std[i]) for i in idx], visible=True),
            hovertemplate="%{y}: %{x:.3f} A<extra></extra>"))
    full = a.of("full")[0] if "full" in a.variants else None
    lo, hi = float((a.mean - a.std).min()), float((a.mean + a.std).max())
    lo = lo if lo > 0 else float(a.mean.min()) / 2
    shapes = [dict(type="line", xref="x", yref="paper", x0=full, x1=full, y0=0, y1=1,
                   line=dict(color=BLUE, dash="dot", width=1.5))] if full else []
    return figure(
        data, height=460, barmode="overlay", shapes=shapes, legend=dict(y=1.06), margin=dict(t=48, l=220),
        xaxis=log_axis(math.log10(max(lo, 1e-6)) - 0.05, math.log10(hi) + 0.05,
                       title=dict(text=f"held-out RMSE of i_q (A), mean ± std over {len(a.seeds)} seeds")),
        yaxis=dict(categoryorder="array", categoryarray=[VARIANTS[a.variants[i]][0] for i in order]),
    )


def _ratio(a: Ablation, v: str) -> str:
    return f"{a.of(v)[0] / a.of('full')[0]:.2f}×"


_WRONG_NAMES = {"smooth_first": "smoothing before the outlier filter", "no_antialias": "decimating without the filter",
                "filter_after": "filtering after the slice"}


def describe_ablation(a: Ablation) -> str:
    m, s = a.of("full")
    parts = [f"Over {len(a.seeds)} seeds the full pipeline's held-out RMSE is {m:.3f} ± {s:.3f} A (the target's "
             f"spread is {a.y_std:.2f} A)."]
    wrong = [f"{_WRONG_NAMES[v]} {_ratio(a, v)}" for v in WRONG if v in a.variants]
    if wrong:
        parts.append("The wrong orders multiply it: " + "; ".join(wrong) + ".")
    others = [v for v in a.variants if v != "full" and v not in WRONG]
    if others:
        best = min(others, key=lambda v: a.of(v)[0])
        worst = max(others, key=lambda v: a.of(v)[0])
        parts.append(f"Lowest among the other variants: {VARIANTS[best][0].lower()} ({_ratio(a, best)}); highest: "
                     f"{VARIANTS[worst][0].lower()} ({_ratio(a, worst)}).")
    return " ".join(parts)


def ablation_rows(a: Ablation) -> list[list[str]]:
    """Table rows: variant, mean ± std (A), against the full pipeline, what it changes."""
    full = a.of("full")[0] if "full" in a.variants else float("nan")
    rows = []
    for v in a.variants:
        mean, std = a.of(v)
        rows.append([VARIANTS[v][0], f"{mean:.3f} ± {std:.3f}", "—" if v == "full" else f"{mean / full:.2f}×",
                     VARIANTS[v][1]])
    return rows


_NORM_NAMES = {"zscore": "z-score", "minmax": "min–max", "robust": "robust (median, IQR)", "unit": "unit norm (rows)"}


def normalization_figure(n: NormalizationCompare) -> go.Figure:
    """The drawn feature after each normalizer, one panel each, Tukey outliers of the raw feature in red."""
    data, notes = [], []
    w = 1 / len(n.scaled)
    for k, (m, z) in enumerate(n.scaled.items()):
        ax = "" if k == 0 else str(k + 1)
        jitter = (np.arange(len(z)) * 0.618) % 1 - 0.5  # a fixed spread so the points do not overlap
        for flag, color, label in ((False, GREY, "windows"), (True, VERMILLION, "outlying windows (raw feature)")):
            sel = n.outliers == flag
            data.append(dict(type="scatter", mode="markers", x=jitter[sel], y=z[sel], name=label,
                             showlegend=k == 0, legendgroup=label, marker=dict(color=color, size=5, opacity=0.7),
                             xaxis=f"x{ax}", yaxis=f"y{ax}",
                             hovertemplate=f"{_NORM_NAMES[m]}: %{{y:.3f}}<extra></extra>"))
        notes.append(subplot_title(f"{_NORM_NAMES[m]}<br>RMSE {n.rmse[m]:.3f} A", (k + 0.5) * w))
    layout = {}
    for k in range(len(n.scaled)):
        ax = "" if k == 0 else str(k + 1)
        layout[f"xaxis{ax}"] = dict(domain=[k * w + 0.04, (k + 1) * w - 0.02], showticklabels=False, zeroline=False,
                                    anchor=f"y{ax}")
        layout[f"yaxis{ax}"] = dict(anchor=f"x{ax}", title=dict(text="scaled value") if k == 0 else None)
    return figure(data, height=400, annotations=notes, margin=dict(t=80), legend=dict(y=1.2), **layout)


def describe_normalization(n: NormalizationCompare) -> str:
    col = [n.rmse[m] for m in ("zscore", "minmax", "robust")]
    mm = n.scaled["minmax"][~n.outliers]
    return (f"{int(n.outliers.sum())} of {len(n.raw)} windows lie beyond Tukey's fences on {n.feature}. Min–max "
            f"squeezes the other windows into {num(float(mm.min()))} to {num(float(mm.max()))}. Ridge on the "
            f"column-scaled features: {min(col):.3f} to {max(col):.3f} A held-out RMSE. Unit norm divides each "
            f"window's features by their length (every row's norm becomes {float(np.median(n.row_norms)):.2f}), "
            f"and the amplitude the target measures goes with it: {n.rmse['unit']:.2f} A, against a target "
            f"spread of {n.y_std:.2f} A. Z-scoring each window across its own features, the same axis trap, "
            f"gives {n.per_sample_rmse:.2f} A.")
