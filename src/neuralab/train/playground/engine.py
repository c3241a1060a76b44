"""The playground's training engine: a small MLP trained in lean numpy, update for update like torch.

Why not torch itself? For a 2-4-2-1 network on a batch of 10 points the arithmetic of
one update is a few hundred multiply-adds; torch spends tens of microseconds per call
on dispatch, autograd bookkeeping and optimizer loops, so a plain torch loop manages a
couple of thousand updates per second. This engine keeps every parameter in ONE flat
float64 buffer (each weight matrix, bias and norm scale is a view into it), writes the
gradients into a second flat buffer of the same layout, and so runs each optimizer as
three or four whole-buffer numpy operations, whatever the depth. Forward and backward
reuse preallocated arrays. ``benchmarks/playground.py`` measures the result.

It is not a different model: the initial weights are drawn by
:func:`neuralab.nn.models.mlp` (torch's own initializers, same seed), the update rules
are torch's (``SGD``, momentum, Nesterov, ``Adagrad``, ``RMSprop``, ``Adam``, ``AdamW``,
with torch's defaults and ``weight_decay``), and ``tests/train/test_fast.py`` checks
forward passes, gradients, single updates and 50-update runs against torch.
:meth:`Engine.to_torch` hands back the equivalent ``torch.nn.Sequential``.

Conventions:

* Layers are ``Linear → [BatchNorm1d | LayerNorm] → activation → [Dropout]`` per hidden
  layer, then a Linear output, exactly the order of :func:`~neuralab.nn.models.mlp`.
* Heads: one logit with sigmoid cross-entropy for two classes (``BCEWithLogitsLoss``),
  one logit per class with softmax cross-entropy for more (``CrossEntropyLoss``), one
  output with mean squared error for regression (``MSELoss``).
* An epoch shuffles the training set and takes ``n_train // batch_size`` full batches;
  the remainder (fewer than one batch) waits for the next shuffle. Fixed-size batches
  keep every buffer preallocated and batch norm well defined.
* ``l2`` adds ``l2·Σw²`` (weights only) to the loss; ``weight_decay`` is torch's
  (added to the gradient of every parameter, decoupled for AdamW); ``l1`` is a
  proximal soft-threshold ``w ← sign(w)·max(|w| − lr·l1, 0)`` after each update
  (weights only), which makes exact zeros.
* The learning rate changes once per epoch following
  :func:`neuralab.train.schedules.lr_curve` (torch's schedulers); ``plateau`` reacts
  to the test loss through a live torch ``ReduceLROnPlateau``.
* The playground has no separate validation set: early stopping, the plateau schedule
  and the target-loss stop read the TEST loss, which makes the test score optimistic.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import torch
from scipy.special import expit
from torch import nn

from neuralab.data import playground
from neuralab.data.playground import PlaygroundData
from neuralab.nn.models import mlp
from neuralab.train import schedules
from neuralab.train.optimizers import OPTIMIZERS
from neuralab.train.playground import kernels, optimizers
from neuralab.train.playground.divergence import diverged_sentence
from neuralab.train.playground.results import Curves, Health, Maps, Metrics, Snapshot
from neuralab.train.playground.spec import (
    BN_MOMENTUM,
    MAX_EPOCHS,
    NORM_EPS,
    PLAYGROUND,
    SATURATED_SHARE,
    SATURATED_SLOPE,
    EngineConfig,
    config,
)

# ---------------------------------------------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class _Layer:
    """Views into the flat buffers for one hidden or output layer, plus its work arrays."""

    W: np.ndarray  # (out, in) view of theta
    b: np.ndarray  # (out,)
    gW: np.ndarray  # (out, in) view of grad
    gb: np.ndarray
    act: str  # activation name; "" for the output layer
    gamma: np.ndarray | None = None  # norm scale (view of theta)
    beta: np.ndarray | None = None  # norm shift
    ggamma: np.ndarray | None = None
    gbeta: np.ndarray | None = None
    run_mean: np.ndarray | None = None  # batch norm running statistics (not trained)
    run_var: np.ndarray | None = None
    buf: dict[str, np.ndarray] = field(default_factory=dict)  # per-batch work arrays
    Wb: np.ndarray | None = None  # (out, in + 1) [W | b], the block of theta W and b are views of
    gWb: np.ndarray | None = None  # the same block of grad
    f: Any = None  # the activation's kernel f(z, out), looked up once (hidden layers)


class Engine:
    """Trains one MLP on one :class:`~neuralab.data.playground.PlaygroundData`, a batch at a time.

    Typical use::

        eng = build(values)          # validated page values -> engine at epoch 0
        eng.step(500)                # 500 weight updates (or until a stop)
        snap = eng.snapshot(res=50)  # everything to draw
        blob = eng.to_bytes()        # resume later: Engine.from_bytes(blob)
    """

    def __init__(self, cfg: EngineConfig, data: PlaygroundData, values: dict | None = None):
        """Build the network from ``cfg`` (weights drawn by ``mlp`` with ``cfg.seed``) for ``data``.

        ``values`` (the page's validated controls) is kept so :meth:`to_bytes` can rebuild the data.
        Raises ``ValueError`` with a sentence if ``cfg`` and ``data`` disagree.
        """
        _check(cfg, data)
        self.cfg = cfg
        self.data = data
        self.values = dict(values) if values else None
        self._Xtr = np.ascontiguousarray(data.X_train, dtype=np.float64)
        self._Xtr1 = _with_ones(self._Xtr)  # the inputs with a column of ones (the bias's input)
        self._Xte = np.ascontiguousarray(data.X_test, dtype=np.float64)
        self._ytr = _targets(data.y_train, cfg.head)
        self._yte = _targets(data.y_test, cfg.head)
        self._build_buffers()
        self._init_theta = _initial_theta(cfg, self)
        self._lrs = cfg.lr * _unit_lr_curve(cfg.schedule, cfg.epochs) if cfg.schedule != "plateau" else None
        self.rewind()

    # -- layout ---------------------------------------------------------------------------------------------------

    def _build_buffers(self) -> None:
        sizes, cfg = self.cfg.sizes, self.cfg
        shapes = [(o, i) for i, o in zip(sizes[:-1], sizes[1:], strict=False)]
        n_wb = sum(o * (i + 1) for o, i in shapes)
        n_norm = 2 * sum(sizes[1:-1]) if cfg.norm != "none" else 0
        # Each Linear layer is one (out, in + 1) block [W | b] of the flat buffer, so x·Wᵀ + b is a single
        # matrix product with a column of ones appended to x, and the bias gradient comes with ∂W for free.
        self.theta = np.zeros(n_wb + n_norm)
        self.grad = np.zeros_like(self.theta)
        self._tmp = np.empty_like(self.theta)
        self._m = np.zeros_like(self.theta)  # first moment / momentum buffer / Adagrad or RMSprop sum
        self._v = np.zeros_like(self.theta)  # Adam's second moment
        self.layers: list[_Layer] = []
        self._wmask = np.zeros(len(self.theta))  # 1.0 on weights (what L1 and L2 act on), 0.0 on the rest
        ow, on = 0, n_wb
        for k, (o, i) in enumerate(shapes):
            hidden = k < len(shapes) - 1
            block = slice(ow, ow + o * (i + 1))
            Wb, gWb = self.theta[block].reshape(o, i + 1), self.grad[block].reshape(o, i + 1)
            self._wmask[ow:ow + o * (i + 1)].reshape(o, i + 1)[:, :i] = 1.0
            lay = _Layer(Wb[:, :i], Wb[:, i], gWb[:, :i], gWb[:, i], cfg.activations[k] if hidden else "", Wb=Wb,
                         gWb=gWb, f=kernels.KERNELS[cfg.activations[k]].f if hidden else None)
            ow += o * (i + 1)
            if hidden and cfg.norm != "none":
                lay.gamma, lay.beta = self.theta[on:on + o], self.theta[on + o:on + 2 * o]
                lay.ggamma, lay.gbeta = self.grad[on:on + o], self.grad[on + o:on + 2 * o]
                on += 2 * o
                if cfg.norm == "batch":
                    lay.run_mean, lay.run_var = np.zeros(o), np.ones(o)
            self.layers.append(lay)
        self._is_w = self._wmask.astype(bool)
        self._batch_bufs(cfg.batch_size)

    def _batch_bufs(self, n: int) -> None:
        for lay in self.layers:
            o, i = lay.W.shape
            lay.buf = {k: np.empty((n, o)) for k in ("z", "h", "s")}
            lay.buf["d_in"] = np.empty((n, i + 1))  # ∂L/∂[input | 1] of this layer
            for k in ("a1", "out1"):  # activation (and after dropout) with a column of ones: the next input
                lay.buf[k] = np.ones((n, o + 1))
            lay.buf["a"], lay.buf["out"] = lay.buf["a1"][:, :o], lay.buf["out1"][:, :o]
        self._bufs_n = n

    # -- state ----------------------------------------------------------------------------------------------------

    def rewind(self) -> None:
        """Back to epoch 0 with the SAME initial weights and the same shuffling: the run replays exactly."""
        self.theta[:] = self._init_theta
        self._start()

    def reset(self, seed: int | None = None) -> None:
        """Fresh initial weights from ``seed`` (default: the next seed), then back to epoch 0.

        The data stay as drawn (``values["seed"]`` still names them); ``cfg.seed`` now differs from it.
        """
        new = self.cfg.seed + 1 if seed is None else int(seed)
        self.cfg = EngineConfig(**{**asdict(self.cfg), "sizes": self.cfg.sizes,
                                   "activations": self.cfg.activations, "seed": new})
        self._init_theta = _initial_theta(self.cfg, self)
        self.rewind()

    def _start(self) -> None:
        self.grad[:] = 0.0
        self._m[:] = 0.0
        self._v[:] = 0.0
        self._t = 0  # optimizer steps taken (Adam's bias correction, momentum's first step)
        for lay in self.layers:
            if lay.run_mean is not None:
                lay.run_mean[:] = 0.0
                lay.run_var[:] = 1.0
        self._bn_batches = 0
        self._rng = np.random.default_rng([self.cfg.seed, 2])  # shuffling and dropout
        self.epoch = 0
        self.updates = 0
        self._pos = 0  # next batch within the epoch
        self._perm_X = self._perm_y = None
        self._hist: dict[str, list[float]] = {k: [] for k in ("train_loss", "test_loss", "train_metric",
                                                              "test_metric", "lr")}
        self.diverged = ""
        self.stopped = ""
        self._stops_off = False  # set by resume(): training on past a stop
        self.restored: tuple[int, int] | None = None  # (stop epoch, best epoch) once early stopping restored weights
        self._best = (math.inf, 0)  # (test loss, epoch)
        self._best_theta: np.ndarray | None = None
        self._plateau = self._make_plateau()
        self.lr = self._lr_for(0)
        self._record(math.nan)
        self._first_loss = self._hist["train_loss"][0]

    def _make_plateau(self) -> Any:
        if self.cfg.schedule != "plateau":
            return None
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=self.cfg.lr)
        return opt, schedules.make("plateau", opt, self.cfg.epochs)

    def planned_lr(self) -> np.ndarray | None:
        """The LR of each epoch of the run, (epochs,); None for plateau, which reacts to the test loss."""
        return None if self._lrs is None else self._lrs.copy()

    def _lr_for(self, epoch: int) -> float:
        if self._lrs is not None:
            return float(self._lrs[min(epoch, len(self._lrs) - 1)])
        return float(self._plateau[0].param_groups[0]["lr"])

    # -- training -------------------------------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        """Whether training has stopped (end of run, early stop, target reached or divergence)."""
        return bool(self.stopped)

    def resume(self) -> bool:
        """Train on after a stop (end epoch, early stop, target): clears it; the stop criteria then rest
        until :meth:`rewind`. A diverged run, or one at :data:`MAX_EPOCHS`, cannot go on: returns False."""
        if self.diverged or self.epoch >= MAX_EPOCHS:
            return False
        if self.stopped:
            self.stopped = ""
            self._stops_off = True
        return True

    @property
    def position(self) -> int:
        """Updates already made in the current epoch (0 at an epoch boundary)."""
        return self._pos

    @property
    def batches_per_epoch(self) -> int:
        return len(self._ytr) // self.cfg.batch_size

    def step(self, n: int = 1) -> int:
        """Run up to ``n`` weight updates; returns how many ran (fewer if training stopped).

        Epoch ends (evaluation, history, schedule, stop checks) happen as they are crossed.
        """
        if n < 0:
            raise ValueError(f"n must be zero or positive; got {n}.")
        if self._bufs_n != self.cfg.batch_size:
            self._batch_bufs(self.cfg.batch_size)
        B, nb = self.cfg.batch_size, self.batches_per_epoch
        done = 0
        with np.errstate(all="ignore"):
            while done < n and not self.stopped:
                if self._perm_X is None:
                    perm = self._rng.permutation(len(self._ytr))
                    self._perm_X, self._perm_y = self._Xtr1[perm], self._ytr[perm]
                k = min(n - done, nb - self._pos)
                for p in range(self._pos, self._pos + k):
                    self._forward_backward(self._perm_X[p * B:(p + 1) * B], self._perm_y[p * B:(p + 1) * B], True)
                    self._update()
                self._pos += k
                self.updates += k
                done += k
                if self._pos == nb:
                    self._end_epoch()
        return done

    def run_epochs(self, n: int = 1) -> int:
        """Run ``n`` whole epochs (or until a stop); returns the updates run."""
        left = self.batches_per_epoch - self._pos
        return self.step(left + (n - 1) * self.batches_per_epoch) if n > 0 else 0

    def update(self, X: np.ndarray, y: np.ndarray) -> float:
        """One weight update on the given batch (any size ≥ 1; ≥ 2 with batch norm); returns its loss.

        This is the same code path :meth:`step` uses, exposed for tests and teaching.
        It does not advance epochs or the schedule.
        """
        X = _with_ones(np.asarray(X, dtype=np.float64))
        if self._bufs_n != len(X):
            self._batch_bufs(len(X))
        with np.errstate(all="ignore"):
            loss = self._forward_backward(X, _targets(np.asarray(y), self.cfg.head), True, want_loss=True)
            self._update()
        self.updates += 1
        return loss

    def gradients(self, X: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        """∂loss/∂parameter on a batch (training mode), in ``to_torch().parameters()`` order; no update."""
        X = _with_ones(np.asarray(X, dtype=np.float64))
        if self._bufs_n != len(X):
            self._batch_bufs(len(X))
        self._forward_backward(X, _targets(np.asarray(y), self.cfg.head), True, update_stats=False)
        out = []
        for lay in self.layers:
            out += [lay.gW.copy(), lay.gb.copy()]
            if lay.gamma is not None:
                out += [lay.ggamma.copy(), lay.gbeta.copy()]
        return out

    def _forward_backward(self, x: np.ndarray, y: np.ndarray, train: bool, want_loss: bool = False,
                          update_stats: bool = True) -> float:
        """Forward on a batch in training mode, loss gradient, backward into ``self.grad``."""
        cfg = self.cfg
        inp = x  # (B, in + 1), last column ones
        for lay in self.layers:
            z, a = lay.buf["z"], lay.buf["a"]
            np.dot(inp, lay.Wb.T, out=z)  # x·Wᵀ + b in one product
            if not lay.act:
                out = z
                break
            h = z
            if lay.gamma is not None:
                h = self._norm_forward(lay, z, update_stats)
            lay.f(h, a)
            inp = lay.buf["a1"]
            if cfg.dropout > 0:  # inverted dropout: survivors scaled by 1/(1-p), as torch does
                mask = (self._rng.random(a.shape) >= cfg.dropout) / (1.0 - cfg.dropout)
                lay.buf["mask"] = mask
                np.multiply(a, mask, out=lay.buf["out"])
                inp = lay.buf["out1"]
        loss, dout = _loss_grad(out, y, cfg.head, want_loss)
        self._backward(x, dout)
        if cfg.l2:
            np.multiply(self.theta, self._wmask, out=self._tmp)
            if want_loss:
                loss += cfg.l2 * float(self._tmp @ self._tmp)
            self._tmp *= 2.0 * cfg.l2
            self.grad += self._tmp
        return loss

    def _norm_forward(self, lay: _Layer, z: np.ndarray, update_stats: bool) -> np.ndarray:
        axis = 0 if self.cfg.norm == "batch" else 1
        mu = z.mean(axis=axis, keepdims=True)
        var = z.var(axis=axis, keepdims=True)
        inv = 1.0 / np.sqrt(var + NORM_EPS)
        xhat = (z - mu) * inv
        lay.buf["xhat"], lay.buf["inv"] = xhat, inv
        if self.cfg.norm == "batch" and update_stats:
            n = z.shape[0]
            lay.run_mean *= 1.0 - BN_MOMENTUM
            lay.run_mean += BN_MOMENTUM * mu[0]
            lay.run_var *= 1.0 - BN_MOMENTUM
            lay.run_var += BN_MOMENTUM * var[0] * (n / (n - 1))
            if lay is self.layers[0]:
                self._bn_batches += 1
        h = lay.buf["h"]
        np.multiply(xhat, lay.gamma, out=h)
        h += lay.beta
        return h

    def _backward(self, x: np.ndarray, dout: np.ndarray) -> None:
        layers, dropout = self.layers, self.cfg.dropout
        d = dout
        for k in range(len(layers) - 1, -1, -1):
            lay = layers[k]
            buf = lay.buf
            if lay.act:  # d is ∂L/∂(output of this hidden layer): back through dropout, activation, norm
                if dropout > 0:
                    d *= buf["mask"]
                kernels.slope_into(lay.act, buf["h"] if lay.gamma is not None else buf["z"], buf["a"], buf["s"])
                d *= buf["s"]
                if lay.gamma is not None:
                    d = self._norm_backward(lay, d)
            prev = (layers[k - 1].buf["out1" if dropout > 0 else "a1"]) if k else x
            np.dot(d.T, prev, out=lay.gWb)  # [∂W | ∂b] at once: the ones column sums d over the batch
            if k:
                d = np.dot(d, lay.Wb, out=lay.buf["d_in"])[:, :-1]

    def _norm_backward(self, lay: _Layer, dh: np.ndarray) -> np.ndarray:
        xhat, inv = lay.buf["xhat"], lay.buf["inv"]
        np.sum(dh * xhat, axis=0, out=lay.ggamma)
        np.sum(dh, axis=0, out=lay.gbeta)
        dx = dh * lay.gamma
        axis = 0 if self.cfg.norm == "batch" else 1
        n = dx.shape[axis]
        return inv / n * (n * dx - dx.sum(axis=axis, keepdims=True)
                          - xhat * (dx * xhat).sum(axis=axis, keepdims=True))

    def _update(self) -> None:
        """One optimizer step on the flat buffers, torch's rule for ``cfg.optimizer``; then L1's prox."""
        cfg, th, tmp = self.cfg, self.theta, self._tmp
        lr = self.lr
        self._t += 1
        optimizers.step(cfg.optimizer, th, self.grad, self._m, self._v, tmp, lr, self._t, cfg.weight_decay)
        if cfg.l1:  # soft-threshold the weights; biases and norm parameters get a threshold of 0
            np.abs(th, out=tmp)
            tmp -= (lr * cfg.l1) * self._wmask
            np.maximum(tmp, 0.0, out=tmp)
            np.copysign(tmp, th, out=th)

    # -- epochs, history, stops -------------------------------------------------------------------------------

    def _end_epoch(self) -> None:
        self.epoch += 1
        self._pos = 0
        self._perm_X = self._perm_y = None
        self._record(self.lr)
        tl, te = self._hist["train_loss"][-1], self._hist["test_loss"][-1]
        if not math.isfinite(tl) or not np.isfinite(self.theta).all() or tl > self.cfg.explode * max(
                self._first_loss, 1e-12):
            self.diverged = diverged_sentence(self, tl)
            self.stopped = "The run diverged; see the explanation."
            return
        if self._plateau is not None:
            self._plateau[1].step(te)
        if te < self._best[0]:
            self._best = (te, self.epoch)
            if self.cfg.patience:
                self._best_theta = self.theta.copy()
        if self.epoch >= MAX_EPOCHS:
            self.stopped = f"Reached the longest run the playground keeps ({MAX_EPOCHS} epochs of history)."
        elif self._stops_off:  # the learner trained on past a stop: the criteria rest until Rewind
            pass
        elif self.cfg.target_loss and te < self.cfg.target_loss:
            self.stopped = f"The test loss fell below the target of {self.cfg.target_loss:g} at epoch {self.epoch}."
        elif self.cfg.patience and self.epoch - self._best[1] >= self.cfg.patience:
            if self._best_theta is not None:
                self.theta[:] = self._best_theta
                self.restored = (self.epoch, self._best[1])
            self.stopped = (f"Early stop at epoch {self.epoch}: no better test loss for {self.cfg.patience} "
                            f"epochs; the weights of epoch {self._best[1]} are restored.")
        elif self.cfg.stop_at and self.epoch >= self.cfg.stop_at:
            self.stopped = f"Reached the chosen stop epoch ({self.cfg.stop_at}); Play or Step trains on."
        self.lr = self._lr_for(self.epoch)

    def _record(self, lr: float) -> None:
        with np.errstate(all="ignore"):
            for split, X, y in (("train", self._Xtr, self._ytr), ("test", self._Xte, self._yte)):
                out = self.predict_raw(X)
                loss, metric, _ = _evaluate(out, y, self.cfg.head)
                self._hist[f"{split}_loss"].append(loss)
                self._hist[f"{split}_metric"].append(metric)
        self._hist["lr"].append(lr)

    # -- reading the network ----------------------------------------------------------------------------------

    def forward(self, X: np.ndarray, collect: bool = False) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """Eval-mode forward: (outputs, per-hidden-layer pre-activations, post-activations).

        Pre-activations are the activation's input (after the norm, if any). Lists are
        empty unless ``collect``.
        """
        h = np.asarray(X, dtype=np.float64)
        pres, posts = [], []
        for lay in self.layers:
            z = h @ lay.W.T + lay.b
            if not lay.act:
                return z, pres, posts
            if self.cfg.norm == "batch":
                z = (z - lay.run_mean) / np.sqrt(lay.run_var + NORM_EPS) * lay.gamma + lay.beta
            elif self.cfg.norm == "layer":
                z = (z - z.mean(1, keepdims=True)) / np.sqrt(z.var(1, keepdims=True) + NORM_EPS) * lay.gamma + lay.beta
            h = kernels.value(lay.act, z)
            if collect:
                pres.append(z)
                posts.append(h)
        raise AssertionError("unreachable: the last layer has no activation")

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        """Eval-mode network outputs (logits, or the regression value), shape (n, n_outputs)."""
        return self.forward(X)[0]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class index (classes) or value (regression), shape (n,)."""
        out = self.predict_raw(X)
        if self.cfg.head == "binary":
            return (out[:, 0] > 0).astype(np.int64)
        if self.cfg.head == "multiclass":
            return out.argmax(axis=1)
        return out[:, 0]

    def metrics(self) -> Metrics:
        """Losses and scores now (from the last epoch's record when at an epoch boundary)."""
        with np.errstate(all="ignore"):
            tr = _evaluate(self.predict_raw(self._Xtr), self._ytr, self.cfg.head)
            te = _evaluate(self.predict_raw(self._Xte), self._yte, self.cfg.head)
        k = self.data.y_scale  # RMSE back in the target's own unit (N·m for the motor)
        return Metrics(self.epoch, self.updates, self.lr, tr[0], te[0], tr[1], te[1], tr[2] * k, te[2] * k,
                       "R²" if self.cfg.head == "regression" else "accuracy")

    def curves(self) -> Curves:
        h = self._hist
        return Curves(np.arange(len(h["train_loss"])), *(np.array(h[k]) for k in
                                                         ("train_loss", "test_loss", "train_metric",
                                                          "test_metric", "lr")))

    def health(self) -> Health:
        """Gradient norms of the last update (before the first: of the whole training set's loss, measured
        without touching the run's random stream or buffers); dead and saturated units on the training set."""
        if self._t == 0:
            gn = np.array([float(np.linalg.norm(g)) for g in self._probe_gradients()])
        else:
            gn = np.array([float(np.linalg.norm(lay.gW)) for lay in self.layers])
        with np.errstate(all="ignore"):
            _, pres, posts = self.forward(self._Xtr, collect=True)
        dead, sat, n_dead, n_sat, n_all = [], [], 0, 0, 0
        for lay, z, a in zip(self.layers, pres, posts, strict=False):
            s = np.abs(kernels.slope(lay.act, z, a))
            is_dead = (s == 0).all(axis=0)
            is_sat = ~is_dead & ((s < SATURATED_SLOPE * kernels.KERNELS[lay.act].peak).mean(axis=0) >= SATURATED_SHARE)
            dead.append(float(is_dead.mean()))
            sat.append(float(is_sat.mean()))
            n_dead, n_sat, n_all = n_dead + int(is_dead.sum()), n_sat + int(is_sat.sum()), n_all + len(is_dead)
        w = self.theta[self._is_w]
        return Health(gn, np.array(dead), np.array(sat), n_dead / n_all if n_all else 0.0,
                      n_sat / n_all if n_all else 0.0, float((w == 0).mean()) if len(w) else 0.0)

    def _probe_gradients(self) -> list[np.ndarray]:
        """∂loss/∂W of each Linear layer on the whole training set; the run's state is left as it was."""
        grad, rng = self.grad.copy(), self._rng
        self._rng = np.random.default_rng([self.cfg.seed, 3])  # dropout masks from a stream of their own
        try:
            with np.errstate(all="ignore"):
                self._batch_bufs(len(self._ytr))
                self._forward_backward(self._Xtr1, self._ytr, True, update_stats=False)
            return [lay.gW.copy() for lay in self.layers]
        finally:
            self._rng, self.grad[:] = rng, grad
            self._batch_bufs(self.cfg.batch_size)

    def confusion(self, split: str = "test") -> np.ndarray | None:
        """(k, k) counts, rows the true class, columns the predicted one; None for regression."""
        if self.cfg.head == "regression":
            return None
        X, y = (self._Xte, self.data.y_test) if split == "test" else (self._Xtr, self.data.y_train)
        k = self.data.n_classes
        with np.errstate(all="ignore"):
            pred = self.predict(X)
        return np.bincount(np.asarray(y) * k + pred, minlength=k * k).reshape(k, k)

    def maps(self, res: int = 50) -> Maps:
        """Each input, each hidden neuron and the output over a ``res × res`` grid (2-D data only)."""
        g = playground.grid(self.data, res)
        with np.errstate(all="ignore"):
            out, _, posts = self.forward(g.X, collect=True)
        proba = None
        if self.cfg.head == "binary":
            value = expit(out[:, 0])
        elif self.cfg.head == "multiclass":
            e = np.exp(out - out.max(axis=1, keepdims=True))
            proba = g.image((e / e.sum(axis=1, keepdims=True)).T)
            value = out.argmax(axis=1).astype(np.float64)
        else:
            value = out[:, 0]
        return Maps(g.xs, g.ys, g.image(g.X.T), [g.image(a.T) for a in posts], g.image(value), proba)

    def snapshot(self, res: int = 50, maps: bool = True) -> Snapshot:
        """Everything the page draws: metrics, curves, health, weights, confusion, and the maps if 2-D."""
        return Snapshot(self.metrics(), self.curves(), self.health(), [lay.W.copy() for lay in self.layers],
                        [lay.b.copy() for lay in self.layers], self.confusion(),
                        self.maps(res) if maps and self.data.is_2d else None, self.diverged, self.stopped)

    # -- editing the weights ------------------------------------------------------------------------------------

    def get_weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(W, b) per Linear layer, torch layout W (out, in); copies."""
        return [(lay.W.copy(), lay.b.copy()) for lay in self.layers]

    def set_weights(self, weights: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """Replace every (W, b); shapes must match. Optimizer state is kept (as torch would)."""
        if len(weights) != len(self.layers):
            raise ValueError(f"weights needs {len(self.layers)} (W, b) pairs; got {len(weights)}.")
        for k, (lay, (W, b)) in enumerate(zip(self.layers, weights, strict=True)):
            W, b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
            if W.shape != lay.W.shape or b.shape != lay.b.shape:
                raise ValueError(f"layer {k + 1} needs W {lay.W.shape} and b {lay.b.shape}; "
                                 f"got {W.shape} and {b.shape}.")
            lay.W[...] = W
            lay.b[...] = b

    def set_weight(self, layer: int, out: int, inp: int, value: float) -> None:
        """Set one weight: Linear layer ``layer`` (0-based), from input ``inp`` to unit ``out``."""
        lay = self._layer(layer)
        if not (0 <= out < lay.W.shape[0] and 0 <= inp < lay.W.shape[1]):
            raise ValueError(f"layer {layer} has weights {lay.W.shape[0]}×{lay.W.shape[1]}; got ({out}, {inp}).")
        lay.W[out, inp] = _finite_value(value)

    def set_bias(self, layer: int, out: int, value: float) -> None:
        """Set the bias of unit ``out`` of Linear layer ``layer`` (0-based)."""
        lay = self._layer(layer)
        if not 0 <= out < lay.b.shape[0]:
            raise ValueError(f"layer {layer} has {lay.b.shape[0]} biases; got index {out}.")
        lay.b[out] = _finite_value(value)

    def _layer(self, layer: int) -> _Layer:
        if not 0 <= layer < len(self.layers):
            raise ValueError(f"layer must be between 0 and {len(self.layers) - 1}; got {layer}.")
        return self.layers[layer]

    # -- torch and serialization --------------------------------------------------------------------------------

    def to_torch(self, dtype: torch.dtype = torch.float32) -> nn.Sequential:
        """The equivalent ``nn.Sequential`` (built by ``mlp``) holding this engine's weights and norm statistics."""
        cfg = self.cfg
        model = mlp(cfg.sizes, list(cfg.activations), dropout=cfg.dropout, norm=cfg.norm, init=cfg.init,
                    seed=cfg.seed).to(dtype)
        linears = [m for m in model if isinstance(m, nn.Linear)]
        norms = [m for m in model if isinstance(m, nn.BatchNorm1d | nn.LayerNorm)]
        with torch.no_grad():
            for lin, lay in zip(linears, self.layers, strict=True):
                lin.weight.copy_(torch.from_numpy(lay.W))
                lin.bias.copy_(torch.from_numpy(lay.b))
            for nm, lay in zip(norms, self.layers, strict=False):
                nm.weight.copy_(torch.from_numpy(lay.gamma))
                nm.bias.copy_(torch.from_numpy(lay.beta))
                if isinstance(nm, nn.BatchNorm1d):
                    nm.running_mean.copy_(torch.from_numpy(lay.run_mean))
                    nm.running_var.copy_(torch.from_numpy(lay.run_var))
                    nm.num_batches_tracked.fill_(self._bn_batches)
        return model.eval()

    def state(self) -> dict[str, np.ndarray]:
        """Everything needed to resume exactly, as named numpy arrays (config and counters as JSON bytes)."""
        arrays = {"theta": self.theta.copy(), "init_theta": self._init_theta.copy(), "grad": self.grad.copy(),
                  "m": self._m.copy(), "v": self._v.copy()}
        for k, lay in enumerate(self.layers):
            if lay.run_mean is not None:
                arrays[f"run_mean_{k}"] = lay.run_mean.copy()
                arrays[f"run_var_{k}"] = lay.run_var.copy()
        for key, vals in self._hist.items():
            arrays[f"hist_{key}"] = np.array(vals, dtype=np.float64)
        if self._perm_X is not None:
            arrays["perm_X"], arrays["perm_y"] = self._perm_X.copy(), self._perm_y.copy()
        if self._best_theta is not None:
            arrays["best_theta"] = self._best_theta.copy()
        meta = {"cfg": asdict(self.cfg), "values": self.values, "t": self._t, "epoch": self.epoch,
                "updates": self.updates, "pos": self._pos, "bn_batches": self._bn_batches,
                "rng": self._rng.bit_generator.state, "diverged": self.diverged, "stopped": self.stopped,
                "best": list(self._best), "lr": self.lr, "first_loss": self._first_loss,
                "stops_off": self._stops_off, "restored": self.restored}
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        return arrays

    def to_bytes(self) -> bytes:
        """:meth:`state` as one ``.npz`` blob (no pickle), for a background job to hand back."""
        buf = io.BytesIO()
        np.savez(buf, **self.state())
        return buf.getvalue()

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], data: PlaygroundData | None = None) -> Engine:
        """Rebuild an engine from :meth:`state`; ``data`` is redrawn from the stored values when not given."""
        meta = json.loads(bytes(np.asarray(arrays["meta"], dtype=np.uint8)).decode())
        c = meta["cfg"]
        cfg = EngineConfig(**{**c, "sizes": tuple(c["sizes"]), "activations": tuple(c["activations"])})
        if data is None:
            if meta["values"] is None:
                raise ValueError("this state holds no page values; pass the data it was trained on.")
            data = playground.load(meta["values"])
        eng = cls(cfg, data, meta["values"])
        eng._restore(arrays, meta)
        return eng

    @classmethod
    def from_bytes(cls, blob: bytes, data: PlaygroundData | None = None) -> Engine:
        """Inverse of :meth:`to_bytes`."""
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            return cls.from_state({k: z[k] for k in z.files}, data)

    def _restore(self, arrays: dict[str, np.ndarray], meta: dict) -> None:
        self.theta[:] = arrays["theta"]
        self._init_theta = np.array(arrays["init_theta"])
        self.grad[:], self._m[:], self._v[:] = arrays["grad"], arrays["m"], arrays["v"]
        for k, lay in enumerate(self.layers):
            if lay.run_mean is not None:
                lay.run_mean[:], lay.run_var[:] = arrays[f"run_mean_{k}"], arrays[f"run_var_{k}"]
        self._hist = {key: [float(x) for x in arrays[f"hist_{key}"]] for key in self._hist}
        self._perm_X = np.array(arrays["perm_X"]) if "perm_X" in arrays else None
        self._perm_y = np.array(arrays["perm_y"]) if "perm_y" in arrays else None
        self._best_theta = np.array(arrays["best_theta"]) if "best_theta" in arrays else None
        self._t, self.epoch, self.updates, self._pos = meta["t"], meta["epoch"], meta["updates"], meta["pos"]
        self._bn_batches = meta["bn_batches"]
        self._rng.bit_generator.state = meta["rng"]
        self.diverged, self.stopped, self.lr = meta["diverged"], meta["stopped"], meta["lr"]
        self._best, self._first_loss = (meta["best"][0], meta["best"][1]), meta["first_loss"]
        self._stops_off = bool(meta.get("stops_off", False))
        r = meta.get("restored")
        self.restored = None if r is None else (int(r[0]), int(r[1]))
        if self._plateau is not None:  # replay the scheduler on the recorded test losses
            for te in self._hist["test_loss"][1:]:
                self._plateau[1].step(te)


