"""A 1-D CNN trained to find the spikes in a simulated motor current, against the lab's Hampel filter.

The bench log (:func:`neuralab.data.motor.motor_log`, 12 drive cycles of 1 s at 10 kHz) marks every injected
glitch. The detector (:func:`neuralab.nn.spike_cnn.spike_cnn`) reads phase a's current as the simulated sensor
gives it, scaled by the ADC's full scale, and answers for each sample whether it is a spike
(``glitch_kind == 1``). It trains on cycles 0–7 with full-batch Adam and a class weight (spikes are a few samples
in a thousand), and is scored on cycles 8–11 against the Hampel filter of /preprocessing with its default window
and threshold. The threshold on the spike probability is also chosen on the training cycles
(:attr:`Detector.threshold`), so one score is free of any tuning on the test cycles.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from neuralab import cache
from neuralab.data.motor import CONSTANTS, motor_log
from neuralab.nn.models import TRAINING_CODE, n_params
from neuralab.nn.runtime import one_thread
from neuralab.nn.spike_cnn import spike_cnn
from neuralab.params import Float, Int, ParamSpec
from neuralab.signal.outliers import hampel

__all__ = ["FUNDAMENTAL_HZ", "SPIKES", "THRESHOLDS", "Detector", "Window", "hampel_noise_rate", "kept", "scores",
           "train", "window"]

LOG = dict(cycles=12, seconds=1.0, fs=10000, glitch_rate=0.002, seed=0)  # the bench log it learns from
TRAIN_CYCLES = 8  # cycles 0–7 train, the rest test
CHANNELS, TAPS, STEPS, LR = 4, 9, 400, 0.02
WIDTH = 400  # samples in the shown window (40 ms)
PARAMS = n_params(spike_cnn(CHANNELS, TAPS))
FUNDAMENTAL_HZ = CONSTANTS.pole_pairs * CONSTANTS.speed_rated_rpm / 60  # the current's fundamental at rated speed
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))  # 0.05 … 0.95, the slider's stops

SPIKES = ParamSpec(
    "cnn-spikes",
    spike_cycle=Int(TRAIN_CYCLES, LOG["cycles"] - 1, TRAIN_CYCLES, label="Test cycle"),
    spike_start=Int(0, int(LOG["seconds"] * LOG["fs"]) - WIDTH, 8200, step=200, unit="samples",
                    label="Window start", help="Where the 40 ms window starts in the cycle."),
    spike_threshold=Float(THRESHOLDS[0], THRESHOLDS[-1], 0.5, step=0.05, label="Threshold",
                          help="A sample whose spike probability exceeds this is flagged."),
)


@dataclass(frozen=True)
class Detector:
    """The trained detector's weights and its answers on the test cycles."""

    w1: np.ndarray  # (C, k) the first layer's FIR taps
    b1: np.ndarray  # (C,)
    w2: np.ndarray  # (C,) how much each filter's output counts toward the logit
    b2: float
    prob: np.ndarray  # (cycles − TRAIN_CYCLES, T) spike probability of every test sample
    current: np.ndarray  # (cycles − TRAIN_CYCLES, T) A, phase a's current as sensed
    spike: np.ndarray  # (cycles − TRAIN_CYCLES, T) bool, the truth
    other: np.ndarray  # (cycles − TRAIN_CYCLES, T) bool, the other glitches (dropouts, stuck runs)
    hampel: np.ndarray  # (cycles − TRAIN_CYCLES, T) bool, the Hampel filter's flags
    params: int
    seconds: float  # wall time of the training, when it was first trained
    fs: int
    threshold: float  # of THRESHOLDS, the one with the best F1 score on the training cycles
    hampel_noise: float  # share of samples of pure Gaussian noise the Hampel filter flags (its false-alarm rate)


def _data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Phase a's sensed current, where the spikes are, where the other glitches are: (cycles, T) each."""
    log = motor_log(**LOG)
    shape = (LOG["cycles"], log.samples_per_cycle)
    kind = log.glitch_kind.reshape(shape)
    return log.ia.reshape(shape), kind == 1, kind > 1


@cache.memo("cnn-spikes", depends=(*TRAINING_CODE, "neuralab.nn.spike_cnn", "neuralab.data.motor",
                                   "neuralab.signal.outliers"), salt=torch.__version__)
