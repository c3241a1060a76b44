"""Figures for /transfer-learning: accuracy against labelled digits per strategy, few-shot episodes."""

from __future__ import annotations

import plotly.graph_objects as go

from neuralab.plots.format import pct
from neuralab.plots.theme import BLUE, GREY, ORANGE, VERMILLION, figure
from neuralab.train.transfer import METHODS, SHOTS, STRATEGIES, FewShot, Transfer

__all__ = ["describe_few_shot", "describe_transfer", "few_shot_figure", "size_label", "transfer_figure"]

COLORS = {"scratch": GREY, "freeze": BLUE, "finetune": ORANGE,
          "proto": BLUE, "proto_random": GREY, "pixels": VERMILLION, "grey": ORANGE}
SYMBOLS = {"scratch": "square", "freeze": "circle", "finetune": "diamond"}
OFFSET = {"scratch": -0.09, "freeze": 0.0, "finetune": 0.09}
LEGEND = dict(orientation="h", y=1.02, yanchor="bottom", x=0)
MARGIN = dict(l=64, r=16, t=60, b=56)


def size_label(n: int, n_all: float) -> str:
    return f"all (≈{n_all:.0f})" if n == 0 else str(n)


def _pm(mean: float, std: float, seeds: int) -> str:
    return pct(mean) if seeds < 2 else f"{pct(mean)} ± {100 * std:.1f}"


def transfer_figure(t: Transfer) -> go.Figure:
    """Mean test accuracy on the digits 5–9 against labelled digits per class; error bars one std over seeds."""
    data = []
    for s, label in STRATEGIES.items():
        m, sd = t.mean(s), t.std(s)
        data.append(dict(
            type="scatter", x=[i + OFFSET[s] for i in range(len(t.sizes))], y=list(100 * m), name=label,
            mode="lines+markers", line=dict(color=COLORS[s], width=2.5),
            marker=dict(size=9, symbol=SYMBOLS[s]),
            error_y=dict(type="data", array=list(100 * sd), visible=len(t.seeds) > 1, thickness=1.5, width=5),
            customdata=[size_label(n, t.n_all) for n in t.sizes],
            hovertemplate=f"{label}, %{{customdata}} per class: %{{y:.1f}} %<extra></extra>"))
    ticks = [size_label(n, t.n_all) for n in t.sizes]
    low = min(float((t.mean(s) - t.std(s)).min()) for s in STRATEGIES)
    return figure(data, height=380, legend=LEGEND, margin=MARGIN,
                  xaxis=dict(title=dict(text="labelled digits per class (5–9)"), tickvals=list(range(len(ticks))),
                             ticktext=ticks, range=[-0.4, len(ticks) - 0.6], zeroline=False),
                  yaxis=dict(title=dict(text="test accuracy on digits 5–9 (%)"),
                             range=[max(0.0, 100 * low - 5), 100.5]))


SHORT = {"scratch": "training from scratch", "freeze": "the frozen body", "finetune": "fine-tuning"}


def describe_transfer(t: Transfer) -> str:
    """The winner at the fewest labels and by how much (and whether the seeds can tell), then with every label."""
    n = len(t.seeds)
    best, second, margin = t.winner(0)
    best_all, second_all, margin_all = t.winner(len(t.sizes) - 1)
    spread = float(t.diff_std(best, second)[0])  # paired: within a seed both share digits, read-out and batches
    scores = "; ".join(f"{SHORT[s]} {_pm(t.mean(s)[0], t.std(s)[0], n)}" for s in STRATEGIES)
    text = (f"With {t.sizes[0]} labelled digits per class ({5 * t.sizes[0]} in all), mean ± std over {n} "
            f"seed{'s' if n > 1 else ''}: {scores}. The winner is {SHORT[best]}, {100 * margin:.1f} points ahead of "
            f"{SHORT[second]}")
    if n > 1 and margin <= spread:
        text += (f", within one std of the per-seed difference ({100 * spread:.1f} points): at this number of seeds "
                 "the two are level")
    elif n == 1:
        text += " (one seed: no spread to compare the margin with)"
    if best != "scratch":
        gain = float(t.mean(best)[0] - t.mean("scratch")[0])
        text += (f"; it is {100 * gain:.1f} points ahead of training from scratch"
                 + (f" (per-seed difference std {100 * float(t.diff_std(best, 'scratch')[0]):.1f})" if n > 1 else ""))
    return (text + f". With all ≈{t.n_all:.0f} per class the best is {SHORT[best_all]}, {100 * margin_all:.1f} points "
            f"ahead of {SHORT[second_all]}. The pre-trained networks score {pct(float(t.source_acc.mean()))} on the "
            f"test digits 0–4 they learned; fine-tuning ran the body at {t.ratio:g} × the read-out's rate; accuracy "
            f"on {t.n_test} test digits 5–9.")


