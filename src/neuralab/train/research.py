"""The research corner's two experiments: a capsule network against the lab's CNN, and a neural ODE on a spiral.

* :func:`capsules` trains a :class:`~neuralab.nn.capsule.DigitCapsNet` (kept on disk by its routing iterations
  and seed) on the split every digits model of the lab uses (``digits(0)``), with the compression zoo's CNN recipe
  (Adam, lr 3e-3, 20 epochs, batches of 32) and the margin loss, and sets it beside a trained CNN the caller
  passes (the page: the compression zoo's, ``zoo.load("cnn", seed)``, never retrained here): test accuracy,
  parameters, seconds per epoch (both measured the same way, one epoch of forward, backward and step on a
  copy), and the routing of one test digit.
* :func:`ode` fits a :class:`~neuralab.nn.ode.Field` to a 2-D spiral, dz/dt = z³·A (the cubic spiral of
  torchdiffeq's demo), once per seed, then integrates the learned field with the chosen solver and tolerance,
  counting function evaluations (NFE) with a cap, and sets it beside a residual network with tied steps (Euler).
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from neuralab.cache import memo
from neuralab.data.arrays import digits
from neuralab.nn.capsule import MAX_ITERATIONS, DigitCapsNet, margin_loss
from neuralab.nn.models import n_params
from neuralab.nn.ode import SOLVERS, Field, TooManyEvaluations, resnet, solve
from neuralab.nn.runtime import one_thread
from neuralab.params import SEED, Choice, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet, stage
from neuralab.train.loop import Config, evaluate, fit

__all__ = ["CAPSULES", "ODE", "Capsules", "Ode", "capsules", "ode", "spiral", "true_field"]

SPLIT_SEED = 0  # every digits model of the lab trains and is tested on digits(0)
N_TEST = 360
RECIPE = Config(epochs=20, lr=3e-3, batch_size=32, optimizer="adam")  # the zoo's CNN recipe
CAPSULES = ParamSpec(
    "rc-capsules",
    caps_iters=Int(1, MAX_ITERATIONS, 3, label="Routing iterations",
                   help="Rounds of routing by agreement, in training and at test time; 1 is uniform coupling."),
    caps_digit=Int(0, N_TEST - 1, 0, label="Test digit", help="Which of the 360 test digits the charts route."),
    rc_seed=SEED,
)
TOL_FLOOR = 1e-7  # tighter than this, float32 round-off is of the same size as the error the solver controls
TOLERANCES = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7)  # the NFE sweep's rtol values (atol = rtol)
ODE = ParamSpec(
    "rc-ode",
    ode_solver=Choice(tuple((k, v[0]) for k, v in SOLVERS.items()), "dopri5", label="Solver",
                      help="How the learned field is integrated; the fixed-step solvers step on the 0.1-s grid."),
    ode_tol=Float(TOL_FLOOR, 1e-2, 1e-5, step=0.5, log=True, label="Tolerance (rtol = atol)",
                  help="dopri5 keeps the RMS over all components of its local error estimate / "
                       "(atol + rtol·|z|) below 1; "
                       "ignored by fixed steps."),
    ode_cap=Int(100, 20000, 5000, step=100, label="NFE cap",
                help="Our own counter in f: a solve that needs more evaluations of f than this is stopped with an "
                     "error "
                     "that says so."),
    rc_seed=SEED,
)


# ----------------------------------------------------------------------------- capsules


@dataclass(frozen=True)
class CapsRun:
    """A trained capsule network (its weights) and what training it cost."""

    iterations: int
    state: dict  # state_dict
    val_acc: np.ndarray  # (epochs + 1,)
    train_s: float  # wall seconds of the whole training, when it ran


@memo("rc-capsules", depends=("neuralab.nn.capsule", "neuralab.train.loop"), salt=torch.__version__)
def caps_run(iterations: int, seed: int, progress: Progress = quiet) -> CapsRun:
    """Train the capsule network (tens of seconds; then read from disk)."""
    model = DigitCapsNet(iterations, seed=seed)
    t0 = time.perf_counter()
    hist = fit(model, digits(SPLIT_SEED), Config(**{**RECIPE.__dict__, "seed": seed}), progress=progress,
               criterion=lambda out, y, _idx: margin_loss(out, y))
    return CapsRun(iterations, {k: v.clone() for k, v in model.state_dict().items()}, np.asarray(hist.val_metric),
                   time.perf_counter() - t0)


def epoch_seconds(model: torch.nn.Module, loss, seed: int = 0) -> float:
    """Wall seconds of one training epoch (forward, backward, Adam step, batches of 32) on a copy of ``model``."""
    m, data = copy.deepcopy(model).train(), digits(SPLIT_SEED)
    opt = torch.optim.Adam(m.parameters(), lr=RECIPE.lr)
    X, y = torch.tensor(data.X_train), torch.tensor(data.y_train)
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    t0 = time.perf_counter()
    for i in range(0, len(X), RECIPE.batch_size):
        idx = order[i:i + RECIPE.batch_size]
        opt.zero_grad()
        loss(m(X[idx]), y[idx]).backward()
        opt.step()
    return time.perf_counter() - t0


@dataclass(frozen=True)
class Net:
    """One network's row of the comparison."""

    name: str
    accuracy: float  # on the 360 test digits
    params: int
    epoch_s: float  # one training epoch, measured now
    train_s: float  # the whole training when it ran (nan: trained by the zoo, not timed here)


