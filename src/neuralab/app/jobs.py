"""Background jobs: callbacks that refit models run in a separate process.

A heavy callback (one that refits models, over ~150 ms) runs through Dash's
``DiskcacheManager``: the request returns at once, the job reports progress, and
the page stays usable. Results are cached on disk by their inputs, so a view seen
once (by any worker process) comes back at the next poll. The cache lives in
``$NEURALAB_CACHE_DIR`` (default ``~/.cache/neuralab``) and is capped in size.
"""

from __future__ import annotations

import hashlib
import os
import threading
from functools import lru_cache
from pathlib import Path

import diskcache
from dash import DiskcacheManager

from neuralab import __version__, cache

CACHE_BYTES = 512 * 2**20  # the least recently used results go beyond this
EXPIRE_S = 7 * 24 * 3600  # a result unseen for a week is dropped
POLL_MS = 60  # how often the page asks for progress (each poll is a ~5 ms request)


def cache_dir() -> Path:
    return cache.root() / f"jobs-{__version__}"


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the package's source: cached results die with the code that made them.

    Dash keys a job's cache entry on the callback's own source only, not on the
    library and figure code it calls.
    """
    root = Path(__file__).resolve().parents[1]  # the neuralab package
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class JobManager(DiskcacheManager):
    """Dash's manager with three process-handling fixes.

    * It starts a process per job and never joins it, so finished jobs would stay as
      zombies for the life of the server: they are reaped before each new job.
    * On every delivered result it kills the job and waits up to 1 s for it to go. A
      job forked by another gunicorn worker becomes a zombie this worker cannot reap,
      so that wait ran its full second: a finished job is now left alone, and only
      the job's own parent waits for it.
    * A poll reads the result, then asks whether the job still runs; a job that
      finished between the two looked cancelled, and the page never got its figure
      (seen once in 300 requests). Whether it runs is now read before the result,
      and that same answer is given when Dash asks.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._local = threading.local()  # the dev server answers polls on several threads

    def call_job_fn(self, key, job_fn, args, context):
        import multiprocess

        multiprocess.active_children()  # joins every finished child of this process
        return super().call_job_fn(key, job_fn, args, context)

    def terminate_job(self, job):
        """Kill a job and its children; wait for it only if this process can reap it."""
        import psutil

        if job is None:
            return
        try:
            proc = psutil.Process(int(job))
            if proc.status() == psutil.STATUS_ZOMBIE:
                return  # already finished; its parent reaps it
            mine = proc.ppid() == os.getpid()
            for child in proc.children(recursive=True):
                child.kill()
            proc.kill()
            if mine:
                proc.wait(1)
        except (psutil.NoSuchProcess, psutil.TimeoutExpired, ValueError):
            pass

    def get_result(self, key, job):
        running = super().job_running(job) if job is not None else False
        self._local.snapshot = (job, running)
        return super().get_result(key, job)

    def job_running(self, job):
        snapshot = getattr(self._local, "snapshot", None)
        if snapshot is not None and snapshot[0] == job:
            self._local.snapshot = None
            return snapshot[1]
        return super().job_running(job)


@lru_cache(maxsize=1)
def manager() -> DiskcacheManager:
    """One manager per process; every worker process shares the same directory."""
    cache = diskcache.Cache(str(cache_dir()), size_limit=CACHE_BYTES, eviction_policy="least-recently-used")
    return JobManager(cache, cache_by=[code_version], expire=EXPIRE_S)
