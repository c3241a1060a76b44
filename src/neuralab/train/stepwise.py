"""The training loop taken apart: six steps, one at a time, on a real mini-batch of digits.

The position in the run is one integer, the *tick*. Each epoch is ``n_batches`` batches of
five ticks (1 forward, 2 loss, 3 backward, 4 optimizer step, 5 zero the gradients) followed
by one tick for 6, the validation pass. Any tick is recomputed from the seed alone: the
model is rebuilt with ``mlp(..., seed=seed)``, the batch order comes from a
``torch.Generator`` seeded the same way, and the completed updates are replayed. Replays
start from cached snapshots, so the next tick costs one update, not the whole run.

The module also trains one small digits network once (cached) and records the
activations of every layer for any input: the numbers the forward-pass animation draws.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from neuralab.data.arrays import Arrays, digits
from neuralab.nn.models import load_or_train, mlp, model_path
from neuralab.nn.runtime import one_thread
from neuralab.params import SEED, Float, Int, ParamSpec, Rule
from neuralab.train import loop, optimizers

__all__ = [
    "EPOCHS",
    "FORWARD",
    "HIDDEN",
    "LOOP",
    "PHASES",
    "Activations",
    "LoopState",
    "Position",
    "activations",
    "locate",
    "state",
    "ticks_per_epoch",
    "trained_net",
]

HIDDEN = 32  # width of the loop page's one hidden layer: 64 → 32 → 10
EPOCHS = 3  # how far the step-by-step run goes
SNAPSHOT_EVERY = 8  # a full copy of model and optimizer every this many updates
N_SHOWN = 4  # weights shown before and after the update, per layer
PHASES = ("Forward pass", "Loss", "Backward pass", "Optimizer step", "Zero the gradients", "Validate")
MAX_TICK = 3 * (1077 // 16 + 1) * 5 + 3  # bound for the URL field; the true bound depends on the batch size



def ticks_per_epoch(batch_size: int, n_train: int) -> int:
    """Five ticks per batch, plus one for validation."""
    return 5 * -(-n_train // batch_size) + 1


def _tick_ok(v: dict) -> bool:
    return v["tick"] < EPOCHS * ticks_per_epoch(v["batch_size"], len(digits(0).y_train))


LOOP = ParamSpec(
    "loop",
    rules=[Rule(("tick", "batch_size"), _tick_ok,
                lambda v: f"tick must be below {EPOCHS * ticks_per_epoch(v['batch_size'], len(digits(0).y_train))} "
                          f"({EPOCHS} epochs at batch size {v['batch_size']}); got {v['tick']}.")],
    batch_size=Int(16, 128, 32, step=16, label="Batch size", unit="samples",
                   help="Digits per update; fewer batches per epoch when it is larger."),
    optimizer=optimizers.OPTIMIZER,
    lr=Float(1e-4, 1.0, 0.01, step=0.25, log=True, label="Learning rate", help="The step size of the optimizer."),
    seed=SEED,
    tick=Int(0, MAX_TICK, 0, label="Step counter",
             help="Which step of the run is shown; the buttons move it. Every value replays the same way."),
)


@dataclass(frozen=True)
class Position:
    """Where a tick falls in the run."""

    epoch: int  # 1-based epoch
    batch: int  # 0-based batch within the epoch (the last batch for phase 6)
    phase: int  # 1..6, see PHASES
    update: int  # optimizer steps completed before this batch's step 4
    n_batches: int  # batches per epoch


def locate(tick: int, batch_size: int, n_train: int) -> Position:
    """Map a tick to (epoch, batch, phase)."""
    n_batches = -(-n_train // batch_size)
    per = ticks_per_epoch(batch_size, n_train)
    e, r = divmod(tick, per)
    if r == per - 1:
        return Position(e + 1, n_batches - 1, 6, (e + 1) * n_batches, n_batches)
    b, p = divmod(r, 5)
    return Position(e + 1, b, p + 1, e * n_batches + b, n_batches)


@dataclass(frozen=True)
class LoopState:
    """What the run shows at one tick. Fields not reached yet by this batch's phase are ``None``."""

    pos: Position
    batch_size: int
    optimizer: str
    lr: float
    rows: np.ndarray  # (B,) indices of this batch in the training set
    labels: np.ndarray  # (B,) true digits
    logits: np.ndarray | None  # (B, 10) raw outputs (phase ≥ 1)
    probs: np.ndarray | None  # (B, 10) softmax of the logits
    per_sample: np.ndarray | None  # (B,) −ln p(true class) (phase ≥ 2)
    loss: float | None  # mean of per_sample: the number backward() differentiates
    layers: tuple[str, ...]  # parameter names, e.g. "0.weight"
    grad_norms: np.ndarray | None  # (n_params,) ‖∂L/∂θ‖ per tensor after backward (phase ≥ 3)
    update_norms: np.ndarray | None  # (n_params,) ‖Δθ‖ per tensor from this step (phase ≥ 4)
    param_norms: np.ndarray  # (n_params,) ‖θ‖ per tensor before this batch's step
    before: dict[str, np.ndarray]  # a few weights of each weight matrix before the step
    after: dict[str, np.ndarray] | None  # the same weights after it (phase ≥ 4)
    grads_cleared: bool  # phase ≥ 5: every .grad is None again
    step_losses: np.ndarray  # (updates so far,) batch loss of every completed update
    val_epochs: np.ndarray  # epochs with a validation pass so far (0 = before training)
    val_losses: np.ndarray  # their validation loss
    val_accs: np.ndarray  # and accuracy

    @property
    def val_loss(self) -> float | None:
        return float(self.val_losses[-1]) if self.pos.phase == 6 else None


