"""/explainability, part 1: four attribution maps of one digit, completeness, and the sanity check on many digits."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Needs, Section
from neuralab.explain import digits
from neuralab.params import ParamSpec
from neuralab.plots import explainability as figures

P = prefix("neuralab.app.pages.explainability")
SPEC = ParamSpec.merge("explainability-maps-part", digits.MAPS, digits.SANITY)

# The zoo's CNN is trained once per machine (seconds): the light sections wait for the page's job to do it.
NETS = Needs("nets", ParamSpec("nets"), lambda _: digits.kept(), lambda _: digits.make(),
             "The page's network is being trained (once on this machine, a few seconds); this chart appears as "
             "soon as it is.")


def layout(values: dict) -> list[html.Section]:
    return [_maps(values), _completeness(), _sanity()]


def _maps(values: dict) -> html.Section:
    return ui.section(
        "Four maps of one digit",
        [
            ui.md(
                "Each map gives every pixel of the 8 × 8 digit a number about the logit of the class the network "
                "chose: a slope for saliency, an estimated contribution for the other three (only integrated "
                "gradients add up to the logit's change). Blue is for, orange against (saliency has no sign: grey "
                "to blue is small to large); each map has its own scale.\n\n"
                "* **Saliency**: |∂f/∂x|, how fast the logit moves when the pixel moves. A slope, not a "
                "contribution.\n"
                "* **Gradient × input**: x ⊙ ∂f/∂x, with x as the network reads it (standardized, so 0 is the "
                "average training digit). Exact for a linear model, a first-order guess otherwise.\n"
                "* **Integrated gradients**: (x − x̄) ⊙ the gradient averaged along the straight path from a "
                "baseline x̄ to x. Here x̄ is the blank digit (no ink).\n"
                "* **Occlusion**: cover a 2 × 2 window with blank, record how far the logit falls, slide the "
                "window; each pixel gets the mean fall of the windows covering it. No gradient at all.\n\n"
                "The bottom row is the same network with random weights (the ones it started training from), "
                "explained for the same class: ρ is the rank correlation of the two maps' absolute values."
            ),
            ui.row(controls(P, SPEC, values, ["digit", "steps"])),
            NETS.marker(P),
            alert(cid(P, "maps-alert")),
            ui.chart(cid(P, "maps"), "The digit and the four maps: the trained CNN above, the same CNN with random "
                                     "weights below"),
        ],
    )


def _completeness() -> html.Section:
    return ui.section(
        "Completeness: do the attributions add up?",
        [
            ui.md(
                "Integrated gradients have a property the other maps lack: by the fundamental theorem of calculus, "
                "the attributions add up to the change of the output from the baseline, Σᵢ IGᵢ = f(x) − f(x̄). The "
                "integral is a sum over a number of points on the path (the steps control above), so the sum "
                "misses by an error δ that should shrink as the steps grow. The lab's own integrated gradients "
                "(a midpoint sum, ten lines in `neuralab.explain.attributions`) is drawn beside captum's default "
                "(Gauss–Legendre points); the caption checks ours against captum's midpoint rule. Report δ with "
                "every map: a large one means the map does not add up to anything."
            ),
            alert(cid(P, "complete-alert")),
            ui.chart(cid(P, "complete"), "The completeness error |δ| against the number of steps, for the digit "
                                         "chosen above"),
        ],
    )


def _sanity() -> html.Section:
    return ui.section(
        "The sanity check, on 120 digits",
        [
            ui.md(
                "One digit proves little. For each of the first 120 test digits this compares the trained "
                "network's map with the random network's (red), and the trained map with the digit's ink, its grey "
                "levels (green). A method that explains the network should score low in red; a high green score "
                "with a high red one means the map draws the digit whatever the weights are (Adebayo et al., "
                "*Sanity checks for saliency maps*, 2018). Multiplying by the distance from a reference builds that "
                "distance into the map, whatever the weights: for integrated gradients from a blank baseline it is "
                "the ink; for gradient × input on standardized pixels it is the distance from the average digit."
            ),
            alert(cid(P, "sanity-alert")),
            ui.chart(cid(P, "sanity"), "Rank correlation per digit and method: trained against random maps, and "
                                       "trained map against the ink", heavy=True),
        ],
    )


MAPS_SECTION = Section(P, "maps", digits.MAPS, lambda v, _: digits.maps(**v),
                       [Chart("maps", figures.maps_figure, figures.describe_maps)],
                       fix="Fix the values above to explain the digit.", needs=NETS)
COMPLETE_SECTION = Section(P, "complete", digits.MAPS, lambda v, _: digits.completeness(**v),
                           [Chart("complete", figures.completeness_figure, figures.describe_completeness)],
                           fix="Fix the values above to check completeness.", needs=NETS)
SANITY_SECTION = Section(P, "sanity", digits.SANITY, lambda v, progress: digits.sanity(**v, progress=progress),
                         [Chart("sanity", figures.sanity_figure, figures.describe_sanity)],
                         fix="Fix the number of steps above to run the check.", job=True, needs=NETS)
SECTIONS = (MAPS_SECTION, COMPLETE_SECTION, SANITY_SECTION)
update_maps, update_complete, update_sanity = (s.register() for s in SECTIONS)
