"""/augmentation, part 3: the wrong augmentation (each image turned by 180° with probability ½), 6s and 9s (a job)."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import augmentation as figures
from neuralab.robust import augmentation as aug

P = prefix("neuralab.app.pages.augmentation")
SPEC = aug.WRONG
TITLE = "The wrong augmentation: turning a 6 into a 9"


def run(values: dict, progress) -> aug.Wrong:
    return aug.wrong(values["aug_seed"], progress=progress)


def layout(values: dict) -> list[html.Section]:
    return [ui.section(TITLE, [
        ui.md(
            f"An augmentation is only right if the label is still true after it. Turning a digit upside down is "
            f"harmless for a 0, a 1 or an 8, but a 6 turned by 180° is drawn like a 9 and keeps its label 6. Here "
            f"the same CNN recipe trains on all the training digits with every image turned by 180° "
            f"(`torch.rot90` twice) with probability {aug.WRONG_SHARE:g}, all ten digits, not only the 6s and 9s, "
            "for the seed above and the next two, against the compression pages' models trained without. The "
            "chart shows the accuracy on all validation digits, on the 6s and on the 9s, and "
            "how often one is read as the other. The same trap waits in other data: a horizontal flip of text or "
            "of a left/right-sensitive part, a time reversal of a signal whose direction matters (heating against "
            "cooling), an amplitude scaling of a sensor whose level is the answer."
        ),
        alert(cid(P, "wrong-alert")),
        ui.chart(cid(P, "wrong"), "Accuracy on the 6s and 9s, with and without the 180° turn", heavy=True),
    ])]


WRONG_SECTION = Section(
    P, "wrong", SPEC, run, [Chart("wrong", figures.wrong_figure, figures.describe_wrong)],
    fix="Fix the seed above to train the networks.", job=True)
SECTIONS = (WRONG_SECTION,)
update_wrong = WRONG_SECTION.register()
