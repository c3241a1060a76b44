"""Figures for /fundamentals, normalization: what each norm averages over, train against eval, small batches."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.basics.norm import NORMS, Modes, SmallBatches, Stats
from neuralab.plots.format import log_axis, num, pct
from neuralab.plots.theme import BLUE, GREY, VERMILLION, figure

__all__ = ["describe_forgot", "describe_modes", "describe_outputs", "describe_small", "describe_stats",
           "forgot_figure", "modes_figure", "outputs_figure", "small_figure", "stats_figure"]

COLORS = {"none": GREY, "batch": VERMILLION, "layer": BLUE}
LEGEND = dict(orientation="h", y=1.02, yanchor="bottom", x=0)
MARGIN = dict(l=64, r=16, t=60, b=44)
LEFT, RIGHT = [0, 0.6], [0.68, 1]


def _log_range(*arrays: np.ndarray) -> tuple[float, float]:
    v = np.concatenate([np.ravel(a) for a in arrays])
    v = v[np.isfinite(v) & (v > 0)]
    return (math.log10(v.min()) - 0.1, math.log10(v.max()) + 0.1) if len(v) else (-1.0, 1.0)


def _short(name: str) -> str:
    return name.replace("od280/od315_of_diluted_wines", "od280/od315").replace("_", " ")


def stats_figure(s: Stats) -> go.Figure:
    """Left, batch norm's mean and std per feature; right, layer norm's per sample (log axes)."""
    feats = [_short(f) for f in s.features]
    rows = [f"wine {r}" for r in s.rows]
    bn_sd, ln_sd = np.sqrt(s.bn_var), np.sqrt(s.ln_var)
    data = [dict(type="bar", x=feats, y=s.bn_mean.tolist(), name="mean", marker=dict(color=VERMILLION),
                 hovertemplate="%{x}: mean %{y:.4g}<extra>BatchNorm, over the batch</extra>", xaxis="x", yaxis="y"),
            dict(type="bar", x=feats, y=bn_sd.tolist(), name="std (lighter bar)",
                 marker=dict(color=VERMILLION, opacity=0.45),
                 hovertemplate="%{x}: std %{y:.4g}<extra>BatchNorm, over the batch</extra>", xaxis="x", yaxis="y"),
            dict(type="bar", x=rows, y=s.ln_mean.tolist(), name="mean", marker=dict(color=BLUE), showlegend=False,
                 hovertemplate="%{x}: mean %{y:.4g}<extra>LayerNorm, over the features</extra>",
                 xaxis="x2", yaxis="y2"),
            dict(type="bar", x=rows, y=ln_sd.tolist(), name="std", marker=dict(color=BLUE, opacity=0.45),
                 showlegend=False, hovertemplate="%{x}: std %{y:.4g}<extra>LayerNorm, over the features</extra>",
                 xaxis="x2", yaxis="y2")]
    lo, hi = _log_range(s.bn_mean, bn_sd, s.ln_mean, ln_sd)
    titles = [dict(text=text, x=x, y=1.0, xref="paper", yref="paper", showarrow=False, xanchor="left",
                   yanchor="bottom", font=dict(size=12)) for text, x in
              (("BatchNorm: per feature, over the batch", LEFT[0]), ("LayerNorm: per sample, over its features",
                                                                      RIGHT[0]))]
    return figure(data, height=420, legend=dict(LEGEND, y=1.08), margin=dict(MARGIN, b=120, t=80), barmode="group",
                  annotations=titles, xaxis=dict(domain=LEFT, tickangle=-45),
                  xaxis2=dict(domain=RIGHT, anchor="y2", tickangle=-45),
                  yaxis=log_axis(lo, hi, title=dict(text="mean and std (raw units)")),
                  yaxis2=log_axis(lo, hi, anchor="x2"))


def describe_stats(s: Stats) -> str:
    big, small = int(np.argmax(s.bn_mean)), int(np.argmin(s.bn_mean))
    return (f"A batch of {len(s.rows)} wines, {len(s.features)} raw measurements each. BatchNorm computes "
            f"{len(s.bn_mean)} means (one per feature, from {num(s.bn_mean[small])} for {_short(s.features[small])} to "
            f"{num(s.bn_mean[big])} for {_short(s.features[big])}); LayerNorm computes {len(s.ln_mean)} (one per "
            f"wine, from {num(s.ln_mean.min())} to {num(s.ln_mean.max())}), each pulled up by "
            f"{_short(s.features[big])}. The hand computation matches torch's BatchNorm1d to {s.bn_torch_diff:.1g} "
            f"and LayerNorm to {s.ln_torch_diff:.1g} (float64).")


def outputs_figure(s: Stats) -> go.Figure:
    """Both outputs as heatmaps (wine × feature): columns centred by batch norm, rows by layer norm."""
    feats = [_short(f) for f in s.features]
    rows = [f"wine {r}" for r in s.rows]
    top = float(max(np.abs(s.bn_out).max(), np.abs(s.ln_out).max(), 1e-9))
    common = dict(type="heatmap", x=feats, y=rows, zmin=-top, zmax=top, colorscale="RdBu", reversescale=True)
    data = [dict(common, z=s.bn_out.tolist(), xaxis="x", yaxis="y", showscale=False,
                 hovertemplate="%{y}, %{x}: %{z:.2f}<extra>BatchNorm output</extra>"),
            dict(common, z=s.ln_out.tolist(), xaxis="x2", yaxis="y2", colorbar=dict(thickness=12, x=1.02),
                 hovertemplate="%{y}, %{x}: %{z:.2f}<extra>LayerNorm output</extra>")]
    titles = [dict(text=text, x=x, y=1.0, xref="paper", yref="paper", showarrow=False, xanchor="left",
                   yanchor="bottom", font=dict(size=12)) for text, x in
              (("BatchNorm output: each column centred", 0), ("LayerNorm output: each row centred", 0.53))]
    return figure(data, height=400, margin=dict(MARGIN, l=80, b=120, t=40), annotations=titles,
                  xaxis=dict(domain=[0, 0.47], tickangle=-45),
                  xaxis2=dict(domain=[0.53, 1], tickangle=-45, anchor="y2"),
                  yaxis=dict(autorange="reversed"),
                  yaxis2=dict(autorange="reversed", anchor="x2", showticklabels=False))


def describe_outputs(s: Stats) -> str:
    big = int(np.argmax(s.bn_mean))
    col = s.ln_out[:, big]
    rest = np.delete(s.ln_out, big, axis=1)
    return (f"Every BatchNorm column has mean 0 and std {num(float(s.bn_out.std(axis=0).mean()))}; every LayerNorm "
            f"row has mean 0 and std {num(float(s.ln_out.std(axis=1).mean()))}. On raw measurements LayerNorm mixes "
            f"units: {_short(s.features[big])} sits at {num(col.min())} to {num(col.max())} in every row and the "
            f"other {len(s.features) - 1} features are squeezed into {num(rest.min())} to {num(rest.max())}. "
            f"After one batch in train mode BatchNorm's running mean of {_short(s.features[big])} is "
            f"{num(s.running_mean[big])} (0.9 × 0 + 0.1 × the batch mean; torch agrees to {s.running_diff:.1g}).")


def modes_figure(m: Modes) -> go.Figure:
    """The followed sample's probability of its true digit in each batch, train mode against eval mode."""
    x = list(range(1, len(m.p_train) + 1))
    data = [dict(type="scatter", x=x, y=m.p_train.tolist(), mode="markers", name="train mode (batch statistics)",
                 marker=dict(color=VERMILLION, size=9),
                 customdata=m.pred_train.tolist(),
                 hovertemplate="batch %{x}: %{y:.3f}, predicted %{customdata}<extra>train mode</extra>"),
            dict(type="scatter", x=x, y=m.p_eval.tolist(), mode="lines+markers",
                 name="eval mode (running statistics)", marker=dict(color=BLUE, size=5), line=dict(color=BLUE),
                 customdata=m.pred_eval.tolist(),
                 hovertemplate="batch %{x}: %{y:.3f}, predicted %{customdata}<extra>eval mode</extra>")]
    return figure(data, height=340, legend=LEGEND, margin=MARGIN,
                  xaxis=dict(title=dict(text=f"batch (the same sample with {m.mix - 1} other test digits)")),
                  yaxis=dict(title=dict(text=f"probability of the true digit {m.label}"), range=[-0.03, 1.03]))


