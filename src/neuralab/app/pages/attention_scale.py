"""/attention, part 2: what dividing the scores by √d_k does to the softmax, measured."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import attention as figures
from neuralab.train import attention as lib
from neuralab.train.attention import SCALE

P = prefix("neuralab.app.pages.attention")
SPEC = SCALE


def layout(values: dict) -> list[html.Section]:
    return [ui.section(
        "Why divide by √d_k: the softmax's saturation, measured",
        [
            ui.md(
                "Take a query and a key independent of each other, each with d_k independent components of "
                "mean 0 and variance 1. Their dot product has mean 0 and variance d_k: every component adds its "
                "own unit of variance. So the scores of a wide head spread over roughly ±2√d_k. "
                "The softmax turns differences between scores into "
                "ratios of weights (a gap of 5 between two scores is a ratio of e⁵ ≈ 148), so wide spreads "
                "push nearly all of the weight onto the largest score. That *saturated* softmax has a "
                "Jacobian diag(w) − w wᵀ close to zero, and the gradient that reaches the queries and keys "
                "through it is close to zero too: where the softmax starts out saturated, the layer learns "
                "slowly or not at all. Dividing by √d_k brings the scores' variance back to 1 whatever the width.\n\n"
                "Below, random queries and keys with unit-variance components are scored at each d_k, "
                "with and without the scale, and the softmax is measured: the mean largest weight (1/n is "
                "uniform, 1 is all weight on one key) and the mean size of its Jacobian. Move d_k and the "
                "number of keys n."
            ),
            ui.row(controls(P, SPEC, values, ["scale_dk", "scale_keys"])),
            alert(cid(P, "scale-alert")),
            ui.chart(cid(P, "scale"), "The softmax of scaled and unscaled scores against the key dimension"),
            ui.md(
                "Two remarks. With many keys (try n = 64) the unscaled Jacobian first *rises* with d_k, then "
                "falls: a softmax of nearly equal scores is nearly uniform, and a uniform softmax over n keys "
                "has a Jacobian of norm √(n − 1)/n, small for large n. A moderate spread of the scores is where "
                "it passes the most gradient. And the scale is not the only fix one could imagine (smaller "
                "initial weights would "
                "shrink the scores too); it is the one that keeps the scores' variance at 1 for any d_k, so "
                "the same initialisation and learning rate serve narrow and wide heads alike. The trained "
                "model's own numbers, with the scale removed after training, are in the table of the last "
                "section."
            ),
        ],
    )]


SCALE_SECTION = Section(
    P, "scale", SPEC, lambda v, _: lib.saturation(**v),
    [Chart("scale", figures.saturation_figure, figures.describe_saturation)],
    fix="Fix the value above to measure the softmax.", drag=("scale_dk", "scale_keys"))
SECTIONS = (SCALE_SECTION,)
update_scale = SCALE_SECTION.register()
