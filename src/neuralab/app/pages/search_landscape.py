"""/hyperparameter-search, part 1: the task and its measured landscape (the true optimum the searches chase)."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.params import ParamSpec
from neuralab.plots import search_landscape as figures
from neuralab.search import landscape
from neuralab.search.landscape import BATCH, EPOCHS, HIDDEN, MOMENTUM
from neuralab.search.tasks import DATASET

P = prefix("neuralab.app.pages.hyperparameter_search")
SPEC = ParamSpec("search-landscape", dataset=DATASET)


def measure(values: dict, progress) -> landscape.Landscape:
    """The landscape the page shows for ``values["dataset"]`` (24 × 24 cells, 3 seeds): what every part searches."""
    return landscape.landscape(values["dataset"], progress=progress)


def layout(values: dict) -> list[html.Section]:
    return [ui.section(
        "A search space whose optimum is known",
        [
            ui.md(
                "To judge a search you need the answer it is looking for. Here the space is small enough to "
                "measure completely: two hyperparameters, the learning rate and the weight decay of SGD "
                f"(momentum {MOMENTUM}), each on a log scale. The space is cut into 24 × 24 cells, and in every "
                f"cell a network with one hidden layer of {HIDDEN} ReLU units is trained for {EPOCHS} epochs "
                f"(batches of {BATCH}) from three different initial weights. The colour is the validation loss "
                "averaged over those three runs; blank cells diverged. The star is the best cell: the optimum the "
                "searches below do not see, only approach.\n\n"
                "The picture is typical. Too small a learning rate and the network has barely moved after 15 "
                "epochs; too large and it blows up. Weight decay hardly matters until it is large enough to "
                "hold the weights back, and then it matters a great deal. The good region is a narrow band, "
                "which is why searching on a log scale is the first rule."
            ),
            ui.row(controls(P, SPEC, values, ["dataset"])),
            alert(cid(P, "landscape-alert")),
            ui.chart(cid(P, "landscape"), "Validation loss over learning rate and weight decay, every cell trained",
                     heavy=True),
        ],
    )]


LANDSCAPE = Section(P, "landscape", SPEC, measure,
                    [Chart("landscape", figures.landscape_figure, figures.describe_landscape)],
                    fix="Fix the value above to measure the landscape.", job=True)
SECTIONS = (LANDSCAPE,)
update_landscape = LANDSCAPE.register()
