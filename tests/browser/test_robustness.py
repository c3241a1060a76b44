"""/robustness in a real chromium: a link opens an attack, the budget slider redraws it and the URL follows."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser


def test_a_link_opens_the_attack_the_budget_slider_moves_it_and_the_url_keeps_it(page: Page, page_errors):
    page.goto("/robustness?model=cnn&eps=2&digit=5")
    summary = page.locator("#robustness-example-summary")
    expect(summary).to_contain_text("The CNN reads test digit 5", timeout=240_000)  # a cold cache trains first
    expect(summary).to_contain_text("ε = 2 grey levels")
    expect(page.locator("#robustness-transfer-summary")).to_contain_text("At ε = 2 grey levels")
    handle = page.locator("#robustness-eps [role=slider]")
    handle.focus()
    page.keyboard.press("ArrowLeft")  # one step of 0.25
    expect(summary).to_contain_text("ε = 1.75 grey levels", timeout=30_000)
    expect(page.locator("#robustness-transfer-summary")).to_contain_text("At ε = 1.75 grey levels")
    expect(page).to_have_url(re.compile(r"eps=1\.75"))
    page.reload()
    expect(summary).to_contain_text("ε = 1.75 grey levels", timeout=60_000)
    expect(summary).to_contain_text("The CNN reads test digit 5")
    assert page_errors == []
