"""/pruning in a real chromium: the sparsity slider, the link that mirrors it, a level that empties a layer.

Figures arrive as base64 typed arrays, so assertions read the summaries under the charts.
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

SNAP = "#pruning-snap-summary"
HANDLE = "#pruning-sparsity [role=slider]"


def _open(page: Page, query: str = "") -> None:
    page.goto("/pruning" + query)
    # the first visit trains the reference MLP (seconds; longer on a busy machine)
    expect(page.locator(SNAP)).to_contain_text("Removing", timeout=120_000)


def _wait_heavy(page: Page, summary: str, text: str, tries: int = 4) -> None:
    """Wait for a background chart's caption; reload if the lab answered that its job slots were busy."""
    for _ in range(tries):
        caption = page.locator(summary)
        expect(caption).not_to_have_text(re.compile(r"^\s*$"), timeout=240_000)
        if "busy" not in caption.inner_text() and "waited" not in caption.inner_text():
            expect(caption).to_contain_text(text)
            return
        page.reload()
    raise AssertionError(f"{summary} never computed: {page.locator(summary).inner_text()}")


def test_slider_prunes_more_and_the_url_follows(page, page_errors):
    _open(page)
    expect(page.locator(SNAP)).to_contain_text("Removing 50% of single weights")
    handle = page.locator(HANDLE)
    handle.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(SNAP)).to_contain_text("Removing 55% of single weights")
    expect(page.locator("#pruning-sparsity-readout")).to_have_text("55%")
    expect(page).to_have_url(re.compile(r"[?&]sparsity=55(&|$)"))
    page.locator("#pruning-method label", has_text="Structured (whole").click()
    expect(page.locator(SNAP)).to_contain_text("whole hidden neurons")
    expect(page).to_have_url(re.compile(r"[?&]method=structured(&|$)"))
    # the heavy fine-tune answers in the background with measured numbers
    _wait_heavy(page, "#pruning-tuned-summary", "after 8 epochs of fine-tuning")
    assert page_errors == []


def test_reloading_the_link_restores_the_view(page, page_errors):
    _open(page, "?sparsity=80&method=structured")
    expect(page.locator(SNAP)).to_contain_text("Removing 80% of whole hidden neurons")
    expect(page.locator(HANDLE)).to_have_attribute("aria-valuenow", "80")
    expect(page.locator(".nl-url-alert")).to_have_count(0)
    assert page_errors == []


def test_bad_link_value_is_named(page, page_errors):
    _open(page, "?sparsity=abc")
    alert = page.locator(".nl-url-alert")
    expect(alert).to_contain_text("sparsity")
    expect(alert).to_contain_text("whole number")
    expect(page.locator("#pruning-sparsity-readout")).to_have_text("50%")
    assert page_errors == []


def test_a_level_that_empties_a_layer_gets_a_sentence(page, page_errors):
    page.goto("/pruning?sparsity=100&method=structured")
    expect(page.locator("#pruning-snap-alert")).to_contain_text("leaving it empty", timeout=120_000)
    expect(page.locator("#pruning-snap-alert")).to_contain_text("95%")
    assert page_errors == []
