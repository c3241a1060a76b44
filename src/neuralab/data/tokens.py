"""Token sequences for attention: the reversal task, whose answer depends only on order.

Each example is ``steps`` tokens drawn uniformly from ``0 … vocab − 1``; the target at position t
is the token at position ``steps − 1 − t`` (the sequence read backwards). The multiset of tokens
only narrows the answer down (guessing the most frequent other token is right just under a third of the
time); to be right every time a model must know where each token stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["Reversal", "reversal"]


@dataclass(frozen=True)
class Reversal:
    """Train and test sequences of the reversal task (disjoint: no test sequence occurs in training)."""

    x_train: np.ndarray  # (n_train, steps) int64 tokens
    y_train: np.ndarray  # (n_train, steps) int64, x_train read backwards
    x_test: np.ndarray  # (n_test, steps)
    y_test: np.ndarray  # (n_test, steps)
    vocab: int

    @property
    def steps(self) -> int:
        return self.x_train.shape[1]


@lru_cache(maxsize=4)
def reversal(vocab: int = 10, steps: int = 8, n_train: int = 4000, n_test: int = 1000, seed: int = 0) -> Reversal:
    """Random sequences and their reversals; test sequences that also occur in training are redrawn."""
    rng = np.random.default_rng(seed)
    x_train = rng.integers(0, vocab, size=(n_train, steps))  # (n_train, T)
    seen = {row.tobytes() for row in x_train}
    rows: list[np.ndarray] = []
    while len(rows) < n_test:
        row = rng.integers(0, vocab, size=steps)  # (T,)
        if row.tobytes() not in seen:
            seen.add(row.tobytes())
            rows.append(row)
    x_test = np.stack(rows)  # (n_test, T)
    for a in (x_train, x_test):
        a.setflags(write=False)
    y_train, y_test = x_train[:, ::-1].copy(), x_test[:, ::-1].copy()
    for a in (y_train, y_test):
        a.setflags(write=False)
    return Reversal(x_train, y_train, x_test, y_test, vocab)
