"""The first test to run on any new training set-up: can the network memorize one tiny batch?

A small MLP (64 → 32 → 10, ReLU) gets the same few handwritten digits at every
step and is trained with Adam. A network with a few thousand weights can store a
few dozen examples outright, so the cross-entropy must fall to about zero and the
accuracy on that batch reach 100%. If it does not, no amount of data or tuning will
help: something in the plumbing is wrong (the loss, the labels, the optimizer, the
learning rate), and it is far cheaper to find it here than after a day of training.

A second run starts from the same weights on the same batch with one thing changed,
so any difference between the two curves is caused by that change alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch._dynamo  # noqa: F401  imported by the first optimizer anyway (~1 s); here, a server pays it once
import torch.nn.functional as F
from torch import nn

from neuralab.data.datasets import load
from neuralab.nn.runtime import one_thread
from neuralab.params import SEED, Choice, Int, ParamSpec
from neuralab.progress import Progress, quiet

__all__ = ["BUGS", "MEMORIZE", "Memorize", "PASS_LOSS", "Run", "memorize", "mlp", "softmax_floor"]

N_CLASSES = 10
N_PIXELS = 64  # 8 × 8 digit images
HIDDEN = 32
LR = 1e-2  # Adam's step size for the healthy run
PASS_LOSS = 0.01  # nats: below this, with every sample right, the batch counts as memorized
_PROGRESS_EVERY = 50  # steps between progress reports

BUGS: dict[str, str] = {
    "softmax": "Softmax applied before CrossEntropyLoss (a bug)",
    "lr": "Learning rate 1000× too small (a bug)",
    "shuffled": "Labels shuffled (not a bug: nothing to learn, but still memorizable)",
}

BATCH = Int(8, 64, 32, step=8, label="Batch size", unit="samples", help="How many digits the network must memorize.")
STEPS = Int(100, 1000, 300, step=100, label="Adam steps", help="Updates on that one batch.")
BUG = Choice(tuple(BUGS.items()), default="softmax", label="Second run",
             help="The one change made to the second run; everything else is identical.")
MEMORIZE = ParamSpec("memorize", batch=BATCH, steps=STEPS, bug=BUG, seed=SEED)

#: Called as ``progress(done, total)`` while a long computation runs.



def softmax_floor(n_classes: int = N_CLASSES) -> float:
    """The lowest cross-entropy reachable when probabilities are fed to ``CrossEntropyLoss``.

    ``CrossEntropyLoss`` applies log-softmax itself. Given probabilities p ∈ [0, 1]
    instead of logits, the best case is p = 1 for the right class and 0 elsewhere,
    which still costs −1 + log(e + (C − 1)) = log(1 + (C − 1)/e) nats: the loss can
    never reach 0, and its gradient fades as the softmax saturates.
    """
    return math.log(1 + (n_classes - 1) / math.e)


def _linear(n_in: int, n_out: int, gen: torch.Generator) -> nn.Linear:
    """``nn.Linear`` with PyTorch's default initialization, drawn from ``gen`` (no global RNG)."""
    layer = nn.utils.skip_init(nn.Linear, n_in, n_out)
    with torch.no_grad():
        nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=gen)
        bound = 1 / math.sqrt(n_in)
        nn.init.uniform_(layer.bias, -bound, bound, generator=gen)
    return layer


def mlp(seed: int) -> nn.Sequential:
    """64 → 32 → 10 with ReLU; the same weights ``torch.manual_seed(seed)`` then ``nn.Linear`` would give."""
    gen = torch.Generator().manual_seed(seed)
    return nn.Sequential(_linear(N_PIXELS, HIDDEN, gen), nn.ReLU(), _linear(HIDDEN, N_CLASSES, gen))


@dataclass(frozen=True)
class Run:
    """One training run on the batch."""

    loss: np.ndarray  # (steps + 1,) cross-entropy on the batch before each step and after the last (nats)
    accuracy: np.ndarray  # (steps + 1,) share of the batch classified right, same points
    probs: np.ndarray  # (batch, 10) the trained network's class probabilities on the batch
    labels: np.ndarray  # (batch,) the targets it was trained on

    @property
    def passed(self) -> bool:
        """Memorized: final loss below ``PASS_LOSS`` and every sample right."""
        return bool(self.loss[-1] < PASS_LOSS and self.accuracy[-1] == 1.0)


@dataclass(frozen=True)
class Memorize:
    """A healthy run and a changed run from the same initial weights on the same batch."""

    batch: int  # samples in the batch
    steps: int  # Adam updates per run
    bug: str  # key of BUGS: what the second run changes
    seed: int  # picks the batch and the initial weights
    healthy: Run
    broken: Run  # the run with the change (for "shuffled" it may well pass)
    floor: float  # the lowest loss the changed run can reach in principle (nats); 0 unless the softmax bug


def _batch(batch: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """``batch`` distinct digits, pixels scaled to [0, 1], plus a shuffled copy of their labels."""
    ds = load("digits")
    rng = np.random.default_rng([seed, 3])
    idx = rng.choice(ds.n_samples, size=batch, replace=False)
    x = torch.tensor(ds.X[idx] / 16.0, dtype=torch.float32)  # (batch, 64)
    y = ds.y[idx]
    return x, torch.tensor(y), y[rng.permutation(batch)]


def _train(x: torch.Tensor, y: torch.Tensor, seed: int, steps: int, bug: str | None, report: Progress) -> Run:
    model = mlp(seed)
    lr = LR / 1000 if bug == "lr" else LR
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_log, acc_log = torch.empty(steps + 1), torch.empty(steps + 1)
    for step in range(steps + 1):
        logits = model(x)  # (batch, 10)
        if bug == "softmax":
            logits = logits.softmax(dim=1)  # the bug: CrossEntropyLoss applies log-softmax again
        loss = F.cross_entropy(logits, y)
        with torch.no_grad():
            loss_log[step] = loss
            acc_log[step] = (logits.argmax(dim=1) == y).float().mean()
        if step == steps:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % _PROGRESS_EVERY == 0:
            report(step, steps)
    with torch.no_grad():
        probs = model(x).softmax(dim=1)
    return Run(loss_log.numpy(), acc_log.numpy(), probs.numpy(), y.numpy())


def memorize(batch: int, steps: int, bug: str, seed: int, progress: Progress = quiet) -> Memorize:
    """Train the MLP on one batch of ``batch`` digits for ``steps`` Adam steps, healthy and with ``bug``.

    Deterministic: the batch comes from ``numpy.random.default_rng``, the weights from
    a private ``torch.Generator``, and the global RNGs are left alone. About 0.1 s
    per run of 300 steps on one CPU thread.

    The trap: passing says the model *can* fit and the loop *does* update; it says
    nothing about generalization (shuffled labels pass too). Failing says stop and
    debug before anything else.
    """
    MEMORIZE.validate(batch=batch, steps=steps, bug=bug, seed=seed)
    x, y, shuffled = _batch(batch, seed)
    with one_thread():
        healthy = _train(x, y, seed, steps, None, lambda d, t: progress(d, 2 * t))
        y_bug = torch.tensor(shuffled) if bug == "shuffled" else y
        broken = _train(x, y_bug, seed, steps, bug, lambda d, t: progress(t + d, 2 * t))
    return Memorize(batch, steps, bug, seed, healthy, broken, softmax_floor() if bug == "softmax" else 0.0)
