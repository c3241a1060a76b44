"""The frame around every page in a real chromium: the theme switch and keyboard reach."""

from __future__ import annotations

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

pytestmark = pytest.mark.browser

BG = "getComputedStyle(document.body).backgroundColor"


def test_theme_toggle_flips_and_survives_a_reload(page, page_errors):
    page.goto("/")
    expect(page.locator("#main h1")).to_be_visible()
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "light")  # the context prefers a light colour scheme
    toggle = page.locator("#theme-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    light_bg = page.evaluate(BG)

    toggle.click()
    expect(html).to_have_attribute("data-theme", "dark")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("localStorage.getItem('theme')") == '"dark"'
    page.wait_for_function(f"{BG} !== {light_bg!r}")
    dark_bg = page.evaluate(BG)
    assert dark_bg != light_bg

    page.reload()
    expect(page.locator("#main h1")).to_be_visible()
    expect(html).to_have_attribute("data-theme", "dark")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(BG) == dark_bg

    toggle.click()  # and back
    expect(html).to_have_attribute("data-theme", "light")
    page.wait_for_function(f"{BG} === {light_bg!r}")
    assert page_errors == []


def test_tab_reaches_the_first_sidebar_link(page):
    page.goto("/splits")
    expect(page.locator("#main h1")).to_be_visible()
    first = page.locator(".nl-sidebar a").first
    expect(first).to_be_visible()
    for _ in range(10):
        page.keyboard.press("Tab")
        if first.evaluate("a => a === document.activeElement"):
            break
    expect(first).to_be_focused()


def test_nothing_is_fetched_from_outside_this_machine(page, server):
    """Offline: every request a page makes (scripts, styles, fonts, data) goes to the lab itself."""
    hosts = set()
    page.on("request", lambda r: hosts.add(r.url.split("/")[2] if "://" in r.url else r.url[:20]))
    for path in ("/", "/splits", "/reference"):
        page.goto(path)
        expect(page.locator("#main h1")).to_be_visible()
        page.wait_for_load_state("networkidle")
    assert hosts == {server.url.split("/")[2]}


def test_sidebar_marks_the_current_page(page):
    page.goto("/splits")
    expect(page.locator('.nl-sidebar a[aria-current="page"]')).to_have_text("Data splits & leakage")  # no page numbers
    page.locator(".nl-sidebar a", has_text="Reference").click()
    expect(page.locator("#main h1")).to_have_text("Reference")
    expect(page.locator('.nl-sidebar a[aria-current="page"]')).to_have_text("Reference")
