"""Figures for /explainability: four attribution maps, completeness, the sanity check, the motor's features.

Each ``*_figure`` builder has a ``describe_*`` twin returning the caption, computed from the same result.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.explain.attributions import METHODS
from neuralab.explain.digits import Completeness, Maps, Sanity
from neuralab.explain.motor import BACKGROUND, FEATURES, Importance
from neuralab.plots.cnn_maps import ACTIVE, DIVERGING, INK, grid
from neuralab.plots.format import log_axis, num, vline
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, VERMILLION, figure, subplot_title

__all__ = ["completeness_figure", "describe_completeness", "describe_importance", "describe_maps",
           "describe_sanity", "importance_figure", "maps_figure", "sanity_figure"]

SHORT = {"saliency": "Saliency", "gradient_x_input": "Gradient × input", "integrated_gradients": "Integrated grad.",
         "occlusion": "Occlusion 2×2"}


def _z(a: np.ndarray) -> list:
    return np.round(np.asarray(a, dtype=np.float64), 4).tolist()


def _heat(a: np.ndarray, method: str, who: str) -> dict:
    lim = float(np.abs(a).max()) or 1.0
    scale, lo = (ACTIVE, 0.0) if method == "saliency" else (DIVERGING, -lim)
    return dict(type="heatmap", z=_z(a), colorscale=scale, zmin=lo, zmax=lim, showscale=False, xgap=1, ygap=1,
                name=f"{METHODS[method]}, {who}",
                hovertemplate=f"{METHODS[method]}, {who}<br>row %{{y}}, column %{{x}}: %{{z:.3g}}"
                + (" logit per standard deviation" if method == "saliency" else "") + "<extra></extra>")


# ----------------------------------------------------------------------------- the four maps


def maps_figure(m: Maps) -> go.Figure:
    """The digit, then each method's map for the trained CNN (top row) and for the random one (bottom row)."""
    ink = dict(type="heatmap", z=_z(m.image), colorscale=INK, zmin=0, zmax=16, showscale=False, xgap=1, ygap=1,
               name="digit", hovertemplate="row %{y}, column %{x}: %{z:.1f} grey levels<extra></extra>")
    cells = [(0, 0, ink), (1, 0, dict(ink, name="digit (again)"))]
    for j, method in enumerate(METHODS, start=1):
        cells += [(0, j, _heat(m.trained[method], method, "trained")), (1, j, _heat(m.random[method], method,
                                                                                      "random weights"))]
    top, bottom, row_gap = 0.9, 0.0, 0.14
    data, axes = grid(cells, 2, 5, gap=0.02, top=top, bottom=bottom, row_gap=row_gap)
    w, h = (1 - 0.02 * 4) / 5, (top - bottom - row_gap) / 2
    centre = [w / 2 + j * (w + 0.02) for j in range(5)]
    notes = [subplot_title(f"a {m.label} (read as {m.predicted})", centre[0])]
    notes += [subplot_title(SHORT[k], centre[j]) for j, k in enumerate(METHODS, start=1)]
    notes[0] |= dict(y=top)
    for n in notes[1:]:
        n |= dict(y=top)
    for j, k in enumerate(METHODS, start=1):
        rho = m.rho[k]
        notes.append(dict(text=f"random weights: ρ = {num(rho)}", x=centre[j], y=top - h - row_gap / 2,
                          xref="paper", yref="paper", xanchor="center", yanchor="middle", showarrow=False,
                          font=dict(size=12)))
    for label, y in (("trained", top - h / 2), ("random weights", h / 2)):
        notes.append(dict(text=label, x=-0.005, y=y, xref="paper", yref="paper", xanchor="right", textangle=-90,
                          showarrow=False, font=dict(size=12)))
    return figure(data, height=420, margin=dict(l=28, r=8, t=30, b=8), annotations=notes, **axes)


def describe_maps(m: Maps) -> str:
    order = sorted(METHODS, key=lambda k: -m.rho[k])
    alike = [k for k in order if m.rho[k] >= 0.5]
    told = (f"{', '.join(METHODS[k] for k in alike)} stay{'s' if len(alike) == 1 else ''} alike when the weights are "
            "random (ρ ≥ 0.5): on this digit they draw the input more than they explain the network"
            if alike else "Every map changes when the weights are random (ρ < 0.5 for each)")
    return (f"Test digit {m.digit}, a {m.label}, read as {m.predicted} ({m.prob:.1%}); every map explains the logit "
            f"of class {m.predicted}. Rank correlation ρ of |trained map| with |random-weights map|: "
            + ", ".join(f"{METHODS[k]} {num(m.rho[k])}" for k in order)
            + f". {told}. Captum's integrated gradients ({m.steps} steps) sum to {m.ig_sum:.3f} against "
            f"f(digit) − f(blank) = {m.ig_gap:.3f}.")


# ----------------------------------------------------------------------------- completeness


