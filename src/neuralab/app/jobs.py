"""Background jobs: callbacks that refit models run in a separate process.

A heavy callback (one that refits models, over ~150 ms) runs through Dash's
``DiskcacheManager``: the request returns at once, the job reports progress, and
the page stays usable. Results are cached on disk by their inputs, so a view seen
once (by any worker process) comes back at the next poll. The cache lives in
``$NEURALAB_CACHE_DIR`` (default ``~/.cache/neuralab``) and is capped in size.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import diskcache
from dash import DiskcacheManager

from neuralab import __version__

CACHE_BYTES = 512 * 2**20  # the least recently used results go beyond this
EXPIRE_S = 7 * 24 * 3600  # a result unseen for a week is dropped
POLL_MS = 120  # how often the page asks for progress


def cache_dir() -> Path:
    root = os.environ.get("NEURALAB_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "neuralab"
    )
    return Path(root) / f"jobs-{__version__}"


class _ReapingManager(DiskcacheManager):
    """Dash's manager starts a process per job and never joins it; finished jobs would
    stay as zombie processes for the life of the server. Reap them before each new job."""

    def call_job_fn(self, key, job_fn, args, context):
        import multiprocess

        multiprocess.active_children()  # joins every finished child
        return super().call_job_fn(key, job_fn, args, context)


@lru_cache(maxsize=1)
def manager() -> DiskcacheManager:
    """One manager per process; every worker process shares the same directory."""
    cache = diskcache.Cache(str(cache_dir()), size_limit=CACHE_BYTES, eviction_policy="least-recently-used")
    return _ReapingManager(cache, cache_by=[lambda: __version__], expire=EXPIRE_S)
