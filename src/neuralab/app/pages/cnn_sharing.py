"""/cnn, part 3: weight sharing measured (the CNN against MLPs of every width) and a digit moved by a pixel."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.pages import cnn_filters
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.params import ParamSpec
from neuralab.plots import cnn_sharing as figures
from neuralab.train import cnn

P = prefix("neuralab.app.pages.cnn")
SPEC = ParamSpec.merge("cnn-sharing-part", cnn.SHARING, cnn.SHIFT)


def layout(values: dict) -> list[html.Section]:
    return [_sharing(values), _shift(values)]


def _sharing(values: dict) -> html.Section:
    return ui.section(
        "Weight sharing: parameters against an MLP of equal accuracy",
        [
            ui.md(
                "A convolution uses one small filter at every position of the image. The table counts what that "
                "saves, layer by layer, for this CNN: the weights as built; the same connections with a separate "
                "filter at each of the 64 output positions (a *locally connected* layer, no sharing); and a fully "
                "connected layer with the same number of inputs and outputs. The saving grows with the image: a "
                "filter's size does not depend on it.\n\n"
                "Fewer weights only matter if the network still learns the task, so the chart trains a family "
                "of one-hidden-layer MLPs (64 inputs, h hidden units, 10 outputs), each with the recipe and the "
                "data split of the CNN's reference MLP, and plots test accuracy against parameter count. "
                "Each MLP is trained once per seed on this machine and kept (a job with a progress bar the first "
                "time: about half a minute here, with the page's other networks). One test digit is 0.28 % of the "
                "score, so differences of a digit or two are noise, and the CNN itself is one seed; more seeds show "
                "how much the MLPs vary. The CNN has a built-in assumption that the MLP must learn from examples: "
                "a pattern means the same wherever it appears.\n\n"
                "Parameters are not the whole cost on a microcontroller. Flash holds the weights, but the "
                "cycle budget pays one multiply-accumulate (MAC) per weight *per position* it is used at, and "
                "RAM must hold a layer's input and output maps at once. The second table counts both for every "
                "network: each filter weight of the CNN's convolutions is used at all 64 positions of its map, "
                "while an MLP uses each weight once per digit."
            ),
            ui.row(controls(P, SPEC, values, ["sharing_seeds"])),
            alert(cid(P, "sharing-alert")),
            ui.chart(cid(P, "sharing"), "Test accuracy against the number of parameters: MLPs of every width and "
                                        "the CNN", heavy=True),
            html.Div(id=cid(P, "sharing-layers"), className="nl-prose"),
            html.Div(id=cid(P, "sharing-runs"), className="nl-prose"),
        ],
    )


def _shift(values: dict) -> html.Section:
    return ui.section(
        "Move the digit a pixel: what the CNN and the MLP answer",
        [
            ui.md(
                "Convolution is translation *equivariant*: move the input by a pixel and every feature map moves "
                "by the same pixel, since the same filter is applied at every position (only the border changes, "
                "where the window meets the padding). The caption below checks it on the first layer's maps. That "
                "does not make the whole network *invariant* to shifts. The 2 × 2 max pool absorbs a move that "
                "keeps the strongest response inside the same block, but this CNN then flattens its 16 maps of "
                "4 × 4 into 256 numbers for a dense layer, which has a weight per position, just like the MLP's "
                "first layer.\n\n"
                "The shift here moves the 64 numbers the networks read (each pixel after scaling by its training "
                "mean and spread) and fills the uncovered edge with 0, the training mean at those pixels. Moving "
                "the raw image instead would put ink in edge pixels that are blank, or nearly so, in the training "
                "digits, and scaling by their tiny spread would turn that ink into values far outside anything "
                "seen in training: a preprocessing effect, not the architecture. The grid at the bottom scores "
                "both networks on all 360 test digits for every shift up to two pixels each way (computed by the "
                "job above)."
            ),
            ui.row(controls(P, SPEC, values, ["shift_dx", "shift_dy"], drag=True)),
            html.P("The digit is the one chosen in the first section.", className="nl-help"),
            alert(cid(P, "shift-alert")),
            ui.chart(cid(P, "shift"), "The moved digit and each network's probabilities, moved and in place"),
            ui.chart(cid(P, "shift-grid"), "Test accuracy of both networks for every shift", heavy=True),
        ],
    )


SHARING_SECTION = Section(
    P, "sharing", cnn.SHARING, lambda v, progress: cnn.sharing(cnn_filters.nets(), **v, progress=progress),
    [Chart("sharing", figures.sharing_figure, figures.describe_sharing),
     Text("sharing-layers", lambda s: table(list(figures.LAYER_HEADER), figures.layer_rows(s))),
     Text("sharing-runs", lambda s: table(list(figures.RUN_HEADER), figures.run_rows(s))),
     Chart("shift-grid", figures.grid_figure, figures.describe_grid)],
    fix="Fix the value above to compare the networks.", job=True, needs=cnn_filters.NETS)
SHIFT_SECTION = Section(
    P, "shift", cnn.SHIFT, lambda v, _: cnn.shift(cnn_filters.nets(), **v),
    [Chart("shift", figures.shift_figure, figures.describe_shift)],
    fix="Fix the values above to move the digit.", needs=cnn_filters.NETS, drag=("shift_dx", "shift_dy"))
SECTIONS = (SHARING_SECTION, SHIFT_SECTION)
update_sharing = SHARING_SECTION.register()
update_shift = SHIFT_SECTION.register()
