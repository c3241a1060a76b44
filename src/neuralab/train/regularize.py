"""Regularization measured on a real network: L1, L2, elastic net, dropout, decoupled decay, early stopping.

Every experiment trains the same deliberately overfitting-prone set-up: a wide MLP
(64 → 256 → 10, ReLU, about 19,000 weights) on a small, stratified subset of the
scikit-learn digits (120 training images), judged on the usual 360 validation images.
With more than 150 weights per training image the network can memorize its training
set outright, so the gap between training and validation is wide and every
regularizer has something to close.

The penalties are trained with plain SGD on purpose. With SGD a weight moves by
``η·gradient``, so a penalty of strength λ competes with the data gradient on the same
scale and λ means the same thing for every weight. Adam divides each step by the root
mean square of that weight's recent gradients, so the step is about ``η`` whatever the
gradient's size: an L2 term folded into the gradient is rescaled per weight (the point
of AdamW), and an L1 threshold of ``η·λ`` must compete with steps of size ``η``, so λ
needs to be near 1 before anything reaches zero.

Every experiment also takes ``dataset="user:<id>"`` (one of the learner's tables) or
:class:`~neuralab.data.arrays.Arrays` (:func:`neuralab.data.source.resolve`). The same
set-up holds: a seeded sample of ``N_TRAIN`` of its training rows (stratified by class
when every class allows it), scored on all of its validation rows, and a network whose
input and output widths follow the table (one output on the mean squared error for a
numeric target; its "accuracy" is then R²).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch._dynamo  # noqa: F401  imported by the first optimizer anyway (~1 s); here, a server pays it once
import torch.nn.functional as F
from sklearn.model_selection import train_test_split
from torch import nn

from neuralab import cache
from neuralab.data import source
from neuralab.data.arrays import Arrays
from neuralab.nn.models import TRAINING_CODE, mlp
from neuralab.nn.runtime import one_thread
from neuralab.params import SEED, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.train.loop import Config, History, evaluate, fit, weights

__all__ = [
    "DECAY", "DROPOUT", "KINDS", "PENALTY", "STOPPING", "DecayComparison", "DropoutRun", "DropoutSweep", "L1Paths",
    "PenaltyComparison", "PenaltySweep", "Run", "Stopping", "adam_l2_first_step", "adamw_first_step",
    "compare_decay", "compare_penalties", "decoupled_shrink", "dropout_sweep", "early_stopping", "l1_paths",
    "penalty_config",
    "about", "penalty_sweep", "soft_threshold", "subgradient_step", "train_dropout", "train_penalty", "training_set",
]

N_TRAIN = 120  # training images kept from digits' 1,078: few enough to memorize
WIDTH = 256  # hidden units: far more capacity than 120 images need
EPOCHS = 40  # passes over the 120 images (4 batches of 32 each: 160 updates)
SGD_LR = 0.1  # plain SGD step for the penalty, dropout and stopping runs
SGD_LR_MSE = 0.01  # the same for a numeric target: on its mean squared error 0.1 diverges within a few updates
ADAM_LR = 1e-3  # Adam and AdamW step for the decoupled-decay comparison
STOP_EPOCHS = 60  # the early-stopping run's budget
STOP_N_TRAIN = 300  # the early-stopping set: larger, with some labels replaced at random
N_BINS = 60  # histogram bins for the weight distributions
MASK_STEPS = 30  # updates whose dropout masks are kept for the picture
MASK_SAMPLES = 3  # rows of each batch whose masks are kept
BATCH = 32  # images per update
UPDATES_PER_EPOCH = -(-N_TRAIN // BATCH)  # ceil: the last batch of an epoch is smaller
N_WEIGHTS = 64 * WIDTH + WIDTH * 10  # weight-matrix entries (biases not counted): what the penalties act on
NEAR_ZERO = 1e-3  # |w| below this counts as "near zero" (to show the subgradient never lands on 0)

#: kind -> label; "none" is the unregularized reference trained alongside.
KINDS: dict[str, str] = {"none": "No penalty", "l2": "L2", "l1": "L1 (proximal)", "elastic": "Elastic net",
                         "l1_sub": "L1 (subgradient)"}
LAM_GRID = (1e-4, 1e-3, 3.16e-3, 1e-2, 3.16e-2, 1e-1)  # the sweep's λ values: sparse where nothing happens
P_GRID = (0.0, 0.2, 0.4, 0.6, 0.8)  # the sweep's dropout probabilities

LAM = Float(1e-5, 1e-1, 1e-2, step=0.25, log=True, label="λ, penalty strength",
            help="Multiplies the penalty R(w); moves a tenth of a decade per notch in log steps.")
ALPHA = Float(0.0, 1.0, 0.5, step=0.05, label="Elastic-net mix α",
              help="Elastic net is α·‖w‖₁ + (1 − α)·½‖w‖²: 1 is pure L1, 0 pure L2.")
DATASET = source.DATASET
PENALTY = ParamSpec("penalty", lam=LAM, alpha=ALPHA, seed=SEED, dataset=DATASET)
DROPOUT = ParamSpec("dropout", p=Float(0.0, 0.8, 0.5, step=0.1, label="Drop probability p",
                                         help="Each hidden unit is zeroed with this probability at every update."),
                    seed=SEED, dataset=DATASET)
DECAY = ParamSpec("decay", decay=Float(1e-4, 1.0, 0.1, step=0.25, log=True, label="Decay strength λ",
                                       help="The same weight_decay number given to Adam and to AdamW."), seed=SEED,
                  dataset=DATASET)
STOPPING = ParamSpec(
    "stopping",
    patience=Int(1, 30, 5, label="Patience", unit="epochs",
                 help="Stop after this many epochs without a new lowest validation loss."),
    label_noise=Int(0, 40, 20, step=5, label="Noisy labels", unit="%",
                    help="Share of training labels replaced by a random digit (on your table: a random class, or "
                    "another row's target): noise the network can memorize."),
    seed=SEED,
    dataset=DATASET,
)





# Finished runs are kept on disk (neuralab.cache): background jobs run in separate processes that share
# nothing in memory, so a sweep reuses the runs another job finished. The key holds the training code.
_stored = cache.memo("regularize", depends=TRAINING_CODE, salt=torch.__version__)


# ----------------------------------------------------------------------------- data and runs


def training_set(seed: int, n_train: int = N_TRAIN, label_noise: float = 0.0,
                 dataset: str | Arrays = source.DIGITS) -> Arrays:
    """``dataset`` split with ``seed``, training rows cut to a seeded ``n_train``; validation untouched.

    The sample is stratified by class when every class has at least two training rows (always, on digits); a
    numeric target is sampled plainly. A table with at most ``n_train`` training rows keeps them all.
    ``label_noise`` replaces that share of the kept training labels by a uniformly drawn class (which may by
    chance be the right one); a numeric target by another kept row's target. Validation labels are never touched.
    """
    return _training_set(source.resolve(dataset, seed).key, seed, n_train, label_noise)


@lru_cache(maxsize=32)
def _training_set(key: str, seed: int, n_train: int, label_noise: float) -> Arrays:
    full = source.lookup(key, seed)
    if key == source.DIGITS:  # the sample the page has always drawn (its order is the batch order's start)
        keep, _ = train_test_split(np.arange(len(full.y_train)), train_size=n_train, stratify=full.y_train,
                                   random_state=seed)
        small = dataclasses.replace(full, X_train=full.X_train[keep], y_train=full.y_train[keep])
    else:
        small = source.fewer_rows(full, n_train, seed)
    y = small.y_train.copy()
    if label_noise:
        rng = np.random.default_rng(seed)
        flip = rng.random(len(y)) < label_noise
        y[flip] = (rng.integers(0, full.n_classes, int(flip.sum())) if full.task == "classification"
                   else rng.choice(y, int(flip.sum())))
    X = small.X_train
    for a in (X, y):
        a.setflags(write=False)
    return dataclasses.replace(full, X_train=X, y_train=y, name=f"{full.name or key}, {len(y)} training rows")


def about(dataset: str | Arrays = source.DIGITS, seed: int = 0) -> str:
    """What the runs train on, in sentences: the dataset, and the sample of its training rows they keep."""
    src = source.resolve(dataset, seed)
    if src.builtin:
        return ""
    full, small = src.data, training_set(seed, dataset=dataset)
    how = "all of them" if len(small.y_train) == len(full.y_train) else (
        f"a seeded sample of {len(small.y_train):,} of them")
    return (f"{src.sentence} The runs train on {how} and are scored on its {len(full.y_val):,} validation rows; "
            f"the network is {full.n_features} → {WIDTH} → {full.n_outputs}"
            + (f", trained on the mean squared error with plain SGD at η = {SGD_LR_MSE:g} instead of {SGD_LR:g} "
               "(which diverges on it), so accuracy reads as R² here." if full.task == "regression" else "."))


def _net(data: Arrays, seed: int, dropout: float = 0.0) -> nn.Module:
    """The wide MLP: the data's features → WIDTH → its classes (one output for a numeric target)."""
    return mlp((data.n_features, WIDTH, data.n_outputs), dropout=dropout, seed=seed)


