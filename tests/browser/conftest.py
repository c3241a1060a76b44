"""Fixtures for the browser tests: one lab server and one headless chromium per session.

``server`` starts ``python -m neuralab serve`` on a free port (with a fresh background-job
cache) and stops it by PID at the end; ``browser`` launches the system chromium through Playwright (never a
downloaded build). Each test gets a fresh context (no shared localStorage) through
``page``, with console errors and uncaught page errors collected in ``page_errors``.

Without chromium or Playwright the suite is skipped on a developer machine, but
fails when the ``CI`` environment variable is set: a CI run must not go green by
silently skipping its browser tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.devserver import CHROMIUM_ARGS, LabServer, browser_unavailable, chromium_path

#: Playwright waits (expect(), clicks, navigation) give up after this many milliseconds.
TIMEOUT_MS = 10_000



def _unavailable(reason: str) -> None:
    """Skip on a developer machine; fail loudly on CI, where a skip would hide a broken set-up."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is an error rather than a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """The lab, served by ``neuralab serve`` on a free port (``server.url``), stopped by PID at the end.

    Background jobs get a fresh cache directory, so no result comes from an earlier run.
    """
    tmp = tmp_path_factory.mktemp("server")
    # A closed tab's jobs stop after 8 s without polls (15 s by default), so one test's jobs do not hold the
    # slots the next test's page needs on a busy machine.
    with LabServer(cache_dir=tmp / "cache", log_path=tmp / "serve.log", env={"NEURALAB_ORPHAN_S": "8"}) as lab:
        yield lab


def _check_alive(server: LabServer) -> None:
    if not server.alive():
        pytest.fail(f"the lab server has died; its log ends:\n{server.log_tail()}", pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test shows the end of the server's log (a job's error, or the stacks of a stuck one)."""
    outcome = yield
    report = outcome.get_result()
    lab = item.funcargs.get("server") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and lab is not None:
        report.sections.append(("the lab server's log, last lines", lab.log_tail(80)))


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole session (the system's, not a downloaded one)."""
    if (why := browser_unavailable()) is not None:
        _unavailable(why)
    exe = chromium_path()
    from playwright.sync_api import expect, sync_playwright
    expect.set_options(timeout=TIMEOUT_MS)
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:
        pw.stop()
        _unavailable(f"chromium at {exe} did not start under Playwright: {exc}")
    try:
        yield b
    finally:
        b.close()
        pw.stop()


@pytest.fixture
def page_errors() -> list[str]:
    """Console errors and uncaught exceptions of the test's page, as readable lines."""
    return []


@pytest.fixture
def page(browser, server, page_errors):
    """A fresh tab in its own context (empty localStorage, light colour scheme), based at the server."""
    _check_alive(server)
    context = browser.new_context(base_url=server.url, color_scheme="light", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.on("console", lambda m: page_errors.append(f"console.error: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: page_errors.append(f"pageerror: {e}"))
    try:
        yield tab
    finally:
        context.close()
    _check_alive(server)  # a test that failed because the server died should say so
