"""Fault detection on the motor log by reconstruction error: an autoencoder of short three-phase windows.

The bench log of :func:`neuralab.data.motor.motor_log` (its defaults: 12 drive cycles of 1 s at 10 kHz,
glitch events at 0.002 per sample) holds frame glitches whose positions and kinds are known: spikes,
dropouts (runs of zeros) and stuck runs (the last good frame repeated). The autoencoder reads windows of
``W`` consecutive samples of the three measured phase currents (divided by the rated current, 25 A peak)
and must rebuild them through a code of ``CODE`` numbers. It is trained on the first ``TRAIN_CYCLES - 1``
cycles as they were logged, glitches included (nobody hands over a clean log), validated on the next one,
and scores the samples of the last cycles, which it never saw. The threshold's reference is the median
score of the held-out validation cycle, never of the cycles it was fitted on (those scores are in-sample,
so biased low).

The score of sample i is the squared reconstruction error at i, averaged over the three phases, in the
window centred on i (windows never cross a cycle boundary: near one, the window is shifted inside and i
is no longer at its centre). :mod:`neuralab.anomaly` flags the samples whose score passes a threshold
and scores the flags against the true glitches, as /preprocessing scores its detectors.

Why it can work: a window of healthy current is a piece of three sinusoids 120° apart with a few
harmonics, a family of far fewer than 3·W degrees of freedom, which a small code can describe. A glitch is
not in that family, so the decoder cannot draw it and the error at the glitch is large. The trap: a
dropout while the whole three-phase current is small (a light load: one phase crossing zero is not
enough, the other two are then at ±0.87 of the amplitude), or a frame stuck while the current barely
moves, is close to what the decoder draws, and no reconstruction error can see it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view

from neuralab import cache
from neuralab.data.arrays import Arrays
from neuralab.data.motor import CONSTANTS, motor_log
from neuralab.nn.autoencoder import Autoencoder
from neuralab.nn.models import load_or_train, model_path
from neuralab.params import Float, Int, ParamSpec
from neuralab.progress import Progress
from neuralab.train.loop import Config, fit

__all__ = ["ANOMALY", "FLAGS", "SWEEP", "Scores", "kept", "scores"]

CYCLES, TRAIN_CYCLES, FS = 12, 8, 10_000  # the log, the training cycles (the last of them is held out to validate)
W, STRIDE, CODE, HIDDEN = 32, 4, 6, 64  # window (samples), stride of the training windows, code, hidden units
CFG = dict(epochs=25, lr=2e-3, batch_size=128)
SEED = Int(0, 4, 0, label="Log and network seed", help="Draws the bench log, its glitches and the network.")
# The default is where F1 peaks on seed 0's held-out validation cycle (its glitches are known too); the test
# cycles play no part in it. On the slider's grid.
THRESHOLD = Float(1.0, 1000.0, round(10**2.4, 3), step=0.05, log=True, label="Threshold",
                  unit="× median held-out score",
                  help="A sample is flagged when its score exceeds this multiple of the median score of the "
                       "held-out validation cycle (logged data, glitches included, that the network was not "
                       "fitted on).")
ANOMALY = ParamSpec("ae-anomaly", log_seed=SEED)
FLAGS = ParamSpec("ae-flags", log_seed=SEED, threshold=THRESHOLD)
SWEEP = np.round(10 ** np.arange(0.0, 3.0001, 0.05), 6)  # thresholds of the precision–recall curve


def _windows(x: np.ndarray, cycles: range, n_c: int, stride: int) -> np.ndarray:
    """``(m, W, 3)`` windows of ``x`` ``(n, 3)`` inside each cycle of ``cycles``, every ``stride`` samples."""
    return np.concatenate([sliding_window_view(x[c * n_c:(c + 1) * n_c], W, axis=0)[::stride].transpose(0, 2, 1)
                           for c in cycles])


def _recipe() -> tuple:
    """Every setting that shapes the network and its scores (keys the stored model and the stored scores)."""
    return (W, STRIDE, CODE, HIDDEN, tuple(sorted(CFG.items())), CYCLES, TRAIN_CYCLES, FS)


def _path(seed: int):
    return model_path(f"ae-motor-s{seed}", {"recipe": _recipe(), "seed": seed})


def kept(seed: int) -> bool:
    """Whether the scores for ``seed`` are on disk already (the light section then answers in milliseconds)."""
    return _scored.kept(seed, _recipe())


def _currents(seed: int):
    log = motor_log(cycles=CYCLES, fs=FS, seed=seed)
    x = (np.column_stack([log.ia, log.ib, log.ic]) / CONSTANTS.i_rated_a).astype(np.float32)  # (n, 3)
    return log, x


def _model(seed: int, x: np.ndarray, n_c: int, progress: Progress | None) -> Autoencoder:
    net = Autoencoder(3 * W, HIDDEN, CODE, sigmoid=False, code_norm=False, seed=seed)
    tr = _windows(x, range(TRAIN_CYCLES - 1), n_c, STRIDE).reshape(-1, 3 * W)  # (m, 96)
    va = _windows(x, range(TRAIN_CYCLES - 1, TRAIN_CYCLES), n_c, STRIDE).reshape(-1, 3 * W)
    data = Arrays(tr, tr, va, va, va, va, "regression", 0, "motor windows")
    return load_or_train(net, _path(seed), lambda m: fit(m, data, Config(seed=seed, **CFG), progress=progress))


@torch.no_grad()
def _score(net: Autoencoder, x: np.ndarray, cycles: range, n_c: int) -> np.ndarray:
    """Per-sample score over ``cycles``: the squared error at each sample, averaged over the three phases, in the
    window centred on it (shifted inside the cycle near its ends). Units: (I / I_rated)²."""
    win = _windows(x, cycles, n_c, 1)  # (m, W, 3), m = len(cycles) · (n_c − W + 1)
    rec = net(torch.tensor(win.reshape(len(win), -1))).numpy().reshape(win.shape)  # (m, W, 3)
    err = ((rec - win) ** 2).mean(axis=2)  # (m, W)
    per = n_c - W + 1
    i = np.arange(n_c)
    start = np.clip(i - W // 2, 0, n_c - W)  # (n_c,) the window used for each sample of a cycle
    return np.concatenate([err[k * per + start, i - start] for k in range(len(cycles))])


@dataclass(frozen=True)
class Scores:
    """Every test sample's score and truth, and the measured currents they come from."""

    seed: int
    t: np.ndarray  # (n,) s, time of each test sample
    currents: np.ndarray  # (n, 3) A, measured phases a, b, c
    ia_clean: np.ndarray  # (n,) A, true phase a
    score: np.ndarray  # (n,) the autoencoder's score
    kind: np.ndarray  # (n,) int8 glitch kind (0 none, 1 spike, 2 dropout, 3 stuck)
    val_median: float  # median score of the held-out validation cycle (the threshold's reference)
    val_score: np.ndarray  # (n_c,) the validation cycle's scores
    val_kind: np.ndarray  # (n_c,) int8 its glitch kinds
    val_loss: float  # the network's validation loss (MSE on held-out training windows)
    samples_per_cycle: int  # the test samples are whole cycles of this many samples

    @property
    def truth(self) -> np.ndarray:
        return self.kind != 0

    @property
    def ia(self) -> np.ndarray:
        return self.currents[:, 0]


