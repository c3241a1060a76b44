"""One way to say that a run diverged: what blew up and when, what was measured then, what to change.

Every trainer of the lab (the recorded loop of :mod:`neuralab.train.loop`, the playground
engine) ends a diverged run with a sentence built here, so a learner reads the same shape
everywhere: the event, the measurement that explains it, then the fixes, most likely first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["sentence", "what_blew_up"]


def what_blew_up(loss: float, first: float, explode: float) -> str:
    """"became NaN", "became infinite", or "grew to L, over E times its starting value of F"."""
    if math.isnan(loss):
        return "became NaN"
    if math.isinf(loss):
        return "became infinite"
    return f"grew to {loss:.3g}, over {explode:g} times its starting value of {first:.3g}"


def sentence(what: str, when: str, measured: str, fixes: Sequence[str]) -> str:
    """``The training loss <what> <when>. <measured>What to change, most likely first: a; b; c.``

    ``measured`` is empty or whole sentences ending in a space; ``fixes`` are imperative phrases.
    """
    return f"The training loss {what} {when}. {measured}What to change, most likely first: {'; '.join(fixes)}."
