"""How long computations report how far they are: one callback type, one silent default.

A library function that takes a while accepts ``progress=`` and calls it as
``progress(done, total)`` after each unit of work (an epoch, a fold, a grid row).
The app turns it into a progress bar; a notebook user passes nothing and gets :func:`quiet`.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Progress", "quiet", "stage"]

#: ``progress(done, total)``: ``done`` units of ``total`` finished so far.
Progress = Callable[[int, int], None]


def quiet(done: int, total: int) -> None:
    """A progress callback that reports nothing (the default when no page is listening)."""


def stage(progress: Progress | None, done: int, total: int) -> Progress:
    """A progress callback for one stage of a longer job: ``done`` units already behind it, ``total`` in all.

    The stage counts its own units from 0; ``progress`` sees them shifted by ``done`` (``None`` reports nothing).
    """
    p = progress or quiet
    return lambda d, t: p(done + d, total)
