"""/robustness, part 2: adversarial training against plain training."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.pages.robustness_attack import NETS
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import robustness as figures
from neuralab.robust import digits

P = prefix("neuralab.app.pages.robustness")
SPEC = digits.TRAINING


def layout(values: dict) -> list[html.Section]:
    return [_training(values)]


def _training(values: dict) -> html.Section:
    return ui.section(
        "Adversarial training: what it costs, what it buys",
        [
            ui.md(
                "The defence that holds up best in practice is to train on the attack. Each batch's loss becomes "
                "½ · CE(x) + ½ · CE(x′), where x′ is the batch attacked with the current weights at the training "
                "ε, so the network is pushed to answer the same inside the budget (how far it succeeds, only an "
                "attack can show). The adversarially trained "
                "network below starts from the same initial weights as the zoo's, sees the batches in the same "
                "order with the same recipe, and differs only in that loss; it is trained once per setting on "
                f"this machine and kept (seconds for the MLP, under a minute for the CNN with PGD-"
                f"{digits.TRAIN_PGD.steps} examples). Both are then attacked with FGSM and with PGD-"
                f"{digits.EVAL_PGD.steps} at every budget (a digit counts only if it survives "
                f"{digits.RESTARTS} random starts).\n\n"
                "Read three numbers: the clean accuracy given up (ε = 0), the accuracy won under PGD at the training "
                "ε, and, for FGSM training, the gap between the dashed and solid blue curves: a network that "
                "resists FGSM far better than PGD has learned to blunt one attack, not to be robust."
            ),
            ui.row(controls(P, SPEC, values, ["train_model", "train_attack", "train_eps"])),
            alert(cid(P, "training-alert")),
            ui.chart(cid(P, "training"), "Test accuracy against the budget: plain and adversarial training, each "
                                         "attacked by FGSM and by PGD", heavy=True),
        ],
    )


TRAINING_SECTION = Section(P, "training", digits.TRAINING, lambda v, progress: digits.training(**v, progress=progress),
                           [Chart("training", figures.training_figure, figures.describe_training)],
                           fix="Fix the values above to train the network.", job=True, needs=NETS)
SECTIONS = (TRAINING_SECTION,)
update_training = TRAINING_SECTION.register()