@dataclass(frozen=True)
class Run:
    """One finished training run, reduced to what the figures need."""

    kind: str  # a key of KINDS, or an optimizer name
    label: str  # legend text
    history: History  # per-epoch losses and accuracies (index 0 before training)
    weights: np.ndarray  # every weight (matrices only, no biases), flattened, float32
    seconds: float  # wall time of the training
    task: str = "classification"  # or "regression": losses are MSE and the accuracies R²

    @property
    def n_weights(self) -> int:
        return int(self.weights.size)

    @property
    def n_zero(self) -> int:
        """Weights that are exactly 0.0."""
        return int((self.weights == 0).sum())

    @property
    def n_near_zero(self) -> int:
        """Weights with ``|w| < NEAR_ZERO`` (exact zeros included)."""
        return int((np.abs(self.weights) < NEAR_ZERO).sum())

    @property
    def mean_abs(self) -> float:
        return float(np.abs(self.weights).mean())

    @property
    def norm(self) -> float:
        """‖w‖₂ over every weight matrix."""
        return float(np.linalg.norm(self.weights))

    @property
    def train_acc(self) -> float:
        return self.history.train_metric[-1]

    @property
    def val_acc(self) -> float:
        return self.history.val_metric[-1]

    @property
    def train_loss(self) -> float:
        return self.history.train_loss[-1]

    @property
    def val_loss(self) -> float:
        return self.history.val_loss[-1]

    @property
    def acc_gap(self) -> float:
        """Training minus validation accuracy: what was memorized rather than learned."""
        return self.train_acc - self.val_acc

    @property
    def loss_gap(self) -> float:
        """Validation minus training cross-entropy (nats)."""
        return self.val_loss - self.train_loss