class _Run:
    """One configuration's trajectory: snapshots of model + optimizer at every SNAPSHOT_EVERY-th update."""

    def __init__(self, batch_size: int, optimizer: str, lr: float, seed: int):
        self.data: Arrays = digits(0)
        self.batch_size, self.optimizer, self.lr, self.seed = batch_size, optimizer, lr, seed
        self.X, self.y = torch.tensor(self.data.X_train), torch.tensor(self.data.y_train)
        self.n_batches = -(-len(self.y) // batch_size)
        gen = torch.Generator().manual_seed(seed)
        self.orders = [torch.randperm(len(self.y), generator=gen) for _ in range(EPOCHS)]
        model = mlp((self.data.n_features, HIDDEN, self.data.n_classes), "relu", seed=seed)
        opt = optimizers.make(optimizer, model.parameters(), lr)
        self.snapshots = {0: (copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict()))}
        self.losses: list[float] = []  # batch loss of each update, in order
        val = loop.evaluate(model, self.data.X_val, self.data.y_val, self.data.task)
        self.vals: list[tuple[float, float]] = [val]  # after epoch 0, 1, ...
        self.lock = threading.Lock()

    def batch_rows(self, update: int) -> torch.Tensor:
        e, b = divmod(update, self.n_batches)
        return self.orders[e][b * self.batch_size:(b + 1) * self.batch_size]

    def restore(self, update: int) -> tuple[nn.Module, torch.optim.Optimizer]:
        """Model and optimizer after ``update`` completed updates (replaying from the last snapshot)."""
        with self.lock:
            start = max(k for k in self.snapshots if k <= update)
            model = mlp((self.data.n_features, HIDDEN, self.data.n_classes), "relu", seed=self.seed)
            opt = optimizers.make(self.optimizer, model.parameters(), self.lr)
            model.load_state_dict(self.snapshots[start][0])
            opt.load_state_dict(self.snapshots[start][1])
            for k in range(start, update):
                loss = self._update(model, opt, k)
                if k == len(self.losses):
                    self.losses.append(loss)
                if (k + 1) % SNAPSHOT_EVERY == 0 and k + 1 not in self.snapshots:
                    self.snapshots[k + 1] = (copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict()))
                if (k + 1) % self.n_batches == 0 and len(self.vals) == (k + 1) // self.n_batches:
                    self.vals.append(loop.evaluate(model, self.data.X_val, self.data.y_val, self.data.task))
            return model, opt

    def _update(self, model: nn.Module, opt: torch.optim.Optimizer, k: int) -> float:
        rows = self.batch_rows(k)
        loss = F.cross_entropy(model(self.X[rows]), self.y[rows])
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return float(loss.detach())


@lru_cache(maxsize=8)
def _run(batch_size: int, optimizer: str, lr: float, seed: int) -> _Run:
    return _Run(batch_size, optimizer, lr, seed)


def state(batch_size: int, optimizer: str, lr: float, seed: int, tick: int) -> LoopState:
    """The run at ``tick``: the current batch taken through phases 1..phase, with real values.

    Raises:
        ParamError: a value outside its declaration, or a tick past the last epoch.
    """
    v = LOOP.validate(batch_size=batch_size, optimizer=optimizer, lr=lr, seed=seed, tick=tick)
    with torch.random.fork_rng(devices=[]), one_thread():
        run = _run(v["batch_size"], v["optimizer"], v["lr"], v["seed"])
        pos = locate(v["tick"], v["batch_size"], len(run.y))
        upto = pos.update - 1 if pos.phase == 6 else pos.update  # phase 6 shows the last batch, already stepped
        torch.manual_seed(v["seed"])
        model, opt = run.restore(upto)
        return _walk(run, model, opt, pos, upto, v)


