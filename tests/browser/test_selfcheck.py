"""The "Check yourself" block in a real chromium: a wrong answer then a right one, progress that survives a
reload, nothing sent to the server, the instructor's #check-<key> link, and the same accepting rule as Python."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

from tests.app.test_selfcheck import CASES

pytestmark = pytest.mark.browser

CV_SECTION = "#s-cross-validation-which-samples-validate-in-which-fold"


def test_wrong_then_right_and_the_progress_survives_a_reload(page, page_errors):
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.post_data or "") if r.method == "POST" else None)
    page.goto("/splits")
    progress = page.locator("#check-progress")
    expect(progress).to_have_text("0 of 4 answered right on this page.")
    box, verdict, why = page.locator("#check-first-fold"), page.locator("#check-first-fold-verdict"), \
        page.locator("#check-first-fold-why")
    expect(why).to_be_hidden()

    page.fill("#check-first-fold-input", "21")
    page.click("#check-first-fold-submit")
    expect(verdict).to_contain_text("Wrong")
    expect(box).to_have_class(re.compile(r"\bnl-check-wrong\b"))
    expect(why).to_be_visible()
    expect(why).to_contain_text("first fold has just 20")
    expect(why.locator(f"a[href='{CV_SECTION}']")).to_be_visible()
    expect(progress).to_have_text("0 of 4 answered right on this page.")

    page.fill("#check-first-fold-input", "20")
    page.press("#check-first-fold-input", "Enter")  # Enter checks too
    expect(verdict).to_have_text("Right.")
    expect(progress).to_have_text("1 of 4 answered right on this page.")

    page.locator("#check-copies label", has_text="Group k-fold").click()
    page.click("#check-copies-submit")
    expect(page.locator("#check-copies-verdict")).to_have_text("Right.")
    expect(progress).to_have_text("2 of 4 answered right on this page.")
    assert not [b for b in sent if "check-" in b], "an answer reached the server"

    page.reload()
    expect(page.locator("#check-progress")).to_have_text("2 of 4 answered right on this page.")
    expect(page.locator("#check-first-fold-input")).to_have_value("20")
    expect(page.locator("#check-first-fold-verdict")).to_have_text("Right.")
    expect(page.locator("#check-copies input[value='2']")).to_be_checked()
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('neuralab-selfcheck:/splits'))")
    assert stored["first-fold"] == {"a": "20", "ok": True}

    # the link to the teaching section scrolls there without rebuilding the page
    page.locator(f"#check-first-fold-why a[href='{CV_SECTION}']").click()
    expect(page.locator(CV_SECTION)).to_be_in_viewport()
    expect(page.locator("#check-first-fold-input")).to_have_value("20")
    assert page_errors == []


def test_the_instructors_link_opens_the_question(page, page_errors):
    page.goto("/pruning?sparsity=80#check-zeros")
    question = page.locator("#check-zeros")
    expect(question).to_have_class(re.compile(r"\bnl-check-target\b"))
    expect(question).to_be_in_viewport()
    expect(page.locator("#pruning-sparsity [role=slider]")).to_have_attribute("aria-valuenow", "80")
    expect(page.locator("#check-rounds")).not_to_have_class(re.compile(r"\bnl-check-target\b"))
    assert page_errors == []


def test_the_browser_accepts_exactly_what_python_accepts(page):
    page.goto("/splits")
    expect(page.locator("#check-yourself")).to_be_visible()
    got = page.evaluate(
        "cases => cases.map(c => window.neuralabSelfcheck.accepts(c[0], c[1], c[2], c[3]))",
        [list(c[:4]) for c in CASES],
    )
    wrong = [(c, g) for c, g in zip(CASES, got, strict=True) if g is not c[4]]
    assert wrong == []
