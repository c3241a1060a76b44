"""/deep-networks, part 1: the untrained plain and residual networks, probed on the training digits (light)."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import deep_networks as figures
from neuralab.train import deep

P = prefix("neuralab.app.pages.deep_networks")
SPEC = deep.INIT
TITLE = "Before training: the gradient each block receives"


def run(values: dict, _progress) -> deep.Init:
    return deep.at_init(values["deep_depth"], values["deep_norm"], values["deep_scale"], values["deep_seed"])


def layout(values: dict) -> list[html.Section]:
    return [ui.section(TITLE, [
        ui.md(
            "Both networks read the 64 pixels of a digit, standardized on the training set, straight into a "
            "stream of 64 numbers and pass it through a stack of blocks, each one square `Linear` layer with a ReLU "
            "in front (and the chosen normalization in front of that), then a read-out to 10 classes. The plain "
            "block replaces the stream, h ← W·relu(N(h)) + b; the residual block adds to it, "
            "h ← h + W·relu(N(h)) + b. With the same seed both start with exactly the same weights: the `+ h` is "
            "the only difference.\n\n"
            "Backpropagation multiplies the gradient by each block's Jacobian on its way down. In the plain stack "
            "that is a product of as many matrices as there are blocks, and a product of fifty factors drifts "
            "geometrically: a factor of 0.9 per block leaves half a percent. In the residual stack each Jacobian "
            "is I + ∂F/∂h, so the gradient at block 1 is the gradient at the top plus further terms.\n\n"
            "The first chart shows two gradients of the loss (over all 1,077 training digits), before any "
            "training. Dashed, the backward signal: the gradient with respect to each block's input, the quantity "
            "that the product of Jacobians carries down. Solid, the gradient with respect to each block's weight "
            "matrix, the one the optimizer receives: ∂L/∂W_l is the backward signal at the block's output times "
            "the forward activation relu(N(h)) entering it. Without normalization the first shrinks toward the "
            "input and the second toward the output by the same factor per block, so the weight gradients drop "
            "as a whole and stay roughly level. The second chart is the spread of the signal flowing forward, the "
            "third how alike the streams of different digits are. "
            "The scale multiplies He's standard deviation √(2/fan_in) (1 is He, the right start for ReLU; the "
            "/fundamentals page measures the schemes on a plain stack)."
        ),
        ui.row(controls(P, SPEC, values, ["deep_depth", "deep_norm", "deep_scale", "deep_seed"])),
        alert(cid(P, "init-alert")),
        ui.chart(cid(P, "init-grads"), "Gradient norm per block, untrained"),
        ui.chart(cid(P, "init-stream"), "The stream's spread per block, untrained"),
        ui.chart(cid(P, "init-cosine"), "How alike two digits' streams are, per block, untrained"),
        ui.md(
            "What to try. With no normalization and the scale at 1, the residual stream doubles its variance every "
            "block (2⁵⁰ after fifty), so its loss is astronomical before training: a residual network is not "
            "stable by itself. Lower the scale to 0.2 and it is, while the plain stack's signal and backward "
            "signal vanish (0.2 per block is 35 decades over fifty). Without normalization, or with layer norm, "
            "the plain stack also maps every digit onto nearly the same direction after a few blocks (the third "
            "chart): its size can be right and its content gone. Batch norm, which normalizes across the batch, "
            "keeps the digits apart and holds the plain stream at the weight scale, but its gradient then grows "
            "toward the input by orders of magnitude, at any weight scale: batch norm itself causes that "
            "explosion (Yang et al., 2019)."
        ),
    ])]


INIT_SECTION = Section(
    P, "init", SPEC, run,
    [Chart("init-grads", figures.init_grads_figure, figures.describe_init_grads),
     Chart("init-stream", figures.init_stream_figure, figures.describe_init_stream),
     Chart("init-cosine", figures.init_cosine_figure, figures.describe_init_cosine)],
    fix="Fix the value above to probe the two networks.")
SECTIONS = (INIT_SECTION,)
update_init = INIT_SECTION.register()
