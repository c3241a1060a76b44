"""/som, map size: square maps from 2 × 2 to 20 × 20 on the same data, QE and TE measured for each (a job)."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.params import ParamSpec
from neuralab.plots import som as figures
from neuralab.train import som
from neuralab.train.som import SIZES, SWEEP

P = prefix("neuralab.app.pages.som")
SPEC = ParamSpec("som-size-part")  # its two controls (data, seed) are the map's, above


def layout(values: dict) -> list[html.Section]:
    sides = ", ".join(f"{n} × {n}" for n in SIZES)
    return [ui.section(
        "Map size: more units, a closer fit, a finer order to keep",
        [
            ui.md(
                f"The rows and columns above set the map's size directly. Here the same fit is repeated on square "
                f"maps of {sides} units, on the data and seed chosen above, with σ₀ at half the side and the other "
                "settings at their defaults. More units always cover the training samples more closely, so the "
                "training QE falls, and it keeps falling past the point where the held-out QE stops improving. "
                "The topographic error moves the other way: a big map has many small neighbourhoods to keep in "
                "order, and more samples fall where two nearest prototypes lie apart. A common starting point "
                "(Vesanto's) is about 5√N units for N samples; the chart shows what it costs and buys on these two "
                "data sets."
            ),
            alert(cid(P, "size-alert")),
            ui.chart(cid(P, "size"), "Quantization and topographic error against the number of units", heavy=True),
        ],
    )]


SIZE_SECTION = Section(
    P, "size", SWEEP, lambda v, progress: som.size_sweep(v["som_data"], v["som_seed"], progress=progress),
    [Chart("size", figures.sweep_figure, figures.describe_sweep)],
    fix="Fix the value above to run the sweep.", job=True)
SECTIONS = (SIZE_SECTION,)
update_size = SIZE_SECTION.register()
