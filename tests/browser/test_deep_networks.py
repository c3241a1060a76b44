"""/deep-networks in a real chromium: the depth and normalization controls redraw the probe, the URL keeps them,
and the training job fills its charts and table."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser


def test_the_controls_redraw_the_probe_and_the_link_reopens_it(page: Page, page_errors):
    page.goto("/deep-networks?deep_depth=10&deep_epochs=5")
    grads = page.locator("#deep-networks-init-grads-summary")
    expect(grads).to_contain_text("Untrained, 10 blocks, batch norm, weights at 1 × He", timeout=60_000)
    page.locator("#deep-networks-deep_norm input[value=none]").check()
    expect(grads).to_contain_text("Untrained, 10 blocks, no normalization", timeout=30_000)
    expect(page.locator("#deep-networks-init-stream-summary")).to_contain_text("Predicted without normalization")
    expect(page).to_have_url(re.compile(r"[?&]deep_norm=none"))
    handle = page.locator("#deep-networks-deep_depth [role=slider]")
    handle.focus()
    page.keyboard.press("ArrowRight")
    expect(grads).to_contain_text("Untrained, 11 blocks, no normalization", timeout=30_000)
    expect(page).to_have_url(re.compile(r"[?&]deep_depth=11"))
    page.goto(page.url)  # the link alone brings the view back
    expect(page.locator("#deep-networks-init-grads-summary")).to_contain_text("Untrained, 11 blocks, no normalization",
                                                                              timeout=60_000)
    # the training job (no normalization, He: the residual networks diverge and say so) fills its outputs
    expect(page.locator("#deep-networks-curves-summary")).to_contain_text("5 epochs, no normalization",
                                                                          timeout=240_000)
    expect(page.locator("#deep-networks-curves-summary")).to_contain_text("residual diverged")
    expect(page.locator("#deep-networks-scores")).to_contain_text("diverged")
    assert page_errors == []


def test_a_bad_link_says_which_value_is_wrong(page: Page, page_errors):
    page.goto("/deep-networks?deep_depth=500")
    expect(page.get_by_text("deep_depth must be between 2 and 50 blocks; got")).to_be_visible(timeout=60_000)
    expect(page.locator("#deep-networks-init-grads-summary")).to_contain_text("Untrained, 50 blocks", timeout=60_000)
    assert page_errors == []
