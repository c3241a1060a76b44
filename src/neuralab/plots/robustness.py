"""Figures for /robustness: one digit attacked, accuracy against ε, transfer, adversarial training.

Each ``*_figure`` builder has a ``describe_*`` twin returning the caption, computed from the same result.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.data.motor import CONSTANTS
from neuralab.plots.cnn_maps import DIVERGING, INK, grid
from neuralab.plots.format import pct
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, VERMILLION, cell_text, figure, subplot_title
from neuralab.robust.digits import KINDS, TITLES, Curves, Example, Training, Transfer
from neuralab.robust.motor import CHANNELS, DRAWS, REACH, Margin

__all__ = ["curves_figure", "describe_curves", "describe_example", "describe_training", "describe_transfer",
           "describe_motor", "example_figure", "motor_figure", "training_figure", "transfer_figure"]

NET_COLORS = {"mlp": BLUE, "cnn": VERMILLION}
KIND_DASH = {"fgsm": "dash", "pgd": "solid", "pgd-varying": "dot"}
I_RATED_A = CONSTANTS.i_rated_a
SOURCES = {"mlp": "crafted on the MLP", "cnn": "crafted on the CNN", "random": "random ±ε per pixel"}


def _q(v: float) -> str:
    """A measured size: three significant digits, whole numbers from 100 on (no exponent)."""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _levels(eps: float) -> str:
    return f"{eps:g} grey level" + ("" if eps == 1 else "s")


# ----------------------------------------------------------------------------- one digit


def example_figure(ex: Example) -> go.Figure:
    """The digit, the perturbation and the attacked digit (grey levels), and the probabilities before and after."""
    lim = max(ex.eps, 0.25)
    hover = "row %{y}, column %{x}: %{z:.2f} grey levels<extra></extra>"
    cells = [(0, 0, dict(type="heatmap", z=np.round(ex.image, 3).tolist(), colorscale=INK, zmin=0, zmax=16,
                         showscale=False, xgap=1, ygap=1, name="digit", hovertemplate=hover)),
             (0, 1, dict(type="heatmap", z=np.round(ex.delta, 3).tolist(), colorscale=DIVERGING, zmin=-lim, zmax=lim,
                         showscale=False, xgap=1, ygap=1, name="change", hovertemplate=hover)),
             (0, 2, dict(type="heatmap", z=np.round(ex.adversarial, 3).tolist(), colorscale=INK, zmin=0, zmax=16,
                         showscale=False, xgap=1, ygap=1, name="attacked", hovertemplate=hover))]
    imgs, axes = grid(cells, 1, 3, gap=0.02, top=0.86, left=0.0, right=0.56)
    classes = [str(c) for c in range(10)]
    bars = [dict(type="bar", x=classes, y=np.round(ex.probs, 4).tolist(), name="before", marker=dict(color=GREY),
                 xaxis="x4", yaxis="y4", hovertemplate="before: P(%{x}) = %{y:.3f}<extra></extra>"),
            dict(type="bar", x=classes, y=np.round(ex.probs_adv, 4).tolist(), name=f"after {ex.attack}",
                 marker=dict(color=ORANGE), xaxis="x4", yaxis="y4",
                 hovertemplate="after: P(%{x}) = %{y:.3f}<extra></extra>")]
    axes |= dict(xaxis4=dict(domain=[0.64, 1.0], anchor="y4", title=dict(text="class"), type="category"),
                 yaxis4=dict(domain=[0.0, 0.86], anchor="x4", title=dict(text="probability"), range=[0, 1.02]))
    w = 0.56 / 3
    notes = [subplot_title(f"a {ex.label}", w / 2), subplot_title(f"change (±{ex.eps:g})", 0.28),
             subplot_title("attacked", 0.56 - w / 2)]
    return figure([*imgs, *bars], height=300, barmode="group", margin=dict(l=8, r=16, t=44, b=44), annotations=notes,
                  legend=dict(x=0.64, y=1.0, orientation="h", yanchor="bottom"), **axes)


def describe_example(ex: Example) -> str:
    net = TITLES[ex.model]
    before = f"The {net} reads test digit {ex.digit}, a {ex.label}, as {ex.before} ({ex.probs[ex.before]:.1%})"
    if ex.eps == 0:
        return before + ". With ε = 0 the attack changes nothing."
    moved = int((np.abs(ex.delta) > 1e-3).sum())
    flipped = ("the answer is unchanged" if ex.after == ex.before else
               f"it now answers {ex.after} ({ex.probs_adv[ex.after]:.1%})")
    return (f"{before}. After {ex.attack} with ε = {_levels(ex.eps)}, {flipped}; the probability of the true class "
            f"went from {ex.probs[ex.label]:.1%} to {ex.probs_adv[ex.label]:.1%}. {moved} of 64 pixels moved, by "
            f"{np.abs(ex.delta).mean():.2f} grey levels on average (at most {np.abs(ex.delta).max():.2f}; the "
            "image itself spans 0 to 16).")


# ----------------------------------------------------------------------------- accuracy against ε


def curves_figure(c: Curves) -> go.Figure:
    data = []
    for net, color in NET_COLORS.items():
        for kind, dash in KIND_DASH.items():
            label = KINDS[kind] if kind != "pgd" else f"PGD-{c.steps}"
            if kind == "pgd-varying":
                label = f"PGD-{c.steps}, {c.n_varying} varying pixels only"
            data.append(dict(type="scatter", x=c.eps, y=np.round(100 * c.acc[(net, kind)], 2).tolist(),
                             mode="lines+markers", name=f"{TITLES[net]}, {label}",
                             line=dict(color=color, dash=dash, width=2), marker=dict(size=6),
                             hovertemplate=f"{TITLES[net]}, {label}<br>ε = %{{x}}: %{{y:.1f}}%<extra></extra>"))
    return figure(data, height=400, margin=dict(l=64, r=16, t=96, b=52),
                  legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"),
                  xaxis=dict(title=dict(text="budget ε (grey levels per pixel, image range 0–16)"), dtick=0.5),
                  yaxis=dict(title=dict(text="test accuracy (%)"), range=[-2, 102]))


def describe_curves(c: Curves) -> str:
    def half(net: str, kind: str) -> str:
        h = c.half(net, kind)
        return f"at ε = {h:g}" if h is not None else f"at no ε up to {c.eps[-1]:g}"

    m1, n1 = (c.at(n, "pgd", 1.0) for n in ("mlp", "cnn"))
    f1 = [c.at(n, "fgsm", 1.0) for n in ("mlp", "cnn")]
    v1 = (c.at(n, "pgd-varying", 1.0) for n in ("mlp", "cnn"))
    text = (f"PGD-{c.steps} (steps of ε/4, the worst of {c.restarts} random starts for each digit) halves the MLP's "
            f"accuracy {half('mlp', 'pgd')} and the CNN's {half('cnn', 'pgd')} (first grid value where it falls to "
            f"half). At ε = 1 grey level, FGSM leaves {' and '.join(pct(a) for a in f1)} (MLP and CNN), "
            f"PGD-{c.steps} {pct(m1)} and {pct(n1)} of the {c.n_test} test digits. Kept off the {64 - c.n_varying} "
            f"pixels that hardly vary in training, PGD at the same ε leaves {' and '.join(pct(a) for a in v1)}: much "
            "of the damage at small ε goes through those pixels, which standardization amplifies.")
    weaker = [TITLES[n] for n in ("mlp", "cnn") if any(c.acc[(n, "pgd")] > c.acc[(n, "fgsm")] + 1e-9)]
    if weaker:
        text += (f" With only {c.steps} steps of ε/4, PGD cannot cross the ε-ball: at some ε it leaves the "
                 f"{' and the '.join(weaker)} more accuracy than FGSM does, a weaker attack, not a stronger one. "
                 "Use about 8 steps or more.")
    return text + (" Every accuracy under attack is an upper bound on the true robust accuracy: more restarts or "
                   "a stronger attack can only lower it.")


# ----------------------------------------------------------------------------- transfer


def transfer_figure(t: Transfer) -> go.Figure:
    rows = ["no attack", *(SOURCES[s] for s in t.sources)]
    z = np.vstack([t.clean, t.acc]) * 100  # (1 + sources, targets) %
    cols = [f"scored on the {TITLES[g]}" for g in t.targets]
    scale = [[0.0, "#7a1f00"], [0.5, "#e0a070"], [1.0, "#f4f4f4"]]
    text = [[f"{v:.1f}%" for v in row] for row in z]
    heat = dict(type="heatmap", z=np.round(z, 2).tolist(), x=cols, y=rows, colorscale=scale, zmin=0, zmax=100,
                showscale=False, xgap=2, ygap=2, hovertemplate="%{y}, %{x}: %{z:.1f}%<extra></extra>")
    labels = cell_text(z, text, cols, rows, scale, 0, 100, size=13)
    return figure([heat, labels], height=280, margin=dict(l=8, r=16, t=24, b=24),
                  xaxis=dict(side="top", type="category", showgrid=False, automargin=True),
                  yaxis=dict(autorange="reversed", type="category", showgrid=False, automargin=True))


def describe_transfer(t: Transfer) -> str:
    if not t.eps:
        return (f"With ε = 0 nothing is changed: every row is the clean accuracy, {pct(t.clean[0])} (MLP) and "
                f"{pct(t.clean[1])} (CNN).")
    start = " (one random start)" if t.attack.startswith("PGD") else ""
    text = (f"At ε = {_levels(t.eps)}, {t.attack} examples{start} crafted on the MLP leave the "
            f"MLP {pct(t.get('mlp', 'mlp'))} but the CNN, which the attacker never read, {pct(t.get('mlp', 'cnn'))}; "
            f"crafted on the CNN they leave the CNN {pct(t.get('cnn', 'cnn'))} and the MLP "
            f"{pct(t.get('cnn', 'mlp'))}. Random signs of the same size leave {pct(t.get('random', 'mlp'))} and "
            f"{pct(t.get('random', 'cnn'))}")
    crafted = min(t.acc[t.sources.index(s), j] for s in ("mlp", "cnn") for j in range(len(t.targets)))
    random = min(t.get("random", g) for g in t.targets)
    text += ": the direction does most of the damage." if crafted < random - 0.05 else "."
    costs = [t.random_varying[j] - t.get("random", g) for j, g in enumerate(t.targets)]
    if max(costs) > 0.05:
        text += (f" The same random signs on the {t.n_varying} pixels that vary in training only leave "
                 f"{pct(t.random_varying[0])} and {pct(t.random_varying[1])} (clean: {pct(t.clean[0])} and "
                 f"{pct(t.clean[1])}): what random noise costs, it costs through the near-blank pixels.")
    elif max(t.clean[j] - t.get("random", g) for j, g in enumerate(t.targets)) <= 0.05:
        text += " Random signs of the same size cost little or nothing here."
    return text


# ----------------------------------------------------------------------------- adversarial training


def training_figure(tr: Training) -> go.Figure:
    data = []
    for which, color, label in (("plain", GREY, "plain training"), ("robust", BLUE,
                                                                     f"{tr.attack.upper()} training")):
        curves = tr.plain if which == "plain" else tr.robust
        for kind, dash in (("fgsm", "dash"), ("pgd", "solid")):
            name = f"{label}, attacked by {'FGSM' if kind == 'fgsm' else f'PGD-{tr.eval_steps}'}"
            data.append(dict(type="scatter", x=tr.eps, y=np.round(100 * curves[kind], 2).tolist(), name=name,
                             mode="lines+markers", line=dict(color=color, dash=dash, width=2), marker=dict(size=6),
                             hovertemplate=f"{name}<br>ε = %{{x}}: %{{y:.1f}}%<extra></extra>"))
    shapes = [dict(type="line", x0=tr.eps_train, x1=tr.eps_train, yref="y domain", y0=0, y1=1,
                   line=dict(color=ORANGE, dash="dot", width=2))]
    notes = [dict(text=f"training ε = {tr.eps_train:g}", x=tr.eps_train, yref="y domain", y=1, xanchor="left",
                  yanchor="top", showarrow=False, xshift=4, font=dict(size=12, color=ORANGE))]
    return figure(data, height=400, shapes=shapes, annotations=notes, margin=dict(l=64, r=16, t=72, b=52),
                  legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"),
                  xaxis=dict(title=dict(text="attack budget ε (grey levels)"), dtick=0.5),
                  yaxis=dict(title=dict(text="test accuracy (%)"), range=[-2, 102]))


def describe_training(tr: Training) -> str:
    e, net = tr.eps_train, TITLES[tr.model]
    p0, r0 = tr.at("plain", "pgd", 0), tr.at("robust", "pgd", 0)
    pp, rp = tr.at("plain", "pgd", e), tr.at("robust", "pgd", e)
    rf = tr.at("robust", "fgsm", e)
    how = (f"trained in {tr.seconds:.1f} s" if tr.trained_now else "loaded from this machine's cache")
    lost = (f"{100 * tr.clean_lost:.1f} points lost" if tr.clean_lost >= 0 else
            f"{-100 * tr.clean_lost:.1f} points better")
    text = (f"The {net} trained with {tr.attack.upper()} examples at ε = {e:g} ({how}) scores {pct(r0)} on clean test "
            f"digits against the plain {net}'s {pct(p0)} ({lost}). Under PGD-{tr.eval_steps} at ε = {e:g} it keeps "
            f"{pct(rp)} of the digits against the plain {net}'s {pct(pp)} ({100 * tr.robust_gained:+.1f} points).")
    if tr.attack == "fgsm" and rf - rp > 0.2:
        text += (f" FGSM at the same ε still leaves it {pct(rf)}: it learned to resist the one-step attack it was "
                 "trained on, and a multi-step attack finds what that hides.")
    elif rf - rp > 0.2:
        text += (f" FGSM at the same ε still leaves it {pct(rf)}, far above PGD even after PGD training: check "
                 "for gradient masking.")
    return text + (f" Each PGD accuracy counts a digit only if it survives {tr.restarts} random starts (steps of "
                   "ε/4); it is an upper bound on the true robust accuracy.")


# ----------------------------------------------------------------------------- the motor's virtual sensor


def motor_figure(m: Margin) -> go.Figure:
    """Temperature over the cycle (truth, clean and attacked estimates) above the sensor channel, clean and wrong."""
    name, unit = CHANNELS[m.channel]
    t = np.round(m.t_min, 4).tolist()
    at = float(m.t_min[m.moment])
    worst = "" if m.eps["worst"] is None else f" (±{_q(m.eps['worst'])} {unit})"
    offset = "" if m.eps["offset"] is None else f" ({_signed(m.offset_sign * m.eps['offset'])} {unit}, " + (
        "reads high)" if m.offset_sign > 0 else "reads low)")
    line = lambda y, label, color, dash, axis: dict(  # noqa: E731
        type="scatter", x=t, y=np.round(y, 3).tolist(), mode="lines", name=label, xaxis="x", yaxis=axis,
        line=dict(color=color, dash=dash, width=2),
        hovertemplate=f"{label}<br>%{{x:.1f}} min: %{{y:.2f}}<extra></extra>")
    data = [line(m.truth_c, "true winding temperature", GREY, "solid", "y"),
            line(m.clean_c, "GRU estimate", BLUE, "solid", "y"),
            line(m.worst_c, f"estimate, worst-case error{worst}", VERMILLION, "solid", "y"),
            line(m.offset_c, f"estimate, offset{offset}", ORANGE, "dash", "y"),
            line(m.signal, f"{name.lower()}, as measured", BLUE, "solid", "y2"),
            line(m.worst_signal, f"{name.lower()}, with the worst-case error", VERMILLION, "dot", "y2")]
    shapes = [dict(type="line", x0=at, x1=at, yref="paper", y0=0, y1=1, line=dict(color=GREEN, dash="dot", width=2))]
    notes = [dict(text="hottest moment", x=at, yref="paper", y=1, xanchor="left", yanchor="top", showarrow=False,
                  xshift=4, font=dict(size=12, color=GREEN))]
    return figure(data, height=480, shapes=shapes, annotations=notes, margin=dict(l=64, r=16, t=96, b=52),
                  legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"),
                  xaxis=dict(title=dict(text="time in the drive cycle (min)"), anchor="y2"),
                  yaxis=dict(title=dict(text="winding (°C)"), domain=[0.42, 1.0]),
                  yaxis2=dict(title=dict(text=f"{name.lower()} ({unit})"), domain=[0.0, 0.34]))


def _signed(v: float) -> str:
    return ("+" if v >= 0 else "−") + _q(abs(v))


def describe_motor(m: Margin) -> str:
    name, unit = CHANNELS[m.channel]
    at = float(m.t_min[m.moment])

    def say(kind: str) -> str:
        e = m.eps[kind]
        if e is None:
            return f"none within ±{_q(m.reach)} {unit} ({REACH:g} training standard deviations)"
        return f"{_q(e)} {unit} ({e / m.sigma:.2f} σ)"

    text = (f"At minute {at:.1f} of test cycle {m.cycle} the winding is at {m.truth_c[m.moment]:.1f} °C and the GRU "
            f"estimates {m.clean_c[m.moment]:.1f} °C (its error over the test cycles: {m.test_rmse_k:.2f} K RMS). "
            f"Lowering that estimate by {m.drop:g} K takes a {name.lower()} error of {say('worst')} in the worst "
            f"case found (an upper bound on the smallest such error: a stronger search might find a smaller one), "
            f"{say('offset')} as a constant offset, and random errors: {say('random')} on average over {DRAWS} "
            "draws.")
    r = m.ratio("offset")
    if m.worst_is_offset and m.eps["worst"] is not None:
        text += (" PGD found nothing smaller than the constant offset, which is the smallest error found: every "
                 "sample wrong the same way.")
    elif r is not None:
        text += f" The worst case needs {1 / r:.0%} of the offset's size: its error varies along the cycle."
    if m.channel == "current_a" and m.eps["worst"] is not None:
        text += (f" For scale: {m.eps['worst'] / I_RATED_A:.1%} of the motor's rated current amplitude "
                 f"({I_RATED_A:g} A).")
    return text
