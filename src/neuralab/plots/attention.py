"""Figures for /attention: one query followed through a trained attention layer, the heads' maps,
the 1/√d_k scale against the softmax's saturation, and what positions and masks change."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import num, pct
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, VERMILLION, cell_text, figure, subplot_title
from neuralab.train.attention import RECIPE, VARIANTS, Opened, Order, Saturation

__all__ = ["CHECK_HEADER", "ORDER_HEADER", "check_rows", "describe_inside", "describe_maps", "describe_order",
           "describe_saturation", "inside_figure", "maps_figure", "order_figure", "order_rows",
           "saturation_figure"]

DIVERGING = [[0.0, ORANGE], [0.5, "#b4b4b4"], [1.0, BLUE]]  # opaque: heatmap text picks its contrast from it
# attention weights, 0 … 1; opaque, so each cell's written weight takes the colour that reads on it (theme.text_on)
WEIGHTS = [[0.0, "#aab2bb"], [1.0, BLUE]]
SCALE_COLOR = {"on": BLUE, "off": ORANGE}
SCALE_NAME = {"on": "scale on: q·k / √d_k", "off": "scale off: q·k"}
VARIANT_COLOR = {"full": BLUE, "no_pe": ORANGE, "causal": GREEN}
CHECK_HEADER = ("quantity", "compared with", "largest |hand − torch|")
ORDER_HEADER = ("model", "test accuracy", "accuracy at position 1", f"accuracy at position {RECIPE.steps}",
                "training loss, mean over the last epoch", "training time")


def _keys(tokens: np.ndarray) -> list[str]:
    """Axis labels of the positions: 'position · token' (1-based positions)."""
    return [f"{t + 1} · {int(tok)}" for t, tok in enumerate(tokens)]


# ----------------------------------------------------------------------------- one query, opened


def inside_figure(o: Opened) -> go.Figure:
    """q against every key, the scores (scale on and off), the softmax weights, and the values they mix."""
    H, t = o.head, o.token
    on, off = o.scaled, o.unscaled
    keys = _keys(o.tokens)
    comps = [f"{c + 1}" for c in range(o.d_k)]
    q, k, v = on.q[H, t].numpy(), on.k[H].numpy(), on.v[H].numpy()  # (d_k,), (T, d_k), (T, d_k)
    lim = float(max(np.abs(q).max(), np.abs(k).max(), np.abs(v).max()))
    heat = dict(type="heatmap", coloraxis="coloraxis", xgap=1, ygap=1, x=comps)
    qk = np.vstack([q[None], k])  # (T + 1, d_k)
    vo = np.vstack([v, on.heads[H, t].numpy()[None]])  # (T + 1, d_k)
    data = [
        dict(heat, z=qk.tolist(), y=[f"q of {t + 1}", *(f"k {s}" for s in keys)], xaxis="x", yaxis="y",
             hovertemplate="%{y}, component %{x}: %{z:.3f}<extra></extra>"),
        dict(heat, z=vo.tolist(), y=[*(f"v {s}" for s in keys), "Σ w·v"], xaxis="x3", yaxis="y3",
             hovertemplate="%{y}, component %{x}: %{z:.3f}<extra></extra>"),
    ]
    for scale, r in (("on", on), ("off", off)):
        data.append(dict(type="bar", x=keys, y=r.scores[H, t].numpy().tolist(), name=SCALE_NAME[scale],
                         marker=dict(color=SCALE_COLOR[scale]), xaxis="x2", yaxis="y2", legendgroup=scale,
                         hovertemplate=f"key %{{x}}: score %{{y:.3f}} ({scale})<extra></extra>"))
        data.append(dict(type="bar", x=keys, y=r.weights[H, t].numpy().tolist(), name=SCALE_NAME[scale],
                         marker=dict(color=SCALE_COLOR[scale]), xaxis="x4", yaxis="y4", legendgroup=scale,
                         showlegend=False, text=[f"{w:.2f}" if w >= 0.05 else "" for w in r.weights[H, t].numpy()],
                         textposition="outside", cliponaxis=False,
                         hovertemplate=f"key %{{x}}: weight %{{y:.4f}} ({scale})<extra></extra>"))
    mirror = len(o.tokens) - 1 - t
    annotations = [
        subplot_title(f"Query of position {t + 1} and every key (head {H + 1}, d<sub>k</sub> = {o.d_k})", 0.22),
        subplot_title("Scores before the softmax: q·k<sub>j</sub>/√d<sub>k</sub> (blue), "
                      "q·k<sub>j</sub> (orange)", 0.76),
        dict(subplot_title("The values, and their mix Σ<sub>j</sub> w<sub>j</sub> v<sub>j</sub> (scale on)", 0.22),
             y=0.42),
        dict(subplot_title("Weights w<sub>j</sub> after the softmax (each set sums to 1)", 0.76), y=0.42),
    ]
    return figure(
        data, height=720, margin=dict(l=80, r=20, t=60, b=50), annotations=annotations, barmode="group",
        xaxis=dict(domain=[0.0, 0.44], anchor="y", title=dict(text="component")),
        yaxis=dict(domain=[0.6, 1.0], anchor="x", autorange="reversed"),
        xaxis3=dict(domain=[0.0, 0.44], anchor="y3", title=dict(text="component")),
        yaxis3=dict(domain=[0.0, 0.4], anchor="x3", autorange="reversed"),
        xaxis2=dict(domain=[0.54, 1.0], anchor="y2", title=dict(text="key (position · token)")),
        yaxis2=dict(domain=[0.6, 1.0], anchor="x2", zeroline=True),
        xaxis4=dict(domain=[0.54, 1.0], anchor="y4", title=dict(text=f"key (position · token); the mirror of "
                                                                      f"position {t + 1} is {mirror + 1}")),
        yaxis4=dict(domain=[0.0, 0.4], anchor="x4", range=[0, 1.15]),
        coloraxis=dict(colorscale=DIVERGING, cmin=-lim, cmax=lim,
                       colorbar=dict(title=dict(text="component", side="right"), thickness=10, len=0.9, x=0.455)),
        legend=dict(orientation="h", yanchor="bottom", y=1.06, x=0.54),
    )


def _top(w: np.ndarray) -> tuple[int, float]:
    j = int(np.argmax(w))
    return j, float(w[j])


def describe_inside(o: Opened) -> str:
    H, t = o.head, o.token
    on, off = o.scaled.weights[H, t].numpy(), o.unscaled.weights[H, t].numpy()
    j_on, w_on = _top(on)
    _, w_off = _top(off)
    mirror = len(o.tokens) - 1 - t
    where = "its mirror position, the token it must output" if j_on == mirror else f"position {j_on + 1}"
    spread_on, spread_off = (float(np.ptp(r.scores[H, t].numpy())) for r in (o.scaled, o.unscaled))
    return (f"Test sequence {o.example} ({' '.join(map(str, o.tokens))}), read backwards by the model as "
            f"{' '.join(map(str, o.predicted))}. In head {H + 1}, position {t + 1} puts {pct(w_on)} of its weight "
            f"on position {j_on + 1} ({where}, holding {int(o.tokens[j_on])}). Without the 1/√{o.d_k} the scores "
            f"span {num(spread_off)} instead of {num(spread_on)} and the largest weight becomes {pct(w_off)}.")


def check_rows(o: Opened) -> list[tuple[str, str, str]]:
    """One row per quantity recomputed by hand, with torch's function and the largest difference."""
    what = {
        "weights": ("softmax weights, every head", "nn.MultiheadAttention(…, average_attn_weights=False)"),
        "output": ("layer output after W_O", "nn.MultiheadAttention"),
        "heads (scaled)": ("Σ w·v per head, scale on",
                           "F.scaled_dot_product_attention on the hand-made q, k, v"),
        "heads (unscaled)": ("Σ w·v per head, scale off",
                             "F.scaled_dot_product_attention on the hand-made q, k, v, scale=1"),
    }
    return [(what[k][0], what[k][1], f"{o.check[k]:.1e}") for k in what]