@dataclass(frozen=True)
class Capsules:
    """The capsule network against the zoo's CNN, and one test digit routed."""

    iterations: int
    digit: int
    label: int
    image: np.ndarray  # (8, 8) the standardized pixels the networks read
    coupling: np.ndarray  # (I, 10) coupling coefficients of the last routing iteration
    lengths: np.ndarray  # (10,) digit-capsule lengths
    types: int  # primary capsule types; capsule i is type i // (I / types)
    caps: Net
    cnn: Net
    by_iterations: np.ndarray  # (MAX_ITERATIONS,) test accuracy of this network routed 1..5 times at test time
    val_acc: np.ndarray  # (epochs + 1,) the capsule network's validation accuracy during training

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.lengths))


@one_thread()
def capsules(cnn: torch.nn.Module, iterations: int = 3, digit: int = 0, seed: int = 0,
             progress: Progress = quiet) -> Capsules:
    """Train (or read) the capsule network, set it beside the trained ``cnn``, route test digit ``digit``.

    ``cnn`` is any trained digits classifier on the shared split; the page and the benchmark pass the compression
    zoo's (``zoo.load("cnn", seed).model``), trained once per seed and cached, so nothing here retrains it.
    """
    v = CAPSULES.validate(caps_iters=iterations, caps_digit=digit, rc_seed=seed)
    it, digit, seed = v["caps_iters"], v["caps_digit"], v["rc_seed"]
    run = caps_run(it, seed, progress=stage(progress, 0, RECIPE.epochs + 2))
    data = digits(SPLIT_SEED)
    model = DigitCapsNet(it, seed=seed)
    model.load_state_dict(run.state)
    model.eval()
    progress(RECIPE.epochs + 1, RECIPE.epochs + 2)
    X = torch.tensor(data.X_test)
    with torch.no_grad():
        r = model.routed(X[digit:digit + 1])
        y = torch.tensor(data.y_test)
        by_it = np.array([float((model.routed(X, k).v.norm(dim=-1).argmax(1) == y).double().mean())
                          for k in range(1, MAX_ITERATIONS + 1)])
    ce = torch.nn.functional.cross_entropy
    caps = Net("Capsule network", float(by_it[it - 1]), n_params(model),
               epoch_seconds(model, margin_loss, seed), run.train_s)
    cnn.eval()
    cnn_net = Net("The CNN (compression zoo)", evaluate(cnn, data.X_test, data.y_test, data.task)[1], n_params(cnn),
                  epoch_seconds(cnn, ce, seed), math.nan)
    progress(RECIPE.epochs + 2, RECIPE.epochs + 2)
    return Capsules(it, digit, int(data.y_test[digit]), np.asarray(data.X_test[digit], dtype=float).reshape(8, 8),
                    r.c[0].double().numpy(), r.v[0].norm(dim=-1).double().numpy(), model.types, caps, cnn_net,
                    by_it, run.val_acc)


# ----------------------------------------------------------------------------- neural ODE

A_TRUE = ((-0.1, 2.0), (-2.0, -0.1))  # dz/dt = z³ · A (row vector z, element-wise cube)
Z0 = (1.0, 0.0)
T_END, N_T = 10.0, 101  # the trajectory: 0 to 10 s every 0.1 s
ITERS, BATCH, SPAN = 600, 16, 10  # training: Adam steps, segments per step, grid steps per segment
HIDDEN = 64  # tanh units of the field's MLP
TRAIN_METHOD = "rk4"


def true_field(z: np.ndarray) -> np.ndarray:
    """The spiral's dz/dt at points ``z`` (..., 2)."""
    return (np.asarray(z, dtype=float) ** 3) @ np.asarray(A_TRUE)


def spiral() -> tuple[np.ndarray, np.ndarray]:
    """The true trajectory: times (N_T,) and states (N_T, 2), integrated by scipy's DOP853 at rtol 1e-10."""
    from scipy.integrate import solve_ivp

    t = np.linspace(0.0, T_END, N_T)
    sol = solve_ivp(lambda _t, z: true_field(z), (0.0, T_END), Z0, t_eval=t, method="DOP853", rtol=1e-10,
                    atol=1e-12)
    return t, sol.y.T


@dataclass(frozen=True)
class OdeFit:
    state: dict
    loss: np.ndarray  # (ITERS,) mean |error| of each training step
    train_s: float
    train_nfe: int  # evaluations of f over the whole training (forward passes only)


