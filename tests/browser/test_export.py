"""Export as script / Open as notebook in a real chromium: the downloads carry the page's current state."""

from __future__ import annotations

import json
import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

from tests.browser.test_splits import _open, _step_train_pct

pytestmark = pytest.mark.browser


def test_export_as_script_downloads_the_pages_state_seed_included(page, page_errors, tmp_path):
    _open(page, "?seed=7&train_pct=60")
    _step_train_pct(page)  # moved after loading: the script follows the link as it is now (61 %)
    expect(page).to_have_url(re.compile(r"train_pct=61"))
    with page.expect_download() as got:
        page.get_by_role("button", name="Export as script").click()
    download = got.value
    assert download.suggested_filename == "neuralab_splits.py"
    download.save_as(tmp_path / "s.py")
    source = (tmp_path / "s.py").read_text()
    assert "'seed': 7" in source and "train_pct=61" in source and "'train_pct': 61" in source, source[:2500]
    with page.expect_download() as got:
        page.get_by_role("button", name="Open as notebook").click()
    assert got.value.suggested_filename == "neuralab_splits.ipynb"
    got.value.save_as(tmp_path / "s.ipynb")
    assert json.loads((tmp_path / "s.ipynb").read_text())["nbformat"] == 4
    assert page_errors == []


def test_a_prose_page_has_no_export_buttons(page):
    page.goto("/cheat-sheet")
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_role("button", name="Export as script")).to_have_count(0)
