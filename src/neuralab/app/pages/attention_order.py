"""/attention, part 3: positional encoding on and off, and the causal mask, each trained and measured."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.pages.attention_inside import TRAINED
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.plots import attention as figures
from neuralab.plots.format import pct
from neuralab.train import attention as lib
from neuralab.train.attention import ORDER, RECIPE

P = prefix("neuralab.app.pages.attention")
SPEC = ORDER


def layout(values: dict) -> list[html.Section]:
    r = RECIPE
    return [ui.section(
        "Order: positional encoding and the causal mask",
        [
            ui.md(
                "Attention by itself does not know where anything is. Permute the input positions and the "
                "queries, keys and values are permuted the same way, the scores and weights follow, and every "
                "position gets the same answer as before, only at its new place: the layer is "
                "*permutation-equivariant*. For reversal that is fatal, since which token belongs at a position "
                "depends on where that position is. The sinusoidal encoding "
                "`P[t, 2i] = sin(t / 10000^(2i/d))`, `P[t, 2i+1] = cos(t / 10000^(2i/d))` is added to each "
                "token's embedding and breaks the symmetry.\n\n"
                "A **causal mask** sets the score of every later key to −∞ before the softmax, so their weights "
                "are exactly 0 and position t sees positions 1 … t only. Language models use it so that "
                "training on a whole sentence at once cannot peek at the word to be predicted. Here it makes "
                "the first half of the reversal impossible: position t needs the token at "
                f"{r.steps + 1} − t, which for t ≤ {r.steps // 2} lies in its future.\n\n"
                "Three models, the same recipe (Adam, "
                f"{r.epochs} passes over 4000 training sequences), are trained in the background and scored on "
                "the same 1000 test sequences: with positions and no mask (for seed 0, the model above), "
                "without positional encoding, and with the causal mask. A new seed trains all three again."
            ),
            ui.row(controls(P, SPEC, values, ["order_seed"])),
            alert(cid(P, "order-alert")),
            ui.chart(cid(P, "order"), "Accuracy per position, and the first head's mean map, for the three models",
                     heavy=True),
            html.Div("The measurements appear when the three models are trained.", id=cid(P, "order-table"),
                     className="nl-card", role="status", **{"aria-live": "polite"}),
            ui.md(
                "How to read it. The masked model's map is zero above the diagonal, by construction. Where the "
                "mirror position is visible (the second half of the rows) the model finds it and answers as "
                "well as it can; in the first half it can only guess, one time in ten. The model without "
                "positions sees its own token and which tokens the others hold, but not where they stand: the "
                f"token it must output is equally likely to be that of any of the other {r.steps - 1} positions, "
                "so the best it can do is guess the most frequent of them. That is right "
                f"{pct(lib.best_without_positions(r.vocab, r.steps))} of the time on average (the dotted line), "
                "well above one in ten but far below what positions allow. The last row of the table keeps the "
                "trained weights but drops the 1/√d_k at inference: the scores grow √d_k-fold and the weights "
                "sharpen. The accuracy says whether this network cared; the point of the scale is elsewhere, "
                "in training, which without it would have started from saturated softmaxes in wider heads."
            ),
        ],
    )]


ORDER_SECTION = Section(
    P, "order", SPEC, lambda v, progress: lib.order(**v, progress=progress),
    [Chart("order", figures.order_figure, figures.describe_order),
     Text("order-table", lambda o: table(figures.ORDER_HEADER, figures.order_rows(o)), blank=[])],
    fix="Fix the value above to train the three models.", job=True, needs=TRAINED)
SECTIONS = (ORDER_SECTION,)
update_order = ORDER_SECTION.register()
