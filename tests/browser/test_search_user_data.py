"""/hyperparameter-search in a real chromium on a learner's table: the link opens it, the note names it."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

pytestmark = pytest.mark.browser


def test_a_shared_link_runs_the_search_page_on_the_table(page, page_errors, server):
    from neuralab.data import user

    rng = np.random.default_rng(2)
    df = pd.DataFrame({"current": rng.normal(size=200), "speed": rng.normal(size=200)})
    df["state"] = np.where(df.current - df.speed > 0, "hot", "ok")
    ident = user.Catalogue(server.cache_dir / "user-data").add(
        df.to_csv(index=False).encode(), "rig.csv", user.Roles("state", "binary"), owner="tester" + "x" * 20,
        name="Rig log")
    page.goto(f"/hyperparameter-search?dataset=user:{ident}")
    note = page.locator("#hyperparameter-search-data-note")
    expect(note).to_contain_text("Your dataset Rig log: 200 rows, 2 features, 2 classes.")
    expect(note).to_contain_text("Every part below trains on it: 120 training, 40 validation and 40 test rows")
    expect(page.locator("#hyperparameter-search-dataset")).to_contain_text("Rig log (shared with you)")
    page.locator("#hyperparameter-search-dataset label", has_text="Digits").click()
    expect(note).to_contain_text("Every part below runs on Digits")
    expect(page).not_to_have_url(re.compile(r"user%3A"))
    assert page_errors == []
