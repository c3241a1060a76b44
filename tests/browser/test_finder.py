"""The search box in a real chromium: typed words find a section, and Enter takes the reader there."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

pytestmark = pytest.mark.browser


def test_a_search_finds_a_section_and_enter_scrolls_to_it(page, page_errors):
    page.goto("/splits")
    expect(page.locator("#main h1")).to_have_text("Data splits & leakage")
    page.keyboard.press("/")  # the shortcut focuses the box
    expect(page.locator("#find")).to_be_focused()
    page.keyboard.type("dropout thinned")
    hits = page.locator(".nl-find-hit")
    expect(hits.first).to_be_visible()
    expect(hits.first.locator(".nl-find-where")).to_have_text("Regularization")
    expect(hits.first.locator("mark")).to_have_text("dropout", ignore_case=True)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#main h1")).to_have_text("Regularization")
    target = page.locator("section.nl-section", has=page.locator("h2", has_text="Dropout"))
    expect(target).to_be_in_viewport()
    expect(page.locator(".nl-find-results")).to_be_hidden()
    assert page_errors == []


def test_a_search_with_no_match_says_so_and_escape_closes(page, page_errors):
    page.goto("/")
    page.locator("#find").fill("qqqzzz")
    expect(page.locator(".nl-find-none")).to_contain_text("Nothing in the lab matches")
    page.keyboard.press("Escape")
    expect(page.locator(".nl-find-results")).to_be_hidden()
    assert page_errors == []


def test_a_reference_hit_opens_the_entry_at_its_part(page, page_errors):
    page.goto("/splits")
    page.locator("#find").fill("inverted dropout")
    hit = page.locator(".nl-find-hit", has=page.locator(".nl-find-where", has_text="Reference: Regularization"))
    expect(hit.first).to_be_visible()
    hit.first.click()
    expect(page).to_have_url(re.compile(r"/reference\?topic=regularization"))
    expect(page.locator("#r-dropout")).to_be_in_viewport()
    assert page_errors == []
