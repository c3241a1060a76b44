"""Transfer and few-shot learning on the digits: pre-train on 0–4, reuse on 5–9.

No weights are downloaded: the lab makes its own pre-training. The lab's digits CNN (:func:`neuralab.nn.cnn.digits_cnn`,
two 3×3 convolutions with padding 1, a 2×2 max pool, a dense read-out) is trained with the lab's standard CNN recipe
(Adam, lr 3·10⁻³, 20 epochs, batches of 32) on the digits 0–4 of the lab's split (``digits(0)``: its training and
validation rows, 721 digits), with a 5-way read-out. Its *body* (everything up to the read-out: 256 features)
is then reused on the digits 5–9, which it has never seen, three ways:

* ``scratch``: a fresh CNN of the same shape, every weight trained on the new digits;
* ``freeze``: the pre-trained body frozen (``requires_grad = False``), only a new read-out (1,285 weights) trained;
* ``finetune``: the pre-trained body and a new read-out both trained, the body at a smaller learning rate
  (``ratio`` × the read-out's), so the few new labels adjust the features instead of overwriting them.

Each strategy gets the same labelled digits (``n`` per class drawn from the 716 training and validation digits
5–9, all of them for ``n = 0``), the same new read-out's initial weights and the same batches for one seed, and
trains for :data:`STEPS` updates whatever ``n`` (Adam, batches of up to 32). The score is the accuracy on the
180 test digits 5–9.

Few-shot (:func:`few_shot`): a prototypical network (Snell et al., 2017) in its simplest form. Each of the 5
new classes gets a prototype, the mean embedding of its ``k`` labelled examples (the support); a query is
given the class of the nearest prototype (squared Euclidean distance). The embedding here is the pre-trained
body, not trained episodically. The baseline is 1-nearest-neighbour (scikit-learn) on the same standardized pixels
the networks read; 1-nearest-neighbour on the raw grey levels 0–16 is shown beside it.

Functions usable on your own torch model: :func:`freeze_body`, :func:`trainable`, :func:`embed`,
:func:`prototypes`, :func:`nearest_prototype`.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from torch import nn

from neuralab.cache import memo
from neuralab.checks import fail
from neuralab.data.arrays import Arrays, digits
from neuralab.data.datasets import load
from neuralab.nn.cnn import digits_cnn
from neuralab.nn.models import TRAINING_CODE, load_or_train, model_path
from neuralab.nn.runtime import one_thread
from neuralab.params import SEED, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.train.loop import Config, evaluate, fit

__all__ = ["FEW_SHOT", "METHODS", "SHOTS", "SIZES", "STRATEGIES", "TRANSFER", "Episodes", "FewShot", "Pretrained",
           "Transfer", "adapt", "compare", "distances", "embed", "few_shot", "freeze_body", "head_counts",
           "nearest_prototype", "pretrained", "prototypes", "trainable"]

SPLIT_SEED = 0  # the lab's digits split, digits(0)
SOURCE, TARGET = (0, 1, 2, 3, 4), (5, 6, 7, 8, 9)
SIZES = (5, 20, 100, 0)  # labelled examples per class; 0 means every one (about 143 per class)
STEPS = 200  # Adam updates of every adaptation, whatever the number of labelled digits
BATCH = 32
LR = 3e-3  # the lab's standard CNN recipe: the pre-training, the scratch network and every new read-out
PRE_EPOCHS = 20
WAYS, QUERIES = 5, 15  # a few-shot episode: 5 classes, 15 query digits per class
SHOTS = (1, 5)
#: name -> label, in the order of the legend
STRATEGIES: dict[str, str] = {
    "scratch": "From scratch",
    "freeze": "Frozen body, new read-out",
    "finetune": "Fine-tune all, body at a smaller rate",
}

TL_SEED = SEED
TRANSFER = ParamSpec(
    "tl-transfer",
    tl_seeds=Int(1, 10, 3, label="Seeds", help="Each point is the mean ± std over this many seeds: each seed draws "
                 "its own pre-training, labelled digits, read-out and batches."),
    tl_ratio=Float(0.01, 1.0, 0.1, step=0.01, label="Fine-tune body rate", unit="× read-out rate",
                   help="The pre-trained body's learning rate when fine-tuning, as a multiple of the new "
                        "read-out's (3·10⁻³); 1 trains everything at one rate. The chart scores the "
                        "test digits: use it to see the effect of the rate, not to pick one."),
    tl_seed=TL_SEED,
)
FEW_SHOT = ParamSpec(
    "tl-few-shot",
    tl_episodes=Int(50, 1000, 300, step=50, label="Episodes", help="Sampled 5-way episodes per setting; "
                    "each draws its support and 15 query digits per class."),
    tl_seed=TL_SEED,
)


# ----------------------------------------------------------------------------- on any torch model


def freeze_body(model: nn.Module, head: nn.Module) -> list[str]:
    """Freeze every parameter of ``model`` that is not one of ``head``'s; return the frozen names.

    The optimizer should then be given only the trainable ones. Given all, torch's optimizers skip a frozen
    tensor only while its ``.grad`` is ``None`` (``zero_grad()``'s default since torch 2.0); a zero-tensor
    gradient (``zero_grad(set_to_none=False)``) lets Adam's stored moments and weight decay keep moving it.
    The other trap: a frozen body with batch norm still updates its running mean and variance
    in training mode; call ``.eval()`` on those layers too if they must not move.
    """
    keep = {id(p) for p in head.parameters()}
    if not keep:
        raise fail("head must hold at least one parameter of the model; it has none.")
    if not keep <= {id(p) for p in model.parameters()}:
        raise fail("head must be a part of model: some of its parameters are not the model's.")
    frozen = []
    for name, p in model.named_parameters():
        p.requires_grad_(id(p) in keep)
        if id(p) not in keep:
            frozen.append(name)
    return frozen


def trainable(model: nn.Module) -> int:
    """How many of ``model``'s weights an optimizer can change (``requires_grad`` set)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


@torch.no_grad()
def embed(body: nn.Module, X: np.ndarray) -> np.ndarray:
    """(N, F) float64 features of ``body`` for (N, …) inputs, in eval mode (the body's own mode restored)."""
    X = np.asarray(X, dtype=np.float32)
    if X.ndim < 2 or len(X) == 0:
        raise fail(f"X must hold at least one input, one per row; got shape {X.shape}.")
    was = body.training
    body.eval()
    try:
        out = body(torch.from_numpy(X))
    finally:
        body.train(was)
    return out.reshape(len(X), -1).double().numpy()


def prototypes(emb: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(classes, P)``: the sorted class labels and each class's prototype, the mean of its embeddings.

    ``P[i] = (1/|S_i|) Σ_{x ∈ S_i} f(x)`` for the support ``S_i`` of class ``classes[i]``; shape (C, F).
    """
    emb, labels = np.asarray(emb, dtype=np.float64), np.asarray(labels)
    if emb.ndim != 2 or labels.shape != (len(emb),) or len(emb) == 0:
        raise fail(f"emb must be (N, F) with one label per row; got emb {emb.shape} and labels {labels.shape}.")
    classes = np.unique(labels)
    return classes, np.stack([emb[labels == c].mean(0) for c in classes])


def nearest_prototype(emb: np.ndarray, classes: np.ndarray, protos: np.ndarray) -> np.ndarray:
    """The class of the nearest prototype (squared Euclidean distance) for every row of ``emb``."""
    emb, protos = np.asarray(emb, dtype=np.float64), np.asarray(protos, dtype=np.float64)
    if emb.ndim != 2 or protos.ndim != 2 or emb.shape[1] != protos.shape[1]:
        raise fail(f"emb and protos must have the same number of features; got {emb.shape} and {protos.shape}.")
    return np.asarray(classes)[distances(emb, protos).argmin(1)]


def distances(emb: np.ndarray, protos: np.ndarray) -> np.ndarray:
    """(N, C) squared Euclidean distances ‖f(x_n) − P_c‖² of every embedding to every prototype."""
    emb, protos = np.atleast_2d(np.asarray(emb, dtype=np.float64)), np.atleast_2d(np.asarray(protos, np.float64))
    if emb.shape[1] != protos.shape[1]:
        raise fail(f"emb and protos must have the same number of features; got {emb.shape} and {protos.shape}.")
    d = (emb**2).sum(1)[:, None] - 2 * emb @ protos.T + (protos**2).sum(1)[None]  # (N, C) expanded square
    return np.maximum(d, 0.0)  # rounding can make an exact 0 slightly negative


# ----------------------------------------------------------------------------- the digits, split by class


@dataclass(frozen=True)
class Domains:
    """The lab's split cut by class: what the body learns from, and the new task."""

    X_source: np.ndarray  # (721, 64) digits 0–4 of the training and validation rows, standardized
    y_source: np.ndarray  # labels 0–4
    X_source_test: np.ndarray
    y_source_test: np.ndarray
    X_pool: np.ndarray  # (716, 64) digits 5–9 of the training and validation rows: the labelled pool
    y_pool: np.ndarray  # labels 0–4 (digit − 5)
    X_test: np.ndarray  # (180, 64) digits 5–9 of the test rows
    y_test: np.ndarray


@lru_cache(maxsize=1)
def domains() -> Domains:
    d = digits(SPLIT_SEED)
    X = np.vstack([d.X_train, d.X_val])
    y = np.concatenate([d.y_train, d.y_val])
    src, tgt, ts, tt = y < 5, y >= 5, d.y_test < 5, d.y_test >= 5
    return Domains(X[src], y[src], d.X_test[ts], d.y_test[ts], X[tgt], y[tgt] - 5, d.X_test[tt], d.y_test[tt] - 5)


# ----------------------------------------------------------------------------- pre-training


@dataclass
class Pretrained:
    model: nn.Sequential  # digits_cnn with a 5-way read-out, trained on the digits 0–4, eval mode
    accuracy: float  # on the test digits 0–4
    seed: int


def _net(seed: int) -> nn.Sequential:
    """The lab's digits CNN with a 5-way read-out (its weights drawn from ``seed`` too)."""
    model = digits_cnn(8, 16, seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed + 7919)
        model[-1] = nn.Linear(model[-1].in_features, len(TARGET))  # (N, 256) -> (N, 5)
    return model


@lru_cache(maxsize=16)
def pretrained(seed: int = 0) -> Pretrained:
    """The CNN trained on the digits 0–4 with seed ``seed``: trained once (seconds), then read from disk."""
    dm = domains()
    src = Arrays(dm.X_source, dm.y_source, dm.X_source_test, dm.y_source_test, dm.X_source_test, dm.y_source_test,
                 "classification", len(SOURCE), "digits 0-4")
    model = _net(seed)
    cfg = Config(epochs=PRE_EPOCHS, lr=LR, batch_size=BATCH, seed=seed)
    path = model_path(f"transfer-source-s{seed}", {"cfg": asdict(cfg), "split": SPLIT_SEED, "classes": SOURCE})
    with one_thread():
        load_or_train(model, path, lambda m: fit(m, src, cfg))
    return Pretrained(model, evaluate(model, dm.X_source_test, dm.y_source_test, "classification")[1], seed)


def head_counts(seed: int = 0) -> tuple[int, int]:
    """(weights trained with the body frozen, weights of the whole network) for the page's CNN."""
    model = _net(seed)
    total = trainable(model)
    freeze_body(model, model[-1])
    return trainable(model), total


def pretrained_kept(seed: int = 0) -> bool:
    cfg = Config(epochs=PRE_EPOCHS, lr=LR, batch_size=BATCH, seed=seed)
    return model_path(f"transfer-source-s{seed}", {"cfg": asdict(cfg), "split": SPLIT_SEED,
                                                   "classes": SOURCE}).is_file()


# ----------------------------------------------------------------------------- adaptation


def labelled(n: int, seed: int) -> np.ndarray:
    """Row indices into the pool: ``n`` digits of each class 5–9 (every one for ``n = 0``), drawn with ``seed``."""
    y = domains().y_pool
    if n == 0:
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    counts = np.bincount(y)
    if n > counts.min():
        raise fail(f"n must be at most {counts.min()} labelled digits per class (or 0 for all); got {n}.")
    return np.sort(np.concatenate([rng.choice(np.flatnonzero(y == c), n, replace=False) for c in range(len(TARGET))]))


@memo("transfer-runs", depends=("neuralab.nn.cnn", *TRAINING_CODE), salt=torch.__version__)
def adapt(strategy: str, n: int, seed: int, ratio: float = 0.1) -> float:
    """Test accuracy on the digits 5–9 after adapting with ``strategy`` on ``n`` labelled digits per class.

    Kept on disk by its arguments. For one seed every strategy sees the same digits, read-out and batches.
    """
    if strategy not in STRATEGIES:
        raise fail(f"strategy must be one of {', '.join(STRATEGIES)}; got {strategy!r}.")
    if not isinstance(n, int) or n < 0:
        raise fail(f"n must be a whole number of labelled digits per class (0 for all); got {n!r}.")
    if not 0 < ratio <= 1:
        raise fail(f"ratio must be above 0 and at most 1; got {ratio!r}.")
    dm = domains()
    rows = labelled(n, seed)
    X, y = torch.from_numpy(dm.X_pool[rows]), torch.from_numpy(dm.y_pool[rows])
    with one_thread():
        if strategy == "scratch":
            model = _net(seed + 1000)  # a fresh body: not the pre-trained one's initial weights
        else:
            model = copy.deepcopy(pretrained(seed).model)
        model[-1] = _net(seed + 2000)[-1]  # the same new read-out for every strategy of this seed
        if strategy == "freeze":
            freeze_body(model, model[-1])
            groups = [{"params": model[-1].parameters(), "lr": LR}]
        elif strategy == "finetune":
            groups = [{"params": model[-1].parameters(), "lr": LR},
                      {"params": [p for m in model[:-1] for p in m.parameters()], "lr": LR * ratio}]
        else:
            groups = [{"params": model.parameters(), "lr": LR}]
        opt = torch.optim.Adam(groups)
        gen = torch.Generator().manual_seed(seed)
        model.train()
        for _ in range(STEPS):
            idx = torch.randint(len(y), (min(BATCH, len(y)),), generator=gen)  # (B,) a batch drawn with replacement
            loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        return evaluate(model, dm.X_test, dm.y_test, "classification")[1]


@dataclass(frozen=True)
class Transfer:
    """Test accuracy on the digits 5–9 for every strategy and number of labelled digits, over seeds."""

    seeds: tuple[int, ...]
    ratio: float
    sizes: tuple[int, ...]  # labelled digits per class; 0 = all
    n_all: float  # mean labelled digits per class when all are used
    acc: dict[str, np.ndarray]  # strategy -> (len(sizes), len(seeds)) test accuracy
    source_acc: np.ndarray  # (len(seeds),) each pre-trained network on the test digits 0–4
    n_test: int

    def mean(self, strategy: str) -> np.ndarray:
        return self.acc[strategy].mean(1)

    def std(self, strategy: str) -> np.ndarray:
        """Sample std over seeds (ddof 1), 0 with one seed."""
        a = self.acc[strategy]
        return a.std(1, ddof=1) if a.shape[1] > 1 else np.zeros(len(a))

    def diff_std(self, a: str, b: str) -> np.ndarray:
        """Sample std over seeds of the per-seed difference ``a − b`` (paired: one seed shares digits, read-out
        and batches), 0 with one seed."""
        d = self.acc[a] - self.acc[b]
        return d.std(1, ddof=1) if d.shape[1] > 1 else np.zeros(len(d))

    def winner(self, i: int = 0) -> tuple[str, str, float]:
        """(best, runner-up, margin in accuracy) by mean at ``sizes[i]``."""
        ranked = sorted(STRATEGIES, key=lambda s: -self.mean(s)[i])
        return ranked[0], ranked[1], float(self.mean(ranked[0])[i] - self.mean(ranked[1])[i])


def compare(seeds: int = 3, ratio: float = 0.1, seed: int = 0, progress: Progress = quiet) -> Transfer:
    """Every strategy at every size of :data:`SIZES`, for seeds ``seed … seed + seeds − 1`` (each run kept)."""
    v = TRANSFER.validate(tl_seeds=seeds, tl_ratio=ratio, tl_seed=seed)
    ss = tuple(range(v["tl_seed"], v["tl_seed"] + v["tl_seeds"]))
    total, done = len(ss) * (1 + len(STRATEGIES) * len(SIZES)), 0
    acc = {s: np.zeros((len(SIZES), len(ss))) for s in STRATEGIES}
    src = []
    for j, s in enumerate(ss):
        src.append(pretrained(s).accuracy)
        done += 1
        progress(done, total)
        for i, n in enumerate(SIZES):
            for strat in STRATEGIES:
                acc[strat][i, j] = adapt(strat, n, s, v["tl_ratio"])
                done += 1
                progress(done, total)
    dm = domains()
    return Transfer(ss, v["tl_ratio"], SIZES, len(dm.y_pool) / len(TARGET), acc, np.array(src), len(dm.y_test))


# ----------------------------------------------------------------------------- few-shot


@dataclass(frozen=True)
class Episodes:
    """Accuracy of one method over the sampled episodes of one setting."""

    method: str
    shots: int
    acc: np.ndarray  # (episodes,) fraction of the 75 queries right

    @property
    def mean(self) -> float:
        return float(self.acc.mean())

    @property
    def std(self) -> float:
        return float(self.acc.std(ddof=1)) if len(self.acc) > 1 else 0.0


#: method -> label
METHODS: dict[str, str] = {
    "proto": "Prototypes, pre-trained body",
    "proto_random": "Prototypes, untrained body",
    "pixels": "1-NN on standardized pixels",
    "grey": "1-NN on raw grey levels",
}


@dataclass(frozen=True)
class FewShot:
    episodes: int
    seed: int
    results: dict[tuple[str, int], Episodes]  # (method, shots) -> accuracies
    pool: int  # digits 5–9 the episodes draw from

    def get(self, method: str, shots: int) -> Episodes:
        return self.results[(method, shots)]

    def diff_se(self, a: str, b: str, shots: int) -> float:
        """Standard error of the mean difference ``a − b``, paired: both are scored on the same episodes, so it is
        the std of the per-episode difference / √episodes (0 with one episode)."""
        d = self.get(a, shots).acc - self.get(b, shots).acc
        return float(d.std(ddof=1) / len(d) ** 0.5) if len(d) > 1 else 0.0


@lru_cache(maxsize=1)
def _grey() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every digit 5–9 of the data set: (grey levels 0–16, the standardized pixels the networks read, label − 5).

    The standardization is the lab split's (training rows of ``digits(0)``), redrawn from the raw digits and checked.
    """
    raw = load("digits")
    X, y = np.asarray(raw.X, dtype=np.float64), np.asarray(raw.y)
    rest, test = train_test_split(np.arange(len(y)), test_size=0.2, random_state=SPLIT_SEED, stratify=y)
    train, _ = train_test_split(rest, test_size=0.25, random_state=SPLIT_SEED, stratify=y[rest])
    sc = StandardScaler().fit(X[train])
    if not np.allclose(sc.transform(X[test]), digits(SPLIT_SEED).X_test, atol=1e-5):
        raise RuntimeError("the raw digits no longer match the lab's split: neuralab.data.arrays.prepare changed.")
    keep = y >= 5
    return X[keep], sc.transform(X[keep]).astype(np.float32), y[keep] - 5


@memo("transfer-few-shot", depends=("neuralab.nn.cnn", *TRAINING_CODE), salt=torch.__version__)
def _few_shot(episodes: int, seed: int) -> FewShot:
    grey, X, y = _grey()
    with one_thread():
        emb = {"proto": embed(pretrained(seed).model[:-1], X), "proto_random": embed(_net(seed)[:-1], X)}
    rng = np.random.default_rng(seed)
    by_class = [np.flatnonzero(y == c) for c in range(WAYS)]
    results = {}
    for k in SHOTS:
        acc = {m: np.zeros(episodes) for m in METHODS}
        for e in range(episodes):
            picks = [rng.choice(ix, k + QUERIES, replace=False) for ix in by_class]
            sup = np.concatenate([p[:k] for p in picks])  # (5k,)
            qry = np.concatenate([p[k:] for p in picks])  # (75,)
            for m, f in emb.items():
                classes, protos = prototypes(f[sup], y[sup])
                acc[m][e] = np.mean(nearest_prototype(f[qry], classes, protos) == y[qry])
            for m, inputs in (("pixels", X), ("grey", grey)):
                nn1 = KNeighborsClassifier(n_neighbors=1).fit(inputs[sup], y[sup])
                acc[m][e] = np.mean(nn1.predict(inputs[qry]) == y[qry])
        results.update({(m, k): Episodes(m, k, a) for m, a in acc.items()})
    return FewShot(episodes, seed, results, len(y))


def few_shot(episodes: int = 300, seed: int = 0, progress: Progress = quiet) -> FewShot:
    """5-way 1-shot and 5-shot episodes on the digits 5–9: prototypes against 1-NN on the standardized pixels the
    networks read (and on the raw grey levels). Every method is scored on the same episodes."""
    v = FEW_SHOT.validate(tl_episodes=episodes, tl_seed=seed)
    progress(0, 2)
    pretrained(v["tl_seed"])
    progress(1, 2)
    out = _few_shot(v["tl_episodes"], v["tl_seed"])
    progress(2, 2)
    return out

