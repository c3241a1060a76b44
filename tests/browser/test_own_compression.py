"""A compression page in a real chromium: a table added on /data, chosen in /quantization's own-data section."""

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


def test_a_table_added_on_data_is_quantized_on_quantization_and_the_link_reopens_it(page, page_errors, tmp_path):
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"current": rng.normal(size=240), "speed": rng.normal(size=240)})
    df["state"] = np.where(df.current - 0.5 * df.speed > 0, "hot", "ok")
    path = tmp_path / "states.csv"
    df.to_csv(path, index=False)
    add_on_data(page, path, "state", "Binary", "Drive states")

    page.locator("#nav-quantization").click()
    expect(page.locator("#quantization-own-summary")).to_contain_text("Nothing is run for the digits here")
    page.locator("#quantization-dataset label", has_text="Drive states (yours)").click()
    summary = page.locator("#quantization-own-summary")
    expect(summary).to_contain_text("On Drive states, test accuracy over 48 test rows", timeout=180_000)
    expect(summary).to_contain_text("INT8 static PTQ")
    expect(page.locator("#quantization-own-blurb")).to_contain_text("Your dataset Drive states: 240 rows")
    expect(page).to_have_url(re.compile(r"[?&]dataset=user%3A[A-Za-z0-9_-]{16,}"))
    caption = summary.inner_text()
    page.goto(page.url)  # the link reopens the same result (the network is read back from disk)
    expect(summary).to_have_text(caption, timeout=180_000)
    assert page_errors == []
