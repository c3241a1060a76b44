"""/fundamentals, loss: not built yet (a stub so the page assembles)."""

from __future__ import annotations

from dash import html

from neuralab.app.registry import prefix
from neuralab.params import ParamSpec

P = prefix("neuralab.app.pages.fundamentals")
SPEC = ParamSpec("fundamentals-loss")
SECTIONS: tuple = ()


def layout(values: dict) -> list[html.Section]:
    return []
