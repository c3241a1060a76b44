"""Hand-written teaching code: a forward pass and backpropagation you can follow number by number.

Everything here is plain numpy in float64, written out step by step on purpose so that
each intermediate value has a name. The tests check every value against torch
autograd, and :func:`finite_differences` checks it again without any calculus:
nudge one number by ±ε, rerun the forward pass, and divide the change in loss by 2ε.

Shapes follow torch's ``nn.Linear``: a layer's weight ``W`` is ``(n_out, n_in)``, a
batch ``X`` is ``(B, n_in)`` and ``Z = X @ W.T + b``. The loss is the *mean* over the
batch, so every gradient carries a factor 1/B.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from neuralab.data.arrays import digits
from neuralab.nn.models import mlp
from neuralab.params import SEED, Choice, Float, Int, ParamSpec

__all__ = [
    "BACKPROP",
    "GRADIENTS",
    "HANDBOOK",
    "WORKED",
    "Backprop",
    "Check",
    "Forward",
    "Net",
    "autograd",
    "backprop",
    "check",
    "digits_check",
    "finite_differences",
    "forward",
    "worked_check",
    "worked_net",
]

_W = dict(step=0.01, unit="")  # every weight settable to two decimals


def _f(default: float, label: str, help: str = "") -> Float:
    return Float(-2.0, 2.0, default, label=label, help=help, **_W)


#: The worked example: 3 inputs → 2 ReLU units → 1 sigmoid output, every number editable.
WORKED = ParamSpec(
    "worked",
    x1=_f(1.0, "x₁"), x2=_f(0.5, "x₂"), x3=_f(-1.0, "x₃"),
    w11=_f(0.6, "W₁ x₁→h₁"), w12=_f(-0.4, "W₁ x₂→h₁"), w13=_f(-0.5, "W₁ x₃→h₁"),
    w21=_f(-0.3, "W₁ x₁→h₂"), w22=_f(0.8, "W₁ x₂→h₂"), w23=_f(0.7, "W₁ x₃→h₂"),
    bh1=_f(0.1, "b₁ bias of h₁"), bh2=_f(-0.1, "b₁ bias of h₂"),
    u1=_f(0.9, "W₂ h₁→ŷ"), u2=_f(-1.1, "W₂ h₂→ŷ"), bo=_f(-0.2, "b₂ output bias"),
    y=Int(0, 1, 1, label="Target y", help="The true label: 1 or 0. The loss is binary cross-entropy."),
)

#: The basics handbook's example (seed 002) as a preset of :data:`WORKED`: its inputs, weights and biases.
#: The handbook writes ``z = x W₁ + b₁`` with ``W₁`` of shape (3, 2), so its column j is hidden unit j's row
#: here. It gives no target; y = 1 reads its output as the probability of the positive class.
HANDBOOK = dict(
    x1=0.5, x2=1.2, x3=-0.7,
    w11=0.8, w12=0.1, w13=-0.3,
    w21=-0.4, w22=0.9, w23=0.2,
    bh1=0.2, bh2=-0.1,
    u1=1.1, u2=-0.6, bo=0.05,
    y=1,
)

#: Backprop on a real digits mini-batch: 64 pixels → hidden ReLU units → 10 softmax classes.
BACKPROP = ParamSpec(
    "backprop",
    bp_batch=Int(1, 64, 8, label="Batch size", unit="samples", help="How many digits the loss averages over."),
    bp_hidden=Int(2, 32, 8, label="Hidden units", help="Width of the ReLU layer between pixels and classes."),
    bp_net=Choice((("worked", "The worked example above"), ("digits", "A digits mini-batch")), "worked",
                  label="Network", help="Which two-layer network to differentiate by hand."),
    seed=SEED,
)

#: The eight gradients, in the order backpropagation computes them: (key, symbol, formula).
GRADIENTS: tuple[tuple[str, str, str], ...] = (
    ("yhat", "∂L/∂ŷ", "sigmoid: (ŷ − y) / (ŷ(1 − ŷ)) / B;  softmax: −y / ŷ / B"),
    ("z2", "∂L/∂z₂", "(ŷ − y) / B"),
    ("W2", "∂L/∂W₂", "(∂L/∂z₂)ᵀ · a₁"),
    ("b2", "∂L/∂b₂", "Σ over the batch of ∂L/∂z₂"),
    ("a1", "∂L/∂a₁", "∂L/∂z₂ · W₂"),
    ("z1", "∂L/∂z₁", "∂L/∂a₁ ⊙ 1[z₁ > 0]"),
    ("W1", "∂L/∂W₁", "(∂L/∂z₁)ᵀ · x"),
    ("b1", "∂L/∂b₁", "Σ over the batch of ∂L/∂z₁"),
)

#: Central-difference step: small enough for a tiny truncation error, large enough to beat float64 rounding.
EPS = 1e-6


@dataclass(frozen=True)
class Net:
    """A two-layer network and one batch, in float64."""

    X: np.ndarray  # (B, n_in) inputs
    Y: np.ndarray  # (B, n_out) targets: 0/1 for sigmoid, one-hot rows for softmax
    W1: np.ndarray  # (H, n_in) first-layer weights
    b1: np.ndarray  # (H,)
    W2: np.ndarray  # (n_out, H) second-layer weights
    b2: np.ndarray  # (n_out,)
    head: str  # "sigmoid" (binary cross-entropy) or "softmax" (cross-entropy)


@dataclass(frozen=True)
class Forward:
    """Every intermediate value of the forward pass."""

    z1: np.ndarray  # (B, H) pre-activations of the hidden layer: X W1ᵀ + b1
    a1: np.ndarray  # (B, H) hidden activations: ReLU(z1)
    z2: np.ndarray  # (B, n_out) output pre-activations (logits): a1 W2ᵀ + b2
    yhat: np.ndarray  # (B, n_out) probabilities: sigmoid(z2) or softmax(z2)
    loss: float  # mean cross-entropy over the batch (nats)


@dataclass(frozen=True)
class Backprop:
    """The forward pass and the eight gradients of the loss, computed by hand."""

    forward: Forward
    grads: dict[str, np.ndarray]  # key of GRADIENTS -> array shaped like the value it differentiates


@dataclass(frozen=True)
class Check:
    """Hand-written gradients next to autograd's and finite differences'."""

    net: Net
    bp: Backprop
    autograd: dict[str, np.ndarray]  # torch's gradients, same keys
    vs_autograd: dict[str, float]  # max |hand − autograd| per gradient
    vs_fd: dict[str, float]  # max |hand − finite difference| per gradient
    fd_checked: dict[str, int]  # how many entries finite differences checked per gradient


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))  # subtracting the row max changes nothing but avoids overflow
    return e / e.sum(axis=1, keepdims=True)


def _loss(yhat: np.ndarray, Y: np.ndarray, head: str) -> float:
    """Mean cross-entropy: −Σ y·ln ŷ per sample (plus the (1 − y)·ln(1 − ŷ) term for a sigmoid)."""
    if head == "sigmoid":
        per = -(Y * np.log(yhat) + (1 - Y) * np.log(1 - yhat)).sum(axis=1)
    else:
        per = -(Y * np.log(yhat)).sum(axis=1)
    return float(per.mean())


def forward(net: Net, **override: np.ndarray) -> Forward:
    """The forward pass. ``override`` replaces one intermediate (``z1``, ``a1``, ``z2`` or ``yhat``).

    Replacing an intermediate lets finite differences nudge it directly and see how the
    rest of the pass, and so the loss, responds.
    """
    z1 = override.get("z1", net.X @ net.W1.T + net.b1)  # (B, H)
    a1 = override.get("a1", np.maximum(z1, 0.0))  # (B, H)
    z2 = override.get("z2", a1 @ net.W2.T + net.b2)  # (B, n_out)
    squash = _sigmoid if net.head == "sigmoid" else _softmax
    yhat = override.get("yhat", squash(z2))  # (B, n_out)
    return Forward(z1, a1, z2, yhat, _loss(yhat, net.Y, net.head))


def backprop(net: Net) -> Backprop:
    """Backpropagation by hand: the chain rule applied from the loss back to every weight.

    With a sigmoid + binary cross-entropy or a softmax + cross-entropy output, the
    derivative of the loss with respect to the logits collapses to ``(ŷ − y) / B``:
    the awkward ``1/ŷ`` factors of ∂L/∂ŷ cancel against the derivative of the squashing
    function. That is why frameworks fuse the two (``BCEWithLogitsLoss``, ``cross_entropy``
    on logits): it is cheaper and it never divides by a probability that rounded to 0.
    """
    f = forward(net)
    B = net.X.shape[0]
    if net.head == "sigmoid":
        d_yhat = (f.yhat - net.Y) / (f.yhat * (1 - f.yhat)) / B  # (B, 1)
    else:
        d_yhat = -net.Y / f.yhat / B  # (B, n_out)
    d_z2 = (f.yhat - net.Y) / B  # (B, n_out): the fused softmax/sigmoid + cross-entropy derivative
    d_W2 = d_z2.T @ f.a1  # (n_out, H)
    d_b2 = d_z2.sum(axis=0)  # (n_out,)
    d_a1 = d_z2 @ net.W2  # (B, H): each hidden unit collects the blame of every output it feeds
    d_z1 = d_a1 * (f.z1 > 0)  # (B, H): ReLU passes the gradient where it was active, blocks it elsewhere
    d_W1 = d_z1.T @ net.X  # (H, n_in)
    d_b1 = d_z1.sum(axis=0)  # (H,)
    grads = dict(yhat=d_yhat, z2=d_z2, W2=d_W2, b2=d_b2, a1=d_a1, z1=d_z1, W1=d_W1, b1=d_b1)
    return Backprop(f, grads)


def autograd(net: Net) -> dict[str, np.ndarray]:
    """The same eight gradients from torch autograd (float64), for checking :func:`backprop`."""
    t = {k: torch.tensor(getattr(net, k), dtype=torch.float64) for k in ("X", "Y", "W1", "b1", "W2", "b2")}
    for k in ("W1", "b1", "W2", "b2"):
        t[k].requires_grad_(True)
    z1 = t["X"] @ t["W1"].T + t["b1"]
    a1 = torch.relu(z1)
    z2 = a1 @ t["W2"].T + t["b2"]
    yhat = torch.sigmoid(z2) if net.head == "sigmoid" else torch.softmax(z2, dim=1)
    for v in (z1, a1, z2, yhat):
        v.retain_grad()
    Y = t["Y"]
    if net.head == "sigmoid":
        loss = -(Y * torch.log(yhat) + (1 - Y) * torch.log(1 - yhat)).sum(dim=1).mean()
    else:
        loss = -(Y * torch.log(yhat)).sum(dim=1).mean()
    loss.backward()
    named = dict(yhat=yhat, z2=z2, W2=t["W2"], b2=t["b2"], a1=a1, z1=z1, W1=t["W1"], b1=t["b1"])
    return {k: v.grad.numpy().copy() for k, v in named.items()}


def _loss_with(net: Net, key: str, value: np.ndarray) -> float:
    if key in ("W1", "b1", "W2", "b2"):
        return forward(Net(**{**net.__dict__, key: value})).loss
    return forward(net, **{key: value}).loss


def finite_differences(net: Net, key: str, max_entries: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Central differences ``(L(v + ε) − L(v − ε)) / 2ε`` for up to ``max_entries`` entries of ``key``.

    Returns ``(flat_indices, estimates)``. Each entry costs two forward passes, so a big
    weight matrix is sampled rather than swept. Trap: at a ReLU kink (a ``z₁`` within ε
    of 0) the two sides disagree and the estimate is meaningless; the hand gradient is not wrong there.
    """
    base = forward(net)
    value = getattr(net, key) if key in ("W1", "b1", "W2", "b2") else getattr(base, key)
    n = value.size
    idx = np.arange(n) if n <= max_entries else np.sort(np.random.default_rng(seed).choice(n, max_entries, False))
    est = np.empty(len(idx))
    flat = value.ravel()
    for j, i in enumerate(idx):
        # −ln ŷ curves ever more sharply as ŷ → 0: there the step must shrink with ŷ or it jumps over the curve
        h = EPS * float(np.clip(10 * abs(flat[i]), 1e-3, 1.0)) if key == "yhat" else EPS
        plus, minus = flat.copy(), flat.copy()
        plus[i] += h
        minus[i] -= h
        lp = _loss_with(net, key, plus.reshape(value.shape))
        lm = _loss_with(net, key, minus.reshape(value.shape))
        est[j] = (lp - lm) / (2 * h)
    return idx, est