def _train(kind: str, label: str, model: nn.Module, data: Arrays, cfg: Config, **hooks) -> Run:
    with one_thread():
        start = time.perf_counter()
        hist = fit(model, data, cfg, **hooks)
        seconds = time.perf_counter() - start
    w = torch.cat([p.detach().flatten() for p in weights(model)]).numpy().astype(np.float32)
    return Run(kind, label, hist, w, seconds, data.task)


# ----------------------------------------------------------------------------- L1, L2, elastic net


def sgd_lr(task: str) -> float:
    """The plain-SGD step of the penalty, dropout and stopping runs: ``SGD_LR``, or ``SGD_LR_MSE`` on regression."""
    return SGD_LR_MSE if task == "regression" else SGD_LR


def penalty_config(kind: str, lam: float, alpha: float = 0.5, seed: int = 0, lr: float = SGD_LR) -> Config:
    """The training configuration for penalty ``kind`` at strength ``lam``.

    The penalties, on the weight matrices only (biases are free):

    * ``l2``: λ·½‖w‖², i.e. ``Config(l2=λ/2)`` (the loop adds ``l2·Σw²``). Gradient λ·w.
    * ``l1``: λ·‖w‖₁ by a proximal step: after each SGD update every weight is
      soft-thresholded by η·λ, so small weights land on exactly 0.
    * ``l1_sub``: the same λ·‖w‖₁ added to the loss; autograd's gradient is λ·sign(w).
    * ``elastic``: λ·(α‖w‖₁ + (1 − α)·½‖w‖²), L1 by the proximal step, L2 in the loss.
    """
    base = Config(epochs=EPOCHS, batch_size=BATCH, optimizer="sgd", lr=lr, seed=seed)
    if kind == "none":
        return base
    if kind == "l2":
        return dataclasses.replace(base, l2=lam / 2)
    if kind == "l1":
        return dataclasses.replace(base, l1=lam)
    if kind == "l1_sub":
        return dataclasses.replace(base, l1=lam, l1_mode="subgradient")
    if kind == "elastic":
        return dataclasses.replace(base, l1=alpha * lam, l2=(1 - alpha) * lam / 2)
    raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}.")