def build(values: dict | None = None, **kwargs: Any) -> Engine:
    """Validate page values with :data:`PLAYGROUND`, draw the data (cached) and build the engine at epoch 0.

    Raises :class:`~neuralab.params.ParamError` with sentences for bad values.
    """
    v = PLAYGROUND.validate(PLAYGROUND.subset({**(values or {}), **kwargs}))
    return Engine(config(v), playground.load(v), v)


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _unit_lr_curve(name: str, epochs: int) -> np.ndarray:
    """``lr_curve(name, 1.0, epochs)``, cached: torch's schedulers cost ~80 µs per epoch to read back.

    Every schedule but plateau is proportional to the initial LR (their floors are 0 or a
    fixed fraction of it), so one curve per (schedule, length) serves every LR.
    """
    curve = np.ones(epochs) if name == "constant" else schedules.lr_curve(name, 1.0, epochs)
    curve.setflags(write=False)
    return curve


def _check(cfg: EngineConfig, data: PlaygroundData) -> None:
    if cfg.sizes[0] != data.n_inputs or cfg.sizes[-1] != data.n_outputs or cfg.head != data.head:
        raise ValueError(f"the network {cfg.sizes} ({cfg.head}) does not fit the data: {data.n_inputs} inputs, "
                         f"{data.n_outputs} outputs ({data.head}).")
    if len(cfg.activations) != len(cfg.sizes) - 2:
        raise ValueError(f"activations needs one name per hidden layer ({len(cfg.sizes) - 2}); "
                         f"got {len(cfg.activations)}.")
    if cfg.optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {cfg.optimizer!r}.")
    if not 1 <= cfg.batch_size <= len(data.y_train):
        raise ValueError(f"batch_size must be between 1 and the {len(data.y_train)} training points; "
                         f"got {cfg.batch_size}.")
    if cfg.norm == "batch" and cfg.batch_size < 2:
        raise ValueError("batch norm needs at least 2 points per batch; raise batch_size.")


