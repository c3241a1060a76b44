"""/deep-networks, part 3: the depth ladder, 5 to 50 blocks, where the plain network stops training (a job)."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import deep_networks as figures
from neuralab.train import deep

P = prefix("neuralab.app.pages.deep_networks")
SPEC = deep.LADDER_SPEC
TITLE = "Where the plain network stops training"


def run(values: dict, progress) -> deep.Ladder:
    return deep.sweep(values["deep_norm"], values["deep_scale"], values["deep_opt"], values["deep_epochs"],
                      values["deep_seed"], progress=progress)


def layout(values: dict) -> list[html.Section]:
    depths = ", ".join(str(d) for d in deep.LADDER)
    return [ui.section(TITLE, [
        ui.md(
            f"The same recipe (every control above but the heatmap's depth) at {depths} blocks, plain and residual: "
            "the test accuracy of each network after training. The runs at 5, 20 and 50 blocks are the ones above, "
            f"read back from disk. A network counts as trained when it reaches {deep.TRAINS:.0%} on the 360 test "
            "digits (chance is 10 %). One seed per point: where exactly the plain network falls short can move with "
            "the seed."
        ),
        alert(cid(P, "ladder-alert")),
        ui.chart(cid(P, "ladder"), "Test accuracy against depth, plain and residual", heavy=True),
    ])]


LADDER_SECTION = Section(
    P, "ladder", SPEC, run, [Chart("ladder", figures.ladder_figure, figures.describe_ladder)],
    fix="Fix the value above to train the depth ladder.", job=True)
SECTIONS = (LADDER_SECTION,)
update_ladder = LADDER_SECTION.register()