def train_penalty(kind: str, lam: float, alpha: float = 0.5, seed: int = 0, dataset: str | Arrays = source.DIGITS
                  ) -> Run:
    """Train the wide MLP on the small training set with penalty ``kind`` (see :func:`penalty_config`)."""
    PENALTY.validate(lam=lam, alpha=alpha, seed=seed)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}.")
    if kind in ("none", "l2", "l1", "l1_sub"):
        alpha = 0.5  # only elastic net reads α: one stored run serves every α
    if kind == "none":
        lam = 0.0  # and the reference run reads no λ
    return _train_penalty(kind, float(lam), float(alpha), int(seed), source.resolve(dataset, seed).key)


@lru_cache(maxsize=256)
@_stored
def _train_penalty(kind: str, lam: float, alpha: float, seed: int, data: str = source.DIGITS) -> Run:
    small = _training_set(data, seed, N_TRAIN, 0.0)
    cfg = penalty_config(kind, lam, alpha, seed, sgd_lr(small.task))
    return _train(kind, KINDS[kind], _net(small, seed), small, cfg)


@dataclass(frozen=True)
class PenaltyComparison:
    """The same network, init and batches, trained with each penalty at one λ."""

    lam: float  # penalty strength
    alpha: float  # elastic-net mix
    runs: tuple[Run, ...]  # none, l2, l1, elastic, l1_sub (in that order)
    edges: np.ndarray  # (N_BINS + 1,) shared histogram bin edges for the weights
    counts: np.ndarray  # (len(runs), N_BINS) nonzero weights per bin (exact zeros are counted apart)

    def run(self, kind: str) -> Run:
        return next(r for r in self.runs if r.kind == kind)


def compare_penalties(lam: float, alpha: float = 0.5, seed: int = 0, dataset: str | Arrays = source.DIGITS,
                      progress: Progress = quiet) -> PenaltyComparison:
    """Train without a penalty and with L2, L1 (proximal), elastic net and L1 (subgradient) at ``lam``."""
    PENALTY.validate(lam=lam, alpha=alpha, seed=seed)
    kinds = ("none", "l2", "l1", "elastic", "l1_sub")
    runs = []
    for i, kind in enumerate(kinds):
        runs.append(train_penalty(kind, lam, alpha if kind == "elastic" else 0.5, seed, dataset))
        progress(i + 1, len(kinds))
    span = max(float(np.abs(r.weights).max()) for r in runs)
    edges = np.linspace(-span, span, N_BINS + 1)
    counts = np.stack([np.histogram(r.weights[r.weights != 0], bins=edges)[0] for r in runs])
    return PenaltyComparison(lam, alpha, tuple(runs), edges, counts)


