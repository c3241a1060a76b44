"""Which output layer goes with which loss, and what the classic mismatches do to a real training run.

* :data:`PAIRINGS`: the right pairing per task (regression, binary, multi-class, multi-label).
* :func:`mistake_run`: one mistake trained against the correct pairing, same data, same initial
  weights, same optimizer and steps; the loss, the gradient at the output layer and the train
  accuracy are recorded at every step, the test score at the end. Kept on disk (:func:`neuralab.cache.memo`).
* :func:`gradient_curve`: the gradient of both losses with respect to one output as that output
  moves, by autograd on a grid (the "vanishing gradient when confidently wrong" picture).
* :func:`huber_sweep`: the constant that minimises MSE, MAE and Huber(δ) on a skewed sample:
  the mean, the median, and in between for Huber.
* :func:`ce_logit_gradient`, :func:`double_softmax_floor`, :func:`sigmoid_bce_floor`: small exact figures.

The gradient norm recorded is the mean, over the samples, of the norm of one sample's loss gradient
with respect to that sample's output vector (the last linear layer's output, before any activation
the mistake adds). It does not depend on the batch size, so runs can be compared directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import minimize_scalar
from torch import nn

from neuralab import cache
from neuralab.checks import fail
from neuralab.data.datasets import load
from neuralab.params import Choice, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet

__all__ = ["HUBER", "LOSS", "MISTAKES", "OPTIMIZERS", "PAIRINGS", "RUN", "GradientCurve", "HuberSweep", "Mistake",
           "MistakeRun", "Pairing", "Run", "Skew", "ce_logit_gradient", "double_softmax_floor", "first_step",
           "gradient_curve", "huber_estimate", "huber_sweep", "mistake_run", "settle_times", "sigmoid_bce_floor"]


@dataclass(frozen=True)
class Pairing:
    task: str  # what is predicted
    output: str  # what the last layer emits
    loss: str  # the torch loss that goes with it
    note: str  # what the loss assumes or estimates


PAIRINGS: tuple[Pairing, ...] = (
    Pairing("Regression (a number)", "one linear output, no activation", "MSELoss",
            "fits the conditional mean; large errors weigh quadratically"),
    Pairing("Regression (a number)", "one linear output, no activation", "L1Loss (MAE)",
            "fits the conditional median; every error pulls with the same force"),
    Pairing("Regression (a number)", "one linear output, no activation", "HuberLoss(delta=δ)",
            "quadratic for errors below δ, linear above: between median and mean"),
    Pairing("Binary (yes / no)", "one logit", "BCEWithLogitsLoss",
            "applies the sigmoid inside, stably; predict with logit > 0"),
    Pairing("Multi-class (exactly one of K)", "K logits", "CrossEntropyLoss",
            "applies log-softmax inside; takes class indices; predict with argmax"),
    Pairing("Multi-label (any of K)", "K logits", "BCEWithLogitsLoss",
            "one independent sigmoid per label; targets are a 0/1 matrix"),
)


@dataclass(frozen=True)
class Mistake:
    title: str  # the option's label
    wrong: str  # the wrong pipeline, short
    right: str  # the correct one, short
    data: str  # "digits", "cancer" or "settle"


MISTAKES: dict[str, Mistake] = {
    "double_softmax": Mistake("Softmax before CrossEntropyLoss", "softmax, then CrossEntropyLoss",
                              "logits into CrossEntropyLoss", "digits"),
    "sigmoid_bce": Mistake("Sigmoid, then BCEWithLogitsLoss", "sigmoid, then BCEWithLogitsLoss",
                           "logit into BCEWithLogitsLoss", "cancer"),
    "mse_probs": Mistake("MSE on class probabilities", "softmax, then squared error against one-hot",
                         "logits into CrossEntropyLoss", "digits"),
    "mae_skewed": Mistake("MAE on a skewed target", "L1Loss (MAE)", "MSELoss", "settle"),
}
OPTIMIZERS = {"sgd": "SGD, momentum 0.9, learning rate 0.1", "adam": "Adam, learning rate 0.01"}

_SEED = Int(0, 9, 0, label="Seed", help="The train/test split, the initial weights and the settle-time sample.")
RUN = ParamSpec(
    "loss-run",
    loss_mistake=Choice.of(MISTAKES, "double_softmax", label="Mistake", title=lambda m: m.title,
                           help="The mismatched pairing trained against the correct one."),
    loss_optimizer=Choice(tuple(OPTIMIZERS.items()), "sgd", label="Optimizer",
                          help="Both runs use it; Adam rescales each gradient, SGD steps in proportion to it."),
    loss_steps=Int(100, 600, 300, step=50, label="Steps", unit="steps", help="Full-batch updates of each run."),
    loss_seed=_SEED,
)
HUBER = ParamSpec(
    "loss-huber",
    loss_delta=Float(0.01, 100.0, 10.0, step=0.05, log=True, label="Huber δ", unit="ms",
                     help="Where the Huber loss turns from quadratic to linear."),
    loss_seed=_SEED,
)
LOSS = ParamSpec.merge("loss", RUN, HUBER)
HIDDEN = 32  # width of the one hidden layer of every run


# ---------------------------------------------------------------------------------------------- exact figures


def ce_logit_gradient(logits: tuple[float, ...], target: int) -> np.ndarray:
    """d CrossEntropyLoss / d logits for one sample, by autograd; equals ``softmax(logits) - onehot(target)``."""
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1 or not 2 <= z.size <= 1000 or not np.isfinite(z).all():
        raise fail(f"logits must be 2 to 1000 finite numbers; got {z.size} values.")
    if not isinstance(target, int | np.integer) or not 0 <= target < z.size:
        raise fail(f"target must be a class index from 0 to {z.size - 1}; got {target!r:.40}.")
    zt = torch.tensor(z, requires_grad=True)
    F.cross_entropy(zt[None], torch.tensor([int(target)])).backward()
    return zt.grad.numpy()


def double_softmax_floor(k: int) -> float:
    """The lowest loss of CrossEntropyLoss fed probabilities over ``k`` classes: ``log(e + k - 1) - 1``.

    The probabilities lie in [0, 1], so the best the loss's own softmax can reach puts ``e`` against
    ``k - 1`` ones: its top probability is at most ``e / (e + k - 1)``.
    """
    if not isinstance(k, int | np.integer) or not 2 <= k <= 10_000:
        raise fail(f"k (the number of classes) must be a whole number from 2 to 10000; got {k!r:.40}.")
    return math.log(math.e + k - 1) - 1


def sigmoid_bce_floor(positive_share: float) -> float:
    """The lowest BCEWithLogitsLoss when its input is already a sigmoid output s in (0, 1).

    The loss reads s as a logit: its probability σ(s) stays in (0.5, σ(1)), so a positive sample
    costs at least −log σ(1) and a negative one more than log 2.
    """
    if not 0.0 <= positive_share <= 1.0:
        raise fail(f"positive_share must be between 0 and 1; got {positive_share!r:.40}.")
    pos = -math.log(1 / (1 + math.exp(-1)))
    return positive_share * pos + (1 - positive_share) * math.log(2)


# ---------------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Skew:
    """The skewed regression set: settle time of a speed loop after a load step, at five load levels."""

    level: np.ndarray  # (n,) load level of each sample, % of rated
    y: np.ndarray  # (n,) settle time, ms
    levels: np.ndarray  # (5,) the load levels, %
    mean: np.ndarray  # (5,) mean settle time per level (training samples), ms
    median: np.ndarray  # (5,) median per level (training samples), ms


LEVELS = np.array([20.0, 40.0, 60.0, 80.0, 100.0])  # % of rated load
PER_LEVEL = 200


def settle_times(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(load level %, settle time ms): ``(4 + 0.15 · level) · lognormal(0, 0.8)``, 200 steps per level.

    A synthetic stand-in for a bench log: most load steps settle quickly, a few take several
    times longer (a long right tail), so each level's mean lies well above its median.
    """
    rng = np.random.default_rng([seed, 15])
    level = np.repeat(LEVELS, PER_LEVEL)
    return level, (4.0 + 0.15 * level) * rng.lognormal(0.0, 0.8, level.size)


