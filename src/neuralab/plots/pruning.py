"""Figures for the pruning page: what was removed, accuracy against sparsity, schedules, tickets, size and speed.

Each ``*_figure`` builder has a ``describe_*`` twin returning the one-sentence summary
shown under the chart. Traces are plain dicts wrapped once by :func:`neuralab.plots.theme.figure`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.compress.prune import FT_EPOCHS, ROUND_EPOCHS, ROUNDS
from neuralab.compress.prune_effects import BATCH, WAYS, Footprint, Lottery, Schedules, Snapshot, Sweep, Tuned
from neuralab.plots.format import pct
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, PURPLE, VERMILLION, figure, subplot_title

__all__ = [
    "describe_footprint", "describe_lottery", "describe_schedules", "describe_snapshot", "describe_sweep",
    "describe_tuned", "footprint_figure", "lottery_figure", "schedules_figure", "snapshot_figure", "sweep_figure",
    "tuned_figure",
]

WAY_COLORS = {"unstructured": BLUE, "structured": ORANGE, "random": GREY}
ACC_AXIS = dict(title="test accuracy (%)", range=[0, 101])


def _dense_line(acc: float, xref: str = "x domain") -> tuple[dict, dict]:
    shape = dict(type="line", xref=xref, x0=0, x1=1, yref="y", y0=100 * acc, y1=100 * acc,
                 line=dict(color=GREEN, dash="dot"))
    note = dict(text=f"dense {pct(acc)}", xref=xref, x=0, y=100 * acc, xanchor="left", yanchor="bottom",
                showarrow=False, font=dict(size=11, color=GREEN))
    return shape, note


# ----------------------------------------------------------------------------- what was removed


def snapshot_figure(s: Snapshot) -> go.Figure:
    """Left: the first layer's |w| with the removed weights left blank. Right: histogram of kept and removed |w|."""
    w = s.first_weight.astype(float)
    z = np.where(w == 0, np.nan, w)  # removed weights are gaps: the page background shows through
    hi = float(np.nanmax(np.r_[s.kept, s.removed])) if len(s.kept) + len(s.removed) else 1.0
    edges = np.linspace(0.0, hi, 41)
    mid = 0.5 * (edges[1:] + edges[:-1])
    kept, _ = np.histogram(s.kept, edges)
    removed, _ = np.histogram(s.removed, edges)
    data = [
        dict(type="heatmap", z=z, x=np.arange(w.shape[1]), y=np.arange(w.shape[0]), colorscale="Viridis",
             zmin=0, zmax=float(np.nanmax(w)) if np.isfinite(z).any() else 1.0, hoverongaps=False,
             colorbar=dict(title=dict(text="|w|"), x=0.44, len=0.9, thickness=10),
             hovertemplate="neuron %{y}, pixel %{x}<br>|w| = %{z:.3f}<extra></extra>", xaxis="x", yaxis="y",
             showlegend=False),
        dict(type="bar", x=mid, y=kept, name="kept", marker=dict(color=BLUE), xaxis="x2", yaxis="y2",
             hovertemplate="|w| ≈ %{x:.3f}: %{y} kept<extra></extra>"),
        dict(type="bar", x=mid, y=removed, name="removed", marker=dict(color=VERMILLION), xaxis="x2", yaxis="y2",
             hovertemplate="|w| ≈ %{x:.3f}: %{y} removed<extra></extra>"),
    ]
    return figure(
        data, height=380, barmode="stack", bargap=0, margin=dict(l=56, r=16, t=56, b=48),
        xaxis=dict(domain=[0, 0.42], title="input pixel (0–63)", showgrid=False),
        yaxis=dict(title="first-layer neuron", autorange="reversed", showgrid=False),
        xaxis2=dict(domain=[0.56, 1], title="|w| of the trained weight", anchor="y2"),
        yaxis2=dict(title="weights (all pruned layers)", anchor="x2"),
        legend=dict(x=0.56, y=1.02, orientation="h", yanchor="bottom"),
        annotations=[subplot_title("First layer after pruning (gaps = removed)", 0.21)],
    )


def describe_snapshot(s: Snapshot) -> str:
    how = "whole hidden neurons (rows)" if s.structured else "single weights in every layer"
    verdict = "a lesson in why fine-tuning follows" if s.acc_dense - s.acc_pruned > 0.05 else "hardly any loss"
    return (f"Removing {s.sparsity:.0%} of {how} leaves {s.achieved:.1%} of all weights at zero; test accuracy goes "
            f"from {pct(s.acc_dense)} to {pct(s.acc_pruned)} before any retraining ({verdict}).")


