"""How far back a recurrent network can learn, and the gradient that decides it, measured.

* :func:`at_length` trains a vanilla RNN, an LSTM and a GRU on the adding problem of length T
  (:func:`neuralab.data.sequences.adding_problem`) with one fixed budget, and :func:`sweep` does it
  for a range of T, so the length at which each one stops beating chance is read off, not assumed.
* :func:`gradient_profiles` measures ‖∂L/∂h_t‖ at every step back from the loss (autograd, through
  :func:`neuralab.train.bptt.hidden_gradients`) for the three cells, with the vanilla RNN's ``W_hh``
  rescaled to a chosen spectral radius.
* :func:`clipping` trains one vanilla RNN with a large ``W_hh`` by plain SGD twice, without and with
  gradient-norm clipping: the first run usually diverges, and says at which update.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from neuralab import cache
from neuralab.data.sequences import Adding, adding_problem
from neuralab.nn.recurrent import RECURRENT, build, rescale_recurrent
from neuralab.nn.runtime import one_thread
from neuralab.params import Float, Int, ParamSpec
from neuralab.progress import Progress, stage
from neuralab.train.bptt import hidden_gradients
from neuralab.train.sequence import SeqConfig, SeqHistory, fit_sequence

__all__ = ["BUDGET", "CHANCE_MSE", "CLIP", "GRADIENTS", "MEMORY", "SWEEP", "THRESHOLD", "Clipped", "MemoryRun",
           "Profiles", "Sweep", "at_length", "clipping", "gradient_profiles", "largest_beating", "sweep"]

CHANCE_MSE = Adding.CHANCE_MSE  # answering 1 every time: the variance of the sum, 1/6
THRESHOLD = CHANCE_MSE / 2  # "beats chance": a test MSE below half of it (learned models sit far below)
WIDTH = 16  # hidden units of every cell
N_TRAIN, N_TEST = 1000, 500  # sequences
BUDGET = SeqConfig(epochs=30, lr=1e-2, batch=50, clip=1.0, last_only=True)  # 600 Adam updates
SWEEP = (5, 10, 20, 40, 80, 160)  # the lengths :func:`sweep` trains at
GRAD_LENGTH = 80  # steps back in :func:`gradient_profiles`
GRAD_BATCH = 16  # sequences whose median gradient norm is shown

MEMORY = ParamSpec(
    "memory",
    memory_length=Int(5, 200, 40, step=5, label="Sequence length T", unit="steps",
                      help="The two marked numbers lie up to T steps before the answer."),
    memory_seed=Int(0, 9, 0, label="Seed", help="The data, the initial weights and the batch order."),
)
GRADIENTS = ParamSpec(
    "gradients",
    memory_radius=Float(0.5, 3.0, 2.0, step=0.05, label="Spectral radius of the RNN's W_hh",
                        help="The vanilla RNN's recurrent matrix is rescaled to this largest |eigenvalue|."),
)
CLIP = ParamSpec(
    "clipping",
    memory_radius=GRADIENTS.fields["memory_radius"],
    memory_clip=Float(0.1, 10.0, 1.0, step=0.1, label="Clip the gradient norm at",
                      help="The clipped run rescales any gradient whose global norm is larger to this norm."),
)


def _targets(a: Adding) -> np.ndarray:
    """(n, T, 1) with the answer at the last step (the loss reads only that one: sequence-to-one)."""
    y = np.zeros((len(a.y), a.x.shape[1], 1), np.float32)
    y[:, -1] = a.y
    return y


@dataclass(frozen=True)
class MemoryRun:
    kind: str  # "rnn", "lstm" or "gru"
    length: int  # T
    seed: int
    val_mse: tuple[float, ...]  # per epoch, epoch 0 before training (held-out sequences)
    test_mse: float  # on N_TEST fresh sequences
    seconds: float  # wall time of the training on this machine
    diverged: str  # the trainer's sentence, or ""
    grad: tuple[float, ...]  # trained network: ‖∂L/∂h_{T−1−k}‖ of the task's loss, median over test sequences

    @property
    def beats_chance(self) -> bool:
        return self.test_mse < THRESHOLD


@cache.memo("recurrent-memory", depends=("neuralab.train.sequence", "neuralab.nn.recurrent",
                                         "neuralab.data.sequences"), salt=torch.__version__)
def _run(kind: str, length: int, seed: int, *, progress: Progress | None = None) -> MemoryRun:
    train, val, test = (adding_problem(n, length, 3 * seed + i) for i, n in enumerate((N_TRAIN, N_TEST, N_TEST)))
    model = build(kind, 2, WIDTH, 1, seed)
    t0 = time.perf_counter()
    hist: SeqHistory = fit_sequence(model, train.x, _targets(train), val.x, _targets(val),
                                    SeqConfig(**{**BUDGET.__dict__, "seed": seed}), progress=progress)
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        pred = model(torch.as_tensor(test.x))[:, -1].numpy()
    xs, ys = torch.as_tensor(test.x[:GRAD_BATCH]), torch.as_tensor(test.y[:GRAD_BATCH])
    grad = hidden_gradients(model.rnn, xs, lambda h: torch.nn.functional.mse_loss(model.head(h), ys))
    return MemoryRun(kind, length, seed, tuple(hist.val_loss), float(np.mean((pred - test.y) ** 2)), seconds,
                     hist.diverged, tuple(float(g) for g in grad))


def at_length(length: int, seed: int = 0, *, progress: Progress | None = None) -> dict[str, MemoryRun]:
    """The three cells trained on the adding problem of length ``length`` (memoised on disk)."""
    MEMORY.validate(memory_length=length, memory_seed=seed)
    e = BUDGET.epochs
    return {k: _run(k, int(length), int(seed), progress=stage(progress, i * e, len(RECURRENT) * e))
            for i, k in enumerate(RECURRENT)}


@dataclass(frozen=True)
class Sweep:
    lengths: tuple[int, ...]
    test_mse: dict[str, tuple[float, ...]]  # kind -> one per length
    seed: int

    def largest(self, kind: str) -> int:
        """The largest T of the sweep at which ``kind`` beat chance (0 if at none)."""
        return largest_beating(self.lengths, self.test_mse[kind])


def largest_beating(lengths: tuple[int, ...], mses: tuple[float, ...]) -> int:
    """The largest length whose test MSE is below :data:`THRESHOLD` (0 if none)."""
    won = [t for t, m in zip(lengths, mses, strict=True) if m < THRESHOLD]
    return max(won, default=0)


def sweep(seed: int = 0, lengths: tuple[int, ...] = SWEEP, *, progress: Progress | None = None) -> Sweep:
    """Test MSE of the three cells at every length of ``lengths`` (each run memoised, shared with :func:`at_length`)."""
    n = len(lengths)
    runs = [at_length(t, seed, progress=stage(progress, i * 3 * BUDGET.epochs, n * 3 * BUDGET.epochs))
            for i, t in enumerate(lengths)]
    return Sweep(tuple(lengths), {k: tuple(r[k].test_mse for r in runs) for k in RECURRENT}, seed)


@dataclass(frozen=True)
class Profiles:
    radius: float  # the vanilla RNN's spectral radius of W_hh
    length: int
    norms: dict[str, np.ndarray]  # kind -> (length,) ‖∂L/∂h_{T−1−k}‖, median over the batch, k = 0 … T−1
    singular: float  # the vanilla RNN's largest singular value of W_hh




def _inputs(seed: int) -> torch.Tensor:
    return torch.as_tensor(adding_problem(GRAD_BATCH, GRAD_LENGTH, 100 + seed).x)


@lru_cache(maxsize=16)
@one_thread()
def _gated(seed: int) -> dict[str, np.ndarray]:
    """The LSTM's and GRU's profiles: they do not depend on the RNN's radius, so they are computed once."""
    return {k: hidden_gradients(build(k, 2, WIDTH, 1, seed).rnn, _inputs(seed)) for k in ("lstm", "gru")}


