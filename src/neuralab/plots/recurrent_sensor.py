"""Figures for /recurrent's sensor task: one test drive cycle estimated, and the architectures compared."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import log_axis, num, vline
from neuralab.plots.theme import BLUE, COLORWAY, GREY, ORANGE, VERMILLION, figure, subplot_title
from neuralab.train.compare import Comparison
from neuralab.train.sensor import CycleEstimate

__all__ = ["compare_figure", "compare_rows", "cycle_figure", "describe_compare", "describe_cycle", "split_text"]

# (domain of each panel from the bottom): error, temperature, speed, current
PANELS = ((0.0, 0.17), (0.24, 0.62), (0.68, 0.82), (0.87, 1.0))
SHORT = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU", "tcn": "CNN", "attention": "attention", "mlp": "MLP, 4 samples"}
NAMES = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU", "tcn": "causal dilated CNN",
         "attention": "window self-attention", "mlp": "feedforward network on 4 samples"}  # inside a sentence
BELOW = {"tcn", "gru"}  # labels under their marker, so neighbours do not overlap


def cycle_figure(e: CycleEstimate) -> go.Figure:
    """Current, speed, the true and estimated winding temperature, and the error, over one test cycle."""
    t = e.t_min.tolist()
    a, b = e.twins.a, e.twins.b
    axes = {}
    for k, (lo, hi) in enumerate(PANELS):
        s = "" if k == 0 else str(k + 1)
        axes[f"xaxis{s}"] = dict(domain=[0, 1], anchor=f"y{s}", matches=None if k == 0 else "x",
                                 showticklabels=k == 0, title=dict(text="minutes into the cycle" if k == 0 else ""))
        axes[f"yaxis{s}"] = dict(domain=[lo, hi], anchor=f"x{s}")
    axes["yaxis"]["title"] = dict(text="error (K)")
    axes["yaxis2"]["title"] = dict(text="°C")
    axes["yaxis3"]["title"] = dict(text="rpm")
    axes["yaxis4"]["title"] = dict(text="A")
    err = e.error_k
    data = [
        dict(type="scatter", x=t, y=e.x[:, 0].tolist(), name="current i_q", line=dict(color=GREY, width=1.5),
             xaxis="x4", yaxis="y4", hovertemplate="%{y:.1f} A<extra>current</extra>", showlegend=False),
        dict(type="scatter", x=t, y=e.x[:, 1].tolist(), name="speed", line=dict(color=GREY, width=1.5),
             xaxis="x3", yaxis="y3", hovertemplate="%{y:.0f} rpm<extra>speed</extra>", showlegend=False),
        dict(type="scatter", x=t, y=e.x[:, 2].tolist(), name="coolant", line=dict(color=GREY, dash="dot", width=1),
             xaxis="x2", yaxis="y2", hovertemplate="%{y:.1f} °C<extra>coolant</extra>"),
        dict(type="scatter", x=t, y=e.temp_c.tolist(), name="true winding temperature",
             line=dict(color="black", width=2.5), xaxis="x2", yaxis="y2",
             hovertemplate="%{y:.1f} °C<extra>true</extra>"),
        dict(type="scatter", x=t, y=e.estimate_c.tolist(), name=f"{e.label} estimate", line=dict(color=BLUE, width=2),
             xaxis="x2", yaxis="y2", hovertemplate="%{y:.1f} °C<extra>" + e.label + "</extra>"),
        dict(type="scatter", x=[t[a], t[b]], y=[e.temp_c[a], e.temp_c[b]], mode="markers",
             marker=dict(size=11, color=ORANGE, symbol="circle-open", line=dict(width=2.5)),
             name="alike inputs, different temperature", xaxis="x2", yaxis="y2",
             hovertemplate="%{y:.1f} °C<extra>true</extra>"),
        dict(type="scatter", x=t, y=err.tolist(), name="error", line=dict(color=VERMILLION, width=1.5),
             xaxis="x", yaxis="y", hovertemplate="%{y:+.2f} K<extra>error</extra>", showlegend=False),
    ]
    if e.arch != "mlp":
        data.insert(5, dict(type="scatter", x=t, y=e.baseline_c.tolist(), name="feedforward on 4 samples (no memory)",
                            line=dict(color=ORANGE, width=1.5, dash="dash"), xaxis="x2", yaxis="y2",
                            hovertemplate="%{y:.1f} °C<extra>window MLP</extra>"))
    shapes = [vline(t[i], ORANGE, xref=x, yref=f"{y} domain")
              for i in (a, b) for x, y in (("x", "y"), ("x2", "y2"), ("x3", "y3"), ("x4", "y4"))]
    shapes.append(dict(type="line", xref="x", yref="y", x0=t[0], x1=t[-1], y0=0, y1=0,
                       line=dict(color=GREY, width=1)))
    notes = [subplot_title(text, 0.5) | dict(y=hi, yref="paper") for text, (_, hi) in zip(
        ("estimate − truth", "winding temperature", "speed", "current amplitude"), PANELS, strict=True)]
    return figure(data, height=620, shapes=shapes, annotations=notes, hovermode="x unified",
                  legend=dict(orientation="h", x=0, y=-0.12, yanchor="top"), margin=dict(l=60, r=16, t=30, b=110),
                  **axes)


def describe_cycle(e: CycleEstimate) -> str:
    """The estimate's error on this cycle and overall, and the two moments the memory tells apart."""
    err = e.error_k
    worst = int(np.argmax(np.abs(err)))
    tw, t = e.twins, e.t_min
    head = (f"Test cycle {e.position} (drive cycle {e.cycle}): the {_name(e.arch)} is off by "
            f"{num(e.cycle_rmse_k)} K RMS on this cycle, at most {num(abs(err[worst]))} K "
            f"(minute {t[worst]:.1f}); over all "
            f"{len(e.cycles_test)} test cycles {num(e.test_rmse_k)} K RMS.")
    if e.diverged:
        head += f" {e.diverged}"
    same = (f"At minutes {t[tw.a]:.1f} and {t[tw.b]:.1f} the last {tw.window} samples differ by at most "
            f"{tw.current_a:.1f} A and {tw.speed_rpm:.0f} rpm, yet the winding is at {e.temp_c[tw.a]:.1f} °C and "
            f"{e.temp_c[tw.b]:.1f} °C ({abs(e.temp_c[tw.b] - e.temp_c[tw.a]):.1f} K apart)")
    same += (f"; the feedforward network on those {tw.window} samples answers {e.baseline_c[tw.a]:.1f} °C and "
             f"{e.baseline_c[tw.b]:.1f} °C")
    if e.arch != "mlp":
        same += f", the {_name(e.arch)} {e.estimate_c[tw.a]:.1f} °C and {e.estimate_c[tw.b]:.1f} °C"
    return f"{head} {same}. Without memory this cycle's RMS error is {num(e.baseline_rmse_k)} K."


