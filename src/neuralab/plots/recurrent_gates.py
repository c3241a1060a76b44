"""Figures for /recurrent's gates at work and the GRU exported for a controller.

The gates figure is one column of rows on one time axis: the drive cycle's current and speed,
the true and estimated winding temperature, then one heatmap (unit × time) per LSTM gate, the
LSTM's cell state, and the GRU's update and reset gates. Gates share one 0–1 colour scale.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.compress.recurrent_export import EdgeGru
from neuralab.data.sequences import TEMP_SCALE_C
from neuralab.nn.gates import half_life
from neuralab.plots.format import num
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, VERMILLION, figure
from neuralab.train.recurrent_gates import LONG, GatesOnCycle

__all__ = ["describe_export", "describe_gates", "export_figure", "export_rows", "gates_figure"]

ROWS = (  # (key, title) from top to bottom
    ("inputs", "Current (A) and speed (rpm, right axis)"),
    ("temp", "Winding temperature (°C)"),
    ("i", "LSTM input gate i"),
    ("f", "LSTM forget gate f"),
    ("o", "LSTM output gate o"),
    ("c", "LSTM cell state c"),
    ("z", "GRU update gate z (share of the old state kept)"),
    ("r", "GRU reset gate r"),
)
GAP = 0.028
HEATMAPS = {"i", "f", "o", "c", "z", "r"}


def _domains(n: int) -> list[list[float]]:
    h = (1 - GAP * (n - 1)) / n
    return [[max(0.0, 1 - k * (h + GAP) - h), 1 - k * (h + GAP)] for k in range(n)]


def _heat(z: np.ndarray, t: list, axis: str, coloraxis: str, name: str) -> dict:
    return dict(type="heatmap", z=z.T.tolist(), x=t, y=list(range(z.shape[1])), coloraxis=coloraxis,
                xaxis=f"x{axis}", yaxis=f"y{axis}", name=name,
                hovertemplate=f"{name}, unit %{{y}}, %{{x:.1f}} min: %{{z:.3f}}<extra></extra>")


def gates_figure(g: GatesOnCycle) -> go.Figure:
    """Inputs, temperature and every gate of the trained LSTM and GRU on one test cycle, aligned in time."""
    t = g.t_min.tolist()
    doms = _domains(len(ROWS))
    layout: dict = {}
    data: list[dict] = []
    notes = []
    for k, ((key, title), dom) in enumerate(zip(ROWS, doms, strict=True)):
        a = "" if k == 0 else str(k + 1)
        last = k == len(ROWS) - 1
        layout[f"xaxis{a}"] = dict(domain=[0, 0.9], anchor=f"y{a}", showticklabels=last,
                                   title=dict(text="minutes since the start" if last else ""))
        if k:
            layout[f"xaxis{a}"]["matches"] = "x"
        ytitle = "unit" if key in HEATMAPS else ""
        layout[f"yaxis{a}"] = dict(domain=dom, anchor=f"x{a}", title=dict(text=ytitle))
        notes.append(dict(text=title, x=0, y=dom[1], xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                          showarrow=False, font=dict(size=12)))
        if key == "inputs":
            data.append(dict(type="scatter", x=t, y=g.current_a.tolist(), name="current", line=dict(color=BLUE),
                             xaxis="x", yaxis="y", hovertemplate="%{y:.1f} A<extra>current</extra>"))
            data.append(dict(type="scatter", x=t, y=g.speed_rpm.tolist(), name="speed",
                             line=dict(color=ORANGE, dash="dot"), xaxis="x", yaxis="y9",
                             hovertemplate="%{y:.0f} rpm<extra>speed</extra>"))
            layout["yaxis9"] = dict(overlaying="y", side="right", anchor="x", showgrid=False, rangemode="tozero",
                                    title=dict(text="rpm"))
            layout["yaxis"] |= dict(title=dict(text="A"), rangemode="tozero")
        elif key == "temp":
            for y, name, color, dash in ((g.temp_c, "true", GREY, "solid"), (g.lstm_c, "LSTM", GREEN, "dash"),
                                         (g.gru_c, "GRU", VERMILLION, "dot")):
                data.append(dict(type="scatter", x=t, y=y.tolist(), name=f"{name} temperature",
                                 line=dict(color=color, dash=dash, width=2 if name == "true" else 1.5),
                                 xaxis=f"x{a}", yaxis=f"y{a}", hovertemplate=f"%{{y:.1f}} °C<extra>{name}</extra>"))
        else:
            src = g.lstm if key in "ifoc" else g.gru
            data.append(_heat(getattr(src, key), t, a, "coloraxis2" if key == "c" else "coloraxis", title))
    c_max = float(max(np.abs(g.lstm.c).max(), 1e-6))
    c_dom = doms[5]
    return figure(
        data, height=1350, annotations=notes, **layout,
        coloraxis=dict(cmin=0, cmax=1, colorscale="Viridis",
                       colorbar=dict(title=dict(text="gate"), x=0.93, y=doms[4][0], yanchor="bottom",
                                     len=doms[2][1] - doms[4][0], thickness=12)),
        coloraxis2=dict(cmin=-c_max, cmax=c_max, cmid=0, colorscale="RdBu",
                        colorbar=dict(title=dict(text="c"), x=0.93, y=c_dom[0], yanchor="bottom",
                                      len=c_dom[1] - c_dom[0], thickness=12)),
        legend=dict(x=0, y=1.02, orientation="h", yanchor="bottom"),
        margin=dict(l=60, r=20, t=60, b=50),
    )


def _memory(gate: float, step_min: float) -> str:
    steps = float(half_life(np.array([gate]))[0])
    return f"{num(steps)} steps, {num(steps * step_min)} min" if np.isfinite(steps) else "no decay"


def describe_gates(g: GatesOnCycle) -> str:
    """The caption: mean gate values, which units hold long memory, and the errors on this cycle."""
    f_mean, z_mean = g.lstm.f.mean(axis=0), g.gru.z.mean(axis=0)
    fk, zk = int(np.argmax(f_mean)), int(np.argmax(z_mean))
    step_min = float(g.t_min[1] - g.t_min[0]) if len(g.t_min) > 1 else 0.0
    long_gru = ", ".join(str(u) for u in g.long_gru) or "none"
    long_lstm = ", ".join(str(u) for u in g.long_lstm) or "none"
    return (f"Test cycle {g.cycle} (drive cycle {g.cycle_id}). LSTM: mean forget gate {f_mean.mean():.2f}; "
            f"units with a mean forget gate above {LONG} (long memory): {long_lstm}; the most retentive is unit "
            f"{fk}, mean f = {f_mean[fk]:.3f}, which held constant halves the old cell content in "
            f"{_memory(f_mean[fk], step_min)}. GRU: mean update gate {z_mean.mean():.2f}; units with a mean update "
            f"gate above {LONG}: {long_gru}; the most retentive is unit {zk}, mean z = {z_mean[zk]:.3f}, a "
            f"half-life of {_memory(z_mean[zk], step_min)}. On this cycle the LSTM's estimate is off by "
            f"{g.lstm_rmse_k:.2f} K RMS, the GRU's by {g.gru_rmse_k:.2f} K. The hidden states rebuilt from these "
            f"gates match torch's fused layers to within {g.max_rebuild_diff:.1e} (largest difference).")


def export_figure(e: EdgeGru) -> go.Figure:
    """Top: the true temperature, torch's full-sequence estimate and onnxruntime stepped; bottom: their gap."""
    t = e.t_min.tolist()
    gap = np.abs(e.exported.step_y - e.exported.torch_y) * TEMP_SCALE_C  # K; exact zeros are left out (log axis)
    data = [
        dict(type="scatter", x=t, y=e.temp_c.tolist(), name="true", line=dict(color=GREY, width=2)),
        dict(type="scatter", x=t, y=e.torch_c.tolist(), name="torch, whole cycle at once", line=dict(color=BLUE)),
        dict(type="scatter", x=t, y=e.step_c.tolist(), name="onnxruntime, one sample per call",
             line=dict(color=ORANGE, dash="dot", width=3)),
        dict(type="scatter", x=t, y=[float(v) if v > 0 else None for v in gap], name="|stepped − torch|",
             xaxis="x2", yaxis="y2", mode="markers", marker=dict(color=VERMILLION, size=4),
             hovertemplate="%{y:.2e} K<extra></extra>"),
    ]
    return figure(
        data, height=520,
        xaxis=dict(domain=[0, 1], anchor="y", showticklabels=False),
        yaxis=dict(domain=[0.4, 1], title=dict(text="winding temperature (°C)")),
        xaxis2=dict(domain=[0, 1], anchor="y2", matches="x", title=dict(text="minutes since the start")),
        yaxis2=dict(domain=[0, 0.3], type="log", title=dict(text="|gap| (K)"), exponentformat="power",
                    dtick=1),
        legend=dict(x=0, y=1.02, orientation="h", yanchor="bottom"),
    )