@lru_cache(maxsize=64)
@one_thread()
def gradient_profiles(radius: float, seed: int = 0) -> Profiles:
    """‖∂L/∂h_t‖ back through time for fresh (untrained) cells on adding-problem inputs; RNN at ``radius``.

    The loss is half the squared norm of the last hidden state, so the profile shows what reaches
    each earlier step from one loss at the end. LSTM and GRU keep torch's default initialisation.
    """
    GRADIENTS.validate(memory_radius=radius)
    m = build("rnn", 2, WIDTH, 1, seed)
    rescale_recurrent(m, radius)
    singular = float(torch.linalg.matrix_norm(m.rnn.weight_hh_l0.detach(), ord=2))
    norms = {"rnn": hidden_gradients(m.rnn, _inputs(seed)), **_gated(seed)}
    return Profiles(float(radius), GRAD_LENGTH, norms, singular)


@dataclass(frozen=True)
class Clipped:
    radius: float
    clip: float
    lr: float
    off: SeqHistory  # no clipping
    on: SeqHistory  # clipped at ``clip``


CLIP_LENGTH, CLIP_LR, CLIP_EPOCHS = 50, 0.1, 10


@cache.memo("recurrent-clip", depends=("neuralab.train.sequence", "neuralab.nn.recurrent",
                                       "neuralab.data.sequences"), salt=torch.__version__)
def _clipping(radius: float, clip: float, *, progress: Progress | None = None) -> Clipped:
    train, val = adding_problem(500, CLIP_LENGTH, 0), adding_problem(200, CLIP_LENGTH, 1)
    runs = []
    for i, c in enumerate((0.0, clip)):
        m = build("rnn", 2, WIDTH, 1, 0)
        rescale_recurrent(m, radius)
        cfg = SeqConfig(epochs=CLIP_EPOCHS, lr=CLIP_LR, batch=25, clip=c, last_only=True, optimizer="sgd",
                        explode=100.0)
        runs.append(fit_sequence(m, train.x, _targets(train), val.x, _targets(val), cfg,
                                 progress=stage(progress, i * CLIP_EPOCHS, 2 * CLIP_EPOCHS)))
    return Clipped(radius, clip, CLIP_LR, runs[0], runs[1])


def clipping(radius: float, clip: float, *, progress: Progress | None = None) -> Clipped:
    """A vanilla RNN at spectral radius ``radius`` trained by SGD (lr 0.1) without clipping and clipped at ``clip``."""
    CLIP.validate(memory_radius=radius, memory_clip=clip)
    return _clipping(float(radius), float(clip), progress=progress)
