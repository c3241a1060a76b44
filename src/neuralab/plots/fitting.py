"""Figures for the fitting page: one fit, error against degree, bias and variance, learning curves, memorization.

Each ``*_figure`` builder has a ``describe_*`` twin returning the one-sentence text
summary that sits under the chart. Traces and axes are plain dicts wrapped once by
:func:`neuralab.plots.theme.figure`. Error axes are logarithmic: a degree-15
polynomial's validation error can be ten thousand times the noise floor, and both
ends need to be readable.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.fit.memorize import PASS_LOSS, Memorize
from neuralab.fit.poly import DIAGNOSES, BiasVariance, LearningCurve, PolyFit
from neuralab.fit.table_curve import TableCurve
from neuralab.plots.format import log_axis, num
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, PURPLE, SKY, VERMILLION, figure, subplot_title

__all__ = [
    "bias_variance_figure",
    "describe_bias_variance",
    "describe_errors",
    "describe_fit",
    "describe_learning_curve",
    "describe_memorize",
    "describe_sweep",
    "describe_table_curve",
    "fit_figure",
    "table_curve_figure",
    "learning_curve_figure",
    "memorize_figure",
    "sweep_figure",
]

#: Error axes show from this fraction of σ² (smaller errors, e.g. an exact interpolation's 0, sit on the bottom)...
LOG_FLOOR = 1e-3
#: ... up to this multiple of σ² (larger errors run off the top; hover still gives the value).
LOG_CEILING = 1e4


def _noise_line(noise_var: float, text: str = "noise floor σ²", xref: str = "x domain", yref: str = "y") -> tuple:
    shape = dict(type="line", xref=xref, x0=0, x1=1, yref=yref, y0=noise_var, y1=noise_var,
                 line=dict(color=GREY, dash="dash"))
    note = dict(text=f"{text} = {num(noise_var)}", xref=xref, x=1, yref=yref, y=math.log10(noise_var),
                xanchor="right", yanchor="top", showarrow=False, font=dict(size=11))
    return shape, note


def _log_range(noise_var: float, values: np.ndarray) -> list[float]:
    """log10 axis range covering ``values`` as drawn (see :func:`_shown`), at most up to LOG_CEILING·σ²."""
    drawn = _shown(values[np.isfinite(values)], noise_var)
    lo = float(drawn.min()) if len(drawn) else noise_var
    hi = min(float(drawn.max()) if len(drawn) else noise_var, LOG_CEILING * noise_var)
    return [math.log10(min(lo, noise_var)) - 0.15, math.log10(max(hi, noise_var)) + 0.15]


def _shown(values: np.ndarray, noise_var: float) -> np.ndarray:
    """Errors lifted to LOG_FLOOR·σ², so that a zero (or a bias² estimate below 0) still shows on a log axis."""
    return np.maximum(values, LOG_FLOOR * noise_var)


def _symbols(values: np.ndarray, noise_var: float) -> list[str]:
    """A downward triangle where a value was lifted to the floor: "this small or smaller"."""
    return ["triangle-down" if v <= LOG_FLOOR * noise_var else "circle" for v in values]


# ----------------------------------------------------------------------------- one fit


def fit_figure(fit: PolyFit) -> go.Figure:
    """Training and validation points, the true curve and the fitted polynomial."""
    pad = 3 * fit.noise + 0.3
    traces = [
        dict(type="scatter", x=fit.x_val, y=fit.y_val, mode="markers", name="Validation points",
             marker=dict(color=ORANGE, size=5, opacity=0.45), hovertemplate="validation (%{x:.3f}, %{y:.3f})"
             "<extra></extra>"),
        dict(type="scatter", x=fit.x_train, y=fit.y_train, mode="markers", name="Training points",
             marker=dict(color=BLUE, size=8, line=dict(width=1, color="white")),
             hovertemplate="training (%{x:.3f}, %{y:.3f})<extra></extra>"),
        dict(type="scatter", x=fit.x_grid, y=fit.y_true, mode="lines", name="True function f",
             line=dict(color=GREEN, width=2, dash="dash"), hoverinfo="skip"),
        dict(type="scatter", x=fit.x_grid, y=fit.y_fit, mode="lines", name=f"Degree-{fit.degree} fit",
             line=dict(color=VERMILLION, width=3), hovertemplate="model at %{x:.3f}: %{y:.3f}<extra></extra>"),
    ]
    return figure(
        traces,
        height=340,
        xaxis=dict(range=[0, 1], title=dict(text="x")),
        yaxis=dict(range=[float(fit.y_true.min()) - pad, float(fit.y_true.max()) + pad], title=dict(text="y")),
    )


def describe_fit(fit: PolyFit) -> str:
    title = DIAGNOSES[fit.diagnosis].title.lower()
    return (
        f"A degree-{fit.degree} polynomial fitted to {fit.n_train} points has training MSE {num(fit.train_mse)} and "
        f"validation MSE {num(fit.val_mse)} against a noise floor σ² of {num(fit.noise_var)}: {title}."
    )


def describe_errors(fit: PolyFit) -> str:
    """The diagnosis panel's line of numbers."""
    return (f"Training MSE {num(fit.train_mse)} · validation MSE {num(fit.val_mse)} · noise floor σ² "
            f"{num(fit.noise_var)} · gap {num(fit.val_mse - fit.train_mse)}")


