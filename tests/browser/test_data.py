"""/data in a real chromium: upload a CSV, add it, pick it on /splits, reload the link; delete it."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

from tests.browser.upload import add_on_data

pytestmark = pytest.mark.browser


@pytest.fixture
def csv_file(tmp_path):
    rng = np.random.default_rng(1)
    n = 300
    df = pd.DataFrame({"t": np.arange(n) * 0.1, "cycle": np.repeat(np.arange(6), n // 6),
                       "current": rng.normal(size=n), "speed": rng.normal(size=n)})
    df["state"] = np.where(df.current + 0.5 * df.speed > 0, "hot", "ok")
    path = tmp_path / "bench_log.csv"
    df.to_csv(path, index=False)
    return path


def test_upload_add_pick_on_splits_and_reload(page, page_errors, csv_file):
    page.goto("/data")
    expect(page.locator("#data-empty")).to_be_visible()  # the owner token is there and the list is drawn
    page.locator("#data-upload input[type=file]").set_input_files(str(csv_file))
    expect(page.locator("#data-preview-summary")).to_have_text("bench_log.csv: 300 rows, 5 columns.")
    expect(page.locator("#data-preview")).to_contain_text("current")
    page.locator("#data-target").click()
    page.get_by_role("option", name="state", exact=True).click()
    page.locator("#data-task label", has_text="Binary").click()
    page.locator("#data-name").fill("Bench log")
    page.locator("#data-add").click()
    expect(page.locator("#data-added")).to_contain_text("Added")
    expect(page.locator("#data-add-alert")).to_be_empty()
    listed = page.locator("#data-list")
    expect(listed).to_contain_text("Bench log")
    expect(listed).to_contain_text("300")

    page.locator("#nav-splits").click()
    option = page.locator("#splits-dataset label", has_text="Bench log (yours)")
    expect(option).to_be_visible()
    option.click()
    expect(page.locator("#splits-sizes-summary")).to_have_text(
        re.compile(r"^Bench log: Of 300 samples, \d+ train, \d+ validate and 45 test\.$"))
    expect(page.locator("#splits-blurb")).to_contain_text("Your dataset Bench log")
    expect(page.locator("#splits-copies-why")).to_contain_text("built-in datasets only")  # the idle copies slider
    expect(page).to_have_url(re.compile(r"[?&]dataset=user%3A[A-Za-z0-9_-]{16,}"))
    page.goto(page.url)  # the link reopens the same view
    expect(page.locator("#splits-sizes-summary")).to_have_text(
        re.compile(r"^Bench log: Of 300 samples, \d+ train, \d+ validate and 45 test\.$"))
    expect(page.locator("#splits-dataset input:checked")).to_have_attribute("value", re.compile(r"^user:"))
    expect(page.locator(".nl-url-alert")).to_have_count(0)
    expect(page.locator("#splits-copies-control")).to_have_class(re.compile(r"\bnl-idle\b"))
    page.locator("#splits-dataset label", has_text="Wine").click()  # a built-in dataset: the copies act again
    expect(page.locator("#splits-copies-why")).to_be_empty()
    expect(page.locator("#splits-copies-control")).not_to_have_class(re.compile(r"\bnl-idle\b"))

    page.goto("/data")  # and delete it, confirming the dialog
    expect(page.locator("#data-list")).to_contain_text("Bench log")
    page.locator("#data-pick").click()
    page.get_by_role("option", name=re.compile(r"^Bench log \(")).click()
    page.once("dialog", lambda d: d.accept())
    page.locator("#data-delete button").click()
    expect(page.locator("#data-empty")).to_be_visible()
    assert page_errors == []


def test_a_file_that_is_not_a_table_is_a_sentence(page, page_errors, tmp_path):
    bad = tmp_path / "not_a_table.csv"
    bad.write_bytes(b"\x00\x01\x02\xff\xfe" * 50)
    page.goto("/data")
    expect(page.locator("#data-empty")).to_be_visible()
    page.locator("#data-upload input[type=file]").set_input_files(str(bad))
    expect(page.locator("#data-upload-alert")).not_to_be_empty()
    expect(page.locator("#data-upload-alert")).not_to_contain_text("Traceback")
    expect(page.locator("#data-preview-summary")).to_have_count(0)
    assert page_errors == []


def test_a_dataset_added_on_data_is_listed_on_fitting_and_its_curve_drawn(page, page_errors, csv_file):
    add_on_data(page, csv_file, "state", "Binary", "Curve log")
    page.locator("#nav-fitting").click()
    page.locator("#fitting-dataset label", has_text="Curve log (yours)").click()
    expect(page.locator("#fitting-tc-summary")).to_contain_text("Curve log: validation error rate falls from",
                                                                timeout=60_000)
    expect(page.locator("#fitting-tc-blurb")).to_contain_text("Your dataset Curve log: 300 rows")
    assert page_errors == []
