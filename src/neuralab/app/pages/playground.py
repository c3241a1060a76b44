"""Stub: replaced by the page's real module as it is built."""

from __future__ import annotations

from dash import html


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div([html.H1("playground"), html.P("Being built.")])
