"""/regularization and /learning-rate in a real chromium on a learner's table opened from its share link."""

from __future__ import annotations

import re

import pytest

from neuralab.data import user
from tests.app import lrreg_tables

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

pytestmark = pytest.mark.browser


@pytest.fixture
def shared(server, monkeypatch):
    """A 4-feature binary table in the server's catalogue (its data directory under the server's cache)."""
    monkeypatch.setenv("NEURALAB_DATA_DIR", str(server.cache_dir / "user-data"))
    value = lrreg_tables.add(name="Rig log")
    assert user.is_user(value)
    return value


def test_regularization_trains_on_a_shared_table_and_back_on_the_digits(page, page_errors, shared):
    page.goto(f"/regularization?dataset={shared}")
    expect(page.locator("#regularization-dataset label", has_text="Rig log (shared with you)")).to_be_visible()
    expect(page.locator("#regularization-dataset input:checked")).to_have_attribute("value", shared)
    expect(page.locator("#regularization-data-blurb")).to_contain_text(
        "Your dataset Rig log: 180 training rows, 60 validation rows, 4 features")
    # 4 inputs → 256 → 2 outputs: 1,536 weights, where the digits network has 18,944
    expect(page.locator("#regularization-hist-summary")).to_contain_text("of 1,536 weights exactly 0",
                                                                         timeout=120_000)
    expect(page.locator("#regularization-data-alert")).to_be_empty()
    page.locator("#regularization-dataset label", has_text="Handwritten digits").click()
    expect(page.locator("#regularization-hist-summary")).to_contain_text("of 18,944 weights exactly 0",
                                                                         timeout=120_000)
    expect(page.locator("#regularization-data-blurb")).to_be_empty()
    assert page_errors == []


def test_learning_rate_names_an_unknown_table_in_a_sentence(page, page_errors, server):
    page.goto("/learning-rate?dataset=user:" + "Q" * 16)
    expect(page.locator("#learning-rate-data-alert")).to_contain_text(
        re.compile(r"dataset user:Q{16}: No dataset"))
    expect(page.locator("#learning-rate-compare-alert")).to_contain_text("No dataset", timeout=60_000)
    expect(page.locator("#learning-rate-curve-summary")).to_contain_text("Cosine annealing over 100 epochs")
    assert page_errors == []
