"""Knowledge distillation: a small student learns from a large teacher's softened probabilities.

The teacher's logits ``z`` carry more than its top answer. Dividing them by a
temperature ``T`` before the softmax, ``p_T = softmax(z / T)``, lifts the small
probabilities so the student can see which wrong classes the teacher found
plausible (a 3 that looks a little like an 8). The student is trained on

    loss = α · T² · KL(p_T(teacher) ‖ p_T(student)) + (1 − α) · CE(student logits, label)

The T² undoes the 1/T² by which the softened term's gradient shrinks (one 1/T from
the softmax's slope, one from the gap between two softened distributions), so α
means the same share of the gradient at every temperature. At inference the
student runs at T = 1: the temperature exists only during training.

Both students on the comparison start from the same weights (``zoo.build("student", seed)``)
and see batches in the same order; the only difference is the loss.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from neuralab.compress import zoo
from neuralab.data.arrays import Arrays
from neuralab.nn.runtime import one_thread
from neuralab.params import SEED, Float, Int, ParamError, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.train.loop import History, fit

__all__ = [
    "COMPARE", "DISTILL", "GRADIENT", "SOFT", "Comparison", "GradientScale", "Soft", "compare", "gradient_scale",
    "kd_loss", "soft_targets", "soften", "train_student",
]

TEACHER, STUDENT = "teacher", "student"  # zoo recipes
N_SEEDS = 5  # students trained per arm of the comparison
TEACHER_SEED = 0  # one fixed teacher for every student

T_FIELD = Float(1.0, 10.0, 4.0, step=0.5, label="Temperature T",
                help="Divides the logits before the softmax; higher T gives a flatter distribution.")
ALPHA = Float(0.0, 1.0, 0.5, step=0.05, label="α (share of the teacher's term)",
              help="0 trains on hard labels alone; 1 on the teacher's soft targets alone.")
DIGIT = Int(0, 9, 8, label="Digit", help="The class of the test example whose probabilities are shown.")

SOFT = ParamSpec("soft", T=T_FIELD, digit=DIGIT)
DISTILL = ParamSpec("distill", T=T_FIELD, alpha=ALPHA, seed=SEED)
COMPARE = ParamSpec("compare", T=T_FIELD, alpha=ALPHA)
GRADIENT = ParamSpec("gradient", T=T_FIELD)  # where the T slider sits on the measured gradient-scale curve





def soften(logits: torch.Tensor, T: float) -> torch.Tensor:
    """``softmax(logits / T)`` along the last axis. T = 1 is the ordinary softmax; T → ∞ tends to uniform."""
    return F.softmax(logits / T, dim=-1)


def kd_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, y: torch.Tensor, T: float,
            alpha: float) -> torch.Tensor:
    """Hinton's distillation loss, averaged over the batch.

    ``α · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α) · CE(s, y)``, where the KL is summed
    over classes and averaged over samples (``reduction="batchmean"``, the true KL; plain
    ``"mean"`` would also divide by the number of classes). The teacher's logits must be
    detached: the gradient reaches the student only.

    Args:
        student_logits: (N, C) raw student outputs.
        teacher_logits: (N, C) raw teacher outputs (no gradient).
        y: (N,) class indices.
        T: temperature ≥ 1 for both softmaxes of the KL term.
        alpha: weight of the soft term, in [0, 1].
    """
    soft = F.kl_div(F.log_softmax(student_logits / T, dim=-1), F.log_softmax(teacher_logits / T, dim=-1),
                    reduction="batchmean", log_target=True)
    hard = F.cross_entropy(student_logits, y)
    return alpha * T * T * soft + (1.0 - alpha) * hard


@lru_cache(maxsize=1)
@one_thread()
def _teacher() -> tuple[nn.Module, float, torch.Tensor]:
    """The fixed teacher, its test accuracy and its logits on the training set (computed once)."""
    trained = zoo.load(TEACHER, TEACHER_SEED)
    with torch.no_grad():
        logits = trained.model(torch.tensor(zoo.data().X_train))  # (n_train, 10)
    return trained.model, trained.accuracy, logits


@one_thread()
def train_student(teacher: nn.Module | None, T: float, alpha: float, seed: int, *, epochs: int | None = None,
                  progress: Progress | None = None, data: Arrays | None = None) -> tuple[nn.Module, History]:
    """Train the zoo's student from its ``seed`` initialization with :func:`kd_loss`.

    ``teacher=None`` uses the zoo teacher (its logits cached); ``alpha=0`` is plain training on
    hard labels, the baseline. The recipe (epochs, learning rate, batch size) is the zoo's.
    ``data``: a classification table's arrays (else the digits); the student's widths follow it, and
    ``teacher`` must be a network trained on it.

    Returns:
        The trained student in eval mode, and its :class:`History` (validation loss is plain CE).
    """
    DISTILL.validate({"T": T, "alpha": alpha, "seed": seed})
    d = data or zoo.data()
    if d.task != "classification":
        raise ValueError("distillation softens class probabilities: it needs a table with classes, not a numeric "
                         "target.")
    if teacher is None and data is not None:
        raise ValueError("a student trained on other data needs a teacher trained on the same data.")
    if teacher is None:
        t_logits = _teacher()[2]
    else:
        with torch.no_grad():
            t_logits = teacher(torch.tensor(d.X_train))
    student = zoo.build(STUDENT, seed, d.n_features, d.n_outputs)
    cfg = replace(zoo.config(STUDENT, seed), epochs=epochs or zoo.RECIPES[STUDENT].epochs)

    def criterion(out: torch.Tensor, y: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        return kd_loss(out, t_logits[idx], y, T, alpha)

    hist = fit(student, d, cfg, criterion=criterion, progress=progress)
    student.eval()
    return student, hist


# ----------------------------------------------------------------------------- soft targets of one example


@dataclass(frozen=True)
class Soft:
    """The teacher's and the student's probabilities for one test digit."""

    image: np.ndarray  # (8, 8) pixel intensities 0..16, as scikit-learn ships them
    label: int  # the true class
    index: int  # row in the test set
    T: float
    teacher_t1: np.ndarray  # (10,) teacher softmax at T = 1
    teacher_t: np.ndarray  # (10,) teacher softmax at T
    entropy_t1: float  # bits
    entropy_t: float  # bits


def _bits(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


@lru_cache(maxsize=64)
@one_thread()
def soft_targets(T: float, digit: int) -> Soft:
    """The teacher's probabilities at T = 1 and at ``T`` for the first test example of class ``digit``."""
    SOFT.validate({"T": T, "digit": digit})
    model = _teacher()[0]
    d = zoo.data()
    index = int(np.flatnonzero(d.y_test == digit)[0])
    with torch.no_grad():
        z = model(torch.tensor(d.X_test[index : index + 1]))[0]  # (10,)
    p1, pt = soften(z, 1.0).numpy(), soften(z, T).numpy()
    image = _image(d.X_test[index])
    return Soft(image, digit, index, T, p1, pt, _bits(p1), _bits(pt))


