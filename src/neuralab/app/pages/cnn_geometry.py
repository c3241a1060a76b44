"""/cnn, part 2: output size, stride, padding, pooling and the receptive field, by formula and by torch."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.basics import conv_geometry
from neuralab.plots import cnn_geometry as figures

P = prefix("neuralab.app.pages.cnn")
SPEC = conv_geometry.GEOMETRY


def layout(values: dict) -> list[html.Section]:
    return [ui.section(
        "Output size, stride, padding, pooling and the receptive field",
        [
            ui.md(
                "Along one side, a layer with kernel k, stride s, padding p and dilation d turns n input pixels "
                "into\n\n"
                "`n_out = ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1`\n\n"
                "outputs: the effective kernel spans d·(k − 1) + 1 pixels, the padded input has n + 2p, and the "
                "kernel takes a step of s pixels between outputs; the floor drops a last window that would not "
                "fit. With stride 1, padding d·(k − 1)/2 keeps the size (\"same\"; (k − 1)/2 without dilation); "
                "with stride 2 the same padding halves it, rounding up. The floor leaves the last "
                "(n + 2p − d·(k − 1) − 1) mod s rows of the *padded* input unread; when that is more than p, real "
                "pixels are lost. A 2 × 2 "
                "max pool with stride 2 follows the same formula with k = s = 2 and has no weights.\n\n"
                "The *receptive field* is the block of input pixels one output depends on. Each layer widens it "
                "by d·(k − 1) times the jump, the distance in input pixels between neighbouring outputs of the "
                "layer before, and the jump multiplies by each stride. Stacked 3 × 3 layers at stride 1 grow it "
                "by 2 per layer (3, 5, 7, …); a stride or a pool makes every later layer grow it faster. Padding "
                "changes the size, never the field.\n\n"
                "Below, every number is computed twice: the output sizes by the formula and by running the stack "
                "in torch (a real `Conv2d` and `MaxPool2d` on an n × n input, reading the shape it returns); the "
                "receptive field by the recurrence and by autograd, with every weight set to 1 so that the input "
                "pixels with a non-zero gradient are exactly those the output depends on (a max pool passes the "
                "gradient to one pixel of its window only, so there the pool is measured as an average pool of "
                "the same window and stride)."
            ),
            ui.row(controls(P, SPEC, values, ["geo_n", "geo_k", "geo_s", "geo_p", "geo_d", "geo_depth"], drag=True)),
            ui.row(controls(P, SPEC, values, ["geo_pool"])),
            alert(cid(P, "geo-alert")),
            ui.chart(cid(P, "geo-sizes"), "Output size and receptive field after each stage, by formula and by torch"),
            html.Div(id=cid(P, "geo-table"), className="nl-prose"),
            ui.chart(cid(P, "geo-reach"), "The input pixels one output pixel of the last stage depends on"),
        ],
    )]


GEOMETRY_SECTION = Section(
    P, "geo", SPEC, lambda v, _: conv_geometry.geometry(**v),
    [Chart("geo-sizes", figures.sizes_figure, figures.describe_sizes),
     Text("geo-table", lambda g: table(list(figures.SIZE_HEADER), figures.size_rows(g))),
     Chart("geo-reach", figures.reach_figure, figures.describe_reach)],
    fix="Fix the values above to see the sizes.",
    drag=("geo_n", "geo_k", "geo_s", "geo_p", "geo_d", "geo_depth"))
SECTIONS = (GEOMETRY_SECTION,)
update_geometry = GEOMETRY_SECTION.register()
