"""Pruning a trained network: zero the weights (or whole neurons) that matter least, then measure.

Two granularities, both through :mod:`torch.nn.utils.prune`:

* **Unstructured**: in every layer, the fraction ``s`` of weights with the smallest |w| is
  set to zero (``l1_unstructured``). The matrices keep their shape; a dense matmul does the
  same work as before, so the model is not faster unless stored and run in a sparse format.
* **Structured**: in every hidden layer, the fraction ``s`` of neurons (rows of the weight
  matrix) with the smallest L2 norm is removed (``ln_structured`` along dim 0, with the
  neuron's bias). The output layer keeps its 10 classes. Removed neurons can be cut out
  for real (:func:`compact`), giving a physically smaller dense network that *is* faster.

torch prunes by re-parametrization: ``weight = weight_orig * weight_mask`` is recomputed
before every forward pass, so training after pruning (:func:`fine_tune`) updates
``weight_orig`` and the masked entries stay exactly zero. :func:`finalize` makes it permanent.

Counts follow torch: a layer of n weights loses ``round(s · n)`` of them (Python's round,
half to even), so each layer hits the requested sparsity as closely as whole numbers allow.
"""

from __future__ import annotations

import copy
import statistics
import time
import warnings

import numpy as np
import torch
from torch import nn
from torch.nn.utils import prune

from neuralab.compress import zoo
from neuralab.data.arrays import Arrays
from neuralab.nn.runtime import one_thread
from neuralab.params import Int, ParamError
from neuralab.progress import Progress, stage
from neuralab.train.loop import Config, History, fit

__all__ = [
    "FT_EPOCHS", "FT_LR", "ROUNDS", "ROUND_EPOCHS", "SPARSITY", "SparseMLP", "apply_masks", "compact",
    "csr_break_even", "csr_bytes", "csr_entry_bytes",
    "finalize", "fine_tune", "iterative", "latency", "magnitude", "masks_of", "prunable", "random", "sparsity_of",
    "state_bytes",
]

FT_EPOCHS = 8  # fine-tuning epochs after a one-shot prune (the iterative schedule shares the same total)
FT_LR = 2e-3  # Adam
ROUNDS = 4  # rounds of the iterative schedule
ROUND_EPOCHS = 4  # fine-tuning epochs after each round of the iterative schedule

SPARSITY = Int(0, 100, 50, step=5, label="Sparsity", unit="%",
               help="Share of each layer's weights (unstructured) or hidden neurons (structured) removed. "
                    "100% would empty a layer: try it.")

Masks = dict[str, torch.Tensor]


# ----------------------------------------------------------------------------- pruning itself


