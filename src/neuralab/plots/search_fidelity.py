"""Figures for /hyperparameter-search's multi-fidelity part: pruned learning curves, cost, samplers, importances.

The study-at-a-glance charts are Optuna's own (``optuna.visualization``): they are drawn on a
fresh in-memory study holding the search's trials, then given the lab's template so they
read on both themes.
"""

from __future__ import annotations

import math

import numpy as np
import optuna
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, PURPLE, SKY, TEMPLATE, VERMILLION, figure, subplot_title
from neuralab.search.fidelity import PRUNERS, SAMPLERS, Arm, Fidelity, Samplers

__all__ = ["contour_figure", "cost_figure", "curves_figure", "describe_contour", "describe_cost", "describe_curves",
           "describe_importance", "describe_parallel", "describe_samplers", "describe_slice", "importance_figure",
           "parallel_figure", "rows", "samplers_figure", "slice_figure"]

ARM_COLORS = {"none": PURPLE, "median": BLUE, "asha": ORANGE, "hyperband": GREEN}
SAMPLER_COLORS = {"tpe": BLUE, "tpe-independent": SKY, "random": GREY}
STATE = optuna.trial.TrialState
GAP = 0.04  # paper width between side-by-side panels
SCALE = "Viridis"  # for Optuna's charts
TARGET = "log10 val loss"


def _columns(n: int) -> list[tuple[float, float]]:
    w = (1 - GAP * (n - 1)) / n
    return [(k * (w + GAP), k * (w + GAP) + w) for k in range(n)]


# ------------------------------------------------------------------------------------------------ pruners


def _epochs(n: float) -> str:
    return f"{n:g} epoch" + ("" if n == 1 else "s")


def curves_figure(f: Fidelity) -> go.Figure:
    """Every trial's validation loss per epoch, one panel per pruner; an × where a pruner stopped it."""
    arms = f.pruners.arms
    data, layout = [], {}
    hi = max((float(np.nanmax(c[1])) for a in arms for c in a.curves() if len(c[1])), default=1.0)
    lo = min((float(np.nanmin(c[1])) for a in arms for c in a.curves() if len(c[1])), default=0.1)
    for k, (arm, (x0, x1)) in enumerate(zip(arms, _columns(len(arms)), strict=True)):
        ax = "" if k == 0 else str(k + 1)
        for t, (steps, losses) in zip(arm.trials, arm.curves(), strict=True):
            stopped = t.state == STATE.PRUNED
            color = VERMILLION if t.state == STATE.FAIL else (GREY if stopped else ARM_COLORS[arm.pruner])
            data.append(dict(type="scatter", x=steps, y=losses, mode="lines", xaxis=f"x{ax}", yaxis=f"y{ax}",
                             line=dict(color=color, width=1 if stopped else 1.6), opacity=0.55 if stopped else 0.9,
                             showlegend=False, hovertemplate=f"trial {t.number}, epoch %{{x}}: val loss "
                                                              f"%{{y:.4g}}<extra>{t.state.name.lower()}</extra>"))
        ends = [(c[0][-1], c[1][-1]) for t, c in zip(arm.trials, arm.curves(), strict=True)
                if t.state == STATE.PRUNED and len(c[0])]
        if ends:
            data.append(dict(type="scatter", x=[e[0] for e in ends], y=[e[1] for e in ends], mode="markers",
                             xaxis=f"x{ax}", yaxis=f"y{ax}", name="stopped by the pruner", showlegend=k == 1,
                             marker=dict(symbol="x", size=7, color=VERMILLION), hoverinfo="skip"))
        layout[f"xaxis{ax}"] = dict(domain=[x0, x1], title=dict(text="epoch"), anchor=f"y{ax}",
                                    range=[0.5, f.pruners.epochs + 0.5])
        layout[f"yaxis{ax}"] = dict(type="log", anchor=f"x{ax}", range=[math.log10(lo) - 0.05, math.log10(hi) + 0.05],
                                    title=dict(text="validation loss") if k == 0 else None, showticklabels=k == 0)
        layout.setdefault("annotations", []).append(
            subplot_title(f"{PRUNERS[arm.pruner]}: {arm.total} epochs", (x0 + x1) / 2))
    return figure(data, height=360, **layout, margin=dict(l=56, r=16, t=76, b=44),
                  legend=dict(x=1, xanchor="right", y=1.2, yanchor="bottom", orientation="h"))


