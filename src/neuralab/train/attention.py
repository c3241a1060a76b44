"""A tiny transformer trained to reverse token sequences, opened up; and the softmax's saturation, measured.

* :func:`trained` trains one variant of :class:`~neuralab.nn.attention.TinyTransformer` on
  :func:`neuralab.data.tokens.reversal` once per seed and keeps it on disk: ``"full"`` (sinusoidal
  positions, every position sees every other), ``"no_pe"`` (no positional encoding) and ``"causal"``
  (positions, but each one sees only itself and earlier ones).
* :func:`opened` runs one test sequence through the full model and recomputes its attention by hand
  (:func:`neuralab.nn.attention.by_hand`), with the 1/√d_k scale and without, beside torch's answer.
* :func:`saturation` measures what the scale does to the softmax on random queries and keys.
* :func:`order` compares the three variants (the page's background job).
"""

from __future__ import annotations

import copy
import math
import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from neuralab import cache
from neuralab.data.tokens import Reversal, reversal
from neuralab.nn.attention import ByHand, TinyTransformer, by_hand
from neuralab.nn.runtime import one_thread
from neuralab.params import Int, ParamSpec
from neuralab.progress import Progress, stage

__all__ = ["INSIDE", "ORDER", "SCALE", "VARIANTS", "Opened", "Order", "Recipe", "Saturation", "Trained",
           "best_without_positions", "build", "ceilings", "kept", "open_up", "opened", "order", "saturation",
           "trained"]


@dataclass(frozen=True)
class Recipe:
    """The one recipe every variant is trained with."""

    vocab: int = 10  # tokens 0 … 9
    steps: int = 8  # sequence length T
    d_model: int = 32  # width of every token's vector
    heads: int = 2  # attention heads, each with d_k = d_model / heads
    layers: int = 1  # encoder layers
    d_ff: int = 64  # hidden width of the feedforward block
    epochs: int = 6  # passes over the 4000 training sequences
    batch: int = 64  # sequences per update
    lr: float = 3e-3  # Adam's learning rate


RECIPE = Recipe()
D_K = RECIPE.d_model // RECIPE.heads
#: variant -> (label, TinyTransformer keyword arguments)
VARIANTS: dict[str, tuple[str, dict[str, bool]]] = {
    "full": ("positions on, no mask", dict(positions=True, causal=False)),
    "no_pe": ("positions off, no mask", dict(positions=False, causal=False)),
    "causal": ("positions on, causal mask", dict(positions=True, causal=True)),
}
SHOWN = 40  # test sequences offered on the page

INSIDE = ParamSpec(
    "attn-inside",
    attn_example=Int(1, SHOWN, 1, label="Test sequence",
                     help="Which held-out sequence the trained model reads."),
    attn_token=Int(1, RECIPE.steps, 3, label="Query position",
                   help="The position whose query is followed through the layer."),
    attn_head=Int(1, RECIPE.heads, 1, label="Head", help="Which attention head is opened up."),
)
SCALE = ParamSpec(
    "attn-scale",
    scale_dk=Int(1, 512, 16, label="Key dimension d_k",
                 help="Components of each query and key vector."),
    scale_keys=Int(2, 64, 8, label="Keys per query n", help="How many positions one softmax spreads over."),
)
ORDER = ParamSpec(
    "attn-order",
    order_seed=Int(0, 4, 0, label="Seed", help="Fixes the initial weights and the batch order of all three models."),
)


@dataclass(frozen=True)
class Trained:
    """One variant trained on the reversal task."""

    variant: str
    seed: int
    recipe: Recipe
    state: dict  # the model's state_dict
    losses: list[float]  # mean training loss per epoch (cross-entropy, nats)
    accuracy_by_position: np.ndarray  # (T,) share of test sequences whose token at t is right
    seconds: float  # wall time of the training

    @property
    def accuracy(self) -> float:
        return float(self.accuracy_by_position.mean())

    def model(self) -> TinyTransformer:
        """A fresh copy of the trained network, in eval mode."""
        m = build(self.variant, self.seed, self.recipe)
        m.load_state_dict(self.state)
        return m.eval()


