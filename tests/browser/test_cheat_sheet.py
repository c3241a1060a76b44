"""/cheat-sheet in a real chromium: printed at A4 width it has no horizontal overflow and no frame, in both themes."""

from __future__ import annotations

import os

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

A4_PX = 794  # 210 mm at 96 px per inch
SHOTS = os.environ.get("NEURALAB_SHOTS")  # a folder: save what the test saw, to look at by eye


def _open(page: Page, theme: str) -> None:
    page.goto("/cheat-sheet")
    expect(page.locator("#c-red-flags")).to_be_visible()
    if theme == "dark":
        page.locator("#theme-toggle").click()
    expect(page.locator("html")).to_have_attribute("data-theme", theme)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_print_view_fits_a4_without_the_frame(page, page_errors, theme):
    _open(page, theme)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"cheat-sheet-screen-{theme}.png"))
    page.set_viewport_size({"width": A4_PX, "height": 1123})
    page.emulate_media(media="print")
    for hidden in (".nl-sidebar", ".nl-topbar", ".nl-find", ".nl-selfcheck", "#cheat-sheet-print"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator("#c-fundamentals")).to_be_visible()
    expect(page.locator("#c-data-splits-leakage li").first).to_be_visible()  # read below: wait for it to be drawn
    sizes = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert sizes[0] <= sizes[1], f"printed page overflows: scrollWidth {sizes[0]} > clientWidth {sizes[1]}"
    colours = page.evaluate("""() => {
        const p = document.querySelector('#c-data-splits-leakage li');
        return [getComputedStyle(p).color, getComputedStyle(document.body).backgroundColor];
    }""")
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"], colours
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"cheat-sheet-print-{theme}.png"), full_page=True)
    assert not page_errors, page_errors


def test_the_download_button_hands_out_the_markdown(page, page_errors):
    page.goto("/cheat-sheet")
    with page.expect_download() as info:
        page.locator("#cheat-sheet-download-button").click()
    assert info.value.suggested_filename == "neuralab-cheat-sheet.md"
    assert not page_errors, page_errors
