"""/autoencoder, part 1: a 2-D code for the digits, decoded where you click, against PCA with 2 components."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback, html, no_update

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Needs, Section
from neuralab.params import ParamSpec
from neuralab.plots import autoencoder_latent as figures
from neuralab.train import autoencoder as ae

P = prefix("neuralab.app.pages.autoencoder")
SPEC = ParamSpec.merge("latent-part", ae.CODE_SPEC, ae.DECODE)
R = ae.CODE2
# Training the 2-D autoencoder takes seconds, too long for a request: the job below trains it, and the light
# decoding section waits for it with a sentence (then answers from the cached model in a millisecond).
TRAINED = Needs("ae-trained", ae.CODE_SPEC, lambda v: ae.kept(2, 0.0, v["ae_seed"]),
                lambda v: ae.latent(v["ae_seed"]), ae.NOT_READY)


def pick(click: Any) -> tuple:
    """The code point under a click on the map, on the sliders' grid; ``no_update`` for anything else.

    A crafted payload (no points, text, a huge or non-finite number) changes nothing; a point outside the
    decodable square is pulled to its edge. The sliders' values then pass the section's ParamSpec as usual.
    """
    try:
        pt = click["points"][0]
        x, y = float(pt["x"]), float(pt["y"])
    except (TypeError, KeyError, IndexError, ValueError, OverflowError):
        return no_update, no_update
    if not (abs(x) < 1e6 and abs(y) < 1e6):  # also refuses nan
        return no_update, no_update
    return ae.snap(x, y)


@callback(Output(cid(P, "z1"), "value"), Output(cid(P, "z2"), "value"), Input(cid(P, "map"), "clickData"),
          prevent_initial_call=True)
def on_click(click: Any) -> tuple:
    return pick(click)


def layout(values: dict) -> list[html.Section]:
    return [_code(values), _pca()]


def _code(values: dict) -> html.Section:
    return ui.section(
        "A code of two numbers, decoded where you click",
        [
            ui.md(
                "An autoencoder is two networks trained as one. The encoder maps a digit's 64 pixels to a short "
                "code; the decoder maps the code back to 64 pixels; the loss is the squared difference between "
                "what comes out and what went in. No label is used: the target is the input itself. Here the "
                "code has only two numbers, so every digit becomes a point in a plane, and the plane can be "
                "drawn.\n\n"
                f"The network is 64 → {R.hidden} → 2 → {R.hidden} → 64, ReLU inside and a sigmoid at the output "
                f"(pixels run from 0 to 1), trained with Adam for {R.epochs} epochs on the training digits. A batch "
                "normalization without learned scale or shift standardizes each code axis (mean near 0, "
                "standard deviation near 1 over the training digits), so the map's scale is fixed. Below, "
                "each test digit sits at its code, coloured by its class, which the network was never told. "
                "**Click anywhere on the map** (or move the two sliders) to hand that point to the decoder "
                "alone and see the image it draws there."
            ),
            ui.row(controls(P, SPEC, values, ["ae_seed", "z1", "z2"])),
            TRAINED.marker(P),
            alert(cid(P, "decode-alert")),
            html.Div([ui.chart(cid(P, "map"), "The test digits at their 2-D codes; click to decode a point"),
                      ui.chart(cid(P, "decoded"), "The image decoded at the chosen point, and the nearest digit")],
                     style={"display": "grid", "gridTemplateColumns": "minmax(0, 3fr) minmax(0, 2fr)",
                            "gap": "10px 24px", "alignItems": "start"}),
            ui.md(
                "Things to try. Click inside a cluster: the decoder draws a digit of that class. Click on the "
                "border between two clusters: the image changes from one class towards the other. Click in a "
                "grey corner far from every digit: the decoder still answers, because it is just a function "
                "of two numbers, but no training digit was ever coded there, so nothing made its answer look "
                "like a digit. That is why a plain autoencoder is a poor generator: its code space has holes, "
                "and only the data shows where they are."
            ),
        ],
    )


def _pca() -> html.Section:
    return ui.section(
        "Against PCA with two components",
        [
            ui.md(
                "Principal component analysis does the same job with straight lines: it projects each digit on "
                "the two directions of largest variance in the training pixels and rebuilds it as the mean "
                "digit plus a weighted sum of those two directions. On the training digits no *linear* encoder "
                "and decoder with a 2-number code can reach a lower squared error (scikit-learn's `PCA`, "
                "fitted on the same training digits). An autoencoder whose layers were all linear could at "
                "best match it; the ReLU layers let the code bend, so the same two numbers can carry more of "
                "the digit. The errors below are measured on the held-out test digits."
            ),
            alert(cid(P, "code-alert")),
            ui.chart(cid(P, "recon"), "Test digits rebuilt from two numbers: autoencoder and PCA", heavy=True),
            ui.chart(cid(P, "errors"), "Reconstruction error per class: autoencoder against PCA"),
            ui.chart(cid(P, "pca"), "The test digits on PCA's two components"),
        ],
    )


CODE_SECTION = Section(
    P, "code", ae.CODE_SPEC, lambda v, progress: ae.latent(v["ae_seed"], progress=progress),
    [Chart("recon", figures.recon_figure, figures.describe_recon),
     Chart("errors", figures.errors_figure, figures.describe_errors),
     Chart("pca", figures.pca_figure, figures.describe_pca)],
    fix="Fix the seed above to train the autoencoder.", job=True, needs=TRAINED)
DECODE_SECTION = Section(
    P, "decode", ae.DECODE, lambda v, _: ae.decode(v["ae_seed"], v["z1"], v["z2"]),
    [Chart("map", figures.map_figure, figures.describe_map),
     Chart("decoded", figures.decoded_figure, figures.describe_decoded)],
    fix="Fix the value above to see the code map.", drag=("z1", "z2"), needs=TRAINED)
SECTIONS = (CODE_SECTION, DECODE_SECTION)
update_code = CODE_SECTION.register()
update_decode = DECODE_SECTION.register()