SHIFT = {"proto": -0.18, "proto_random": -0.06, "pixels": 0.06, "grey": 0.18}
MARKS = {"proto": "circle", "proto_random": "square", "pixels": "diamond", "grey": "triangle-up"}


def few_shot_figure(f: FewShot) -> go.Figure:
    """Mean episode accuracy per method, 1-shot and 5-shot; error bars one std over episodes."""
    data = []
    for m, label in METHODS.items():
        r = [f.get(m, k) for k in SHOTS]
        data.append(dict(type="scatter", mode="markers", x=[i + SHIFT[m] for i in range(len(SHOTS))],
                         y=[100 * e.mean for e in r], name=label, marker=dict(color=COLORS[m], size=12,
                                                                                symbol=MARKS[m]),
                         error_y=dict(type="data", array=[100 * e.std for e in r], thickness=2, width=8),
                         customdata=[f"{k}-shot" for k in SHOTS],
                         hovertemplate=f"{label}, %{{customdata}}: %{{y:.1f}} % (± std over episodes)<extra></extra>"))
    shapes = [dict(type="line", xref="paper", x0=0, x1=1, y0=20, y1=20, line=dict(color=GREY, dash="dot", width=1.5))]
    notes = [dict(text="chance: 20%", xref="paper", x=1, xanchor="right", y=20, yanchor="bottom", showarrow=False,
                  font=dict(size=12))]
    return figure(data, height=380, legend=LEGEND, margin=MARGIN, shapes=shapes, annotations=notes,
                  xaxis=dict(title=dict(text="5-way episodes on the digits 5–9"), tickvals=list(range(len(SHOTS))),
                             ticktext=[f"{k}-shot ({k} labelled per class)" for k in SHOTS], range=[-0.5, 1.5],
                             zeroline=False),
                  yaxis=dict(title=dict(text="query accuracy (%)"), range=[0, 100.5]))


def _signed(x: float) -> str:
    return f"{100 * x:+.1f}".replace("-", "−")


def _versus(f: FewShot, k: int, other: str) -> str:
    """'ahead of', 'behind' or 'level with' (within two paired standard errors) for the pre-trained prototypes."""
    diff = f.get("proto", k).mean - f.get(other, k).mean
    if abs(diff) <= 2 * f.diff_se("proto", other, k):
        return "level with"
    return "ahead of" if diff > 0 else "behind"


def describe_few_shot(f: FewShot) -> str:
    """Each method's mean ± std per setting; the pre-trained prototypes against 1-NN on the same standardized
    pixels (the fair baseline) and on the raw grey levels, with paired standard errors."""
    parts = []
    for k in SHOTS:
        p, r, px, g = (f.get(m, k) for m in ("proto", "proto_random", "pixels", "grey"))
        parts.append(
            f"{k}-shot: pre-trained prototypes {pct(p.mean)} ± {100 * p.std:.1f}, {_versus(f, k, 'pixels')} 1-NN on "
            f"the same standardized pixels ({pct(px.mean)} ± {100 * px.std:.1f}, a difference of "
            f"{_signed(p.mean - px.mean)} ± {100 * f.diff_se('proto', 'pixels', k):.1f} points) and "
            f"{_versus(f, k, 'grey')} 1-NN on the raw grey levels ({pct(g.mean)} ± {100 * g.std:.1f}, "
            f"{_signed(p.mean - g.mean)} ± {100 * f.diff_se('proto', 'grey', k):.1f}); prototypes of the untrained "
            f"body {pct(r.mean)} ± {100 * r.std:.1f}")
    return (f"Over {f.episodes} episodes each (5 classes, 15 queries per class, drawn from the {f.pool} digits "
            f"5–9), every method on the same episodes: " + "; ".join(parts) + ". ± after a score is the std over "
            "episodes; ± after a difference is its standard error, paired (the std of the per-episode difference "
            "/ √episodes); 'level' means within two of those standard errors.")
