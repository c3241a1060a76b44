"""/research-corner in a real chromium: the solver control re-integrates the neural ODE, the URL keeps it, a bad
link names its value, and the capsule job fills its charts and table."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser


def test_the_solver_redraws_the_ode_and_the_link_reopens_it(page: Page, page_errors):
    page.goto("/research-corner?ode_cap=3000")
    field = page.locator("#research-corner-field-summary")
    expect(field).to_contain_text("with dopri5 at 1e-05, it stays on average", timeout=240_000)
    page.locator("#research-corner-ode_solver input[value=rk4]").check()
    expect(field).to_contain_text("with rk4, it stays on average", timeout=60_000)
    expect(field).to_contain_text("for 400 evaluations of f")
    expect(page).to_have_url(re.compile(r"[?&]ode_solver=rk4"))
    page.goto(page.url)  # the link alone brings the view back
    expect(page.locator("#research-corner-field-summary")).to_contain_text("with rk4, it stays on average",
                                                                           timeout=120_000)
    # the capsule job fills its outputs
    expect(page.locator("#research-corner-iterations-summary")).to_contain_text("on the 360 test digits, the CNN ",
                                                                                timeout=240_000)
    expect(page.locator("#research-corner-compare")).to_contain_text("3,760")
    assert page_errors == []


def test_a_bad_link_says_which_value_is_wrong(page: Page, page_errors):
    page.goto("/research-corner?ode_tol=1e-12")
    expect(page.get_by_text("ode_tol must be between 1e-07 and 0.01; got '1e-12'")).to_be_visible(timeout=60_000)
    expect(page.locator("#research-corner-field-summary")).to_contain_text("dopri5 at 1e-05", timeout=240_000)
    assert page_errors == []