def describe_curves(f: Fidelity) -> str:
    pr = f.pruners
    parts = []
    for arm in pr.arms[1:]:
        stopped = arm.states(STATE.PRUNED)
        at = np.median(arm.spent[stopped]) if stopped.any() else math.nan
        parts.append(f"{PRUNERS[arm.pruner]} stopped {int(stopped.sum())} of {pr.trials}"
                     + (f" (median after {_epochs(at)})" if stopped.any() else ""))
    failed = sum(int(a.states(STATE.FAIL).sum()) for a in pr.arms)
    return (f"The same TPE search (seed {pr.seed}) of {pr.trials} trials, at most {pr.epochs} epochs each, on "
            f"{pr.dataset}: " + "; ".join(parts)
            + f". {failed} trials failed across the four searches (diverged or non-finite loss; red lines).")


def cost_figure(f: Fidelity) -> go.Figure:
    """Best final validation loss so far against the epochs spent so far, one line per arm; the common target."""
    pr = f.pruners
    data = []
    for arm in pr.arms:
        x = np.cumsum(arm.spent)
        data.append(dict(type="scatter", x=x, y=arm.best_so_far, mode="lines+markers", name=PRUNERS[arm.pruner],
                         line=dict(color=ARM_COLORS[arm.pruner], shape="hv", width=2), marker=dict(size=4),
                         hovertemplate=f"{PRUNERS[arm.pruner]}: %{{x}} epochs, best %{{y:.4g}}<extra></extra>"))
        need = arm.epochs_to(pr.target)
        if math.isfinite(need):
            data.append(dict(type="scatter", x=[need], y=[pr.target], mode="markers", showlegend=False,
                             marker=dict(size=11, symbol="circle-open", color=ARM_COLORS[arm.pruner],
                                         line=dict(width=2)),
                             hovertemplate=f"{PRUNERS[arm.pruner]} reaches the target after {need:g} "
                                           "epochs<extra></extra>"))
    top = max(a.total for a in pr.arms)
    data.append(dict(type="scatter", x=[0, top], y=[pr.target, pr.target], mode="lines", name="target (every search "
                     "reached it)", line=dict(color=GREY, dash="dot", width=1.5), hoverinfo="skip"))
    return figure(data, height=340, xaxis=dict(title=dict(text="epochs spent (all trials so far)"), rangemode="tozero"),
                  yaxis=dict(title=dict(text="best validation loss so far"), type="log"))


def describe_cost(f: Fidelity) -> str:
    pr = f.pruners
    need, speed, saving = pr.epochs_to_target(), pr.speedup(), pr.saving()
    said = "; ".join(f"{PRUNERS[a.pruner]} {need[k]:g} ({speed[k]:.2g}×)" for k, a in enumerate(pr.arms[1:], 1))
    return (f"Target: validation loss {pr.target:.4g}, the best final loss every search reached. Without pruning the "
            f"search needed {need[0]:g} epochs to get there; " + said + ". Over the whole run, "
            "the unpruned search spent "
            + ", ".join(f"{saving[k]:.2g}× the epochs of {PRUNERS[a.pruner]}"
                        for k, a in enumerate(pr.arms[1:], 1))
            + f". No pruner could save more than {pr.epochs}×: every trial trains at least one of its {pr.epochs} "
            "epochs. One seed: each figure is one sample, and after the first pruning decision the searches try "
            "different points.")


