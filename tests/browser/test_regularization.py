"""/regularization in a real chromium: trainings arrive, a slider retrains, the link restores it, bad links.

Figures arrive as base64 typed arrays, so assertions read the captions (``#<graph>-summary``).
Every chart here is filled by a background training job, so waits are long on a busy machine.
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

JOB_MS = 120_000  # a cold page trains about 35 small networks on a shared 2-core machine
STOP = "#regularization-stop-summary"
HIST = "#regularization-hist-summary"
PATIENCE = "#regularization-patience [role=slider]"


def _open(page: Page, query: str = "") -> None:
    page.goto("/regularization" + query)
    expect(page.locator(STOP)).to_contain_text("restored epoch", timeout=JOB_MS)


def test_page_trains_every_chart_without_console_errors(page, page_errors):
    _open(page)
    expect(page.locator(HIST)).to_contain_text("At λ = 0.01, L1 with the proximal step leaves", timeout=JOB_MS)
    expect(page.locator("#regularization-pen-table")).to_contain_text("L1 (subgradient)")
    for ident in ("sweep", "masks", "dsweep", "adamw"):
        expect(page.locator(f"#regularization-{ident}-summary")).not_to_be_empty(timeout=JOB_MS)
    expect(page.locator("#regularization-masks-summary")).to_contain_text("1/(1 − p)")
    expect(page.locator("#regularization-adamw-summary")).to_contain_text("With the same weight_decay = 0.1")
    expect(page.locator(".nl-alert[role=alert]:visible")).to_have_count(0)
    expect(page.locator("#regularization-paths-summary")).to_contain_text("reaches exactly 0")
    assert page_errors == []


def test_patience_slider_retrains_updates_the_url_and_reloads(page, page_errors):
    _open(page)
    expect(page.locator(STOP)).to_contain_text("With patience 5 ")
    handle = page.locator(PATIENCE)
    handle.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(STOP)).to_contain_text("With patience 6 ", timeout=JOB_MS)
    expect(page.locator(STOP)).to_contain_text("restored epoch")
    expect(page).to_have_url(re.compile(r"[?&]patience=6(&|$)"))
    after = page.locator(STOP).inner_text()
    page.goto(page.url)
    expect(page.locator(STOP)).to_have_text(after, timeout=JOB_MS)
    expect(page.locator(PATIENCE)).to_have_attribute("aria-valuenow", "6")
    expect(page.locator(".nl-url-alert")).to_have_count(0)
    assert page_errors == []


def test_link_with_a_lambda_opens_at_that_lambda(page, page_errors):
    page.goto("/regularization?lam=0.001")
    expect(page.locator("#regularization-lam-readout")).to_have_text("0.001")
    expect(page.locator(HIST)).to_contain_text("At λ = 0.001,", timeout=JOB_MS)
    assert page_errors == []


@pytest.mark.parametrize(
    ("query", "name", "why"),
    [("?lam=7", "lam", "between 1e-05 and 0.1"), ("?p=0.95", "p", "between 0 and 0.8"),
     ("?patience=abc", "patience", "whole number")],
)
def test_bad_link_value_is_named_and_the_page_still_works(page, page_errors, query, name, why):
    page.goto("/regularization" + query)
    alert = page.locator(".nl-url-alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(name)
    expect(alert).to_contain_text(why)
    expect(alert).to_contain_text("default")
    expect(page.locator(STOP)).to_contain_text("restored epoch", timeout=JOB_MS)
    assert page_errors == []