def _initial_theta(cfg: EngineConfig, eng: Engine) -> np.ndarray:
    """The weights ``mlp`` draws for ``cfg`` (torch's initializers, seed ``cfg.seed``), laid out flat."""
    model = mlp(cfg.sizes, list(cfg.activations), dropout=cfg.dropout, norm=cfg.norm, init=cfg.init,
                seed=cfg.seed)
    theta = np.zeros_like(eng.theta)
    saved = eng.theta.copy()
    linears = [m for m in model if isinstance(m, nn.Linear)]
    norms = [m for m in model if isinstance(m, nn.BatchNorm1d | nn.LayerNorm)]
    for lin, lay in zip(linears, eng.layers, strict=True):
        lay.W[...] = lin.weight.detach().double().numpy()
        lay.b[...] = lin.bias.detach().double().numpy()
    for nm, lay in zip(norms, eng.layers, strict=False):
        lay.gamma[...] = nm.weight.detach().double().numpy()
        lay.beta[...] = nm.bias.detach().double().numpy()
    theta[:] = eng.theta
    eng.theta[:] = saved
    return theta


def _with_ones(X: np.ndarray) -> np.ndarray:
    """(n, k) -> (n, k + 1) with a last column of ones, C-contiguous float64."""
    out = np.ones((X.shape[0], X.shape[1] + 1))
    out[:, :-1] = X
    return out


