"""Figures for /autoencoder's fault detection on the motor log: examples, the score over time, precision–recall."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.anomaly import HAMPEL, Flags
from neuralab.data.motor import CONSTANTS
from neuralab.plots.format import log_axis
from neuralab.plots.theme import BLUE, GREY, ORANGE, PURPLE, VERMILLION, figure, subplot_title
from neuralab.train.motor_anomaly import SWEEP, THRESHOLD, Scores

__all__ = ["describe_examples", "describe_pr", "describe_timeline", "examples_figure", "pr_figure",
           "timeline_figure", "table_rows"]

KIND_COLORS = {1: VERMILLION, 2: PURPLE, 3: ORANGE}
KIND_NAMES = {1: "spike", 2: "dropout", 3: "stuck run"}
HALF = 40  # samples either side of an example event
SCORE_UNIT = "(I / I_rated)²"  # the score: squared error of currents divided by the rated current
HAMPEL_NAME = f"Hampel ({HAMPEL['window']} samples, {HAMPEL['n_sigmas']:g} robust σ, defaults, not tuned)"
BIN = 20  # samples per point of the timeline (the maximum score of each bin is drawn)


def _event(s: Scores, kind: int) -> int | None:
    """Index of the middle of the first test event of ``kind`` (None when the log has none)."""
    idx = np.flatnonzero(s.kind == kind)
    if not len(idx):
        return None
    run_end = np.flatnonzero(np.diff(idx) > 1)
    last = idx[run_end[0]] if len(run_end) else idx[-1]
    return int((idx[0] + last) // 2)


def examples_figure(s: Scores) -> go.Figure:
    """One test event of each kind: phase a as measured and as it truly was (top), the score (bottom, log)."""
    data, layout, ann = [], {}, []
    lo_s = max(float(s.score.min()), 1e-12)
    lo, hi = np.log10(lo_s), np.log10(float(s.score.max())) + 0.2
    for col, kind in enumerate((1, 2, 3)):
        i = _event(s, kind)
        x0, x1 = col / 3 + 0.03, (col + 1) / 3 - 0.03
        xa, ya, yb = f"x{2 * col + 1}", f"y{2 * col + 1}", f"y{2 * col + 2}"
        xb = f"x{2 * col + 2}"
        ann.append(subplot_title(f"a {KIND_NAMES[kind]}", (x0 + x1) / 2))
        layout[f"xaxis{2 * col + 1}"] = dict(domain=[x0, x1], anchor=ya, showticklabels=False)
        layout[f"xaxis{2 * col + 2}"] = dict(domain=[x0, x1], anchor=yb, matches=xa,
                                             title=dict(text="ms from the event"))
        layout[f"yaxis{2 * col + 1}"] = dict(domain=[0.48, 1], anchor=xa,
                                             title=dict(text="phase a, A" if col == 0 else ""))
        layout[f"yaxis{2 * col + 2}"] = log_axis(lo, hi, domain=[0, 0.4], anchor=xb,
                                                 title=dict(text="score" if col == 0 else ""))
        if i is None:
            continue
        sl = slice(max(i - HALF, 0), min(i + HALF + 1, len(s.score)))
        ms = (s.t[sl] - s.t[i]) * 1e3
        bad = s.kind[sl] != 0
        legend = col == 0
        data += [
            dict(type="scatter", mode="lines", x=ms, y=s.ia_clean[sl], name="true current", line=dict(color=GREY),
                 xaxis=xa, yaxis=ya, showlegend=legend, legendgroup="true"),
            dict(type="scatter", mode="lines", x=ms, y=s.ia[sl], name="measured", line=dict(color=BLUE, width=1.5),
                 xaxis=xa, yaxis=ya, showlegend=legend, legendgroup="meas"),
            dict(type="scatter", mode="markers", x=ms[bad], y=s.ia[sl][bad], name="glitched samples",
                 marker=dict(color=KIND_COLORS[kind], size=6), xaxis=xa, yaxis=ya, showlegend=legend,
                 legendgroup="bad"),
            dict(type="scatter", mode="lines", x=ms, y=s.score[sl], name="autoencoder score",
                 line=dict(color=BLUE), xaxis=xb, yaxis=yb, showlegend=legend, legendgroup="score"),
            dict(type="scatter", mode="markers", x=ms[bad], y=s.score[sl][bad], name="score of glitched samples",
                 marker=dict(color=KIND_COLORS[kind], size=6), xaxis=xb, yaxis=yb, showlegend=False,
                 legendgroup="bad"),
        ]
    return figure(data, height=420, annotations=ann, margin=dict(l=64, r=16, t=60, b=44),
                  legend=dict(orientation="h", y=1.08, yanchor="bottom", x=0), **layout)


def describe_examples(s: Scores) -> str:
    parts = []
    for kind in (1, 2, 3):
        i = _event(s, kind)
        if i is not None:
            parts.append(f"{KIND_NAMES[kind]} {np.max(s.score[max(i - 12, 0):i + 13]) / s.val_median:,.0f}×")
    return (f"The first test event of each kind, ±{HALF / 10:g} ms at 10 kHz (the network never saw these cycles). "
            f"The highest score near each event, as a multiple of the median held-out score: {', '.join(parts)}. "
            f"A score is a squared error in {SCORE_UNIT}, averaged over the three phases (currents in units of the "
            f"rated {CONSTANTS.i_rated_a:g} A peak). Validation loss of the network: {s.val_loss:.2g} (mean "
            "squared error per value, same units).")


def timeline_figure(f: Flags) -> go.Figure:
    """The score of every test sample (the highest of each bin of 20 drawn), the threshold, the flags and truth."""
    s = f.scores
    n = len(s.score) // BIN * BIN
    peak = s.score[:n].reshape(-1, BIN).max(axis=1)
    t = s.t[:n].reshape(-1, BIN)[:, 0]
    level = f.threshold * s.val_median
    data = [dict(type="scatter", mode="lines", x=t, y=peak, name="score (highest per 2 ms)",
                 line=dict(color=BLUE, width=1), hovertemplate="%{x:.3f} s: %{y:.2g}<extra></extra>")]
    for kind in (1, 2, 3):
        m = s.kind == kind
        hit = m & f.mask
        data.append(dict(type="scatter", mode="markers", x=s.t[m], y=s.score[m], name=f"{KIND_NAMES[kind]}s "
                         f"({int(hit.sum())} of {int(m.sum())} samples flagged)",
                         marker=dict(color=KIND_COLORS[kind], size=5),
                         hovertemplate=f"{KIND_NAMES[kind]} %{{x:.4f}} s: %{{y:.2g}}<extra></extra>"))
    false = f.mask & ~s.truth
    data.append(dict(type="scatter", mode="markers", x=s.t[false], y=s.score[false],
                     name=f"false alarms ({int(false.sum())})", marker=dict(color=GREY, symbol="x", size=5),
                     hovertemplate="false alarm %{x:.4f} s: %{y:.2g}<extra></extra>"))
    lo, hi = np.log10(max(float(peak.min()), 1e-12)), np.log10(float(s.score.max())) + 0.2
    return figure(
        data, height=460, xaxis=dict(title=dict(text="time in the log, s (the four test cycles)"), automargin=True),
        yaxis=log_axis(lo, hi, title=dict(text=f"score, {SCORE_UNIT}"), automargin=True),
        shapes=[dict(type="line", xref="paper", x0=0, x1=1, y0=level, y1=level,
                     line=dict(color=VERMILLION, dash="dash", width=1.5))],
    )


def describe_timeline(f: Flags) -> str:
    sc = f.score
    return (f"At {f.threshold:.3g} × the median held-out score (the dashed line), the autoencoder flags "
            f"{sc.tp + sc.fp:,} of {len(f.mask):,} test samples (score: squared error in {SCORE_UNIT}, mean of the "
            f"three phases): precision {sc.precision:.0%}, recall "
            f"{sc.recall:.0%} ({sc.tp} of {sc.tp + sc.fn} glitched samples caught, {sc.fp:,} false alarms).")


def pr_figure(f: Flags) -> go.Figure:
    """Precision against recall as the threshold sweeps, the current threshold, and the Hampel detector."""
    sw, sc, h = f.sweep, f.score, f.sweep.hampel
    return figure(
        [dict(type="scatter", mode="lines+markers", x=sw.recall, y=sw.precision, customdata=SWEEP,
              name="autoencoder, threshold swept", line=dict(color=BLUE), marker=dict(size=4),
              hovertemplate="threshold %{customdata:.3g}: recall %{x:.0%}, precision %{y:.0%}<extra></extra>"),
         dict(type="scatter", mode="markers", x=[sc.recall], y=[sc.precision], name=f"at {f.threshold:.3g}",
              marker=dict(color=VERMILLION, size=13, symbol="circle-open", line=dict(width=3)),
              hovertemplate="recall %{x:.0%}, precision %{y:.0%}<extra>this threshold</extra>"),
         # in two lines: the chart is two fifths of the row, and one line ran past its edge
         dict(type="scatter", mode="markers", x=[h.recall], y=[h.precision],
              name=HAMPEL_NAME.replace(", defaults", ",<br>defaults"),
              marker=dict(color=ORANGE, size=12, symbol="diamond"),
              hovertemplate="recall %{x:.0%}, precision %{y:.0%}<extra>Hampel</extra>")],
        height=460, xaxis=dict(title=dict(text="recall<br>(share of glitched samples flagged)"), range=[0, 1.02],
                               tickformat=".0%", automargin=True),
        yaxis=dict(title=dict(text="precision (share of flags that are glitches)"), range=[0, 1.02], tickformat=".0%",
                   automargin=True),
    )


def _versus(a: float, b: float) -> str:
    return "higher" if a > b else "lower" if a < b else "the same"


def describe_pr(f: Flags) -> str:
    h, best = f.sweep.hampel, f.sweep.val_best
    same = bool(np.isclose(best, THRESHOLD.default, rtol=1e-5))  # the default is rounded to 3 decimals
    default = (", the default threshold" if same and f.scores.seed == 0
               else f" (the default is {THRESHOLD.default:.3g}×)" if f.scores.seed == 0
               else f" (the default, {THRESHOLD.default:.3g}×, is that peak for seed 0)")
    return (f"Each point of the blue curve is one threshold. At {f.threshold:.3g}× the autoencoder (precision "
            f"{f.score.precision:.0%}, recall {f.score.recall:.0%}, F1 {f.score.f1:.2f}) has "
            f"{_versus(f.score.precision, h.precision)} precision and {_versus(f.score.recall, h.recall)} recall "
            f"than the Hampel detector of /preprocessing at its untuned defaults on the same samples (precision "
            f"{h.precision:.0%}, recall {h.recall:.0%}, F1 {h.f1:.2f}). Chosen without the test cycles, on the "
            f"held-out validation cycle, F1 peaks at {best:.3g}×{default}.")


def table_rows(f: Flags) -> list[list[str]]:
    """Recall by kind of glitch at this threshold."""
    return [[KIND_NAMES[k], f"{f.recall_by_kind[name][0]} of {f.recall_by_kind[name][1]}",
             f"{f.recall_by_kind[name][0] / max(f.recall_by_kind[name][1], 1):.0%}"]
            for k, name in ((1, "spike"), (2, "dropout"), (3, "stuck"))]