def check(net: Net, max_entries: int = 64) -> Check:
    """Hand gradients, autograd's, and finite differences, with the largest disagreement of each."""
    bp = backprop(net)
    ag = autograd(net)
    vs_ag = {k: float(np.max(np.abs(bp.grads[k] - ag[k]))) for k, _, _ in GRADIENTS}
    vs_fd, counts = {}, {}
    for k, _, _ in GRADIENTS:
        idx, est = finite_differences(net, k, max_entries)
        vs_fd[k] = float(np.max(np.abs(bp.grads[k].ravel()[idx] - est)))
        counts[k] = len(idx)
    return Check(net, bp, ag, vs_ag, vs_fd, counts)


def worked_net(values: dict) -> Net:
    """The worked example's network from validated :data:`WORKED` values (one sample, sigmoid output)."""
    v = WORKED.validate(values)
    return Net(
        X=np.array([[v["x1"], v["x2"], v["x3"]]]),
        Y=np.array([[float(v["y"])]]),
        W1=np.array([[v["w11"], v["w12"], v["w13"]], [v["w21"], v["w22"], v["w23"]]]),
        b1=np.array([v["bh1"], v["bh2"]]),
        W2=np.array([[v["u1"], v["u2"]]]),
        b2=np.array([v["bo"]]),
        head="sigmoid",
    )


