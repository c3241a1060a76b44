"""/augmentation, part 1: one validation digit under the chosen augmentation, several random draws (light)."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import augmentation as figures
from neuralab.robust import augmentation as aug

P = prefix("neuralab.app.pages.augmentation")
SPEC = aug.GALLERY
TITLE = "One digit, augmented"


def run(values: dict, _progress) -> aug.Gallery:
    return aug.gallery(values["aug_kind"], values["aug_strength"], values["aug_digit"], values["aug_seed"])


def layout(values: dict) -> list[html.Section]:
    return [ui.section(TITLE, [
        ui.md(
            "An augmentation changes a training input in a way that keeps its label true, and draws the change "
            "afresh every time the input is used. The network then sees a different random copy most of the time "
            "(a shift of up to ±1 pixel has only 9 copies of each digit, one of them the original) and has to "
            "learn what does not change. Here the changes work on the image in grey levels (0–16), not on "
            "the standardized numbers the network reads: a shift by whole pixels with `torch.roll`, the pixels "
            "that wrap round blanked; a rotation about the centre with `F.affine_grid` and `F.grid_sample` "
            "(bilinear, blank outside); Gaussian noise, clipped at 0 and 16. On an 8 × 8 image one pixel is an "
            "eighth of the width, so even the largest settings are large changes: at strength 1, shifts of up "
            "to ±2 pixels (a quarter of the width), angles up to ±30°, noise of σ = 4 grey levels (a quarter of "
            "the range). A shift moves whole pixels: 0.25 and 0.5 shift up to ±1 pixel, 0.75 and 1 up to ±2."
        ),
        ui.row(controls(P, SPEC, values, ["aug_kind", "aug_strength", "aug_digit", "aug_seed"])),
        alert(cid(P, "gallery-alert")),
        ui.chart(cid(P, "gallery"), "The digit, random draws of the augmentation, and the digit turned by 180°"),
    ])]


GALLERY_SECTION = Section(
    P, "gallery", SPEC, run, [Chart("gallery", figures.gallery_figure, figures.describe_gallery)],
    fix="Fix the value above to see the digit augmented.")
SECTIONS = (GALLERY_SECTION,)
update_gallery = GALLERY_SECTION.register()