def _split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    cut = int(0.8 * n)
    return np.sort(order[:cut]), np.sort(order[cut:])


def _standard(x: np.ndarray, train: np.ndarray) -> np.ndarray:
    mu, sd = x[train].mean(0), x[train].std(0)
    return (x - mu) / np.where(sd > 0, sd, 1.0)


def _data(name: str, seed: int) -> tuple:
    """(x_train, y_train, x_test, y_test, outputs, extra) as tensors for one of the runs' data sets."""
    if name == "settle":
        level, y = settle_times(seed)
        tr, te = _split(y.size, seed)
        x = _standard(level[:, None], tr)
        scale = float(y[tr].std())
        t = torch.tensor(x, dtype=torch.float32)
        yt = torch.tensor(y / scale, dtype=torch.float32)
        return t[tr], yt[tr], t[te], yt[te], 1, (level, y, tr, te, scale)
    ds = load(name)
    tr, te = _split(ds.n_samples, seed)
    t = torch.tensor(_standard(ds.X, tr), dtype=torch.float32)
    yt = torch.tensor(ds.y, dtype=torch.int64)
    k = ds.n_classes if ds.n_classes > 2 else 1
    return t[tr], yt[tr], t[te], yt[te], k, None


# ---------------------------------------------------------------------------------------------- the runs


