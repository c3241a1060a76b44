"""Figures for /deep-networks: gradients and the stream's spread at initialization, training curves, heatmaps."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from neuralab.nn.deep import decades
from neuralab.nn.models import NORMS
from neuralab.plots.format import log_axis, num, pct
from neuralab.plots.theme import BLUE, GREEN, GREY, VERMILLION, figure, subplot_title
from neuralab.train.deep import DEPTHS, OPTIMIZERS, TRAINS, Comparison, Init, Ladder, Run, deepest

__all__ = ["SCORE_HEADER", "curves_figure", "describe_curves", "describe_heat", "describe_init_cosine",
           "describe_init_grads", "describe_init_stream", "describe_ladder", "heat_figure", "init_cosine_figure",
           "init_grads_figure", "init_stream_figure", "ladder_figure", "score_rows"]

COLORS = {False: VERMILLION, True: BLUE}
KIND = {False: "plain", True: "residual"}
DASH = {5: "dot", 20: "dash", 50: "solid"}
LEGEND = dict(orientation="h", y=1.02, yanchor="bottom", x=0)
MARGIN = dict(l=64, r=16, t=60, b=48)


def _positive(values: np.ndarray) -> list:
    """Finite positive values, None elsewhere (a log axis has no place for 0, NaN or ∞)."""
    return [float(v) if math.isfinite(v) and v > 0 else None for v in np.asarray(values, float)]


def _log_axis(series: list, title: str) -> dict:
    """A log axis over the finite positive values of ``series``, ticked at whole decades (written 1e-12)."""
    v = np.concatenate([np.asarray(s, float).ravel() for s in series]) if series else np.array([])
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = (math.log10(v.min()), math.log10(v.max())) if len(v) else (-1.0, 1.0)
    lo, hi = lo - max(0.15, 0.05 * (hi - lo)), hi + max(0.15, 0.05 * (hi - lo))
    if hi - lo <= 4:  # a few decades: ticks at 1, 2, 5
        return log_axis(lo, hi, title=dict(text=title))
    step = max(1, math.ceil((hi - lo) / 8))
    exps = [k for k in range(math.ceil(lo), math.floor(hi) + 1) if k % step == 0] or [round((lo + hi) / 2)]
    return dict(type="log", range=[lo, hi], tickvals=[10.0**k for k in exps],
                ticktext=["1" if k == 0 else f"{10.0**k:g}" if -3 <= k <= 3 else f"1e{k}" for k in exps],
                title=dict(text=title))


def _setting(norm: str, scale: float) -> str:
    return f"{NORMS[norm].lower() if norm != 'none' else 'no normalization'}, weights at {scale:g} × He"


# --------------------------------------------------------------------------- at initialization

def _init_lines(r: Init, field: str, unit: str, suffix: str = "", dash: str = "solid",
                log: bool = True) -> list[dict]:
    out = []
    for res in (False, True):
        p = r.residual if res else r.plain
        y = np.asarray(getattr(p, field), float)
        off = "" if np.any(np.isfinite(y) & (y > 0)) or not log else (
            " (exactly 0: off the log axis)" if np.all(y == 0) else " (not finite: off the axis)")
        out.append(dict(type="scatter", x=list(range(1, r.depth + 1)),
                        y=_positive(y) if log else [float(v) if math.isfinite(v) else None for v in y],
                        name=KIND[res] + suffix + off, mode="lines+markers",
                        line=dict(color=COLORS[res], width=2.5 if dash == "solid" else 1.5, dash=dash),
                        marker=dict(size=5 if dash == "solid" else 3, symbol="circle" if res else "square"),
                        hovertemplate=f"{KIND[res]}{suffix}, block %{{x}}: %{{y:.3g}}{unit}<extra></extra>"))
    return out


def init_grads_figure(r: Init) -> go.Figure:
    """‖dLoss/dW_l‖ per block (solid) and the backward signal ‖dLoss/dh_(l-1)‖ (dashed), untrained, log axis."""
    data = _init_lines(r, "grad_norm", "", ": weights ‖∂L/∂W‖")
    data += _init_lines(r, "signal_grad", "", ": input ‖∂L/∂h‖", dash="dash")
    return figure(data, height=380, legend=LEGEND, margin=dict(MARGIN, t=84),
                  xaxis=dict(title=dict(text="block (1 = next to the input)"), range=[0.5, r.depth + 0.5]),
                  yaxis=_log_axis([r.plain.grad_norm, r.residual.grad_norm, r.plain.signal_grad,
                                   r.residual.signal_grad], "gradient norm"))


def init_stream_figure(r: Init) -> go.Figure:
    """The std of the stream after each block; without normalization, the variance argument's prediction dotted."""
    data = _init_lines(r, "act_std", "")
    series = [r.plain.act_std, r.residual.act_std]
    if r.norm == "none":
        blocks = np.arange(1, r.depth + 1)
        for res in (False, True):
            p = r.residual if res else r.plain
            pred = p.input_std * 10.0 ** (np.array([decades(res, r.scale, int(b)) for b in blocks]))
            series.append(pred)
            data.append(dict(type="scatter", x=blocks.tolist(), y=_positive(pred), mode="lines",
                             name=f"{KIND[res]}, predicted", line=dict(color=COLORS[res], dash="dot", width=1.5),
                             hovertemplate="predicted, block %{x}: %{y:.3g}<extra></extra>"))
    return figure(data, height=360, legend=LEGEND, margin=MARGIN,
                  xaxis=dict(title=dict(text="block (1 = next to the input)"), range=[0.5, r.depth + 0.5]),
                  yaxis=_log_axis(series, "std of the stream h"))


