"""Small layout pieces every page uses, so pages look alike and stay short."""

from __future__ import annotations

import re
import zlib

from dash import dcc, html

from neuralab.plots.theme import message_figure

PENDING = "Computing…"  # a heavy chart's words until its job answers (benchmarks/page_load.py waits past them)

GRAPH_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def page_header(title: str, intro: str, messages: list[str] | None = None) -> html.Header:
    """The page title, one paragraph of what it shows, and any complaint about the URL."""
    notice = None
    if messages:
        notice = html.Div(
            [html.Strong("Some values in the link were not usable. "), " ".join(messages)],
            className="nl-alert nl-url-alert",
            role="alert",
        )
    return html.Header([html.H1(title), html.P(intro, className="nl-intro"), notice], className="nl-page-header")


def toolbar(*children) -> html.Div:
    """A bar of controls; lists among ``children`` are flattened (Dash renders no nested lists)."""
    flat = [c for child in children for c in (child if isinstance(child, list) else [child])]
    return html.Div(flat, className="nl-toolbar")


def anchor(title: str, prefix: str = "s-") -> str:
    """The id of the section headed ``title``: ``prefix`` and its words in lower case, joined by dashes."""
    return prefix + "-".join(re.findall(r"[a-z0-9]+", title.lower()))


def markdown_parts(markdown: str) -> list[tuple[str, str, str]]:
    """(heading line, heading, text) for each ``##`` or ``###`` part of a Markdown text, in order.

    Text before the first heading comes as ("", "", text). Code blocks are never split.
    """
    parts, line0, title, body, fenced = [], "", "", [], False
    for line in markdown.splitlines():
        fenced ^= line.lstrip().startswith("```")
        heading = re.match(r"(##|###) (.+)", line) if not fenced else None
        if heading:
            parts.append((line0, title, "\n".join(body)))
            line0, title, body = line, heading.group(2).strip(), []
        else:
            body.append(line)
    parts.append((line0, title, "\n".join(body)))
    return [p for p in parts if p[1] or p[2].strip()]


def markdown_sections(markdown: str, prefix: str, class_name: str = "nl-prose") -> list[html.Div]:
    """A Markdown text as one block per ``##``/``###`` part, each with the id :func:`anchor` (``prefix``) of
    its heading, so a link can point into it; math between ``$`` signs is typeset by Dash's own MathJax."""
    return [
        html.Div(dcc.Markdown(f"{line}\n{body}" if line else body, mathjax=True, className=class_name),
                 className="nl-md-part", **({"id": anchor(title, prefix)} if title else {}))
        for line, title, body in markdown_parts(markdown)
    ]


def section(title: str, children: list) -> html.Section:
    """A section under its heading; ``#`` + :func:`anchor` of the title links to it."""
    return html.Section([html.H2(title), *children], className="nl-section", id=anchor(title))


def md(text: str) -> dcc.Markdown:
    return dcc.Markdown(text, className="nl-prose")


def row(children: list) -> html.Div:
    return html.Div(children, className="nl-row")


def chart(ident: str, title: str, heavy: bool = False) -> html.Figure:
    """A graph with its one-sentence summary as caption (``{ident}-summary``).

    ``heavy`` charts are filled by a background job; they get a progress bar
    (``{ident}-progress``) that :func:`neuralab.app.controls.background` drives.
    """
    first = message_figure(PENDING if heavy else "")  # no empty axes before the first answer
    graph = html.Div(dcc.Graph(id=ident, figure=first, config=GRAPH_CONFIG), id=f"{ident}-box", className="nl-graph")
    progress = None
    if heavy:
        progress = html.Progress(
            id=f"{ident}-progress", value="0", max="1", className="nl-progress", **{"aria-label": f"{title}: computing"}
        )
    return html.Figure(
        [progress, graph, html.Figcaption(id=f"{ident}-summary", className="nl-summary", **{"aria-live": "polite"})],
        className="nl-figure",
        **{"aria-label": title},
    )


def code(text: str) -> html.Div:
    """A code block with a copy button: code to take away."""
    ident = f"code-{zlib.crc32(text.encode()):08x}"
    return html.Div(
        [
            dcc.Clipboard(target_id=ident, className="nl-copy", title="Copy the code"),
            html.Pre(html.Code(text, id=ident)),
        ],
        className="nl-code",
    )