@memo("rc-ode", depends=("neuralab.nn.ode",), salt=torch.__version__)
def ode_fit(seed: int, progress: Progress = quiet) -> OdeFit:
    """Fit the field to 1-s segments of the true trajectory (rk4 on the grid, Adam with a cosine schedule, mean
    absolute error): seconds, then read from disk."""
    t_np, z_np = spiral()
    t, z = torch.tensor(t_np, dtype=torch.float32), torch.tensor(z_np, dtype=torch.float32)
    f = Field(HIDDEN, seed=seed)
    opt = torch.optim.Adam(f.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, ITERS)
    gen = torch.Generator().manual_seed(seed)
    losses, t0, nfe = [], time.perf_counter(), 0
    for step in range(ITERS):
        s = torch.randint(0, N_T - SPAN, (BATCH,), generator=gen)  # segment starts
        z0 = z[s]  # (B, 2)
        target = torch.stack([z[s + k] for k in range(SPAN + 1)])  # (SPAN+1, B, 2)
        f.reset()
        pred = solve(f, z0, t[:SPAN + 1], TRAIN_METHOD)  # (SPAN+1, B, 2)
        nfe += f.nfe
        loss = (pred - target).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
        if step % 20 == 19:
            progress(step + 1, ITERS)
    return OdeFit({k: v.clone() for k, v in f.state_dict().items()}, np.asarray(losses), time.perf_counter() - t0,
                  nfe)


@dataclass(frozen=True)
class Solve:
    """One integration of the learned field from z0 over 0-10 s."""

    method: str
    tol: float  # nan for the fixed-step methods
    nfe: int  # evaluations of f used (up to the cap)
    z: np.ndarray | None  # (N_T, 2) the states, None when stopped
    error: float  # mean distance to the true trajectory; nan when stopped
    seconds: float
    stopped: str  # empty, or the sentence of the cap

    @property
    def label(self) -> str:
        return self.method if math.isnan(self.tol) else f"{self.method} at {self.tol:.0e}"


def _solve(f: Field, method: str, tol: float, cap: int, truth: np.ndarray) -> Solve:
    t = torch.linspace(0.0, T_END, N_T)
    f.reset(cap)
    t0 = time.perf_counter()
    try:
        with torch.no_grad():
            z = solve(f, torch.tensor(Z0, dtype=torch.float32), t, method, tol, tol).double().numpy()
    except TooManyEvaluations as e:
        return Solve(method, tol if method == "dopri5" else math.nan, f.nfe - 1, None, math.nan,
                     time.perf_counter() - t0, f"{method} at tolerance {tol:.0e}: {e}")
    secs = time.perf_counter() - t0
    err = float(np.linalg.norm(z - truth, axis=1).mean())
    return Solve(method, tol if method == "dopri5" else math.nan, f.nfe, z, err, secs, "")


@dataclass(frozen=True)
class Ode:
    """The learned field integrated the chosen way, a tolerance sweep, and the ResNet that is an Euler step."""

    chosen: Solve
    sweep: tuple[Solve, ...]  # dopri5 at every tolerance of TOLERANCES, then rk4 and euler on the grid
    t: np.ndarray  # (N_T,)
    truth: np.ndarray  # (N_T, 2)
    grid: np.ndarray  # (G, G, 2) points where the fields are drawn
    learned: np.ndarray  # (G, G, 2) the learned f there
    true: np.ndarray  # (G, G, 2) the true field there
    resnet_gap: float  # max |ResNet with tied f, h = 0.1 − odeint euler| over the trajectory
    params: int
    fit: OdeFit
    cap: int


@one_thread()
def ode(solver: str = "dopri5", tol: float = 1e-5, cap: int = 5000, seed: int = 0,
        progress: Progress = quiet) -> Ode:
    """Fit (or read) the field, integrate it with ``solver`` at ``tol`` (NFE capped at ``cap``), sweep tolerances."""
    v = ODE.validate(ode_solver=solver, ode_tol=tol, ode_cap=cap, rc_seed=seed)
    solver, tol, cap, seed = v["ode_solver"], v["ode_tol"], v["ode_cap"], v["rc_seed"]
    fitted = ode_fit(seed, progress=stage(progress, 0, ITERS + 20))
    f = Field(HIDDEN, seed=seed)
    f.load_state_dict(fitted.state)
    t, truth = spiral()
    chosen = _solve(f, solver, tol, cap, truth)
    sweep = tuple(_solve(f, "dopri5", x, cap, truth) for x in TOLERANCES) + tuple(
        _solve(f, m, math.nan, cap, truth) for m in ("rk4", "euler"))
    progress(ITERS + 10, ITERS + 20)
    with torch.no_grad():
        tt = torch.tensor(t, dtype=torch.float64)
        f64 = copy.deepcopy(f).double()
        f64.reset()
        z0 = torch.tensor(Z0, dtype=torch.float64)
        gap = float((resnet(f64, z0, tt) - solve(f64, z0, tt, "euler")).abs().max())
        g = np.linspace(-1.2, 1.2, 15)
        grid = np.stack(np.meshgrid(g, g), -1)  # (15, 15, 2): x across, y up
        learned = f(torch.tensor(0.0), torch.tensor(grid, dtype=torch.float32)).double().numpy()
    progress(ITERS + 20, ITERS + 20)
    return Ode(chosen, sweep, t, truth, grid, learned, true_field(grid), gap, n_params(f), fitted, cap)