def _image(x: np.ndarray) -> np.ndarray:
    """The 8×8 picture of a standardized row, rescaled to 0..1 for drawing (contrast only)."""
    img = x.reshape(8, 8).astype(float)
    lo, hi = img.min(), img.max()
    return (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)


# ----------------------------------------------------------------------------- why T²


@dataclass(frozen=True)
class GradientScale:
    """Size of the soft term's gradient on the student's logits, with and without the T² factor."""

    T: np.ndarray  # temperatures
    plain: np.ndarray  # mean per-sample L2 norm of ∂KL/∂z_student, no scaling
    scaled: np.ndarray  # the same with T²·KL
    hard: float  # the same norm for the hard-label cross-entropy, for scale


@lru_cache(maxsize=1)
@one_thread()
def gradient_scale(temperatures: tuple[float, ...] = tuple(np.arange(1.0, 10.5, 0.5))) -> GradientScale:
    """Measure the soft term's gradient norm on an untrained student over the training set.

    An untrained student disagrees with the teacher as a fresh run does at its start; the
    norm is ‖∂loss/∂z‖₂ per sample, averaged (``batchmean`` divides by N, so multiply back).
    """
    t_logits = _teacher()[2]
    d = zoo.data()
    with torch.no_grad():
        s0 = zoo.build(STUDENT, 0)(torch.tensor(d.X_train))
    n = len(s0)
    plain, scaled = [], []
    for T in temperatures:
        z = s0.clone().requires_grad_(True)
        soft = kd_loss(z, t_logits, torch.tensor(d.y_train), T, 1.0) / (T * T)
        (g,) = torch.autograd.grad(soft, z)
        norm = float((g * n).norm(dim=1).mean())
        plain.append(norm)
        scaled.append(norm * T * T)
    z = s0.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(F.cross_entropy(z, torch.tensor(d.y_train)), z)
    return GradientScale(np.array(temperatures), np.array(plain), np.array(scaled), float((g * n).norm(dim=1).mean()))


