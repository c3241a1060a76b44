"""/som, the map: one fit per setting (a job), its U-matrix and errors, its unfolding replayed, its component planes."""

from __future__ import annotations

from typing import NamedTuple

from dash import dcc, html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Replay, Section, Text, table
from neuralab.nn.som import ALPHA_END, SIGMA_END
from neuralab.plots import som as figures
from neuralab.train import som
from neuralab.train.som import MAP, Mapped

P = prefix("neuralab.app.pages.som")
SPEC = MAP
SNAPSHOTS = 30  # at most; nn.som.fit's default


class AtStep(NamedTuple):
    """The fit as drawn at snapshot ``k`` of the step slider."""

    m: Mapped
    k: int


def run(values: dict, progress) -> Mapped:
    return som.train(values["som_data"], values["som_rows"], values["som_cols"], values["som_epochs"],
                     values["som_alpha"], values["som_sigma"], values["som_seed"], progress=progress)


def _still(build):
    """A builder of an output that does not follow the slider: the replay keeps only the last snapshot's (the one
    the server draws), so the other snapshots skip the work."""
    return lambda a: build(a.m) if a.k == len(a.m.fit.steps) - 1 else None


def layout(values: dict) -> list[html.Section]:
    return [_map(values), _unfolding(), _planes()]


def _map(values: dict) -> html.Section:
    return ui.section(
        "A map of the data: the U-matrix and two errors",
        [
            ui.md(
                "A self-organizing map (SOM, Kohonen 1982) is a grid of units, each holding a prototype: a point in "
                "the data space, with as many numbers as a sample has features. For each sample the unit whose "
                "prototype is nearest wins (the best-matching unit, BMU), and training pulls the winner and its "
                "grid neighbours toward the sample. Nothing is labelled and no loss is backpropagated. What comes "
                "out is a flat picture of data with many dimensions in which units next to each other on the grid "
                "hold similar prototypes.\n\n"
                "Two data sets. The motor's operating points are 20 ms windows of the bench log (speed, torque, "
                "q-axis current i_q, winding temperature), standardized with the training windows' means and "
                "spreads; every fourth drive cycle is held out. The "
                "digits are the 8×8 images, 64 pixels scaled to 0–1, one in five held out. The fit runs as a "
                "background job, is kept on disk, and comes back at once for the same settings."
            ),
            ui.row(controls(P, SPEC, values, ["som_data", "som_rows", "som_cols", "som_seed"])),
            ui.row(controls(P, SPEC, values, ["som_epochs", "som_alpha", "som_sigma"])),
            alert(cid(P, "map-alert")),
            ui.chart(cid(P, "umatrix"), "U-matrix: how far each unit's prototype is from its neighbours'", heavy=True),
            html.Div(id=cid(P, "map-table"), className="nl-prose"),
            ui.md(
                "How to read it. The U-matrix gives each unit the mean distance between its prototype and those of "
                "its four grid neighbours. Where that distance is small the units belong to one group of similar "
                "samples; a ridge of large values is a border, where a step on the grid is a big step in the data. "
                "Units that no sample picks often sit on such ridges: they are stretched between two groups.\n\n"
                "The **quantization error** QE is the mean distance from a sample to its BMU's prototype, a "
                "Euclidean distance over all features together: for the motor over 4 standardized features, in "
                "standard deviations; for the digits over 64 pixels scaled to 0–1, so a QE of 1.2 would mean a "
                "root-mean-square pixel error of 1.2/√64 = 0.15. It measures how "
                "well the prototypes cover the data, and it generally falls as units are added, so on its own it "
                "says nothing about order. k-means with the same number of centres, fitted by scikit-learn, shows "
                "what covering the data costs without any grid: the SOM's QE is usually higher, because each "
                "prototype is also pulled toward its neighbours. The **topographic error** TE is the share of "
                "samples whose nearest and second-nearest prototypes are not neighbours on the grid (of the 8 "
                "around a unit). Each such sample is one topographic error: there the map is folded, or the data "
                "has more dimensions than a flat grid can lay out without a crease. A low TE says the map is "
                "ordered. The held-out QE is higher than the training QE even when nothing has changed, since "
                "the prototypes were pulled onto the training samples: a new sample is judged against the "
                "held-out figure."
            ),
        ],
    )


