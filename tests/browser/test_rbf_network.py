"""/rbf-network in a real chromium: the fit answers a slider, the link restores it, the race arrives.

Figures arrive as base64 typed arrays, so assertions read the captions (``#<graph>-summary``).
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

JOB_MS = 120_000  # the race trains two small networks; a shared 2-core machine can be slow
SURFACE = "#rbf-network-surface-summary"
CENTRES = "#rbf-network-centres [role=slider]"


def test_the_fit_follows_the_centres_slider_and_a_link_restores_it(page: Page, page_errors):
    page.goto("/rbf-network")
    expect(page.locator(SURFACE)).to_contain_text("24 Gaussian units", timeout=JOB_MS)
    page.locator(CENTRES).focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(SURFACE)).to_contain_text("25 Gaussian units")
    expect(page).to_have_url(re.compile(r"[?&]centres=25(&|$)"))
    after = page.locator(SURFACE).inner_text()
    page.goto(page.url)
    expect(page.locator(SURFACE)).to_have_text(after, timeout=JOB_MS)
    expect(page.locator(CENTRES)).to_have_attribute("aria-valuenow", "25")
    expect(page.locator("#rbf-network-slice-summary")).to_contain_text("of the 25 units")
    assert page_errors == []


def test_the_race_arrives_with_its_table_and_a_bad_link_is_named(page: Page, page_errors):
    page.goto("/rbf-network?race_centres=4&centres=abc")
    expect(page.locator(".nl-url-alert")).to_contain_text("centres must be a whole number")
    expect(page.locator("#rbf-network-race-table")).to_contain_text("MLP, 4 tanh units", timeout=JOB_MS)
    expect(page.locator("#rbf-network-race-slice-summary")).to_contain_text("held-out points")
    expect(page.locator("#rbf-network-race-maps-summary")).to_contain_text("dashed box")
    assert page_errors == []