@dataclass(frozen=True)
class PenaltySweep:
    """Final accuracies and zero shares across λ for each penalty."""

    lams: np.ndarray  # (n,) the λ grid
    kinds: tuple[str, ...]  # l2, l1
    train_acc: np.ndarray  # (kinds, n)
    val_acc: np.ndarray  # (kinds, n)
    train_loss: np.ndarray  # (kinds, n) cross-entropy, nats
    val_loss: np.ndarray  # (kinds, n)
    zero_share: np.ndarray  # (kinds, n) share of weights exactly 0
    reference: Run  # the unregularized run
    seconds: float  # training time of all its runs, as measured when each was trained (stored runs load at once)


def penalty_sweep(seed: int = 0, dataset: str | Arrays = source.DIGITS, progress: Progress = quiet) -> PenaltySweep:
    """Train L2 and L1 (proximal) at every λ of ``LAM_GRID``, plus one unregularized run.

    Elastic net lies between the two and is left to the λ slider, which keeps the sweep
    independent of α (one sweep per seed, reused whatever α and λ are).
    """
    PENALTY.validate(seed=seed)
    kinds = ("l2", "l1")
    total = len(kinds) * len(LAM_GRID) + 1
    ref = train_penalty("none", LAM.default, 0.5, seed, dataset)
    seconds = ref.seconds
    progress(1, total)
    shape = (len(kinds), len(LAM_GRID))
    out = {k: np.zeros(shape) for k in ("train_acc", "val_acc", "train_loss", "val_loss", "zero_share")}
    for i, kind in enumerate(kinds):
        for j, lam in enumerate(LAM_GRID):
            r = train_penalty(kind, lam, 0.5, seed, dataset)
            seconds += r.seconds
            for key, value in (("train_acc", r.train_acc), ("val_acc", r.val_acc), ("train_loss", r.train_loss),
                               ("val_loss", r.val_loss), ("zero_share", r.n_zero / r.n_weights)):
                out[key][i, j] = value
            progress(2 + i * len(LAM_GRID) + j, total)
    return PenaltySweep(np.array(LAM_GRID), kinds, **out, reference=ref, seconds=seconds)


# ----------------------------------------------------------------------------- why the proximal step


def soft_threshold(w: np.ndarray, t: float) -> np.ndarray:
    """The proximal operator of ``t·|w|``: ``sign(w)·max(|w| − t, 0)``.

    It answers "which w minimizes ½(w − v)² + t|w|?": shrink v toward 0 by t and stop
    at 0 rather than cross it. Every |v| ≤ t maps to exactly 0.
    """
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


def subgradient_step(w: np.ndarray, grad: np.ndarray, lr: float, lam: float) -> np.ndarray:
    """One gradient step on ``loss + λ|w|`` using the subgradient ``λ·sign(w)``.

    The step jumps by η·λ whatever |w| is: a weight smaller than that crosses zero and
    comes back, oscillating around 0 with an amplitude of about η·λ; it equals 0.0
    only if the arithmetic happens to cancel exactly.
    """
    return w - lr * (grad + lam * np.sign(w))


@dataclass(frozen=True)
class L1Paths:
    """One weight under an L1 penalty and a weak data pull toward ``target``, two ways."""

    steps: np.ndarray  # (n + 1,) update index
    prox: np.ndarray  # (n + 1,) gradient step then soft-threshold
    subgradient: np.ndarray  # (n + 1,) gradient step with λ·sign(w) added
    lam: float
    lr: float
    target: float  # the data term is ½·c·(w − target)²


def l1_paths(lam: float, lr: float = SGD_LR, w0: float = 0.3, target: float = 0.02, curvature: float = 1.0,
             n: int = 60) -> L1Paths:
    """Follow one weight whose data loss is ``½·c·(w − target)²`` plus ``λ·|w|`` (pure numpy, instant).

    The minimum of that sum is exactly 0 when ``c·|target| ≤ λ``: the L1 pull beats the data.
    The proximal path reaches that 0 and stays; the subgradient path rattles around it.
    """
    prox, sub = [w0], [w0]
    for _ in range(n):
        prox.append(float(soft_threshold(np.array(prox[-1] - lr * curvature * (prox[-1] - target)), lr * lam)))
        sub.append(float(subgradient_step(np.array(sub[-1]), np.array(curvature * (sub[-1] - target)), lr, lam)))
    return L1Paths(np.arange(n + 1), np.array(prox), np.array(sub), lam, lr, target)