def prunable(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The (name, module) pairs whose weights are pruned: every ``Linear`` and ``Conv2d``, in order."""
    return [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Linear | nn.Conv2d)]


def _check_sparsity(model: nn.Module, sparsity: float, structured: bool) -> None:
    """Refuse a level that would leave some layer empty, with a sentence saying which and why."""
    if not 0.0 <= sparsity <= 1.0:
        raise ParamError([f"sparsity must be a fraction between 0 and 1; got {sparsity!r}."])
    layers = prunable(model)[:-1] if structured else prunable(model)
    for name, m in layers:
        n = m.weight.shape[0] if structured else m.weight.numel()
        if n - round(sparsity * n) < 1:
            what = "neurons" if isinstance(m, nn.Linear) else "channels"
            unit = what if structured else "weights"
            grid = range(SPARSITY.lo, SPARSITY.hi + 1, SPARSITY.step)
            top = max(k for k in grid if n - round(k / 100 * n) >= 1)
            raise ParamError([
                f"sparsity {sparsity:.0%} would remove all {n} {unit} of layer {name}, leaving it empty: nothing "
                f"could flow through it and every prediction would be the same. Keep at least one: on the "
                f"{SPARSITY.step}% grid the highest sparsity that does is {top}%."
            ])


def _copy(model: nn.Module) -> nn.Module:
    """``copy.deepcopy`` that also works after training a pruned model.

    torch recomputes ``weight = weight_orig * mask`` as a plain attribute before each forward;
    after a training step that attribute is part of an autograd graph, which deepcopy refuses.
    It is detached first (the next forward recomputes it anyway).
    """
    for _, m in model.named_modules():
        for b, _ in m.named_buffers(recurse=False):
            if b.endswith("_mask"):
                name = b.removesuffix("_mask")
                setattr(m, name, getattr(m, name).detach())
    return copy.deepcopy(model)


def _prune(model: nn.Module, sparsity: float, structured: bool, by: str, seed: int) -> tuple[nn.Module, Masks]:
    _check_sparsity(model, sparsity, structured)
    model = _copy(model)
    layers = prunable(model)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for _, m in layers[:-1] if structured else layers:
            if structured:
                if by == "magnitude":
                    prune.ln_structured(m, "weight", amount=sparsity, n=2, dim=0)
                else:
                    prune.random_structured(m, "weight", amount=sparsity, dim=0)
                rows = m.weight_mask.reshape(m.weight_mask.shape[0], -1).any(1).to(m.weight.dtype)  # (out,)
                prune.custom_from_mask(m, "bias", rows)  # a removed neuron must not keep firing its bias
            elif by == "magnitude":
                prune.l1_unstructured(m, "weight", amount=sparsity)
            else:
                prune.random_unstructured(m, "weight", amount=sparsity)
    return model, masks_of(model)


def magnitude(model: nn.Module, sparsity: float, structured: bool = False) -> tuple[nn.Module, Masks]:
    """A pruned copy of ``model``: the smallest-magnitude fraction ``sparsity`` of each layer removed.

    Args:
        model: a trained network (left untouched).
        sparsity: fraction in [0, 1] of weights (unstructured) or hidden neurons (structured) to remove.
        structured: remove whole neurons by the L2 norm of their weight rows, instead of single weights.

    Returns:
        The pruned copy (still re-parametrized, so :func:`fine_tune` keeps the zeros) and its masks,
        ``{"<layer>.weight": 0/1 tensor, ...}`` (structured also masks biases).

    Raises:
        ParamError: ``sparsity`` outside [0, 1], or so high that a layer would lose every weight or neuron.
    """
    return _prune(model, sparsity, structured, "magnitude", 0)


def random(model: nn.Module, sparsity: float, structured: bool = False, seed: int = 0) -> tuple[nn.Module, Masks]:
    """Like :func:`magnitude` but removes a random choice: the baseline that shows magnitude matters."""
    return _prune(model, sparsity, structured, "random", seed)


def masks_of(model: nn.Module) -> Masks:
    """The current masks of a re-parametrized model, ``{"<layer>.<param>": mask}`` (copies)."""
    return {f"{n}.{b.removesuffix('_mask')}": t.detach().clone()
            for n, m in model.named_modules() for b, t in m.named_buffers(recurse=False) if b.endswith("_mask")}


def apply_masks(model: nn.Module, masks: Masks) -> nn.Module:
    """Prune a copy of ``model`` with given masks (``custom_from_mask``): the same holes in other weights."""
    model = _copy(model)
    modules = dict(model.named_modules())
    for key, mask in masks.items():
        name, param = key.rsplit(".", 1)
        prune.custom_from_mask(modules[name], param, mask)
    return model


def finalize(model: nn.Module) -> nn.Module:
    """Make the pruning permanent in place: ``weight = weight_orig * mask`` becomes a plain parameter."""
    for _, m in model.named_modules():
        for b, _ in list(m.named_buffers(recurse=False)):
            if b.endswith("_mask"):
                prune.remove(m, b.removesuffix("_mask"))
    return model


def sparsity_of(model: nn.Module) -> float:
    """Fraction of exactly-zero entries over the weights of :func:`prunable` layers."""
    ws = [m.weight.detach() for _, m in prunable(model)]
    return float(sum(int((w == 0).sum()) for w in ws) / sum(w.numel() for w in ws))


@one_thread()
def fine_tune(model: nn.Module, epochs: int = FT_EPOCHS, lr: float = FT_LR, seed: int = 0,
              progress: Progress | None = None, data: Arrays | None = None) -> History:
    """Train a pruned model in place with its masks kept (the zeros stay zero): on ``data``, else the digits."""
    model.train()
    hist = fit(model, data or zoo.data(), Config(epochs=epochs, lr=lr, seed=seed), progress=progress)
    model.eval()
    return hist


@one_thread()
def iterative(model: nn.Module, sparsity: float, structured: bool = False, rounds: int = ROUNDS,
              epochs_per_round: int = ROUND_EPOCHS, seed: int = 0, progress: Progress | None = None
              ) -> tuple[nn.Module, list[float], History]:
    """Prune to ``sparsity`` in ``rounds`` steps, fine-tuning ``epochs_per_round`` epochs after each.

    Round r prunes to ``1 − (1 − s)^(r / rounds)`` of the *original* layer, by magnitude over the
    weights still alive: each step removes the same share of what is left. The whole schedule
    costs ``rounds · epochs_per_round`` epochs of fine-tuning; compare it with a one-shot prune
    given the same total, or the comparison measures the budget rather than the schedule.

    Returns:
        The pruned, fine-tuned copy; the test accuracy after each round; the last round's history.
    """
    _check_sparsity(model, sparsity, structured)
    per = epochs_per_round
    current, accs, hist = _copy(model), [], History()
    for r in range(1, rounds + 1):
        target = 1.0 - (1.0 - sparsity) ** (r / rounds) if r < rounds else sparsity
        dense = finalize(_copy(current))  # the masked weights as plain zeros
        current, _ = magnitude(dense, target, structured)  # earlier holes have |w| = 0: they go first again
        hist = fine_tune(current, per, seed=seed + r, progress=stage(progress, (r - 1) * per, rounds * per))
        accs.append(zoo.accuracy(current))
    return current, accs, hist


# ----------------------------------------------------------------------------- smaller and faster for real


def compact(model: nn.Module) -> nn.Sequential:
    """A physically smaller dense copy of a structurally pruned MLP: dead neurons cut out.

    A hidden neuron whose weight row and bias are all zero is removed, together with the
    matching column of the next layer's weight. The outputs are unchanged (ReLU(0) = 0 adds nothing).

    Raises:
        ValueError: for a model that is not a ``Sequential`` of ``Linear`` layers and activations.
    """
    m = finalize(_copy(model))
    if not isinstance(m, nn.Sequential) or any(isinstance(x, nn.Conv2d) for x in m):
        raise ValueError("compact handles MLPs (a Sequential of Linear layers and activations) only.")
    layers = list(m)
    lin = [i for i, x in enumerate(layers) if isinstance(x, nn.Linear)]
    keep_in = torch.ones(layers[lin[0]].in_features, dtype=torch.bool)
    for j, i in enumerate(lin):
        old = layers[i]
        w, b = old.weight.detach()[:, keep_in], old.bias.detach()
        last = j == len(lin) - 1
        keep_out = torch.ones(len(b), dtype=torch.bool) if last else (w != 0).any(1) | (b != 0)
        new = nn.Linear(int(keep_in.sum()), int(keep_out.sum()))
        with torch.no_grad():
            new.weight.copy_(w[keep_out])
            new.bias.copy_(b[keep_out])
        layers[i], keep_in = new, keep_out
    return nn.Sequential(*layers).eval()


def state_bytes(model: nn.Module) -> int:
    """Bytes of the tensors of a dense fp32 state dict (4 bytes a number; the file format's few
    hundred bytes of keys and headers left out, so sizes compare exactly)."""
    return sum(t.numel() * t.element_size() for t in finalize(_copy(model)).state_dict().values())


def csr_bytes(model: nn.Module) -> tuple[int, int]:
    """Bytes of the weights as torch CSR tensors (values fp32, indices int64) plus dense biases; and non-zeros."""
    total, nnz = 0, 0
    for _, m in prunable(model):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "sparse CSR support is in beta"
            w = m.weight.detach().reshape(m.weight.shape[0], -1).to_sparse_csr()
        parts = (w.values(), w.col_indices(), w.crow_indices())
        total += sum(t.numel() * t.element_size() for t in parts)
        nnz += w.values().numel()
        if m.bias is not None:
            total += m.bias.numel() * m.bias.element_size()
    return total, nnz


def csr_entry_bytes() -> tuple[int, int]:
    """Bytes of one stored weight in torch CSR: its float32 value and its int64 column index."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        w = torch.ones(1, 1).to_sparse_csr()
    return w.values().element_size(), w.col_indices().element_size()


def csr_break_even() -> float:
    """The sparsity above which a float32 matrix takes fewer bytes as CSR than dense (row pointers aside)."""
    value, index = csr_entry_bytes()
    return 1 - value / (value + index)


class SparseMLP(nn.Module):
    """An MLP whose weights are stored and multiplied as torch CSR tensors (``torch.sparse.mm``)."""

    def __init__(self, dense: nn.Sequential):
        super().__init__()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self.layers = [(x.weight.detach().to_sparse_csr(), x.bias.detach()) if isinstance(x, nn.Linear) else x
                           for x in finalize(_copy(dense))]

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, 64) -> (N, 10)
        for layer in self.layers:
            if isinstance(layer, tuple):
                w, b = layer
                x = torch.sparse.mm(w, x.T).T + b  # (out, in) @ (in, N) -> (out, N)
            else:
                x = layer(x)
        return x


def latency(model: nn.Module, batch: int, repeats: int = 200, warmup: int = 20) -> float:
    """Median wall time of one forward pass on ``batch`` test digits, in seconds (one thread, no autograd).

    The median of many repeats resists the outliers of a shared machine; still, compare
    numbers from one run, not across machines.
    """
    d = zoo.data()
    x = torch.tensor(np.resize(d.X_test, (batch, d.X_test.shape[1])))  # (batch, 64), test rows recycled
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.inference_mode():
            for _ in range(warmup):
                model(x)
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                model(x)
                times.append(time.perf_counter() - t0)
    finally:
        torch.set_num_threads(threads)
    return statistics.median(times)
