"""/hyperparameter-search: grid, random and model-based search on a space measured cell by cell.

The page is assembled from part modules, one per concept (``search_<part>.py``): each
declares its controls (``SPEC``), its sections (``SECTIONS``, registered on import) and
``layout(values)``. This module merges their controls for the URL and lays them out in order.
"""

from __future__ import annotations

import importlib

from dash import html

from neuralab.app import ui
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.params import ParamSpec

P = prefix(__name__)
PARTS = tuple(importlib.import_module(f"neuralab.app.pages.search_{name}") for name in (
    "landscape",
    "race",
    "fidelity",
    "honest",
    "studies",
))
SPEC = ParamSpec.merge(P, *(part.SPEC for part in PARTS))
SECTIONS = tuple(s for part in PARTS for s in part.SECTIONS)


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Hyperparameter search",
                "Training fits the weights; something has to choose the learning rate, the weight decay, the width "
                "and the rest. That outer loop is a search, and every trial in it costs a whole training. This "
                "page runs real searches with Optuna on real networks, on a space whose every cell has been "
                "trained, so how close each method gets is measured rather than claimed.",
                messages,
            ),
            *(section for part in PARTS for section in part.layout(values)),
        ]
    )


wire(P, SPEC)
