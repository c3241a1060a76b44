"""A replayed control (sections.Replay) in a real chromium: /quantization's bits slider.

Every bit width is answered at once when the page opens; moving the slider redraws the histogram's levels,
their caption and the per-channel errors in the browser, with no request for the layer's charts, and the
drawn levels are the ones the server draws for that bit width.
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

LEVELS_JS = """() => {
    const gd = document.querySelector('#quantization-hist .js-plotly-plot');
    const t = gd && gd._fullData && gd._fullData[1];
    return t ? Array.from(t.x) : null;
}"""
NAME_JS = """pattern => {
    const gd = document.querySelector('#quantization-hist .js-plotly-plot');
    const t = gd && gd._fullData && gd._fullData[1];
    return !!t && new RegExp(pattern).test(t.name);
}"""


def test_the_bits_slider_redraws_in_the_browser_without_asking_the_server(page, page_errors):
    page.goto("/quantization")
    expect(page.locator(HIST)).to_contain_text("at 4 bits", timeout=FIRST_MS)
    expect(page.locator("#quantization-hist-alert")).to_be_empty()
    page.wait_for_function("() => { const gd = document.querySelector('#quantization-hist .js-plotly-plot');"
                           " return !!(gd && gd.layout && gd.layout.meta && gd.layout.meta.replay); }")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.post_data or "") if "_dash-update-component" in r.url else None)

    handle = page.locator("#quantization-bits [role=slider]")
    handle.focus()
    for _ in range(2):
        page.keyboard.press("ArrowLeft")
    expect(page.locator(HIST)).to_contain_text("at 2 bits")
    expect(page.locator(HIST)).to_contain_text("3 levels")
    expect(page).to_have_url(re.compile(r"[?&]bits=2(&|$)"))

    page.wait_for_function(NAME_JS, arg="of 3 in view|^3 ")  # the levels trace's own legend: 3 levels at 2 bits
    got = page.evaluate(LEVELS_JS)
    assert not [p for p in asked if "quantization-hist.figure" in p]  # the layer's charts never asked the server

    # back up to 8 bits: the channel chart and its caption follow too
    channels = page.locator("#quantization-channels-summary").inner_text()
    page.keyboard.press("End")
    expect(page.locator(HIST)).to_contain_text("at 8 bits")
    expect(page.locator("#quantization-channels-summary")).not_to_have_text(channels)
    page.wait_for_function(f"n => {{ const x = ({LEVELS_JS})(); return x && x.length > n; }}", arg=len(got))
    expect(page.locator("#quantization-bits-readout")).to_have_text("8")

    # a new layer is a new answer from the server; the slider still replays it
    page.locator("#quantization-next").click()
    expect(page.locator(HIST)).to_contain_text("Layer 2 of the mlp model")
    expect(page.locator(HIST)).to_contain_text("at 8 bits")
    handle.focus()
    page.keyboard.press("ArrowLeft")
    expect(page.locator(HIST)).to_contain_text(re.compile(r"Layer 2 of the mlp model.*at 7 bits"))
    page.wait_for_function(NAME_JS, arg="of 127 in view|^127 ")

    # the levels replayed at 2 bits are the ones the server path draws for 2 bits
    page.goto("/quantization?bits=2")
    expect(page.locator(HIST)).to_contain_text("at 2 bits", timeout=FIRST_MS)
    page.wait_for_function(NAME_JS, arg="of 3 in view|^3 ")
    assert page.evaluate(LEVELS_JS) == got
    assert page_errors == []
