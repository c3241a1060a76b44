"""Start the lab in a child process on a free port, and stop it by its PID.

Used by the browser tests and the benchmarks, which need a real server::

    with LabServer(workers=2, cache_dir=tmp) as lab:
        urllib.request.urlopen(lab.url + "/splits")
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

STARTUP_S = 60.0  # how long the server may take to answer its first request
STOP_S = 10.0  # how long it gets to stop after SIGTERM before it is killed
POLL_S = 0.2  # seconds between tries of the first request (benchmarks/page_load.py times it finer)

#: Headless chromium on these machines: no sandbox as root, no GPU, and no calls home (the network is closed).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """Debian's chromium (what `make test` installs), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_unavailable() -> str | None:
    """Why no headless browser can be driven here (chromium missing, Playwright not importable), or None."""
    if chromium_path() is None:
        return "chromium is not installed (looked for `chromium` and `chromium-browser` on PATH)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright is not importable: {exc}"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """``neuralab serve`` on a free port, with its own job cache and log file.

    Args:
        workers: 1 runs Dash's server; more runs gunicorn, as in production.
        env: extra environment variables for the server process.
        cache_dir: where background jobs cache results (empty it for honest timings).
        log_path: where the server's output goes (default: beside the cache).
    """

    def __init__(self, workers: int = 1, cache_dir: str | Path | None = None, log_path: str | Path | None = None,
                 env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.log_path = Path(log_path) if log_path else None
        self.proc: subprocess.Popen | None = None
        self.ready_s = float("nan")  # seconds from start to the first 200
        self.env = env or {}  # extra environment for the server, e.g. NEURALAB_JOBS=celery

    def start(self) -> LabServer:
        args = [sys.executable, "-m", "neuralab", "serve", "--port", str(self.port), "--workers", str(self.workers)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        if self.cache_dir:
            env["NEURALAB_CACHE_DIR"] = str(self.cache_dir)
        if self.log_path is None:
            self.log_path = (self.cache_dir or Path.cwd()) / f"neuralab-serve-{self.port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        with self.log_path.open("ab" if getattr(self, "_left", None) is not None else "wb") as out:  # a restart adds
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.ready_s = time.monotonic() - t0
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_S
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as r:
                    if r.status == 200:
                        return
                    last = f"HTTP {r.status}"
            except (urllib.error.URLError, OSError) as exc:
                last = str(exc)
            time.sleep(POLL_S)
        raise RuntimeError(f"the server did not answer on {self.url} within {STARTUP_S:.0f} s ({last}):\n"
                           f"{self.log_tail()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n: int = 40) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "".join(self.log_path.read_text(errors="replace").splitlines(keepends=True)[-n:])

    def restart(self) -> LabServer:
        """Stop the server as an operator would (its running jobs go on) and start it again on the same port."""
        self.stop(jobs=False)
        return self.start()

    def stop(self, jobs: bool = True) -> None:
        """SIGTERM by PID, SIGKILL after :data:`STOP_S`; then (``jobs``) any job process it left behind."""
        proc = self.proc
        if proc is None:
            return
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
        self._left = [*getattr(self, "_left", []), *children]
        if not jobs:
            return
        children, self._left = self._left, []
        for child in children:  # only processes this server (or its earlier runs) started
            try:
                if child.is_running():
                    child.kill()
            except Exception:
                pass

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Page:
    """One page load, as the browser holds it: its ``end_id`` and the callback list."""

    def __init__(self, lab: LabServer, path: str) -> None:
        html = urllib.request.urlopen(lab.url + path, timeout=30).read().decode()
        config = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html, re.S)
        self.end_id = json.loads(config.group(1)).get("end_id")
        self.deps = json.loads(urllib.request.urlopen(lab.url + "/_dash-dependencies", timeout=30).read())
        self.base = f"{lab.url}/_dash-update-component?endId={self.end_id}"

    def body(self, section, values: dict) -> dict:
        """The request for ``section``'s callback (a :class:`neuralab.app.sections.Section`), widgets at ``values``."""
        first = section.outputs()[0]
        dep = next(d for d in self.deps
                   if d["output"].lstrip(".").startswith(f"{first.component_id}.{first.component_property}"))
        prefix = f"{section.page}-"
        inputs = [{**i, "value": values[i["id"].removeprefix(prefix)]} for i in dep["inputs"]]
        outputs = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True))
                   for o in dep["output"].strip(".").split("...")]
        return {"output": dep["output"], "outputs": outputs, "inputs": inputs, "changedPropIds": [], "state": []}

    def submit(self, body: dict) -> tuple[str, str]:
        doc = post_json(self.base, body)
        assert "cacheKey" in doc and "job" in doc, doc
        return doc["cacheKey"], doc["job"]

    def poll(self, body: dict, handles: tuple[str, str]) -> tuple[int, dict]:
        """One poll: the HTTP status and the JSON answer (empty for a 204)."""
        key, job = handles
        poll = {**body, "inputs": [{**i, "value": None} for i in body["inputs"]]}
        req = urllib.request.Request(f"{self.base}&cacheKey={key}&job={job}", json.dumps(poll).encode(),
                                     {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw else {})
        except urllib.error.HTTPError as exc:
            return exc.code, {"error": exc.read().decode(errors="replace")[:500]}

    def wait(self, body: dict, handles: tuple[str, str], until, timeout_s: float = 180) -> dict:
        """Poll as the browser does until ``until(answer)``; every answer on the way is a 200 or a 204."""
        deadline = time.monotonic() + timeout_s
        while True:
            status, doc = self.poll(body, handles)
            assert status in (200, 204), (status, doc)
            if until(doc):
                return doc
            assert time.monotonic() < deadline, f"gave up waiting; last answer {str(doc)[:300]}"
            time.sleep(0.1)


def post_json(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())
