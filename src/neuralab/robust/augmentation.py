"""Data augmentation measured on the digits: the zoo's small CNN trained on few examples, with and without.

Every network is the compression zoo's CNN recipe (``zoo.build("cnn", seed)``: two 3 × 3 convolutions of 8 and
16 filters, a 2 × 2 max pool, a dense read-out; Adam at 3e-3, batches of 32) and trains for the same number of
updates as the zoo's own model (20 epochs over the 1,077 training digits, :data:`UPDATES`), whatever the size of
its training set, so that a small set is not also a short training. With augmentation, an
:class:`~neuralab.train.augment.Augment` layer in front of the network draws a fresh change for every batch; it
does nothing at evaluation. The "all digits, no augmentation" network *is* the zoo's model (``zoo.load("cnn",
seed)``, cached on the machine), never trained again.

Accuracy is measured on the 360 validation digits of the shared split (nothing is tuned on them here). A training
set of ``n`` per class is drawn, stratified, from the 1,077 training digits with the run's seed; the seed also
draws the network's initial weights, the batch order and the augmentation; a seed's runs with and without
augmentation share the subset, the weights and the batch order, so its gain is paired.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from neuralab.cache import memo
from neuralab.compress import zoo
from neuralab.data.arrays import Arrays
from neuralab.nn.runtime import one_thread
from neuralab.params import SEED, Choice, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet, stage
from neuralab.robust.digits import threat
from neuralab.train import optimizers, schedules
from neuralab.train.augment import IMAGE_KINDS, Augment, augment_images
from neuralab.train.loop import evaluate

__all__ = ["CURVE", "GALLERY", "SIZES", "WRONG", "Curve", "Gallery", "Wrong", "curve", "gallery", "gain",
           "run", "train", "vanishes", "wrong"]

SIZES = (5, 10, 30, 0)  # digits per class in the training set; 0 is all of them (about 108 per class)
#: the curve's choices of sizes: the default leaves out 10 per class (18 networks instead of 24, for a first run
#: within the lab's job limit on a loaded machine)
SIZE_SETS = {"three": (5, 30, 0), "four": SIZES}
N_SEEDS = 3  # every point of the curve is a mean over the page's seed and the next two
RECIPE = zoo.RECIPES["cnn"]
UPDATES = RECIPE.epochs * math.ceil(1077 / RECIPE.batch_size)  # the zoo CNN's number of updates (680)
DRAWS = 7  # augmented copies in the gallery
SIX, NINE = 6, 9
WRONG_SHARE = 0.5  # the wrong augmentation turns each training image upside down with this probability

KIND = Choice(tuple((k, r.label) for k, r in IMAGE_KINDS.items() if r.preserves), "shift", label="Augmentation",
              help="Shift: whole pixels up to ±2; rotation: up to ±30°; noise: up to σ = 4 grey levels; "
                   "all three together. Each at the strength below.")
STRENGTH = Float(0.25, 1.0, 0.5, step=0.25, label="Strength",
                 help="The share of each kind's full range: at 0.5, shifts of up to ±1 pixel, angles up to ±15°, "
                      "noise of σ = 2 grey levels. A shift moves whole pixels, 2 × strength rounded half up: "
                      "0.25 and 0.5 shift up to ±1 pixel, 0.75 and 1 up to ±2.")
GALLERY = ParamSpec(
    "aug-gallery", aug_kind=KIND, aug_strength=STRENGTH,
    aug_digit=Int(0, 359, 0, label="Validation digit", help="Which of the 360 validation digits is shown."),
    aug_seed=SEED,
)
SIZES_CHOICE = Choice((("three", "5, 30 and all (18 networks)"), ("four", "5, 10, 30 and all (24 networks)")),
                      "three", label="Training-set sizes (digits per class)",
                      help="Each size trains 6 networks (with and without, 3 seeds); adding 10 per class takes "
                           "a third longer.")
CURVE = ParamSpec("aug-curve", aug_kind=KIND, aug_strength=STRENGTH, aug_seed=SEED, aug_sizes=SIZES_CHOICE)
WRONG = ParamSpec("aug-wrong", aug_seed=SEED)


def _data() -> Arrays:
    return zoo.data()


def _grey(x: np.ndarray) -> np.ndarray:
    """Standardized (N, 64) digits back to (N, 8, 8) grey levels."""
    t = threat()
    return (np.asarray(x, dtype=np.float64) * t.scale.double().numpy() + t.mean.double().numpy()).reshape(-1, 8, 8)


# ----------------------------------------------------------------------------- the gallery


@dataclass(frozen=True)
class Gallery:
    """One validation digit and random draws of one augmentation, in grey levels."""

    kind: str
    strength: float
    label: int
    original: np.ndarray  # (8, 8) grey levels 0..16
    draws: np.ndarray  # (DRAWS, 8, 8)
    turned: np.ndarray  # (8, 8) the digit turned by 180°: the wrong augmentation
    ink_change: np.ndarray  # (DRAWS,) each draw's pixel sum over the original's, minus 1


def gallery(kind: str = "shift", strength: float = 0.5, digit: int = 0, seed: int = 0) -> Gallery:
    """``DRAWS`` random draws of augmentation ``kind`` at ``strength`` for validation digit ``digit``."""
    v = GALLERY.validate(aug_kind=kind, aug_strength=strength, aug_digit=digit, aug_seed=seed)
    d = _data()
    x = torch.tensor(_grey(d.X_val[v["aug_digit"]]), dtype=torch.float32)  # (1, 8, 8)
    gen = torch.Generator().manual_seed(v["aug_seed"])
    draws = augment_images(x.expand(DRAWS, 8, 8).clone(), v["aug_kind"], v["aug_strength"], gen)
    ink = draws.sum((1, 2)) / x.sum() - 1
    return Gallery(v["aug_kind"], v["aug_strength"], int(d.y_val[v["aug_digit"]]), x[0].numpy(), draws.numpy(),
                   torch.rot90(x, 2, dims=(1, 2))[0].numpy(), ink.numpy())


# ----------------------------------------------------------------------------- one run


def _subset(d: Arrays, per_class: int, seed: int) -> Arrays:
    """``per_class`` training digits of each class (0: all), drawn with ``seed``; validation and test as they are."""
    if per_class == 0:
        return d
    rng = np.random.default_rng(seed)
    idx = np.sort(np.concatenate([rng.choice(np.flatnonzero(d.y_train == c), per_class, replace=False)
                                  for c in range(d.n_classes)]))
    return replace(d, X_train=d.X_train[idx], y_train=d.y_train[idx])


@dataclass(frozen=True)
class Scores:
    """One trained network on the 360 validation digits."""

    accuracy: float
    confusion: np.ndarray  # (10, 10) counts: row the true digit, column the prediction


def _scores(model: nn.Module, d: Arrays) -> Scores:
    model.eval()
    with torch.no_grad():
        pred = model(torch.tensor(d.X_val)).argmax(1).numpy()
    conf = np.zeros((10, 10), dtype=np.int64)
    np.add.at(conf, (d.y_val, pred), 1)
    return Scores(float(evaluate(model, d.X_val, d.y_val, d.task)[1]), conf)


@memo("aug-runs", depends=("neuralab.train.augment", "neuralab.train.loop", "neuralab.compress.zoo",
                           "neuralab.nn.cnn"), salt=torch.__version__)
def run(per_class: int, kind: str, strength: float, seed: int) -> Scores:
    """The zoo's CNN recipe trained on ``per_class`` digits per class (0: all) with augmentation ``kind`` at
    ``strength`` (``"none"``: without), for :data:`UPDATES` updates; kept on disk by its arguments."""
    d = _data()
    if kind == "none" and per_class == 0:
        return _scores(zoo.load("cnn", seed).model, d)  # the zoo's own model: trained once, cached
    sub = _subset(d, per_class, seed)
    net = zoo.build("cnn", seed)
    if kind != "none":
        t = threat()
        net = nn.Sequential(Augment(t.mean, t.scale, kind, strength, seed=seed), net)
    with one_thread():
        train(net, sub, seed)
    return _scores(net, d)


def train(net: nn.Module, sub: Arrays, seed: int, updates: int = UPDATES) -> nn.Module:
    """``net`` trained in place on ``sub``'s training digits for about ``updates`` updates (whole epochs).

    The same updates as ``train.loop.fit`` with the zoo's recipe and ``Config(seed=seed)`` (Adam, the batch order
    drawn with ``seed``, a constant learning rate), without fit's scoring of the training and validation sets
    after every epoch: a small set means hundreds of epochs, and the curve needs only the final score. The tests
    check that the weights equal fit's.
    """
    epochs = math.ceil(updates / math.ceil(len(sub.y_train) / RECIPE.batch_size))
    opt = optimizers.make(RECIPE.optimizer, net.parameters(), RECIPE.lr, 0.0, 0.0)
    sched = schedules.make("constant", opt, epochs)
    X, y = torch.tensor(sub.X_train), torch.tensor(sub.y_train)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        net.train()
        for idx in torch.randperm(len(y), generator=gen).split(RECIPE.batch_size):
            loss = nn.functional.cross_entropy(net(X[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        sched.step()
    net.eval()
    return net


# ----------------------------------------------------------------------------- the curve


@dataclass(frozen=True)
class Curve:
    """Validation accuracy against training-set size, with and without augmentation, over seeds."""

    kind: str
    strength: float
    seeds: tuple[int, ...]
    sizes: tuple[int, ...]  # digits per class (the last: all of them)
    all_per_class: float  # mean digits per class in the full training set
    plain: np.ndarray  # (seeds, sizes) accuracy without augmentation
    augmented: np.ndarray  # (seeds, sizes) with

    @property
    def gain(self) -> np.ndarray:
        """(sizes,) mean accuracy with minus without augmentation."""
        return self.augmented.mean(0) - self.plain.mean(0)

    @property
    def spread(self) -> np.ndarray:
        """(sizes,) sample standard deviation (ddof = 1) over the seeds of the per-seed gain: each seed's run with
        and without share the subset, the initial weights and the batch order, so the gains are paired."""
        return (self.augmented - self.plain).std(0, ddof=1)


def curve(kind: str = "shift", strength: float = 0.5, seed: int = 0, sizes: str = "three",
          progress: Progress = quiet) -> Curve:
    """Train (or read) the networks of the curve: every size of :data:`SIZE_SETS` ``[sizes]``, with and without
    ``kind``, for 3 seeds."""
    v = CURVE.validate(aug_kind=kind, aug_strength=strength, aug_seed=seed, aug_sizes=sizes)
    seeds = tuple(range(v["aug_seed"], v["aug_seed"] + N_SEEDS))
    chosen = SIZE_SETS[v["aug_sizes"]]
    jobs = [(n, k, s) for s in seeds for n in chosen for k in ("none", v["aug_kind"])]
    got = {}
    for i, (n, k, s) in enumerate(jobs):
        got[n, k, s] = run(n, k, v["aug_strength"] if k != "none" else 0.0, s).accuracy
        progress(i + 1, len(jobs))
    grid = {k: np.array([[got[n, k, s] for n in chosen] for s in seeds]) for k in ("none", v["aug_kind"])}
    d = _data()
    return Curve(v["aug_kind"], v["aug_strength"], seeds, chosen, len(d.y_train) / d.n_classes, grid["none"],
                 grid[v["aug_kind"]])


def gain(c: Curve) -> float:
    """The mean accuracy gained at the smallest training set (fraction)."""
    return float(c.gain[0])


def vanishes(c: Curve) -> int | None:
    """The smallest size (per class; 0 for all) from which on the mean gain, up or down, is no larger than the
    standard deviation of the per-seed gain, or None when it is larger somewhere after it. A description of the
    three seeds, not a test: with three seeds a gain within one SD cannot be told from zero, and one beyond it
    is not yet shown to be real (a paired t interval would need about 2.5 SD)."""
    for i, n in enumerate(c.sizes):
        if (np.abs(c.gain[i:]) <= c.spread[i:] + 1e-12).all():
            return n
    return None


# ----------------------------------------------------------------------------- the wrong augmentation


@dataclass(frozen=True)
class Wrong:
    """The zoo's CNN against the same recipe trained with every image turned by 180° with probability ½."""

    seeds: tuple[int, ...]
    plain: tuple[Scores, ...]
    turned: tuple[Scores, ...]

    @staticmethod
    def _class_acc(s: Scores, c: int) -> float:
        return float(s.confusion[c, c] / s.confusion[c].sum())

    def accuracy(self, which: str, digit: int | None = None) -> np.ndarray:
        """(seeds,) accuracy of ``which`` ("plain" or "turned") on all validation digits or on one class."""
        runs = self.plain if which == "plain" else self.turned
        return np.array([s.accuracy if digit is None else self._class_acc(s, digit) for s in runs])

    def confused(self, which: str, true: int, pred: int) -> np.ndarray:
        """(seeds,) share of validation digits ``true`` that ``which`` calls ``pred``."""
        runs = self.plain if which == "plain" else self.turned
        return np.array([s.confusion[true, pred] / s.confusion[true].sum() for s in runs])

    def confusion(self, which: str) -> np.ndarray:
        """(10, 10) confusion counts summed over the seeds."""
        return sum(s.confusion for s in (self.plain if which == "plain" else self.turned))

    def lost(self, digits: tuple[int, ...] | None = None) -> int:
        """Validation digits (summed over the seeds) the turned runs get wrong and the plain runs right, net:
        correct without minus correct with, over all classes or only ``digits``."""
        classes = list(range(10)) if digits is None else list(digits)
        return int(sum(np.diag(self.confusion("plain"))[classes]) - sum(np.diag(self.confusion("turned"))[classes]))


def wrong(seed: int = 0, progress: Progress = quiet) -> Wrong:
    """The zoo's CNN (all training digits, seeds ``seed``..``seed + 2``) against the recipe with every training
    image turned upside down with probability :data:`WRONG_SHARE`."""
    v = WRONG.validate(aug_seed=seed)
    seeds = tuple(range(v["aug_seed"], v["aug_seed"] + N_SEEDS))
    plain, turned = [], []
    for i, s in enumerate(seeds):
        plain.append(run(0, "none", 0.0, s))
        turned.append(run(0, "rot180", WRONG_SHARE, s))
        stage(progress, i, len(seeds))(1, 1)
    return Wrong(seeds, tuple(plain), tuple(turned))
