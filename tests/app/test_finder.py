"""The search index: every page section, every reference part and the cheat sheet, each with a link that lands."""

import importlib
import json

import pytest

from neuralab.app import finder, ui
from neuralab.app.pages import reference
from neuralab.app.registry import BY_PATH, built
from tests.app import tree


@pytest.fixture(scope="module")
def docs(app):
    return finder.documents()


def test_every_built_page_and_every_reference_entry_is_indexed(docs):
    where = {d["h"].split("#")[0].split("?")[0] for d in docs}
    for page in built():
        if page.path != "/cheat-sheet" or finder._entry("cheat-sheet"):
            assert page.path in where, page.path
    topics = {d["h"].split("topic=")[1].split("#")[0] for d in docs if "topic=" in d["h"]}
    assert topics == set(reference.TOPICS)
    assert all(d["t"] and d["w"] for d in docs) and sum(bool(d["x"]) for d in docs) > 0.95 * len(docs)


def test_every_link_lands_on_an_existing_section(docs):
    layouts = {}
    for d in docs:
        path, _, frag = d["h"].partition("#")
        if not frag:
            continue
        if path.startswith("/reference?topic="):
            topic = path.split("=")[1]
            ids = {c.id for c in ui.markdown_sections(reference.text(topic), "r-") if getattr(c, "id", None)}
        elif path == "/cheat-sheet":
            continue  # its own test checks the cheat sheet's anchors
        else:
            if path not in layouts:
                m = importlib.import_module(BY_PATH[path].module)
                layouts[path] = tree.ids(m.layout(m.SPEC.defaults(), []))
            ids = layouts[path]
        assert frag in ids, d["h"]


def test_prose_is_indexed_and_charts_and_code_are_not(docs):
    text = " ".join(d["x"] for d in docs if d["w"] == "Regularization")
    assert "dropout" in text.lower()
    assert "import torch" not in text and "Computing…" not in text


def test_markup_is_stripped():
    assert finder.plain("A **bold** [link](/x) and `code` with $x^2$\n\n| a | b |\n| --- | --- |") == \
        "A bold link and code with x^2 a b"
    assert finder.plain(r"terms in \[0, 1\], E\[x\]²") == "terms in [0, 1], E[x]²"  # escaped brackets read as brackets


def test_markdown_parts_split_at_headings_but_not_inside_code():
    text = "intro\n## One\nbody 1\n```\n## not a heading\n```\n### Two\nbody 2"
    parts = ui.markdown_parts(text)
    assert [(t, b.strip()) for _, t, b in parts] == [
        ("", "intro"), ("One", "body 1\n```\n## not a heading\n```"), ("Two", "body 2")]
    assert [getattr(s, "id", None) for s in ui.markdown_sections(text, "r-")] == [None, "r-one", "r-two"]


def test_the_index_is_served_as_json(app):
    client = app.server.test_client()
    response = client.get(finder.PATH)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert len(json.loads(response.data)) == len(finder.documents())
    assert client.post(finder.PATH).status_code == 405


def test_every_page_with_an_entry_links_to_it_and_the_entry_links_back(app):
    from neuralab.app import shell

    for topic, path in reference.TOPICS.items():
        links = [c.href for c in tree.walk(shell.render(path, "")) if hasattr(c, "href")]
        assert f"/reference?topic={topic}" in links, path
        back = reference.show(topic)
        assert path in [c.href for c in tree.walk(back) if hasattr(c, "href")], topic
