"""Adversarial examples against the compression zoo's digits MLP and CNN, measured on the 360 test digits.

The threat model is stated in the unit of the image, not of the network: the attacker may move every pixel by at
most ``ε`` grey levels of the raw 0–16 scale that scikit-learn's digits use, and the result must still be an image
(each pixel clipped to 0–16). The networks read each pixel standardized by its training mean ``μ`` and spread
``σ``, so the same budget is ``ε / σ`` in the unit they read: a pixel that is almost always blank in training
(``σ`` of a few hundredths of a grey level) turns a change of one grey level into dozens of standard deviations.
The curves therefore also show PGD restricted to the pixels whose training spread is at least one grey level.

Every PGD accuracy of the curves and of the training section counts a digit as robust only if it survives
:data:`RESTARTS` random starts (steps of ε/4); the example and the transfer table use one start (seed 0 for the
table). An accuracy under attack is an upper bound on the true robust accuracy: more restarts or a stronger attack
(e.g. AutoAttack) can only lower it.

The models are the zoo's (``zoo.load("mlp")``, ``zoo.load("cnn")``: trained once per machine and cached). The
adversarially trained ones start from the same initial weights, see the batches in the same order with the same
recipe, and differ only in the loss: ``½ · CE(x) + ½ · CE(x')`` with ``x'`` the chosen attack on each batch
(Goodfellow et al.'s mix); they are trained once per setting and kept on disk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

from neuralab import cache
from neuralab.compress import zoo
from neuralab.data.datasets import load
from neuralab.nn.models import load_or_train, model_path
from neuralab.nn.runtime import one_thread
from neuralab.params import Choice, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.robust.attacks import Attack, accuracy, run
from neuralab.train.loop import Config, fit

__all__ = ["CURVES", "EPS_GRID", "EXAMPLE", "TRAINING", "TRANSFER", "Curves", "Example", "Threat", "Training",
           "Transfer", "adversarial_model", "curves", "example", "kept", "make", "most_standardized",
           "robust_accuracy", "threat", "training", "transfer"]

NAMES = ("mlp", "cnn")  # the zoo's models the page attacks
TITLES = {"mlp": "MLP", "cnn": "CNN"}
GREY_MAX = 16.0  # the digits' raw pixels are counts 0..16 (4 × 4 blocks of a 32 × 32 bitmap)
VARYING_SD = 1.0  # grey levels: the pixels the restricted attack may touch vary at least this much in training
EPS_GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)  # grey levels of the accuracy-against-ε curves
EVAL_PGD = Attack("pgd", steps=10, alpha=0.25)  # the attack every robust accuracy of the training section uses
TRAIN_PGD = Attack("pgd", steps=5, alpha=0.4)  # the attack inside the PGD training loop (cheaper, same ball)
N_TEST = 360
RESTARTS = 3  # random starts of every PGD accuracy (curves, training): a digit counts only if it survives them all
ATTACK_CODE = ("neuralab.robust.attacks", "neuralab.robust.digits")  # a change to either retrains the robust models

ATTACKS = {"fgsm": "FGSM (one step)", "pgd": "PGD (projected steps)"}
MODEL = Choice(tuple((k, zoo.RECIPES[k].title) for k in NAMES), "mlp", label="Network",
               help="The compression zoo's networks, trained once on this machine on the same digits.")
ATTACK = Choice(tuple(ATTACKS.items()), "pgd", label="Attack",
                help="FGSM takes one step of ε along the gradient's sign; PGD takes several smaller ones and "
                     "projects back into the ε-ball after each.")
EPS = Float(0.0, 4.0, 1.0, step=0.25, unit="grey levels", label="Budget ε",
            help="The most any pixel may change, in grey levels of the 0–16 image.")
STEPS = Int(1, 40, 10, label="PGD steps",
            help="Steps of ε/4 each, from a random start. Fewer than about 8 cannot cross the ε-ball, so the attack "
                 "is then weaker than it should be and may do less than FGSM. FGSM ignores it.")
DIGIT = Int(0, N_TEST - 1, 0, label="Test digit", help="Which of the 360 test digits is attacked.")
EXAMPLE = ParamSpec("robust-example", model=MODEL, attack=ATTACK, eps=EPS, steps=STEPS, digit=DIGIT)
TRANSFER = ParamSpec("robust-transfer", attack=ATTACK, eps=EPS, steps=STEPS)
CURVES = ParamSpec("robust-curves", steps=STEPS)
TRAINING = ParamSpec(
    "robust-training",
    train_model=Choice(MODEL.options, "mlp", label="Network trained",
                       help="Which zoo recipe is retrained with adversarial examples in the loop."),
    train_attack=Choice((("fgsm", "FGSM examples"), ("pgd", f"PGD-{TRAIN_PGD.steps} examples")), "pgd",
                        label="Examples in the loop", help="The attack that makes each batch's adversarial half."),
    train_eps=Float(0.5, 4.0, 2.0, step=0.5, unit="grey levels", label="Training ε",
                    help="The budget of the adversarial examples seen in training."),
)


# ----------------------------------------------------------------------------- the threat model


@dataclass(frozen=True)
class Threat:
    """The budget in the unit the networks read: grey levels divided by each pixel's training spread."""

    mean: torch.Tensor  # (64,) training mean of each raw pixel, grey levels
    scale: torch.Tensor  # (64,) training standard deviation (1 where a pixel never varies: StandardScaler's rule)
    lo: torch.Tensor  # (64,) a raw 0 in the unit the networks read
    hi: torch.Tensor  # (64,) a raw 16 likewise
    x: torch.Tensor  # (360, 64) the test digits as the networks read them
    y: torch.Tensor  # (360,)
    varying: torch.Tensor  # (64,) 1.0 where the training spread is at least VARYING_SD grey levels, else 0.0

    def budget(self, eps: float, varying_only: bool = False) -> torch.Tensor:
        """(64,) ``eps`` grey levels per pixel, in the networks' unit (0 on the pixels left alone)."""
        b = eps / self.scale
        return b * self.varying if varying_only else b

    def grey(self, x: torch.Tensor | np.ndarray) -> np.ndarray:
        """Inputs as the networks read them, back in grey levels (float64)."""
        return np.asarray(x, dtype=np.float64) * self.scale.double().numpy() + self.mean.double().numpy()


