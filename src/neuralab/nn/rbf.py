"""A radial-basis-function (RBF) network: Gaussian bumps at k centres, added up by a linear layer.

    φⱼ(x) = exp(−‖x − cⱼ‖² / (2σⱼ²)),    ŷ(x) = b + Σⱼ wⱼ φⱼ(x),    j = 1 … k

Each hidden unit answers to how close the input is to its centre cⱼ: 1 on the centre, about 0.61 one
width σⱼ away, about 0.011 three widths away. The output is a weighted sum of these bumps, so far from
every centre the network answers its bias b whatever the input: it does not extrapolate.

The classic two-stage fit, which never backpropagates (the output weights by least squares as in
Broomhead and Lowe, 1988; k-means centres and neighbour-distance widths as in Moody and Darken, 1989):

1. **Centres** by k-means on the training inputs alone (the targets are not used): :func:`kmeans`,
   Lloyd's algorithm started by k-means++, checked against scikit-learn in the tests.
2. **Widths** by a rule (:data:`RULES`, times a factor): one width for every unit,
   σ = d_max / √(2k) with d_max the largest distance between two centres (the rule in Haykin's textbook), or one per
   unit, σⱼ = the distance from cⱼ to the nearest other centre.
3. **Output weights** by linear least squares on the design matrix Φ (n × k, Φᵢⱼ = φⱼ(xᵢ)): with the
   centres and widths fixed the output is linear in (w, b), so the best weights are one exact solve.
   A small ridge term λ‖w‖² (the bias not penalized) keeps it well posed when wide bumps make the
   columns of Φ nearly equal (:func:`output_weights`).

The trap: the widths decide everything. Too narrow, with far fewer units than points, and each weight can
only match the average target near its centre (an underfit, with holes between centres where the answer
falls back to b); too wide and the columns of Φ become almost collinear, so an exact solve needs huge
weights (and a huge b) that cancel each other, and the ridge λ that holds them down also spoils the fit.
b is not the targets' mean: far from the data the network answers whatever constant balanced the bumps.

:class:`RBFNetwork` is the same network as a torch module, so every parameter (centres and widths
included) can also be trained by gradient descent, started from the two-stage fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

__all__ = ["RBFNet", "RBFNetwork", "RULES", "basis", "fit", "kmeans", "kmeans_pp", "output_weights", "param_count",
           "widths"]

#: width rule -> label. The factor on the page multiplies what the rule gives.
RULES: dict[str, str] = {
    "global": "One width for all: d_max / √(2k)",
    "nearest": "Per centre: distance to the nearest other centre",
}
MIN_WIDTH = 1e-3  # floor on any width (two centres on one point would otherwise give σ = 0)


def kmeans_pp(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding: the first centre uniformly, each next one with probability ∝ squared distance."""
    n = len(X)
    centres = np.empty((k, X.shape[1]))  # (k, d)
    centres[0] = X[rng.integers(n)]
    d2 = ((X - centres[0]) ** 2).sum(axis=1)  # (n,) squared distance to the nearest chosen centre
    for j in range(1, k):
        total = d2.sum()
        i = int(rng.choice(n, p=d2 / total)) if total > 0 else int(rng.integers(n))
        centres[j] = X[i]
        d2 = np.minimum(d2, ((X - centres[j]) ** 2).sum(axis=1))
    return centres


def _sq_dist(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    """‖xᵢ − cⱼ‖² for every pair, (n, k), never below 0."""
    return np.maximum((X**2).sum(1)[:, None] - 2 * X @ C.T + (C**2).sum(1)[None, :], 0.0)


def kmeans(X: np.ndarray, k: int, seed: int = 0, init: np.ndarray | None = None, max_iter: int = 300
           ) -> np.ndarray:
    """Centres by Lloyd's algorithm: assign each point to its nearest centre, move each centre to its points' mean.

    Stops when no point changes cluster. A cluster left empty takes the point farthest from its own
    centre, as scikit-learn does. ``init`` (k, d) replaces the k-means++ start (the tests give both the same).
    """
    X = np.asarray(X, dtype=np.float64)  # (n, d)
    if not 1 <= k <= len(X):
        raise ValueError(f"k must be between 1 and the number of points ({len(X)}); got {k}.")
    C = kmeans_pp(X, k, np.random.default_rng(seed)) if init is None else np.array(init, dtype=np.float64)
    labels = np.full(len(X), -1)
    for _ in range(max_iter):
        d2 = _sq_dist(X, C)  # (n, k)
        new = d2.argmin(axis=1)  # (n,)
        if np.array_equal(new, labels):
            break
        labels = new
        counts = np.bincount(labels, minlength=k)  # (k,)
        sums = np.zeros_like(C)
        np.add.at(sums, labels, X)
        served = d2[np.arange(len(X)), labels]  # (n,) each point's squared distance to its own centre
        for j in np.flatnonzero(counts == 0):  # an empty cluster: restart it on the worst-served point
            far = int(served.argmax())
            sums[labels[far]] -= X[far]
            counts[labels[far]] -= 1
            sums[j], counts[j], labels[far], served[far] = X[far], 1, j, -1.0
        C = sums / counts[:, None]  # (k, d)
    return C


def widths(C: np.ndarray, rule: str, factor: float = 1.0) -> np.ndarray:
    """σⱼ for centres ``C`` (k, d) by ``rule`` (a key of :data:`RULES`), times ``factor``: shape (k,)."""
    k = len(C)
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}; got {rule!r}.")
    if k == 1:  # no other centre to measure from: σ = 1 (in input units) times the factor, by convention
        return np.full(1, 1.0 * factor)
    d = np.sqrt(_sq_dist(C, C))  # (k, k)
    if rule == "global":
        sigma = np.full(k, d.max() / math.sqrt(2 * k))
    else:
        np.fill_diagonal(d, np.inf)
        sigma = d.min(axis=1)
    return np.maximum(sigma * factor, MIN_WIDTH)