# ----------------------------------------------------------------------------- every head's map


def maps_figure(o: Opened) -> go.Figure:
    """Each head's attention weights for this sequence: row = query position, column = key position."""
    L, H = o.maps.shape[:2]
    keys = _keys(o.tokens)
    n = L * H
    gap = 0.06
    width = (1.0 - gap * (n - 1)) / n
    data, annotations, axes = [], [], {}
    for i in range(n):
        layer, head = divmod(i, H)
        ax = "" if i == 0 else str(i + 1)
        x0 = i * (width + gap)
        w = o.maps[layer, head]
        data.append(dict(type="heatmap", z=w.tolist(), x=keys, y=keys, coloraxis="coloraxis", xgap=1, ygap=1,
                         xaxis=f"x{ax}", yaxis=f"y{ax}",
                         hovertemplate="query %{y} → key %{x}: %{z:.3f}<extra></extra>"))
        data.append(cell_text(w, [[f"{v:.2f}" for v in row] for row in w], keys, keys, WEIGHTS, 0, 1, size=9,
                              xaxis=f"x{ax}", yaxis=f"y{ax}"))
        axes[f"xaxis{ax}"] = dict(domain=[x0, x0 + width], anchor=f"y{ax}", title=dict(text="key"), tickangle=-45)
        axes[f"yaxis{ax}"] = dict(anchor=f"x{ax}", autorange="reversed", title=dict(text="query") if i == 0 else None,
                                  showticklabels=i == 0)
        title = f"head {head + 1}" if L == 1 else f"layer {layer + 1}, head {head + 1}"
        annotations.append(subplot_title(title, x0 + width / 2))
    shapes = [dict(type="rect", xref=f"x{'' if i == 0 else i + 1}", yref=f"y{'' if i == 0 else i + 1}",
                   x0=-0.5, x1=len(keys) - 0.5, y0=o.token - 0.5, y1=o.token + 0.5, line=dict(color=VERMILLION,
                   width=2)) for i in range(n)]
    return figure(data, height=420, margin=dict(l=70, r=20, t=40, b=70), annotations=annotations, shapes=shapes,
                  coloraxis=dict(colorscale=WEIGHTS, cmin=0, cmax=1,
                                 colorbar=dict(title=dict(text="weight"), thickness=10)), **axes)


