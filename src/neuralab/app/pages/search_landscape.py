"""/hyperparameter-search, part 1: the task and its measured landscape (the best measured cell the searches chase)."""

from __future__ import annotations

import math

from dash import html

from neuralab.app import ui, userdata
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text
from neuralab.data.user import is_user
from neuralab.params import ParamSpec
from neuralab.plots import search_landscape as figures
from neuralab.search import landscape, tasks
from neuralab.search.landscape import BATCH, EPOCHS, HIDDEN, LANDSCAPE, LR, MOMENTUM
from neuralab.search.tasks import DATASET, SEARCH_ROWS

P = prefix("neuralab.app.pages.hyperparameter_search")
RES, SEEDS = LANDSCAPE.fields["res"].default, LANDSCAPE.fields["seeds"].default
DECADES = round(math.log10(LR.hi / LR.lo))
SPEC = ParamSpec("search-landscape", dataset=DATASET)


def data_note(values: dict, _progress=None) -> str:
    """What every part of the page runs on: the data set's rows in each split; for a user table, which rows."""
    name = values["dataset"]
    data = tasks.arrays(name)
    sizes = (f"{len(data.y_train):,} training, {len(data.y_val):,} validation and {len(data.y_test):,} test rows, "
             f"{data.n_features} feature{'s' if data.n_features != 1 else ''}")
    if not is_user(name):
        return f"Every part below runs on {dict(DATASET.options)[name]}: {sizes}."
    _, said = userdata.arrays(name, max_rows=tasks.max_rows(name))
    return (f"{said} Every part below trains on it: {sizes}. A landscape alone is {RES * RES * SEEDS:,} "
            f"trainings, so the searches sample at most {SEARCH_ROWS:,} rows (fewer in proportion above "
            f"{tasks.WIDE} features) to take about as long as on the digits.")


def measure(values: dict, progress) -> landscape.Landscape:
    """The landscape the page shows for ``values["dataset"]`` (the LANDSCAPE defaults): what every part searches."""
    return landscape.landscape(values["dataset"], progress=progress)


def layout(values: dict) -> list[html.Section]:
    return [ui.section(
        "A search space measured cell by cell",
        [
            ui.md(
                "To judge a search you need the answer it is looking for. Here the space is small enough to "
                "measure completely: two hyperparameters, the learning rate and the weight decay of SGD "
                f"(momentum {MOMENTUM}), each on a log scale. The space is cut into {RES} × {RES} cells, and in "
                f"every cell a network with one hidden layer of {HIDDEN} ReLU units is trained for {EPOCHS} epochs "
                f"(batches of {BATCH}) from {SEEDS} different initial weights. The colour is the validation loss "
                f"averaged over those {SEEDS} runs. A cell is blank if any of its runs diverged, and the colour "
                "scale stops at the loss of a network that learned nothing, so every cell worse than that has the "
                "same colour. The star is the cell with the lowest mean validation loss over the seeds: the best "
                "measured cell, which the searches below do not see, only approach. It is itself the best of "
                f"{RES * RES} noisy means, and neighbouring cells are often within seed noise of it (the caption "
                "counts them); every regret on this page is exact relative to this measured table, not to the "
                "unknown true best setting.\n\n"
                f"Too small a learning rate and the network has barely moved after {EPOCHS} epochs; too large and it "
                "blows up. Over most of the map weight decay barely matters. Near the largest stable learning "
                "rates it can decide between the best cell and a useless one, because with SGD the weights shrink "
                "by lr · wd per step, so the two interact (the caption gives the range at the best cell's "
                f"learning rate). Sensible learning rates span {DECADES} decades and act by ratio (0.01 against 0.1 "
                "like 0.001 against 0.01), which is why both axes are searched on a log scale.\n\n"
                "The data set chosen here drives every part of the page. Your own tables (added on the Data page) "
                "are listed too: the same network, the same space and the same samplers then run on your rows, "
                "and the note under the choice says which rows."
            ),
            ui.row(controls(P, SPEC, values, ["dataset"])),
            html.P(id=cid(P, "data-note"), className="nl-help"),
            alert(cid(P, "data-note-alert")),
            alert(cid(P, "landscape-alert")),
            ui.chart(cid(P, "landscape"), "Validation loss over learning rate and weight decay, every cell trained",
                     heavy=True),
        ],
    )]


DATA_NOTE = Section(P, "data-note", SPEC, data_note, [Text("data-note", lambda said: said)],
                    fix="Choose a data set above.")
LANDSCAPE = Section(P, "landscape", SPEC, measure,
                    [Chart("landscape", figures.landscape_figure, figures.describe_landscape)],
                    fix="Fix the value above to measure the landscape.", job=True)
SECTIONS = (DATA_NOTE, LANDSCAPE)
update_data_note, update_landscape = (s.register() for s in SECTIONS)
fill_datasets = userdata.wire_choice(P, DATASET)
