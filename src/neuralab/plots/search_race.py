"""Figures for /hyperparameter-search's race of samplers and the Gaussian-process surrogate opened up.

The surrogate figure's traces carry ``meta={"series": name}`` and the figure carries a token
in ``layout.meta``: the page's browser-side step slider replaces each series with its value at
step k from :func:`surrogate_data`, with no server round trip.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import num
from neuralab.plots.search_landscape import landscape_axes, landscape_trace, optimum_trace
from neuralab.plots.theme import BLUE, COLORWAY, GREY, ORANGE, PURPLE, VERMILLION, figure, subplot_title
from neuralab.search.landscape import Landscape
from neuralab.search.race import SAMPLERS, THRESHOLDS, Race
from neuralab.search.surrogate import ACQUISITIONS, START, Explored

__all__ = ["describe_race", "describe_regret", "describe_surrogate", "race_rows", "regret_figure",
           "surrogate_data", "surrogate_figure", "trials_figure"]

COLORS = dict(zip(SAMPLERS, COLORWAY, strict=False))
FLOOR = 1e-3  # regret 0 (the best measured cell itself) is drawn here on the log axis


def _reach(value: float, n: int) -> str:
    return f"not within {n}" if math.isinf(value) else f"{value:g}"


def trials_figure(race: Race, ls: Landscape) -> go.Figure:
    """One small map per sampler: its first repeat's trials (seed 0) on the measured landscape."""
    cols, rows = 3, math.ceil(len(race.names) / 3)
    gap_x, gap_y = 0.05, 0.12
    w, h = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
    data, layout, notes = [], {}, []
    axes = landscape_axes(ls)
    for a, name in enumerate(race.names):
        r, c = divmod(a, cols)
        k = "" if a == 0 else str(a + 1)
        x0, y1 = c * (w + gap_x), 1 - r * (h + gap_y)
        layout[f"xaxis{k}"] = {**axes["xaxis"], "domain": [x0, x0 + w], "anchor": f"y{k}",
                               "title": dict(text="weight decay" if r == rows - 1 else "")}
        layout[f"yaxis{k}"] = {**axes["yaxis"], "domain": [max(0.0, y1 - h), y1], "anchor": f"x{k}",
                               "title": dict(text="learning rate" if c == 0 else "")}
        where = dict(xaxis=f"x{k}", yaxis=f"y{k}")
        data.append(landscape_trace(ls, showscale=a == 0, **where))
        data.append({**optimum_trace(ls, **where), "showlegend": a == 0})
        ok = ~np.isnan(race.value[a, 0])  # diverged cells, whether Optuna saw NaN (FAIL) or the baseline loss
        for mask, label, marker in (
            (ok, "trial", dict(size=6, color="white", line=dict(color="black", width=1))),
            (~ok, "diverged trial", dict(size=8, color=VERMILLION, symbol="x")),
        ):
            idx = np.flatnonzero(mask)
            data.append(dict(type="scatter", mode="markers", x=np.log10(race.wd[a, 0, idx]).tolist(),
                             y=np.log10(race.lr[a, 0, idx]).tolist(), marker=marker, name=label,
                             showlegend=a == 0, legendgroup=label, text=[f"trial {i + 1}" for i in idx],
                             hovertemplate=f"{SAMPLERS[name].title}, %{{text}}: lr 10^%{{y:.2f}}, "
                                           "wd 10^%{x:.2f}<extra></extra>", **where))
        notes.append(subplot_title(SAMPLERS[name].title, x0 + w / 2) | dict(y=y1, yref="paper"))
    return figure(data, height=300 * rows + 60, annotations=notes, **layout,
                  legend=dict(x=0, y=1.06, orientation="h", yanchor="bottom", font=dict(color=GREY)),
                  margin=dict(l=60, r=16, t=70, b=50))


def regret_figure(race: Race) -> go.Figure:
    """Median regret of the best trial so far against trial number, with the interquartile range, log y."""
    q = np.maximum(race.quartiles(), FLOOR)
    t = list(range(1, race.trials + 1))
    data = []
    for a, name in enumerate(race.names):
        color, group = COLORS[name], name
        data.append(dict(type="scatter", x=t, y=q[2, a].tolist(), mode="lines", line=dict(width=0),
                         showlegend=False, hoverinfo="skip", legendgroup=group))
        data.append(dict(type="scatter", x=t, y=q[0, a].tolist(), mode="lines", line=dict(width=0), fill="tonexty",
                         fillcolor=_fade(color), showlegend=False, hoverinfo="skip", legendgroup=group))
        data.append(dict(type="scatter", x=t, y=q[1, a].tolist(), mode="lines", name=SAMPLERS[name].title,
                         line=dict(color=color, width=2), legendgroup=group,
                         hovertemplate=f"{SAMPLERS[name].title}, trial %{{x}}: median regret "
                                       "%{y:.3g}<extra></extra>"))
    for level in THRESHOLDS:
        data.append(dict(type="scatter", x=[1, race.trials], y=[level, level], mode="lines", showlegend=False,
                         line=dict(color=GREY, dash="dot", width=1), hoverinfo="skip"))
    return figure(data, height=380, xaxis=dict(title=dict(text="trial"), range=[1, race.trials]),
                  yaxis=dict(title=dict(text="regret of the best so far"), type="log",
                             range=[math.log10(FLOOR) - 0.1, 0.05]),
                  legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                  margin=dict(l=64, r=16, t=50, b=44))


