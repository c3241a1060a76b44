"""/training-loop in a real chromium: step through the loop, the counter in the link, bad links."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

pytestmark = pytest.mark.browser

WHERE = "#training-loop-where"
STEP = "#training-loop-step-summary"


def _open(page, query: str = "") -> None:
    page.goto("/training-loop" + query)
    expect(page.locator(STEP)).to_have_text(re.compile(r"\S"), timeout=30_000)


def test_next_step_walks_the_loop_and_updates_the_link(page, page_errors):
    _open(page)
    expect(page.locator(WHERE)).to_contain_text("step 1 of 6: Forward pass")
    expect(page.locator(STEP)).to_contain_text("Forward pass on 32 digits")
    page.get_by_role("button", name="Next step").click()
    expect(page.locator(WHERE)).to_contain_text("step 2 of 6: Loss")
    expect(page.locator(STEP)).to_contain_text("The batch loss is")
    expect(page).to_have_url(re.compile(r"[?&]tick=1(&|$)"))
    page.get_by_role("button", name="Next step").click()
    expect(page.locator(WHERE)).to_contain_text("step 3 of 6: Backward pass")  # one answer before the next press
    page.get_by_role("button", name="Next step").click()
    expect(page.locator(WHERE)).to_contain_text("step 4 of 6: Optimizer step")
    expect(page.locator(".nl-loop-now")).to_contain_text("‖ΔW‖")
    expect(page.locator("#training-loop-code")).to_contain_text("optimizer.step()")
    assert page_errors == []


def test_reloading_the_link_replays_the_same_numbers(page, page_errors):
    _open(page, "?batch_size=64&optimizer=sgd&lr=0.1&seed=3&tick=6")
    expect(page.locator(WHERE)).to_contain_text("batch 2 of 17 · step 2 of 6: Loss")
    first = page.locator(STEP).inner_text()
    page.reload()
    expect(page.locator(STEP)).to_have_text(first)
    page.get_by_role("button", name="To the end of the epoch").click()
    expect(page.locator(WHERE)).to_contain_text("end of epoch · step 6 of 6: Validate")
    expect(page.locator(STEP)).to_contain_text("validation loss")
    assert page_errors == []


def test_changing_a_setting_starts_a_new_run(page, page_errors):
    _open(page, "?tick=7")
    expect(page.locator(WHERE)).to_contain_text("batch 2")
    page.locator("#training-loop-optimizer label", has_text="RMSProp").click()
    expect(page.locator(WHERE)).to_contain_text("batch 1 of 34 · step 1 of 6")
    expect(page).to_have_url(re.compile(r"[?&]optimizer=rmsprop(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]tick=0(&|$)"))
    assert page_errors == []


def test_bad_link_value_is_named_and_the_page_still_works(page, page_errors):
    _open(page, "?tick=99999")
    alert = page.locator(".nl-url-alert")
    expect(alert).to_contain_text("tick")
    expect(alert).to_contain_text("default")
    expect(page.locator(WHERE)).to_contain_text("step 1 of 6")
    page.get_by_role("button", name="Next step").click()
    expect(page.locator(WHERE)).to_contain_text("step 2 of 6")
    assert page_errors == []
