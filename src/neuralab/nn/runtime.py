"""How the lab runs torch: on one intra-op thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

__all__ = ["one_thread"]


@contextmanager
def one_thread() -> Iterator[None]:
    """One torch intra-op thread while inside (also a decorator); the caller's setting after.

    The lab's networks are tiny: threads only add synchronisation, which on a busy machine
    costs more than it saves. More importantly, once torch has started its OpenMP pool in
    the server process, a background job forked from it can hang in its first parallel
    kernel (libgomp does not survive ``fork``); keeping the work on one thread keeps that
    pool unstarted.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