# ----------------------------------------------------------------------------- fine-tune


def tuned_figure(t: Tuned) -> go.Figure:
    epochs = np.arange(len(t.val_curve))
    shape, note = _dense_line(t.acc_dense)
    data = [dict(type="scatter", x=epochs, y=100 * t.val_curve, mode="lines+markers", name="validation accuracy",
                 line=dict(color=BLUE), hovertemplate="epoch %{x}: %{y:.1f}%<extra></extra>")]
    return figure(data, height=300, shapes=[shape], annotations=[note],
                  xaxis=dict(title="fine-tuning epoch (0 = just pruned)", dtick=1), yaxis=ACC_AXIS)


def describe_tuned(t: Tuned) -> str:
    return (f"Test accuracy: {pct(t.acc_dense)} dense, {pct(t.acc_pruned)} right after pruning, "
            f"{pct(t.acc_tuned)} after {len(t.val_curve) - 1} epochs of fine-tuning with the masks kept "
            f"(sparsity still {t.achieved:.1%}).")


# ----------------------------------------------------------------------------- the measured curve


def sweep_figure(sw: Sweep, marker: int | None = None) -> go.Figure:
    data = []
    for way, label in WAYS.items():
        c = WAY_COLORS[way]
        data.append(dict(type="scatter", x=sw.levels, y=100 * sw.after[way], mode="lines+markers",
                         name=f"{label}, fine-tuned", line=dict(color=c),
                         hovertemplate="%{x}%: %{y:.1f}%<extra>" + label + ", fine-tuned</extra>"))
        data.append(dict(type="scatter", x=sw.levels, y=100 * sw.before[way], mode="lines+markers",
                         name=f"{label}, just pruned", line=dict(color=c, dash="dash"),
                         marker=dict(symbol="circle-open"),
                         hovertemplate="%{x}%: %{y:.1f}%<extra>" + label + ", just pruned</extra>"))
    shape, note = _dense_line(sw.acc_dense)
    shapes = [shape]
    if marker is not None:
        shapes.append(dict(type="line", x0=marker, x1=marker, yref="y domain", y0=0, y1=1,
                           line=dict(color=PURPLE, dash="dot")))
    return figure(data, height=440, shapes=shapes, annotations=[note],
                  legend=dict(orientation="h", yanchor="top", y=-0.2, x=0),  # under the axis title
                  margin=dict(l=56, r=16, t=24, b=150),
                  xaxis=dict(title="sparsity (% removed per layer)", range=[-2, 97]), yaxis=ACC_AXIS)


def _knee(levels: np.ndarray, acc: np.ndarray, dense: float, drop: float = 0.02) -> int | None:
    """The highest level whose accuracy stays within ``drop`` of the dense one (None if none)."""
    ok = levels[acc >= dense - drop]
    return int(ok.max()) if len(ok) else None


def describe_sweep(sw: Sweep) -> str:
    parts = []
    for way in ("unstructured", "structured"):
        k = _knee(sw.levels, sw.after[way], sw.acc_dense)
        parts.append(f"{WAYS[way].split(',')[0].lower()} pruning up to {k}%" if k is not None else "")
    top = int(sw.levels.max())
    return (f"Within 2 points of the dense {pct(sw.acc_dense)} after fine-tuning: {parts[0]} and {parts[1]}; "
            f"at {top}% magnitude reaches {pct(sw.after['unstructured'][-1])} against "
            f"{pct(sw.after['random'][-1])} for random removal.")


# ----------------------------------------------------------------------------- schedules