def _name(arch: str) -> str:
    return NAMES.get(arch, arch)


def split_text(e: CycleEstimate) -> str:
    """Which drive cycles train, validate and test, and the check that none is in two parts."""
    parts = {"training": e.cycles_train, "validation": e.cycles_val, "test": e.cycles_test}
    seen = [c for p in parts.values() for c in p]
    disjoint = len(seen) == len(set(seen))
    lines = "; ".join(f"{name} ({len(ids)}): {', '.join(map(str, ids))}" for name, ids in parts.items())
    check = (f"Each of the {len(seen)} cycles is in exactly one part" if disjoint
             else "Some cycle is in two parts: the split leaks")
    return f"Drive cycles by part: {lines}. {check}."


def _spread(c: Comparison, what: str) -> tuple[list[float], list[float]]:
    values = getattr(c, what)
    med = np.median(values, axis=1)
    return (values.max(axis=1) - med).tolist(), (med - values.min(axis=1)).tolist()


def compare_figure(c: Comparison) -> go.Figure:
    """Test error against streaming latency (left) and against work per new sample (right), one point per network."""
    rmse = c.median("test_rmse_k")
    lat = c.median("latency_us")
    up, down = _spread(c, "test_rmse_k")
    size = (8 + 22 * np.sqrt(c.params / c.params.max())).tolist()
    data = []
    for a, arch in enumerate(c.archs):
        color = COLORWAY[a % len(COLORWAY)]
        common = dict(type="scatter", mode="markers+text", text=[SHORT.get(arch, arch)], cliponaxis=False,
                      textposition="bottom center" if arch in BELOW else "top center",
                      marker=dict(size=size[a], color=color, opacity=0.85), name=c.label(arch), legendgroup=arch,
                      error_y=dict(type="data", array=[up[a]], arrayminus=[down[a]], visible=len(c.seeds) > 1,
                                   color=color))
        data.append(common | dict(x=[lat[a]], y=[rmse[a]], xaxis="x", yaxis="y",
                                  hovertemplate=f"{c.label(arch)}: %{{y:.2f}} K, %{{x:.0f}} µs per sample, "
                                                f"{c.params[a]:,} parameters<extra></extra>"))
        data.append(common | dict(x=[int(c.macs[a])], y=[rmse[a]], xaxis="x2", yaxis="y2", showlegend=False,
                                  hovertemplate=f"{c.label(arch)}: %{{y:.2f}} K, %{{x:,}} multiply-accumulates "
                                                "per sample<extra></extra>"))
    lo_l, hi_l = math.log10(lat.min()) - 0.2, math.log10(lat.max()) + 0.2
    lo_m, hi_m = math.log10(c.macs.min()) - 0.3, math.log10(c.macs.max()) + 0.3
    top = float(np.max(np.asarray(rmse) + np.asarray(up))) * 1.2
    return figure(
        data, height=440, showlegend=False,
        xaxis=log_axis(lo_l, hi_l, domain=[0, 0.46], title=dict(text="streaming latency per new sample (µs)")),
        yaxis=dict(title=dict(text="test RMSE (K)"), range=[0, top], anchor="x"),
        xaxis2=log_axis(lo_m, hi_m, domain=[0.54, 1], anchor="y2",
                        title=dict(text="multiply-accumulates per new sample")),
        yaxis2=dict(range=[0, top], anchor="x2", showticklabels=True),
        annotations=[subplot_title("error against latency", 0.23), subplot_title("error against work", 0.77)],
        margin=dict(l=60, r=16, t=40, b=60),
    )