def describe_maps(o: Opened) -> str:
    T = len(o.tokens)
    anti = [float(np.mean([o.maps[0, h, t, T - 1 - t] for t in range(T)])) for h in range(o.maps.shape[1])]
    per_head = ", ".join(f"head {h + 1} {pct(a)}" for h, a in enumerate(anti))
    return (f"Weights of every head for test sequence {o.example}; the framed row is query position {o.token + 1}. "
            f"Mean weight on the mirror position (the anti-diagonal): {per_head}. The model answers "
            f"{pct(o.accuracy)} of all test tokens right, so a weight shared with the neighbours is enough for it.")


# ----------------------------------------------------------------------------- the scale and the softmax


def saturation_figure(s: Saturation) -> go.Figure:
    """One row of weights at the chosen d_k, then the largest weight and the softmax Jacobian against d_k."""
    keys = [str(j + 1) for j in range(s.keys)]
    data = []
    for scale in ("on", "off"):
        c, name = SCALE_COLOR[scale], SCALE_NAME[scale]
        data.append(dict(type="bar", x=keys, y=s.example_weights[scale].tolist(), name=name, marker=dict(color=c),
                         legendgroup=scale, xaxis="x", yaxis="y",
                         hovertemplate=f"key %{{x}}: %{{y:.4f}} ({scale})<extra></extra>"))
        data.append(dict(type="scatter", x=s.dks.tolist(), y=s.top[scale].tolist(), mode="lines+markers",
                         line=dict(color=c), name=name, legendgroup=scale, showlegend=False, xaxis="x2", yaxis="y2",
                         hovertemplate=f"d_k %{{x}}: mean largest weight %{{y:.3f}} ({scale})<extra></extra>"))
        data.append(dict(type="scatter", x=s.dks.tolist(), y=s.jacobian[scale].tolist(), mode="lines+markers",
                         line=dict(color=c), name=name, legendgroup=scale, showlegend=False, xaxis="x3", yaxis="y3",
                         hovertemplate=f"d_k %{{x}}: mean ‖J‖ %{{y:.3f}} ({scale})<extra></extra>"))
    data.append(dict(type="scatter", x=[s.dks[0], s.dks[-1]], y=[1 / s.keys] * 2, mode="lines", xaxis="x2",
                     yaxis="y2", line=dict(color=GREY, dash="dash"), name=f"uniform, 1/n = {num(1 / s.keys)}",
                     hoverinfo="skip"))
    marks = [dict(type="line", xref=f"x{a}", yref="paper", x0=s.d_k, x1=s.d_k, y0=0, y1=1,
                  line=dict(color=GREY, dash="dot", width=1.5)) for a in ("2", "3")]
    log_x = dict(type="log", tickvals=[1, 4, 16, 64, 256], ticktext=["1", "4", "16", "64", "256"],
                 title=dict(text="d<sub>k</sub>"))
    annotations = [
        subplot_title(f"One row of weights, d<sub>k</sub> = {s.d_k}, n = {s.keys}", 0.14),
        subplot_title("Mean largest weight", 0.5),
        subplot_title("Mean ‖softmax Jacobian‖<sub>F</sub>", 0.86),
    ]
    return figure(data, height=380, margin=dict(l=56, r=20, t=70, b=50), annotations=annotations, shapes=marks,
                  barmode="group", legend=dict(orientation="h", yanchor="bottom", y=1.12, x=0),
                  xaxis=dict(domain=[0.0, 0.28], anchor="y", title=dict(text="key")),
                  yaxis=dict(anchor="x", range=[0, 1], title=dict(text="weight")),
                  xaxis2=dict(log_x, domain=[0.36, 0.64], anchor="y2"),
                  yaxis2=dict(anchor="x2", range=[0, 1]),
                  xaxis3=dict(log_x, domain=[0.72, 1.0], anchor="y3"),
                  yaxis3=dict(anchor="x3", rangemode="tozero"))


