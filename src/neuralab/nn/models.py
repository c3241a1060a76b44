"""Model builders shared by every page: one MLP factory, one registry of activations and inits.

The registries map the names used by dropdowns and URLs to torch classes, so a page,
the library and an exported script all build the same network from the same words.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from torch import nn

from neuralab import cache
from neuralab.params import Choice

__all__ = ["ACTIVATION", "ACTIVATIONS", "INIT", "INITS", "NORMS", "TRAINING_CODE", "load_or_train", "mlp",
           "model_path", "n_params"]

#: name -> (label, module class). The classes are torch's own.
ACTIVATIONS: dict[str, tuple[str, type[nn.Module]]] = {
    "relu": ("ReLU", nn.ReLU),
    "leaky_relu": ("Leaky ReLU", nn.LeakyReLU),
    "elu": ("ELU", nn.ELU),
    "gelu": ("GELU", nn.GELU),
    "silu": ("SiLU (swish)", nn.SiLU),
    "tanh": ("tanh", nn.Tanh),
    "sigmoid": ("Sigmoid", nn.Sigmoid),
    "linear": ("Linear (none)", nn.Identity),
}
ACTIVATION = Choice(tuple((k, v[0]) for k, v in ACTIVATIONS.items()), default="relu", label="Activation")

#: name -> label. He suits ReLU-like units, Xavier suits tanh and sigmoid; zeros shows the symmetry problem.
INITS: dict[str, str] = {"he": "He (Kaiming)", "xavier": "Xavier (Glorot)", "zeros": "Zeros (symmetric)"}
INIT = Choice(tuple(INITS.items()), default="he", label="Initialization")

NORMS: dict[str, str] = {"none": "None", "batch": "Batch norm", "layer": "Layer norm"}


def _init_linear(layer: nn.Linear, init: str, activation: str) -> None:
    if init == "zeros":
        nn.init.zeros_(layer.weight)
    elif init == "xavier":
        nn.init.xavier_uniform_(layer.weight, gain=nn.init.calculate_gain(_gain_name(activation)))
    elif init == "he":
        nn.init.kaiming_normal_(layer.weight, nonlinearity="leaky_relu" if activation == "leaky_relu" else "relu")
    else:
        raise ValueError(f"init must be one of {', '.join(INITS)}; got {init!r}.")
    nn.init.zeros_(layer.bias)


def _gain_name(activation: str) -> str:
    return {"tanh": "tanh", "sigmoid": "sigmoid", "relu": "relu", "leaky_relu": "leaky_relu"}.get(activation, "linear")


def mlp(
    sizes: Sequence[int],
    activation: str | Sequence[str] = "relu",
    *,
    dropout: float = 0.0,
    norm: str = "none",
    init: str = "he",
    seed: int = 0,
) -> nn.Sequential:
    """A multilayer perceptron ``sizes[0] -> ... -> sizes[-1]`` with no activation on the output.

    Args:
        sizes: layer widths, input first, e.g. ``(64, 32, 10)``.
        activation: one name for every hidden layer, or one per hidden layer.
        dropout: drop probability after each hidden activation (0 adds no layer).
        norm: ``"batch"`` or ``"layer"`` normalization before each hidden activation.
        init: ``"he"``, ``"xavier"`` or ``"zeros"`` for the weights; biases start at zero.
        seed: the weights are drawn from ``torch.Generator`` state fixed by this seed.
    """
    if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
        raise ValueError(f"sizes must list at least two positive widths; got {tuple(sizes)}.")
    hidden = len(sizes) - 2
    acts = [activation] * hidden if isinstance(activation, str) else list(activation)
    if len(acts) != hidden:
        raise ValueError(f"activation needs one name per hidden layer ({hidden}); got {len(acts)}.")
    for a in acts:
        if a not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {a!r}.")
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {', '.join(NORMS)}; got {norm!r}.")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1); got {dropout}.")
    layers: list[nn.Module] = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            lin = nn.Linear(int(n_in), int(n_out))
            last = i == len(sizes) - 2
            _init_linear(lin, init if not last or init == "zeros" else "xavier", "linear" if last else acts[i])
            layers.append(lin)
            if last:
                break
            if norm == "batch":
                layers.append(nn.BatchNorm1d(int(n_out)))
            elif norm == "layer":
                layers.append(nn.LayerNorm(int(n_out)))
            layers.append(ACTIVATIONS[acts[i]][1]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def n_params(model: nn.Module) -> int:
    """The number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


#: The modules whose code decides a trained model's weights: a change to any of them retrains.
TRAINING_CODE = ("neuralab.nn.models", "neuralab.nn.runtime", "neuralab.train.loop", "neuralab.train.optimizers",
                 "neuralab.train.schedules", "neuralab.data.arrays")


def model_path(name: str, recipe: object) -> Path:
    """Where a model trained by ``recipe`` (anything with a stable ``repr``: a dict of its settings) is kept.

    The file name holds a hash of the recipe, the torch version and the training code
    (:data:`TRAINING_CODE`), so a fixed bug in the loop never keeps serving an old model.
    """
    blob = json.dumps({"recipe": recipe, "torch": torch.__version__, "code": cache.code_version(*TRAINING_CODE)},
                      sort_keys=True, default=repr)
    return cache.root() / "models" / f"{name}-{hashlib.sha256(blob.encode()).hexdigest()[:12]}.pt"


def load_or_train(model: nn.Module, path: Path, train: Callable[[nn.Module], object]) -> nn.Module:
    """Load ``model``'s weights from ``path``, or call ``train(model)`` and store them there.

    Stored through :mod:`neuralab.cache`: written atomically, so processes that race to train
    the same model never read a half-written one, and checked, so a damaged file is trained
    again. Returns ``model`` in eval mode.
    """

    def trained() -> bytes:
        train(model)
        buf = io.BytesIO()
        torch.save(model.state_dict(), buf)
        return buf.getvalue()

    payload = cache.load_or_compute(path, trained)
    model.load_state_dict(torch.load(io.BytesIO(payload), weights_only=True))
    return model.eval()
