"""/cheat-sheet: a concept per page of the lab, each linked to its page and its reference entry, and the download."""

from __future__ import annotations

import re

import pytest
from dash import dcc, html

from neuralab.app import finder, selfcheck, shell, ui
from neuralab.app.pages import cheat_sheet, reference
from neuralab.app.registry import BY_PATH, built
from tests.app import tree

LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


def _parts():
    return [(title, body) for _, title, body in ui.markdown_parts(cheat_sheet.text()) if title]


def test_every_built_page_has_a_concept_that_links_to_it():
    """A page not built yet has nothing to sum up; once built, it needs its concept."""
    linked = {href for _, body in _parts() for _, href in LINK.findall(body)}
    for page in built():
        if page.path in ("/", "/cheat-sheet", "/reference"):
            continue
        assert page.path in linked, f"no concept links to {page.path}"


def test_concepts_follow_the_sidebar_and_link_their_page_and_entry():
    pages = [p.path for p in built() if p.path not in ("/", "/cheat-sheet", "/reference")]
    order = []
    for title, body in _parts():
        hrefs = [h for _, h in LINK.findall(body)]
        if title == "Red flags":
            continue
        page = next(h for h in hrefs if h in BY_PATH)
        order.append(page)
        assert f"/reference?topic={page.lstrip('/')}" in hrefs, title
        assert 3 <= sum(line.startswith("- ") for line in body.splitlines()) <= 6, title
    assert order == pages


def test_every_reference_link_names_an_existing_topic():
    topics = [h.split("topic=")[1] for _, body in _parts() for _, h in LINK.findall(body) if "topic=" in h]
    assert topics
    for topic in topics:
        assert topic in reference.TOPICS or topic == "fundamentals", topic
        if topic in reference.TOPICS:
            assert reference.text(topic).strip()


def test_every_internal_link_is_a_page_of_the_lab():
    for _, body in _parts():
        for _, href in LINK.findall(body):
            assert href.split("?")[0] in BY_PATH, href


def test_red_flags_are_questions_with_answers():
    body = dict(_parts())["Red flags"]
    questions = re.findall(r"^\*\*(.+\?)\*\*$", body, flags=re.M)
    assert len(questions) >= 6


def test_the_page_has_an_anchor_per_concept_where_the_search_box_links():
    ids = tree.ids(cheat_sheet.layout({}, []))
    docs = [d for d in finder.documents() if d["w"] == "Cheat sheet"]
    assert docs
    for d in docs:
        path, _, frag = d["h"].partition("#")
        assert path == "/cheat-sheet"
        assert not frag or frag in ids, d["h"]
    for title, _ in _parts():
        assert ui.anchor(title, "c-") in ids and ui.anchor(title) in ids, title


def test_the_download_hands_out_the_markdown():
    sent = cheat_sheet.download(1)
    assert sent["filename"] == "neuralab-cheat-sheet.md"
    assert sent["content"] == cheat_sheet.text()
    ids = tree.ids(cheat_sheet.layout({}, []))
    assert isinstance(ids["cheat-sheet-download"], dcc.Download)
    assert isinstance(ids["cheat-sheet-print"], html.Button)


def test_questions_name_a_heading_of_the_sheet_and_the_routed_page_ends_with_them():
    found = selfcheck.questions(cheat_sheet)
    assert 2 <= len(found) <= 3
    titles = {t for t, _ in _parts()}
    assert all(q.section in titles for q in found)
    layout = shell.render("/cheat-sheet", "")
    assert "nl-selfcheck" in layout.children[-1].className
    assert next(q for q in found if q.key == "int8").answer() == 4