def _spread(g: np.ndarray) -> str:
    g0, gl = float(g[0]), float(g[-1])
    if not (math.isfinite(g0) and math.isfinite(gl)):
        return "not finite (the forward pass overflowed)"
    if g0 == 0:
        return f"{num(g0)} at block 1 and {num(gl)} at the last: nothing reaches block 1"
    if gl == 0:
        return f"{num(g0)} at block 1 and {num(gl)} at the last"
    return f"{num(g0)} at block 1 against {num(gl)} at the last (× {num(g0 / gl)})"


def describe_init_grads(r: Init) -> str:
    return (f"Untrained, {r.depth} blocks, {_setting(r.norm, r.scale)}, the loss over the 1,077 training digits: "
            f"the plain network's weight gradient is {_spread(r.plain.grad_norm)}, the backward signal at its "
            f"blocks' inputs {_spread(r.plain.signal_grad)}; the residual network's weight gradient is "
            f"{_spread(r.residual.grad_norm)}, its backward signal {_spread(r.residual.signal_grad)}. "
            f"Their losses before training: {num(r.plain.loss)} and {num(r.residual.loss)} (chance, uniform "
            "answers, is ln 10 = 2.30).")


def describe_init_stream(r: Init) -> str:
    head = (f"The stream's std after block {r.depth}: {num(float(r.plain.act_std[-1]))} in the plain network, "
            f"{num(float(r.residual.act_std[-1]))} in the residual one (the pixels, standardized on the training "
            f"set, enter at {num(r.plain.input_std)}).")
    if r.norm != "none":
        pred = math.sqrt(r.plain.input_std ** 2 + r.depth * r.scale ** 2)
        return head + (f" With normalization every branch reads a normalized input, so its output's std is about the "
                       f"weight scale, {r.scale:g}, at any depth: that is the plain stream. The residual stream adds "
                       f"{r.depth} such branches to the pixels, √(0.96² + {r.depth} × {r.scale:g}²) = {num(pred)} "
                       "if they were independent: it grows like the square root of the depth.").replace(
            "0.96", num(r.plain.input_std))
    return head + (f" Predicted without normalization: the plain stream's variance × {num(r.scale ** 2)} per "
                   f"block ({decades(False, r.scale, r.depth):+.1f} decades in std over {r.depth} blocks), the "
                   f"residual stream's × {num(1 + r.scale ** 2)} ({decades(True, r.scale, r.depth):+.1f} decades).")


def init_cosine_figure(r: Init) -> go.Figure:
    """The mean cosine between two digits' streams after each block: 0 unrelated, 1 all the same direction."""
    data = _init_lines(r, "cosine", "", log=False)
    shapes = [dict(type="line", xref="paper", x0=0, x1=1, y0=r.plain.input_cosine, y1=r.plain.input_cosine,
                   line=dict(color=GREY, dash="dot", width=1.5))]
    notes = [dict(text=f"the pixels: {_cos(r.plain.input_cosine)}", xref="paper", x=1, xanchor="right",
                  y=r.plain.input_cosine, yanchor="bottom", showarrow=False, font=dict(size=12))]
    return figure(data, height=340, legend=LEGEND, margin=MARGIN, shapes=shapes, annotations=notes,
                  xaxis=dict(title=dict(text="block (1 = next to the input)"), range=[0.5, r.depth + 0.5]),
                  yaxis=dict(title=dict(text="mean cosine between digits"), range=[-0.05, 1.05]))


def _cos(x: float) -> str:
    return f"{x + 0.0:.2f}".replace("-0.00", "0.00") if math.isfinite(x) else "not a number"


def _cos_at(p, depth: int) -> str:
    marks = sorted({b for b in (1, 10, depth) if b <= depth})
    return ", ".join(f"{_cos(float(p.cosine[b - 1]))} after block {b}" for b in marks)


