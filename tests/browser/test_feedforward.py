"""/feedforward in a real chromium: the worked example's sliders, the link, the animation, bad links."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

pytestmark = pytest.mark.browser

WORKED = "#feedforward-worked-chart-summary"
X1_HANDLE = "#feedforward-x1 [role=slider]"


def _open(page, query: str = "") -> None:
    page.goto("/feedforward" + query)
    expect(page.locator(WORKED)).to_have_text(re.compile(r"\S"), timeout=30_000)


def test_worked_slider_updates_numbers_and_link(page, page_errors):
    _open(page)
    expect(page.locator(WORKED)).to_contain_text("a loss of 0.4032 nats")
    before = page.locator(WORKED).inner_text()
    handle = page.locator(X1_HANDLE)
    handle.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(WORKED)).not_to_have_text(before)
    expect(page.locator("#feedforward-x1-readout")).to_have_text("1.01")  # two-decimal steps
    expect(page).to_have_url(re.compile(r"[?&]x1=1\.01(&|$)"))
    # the backprop table follows the same network
    expect(page.locator("#feedforward-bp-chart-summary")).to_contain_text("On a batch of 1")
    assert page_errors == []


def test_reloading_the_link_restores_the_view(page, page_errors):
    _open(page, "?bh2=1.5&act=tanh&bp_net=digits")
    text = page.locator(WORKED).inner_text()
    assert "is off" not in text
    expect(page.locator("#feedforward-act-chart-summary")).to_contain_text("tanh on ±6")
    expect(page.locator("#feedforward-bp-chart-summary")).to_contain_text("On a batch of 8")
    page.reload()
    expect(page.locator(WORKED)).to_have_text(text)
    assert page_errors == []


def test_bad_link_value_is_named(page, page_errors):
    _open(page, "?w11=9")
    alert = page.locator(".nl-url-alert")
    expect(alert).to_contain_text("w11 must be between -2 and 2")
    expect(page.locator(WORKED)).to_contain_text("a loss of 0.4032 nats")  # the default came back
    assert page_errors == []


def test_forward_pass_animation_runs_in_the_browser(page, page_errors):
    _open(page, "?speed=4")
    expect(page.locator("#feedforward-net-summary")).to_contain_text("trained 64 → 16 → 12 → 10", timeout=180_000)
    page.get_by_role("button", name="Play").click()
    expect(page.locator("#feedforward-anim-status")).to_have_text("Forward pass complete.", timeout=15_000)
    page.wait_for_function(  # every layer's nodes fully lit once the pass is drawn
        """() => {
            const gd = document.querySelector('#feedforward-net .js-plotly-plot');
            const nodes = gd && gd._fullData ? gd._fullData.filter(t => t.meta && t.meta.kind === 'node') : [];
            return nodes.length === 4 && nodes.every(t => t.opacity === 1);
        }""")
    assert page_errors == []
