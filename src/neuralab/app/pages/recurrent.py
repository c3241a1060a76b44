"""/recurrent: recurrent networks trained on real sequences, the motor's winding temperature first.

The page is assembled from part modules, one per concept (``recurrent_<part>.py``): each
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
PARTS = tuple(importlib.import_module(f"neuralab.app.pages.recurrent_{name}") for name in (
    "unroll",
    "sensor",
    "memory",
    "gates",
    "choices",
))
SPEC = ParamSpec.merge(P, *(part.SPEC for part in PARTS))
SECTIONS = tuple(s for part in PARTS for s in part.SECTIONS)


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Recurrent networks",
                "A recurrent network reads a sequence one sample at a time and carries a hidden state from each "
                "step to the next, so what it answers now can depend on everything it has seen. Every network on "
                "this page is a real torch model trained here, all of them on a job motor drives really do: "
                "estimating the winding temperature, which few drives measure directly, from the current, speed "
                "and coolant temperature they log.",
                messages,
            ),
            *(section for part in PARTS for section in part.layout(values)),
        ]
    )


wire(P, SPEC)
