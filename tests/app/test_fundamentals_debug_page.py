"""/fundamentals' debugging part: the symptom table's links land, the overfit test runs from the page."""

import importlib
import re
from urllib.parse import parse_qs, urlsplit

import plotly.graph_objects as go
import pytest
from dash import dcc, html

from neuralab.app.pages import fundamentals, fundamentals_debug
from neuralab.app.registry import BY_PATH
from neuralab.app.selfcheck import Pick, Value
from tests.app import tree

#: Sections of /fundamentals not yet built (none now; each link is checked against the page).
SIBLINGS: set[str] = set()  # every part is merged: each link must land


def _hrefs() -> list[str]:
    """Every link of the part: the table's data and any Markdown link in its prose."""
    out = [href for s in fundamentals_debug.SYMPTOMS for _, href in s.links]
    for c in tree.walk(fundamentals_debug.layout(fundamentals_debug.SPEC.defaults())):
        if isinstance(c, html.A):
            out.append(c.href)
        if isinstance(c, dcc.Markdown):
            out += re.findall(r"\]\((/[^)\s]+)\)", c.children)
    return out


@pytest.fixture(scope="module")
def layouts(app):
    cache = {}

    def get(path):
        if path not in cache:
            m = importlib.import_module(BY_PATH[path].module)
            cache[path] = (m, tree.ids(m.layout(m.SPEC.defaults(), [])))
        return cache[path]
    return get


def test_every_link_lands_on_a_built_page_a_valid_query_and_an_existing_section(layouts):
    hrefs = _hrefs()
    assert len(hrefs) > 30
    for href in hrefs:
        url = urlsplit(href)
        page = BY_PATH.get(url.path)
        assert page is not None and page.module, href
        module, ids = layouts(url.path)
        values, messages = module.SPEC.parse_query(url.query)
        assert not messages, (href, messages)
        assert set(parse_qs(url.query)) <= set(module.SPEC.fields), href
        assert url.fragment.startswith("s-"), href
        if url.path != "/fundamentals" or url.fragment not in SIBLINGS:
            assert url.fragment in ids, href


def test_every_row_has_a_symptom_causes_a_check_and_a_link():
    assert len(fundamentals_debug.SYMPTOMS) >= 8
    for s in fundamentals_debug.SYMPTOMS:
        assert s.symptom and s.causes and s.check and s.links
    names = " ".join(s.symptom.lower() for s in fundamentals_debug.SYMPTOMS)
    for word in ("nan", "flat", "oscillat", "validation bad", "validation better", "majority"):
        assert word in names


def test_the_part_is_on_the_page_with_its_controls_and_table():
    layout = fundamentals.layout(fundamentals.SPEC.defaults(), [])
    ids = tree.ids(layout)
    for name in fundamentals_debug.SPEC.fields:
        assert name.startswith("debug_") and f"fundamentals-{name}" in ids
    assert isinstance(ids["fundamentals-debug-overfit"], dcc.Graph)
    assert "s-the-tiny-batch-overfit-test" in ids and "s-debugging-checklist-symptom-likely-cause-first-check" in ids
    assert fundamentals_debug.OVERFIT_SECTION in fundamentals.SECTIONS and fundamentals_debug.OVERFIT_SECTION.job
    assert "Loss oscillates or zig-zags" in tree.text(layout)


def test_the_view_runs_the_real_test_and_reports_progress():
    seen = []
    out = fundamentals_debug.OVERFIT_SECTION.view({"debug_steps": 100}, progress=lambda d, t: seen.append((d, t)))
    assert len(out) == len(fundamentals_debug.OVERFIT_SECTION.outputs()) and out[-1] == ""
    assert isinstance(out[0], go.Figure) and out[1].startswith("16 samples") and "Passed" in out[1]
    assert seen[-1] == (100, 100)
    failed = fundamentals_debug.OVERFIT_SECTION.view({"debug_steps": 50, "debug_bug": "zero_init"})
    assert "Failed" in failed[1]


@pytest.mark.parametrize(("values", "fragment"), [
    ({"debug_samples": 100}, "debug_samples must be between 1 and 64"),
    ({"debug_bug": "typo"}, "debug_bug must be one of"),
    ({"debug_lr": "fast"}, "debug_lr must be"),
])
def test_bad_values_become_sentences(values, fragment):
    s = fundamentals_debug.OVERFIT_SECTION
    out = s.view(values)
    assert fragment in out[-1] and len(out) == len(s.outputs())


def test_the_questions_answer_and_point_at_sections_of_the_part():
    titles = {fundamentals_debug.TABLE_TITLE, fundamentals_debug.OVERFIT_TITLE}
    qs = fundamentals_debug.QUESTIONS
    assert {type(q) for q in qs} == {Pick, Value} and all(q.section in titles for q in qs)
    value = next(q for q in qs if isinstance(q, Value))
    assert value.answer() == pytest.approx(1.04, abs=0.01)
    assert all(0 <= q.correct < len(q.options) for q in qs if isinstance(q, Pick))
