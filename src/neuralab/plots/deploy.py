"""Figures for /deploy: size, accuracy and latency at every stage of the compression stack."""

from __future__ import annotations

import plotly.graph_objects as go

from neuralab.compress.deployment import Stack
from neuralab.plots.theme import BLUE, GREEN, ORANGE, VERMILLION, figure, subplot_title

ENGINES = {"torch fp32": BLUE, "onnxruntime": ORANGE, "C int8": VERMILLION}
SHORT = {"teacher": "teacher", "distilled": "distilled", "pruned": "pruned", "int8": "int8"}
EXCERPT_LINES = 40  # lines of the generated C shown after its tables, besides the header


def stages_figure(s: Stack) -> go.Figure:
    """Three panels side by side: bytes (log), test accuracy, single-sample latency per engine (log)."""
    names = [SHORT[st.key] for st in s.stages]
    data: list[dict] = [
        dict(type="bar", x=names, y=[st.size_bytes for st in s.stages], marker=dict(color=GREEN), name="bytes",
             showlegend=False, text=[f"{st.size_bytes:,}" for st in s.stages], textposition="outside",
             hovertemplate="%{x}: %{y:,} bytes<extra></extra>"),
        dict(type="bar", x=names, y=[100 * st.accuracy for st in s.stages], marker=dict(color=GREEN), xaxis="x2",
             yaxis="y2", showlegend=False, text=[f"{100 * st.accuracy:.1f}" for st in s.stages],
             textposition="outside", hovertemplate="%{x}: %{y:.2f}%<extra></extra>"),
    ]
    for eng, col in ENGINES.items():
        xs = [SHORT[st.key] for st in s.stages if eng in st.latency_us]
        ys = [st.latency_us[eng] for st in s.stages if eng in st.latency_us]
        data.append(dict(type="bar", x=xs, y=ys, name=eng, marker=dict(color=col), xaxis="x3", yaxis="y3",
                         text=[f"{y:.2g}" for y in ys], textposition="outside", cliponaxis=False, constraintext="none",
                         textfont=dict(size=10),
                         hovertemplate=f"%{{x}}, {eng}: %{{y:.2f}} µs<extra></extra>"))
    accs = [100 * st.accuracy for st in s.stages]
    return figure(
        data, height=400, barmode="group",
        xaxis=dict(domain=[0, 0.28]),
        yaxis=dict(title="bytes of weights (log)", type="log", dtick=1),  # decades only: no bare 2s and 5s
        xaxis2=dict(domain=[0.36, 0.64], anchor="y2"),
        yaxis2=dict(title="test accuracy (%)", anchor="x2", range=[max(0, min(accs) - 10), 101]),
        xaxis3=dict(domain=[0.72, 1.0], anchor="y3"),
        yaxis3=dict(title="µs per sample (log)", type="log", dtick=1, anchor="x3"),
        legend=dict(orientation="h", yanchor="bottom", y=1.08, x=0.72),
        margin=dict(l=60, r=16, t=70, b=44),
        annotations=[subplot_title("Size", 0.14), subplot_title("Accuracy", 0.5), subplot_title("Latency", 0.86)],
    )


def describe_stages(s: Stack) -> str:
    first, last = s.stages[0], s.stages[-1]
    lat = ", ".join(f"{e} {v:.2f} µs" for st in (first, last) for e, v in st.latency_us.items())
    return (f"From {first.title} to {last.title}: {first.size_bytes:,} → {last.size_bytes:,} bytes "
            f"({first.size_bytes / last.size_bytes:.0f}× smaller), accuracy {first.accuracy:.1%} → "
            f"{last.accuracy:.1%}; single-sample latency {lat}.")


def stage_rows(s: Stack) -> list[list[str]]:
    """Table rows: stage, parameters, bytes, ×smaller than the first stage, accuracy, latencies."""
    base = s.stages[0].size_bytes
    rows = []
    for st in s.stages:
        lat = "; ".join(f"{e}: {v:.2f} µs" for e, v in st.latency_us.items()) or "not measured"
        rows.append([st.title, f"{st.params:,}", f"{st.size_bytes:,}", f"{base / st.size_bytes:.1f}×",
                     f"{st.accuracy:.2%}", lat])
    return rows


def describe_checks(s: Stack) -> str:
    c = (f"the compiled C matches the Python integer reference on all {s.n_test * 10:,} test logits"
         if s.c_exact and not s.c_error else
         (s.c_error or f"the compiled C differs from the integer reference on {s.c_mismatches} logits"))
    return f"ONNX Runtime agrees with PyTorch to {s.onnx_max_diff:.1e} (largest logit difference); {c}."


def c_excerpt(src: str) -> str:
    """The generated C file shortened for the page: its header, then the code from the static buffers on.

    The constant weight tables in between are left out (they are most of the file).
    """
    lines = src.splitlines()
    keep = lines[:12] + ["    ... (tables) ..."] + lines[next(i for i, ln in enumerate(lines)
                                                               if ln.startswith("static int8_t buf")):]
    return "\n".join(keep[:EXCERPT_LINES + 30])
