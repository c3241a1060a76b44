"""/distillation in a real chromium: temperature and digit, the link, a bad link, the background comparison."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

SOFT = "#distillation-soft-summary"


def _open(page: Page, query: str = "") -> None:
    page.goto("/distillation" + query)
    # the first visit trains the reference teacher (seconds; longer on a busy machine)
    expect(page.locator(SOFT)).to_contain_text("the teacher gives class", timeout=180_000)


def test_temperature_slider_softens_and_the_url_follows(page, page_errors):
    _open(page)
    expect(page.locator(SOFT)).to_contain_text("at T = 4;")
    handle = page.locator("#distillation-T [role=slider]")
    handle.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(SOFT)).to_contain_text("at T = 4.5;")
    expect(page.locator("#distillation-grad-summary")).to_contain_text("T = 4.5")
    expect(page).to_have_url(re.compile(r"[?&]T=4\.5(&|$)"))
    assert page_errors == []


def test_reloading_the_link_restores_the_view(page, page_errors):
    _open(page, "?T=7&digit=3")
    expect(page.locator(SOFT)).to_contain_text("For this 3")
    expect(page.locator(SOFT)).to_contain_text("at T = 7;")
    expect(page.locator(".nl-url-alert")).to_have_count(0)
    assert page_errors == []


def test_bad_link_value_is_named(page, page_errors):
    _open(page, "?alpha=3")
    alert = page.locator(".nl-url-alert")
    expect(alert).to_contain_text("alpha")
    expect(alert).to_contain_text("between 0 and 1")
    assert page_errors == []


def test_the_comparison_arrives_in_the_background(page, page_errors):
    _open(page)
    caption = page.locator("#distillation-cmp-summary")
    for _ in range(4):  # jobs of earlier tests may still hold the lab's slots: reload on a "busy" answer
        expect(caption).not_to_have_text(re.compile(r"^\s*$"), timeout=240_000)
        if "waited" not in caption.inner_text():
            break
        page.reload()
    expect(caption).to_contain_text("Over 5 seeds")
    expect(caption).to_contain_text("±")
    assert page_errors == []