@dataclass(frozen=True)
class Run:
    label: str  # the pipeline, e.g. "softmax, then CrossEntropyLoss"
    loss: np.ndarray  # (steps,) training loss before each update
    grad_norm: np.ndarray  # (steps,) mean per-sample norm of d loss / d output
    train_score: np.ndarray  # (steps,) train accuracy (classification) or train MAE in ms (regression)
    test_score: float  # test accuracy, or the mean test error (prediction − target) in ms
    prediction: np.ndarray  # (5,) predicted settle time per load level, ms (regression); empty otherwise


@dataclass(frozen=True)
class MistakeRun:
    mistake: str
    optimizer: str
    steps: int
    seed: int
    wrong: Run
    right: Run
    dataset: str  # what was trained on, one line
    classification: bool
    floor: float  # the wrong pairing's lowest reachable loss (nan when it has none)
    skew: Skew | None  # the regression data's per-level mean and median (mae_skewed only)
    curve: GradientCurve  # one sample's gradient against its output, both pairings (:func:`gradient_curve`)


def _loss(mistake: str, wrong: bool, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The loss of one pipeline: ``out`` is the last linear layer's output (N, k)."""
    if mistake == "mae_skewed":
        return F.l1_loss(out[:, 0], y) if wrong else F.mse_loss(out[:, 0], y)
    if mistake == "sigmoid_bce":
        z = out[:, 0]
        return F.binary_cross_entropy_with_logits(torch.sigmoid(z) if wrong else z, y.float())
    if not wrong:
        return F.cross_entropy(out, y)
    if mistake == "double_softmax":
        return F.cross_entropy(out.softmax(dim=1), y)
    p = out.softmax(dim=1)  # mse_probs: squared error summed over classes (the Brier score), mean over samples
    return ((p - F.one_hot(y, out.shape[1]).float()) ** 2).sum(dim=1).mean()


def _score(out: torch.Tensor, y: torch.Tensor, regression_scale: float | None) -> float:
    if regression_scale is not None:
        return float((out[:, 0] - y).abs().mean()) * regression_scale
    if out.shape[1] == 1:
        return float(((out[:, 0] > 0) == y.bool()).float().mean())
    return float((out.argmax(dim=1) == y).float().mean())


def _train(mistake: str, wrong: bool, optimizer: str, steps: int, seed: int, data: tuple,
           progress: Progress) -> Run:
    x_tr, y_tr, x_te, y_te, k, extra = data
    scale = extra[4] if extra is not None else None
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(x_tr.shape[1], HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, k))
    opt = (torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9) if optimizer == "sgd"
           else torch.optim.Adam(model.parameters(), lr=0.01))
    losses, grads, scores = np.empty(steps), np.empty(steps), np.empty(steps)
    n = len(y_tr)
    for step in range(steps):
        out = model(x_tr)  # (n, k)
        out.retain_grad()
        loss = _loss(mistake, wrong, out, y_tr)
        opt.zero_grad()
        loss.backward()
        losses[step] = loss.item()
        grads[step] = float((out.grad * n).norm(dim=1).mean())  # per-sample gradient: the mean's times n
        scores[step] = _score(out.detach(), y_tr, scale)
        opt.step()
        if step % 25 == 24:
            progress(step + 1, steps)
    with torch.no_grad():
        out = model(x_te)
        if scale is None:
            test, pred = _score(out, y_te, None), np.empty(0)
        else:
            test = float((out[:, 0] - y_te).mean()) * scale
            lv = torch.tensor(((LEVELS - extra[0][extra[2]].mean()) / extra[0][extra[2]].std())[:, None],
                              dtype=torch.float32)
            pred = model(lv)[:, 0].numpy().astype(np.float64) * scale
    label = MISTAKES[mistake].wrong if wrong else MISTAKES[mistake].right
    return Run(label, losses, grads, scores, test, pred)