def _walk(run: _Run, model: nn.Module, opt: torch.optim.Optimizer, pos: Position, upto: int, v: dict) -> LoopState:
    rows = run.batch_rows(upto)
    named = list(model.named_parameters())
    shown = [n for n, p in named if p.dim() == 2]
    before_all = {n: p.detach().clone() for n, p in named}
    phase = pos.phase
    model.train()
    logits = model(run.X[rows])  # step 1: (B, 10)
    per_sample = F.cross_entropy(logits, run.y[rows], reduction="none")  # step 2 (B,)
    loss = per_sample.mean()
    grads = upd = after = None
    if phase >= 3:
        loss.backward()  # step 3
        grads = np.array([float(p.grad.norm()) for _, p in named])
    if phase >= 4:
        opt.step()  # step 4
        upd = np.array([float((p.detach() - before_all[n]).norm()) for n, p in named])
        after = {n: _few(dict(named)[n]) for n in shown}
    if phase >= 5:
        opt.zero_grad(set_to_none=True)  # step 5
    if phase == 6:  # the validation pass at the end of the epoch, as recorded by the replay
        run.restore(upto + 1)
    n_vals = pos.epoch + 1 if phase == 6 else pos.epoch
    vals = np.array(run.vals[:n_vals])
    return LoopState(
        pos=pos, batch_size=v["batch_size"], optimizer=v["optimizer"], lr=v["lr"],
        rows=rows.numpy(), labels=run.y[rows].numpy(),
        logits=logits.detach().numpy(), probs=torch.softmax(logits, 1).detach().numpy(),
        per_sample=per_sample.detach().numpy() if phase >= 2 else None,
        loss=float(loss.detach()) if phase >= 2 else None,
        layers=tuple(n for n, _ in named), grad_norms=grads, update_norms=upd,
        param_norms=np.array([float(before_all[n].norm()) for n, _ in named]),
        before={n: before_all[n][:1, :N_SHOWN].numpy().ravel() for n in shown},
        after=after, grads_cleared=phase >= 5 and all(p.grad is None for _, p in named),
        step_losses=np.array(run.losses[:upto] + ([float(loss.detach())] if phase >= 4 else [])),
        val_epochs=np.arange(len(vals)), val_losses=vals[:, 0], val_accs=vals[:, 1],
    )


def _few(p: torch.Tensor) -> np.ndarray:
    return p.detach()[:1, :N_SHOWN].numpy().copy().ravel()


# ----------------------------------------------------------------------------- forward-pass activations

FORWARD = ParamSpec(
    "forward",
    digit=Int(0, 9, 3, label="Digit", help="Which class the input is taken from."),
    sample=Int(0, 9, 0, label="Example", help="Which validation example of that digit (they differ in handwriting)."),
    speed=Float(0.25, 4.0, 1.0, step=0.25, label="Speed", unit="layers/s",
                help="How fast the signal moves from one layer to the next in the animation."),
)
ARCH = (64, 16, 12, 10)  # small enough to draw every unit
TRAIN = loop.Config(epochs=12, batch_size=32, optimizer="adam", lr=1e-2, seed=0)


@dataclass(frozen=True)
class Trained:
    """The digits network trained once for the forward-pass view."""

    model: nn.Module  # in eval mode; do not train it further
    val_acc: float  # accuracy on the validation set
    val_loss: float
    epochs: int


@dataclass(frozen=True)
class Activations:
    """Every layer's values for one input through the trained network."""

    image: np.ndarray  # (8, 8) the input as the network sees it: pixels standardized with training statistics
    label: int  # true digit
    layers: tuple[np.ndarray, ...]  # activations per layer: input (scaled), hidden after ReLU, output probs
    pre: tuple[np.ndarray, ...]  # pre-activations z of each computed layer (hidden and logits)
    weights: tuple[np.ndarray, ...]  # (n_out, n_in) weight matrix into each layer
    sizes: tuple[int, ...]
    predicted: int
    probs: np.ndarray  # (10,) softmax output
    val_acc: float  # of the trained network