@lru_cache(maxsize=1)
def threat() -> Threat:
    """The standardization of the zoo's split, recomputed from the raw digits and checked against it."""
    raw = load("digits")
    X, y = np.asarray(raw.X, dtype=np.float64), np.asarray(raw.y)
    # the split of neuralab.data.arrays.prepare for digits(zoo.SPLIT_SEED), redrawn to recover the raw pixels
    rest, test = train_test_split(np.arange(len(y)), test_size=0.2, random_state=zoo.SPLIT_SEED, stratify=y)
    train, _ = train_test_split(rest, test_size=0.25, random_state=zoo.SPLIT_SEED, stratify=y[rest])
    sc = StandardScaler().fit(X[train])
    d = zoo.data()
    if not np.allclose(sc.transform(X[test]), d.X_test, atol=1e-5):
        raise RuntimeError("the raw digits no longer match the zoo's split: neuralab.data.arrays.prepare changed.")
    mean, scale = (torch.tensor(a, dtype=torch.float32) for a in (sc.mean_, sc.scale_))
    return Threat(mean, scale, (0.0 - mean) / scale, (GREY_MAX - mean) / scale, torch.tensor(d.X_test),
                  torch.tensor(d.y_test), (torch.tensor(np.sqrt(sc.var_)) >= VARYING_SD).float())


def kept() -> bool:
    """Both zoo networks are on disk, so a light section takes milliseconds."""
    return all(zoo.kept(n) for n in NAMES)


def make() -> None:
    """Train (or load) both zoo networks: seconds the first time on a machine."""
    with one_thread():
        for n in NAMES:
            zoo.load(n)