def _unfolding() -> html.Section:
    return ui.section(
        "The map unfolding over training",
        [
            ui.md(
                "Training is online: one sample per step, in a new random order each epoch. The BMU c moves toward "
                "the sample x by a fraction α of the distance, and every other unit j by α times a Gaussian of its "
                "grid distance to the winner:\n\n"
                "`w_j ← w_j + α(t) · exp(−‖r_c − r_j‖² / (2σ(t)²)) · (x − w_j)`\n\n"
                f"Both α and the radius σ decay exponentially over the run, α from α₀ to {ALPHA_END} and σ from σ₀ "
                f"to {SIGMA_END} grid units. The prototypes start in a small random cloud around the mean of the "
                "data. While σ is wide, one sample drags a large part of the grid with it: the map spreads out "
                "and orders itself, but it is stiff, and its prototypes sit between groups rather than on them. "
                "As σ and α shrink, each unit settles on its own patch of data and QE falls. "
                f"One fit records up to {SNAPSHOTS} snapshots, denser at the start where the map moves most; the "
                "slider steps through them in the browser without computing anything new."
            ),
            html.Div(
                [
                    html.Div(dcc.Slider(id=cid(P, "map-step"), min=0, max=SNAPSHOTS - 1, step=1, value=SNAPSHOTS - 1,
                                        marks=None, updatemode="drag", allow_direct_input=False,
                                        tooltip={"placement": "top", "always_visible": False}),
                             className="gd-step-slider"),
                    html.Output(id=cid(P, "map-readout"), className="nl-readout", htmlFor=cid(P, "map-step")),
                    MAP_SECTION.store(),
                ],
                className="gd-player",
            ),
            ui.chart(cid(P, "unfolding"), "The map's grid drawn over the training samples at this snapshot"),
            ui.chart(cid(P, "curves"), "Errors and schedules over the fit, with this snapshot marked"),
            ui.md(
                "On the operating points the grid is drawn on the speed–torque plane; on the digits, on their "
                "first two principal components. Either way it is a projection, so a crossing of lines in the "
                "picture need not be a fold in the data space: the topographic error, which is measured in the "
                "full space, is the number to trust. Try a start radius σ₀ of 0.5: with so little cooperation "
                "between units the grid never gets ordered, and TE ends several times higher while QE ends lower."
            ),
        ],
    )


def _planes() -> html.Section:
    return ui.section(
        "Component planes",
        [
            ui.md(
                "A component plane shows one feature across the map: each unit coloured by that coordinate of its "
                "prototype, back in the feature's units. Laid side by side, the planes show which features vary "
                "together: two features that are correlated over the data give planes with the same pattern. On the "
                "motor data, torque and the q-axis current look almost alike: with i_d = 0 the drive sets "
                "i_q = T / (1.5 · p · ψ), and the magnet flux ψ falls only by about 12 % from 20 to 120 °C, small "
                "next to the spread of torque. Speed and temperature each have their own plane. For the digits, "
                "with 64 planes, the map is easier to read the other way round: each unit's prototype drawn as "
                "the 8×8 image it has become, on the 0–1 pixel scale the map works on."
            ),
            ui.chart(cid(P, "planes"), "Component planes: each feature over the map"),
        ],
    )


# The step slider replays the fit in the browser: every snapshot is drawn once, in the job (sections.Replay).
MAP_SECTION = Section(
    P, "map", MAP, run,
    [Chart("umatrix", _still(figures.umatrix_figure), _still(figures.describe_umatrix)),
     Text("map-table", _still(lambda m: table(list(figures.METRIC_HEADER), figures.metric_rows(m)))),
     Chart("unfolding", lambda a: figures.unfolding_figure(*a), lambda a: figures.describe_unfolding(*a)),
     Chart("curves", lambda a: figures.curves_figure(*a), lambda a: figures.describe_curves(*a)),
     Text("map-readout", lambda a: figures.step_note(*a)),
     Chart("planes", _still(figures.planes_figure), _still(figures.describe_planes)),
     Text("map-step", lambda a: len(a.m.fit.steps) - 1, prop="max", blank=SNAPSHOTS - 1),
     Text("map-step", lambda a: len(a.m.fit.steps) - 1, prop="value", blank=SNAPSHOTS - 1)],
    fix="Fix the value above to fit the map.", job=True,
    replay=Replay("map-step", ("unfolding", "curves", "map-readout"),
                  steps=lambda m: range(len(m.fit.steps)), at=AtStep))
SECTIONS = (MAP_SECTION,)
update_map = MAP_SECTION.register()