def sweep_figure(fit: PolyFit) -> go.Figure:
    """Training and validation MSE of every degree on this one sample, the chosen degree marked."""
    nv = fit.noise_var
    hover = "degree %{x}: %{customdata:.3g}<extra>%{fullData.name}</extra>"
    traces = [
        dict(type="scatter", x=fit.degrees, y=_shown(fit.train_by_degree, nv), customdata=fit.train_by_degree,
             mode="lines+markers", name="Training MSE", line=dict(color=BLUE), hovertemplate=hover,
             marker=dict(symbol=_symbols(fit.train_by_degree, nv), size=8)),
        dict(type="scatter", x=fit.degrees, y=_shown(fit.val_by_degree, nv), customdata=fit.val_by_degree,
             mode="lines+markers", name="Validation MSE", line=dict(color=ORANGE), hovertemplate=hover),
    ]
    floor, note = _noise_line(nv)
    here = dict(type="line", xref="x", x0=fit.degree, x1=fit.degree, yref="y domain", y0=0, y1=1,
                line=dict(color=VERMILLION, dash="dot", width=2))
    both = np.concatenate([fit.train_by_degree, fit.val_by_degree])
    return figure(
        traces,
        height=300,
        shapes=[floor, here],
        annotations=[note],
        xaxis=dict(title=dict(text="polynomial degree"), dtick=1, range=[0.5, fit.degrees[-1] + 0.5]),
        yaxis=log_axis(*_log_range(nv, both), title=dict(text="MSE (log scale)")),
    )


def describe_sweep(fit: PolyFit) -> str:
    tr, va = fit.train_by_degree, fit.val_by_degree
    best = fit.best_degree
    return (
        f"On this sample, training MSE falls from {num(tr[0])} at degree 1 to {num(tr[-1])} at degree "
        f"{fit.degrees[-1]}; validation MSE is lowest at degree {best} ({num(va[best - 1])}) and reaches "
        f"{num(va[-1])} at degree {fit.degrees[-1]}."
    )


# ----------------------------------------------------------------------------- bias and variance


def bias_variance_figure(bv: BiasVariance) -> go.Figure:
    """Bias², variance, σ², their sum and the directly measured test error against degree."""
    nv = bv.noise_var
    d = bv.degrees

    def line(y, name, color, dash="solid", mode="lines+markers", width=2):
        return dict(type="scatter", x=d, y=_shown(y, nv), customdata=y, name=name, mode=mode,
                    line=dict(color=color, dash=dash, width=width), marker=dict(symbol=_symbols(y, nv), size=7),
                    hovertemplate="degree %{x}: %{customdata:.3g}<extra>%{fullData.name}</extra>")

    traces = [
        line(bv.bias2, "Bias²", PURPLE),
        line(bv.variance, "Variance", SKY),
        line(bv.total, "Bias² + variance + σ²", VERMILLION, dash="dash", mode="lines", width=3),
        dict(line(bv.expected, "Measured test MSE", ORANGE, mode="markers"),
             marker=dict(size=10, symbol="circle-open", line=dict(width=2))),
        line(bv.train_mse, "Training MSE", BLUE, dash="dot"),
    ]
    floor, note = _noise_line(nv, "noise σ²")
    best = bv.best_degree
    mark = dict(type="line", xref="x", x0=best, x1=best, yref="y domain", y0=0, y1=1,
                line=dict(color=GREEN, dash="dot", width=2))
    best_note = dict(text=f"lowest test MSE: degree {best}", xref="x", x=best, yref="y domain", y=1,
                     yanchor="bottom", showarrow=False, font=dict(size=11))
    values = np.concatenate([bv.bias2, bv.variance, bv.expected, bv.train_mse])
    return figure(
        traces,
        height=380,
        legend=dict(y=1.08),
        margin=dict(t=70),
        shapes=[floor, mark],
        annotations=[note, best_note],
        xaxis=dict(title=dict(text="polynomial degree"), dtick=1, range=[d[0] - 0.5, d[-1] + 0.5]),
        yaxis=log_axis(*_log_range(nv, values), title=dict(text="mean squared error (log scale)")),
    )


