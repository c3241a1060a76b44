"""/deploy in a real chromium: the pipeline arrives, the C file downloads, the link follows the sliders."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

STACK_MS = 600_000  # first run: teacher and student train, three ONNX exports, gcc


def test_pipeline_table_checks_and_download(page, page_errors):
    summary = page.locator("#deploy-stages-summary")
    for _ in range(10):  # a busy shared machine may turn the job away with a sentence: try again
        page.goto("/deploy")
        expect(summary).to_contain_text(re.compile("From Teacher fp32|lab is busy"), timeout=STACK_MS)
        if "From Teacher fp32" in summary.inner_text():
            break
        page.wait_for_timeout(15_000)
    expect(summary).to_contain_text("From Teacher fp32 to Pruned student int8")
    expect(page.locator("#deploy-table")).to_contain_text("Distilled student fp32")
    checks = page.locator("#deploy-checks")
    expect(checks).to_contain_text("ONNX Runtime agrees with PyTorch")
    expect(checks).to_contain_text(re.compile(r"matches the Python integer reference|gcc was not found"))
    expect(page.locator("#deploy-excerpt")).to_contain_text("void nl_infer")
    with page.expect_download() as info:
        page.locator("#deploy-get-c").click()
    download = info.value
    assert download.suggested_filename == "neuralab_digits.c"
    assert "nl_infer" in open(download.path()).read()
    with page.expect_download() as info:
        page.locator("#deploy-get-onnx").click()
    assert info.value.suggested_filename.endswith(".onnx")
    assert page_errors == []


def test_slider_moves_the_link_and_a_bad_link_gets_a_sentence(page, page_errors):
    page.goto("/deploy")
    handle = page.locator("#deploy-prune [role=slider]")
    handle.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#deploy-prune-readout")).to_have_text("20%")
    expect(page).to_have_url(re.compile(r"[?&]prune=20(&|$)"))
    page.goto("/deploy?prune=99")
    expect(page.locator(".nl-url-alert")).to_contain_text("prune must be between 0 and 75")
    assert page_errors == []
