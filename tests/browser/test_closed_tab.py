"""A closed tab's background jobs stop by themselves: the slots they held go back to other learners.

Dash would run a job to its end whatever became of the page. The lab's jobs watch their page's polls
(:func:`neuralab.app.limits.watch`) and stop once those go quiet. A /playground run on digits, one
point per update, would train for its full two minutes; closing the tab must end it sooner. The job
stops about ``NEURALAB_ORPHAN_S`` seconds (15 by default) after its page's last poll; the test allows 60 s.
"""

from __future__ import annotations

import time

import psutil
import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

pytestmark = pytest.mark.browser

LONG_RUN = "/playground?dataset=digits&train_pct=90&pace=max&batch_size=1&layers=3&n1=32&n2=32&n3=32"


def test_closing_the_tab_stops_its_training_job(browser, server):
    server_proc = psutil.Process(server.proc.pid)
    context = browser.new_context(base_url=server.url)
    tab = context.new_page()
    tab.goto(LONG_RUN)
    expect(tab.locator("#playground-status")).to_contain_text("Epoch 0 ", timeout=30_000)
    before = {p.pid for p in server_proc.children()}
    tab.click("#playground-play")
    expect(tab.locator("#playground-pause")).to_be_enabled(timeout=30_000)  # the job runs and streams frames
    tab.wait_for_function("() => /Epoch [1-9]/.test(document.querySelector('#playground-status').textContent)",
                          timeout=60_000)
    jobs = [p for p in server_proc.children() if p.pid not in before and p.is_running()]
    assert jobs, "no training job process was found under the server"
    context.close()  # the learner closes the tab in the middle of the run
    deadline = time.monotonic() + 60  # the run alone would last 120 s
    while (alive := [p for p in jobs if _running(p)]) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not alive, f"jobs still running a minute after their tab closed: {[p.pid for p in alive]}"


def _running(proc: psutil.Process) -> bool:
    """Still working (an ended job stays a zombie until the server reaps it at its next job)."""
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_training_job_killed_mid_run_is_reported_and_play_runs_again(browser, server):
    """An operator's ``kill -9`` (or the out-of-memory killer) ends a job: the page says so and Play works."""
    server_proc = psutil.Process(server.proc.pid)
    context = browser.new_context(base_url=server.url)
    tab = context.new_page()
    try:
        tab.goto(LONG_RUN + "&seed=7")
        expect(tab.locator("#playground-status")).to_contain_text("Epoch 0 ", timeout=30_000)
        before = {p.pid for p in server_proc.children()}
        tab.click("#playground-play")
        tab.wait_for_function("() => /Epoch [1-9]/.test(document.querySelector('#playground-status').textContent)",
                              timeout=60_000)
        jobs = [p for p in server_proc.children() if p.pid not in before and _running(p)]
        assert jobs, "no training job process was found under the server"
        for p in jobs:
            p.kill()  # SIGKILL: no clean-up runs in the job
        expect(tab.locator("#playground-job-note")).to_contain_text("stopped before it finished", timeout=30_000)
        expect(tab.locator("#playground-job-note a.nl-rerun")).to_have_count(1)
        expect(tab.locator("#playground-play")).to_be_enabled(timeout=10_000)
        reached = tab.locator("#playground-status").text_content()
        tab.click("#playground-play")  # the lost job's slot and the tab's store are free: training goes on
        expect(tab.locator("#playground-pause")).to_be_enabled(timeout=30_000)
        tab.wait_for_function("(before) => document.querySelector('#playground-status').textContent !== before",
                              arg=reached, timeout=60_000)
        tab.click("#playground-pause")
    finally:
        context.close()
