"""A server restarted under open pages, and two learners with different seeds on the same page.

The restart test has a lab of its own (the session's server is left alone). A /distillation job is
started over HTTP and polled every 0.1 s by a Python thread (:class:`_Poller`), as an open page polls
it, through the restart: the job ends with the server that forked it, and a poll answered by the new
server says it stopped before it finished, with the link to run it again (the handles are signed
with a secret kept in the job store, so the new server honours them). Submitting the same settings
again, as the link would, brings the result. The browser's part: a /splits tab opened before the
restart moves a light slider afterwards and gets its new caption from the new server.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from contextlib import suppress

import pytest

from neuralab.app import limits
from neuralab.app.pages import distillation, splits
from neuralab.compress.distill import COMPARE
from neuralab.data.splits import CV
from tests.devserver import LabServer, Page

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

pytestmark = pytest.mark.browser

SIZES = "#splits-sizes-summary"
SIZES_TEXT = re.compile(r"Of [\d,]+ samples, ([\d,]+) train, [\d,]+ validate and [\d,]+ test\.")


def test_an_open_page_survives_a_server_restart_and_its_lost_job_runs_again(browser, tmp_path):
    with LabServer(cache_dir=tmp_path / "cache", log_path=tmp_path / "serve.log") as lab:
        context = browser.new_context(base_url=lab.url)
        tab = context.new_page()
        try:
            tab.goto("/splits")
            expect(tab.locator(SIZES)).to_have_text(SIZES_TEXT)
            before = tab.locator(SIZES).inner_text()

            job_page = Page(lab, "/distillation")  # a learner's student comparison, several seconds long
            body = job_page.body(distillation.COMPARE_SECTION, {**COMPARE.defaults(), "T": 4.5})
            handles = job_page.submit(body)
            job_page.wait(body, handles, lambda doc: "progress" in doc or "response" in doc)

            poller = _Poller(job_page, body, handles)
            poller.start()
            lab.restart()  # the same port and cache: an operator's restart
            poller.join(240)
            lost = poller.answer
            assert lost is not None, "the page never heard what became of its job"
            assert "stopped before it finished" in str(lost["response"]), lost
            assert limits.RERUN in str(lost["response"])
            rerun = job_page.submit(body)  # what the page's link does: the same settings, again
            done = job_page.wait(body, rerun, lambda doc: "response" in doc, timeout_s=180)
            assert "student" in str(done["response"]).lower(), done

            handle = tab.locator("#splits-train_pct [role=slider]")
            handle.focus()
            tab.keyboard.press("ArrowRight")  # the page opened before the restart asks the new server
            expect(tab.locator(SIZES)).not_to_have_text(before, timeout=30_000)
            expect(tab.locator(SIZES)).to_have_text(SIZES_TEXT)
        finally:
            context.close()


class _Poller(threading.Thread):
    """Polls a job every 0.1 s, as the open page does, through failures while the server is away, until answered.

    (A job nobody polls stops itself; and only one poll of the page learns that a job was lost.)
    """

    def __init__(self, page: Page, body: dict, handles: tuple[str, str]) -> None:
        super().__init__(daemon=True)
        self.page, self.body, self.handles, self.answer = page, body, handles, None

    def run(self) -> None:
        deadline = time.monotonic() + 240
        while self.answer is None and time.monotonic() < deadline:
            with suppress(OSError, http.client.HTTPException):  # refused, or cut off as the server stops
                status, doc = self.page.poll(self.body, self.handles)
                assert status in (200, 204), (status, doc)
                if "response" in doc:
                    self.answer = doc
            time.sleep(0.1)


def _caption(section, values: dict) -> str:
    """The first caption the library gives for ``values`` (what the page must show)."""
    out = section.view(values)
    return next(o for o in out if isinstance(o, str) and o)


@pytest.mark.parametrize("key", ["cv", "leak"])
def test_two_learners_with_different_seeds_never_see_each_others_results(browser, server, key):
    section = next(s for s in splits.SECTIONS if s.key == key)
    summary = f"#splits-{section._first_chart()}-summary"
    tabs = []
    for seed in (3, 4):
        context = browser.new_context(base_url=server.url)
        tabs.append((seed, context, context.new_page()))
    try:
        for seed, _, tab in tabs:  # both open at once: their jobs overlap
            tab.goto(f"/splits?seed={seed}")
        for seed, _, tab in tabs:
            expected = _caption(section, {**CV.defaults(), "seed": seed})
            expect(tab.locator(summary)).to_have_text(expected, timeout=60_000)
        assert _caption(section, {"seed": 3}) != _caption(section, {"seed": 4})  # the test can tell them apart
    finally:
        for _, context, _ in tabs:
            context.close()