def _fade(hex_color: str, alpha: float = 0.18) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def race_rows(race: Race) -> list[dict[str, str]]:
    """One row per sampler: trials to 1 % and 5 % (median), failed trials, time per suggestion."""
    reach = {level: race.reach(level) for level in THRESHOLDS}
    total = race.repeats * race.trials
    rows = []
    for a, name in enumerate(race.names):
        rows.append({
            "sampler": SAMPLERS[name].title,
            "median trials to regret ≤ 1 %": _reach(reach[0.01][a], race.trials),
            "median trials to regret ≤ 5 %": _reach(reach[0.05][a], race.trials),
            "diverged trials": f"{int(np.isnan(race.value[a]).sum())} of {total}",
            "failed in Optuna": f"{int(race.failed[a].sum())}",
            "ms per trial (median)": f"{1e3 * float(np.median(race.seconds[a])):.2g}",
        })
    return rows


def describe_race(race: Race, ls: Landscape) -> str:
    i, j = ls.best
    near = ls.diverged[max(i - 1, 0):i + 2, max(j - 1, 0):j + 2].any()
    edge = (" The best measured cell borders a diverged one." if near else
            " No cell around the best measured cell diverged.")
    return (f"Seed 0 of {race.repeats} for each sampler, {race.trials} trials each (the grid sampler on "
            f"{race.grid} × {race.grid} cell centres). Crosses are trials whose cell diverged, "
            f"{int(np.isnan(race.value[:, 0]).sum())} in all"
            + (", which Optuna records as failed." if race.diverged == "fail" else
               ", reported to the sampler as the loss of a network that learned nothing.") + edge)


def describe_regret(race: Race) -> str:
    final = np.median(race.regret[:, :, -1], axis=1)
    low, high = final.min(), final.max()

    def who(value: float) -> str:
        return ", ".join(SAMPLERS[n].title for n, f in zip(race.names, final, strict=True) if f == value)

    return (f"Median over {race.repeats} repeats, band from the 25th to the 75th percentile; regret 0 (the "
            f"best measured cell itself) is drawn at {FLOOR:g}. After {race.trials} trials the median regret is "
            f"lowest for {who(low)} ({low:.3g}) and highest for {who(high)} ({high:.3g}).{_cost(race)}")


def _cost(race: Race) -> str:
    """The measured time per trial of the two model-based samplers, when both ran."""
    if not {"tpe", "gp"} <= set(race.names):
        return ""
    ms = {n: 1e3 * float(np.median(race.seconds[race.names.index(n)])) for n in ("tpe", "gp")}
    return (f" Time per trial (median over repeats of each study's mean, the cheap random start-up trials "
            f"included): TPE {ms['tpe']:.2g} ms, Gaussian process {ms['gp']:.2g} ms, almost all of it spent "
            "choosing the point.")


# ----------------------------------------------------------------------------- the surrogate


def _token(e: Explored) -> str:
    return f"{e.truth.dataset}|{e.acquisition}|{e.kappa}|{e.seed}|{len(e.chosen)}"


def _clean(a: np.ndarray) -> list:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(a, float)]


def surrogate_data(e: Explored) -> dict:
    """Every step's series as ``[x, y]`` lists, for the browser-side step slider, and a sentence per step."""
    x = e.x.tolist()
    y = e.truth.loss
    series: dict[str, list] = {k: [] for k in ("upper", "lower", "mean", "lcb", "draw", "observed", "ei", "pick",
                                               "pick_ei")}
    notes = []
    which = list(ACQUISITIONS).index(e.acquisition)
    for k in range(len(e.mean)):
        obs = e.observed(k + 1)
        nxt = e.picks[k, which]
        for key, val in (("upper", e.mean[k] + 2 * e.std[k]), ("lower", e.mean[k] - 2 * e.std[k]),
                         ("mean", e.mean[k]), ("lcb", e.lcb[k]), ("draw", e.draw[k])):
            series[key].append([x, _clean(val)])
        scored = np.where(np.isnan(y), e.truth.baseline, y)
        series["observed"].append([[x[i] for i in obs], _clean(scored[obs])])
        series["ei"].append([x, _clean(e.ei[k])])
        series["pick"].append([[x[nxt], x[nxt]], [float(np.nanmin(scored)), float(np.nanmax(scored))]])
        series["pick_ei"].append([[x[nxt]], [float(e.ei[k, nxt])]])
        notes.append(_step_note(e, k + 1))
    return dict(token=_token(e), steps=len(e.mean), series=series, notes=notes)