def completeness_figure(c: Completeness) -> go.Figure:
    """|Σ IG − (f(x) − f(blank))| against the number of steps, both axes logarithmic."""
    floor = 1e-6
    own, gauss = (np.maximum(v, floor) for v in (c.own, c.gauss))
    steps = c.steps.tolist()
    data = [dict(type="scatter", x=steps, y=own.tolist(), mode="lines+markers", name="our midpoint sum",
                 line=dict(color=BLUE), hovertemplate="%{x} steps: |δ| = %{y:.3g}<extra>midpoint</extra>"),
            dict(type="scatter", x=steps, y=gauss.tolist(), mode="lines+markers", name="captum (Gauss–Legendre)",
                 line=dict(color=ORANGE, dash="dash"),
                 hovertemplate="%{x} steps: |δ| = %{y:.3g}<extra>Gauss–Legendre</extra>"),
            dict(type="scatter", x=[steps[0], steps[-1]], y=[abs(c.gap)] * 2, mode="lines",
                 name="|f(x) − f(blank)|, the total", line=dict(color=GREY, dash="dot"),
                 hovertemplate="f(x) − f(blank) = " + f"{c.gap:.3f}<extra></extra>")]
    lo = math.floor(math.log10(min(own.min(), gauss.min())))
    hi = math.ceil(math.log10(max(own.max(), gauss.max(), abs(c.gap))))
    return figure(data, height=320, margin=dict(l=64, r=16, t=16, b=48),
                  xaxis=log_axis(math.log10(min(steps)) - 0.05, math.log10(max(steps)) + 0.05,
                                 title="steps along the path"),
                  yaxis=log_axis(lo, hi, title="|δ|, logit units"),
                  shapes=[vline(c.chosen, GREY)], legend=dict(x=0.01, xanchor="left", y=0.02, yanchor="bottom"))


def describe_completeness(c: Completeness) -> str:
    first, last = int(c.steps[0]), int(c.steps[-1])
    share = c.at("own", c.chosen) / abs(c.gap) if c.gap else float("nan")
    rises = sum(1 for a, b in zip(c.own[:-1], c.own[1:], strict=True) if b > a)
    same = (f"it equals captum's riemann_middle to within {num(c.captum_diff)} per pixel" if c.captum_diff
            else "it equals captum's riemann_middle exactly")
    kinks = (f", though not at every doubling ({rises} rise{'s' if rises != 1 else ''}: along the path the ReLU "
             "network is piecewise linear, so the integrand jumps where a unit switches and the error falls only "
             "about as 1/steps)." if rises else ", at every doubling.")
    return (f"Test digit {c.digit}, logit of class {c.target}: f(digit) − f(blank) = {c.gap:.3f}. With {c.chosen} "
            f"steps our midpoint sum adds up to {c.own_sum:.3f}, |δ| = {num(c.at('own', c.chosen))} "
            f"({share:.2%} of the gap); {same}. From {first} to {last} steps |δ| falls from {num(c.own[0])} to "
            f"{num(c.own[-1])} (midpoint) and from {num(c.gauss[0])} to {num(c.gauss[-1])} (Gauss–Legendre){kinks}")


# ----------------------------------------------------------------------------- the sanity check