def build(variant: str, seed: int = 0, r: Recipe = RECIPE) -> TinyTransformer:
    """An untrained ``variant`` of the recipe's shape, its weights drawn from ``seed``."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}; got {variant!r}.")
    return TinyTransformer(r.vocab, r.steps, r.d_model, r.heads, r.layers, r.d_ff, seed=seed, **VARIANTS[variant][1])


def _data(r: Recipe = RECIPE) -> Reversal:
    return reversal(r.vocab, r.steps)


@torch.no_grad()
def accuracy_by_position(model: TinyTransformer, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(T,) share of sequences whose predicted token at each position equals the target."""
    model.eval()
    pred = model(torch.tensor(x)).argmax(-1).numpy()  # (N, T)
    return (pred == y).mean(axis=0)


@one_thread()
@torch.enable_grad()
def fit(model: TinyTransformer, data: Reversal, recipe: Recipe = RECIPE, seed: int = 0,
        progress: Progress | None = None) -> list[float]:
    """Train ``model`` in place with Adam on per-position cross-entropy; the mean loss of each epoch."""
    x, y = torch.tensor(data.x_train), torch.tensor(data.y_train)  # copies: the arrays are read-only
    opt = torch.optim.Adam(model.parameters(), lr=recipe.lr)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for epoch in range(1, recipe.epochs + 1):
        model.train()
        batch = []
        for idx in torch.randperm(len(x), generator=gen).split(recipe.batch):
            loss = F.cross_entropy(model(x[idx]).transpose(1, 2), y[idx])  # logits (B, vocab, T) against (B, T)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            batch.append(loss.item())
        losses.append(float(np.mean(batch)))
        if progress:
            progress(epoch, recipe.epochs)
    return losses


def trained(variant: str = "full", seed: int = 0, recipe: Recipe = RECIPE, *,
            progress: Progress | None = None) -> Trained:
    """``variant`` trained with ``recipe`` and ``seed``, from the disk cache after the first time."""
    return _trained(str(variant), int(seed), recipe, progress=progress)


def kept(variant: str = "full", seed: int = 0, recipe: Recipe = RECIPE) -> bool:
    """Whether the variant is already on disk (so a light section can answer at once)."""
    return _trained.kept(str(variant), int(seed), recipe)


@cache.memo("attention", depends=("neuralab.nn.attention", "neuralab.data.tokens"), salt=torch.__version__)
def _trained(variant: str, seed: int, recipe: Recipe, *, progress: Progress | None = None) -> Trained:
    data = _data(recipe)
    model = build(variant, seed, recipe)
    t0 = time.perf_counter()
    losses = fit(model, data, recipe, seed, progress)
    seconds = time.perf_counter() - t0
    return Trained(variant, seed, recipe, {k: v.clone() for k, v in model.state_dict().items()}, losses,
                   accuracy_by_position(model, data.x_test, data.y_test), seconds)


# ----------------------------------------------------------------------------- one sequence, opened


@dataclass(frozen=True)
class Opened:
    """One test sequence through the trained full model, its attention recomputed by hand."""

    tokens: np.ndarray  # (T,) the input
    target: np.ndarray  # (T,) the input reversed
    predicted: np.ndarray  # (T,) the model's answer
    example: int  # 1-based index among the test sequences
    token: int  # 0-based query position
    head: int  # 0-based head
    scaled: ByHand  # the layer's attention with the 1/√d_k scale, as trained
    unscaled: ByHand  # the same queries and keys without it
    maps: np.ndarray  # (layers, H, T, T) torch's attention weights for this sequence
    check: dict[str, float]  # largest |hand − torch| of each quantity compared
    accuracy: float  # the model's test accuracy, all positions

    @property
    def d_k(self) -> int:
        return int(self.scaled.q.shape[-1])


