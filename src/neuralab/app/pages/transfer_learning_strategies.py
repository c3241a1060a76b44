"""/transfer-learning, part 1: pre-trained on 0–4, reused on 5–9 three ways, at 5 to all labels per class (a job)."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import transfer_learning as figures
from neuralab.train import transfer

P = prefix("neuralab.app.pages.transfer_learning")
SPEC = transfer.TRANSFER
TITLE = "Three ways to reuse a pre-trained body"


def run(values: dict, progress) -> transfer.Transfer:
    return transfer.compare(values["tl_seeds"], values["tl_ratio"], values["tl_seed"], progress=progress)


def layout(values: dict) -> list[html.Section]:
    sizes = ", ".join(str(n) for n in transfer.SIZES if n)
    return [ui.section(TITLE, [
        ui.md(
            "The lab makes its own pre-training: the lab's digits CNN (two 3 × 3 convolutions with padding 1, so "
            "the 8 × 8 size is kept, a 2 × 2 max pool, a dense read-out) is trained with the lab's standard CNN "
            "recipe (Adam at 3·10⁻³, batches of 32) on the digits 0–4 only (721 digits, 20 epochs). Its body, "
            "everything before the read-out, turns an 8 × 8 digit into 16 × 4 × 4 = 256 features. The new task is the "
            "digits 5–9, which it has never seen, with a new 5-way read-out, three ways:\n\n"
            "* **from scratch**: a fresh CNN of the same shape, every weight learned from the new labels;\n"
            "* **frozen body, new read-out**: the pre-trained body fixed (`requires_grad = False`), only the "
            "1,285 weights of the read-out trained: a linear model on borrowed features;\n"
            "* **fine-tune all**: body and read-out trained together, the body at a smaller learning rate so the "
            "few new labels adjust the features instead of overwriting them.\n\n"
            f"Each is given {sizes} or all labelled digits per class, drawn from the 716 training and validation "
            f"digits 5–9, and trained for {transfer.STEPS} Adam updates (batches of up to {transfer.BATCH}); "
            "for one seed all three get the same digits, the same new read-out and the same batches. The score is "
            "the accuracy on the 180 test digits 5–9. Each seed also pre-trains its own body, so the error bars "
            "(one standard deviation over seeds) include the luck of the pre-training. The chart scores the test "
            "digits: use the body-rate slider to see the effect of the rate, not to pick one; a rate chosen here "
            "would overstate the result."
        ),
        ui.row(controls(P, SPEC, values, ["tl_seeds", "tl_ratio", "tl_seed"])),
        alert(cid(P, "transfer-alert")),
        ui.chart(cid(P, "transfer"), "Test accuracy on the digits 5–9 against labelled digits per class", heavy=True),
        ui.md(
            "Read the left end first: with 5 labels per class there is too little to learn the network's 2,533 "
            "weights from, and borrowed features are worth most. At the right end the labels are enough for any "
            "of them, and a frozen body can only be as good as features learned for other classes allow. The "
            "digits are easy, so the gaps are points. They can be much larger when the target has very few labels "
            "and the source is close to it, and they shrink or vanish when the source is unrelated (image features "
            "for vibration data) or the target has many labels."
        ),
    ])]


TRANSFER_SECTION = Section(P, "transfer", SPEC, run,
                           [Chart("transfer", figures.transfer_figure, figures.describe_transfer)],
                           fix="Fix the value above to run the comparison.", job=True)
SECTIONS = (TRANSFER_SECTION,)
update_transfer = TRANSFER_SECTION.register()