def most_standardized(eps: float = 1.0) -> int:
    """The largest change, in training standard deviations, that ``eps`` grey levels make to one pixel the networks
    read (rounded): the leverage standardization gives the least-varying pixel that is not constant."""
    return round(float(threat().budget(eps).max()))


def _model(name: str) -> nn.Module:
    return zoo.load(name).model


def _attack(name: str, steps: int) -> Attack:
    return Attack("fgsm") if name == "fgsm" else Attack("pgd", steps=steps, alpha=0.25)


# ----------------------------------------------------------------------------- one digit


@dataclass(frozen=True)
class Example:
    """One test digit before and after the attack."""

    model: str
    attack: str  # "FGSM" or "PGD-10"
    eps: float  # grey levels
    digit: int
    label: int
    image: np.ndarray  # (8, 8) grey levels 0..16
    adversarial: np.ndarray  # (8, 8) grey levels 0..16
    probs: np.ndarray  # (10,) before
    probs_adv: np.ndarray  # (10,) after

    @property
    def delta(self) -> np.ndarray:
        """(8, 8) the perturbation, grey levels."""
        return self.adversarial - self.image

    @property
    def before(self) -> int:
        return int(np.argmax(self.probs))

    @property
    def after(self) -> int:
        return int(np.argmax(self.probs_adv))


@one_thread()
def example(model: str = "mlp", attack: str = "pgd", eps: float = 1.0, steps: int = 10, digit: int = 0) -> Example:
    """Attack test digit ``digit`` with budget ``eps`` grey levels; milliseconds once the zoo models exist."""
    v = EXAMPLE.validate(model=model, attack=attack, eps=eps, steps=steps, digit=digit)
    t, net, att = threat(), _model(v["model"]), _attack(v["attack"], v["steps"])
    x, y = t.x[v["digit"]:v["digit"] + 1], t.y[v["digit"]:v["digit"] + 1]
    xa = run(att, net, x, y, t.budget(v["eps"]), t.lo, t.hi, seed=v["digit"])
    with torch.no_grad():
        p, pa = (torch.softmax(net(z), 1)[0].double().numpy() for z in (x, xa))
    img, adv = (np.clip(t.grey(z[0]), 0.0, GREY_MAX).reshape(8, 8) for z in (x, xa))
    return Example(v["model"], str(att), v["eps"], v["digit"], int(y[0]), img, adv, p, pa)


# ----------------------------------------------------------------------------- accuracy against ε


@dataclass(frozen=True)
class Curves:
    """Test accuracy of both networks against the budget, for each attack."""

    eps: np.ndarray  # (k,) grey levels
    acc: dict[tuple[str, str], np.ndarray]  # (network, "fgsm" | "pgd" | "pgd-varying") -> (k,) accuracy 0..1
    steps: int
    n_varying: int  # pixels the restricted attack may touch
    n_test: int
    restarts: int = RESTARTS  # random starts of each PGD accuracy (a digit counts if it survives every one)

    def at(self, net: str, kind: str, eps: float) -> float:
        return float(self.acc[(net, kind)][int(np.argmin(np.abs(self.eps - eps)))])

    def half(self, net: str, kind: str) -> float | None:
        """The smallest ε of the grid at which accuracy falls to half the clean accuracy, or None."""
        a = self.acc[(net, kind)]
        below = np.flatnonzero(a <= a[0] / 2)
        return float(self.eps[below[0]]) if len(below) else None


KINDS = {"fgsm": "FGSM", "pgd": "PGD", "pgd-varying": "PGD, varying pixels only"}


def robust_accuracy(att: Attack, net: nn.Module, t: Threat, eps: torch.Tensor, restarts: int = RESTARTS) -> float:
    """Share of test digits still classified correctly after every one of ``restarts`` random starts of PGD
    (seeds 0, 1, …; FGSM is deterministic and runs once): an upper bound on the true robust accuracy."""
    ok = torch.ones(len(t.y), dtype=torch.bool)
    for seed in range(1 if att.name == "fgsm" else restarts):
        with torch.no_grad():
            ok &= net(run(att, net, t.x, t.y, eps, t.lo, t.hi, seed=seed)).argmax(1) == t.y
    return float(ok.double().mean())


