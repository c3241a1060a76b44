"""/derivatives in a real chromium: the model choice redraws the gain, the link keeps it, a bad link says why."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

GAIN = "#derivatives-gain-summary"
SPEED = "#derivatives-speed-summary"


def test_the_model_choice_redraws_the_gain_and_the_link_reopens_it(page, page_errors):
    page.goto("/derivatives")
    expect(page.locator(GAIN)).to_contain_text("Kalata's closed form")  # constant velocity: α and β in closed form
    expect(page.locator(SPEED)).to_contain_text("Kalman (constant velocity)")
    page.locator("#derivatives-model label", has_text="Constant acceleration").click()
    expect(page.locator(GAIN)).to_contain_text("γ =")
    expect(page.locator(GAIN)).not_to_contain_text("Kalata")
    expect(page.locator(SPEED)).to_contain_text("Kalman (constant acceleration)")
    expect(page).to_have_url(re.compile(r"[?&]model=ca(&|$)"))
    caption = page.locator(SPEED).inner_text()
    page.goto(page.url)
    expect(page.locator(SPEED)).to_have_text(caption)
    expect(page.locator("#derivatives-model input[value=ca]")).to_be_checked()
    assert page_errors == []


def test_a_bad_link_names_the_parameter(page, page_errors):
    page.goto("/derivatives?bits=13")
    expect(page.locator(".nl-url-alert")).to_contain_text("bits")
    expect(page.locator(SPEED)).to_contain_text("At 1,024 counts per revolution")  # the default is drawn instead
    assert page_errors == []
