"""/signal-pipeline in a real chromium: picking a stage redraws the window's chart and lands in the URL, which
reopens the same view."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

SUMMARY = "#signal-pipeline-stages-summary"


def test_the_stage_control_redraws_the_chart_and_the_url_reopens_it(page, page_errors):
    page.goto("/signal-pipeline")
    expect(page.locator(SUMMARY)).to_contain_text("The stage moved the samples by")  # Hampel by default
    page.locator("#signal-pipeline-stage label", has_text="Anti-alias + decimate").click()
    expect(page.locator(SUMMARY)).to_contain_text("turn 2,000 samples at 10,000 Hz into 500 at 2,500 Hz")
    expect(page).to_have_url(re.compile(r"stage=decimate"))
    page.locator("#signal-pipeline-window [role=slider]").press("ArrowRight")
    expect(page.locator(SUMMARY)).to_contain_text("Window 22,")
    expect(page).to_have_url(re.compile(r"window=22"))
    traces = page.evaluate("() => document.querySelector('#signal-pipeline-stages .js-plotly-plot')"
                           "._fullData.map(t => t.name)")
    assert traces == ["input, 10,000 Hz", "output, 2,500 Hz"]
    page.goto(page.url)
    expect(page.locator(SUMMARY)).to_contain_text("Window 22,")
    expect(page.locator(SUMMARY)).to_contain_text("into 500 at 2,500 Hz")
    page.goto("/signal-pipeline?window=500")  # a bad link: a sentence naming the parameter, the default drawn
    expect(page.locator("main")).to_contain_text("window must be between 0 and 119")
    expect(page.locator(SUMMARY)).to_contain_text("Window 21,")
    assert page_errors == []
