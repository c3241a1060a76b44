"""Self-checks: every built page ends with questions whose answers the lab computes, and the rule that accepts
a typed answer (kept in step with ``assets/selfcheck.js``; the browser test runs the same cases there)."""

from __future__ import annotations

import importlib
import threading

import pytest
from dash import dcc, html

from neuralab.app import selfcheck, shell, ui
from neuralab.app.registry import built
from neuralab.app.selfcheck import Pick, Value, accepts, expected, normalise, shown
from tests.app import tree

#: Pages without questions of their own: the map and the reference.
NO_QUESTIONS = {"/reference"}
#: Pages whose questions come with their own branches (issue 15): checked once they have any.
PENDING: set[str] = set()

PAGES = [p for p in built() if p.path not in NO_QUESTIONS]

#: (typed, answer, tolerance, unit, accepted): the browser test runs these through the JavaScript rule too.
CASES = [
    ("32, 8, 96", "(32, 8, 96)", 0.0, "", True),
    ("(32,8,96)", "(32, 8, 96)", 0.0, "", True),
    ("[32, 8, 96]", "(32, 8, 96)", 0.0, "", True),
    ("32×8×96", "(32, 8, 96)", 0.0, "", True),
    ("32 x 8 x 96", "(32, 8, 96)", 0.0, "", True),
    ("32, 96, 8", "(32, 8, 96)", 0.0, "", False),
    ("32, 8", "(32, 8, 96)", 0.0, "", False),
    ("1e-3", "0.001", 0.0, "", True),
    ("0.001", "0.001", 0.0, "", True),
    ("1E-3", "0.001", 0.0, "", True),
    ("0.0011", "0.001", 0.0, "", False),
    ("0.00101", "0.001", 0.02, "", True),
    ("0.00103", "0.001", 0.02, "", False),
    ("1 000", "1000", 0.0, "", True),
    ("1_000", "1000", 0.0, "", True),
    ("1000.0", "1000", 0.0, "", True),
    ("−128", "-128", 0.0, "", True),
    ("128", "-128", 0.0, "", False),
    ("55.3 %", "55.27864045000421", 0.005, "%", True),
    ("55.3", "55.27864045000421", 0.005, "%", True),
    ("1200 Hz", "1200.0", 0.0, "Hz", True),
    ("1200 hz", "1200.0", 0.0, "Hz", True),
    ("2.303 nats", "2.3025851249694824", 0.005, "nats", True),
    ("0", "0", 0.0, "", True),
    ("0.0", "0", 0.0, "", True),
    ("1e-13", "0", 0.0, "", True),
    ("0.1", "0", 0.0, "", False),
    ("", "3", 0.0, "", False),
    ("three", "3", 0.0, "", False),
    ("Yes", "yes", 0.0, "", True),
    ("-0.332", "-0.33181222783183384", 0.005, "", True),
    ("0.332", "-0.33181222783183384", 0.005, "", False),
]


@pytest.mark.parametrize(("typed", "answer", "tolerance", "unit", "ok"), CASES)
def test_the_rule_accepts_the_forms_a_learner_types(typed, answer, tolerance, unit, ok):
    assert accepts(typed, answer, tolerance, unit) is ok


def test_normalise_reads_numbers_and_drops_brackets():
    assert normalise("(32, 8, 96)") == [32.0, 8.0, 96.0]
    assert normalise("1 000") == [1000.0]
    assert normalise(" 4.7 % ", "%") == [4.7]
    assert normalise("relu, 3") == ["relu", 3.0]


def test_expected_and_shown_forms():
    assert expected(3) == "3"
    assert expected(0.1) == "0.1"
    assert expected((32, 8, 96)) == "(32, 8, 96)"
    assert shown(0.0049206701808259595) == "0.004921"
    assert shown((2, 3)) == "(2, 3)"


def _module(page):
    return importlib.import_module(page.module)


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_every_page_has_questions_with_unique_keys(page):
    found = selfcheck.questions(_module(page))
    if page.path in PENDING and not found:
        pytest.skip(f"{page.path}: its questions come with its own branch")
    assert len(found) >= 2, f"{page.path} has {len(found)} self-check question(s)"
    keys = [q.key for q in found]
    assert len(keys) == len(set(keys)), keys
    assert all(k and k.replace("-", "").isalnum() and k == k.lower() for k in keys), keys
    assert {type(q) for q in found} == {Pick, Value} or page.path in PENDING, "mix multiple choice and numbers"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_every_question_names_a_section_of_its_page(page):
    m = _module(page)
    layout = m.layout(m.SPEC.defaults(), [])
    headings = {c.children for c in tree.walk(layout) if isinstance(c, html.H2)}
    ids = tree.ids(layout)
    for q in selfcheck.questions(m):
        assert q.section in headings, f"{page.path}#check-{q.key}: no H2 {q.section!r}"
        assert ui.anchor(q.section) in ids, f"{page.path}#check-{q.key}: no anchor {ui.anchor(q.section)}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_every_answer_computes_and_its_shown_form_is_accepted(page):
    for q in selfcheck.questions(_module(page)):
        if isinstance(q, Pick):
            assert 0 <= q.correct < len(q.options) and len(q.options) >= 2, q.key
            assert len(set(q.options)) == len(q.options), q.key
            continue
        prompt = q.prompt() if callable(q.prompt) else q.prompt
        assert isinstance(prompt, str) and prompt.strip(), q.key
        answer = q.answer()
        assert accepts(expected(answer), expected(answer), q.tolerance, q.unit), (q.key, answer)
        # what the explanation shows (four significant digits) is itself a right answer
        assert accepts(shown(answer), expected(answer), q.tolerance, q.unit), (q.key, shown(answer), q.tolerance)
        assert accepts(f"{shown(answer)} {q.unit}".strip(), expected(answer), q.tolerance, q.unit), q.key
        assert "{answer}" in q.explain, f"{q.key}: the explanation should state the computed answer"


