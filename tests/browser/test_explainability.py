"""/explainability in a real chromium: a link opens a digit's maps, the steps slider redraws them, the URL keeps it."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser


def test_a_link_opens_a_digit_the_steps_slider_moves_it_and_the_url_keeps_it(page: Page, page_errors):
    page.goto("/explainability?digit=5&steps=64")
    summary = page.locator("#explainability-maps-summary")
    complete = page.locator("#explainability-complete-summary")
    expect(summary).to_contain_text("Test digit 5,", timeout=240_000)  # a cold cache trains the CNN first
    expect(summary).to_contain_text("(64 steps)")
    expect(complete).to_contain_text("With 64 steps our midpoint sum")
    handle = page.locator("#explainability-steps [role=slider]")
    handle.focus()
    page.keyboard.press("ArrowRight")  # one step of 4
    expect(summary).to_contain_text("(68 steps)", timeout=30_000)
    expect(complete).to_contain_text("With 68 steps our midpoint sum")
    expect(page).to_have_url(re.compile(r"steps=68"))
    page.reload()
    expect(summary).to_contain_text("(68 steps)", timeout=60_000)
    expect(summary).to_contain_text("Test digit 5,")
    assert page_errors == []
