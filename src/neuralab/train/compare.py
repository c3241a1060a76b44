"""Sequence models against each other on the winding-temperature task, and what each costs per new sample.

For every architecture of :data:`neuralab.nn.recurrent.ARCHS`, trained on the same drive cycles
with the same recipe (:func:`neuralab.train.sequence.thermal_model`), :func:`compare` measures

* the test error in kelvin (root-mean-square over every step of the test cycles);
* the parameter count;
* the training time, as that training measured it (wall clock, one torch thread, this machine);
* the streaming latency: the median wall time, over many new samples, of producing the estimate
  for one new sample the way a controller would (:class:`Streamer`), on one thread;
* the work per new sample in multiply-accumulates, counted from the weight shapes
  (:func:`macs_per_sample`).

What "one new sample" costs depends on the architecture, and that is the point:

* a recurrent cell (``rnn``, ``lstm``, ``gru``) carries its state: one cell update,
  ``g·H·(F + H)`` MACs with ``g`` = 1, 4, 3 gate blocks, whatever the history length;
* the causal dilated CNN (``tcn``) is recomputed over its receptive field ``R`` of past samples:
  ``R·k·C_in·C_out`` per layer (a buffer per layer would cut that to one output per layer);
* window attention (``attention``) keeps the keys and values of its last ``W`` samples and
  attends over them: projections ``O(D²)`` plus ``2·W·D`` for the scores and the weighted sum;
* the window MLP (``mlp``) reads its last ``w`` samples: ``w·F·H``.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from neuralab.data.sequences import SeqSplit, thermal_split
from neuralab.nn.recurrent import ARCHS, CausalConv, Recurrent, WindowAttention, WindowMLP, streaming_step
from neuralab.nn.runtime import one_thread
from neuralab.params import Int, ParamSpec
from neuralab.progress import Progress
from neuralab.train.sequence import Trained, thermal_model

__all__ = ["COMPARE", "Comparison", "Streamer", "compare", "count_params", "macs_per_sample", "measure_latency",
           "streamer"]

GATES = {"rnn": 1, "lstm": 4, "gru": 3}  # weight blocks per recurrent cell

COMPARE = ParamSpec(
    "compare",
    seeds=Int(1, 3, 1, label="Seeds", help="Each network trained from this many seeds; the table shows the median."),
)


def count_params(model: nn.Module) -> int:
    """Trainable parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def macs_per_sample(model: nn.Module) -> int:
    """Multiply-accumulates to turn one new sample into one new output, as :class:`Streamer` does it.

    Counted from the weight shapes (biases, activations, layer norms and softmax left out):

    * recurrent: ``g·H·(F + H) + H·O`` (``g`` gate blocks: 1 tanh RNN, 4 LSTM, 3 GRU);
    * causal CNN, recomputed over its receptive field ``R``: ``Σ_layers R·k·C_in·C_out + C·O``;
    * window attention with a key/value cache of ``W`` samples: ``F·D`` (embedding) ``+ 3·D²``
      (query, key, value of the new sample) ``+ 2·W·D`` (scores and weighted sum) ``+ D²`` (output
      projection) ``+ 4·D²`` (feed-forward ``D → 2D → D``) ``+ D·O``;
    * window MLP on ``w`` samples: ``w·F·H + H·O``.
    """
    if isinstance(model, Recurrent):
        rnn, head = model.rnn, model.head
        h, f = rnn.hidden_size, rnn.input_size
        return GATES[model.kind] * h * (f + h) + head.in_features * head.out_features
    if isinstance(model, CausalConv):
        r = model.receptive_field
        convs = sum(r * c.kernel_size[0] * c.in_channels * c.out_channels for c in model.convs)
        return convs + model.head.in_features * model.head.out_features
    if isinstance(model, WindowAttention):
        d, w = model.embed.out_features, model.window
        ff = sum(m.in_features * m.out_features for m in model.ff if isinstance(m, nn.Linear))
        return (model.embed.in_features * d + 3 * d * d + 2 * w * d + d * d + ff
                + model.head.in_features * model.head.out_features)
    if isinstance(model, WindowMLP):
        return sum(m.in_features * m.out_features for m in model.net if isinstance(m, nn.Linear))
    raise TypeError(f"model: no work count for {type(model).__name__}.")


