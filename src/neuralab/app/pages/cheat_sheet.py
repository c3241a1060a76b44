"""/cheat-sheet: every concept of the lab in a few lines, linked to its page (a stub until built)."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.params import ParamSpec

P = prefix(__name__)
SPEC = ParamSpec(P)


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div([ui.page_header("Cheat sheet", "Each concept of the lab in a few lines.", messages)])


wire(P, SPEC)