DATASETS_LINE = {
    "digits": "handwritten digits (1,797 images of 8×8 pixels, 10 classes; {n} for training)",
    "cancer": "breast cancer (569 tumours, 30 features, 2 classes; {n} for training)",
    "settle": "settle times after a load step (1,000 steps at five load levels, long right tail; {n} for training)",
}


@cache.memo("fundamentals-loss", depends=("neuralab.data.datasets",), salt=torch.__version__)
def _mistake_run(mistake: str, optimizer: str, steps: int, seed: int, *, progress: Progress = quiet) -> MistakeRun:
    name = MISTAKES[mistake].data
    data = _data(name, seed)
    wrong = _train(mistake, True, optimizer, steps, seed, data, lambda d, t: progress(d, 2 * t))
    right = _train(mistake, False, optimizer, steps, seed, data, lambda d, t: progress(t + d, 2 * t))
    floor, skew = math.nan, None
    if mistake == "double_softmax":
        floor = double_softmax_floor(data[4])
    elif mistake == "sigmoid_bce":
        floor = sigmoid_bce_floor(float(data[1].float().mean()))
    elif mistake == "mae_skewed":
        level, y, tr, _, _ = data[5]
        skew = Skew(level, y, LEVELS.copy(), np.array([y[tr][level[tr] == v].mean() for v in LEVELS]),
                    np.array([np.median(y[tr][level[tr] == v]) for v in LEVELS]))
    return MistakeRun(mistake, optimizer, steps, seed, wrong, right,
                      DATASETS_LINE[name].format(n=f"{len(data[1]):,}"), mistake != "mae_skewed", floor, skew,
                      gradient_curve(mistake, max(data[4], 2)))


def mistake_run(mistake: str = "double_softmax", optimizer: str = "sgd", steps: int = 300, seed: int = 0, *,
                progress: Progress | None = None) -> MistakeRun:
    """Train the mistake and the correct pairing (same data, initial weights, optimizer and steps).

    Args:
        mistake: a key of :data:`MISTAKES`.
        optimizer: ``"sgd"`` (momentum 0.9, learning rate 0.1) or ``"adam"`` (learning rate 0.01).
        steps: full-batch updates of each run.
        seed: the 80/20 train/test split and the initial weights.
    """
    v = LOSS.validate(loss_mistake=mistake, loss_optimizer=optimizer, loss_steps=steps, loss_seed=seed)
    return _mistake_run(v["loss_mistake"], v["loss_optimizer"], v["loss_steps"], v["loss_seed"],
                        progress=progress or quiet)


# ---------------------------------------------------------------------------------------------- gradient curves


@dataclass(frozen=True)
class GradientCurve:
    x: np.ndarray  # (m,) the output being moved
    wrong: np.ndarray  # (m,) d loss / d x of the wrong pairing
    right: np.ndarray  # (m,) d loss / d x of the correct pairing
    x_label: str  # what x is
    setting: str  # the sample the curve is computed for, one clause