def describe_saturation(s: Saturation) -> str:
    on, off = s.at(s.top, "on"), s.at(s.top, "off")
    j_on, j_off = s.at(s.jacobian, "on"), s.at(s.jacobian, "off")
    return (f"Measured over 400 random queries, each against n = {s.keys} random keys, at d_k = {s.d_k}. "
            f"The scores' standard deviation is {num(s.at(s.std, 'on'))} with the scale and "
            f"{num(s.at(s.std, 'off'))} without (√d_k = {num(float(np.sqrt(s.d_k)))}). The largest weight averages "
            f"{pct(on)} with the scale and {pct(off)} without; {pct(s.at(s.saturated, 'off'))} of the unscaled rows "
            f"put more than 99% on one key, against {pct(s.at(s.saturated, 'on'))} scaled. The softmax Jacobian, "
            f"which every gradient to the scores passes through, has mean norm {num(j_on)} scaled and "
            f"{num(j_off)} unscaled.")


# ----------------------------------------------------------------------------- positions and masks


def order_figure(o: Order) -> go.Figure:
    """Test accuracy at each position for the three variants, and each one's first head averaged over the test set."""
    T = len(next(iter(o.models.values())).accuracy_by_position)
    pos = list(range(1, T + 1))
    data = [dict(type="scatter", x=pos, y=o.models[v].accuracy_by_position.tolist(), mode="lines+markers",
                 name=VARIANTS[v][0], line=dict(color=VARIANT_COLOR[v]), xaxis="x", yaxis="y",
                 hovertemplate=f"position %{{x}}: %{{y:.1%}} ({VARIANTS[v][0]})<extra></extra>") for v in o.models]
    data.append(dict(type="scatter", x=[1, T], y=[0.1, 0.1], mode="lines", line=dict(color=GREY, dash="dash"),
                     name="chance (1 token in 10)", xaxis="x", yaxis="y", hoverinfo="skip"))
    best = float(o.ceiling["no_pe"][0])
    data.append(dict(type="scatter", x=[1, T], y=[best, best], mode="lines", xaxis="x", yaxis="y",
                     line=dict(color=VARIANT_COLOR["no_pe"], dash="dot"), hoverinfo="skip",
                     name=f"best without positions ({pct(best)})"))
    annotations = [subplot_title("Test accuracy at each output position", 0.5),
                   dict(subplot_title("Attention weights of head 1, averaged over the 1000 test sequences", 0.5),
                        y=0.445)]
    axes = {}
    n = len(o.models)
    gap, width = 0.08, (1.0 - 0.08 * (n - 1)) / n
    for i, v in enumerate(o.models):
        a = str(i + 2)
        x0 = i * (width + gap)
        data.append(dict(type="heatmap", z=o.maps[v][0].tolist(), x=pos, y=pos, coloraxis="coloraxis",
                         xaxis=f"x{a}", yaxis=f"y{a}", xgap=1, ygap=1,
                         hovertemplate="query %{y} → key %{x}: %{z:.3f}<extra></extra>"))
        axes[f"xaxis{a}"] = dict(domain=[x0, x0 + width], anchor=f"y{a}", title=dict(text="key position"), dtick=1)
        axes[f"yaxis{a}"] = dict(domain=[0.0, 0.38], anchor=f"x{a}", autorange="reversed", dtick=1,
                                 title=dict(text="query position") if i == 0 else None)
        annotations.append(dict(subplot_title(f"{VARIANTS[v][0]} (head 1)", x0 + width / 2), y=0.40))
    return figure(data, height=760, margin=dict(l=60, r=20, t=60, b=50), annotations=annotations,
                  xaxis=dict(domain=[0.0, 1.0], anchor="y", title=dict(text="output position", standoff=6), dtick=1),
                  yaxis=dict(domain=[0.58, 1.0], anchor="x", range=[0, 1.05], tickformat=".0%",
                             title=dict(text="test accuracy")),
                  coloraxis=dict(colorscale=WEIGHTS, cmin=0, cmax=1,
                                 colorbar=dict(title=dict(text="weight"), thickness=10, len=0.38, y=0.19)),
                  legend=dict(orientation="h", yanchor="bottom", y=1.04, x=0), **axes)


