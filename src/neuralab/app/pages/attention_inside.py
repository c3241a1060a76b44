"""/attention, part 1: one query followed through the trained layer, checked against torch; every head's map."""

from __future__ import annotations

import inspect

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Needs, Section, Text, table
from neuralab.nn import attention as nn_attention
from neuralab.params import ParamSpec
from neuralab.plots import attention as figures
from neuralab.train import attention as lib
from neuralab.train.attention import D_K, INSIDE, RECIPE

P = prefix("neuralab.app.pages.attention")
SPEC = INSIDE
# The first visit trains the model (a few seconds): the order section's job trains it first, and the light
# sections here say so meanwhile instead of training it inside a request.
TRAINED = Needs("trained", ParamSpec("trained"), lambda _: lib.kept("full", 0), lambda _: lib.trained("full", 0),
                "The model is being trained (once on this machine, a few seconds; the last section shows the "
                "progress). This chart appears as soon as it is done.")


def layout(values: dict) -> list[html.Section]:
    r = RECIPE
    return [ui.section(
        "One query through a trained attention layer",
        [
            ui.md(
                "The model is a one-layer transformer encoder trained here to **reverse** sequences of "
                f"{r.steps} digits: it reads `7 8 2 7 7 1 1 0` and must answer `0 1 1 7 7 2 8 7`, one token per "
                f"position. Each token becomes a vector of {r.d_model} numbers (a learned embedding plus the "
                f"sinusoidal positional encoding), and one attention layer with {r.heads} heads of "
                f"d_k = {D_K} lets every position gather information from the others. A small feedforward "
                "block follows (each of the two with a residual connection and layer normalization), then a "
                "linear read-out per position. To answer, position t has to fetch the "
                f"token at position {r.steps + 1} − t, and attention is the only part of the network that can "
                "move information between positions.\n\n"
                "For each head, every position t computes three vectors from its own input h_t, written as a "
                "row vector: a query q_t = h_t W_Q + b_Q (what it looks for), a key k_t = h_t W_K + b_K (what it "
                "offers to be found by) and a value v_t = h_t W_V + b_V (what it hands over), each W of shape "
                "d × d_k. Position t scores every key with a dot "
                "product, turns the scores into weights that are positive and sum to 1, and takes the weighted "
                "mean of the values:\n\n"
                "`w_tj = softmax_j(q_t · k_j / √d_k)`   `head_t = Σ_j w_tj v_j`\n\n"
                "In matrix form, softmax(Q Kᵀ / √d_k) V. The heads' outputs are concatenated and multiplied by "
                "W_O. Pick a test sequence (never seen in training), a query position and a head; the charts "
                "show that query, the keys it is compared with, the scores with the 1/√d_k scale (blue, as "
                "the network was trained) and without it (orange), the weights the softmax makes of each, and "
                "the values they mix."
            ),
            ui.row(controls(P, SPEC, values, ["attn_example", "attn_token", "attn_head"])),
            TRAINED.marker(P),
            alert(cid(P, "inside-alert")),
            ui.chart(cid(P, "inside"), "One query, every key, the scores, the weights and the values"),
            ui.md(
                "**Checked against torch.** The layer is torch's `nn.MultiheadAttention`. Everything above is "
                "recomputed from its weights by `neuralab.nn.attention.by_hand` in float64: slice W_Q, W_K and "
                "W_V out of the packed `in_proj_weight` (torch stores each one transposed), split each into heads, "
                "score, softmax, mix, concatenate, project. The table gives the largest difference from torch for "
                "this sequence. The first two rows check the whole layer against `nn.MultiheadAttention`; the "
                "last two feed the hand-made q, k and v to `F.scaled_dot_product_attention`, so they check the "
                "softmax and the mixing alone, with and without the scale. torch computes in float32, so "
                "differences of about 10⁻⁷ to 10⁻⁶ are rounding."
            ),
            html.Div(id=cid(P, "inside-check"), className="nl-prose"),
            html.Details([html.Summary("The code being checked (neuralab.nn.attention.by_hand)"),
                          ui.code(inspect.getsource(nn_attention.by_hand))]),
            ui.chart(cid(P, "maps"), "Every head's attention weights for this sequence"),
            ui.md(
                "Each row of a map is one query position's weights over the keys, so every row sums to 1. "
                "In this model both heads learned the same plan: position t looks at position "
                f"{r.steps + 1} − t, which draws the anti-diagonal. Nothing told them to; the pattern comes "
                "from training on the reversal task alone, and it only exists because the positional encoding "
                "lets a query tell position 2 from position 7 (the last section removes it)."
            ),
        ],
    )]


INSIDE_SECTION = Section(
    P, "inside", SPEC, lambda v, _: lib.opened(**v),
    [Chart("inside", figures.inside_figure, figures.describe_inside),
     Text("inside-check", lambda o: table(figures.CHECK_HEADER, figures.check_rows(o)), blank=[]),
     Chart("maps", figures.maps_figure, figures.describe_maps)],
    fix="Fix the value above to open up the layer.", drag=("attn_example", "attn_token", "attn_head"),
    needs=TRAINED)
SECTIONS = (INSIDE_SECTION,)
update_inside = INSIDE_SECTION.register()