@lru_cache(maxsize=8)
def gradient_curve(mistake: str = "double_softmax", k: int = 10) -> GradientCurve:
    """d loss / d output of one sample for both pipelines, by autograd, as that output moves.

    Classification: the true class's logit from −10 to 10 (the other ``k − 1`` logits at 0, or the
    one logit of a binary problem, target positive). Regression: the prediction minus the target.
    """
    LOSS.validate(loss_mistake=mistake)
    if mistake == "mae_skewed":
        r = torch.linspace(-3, 3, 241, dtype=torch.float64)
        grads = []
        for wrong in (True, False):
            p = r.clone().requires_grad_(True)
            (F.l1_loss(p, torch.zeros_like(p), reduction="sum") if wrong
             else F.mse_loss(p, torch.zeros_like(p), reduction="sum")).backward()
            grads.append(p.grad.numpy().copy())
        return GradientCurve(r.numpy(), grads[0], grads[1], "prediction − target",
                             "one sample, any target")
    z = torch.linspace(-10, 10, 201, dtype=torch.float64)
    grads = []
    for wrong in (True, False):
        zt = z.clone().requires_grad_(True)
        if mistake == "sigmoid_bce":
            out = zt[:, None]
            y = torch.ones(z.numel(), dtype=torch.int64)
        else:
            out = torch.cat([zt[:, None], torch.zeros(z.numel(), k - 1, dtype=torch.float64)], dim=1)
            y = torch.zeros(z.numel(), dtype=torch.int64)
        (_loss(mistake, wrong, out, y) * z.numel()).backward()  # the sum: one sample's gradient per entry
        grads.append(zt.grad.numpy().copy())
    setting = ("one logit, target positive" if mistake == "sigmoid_bce"
               else f"true class's logit moved, the other {k - 1} at 0")
    return GradientCurve(z.numpy(), grads[0], grads[1], "logit of the true class", setting)


# ---------------------------------------------------------------------------------------------- Huber's δ


def huber_estimate(y: np.ndarray, delta: float) -> float:
    """The constant c that minimises ``Σ huber_δ(y − c)`` (torch's HuberLoss): convex, found by bounded search."""
    y = np.asarray(y, dtype=np.float64)
    if not math.isfinite(delta) or delta <= 0:
        raise fail(f"delta must be a positive number; got {delta!r:.40}.")

    def cost(c: float) -> float:
        r = np.abs(y - c)
        return float(np.where(r < delta, 0.5 * r**2, delta * (r - 0.5 * delta)).sum())

    return float(minimize_scalar(cost, bounds=(y.min(), y.max()), method="bounded",
                                 options={"xatol": 1e-6 * (y.max() - y.min() + 1e-12)}).x)


@dataclass(frozen=True)
class HuberSweep:
    y: np.ndarray  # (n,) settle times at the highest load level, ms
    level: float  # that level, %
    mean: float  # ms: what MSE estimates
    median: float  # ms: what MAE estimates
    deltas: np.ndarray  # (m,) δ, ms
    estimates: np.ndarray  # (m,) the Huber estimate for each δ, ms
    delta: float  # the chosen δ, ms
    estimate: float  # its estimate, ms


_DELTAS = np.logspace(-2, 2, 41)


@lru_cache(maxsize=64)
def huber_sweep(delta: float = 10.0, seed: int = 0) -> HuberSweep:
    """What MSE, MAE and Huber(δ) each fit as one constant to the settle times at full load."""
    v = LOSS.validate(loss_delta=delta, loss_seed=seed)
    level, y = settle_times(v["loss_seed"])
    y = y[level == LEVELS[-1]]
    est = np.array([huber_estimate(y, d) for d in _DELTAS])
    return HuberSweep(y, float(LEVELS[-1]), float(y.mean()), float(np.median(y)), _DELTAS.copy(), est,
                      v["loss_delta"], huber_estimate(y, v["loss_delta"]))


def first_step(scores: np.ndarray, level: float) -> int | None:
    """The first step (counted from 1) at which ``scores`` reached ``level``; None if it never did."""
    hit = np.flatnonzero(np.asarray(scores, dtype=np.float64) >= level)
    return int(hit[0]) + 1 if hit.size else None
