"""/research-corner, part 1: a capsule network with dynamic routing against the lab's small CNN (a background job)."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.compress import zoo
from neuralab.plots import research_corner as figures
from neuralab.train import research

P = prefix("neuralab.app.pages.research_corner")
SPEC = research.CAPSULES
TITLE = "Capsules: routing by agreement"


def run(values: dict, progress) -> research.Capsules:
    cnn = zoo.load("cnn", values["rc_seed"]).model  # the lab's small CNN, trained once per seed and cached
    return research.capsules(cnn, values["caps_iters"], values["caps_digit"], values["rc_seed"], progress=progress)


def layout(values: dict) -> list[html.Section]:
    return [ui.section(TITLE, [
        ui.md(
            "A capsule is a small vector instead of a single activation: its length, a score between 0 and 1 (not a "
            "calibrated probability), says how strongly the network finds a part there, its direction how the "
            "part looks. This one reads the 64 pixels of a digit "
            "through a 3 × 3 convolution (16 maps), then a strided convolution whose 16 outputs at each of 4 × 4 "
            "positions are cut into 4 capsule types of 4 numbers: 64 primary capsules. Every primary capsule "
            "multiplies itself by a learned 8 × 4 matrix per digit class (one matrix per type and class, shared "
            "across positions) to predict each of the 10 digit capsules. Sharing has a price: the votes no longer "
            "carry where a part is, so the digit capsules see each type's 16 capsules as an unordered set.\n\n"
            "Routing decides how much of each prediction reaches each digit capsule. The coupling coefficients "
            "start uniform (a softmax of zeros: 0.1 each); each iteration sums the predictions weighted by them, "
            "squashes the sum so that its length lies between 0 and 1, and raises the logit b_ij by the dot product "
            "of prediction and result, so a prediction that agrees (long and pointing the same way) takes a larger "
            "share of its capsule's coupling, at the other parents' expense. One iteration is no routing "
            "at all. The network trains with the margin loss (the right capsule longer than 0.9, the others "
            "shorter than 0.1) and the CNN's recipe (Adam, learning rate 0.003, 20 epochs, batches of 32, not "
            "tuned for capsules) on the split every digits model of the lab uses; the CNN beside it is the lab's "
            "small CNN (the compression zoo's `cnn`, 8 and 16 channels), trained once per seed, "
            "not again here."
        ),
        ui.row(controls(P, SPEC, values, ["caps_iters", "caps_digit", "rc_seed"])),
        alert(cid(P, "capsules-alert")),
        ui.chart(cid(P, "coupling"), "Coupling coefficients for one test digit", heavy=True),
        ui.chart(cid(P, "lengths"), "The digit capsules' lengths"),
        ui.chart(cid(P, "iterations"), "Test accuracy against routing iterations"),
        html.Div(id=cid(P, "compare"), className="nl-prose"),
        ui.md(
            "Where capsules are worth their cost: the original paper reports them recognizing overlapping digits "
            "(MultiMNIST) and small affine distortions (affNIST) that a CNN of its time handled worse, with a "
            "reconstruction decoder this "
            "small version leaves out. On the 8 × 8 digits at an equal parameter budget the table says what they "
            "cost here: every routing iteration is another pass over all 64 × 10 predictions, in training and at "
            "inference, and the plain CNN trains faster and scores higher. A capsule network is a research "
            "direction, not a drop-in replacement for a convolutional classifier on an embedded target."
        ),
    ])]


CAPSULES_SECTION = Section(
    P, "capsules", SPEC, run,
    [Chart("coupling", figures.coupling_figure, figures.describe_coupling),
     Chart("lengths", figures.lengths_figure, figures.describe_lengths),
     Chart("iterations", figures.iterations_figure, figures.describe_iterations),
     Text("compare", lambda c: table(list(figures.COMPARE_HEADER), figures.compare_rows(c)))],
    fix="Fix the value above to train and route the capsule network.", job=True)
SECTIONS = (CAPSULES_SECTION,)
update_capsules = CAPSULES_SECTION.register()