@lru_cache(maxsize=2)
def _full(seed: int = 0) -> tuple[TinyTransformer, float]:
    t = trained("full", seed)
    return t.model(), t.accuracy


@torch.no_grad()
def opened(attn_example: int = 1, attn_token: int = 3, attn_head: int = 1) -> Opened:
    """Test sequence ``attn_example`` (1-based) through the trained model, opened at one query and one head."""
    v = INSIDE.validate(attn_example=attn_example, attn_token=attn_token, attn_head=attn_head)
    return open_up(*_full(), v["attn_example"], v["attn_token"], v["attn_head"])


@torch.no_grad()
def open_up(model: TinyTransformer, acc: float, example: int, token: int, head: int) -> Opened:
    """:func:`opened` for any model of the recipe's shape (``acc``: its test accuracy, for the captions)."""
    data = _data()
    i = example - 1
    x = torch.tensor(data.x_test[i:i + 1])  # (1, T)
    inside = model.run(x)
    h = inside.inputs[0][0]  # (T, d): what the first layer's attention reads
    attn = model.attn[0]
    scaled, unscaled = by_hand(attn, h, scaled=True), by_hand(attn, h, scaled=False)
    return Opened(data.x_test[i].copy(), data.y_test[i].copy(), inside.logits[0].argmax(-1).numpy(), i + 1,
                  token - 1, head - 1, scaled, unscaled,
                  np.stack([w[0].numpy() for w in inside.weights]), against_torch(attn, h), acc)


@torch.no_grad()
def against_torch(attn: torch.nn.MultiheadAttention, h: torch.Tensor, mask: torch.Tensor | None = None
                  ) -> dict[str, float]:
    """Largest |difference| between :func:`by_hand` and torch, for each quantity, scale on and off.

    Keys: ``weights`` and ``output`` against ``nn.MultiheadAttention`` (scale on, as the layer computes it);
    ``heads (scaled)`` and ``heads (unscaled)`` against ``F.scaled_dot_product_attention`` with ``scale=None``
    (its default, 1/√d_k) and ``scale=1``.
    """
    out, w = attn(h[None], h[None], h[None], attn_mask=mask, need_weights=True, average_attn_weights=False)
    on, off = by_hand(attn, h, mask, scaled=True), by_hand(attn, h, mask, scaled=False)
    q, k, v = (t[None].float() for t in (on.q, on.k, on.v))  # (1, H, T, d_k)
    m = None if mask is None else mask.float()
    sdpa_on = F.scaled_dot_product_attention(q, k, v, attn_mask=m)[0]  # (H, T, d_k)
    sdpa_off = F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=1.0)[0]
    return {
        "weights": float((on.weights - w[0].double()).abs().max()),
        "output": float((on.out - out[0].double()).abs().max()),
        "heads (scaled)": float((on.heads - sdpa_on.double()).abs().max()),
        "heads (unscaled)": float((off.heads - sdpa_off.double()).abs().max()),
    }


# ----------------------------------------------------------------------------- the scale and the softmax


DKS = tuple(2 ** i for i in range(10))  # d_k = 1 … 512, the curves' grid
ROWS = 400  # random queries per d_k


@dataclass(frozen=True)
class Saturation:
    """Softmax statistics over random queries and keys with unit-variance components, scale on and off."""

    d_k: int  # the chosen key dimension
    keys: int  # n, keys per query
    dks: np.ndarray  # (G,) the grid of d_k, with the chosen one in it
    std: dict[str, np.ndarray]  # "on"/"off" -> (G,) standard deviation of the scores
    top: dict[str, np.ndarray]  # (G,) mean largest weight per row (1/n = uniform, 1 = one-hot)
    entropy: dict[str, np.ndarray]  # (G,) mean entropy per row / ln n (1 = uniform, 0 = one-hot)
    jacobian: dict[str, np.ndarray]  # (G,) mean Frobenius norm of the softmax Jacobian diag(p) − p pᵀ
    saturated: dict[str, np.ndarray]  # (G,) share of rows whose largest weight is above 0.99
    example_scores: dict[str, np.ndarray]  # (n,) one row's scores at the chosen d_k
    example_weights: dict[str, np.ndarray]  # (n,) its softmax weights

    def at(self, what: dict[str, np.ndarray], scale: str) -> float:
        """A statistic at the chosen d_k."""
        return float(what[scale][int(np.flatnonzero(self.dks == self.d_k)[0])])


