"""The "On your own data" section of the compression pages (/quantization, /pruning, /distillation), built once.

Every page gets the same shape: a dataset choice whose one built-in option is the page's own digits (nothing is
run for it: the sections above already show them) followed by the learner's tables, a background job that trains
the reference MLP recipe on the chosen table (:func:`neuralab.compress.own.train`) and compresses it the page's way,
one chart of score and size (:mod:`neuralab.plots.compression_own`), its caption, and the sentence saying what the
table is and how it was split. A table the page cannot use (too few rows, a numeric target for distillation) gets
its sentence in the alert instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import html

from neuralab.app import ui, userdata
from neuralab.app.controls import alert, cid, controls
from neuralab.app.sections import Chart, Section, Text
from neuralab.compress.own import Own
from neuralab.data import user
from neuralab.data.arrays import Arrays
from neuralab.params import Choice, DatasetChoice, ParamError, ParamSpec
from neuralab.plots.compression_own import describe_own, own_figure
from neuralab.plots.theme import message_figure
from neuralab.progress import Progress

__all__ = ["BUILTIN", "DATASET", "NOT_CHOSEN", "layout", "section", "spec", "wire"]

BUILTIN = Choice((("digits", "8 × 8 digits (the sections above)"),), "digits", label="Dataset")
DATASET = DatasetChoice.from_choice(BUILTIN)
NOT_CHOSEN = ("Nothing is run for the digits here: the sections above already measure them. Choose one of your "
              "own datasets (added on the Data page) to train the reference network on it and compress it.")
CHART_HINT = "Choose one of your datasets above."

#: (the table's arrays, its catalogue id, the section's values, progress) -> the page's result.
Run = Callable[[Arrays, str, dict[str, Any], Progress], Own]


def spec(**fields: Any) -> ParamSpec:
    """The section's controls: the dataset choice and the page's own ``fields`` the result follows."""
    return ParamSpec("own", dataset=DATASET, **fields)


def section(page: str, controls_spec: ParamSpec, run: Run) -> Section:
    """The background job: nothing for the built-in option, else ``run`` on the chosen table's arrays."""

    def go(v: dict[str, Any], progress: Progress) -> tuple[Own | None, str]:
        if not user.is_user(v["dataset"]):
            return None, ""  # the caption says why nothing is run
        data, said = userdata.arrays(v["dataset"], seed=v.get("seed", 0))
        progress(0, 1)
        try:
            return run(data, v["dataset"].removeprefix(user.USER_PREFIX), v, progress), said
        except ValueError as exc:
            raise ParamError([f"dataset {userdata.title(v['dataset'])}: {exc}"]) from None

    return Section(page, "own", controls_spec, go,
                   [Chart("own", lambda r: own_figure(r[0]) if r[0] else message_figure(CHART_HINT),
                          lambda r: describe_own(r[0]) if r[0] else NOT_CHOSEN),
                    Text("own-blurb", lambda r: r[1])],
                   fix="Nothing to draw: the note above says what to change.", job=True)


def layout(page: str, page_spec: ParamSpec, values: dict, intro: str, title: str) -> html.Section:
    """The section under its heading: ``intro`` (what the page does to the table), the choice, the chart."""
    return ui.section(
        "On your own data",
        [
            ui.md(intro),
            ui.row(controls(page, page_spec, values, ["dataset"])),
            html.P(id=cid(page, "own-blurb"), className="nl-help"),
            alert(cid(page, "own-alert")),
            ui.chart(cid(page, "own"), title, heavy=True),
        ],
    )


def wire(page: str) -> Any:
    """The callback that lists the learner's datasets in the page's choice (a plain function for tests)."""
    return userdata.wire_choice(page, BUILTIN)
