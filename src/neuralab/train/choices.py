"""Training choices for recurrent networks, each measured on the winding-temperature task.

* :func:`tbptt_sweep`: truncated backpropagation through time with chunks of ``k`` steps, for
  several ``k``, against the thermal time constants of the motor (in logging steps).
* :func:`target_compare`: one network trained with the loss on the last step only
  (sequence-to-one) and the same one with the loss on every step (sequence-to-sequence), with the
  same number of updates; both scored at the last step of the test cycles.
* :func:`bidirectional_compare`: a bidirectional network against a causal one, and
  :func:`future_dependence`, how much the estimate at step ``t`` moves when only the samples
  after ``t`` change (exactly zero for a causal network).
* :func:`teacher_compare`: next-temperature prediction from the inputs and the previous
  temperature, trained with teacher forcing (the true previous temperature fed in) or free
  running (its own previous prediction fed back, gradient through the loop), both run free.

The trainings are kept on disk (:func:`neuralab.cache.memo`): a page revisit reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from neuralab import cache
from neuralab.data.sequences import C_S, C_W, R_SC, R_WS, TEMP_REF_C, TEMP_SCALE_C, SeqSplit, thermal_split
from neuralab.nn.recurrent import CELL, Recurrent, build
from neuralab.nn.runtime import one_thread
from neuralab.params import Choice, Int, ParamSpec
from neuralab.progress import Progress
from neuralab.train.sequence import SeqConfig, SeqHistory, fit_sequence, predict, rmse

__all__ = ["CHOICES", "KS", "Bidirectional", "TbpttRun", "TbpttSweep", "Targets", "Teacher", "bidirectional_compare",
           "fit_free", "future_dependence", "prefix_estimates", "run_feedback", "target_compare", "tau_steps",
           "tbptt_run", "tbptt_sweep", "teacher_compare"]

KS = (5, 10, 30, 90, 180)  # chunk lengths of the sweep; 180 = the whole cycle (full BPTT)
DEPENDS = ("neuralab.nn.recurrent", "neuralab.data.sequences", "neuralab.data.motor", "neuralab.train.sequence")

CHOICES = ParamSpec(
    "choices",
    choices_cell=Choice(CELL.options, default="gru", label="Cell",
                        help="The recurrent cell every training of these sections uses."),
    choices_epochs=Int(10, 150, 60, label="Epochs", help="Passes over the 22 training cycles, for every training."),
    choices_seed=Int(0, 9, 0, label="Seed", help="Initial weights and batch order."),
)


def tau_steps(dt_s: int = 10) -> tuple[float, float]:
    """(winding C_W·R_WS, stator C_S·R_SC) time constants of the thermal model, in logging steps of ``dt_s``."""
    return C_W * R_WS / dt_s, C_S * R_SC / dt_s


def _cfg(epochs: int, seed: int, **kw) -> SeqConfig:
    return SeqConfig(epochs=epochs, seed=seed, **kw)


# ---------------------------------------------------------------------------------------------- truncated BPTT


@dataclass(frozen=True)
class TbpttRun:
    k: int  # chunk length, steps
    test_rmse_k: float  # every step of the test cycles, kelvin
    val_rmse_k: np.ndarray  # (epochs + 1,) validation RMSE after each epoch, kelvin (0: before training)
    updates: int  # optimiser steps taken (one per chunk)
    seconds: float
    diverged: str


@cache.memo("recurrent-choices", depends=DEPENDS, salt=torch.__version__)
def tbptt_run(cell: str, k: int, epochs: int, seed: int, *, progress: Progress | None = None) -> TbpttRun:
    """``cell`` (width 16) trained on :func:`thermal_split` with chunks of ``k`` steps (``k ≥ T``: full BPTT)."""
    s = thermal_split()
    model = build(cell, s.x_train.shape[2], 16, 1, seed)
    h = fit_sequence(model, s.x_train, s.y_train, s.x_val, s.y_val, _cfg(epochs, seed, tbptt=k), progress=progress)
    return TbpttRun(k, s.kelvin(rmse(model, s.x_test, s.y_test)), s.kelvin(1.0) * np.sqrt(h.val_loss),
                    len(h.grad_norm), h.seconds, h.diverged)


@dataclass(frozen=True)
class TbpttSweep:
    cell: str
    runs: tuple[TbpttRun, ...]
    steps: int  # samples per cycle
    dt_s: int
    tau_winding: float  # steps
    tau_stator: float  # steps

    @property
    def ks(self) -> np.ndarray:
        return np.array([r.k for r in self.runs])

    @property
    def test_rmse_k(self) -> np.ndarray:
        return np.array([r.test_rmse_k for r in self.runs])


def tbptt_sweep(cell: str = "gru", epochs: int = 60, seed: int = 0, ks: tuple[int, ...] = KS, *,
                progress: Progress | None = None) -> TbpttSweep:
    """One training per chunk length in ``ks`` (each kept on disk), with the thermal time constants in steps."""
    s = thermal_split()
    runs = []
    for i, k in enumerate(ks):
        runs.append(tbptt_run(cell, k, epochs, seed))
        if progress:
            progress(i + 1, len(ks))
    steps = s.x_train.shape[1]
    return TbpttSweep(cell, tuple(runs), steps, 10, *tau_steps(10))


# ------------------------------------------------------------------------------ sequence-to-one vs to-sequence


@dataclass(frozen=True)
class Targets:
    cell: str
    updates: int  # updates of each training (the same for both)
    val_last_k: np.ndarray  # (2, epochs + 1) last-step validation RMSE after each epoch, kelvin: [seq2one, seq2seq]
    test_step_k: np.ndarray  # (2, T) RMSE over the test cycles at every step, kelvin
    test_last_k: np.ndarray  # (2,) RMSE at the last step of the test cycles, kelvin
    cycles: int  # test cycles
    seconds: np.ndarray  # (2,)
    diverged: tuple[str, str]


def _last_curve(model: nn.Module, x: np.ndarray, y: np.ndarray, cfg: SeqConfig, s: SeqSplit,
                xtr: np.ndarray, ytr: np.ndarray, progress: Progress | None) -> tuple[np.ndarray, SeqHistory]:
    """Train ``model``; record the last-step validation RMSE (kelvin) after each epoch via the progress hook."""
    curve = [s.kelvin(rmse(model, x, y, last_only=True))]

    def hook(done: int, total: int) -> None:
        curve.append(s.kelvin(rmse(model, x, y, last_only=True)))
        if progress:
            progress(done, total)

    h = fit_sequence(model, xtr, ytr, s.x_val, s.y_val, cfg, progress=hook)
    return np.array(curve), h


@cache.memo("recurrent-choices", depends=DEPENDS, salt=torch.__version__)
def target_compare(cell: str, epochs: int, seed: int, *, progress: Progress | None = None) -> Targets:
    """The same network (same seed, batches and updates) trained sequence-to-one and sequence-to-sequence."""
    s = thermal_split()
    curves, steps, secs, div, updates = [], [], [], [], 0
    for j, last in enumerate((True, False)):
        model = build(cell, s.x_train.shape[2], 16, 1, seed)
        sub = (lambda d, t, j=j: progress(j * t + d, 2 * t)) if progress else None
        curve, h = _last_curve(model, s.x_val, s.y_val, _cfg(epochs, seed, last_only=last), s, s.x_train,
                               s.y_train, sub)
        curves.append(np.pad(curve, (0, epochs + 1 - len(curve)), constant_values=np.nan))
        err = predict(model, s.x_test)[..., 0] - s.y_test[..., 0]  # (B, T)
        steps.append(s.kelvin(1.0) * np.sqrt(np.mean(err**2, axis=0)))
        secs.append(h.seconds)
        div.append(h.diverged)
        updates = len(h.grad_norm)
    steps_a = np.stack(steps)
    return Targets(cell, updates, np.stack(curves), steps_a, steps_a[:, -1].copy(), len(s.x_test), np.array(secs),
                   tuple(div))


# ------------------------------------------------------------------------------------------------ bidirectional


@one_thread()
@torch.no_grad()
def future_dependence(model: nn.Module, x: np.ndarray, other: np.ndarray) -> np.ndarray:
    """(T,) the largest change over the sequences of the output at ``t`` when ``x[:, t+1:]`` becomes ``other[:, t+1:]``.

    The inputs up to and including ``t`` are left as they are, so a causal model's output at
    ``t`` cannot move: the result is exactly zero for it. Output units as the model's (scaled).
    All ``T − 1`` altered copies run as one batch.
    """
    model.eval()
    x, other = torch.as_tensor(x), torch.as_tensor(other)
    B, T, _ = x.shape
    base = model(x)[..., 0]  # (B, T)
    keep = torch.arange(T)[None, :] <= torch.arange(T - 1)[:, None]  # (T − 1, T): step j kept when j ≤ t
    mixed = torch.where(keep[:, None, :, None], x[None], other[None])  # (T − 1, B, T, F)
    out = model(mixed.reshape(-1, T, x.shape[2]))[..., 0].reshape(T - 1, B, T)
    t = torch.arange(T - 1)
    change = (out[t, :, t] - base[:, :-1].T).abs().amax(dim=1)  # (T − 1,)
    return np.append(change.numpy().astype(float), 0.0)


@one_thread()
@torch.no_grad()
def prefix_estimates(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """(B, T) the output at ``t`` computed from ``x[:, :t+1]`` alone: what the model can say live, at step ``t``.

    For a :class:`~neuralab.nn.recurrent.Recurrent` model all ``T`` prefixes run as one packed batch.
    """
    model.eval()
    x = torch.as_tensor(x)
    B, T, F = x.shape
    if not isinstance(model, Recurrent):
        return np.stack([model(x[:, :t + 1])[:, -1, 0].numpy() for t in range(T)], axis=1)
    lengths = torch.arange(1, T + 1).repeat_interleave(B)  # prefix t + 1 for every sequence
    batch = x.repeat(T, 1, 1)  # (T·B, T, F), row t·B + b is sequence b
    packed = nn.utils.rnn.pack_padded_sequence(batch, lengths, batch_first=True, enforce_sorted=False)
    out, _ = nn.utils.rnn.pad_packed_sequence(model.rnn(packed)[0], batch_first=True)  # (T·B, T, H·dirs)
    last = out[torch.arange(T * B), lengths - 1]  # (T·B, H·dirs), each prefix's own last step
    return model.head(last)[:, 0].reshape(T, B).T.numpy()


@dataclass(frozen=True)
class Bidirectional:
    cell: str
    test_rmse_k: np.ndarray  # (2,) offline, every step: [causal, bidirectional]
    live_rmse_k: float  # the bidirectional network given only the samples up to t, every step
    change_k: np.ndarray  # (2, T) largest change of the estimate at t when the inputs after t are replaced, K
    params: np.ndarray  # (2,)
    seconds: np.ndarray  # (2,)
    diverged: tuple[str, str]


@cache.memo("recurrent-choices", depends=DEPENDS, salt=torch.__version__)
def bidirectional_compare(cell: str, epochs: int, seed: int, *,
                          progress: Progress | None = None) -> Bidirectional:
    """A causal and a bidirectional ``cell`` (16 units per direction), trained alike; how far each reads ahead.

    The inputs after ``t`` are replaced by those of another test cycle (the test cycles rolled by one).
    """
    s = thermal_split()
    other = np.roll(s.x_test, 1, axis=0)
    errs, change, params, secs, div, models = [], [], [], [], [], []
    for j, bi in enumerate((False, True)):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = Recurrent(cell, s.x_train.shape[2], 16, 1, bidirectional=bi)
        sub = (lambda d, t, j=j: progress(j * t + d, 2 * t)) if progress else None
        h = fit_sequence(model, s.x_train, s.y_train, s.x_val, s.y_val, _cfg(epochs, seed), progress=sub)
        errs.append(s.kelvin(rmse(model, s.x_test, s.y_test)))
        change.append(s.kelvin(1.0) * future_dependence(model, s.x_test, other))
        params.append(sum(p.numel() for p in model.parameters()))
        secs.append(h.seconds)
        div.append(h.diverged)
        models.append(model)
    live = prefix_estimates(models[1], s.x_test) - s.y_test[..., 0]
    return Bidirectional(cell, np.array(errs), s.kelvin(float(np.sqrt(np.mean(live**2)))), np.stack(change),
                         np.array(params), np.array(secs), tuple(div))


# ------------------------------------------------------------------------------ teacher forcing vs free running


def _initial(s: SeqSplit, x: np.ndarray) -> np.ndarray:
    """(B, 1) scaled starting temperature: every cycle starts cold, at its coolant temperature."""
    coolant = x[:, 0, 2] * s.scale_[2] + s.mean_[2]
    return ((coolant - TEMP_REF_C) / TEMP_SCALE_C).astype(np.float32)[:, None]


def run_feedback(model: Recurrent, x: torch.Tensor, y0: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
    """(B, T, 1) next-temperature predictions; input at ``t`` is ``x[:, t]`` and the temperature at ``t − 1``.

    With ``y`` (teacher forcing) the true previous temperature is fed (``y0`` before the first step)
    and the whole sequence runs in one pass; without it the model's own previous prediction is fed
    back, one step at a time, so the gradient flows through the loop.
    """
    if y is not None:
        prev = torch.cat([y0[:, None, :], y[:, :-1]], dim=1)  # (B, T, 1)
        return model(torch.cat([x, prev], dim=2))
    state, prev, outs = None, y0, []
    for t in range(x.shape[1]):
        out, state = model.rnn(torch.cat([x[:, t], prev], dim=1)[:, None, :], state)
        prev = model.head(out[:, 0])  # (B, 1)
        outs.append(prev)
    return torch.stack(outs, dim=1)


@one_thread()
def fit_free(model: Recurrent, x: np.ndarray, y: np.ndarray, y0: np.ndarray, cfg: SeqConfig, *,
             progress: Progress | None = None) -> SeqHistory:
    """Train free running: the loss of :func:`run_feedback` without ``y``, through :func:`fit_sequence`."""
    X, Y, Y0 = (torch.as_tensor(np.asarray(a)) for a in (x, y, y0))
    return fit_sequence(model, x, y, None, None, cfg, progress=progress,
                        criterion=lambda m, idx: nn.functional.mse_loss(run_feedback(m, X[idx], Y0[idx]), Y[idx]))


@dataclass(frozen=True)
class Teacher:
    cell: str
    step_k: np.ndarray  # (3, T) test RMSE at each step, K: [forced run forced, forced run free, free run free]
    rmse_k: np.ndarray  # (3,) over every step
    seconds: np.ndarray  # (2,) training time: teacher-forced, free-running
    diverged: tuple[str, str]


@cache.memo("recurrent-choices", depends=DEPENDS, salt=torch.__version__)
def teacher_compare(cell: str, epochs: int, seed: int, *, progress: Progress | None = None) -> Teacher:
    """Next-temperature prediction trained with teacher forcing and free running, each run free on the test cycles."""
    s = thermal_split()
    y0 = {k: _initial(s, getattr(s, f"x_{k}")) for k in ("train", "val", "test")}
    cfg = _cfg(epochs, seed, clip=1.0)
    models = []
    for _ in range(2):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            models.append(Recurrent(cell, s.x_train.shape[2] + 1, 16, 1))
    sub = [(lambda d, t, j=j: progress(j * t + d, 2 * t)) if progress else None for j in range(2)]

    def forced_inputs(x: np.ndarray, y: np.ndarray, y0_: np.ndarray) -> np.ndarray:
        prev = np.concatenate([y0_[:, None, :], y[:, :-1]], axis=1)
        return np.concatenate([x, prev], axis=2)

    h_tf = fit_sequence(models[0], forced_inputs(s.x_train, s.y_train, y0["train"]), s.y_train,
                        forced_inputs(s.x_val, s.y_val, y0["val"]), s.y_val, cfg, progress=sub[0])
    h_fr = fit_free(models[1], s.x_train, s.y_train, y0["train"], cfg, progress=sub[1])
    xt, yt, y0t = (torch.as_tensor(a) for a in (s.x_test, s.y_test, y0["test"]))
    with torch.no_grad():
        for m in models:
            m.eval()
        runs = [run_feedback(models[0], xt, y0t, yt), run_feedback(models[0], xt, y0t),
                run_feedback(models[1], xt, y0t)]
    err = np.stack([(r - yt)[..., 0].numpy() for r in runs])  # (3, B, T)
    return Teacher(cell, s.kelvin(1.0) * np.sqrt(np.mean(err**2, axis=1)),
                   s.kelvin(1.0) * np.sqrt(np.mean(err**2, axis=(1, 2))), np.array([h_tf.seconds, h_fr.seconds]),
                   (h_tf.diverged, h_fr.diverged))