def describe_bias_variance(bv: BiasVariance) -> str:
    i = int(np.argmin(bv.expected))
    worst = float(np.max(np.abs(bv.total / bv.expected - 1)) * 100)
    return (
        f"Over {bv.n_sets} training sets the measured test MSE is lowest at degree {bv.degrees[i]} "
        f"({num(bv.expected[i])}; σ² = {num(bv.noise_var)}), where bias² is {num(bv.bias2[i])} and variance "
        f"{num(bv.variance[i])}; bias² + variance + σ² matches the measured error to within {worst:.1f}% at "
        f"every degree."
    )


# ----------------------------------------------------------------------------- learning curves


def learning_curve_figure(lc: LearningCurve, n_train: int | None = None) -> go.Figure:
    """Median training and validation MSE against training-set size, with interquartile bands."""
    nv = lc.noise_var
    traces = []
    for which, name, color, rgba in (("train", "Training", BLUE, "rgba(0,114,178,0.15)"),
                                     ("val", "Validation", ORANGE, "rgba(230,159,0,0.18)")):
        q = _shown(lc.quartiles(which), nv)
        med = lc.train_median if which == "train" else lc.val_median
        traces += [
            dict(type="scatter", x=lc.sizes, y=q[1], mode="lines", line=dict(width=0), hoverinfo="skip",
                 showlegend=False, legendgroup=which),
            dict(type="scatter", x=lc.sizes, y=q[0], mode="lines", line=dict(width=0), fill="tonexty",
                 fillcolor=rgba, hoverinfo="skip", showlegend=False, legendgroup=which),
            dict(type="scatter", x=lc.sizes, y=_shown(med, nv), customdata=med, mode="lines+markers",
                 name=f"{name} MSE (median)", line=dict(color=color, width=2), legendgroup=which,
                 marker=dict(symbol=_symbols(med, nv), size=7),
                 hovertemplate=f"{name}, %{{x}} points: %{{customdata:.3g}}<extra></extra>"),
        ]
    floor, note = _noise_line(nv)
    shapes, notes = [floor], [note]
    threshold = lc.degree + 1
    if lc.sizes[0] <= threshold <= lc.sizes[-1]:
        shapes.append(dict(type="line", xref="x", x0=threshold, x1=threshold, yref="y domain", y0=0, y1=1,
                           line=dict(color=GREY, dash="dot")))
        notes.append(dict(text=f"n = d + 1 = {threshold}", xref="x", x=math.log10(threshold), yref="y domain",
                          y=1, yanchor="bottom", showarrow=False, font=dict(size=11)))
    if n_train is not None:
        shapes.append(dict(type="line", xref="x", x0=n_train, x1=n_train, yref="y domain", y0=0, y1=1,
                           line=dict(color=VERMILLION, dash="dot", width=2)))
    both = np.concatenate([lc.train_median, lc.val_median])
    return figure(
        traces,
        height=340,
        shapes=shapes,
        annotations=notes,
        xaxis=log_axis(math.log10(lc.sizes[0]) - 0.05, math.log10(lc.sizes[-1]) + 0.05,
                        title=dict(text="training-set size (points, log scale)")),
        yaxis=log_axis(*_log_range(nv, both), title=dict(text="MSE (log scale)")),
    )


def describe_learning_curve(lc: LearningCurve, n_train: int | None = None) -> str:
    tr, va = lc.train_median, lc.val_median
    return (
        f"For degree {lc.degree}, the median validation MSE falls from {num(va[0])} at {lc.sizes[0]} points to "
        f"{num(va[-1])} at {lc.sizes[-1]}, while training MSE rises from {num(tr[0])} to {num(tr[-1])}; the noise "
        f"floor is {num(lc.noise_var)}."
    )


# ----------------------------------------------------------------------------- memorization


