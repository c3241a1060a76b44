"""/recurrent: recurrent networks trained on real sequences, the motor's winding temperature first.

The page is assembled from part modules, one per concept (``recurrent_<part>.py``): each
declares its controls (``SPEC``), its sections (``SECTIONS``, registered on import) and
``layout(values)``. This module merges their controls for the URL and lays them out in order.
"""

from __future__ import annotations

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.recurrent_", (
    "unroll",
    "sensor",
    "memory",
    "gates",
    "choices",
))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "A recurrent network reads a sequence one sample at a time and carries a hidden state from each "
    "step to the next, so what it answers now can depend on everything it has seen. Every network on "
    "this page is a real torch model trained here, most of them on a job motor drives really do: "
    "estimating the winding temperature, which few drives measure directly, from the current, speed "
    "and coolant temperature they log."
)
layout = parts.layout("Recurrent networks", INTRO, PARTS)

wire(P, SPEC)