def step_note(e: Explored, k: int) -> str:
    """What step ``k`` saw and where its acquisition points next, in one sentence."""
    return _step_note(e, k)


def describe_step(e: Explored, k: int) -> str:
    """The caption of the figure at step ``k``: the step, then the whole search."""
    return f"{_step_note(e, k)} {describe_surrogate(e)}"


def _step_note(e: Explored, k: int) -> str:
    which = list(ACQUISITIONS).index(e.acquisition)
    nxt = int(e.picks[k - 1, which])
    lr = e.truth.lr[nxt]
    again = " (already measured: the search has stalled)" if nxt in set(e.observed(k).tolist()) else ""
    return (f"Step {k}: {START + k - 1} trainings seen, best loss {e.best(k):.4g}; {ACQUISITIONS[e.acquisition]} "
            f"picks lr {num(lr)} next{again}.")


def surrogate_figure(e: Explored, k: int | None = None) -> go.Figure:
    """Top: the measured slice, the GP's mean ± 2σ, the bound μ − κσ and a Thompson draw at step ``k``
    (the last by default). Bottom: expected improvement. The dashed line is the next pick."""
    d = surrogate_data(e)
    k = d["steps"] if k is None else k
    s = {name: v[k - 1] for name, v in d["series"].items()}
    x = e.x.tolist()
    top, bottom = dict(xaxis="x", yaxis="y"), dict(xaxis="x2", yaxis="y2")
    gone = np.flatnonzero(np.isnan(e.truth.loss))

    def line(name, label, style, where=top, **kw):
        return dict(type="scatter", x=s[name][0], y=s[name][1], mode="lines", name=label, meta={"series": name},
                    line=style, **where, **kw)

    data = [
        dict(type="scatter", x=x, y=_clean(e.truth.loss), mode="lines", name="measured (hidden from the search)",
             line=dict(color=GREY, width=1.5), **top),
        dict(type="scatter", x=[x[i] for i in gone], y=[e.truth.baseline] * len(gone), mode="markers",
             name="diverged (scored as learning nothing)", marker=dict(symbol="x", size=6, color=GREY), **top),
        line("upper", "mean ± 2σ", dict(width=0), showlegend=False, hoverinfo="skip"),
        line("lower", "mean ± 2σ", dict(width=0), fill="tonexty", fillcolor="rgba(0,114,178,0.18)"),
        line("mean", "GP mean", dict(color=BLUE, width=2)),
        line("lcb", f"μ − {e.kappa:g}σ", dict(color=PURPLE, width=1.5, dash="dash")),
        line("draw", "Thompson draw", dict(color=ORANGE, width=1.5, dash="dot")),
        dict(type="scatter", x=s["observed"][0], y=s["observed"][1], mode="markers", name="measured so far",
             meta={"series": "observed"}, marker=dict(size=9, color="black", line=dict(color="white", width=1)),
             **top),
        line("pick", "next pick", dict(color=VERMILLION, width=2, dash="dash")),
        line("ei", "expected improvement", dict(color=BLUE, width=2), where=bottom, showlegend=False),
        dict(type="scatter", x=s["pick_ei"][0], y=s["pick_ei"][1], mode="markers", showlegend=False,
             meta={"series": "pick_ei"}, marker=dict(size=10, color=VERMILLION, symbol="diamond"), **bottom),
    ]
    finite = e.truth.loss[np.isfinite(e.truth.loss)]
    lo, hi = float(finite.min()), float(e.truth.baseline)
    ticks = list(range(math.floor(x[0]), math.ceil(x[-1]) + 1))
    tick = dict(tickvals=ticks, ticktext=[f"10<sup>{t}</sup>" for t in ticks], range=[x[0], x[-1]])
    return figure(data, height=520, meta=d["token"],
                  xaxis=dict(**tick, anchor="y", domain=[0, 1], showticklabels=False),
                  yaxis=dict(title=dict(text="validation loss"), domain=[0.36, 1],
                             range=[lo - 0.15 * (hi - lo), hi + 0.15 * (hi - lo)]),
                  xaxis2=dict(**tick, anchor="y2", matches="x", title=dict(text="learning rate")),
                  yaxis2=dict(title=dict(text="EI"), domain=[0, 0.26], rangemode="tozero"),
                  legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                  margin=dict(l=64, r=16, t=60, b=44))


def describe_surrogate(e: Explored) -> str:
    t = e.truth
    best = float(np.nanmin(t.loss))
    return (f"Weight decay fixed at {num(t.wd)}; {len(t.lr)} learning rates, each trained from every seed of the "
            f"landscape, make the grey curve. After {START} spread trainings and {len(e.chosen) - START} chosen by "
            f"{ACQUISITIONS[e.acquisition]}, the best loss found is {e.found:.4g}; the best on the curve is "
            f"{best:.4g}. Last kernel fitted: {e.kernels[-1]}.")
