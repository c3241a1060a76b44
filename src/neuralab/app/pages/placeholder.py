"""What a page that is not built yet, or a path that does not exist, shows instead."""

from __future__ import annotations

from dash import dcc, html

from neuralab.app.registry import Page, built


def _ready_links() -> html.Ul:
    return html.Ul([html.Li(dcc.Link(p.title, href=p.path)) for p in built()])


def layout(page: Page) -> html.Div:
    return html.Div(
        [
            html.H1(page.title),
            html.P(
                [
                    html.Strong("This page is not built yet. "),
                    f"It will cover: {page.blurb} "
                    "Nothing here is simulated in the meantime. These pages are ready:",
                ],
                className="nl-intro",
            ),
            _ready_links(),
        ],
        className="nl-placeholder",
    )


def not_found(pathname: str) -> html.Div:
    shown = pathname if len(pathname) <= 60 else pathname[:59] + "…"
    return html.Div(
        [
            html.H1("No such page"),
            html.P(f"There is no page at {shown}. These pages are ready:", className="nl-intro"),
            _ready_links(),
            dcc.Link("Back to the map of topics", href="/"),
        ],
        className="nl-placeholder",
    )
