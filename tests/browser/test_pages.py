"""Every page in a real chromium: it renders, says what it is, and logs no errors.

The rest of the suite (test_splits.py, test_shell.py) drives the controls; this file
only walks the map: "/" and every path of the registry.
"""

from __future__ import annotations

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

from neuralab.app.registry import PAGES

pytestmark = pytest.mark.browser

CHARTS_MS = 240_000  # a cold cache trains the compression pages' reference models first

PATHS = [("/", "neuralab", True)] + [(p.path, p.title, p.module is not None) for p in PAGES]


@pytest.mark.parametrize(("path", "title", "is_built"), PATHS, ids=[p for p, _, _ in PATHS])
def test_page_renders_without_errors(page, page_errors, path, title, is_built):
    page.goto(path)
    heading = page.locator("#main h1").first  # the page title; Markdown content may add more
    expect(heading).to_be_visible()
    expect(heading).to_have_text(title)
    if path != "/":
        if is_built:
            expect(page.locator("#main")).not_to_contain_text("not built yet")
        else:
            expect(page.locator("#main")).to_contain_text("not built yet")
    if is_built:
        # let every chart of the page answer, then read the console. Not "networkidle": a page whose jobs
        # train reference models on a cold cache polls them several times a second for as long as they run.
        for caption in page.locator(".nl-summary").all():
            expect(caption).not_to_be_empty(timeout=CHARTS_MS)
        expect(page.locator("[data-dash-is-loading]")).to_have_count(0, timeout=CHARTS_MS)
    assert page_errors == [], f"{path} logged errors:\n" + "\n".join(page_errors)


def test_unknown_path_says_so(page, page_errors):
    page.goto("/no-such-page")
    expect(page.locator("#main h1")).to_have_text("No such page")
    expect(page.locator("#main")).to_contain_text("There is no page at /no-such-page")
    assert page_errors == []
