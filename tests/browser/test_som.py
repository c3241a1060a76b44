"""/som in a real chromium: the fit job fills its charts, and the step slider replays the unfolding in the browser."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser


def _grid_at(page: Page) -> list:
    """The first x coordinates of the map's grid as the browser draws it."""
    return page.evaluate("""() => {
        const gd = document.querySelector('#som-unfolding .js-plotly-plot');
        return gd && gd._fullData && gd._fullData[1] ? Array.from(gd._fullData[1].x).slice(0, 6) : [];
    }""")


def test_the_map_is_fitted_and_the_step_slider_replays_its_unfolding(page: Page, page_errors):
    page.goto("/som?som_rows=6&som_cols=7&som_epochs=3")
    expect(page.locator("#som-umatrix-summary")).to_contain_text("U-matrix of the 6 × 7 map", timeout=180_000)
    expect(page.locator("#som-map-table")).to_contain_text("Topographic error")
    readout = page.locator("#som-map-readout")
    expect(readout).to_have_text(re.compile(r"^Snapshot (\d+) of \1: step"))
    last = _grid_at(page)
    handle = page.locator("#som-map-step [role=slider]")
    handle.focus()
    page.keyboard.press("Home")
    expect(readout).to_have_text(re.compile(r"^Snapshot 1 of \d+: step 0 "))
    expect(page.locator("#som-curves-summary")).to_contain_text("Snapshot 1 of")
    page.wait_for_function("""last => {
        const gd = document.querySelector('#som-unfolding .js-plotly-plot');
        const x = gd && gd._fullData && gd._fullData[1] ? Array.from(gd._fullData[1].x).slice(0, 6) : [];
        return x.length > 0 && JSON.stringify(x) !== JSON.stringify(last);
    }""", arg=last)
    expect(page.locator("#som-size-summary")).to_contain_text("From 2 × 2 to 20 × 20 units", timeout=180_000)
    assert page_errors == []
