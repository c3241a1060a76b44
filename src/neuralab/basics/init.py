"""Weight initialization, measured: how the spread of activations and gradients changes with depth.

:func:`depth_profile` builds a plain deep MLP (``depth`` square Linear layers of ``width`` units, each
followed by tanh or ReLU, biases zero), initializes its weights with one scheme of
:data:`SCHEMES` through :mod:`torch.nn.init`, pushes a batch of standardized inputs forward and a
simple loss backward, and records per layer

* the standard deviation of the activations ``h_l = f(z_l)``,
* the standard deviation of dLoss/dz_l, the gradient at the pre-activation ``z_l``
  (the backward signal the variance argument is about), and
* the standard deviation of the gradient with respect to the layer's weight matrix (what the
  optimizer is handed).

The loss is a fixed random linear readout of the last layer, averaged over the batch, so the
backward pass starts at the same scale for every scheme and what happens to it on the way down is
the network's doing alone. Everything runs in float32, like a real training run: a scheme that blows
up overflows, and the profile says at which layer.

:func:`symmetry` trains a small network on the digits for a few steps twice, once with every weight
and bias set to the same constant and once from a random start, and counts how many different rows
the first weight matrix ends with.

Variance bookkeeping (the docstring's derivation, the page says it in words): for ``z = W h`` with
``fan_in`` independent zero-mean terms, ``Var(z) = fan_in · Var(w) · E[h²]``. Keeping ``Var(z)``
constant needs ``Var(w) = 1/fan_in`` when ``E[h²] ≈ Var(z)`` (tanh near 0: LeCun), and
``Var(w) = 2/fan_in`` for ReLU, which zeroes half its inputs so ``E[h²] = Var(z)/2`` (He). The
backward pass multiplies by ``Wᵀ`` and asks for ``1/fan_out`` instead; Xavier's ``2/(fan_in+fan_out)``
is the compromise between the two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from neuralab.cache import memo
from neuralab.checks import fail
from neuralab.data.arrays import digits
from neuralab.params import SEED, Choice, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet

__all__ = ["ACTIVATIONS", "INIT", "SCHEMES", "SYMMETRY", "Profile", "Profiles", "Symmetry", "default_linear_std",
           "depth_profile", "depth_profiles", "distinct_rows", "init_weight", "scheme_std", "symmetry"]

#: name -> label; the order is the order of the charts' traces.
SCHEMES: dict[str, str] = {
    "zeros": "zeros",
    "normal": "N(0, 1)",
    "xavier": "Xavier (Glorot) normal",
    "he": "He (Kaiming) normal",
    "default": "torch's Linear default",
}
ACTIVATIONS: dict[str, str] = {"tanh": "tanh", "relu": "ReLU"}
BATCH = 256  # samples pushed through the deep network
SATURATED = 0.99  # |tanh| above this counts as saturated (its slope is below 0.02)

INIT = ParamSpec(
    "init",
    init_scheme=Choice.of(SCHEMES, "he", label="Initialization", title=str,
                          help="How every weight matrix starts; the other schemes are drawn faint for comparison."),
    init_activation=Choice.of(ACTIVATIONS, "relu", label="Activation", title=str,
                              help="The nonlinearity after every layer."),
    init_depth=Int(5, 50, 30, label="Depth", unit="layers", help="How many Linear layers the input goes through."),
    init_width=Int(64, 512, 256, step=64, label="Width", unit="units", help="Units in every layer (fan_in = fan_out)."),
    init_seed=SEED,
)
SYMMETRY = ParamSpec(
    "init-symmetry",
    init_constant=Float(-0.5, 0.5, 0.1, step=0.05, label="Constant weight",
                        help="The value every weight and bias of the symmetric network starts at."),
    init_steps=Int(10, 100, 60, step=10, label="Training steps", help="Full-batch gradient steps on the digits."),
    init_seed=SEED,
)


def scheme_std(scheme: str, fan_in: int, fan_out: int | None = None, activation: str = "relu") -> float:
    """The standard deviation a scheme gives each weight, from its formula.

    ``he`` is ``sqrt(2 / fan_in)`` (torch's ``kaiming_normal_`` for ReLU, fan_in mode), ``xavier``
    ``sqrt(2 / (fan_in + fan_out))``, ``normal`` 1, ``zeros`` 0 and ``default`` torch's Linear
    default (see :func:`default_linear_std`). ``activation`` is accepted for symmetry with the page
    and does not change the formulas (no gain is applied).
    """
    _check_scheme(scheme)
    fan_in = _positive("fan_in", fan_in)
    fan_out = fan_in if fan_out is None else _positive("fan_out", fan_out)
    if activation not in ACTIVATIONS:
        raise fail(f"activation must be one of {', '.join(ACTIVATIONS)}; got {activation!r}.")
    return {
        "zeros": 0.0,
        "normal": 1.0,
        "xavier": math.sqrt(2.0 / (fan_in + fan_out)),
        "he": math.sqrt(2.0 / fan_in),
        "default": default_linear_std(fan_in),
    }[scheme]


def default_linear_std(fan_in: int) -> float:
    """The weight std of a fresh ``nn.Linear(fan_in, ·)``, from torch's own recipe.

    ``Linear.reset_parameters`` calls ``kaiming_uniform_(w, a=sqrt(5))``: a gain of
    ``sqrt(2 / (1 + a²)) = sqrt(1/3)``, a std of ``gain / sqrt(fan_in)`` and a uniform bound of
    ``sqrt(3) · std``, which is ``1 / sqrt(fan_in)``. A uniform on ``[-b, b]`` has std ``b / sqrt(3)``,
    so the std is ``1 / sqrt(3 · fan_in)``, a variance of ``1 / (3 · fan_in)``: a sixth of He's ``2 / fan_in``.
    """
    fan_in = _positive("fan_in", fan_in)
    gain = nn.init.calculate_gain("leaky_relu", math.sqrt(5))
    bound = math.sqrt(3.0) * gain / math.sqrt(fan_in)
    return bound / math.sqrt(3.0)


def init_weight(w: torch.Tensor, scheme: str, generator: torch.Generator | None = None) -> torch.Tensor:
    """Fill ``w`` (out, in) in place with ``scheme`` through :mod:`torch.nn.init`; returns ``w``."""
    _check_scheme(scheme)
    with torch.no_grad():
        if scheme == "zeros":
            nn.init.zeros_(w)
        elif scheme == "normal":
            nn.init.normal_(w, 0.0, 1.0, generator=generator)
        elif scheme == "xavier":
            nn.init.xavier_normal_(w, generator=generator)
        elif scheme == "he":
            nn.init.kaiming_normal_(w, nonlinearity="relu", generator=generator)
        else:
            nn.init.kaiming_uniform_(w, a=math.sqrt(5), generator=generator)
    return w


@dataclass(frozen=True)
class Profile:
    """One scheme's per-layer spreads in the deep network (NaN where float32 overflowed)."""

    scheme: str
    activation: str
    depth: int
    width: int
    act_std: np.ndarray  # (depth,) std of h_l = f(z_l) over the batch and units
    grad_std: np.ndarray  # (depth,) std of dLoss/dz_l, the gradient at each layer's pre-activation
    wgrad_std: np.ndarray  # (depth,) std of dLoss/dW_l, the gradient the optimizer gets
    saturated: np.ndarray  # (depth,) share of tanh units with |h| > 0.99, or of ReLU units at exactly 0
    input_std: float  # std of the input batch (standardized: about 1)

    @property
    def overflow_layer(self) -> int | None:
        """The first layer (1-based) whose activations are not finite in float32, or None."""
        bad = np.flatnonzero(~np.isfinite(self.act_std))
        return int(bad[0]) + 1 if len(bad) else None

    @property
    def decades(self) -> float:
        """log10 of last-layer activation std over the input's: how many orders of magnitude it moved."""
        last = float(self.act_std[-1])
        if not math.isfinite(last):
            return math.inf
        if last == 0.0:
            return -math.inf
        return math.log10(last / self.input_std)


@dataclass(frozen=True)
class Profiles:
    """Every scheme's profile for one activation, depth and width; ``chosen`` is the one on show."""

    chosen: str
    profiles: dict[str, Profile]

    @property
    def main(self) -> Profile:
        return self.profiles[self.chosen]


def depth_profile(scheme: str, activation: str, depth: int, width: int, seed: int = 0,
                  batch: int = BATCH) -> Profile:
    """A real forward and backward pass through ``depth`` layers initialized with ``scheme``."""
    v = INIT.validate(init_scheme=scheme, init_activation=activation, init_depth=depth, init_width=width,
                      init_seed=seed)
    if not 2 <= batch <= 1024:
        raise fail(f"batch must be between 2 and 1024; got {batch!r}.")
    depth, width = v["init_depth"], v["init_width"]
    gen = torch.Generator().manual_seed(v["init_seed"])
    x = torch.randn(batch, width, generator=gen)
    x = (x - x.mean(0)) / x.std(0)  # standardized, as a preprocessed input would be
    weights = [init_weight(torch.empty(width, width), scheme, gen).requires_grad_() for _ in range(depth)]
    readout = torch.randn(width, generator=gen) / math.sqrt(width)  # fixed: the loss is mean(h_L · r)
    f = torch.tanh if activation == "tanh" else torch.relu
    h, zs, hs = x, [], []
    for w in weights:
        z = h @ w.T  # (batch, width); biases are zero, so they are left out
        z.retain_grad()
        h = f(z)
        zs.append(z)
        hs.append(h)
    (h @ readout).mean().backward()
    with torch.no_grad():
        act = np.array([float(a.std()) for a in hs])
        grad = np.array([float(z.grad.std()) for z in zs])
        wgrad = np.array([float(w.grad.std()) for w in weights])
        sat = np.array([float((a.abs() > SATURATED).float().mean()) if activation == "tanh"
                        else float((a == 0).float().mean()) for a in hs])
    return Profile(scheme, activation, depth, width, act, grad, wgrad, sat, float(x.std()))


@memo("basics-init", salt=torch.__version__)
def _profiles(activation: str, depth: int, width: int, seed: int, progress: Progress = quiet) -> dict[str, Profile]:
    out = {}
    for i, scheme in enumerate(SCHEMES):
        out[scheme] = depth_profile(scheme, activation, depth, width, seed)
        progress(i + 1, len(SCHEMES))
    return out


def depth_profiles(scheme: str, activation: str, depth: int, width: int, seed: int = 0,
                   progress: Progress = quiet) -> Profiles:
    """:func:`depth_profile` for every scheme (same inputs, same readout), with ``scheme`` the chosen one."""
    v = INIT.validate(init_scheme=scheme, init_activation=activation, init_depth=depth, init_width=width,
                      init_seed=seed)
    return Profiles(scheme, _profiles(activation, v["init_depth"], v["init_width"], v["init_seed"],
                                      progress=progress))


@dataclass(frozen=True)
class Symmetry:
    """The same small network trained from a constant start and from a random one."""

    width: int  # hidden units
    steps: int
    constant: float
    rows_constant: int  # distinct rows of the first weight matrix after training, constant start
    rows_random: int  # the same, random start
    spread_constant: float  # largest difference between any two rows' entries, constant start
    moved: float  # how far the constant start's first weights moved (max |W - c|): training did happen
    acc_constant: float  # test accuracy on the digits
    acc_random: float


def distinct_rows(w: np.ndarray, tol: float = 1e-6) -> int:
    """How many rows of ``w`` differ from every earlier row by more than ``tol`` in some entry."""
    w = np.asarray(w, dtype=np.float64)
    kept: list[np.ndarray] = []
    for row in w:
        if not any(np.max(np.abs(row - k)) <= tol for k in kept):
            kept.append(row)
    return len(kept)


CHUNK = 10  # training steps per stored state of the symmetry runs (the steps slider moves by this much)


def _small_net(constant: float | None, seed: int, width: int, state: dict[str, np.ndarray] | None):
    data = digits(0)
    torch.manual_seed(seed)  # nn.Linear's own random init for the random start
    gen = torch.Generator().manual_seed(seed)
    net = nn.Sequential(nn.Linear(data.n_features, width), nn.Tanh(), nn.Linear(width, data.n_classes)).double()
    with torch.no_grad():
        if state is not None:  # where an earlier run stopped: its exact float64 weights
            for name, p in net.named_parameters():
                p.copy_(torch.from_numpy(state[name]))
        elif constant is not None:
            for p in net.parameters():
                nn.init.constant_(p, constant)
        else:
            for layer in (net[0], net[2]):
                nn.init.xavier_normal_(layer.weight, generator=gen)
                nn.init.zeros_(layer.bias)
    return data, net


class _NotKept(LookupError):
    """No weights on disk for these steps (nothing is stored)."""


@memo("basics-init", salt=torch.__version__)
def _kept_state(constant: float | None, steps: int, seed: int, width: int, *,
                state: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """The weights after ``steps`` steps, on disk: ``state`` (not part of the key) is what a miss stores."""
    if state is None:
        raise _NotKept
    return state


def _read_state(constant: float | None, steps: int, seed: int, width: int) -> dict[str, np.ndarray] | None:
    try:
        return _kept_state(constant, steps, seed, width) if _kept_state.kept(constant, steps, seed, width) else None
    except _NotKept:  # removed (or found damaged) since it was seen
        return None


def _small_state(constant: float | None, steps: int, seed: int, width: int) -> dict[str, np.ndarray]:
    """The weights after ``steps`` full-batch SGD steps, continued from the latest state kept on disk.

    Plain SGD keeps no state besides the weights, so continuing from stored float64 weights repeats the
    uninterrupted run exactly. The run keeps its weights every ``CHUNK`` steps, so a move of the steps slider
    trains at most one chunk.
    """
    if (state := _read_state(constant, steps, seed, width)) is not None:
        return state
    for start in range(steps - steps % CHUNK, 0, -CHUNK):
        if (state := _read_state(constant, start, seed, width)) is not None:
            break
    else:
        start = 0
    data, net = _small_net(constant, seed, width, state)
    x, y = torch.from_numpy(np.array(data.X_train, np.float64)), torch.from_numpy(np.array(data.y_train))
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    for step in range(start + 1, steps + 1):
        opt.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
        if step % CHUNK == 0 or step == steps:
            state = {name: p.detach().numpy().copy() for name, p in net.named_parameters()}
            _kept_state(constant, step, seed, width, state=state)
    return state


def _train_small(constant: float | None, steps: int, seed: int, width: int) -> tuple[np.ndarray, float]:
    """The first weight matrix and the test accuracy after ``steps`` steps; a constant start ignores the seed."""
    seed = 0 if constant is not None else seed  # every weight is set to the constant: the seed changes nothing
    data, net = _small_net(constant, seed, width, _small_state(constant, steps, seed, width))
    with torch.no_grad():
        pred = net(torch.from_numpy(np.array(data.X_test, np.float64))).argmax(1).numpy()
    return net[0].weight.detach().numpy().copy(), float((pred == data.y_test).mean())


def symmetry(constant: float = 0.1, steps: int = 60, seed: int = 0, width: int = 16) -> Symmetry:
    """Train 64 → ``width`` tanh → 10 on the digits from a constant start and a random one; count distinct rows."""
    v = SYMMETRY.validate(init_constant=constant, init_steps=steps, init_seed=seed)
    if not 2 <= width <= 64:
        raise fail(f"width must be between 2 and 64; got {width!r}.")
    w_c, acc_c = _train_small(v["init_constant"], v["init_steps"], v["init_seed"], width)
    w_r, acc_r = _train_small(None, v["init_steps"], v["init_seed"], width)
    spread = float(np.max(w_c.max(axis=0) - w_c.min(axis=0)))
    moved = float(np.max(np.abs(w_c - v["init_constant"])))
    return Symmetry(width, v["init_steps"], v["init_constant"], distinct_rows(w_c), distinct_rows(w_r), spread,
                    moved, acc_c, acc_r)


def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise fail(f"scheme must be one of {', '.join(SCHEMES)}; got {scheme!r}.")


def _positive(name: str, n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= 1_000_000:
        raise fail(f"{name} must be a whole number between 1 and 1000000; got {n!r}.")
    return int(n)
