"""Figures for the training-loop page: what the current step produced, and the run so far.

``step_figure`` changes with the step: the batch's probabilities (1), per-sample losses (2),
gradient norms per tensor (3), update sizes (4), the cleared gradients (5) and the
validation pass (6). ``history_figure`` shows every batch loss and validation loss so far.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.theme import BLUE, GREY, ORANGE, VERMILLION, figure
from neuralab.train.stepwise import EPOCHS, PHASES, LoopState

__all__ = ["describe_history", "describe_step", "history_figure", "position_text", "step_cards", "step_figure",
           "weight_rows"]


def _title(text: str) -> dict:
    """A chart title pinned to the top edge, clear of the legend that sits just above the plot area."""
    return dict(text=text, yref="container", y=0.985, yanchor="top")


TOP = dict(l=56, r=16, t=66, b=44)  # room for a title and a legend row


def _pretty(name: str) -> str:
    """'0.weight' -> 'layer 1 W', '2.bias' -> 'layer 2 b' (Linear layers sit at even indices 0, 2)."""
    idx, kind = name.split(".")
    return f"layer {int(idx) // 2 + 1} {'W' if kind == 'weight' else 'b'}"


def _probs(st: LoopState) -> go.Figure:
    B = len(st.labels)
    rows = [f"#{i + 1}: a {d}" for i, d in enumerate(st.labels)]
    heat = dict(type="heatmap", z=st.probs, x=list(range(10)), y=rows, zmin=0, zmax=1,
                colorscale=[[0, "rgba(0,114,178,0.03)"], [1, BLUE]],
                colorbar=dict(title=dict(text="p"), thickness=12),
                hovertemplate="sample %{y}<br>class %{x}: p = %{z:.3f}<extra></extra>")
    true = dict(type="scatter", mode="markers", x=st.labels.tolist(), y=rows, name="true class",
                marker=dict(symbol="circle-open", size=11, color=ORANGE, line=dict(width=2)), hoverinfo="skip")
    return figure([heat, true], height=max(260, 18 * B + 90),
                  title=_title("Step 1: softmax of each sample's 10 logits (circle: the true class)"),
                  xaxis=dict(title=dict(text="class"), dtick=1),
                  yaxis=dict(autorange="reversed", title=dict(text="sample: true digit"), tickfont=dict(size=10)),
                  margin=dict(l=100, r=16, t=66, b=44))


def _losses(st: LoopState) -> go.Figure:
    correct = st.probs.argmax(1) == st.labels
    bars = dict(type="bar", x=np.arange(1, len(st.labels) + 1), y=st.per_sample,
                marker=dict(color=[BLUE if c else VERMILLION for c in correct]),
                customdata=np.stack([st.labels, st.probs.argmax(1)], 1),
                hovertemplate="sample %{x}: a %{customdata[0]}, guessed %{customdata[1]}<br>"
                              "−ln p(true) = %{y:.3f}<extra></extra>", name="per sample")
    mean = dict(type="scatter", mode="lines", x=[0.5, len(st.labels) + 0.5], y=[st.loss, st.loss],
                line=dict(color=ORANGE, dash="dash"), name=f"batch loss (mean) = {st.loss:.3f}")
    return figure([bars, mean], height=300, margin=TOP,
                  title=_title("Step 2: cross-entropy of each sample (blue: guessed right, orange-red: wrong)"),
                  xaxis=dict(title=dict(text="sample in the batch")),
                  yaxis=dict(title=dict(text="−ln p(true class) (nats)"), rangemode="tozero"))


def _norm_bars(st: LoopState, values: np.ndarray, title: str, ytitle: str, color: str) -> go.Figure:
    names = [_pretty(n) for n in st.layers]
    bars = dict(type="bar", x=names, y=values, marker=dict(color=color), text=[f"{v:.3g}" for v in values],
                textposition="outside", hovertemplate="%{x}: %{y:.4g}<extra></extra>", cliponaxis=False)
    return figure([bars], height=300, title=_title(title), xaxis=dict(title=dict(text="parameter tensor")),
                  yaxis=dict(title=dict(text=ytitle), rangemode="tozero"), showlegend=False)


def _cleared(st: LoopState) -> go.Figure:
    names = [_pretty(n) for n in st.layers]
    ghost = dict(type="bar", x=names, y=st.grad_norms, marker=dict(color="rgba(0,0,0,0)", line=dict(color=GREY,
                 width=1.5)), name="before zero_grad", hovertemplate="%{x}: was %{y:.4g}<extra></extra>")
    return figure([ghost], height=300, title=_title("Step 5: every .grad is None again (outlines: what was there)"),
                  xaxis=dict(title=dict(text="parameter tensor")),
                  yaxis=dict(title=dict(text="‖∂L/∂θ‖"), rangemode="tozero"),
                  showlegend=False)


def _validation(st: LoopState) -> go.Figure:
    loss = dict(type="scatter", mode="lines+markers", x=st.val_epochs, y=st.val_losses, name="validation loss",
                line=dict(color=ORANGE), hovertemplate="epoch %{x}: %{y:.4f}<extra></extra>")
    acc = dict(type="scatter", mode="lines+markers", x=st.val_epochs, y=st.val_accs * 100, name="accuracy",
               yaxis="y2", line=dict(color=BLUE, dash="dot"), hovertemplate="epoch %{x}: %{y:.1f}%<extra></extra>")
    return figure([loss, acc], height=300,
                  title=_title("Step 6: the validation set after each epoch (no gradients)"),
                  xaxis=dict(title=dict(text="epoch (0 = before training)"), dtick=1),
                  yaxis=dict(title=dict(text="cross-entropy (nats)"), rangemode="tozero"),
                  yaxis2=dict(title=dict(text="accuracy (%)"), overlaying="y", side="right", range=[0, 100],
                              showgrid=False),
                  margin=dict(l=56, r=56, t=66, b=44))


def step_figure(st: LoopState) -> go.Figure:
    """The chart for the step the run stands at."""
    p = st.pos.phase
    if p == 1:
        return _probs(st)
    if p == 2:
        return _losses(st)
    if p == 3:
        return _norm_bars(st, st.grad_norms, "Step 3: size of the gradient of each tensor after backward()",
                          "‖∂L/∂θ‖ (L2 norm)", VERMILLION)
    if p == 4:
        return _norm_bars(st, st.update_norms, "Step 4: how far optimizer.step() moved each tensor",
                          "‖Δθ‖ (L2 norm)", BLUE)
    if p == 5:
        return _cleared(st)
    return _validation(st)


def describe_step(st: LoopState) -> str:
    """One sentence on the current step's real numbers."""
    p, B = st.pos.phase, len(st.labels)
    if p == 1:
        right = int((st.probs.argmax(1) == st.labels).sum())
        return (f"Forward pass on {B} digits: the largest probability is on the true class for {right} of {B}; "
                f"the mean probability given to the true class is {st.probs[np.arange(B), st.labels].mean():.3f}.")
    if p == 2 and not np.isfinite(st.loss):
        return (f"The batch loss is {st.loss} : the weights have overflowed. Every later step inherits it; lower the "
                "learning rate and start over.")
    if p == 2:
        worst = int(st.per_sample.argmax())
        return (f"The batch loss is {st.loss:.4f} nats, the mean of {B} per-sample losses from "
                f"{st.per_sample.min():.3f} to {st.per_sample.max():.3f} (worst: sample {worst + 1}, a "
                f"{st.labels[worst]}).")
    if p == 3:
        i = int(st.grad_norms.argmax())
        return (f"backward() filled a gradient for each of {len(st.layers)} tensors; the largest, "
                f"‖∂L/∂θ‖ = {st.grad_norms[i]:.4g}, is on {_pretty(st.layers[i])}.")
    if p == 4:
        w = [k for k, n in enumerate(st.layers) if n.endswith("weight")]
        rel = {k: st.update_norms[k] / max(st.param_norms[k], 1e-12) for k in w}
        ratio = ", ".join(f"{_pretty(st.layers[k])} {rel[k]:.2%}" for k in w)
        return (f"{st.optimizer} at lr {st.lr:g} moved the tensors by ‖Δθ‖ from {st.update_norms.min():.3g} to "
                f"{st.update_norms.max():.3g}; relative to the weights' size, ‖Δθ‖/‖θ‖ is {ratio}.")
    if p == 5:
        return (f"zero_grad() set the gradients of all {len(st.layers)} tensors to None"
                f"{'' if st.grads_cleared else ' (not done!)'}; the next backward() starts from nothing.")
    return (f"After epoch {st.pos.epoch}, validation loss {st.val_losses[-1]:.4f} nats and accuracy "
            f"{st.val_accs[-1]:.1%} on the held-out digits (before training: {st.val_losses[0]:.4f}, "
            f"{st.val_accs[0]:.1%}).")


