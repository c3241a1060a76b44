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


def _rule(name: str) -> str:
    X = som.dataset(name).X_train
    units, rows, cols = som.toolbox_size(X)
    return f"N = {len(X):,} gives about {units:.0f} units ({rows} × {cols} on a rectangular grid)"


def layout(values: dict) -> list[html.Section]:
    sides = ", ".join(f"{n} × {n}" for n in SIZES)
    return [ui.section(
        "Map size: more units, a closer fit, a finer order to keep",
        [
            ui.md(
                f"The rows and columns above set the map's size directly. Here the same fit is repeated on square "
                f"maps of {sides} units, on the data and seed chosen above, with σ₀ at half the side and the other "
                "settings at their defaults. More units let the prototypes sit closer to the training samples, so "
                "the training QE falls with size, and k-means with as many centres falls faster still, down to "
                "nearly zero once there are about as many centres as samples. The held-out QE tells how much of "
                "that closeness carries over to samples the map never saw. The topographic error follows no such "
                "rule: a bigger map has more small neighbourhoods to keep in order, and whether it manages depends "
                "on the data, the radius and the length of the fit, so it is measured here, not assumed.\n\n"
                "The SOM Toolbox for Matlab sizes its default map at 5·N^0.54321 units for N training samples "
                "(often rounded to 5√N, which gives fewer), with the sides in the ratio of the data's spread along "
                f"its first two principal axes: {_rule('motor')} for the operating points, {_rule('digits')} "
                "for the digits. A rule in N counts samples, not distinct states: the motor windows are 20 ms "
                "means of a drive that holds each operating point for a while, so many are near-duplicates, and a "
                "map sized by N leaves many units that no sample picks (the U-matrix caption above counts them)."
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
