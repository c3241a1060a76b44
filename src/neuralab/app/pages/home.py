"""/: what the lab is, and the map of topics."""

from __future__ import annotations

from dash import dcc, html

from neuralab.app.registry import GROUPS, PAGES


def layout() -> html.Div:
    groups = []
    for group in GROUPS:
        cards = [
            dcc.Link(
                [
                    html.Strong(p.title),
                    html.Span(p.blurb, className="nl-card-blurb"),
                    html.Span("ready" if p.module else "not built yet", className="nl-badge"
                              + (" nl-badge-ready" if p.module else "")),
                ],
                href=p.path,
                className="nl-card" + ("" if p.module else " nl-soon"),
            )
            for p in PAGES
            if p.group == group
        ]
        groups.append(html.Section([html.H2(group), html.Div(cards, className="nl-cards")], className="nl-map-group"))
    return html.Div(
        [
            html.Header(
                [
                    html.H1("neuralab"),
                    html.P(
                        "A lab for the practical engineering of neural networks. Each page is one concept with live "
                        "controls, and every number and curve on it comes from a real computation on real data: "
                        "models are really fitted, splits really drawn, scores really measured. Everything runs on "
                        "this machine, offline.",
                        className="nl-intro",
                    ),
                    html.P(
                        [
                            "The same code is a Python library: ",
                            html.Code("import neuralab"),
                            ". Every page's state lives in its link, so a view can be shared and reopened exactly.",
                        ],
                        className="nl-intro",
                    ),
                ],
                className="nl-page-header",
            ),
            *groups,
        ]
    )
