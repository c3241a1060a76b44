"""plotly.js comes from its versioned URL, once, and a second visit takes it and the assets from the cache."""

from __future__ import annotations

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

pytestmark = pytest.mark.browser

DRAWN = """() => { const g = document.querySelector('#main .js-plotly-plot');
                   return !!(g && g._fullData && g._fullData.length > 0); }"""
FETCHED = """() => performance.getEntriesByType('resource')
                   .map(e => ({name: e.name, transfer: e.transferSize}))"""


def test_plotly_loads_from_its_versioned_url_and_the_second_visit_asks_for_neither_it_nor_the_assets(
        page, page_errors):
    from neuralab.app import delivery

    page.goto("/training-loop")
    page.wait_for_function(DRAWN)
    url = delivery.plotly_url()
    assert page.evaluate("window._dashPlotlyJSURL") == url
    first = page.evaluate(FETCHED)
    plotly = [e for e in first if "plotly" in e["name"] and e["name"].endswith(".js")]
    assert [e["name"].split(page.url.split("/training-loop")[0])[-1] for e in plotly] == [url]  # once, versioned
    assert any("/assets/" in e["name"] for e in first)

    page.goto("/training-loop")  # the same tab: the browser's cache is warm
    page.wait_for_function(DRAWN)
    again = page.evaluate(FETCHED)
    cached = [e for e in again if e["name"].endswith(url) or "/assets/" in e["name"]]
    assert cached and all(e["transfer"] == 0 for e in cached), [e for e in cached if e["transfer"]]
    expect(page.locator("#main .nl-summary").first).not_to_be_empty()
    assert not page_errors