def describe_modes(m: Modes) -> str:
    wrong = int((m.pred_train != m.label).sum())
    spread_eval = float(m.p_eval.max() - m.p_eval.min())
    return (f"Test sample {m.sample} (a {m.label}) in {len(m.p_train)} batches of {m.mix}: in train mode its "
            f"probability of being a {m.label} ranges from {num(m.p_train.min())} to {num(m.p_train.max())} and "
            f"it is classified as something else in {wrong} of them ({len(np.unique(m.pred_train))} different "
            f"answers); in eval mode it is {num(m.p_eval[0])} every time (largest difference "
            f"{spread_eval:.1g}).")


def forgot_figure(m: Modes) -> go.Figure:
    """Test accuracy with model.eval() and without it, per way of batching the test set."""
    names = ["with model.eval()", *m.forgot]
    acc = [m.acc_eval, *m.forgot.values()]
    y = [None if math.isnan(a) else 100 * a for a in acc]
    text = ["torch refuses" if v is None else pct(a) for v, a in zip(y, acc, strict=True)]
    colors = [BLUE] + [VERMILLION] * len(m.forgot)
    data = [dict(type="bar", x=names, y=[0 if v is None else v for v in y], text=text, textposition="outside",
                 marker=dict(color=colors), hovertemplate="%{x}: %{text}<extra></extra>")]
    return figure(data, height=360, showlegend=False, margin=dict(MARGIN, l=90, b=90, t=30),
                  xaxis=dict(tickangle=-20), yaxis=dict(title=dict(text="test accuracy (%)"), range=[0, 112]))


