"""/augmentation, part 2: validation accuracy against training-set size, with and without (a background job)."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import augmentation as figures
from neuralab.robust import augmentation as aug

P = prefix("neuralab.app.pages.augmentation")
SPEC = aug.CURVE
TITLE = "When augmentation pays: accuracy against training-set size"


def run(values: dict, progress) -> aug.Curve:
    return aug.curve(values["aug_kind"], values["aug_strength"], values["aug_seed"], values["aug_sizes"],
                     progress=progress)


def layout(values: dict) -> list[html.Section]:
    return [ui.section(TITLE, [
        ui.md(
            "The lab's small CNN (the reference model of the compression pages: two 3 × 3 convolutions, 8 and 16 "
            "filters, a max pool, a dense read-out) trained on 5, 30 and all digits per class (10 as well if "
            "chosen below), with and without the augmentation and strength chosen above, for three seeds (the one "
            "above and the next two). Each seed draws the training subset (below all), the initial weights, the "
            "batch order and the augmentation; with and without share the same subset, weights and batch order, "
            "so the gain is compared seed by seed. Every network gets the same number of updates "
            f"({aug.UPDATES}: 20 epochs of the full set, Adam at 3e-3, batches of 32), so a small set is not also "
            "a short training. The network trained on all digits without augmentation is the compression pages' "
            "model, read from disk. The score is the accuracy on the 360 validation digits, where one digit is "
            f"{100 / 360:.2f} points; with three seeds a gain within one standard deviation of the per-seed gain "
            "cannot be told from zero.\n\n"
            "Augmentation adds variety the data lack. With a few digits per class that variety is worth several "
            "points; with a hundred, the training set holds most of it already and the gain shrinks. Too strong "
            "an augmentation (try all three kinds together) makes the training digits unlike the validation ones "
            "and costs accuracy."
        ),
        ui.row(controls(P, SPEC, values, ["aug_sizes"])),
        alert(cid(P, "curve-alert")),
        ui.chart(cid(P, "curve"), "Validation accuracy against digits per class, with and without", heavy=True),
    ])]


CURVE_SECTION = Section(
    P, "curve", SPEC, run, [Chart("curve", figures.curve_figure, figures.describe_curve)],
    fix="Fix the value above to train the networks.", job=True)
SECTIONS = (CURVE_SECTION,)
update_curve = CURVE_SECTION.register()
