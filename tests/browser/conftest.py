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
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Playwright waits (expect(), clicks, navigation) give up after this many milliseconds.
TIMEOUT_MS = 10_000
#: How long the server may take to answer its first request.
STARTUP_S = 60.0
#: How long the server gets to stop after SIGTERM before it is killed.
STOP_S = 10.0

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    """Skip on a developer machine; fail loudly on CI, where a skip would hide a broken set-up."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is an error rather than a skip)", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
                last = f"HTTP {r.status}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer 200 on {url} within {timeout:.0f} s ({last}):\n"
                       f"{log.read_text(errors='replace')[-4000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server by its PID (SIGTERM, then SIGKILL), then any background-job process it left."""
    try:
        import psutil  # a dependency of dash[diskcache]

        children = psutil.Process(proc.pid).children(recursive=True) if proc.poll() is None else []
    except Exception:  # psutil missing, or the server already gone
        children = []
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_S)
    for child in children:  # only processes this fixture's server started, by PID
        try:
            if child.is_running():
                child.kill()
        except Exception:
            pass


@dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:PORT
    proc: subprocess.Popen
    log: Path

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            pytest.fail(f"the lab server (pid {self.proc.pid}) exited with code {self.proc.returncode}:\n"
                        f"{self.log.read_text(errors='replace')[-4000:]}", pytrace=False)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The lab, served by ``neuralab serve`` on a free port.

    Background jobs get a fresh cache directory, so no result comes from an earlier run.
    """
    port = free_port()
    tmp = tmp_path_factory.mktemp("server")
    log = tmp / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "neuralab", "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "NEURALAB_CACHE_DIR": str(tmp / "cache")},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base + "/", proc, log, STARTUP_S)
        yield Server(base, proc, log)
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole session (the system's, not a downloaded one)."""
    exe = chromium_path()
    if exe is None:
        _unavailable("chromium is not installed (looked for `chromium` and `chromium-browser` on PATH)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError as exc:
        _unavailable(f"Playwright is not importable: {exc}")
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
    server.check_alive()
    context = browser.new_context(base_url=server.url, color_scheme="light", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.on("console", lambda m: page_errors.append(f"console.error: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: page_errors.append(f"pageerror: {e}"))
    try:
        yield tab
    finally:
        context.close()
    server.check_alive()  # a test that failed because the server died should say so
