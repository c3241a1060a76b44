"""Self-checks: short questions at the end of a page, answered and checked in the browser.

A page module (or one of its part modules) lists its questions as ``QUESTIONS``. A
:class:`Pick` is multiple choice; a :class:`Value` has one right answer, a number or a short
text (a shape such as ``(32, 8, 96)``), which :attr:`Value.answer` computes with the lab's own
library each time the page is opened, so it cannot go stale. Each question names the heading of
the section that teaches it, and the check links there::

    QUESTIONS = (
        Value("zero-weights", "After pruning 30 % of a 64×32 layer by magnitude, how many weights are zero?",
              lambda: int(prune(...).zeros), "Magnitude pruning zeroes the 30 % smallest: {answer} of 2048.",
              section="Magnitude pruning"),
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

__all__ = ["Pick", "Value", "questions"]


@dataclass(frozen=True)
class Pick:
    """A multiple-choice question: ``options[correct]`` is the right one."""

    key: str  # unique on its page; the instructor's link is /page#check-{key}
    prompt: str
    options: tuple[str, ...]
    correct: int
    explain: str  # why, shown after any answer
    section: str  # the heading (H2) of the section that teaches it


@dataclass(frozen=True)
class Value:
    """A question with one answer, computed by the library when the page is opened."""

    key: str
    prompt: str | Callable[[], str]
    answer: Callable[[], float | int | str]
    explain: str  # may hold "{answer}"
    section: str
    tolerance: float = 0.0  # relative, for numbers (0: exact)
    unit: str = ""


def questions(module: ModuleType) -> tuple[Pick | Value, ...]:
    """A page's questions: its own ``QUESTIONS``, then each part's, in page order."""
    found = list(getattr(module, "QUESTIONS", ()))
    for part in getattr(module, "PARTS", ()):
        found.extend(getattr(part, "QUESTIONS", ()))
    return tuple(found)
