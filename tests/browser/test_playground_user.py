"""/playground on a table added on /data, in a real chromium: pick it, pick the axes, train a step, reload."""

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

NOTE = "#playground-data-note"


@pytest.fixture
def csv_file(tmp_path):
    rng = np.random.default_rng(2)
    n = 400
    df = pd.DataFrame({"current": rng.uniform(0, 40, n), "speed": rng.uniform(0, 3000, n),
                       "temp": rng.uniform(20, 120, n)})
    df["torque"] = 0.6 * (1 - 0.001 * (df.temp - 20)) * df.current
    path = tmp_path / "torque_log.csv"
    df.to_csv(path, index=False)
    return path


def test_a_table_on_the_playground_with_its_own_axes(page, page_errors, csv_file):
    add_on_data(page, csv_file, "torque", "Regression", "Torque log")

    page.locator("#nav-playground").click()
    expect(page.locator("#playground-status")).to_contain_text("Epoch 0", timeout=30_000)
    expect(page.locator("#playground-axes")).to_be_hidden()  # the built-in sets have no columns to pick
    page.locator("#playground-dataset").click()
    page.get_by_role("option", name="Torque log (yours)").click()
    expect(page.locator(NOTE)).to_contain_text("Across: 'current', up: 'speed'")
    expect(page.locator(NOTE)).to_contain_text("Your dataset Torque log: all 400 rows")
    page.locator("#playground-col_y-pick").click()
    page.get_by_role("option", name="2: temp").click()
    expect(page.locator(NOTE)).to_contain_text("up: 'temp'")
    expect(page).to_have_url(re.compile(r"[?&]col_y=2(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]dataset=user%3A[A-Za-z0-9_-]{16}"))
    page.click("#playground-step")
    expect(page.locator("#playground-status")).to_contain_text("Epoch 1", timeout=60_000)
    expect(page.locator("#playground-curves-summary")).to_contain_text("Test RMSE")

    page.goto(page.url)  # the link reopens the same table and axes
    expect(page.locator(NOTE)).to_contain_text("Across: 'current', up: 'temp'")
    expect(page.locator("#playground-status")).to_contain_text("Epoch 0", timeout=30_000)
    expect(page.locator(".nl-url-alert")).to_have_count(0)
    expect(page.locator("#playground-alert")).to_be_empty()
    assert page_errors == []