@lru_cache(maxsize=1)
def trained_net() -> Trained:
    """A 64 → 16 → 12 → 10 ReLU MLP trained on the digits training split (seed 0).

    Trained once (about a second) and kept in the disk cache, so background jobs in
    other processes load it instead of training again.
    """
    data = digits(0)
    model = mlp(ARCH, "relu", seed=0)
    def train(m: nn.Module) -> None:
        with torch.random.fork_rng(devices=[]), one_thread():
            loop.fit(m, data, TRAIN)

    load_or_train(model, model_path("feedforward", {"arch": ARCH, "train": asdict(TRAIN)}), train)
    val_loss, val_acc = loop.evaluate(model, data.X_val, data.y_val, data.task)
    return Trained(model, val_acc, val_loss, TRAIN.epochs)


def activations(digit: int, sample: int) -> Activations:
    """The layer-by-layer values of the ``sample``-th validation image of ``digit``."""
    v = FORWARD.validate(digit=digit, sample=sample)
    return _activations(v["digit"], v["sample"])


@lru_cache(maxsize=128)
def _activations(digit: int, sample: int) -> Activations:
    data = digits(0)
    t = trained_net()
    idx = np.flatnonzero(data.y_val == digit)[sample]
    x = torch.tensor(data.X_val[idx : idx + 1])
    layers, pre, weights = [x[0].numpy()], [], []
    h = x
    with torch.no_grad():
        for mod in t.model:
            h = mod(h)
            if isinstance(mod, nn.Linear):
                pre.append(h[0].numpy().copy())
                weights.append(mod.weight.detach().numpy().copy())
            elif isinstance(mod, nn.ReLU):
                layers.append(h[0].numpy().copy())
    probs = torch.softmax(torch.tensor(pre[-1]), 0).numpy()
    layers.append(probs)
    return Activations(data.X_val[idx].reshape(8, 8), digit, tuple(layers), tuple(pre), tuple(weights), ARCH,
                       int(probs.argmax()), probs,
                       t.val_acc)



# ----------------------------------------------------------------------------- moving through the run

ACTIONS = ("next", "batch", "epoch", "restart")


def advance(tick: int, action: str, batch_size: int) -> int:
    """The tick after a button press: one step, the next batch's forward pass, the epoch's validation, or 0.

    Stops at the last tick of the run rather than running past it.
    """
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}; got {action!r}.")
    n_train = len(digits(0).y_train)
    per = ticks_per_epoch(batch_size, n_train)
    last = EPOCHS * per - 1
    if action == "restart":
        return 0
    if action == "next":
        return min(tick + 1, last)
    pos = locate(tick, batch_size, n_train)
    start = (pos.epoch - 1) * per
    if action == "epoch":
        return start + per - 1 if pos.phase != 6 else min(tick + per, last)
    if pos.phase == 6:
        return min(tick + 1, last)
    return min(start + 5 * (pos.batch + 1), last)


#: The loop as you would write it; the step numbers match PHASES.
CODE = (
    "model = mlp((64, 32, 10), 'relu', seed={seed})",
    "optimizer = optimizers.make({optimizer!r}, model.parameters(), lr={lr:g})  # {torch_class}",
    "for epoch in range({epochs}):",
    "    model.train()",
    "    for x, y in train_loader:                      # shuffled batches of {batch_size} digits",
    "        logits = model(x)                          # 1 forward: (B, 10)",
    "        loss = F.cross_entropy(logits, y)          # 2 loss: a scalar",
    "        loss.backward()                            # 3 backward: fills p.grad",
    "        optimizer.step()                           # 4 update: p -= lr * (something from p.grad)",
    "        optimizer.zero_grad(set_to_none=True)      # 5 clear: grads accumulate otherwise",
    "    model.eval()",
    "    with torch.no_grad():",
    "        val_loss = F.cross_entropy(model(X_val), y_val)  # 6 validate once per epoch",
)
_LINE_OF_PHASE = {1: 5, 2: 6, 3: 7, 4: 8, 5: 9, 6: 12}


def code(phase: int, optimizer: str = "adam", lr: float = 0.01, batch_size: int = 32, seed: int = 0) -> str:
    """The loop's code for these settings, with an arrow on the line of ``phase``."""
    probe = optimizers.make(optimizer, [torch.zeros(1, requires_grad=True)], lr)
    fill = dict(seed=seed, optimizer=optimizer, lr=lr, epochs=EPOCHS, batch_size=batch_size,
                torch_class=f"torch.optim.{type(probe).__name__}")
    lines = [line.format(**fill) for line in CODE]
    i = _LINE_OF_PHASE[phase]
    lines[i] = lines[i] + "   ◀ here"
    return "\n".join(lines)