_SCORES: dict[tuple, Scores] = {}  # read in this process (at most one per seed)


def scores(seed: int, progress: Progress | None = None) -> Scores:
    """Train (or load) the window autoencoder of ``seed`` and score the test cycles' samples (kept on disk)."""
    key = (ANOMALY.validate(log_seed=seed)["log_seed"], _recipe())
    if key not in _SCORES:
        _SCORES[key] = _scored(*key, progress=progress)
    return _SCORES[key]


@cache.memo("motor-anomaly", depends=("neuralab.nn.autoencoder", "neuralab.data.motor", "neuralab.train.loop"),
            salt=torch.__version__)
def _scored(seed: int, _recipe: tuple, progress: Progress | None = None) -> Scores:
    log, x = _currents(seed)
    n_c = log.samples_per_cycle
    net = _model(seed, x, n_c, progress)
    sl = slice(TRAIN_CYCLES * n_c, CYCLES * n_c)
    score = _score(net, x, range(TRAIN_CYCLES, CYCLES), n_c)
    held = range(TRAIN_CYCLES - 1, TRAIN_CYCLES)  # the validation cycle: not fitted on, glitches included
    val = _score(net, x, held, n_c)
    vsl = slice((TRAIN_CYCLES - 1) * n_c, TRAIN_CYCLES * n_c)
    with torch.no_grad():
        va = _windows(x, range(TRAIN_CYCLES - 1, TRAIN_CYCLES), n_c, STRIDE).reshape(-1, 3 * W)
        val_loss = float(((net(torch.tensor(va)) - torch.tensor(va)) ** 2).mean())
    currents = np.column_stack([log.ia[sl], log.ib[sl], log.ic[sl]])
    return Scores(seed, log.t[sl], currents, log.ia_clean[sl], score, log.glitch_kind[sl], float(np.median(val)),
                  val, log.glitch_kind[vsl], val_loss, n_c)