# ----------------------------------------------------------------------------- dropout


@dataclass(frozen=True)
class DropoutRun:
    """A run with dropout, and the masks torch actually drew during it."""

    p: float  # drop probability
    run: Run
    masks: np.ndarray  # (MASK_STEPS, MASK_SAMPLES, WIDTH) bool, True where the unit was kept
    dropped: int  # hidden activations zeroed over the whole run
    seen: int  # hidden activations that passed through the dropout layer
    scale: float  # what torch multiplied the kept activations by (measured)
    mismatch: float  # max |recorded output − input·mask·scale|; 0 means the mask is exactly torch's

    @property
    def drop_share(self) -> float:
        return self.dropped / self.seen if self.seen else 0.0


class _MaskRecorder:
    """Forward hooks on an ``nn.Dropout`` that recover the exact mask torch draws.

    Before the layer runs, the pre-hook saves the CPU random state; after it, the hook
    replays that state on a tensor of ones through the same ``F.dropout`` call, which
    draws the same Bernoulli numbers and so returns exactly the mask times 1/(1 − p).
    The replay happens inside ``fork_rng``, so training continues with the random
    state it would have had without the recorder.
    """

    def __init__(self, layer: nn.Dropout):
        self.layer, self.state = layer, None
        self.masks: list[np.ndarray] = []
        self.dropped = self.seen = 0
        self.scale, self.mismatch = 0.0, 0.0
        layer.register_forward_pre_hook(self._before)
        layer.register_forward_hook(self._after)

    def _before(self, module: nn.Module, args: tuple) -> None:
        self.state = torch.get_rng_state() if module.training else None

    def _after(self, module: nn.Module, args: tuple, out: torch.Tensor) -> None:
        if self.state is None:
            return  # evaluation: dropout is off
        inp = args[0]
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.set_rng_state(self.state)
            noise = F.dropout(torch.ones_like(inp), module.p, True)  # (batch, units): 0 or 1/(1 − p)
        kept = noise != 0
        self.dropped += int((~kept).sum())
        self.seen += kept.numel()
        self.scale = float(noise.max()) if kept.any() else self.scale
        self.mismatch = max(self.mismatch, float((out.detach() - inp.detach() * noise).abs().max()))
        if len(self.masks) < MASK_STEPS:
            self.masks.append(kept[:MASK_SAMPLES].numpy().copy())


def train_dropout(p: float, seed: int = 0, dataset: str | Arrays = source.DIGITS) -> DropoutRun:
    """Train the wide MLP with dropout ``p`` after its hidden layer, recording the masks."""
    DROPOUT.validate(p=p, seed=seed)
    return _train_dropout(round(float(p), 6), int(seed), source.resolve(dataset, seed).key)


@lru_cache(maxsize=64)
@_stored
def _train_dropout(p: float, seed: int, data: str = source.DIGITS) -> DropoutRun:
    small = _training_set(data, seed, N_TRAIN, 0.0)
    model = _net(small, seed, dropout=p)
    layers = [m for m in model.modules() if isinstance(m, nn.Dropout)]
    rec = _MaskRecorder(layers[0]) if layers else None
    cfg = Config(epochs=EPOCHS, batch_size=BATCH, optimizer="sgd", lr=sgd_lr(small.task), seed=seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)  # dropout draws from the global generator: fix it for a reproducible run
        run = _train("dropout", f"p = {p:g}", model, small, cfg)
    if rec is None:
        masks = np.ones((MASK_STEPS, MASK_SAMPLES, WIDTH), dtype=bool)
        n_steps = len(run.history.step_loss)
        return DropoutRun(p, run, masks, 0, n_steps * BATCH * WIDTH, 1.0, 0.0)
    return DropoutRun(p, run, np.stack(rec.masks), rec.dropped, rec.seen, rec.scale, rec.mismatch)