def worked_check(**values: float) -> Check:
    """The worked example's forward pass and all eight gradients, checked (see :func:`check`)."""
    return _worked_cached(tuple(sorted(WORKED.validate(values).items())))


@lru_cache(maxsize=64)
def _worked_cached(items: tuple) -> Check:
    return check(worked_net(dict(items)))


def digits_check(bp_batch: int, bp_hidden: int, seed: int) -> Check:
    """Backprop on a real digits mini-batch through a freshly initialized 64 → H → 10 MLP.

    The batch is ``bp_batch`` training digits drawn with ``seed``; the weights are those of
    ``neuralab.nn.models.mlp((64, H, 10), seed=seed)``, so the numbers match a real torch model.
    """
    v = BACKPROP.validate(bp_batch=bp_batch, bp_hidden=bp_hidden, seed=seed)
    return _digits_cached(v["bp_batch"], v["bp_hidden"], v["seed"])


@lru_cache(maxsize=32)
def _digits_cached(batch: int, hidden: int, seed: int) -> Check:
    data = digits(0)
    rows = np.random.default_rng(seed).choice(len(data.y_train), batch, replace=False)
    model = mlp((data.n_features, hidden, data.n_classes), "relu", seed=seed)
    lin1, lin2 = model[0], model[2]
    net = Net(
        X=data.X_train[rows].astype(np.float64),
        Y=np.eye(data.n_classes)[data.y_train[rows]],
        W1=lin1.weight.detach().double().numpy(),
        b1=lin1.bias.detach().double().numpy(),
        W2=lin2.weight.detach().double().numpy(),
        b2=lin2.bias.detach().double().numpy(),
        head="softmax",
    )
    return check(net, max_entries=24)

