"""A page assembled from part modules, one per concept (``<page>_<part>.py``).

Each part declares its controls (``SPEC``), its sections (``SECTIONS``, registered when the part is
imported) and ``layout(values) -> list[html.Section]``. The page lists its parts once; this module
merges their controls (the page's URL state), collects their sections and lays them out in order::

    PARTS = parts.load("neuralab.app.pages.recurrent_", ("unroll", "sensor"))
    SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
    layout = parts.layout("Recurrent networks", "What the page is about.", PARTS)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from types import ModuleType

from dash import html

from neuralab.app import ui
from neuralab.params import ParamSpec

__all__ = ["layout", "load", "sections", "spec"]


def load(prefix: str, names: Sequence[str]) -> tuple[ModuleType, ...]:
    """Import the part modules ``prefix + name``, in page order."""
    return tuple(importlib.import_module(f"{prefix}{name}") for name in names)


def spec(page: str, parts: Sequence[ModuleType]) -> ParamSpec:
    """Every part's controls in one spec (a field two parts share must be declared identically)."""
    return ParamSpec.merge(page, *(part.SPEC for part in parts))


def sections(parts: Sequence[ModuleType]) -> tuple:
    """Every part's sections, in page order."""
    return tuple(s for part in parts for s in part.SECTIONS)


def layout(title: str, intro: str, parts: Sequence[ModuleType]) -> Callable[[dict, list[str]], html.Div]:
    """The page's ``layout(values, messages)``: its header, then each part's sections in order."""

    def page(values: dict, messages: list[str]) -> html.Div:
        return html.Div([ui.page_header(title, intro, messages),
                         *(section for part in parts for section in part.layout(values))])

    return page