@dataclass(frozen=True)
class DropoutSweep:
    """Final train and validation numbers across p."""

    ps: np.ndarray  # (n,) drop probabilities
    train_acc: np.ndarray  # (n,)
    val_acc: np.ndarray  # (n,)
    train_loss: np.ndarray  # (n,) nats, measured in eval mode (dropout off)
    val_loss: np.ndarray  # (n,)
    drop_share: np.ndarray  # (n,) measured share of activations zeroed
    seconds: float  # training time of all its runs
    task: str = "classification"  # or "regression": losses are MSE and the accuracies R²


def dropout_sweep(seed: int = 0, dataset: str | Arrays = source.DIGITS, progress: Progress = quiet) -> DropoutSweep:
    """Train at every p of ``P_GRID``."""
    DROPOUT.validate(seed=seed)
    runs = []
    for i, p in enumerate(P_GRID):
        runs.append(train_dropout(p, seed, dataset))
        progress(i + 1, len(P_GRID))
    col = lambda f: np.array([f(r) for r in runs])  # noqa: E731
    return DropoutSweep(np.array(P_GRID), col(lambda r: r.run.train_acc), col(lambda r: r.run.val_acc),
                        col(lambda r: r.run.train_loss), col(lambda r: r.run.val_loss), col(lambda r: r.drop_share),
                        float(sum(r.run.seconds for r in runs)), runs[0].run.task)


# ----------------------------------------------------------------------------- Adam + L2 against AdamW


def adam_l2_first_step(w: np.ndarray, grad: np.ndarray, lr: float, lam: float, eps: float = 1e-8) -> np.ndarray:
    """Adam's first update with ``weight_decay=λ`` (L2 folded into the gradient).

    Adam adds λ·w to the gradient, then divides by the running RMS. On the first step the
    bias-corrected moments are g′ and g′², so the update is ``−η·g′/(|g′| + ε)`` with
    ``g′ = g + λw``: about ±η for every weight. The decay only tips the sign; its size
    is normalized away, and a weight with a small gradient is decayed far harder than one
    with a large gradient.
    """
    g = grad + lam * w
    return w - lr * g / (np.abs(g) + eps)


def adamw_first_step(w: np.ndarray, grad: np.ndarray, lr: float, lam: float, eps: float = 1e-8) -> np.ndarray:
    """AdamW's first update: shrink every weight by the factor ``1 − η·λ``, then take Adam's step on the data gradient.

    The decay never enters Adam's moments, so every weight loses the same fraction η·λ
    per step whatever its gradient history (Loshchilov & Hutter's decoupled decay).
    """
    return w * (1 - lr * lam) - lr * grad / (np.abs(grad) + eps)


def decoupled_shrink(decay: float, lr: float = ADAM_LR, updates: int = EPOCHS * UPDATES_PER_EPOCH) -> float:
    """The share of a weight AdamW's decay alone removes over ``updates`` steps: ``1 − (1 − η·λ)^updates``."""
    return 1.0 - (1.0 - lr * decay) ** updates


@dataclass(frozen=True)
class DecayComparison:
    """Adam with weight_decay = λ against AdamW with weight_decay = λ (same init, same batches)."""

    decay: float  # λ, the weight_decay argument of both
    runs: tuple[Run, ...]  # adam without decay, adam + L2, adamw
    norms: tuple[np.ndarray, ...]  # per run, ‖w‖₂ of the weight matrices at each epoch (index 0 before training)