def _curve(net: nn.Module, t: Threat, kind: str, steps: int, grid: tuple[float, ...]) -> np.ndarray:
    att = _attack("fgsm" if kind == "fgsm" else "pgd", steps)
    return np.array([robust_accuracy(att, net, t, t.budget(e, kind == "pgd-varying")) for e in grid])


@one_thread()
def curves(steps: int = 10, progress: Progress = quiet, grid: tuple[float, ...] = EPS_GRID) -> Curves:
    """Accuracy of the zoo's MLP and CNN on the 360 test digits under FGSM and PGD at every ε of ``grid``.

    About a second once the networks exist (they are trained first if not).
    """
    steps = CURVES.validate(steps=steps)["steps"]
    t = threat()
    pairs = [(n, k) for n in NAMES for k in KINDS]
    acc = {}
    for i, (n, k) in enumerate(pairs):
        acc[(n, k)] = _curve(_model(n), t, k, steps, grid)
        progress(i + 1, len(pairs))
    return Curves(np.array(grid), acc, steps, int(t.varying.sum()), len(t.y))


# ----------------------------------------------------------------------------- transfer


@dataclass(frozen=True)
class Transfer:
    """Examples crafted on one network (or random signs of the same size), scored on each network."""

    attack: str
    eps: float
    sources: tuple[str, ...]  # "mlp", "cnn", "random"
    targets: tuple[str, ...]  # "mlp", "cnn"
    acc: np.ndarray  # (sources, targets) accuracy 0..1
    clean: np.ndarray  # (targets,) accuracy without an attack
    random_varying: np.ndarray  # (targets,) accuracy under the same random signs on the varying pixels only
    n_varying: int

    def get(self, source: str, target: str) -> float:
        return float(self.acc[self.sources.index(source), self.targets.index(target)])


@one_thread()
def transfer(attack: str = "pgd", eps: float = 1.0, steps: int = 10) -> Transfer:
    """Craft on the MLP, on the CNN and at random (each pixel ±ε at random), score on both; ~0.1 s."""
    v = TRANSFER.validate(attack=attack, eps=eps, steps=steps)
    t, att = threat(), _attack(v["attack"], v["steps"])
    nets = {n: _model(n) for n in NAMES}
    b = t.budget(v["eps"])
    gen = torch.Generator().manual_seed(0)
    crafted = {n: run(att, m, t.x, t.y, b, t.lo, t.hi) for n, m in nets.items()}
    signs = torch.randint(0, 2, t.x.shape, generator=gen).float() * 2 - 1
    crafted["random"] = torch.minimum(torch.maximum(t.x + b * signs, t.lo), t.hi)
    sources = (*NAMES, "random")
    acc = np.array([[accuracy(nets[g], crafted[s], t.y) for g in NAMES] for s in sources])
    clean = np.array([accuracy(nets[g], t.x, t.y) for g in NAMES])
    calm = torch.minimum(torch.maximum(t.x + t.budget(v["eps"], True) * signs, t.lo), t.hi)
    random_varying = np.array([accuracy(nets[g], calm, t.y) for g in NAMES])
    return Transfer(str(att), v["eps"], sources, NAMES, acc, clean, random_varying, int(t.varying.sum()))


# ----------------------------------------------------------------------------- adversarial training