def basis(X: np.ndarray, C: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """The design matrix Φ (n, k): Φᵢⱼ = exp(−‖xᵢ − cⱼ‖² / (2σⱼ²))."""
    return np.exp(-_sq_dist(np.asarray(X, dtype=np.float64), C) / (2 * sigma**2))


def output_weights(Phi: np.ndarray, y: np.ndarray, ridge: float) -> tuple[np.ndarray, float]:
    """(w, b) minimizing ‖Φw + b − y‖² + λ‖w‖² (b not penalized), by one least-squares solve.

    Centring Φ and y removes b; the penalty becomes √λ·I rows under the centred Φ; b then puts the mean back.
    This is what scikit-learn's ``Ridge(alpha=λ)`` solves (the tests compare the two).
    """
    mu, ybar = Phi.mean(axis=0), float(np.mean(y))  # (k,), scalar
    A = np.vstack([Phi - mu, math.sqrt(ridge) * np.eye(Phi.shape[1])])  # (n + k, k)
    rhs = np.concatenate([y - ybar, np.zeros(Phi.shape[1])])  # (n + k,)
    w = np.linalg.lstsq(A, rhs, rcond=None)[0]  # (k,)
    return w, ybar - float(mu @ w)


@dataclass(frozen=True)
class RBFNet:
    """A fitted RBF network: ``predict(X) = basis(X, centres_, widths_) @ weights_ + bias_``."""

    centres_: np.ndarray  # (k, d)
    widths_: np.ndarray  # (k,) σⱼ
    weights_: np.ndarray  # (k,) wⱼ
    bias_: float  # b
    rule: str  # the width rule used

    @property
    def k(self) -> int:
        return len(self.centres_)

    @property
    def n_params(self) -> int:
        return param_count(*self.centres_.shape, self.rule)

    def basis(self, X: np.ndarray) -> np.ndarray:
        return basis(X, self.centres_, self.widths_)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.basis(X) @ self.weights_ + self.bias_


def param_count(k: int, inputs: int, rule: str = "nearest") -> int:
    """Parameters of ``k`` Gaussian units on ``inputs`` features with one output: centres, widths (one per unit,
    or one shared with the ``global`` rule), output weights and bias."""
    return k * inputs + (1 if rule == "global" else k) + k + 1


def fit(X: np.ndarray, y: np.ndarray, k: int, rule: str = "nearest", factor: float = 1.0, ridge: float = 1e-6,
        seed: int = 0, centres: np.ndarray | None = None) -> RBFNet:
    """The two-stage fit: k-means centres (or ``centres`` given), widths by ``rule``, weights by least squares."""
    C = kmeans(X, k, seed) if centres is None else centres
    sigma = widths(C, rule, factor)
    w, b = output_weights(basis(X, C, sigma), np.asarray(y, dtype=np.float64), ridge)
    return RBFNet(C, sigma, w, b, rule)


class RBFNetwork(nn.Module):
    """The same network in torch, every parameter trainable: centres, log-widths (σ > 0 always), weights, bias.

    Widths are trained as log σ so a gradient step can never make one negative or zero.
    """

    def __init__(self, net: RBFNet):
        super().__init__()
        self.centres = nn.Parameter(torch.tensor(net.centres_, dtype=torch.float32))  # (k, d)
        self.log_width = nn.Parameter(torch.tensor(np.log(net.widths_), dtype=torch.float32))  # (k,)
        self.out = nn.Linear(net.k, 1)  # weight (1, k), bias (1,)
        with torch.no_grad():
            self.out.weight.copy_(torch.tensor(net.weights_, dtype=torch.float32)[None, :])
            self.out.bias.fill_(net.bias_)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        d2 = (x[:, None, :] - self.centres[None, :, :]).pow(2).sum(-1)  # (n, k) squared distances
        phi = torch.exp(-d2 / (2 * torch.exp(2 * self.log_width)))  # (n, k) the bumps
        return self.out(phi)  # (n, 1)

    def to_net(self, rule: str = "learned") -> RBFNet:
        """The trained parameters back as an :class:`RBFNet` (numpy)."""
        with torch.no_grad():
            return RBFNet(self.centres.double().numpy().copy(), torch.exp(self.log_width).double().numpy().copy(),
                          self.out.weight[0].double().numpy().copy(), float(self.out.bias), rule)