def describe_init_cosine(r: Init) -> str:
    last = float(r.plain.cosine[-1])
    verdict = ("the plain stack maps nearly every digit onto one direction: the read-out gets almost the same "
               "stream whatever the digit" if math.isfinite(last) and last > 0.9 else
               "the plain stack keeps the digits' streams apart" if math.isfinite(last) and last < 0.6 else
               "the plain stack's streams grow alike")
    return (f"Untrained, {r.depth} blocks, {_setting(r.norm, r.scale)}: the mean cosine between two different "
            f"digits' streams is {_cos(r.plain.input_cosine)} for the standardized pixels, then in the plain "
            f"network {_cos_at(r.plain, r.depth)}; in the residual one {_cos_at(r.residual, r.depth)}. "
            f"Here {verdict}.")


# --------------------------------------------------------------------------- training

def curves_figure(c: Comparison) -> go.Figure:
    """The training loss epoch by epoch for the six networks: colour tells plain from residual, dash the depth."""
    data, series = [], []
    for depth in DEPTHS:
        for res in (False, True):
            r = c.at(depth, res)
            series.append(r.train_loss)
            data.append(dict(type="scatter", x=list(range(len(r.train_loss))), y=_positive(r.train_loss),
                             name=f"{KIND[res]}, {depth}", mode="lines+markers",
                             line=dict(color=COLORS[res], dash=DASH[depth], width=3 if depth == 50 else 1.8),
                             marker=dict(size=4, symbol="circle" if res else "square"),
                             hovertemplate=f"{KIND[res]}, {depth} blocks, epoch %{{x}}: %{{y:.3g}}<extra></extra>"))
    return figure(data, height=400, legend=LEGEND, margin=MARGIN,
                  xaxis=dict(title=dict(text="epoch"), range=[-0.3, c.epochs + 0.3]),
                  yaxis=_log_axis(series, "training loss (cross-entropy)"))


def _fate(r: Run) -> str:
    if r.diverged:
        return "diverged"
    return f"{pct(r.test_acc)} test accuracy"


def describe_curves(c: Comparison) -> str:
    rows = "; ".join(f"{d} blocks: plain {_fate(c.at(d, False))}, residual {_fate(c.at(d, True))}" for d in DEPTHS)
    verdict = "; ".join(f"the {KIND[res]} network trains at " + _depths([d for d in DEPTHS if c.at(d, res).trains])
                        for res in (False, True))
    return (f"{OPTIMIZERS[c.opt][0]}, {c.epochs} epochs, {_setting(c.norm, c.scale)}. {rows}. "
            f"Counting {TRAINS:.0%} test accuracy as trained, {verdict}.")


