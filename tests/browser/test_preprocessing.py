"""/preprocessing in a real chromium: a control the chosen detector ignores is disabled, with its reason."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

SUMMARY = "#preprocessing-outliers-summary"
THRESHOLD_WHY = re.compile(r"^Ignored by this detector: τ is read by Z-score, Hampel and the model residual only\. "
                           r"IQR uses fixed fences 1\.5 IQR beyond the quartiles")
CONTAMINATION_WHY = "Contamination applies to Isolation forest and Local outlier factor only."


def _handle(page: Page, name: str):
    return page.locator(f"#preprocessing-{name} [role=slider]")


def _expect_live(page: Page, name: str) -> None:
    expect(_handle(page, name)).not_to_have_attribute("data-disabled", re.compile(".*"))
    expect(page.locator(f"#preprocessing-{name}-why")).to_be_hidden()


def _expect_idle(page: Page, name: str, why: str | re.Pattern) -> None:
    expect(_handle(page, name)).to_have_attribute("data-disabled", "")
    expect(page.locator(f"#preprocessing-{name}-why")).to_have_text(why)
    expect(page.locator(f"#preprocessing-{name}-why")).to_be_visible()


def _pick(page: Page, label: str) -> None:
    before = page.locator(SUMMARY).inner_text()
    page.locator("#preprocessing-detector label", has_text=label).click()
    expect(page.locator(SUMMARY)).not_to_have_text(before)


def test_controls_the_detector_ignores_are_disabled_with_their_reason(page, page_errors):
    page.goto("/preprocessing")
    expect(page.locator(SUMMARY)).to_contain_text("flags")
    _expect_live(page, "threshold")  # the z-score reads the threshold, not the contamination
    _expect_idle(page, "contamination", CONTAMINATION_WHY)
    _pick(page, "Isolation forest")
    _expect_idle(page, "threshold", THRESHOLD_WHY)
    _expect_live(page, "contamination")
    _pick(page, "IQR")
    _expect_idle(page, "threshold", THRESHOLD_WHY)
    _expect_idle(page, "contamination", CONTAMINATION_WHY)
    _pick(page, "Hampel")
    _expect_live(page, "threshold")
    _expect_idle(page, "contamination", CONTAMINATION_WHY)
    _expect_live(page, "mask_threshold")  # the breakdown chart's own threshold never idles
    assert page_errors == []


def test_an_idle_control_keeps_its_value_in_the_link_and_reloads_idle(page, page_errors):
    page.goto("/preprocessing?detector=lof&threshold=4.5&contamination=0.1&binning=domain")
    expect(page.locator(SUMMARY)).to_contain_text("flags")
    _expect_idle(page, "threshold", THRESHOLD_WHY)
    _expect_live(page, "contamination")
    _expect_idle(page, "n_bins", "Ignored: Domain-defined edges cut at 20, 40, 60, 80, 100 and 120 °C, which always "
                 "gives 5 bins.")
    expect(page.locator("#preprocessing-threshold-readout")).to_have_text("4.5")
    _pick(page, "Z-score")  # the kept value comes back to life as it was
    _expect_live(page, "threshold")
    expect(page.locator("#preprocessing-threshold-readout")).to_have_text("4.5")
    expect(page).to_have_url(re.compile(r"[?&]threshold=4\.5(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]detector=zscore(&|$)"))
    page.goto(page.url)
    _expect_live(page, "threshold")
    _expect_idle(page, "contamination", CONTAMINATION_WHY)
    expect(page.locator("#preprocessing-contamination-readout")).to_have_text("0.1")
    expect(page.locator(".nl-url-alert")).to_have_count(0)
    assert page_errors == []