def describe_forgot(m: Modes) -> str:
    parts = ", ".join(f"{k} {pct(v)}" for k, v in m.forgot.items() if not math.isnan(v))
    refused = f' A batch of one is refused: "{m.batch1_error}".' if m.batch1_error else ""
    return (f"With model.eval() the trained network gets {pct(m.acc_eval)} of the test digits right. "
            f"Left in train mode: {parts}.{refused} The forgotten call also moves the running statistics: one "
            f"pass over the single-digit batches shifted a running mean by up to {num(m.running_shift)}.")


def small_figure(r: SmallBatches) -> go.Figure:
    """Test accuracy against batch size (log axis), one line per norm."""
    data = [dict(type="scatter", x=list(r.sizes), y=(100 * r.accuracy[i]).tolist(), mode="lines+markers",
                 name=label, line=dict(color=COLORS[key], width=2.5), marker=dict(size=8),
                 hovertemplate=f"{label}, batch %{{x}}: %{{y:.1f}}%<extra></extra>")
            for i, (key, label) in enumerate(NORMS.items())]
    lo, hi = math.log10(min(r.sizes)) - 0.1, math.log10(max(r.sizes)) + 0.1
    return figure(data, height=360, legend=LEGEND, margin=MARGIN,
                  xaxis=dict(type="log", range=[lo, hi], tickvals=list(r.sizes), ticktext=[str(s) for s in r.sizes],
                             title=dict(text=f"batch size ({r.epochs} epochs each)")),
                  yaxis=dict(title=dict(text="test accuracy (%)")))


def describe_small(r: SmallBatches) -> str:
    keys = list(NORMS)
    bn, ln = r.accuracy[keys.index("batch")], r.accuracy[keys.index("layer")]
    none = r.accuracy[keys.index("none")]
    per = "; ".join(f"batch {s}: BatchNorm {pct(b)}, LayerNorm {pct(ln_)}, none {pct(n)}"
                    for s, b, ln_, n in zip(r.sizes, bn, ln, none, strict=True))
    return (f"Test accuracy on the digits after {r.epochs} epochs at each batch size ({r.steps[0]:,} to "
            f"{r.steps[-1]:,} optimizer steps): {per}. At batch {r.sizes[0]} BatchNorm is "
            f"{100 * (ln[0] - bn[0]):.1f} points behind LayerNorm; at batch {r.sizes[-1]} the gap is "
            f"{100 * (ln[-1] - bn[-1]):.1f}.")