def _depths(depths: list[int]) -> str:
    if not depths:
        return "none of these depths"
    words = [str(d) for d in depths]
    return (", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]) + " blocks"


def heat_figure(c: Comparison) -> go.Figure:
    """log10 ‖dLoss/dW_l‖ by block and epoch, plain left and residual right, one colour scale."""
    z = {res: np.log10(np.where(c.at(c.show, res).grad_norm > 0, c.at(c.show, res).grad_norm, np.nan))
         for res in (False, True)}
    v = np.concatenate([a[np.isfinite(a)] for a in z.values()]) if any(np.isfinite(a).any() for a in z.values()) \
        else np.array([0.0])
    lo, hi = float(v.min()), float(v.max())
    hi = hi if hi > lo else lo + 1
    data = []
    for i, res in enumerate((False, True)):
        a = z[res]
        data.append(dict(type="heatmap", z=[[None if not math.isfinite(x) else float(x) for x in row] for row in a.T],
                         x=list(range(a.shape[0])), y=list(range(1, c.show + 1)), zmin=lo, zmax=hi,
                         colorscale="Viridis", showscale=i == 1, xaxis=f"x{i + 1}" if i else "x",
                         yaxis=f"y{i + 1}" if i else "y",
                         colorbar=dict(title=dict(text="log10 ‖∂L/∂W‖", side="right"), thickness=12, x=1.02,
                                       xanchor="left", ticklabelposition="outside"),
                         hovertemplate=f"{KIND[res]}, block %{{y}}, epoch %{{x}}: 10^%{{z:.2f}}<extra></extra>"))
    axis = dict(title=dict(text="epoch"))
    return figure(data, height=420, margin=dict(l=64, r=110, t=48, b=48),
                  xaxis=dict(axis, domain=[0, 0.46]), xaxis2=dict(axis, domain=[0.54, 1.0], anchor="y2"),
                  yaxis=dict(title=dict(text="block"), autorange=True),
                  yaxis2=dict(anchor="x2", matches="y", showticklabels=False),
                  annotations=[subplot_title(f"plain, {c.show} blocks", 0.23),
                               subplot_title(f"residual, {c.show} blocks", 0.77)])


def describe_heat(c: Comparison) -> str:
    parts = []
    for res in (False, True):
        g = c.at(c.show, res).grad_norm
        first, last = g[:, 0], g[:, -1]
        seen = np.isfinite(first) & np.isfinite(last)
        if not seen.any():
            parts.append(f"the {KIND[res]} network's gradients are not finite (it diverged)")
            continue
        zero = int(np.sum(g[seen] == 0))
        ok = seen & (first > 0) & (last > 0)
        if not ok.any():
            parts.append(f"in the {KIND[res]} network block 1's gradient is exactly 0 at every epoch (below the "
                         "smallest float32 number: blank cells)")
            continue
        ratio = first[ok] / last[ok]
        if c.at(c.show, res).diverged:
            parts.append(f"in the {KIND[res]} network block 1's gradient is × {num(float(ratio[0]))} the last "
                         "block's before training, and then the run diverged")
            continue
        head = ("before training" if ok[0] else "at the first epoch where both are above 0")
        parts.append(f"in the {KIND[res]} network block 1's gradient is × {num(float(ratio[0]))} the last block's "
                     f"{head} and between × {num(float(ratio.min()))} and × {num(float(ratio.max()))} over the run"
                     + (f", and {zero} cells are exactly 0 (blank)" if zero else ""))
    return f"{c.show} blocks: " + "; ".join(parts) + "."


SCORE_HEADER = ("blocks", "plain: test accuracy", "residual: test accuracy", "plain: final loss",
                "residual: final loss")


def score_rows(c: Comparison) -> list[list[str]]:
    def acc(r: Run) -> str:
        return "diverged" if r.diverged else pct(r.test_acc)

    def loss(r: Run) -> str:
        ok = r.train_loss[np.isfinite(r.train_loss)]
        return "diverged" if r.diverged or not len(ok) else num(float(ok[-1]))

    return [[str(d), acc(c.at(d, False)), acc(c.at(d, True)), loss(c.at(d, False)), loss(c.at(d, True))]
            for d in DEPTHS]


# --------------------------------------------------------------------------- the depth ladder

def ladder_figure(lad: Ladder) -> go.Figure:
    """Test accuracy against depth, plain and residual; the 80 % line that counts as training, chance at 10 %."""
    data = []
    for res in (False, True):
        acc = [None if lad.runs[(d, res)].diverged else 100 * lad.runs[(d, res)].test_acc for d in lad.depths]
        data.append(dict(type="scatter", x=list(lad.depths), y=acc, name=KIND[res], mode="lines+markers",
                         line=dict(color=COLORS[res], width=2.5), marker=dict(size=8, symbol="circle" if res
                                                                                else "square"),
                         hovertemplate=f"{KIND[res]}, %{{x}} blocks: %{{y:.1f}} %<extra></extra>"))
    shapes = [dict(type="line", xref="paper", x0=0, x1=1, y0=y, y1=y, line=dict(color=c, dash="dot", width=1.5))
              for y, c in ((100 * TRAINS, GREEN), (10, GREY))]
    notes = [dict(text=t, xref="paper", x=1, xanchor="right", y=y, yanchor="bottom", showarrow=False,
                  font=dict(size=12)) for t, y in ((f"trained: {TRAINS:.0%}", 100 * TRAINS), ("chance: 10%", 10))]
    return figure(data, height=360, legend=LEGEND, margin=MARGIN, shapes=shapes, annotations=notes,
                  xaxis=dict(title=dict(text="depth (blocks)"), tickvals=list(lad.depths)),
                  yaxis=dict(title=dict(text="test accuracy (%)"), range=[0, 102]))


def describe_ladder(lad: Ladder) -> str:
    def word(d: int | None) -> str:
        return "at no depth" if d is None else f"up to {d} blocks"

    diverged = [f"{KIND[r]} at {d}" for (d, r), x in lad.runs.items() if x.diverged]
    plain_fail = [d for d in lad.depths if not lad.runs[(d, False)].trains]
    short = ""
    if plain_fail:
        first = lad.runs[(plain_fail[0], False)]
        short = (f"; the plain one first falls short at {plain_fail[0]} blocks "
                 f"({'diverged' if first.diverged else pct(first.test_acc)})")
    return (f"{OPTIMIZERS[lad.opt][0]}, {lad.epochs} epochs, {_setting(lad.norm, lad.scale)}: the plain network "
            f"trains {word(deepest(lad, False))}, the residual one {word(deepest(lad, True))}{short}"
            + (f". Diverged: {', '.join(diverged)}." if diverged else "."))