class Streamer:
    """Feeds one sample ``x_t (F,)`` at a time to a trained model and returns its estimate ``y_t (O,)``.

    The outputs equal those of the model run on the whole sequence at once (tests check it).
    """

    def __init__(self, model: nn.Module) -> None:
        self.model = model.eval()
        self.t = 0
        self.state: object = None
        if isinstance(model, CausalConv):
            self.past: deque = deque(maxlen=model.receptive_field)
        elif isinstance(model, WindowMLP):
            self.past = deque([torch.zeros(model.net[0].in_features // model.window)] * model.window,
                              maxlen=model.window)
        elif isinstance(model, WindowAttention):
            self.keys: deque = deque(maxlen=model.window)
            self.values: deque = deque(maxlen=model.window)
        elif not isinstance(model, Recurrent):
            raise TypeError(f"model: cannot stream a {type(model).__name__}.")

    @torch.no_grad()
    def step(self, x_t: torch.Tensor) -> torch.Tensor:
        m = self.model
        if isinstance(m, Recurrent):  # one cell update, the state carried
            y, self.state = streaming_step(m, x_t[None], self.state)
            out = y[0]
        elif isinstance(m, CausalConv):  # the whole network over the last R samples, the newest output kept
            self.past.append(x_t)
            h = torch.stack(tuple(self.past), 1)[None]  # (1, F, ≤ R)
            for conv, d in zip(m.convs, m.dilations, strict=True):
                h = F.relu(conv(F.pad(h, ((m.kernel - 1) * d, 0))))  # every layer over the window, causal
            out = m.head(h[0, :, -1])  # the newest output only
        elif isinstance(m, WindowMLP):  # the last w samples, flattened
            self.past.append(x_t)
            out = m.net(torch.stack(tuple(self.past), dim=1).flatten())
        else:
            out = self._attend(m, x_t)
        self.t += 1
        return out

    def _attend(self, m: WindowAttention, x_t: torch.Tensor) -> torch.Tensor:
        """The new sample's query against the cached keys and values of the last W samples."""
        attn = m.attn
        d, heads = m.embed.out_features, attn.num_heads
        h = m.embed(x_t) + m.pos[self.t % m.window]  # (D,)
        a = m.norm1(h)
        q, k, v = F.linear(a, attn.in_proj_weight, attn.in_proj_bias).split(d)  # (D,) each
        self.keys.append(k.view(heads, -1))
        self.values.append(v.view(heads, -1))
        ks, vs = torch.stack(tuple(self.keys), 1), torch.stack(tuple(self.values), 1)  # (heads, n, D/heads)
        qh = q.view(heads, 1, -1)
        weights = torch.softmax(qh @ ks.transpose(1, 2) / (d // heads) ** 0.5, dim=-1)  # (heads, 1, n)
        h = h + attn.out_proj((weights @ vs).reshape(d))
        h = h + m.ff(m.norm2(h))
        return m.head(h)


def streamer(model: nn.Module) -> Streamer:
    """A :class:`Streamer` for ``model``."""
    return Streamer(model)


@one_thread()
def measure_latency(model: nn.Module, x: np.ndarray, warmup: int = 20) -> float:
    """Median wall time (µs, ``time.perf_counter``, one thread) of one :meth:`Streamer.step` over the samples of ``x``.

    ``x`` is one sequence ``(T, F)``; the first ``warmup`` steps are run but not timed.
    """
    s = Streamer(model)
    xs = torch.as_tensor(np.asarray(x, dtype=np.float32))
    times = []
    for i, x_t in enumerate(xs):
        t0 = time.perf_counter()
        s.step(x_t)
        dt = time.perf_counter() - t0
        if i >= warmup:
            times.append(dt)
    if not times:
        raise ValueError(f"x: {len(xs)} samples leave none to time after {warmup} warm-up steps.")
    return 1e6 * statistics.median(times)


@dataclass(frozen=True)
class Comparison:
    """Every architecture's figures on the same split; arrays are ``(archs, seeds)``."""

    archs: tuple[str, ...]  # keys of ARCHS, in table order
    seeds: tuple[int, ...]
    test_rmse_k: np.ndarray  # test RMSE, kelvin
    params: np.ndarray  # (archs,) trainable parameters (the same for every seed)
    train_s: np.ndarray  # training wall time as measured when it ran, s
    latency_us: np.ndarray  # median streaming step, µs per new sample
    macs: np.ndarray  # (archs,) multiply-accumulates per new sample
    diverged: tuple[str, ...]  # per arch: a sentence if a seed's training diverged, else ""

    def median(self, what: str) -> np.ndarray:
        """(archs,) the median over seeds of ``test_rmse_k``, ``train_s`` or ``latency_us``."""
        return np.median(getattr(self, what), axis=1)

    def label(self, arch: str) -> str:
        return ARCHS[arch].label


def _sub(progress: Progress | None, done: int, total: int) -> Progress | None:
    if progress is None:
        return None
    return lambda d, t: progress(done * 100 + int(100 * d / max(t, 1)), total * 100)


def compare(seeds: Sequence[int] = (0,), archs: Sequence[str] = tuple(ARCHS), width: int = 16,
            train: Callable[..., Trained] | None = None, split: SeqSplit | None = None, *,
            progress: Progress | None = None) -> Comparison:
    """Train (or read the memoised) ``archs`` for each of ``seeds`` and measure each; see the module docstring.

    ``train(arch, width, seed, progress=)`` returns a :class:`~neuralab.train.sequence.Trained`
    (default :func:`~neuralab.train.sequence.thermal_model`, memoised on disk);
    the latency is timed on the first test cycle of ``split`` (default :func:`thermal_split`).
    """
    train = train or thermal_model
    split = split or thermal_split()
    shape = (len(archs), len(seeds))
    rmse, secs, lat = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    params, macs, diverged = np.zeros(len(archs), int), np.zeros(len(archs), int), []
    total = len(archs) * len(seeds)
    for a, arch in enumerate(archs):
        note = ""
        for s, seed in enumerate(seeds):
            trained = train(arch, width, seed, progress=_sub(progress, a * len(seeds) + s, total))
            model = trained.model()
            rmse[a, s], secs[a, s] = trained.test_rmse_k, trained.history.seconds
            lat[a, s] = measure_latency(model, split.x_test[0])
            params[a], macs[a] = count_params(model), macs_per_sample(model)
            note = note or trained.history.diverged
        diverged.append(note)
    if progress:
        progress(total * 100, total * 100)
    return Comparison(tuple(archs), tuple(seeds), rmse, params, secs, lat, macs, tuple(diverged))
