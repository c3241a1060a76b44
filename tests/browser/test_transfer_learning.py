"""/transfer-learning in a real chromium: the episodes slider redraws the few-shot chart, the URL keeps it, the
strategies' job fills its chart, and a bad link names the parameter."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser


def test_the_episodes_slider_redraws_and_the_link_reopens_it(page: Page, page_errors):
    page.goto("/transfer-learning?tl_episodes=100&tl_seeds=1")
    shots = page.locator("#transfer-learning-shots-summary")
    expect(shots).to_contain_text("Over 100 episodes each", timeout=240_000)
    handle = page.locator("#transfer-learning-tl_episodes [role=slider]")
    handle.focus()
    page.keyboard.press("ArrowRight")
    expect(shots).to_contain_text("Over 150 episodes each", timeout=120_000)
    expect(shots).to_contain_text("1-NN on the same standardized pixels")
    expect(shots).to_contain_text("1-NN on the raw grey levels")
    expect(page.locator("#transfer-learning-shots .legendtext")).to_have_count(4)
    expect(page).to_have_url(re.compile(r"[?&]tl_episodes=150"))
    page.goto(page.url)  # the link alone brings the view back
    expect(page.locator("#transfer-learning-shots-summary")).to_contain_text("Over 150 episodes each",
                                                                              timeout=120_000)
    # the strategies' job (one seed) fills its chart with a caption that names the winner at 5 per class
    summary = page.locator("#transfer-learning-transfer-summary")
    expect(summary).to_contain_text("mean ± std over 1 seed:", timeout=240_000)
    expect(summary).to_contain_text("The winner is")
    assert page_errors == []


def test_a_bad_link_says_which_value_is_wrong(page: Page, page_errors):
    page.goto("/transfer-learning?tl_seeds=40")
    expect(page.get_by_text("tl_seeds must be between 1 and 10; got")).to_be_visible(timeout=60_000)
    expect(page.locator("#transfer-learning-tl_seeds")).to_contain_text("3", timeout=60_000)
    assert page_errors == []