def _targets(y: np.ndarray, head: str) -> np.ndarray:
    """Targets as the loss wants them: (n, 1) float for binary and regression, int64 (n,) for multiclass."""
    if head == "multiclass":
        return np.asarray(y, dtype=np.int64)
    return np.asarray(y, dtype=np.float64).reshape(-1, 1)


def _loss_grad(out: np.ndarray, y: np.ndarray, head: str, want_loss: bool) -> tuple[float, np.ndarray]:
    """(mean loss or nan, ∂loss/∂out) for a batch: BCE-with-logits, softmax cross-entropy or MSE."""
    n = out.shape[0]
    if head == "binary":
        p = expit(out)
        loss = float(np.mean(np.logaddexp(0.0, out) - y * out)) if want_loss else math.nan
        p -= y
        p *= 1.0 / n
        return loss, p
    if head == "multiclass":
        e = np.exp(out - out.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        loss = float(-np.mean(np.log(p[np.arange(n), y]))) if want_loss else math.nan
        p[np.arange(n), y] -= 1.0
        p *= 1.0 / n
        return loss, p
    r = out - y
    loss = float(np.mean(r * r)) if want_loss else math.nan
    r *= 2.0 / n
    return loss, r


def _evaluate(out: np.ndarray, y: np.ndarray, head: str) -> tuple[float, float, float]:
    """(loss, accuracy or R², RMSE or nan) of outputs ``out`` against targets ``y`` (as from _targets)."""
    if head == "binary":
        loss = float(np.mean(np.logaddexp(0.0, out) - y * out))
        return loss, float(np.mean((out > 0) == (y > 0.5))), math.nan
    if head == "multiclass":
        z = out - out.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = float(-np.mean(logp[np.arange(len(y)), y]))
        return loss, float(np.mean(out.argmax(axis=1) == y)), math.nan
    r = out - y
    mse = float(np.mean(r * r))
    var = float(np.mean((y - y.mean()) ** 2)) or 1.0
    return mse, 1.0 - mse / var, math.sqrt(mse) if math.isfinite(mse) else math.inf


def _finite_value(value: float) -> float:
    v = float(value)
    if not math.isfinite(v) or abs(v) > 1e3:
        raise ValueError(f"a weight must be a finite number between -1000 and 1000; got {value!r}.")
    return v


