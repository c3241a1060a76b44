"""The compression pages on the learner's own table: a reference MLP trained on it, then compressed.

:func:`train` trains a zoo MLP recipe (its hidden widths, epochs, learning rate and batch size) with the table's
widths, ``n_features`` inputs and one output per class (one for a numeric target), on the table's
:class:`~neuralab.data.arrays.Arrays`. The weights are kept on disk like :func:`neuralab.compress.zoo.load`'s,
keyed by the table's id, the recipe, the seed and a digest of the arrays themselves, so a page answers at once the
second time and a changed sample is never served an old model.

Each page then gets one result, computed with the page's own functions on that trained network:

* :func:`quantization`: INT8 dynamic and static PTQ (:mod:`neuralab.compress.quantize`) against float32;
* :func:`pruning`: magnitude pruning at the page's sparsity levels, before and after the page's fine-tune
  (:func:`neuralab.compress.prune_effects.sweep_trained`);
* :func:`distillation`: the page's student trained on hard labels and distilled from the teacher recipe
  (:func:`neuralab.compress.distill.compare`); a numeric target has no class probabilities to soften.

Every result is an :class:`Own`: scores and stored bytes of the models compared. The score is
:func:`neuralab.compress.zoo.score`'s: test accuracy for classes, the test MSE of the standardized target for
regression (lower is better; 1.0 is what predicting the training mean scores).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass

import numpy as np
from torch import nn

from neuralab.compress import distill, prune, prune_effects, quantize, zoo
from neuralab.data.arrays import Arrays
from neuralab.nn.models import load_or_train, model_path
from neuralab.nn.runtime import one_thread
from neuralab.progress import Progress, quiet, stage
from neuralab.train.loop import fit

__all__ = ["MIN_TRAIN_ROWS", "N_SEEDS", "Own", "distillation", "metric", "pruning", "quantization", "train"]

MIN_TRAIN_ROWS = 30  # fewer training rows leave a network nothing to learn from, and a test score of a handful
N_SEEDS = 3  # students per arm of the distillation comparison (the digits use distill.N_SEEDS)
QUANT_RECIPE = PRUNE_RECIPE = "mlp"  # the network the quantization and pruning pages default to


@dataclass(frozen=True)
class Own:
    """Models compared on one table: a score and the stored bytes of each."""

    page: str  # "quantization", "pruning" or "distillation"
    name: str  # the table's name
    task: str  # "classification" or "regression"
    labels: tuple[str, ...]  # the models compared, in order
    scores: dict[str, np.ndarray]  # series name -> (len(labels),) test score of each model (NaN: not in it)
    sizes: np.ndarray  # (len(labels),) bytes of each model's stored parameters
    reference: float  # the uncompressed network's test score
    n_test: int  # test rows the scores are measured on
    detail: str  # one clause on how it was done (method, levels, seeds)

    @property
    def lower_better(self) -> bool:
        return self.task == "regression"

    @property
    def metric(self) -> str:
        return metric(self.task)


def metric(task: str) -> str:
    """What the score is, in words."""
    return "test accuracy" if task == "classification" else "test MSE of the standardized target"


def _digest(a: Arrays) -> str:
    h = hashlib.sha256()
    for x in (a.X_train, a.y_train, a.X_val, a.y_val, a.X_test, a.y_test):
        h.update(str(x.shape).encode())
        h.update(np.ascontiguousarray(x).tobytes())
    return h.hexdigest()[:16]


def _check(data: Arrays) -> None:
    if len(data.y_train) < MIN_TRAIN_ROWS:
        raise ValueError(f"{len(data.y_train)} training rows are too few to train a network on; at least "
                         f"{MIN_TRAIN_ROWS} are needed.")


@one_thread()
def train(data: Arrays, key: str, recipe: str = "mlp", seed: int = 0) -> zoo.Trained:
    """The zoo's MLP ``recipe`` trained on ``data`` (kept on disk under ``key``, the table's id, and a digest).

    Each call returns a fresh module (loaded from disk after the first), its test score in ``accuracy``
    (:func:`neuralab.compress.zoo.score`).

    Raises:
        ValueError: an unknown or non-MLP recipe, a key that is not a plain name, or too few training rows.
    """
    if recipe not in zoo.RECIPES or zoo.RECIPES[recipe].arch != "mlp":
        mlps = ", ".join(k for k, r in zoo.RECIPES.items() if r.arch == "mlp")
        raise ValueError(f"recipe must be one of the MLPs {mlps}; got {recipe!r}.")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", key):
        raise ValueError(f"key must be 1 to 64 letters, digits, - or _ (a table's id); got {key!r}.")
    _check(data)
    model = zoo.build(recipe, seed, data.n_features, data.n_outputs)
    path = model_path(f"own-{key}-{recipe}-s{seed}", {"name": recipe, "recipe": asdict(zoo.RECIPES[recipe]),
                                                       "seed": seed, "data": _digest(data)})
    load_or_train(model, path, lambda m: fit(m, data, zoo.config(recipe, seed)))
    return zoo.Trained(recipe, model, zoo.score(model, data), path.stem)


def _fp32_bytes(model: nn.Module) -> int:
    return prune.state_bytes(model)


def _int8_bytes(model: nn.Module, symmetric: bool, per_channel: bool) -> int:
    """Weights at one byte each, a float32 scale (and an int8 zero point when asymmetric) per scale group, and the
    biases kept in float32 (int32 on integer hardware: the same 4 bytes)."""
    total = 0
    for m in quantize.layers(model):
        groups = m.weight.shape[0] if per_channel else 1
        total += m.weight.numel() + groups * (4 + (not symmetric)) + 4 * m.bias.numel()
    return total


def quantization(data: Arrays, key: str, scheme: str = "symmetric", granularity: str = "tensor",
                 calib: int = 200, seed: int = 0, progress: Progress = quiet) -> Own:
    """The reference MLP on ``data`` in float32 and at 8 bits, dynamic and static PTQ (the page's quantizer).

    Static PTQ calibrates on ``calib`` training rows (all of them when the table has fewer).
    """
    progress(0, 2)
    ref = train(data, key, QUANT_RECIPE, seed)
    progress(1, 2)
    sym, per = scheme == "symmetric", granularity == "channel"
    n_cal = min(calib, len(data.X_train))
    dyn = quantize.ptq_dynamic(ref.model, 8, sym, per)
    sta = quantize.ptq_static(ref.model, quantize.calibration_set(n_cal, data.X_train), 8, sym, per)
    progress(2, 2)
    int8 = _int8_bytes(ref.model, sym, per)
    return Own("quantization", data.name, data.task, ("float32", "INT8 dynamic PTQ", "INT8 static PTQ"),
               {"test": np.array([ref.accuracy, zoo.score(dyn, data), zoo.score(sta, data)])},
               np.array([_fp32_bytes(ref.model), int8, int8]), ref.accuracy, len(data.y_test),
               f"{scheme} {'per-channel' if per else 'per-tensor'} weights, static ranges from {n_cal:,} "
               "training rows")


def pruning(data: Arrays, key: str, seed: int = 0, levels: tuple[int, ...] = prune_effects.SWEEP_LEVELS,
            progress: Progress = quiet) -> Own:
    """The reference MLP on ``data`` pruned by magnitude (unstructured) at ``levels`` %, each fine-tuned
    :data:`~neuralab.compress.prune.FT_EPOCHS` epochs with its mask kept. Sizes: the weights stored as CSR (torch's
    layout, what the page's footprint measures), the dense network's as dense float32."""
    ref = train(data, key, PRUNE_RECIPE, seed)
    progress(1, len(levels) + 1)
    sw = prune_effects.sweep_trained(ref.model, seed, levels, ("unstructured",), data,
                                     progress=stage(progress, 1, len(levels) + 1))
    sizes = [prune.csr_bytes(prune.magnitude(ref.model, level / 100)[0])[0] if level else _fp32_bytes(ref.model)
             for level in levels]
    return Own("pruning", data.name, data.task, tuple("dense" if lv == 0 else f"{lv}% sparse" for lv in levels),
               {"right after pruning": sw.before["unstructured"], "after fine-tuning": sw.after["unstructured"]},
               np.array(sizes), sw.acc_dense, len(data.y_test),
               f"unstructured magnitude pruning, {prune.FT_EPOCHS} epochs of fine-tuning at each level")


def distillation(data: Arrays, key: str, T: float = 4.0, alpha: float = 0.5, n_seeds: int = N_SEEDS,
                 progress: Progress = quiet) -> Own:
    """The teacher recipe trained on ``data``, and the page's student trained ``n_seeds`` times each way: on the
    hard labels alone, and distilled at (``T``, ``alpha``). Scores of the students are the mean over seeds.

    Raises:
        ValueError: a numeric target (nothing to soften).
    """
    if data.task != "classification":
        raise ValueError("distillation as this page does it softens the teacher's class probabilities, and a "
                         "numeric target has none; choose a table with classes.")
    total = 1 + 2 * n_seeds
    teacher = train(data, key, distill.TEACHER, distill.TEACHER_SEED)
    progress(1, total)
    c = distill.compare(T, alpha, n_seeds, stage(progress, 1, total), teacher=teacher.model, data=data)
    return Own("distillation", data.name, data.task,
               ("teacher", "student, hard labels", "student, distilled"),
               {"test": np.array([c.teacher, c.hard.mean(), c.distilled.mean()])},
               4 * np.array([c.n_teacher, c.n_student, c.n_student]), c.teacher, len(data.y_test),
               f"T = {T:g}, α = {alpha:g}, mean of {n_seeds} student seeds")
