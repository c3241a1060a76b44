"""/hyperparameter-search: grid, random and model-based search on a space measured cell by cell.

The page is assembled from part modules, one per concept (``search_<part>.py``): each
declares its controls (``SPEC``), its sections (``SECTIONS``, registered on import) and
``layout(values)``. This module merges their controls for the URL and lays them out in order.
"""

from __future__ import annotations

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.search_", (
    "landscape",
    "race",
    "fidelity",
    "honest",
    "studies",
))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "Training fits the weights; something has to choose the learning rate, the weight decay, the width "
    "and the rest. That outer loop is a search, and every trial in it costs a whole training. This "
    "page runs real searches with Optuna on real networks, on a space whose every cell has been "
    "trained, so how close each method gets is measured rather than claimed."
)
layout = parts.layout("Hyperparameter search", INTRO, PARTS)

wire(P, SPEC)
