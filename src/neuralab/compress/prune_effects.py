"""What pruning does to the zoo's trained networks, measured: the experiments the /pruning page shows.

Each function takes the page's controls (a reference model's name, a sparsity in %, the
granularity, a seed), prunes that trained network with :mod:`neuralab.compress.prune`
and returns a frozen dataclass of numbers:

* :func:`snapshot`: one pruned network before any retraining, what was removed and its accuracy;
* :func:`tuned`: the same after a short fine-tune with the masks kept;
* :func:`sweep`: accuracy against sparsity, three ways, before and after fine-tuning;
* :func:`schedules`: one-shot against iterative pruning at the same fine-tuning budget;
* :func:`lottery`: Frankle & Carbin's rewind against a fresh initialization with the same mask;
* :func:`footprint`: bytes and forward-pass time of the network stored four ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from neuralab.compress import zoo
from neuralab.compress.prune import (
    FT_EPOCHS,
    ROUND_EPOCHS,
    ROUNDS,
    SPARSITY,
    SparseMLP,
    apply_masks,
    compact,
    csr_bytes,
    finalize,
    fine_tune,
    iterative,
    latency,
    magnitude,
    prunable,
    random,
    sparsity_of,
    state_bytes,
)
from neuralab.data.arrays import Arrays
from neuralab.nn.runtime import one_thread
from neuralab.params import SEED, Choice, ParamError, ParamSpec
from neuralab.progress import Progress, quiet, stage
from neuralab.train.loop import Config, fit

__all__ = [
    "BATCH", "FOOTPRINT", "LOTTERY", "LOTTERY_LEVELS", "METHODS", "NETWORKS", "NOT_TRAINED", "PRUNE", "SCHEDULE",
    "SWEEP",
    "SWEEP_LEVELS", "VARIANTS", "WAYS", "Footprint", "Lottery", "Schedules", "Snapshot", "Sweep", "Tuned",
    "footprint", "lottery", "reference", "schedules", "schedules_and_footprint", "snapshot", "sweep",
    "sweep_trained", "trained", "tuned",
]

SWEEP_LEVELS = (0, 30, 50, 70, 80, 90, 95)  # % for the accuracy-against-sparsity curves
LOTTERY_LEVELS = (50, 80, 95)  # % for the lottery-ticket experiment
BATCH = 256  # samples in the batch-latency measurement

METHODS: dict[str, str] = {
    "unstructured": "Unstructured (single weights)",
    "structured": "Structured (whole neurons)",
}
NETWORKS: dict[str, str] = {"mlp": "MLP 64-64-32-10", "teacher": "Large MLP 64-512-256-10"}

NETWORK = Choice(tuple(NETWORKS.items()), default="mlp", label="Network",
                 help="A trained reference model; the large one shows the speed differences more clearly.")
METHOD = Choice(tuple(METHODS.items()), default="unstructured", label="Granularity")

PRUNE = ParamSpec("prune", model=NETWORK, sparsity=SPARSITY, method=METHOD, seed=SEED)
SWEEP = ParamSpec("sweep", model=NETWORK, seed=SEED)
SCHEDULE = PRUNE
LOTTERY = SWEEP
FOOTPRINT = ParamSpec("footprint", model=NETWORK, sparsity=SPARSITY, seed=SEED)


def _trained(name: str, seed: int) -> nn.Module:
    if name not in NETWORKS:
        raise ParamError([f"model must be one of {', '.join(NETWORKS)}; got {name!r}."])
    return zoo.load(name, seed).model


def trained(model: str, seed: int) -> bool:
    """Whether the reference ``model`` for ``seed`` is trained already, so :func:`snapshot` takes milliseconds.

    The first use of a model and seed trains it (seconds): a page asks this first and leaves the training
    to a background job (:func:`reference`).
    """
    return model in NETWORKS and zoo.kept(model, seed)


def reference(model: str, seed: int) -> float:
    """Train the reference ``model`` for ``seed`` now if it is not stored yet; its test accuracy."""
    v = SWEEP.validate(dict(model=model, seed=seed))
    return zoo.load(v["model"], v["seed"]).accuracy


NOT_TRAINED = ("The reference network for this network and seed is being trained (once on this machine, a few "
               "seconds); the pruned network appears here as soon as it is done.")


@dataclass(frozen=True)
class Snapshot:
    """One pruned network, before any fine-tuning: what was removed and what it cost."""

    sparsity: float  # requested fraction
    structured: bool
    achieved: float  # fraction of zero weights over all pruned layers
    layer_names: tuple[str, ...]
    layer_kept: np.ndarray  # (L,) fraction of weights kept per layer
    layer_shapes: tuple[tuple[int, int], ...]  # (out, in) per layer
    first_weight: np.ndarray  # (out, in) |w| of the first layer, zeros where pruned
    kept: np.ndarray  # (n_kept,) |w| of the trained weights that survive, every pruned layer
    removed: np.ndarray  # (n_removed,) |w| of the trained weights set to zero
    acc_dense: float  # test accuracy before pruning
    acc_pruned: float  # test accuracy right after pruning, no fine-tuning


@lru_cache(maxsize=64)
@one_thread()
def snapshot(model: str, sparsity: int, method: str, seed: int) -> Snapshot:
    """Prune the trained ``model`` to ``sparsity`` % and test it at once (milliseconds on warm caches)."""
    v = PRUNE.validate(dict(model=model, sparsity=sparsity, method=method, seed=seed))
    dense = _trained(v["model"], v["seed"])
    structured = v["method"] == "structured"
    pruned, masks = magnitude(dense, v["sparsity"] / 100, structured)
    layers = prunable(pruned)
    weights = [m.weight.detach() for _, m in layers]
    mags, keep = [], []
    for n, m in prunable(dense):
        mags.append(m.weight.detach().abs().flatten())
        keep.append(masks[f"{n}.weight"].flatten() > 0 if f"{n}.weight" in masks else torch.ones_like(mags[-1]) > 0)
    mag, kept = torch.cat(mags), torch.cat(keep)
    return Snapshot(
        v["sparsity"] / 100, structured, sparsity_of(pruned), tuple(n for n, _ in layers),
        np.array([float((w != 0).float().mean()) for w in weights]),
        tuple((int(w.shape[0]), int(w.shape[1])) for w in weights),
        weights[0].abs().numpy(), mag[kept].numpy(), mag[~kept].numpy(), zoo.accuracy(dense), zoo.accuracy(pruned),
    )


@dataclass(frozen=True)
class Tuned:
    """Accuracy before pruning, right after it, and after a short fine-tune with the masks kept."""

    acc_dense: float
    acc_pruned: float
    acc_tuned: float
    val_curve: np.ndarray  # (epochs + 1,) validation accuracy during the fine-tune
    achieved: float  # sparsity after fine-tuning (must equal the one before)


@lru_cache(maxsize=64)
@one_thread()
def tuned(model: str, sparsity: int, method: str, seed: int, progress: Progress = quiet) -> Tuned:
    """Prune the trained ``model`` and fine-tune it for :data:`FT_EPOCHS` epochs. Under a second for the MLP."""
    v = PRUNE.validate(dict(model=model, sparsity=sparsity, method=method, seed=seed))
    dense = _trained(v["model"], v["seed"])
    pruned, _ = magnitude(dense, v["sparsity"] / 100, v["method"] == "structured")
    before = zoo.accuracy(pruned)
    hist = fine_tune(pruned, seed=v["seed"], progress=progress)
    return Tuned(zoo.accuracy(dense), before, zoo.accuracy(pruned), np.array(hist.val_metric), sparsity_of(pruned))


@dataclass(frozen=True)
class Sweep:
    """Measured accuracy against sparsity, before and after fine-tuning, per way of pruning."""

    levels: np.ndarray  # (k,) sparsity in %
    before: dict[str, np.ndarray]  # way -> (k,) test accuracy right after pruning
    after: dict[str, np.ndarray]  # way -> (k,) test accuracy after the fine-tune
    acc_dense: float


WAYS: dict[str, str] = {
    "unstructured": "Unstructured, by magnitude",
    "structured": "Structured neurons, by L2 norm",
    "random": "Unstructured, random (baseline)",
}


@one_thread()
def sweep(model: str, seed: int, levels: tuple[int, ...] = SWEEP_LEVELS, progress: Progress = quiet) -> Sweep:
    """Prune at every level three ways (magnitude, structured, random) and fine-tune each. Seconds."""
    v = SWEEP.validate(dict(model=model, seed=seed))
    return sweep_trained(_trained(v["model"], v["seed"]), v["seed"], levels, progress=progress)


@one_thread()
def sweep_trained(dense: nn.Module, seed: int, levels: tuple[int, ...] = SWEEP_LEVELS,
                  ways: tuple[str, ...] = tuple(WAYS), data: Arrays | None = None,
                  progress: Progress = quiet) -> Sweep:
    """:func:`sweep` of a trained network on ``data`` (else the digits), the ``ways`` of :data:`WAYS` given.

    Scores are :func:`neuralab.compress.zoo.score`'s: test accuracy, or the test MSE for a numeric target.
    """
    before: dict[str, list[float]] = {w: [] for w in ways}
    after: dict[str, list[float]] = {w: [] for w in ways}
    total, done = len(levels) * len(ways), 0
    for level in levels:
        for way in ways:
            s = level / 100
            pruned, _ = random(dense, s, False, seed) if way == "random" else magnitude(
                dense, s, way == "structured")
            before[way].append(zoo.score(pruned, data))
            fine_tune(pruned, seed=seed, data=data)
            after[way].append(zoo.score(pruned, data))
            done += 1
            progress(done, total)
    return Sweep(np.array(levels), {k: np.array(x) for k, x in before.items()},
                 {k: np.array(x) for k, x in after.items()}, zoo.score(dense, data))


@dataclass(frozen=True)
class Schedules:
    """One-shot against iterative pruning to the same sparsity with the same fine-tuning budget."""

    sparsity: float
    structured: bool
    rounds: int
    oneshot_before: float  # test accuracy right after the one-shot prune
    oneshot_after: float  # after FT_EPOCHS epochs of fine-tuning
    oneshot_matched: float  # after ROUNDS · ROUND_EPOCHS epochs: the iterative schedule's whole budget
    iter_sparsity: np.ndarray  # (rounds,) sparsity after each round
    iter_acc: np.ndarray  # (rounds,) test accuracy after each round's fine-tune
    acc_dense: float
    oneshot: Tuned  # the one-shot run in detail (its fine-tuning curve)


@one_thread()
def schedules(model: str, sparsity: int, method: str, seed: int, progress: Progress = quiet) -> Schedules:
    """Run both schedules on the trained ``model``. About a second for the MLP."""
    v = SCHEDULE.validate(dict(model=model, sparsity=sparsity, method=method, seed=seed))
    dense, s, structured = _trained(v["model"], v["seed"]), v["sparsity"] / 100, v["method"] == "structured"
    budget = ROUNDS * ROUND_EPOCHS
    total = FT_EPOCHS + 2 * budget
    one = tuned(v["model"], v["sparsity"], v["method"], v["seed"], progress=stage(progress, 0, total))
    long, _ = magnitude(dense, s, structured)
    fine_tune(long, budget, seed=v["seed"], progress=stage(progress, FT_EPOCHS, total))
    _, accs, _ = iterative(dense, s, structured, seed=v["seed"], progress=stage(progress, FT_EPOCHS + budget, total))
    levels = [1.0 - (1.0 - s) ** (r / ROUNDS) for r in range(1, ROUNDS + 1)]
    return Schedules(s, structured, ROUNDS, one.acc_pruned, one.acc_tuned, zoo.accuracy(long), np.array(levels) * 100,
                     np.array(accs), one.acc_dense, one)


@dataclass(frozen=True)
class Lottery:
    """Retraining a pruned network's mask from its original init (rewind) against a fresh init."""

    levels: np.ndarray  # (k,) sparsity in %
    rewind: np.ndarray  # (k,) test accuracy: trained mask, original initial weights, trained again
    reinit: np.ndarray  # (k,) test accuracy: same mask, new random initial weights, trained again
    acc_dense: float  # the dense network trained from the same init
    epochs: int  # training epochs of each retraining (the recipe's)


