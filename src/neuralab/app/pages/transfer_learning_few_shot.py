"""/transfer-learning, part 2: 5-way 1-shot and 5-shot episodes, prototypes against 1-NN on pixels (a job)."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import transfer_learning as figures
from neuralab.train import transfer

P = prefix("neuralab.app.pages.transfer_learning")
SPEC = transfer.FEW_SHOT
TITLE = "Few-shot: class prototypes from one or five examples"


def run(values: dict, progress) -> transfer.FewShot:
    return transfer.few_shot(values["tl_episodes"], values["tl_seed"], progress=progress)


def layout(values: dict) -> list[html.Section]:
    return [ui.section(TITLE, [
        ui.md(
            "With one or five examples per class a trained read-out is fragile; a prototypical network needs no "
            "training step on the new classes: each class's prototype is the mean embedding of its few examples "
            "(the support), P_c = mean of f(x) over the support of class c, and a new digit (a query) takes the "
            "class of the nearest prototype in squared Euclidean distance. Here f is the body pre-trained on the "
            "digits 0–4 above (the seed above picks it), used as it is: not trained on episodes.\n\n"
            "An episode uses all 5 new classes (the digits 5–9), draws k labelled digits of each and 15 queries of "
            "each from all the digits 5–9 of the data set, none of which the body was trained on. The baseline is "
            "1-nearest-neighbour (scikit-learn's `KNeighborsClassifier`) on the same standardized pixels the "
            "network reads; the same neighbour on the raw grey levels 0–16 is drawn beside it. The control, "
            "prototypes from the same CNN with its initial random weights, says how much of the result is the "
            "pre-training and how much the architecture itself (random convolutions, ReLU and pooling). Every "
            "method is scored on the same episodes, so the caption compares two by their per-episode difference."
        ),
        ui.row(controls(P, SPEC, values, ["tl_episodes"])),
        alert(cid(P, "shots-alert")),
        ui.chart(cid(P, "shots"), "Query accuracy of 5-way episodes: prototypes against 1-NN on pixels",
                 heavy=True),
        ui.md(
            "Compare the prototypes first with the neighbour on the same standardized pixels: that is the fair "
            "baseline. The neighbour on the raw grey levels adds a second lesson: the scaling of the input can "
            "matter more than the embedding (standardizing pixel by pixel inflates the almost-constant border "
            "pixels). The lesson generalizes only with care: features pre-trained on five classes of 8 × 8 digits "
            "are narrow, and on images this small the raw grey levels (not the standardized pixels the network "
            "reads) are already a good metric. Prototypes pay where the raw input is a poor metric (larger "
            "images, sensor windows) and the pre-training set is broad, or when the body is trained on episodes "
            "like the test (Snell et al., 2017)."
        ),
    ])]


FEW_SHOT_SECTION = Section(P, "shots", SPEC, run,
                           [Chart("shots", figures.few_shot_figure, figures.describe_few_shot)],
                           fix="Fix the value above to sample the episodes.", job=True)
SECTIONS = (FEW_SHOT_SECTION,)
update_few_shot = FEW_SHOT_SECTION.register()
