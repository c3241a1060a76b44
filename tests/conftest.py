"""Test-wide settings: background-job results go to a temporary directory, not ~/.cache (removed at the end)."""

import atexit
import os
import shutil
import tempfile

if "NEURALAB_CACHE_DIR" not in os.environ:
    _CACHE, _PID = tempfile.mkdtemp(prefix="neuralab-test-cache-"), os.getpid()
    os.environ["NEURALAB_CACHE_DIR"] = _CACHE

    @atexit.register
    def _remove_cache() -> None:
        if os.getpid() == _PID:  # not in a forked job process that happens to exit through Python
            shutil.rmtree(_CACHE, ignore_errors=True)