def rows(f: Fidelity) -> list[list[str]]:
    """The table: one row per arm."""
    pr = f.pruners
    need, speed, same = pr.epochs_to_target(), pr.speedup(), pr.unpruned_within()
    out = []
    for k, a in enumerate(pr.arms):
        out.append([PRUNERS[a.pruner], str(int(a.states(STATE.COMPLETE).sum())), str(int(a.states(STATE.PRUNED).sum())),
                    str(int(a.states(STATE.FAIL).sum())), str(a.total), f"{a.best:.4g}",
                    f"{same[k]:.4g}" if math.isfinite(same[k]) else "none finished",
                    f"{need[k]:g}" if math.isfinite(need[k]) else "not reached",
                    f"{speed[k]:.2g}×" if math.isfinite(speed[k]) else "–"])
    return out


# ------------------------------------------------------------------------------------------------ samplers


def samplers_figure(f: Fidelity) -> go.Figure:
    """Left: best final validation loss so far against trials. Right: trials per (depth, optimizer), per sampler."""
    sa: Samplers = f.samplers
    (a0, a1), (b0, b1) = (0.0, 0.46), (0.56, 1.0)
    data = []
    for arm in sa.arms:
        c = SAMPLER_COLORS[arm.sampler]
        data.append(dict(type="scatter", x=np.arange(1, len(arm.trials) + 1), y=arm.best_so_far, mode="lines",
                         name=SAMPLERS[arm.sampler], legendgroup=arm.sampler, line=dict(color=c, shape="hv", width=2),
                         hovertemplate=f"{SAMPLERS[arm.sampler]}: after %{{x}} trials, best %{{y:.4g}}<extra></extra>"))
        explored = sa.explored(arm)
        data.append(dict(type="bar", x=[f"{d} · {o}" for d, o in explored], y=list(explored.values()),
                         name=SAMPLERS[arm.sampler], legendgroup=arm.sampler, showlegend=False, marker=dict(color=c),
                         xaxis="x2", yaxis="y2",
                         hovertemplate=f"{SAMPLERS[arm.sampler]}: %{{y}} trials at depth · optimizer "
                                       "%{x}<extra></extra>"))
    return figure(data, height=340, barmode="group",
                  xaxis=dict(domain=[a0, a1], title=dict(text="trial")),
                  yaxis=dict(title=dict(text="best validation loss so far"), type="log"),
                  xaxis2=dict(domain=[b0, b1], anchor="y2", title=dict(text="depth · optimizer")),
                  yaxis2=dict(anchor="x2", title=dict(text="trials")),
                  margin=dict(l=56, r=16, t=56, b=56))


def describe_samplers(f: Fidelity) -> str:
    sa = f.samplers
    parts = []
    for arm in sa.arms:
        ex = sa.explored(arm)
        sgd = sum(v for (_, o), v in ex.items() if o == "sgd")
        deep = max(ex, key=ex.get)
        parts.append(f"{SAMPLERS[arm.sampler]} reached {arm.best:.4g} and drew SGD in {sgd} of {sa.trials} trials "
                     f"(most often depth {deep[0]} with {deep[1].upper() if deep[1] == 'sgd' else 'Adam'})")
    return f"One seed ({sa.seed}), {sa.trials} trials each, no pruning: " + "; ".join(parts) + "."


# ------------------------------------------------------------------------------------------------ importances


def importance_figure(f: Fidelity) -> go.Figure:
    imp = f.importances
    names = list(imp.params)[::-1]  # most important on top
    data = [dict(type="bar", orientation="h", y=names, x=vals[::-1], name=name, marker=dict(color=c),
                 hovertemplate=f"{name}: %{{y}} %{{x:.1%}}<extra></extra>")
            for name, vals, c in (("fANOVA", imp.fanova, BLUE), ("mean decrease in impurity", imp.mdi, ORANGE))]
    return figure(data, height=300, barmode="group",
                  xaxis=dict(title=dict(text="importance (normalised to 100 %)"), tickformat=".0%"),
                  yaxis=dict(automargin=True), margin=dict(l=100, r=16, t=40, b=44))


