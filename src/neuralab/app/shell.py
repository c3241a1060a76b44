"""The frame around every page: header, sidebar, theme switch and the router."""

from __future__ import annotations

import importlib

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from neuralab import __version__
from neuralab.app import export, selfcheck, userdata
from neuralab.app.pages import home, placeholder
from neuralab.app.registry import BY_PATH, GROUPS, PAGES, Page


def sidebar() -> html.Nav:
    groups = []
    for group in GROUPS:
        links = [
            html.Li(
                dcc.Link(
                    p.title,
                    href=p.path,
                    id=f"nav{p.path.replace('/', '-')}",
                    className="nl-nav-link" + ("" if p.module else " nl-soon"),
                    title=None if p.module else "Not built yet",
                )
            )
            for p in PAGES
            if p.group == group
        ]
        groups.append(html.Div([html.H2(group, className="nl-nav-group"), html.Ul(links)]))
    return html.Nav(groups, className="nl-sidebar", **{"aria-label": "Topics"})


def layout() -> html.Div:
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="theme", storage_type="local"),
            userdata.owner_store(),  # the browser's unguessable token: whose datasets these are
            html.A("Skip to content", href="#main", className="nl-skip"),
            html.Header(
                [
                    dcc.Link([html.Span("neuralab", className="nl-brand")], href="/", className="nl-home-link"),
                    html.Span(f"v{__version__}", className="nl-version"),
                    html.Div(  # searched in the browser by assets/finder.js over /search-index.json
                        [html.Label("Search the pages, the reference and the cheat sheet", htmlFor="find",
                                    className="nl-hidden-label"),
                         dcc.Input(id="find", type="search", placeholder="Search the lab  ( / )", autoComplete="off",
                                   debounce=False, className="nl-find-input")],
                        className="nl-find", role="search",
                    ),
                    html.Button(
                        "Dark theme",
                        id="theme-toggle",
                        className="nl-theme-toggle",
                        n_clicks=0,
                        **{"aria-pressed": "false"},
                    ),
                ],
                className="nl-topbar",
            ),
            html.Div(
                [sidebar(), html.Main(id="main", className="nl-main", tabIndex="-1")],
                className="nl-body",
            ),
        ],
        className="nl-app",
    )


def render(pathname: str | None, search: str | None):
    """The page for ``pathname``, built from the URL query ``search``."""
    if not isinstance(pathname, str | None):  # a crafted request: only the browser's address is a page
        return placeholder.not_found(str(pathname)[:100])
    search = search if isinstance(search, str) else ""
    page: Page | None = BY_PATH.get((pathname or "/").rstrip("/") or "/")
    if pathname in (None, "", "/"):
        return home.layout()
    if page is None:
        return placeholder.not_found(pathname)
    if page.module is None:
        return placeholder.layout(page)
    module = importlib.import_module(page.module)  # every built page declares its controls as SPEC
    values, messages = module.SPEC.parse_query(search or "")
    layout = export.with_export(module.layout(values, messages), module)  # no buttons on a prose-only page
    return with_selfcheck(with_reference(layout, page), page, module)


def with_selfcheck(layout, page: Page, module):
    """The page's layout with its "Check yourself" block at the end (if it has questions)."""
    checks = selfcheck.block(page.path, selfcheck.questions(module))
    children = getattr(layout, "children", None)
    if checks is None or not isinstance(children, list):
        return layout
    layout.children = [*children, checks]
    return layout


def with_reference(layout, page: Page):
    """The page's layout with a link to its reference entry under its header (if it has one)."""
    from neuralab.app.pages.reference import TOPICS

    topic = next((k for k, path in TOPICS.items() if path == page.path), None)
    header = next((c for c in getattr(layout, "children", None) or [] if isinstance(c, html.Header)), None)
    if topic is None or header is None or page.path == "/reference":
        return layout
    link = html.P(dcc.Link(f"Reference entry: {page.title} →", href=f"/reference?topic={topic}"),
                  className="nl-reference-link")
    header.children = [*header.children, link] if isinstance(header.children, list) else [header.children, link]
    return layout


@callback(Output("main", "children"), Input("url", "pathname"), State("url", "search"))
def route(pathname, search):
    return render(pathname, search)


# Theme: remembered in localStorage; applied as <html data-theme=...> by assets/neuralab.js.
clientside_callback(
    ClientsideFunction(namespace="neuralab", function_name="toggleTheme"),
    Output("theme", "data"),
    Input("theme-toggle", "n_clicks"),
    State("theme", "data"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="neuralab", function_name="applyTheme"),
    Output("theme-toggle", "children"),
    Output("theme-toggle", "aria-pressed"),
    Input("theme", "data"),
)