def memorize_figure(m: Memorize) -> go.Figure:
    """Loss (log scale) and batch accuracy per step, healthy against changed."""
    steps = np.arange(m.steps + 1)
    traces = []
    for run, name, color in ((m.healthy, "Healthy", BLUE), (m.broken, _short(m.bug), VERMILLION)):
        traces += [
            dict(type="scatter", x=steps, y=np.maximum(run.loss, 1e-6), mode="lines", name=name,
                 line=dict(color=color, width=2), legendgroup=name, customdata=run.loss,
                 hovertemplate=f"{name}, step %{{x}}: loss %{{customdata:.3g}}<extra></extra>"),
            dict(type="scatter", x=steps, y=run.accuracy * 100, mode="lines", name=name, showlegend=False,
                 line=dict(color=color, width=2), legendgroup=name, xaxis="x2", yaxis="y2",
                 hovertemplate=f"{name}, step %{{x}}: %{{y:.0f}}% right<extra></extra>"),
        ]
    pass_line = dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=PASS_LOSS, y1=PASS_LOSS,
                     line=dict(color=GREEN, dash="dot"))
    notes = [
        subplot_title("Cross-entropy on the batch (log scale)", 0.24),
        subplot_title("Batch accuracy (%)", 0.79),
        dict(text=f"memorized below {PASS_LOSS:g}", xref="x domain", x=1, yref="y", y=math.log10(PASS_LOSS),
             xanchor="right", yanchor="top", showarrow=False, font=dict(size=11)),
    ]
    shapes = [pass_line]
    if m.floor > 0:
        shapes.append(dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=m.floor, y1=m.floor,
                           line=dict(color=GREY, dash="dash")))
        notes.append(dict(text=f"floor log(1 + 9/e) = {m.floor:.3f}", xref="x domain", x=1, yref="y",
                          y=math.log10(m.floor), xanchor="right", yanchor="bottom", showarrow=False,
                          font=dict(size=11)))
    return figure(
        traces,
        height=320,
        legend=dict(y=1.12),
        margin=dict(t=60),
        shapes=shapes,
        annotations=notes,
        xaxis=dict(domain=[0, 0.48], title=dict(text="step")),
        yaxis=log_axis(*_loss_range(m), title=dict(text="loss (nats)")),
        xaxis2=dict(domain=[0.58, 1], anchor="y2", title=dict(text="step")),
        yaxis2=dict(anchor="x2", range=[0, 102]),
    )


#: What the second run changed, as a legend entry and as the end of "with …".
CHANGED = {"softmax": "softmax before the loss", "lr": "a 1000× smaller learning rate", "shuffled": "shuffled labels"}


def _loss_range(m: Memorize) -> tuple[float, float]:
    losses = np.maximum(np.concatenate([m.healthy.loss, m.broken.loss]), 1e-6)
    return math.log10(min(losses.min(), PASS_LOSS)) - 0.1, math.log10(losses.max()) + 0.1


def _short(bug: str) -> str:
    return CHANGED[bug][0].upper() + CHANGED[bug][1:]


def describe_memorize(m: Memorize) -> str:
    def state(run) -> str:
        verdict = "memorizes" if run.passed else "does not memorize"
        return f"{verdict} them (loss {num(run.loss[-1])}, {run.accuracy[-1]:.0%} right)"

    floor = f"; that run can never go below {m.floor:.3f}" if m.floor > 0 else ""
    return (
        f"After {m.steps} Adam steps on {m.batch} digits, the healthy network {state(m.healthy)}; "
        f"with {CHANGED[m.bug]} it {state(m.broken)}{floor}."
    )


# ----------------------------------------------------------------------------- learning curve on a table


def table_curve_figure(tc: TableCurve) -> go.Figure:
    """Mean training and validation error over the folds against training-set size, with the folds' range."""
    traces = []
    for which, name, color, rgba in (("train", "Training", BLUE, "rgba(0,114,178,0.15)"),
                                     ("val", "Validation", ORANGE, "rgba(230,159,0,0.18)")):
        runs = tc.train if which == "train" else tc.val
        mean = tc.train_mean if which == "train" else tc.val_mean
        traces += [
            dict(type="scatter", x=tc.sizes, y=np.nanmax(runs, axis=1), mode="lines", line=dict(width=0),
                 hoverinfo="skip", showlegend=False, legendgroup=which),
            dict(type="scatter", x=tc.sizes, y=np.nanmin(runs, axis=1), mode="lines", line=dict(width=0),
                 fill="tonexty", fillcolor=rgba, hoverinfo="skip", showlegend=False, legendgroup=which),
            dict(type="scatter", x=tc.sizes, y=mean, mode="lines+markers", name=f"{name} (mean over folds)",
                 line=dict(color=color, width=2), legendgroup=which,
                 hovertemplate=f"{name}, %{{x}} rows: %{{y:.3g}}<extra></extra>"),
        ]
    short = "Error rate" if tc.metric == "error rate" else "MSE (standardized target)"
    return figure(traces, xaxis=dict(title="Training-set size (rows)", type="log"),
                  yaxis=dict(title=short, rangemode="tozero"), legend=dict(orientation="h", y=1.12), height=380)


def describe_table_curve(tc: TableCurve) -> str:
    tr, va = tc.train_mean, tc.val_mean
    gap = va[-1] - tr[-1]
    return (f"{tc.name}: validation {tc.metric} falls from {num(va[0])} at {tc.sizes[0]:,} rows to {num(va[-1])} "
            f"at {tc.sizes[-1]:,}; training {tc.metric} is {num(tr[-1])} there, a gap of {num(gap)} "
            f"(mean of {tc.train.shape[1]} {FOLDS[tc.folds]}, {tc.n_rows:,} rows).")


FOLDS = {"shuffled": "shuffled folds", "groups": "group folds", "time": "time-ordered folds"}