def describe_order(o: Order) -> str:
    m = o.models
    causal = m["causal"].accuracy_by_position
    half = len(causal) // 2
    return (f"Seed {o.seed}, 1000 test sequences. With positions: {pct(m['full'].accuracy)} of the tokens right. "
            f"Without them: {pct(m['no_pe'].accuracy)}, at every position alike, where the best possible without "
            f"positions is {pct(float(o.ceiling['no_pe'][0]))}. With the causal mask: "
            f"{pct(float(causal[:half].mean()))} on the first {half} positions, whose answer lies in their future, "
            f"and {pct(float(causal[half:].mean()))} on the last {len(causal) - half}. The trained model with the "
            f"1/√d_k removed: {pct(o.unscaled_accuracy)}, its largest weight {pct(o.top['off'])} on average instead "
            f"of {pct(o.top['on'])}.")


def order_rows(o: Order) -> list[tuple[str, ...]]:
    """One row per variant: its accuracies, final loss and training time; then the full model without the scale."""
    rows = [(VARIANTS[v][0], pct(t.accuracy), pct(float(t.accuracy_by_position[0])),
             pct(float(t.accuracy_by_position[-1])), f"{t.losses[-1]:.3f} nats", f"{t.seconds:.1f} s")
            for v, t in o.models.items()]
    rows.append(("positions on, no mask; 1/√d_k removed after training", pct(o.unscaled_accuracy), "", "", "",
                 "none (same weights)"))
    return rows