def _spread(weights: np.ndarray) -> tuple[float, float]:
    """(mean largest weight, mean entropy / ln n) of softmax rows (…, n): 1/n and 1 when uniform, 1 and 0 one-hot."""
    w = np.asarray(weights, dtype=np.float64)
    ent = -(w * np.log(np.where(w > 0, w, 1.0))).sum(-1) / math.log(w.shape[-1])  # (…,)
    return float(w.max(-1).mean()), float(ent.mean())


@lru_cache(maxsize=2048)
def _stats(dk: int, keys: int, seed: int) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng([seed, dk, keys])
    # Given q, the scores q·k_j of independent keys are independent N(0, |q|²), and |q|² is χ² with d_k degrees
    # of freedom: drawing them this way is exact in distribution and costs R·n numbers instead of R·n·d_k.
    norm = np.sqrt(rng.chisquare(dk, size=(ROWS, 1)))  # (R, 1) |q|
    raw = norm * rng.standard_normal((ROWS, keys))  # (R, n) q·k_j
    out: dict[str, dict[str, float]] = {}
    for scale, s in (("on", raw / math.sqrt(dk)), ("off", raw)):
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)  # (R, n)
        sq = (p ** 2).sum(1)  # (R,)
        jac = np.sqrt(np.maximum(sq - 2 * (p ** 3).sum(1) + sq ** 2, 0.0))  # ‖diag(p) − ppᵀ‖_F, (R,)
        top, ent = _spread(p)
        out[scale] = dict(std=float(s.std()), top=top, entropy=ent,
                          jacobian=float(jac.mean()), saturated=float((p.max(1) > 0.99).mean()),
                          row=s[0], weights=p[0])
    return out


@lru_cache(maxsize=64)
def saturation(scale_dk: int = 16, scale_keys: int = 8, seed: int = 0) -> Saturation:
    """What dividing by √d_k does to the softmax, measured on ``ROWS`` random rows per d_k.

    Queries and keys have independent unit-variance components, so q·k has variance d_k: without
    the scale its spread grows like √d_k and the softmax tends to a one-hot vector whose Jacobian
    (the gradient that reaches the scores) vanishes; with it the spread stays near 1.
    """
    v = SCALE.validate(scale_dk=scale_dk, scale_keys=scale_keys)
    dk, n = v["scale_dk"], v["scale_keys"]
    grid = np.array(sorted(set(DKS) | {dk}))
    stats = [_stats(int(g), n, seed) for g in grid]
    pick = stats[int(np.flatnonzero(grid == dk)[0])]

    def series(name: str) -> dict[str, np.ndarray]:
        return {s: np.array([st[s][name] for st in stats]) for s in ("on", "off")}

    return Saturation(dk, n, grid, series("std"), series("top"), series("entropy"), series("jacobian"),
                      series("saturated"), {s: pick[s]["row"] for s in ("on", "off")},
                      {s: pick[s]["weights"] for s in ("on", "off")})


# ----------------------------------------------------------------------------- order: positions and masks


def _partitions(n: int, parts: int, largest: int) -> list[tuple[int, ...]]:
    """Every way to write n as at most ``parts`` positive counts, largest first, none above ``largest``."""
    if n == 0:
        return [()]
    if parts == 0:
        return []
    return [(c, *rest) for c in range(min(n, largest), 0, -1) for rest in _partitions(n - c, parts - 1, c)]


