"""/augmentation, part 2: validation accuracy against training-set size, with and without (a background job)."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import augmentation as figures
from neuralab.robust import augmentation as aug

P = prefix("neuralab.app.pages.augmentation")
SPEC = aug.CURVE
TITLE = "When augmentation pays: accuracy against training-set size"


def run(values: dict, progress) -> aug.Curve:
    return aug.curve(values["aug_kind"], values["aug_strength"], values["aug_seed"], progress=progress)


def layout(values: dict) -> list[html.Section]:
    sizes = ", ".join(str(n) for n in aug.SIZES if n)
    return [ui.section(TITLE, [
        ui.md(
            f"The compression zoo's small CNN (two 3 × 3 convolutions, 8 and 16 filters, a max pool, a dense "
            f"read-out) trained on {sizes} and all digits per class, with and without the augmentation and "
            "strength chosen above, for three seeds (the one above and the next two; each seed draws the "
            "training digits, the initial weights, the batches and the augmentation). Every network gets the same "
            f"number of updates ({aug.UPDATES}, the zoo's recipe: Adam at 3e-3, batches of 32), so a small set is "
            "not also a short training. The network trained on all digits without augmentation is the zoo's own "
            "model, read from disk. The score is the accuracy on the 360 validation digits; no choice here is "
            "tuned on them.\n\n"
            "Augmentation adds variety the data lack. With a few digits per class that variety is worth several "
            "points; with a hundred, the training set holds most of it already and the gain shrinks (the caption "
            "says whether into the noise between seeds). A strength that is too large (try all three kinds "
            "together at 1) makes the training digits harder than the validation ones and costs accuracy."
        ),
        alert(cid(P, "curve-alert")),
        ui.chart(cid(P, "curve"), "Validation accuracy against digits per class, with and without", heavy=True),
    ])]


CURVE_SECTION = Section(
    P, "curve", SPEC, run, [Chart("curve", figures.curve_figure, figures.describe_curve)],
    fix="Fix the value above to train the networks.", job=True)
SECTIONS = (CURVE_SECTION,)
update_curve = CURVE_SECTION.register()
