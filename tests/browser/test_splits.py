"""/splits in a real chromium: the slider, the link that mirrors it, bad links, CV schemes, a11y.

Figures arrive as base64 typed arrays, so assertions read the text summaries under
the charts (``#<graph>-summary``) rather than figure JSON.
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

SIZES = "#splits-sizes-summary"
SIZES_TEXT = re.compile(r"Of [\d,]+ samples, ([\d,]+) train, [\d,]+ validate and [\d,]+ test\.")
TRAIN_HANDLE = "#splits-train_pct [role=slider]"
TRAIN_READOUT = "#splits-train_pct-readout"


def _train_count(summary: str) -> int:
    m = SIZES_TEXT.fullmatch(summary.strip())
    assert m, f"unexpected sizes summary: {summary!r}"
    return int(m.group(1).replace(",", ""))


def _open(page: Page, query: str = "") -> str:
    """Open /splits and return the sizes summary once it has been computed."""
    page.goto("/splits" + query)
    summary = page.locator(SIZES)
    expect(summary).to_have_text(SIZES_TEXT)
    return summary.inner_text()


def _step_train_pct(page: Page, key: str = "ArrowRight") -> str:
    """Move the training-share slider one step with the keyboard; return the new sizes summary."""
    before = page.locator(SIZES).inner_text()
    handle = page.locator(TRAIN_HANDLE)
    handle.focus()
    expect(handle).to_be_focused()
    page.keyboard.press(key)
    expect(page.locator(SIZES)).not_to_have_text(before)
    expect(page.locator(SIZES)).to_have_text(SIZES_TEXT)
    return page.locator(SIZES).inner_text()


def test_slider_updates_summary_readout_and_url(page, page_errors):
    before = _open(page)
    expect(page.locator(TRAIN_READOUT)).to_have_text("70%")
    after = _step_train_pct(page)
    assert _train_count(after) > _train_count(before), (before, after)
    expect(page.locator(TRAIN_READOUT)).to_have_text("71%")
    expect(page.locator(TRAIN_HANDLE)).to_have_attribute("aria-valuenow", "71")
    expect(page).to_have_url(re.compile(r"[?&]train_pct=71(&|$)"))
    assert page_errors == []


def test_reloading_the_link_restores_the_view(page, page_errors):
    _open(page)
    after = _step_train_pct(page)
    expect(page).to_have_url(re.compile(r"[?&]train_pct=71(&|$)"))
    link = page.url
    page.goto(link)
    expect(page.locator(TRAIN_READOUT)).to_have_text("71%")
    expect(page.locator(SIZES)).to_have_text(after)
    expect(page.locator(TRAIN_HANDLE)).to_have_attribute("aria-valuenow", "71")
    expect(page.locator(".nl-url-alert")).to_have_count(0)
    assert page_errors == []


def test_link_with_a_value_opens_at_that_value(page):
    moved = _open(page, "?train_pct=71")
    expect(page.locator(TRAIN_READOUT)).to_have_text("71%")
    assert _train_count(moved) > _train_count(_open(page))  # the default, 70%, trains on fewer


@pytest.mark.parametrize(("query", "why"), [("?train_pct=abc", "whole number"), ("?train_pct=99", "between 10 and 90")])
def test_bad_link_value_is_named_and_the_page_still_works(page, page_errors, query, why):
    _open(page, query)
    alert = page.locator(".nl-url-alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("train_pct")
    expect(alert).to_contain_text(why)
    expect(alert).to_contain_text("default")
    expect(page.locator(TRAIN_READOUT)).to_have_text("70%")  # replaced by the default
    # and the page still answers its controls
    _step_train_pct(page)
    expect(page.locator(TRAIN_READOUT)).to_have_text("71%")
    assert page_errors == []


def test_group_kfold_scheme_redraws_the_fold_map(page, page_errors):
    _open(page)
    folds = page.locator("#splits-folds-summary")
    expect(folds).to_contain_text("K-fold, shuffled with 5 folds")
    page.locator("#splits-scheme label", has_text="Group k-fold").click()
    expect(page.locator("#splits-scheme input[value=group]")).to_be_checked()
    expect(folds).to_contain_text("Group k-fold")
    expect(page).to_have_url(re.compile(r"[?&]scheme=group(&|$)"))
    assert page_errors == []


def test_choosing_group_kfold_makes_groups_that_matter_and_the_link_keeps_them(page, page_errors):
    _open(page)
    notes = page.locator("#splits-cv-notes")
    page.locator("#splits-scheme label", has_text="Group k-fold").click()
    # 0 copies became 2: every group now holds a sample and its two copies, and none has a copy in training
    expect(page.locator("#splits-copies-readout")).to_have_text("2")
    expect(page).to_have_url(re.compile(r"[?&]scheme=group&.*copies=2(&|$)|[?&]copies=2&.*scheme=group"))
    expect(notes).to_contain_text(re.compile(r"none of the 1,707 validation samples has a copy in training"))
    expect(page.locator("#splits-folds-summary")).to_contain_text("Group k-fold")
    # back to K-fold with the copies kept: the same notes now count the validation samples whose copy trains
    page.locator("#splits-scheme label", has_text="K-fold, shuffled").click()
    expect(notes).to_contain_text(re.compile(r"Summed over the 5 folds \(no sample is validated twice\): [\d,]+ of "
                                              r"1,707 validation samples \(\d+%\) had a copy in training"))
    expect(page.locator("#splits-copies-readout")).to_have_text("2")
    # a link that asks for Group k-fold with 0 copies is kept as written, and the page says why nothing differs
    page.goto("/splits?scheme=group&copies=0")
    expect(notes).to_contain_text("group of one")
    expect(page.locator("#splits-copies-readout")).to_have_text("0")
    expect(page.locator("#splits-scheme input[value=group]")).to_be_checked()
    expect(page.locator(".nl-url-alert")).to_have_count(0)
    assert page_errors == []


def test_sliders_and_figures_are_labelled(page, page_errors):
    _open(page)
    # every slider has a readout rendered with the page; the handles arrive with the async slider bundle
    n_sliders = page.locator(".nl-readout").count()
    assert n_sliders >= 5
    handles = page.locator("#main [role=slider]")
    expect(handles).to_have_count(n_sliders)
    for i in range(n_sliders):
        expect(handles.nth(i)).to_have_attribute("aria-label", re.compile(r"\S"))
    figures = page.locator("#main .nl-figure")
    expect(figures).to_have_count(4)
    for i in range(figures.count()):
        fig = figures.nth(i)
        expect(fig).to_have_attribute("aria-label", re.compile(r"\S"))
        expect(fig.locator("figcaption")).to_have_text(re.compile(r"\S"))
    assert page_errors == []
