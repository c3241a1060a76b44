"""The lab's search box: an index of every reference entry, the cheat sheet and every page's text.

The index is built once per process from the same sources the pages render (the Markdown entries
and each built page's layout at its default values), served as ``/search-index.json`` and
searched in the browser by ``assets/finder.js``: typing sends nothing to the server, and the
lab needs no search service. Each document is one section: a page section (``/page#s-…``), an
entry's ``##`` part (``/reference?topic=…#r-…``) or a cheat-sheet concept.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
from importlib import resources

from dash import dcc, html

from neuralab.app.registry import BY_PATH, built
from neuralab.app.ui import anchor, markdown_parts

__all__ = ["documents", "install", "plain"]

PATH = "/search-index.json"
_SKIP = (dcc.Graph, html.Pre, html.Code, html.Script)


def plain(markdown: str) -> str:
    """The words of a Markdown text, without its markup (for matching and snippets)."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links and images: their text
    text = re.sub(r"\\([\[\]])", r"\1", text)  # escaped brackets: the brackets
    text = re.sub(r"[`*_#>|$\\]", " ", text)
    text = re.sub(r"^\s*[-:]{3,}.*$", " ", text, flags=re.M)  # table rules
    return re.sub(r"\s+", " ", text).strip()


def _text(component) -> str:
    """All prose in a component tree (charts and code left out)."""
    if component is None or isinstance(component, bool):
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_text(c) for c in component)
    if isinstance(component, _SKIP):
        return ""
    inner = getattr(component, "children", None)
    return plain(inner) if isinstance(component, dcc.Markdown) and isinstance(inner, str) else _text(inner)


def _sections(component):
    """Every ``nl-section`` in a layout, depth first."""
    if isinstance(component, list | tuple):
        for c in component:
            yield from _sections(c)
        return
    if component is None or isinstance(component, str | int | float | bool):
        return
    if isinstance(component, html.Section) and getattr(component, "id", None):
        yield component
        return
    yield from _sections(getattr(component, "children", None))


def _doc(title: str, where: str, href: str, text: str) -> dict:
    return {"t": title, "w": where, "h": href, "x": re.sub(r"\s+", " ", text).strip()}


def _page_docs() -> list[dict]:
    docs = []
    for page in built():
        if page.path in ("/reference", "/cheat-sheet"):
            continue  # indexed from their Markdown
        module = importlib.import_module(page.module)
        tree = module.layout(module.SPEC.defaults(), [])
        header = next((c for c in tree.children if isinstance(c, html.Header)), None) if hasattr(tree, "children") \
            else None
        docs.append(_doc(page.title, page.title, page.path, _text(header) if header is not None else page.blurb))
        for section in _sections(tree):
            heading = next((c for c in section.children if isinstance(c, html.H2)), None)
            title = _text(heading) if heading is not None else page.title
            body = _text([c for c in section.children if c is not heading])
            docs.append(_doc(title, page.title, f"{page.path}#{section.id}", body))
    return docs


def _entry(name: str) -> str | None:
    path = resources.files("neuralab.content").joinpath(f"{name}.md")
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _reference_docs() -> list[dict]:
    from neuralab.app.pages.reference import TOPICS  # the entries the reference page lists

    docs = []
    for topic, path in TOPICS.items():
        where = f"Reference: {BY_PATH[path].title}"
        for _, title, body in markdown_parts(_entry(topic) or ""):
            href = f"/reference?topic={topic}" + (f"#{anchor(title, 'r-')}" if title else "")
            docs.append(_doc(title or BY_PATH[path].title, where, href, plain(body)))
    for _, title, body in markdown_parts(_entry("cheat-sheet") or ""):
        href = "/cheat-sheet" + (f"#{anchor(title, 'c-')}" if title else "")
        docs.append(_doc(title or "Cheat sheet", "Cheat sheet", href, plain(body)))
    return docs


@functools.cache
def documents() -> tuple[dict, ...]:
    """Every searchable document: ``t`` title, ``w`` where it lives, ``h`` the link, ``x`` its text."""
    return tuple(_page_docs() + _reference_docs())


@functools.cache
def _payload() -> bytes:
    return json.dumps(documents(), ensure_ascii=False, separators=(",", ":")).encode()


def install(server) -> None:
    """Serve the index at ``/search-index.json`` (read-only, cached by the browser for the session)."""

    @server.route(PATH, methods=["GET"])
    def search_index():
        return server.response_class(_payload(), mimetype="application/json",
                                     headers={"Cache-Control": "private, max-age=3600"})