@lru_cache(maxsize=8)
def best_without_positions(vocab: int = RECIPE.vocab, steps: int = RECIPE.steps) -> float:
    """Highest expected accuracy at reversal for a model that cannot tell positions apart (``steps`` even).

    Such a position sees its own token and the multiset of the others, and its mirror is equally likely to be
    any of the other m = steps − 1 positions; the best guess is their most frequent token, right with
    probability (largest count) / m. Exact: E[largest count of m uniform draws from ``vocab`` tokens] / m.
    """
    if steps % 2:
        raise ValueError(f"steps must be even (no position is its own mirror); got {steps}.")
    m, total = steps - 1, 0
    for counts in _partitions(m, vocab, m):
        tokens = math.perm(vocab, len(counts)) // math.prod(math.factorial(r) for r in Counter(counts).values())
        orders = math.factorial(m) // math.prod(math.factorial(c) for c in counts)
        total += tokens * orders * counts[0]
    return total / vocab ** m / m


def ceilings(r: Recipe = RECIPE) -> dict[str, np.ndarray]:
    """variant -> (T,) the best expected test accuracy at each position, given what the variant can see.

    With positions and no mask every answer is in view (1). Without positions: :func:`best_without_positions`.
    With the causal mask position t (1-based) sees its mirror T + 1 − t only when t > T / 2; before that the
    answer is an unseen uniform token (1 / vocab).
    """
    T = r.steps
    causal = np.where(np.arange(1, T + 1) > T / 2, 1.0, 1.0 / r.vocab)
    return {"full": np.ones(T), "no_pe": np.full(T, best_without_positions(r.vocab, T)), "causal": causal}



@dataclass(frozen=True)
class Order:
    """The three variants trained with one seed, and the full model with its scale removed."""

    seed: int
    models: dict[str, Trained]  # variant -> trained
    maps: dict[str, np.ndarray]  # variant -> (H, T, T) attention weights averaged over the test set
    unscaled_accuracy: float  # the full model with Q·Kᵀ no longer divided by √d_k, test accuracy
    top: dict[str, float]  # "on"/"off" -> the full model's mean largest attention weight on the test set
    entropy: dict[str, float]  # "on"/"off" -> its mean row entropy / ln T
    ceiling: dict[str, np.ndarray]  # variant -> (T,) best expected accuracy per position with what it can see


@torch.no_grad()
def _unscaled(model: TinyTransformer) -> TinyTransformer:
    """A copy whose queries are √d_k times larger: softmax(q·k) where the original computes softmax(q·k/√d_k)."""
    m = copy.deepcopy(model)
    d = m.d_model
    for attn in m.attn:
        attn.in_proj_weight[:d] *= math.sqrt(m.d_k)
        attn.in_proj_bias[:d] *= math.sqrt(m.d_k)
    return m.eval()


@torch.no_grad()
def order(order_seed: int = 0, *, recipe: Recipe = RECIPE, progress: Progress | None = None) -> Order:
    """Train (or read) the three variants for ``order_seed`` and compare them on the test sequences."""
    v = ORDER.validate(order_seed=order_seed)
    seed, n = v["order_seed"], len(VARIANTS)
    models = {name: trained(name, seed, recipe, progress=stage(progress, i * recipe.epochs, n * recipe.epochs))
              for i, name in enumerate(VARIANTS)}
    x = torch.tensor(_data(recipe).x_test)  # (N, T)
    y = _data(recipe).y_test
    maps, runs = {}, {}
    for name, t in models.items():
        runs[name] = t.model().run(x)
        maps[name] = runs[name].weights[0].mean(0).numpy()  # (H, T, T)
    full = models["full"].model()
    off = _unscaled(full)
    off_run = off.run(x)
    on_spread, off_spread = _spread(runs["full"].weights[0].numpy()), _spread(off_run.weights[0].numpy())
    unscaled_acc = float((off_run.logits.argmax(-1).numpy() == y).mean())
    return Order(seed, models, maps, unscaled_acc, {"on": on_spread[0], "off": off_spread[0]},
                 {"on": on_spread[1], "off": off_spread[1]}, ceilings(recipe))
