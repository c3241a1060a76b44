"""/augmentation in a real chromium: the kind and strength redraw the gallery, the URL keeps them, a bad link names
its parameter."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser


def test_the_controls_redraw_the_gallery_and_the_link_reopens_it(page: Page, page_errors):
    page.goto("/augmentation?aug_strength=0.5")
    caption = page.locator("#augmentation-gallery-summary")
    expect(caption).to_contain_text("random draws of a shift of up to ±1 pixel in each direction", timeout=60_000)
    page.locator("#augmentation-aug_kind input[value=rotate]").check()
    expect(caption).to_contain_text("random draws of a rotation of up to ±15°", timeout=30_000)
    expect(page).to_have_url(re.compile(r"[?&]aug_kind=rotate"))
    handle = page.locator("#augmentation-aug_strength [role=slider]")
    handle.focus()
    page.keyboard.press("ArrowRight")
    expect(caption).to_contain_text("random draws of a rotation of up to ±22.5°", timeout=30_000)
    expect(page).to_have_url(re.compile(r"[?&]aug_strength=0.75"))
    page.goto(page.url)  # the link alone brings the view back
    expect(page.locator("#augmentation-gallery-summary")).to_contain_text("a rotation of up to ±22.5°",
                                                                          timeout=60_000)
    assert page_errors == []


def test_a_bad_link_says_which_value_is_wrong(page: Page, page_errors):
    page.goto("/augmentation?aug_strength=3")
    expect(page.get_by_text("aug_strength must be between 0.25 and 1")).to_be_visible(timeout=60_000)
    expect(page.locator("#augmentation-gallery-summary")).to_contain_text("a shift of up to ±1 pixel",
                                                                          timeout=60_000)
    assert page_errors == []