def _criterion(model: nn.Module, X: torch.Tensor, attack: Attack, eps: float):
    t = threat()
    b = t.budget(eps)
    step = [0]

    def loss(out: torch.Tensor, y: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        step[0] += 1
        xa = run(attack, model, X[idx], y, b, t.lo, t.hi, seed=step[0])  # (B, 64), made with the current weights
        return 0.5 * F.cross_entropy(out, y) + 0.5 * F.cross_entropy(model(xa), y)

    return loss


def _adv_path(name: str, attack: str, eps: float, seed: int):
    a = TRAIN_PGD if attack == "pgd" else Attack("fgsm")
    return model_path(f"robust-{name}-{attack}-{eps:g}-s{seed}",
                      {"zoo": name, "recipe": zoo.RECIPES[name].__dict__, "attack": a.__dict__, "eps": eps,
                       "seed": seed, "mix": 0.5, "code": cache.code_version(*ATTACK_CODE)})


def adversarial_model(name: str, attack: str, eps: float, seed: int = 0, progress: Progress = quiet) -> nn.Module:
    """The zoo recipe ``name`` trained with half of each batch's loss on ``attack`` examples at ``eps`` grey levels.

    Same initial weights, batch order and recipe as ``zoo.load(name, seed)``: only the loss differs. Kept on disk.
    """
    r = zoo.RECIPES[name]
    model = zoo.build(name, seed)
    cfg = Config(epochs=r.epochs, lr=r.lr, batch_size=r.batch_size, optimizer=r.optimizer, seed=seed)
    att = TRAIN_PGD if attack == "pgd" else Attack("fgsm")

    def train(m: nn.Module) -> None:
        with one_thread():
            fit(m, zoo.data(), cfg, criterion=_criterion(m, torch.tensor(zoo.data().X_train), att, eps),
                progress=progress)

    return load_or_train(model, _adv_path(name, attack, eps, seed), train)


@dataclass(frozen=True)
class Training:
    """A zoo network trained plainly and with adversarial examples, both attacked at every ε."""

    model: str
    attack: str  # the examples in the loop: "fgsm" or "pgd"
    eps_train: float
    eps: np.ndarray  # (k,) grey levels of the evaluation
    plain: dict[str, np.ndarray]  # "fgsm" | "pgd" -> (k,) accuracy of the zoo's model
    robust: dict[str, np.ndarray]  # the same for the adversarially trained one
    seconds: float  # wall time of the adversarial training, or of loading it
    trained_now: bool  # False when it came from the disk cache
    eval_steps: int
    restarts: int = RESTARTS  # random starts of each PGD accuracy

    def at(self, which: str, kind: str, eps: float) -> float:
        d = self.plain if which == "plain" else self.robust
        return float(d[kind][int(np.argmin(np.abs(self.eps - eps)))])

    @property
    def clean_lost(self) -> float:
        """Clean test accuracy given up, in points of 0..1 (negative: gained)."""
        return float(self.plain["pgd"][0] - self.robust["pgd"][0])

    @property
    def robust_gained(self) -> float:
        """PGD accuracy won at the training ε."""
        return self.at("robust", "pgd", self.eps_train) - self.at("plain", "pgd", self.eps_train)


def training(train_model: str = "mlp", train_attack: str = "pgd", train_eps: float = 2.0, seed: int = 0,
             progress: Progress = quiet) -> Training:
    """Train (or load) the adversarial model and attack it and the zoo's plain one at every ε of the grid.

    The first run for a setting trains: seconds for the MLP with FGSM, about a minute for the CNN with PGD.
    """
    v = TRAINING.validate(train_model=train_model, train_attack=train_attack, train_eps=train_eps)
    name, attack, eps_train = v["train_model"], v["train_attack"], v["train_eps"]
    epochs = zoo.RECIPES[name].epochs
    total = epochs + 4
    fresh = not _adv_path(name, attack, eps_train, seed).is_file()
    t0 = time.perf_counter()
    plain = zoo.load(name, seed).model
    robust = adversarial_model(name, attack, eps_train, seed, progress=lambda d, _: progress(d, total))
    seconds = time.perf_counter() - t0
    t = threat()
    out: dict[str, dict[str, np.ndarray]] = {"plain": {}, "robust": {}}
    i = epochs
    with one_thread():
        for which, net in (("plain", plain), ("robust", robust)):
            for kind in ("fgsm", "pgd"):
                out[which][kind] = _curve(net, t, kind, EVAL_PGD.steps, EPS_GRID)
                i += 1
                progress(i, total)
    return Training(name, attack, eps_train, np.array(EPS_GRID), out["plain"], out["robust"], seconds, fresh,
                    EVAL_PGD.steps)
