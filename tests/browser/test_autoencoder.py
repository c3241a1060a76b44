"""/autoencoder in a real chromium: the code map decodes where it is clicked, the threshold, the link."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

DECODED = "#autoencoder-decoded-summary"


def _open(page: Page, query: str = "") -> None:
    page.goto("/autoencoder" + query)
    # the first visit trains the 2-D autoencoder in a job (seconds; longer on a busy machine)
    expect(page.locator(DECODED)).to_contain_text("The decoder turns", timeout=240_000)


def test_a_click_on_the_map_decodes_that_point_and_the_url_follows(page, page_errors):
    _open(page)
    expect(page.locator(DECODED)).to_contain_text("(1, 0)")
    box = page.locator("#autoencoder-map .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.1)  # top left: z₁ < 0 < z₂
    expect(page.locator(DECODED)).not_to_contain_text("(1, 0)")
    expect(page).to_have_url(re.compile(r"[?&]z1=-"))
    expect(page).to_have_url(re.compile(r"[?&]z2=[0-9]"))
    assert page_errors == []


def test_the_link_restores_the_point_and_a_bad_value_is_named(page, page_errors):
    _open(page, "?z1=-1.5&z2=2")
    expect(page.locator(DECODED)).to_contain_text("(-1.5, 2)")
    page.goto("/autoencoder?z1=9")
    alert = page.locator(".nl-url-alert")
    expect(alert).to_contain_text("z1")
    expect(alert).to_contain_text("between -4 and 4")
    assert page_errors == []


def test_the_threshold_moves_precision_and_recall(page, page_errors):
    page.goto("/autoencoder")
    caption = page.locator("#autoencoder-motor-timeline-summary")
    expect(caption).to_contain_text("At 251 ×", timeout=240_000)
    page.locator("#autoencoder-threshold [role=slider]").focus()
    page.keyboard.press("ArrowLeft")
    expect(caption).to_contain_text("At 224 ×")
    expect(page).to_have_url(re.compile(r"[?&]threshold=223\.87"))
    assert page_errors == []