@lru_cache(maxsize=64)
@_stored
def _decay_run(optimizer: str, decay: float, label: str, seed: int, data: str = source.DIGITS
               ) -> tuple[Run, np.ndarray]:
    trace: list[float] = []

    def record(model: nn.Module, _epoch: int) -> None:
        trace.append(float(torch.cat([w.detach().flatten() for w in weights(model)]).norm()))

    cfg = Config(epochs=EPOCHS, batch_size=BATCH, optimizer=optimizer, lr=ADAM_LR, weight_decay=decay, seed=seed)
    small = _training_set(data, seed, N_TRAIN, 0.0)
    run = _train(optimizer if decay else "none", label, _net(small, seed), small, cfg, on_epoch=record)
    return run, np.array(trace)


def compare_decay(decay: float, seed: int = 0, dataset: str | Arrays = source.DIGITS, progress: Progress = quiet
                  ) -> DecayComparison:
    """Train Adam (no decay), Adam with ``weight_decay=decay`` and AdamW with ``weight_decay=decay``.

    All three start from the same weights (the model seed) and see the same batches in
    the same order (the loop's seed), so the curves differ only by how decay is applied.
    """
    DECAY.validate(decay=decay, seed=seed)
    key = source.resolve(dataset, seed).key
    specs = (("adam", 0.0, "Adam, no decay"), ("adam", decay, "Adam + L2"), ("adamw", decay, "AdamW (decoupled)"))
    out = []
    for i, spec in enumerate(specs):
        out.append(_decay_run(*spec, seed, key))
        progress(i + 1, len(specs))
    return DecayComparison(decay, tuple(r for r, _ in out), tuple(n for _, n in out))


# ----------------------------------------------------------------------------- early stopping


@dataclass(frozen=True)
class Stopping:
    """One run to the full budget and the same run stopped with patience."""

    patience: int
    label_noise: float  # share of training labels replaced
    full: History  # STOP_EPOCHS epochs, no stopping
    stopped: History  # Config(patience=…, restore_best=True): a prefix of ``full``
    restored_val: tuple[float, float]  # (loss, accuracy) of the model as returned, re-measured on validation
    final_val: tuple[float, float]  # (loss, accuracy) of the full run's last weights
    seconds: float  # wall time of the stopped run
    task: str = "classification"  # or "regression": the loss is MSE and the accuracy R²

    @property
    def best_epoch(self) -> int:
        return self.stopped.best_epoch

    @property
    def stopped_epoch(self) -> int:
        return self.stopped.stopped_epoch


@lru_cache(maxsize=64)
@_stored
def _stop_run(patience: int, label_noise: int, seed: int, data_key: str = source.DIGITS
              ) -> tuple[History, tuple[float, float], float]:
    """(history, validation (loss, accuracy) of the returned weights, seconds); patience 0 runs the full budget."""
    data = _training_set(data_key, seed, STOP_N_TRAIN, label_noise / 100)
    cfg = Config(epochs=STOP_EPOCHS, batch_size=BATCH, optimizer="sgd", lr=sgd_lr(data.task), seed=seed,
                 patience=patience, restore_best=True)
    model = _net(data, seed)
    run = _train("stopping", "", model, data, cfg)
    return run.history, evaluate(model, data.X_val, data.y_val, data.task), run.seconds


def early_stopping(patience: int, label_noise: int = 20, seed: int = 0, dataset: str | Arrays = source.DIGITS,
                   progress: Progress = quiet) -> Stopping:
    """Train to ``STOP_EPOCHS`` and, from the same start, with ``Config(patience=…, restore_best=True)``.

    ``label_noise`` is in percent. The training set is ``STOP_N_TRAIN`` images with that
    share of labels replaced: the network learns the digits first and memorizes the wrong
    labels later, so validation loss falls, bottoms out and climbs. Both runs share the
    initial weights and the batch order, so the stopped run is a prefix of the full one.
    """
    STOPPING.validate(patience=patience, label_noise=label_noise, seed=seed)
    src = source.resolve(dataset, seed)
    full, final, _ = _stop_run(0, label_noise, seed, src.key)
    progress(1, 2)
    stopped, restored, seconds = _stop_run(patience, label_noise, seed, src.key)
    progress(2, 2)
    return Stopping(patience, label_noise / 100, full, stopped, restored, final, seconds, src.data.task)