def schedules_figure(sc: Schedules) -> go.Figure:
    s = 100 * sc.sparsity
    budget = ROUNDS * ROUND_EPOCHS
    data = [
        dict(type="scatter", x=sc.iter_sparsity, y=100 * sc.iter_acc, mode="lines+markers+text",
             name=f"iterative, {ROUND_EPOCHS} epochs after each round", text=[f"round {i + 1}" for i in
                                                                             range(sc.rounds)],
             textposition="bottom left", line=dict(color=BLUE),
             hovertemplate="after the round at %{x:.1f}%: %{y:.1f}%<extra></extra>"),
        dict(type="scatter", x=[s], y=[100 * sc.oneshot_before], mode="markers", name="one-shot, just pruned",
             marker=dict(color=VERMILLION, symbol="x", size=11), hovertemplate="%{y:.1f}%<extra></extra>"),
        dict(type="scatter", x=[s], y=[100 * sc.oneshot_after], mode="markers",
             name=f"one-shot, {FT_EPOCHS} epochs", marker=dict(color=VERMILLION, size=11, symbol="circle-open"),
             hovertemplate="%{y:.1f}%<extra></extra>"),
        dict(type="scatter", x=[s], y=[100 * sc.oneshot_matched], mode="markers",
             name=f"one-shot, {budget} epochs (same budget)", marker=dict(color=VERMILLION, size=11),
             hovertemplate="%{y:.1f}%<extra></extra>"),
    ]
    shape, note = _dense_line(sc.acc_dense)
    return figure(data, height=360, shapes=[shape], annotations=[note],
                  legend=dict(orientation="h", yanchor="top", y=-0.24, x=0),  # under the axis title
                  margin=dict(l=56, r=16, t=24, b=120),
                  xaxis=dict(title="sparsity reached (%)", range=[0, 100]), yaxis=ACC_AXIS)


def describe_schedules(sc: Schedules) -> str:
    kind = "neurons" if sc.structured else "weights"
    budget = ROUNDS * ROUND_EPOCHS
    diff = 100 * (sc.iter_acc[-1] - sc.oneshot_matched)
    word = "ahead of" if diff > 0.5 else "behind" if diff < -0.5 else "level with"
    return (f"At {sc.sparsity:.0%} of {kind} removed, {sc.rounds} rounds of prune-and-retrain reach "
            f"{pct(sc.iter_acc[-1])}, {word} one-shot pruning with the same {budget} epochs "
            f"({pct(sc.oneshot_matched)}, {diff:+.1f} points); one-shot with {FT_EPOCHS} epochs reaches "
            f"{pct(sc.oneshot_after)}.")


# ----------------------------------------------------------------------------- lottery ticket


def lottery_figure(lt: Lottery) -> go.Figure:
    x = [f"{int(v)}%" for v in lt.levels]
    data = [
        dict(type="bar", x=x, y=100 * lt.rewind, name="mask + original init (rewind)", marker=dict(color=BLUE),
             text=[f"{100 * v:.1f}" for v in lt.rewind], textposition="outside",
             hovertemplate="%{x}: %{y:.1f}%<extra>rewind</extra>"),
        dict(type="bar", x=x, y=100 * lt.reinit, name="mask + new random init", marker=dict(color=GREY),
             text=[f"{100 * v:.1f}" for v in lt.reinit], textposition="outside",
             hovertemplate="%{x}: %{y:.1f}%<extra>re-initialized</extra>"),
    ]
    shape, note = _dense_line(lt.acc_dense)
    return figure(data, height=340, barmode="group", shapes=[shape], annotations=[note],
                  xaxis=dict(title="sparsity of the mask (% of weights removed)", type="category"),
                  yaxis=dict(title="test accuracy after retraining (%)", range=[0, 108]))


def describe_lottery(lt: Lottery) -> str:
    gaps = 100 * (lt.rewind - lt.reinit)
    best = int(np.argmax(np.abs(gaps)))
    return (f"Retrained {lt.epochs} epochs with a fixed mask, the rewound ticket and the fresh init differ by "
            f"{', '.join(f'{g:+.1f}' for g in gaps)} points at {', '.join(f'{int(v)}%' for v in lt.levels)}; "
            f"the largest gap is at {int(lt.levels[best])}% ({pct(lt.rewind[best])} against {pct(lt.reinit[best])}).")


# ----------------------------------------------------------------------------- size and latency


