"""Test-wide settings: background-job results go to a temporary directory, not ~/.cache (removed at the end).

``data_dir``: a fresh, empty catalogue of learners' datasets for one test (``NEURALAB_DATA_DIR`` under its tmp_path);
a test file whose every test needs one says ``pytestmark = pytest.mark.usefixtures("data_dir")``.
"""

import atexit
import os
import shutil
import tempfile

import pytest

if "NEURALAB_CACHE_DIR" not in os.environ:
    _CACHE, _PID = tempfile.mkdtemp(prefix="neuralab-test-cache-"), os.getpid()
    os.environ["NEURALAB_CACHE_DIR"] = _CACHE

    @atexit.register
    def _remove_cache() -> None:
        if os.getpid() == _PID:  # not in a forked job process that happens to exit through Python
            shutil.rmtree(_CACHE, ignore_errors=True)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A fresh, empty catalogue of the learner's datasets for this test."""
    monkeypatch.setenv("NEURALAB_DATA_DIR", str(tmp_path / "user-data"))
    return tmp_path / "user-data"
