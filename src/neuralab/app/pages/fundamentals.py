"""/fundamentals: the basics every engineer meets first, each beside a computation that checks it.

The page is assembled from part modules, one per topic (``fundamentals_<part>.py``): each
declares its controls (``SPEC``), its sections (``SECTIONS``, registered on import) and
``layout(values)``. This module merges their controls for the URL and lays them out in order.
"""

from __future__ import annotations

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.fundamentals_", (
    "shapes",
    "loss",
    "metrics",
    "worked",
    "init",
    "norm",
    "numerics",
    "debug",
))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "The groundwork under every other page: what shape each tensor has, which output layer goes with "
    "which loss, how weights should start, what normalization computes, where floating point bites, "
    "which metric to trust on rare classes and what to check first when training fails. Every number "
    "below is computed by the lab, with torch, numpy or scikit-learn, when you open or change a section "
    "(the training runs are kept on disk, so a second visit reads them)."
)
layout = parts.layout("Fundamentals", INTRO, PARTS)

wire(P, SPEC)
