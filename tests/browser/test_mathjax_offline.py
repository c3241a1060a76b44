"""Math in the reference typesets with no network: MathJax comes from the lab's own server."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

pytestmark = pytest.mark.browser


def test_the_fundamentals_entry_typesets_its_formulas_offline(page, page_errors):
    asked_elsewhere: list[str] = []

    def only_the_lab(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:  # any CDN or other host: refused, as on a machine with no network
            asked_elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_lab)
    page.goto("/reference?topic=fundamentals")
    expect(page.locator("#main h1")).to_have_text("Reference")
    formulas = page.locator("mjx-container")
    expect(formulas.first).to_be_visible(timeout=60_000)
    assert formulas.count() > 10  # every $…$ of the entry, not one by chance
    assert page.locator("#main").get_by_text("$$").count() == 0  # no formula left as raw TeX
    assert asked_elsewhere == []
    assert page_errors == []
