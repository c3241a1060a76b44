"""/cnn, part 1: the trained CNN's filters and feature maps, and one output pixel summed by hand against torch."""

from __future__ import annotations

import inspect

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Needs, Section, Text, table
from neuralab.compress import zoo
from neuralab.nn import cnn as convnet
from neuralab.params import ParamSpec
from neuralab.plots import cnn_maps as figures
from neuralab.signal import spikes
from neuralab.train import cnn
from neuralab.train.loop import Config

P = prefix("neuralab.app.pages.cnn")
SPEC = ParamSpec.merge("cnn-filters-part", cnn.MAPS, cnn.PIXEL)
NAMES = ("cnn", "mlp")  # the compression zoo's CNN and its reference MLP, trained on the same digits split


def kept() -> bool:
    """Every network of the page is trained and on disk already, so the light sections take milliseconds."""
    return all(zoo.kept(name) for name in NAMES) and spikes.kept()


def make() -> None:
    """Train (or load) every network of the page: seconds the first time on a machine."""
    nets()
    spikes.train()


def nets() -> cnn.Nets:
    """The two trained networks (seconds the first time on a machine, then from disk) and their recipe."""
    c, m = (zoo.load(name) for name in NAMES)
    r = zoo.RECIPES["mlp"]
    recipe = Config(epochs=r.epochs, lr=r.lr, batch_size=r.batch_size, optimizer=r.optimizer)
    return cnn.Nets(c.model, c.accuracy, m.model, m.accuracy, zoo.data(), zoo.SPLIT_SEED, recipe)


# Both networks are trained once per machine (seconds): the light sections wait for the page's job to do it.
NETS = Needs("nets", ParamSpec("nets"), lambda _: kept(), lambda _: make(),
             "The page's networks are being trained (once on this machine, a few seconds); this chart appears as "
             "soon as they are.")


def layout(values: dict) -> list[html.Section]:
    return [_maps(values), _pixel(values)]


def _maps(values: dict) -> html.Section:
    return ui.section(
        "Filters and feature maps of a trained CNN",
        [
            ui.md(
                "A convolutional layer does not connect every input pixel to every unit. It slides a small "
                "filter, here 3 × 3 weights and a bias, over the image and computes the same weighted sum at "
                "every position; the grid of results is a *feature map*, one per filter. The network on this page "
                "is the compression pages' small CNN, trained here on the 8 × 8 digits (the "
                f"{cnn.N_TRAIN:,} training digits; the scores are on {cnn.N_TEST} test digits it never saw): 8 "
                "filters read the image, 16 filters "
                "read the 8 resulting maps, each followed by a ReLU (negative values become 0); a 2 × 2 max pool "
                "keeps the largest value of each 2 × 2 block, and one dense layer turns the 16 pooled 4 × 4 maps "
                "into 10 class scores.\n\n"
                "Pick a test digit: the first chart shows the eight filters the first layer learned (its whole "
                "set of weights, 72 numbers and 8 biases), the second every map the digit produces on the way "
                "through. A filter whose weights are positive on one side and negative on the other responds most "
                "where ink meets background across that direction: an edge detector. (The network reads each "
                "pixel standardized by its own training mean and spread, so a blank pixel is not one fixed value: "
                "part of what a filter sees as an edge comes from that scaling; see Normalization of the inputs "
                "in the reference.) The second layer combines those responses over a 5 × 5 neighbourhood of the "
                "digit."
            ),
            ui.row(controls(P, SPEC, values, ["digit"])),
            NETS.marker(P),
            alert(cid(P, "maps-alert")),
            ui.chart(cid(P, "filters"), "The digit and the first layer's eight learned filters"),
            ui.chart(cid(P, "maps"), "Every feature map of the digit, layer by layer"),
        ],
    )


def _pixel(values: dict) -> html.Section:
    return ui.section(
        "One output pixel, summed by hand",
        [
            ui.md(
                "Each value of a feature map is one sum: the kernel laid over a window of the layer's input, "
                "every weight times the value under it, all added, plus the filter's bias. In the second layer "
                "the window is 3 × 3 in each of the 8 input maps, so one output value is 72 products and a bias. "
                "Below, the window, the kernel and their element-wise products are printed with the real numbers "
                "of the digit chosen above; the sum is computed in numpy (`neuralab.nn.cnn.conv_pixel`) and "
                "compared with what torch's `Conv2d` returned for the same pixel inside the network.\n\n"
                "Padding 1 adds a ring of zeros around each map, so a 3 × 3 window fits at every position and the "
                "maps stay 8 × 8; at the border part of the window lies on that ring. Note that torch computes a "
                "cross-correlation: the kernel is not flipped as in the convolution of signal processing. For a "
                "learned kernel the difference does not matter, the network simply learns the flipped weights."
            ),
            ui.row(controls(P, SPEC, values, ["pixel_layer", "pixel_channel", "pixel_row", "pixel_col"])),
            alert(cid(P, "pixel-alert")),
            ui.chart(cid(P, "where"), "Where the window sits, and the output pixel it makes"),
            ui.chart(cid(P, "pixel"), "Window, kernel and their products, channel by channel"),
            html.Div(id=cid(P, "pixel-check"), className="nl-prose"),
            html.Details([html.Summary("The code being checked (neuralab.nn.cnn.conv_pixel)"),
                          ui.code(inspect.getsource(convnet.conv_pixel))]),
        ],
    )


MAPS_SECTION = Section(
    P, "maps", cnn.MAPS, lambda v, _: cnn.maps(nets(), **v),
    [Chart("filters", figures.filters_figure, figures.describe_filters),
     Chart("maps", figures.maps_figure, figures.describe_maps)],
    fix="Fix the value above to see the feature maps.", needs=NETS)
PIXEL_SECTION = Section(
    P, "pixel", cnn.PIXEL, lambda v, _: cnn.pixel(nets(), **v),
    [Chart("where", figures.where_figure, figures.describe_where),
     Chart("pixel", figures.pixel_figure, figures.describe_pixel),
     Text("pixel-check", lambda p: table(["step", "value"], figures.check_rows(p)))],
    fix="Fix the values above to see the sum.", needs=NETS)
SECTIONS = (MAPS_SECTION, PIXEL_SECTION)
update_maps = MAPS_SECTION.register()
update_pixel = PIXEL_SECTION.register()
