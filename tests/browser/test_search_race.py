"""/hyperparameter-search's race and GP surrogate in a real chromium: both jobs fill their charts, and the
step slider replays the surrogate's steps in the browser (the observed points and the readout follow it)."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser


def _wait_observed(page: Page, n: int) -> None:
    """Wait until the surrogate chart draws ``n`` measured points (Plotly.restyle ends after the readout)."""
    page.wait_for_function(
        """n => {
            const gd = document.querySelector('#hyperparameter-search-surrogate .js-plotly-plot');
            const obs = gd && gd._fullData ? gd._fullData.filter(t => t.meta && t.meta.series === 'observed') : [];
            return obs.length === 1 && obs[0]._length === n;
        }""", arg=n)


def test_the_jobs_fill_their_charts_and_the_step_slider_replays_the_search(page, page_errors):
    page.goto("/hyperparameter-search")
    expect(page.locator("#hyperparameter-search-race-summary")).to_contain_text("Seed 0 of 5", timeout=180_000)
    expect(page.locator("#hyperparameter-search-race-table")).to_contain_text("median trials to regret ≤ 1 %")
    expect(page.locator("#hyperparameter-search-regret-summary")).to_contain_text("Median over 5 repeats")
    expect(page.locator("#hyperparameter-search-surrogate-summary")).to_contain_text("chosen by expected improvement",
                                                                                    timeout=180_000)
    expect(page.locator("#hyperparameter-search-surrogate-readout")).to_have_text(re.compile(r"^Step 15: 17 "))
    _wait_observed(page, 17)
    handle = page.locator("#hyperparameter-search-surrogate-step [role=slider]")
    handle.focus()
    page.keyboard.press("Home")
    expect(page.locator("#hyperparameter-search-surrogate-readout")).to_have_text(re.compile(r"^Step 1: 3 trainings"))
    _wait_observed(page, 3)
    assert page_errors == []
