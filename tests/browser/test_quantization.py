"""/quantization in a real chromium: the bits slider, the link, a bad link, next layer, the sweep.

The server starts with an empty cache, so the first answer waits for the reference model to train.
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

HIST = "#quantization-hist-summary"
FIRST_MS = 180_000  # first answer: a reference model may be training
SWEEP_MS = 400_000  # 8 bit widths × (two PTQs + a QAT fine-tune), on a shared machine


def _open(page: Page, query: str = "") -> str:
    page.goto("/quantization" + query)
    expect(page.locator(HIST)).to_contain_text("levels", timeout=FIRST_MS)
    return page.locator(HIST).inner_text()


def test_bits_slider_updates_caption_url_and_reload(page, page_errors):
    before = _open(page)
    assert "at 4 bits" in before and "15 levels" in before
    # the axis titles are drawn (plotly.js 4 drops a title given as a bare string)
    expect(page.locator("#quantization-hist .xtitle")).to_have_text("weight value")
    expect(page.locator("#quantization-hist .ytitle")).to_have_text("number of weights")
    handle = page.locator("#quantization-bits [role=slider]")
    handle.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(HIST)).to_contain_text("at 5 bits")
    expect(page.locator(HIST)).to_contain_text("31 levels")
    expect(page).to_have_url(re.compile(r"[?&]bits=5(&|$)"))
    page.goto(page.url)
    expect(page.locator(HIST)).to_contain_text("at 5 bits", timeout=FIRST_MS)
    expect(page.locator("#quantization-bits-readout")).to_have_text("5")
    assert page_errors == []


def test_scheme_and_next_layer(page, page_errors):
    _open(page)
    page.get_by_label("Asymmetric (zero point)").check()
    expect(page.locator(HIST)).to_contain_text("asymmetric")
    expect(page.locator(HIST)).to_contain_text("16 levels")
    page.locator("#quantization-next").click()
    expect(page.locator(HIST)).to_contain_text("Layer 2 of the mlp model")
    expect(page).to_have_url(re.compile(r"[?&]layer=2(&|$)"))
    assert page_errors == []


def test_bad_link_gets_a_sentence(page, page_errors):
    page.goto("/quantization?bits=12&calib=0")
    alert = page.locator(".nl-url-alert")
    expect(alert).to_contain_text("bits must be between 1 and 8")
    expect(alert).to_contain_text("calib must be between 1 and 1000")
    expect(page.locator(HIST)).to_contain_text("at 4 bits", timeout=FIRST_MS)  # the defaults are used
    assert page_errors == []


def test_sweep_and_torch_cross_check_arrive(page, page_errors):
    """The sweep runs as a background job; on a busy shared machine the job manager may turn it away
    ("The lab is busy"), which is itself a sentence on the page: then try again, as a user would."""
    summary = page.locator("#quantization-sweep-summary")
    for _ in range(10):
        page.goto("/quantization?model=student&qat_epochs=1&calib=100")
        expect(summary).to_contain_text(re.compile("at 8 bits dynamic|lab is busy"), timeout=SWEEP_MS)
        if "at 8 bits dynamic" in summary.inner_text():
            break
        page.wait_for_timeout(15_000)
    expect(summary).to_contain_text("at 8 bits dynamic")
    expect(page.locator("#quantization-check")).to_contain_text("identical")
    expect(page.locator("#quantization-check")).to_contain_text("quantize_dynamic")
    assert page_errors == []