def history_figure(st: LoopState) -> go.Figure:
    """Every completed update's batch loss, and the validation loss at each epoch's end."""
    n = len(st.step_losses)
    steps = dict(type="scatter", mode="lines", x=np.arange(1, n + 1), y=st.step_losses, name="batch loss",
                 line=dict(color=BLUE, width=1.5), hovertemplate="update %{x}: %{y:.4f}<extra></extra>")
    val = dict(type="scatter", mode="markers+lines", x=st.val_epochs * st.pos.n_batches, y=st.val_losses,
               name="validation loss", marker=dict(color=ORANGE, size=9), line=dict(color=ORANGE, dash="dot"),
               hovertemplate="after %{x} updates: %{y:.4f}<extra></extra>")
    data = [steps, val]
    if st.loss is not None and st.pos.phase < 4:
        data.append(dict(type="scatter", mode="markers", x=[n + 1], y=[st.loss], name="this batch (not stepped yet)",
                         marker=dict(color=VERMILLION, size=10, symbol="diamond")))
    return figure(data, height=280, title=_title("The run so far"), margin=TOP,
                  xaxis=dict(title=dict(text="update (optimizer steps)"), rangemode="tozero"),
                  yaxis=dict(title=dict(text="cross-entropy (nats)"), rangemode="tozero"))