# ----------------------------------------------------------------------------- the comparison


@dataclass(frozen=True)
class Comparison:
    """Test accuracy of the student trained on hard labels alone and with distillation, per seed."""

    T: float
    alpha: float
    seeds: np.ndarray  # (k,) student seeds
    hard: np.ndarray  # (k,) test accuracy, hard labels only (α = 0)
    distilled: np.ndarray  # (k,) test accuracy with the teacher at (T, α)
    teacher: float  # the teacher's test accuracy
    n_teacher: int  # parameters
    n_student: int
    hard_curves: np.ndarray  # (k, epochs + 1) validation accuracy per epoch
    distilled_curves: np.ndarray  # (k, epochs + 1)

    @property
    def gain(self) -> np.ndarray:
        """Per-seed difference, distilled minus hard (paired: same init, same batches)."""
        return self.distilled - self.hard


@lru_cache(maxsize=32)
def _run(T: float, alpha: float, seed: int) -> tuple[float, list[float]]:
    student, hist = train_student(None, T, alpha, seed)
    return zoo.accuracy(student), hist.val_metric


@one_thread()
def compare(T: float, alpha: float, n_seeds: int = N_SEEDS, progress: Progress = quiet, *,
            teacher: nn.Module | None = None, data: Arrays | None = None) -> Comparison:
    """Train ``n_seeds`` students each way (same init and batch order per seed) and test them.

    The zoo's teacher on the digits, or ``teacher`` trained on ``data`` (a classification table's arrays).
    The hard-label runs on the digits do not depend on T or α and are cached in the process. Seconds.
    """
    COMPARE.validate({"T": T, "alpha": alpha})
    if not 1 <= n_seeds <= 20:
        raise ParamError([f"n_seeds must be between 1 and 20; got {n_seeds}."])
    if data is None:
        teacher, teacher_acc, _ = _teacher()
        run = _run
    elif teacher is None:
        raise ValueError("compare on other data needs a teacher trained on the same data.")
    else:
        teacher_acc = zoo.accuracy(teacher, data)

        def run(T: float, alpha: float, seed: int) -> tuple[float, list[float]]:
            student, hist = train_student(teacher, T, alpha, seed, data=data)
            return zoo.accuracy(student, data), hist.val_metric
    seeds = np.arange(n_seeds)
    hard, soft = [], []
    for i, s in enumerate(seeds):
        hard.append(run(1.0, 0.0, int(s)))
        progress(2 * i + 1, 2 * n_seeds)
        soft.append(run(float(T), float(alpha), int(s)))
        progress(2 * i + 2, 2 * n_seeds)
    n_params = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    d = data or zoo.data()
    return Comparison(
        float(T), float(alpha), seeds, np.array([a for a, _ in hard]), np.array([a for a, _ in soft]), teacher_acc,
        n_params(teacher), n_params(zoo.build(STUDENT, 0, d.n_features, d.n_outputs)),
        np.array([c for _, c in hard]), np.array([c for _, c in soft]),
    )


def mean_std(x: np.ndarray) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof = 1; 0 for a single value)."""
    return float(np.mean(x)), float(np.std(x, ddof=1)) if len(x) > 1 else 0.0

