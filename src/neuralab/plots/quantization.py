"""Figures for /quantization: one layer's weights on the integer grid, and accuracy against bits."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.compress.quantize_effects import LayerView, Sweep, TorchCheck
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, VERMILLION, figure


def histogram_figure(v: LayerView) -> go.Figure:
    """Histogram of the trained weights with the quantization levels drawn as thin vertical lines."""
    counts, edges = v.counts, v.edges
    centres = (edges[:-1] + edges[1:]) / 2
    top = float(counts.max()) * 1.05
    lo, hi = float(edges[0]), float(edges[-1])
    pad = (hi - lo) * 0.02
    lv = v.levels[(v.levels >= lo - pad) & (v.levels <= hi + pad)]
    xs = np.repeat(lv, 3).astype(object)
    ys = np.tile(np.array([0.0, top, None], dtype=object), len(lv))
    xs[2::3] = None
    which = f"levels of channel {v.level_channel + 1}, the widest" if v.granularity == "channel" else "levels"
    legend = f"{len(lv)} {which}" if len(lv) == v.qp.levels else f"{which}: {len(lv)} of {v.qp.levels} in view"
    data = [
        dict(type="bar", x=centres, y=counts, width=float(edges[1] - edges[0]), marker=dict(color=BLUE),
             name="trained weights", hovertemplate="w ≈ %{x:.3f}: %{y} weights<extra></extra>"),
        dict(type="scatter", mode="lines", x=xs.tolist(), y=ys.tolist(), name=legend,
             line=dict(color=VERMILLION, width=1.5), opacity=0.85, hoverinfo="skip"),
    ]
    return figure(data, height=340, bargap=0, xaxis=dict(title="weight value"),
                  yaxis=dict(title="number of weights", range=[0, top]))


def describe_histogram(v: LayerView) -> str:
    shape = "×".join(map(str, v.shape))
    return (f"Layer {v.layer} of the {v.model} model ({shape} = {len(v.weights)} weights) at {v.bits} bits, "
            f"{v.scheme}, one scale per {v.granularity}: {v.qp.levels} levels, {v.used_levels} used; "
            f"max error {v.max_err:.4f}, RMS error {v.rms_err:.4f} ({v.rms_err / v.rms_weight:.1%} of the RMS weight); "
            f"{v.storage_bytes():,} bytes against {4 * len(v.weights):,} in float32 "
            f"({v.storage_bytes() / (4 * len(v.weights)):.0%}).")


def channel_figure(v: LayerView) -> go.Figure:
    """RMS round-trip error of each output channel, per-tensor against per-channel scales."""
    ch = np.arange(1, len(v.channel_rms) + 1)
    mine, other = (v.channel_rms, v.channel_rms_other) if v.granularity == "tensor" else (
        v.channel_rms_other, v.channel_rms)
    data = [
        dict(type="bar", x=ch, y=mine, name="one scale per tensor", marker=dict(color=ORANGE)),
        dict(type="bar", x=ch, y=other, name="one scale per channel", marker=dict(color=GREEN)),
    ]
    return figure(data, height=300, barmode="group", xaxis=dict(title="output channel (neuron or filter)"),
                  yaxis=dict(title="RMS error of its weights"))


def describe_channels(v: LayerView) -> str:
    t, c = (v.channel_rms, v.channel_rms_other) if v.granularity == "tensor" else (v.channel_rms_other, v.channel_rms)
    better = int((c < t - 1e-12).sum())
    return (f"At {v.bits} bits, per-channel scales lower the RMS error in {better} of {len(t)} channels; mean "
            f"channel RMS error {t.mean():.4f} per tensor against {c.mean():.4f} per channel.")


def sweep_figure(s: Sweep) -> go.Figure:
    """Test accuracy against bit width: float reference, dynamic PTQ, static PTQ, QAT."""
    bits = list(s.bits)
    data = [
        dict(type="scatter", mode="lines", x=[bits[0], bits[-1]], y=[100 * s.float_acc] * 2, name="float32",
             line=dict(color=GREY, dash="dash")),
        dict(type="scatter", mode="lines+markers", x=bits, y=100 * s.dynamic, name="dynamic PTQ",
             line=dict(color=BLUE)),
        dict(type="scatter", mode="lines+markers", x=bits, y=100 * s.static, name=f"static PTQ ({s.calib} samples)",
             line=dict(color=ORANGE)),
        dict(type="scatter", mode="lines+markers", x=bits, y=100 * s.qat, name=f"QAT ({s.qat_epochs} epochs)",
             line=dict(color=GREEN, width=3)),
    ]
    return figure(data, height=380, xaxis=dict(title="bits for weights and activations", dtick=1),
                  yaxis=dict(title="test accuracy (%)", range=[0, 100]), hovermode="x unified")


def describe_sweep(s: Sweep) -> str:
    i8, i4 = s.bits.index(8), s.bits.index(4)
    return (f"{s.model}, {s.scheme} weights per {s.granularity}: float {s.float_acc:.1%}; at 8 bits dynamic "
            f"{s.dynamic[i8]:.1%}, static {s.static[i8]:.1%}, QAT {s.qat[i8]:.1%}; at 4 bits dynamic "
            f"{s.dynamic[i4]:.1%}, static {s.static[i4]:.1%}, QAT {s.qat[i4]:.1%}.")


def check_rows(c: TorchCheck) -> list[tuple[str, str, str]]:
    """(what, ours, torch) rows for the cross-check table."""
    pct = lambda k: f"{k} of {c.n_weights} ({k / c.n_weights:.2%})"  # noqa: E731
    rows = [
        ("INT8 integers, symmetric per tensor (torch.quantize_per_tensor)", pct(c.same_int_tensor), "identical"),
        ("INT8 integers, asymmetric per tensor", pct(c.same_int_asym), "identical"),
        ("INT8 integers, symmetric per channel (torch.quantize_per_channel)", pct(c.same_int_channel), "identical"),
        ("Largest relative gap between scales (our formula vs MinMaxObserver)", f"{c.max_scale_rel:.2g}", "0"),
        ("Test accuracy, dynamic INT8 (ours vs quantize_dynamic)", f"{c.ours_acc:.2%}", f"{c.torch_acc:.2%}"),
        ("Test digits with the same predicted class", f"{c.agree:.2%}", ""),
    ]
    return rows


def describe_check(c: TorchCheck) -> str:
    same = c.same_int_tensor + c.same_int_asym + c.same_int_channel
    return (f"Our INT8 integers equal torch's on {same} of {3 * c.n_weights} weights; dynamic INT8 accuracy "
            f"{c.ours_acc:.1%} (ours) vs {c.torch_acc:.1%} (torch), same prediction on {c.agree:.1%} of the digits.")
