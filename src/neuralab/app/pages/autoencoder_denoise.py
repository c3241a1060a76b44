"""/autoencoder, part 2: a denoising autoencoder, trained at the noise level of the slider."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import autoencoder_denoise as figures
from neuralab.train import autoencoder as ae

P = prefix("neuralab.app.pages.autoencoder")
SPEC = ae.DENOISE
R = ae.WIDE


def layout(values: dict) -> list[html.Section]:
    return [ui.section(
        "Denoising: corrupt the input, keep the clean target",
        [
            ui.md(
                "A denoising autoencoder is trained on a corrupted copy of each input and asked to rebuild the "
                "clean original. Here the corruption is Gaussian noise of standard deviation σ added to every "
                "pixel, drawn afresh for every batch and switched off at evaluation, like dropout. The noise is "
                "independent from pixel to pixel and the digit is not, so the network lowers its loss by "
                "learning what digits look like and pulling each input towards that.\n\n"
                f"Two networks of the same shape, 64 → {R.hidden} → {R.code} → {R.hidden} → 64, trained for "
                f"{R.epochs} epochs: a plain one on clean digits, and a denoising one at the σ of the slider "
                "(a new σ trains a new network, once: a job with a progress bar). A code of "
                f"{R.code} numbers is wide enough to copy a clean digit well. The plain network removes some "
                "noise only as a side effect of squeezing the digit through that code; the denoising network "
                f"is trained to remove it. PCA keeping {R.code} components is the linear baseline: projecting "
                "on the main directions of the digits throws away the part of the noise that falls outside "
                "them."
            ),
            ui.row(controls(P, SPEC, values, ["noise"])),
            alert(cid(P, "denoise-alert")),
            ui.chart(cid(P, "denoise-examples"), "Noisy test digits and what each network makes of them",
                     heavy=True),
            ui.chart(cid(P, "denoise-curves"), "Error against the clean digit as the test noise grows"),
        ],
    )]


DENOISE_SECTION = Section(
    P, "denoise", ae.DENOISE, lambda v, progress: ae.denoise(v["ae_seed"], v["noise"], progress=progress),
    [Chart("denoise-examples", figures.examples_figure, figures.describe_examples),
     Chart("denoise-curves", figures.curves_figure, figures.describe_curves)],
    fix="Fix the noise level above to train the denoising autoencoder.", job=True)
SECTIONS = (DENOISE_SECTION,)
update_denoise = DENOISE_SECTION.register()