def sanity_figure(s: Sanity) -> go.Figure:
    """Per-digit rank correlations, per method: trained against random maps, and the trained map against the ink."""
    names = [SHORT[k] for k in METHODS]
    data = []
    for label, values, color in (("trained vs random weights", s.rho, VERMILLION),
                                 ("trained map vs the digit's ink", s.ink_trained, GREEN)):
        x = [n for n, k in zip(names, METHODS, strict=True) for _ in range(s.n)]
        y = np.round(np.concatenate([values[k] for k in METHODS]), 4)
        data.append(dict(type="box", x=x, y=[None if v != v else float(v) for v in y], name=label,
                         marker=dict(color=color, size=3), boxpoints="outliers",
                         hovertemplate="%{x}: ρ = %{y:.3f}<extra>" + label + "</extra>"))
    return figure(data, height=340, boxmode="group", margin=dict(l=56, r=16, t=16, b=48),
                  xaxis=dict(title="method"), yaxis=dict(title="Spearman ρ of |map| (one per digit)",
                                                           range=[-1.02, 1.02]),
                  legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"))


def describe_sanity(s: Sanity) -> str:
    order = sorted(METHODS, key=lambda k: -s.median(k))
    worst, best = order[0], order[-1]
    ink_t, ink_r = (float(np.nanmedian(d[worst])) for d in (s.ink_trained, s.ink_random))
    return (f"Over the first {s.n} test digits, the median rank correlation between the trained and the random "
            "network's maps is " + ", ".join(f"{METHODS[k]} {num(s.median(k))}" for k in order)
            + f". {METHODS[worst]} changes least when the weights are random; its median ρ with the digit's ink is "
            f"{num(ink_t)} trained and {num(ink_r)} random"
            + (", so most of what it shows is the input. " if min(ink_t, ink_r) >= 0.5 else ". ")
            + f"{METHODS[best]} changes most, so it depends most on the weights: necessary, not sufficient, for "
            "explaining what the network learned.")


# ----------------------------------------------------------------------------- the motor's features


def importance_figure(r: Importance) -> go.Figure:
    """Left: fall of test R² when a feature is shuffled, for the law and the MLP; right: mean |SHAP| of the MLP.

    A fall below zero (shuffling helped, by chance) is drawn at zero and labelled with its value.
    """
    labels = [FEATURES[n][0] for n in r.names]

    def bars(v: np.ndarray, name: str, color: str, text: list[str], hover: str, **kw) -> dict:
        return dict(type="bar", orientation="h", y=labels, x=np.round(np.maximum(v, 0.0), 5).tolist(), name=name,
                    marker=dict(color=color), text=text, textposition="outside", cliponaxis=False,
                    customdata=np.round(v, 5).tolist(), hovertemplate="%{y}: %{customdata:.4f}" + hover, **kw)

    data = [bars(r.truth, "the simulator's law", GREY, [num(float(v)) for v in r.truth],
                 "<extra>law, fall of R²</extra>"),
            bars(r.perm, "MLP, permutation importance", BLUE,
                 [f"{num(float(v))} ± {num(float(e))}" for v, e in zip(r.perm, r.perm_std, strict=True)],
                 "<extra>MLP, fall of R²</extra>"),
            bars(r.shap, "MLP, mean |SHAP|", ORANGE, [num(float(v)) for v in r.shap],
                 " N·m<extra>MLP, mean |SHAP|</extra>", xaxis="x2", yaxis="y2")]
    top = max(float(r.truth.max()), float(r.perm.max()))
    axes = dict(xaxis=dict(domain=[0.0, 0.46], title="fall of test R² when shuffled", range=[0, 1.5 * top]),
                yaxis=dict(autorange="reversed", automargin=True),
                xaxis2=dict(domain=[0.6, 1.0], anchor="y2", title="mean |SHAP value|, N·m",
                            range=[0, 1.3 * float(r.shap.max())]),
                yaxis2=dict(anchor="x2", autorange="reversed", showticklabels=False))
    notes = [subplot_title("what each feature is worth to the test score", 0.23),
             subplot_title("how far each feature moves the MLP's answer", 0.8)]
    return figure(data, height=400, barmode="group", margin=dict(l=8, r=24, t=30, b=100), annotations=notes,
                  legend=dict(orientation="h", x=0, y=-0.24, yanchor="top"), **axes)


def _names(order: tuple[str, ...]) -> str:
    return " > ".join(FEATURES[n][0].lower() for n in order)


def describe_importance(r: Importance) -> str:
    truth, perm, shap = r.ranking("truth"), r.ranking("perm"), r.ranking("shap")
    zero = [n for n, v in zip(r.names, r.truth, strict=True) if abs(v) < 1e-12]
    agree = [w for w, o in (("permutation importance", perm), ("SHAP", shap)) if o[:2] == truth[:2]]
    noise_rank = shap.index("noise") + 1
    text = (f"The law T = 1.5 · p · ψ(ϑ) · i_q (R² {r.truth_r2:.4f} on the {r.n_test} test windows) ranks "
            f"{_names(truth[:2])}; {' and '.join(FEATURES[n][0].lower() for n in zero)} do not enter it (exactly 0). "
            f"The MLP (test R² {r.test_r2:.4f}, seed {r.seed}): permutation importance ranks {_names(perm)}; mean "
            f"|SHAP| over {r.n_explained} test windows ranks {_names(shap)} (the values add up to each "
            f"prediction minus the base value, the mean prediction over the {BACKGROUND} background windows, to within "
            f"{r.shap_additivity:.1g} N·m). ")
    both = " and ".join(agree)
    text += (f"{both[0].upper()}{both[1:]} agree{'s' if len(agree) == 1 else ''} with the physics on the top two."
             if agree else "Neither method finds the physics' top two.")
    if noise_rank < len(shap):
        nth = {2: "second", 3: "third"}.get(noise_rank, f"{noise_rank}th")
        text += (f" SHAP puts the pure-noise column {nth}"
                 f" ({num(float(r.shap[r.names.index('noise')]))} N·m): the MLP does use it, having fitted noise in "
                 f"{r.n_train} training windows, while shuffling it changes the test R² by "
                 f"{-float(r.perm[r.names.index('noise')]):+.4f}: a feature the model uses is not one the target "
                 "depends on. Shuffling a column independent of everything cannot lower the expected score, so "
                 "permutation importance reads 0 for it by construction; the cost of having fitted the noise is "
                 "already in the test R².")
    return text
