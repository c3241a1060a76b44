"""Every trained model of the lab in one table: task, parameters, training time, test score, latency.

Nothing here trains a model of its own. Each row calls the library function its page already uses, which
trains the model once per seed and keeps it on disk: the compression zoo's MLP and CNN
(:func:`neuralab.compress.zoo.load`), the 2-D autoencoder with a 5-nearest-neighbour vote on its code
(:func:`neuralab.train.autoencoder.latent`), the six networks of the winding-temperature task
(:func:`neuralab.train.sequence.thermal_model`), the reversal transformer (:func:`neuralab.train.attention.trained`)
and the RBF race on the motor torque (:func:`neuralab.train.rbf.compare`).

* **Parameters** are ``sum(p.numel())`` of the module that is timed (the autoencoder front end: its encoder only;
  the 5-NN vote also stores the training codes, which are data, not trained parameters).
* **Training time** is the wall time the page's code measured when it trained the model. The zoo and the
  autoencoder do not record it: when this module finds their model not yet on disk it times the page's own
  call that trains and stores it; when someone else trained it first, it re-measures once with the same recipe
  and seed (the copy is thrown away) and says so (:attr:`Row.timed`). Either way the number is kept by seed.
* **Latency** is torch's forward pass on one test input (``batch`` copies of it), one intra-op thread, inside
  ``torch.inference_mode``: :data:`WARMUP` calls first, then the median (and the slowest) of :data:`CALLS` timed
  calls, every model's calls taking turns in :data:`ROUNDS` rounds (a burst of other work is shared out). A
  sequence model's input is one whole test sequence: for the winding temperature one call replays a 180-step
  cycle (180 answers), not the per-sample cost a controller pays (that is on /recurrent). The RBF race keeps its
  numbers, not its networks: its rows are timed on a network of the same shape (the two-stage fit redone,
  milliseconds; an MLP of the same layers, its weights fresh), since the time of dense float arithmetic does not
  depend on the values of the weights.

Groups share a task, a split and a metric; scores compare within a group only.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from neuralab import cache
from neuralab.compress import zoo
from neuralab.compress.timings import ae_seconds, zoo_seconds
from neuralab.data.sequences import thermal_split
from neuralab.data.tokens import reversal
from neuralab.nn import rbf as rbf_nn
from neuralab.nn.models import mlp, n_params
from neuralab.nn.recurrent import ARCHS
from neuralab.nn.runtime import one_thread
from neuralab.params import Choice, Int, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.train import attention, autoencoder, rbf, sequence

__all__ = ["ARCHITECTURES", "CALLS", "GROUPS", "Row", "Table", "latency", "table", "timings"]

WARMUP = 20  # untimed calls before the timed ones (allocations, first-call paths)
CALLS = 200  # timed calls; the latency is their median
ROUNDS = 10  # the calls of every model take turns in this many rounds
SEQ_ARCHS = ("rnn", "lstm", "gru", "tcn", "attention", "mlp")  # the /recurrent page's six networks
SEQ_WIDTH = 16  # the width the /recurrent page trains them at
RBF_CENTRES, RBF_ACTIVATION = 12, "tanh"  # the /rbf-network race's defaults on the motor torque

ARCHITECTURES = ParamSpec(
    "architectures",
    arch_seed=Int(0, 4, 0, label="Seed",
                  help="Which trained copy of every model: initial weights and batch order; for the motor-torque "
                       "rows, also which operating points are drawn and held out. Each is trained once."),
    latency_batch=Choice((("1", "1 (single sample)"), ("16", "16"), ("256", "256")), default="1",
                         label="Latency batch",
                         help="Inputs per timed forward pass; the latency is for the whole call (divide by "
                              "the batch for the cost per input)."),
)

#: group -> (task, split and metric in words)
GROUPS: dict[str, str] = {
    "Digits": "8 × 8 handwritten digits, 10 classes; the same 360 test digits (split seed 0); test accuracy.",
    "Winding temperature": "Motor winding temperature from current, speed and coolant over whole simulated "
                           "drive cycles; the same held-out cycles; RMSE in kelvin (lower is better). One "
                           "latency call replays a whole 180-step cycle offline (180 answers), not the cost of one "
                           "new sample: a controller pays one cell update or one window per sample (see the "
                           "multiply-accumulates per new sample on /recurrent).",
    "Motor torque": "Motor torque from two operating-point inputs, trained below the 75th percentile of the first "
                    "input, on the simulated motor bench; RMSE in N·m on held-out points inside that range "
                    "(lower is better). Outside that range the ranking changes sharply (see /rbf-network): an "
                    "in-range score says nothing about extrapolation.",
    "Token reversal": "Reverse a sequence of 8 tokens; held-out sequences; share of tokens right.",
}


@dataclass(frozen=True)
class Row:
    """One model, measured."""

    name: str
    group: str  # a key of :data:`GROUPS`
    page: str  # the page that trains and opens it up, e.g. "/cnn"
    params: int  # sum(p.numel()) of the timed module
    train_s: float  # training wall time, seconds
    timed: str  # "at training" or "re-measured" (the model was on disk before this module first saw it)
    metric: str  # the score's name and unit
    score: float
    higher_better: bool
    latency_s: float  # median seconds of one forward pass of ``batch`` inputs
    note: str = ""  # what else the reader should know about this row
    latency_max_s: float = math.nan  # the slowest of the timed calls, seconds (on a PC: the operating system's tail)


@dataclass(frozen=True)
class Table:
    """The comparison, for one seed and one latency batch."""

    rows: tuple[Row, ...]
    seed: int
    batch: int
    calls: int  # timed calls per latency
    threads: int  # torch intra-op threads while timing (always 1)

    def group(self, name: str) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.group == name)


def latency(model: nn.Module, x: torch.Tensor, calls: int | None = None, warmup: int | None = None) -> float:
    """Median wall time in seconds of ``model(x)``: one thread, no autograd, after ``warmup`` untimed calls.

    ``calls`` and ``warmup`` default to :data:`CALLS` and :data:`WARMUP`.
    """
    return latencies([(model, x)], calls, warmup)[0]


def latencies(timed: list[tuple[nn.Module, torch.Tensor]], calls: int | None = None, warmup: int | None = None,
              rounds: int = ROUNDS) -> list[float]:
    """:func:`latency` of each ``(model, x)``, their calls interleaved in ``rounds`` rounds.

    On a shared machine a burst of someone else's work would otherwise land on whichever model was being timed
    then; taking turns spreads it over all of them, so the medians compare.
    """
    return [statistics.median(t) for t in timings(timed, calls, warmup, rounds)]


def timings(timed: list[tuple[nn.Module, torch.Tensor]], calls: int | None = None, warmup: int | None = None,
            rounds: int = ROUNDS) -> list[list[float]]:
    """Every timed call's seconds for each ``(model, x)``, interleaved as :func:`latencies` describes."""
    calls, warmup = calls or CALLS, WARMUP if warmup is None else warmup
    times: list[list[float]] = [[] for _ in timed]
    with one_thread(), torch.inference_mode():
        for model, x in timed:
            model.eval()
            for _ in range(warmup):
                model(x)
        for r in range(rounds):
            for (model, x), kept in zip(timed, times, strict=True):
                for _ in range(calls * (r + 1) // rounds - calls * r // rounds):
                    t0 = time.perf_counter()
                    model(x)
                    kept.append(time.perf_counter() - t0)
    return times


def _later(timed: list, model: nn.Module, x: torch.Tensor) -> float:
    """Queue ``model`` to be timed with every other (:func:`latencies`); its row holds NaN until then."""
    timed.append((model, x))
    return math.nan


def _batch(x1: np.ndarray | torch.Tensor, batch: int) -> torch.Tensor:
    x = torch.tensor(np.array(x1))  # a copy: the pages keep their arrays read-only
    return x.repeat(batch, *([1] * (x.dim() - 1)))  # (batch, ...) copies of the one input


# ------------------------------------------------------------------------ the rows


class CodeVote(nn.Module):
    """The autoencoder as a classifier's front end: encode to 2 numbers, then a 5-nearest-neighbour vote.

    The vote is over the codes of the training digits (a buffer, not parameters): distances by ``torch.cdist``,
    the 5 nearest by ``topk``, the most common label by ``mode``.
    """

    def __init__(self, encoder: nn.Module, codes: np.ndarray, labels: np.ndarray, k: int = 5):
        super().__init__()
        self.encoder = encoder
        self.k = k
        self.register_buffer("codes", torch.tensor(np.asarray(codes), dtype=torch.float32))  # (n_train, 2)
        self.register_buffer("labels", torch.tensor(np.asarray(labels), dtype=torch.long))  # (n_train,)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.encoder(x)  # (N, 2)
        near = torch.cdist(z, self.codes).topk(self.k, largest=False).indices  # (N, k)
        return self.labels[near].mode(dim=1).values  # (N,)


def _digits(seed: int, batch: int, timed: list, progress: Progress) -> list[Row]:
    x = _batch(zoo.data().X_test[:1].astype(np.float32), batch)  # (batch, 64) standardized pixels
    rows = []
    for i, (name, label, page) in enumerate((("mlp", "MLP 64-64-32-10", "/feedforward"),
                                             ("cnn", "CNN (8 and 16 filters)", "/cnn"))):
        seconds, how = zoo_seconds(name, seed)
        t = zoo.load(name, seed)
        rows.append(Row(label, "Digits", page, n_params(t.model), seconds, how, "test accuracy", t.accuracy, True,
                        _later(timed, t.model, x)))
        progress(i + 1, 3)
    seconds, how = ae_seconds(seed)
    lat = autoencoder.latent(seed)
    net = autoencoder.model(2, 0.0, seed)
    front = CodeVote(net.encoder, lat.train_codes, lat.train_labels)
    xa = _batch(autoencoder.digit_pixels().X_test[:1], batch)  # (batch, 64) pixels in [0, 1]
    rows.append(Row("Autoencoder code (2) + 5-NN", "Digits", "/autoencoder", n_params(front), seconds, how,
                    "test accuracy", lat.knn_ae, True, _later(timed, front, xa),
                    f"parameters count the encoder only (the decoder, trained with it, is dropped); the vote also "
                    f"stores the {lat.train_codes.size:,} code values and {len(lat.train_labels):,} labels of the "
                    "training digits; the latency is of an equivalent torch vote, the score of scikit-learn's; "
                    "two numbers per digit keep the ten classes only partly apart (the map on /autoencoder shows "
                    "where)"))
    progress(3, 3)
    return rows


def _sequences(seed: int, batch: int, timed: list, progress: Progress) -> list[Row]:
    split = thermal_split()
    x = _batch(split.x_test[:1], batch)  # (batch, steps, 3): one whole test cycle
    rows = []
    for i, arch in enumerate(SEQ_ARCHS):
        t = sequence.thermal_model(arch, SEQ_WIDTH, seed)
        m = t.model()
        rows.append(Row(ARCHS[arch].label, "Winding temperature", "/recurrent", n_params(m), t.history.seconds,
                        "at training", "test RMSE, K", t.test_rmse_k, False, _later(timed, m, x)))
        progress(i + 1, len(SEQ_ARCHS))
    return rows


def _reversal(seed: int, batch: int, timed: list) -> list[Row]:
    t = attention.trained("full", seed, attention.RECIPE)
    m = t.model()
    data = reversal(t.recipe.vocab, t.recipe.steps)
    x = _batch(data.x_test[:1], batch)  # (batch, steps) tokens
    return [Row("Transformer encoder (1 layer, 2 heads)", "Token reversal", "/attention", n_params(m), t.seconds,
                "at training", "test token accuracy", t.accuracy, True, _later(timed, m, x))]


def _torque(seed: int, batch: int, timed: list, progress: Progress) -> list[Row]:
    c = rbf.compare("motor", RBF_CENTRES, RBF_ACTIVATION, seed, progress=progress)
    race = rbf._Race.of("motor", seed)
    P, y = race.train
    two_stage = rbf_nn.fit(P, y, RBF_CENTRES, "nearest", 1.0, 1e-6, seed)
    shaped = {  # each contestant's shape, to time (see the module docstring)
        0: rbf_nn.RBFNetwork(two_stage),
        1: rbf_nn.RBFNetwork(two_stage),
        2: rbf._Scaled(mlp((2, RBF_CENTRES, 1), RBF_ACTIVATION, seed=seed), P.mean(axis=0),
                     np.where(P.std(axis=0) > 0, P.std(axis=0), 1.0)),
    }
    x = _batch(race.inside[0][:1].astype(np.float32), batch)  # (batch, 2)
    rows = []
    for i, m in enumerate(c.models):
        net = shaped[i]
        rows.append(Row(m.name, "Motor torque", "/rbf-network", n_params(net), m.train_s, "at training",
                        "test RMSE inside the range, N·m", m.rmse_inside, False, _later(timed, net, x),
                        "" if i == 0 else "the race keeps its numbers, not this network: timed on one of the "
                        "same shape"))
    return rows


def table(arch_seed: int = 0, latency_batch: str | int = "1", *, progress: Progress = quiet) -> Table:
    """Every model of the lab for ``arch_seed``, measured (minutes the first time on a machine, then kept)."""
    v = ARCHITECTURES.validate(arch_seed=arch_seed, latency_batch=str(latency_batch))
    return _table(v["arch_seed"], int(v["latency_batch"]), progress=progress)


_DEPENDS = ("neuralab.compress.zoo", "neuralab.train.attention", "neuralab.train.autoencoder", "neuralab.train.rbf",
            "neuralab.train.sequence", "neuralab.nn")


@cache.memo("architectures", depends=_DEPENDS, salt=torch.__version__)
def _table(seed: int, batch: int, *, progress: Progress = quiet) -> Table:
    n = 3 + len(SEQ_ARCHS) + 1 + 2 * rbf.CFG.epochs + 1
    timed: list[tuple[nn.Module, torch.Tensor]] = []
    rows = _digits(seed, batch, timed, lambda d, _t: progress(d, n))
    rows += _sequences(seed, batch, timed, lambda d, _t: progress(3 + d, n))
    rows += _reversal(seed, batch, timed)
    progress(4 + len(SEQ_ARCHS), n)
    rows += _torque(seed, batch, timed, lambda d, _t: progress(4 + len(SEQ_ARCHS) + d, n))
    measured = timings(timed)
    progress(n, n)
    return Table(tuple(dataclasses.replace(r, latency_s=statistics.median(s), latency_max_s=max(s))
                       for r, s in zip(rows, measured, strict=True)), seed, batch, CALLS, 1)