def _train(seed: int) -> Detector:
    current, spike, other = _data()
    x = torch.tensor(current / CONSTANTS.full_scale_a, dtype=torch.float32)[:, None]  # (cycles, 1, T)
    y = torch.tensor(spike, dtype=torch.float32)[:, None]  # (cycles, 1, T)
    model = spike_cnn(CHANNELS, TAPS, seed)
    weight = torch.tensor((1 - spike[:TRAIN_CYCLES].mean()) / spike[:TRAIN_CYCLES].mean())  # negatives per spike
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    t0 = time.perf_counter()
    with one_thread():
        for _ in range(STEPS):  # full batch: the eight training cycles at once
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(model(x[:TRAIN_CYCLES]), y[:TRAIN_CYCLES], pos_weight=weight)
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - t0
        with torch.no_grad():
            prob = torch.sigmoid(model(x))[:, 0].double().numpy()  # (cycles, T)
    fit, truth = prob[:TRAIN_CYCLES], spike[:TRAIN_CYCLES]
    best = max(THRESHOLDS, key=lambda t: (_f1(fit > t, truth), -abs(t - 0.5)))  # a tie goes to the middle
    prob = prob[TRAIN_CYCLES:]  # (test cycles, T)
    test = current[TRAIN_CYCLES:]
    conv1, conv2 = model[0], model[2]
    return Detector(conv1.weight.detach().double().numpy()[:, 0], conv1.bias.detach().double().numpy(),
                    conv2.weight.detach().double().numpy()[0, :, 0], float(conv2.bias.detach()), prob, test,
                    spike[TRAIN_CYCLES:], other[TRAIN_CYCLES:], np.vstack([hampel(c) for c in test]), n_params(model),
                    seconds, LOG["fs"], best, hampel_noise_rate())


def hampel_noise_rate(n: int = 40_000, seed: int = 0) -> float:
    """Share of ``n`` samples of seeded white Gaussian noise that the default Hampel filter flags.

    Not the 0.27 % of a 3 σ Gaussian tail: the median and MAD of a 15-sample window are noisy estimates.
    """
    return float(hampel(np.random.default_rng(seed).normal(size=n)).mean())


def _f1(flags: np.ndarray, truth: np.ndarray) -> float:
    p, r, *_ = scores(flags, truth)
    return 2 * p * r / (p + r) if p + r else 0.0


def train(seed: int = 0) -> Detector:
    """The detector trained on cycles 0–7 (seconds the first time) with every test sample scored; kept on disk."""
    return _train(int(seed))


def kept(seed: int = 0) -> bool:
    """The detector for ``seed`` is trained and on disk already."""
    return _train.kept(int(seed))


def scores(flags: np.ndarray, truth: np.ndarray) -> tuple[float, float, int, int, int]:
    """(precision, recall, true positives, false positives, missed) of boolean ``flags`` against ``truth``."""
    tp = int((flags & truth).sum())
    fp = int((flags & ~truth).sum())
    fn = int((~flags & truth).sum())
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), tp, fp, fn


@dataclass(frozen=True)
class Window:
    """A stretch of one test cycle with the detector's answer, and both detectors' scores on every test cycle."""

    det: Detector
    cycle: int
    start: int
    threshold: float
    t_ms: np.ndarray  # (WIDTH,) ms since the start of the cycle
    current: np.ndarray  # (WIDTH,) A
    prob: np.ndarray  # (WIDTH,)
    spike: np.ndarray  # (WIDTH,) bool
    hampel: np.ndarray  # (WIDTH,) bool
    cnn_scores: tuple[float, float, int, int, int]  # on all test cycles, at the threshold
    chosen_scores: tuple[float, float, int, int, int]  # on all test cycles, at the threshold chosen in training
    hampel_scores: tuple[float, float, int, int, int]
    hampel_other: int  # Hampel's false alarms that fall on another kind of glitch


def window(det: Detector, spike_cycle: int, spike_start: int, spike_threshold: float) -> Window:
    """The window of ``WIDTH`` samples from ``spike_start`` in test cycle ``spike_cycle``, at a threshold."""
    v = SPIKES.validate(spike_cycle=spike_cycle, spike_start=spike_start, spike_threshold=spike_threshold)
    i, s, thr = v["spike_cycle"] - TRAIN_CYCLES, v["spike_start"], v["spike_threshold"]
    sl = slice(s, s + WIDTH)
    return Window(det, v["spike_cycle"], s, thr, np.arange(s, s + WIDTH) / det.fs * 1e3, det.current[i, sl],
                  det.prob[i, sl], det.spike[i, sl], det.hampel[i, sl], scores(det.prob > thr, det.spike),
                  scores(det.prob > det.threshold, det.spike), scores(det.hampel, det.spike),
                  int((det.hampel & det.other).sum()))
