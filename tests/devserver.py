"""Start the lab in a child process on a free port, and stop it by its PID.

Used by the browser tests and the benchmarks, which need a real server::

    with LabServer(workers=2, cache_dir=tmp) as lab:
        urllib.request.urlopen(lab.url + "/splits")
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
from pathlib import Path

STARTUP_S = 60.0  # how long the server may take to answer its first request
STOP_S = 10.0  # how long it gets to stop after SIGTERM before it is killed

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
        with self.log_path.open("wb") as out:
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
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer on {self.url} within {STARTUP_S:.0f} s ({last}):\n"
                           f"{self.log_tail()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n: int = 40) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "".join(self.log_path.read_text(errors="replace").splitlines(keepends=True)[-n:])

    def stop(self) -> None:
        """SIGTERM by PID, SIGKILL after :data:`STOP_S`; then any job process it left behind."""
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
        for child in children:  # only processes this server started
            try:
                if child.is_running():
                    child.kill()
            except Exception:
                pass

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
