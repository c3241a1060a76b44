"""Figures for /fundamentals' metrics: ROC and precision–recall curves with the operating point, and the cost."""

from __future__ import annotations

import plotly.graph_objects as go

from neuralab.basics.metrics import Evaluated
from neuralab.plots.format import num, pct, vline
from neuralab.plots.theme import BLUE, GREY, ORANGE, VERMILLION, figure

__all__ = ["cost_figure", "describe_cost", "describe_metrics", "describe_pr", "describe_roc", "pr_figure",
           "roc_figure"]

LEGEND = dict(orientation="h", y=1.02, yanchor="bottom", x=0)
MARGIN = dict(l=64, r=16, t=60, b=44)
UNIT = dict(range=[-0.02, 1.02], constrain="domain")


def _point(x: float, y: float, t: float) -> dict:
    return dict(type="scatter", x=[x], y=[y], mode="markers", name=f"threshold {num(t)}",
                marker=dict(color=VERMILLION, size=12, symbol="circle", line=dict(color="white", width=1)),
                hovertemplate="%{x:.3f}, %{y:.3f}<extra></extra>")


def roc_figure(e: Evaluated) -> go.Figure:
    """True-positive rate against false-positive rate; the diagonal is a coin with any bias."""
    s = e.scored
    data = [dict(type="scatter", x=s.fpr.tolist(), y=s.tpr.tolist(), mode="lines", name=f"ROC, AUC {num(s.auc)}",
                 line=dict(color=BLUE, width=2, shape="hv"), hovertemplate="FPR %{x:.3f}, TPR %{y:.3f}<extra></extra>"),
            dict(type="scatter", x=[0, 1], y=[0, 1], mode="lines", name="no skill", line=dict(color=GREY, dash="dot"),
                 hoverinfo="skip"),
            _point(e.fpr, e.recall, e.threshold)]
    return figure(data, height=360, legend=LEGEND, margin=MARGIN,
                  xaxis=dict(title=dict(text="false-positive rate (false alarms / healthy windows)"), **UNIT),
                  yaxis=dict(title=dict(text="true-positive rate (recall)"), **UNIT))


def describe_roc(e: Evaluated) -> str:
    s = e.scored
    return (f"ROC AUC {num(s.auc)} on {s.y.size:,} test windows. At threshold {num(e.threshold)} the detector finds "
            f"{pct(e.recall)} of the faults and raises a false alarm on {pct(e.fpr)} of the healthy windows "
            f"({e.fp:,} of {e.fp + e.tn:,}).")


def pr_figure(e: Evaluated) -> go.Figure:
    """Precision against recall; the no-skill line sits at the share of faults."""
    s = e.scored
    prev = s.test_prevalence
    data = [dict(type="scatter", x=s.pr_recall.tolist(), y=s.pr_precision.tolist(), mode="lines",
                 name=f"precision–recall, AP {num(s.average_precision)}", line=dict(color=BLUE, width=2, shape="hv"),
                 hovertemplate="recall %{x:.3f}, precision %{y:.3f}<extra></extra>"),
            dict(type="scatter", x=[0, 1], y=[prev, prev], mode="lines", name=f"no skill: prevalence {pct(prev)}",
                 line=dict(color=GREY, dash="dot"), hoverinfo="skip"),
            _point(e.recall, e.precision, e.threshold)]
    return figure(data, height=360, legend=LEGEND, margin=MARGIN,
                  xaxis=dict(title=dict(text="recall (faults found / all faults)"), **UNIT),
                  yaxis=dict(title=dict(text="precision (faults / flagged windows)"), **UNIT))


def describe_pr(e: Evaluated) -> str:
    s = e.scored
    none = " (no window is flagged, so precision is taken as 0)" if e.tp + e.fp == 0 else ""
    return (f"Average precision {num(s.average_precision)}, against {num(s.test_prevalence)} for a detector with "
            f"no skill (the share of faults). At threshold {num(e.threshold)}: precision {pct(e.precision)}, "
            f"recall {pct(e.recall)}{none}; {e.tp:,} of the {e.tp + e.fp:,} flagged windows are faults.")


def cost_figure(e: Evaluated) -> go.Figure:
    """Cost per window (a false alarm costs 1) against the threshold; the chosen and the cheapest marked."""
    data = [dict(type="scatter", x=e.cost_thresholds.tolist(), y=e.cost_per_window.tolist(), mode="lines",
                 name="cost per test window", line=dict(color=BLUE, width=2),
                 hovertemplate="threshold %{x:.3f}: %{y:.3f}<extra></extra>"),
            dict(type="scatter", x=[e.best_threshold], y=[e.best_cost], mode="markers",
                 name=f"cheapest: {num(e.best_threshold)}", marker=dict(color=ORANGE, size=11, symbol="diamond"),
                 hovertemplate="%{x:.3f}: %{y:.3f}<extra></extra>"),
            _point(e.threshold, e.cost_now, e.threshold)]
    return figure(data, height=320, legend=LEGEND, margin=MARGIN, shapes=[vline(e.bayes_threshold, GREY)],
                  # inside the plot, beside the line's top: above the plot it sat on the legend
                  annotations=[dict(x=e.bayes_threshold, y=1, xref="x", yref="paper", yanchor="top", xanchor="left",
                                    xshift=3, showarrow=False, text=f"1/(1+{e.cost})", font=dict(color=GREY, size=11))],
                  xaxis=dict(title=dict(text="threshold on the fault probability"), range=[0, 1]),
                  yaxis=dict(title=dict(text="cost per window (false alarm = 1)"), rangemode="tozero"))


def describe_cost(e: Evaluated) -> str:
    return (f"With a missed fault costing {e.cost} false alarms, threshold {num(e.threshold)} costs "
            f"{num(e.cost_now)} per window ({e.fn:,} missed, {e.fp:,} false alarms). The cheapest threshold on "
            f"these test windows is {num(e.best_threshold)} at {num(e.best_cost)} per window; for well-calibrated "
            f"probabilities theory puts it at 1/(1 + {e.cost}) = {num(e.bayes_threshold)}.")


def describe_metrics(e: Evaluated) -> str:
    return (f"Always answering “no fault” scores {pct(e.baseline_accuracy)} accuracy here; the detector at "
            f"threshold {num(e.threshold)} scores {pct(e.accuracy)}, with balanced accuracy "
            f"{pct(e.balanced_accuracy)} and F1 {num(e.f1)}.")
