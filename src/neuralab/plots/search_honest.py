"""Figures for /hyperparameter-search's honest scoring: the winner's curse and nested cross-validation."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import num, pct
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, figure, subplot_title
from neuralab.search.honest import Band, Curse, Nested

__all__ = ["CURVES", "OPTIMISM", "curse_figure", "describe_curse", "describe_nested", "nested_figure", "score"]

#: (attribute suffix, legend name, colour, band drawn) of the winner's-curse curves
CURVES = (("val", "best validation score (what the search reports)", ORANGE, True),
          ("test", "test score of the same network", GREEN, True),
          ("rerun", "validation, same setting, other seeds", BLUE, False))
_FILL = {ORANGE: "rgba(230,159,0,0.18)", GREEN: "rgba(0,158,115,0.18)"}


def score(x: float, metric: str, signed: bool = False) -> str:
    """An accuracy as a percentage, an R² to four decimals (good fits differ in the third), a loss to 3 digits."""
    if metric == "accuracy":
        return pct(x, signed)
    if metric == "R²":
        return f"{x:+.4f}" if signed else f"{x:.4f}"
    return f"{x:+.3g}" if signed else num(x)


def _band(n: np.ndarray, b: Band, name: str, color: str, axes: tuple[str, str]) -> list[dict]:
    xa, ya = axes
    return [
        dict(type="scatter", x=n, y=b.hi, mode="lines", line=dict(width=0), xaxis=xa, yaxis=ya, showlegend=False,
             hoverinfo="skip", legendgroup=name),
        dict(type="scatter", x=n, y=b.lo, mode="lines", line=dict(width=0), fill="tonexty", fillcolor=_FILL[color],
             xaxis=xa, yaxis=ya, showlegend=False, hoverinfo="skip", legendgroup=name),
    ]


def _curves(n: np.ndarray, rows: list[tuple[Band, str, str, bool]], axes: tuple[str, str], legend: bool,
            hover: str, level: float, level_name: str | None) -> list[dict]:
    """Mean lines (solid with a 10–90 % band, or dashed without) and a grey horizontal line at ``level``."""
    xa, ya = axes
    out: list[dict] = []
    for b, name, color, band in rows:
        if band:
            out += _band(n, b, name, color, axes)
        out.append(dict(type="scatter", x=n, y=b.mean, mode="lines", name=name, legendgroup=name,
                        showlegend=legend, xaxis=xa, yaxis=ya,
                        line=dict(color=color, width=2, dash="solid" if band else "dash"),
                        hovertemplate=f"%{{x}} trials: {hover}<extra>{name}</extra>"))
    out.append(dict(type="scatter", x=[n[0], n[-1]], y=[level, level], mode="lines", xaxis=xa, yaxis=ya,
                    name=level_name, legendgroup=level_name, showlegend=legend and level_name is not None,
                    line=dict(color=GREY, dash="dot" if level_name else "solid", width=1.5 if level_name else 1),
                    hoverinfo="skip"))
    return out


def _panel(c: Curse, kind: str, axes: tuple[str, str], legend: bool) -> list[dict]:
    """The kept trial's scores: reported, the same network on test, the setting on other seeds; the best cell's test."""
    rows = [(getattr(c, f"{key}_{kind}"), name, color, band) for key, name, color, band in CURVES]
    opt = c.optimum_test_loss if kind == "loss" else c.optimum_test_metric
    label = "loss" if kind == "loss" else c.metric
    return _curves(c.n, rows, axes, legend, f"{label} %{{y:.4g}}", opt, "test score of the best measured cell")


#: the lower panels: (Curse attribute for loss, for the metric, legend name, colour, band drawn)
OPTIMISM = (("optimism_loss", "optimism_metric", "optimism: the same network on test", GREEN, True),
            ("rerun_optimism_loss", "rerun_optimism_metric", "optimism: the same setting, other seeds", BLUE, False))


def _optimism(c: Curse, kind: str, axes: tuple[str, str], legend: bool) -> list[dict]:
    """How far the reported score is better than the check (the sign makes "flattered" positive), per search size."""
    rows = [(getattr(c, lk if kind == "loss" else mk), name, color, band) for lk, mk, name, color, band in OPTIMISM]
    return _curves(c.n, rows, axes, legend, "%{y:+.3g}", 0.0, None)


def curse_figure(c: Curse) -> go.Figure:
    """Top: loss (left) and accuracy or R² (right) of the kept trial against the number of trials, with 10–90 %
    bands. Bottom: by how much the reported score beats the same network's test score, and the same setting's
    score on other seeds (positive: the search flatters itself)."""
    x = dict(type="log", tickvals=[1, 2, 5, 10, 20, 50, 100], ticktext=["1", "2", "5", "10", "20", "50", "100"],
             range=[0, np.log10(c.n[-1])])
    bottom = dict(x, title=dict(text="trials in the search"))
    right = dict(tickformat=".0%") if c.metric == "accuracy" else {}
    right_gap = dict(tickformat="+.1%") if c.metric == "accuracy" else {}
    top, low = [0.6, 1], [0, 0.38]
    return figure(
        _panel(c, "loss", ("x", "y"), True) + _panel(c, "metric", ("x2", "y2"), False)
        + _optimism(c, "loss", ("x3", "y3"), True) + _optimism(c, "metric", ("x4", "y4"), False),
        height=680,
        xaxis=dict(domain=[0, 0.45], anchor="y", **x), xaxis2=dict(domain=[0.55, 1], anchor="y2", **x),
        xaxis3=dict(domain=[0, 0.45], anchor="y3", **bottom), xaxis4=dict(domain=[0.55, 1], anchor="y4", **bottom),
        yaxis=dict(domain=top, anchor="x", title=dict(text="loss")),
        yaxis2=dict(domain=top, anchor="x2", title=dict(text=c.metric), **right),
        yaxis3=dict(domain=low, anchor="x3", title=dict(text="check − reported")),
        yaxis4=dict(domain=low, anchor="x4", title=dict(text="reported − check"), **right_gap),
        annotations=[subplot_title("loss (lower is better)", 0.225), subplot_title(f"{c.metric} (higher is better)",
                                                                                   0.775),
                     dict(subplot_title("how much lower the reported loss is", 0.225), y=low[1]),
                     dict(subplot_title(f"how much higher the reported {c.metric} is", 0.775), y=low[1])],
        legend=dict(orientation="h", x=0, y=-0.12, yanchor="top", font=dict(color=GREY)),
        margin=dict(b=120),
    )


def describe_curse(c: Curse) -> str:
    last = len(c.n) - 1
    m = c.metric
    return (
        f"Over {c.repeats:,} random searches of {c.n[-1]} trials each. With one trial the validation and test losses "
        f"differ by {score(c.gap_loss[0], 'loss', True)} on average (no choice made yet: only the two sets differ); "
        f"after {c.n[-1]} trials, the kept network's test loss minus its validation loss is "
        f"{score(c.gap_loss[last], 'loss', True)}. In {m}: validation {score(c.val_metric.mean[last], m)} reported, "
        f"{score(c.test_metric.mean[last], m)} on test, {score(c.rerun_metric.mean[last], m)} when the same setting "
        f"is trained from other seeds; the best measured cell (itself the winner of many noisy means) scores "
        f"{score(c.optimum_test_metric, m)} on test."
    )


_ESTIMATES = (("plain", "best inner CV score", ORANGE), ("nested", "nested CV", BLUE),
              ("test", "test split, once", GREEN))


def nested_figure(r: Nested) -> go.Figure:
    """The three estimates per repeat (joined by a grey line) and their means (wide marks)."""
    names = [label for _, label, _ in _ESTIMATES]
    data: list[dict] = []
    for k in range(len(r.test)):
        ys = [float(getattr(r, key)[k]) for key, _, _ in _ESTIMATES]
        data.append(dict(type="scatter", x=names, y=ys, mode="lines+markers", showlegend=False,
                         line=dict(color=GREY, width=1), marker=dict(color=GREY, size=7),
                         hovertemplate=f"repeat {k + 1}: %{{y:.4f}}<extra>%{{x}}</extra>"))
    for key, label, color in _ESTIMATES:
        v = getattr(r, key)
        data.append(dict(type="scatter", x=[label], y=[float(v.mean())], mode="markers", name=f"{label}, mean",
                         marker=dict(symbol="line-ew-open", size=36, color=color, line=dict(width=3, color=color)),
                         hovertemplate=f"mean over {len(v)} repeats: %{{y:.4f}}<extra>{label}</extra>"))
    right = dict(tickformat=".0%") if r.metric == "accuracy" else {}
    return figure(data, height=360, showlegend=False, xaxis=dict(type="category"),
                  yaxis=dict(title=dict(text=r.metric), **right))


def describe_nested(r: Nested) -> str:
    m = r.metric
    k = len(r.test)
    over = int(np.sum(r.plain > r.test))
    noise = f" The spread over the outer folds is {score(float(r.outer_sd.mean()), m)} (standard deviation, mean " \
            "over repeats)"
    if np.isfinite(r.test_se):
        noise += (f"; one test score on {r.n_test} rows has a standard error of about {score(r.test_se, m)}, so "
                  "differences smaller than that are noise")
    return (
        f"{k} repeat{'s' if k > 1 else ''} on {r.pool} training rows, test split of {r.n_test} rows. Plain protocol "
        f"minus test: {score(float(r.plain_bias.mean()), m, True)} on average (above the test score in {over} of {k}); "
        f"nested CV minus test: {score(float(r.nested_bias.mean()), m, True)}.{noise}. Cost per repeat: "
        f"{r.fits_plain} trainings for the plain protocol, {r.fits_nested} for nested CV."
    )