@one_thread()
def lottery(model: str, seed: int, levels: tuple[int, ...] = LOTTERY_LEVELS, progress: Progress = quiet) -> Lottery:
    """Frankle & Carbin's test, one-shot: train, prune by magnitude, rewind or re-draw, retrain.

    The winning-ticket init is ``zoo.build(model, seed)``, the very weights the trained model
    started from; the control draws its init from seed + 1000 and keeps the same mask.
    """
    v = LOTTERY.validate(dict(model=model, seed=seed))
    trained = _trained(v["model"], v["seed"])
    r = zoo.RECIPES[v["model"]]
    cfg = Config(epochs=r.epochs, lr=r.lr, batch_size=r.batch_size, optimizer=r.optimizer, seed=v["seed"])
    rewind, reinit = [], []
    for i, level in enumerate(levels):
        _, masks = magnitude(trained, level / 100)
        for init_seed, out in ((v["seed"], rewind), (v["seed"] + 1000, reinit)):
            net = apply_masks(zoo.build(v["model"], init_seed), masks)
            fit(net, zoo.data(), cfg)
            out.append(zoo.accuracy(net))
        progress(i + 1, len(levels))
    return Lottery(np.array(levels), np.array(rewind), np.array(reinit), zoo.accuracy(trained), r.epochs)


