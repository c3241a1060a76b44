"""/deep-networks, part 2: the six networks trained (a background job), curves, per-block gradients, accuracy."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.plots import deep_networks as figures
from neuralab.train import deep

P = prefix("neuralab.app.pages.deep_networks")
SPEC = deep.TRAIN
TITLE = "Trained: plain against residual at 5, 20 and 50 blocks"


def run(values: dict, progress) -> deep.Comparison:
    return deep.compare(values["deep_norm"], values["deep_scale"], values["deep_opt"], values["deep_epochs"],
                        values["deep_show"], values["deep_seed"], progress=progress)


def layout(values: dict) -> list[html.Section]:
    return [ui.section(TITLE, [
        ui.md(
            "Now the six networks train: plain and residual at 5, 20 and 50 blocks, with the normalization, the "
            "weight scale and the seed chosen above, the optimizer below, mini-batches of 32 in the same order "
            "for all six, and nothing else changed. The digits split is the one every model of the lab uses "
            "(1,077 training, 360 validation, 360 test digits). After every epoch the gradient of the loss over "
            "all training digits is measured again, block by block, without disturbing the run.\n\n"
            "Read the loss curves first: a plain network that fails does not overfit, it fails to fit the "
            "training digits at all (the degradation He et al. reported in 2015, which residual connections were "
            "invented to fix). Then the heatmaps: each row is a block, each column an epoch, the colour the "
            "logarithm of the norm of its weights' gradient (the backward signal times the forward activation), "
            "one scale for both networks. With batch norm, before training (column 0) the "
            "plain stack's gradients span orders of magnitude; once it trains they even out, and yet at 50 blocks its "
            "loss hardly moves. The size of the gradient is necessary, not sufficient. A deep plain stack at "
            "initialization also maps the digits onto nearly one direction unless batch norm holds them apart (the "
            "third chart above), and its gradient shatters: the gradients of neighbouring inputs become nearly "
            "uncorrelated (Balduzzi et al., 2017), so the loss surface is rough and the gradient is a good guide "
            "only over very short steps, which this page does not measure. Adam divides every weight's step by "
            "its own gradient's running size, which removes most of the scale (down to its ε of 1e-8) but does not "
            "smooth the surface: switch it on and compare."
        ),
        ui.row(controls(P, SPEC, values, ["deep_opt", "deep_epochs", "deep_show"])),
        alert(cid(P, "train-alert")),
        ui.chart(cid(P, "curves"), "Training loss per epoch, six networks", heavy=True),
        ui.chart(cid(P, "heat"), "Gradient norm of every block, epoch by epoch"),
        html.Div(id=cid(P, "scores"), className="nl-prose"),
        ui.md(
            "The fixes that make very deep networks train are all visible here: a skip connection that gives "
            "the gradient a path of identities, a normalization inside the branch, and a branch that starts "
            "small (the weight scale here; torchvision's ResNets do it with `zero_init_residual`, which starts the "
            "last batch-norm scale of every branch at zero). What the page does not show is that a depth of 50 is "
            "nowhere near needed for 8 × 8 digits: the 5-block networks do as well. Depth pays on larger "
            "problems; these are the problems it brings, measured on one the lab can train in seconds."
        ),
    ])]


TRAIN_SECTION = Section(
    P, "train", SPEC, run,
    [Chart("curves", figures.curves_figure, figures.describe_curves),
     Chart("heat", figures.heat_figure, figures.describe_heat),
     Text("scores", lambda c: table(list(figures.SCORE_HEADER), figures.score_rows(c)))],
    fix="Fix the value above to train the six networks.", job=True)
SECTIONS = (TRAIN_SECTION,)
update_train = TRAIN_SECTION.register()
