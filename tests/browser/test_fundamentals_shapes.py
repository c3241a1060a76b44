"""/fundamentals' shapes tracer in a real chromium: typing a broken layer list shows torch's error and the fix."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

pytestmark = pytest.mark.browser

CAPTION = "#fundamentals-shapes-layers-summary"
BOX = "#fundamentals-shapes_layers"
ERROR = "#fundamentals-shapes-error"


def _open(page, query: str = "") -> None:
    page.goto("/fundamentals" + query)
    expect(page.locator(CAPTION)).to_have_text(re.compile(r"\S"), timeout=30_000)


def test_a_typed_broken_layer_list_shows_torchs_error_and_the_sentence(page, page_errors):
    _open(page)
    expect(page.locator(CAPTION)).to_contain_text("the network's output has shape (32, 10)")
    box = page.locator(BOX)
    box.fill("Conv1d(3, 16, 5); ReLU(); MaxPool1d(2); Flatten(); Linear(700, 10)")
    box.press("Enter")  # the box is debounced: Enter (or leaving it) sends the list
    expect(page.locator(ERROR)).to_contain_text("mat1 and mat2 shapes cannot be multiplied (32x768 and 700x10)")
    expect(page.locator(ERROR)).to_contain_text(
        "Linear(700, 10) expects the last dimension to be 700 but it is 768: set in_features to 768")
    expect(page).to_have_url(re.compile(r"[?&]shapes_layers=Conv1d"))
    assert page_errors == []


def test_an_example_fills_the_box_and_a_crafted_list_is_refused(page, page_errors):
    _open(page)
    page.get_by_label("A broken CNN").check()
    expect(page.locator(BOX)).to_have_value(re.compile(r"Linear\(768, 10\)$"))
    expect(page.locator(ERROR)).to_contain_text("set in_features to 704")
    box = page.locator(BOX)
    box.fill("__import__('os')")
    box.press("Enter")
    expect(page.locator("#fundamentals-shapes-alert")).to_contain_text("__import__ is not a layer known here")
    assert page_errors == []