def describe_importance(f: Fidelity) -> str:
    imp = f.importances
    top_f, top_m = imp.params[0], imp.params[int(np.argmax(imp.mdi))]
    agree = "agree on" if top_f == top_m else "disagree about"
    return (f"Both forests are fitted on the {imp.n_trials} complete trials of the unpruned TPE search. The two "
            f"methods {agree} the most important parameter: fANOVA names {top_f} ({imp.fanova[0]:.0%}), the impurity "
            f"measure {top_m} ({imp.mdi.max():.0%}). With {imp.n_trials} trials, re-run with another seed before "
            "trusting a ranking.")


# ------------------------------------------------------------------------------------------------ optuna.visualization


def _restyle(fig: go.Figure, height: int) -> go.Figure:
    """Optuna's figure in the lab's template: transparent backgrounds, our font, a colour scale for both themes.

    Optuna's blues vanish on a dark page; Viridis (reversed by Optuna for a minimized value,
    so the best trials are bright) reads on both.
    """
    fig.update_layout(template=TEMPLATE, height=height, paper_bgcolor="rgba(0,0,0,0)",
                      plot_bgcolor="rgba(0,0,0,0)", title=None)
    lines = []  # Optuna draws parallel coordinates as one scatter line per trial, coloured from its own scale
    for trace in fig.data:
        if trace.type == "contour":
            trace.colorscale = SCALE
        elif trace.type == "scatter" and trace.marker.colorscale is not None:
            trace.marker.colorscale = SCALE
        elif trace.type == "scatter" and trace.mode == "lines" and trace.customdata is not None:
            if trace.customdata[0][0] == TARGET:
                lines.append(trace)
    if lines:
        values = np.array([float(t.customdata[0][1]) for t in lines])
        span = float(np.ptp(values)) or 1.0
        for trace, v in zip(lines, values, strict=True):  # low loss bright, as on the reversed colour bar
            trace.line.color = sample_colorscale(SCALE, [1 - (v - values.min()) / span])[0]
    return fig


def _log_loss(t: optuna.trial.FrozenTrial) -> float:
    """The charts' target: log10 of the final validation loss, so one blown-up trial does not flatten the rest."""
    return math.log10(t.value)


def _arm(f: Fidelity) -> Arm:
    return f.pruners.arms[0]


def parallel_figure(f: Fidelity) -> go.Figure:
    fig = _optuna(f, optuna.visualization.plot_parallel_coordinate, None, 420)
    return fig.update_layout(margin=dict(l=56, r=16, t=40, b=110))  # room for Optuna's slanted axis names


def describe_parallel(f: Fidelity) -> str:
    n = int(_arm(f).states(STATE.COMPLETE).sum())
    return (f"Optuna's parallel coordinates for the {n} complete trials of the unpruned search: each line is a trial, "
            "its colour the final validation loss (log10). A parameter a trial does not have (a width beyond its "
            "depth, momentum under Adam) is drawn at its own tick.")


def _optuna(f: Fidelity, plot, top: int | None, height: int) -> go.Figure:
    """``plot`` (an ``optuna.visualization`` function) on the unpruned search: the ``top`` most important parameters."""
    params = None if top is None else list(f.importances.params[:top])
    return _restyle(plot(_arm(f).study(), params=params, target=_log_loss, target_name=TARGET), height)


def slice_figure(f: Fidelity) -> go.Figure:
    fig = _optuna(f, optuna.visualization.plot_slice, 4, 340)
    return fig.update_layout(margin=dict(l=56, r=40, t=40, b=56))  # the last panel's tick labels stay inside


def describe_slice(f: Fidelity) -> str:
    names = ", ".join(f.importances.params[:4])
    return (f"Optuna's slice plot of the four most important parameters by fANOVA ({names}): final validation "
            "loss (log10) against each value, colour the trial number.")


def contour_figure(f: Fidelity) -> go.Figure:
    return _optuna(f, optuna.visualization.plot_contour, 2, 380)


def describe_contour(f: Fidelity) -> str:
    a, b = f.importances.params[:2]
    return (f"Optuna's contour of the final validation loss (log10) over the two most important parameters, {a} "
            f"and {b}, interpolated between the trials (the dots): read it near the dots only.")


