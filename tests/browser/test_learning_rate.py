"""/learning-rate in a real chromium: the LR curve follows its sliders, the link mirrors them, the runs arrive.

Figures arrive as base64 typed arrays, so assertions read the text summaries under
the charts (``#<graph>-summary``).
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

CURVE = "#learning-rate-curve-summary"
CURVE_TEXT = re.compile(r"over \d+ epochs from [\d.e-]+: the LR (runs between|stays at)")
HEAVY_MS = 240_000  # the background runs train real networks; a loaded shared machine is slow
LOAD_MS = 30_000  # the first answer after a page load can queue behind the page's background jobs


def _open(page: Page, query: str = "") -> str:
    page.goto("/learning-rate" + query)
    summary = page.locator(CURVE)
    expect(summary).to_have_text(CURVE_TEXT, timeout=LOAD_MS)
    return summary.inner_text()


def _press(page: Page, field: str, key: str = "ArrowRight") -> str:
    before = page.locator(CURVE).inner_text()
    handle = page.locator(f"#learning-rate-{field} [role=slider]")
    handle.focus()
    expect(handle).to_be_focused()
    page.keyboard.press(key)
    expect(page.locator(CURVE)).not_to_have_text(before)
    return page.locator(CURVE).inner_text()


def test_heavy_runs_arrive_with_real_numbers(page, page_errors):
    """First in the file: its jobs at the defaults fill the job cache, so the later page loads find them there."""
    _open(page)
    expect(page.locator("#learning-rate-compare-summary")).to_contain_text("lowest final validation loss",
                                                                          timeout=HEAVY_MS)
    expect(page.locator("#learning-rate-range-summary")).to_contain_text("a tenth of it suggests", timeout=HEAVY_MS)
    expect(page.locator("#learning-rate-check-summary")).to_contain_text("After 15 epochs", timeout=HEAVY_MS)
    expect(page.locator("#learning-rate-scaling-summary")).to_contain_text("at batch 32: scaled LR", timeout=HEAVY_MS)
    figures = page.locator("#main .nl-figure")
    expect(figures).to_have_count(5)
    for i in range(5):
        expect(figures.nth(i)).to_have_attribute("aria-label", re.compile(r"\S"))
    assert page_errors == []


def test_sliders_redraw_the_curve_and_update_the_link(page, page_errors):
    before = _open(page)
    assert "over 100 epochs from 0.01" in before
    after = _press(page, "epochs")
    assert "over 110 epochs" in after
    expect(page).to_have_url(re.compile(r"[?&]epochs=110(&|$)"))
    after = _press(page, "lr")  # one step is 0.1 decade: 0.01 -> 0.0126
    assert "from 0.0126" in after
    expect(page.locator("#learning-rate-lr-readout")).to_have_text("0.0126")
    expect(page).to_have_url(re.compile(r"[?&]lr=0\.0125893(&|$)"))
    assert page_errors == []


def test_schedule_choice_redraws_and_reloads_from_the_link(page, page_errors):
    _open(page)
    page.locator("#learning-rate-schedule label", has_text="Step decay").click()
    summary = page.locator(CURVE)
    expect(summary).to_contain_text("Step decay")
    expect(summary).to_contain_text("ends at 0.0001")
    expect(page).to_have_url(re.compile(r"[?&]schedule=step(&|$)"))
    text = summary.inner_text()
    page.goto(page.url)
    expect(page.locator("#learning-rate-schedule input[value=step]")).to_be_checked()
    expect(summary).to_have_text(text)
    expect(page.locator(".nl-url-alert")).to_have_count(0)
    assert page_errors == []


def test_link_with_values_opens_at_those_values(page, page_errors):
    text = _open(page, "?schedule=one_cycle&lr=0.1&epochs=50")
    assert text.startswith("One-cycle over 50 epochs from 0.1")
    expect(page.locator("#learning-rate-epochs-readout")).to_have_text("50")
    assert page_errors == []


@pytest.mark.parametrize(("query", "why"), [("?lr=abc", "lr must be a number"),
                                            ("?epochs=15", "epochs must be 10 plus a multiple of 10")])
def test_bad_link_value_is_named_and_the_page_still_works(page, page_errors, query, why):
    _open(page, query)
    alert = page.locator(".nl-url-alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(why)
    expect(alert).to_contain_text("default")
    assert "over 100 epochs from 0.01" in page.locator(CURVE).inner_text()
    _press(page, "epochs")
    assert page_errors == []
