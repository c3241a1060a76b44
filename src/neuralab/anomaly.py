"""Faults found by an autoencoder's reconstruction error, scored against the truth as /preprocessing scores.

The scores come from :mod:`neuralab.train.motor_anomaly` (a window autoencoder of the motor's phase
currents, trained on the first cycles of the bench log). A sample is flagged when its score exceeds
``threshold`` times the median score of the held-out validation cycle (normal data the network was not
fitted on, glitches included, as logged). The flags are scored sample by sample
against the log's true glitch mask with :func:`neuralab.signal.outliers.score` (precision, recall, F1),
and set beside the Hampel detector of /preprocessing, run with its defaults on each phase (a sample
flagged on any phase counts as flagged) over the same test samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from neuralab.data.motor import GLITCH_KINDS
from neuralab.signal import outliers
from neuralab.train import motor_anomaly as ma

__all__ = ["Flags", "HAMPEL", "Sweep", "flags", "sweep"]

HAMPEL = dict(window=15, n_sigmas=3.0)  # /preprocessing's defaults


@dataclass(frozen=True)
class Sweep:
    """The autoencoder's precision and recall at every threshold of ``ma.SWEEP``, and the Hampel baseline."""

    scores: ma.Scores
    precision: np.ndarray  # (len(SWEEP),)
    recall: np.ndarray  # (len(SWEEP),)
    hampel: outliers.Score
    reach: np.ndarray  # (n,) bool, within W // 2 samples of a glitched sample (inside the window of one)
    val_best: float  # the threshold of ``ma.SWEEP`` with the best F1 on the validation cycle (test cycles unseen)


@lru_cache(maxsize=8)
def _sweep(seed: int) -> Sweep:
    s = ma.scores(seed)
    truth, n_c = s.truth, s.samples_per_cycle
    hampel = np.zeros(len(truth), dtype=bool)
    for c in range(len(truth) // n_c):  # cycle by cycle, like the windows
        part = slice(c * n_c, (c + 1) * n_c)
        for p in range(3):
            hampel[part] |= outliers.hampel(s.currents[part, p], **HAMPEL)
    swept = [outliers.score(s.score > k * s.val_median, truth) for k in ma.SWEEP]
    reach = np.convolve(truth, np.ones(ma.W // 2 * 2 + 1), mode="same") > 0
    val_f1 = [outliers.score(s.val_score > k * s.val_median, s.val_kind != 0).f1 for k in ma.SWEEP]
    return Sweep(s, np.array([x.precision for x in swept]), np.array([x.recall for x in swept]),
                 outliers.score(hampel, truth), reach, float(ma.SWEEP[int(np.argmax(val_f1))]))


def sweep(seed: int) -> Sweep:
    """The sweep for ``seed`` (whose scores must exist or are computed now: a job's work)."""
    return _sweep(ma.ANOMALY.validate(log_seed=seed)["log_seed"])


@dataclass(frozen=True)
class Flags:
    """The autoencoder's flags at one threshold, scored."""

    sweep: Sweep
    threshold: float  # multiple of the median score of the held-out validation cycle
    mask: np.ndarray  # (n,) flagged samples
    score: outliers.Score
    recall_by_kind: dict[str, tuple[int, int]]  # kind name -> (flagged, present)
    near: int  # false alarms within W // 2 samples of a glitched sample (inside the window of one)

    @property
    def scores(self) -> ma.Scores:
        return self.sweep.scores


def flags(seed: int, threshold: float) -> Flags:
    """Flag the test samples of ``seed`` whose score exceeds ``threshold`` × the median held-out score."""
    v = ma.FLAGS.validate(log_seed=seed, threshold=threshold)
    sw = _sweep(v["log_seed"])
    s = sw.scores
    mask = s.score > v["threshold"] * s.val_median
    by_kind = {GLITCH_KINDS[k]: (int((mask & (s.kind == k)).sum()), int((s.kind == k).sum())) for k in (1, 2, 3)}
    near = int((mask & ~s.truth & sw.reach).sum())
    return Flags(sw, v["threshold"], mask, outliers.score(mask, s.truth), by_kind, near)
