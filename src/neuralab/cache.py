"""Where neuralab keeps what it computes once: ``$NEURALAB_CACHE_DIR``, else ``~/.cache/neuralab``.

Trained reference models and background-job results live under this directory, so a
page answers at once after the first use. Deleting it is always safe.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["root"]


def root() -> Path:
    """The cache directory (not created here)."""
    base = os.environ.get("NEURALAB_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "neuralab"
    )
    return Path(base)