def describe_export(e: EdgeGru) -> str:
    x = e.exported
    same = int(np.sum(x.step_y == x.torch_y))
    return (f"Test cycle {e.cycle}: the GRU stepped one sample per call in onnxruntime matches torch's "
            f"whole-cycle output to within {x.step_diff:.1e} (largest difference, scaled units, "
            f"{x.step_diff * TEMP_SCALE_C:.1e} K) over all "
            f"{len(e.t_min)} samples, {same} of them bit for bit (not drawn on the log axis); the whole-sequence "
            f"ONNX model to within {x.sequence_diff:.1e}. One step took "
            f"{x.step_us:.1f} µs (median of {x.steps_timed} calls on this machine, one thread), torch "
            f"{x.torch_step_us:.1f} µs.")


def export_rows(e: EdgeGru) -> list[list[str]]:
    x = e.exported
    return [
        ["parameters", f"{x.parameters:,}", f"{x.weight_bytes:,} bytes as float32"],
        ["step model (.onnx)", f"{len(x.step_onnx):,} bytes", f"opset {x.opset}, weights included"],
        ["whole-sequence model (.onnx)", f"{len(x.sequence_onnx):,} bytes", "for checking"],
        ["state kept between steps", f"{x.state_bytes} bytes", f"{x.state_floats} float32 (h, hidden size {x.hidden})"],
        ["latency per step, onnxruntime", f"{x.step_us:.1f} µs", f"median; 90th percentile {x.step_us_p90:.1f} µs"],
        ["latency per step, torch", f"{x.torch_step_us:.1f} µs", "median, same machine"],
        ["stepped vs torch, max |Δ|", f"{x.step_diff:.1e}", f"scaled target; {x.step_diff * TEMP_SCALE_C:.1e} K"],
        ["ONNX sequence vs torch, max |Δ|", f"{x.sequence_diff:.1e}", "scaled target"],
        ["test RMSE of the GRU", f"{e.test_rmse_k:.2f} K", "all test cycles, from training"],
    ]