@dataclass(frozen=True)
class Footprint:
    """Bytes and forward-pass time of one network stored four ways."""

    variants: tuple[str, ...]  # dense, unstructured zeros (dense storage), unstructured CSR, structured compact
    bytes: np.ndarray  # (4,) bytes of the stored weights
    params: np.ndarray  # (4,) non-zero parameters stored
    latency_one: np.ndarray  # (4,) median seconds for one sample
    latency_batch: np.ndarray  # (4,) median seconds for a batch of BATCH
    acc: np.ndarray  # (4,) test accuracy (no fine-tuning)
    sparsity: float
    compact_shape: tuple[int, ...]  # layer widths of the compacted structured model


VARIANTS = ("Dense", "Unstructured, zeros in dense", "Unstructured, CSR sparse", "Structured, compacted")


@one_thread()
def footprint(model: str, sparsity: int, seed: int, repeats: int = 200, progress: Progress = quiet) -> Footprint:
    """Measure size and latency of the dense model and three pruned versions at ``sparsity`` %. Seconds."""
    v = FOOTPRINT.validate(dict(model=model, sparsity=sparsity, seed=seed))
    dense = _trained(v["model"], v["seed"])
    s = v["sparsity"] / 100
    unstructured = finalize(magnitude(dense, s)[0]).eval()
    structured = compact(magnitude(dense, s, True)[0])
    sparse = SparseMLP(unstructured)
    csr, nnz = csr_bytes(unstructured)
    models = (dense, unstructured, sparse, structured)
    nz = lambda m: sum(int((p != 0).sum()) for p in m.parameters())  # noqa: E731
    one, batch = [], []
    for i, m in enumerate(models):
        one.append(latency(m, 1, repeats))
        batch.append(latency(m, BATCH, max(20, repeats // 4)))
        progress(i + 1, len(models))
    biases = sum(mm.bias.numel() for _, mm in prunable(unstructured))
    widths = tuple([structured[0].in_features] + [x.out_features for x in structured if isinstance(x, nn.Linear)])
    return Footprint(
        VARIANTS, np.array([state_bytes(dense), state_bytes(unstructured), csr, state_bytes(structured)]),
        np.array([nz(dense), nz(unstructured), nnz + biases, nz(structured)]),
        np.array(one), np.array(batch), np.array([zoo.accuracy(m) for m in models]), s, widths,
    )


def schedules_and_footprint(model: str, sparsity: int, method: str, seed: int,
                            progress: Progress = quiet) -> tuple[Schedules, Footprint]:
    """:func:`schedules` and :func:`footprint` at one setting, as one job with one progress count.

    ``progress`` counts the schedules' fine-tuning epochs, then the footprint's measured versions.
    """
    total = FT_EPOCHS + 2 * ROUNDS * ROUND_EPOCHS + len(VARIANTS)
    sc = schedules(model, sparsity, method, seed, progress=stage(progress, 0, total))
    fp = footprint(model, sparsity, seed, progress=stage(progress, total - len(VARIANTS), total))
    return sc, fp
