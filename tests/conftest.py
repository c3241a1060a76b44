"""Test-wide settings: background-job results go to a temporary directory, not ~/.cache."""

import os
import tempfile

os.environ.setdefault("NEURALAB_CACHE_DIR", tempfile.mkdtemp(prefix="neuralab-test-cache-"))
