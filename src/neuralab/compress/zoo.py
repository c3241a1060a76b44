"""Reference models for the compression pages: trained once by seed, cached on disk.

Every model reads the 64 pixels of an 8×8 digit and returns 10 logits, so any stage of
the compression stack can swap one for another. All of them train on the same split
(``neuralab.data.arrays.digits(0)``), so accuracies compare on the same 360 test digits.

A model is keyed by its name, its recipe, its seed, the torch version and the training code; the weights
are stored under ``<cache>/models/`` and loaded on the next call, so a page answers at
once after the first use.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from torch import nn

from neuralab.data.arrays import Arrays, digits
from neuralab.nn.cnn import digits_cnn
from neuralab.nn.models import load_or_train, mlp, model_path
from neuralab.params import Choice
from neuralab.train.loop import Config, evaluate, fit

__all__ = ["MODEL", "RECIPES", "Recipe", "Trained", "accuracy", "build", "config", "data", "kept", "load", "score"]

SPLIT_SEED = 0  # every reference model trains and is tested on the same split


@dataclass(frozen=True)
class Recipe:
    """How a reference model is built and trained."""

    title: str  # shown in dropdowns
    arch: str  # "mlp" or "cnn"
    hidden: tuple[int, ...]  # MLP hidden widths, or CNN channel counts
    epochs: int
    lr: float
    batch_size: int = 32
    optimizer: str = "adam"


RECIPES: dict[str, Recipe] = {
    "mlp": Recipe("MLP 64-64-32-10", "mlp", (64, 32), epochs=30, lr=3e-3),
    "cnn": Recipe("Small CNN (8 and 16 channels)", "cnn", (8, 16), epochs=20, lr=3e-3),
    # teacher and student are tuned for the distillation page: the teacher clearly ahead of a
    # student trained on hard labels (about 97 % against 94 % on the test digits), leaving room to help
    "teacher": Recipe("Teacher MLP 64-512-256-10", "mlp", (512, 256), epochs=30, lr=5e-4),
    "student": Recipe("Student MLP 64-8-10", "mlp", (8,), epochs=30, lr=5e-3),
}
MODEL = Choice(tuple((k, r.title) for k, r in RECIPES.items()), default="mlp", label="Model")


@dataclass
class Trained:
    """A trained reference model and how well it does on the held-out test digits."""

    name: str
    model: nn.Module  # in eval mode
    accuracy: float  # test accuracy, 0..1
    key: str  # the cache key: recipe, seed, torch version and training code


def build(name: str, seed: int = 0, n_in: int = 64, n_out: int = 10) -> nn.Module:
    """The untrained model of recipe ``name`` with weights drawn from ``seed``.

    An MLP recipe takes other widths for another table (``n_in`` features, ``n_out`` classes or 1 for a numeric
    target); the CNN reads 8 × 8 images only.
    """
    if name not in RECIPES:
        raise ValueError(f"model must be one of {', '.join(RECIPES)}; got {name!r}.")
    r = RECIPES[name]
    if r.arch == "mlp":
        return mlp((n_in, *r.hidden, n_out), "relu", seed=seed)
    if (n_in, n_out) != (64, 10):
        raise ValueError(f"the {name} recipe reads 8 × 8 images into 10 classes; got {n_in} inputs, {n_out} outputs.")
    c1, c2 = r.hidden
    return digits_cnn(c1, c2, seed)


def config(name: str, seed: int = 0) -> Config:
    """How recipe ``name`` is trained (epochs, learning rate, batch size, optimizer), batches ordered by ``seed``."""
    r = RECIPES[name]
    return Config(epochs=r.epochs, lr=r.lr, batch_size=r.batch_size, optimizer=r.optimizer, seed=seed)


def data() -> Arrays:
    """The digits split every reference model uses."""
    return digits(SPLIT_SEED)


def accuracy(model: nn.Module, arrays: Arrays | None = None) -> float:
    """Test accuracy of ``model`` on the shared split."""
    d = arrays or data()
    return evaluate(model, d.X_test, d.y_test, d.task)[1]


def score(model: nn.Module, arrays: Arrays | None = None) -> float:
    """The test score the compression pages report: accuracy (0..1) for classes; for a numeric target the mean
    squared error of the target standardized on the training rows (the training loss; 1.0 is what always
    predicting the training mean scores, lower is better)."""
    d = arrays or data()
    loss, metric = evaluate(model, d.X_test, d.y_test, d.task)
    return metric if d.task == "classification" else loss


def _path(name: str, seed: int) -> Path:
    return model_path(f"{name}-s{seed}", {"name": name, "recipe": asdict(RECIPES[name]), "seed": seed})


def kept(name: str, seed: int = 0) -> bool:
    """Whether reference model ``name`` for ``seed`` is trained and stored already, so :func:`load` takes
    milliseconds (by any process of this machine; a name not in :data:`RECIPES` is never kept)."""
    return name in RECIPES and _path(name, seed).is_file()


@lru_cache(maxsize=16)
def load(name: str, seed: int = 0) -> Trained:
    """The trained reference model: from the disk cache, or trained now (seconds) and stored.

    The returned module is shared by every caller in this process: deep-copy it before
    changing its weights.
    """
    model = build(name, seed)
    path = _path(name, seed)
    load_or_train(model, path, lambda m: fit(m, data(), config(name, seed)))
    return Trained(name, model, accuracy(model), path.stem)