# ----------------------------------------------------------------------------- the block on the page


def _block(layout):
    return next(c for c in tree.walk(layout) if "nl-selfcheck" in (getattr(c, "className", "") or ""))


@pytest.mark.parametrize("page", [p for p in PAGES if p.path not in PENDING], ids=lambda p: p.path)
def test_the_routed_page_ends_with_its_block(page):
    layout = shell.render(page.path, "")
    assert layout.children[-1] is _block(layout)
    ids = tree.ids(layout)
    for q in selfcheck.questions(_module(page)):
        box = ids[f"check-{q.key}"]
        assert f"check-{q.key}-verdict" in ids and f"check-{q.key}-why" in ids
        assert getattr(ids[f"check-{q.key}-verdict"], "aria-live") == "polite"
        link = next(c for c in tree.walk(ids[f"check-{q.key}-why"]) if isinstance(c, html.A))
        assert link.href == "#" + ui.anchor(q.section)
        if isinstance(q, Value):
            assert getattr(box, "data-answer") == expected(q.answer())
            assert isinstance(ids[f"check-{q.key}-input"], dcc.Input)
        else:
            assert getattr(box, "data-correct") == str(q.correct)
            radios = ids[f"check-{q.key}-pick"]
            assert sorted(o["value"] for o in radios.options) == [str(i) for i in range(len(q.options))]


def test_a_page_with_its_url_state_keeps_the_block():
    layout = shell.render("/pruning", "?sparsity=80&method=structured")
    assert "check-zeros" in tree.ids(_block(layout))


def test_pages_without_questions_have_no_block():
    for path in ("/", "/reference"):
        layout = shell.render(path, "")
        assert not any("nl-selfcheck" in (getattr(c, "className", "") or "") for c in tree.walk(layout)), path


def test_a_failing_answer_leaves_the_question_out_and_the_page_whole(caplog):
    def broken():
        raise RuntimeError("no answer")

    q = Value("broken", "What breaks?", broken, "It is {answer}.", section="Prune a trained network")
    fine = Pick("fine", "Fine?", ("yes", "no"), 0, "Yes.", "Prune a trained network")
    block = selfcheck.block("/test-broken", (q, fine))
    ids = tree.ids(block)
    assert "nl-check-off" in ids["check-broken"].className
    assert "check-broken-input" not in ids and "check-fine-pick" in ids
    assert "could not be computed" in caplog.text


def test_a_slow_answer_is_left_out_and_kept_for_the_next_visit(caplog):
    release = threading.Event()

    def slow():
        release.wait(30)
        return 42

    q = Value("slow", "How slow?", slow, "It is {answer}.", section="Prune a trained network")
    first = tree.ids(selfcheck.block("/test-slow", (q,)))
    assert "check-slow-input" not in first and "longer than" in caplog.text
    release.set()
    assert selfcheck.computed("/test-slow", q, budget=30) == ("How slow?", 42)
    again = tree.ids(selfcheck.block("/test-slow", (q,)))
    assert getattr(again["check-slow"], "data-answer") == "42"


def test_a_job_is_not_forked_while_an_answer_is_still_computing():
    """An answer over the budget computes on after its request; a fork then would copy its locks held."""
    from neuralab.app.jobs import GATE

    computing, release, events = threading.Event(), threading.Event(), []

    def slow():
        computing.set()
        release.wait(30)
        events.append("answer done")
        return 7

    q = Value("forked", "When?", slow, "It is {answer}.", section="Prune a trained network")
    selfcheck.block("/test-fork", (q,))  # the request's budget runs out; the answer goes on in the pool
    assert computing.wait(30)
    forker = threading.Thread(target=lambda: GATE.fork(lambda: events.append("fork"), in_request=False))
    forker.start()
    with GATE._cond:  # the fork has begun to wait for the running work
        assert GATE._cond.wait_for(lambda: GATE._forking, timeout=30)
    assert events == []
    release.set()
    forker.join(30)
    assert events == ["answer done", "fork"]
