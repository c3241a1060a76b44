"""Figures for /augmentation: one digit under an augmentation, accuracy against training-set size, the wrong one.

Each ``*_figure`` builder has a ``describe_*`` twin returning the caption, computed from the same result.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.cnn_maps import INK, grid
from neuralab.plots.format import pct
from neuralab.plots.theme import BLUE, GREY, VERMILLION, figure, subplot_title
from neuralab.robust.augmentation import NINE, SIX, Curve, Gallery, Wrong, gain, vanishes
from neuralab.train.augment import IMAGE_KINDS, shift_pixels

__all__ = ["curve_figure", "describe_curve", "describe_gallery", "describe_wrong", "gallery_figure",
           "size_label", "wrong_figure"]


def _range(kind: str, strength: float) -> str:
    """What a kind does at a strength, in its own unit."""
    if kind == "shift":
        k = shift_pixels(strength)
        return f"a shift of up to ±{k} pixel{'s' if k != 1 else ''} in each direction"
    if kind == "rotate":
        return f"a rotation of up to ±{IMAGE_KINDS['rotate'].most * strength:g}°"
    if kind == "noise":
        return f"Gaussian noise of σ = {IMAGE_KINDS['noise'].most * strength:g} grey levels"
    if kind == "all":
        return (f"{_range('shift', strength)}, then {_range('rotate', strength)}, then "
                f"{_range('noise', strength)}")
    return f"each image turned by 180° with probability {strength:g}"


# ----------------------------------------------------------------------------- the gallery

WHY_INK = {
    "shift": ": a shift loses the ink that falls off the edge",
    "rotate": ": a rotation blurs by interpolation and can turn ink out of the frame",
    "noise": ": noise adds ink where it is clipped at 0 on the blank background",
    "all": ": the shift loses ink off the edge, the rotation blurs, the noise adds ink on the blank background",
}


def gallery_figure(g: Gallery) -> go.Figure:
    """The digit, its random draws, and the same digit turned by 180° (grey levels 0–16)."""
    hover = "row %{y}, column %{x}: %{z:.1f} grey levels<extra></extra>"
    imgs = [g.original, *g.draws, g.turned]
    n = len(imgs)
    cells = [(0, i, dict(type="heatmap", z=np.round(z, 2).tolist(), colorscale=INK, zmin=0, zmax=16,
                         showscale=False, xgap=1, ygap=1, name=f"panel {i}", hovertemplate=hover))
             for i, z in enumerate(imgs)]
    gap = 0.015
    data, axes = grid(cells, 1, n, gap=gap, top=0.84)
    for key in [k for k in axes if k.startswith("yaxis")]:
        axes[key] = {**axes[key], "constraintoward": "top"}  # the square panels sit right under their titles
    w = (1 - gap * (n - 1)) / n
    titles = ["original", *(f"draw {i + 1}" for i in range(len(g.draws))), "180° (wrong)"]
    notes = [subplot_title(t, i * (w + gap) + w / 2) for i, t in enumerate(titles)]
    return figure(data, height=150, margin=dict(l=8, r=8, t=36, b=4), annotations=notes, **axes)


def describe_gallery(g: Gallery) -> str:
    lo, hi = float(g.ink_change.min()), float(g.ink_change.max())
    return (f"A {g.label} from the validation digits and {len(g.draws)} random draws of {_range(g.kind, g.strength)}. "
            f"The draws' total ink (the sum of the pixels) changes by {pct(lo, signed=True)} to "
            f"{pct(hi, signed=True)} of the original's{WHY_INK[g.kind]}. Check that each still reads as a "
            f"{g.label}: if one does not, the strength is too large. "
            "The last panel is the same digit turned by 180°, which a "
            "reader may not accept as the same digit: for a 6 or a 9 it is the other one.")


# ----------------------------------------------------------------------------- the curve


def size_label(c: Curve, n: int) -> str:
    return f"all (~{c.all_per_class:.0f})" if n == 0 else str(n)


def curve_figure(c: Curve) -> go.Figure:
    """Validation accuracy (mean ± sample SD over the seeds) against digits per class, with and without."""
    x = [size_label(c, n) for n in c.sizes]
    data = []
    for name, acc, color in (("without augmentation", c.plain, GREY), ("with " + IMAGE_KINDS[c.kind].label.lower(),
                                                                      c.augmented, BLUE)):
        data.append(dict(type="scatter", x=x, y=np.round(100 * acc.mean(0), 2).tolist(), mode="lines+markers",
                         name=name, line=dict(color=color, width=2), marker=dict(size=8),
                         error_y=dict(type="data", array=np.round(100 * acc.std(0, ddof=1), 2).tolist(),
                                      visible=True),
                         hovertemplate=f"{name}<br>%{{x}} per class: %{{y:.1f}}% ± %{{error_y.array:.1f}}"
                                       "<extra></extra>"))
    return figure(data, height=380, margin=dict(l=64, r=16, t=60, b=56),
                  legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"),
                  xaxis=dict(title=dict(text="training digits per class"), type="category"),
                  yaxis=dict(title=dict(text="validation accuracy (%, 360 digits)")))


def describe_curve(c: Curve) -> str:
    g0, n0 = gain(c), c.sizes[0]
    where = vanishes(c)
    k = len(c.seeds)
    text = (f"Mean over seeds {', '.join(map(str, c.seeds))}. Each error bar: ± one standard deviation of that "
            f"curve's accuracy over the {k} seeds. The SD on a gain is that of the per-seed difference (with and "
            "without share the subset, the initial weights and the batch order), smaller because the runs are "
            f"paired; one validation digit is {100 / 360:.2f} points. With {n0} digits per class, "
            f"{_range(c.kind, c.strength)} moves the accuracy from {pct(c.plain.mean(0)[0])} to "
            f"{pct(c.augmented.mean(0)[0])} ({100 * g0:+.1f} points, SD {100 * c.spread[0]:.1f} over {k} seeds). ")
    gains = ", ".join(f"{100 * v:+.1f} (SD {100 * sd:.1f}) at {size_label(c, n)}"
                      for n, v, sd in zip(c.sizes[1:], c.gain[1:], c.spread[1:], strict=True))
    text += f"The mean gain in points at the larger sets: {gains}. "
    hurt = [size_label(c, n) for n, v, sd in zip(c.sizes, c.gain, c.spread, strict=True) if v < -sd]
    if g0 < 0:
        text += "At this strength the augmentation costs accuracy even at the smallest set (try a lower strength " \
                "or a single kind)."
    elif where is None and hurt:
        text += (f"At {', '.join(hurt)} per class the augmentation costs accuracy, by more than one SD of the "
                 "per-seed gain.")
    elif where is None:
        text += (f"With all the training digits the mean gain is {100 * c.gain[-1]:+.1f} points (SD "
                 f"{100 * c.spread[-1]:.1f} over {k} seeds), larger than one SD; with {k} seeds that is a "
                 "description, not yet evidence of a gain.")
    elif where == n0:
        text += (f"At every size the mean gain is within one SD of the per-seed gain: too small to tell from zero "
                 f"with {k} seeds.")
    else:
        text += (f"From {size_label(c, where)} per class on the mean gain is within one SD of the per-seed gain: "
                 f"too small to tell from zero with {k} seeds.")
    return text


# ----------------------------------------------------------------------------- the wrong augmentation


def wrong_figure(w: Wrong) -> go.Figure:
    cats = ["all digits", f"the {SIX}s", f"the {NINE}s", f"{SIX}s read as {NINE}", f"{NINE}s read as {SIX}"]
    data = []
    for which, name, color in (("plain", "no augmentation (the zoo's CNN)", GREY),
                               ("turned", "each image turned 180° with probability ½", VERMILLION)):
        vals = np.stack([w.accuracy(which), w.accuracy(which, SIX), w.accuracy(which, NINE),
                         w.confused(which, SIX, NINE), w.confused(which, NINE, SIX)])  # (5, seeds)
        data.append(dict(type="bar", x=cats, y=np.round(100 * vals.mean(1), 2).tolist(), name=name,
                         marker=dict(color=color), textposition="outside", cliponaxis=False,
                         # mean ± std over the seeds written on the bar (an error bar would cross the label)
                         text=[f"{m:.1f}" + (f"±{sd:.1f}" if sd >= 0.05 else "")
                               for m, sd in zip(100 * vals.mean(1), 100 * vals.std(1, ddof=1), strict=True)],
                         textfont=dict(size=11),
                         hovertemplate=f"{name}<br>%{{x}}: %{{y:.1f}}%<extra></extra>"))
    return figure(data, height=360, barmode="group", margin=dict(l=64, r=16, t=60, b=48),
                  legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"),
                  xaxis=dict(type="category"), yaxis=dict(title=dict(text="share of validation digits (%)"),
                                                          range=[0, 110]))


def describe_wrong(w: Wrong) -> str:
    m = {k: (w.accuracy(k).mean(), w.accuracy(k, SIX).mean(), w.accuracy(k, NINE).mean(),
             w.confused(k, SIX, NINE).mean(), w.confused(k, NINE, SIX).mean()) for k in ("plain", "turned")}
    p, t = m["plain"], m["turned"]
    lost, lost69, k = w.lost(), w.lost((SIX, NINE)), len(w.seeds)
    others = (f"On all 360 validation digits the accuracy goes from {pct(p[0])} to {pct(t[0])}; summed over the "
              f"{k} seeds, the turned runs get {lost69:+d} digits wrong on the 6s and 9s and {lost - lost69:+d} on "
              "the other digits, against the plain runs. The other digits are turned too, into shapes that never "
              "occur.")
    return (f"Mean over seeds {', '.join(map(str, w.seeds))} (a ± on a bar is the sample standard deviation over "
            "them). Trained with every image turned upside down with probability ½ (all ten digits), "
            f"the CNN is right on {pct(t[1])} of the 6s and {pct(t[2])} of the 9s, against {pct(p[1])} and "
            f"{pct(p[2])} without; it reads {pct(t[3])} of the 6s as a 9 and {pct(t[4])} of the 9s as a 6 (without: "
            f"{pct(p[3])} and {pct(p[4])}). {others} A turned 6 looks like a 9 but keeps the label 6, so the "
            "network is taught that both shapes can be either digit.")