def compare_rows(c: Comparison) -> list[dict]:
    """One row per network: what the table shows."""
    rmse, secs, lat = c.median("test_rmse_k"), c.median("train_s"), c.median("latency_us")
    return [{"network": c.label(arch), "test RMSE (K)": f"{rmse[a]:.2f}", "parameters": f"{c.params[a]:,}",
             "training (s)": f"{secs[a]:.1f}", "streaming (µs/sample)": f"{lat[a]:.0f}",
             "MACs per sample": f"{int(c.macs[a]):,}"} for a, arch in enumerate(c.archs)]


def describe_compare(c: Comparison) -> str:
    """The most accurate network, the fastest per sample, and what the work count says about scaling."""
    rmse, lat = c.median("test_rmse_k"), c.median("latency_us")
    best, fast = int(np.argmin(rmse)), int(np.argmin(lat))
    seeds = f"median over {len(c.seeds)} seeds" if len(c.seeds) > 1 else f"seed {c.seeds[0]}"
    text = (f"Same split, same recipe, {seeds}. Most accurate: the {_name(c.archs[best])} at "
            f"{num(rmse[best])} K on the test cycles, with {c.params[best]:,} parameters and {lat[best]:.0f} µs per "
            f"new sample. Fastest per new sample: the {_name(c.archs[fast])} at {lat[fast]:.0f} µs, "
            f"{num(rmse[fast])} K.")
    by = dict(zip(c.archs, range(len(c.archs)), strict=True))
    if "attention" in by and "gru" in by:
        ratio = c.macs[by["attention"]] / c.macs[by["gru"]]
        text += (f" Per new sample, attention does {ratio:.1f}× the GRU's multiply-accumulates. Its "
                 "projections and feed-forward layer cost the same at any window, but its scores and weighted "
                 "sum grow in proportion to the window, while a recurrent cell's work does not depend on how far back "
                 "it "
                 "remembers.")
    notes = [f"{c.label(a)}: {d}" for a, d in zip(c.archs, c.diverged, strict=True) if d]
    spread = " Bars span the lowest to the highest seed." if len(c.seeds) > 1 else ""
    return (text + (" " + " ".join(notes) if notes else "") + " Marker area grows with the parameter count."
            + spread + " Times measured on this machine, one thread.")
