"""/gan in a real chromium: the job trains and fills its charts and verdict, the snapshot slider replays the run in
the browser, and the light section answers its slider."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

pytestmark = pytest.mark.browser


def test_the_job_fills_the_charts_and_the_snapshot_slider_replays_the_run(page, page_errors):
    page.goto("/gan?rounds=200")
    expect(page.locator("#gan-snap-readout")).to_have_text("after round 200 of 200", timeout=180_000)
    expect(page.locator("#gan-verdict")).to_have_text(re.compile(r"(collapse|covered|Not learned|Diverged)"))
    expect(page.locator("#gan-losses-summary")).to_contain_text("In round 200:")
    expect(page.locator("#gan-met")).to_contain_text("In the run above (non-saturating loss)")
    handle = page.locator("#gan-snap [role=slider]")
    handle.focus()
    page.keyboard.press("Home")
    expect(page.locator("#gan-snap-readout")).to_have_text("after round 0 of 200")
    expect(page.locator("#gan-samples-summary")).to_contain_text("Before training: 0 of the 8 modes covered")
    expect(page.locator("#gan-losses-summary")).to_contain_text("In round 1:")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#gan-snap-readout")).to_have_text("after round 8 of 200")
    assert page_errors == []


def test_the_loss_slider_reads_both_gradients(page, page_errors):
    page.goto("/gan?rounds=200&d_fake=0.5")
    expect(page.locator("#gan-curves-summary")).to_contain_text("Where D gives a generated point 0.5,")
    handle = page.locator("#gan-d_fake [role=slider]")
    handle.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#gan-curves-summary")).to_contain_text("Where D gives a generated point 0.51,")
    expect(page).to_have_url(re.compile(r"d_fake=0\.51"))
    assert page_errors == []