def footprint_figure(fp: Footprint) -> go.Figure:
    names = list(fp.variants)
    colors = [GREEN, BLUE, PURPLE, ORANGE]
    panels = [(fp.bytes / 1024, "stored weights (KiB)", "%{x:.1f} KiB"),
              (fp.latency_one * 1e6, "1 sample (µs, median)", "%{x:.1f} µs"),
              (fp.latency_batch * 1e6, f"batch of {BATCH} (µs, median)", "%{x:.0f} µs")]
    data, layout, notes = [], {}, []
    # three equal panels across the whole width (the y axis's names take their room by automargin): the third
    # ran from 0.86 to the edge, too narrow for its title, which the chart's edge cut
    gap = 0.07
    width = (1 - 2 * gap) / 3
    for i, (vals, title, hover) in enumerate(panels):
        k = "" if i == 0 else str(i + 1)
        lo = i * (width + gap)
        data.append(dict(type="bar", orientation="h", y=names, x=vals, marker=dict(color=colors), xaxis=f"x{k}",
                         yaxis="y", showlegend=False, hovertemplate="%{y}: " + hover + "<extra></extra>",
                         text=[f"{v:.3g}" for v in vals], textposition="auto"))
        layout[f"xaxis{k}"] = dict(domain=[lo, min(1.0, lo + width)], anchor="y", rangemode="tozero")
        notes.append(subplot_title(title, lo + width / 2))
    return figure(data, height=300, yaxis=dict(autorange="reversed", automargin=True), annotations=notes,
                  margin=dict(l=8, r=16, t=40, b=32), **layout)


def _ratio(dense_s: float, other_s: float) -> float | None:
    """``other_s`` against ``dense_s`` as the larger over the smaller, rounded to the one decimal it is printed
    with; None when either time is missing or not positive."""
    if not (np.isfinite(dense_s) and np.isfinite(other_s)) or dense_s <= 0 or other_s <= 0:
        return None
    return round(max(dense_s, other_s) / min(dense_s, other_s), 1)


def speed_against(dense_s: float, other_s: float, noise: float = 1.0) -> str:
    """How a time ``other_s`` compares with the dense ``dense_s`` (seconds): "2.0× slower", "1.2× faster" or
    "about as fast".

    The ratio is judged at the one decimal it is printed with, so no sentence calls a 1.0× ratio faster or slower.
    ``noise`` is the ratio, at that decimal, between two measurements of the same work (the zeros-in-dense copy
    against dense): a gap no larger than it reads "about as fast (1.1× slower, within that noise)".
    """
    ratio = _ratio(dense_s, other_s)
    if ratio is None:
        return "not measured"
    if ratio <= 1.0:
        return "about as fast"
    said = f"{ratio:.1f}× {'faster' if other_s < dense_s else 'slower'}"
    return f"about as fast ({said}, within that noise)" if ratio <= noise else said


def _us(seconds: float) -> str:
    """Seconds as microseconds with 3 significant digits, whole microseconds from 1 ms on: "35.2 µs", "1,240 µs"."""
    if not np.isfinite(seconds):
        return "not measured"
    us = seconds * 1e6
    return f"{us:.3g} µs" if us < 1000 else f"{us:,.0f} µs"


def describe_speed(fp: Footprint) -> str:
    """Dense's median times, the zeros-in-dense copy as the yardstick for noise, then the compacted and CSR
    networks against dense, for one sample and for a batch."""
    one, batch = fp.latency_one, fp.latency_batch
    noise = [_ratio(t[0], t[1]) or 1.0 for t in (one, batch)]
    zeros = [speed_against(t[0], t[1]) for t in (one, batch)]
    zeros_said = (f"{zeros[0]} both times" if zeros[0] == zeros[1]
                  else f"{zeros[0]} for 1 sample and {zeros[1]} for the batch")

    def against(i: int) -> str:
        a, b = (speed_against(t[0], t[i], n) for t, n in zip((one, batch), noise, strict=True))
        return f"{a} for 1 sample and {b} for the batch"

    return (f"Measured here (median times): dense took {_us(one[0])} for 1 sample and {_us(batch[0])} for a batch of "
            f"{BATCH}. The zeros-in-dense copy does exactly dense's work and came out {zeros_said}: a gap of that "
            "size is noise and drift between the runs, not the network. Against dense, the compacted net was "
            f"{against(3)}; CSR was {against(2)}.")


def describe_footprint(fp: Footprint) -> str:
    kb = fp.bytes / 1024
    return (f"At {fp.sparsity:.0%}: dense weights take {kb[0]:.1f} KiB, the same with zeros {kb[1]:.1f} KiB, CSR "
            f"{kb[2]:.1f} KiB, the compacted net ({'-'.join(map(str, fp.compact_shape))}) {kb[3]:.1f} KiB. "
            f"{describe_speed(fp)}")