def describe_history(st: LoopState) -> str:
    n = len(st.step_losses)
    if n == 0:
        return (f"No update yet: the untrained network scores a validation loss of {st.val_losses[0]:.4f} nats "
                f"(ln 10 = {np.log(10):.4f} would be a uniform guess).")
    return (f"{n} updates so far in epoch {st.pos.epoch} of {EPOCHS}; the last batch loss was "
            f"{st.step_losses[-1]:.4f} nats, the first {st.step_losses[0]:.4f}.")


def position_text(st: LoopState) -> str:
    """Where the run stands, in words."""
    p = st.pos
    where = "end of epoch" if p.phase == 6 else f"batch {p.batch + 1} of {p.n_batches}"
    return f"Epoch {p.epoch} of {EPOCHS} · {where} · step {p.phase} of 6: {PHASES[p.phase - 1]}"


def _card_value(st: LoopState, k: int) -> str:
    if k == 1:
        return f"{len(st.labels)} × 10 logits; {int((st.probs.argmax(1) == st.labels).sum())} guessed right"
    if k == 2:
        return f"L = {st.loss:.4f} nats"
    if k == 3:
        return "‖∂L/∂W‖ = " + ", ".join(f"{g:.3g}" for g, n in zip(st.grad_norms, st.layers, strict=True)
                                        if n.endswith("weight"))
    if k == 4:
        return "‖ΔW‖ = " + ", ".join(f"{u:.3g}" for u, n in zip(st.update_norms, st.layers, strict=True)
                                     if n.endswith("weight"))
    if k == 5:
        return "every .grad is None" if st.grads_cleared else "gradients still held"
    return f"val loss {st.val_losses[-1]:.4f}, accuracy {st.val_accs[-1]:.1%}"


def step_cards(st: LoopState) -> list[tuple[str, str, str]]:
    """(title, value, status) for each of the six steps; status is "done", "now" or "todo".

    On a batch, steps 1..phase are done for this batch; step 6 shows the last epoch's validation (or waits).
    """
    p = st.pos.phase
    cards = []
    for k in range(1, 7):
        status = "now" if k == p else "done" if k < p else "todo"
        if k == 6 and p != 6:
            value = (f"last: {st.val_losses[-1]:.4f} after epoch {st.val_epochs[-1]}" if len(st.val_losses) > 1
                     else f"before training: {st.val_losses[0]:.4f}") + " (next at the epoch's end)"
        elif status == "todo":
            value = "not yet, for this batch"
        else:
            value = _card_value(st, k)
        cards.append((f"{k} · {PHASES[k - 1]}", value, status))
    return cards


def weight_rows(st: LoopState) -> list[tuple[str, str, str, str]]:
    """(weight, before, after, change) for the first few weights of each layer; after/change blank before step 4."""
    rows = []
    for name, before in st.before.items():
        after = st.after[name] if st.after is not None else None
        layer = int(name.split(".")[0]) // 2 + 1
        for j, b in enumerate(before):
            a = "" if after is None else f"{after[j]:+.6f}"
            d = "" if after is None else f"{after[j] - b:+.6f}"
            rows.append((f"layer {layer} W[0, {j}]", f"{b:+.6f}", a, d))
    return rows
