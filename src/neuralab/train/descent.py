"""Gradient descent you can watch: the real ``torch.optim`` optimizers on 2-D test surfaces.

Each surface is a torch function of ``(x, y)``, so autograd gives the gradient the
optimizers see, exactly as it would for a network's weights. :func:`race` runs every
chosen optimizer from the same start and records its path; :func:`batch_paths` runs
plain SGD on a real two-parameter regression (diabetes: progression against body-mass
index) with the whole training set, mini-batches and single samples per update, so
the gradient noise of each shows on the true loss contours.

The update every optimizer refines is ``w ← w − η·∇L(w)``: η is the learning rate, in
units of weight per unit of gradient. On a quadratic with curvature λ along a
direction, plain gradient descent is stable only while ``η < 2/λ``: the trap of a
ravine is that its steep wall sets η for the whole walk along its shallow floor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import torch

from neuralab.data.arrays import diabetes
from neuralab.nn.runtime import one_thread
from neuralab.params import SEED, Choice, Float, Int, ParamSpec, Rule, _echo
from neuralab.progress import Progress, quiet
from neuralab.train import optimizers

__all__ = [
    "BATCH", "CONVERGE_TOL", "one_thread", "RACE", "SURFACES", "Surface", "Race", "Path", "BatchPaths", "Subset",
    "batch_paths", "grid", "race", "minima",
]

Fn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

#: A run has converged once it stays within this distance (in x, y units) of a minimum until its last step.
CONVERGE_TOL = 1e-2
#: A run has diverged when its loss is not finite or it lies more than this many window widths outside the window.
ESCAPE_WIDTHS = 5.0
GRID_N = 81  # contour grid nodes per axis (the browser recomputes the contour at every replay frame)



@dataclass(frozen=True)
class Surface:
    """A loss surface over two weights, with the window it is drawn in."""

    label: str  # what the option list says
    formula: str  # f(x, y) written out, plain text
    fn: Fn  # the torch function; works elementwise on tensors of any shape
    window: tuple[float, float, float, float]  # x_lo, x_hi, y_lo, y_hi of the plotted region
    start: tuple[float, float]  # default start point
    lesson: str  # one sentence: what this surface teaches
    points: tuple[tuple[float, float], ...]  # every local minimum in the window (x, y), derived by hand


def _bowl(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return x**2 + 2 * y**2


def _saddle(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return x**2 + y**4 / 4 - y**2 / 2


def _ravine(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return 0.1 * x**2 + 10 * y**2


def _wells(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (x**2 - 1) ** 2 + (y**2 - 1) ** 2 + 0.3 * x + 0.2 * y


def _well_roots(c: float) -> tuple[float, float]:
    """The two minima of ``(t² − 1)² + c·t``: the outer roots of its derivative ``4t³ − 4t + c`` (the middle one is a
    maximum)."""
    roots = np.sort(np.roots([4.0, 0.0, -4.0, c]).real)
    return float(roots[0]), float(roots[2])


_WX, _WY = _well_roots(0.3), _well_roots(0.2)


def _rosenbrock(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _beale(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


SURFACES: dict[str, Surface] = {
    "bowl": Surface("Convex bowl", "f(x, y) = x² + 2y²", _bowl, (-3, 3, -3, 3), (-2.5, 2.0),
                    "One minimum and no traps: every optimizer gets there if its step is small enough.", ((0.0, 0.0),)),
    "saddle": Surface("Saddle", "f(x, y) = x² + y⁴/4 − y²/2", _saddle, (-3, 3, -2, 2), (2.5, 0.02),
                      "The origin is flat in every direction but is no minimum: near y = 0 the push sideways is "
                      "tiny, so plain descent lingers there before it rolls off to one of the two minima.",
                      ((0.0, -1.0), (0.0, 1.0))),
    "ravine": Surface("Narrow ravine", "f(x, y) = 0.1x² + 10y²", _ravine, (-4, 4, -2, 2), (-3.5, 1.5),
                      "Curvature 100 times stronger across the valley than along it: a step size safe for the "
                      "walls crawls along the floor.", ((0.0, 0.0),)),
    "wells": Surface("Multiple minima", "f(x, y) = (x² − 1)² + (y² − 1)² + 0.3x + 0.2y", _wells, (-2, 2, -2, 2),
                     (0.3, 1.8), "Four basins of different depth: where a run ends depends on where it starts "
                                 "and how far its steps carry it.",
                     tuple((x, y) for x in _WX for y in _WY)),
    "rosenbrock": Surface("Rosenbrock", "f(x, y) = (1 − x)² + 100(y − x²)²", _rosenbrock, (-2, 2, -1, 3),
                          (-1.5, 2.0), "A curved banana-shaped valley: easy to fall into, slow to follow to its end.",
                          ((1.0, 1.0),)),
    "beale": Surface("Beale", "f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²", _beale,
                     (-4.5, 4.5, -4.5, 4.5), (-1.0, 1.5),
                     "Flat plateaus beside walls thousands of times steeper: gradients span orders of magnitude.",
                     ((3.0, 0.5),)),
}
SURFACE = Choice(tuple((k, s.label) for k, s in SURFACES.items()), default="bowl", label="Surface")


@dataclass(frozen=True)
class Subset(Choice):
    """Several of a fixed set of options; the value is their keys joined by commas, in option order."""

    kind: str = field(default="subset", init=False)

    def coerce(self, name: str, raw: Any) -> str:
        """Accept a list of keys (a checklist) or a comma-joined string (the URL); refuse an empty choice."""
        parts = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(parts, list | tuple) or not all(isinstance(p, str) for p in parts):
            raise ValueError(f"{name} must be a comma-separated list of names; got {_echo(raw)}.")
        keys = [v for v, _ in self.options]
        bad = [p for p in parts if p not in keys]
        if bad:
            raise ValueError(f"{name} may only name {', '.join(keys)}; got {_echo(bad[0])}.")
        if not parts:
            raise ValueError(f"{name} must name at least one of {', '.join(keys)}; got none.")
        return ",".join(k for k in keys if k in parts)


def _in_window(v: dict) -> bool:
    x_lo, x_hi, y_lo, y_hi = SURFACES[v["surface"]].window
    return x_lo <= v["x0"] <= x_hi and y_lo <= v["y0"] <= y_hi


def _window_message(v: dict) -> str:
    x_lo, x_hi, y_lo, y_hi = SURFACES[v["surface"]].window
    return (f"x0, y0 must lie inside the {SURFACES[v['surface']].label} window, x in [{x_lo:g}, {x_hi:g}] and "
            f"y in [{y_lo:g}, {y_hi:g}]; got ({v['x0']:g}, {v['y0']:g}).")


RACE = ParamSpec(
    "race",
    rules=[Rule(("surface", "x0", "y0"), _in_window, _window_message)],
    surface=SURFACE,
    x0=Float(-4.5, 4.5, -2.5, step=0.01, label="Start x", help="Or click the contour plot."),
    y0=Float(-4.5, 4.5, 2.0, step=0.01, label="Start y", help="Or click the contour plot."),
    lr=Float(1e-4, 1.0, 0.04, step=0.05, log=True, label="Learning rate η",
             help="The same η for every optimizer; each uses it in its own way."),
    steps=Int(20, 300, 200, step=10, label="Steps", help="Updates per optimizer."),
    opts=Subset(tuple((k, v[0]) for k, v in optimizers.OPTIMIZERS.items()), default="sgd,momentum,rmsprop,adam",
                label="Optimizers"),
)


def snap_start(x: float, y: float) -> tuple[float, float]:
    """A point on the start grid: ``(x, y)`` rounded to the steps of :data:`RACE`'s x0 and y0.

    A click on the contour plot lands anywhere; the start sliders hold multiples of their step.

    Example:
        >>> snap_start(1.23456, -0.5)
        (1.23, -0.5)
    """
    fx, fy = RACE.fields["x0"], RACE.fields["y0"]
    return round(round(x / fx.step) * fx.step, 10), round(round(y / fy.step) * fy.step, 10)


@dataclass(frozen=True)
class Path:
    """One optimizer's walk over a surface."""

    name: str  # key of optimizers.OPTIMIZERS
    label: str
    x: np.ndarray  # (n + 1,) positions, start first; ends early at divergence
    y: np.ndarray
    loss: np.ndarray  # (n + 1,) f at each position
    converged_at: int | None  # first step from which the run stays within CONVERGE_TOL of a minimum
    minimum: int | None  # index into Race.minima of the minimum it settled in
    diverged_at: int | None  # step at which the loss became non-finite or the point left far behind the window
    left_window: bool  # it went outside the plotted window at some step (it may have come back)

    @property
    def final_loss(self) -> float:
        return float(self.loss[-1])


@dataclass(frozen=True)
class Race:
    """Several optimizers from one start on one surface."""

    surface: str  # key of SURFACES
    lr: float
    steps: int
    start: tuple[float, float]
    minima: tuple[tuple[float, float, float], ...]  # (x, y, f) of every local minimum, lowest first
    paths: tuple[Path, ...]


@lru_cache(maxsize=len(SURFACES))
@one_thread()
def minima(surface: str) -> tuple[tuple[float, float, float], ...]:
    """``(x, y, f)`` of every local minimum of ``surface`` in its window, lowest first (f evaluated in torch)."""
    s = SURFACES[surface]
    with torch.no_grad():
        found = [(x, y, float(s.fn(torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64))))
                 for x, y in s.points]
    return tuple(sorted(found, key=lambda m: m[2]))


@lru_cache(maxsize=len(SURFACES))
@one_thread()
def grid(surface: str, n: int = GRID_N) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(xs, ys, z)``: the surface on an ``n × n`` grid over its window; ``z[i, j] = f(xs[j], ys[i])``."""
    s = SURFACES[surface]
    xs = np.linspace(s.window[0], s.window[1], n)
    ys = np.linspace(s.window[2], s.window[3], n)
    with torch.no_grad():
        gy, gx = torch.meshgrid(torch.tensor(ys), torch.tensor(xs), indexing="ij")
        z = s.fn(gx, gy).numpy()
    for a in (xs, ys, z):
        a.setflags(write=False)
    return xs, ys, z


PROGRESS_EVERY = 20  # a long run reports its progress about this many times


def race(surface: str, x0: float, y0: float, lr: float, steps: int, opts: str | Sequence[str],
         progress: Progress | None = None) -> Race:
    """Run each optimizer in ``opts`` from ``(x0, y0)`` for ``steps`` updates of ``torch.optim``.

    Args:
        surface: a key of :data:`SURFACES`.
        x0, y0: the start, inside the surface's window.
        lr: learning rate η handed to every optimizer.
        steps: number of updates.
        opts: optimizer keys, as a list or comma-joined (``"sgd,adam"``).
        progress: called as ``progress(step, steps)`` while it runs (a page's job); without it, a result
            seen before in this process comes back at once.

    Raises:
        ParamError: a value breaks :data:`RACE`, with a sentence naming it.
    """
    v = RACE.validate(surface=surface, x0=x0, y0=y0, lr=lr, steps=steps,
                      opts=opts if isinstance(opts, str) else list(opts))
    args = (v["surface"], v["x0"], v["y0"], v["lr"], v["steps"], v["opts"])
    return _race(*args) if progress is None else _race_run(*args, progress=progress)


@lru_cache(maxsize=64)
def _race(surface: str, x0: float, y0: float, lr: float, steps: int, opts: str) -> Race:
    return _race_run(surface, x0, y0, lr, steps, opts)


@one_thread()
def _race_run(surface: str, x0: float, y0: float, lr: float, steps: int, opts: str,
              progress: Progress = quiet) -> Race:
    s = SURFACES[surface]
    every = max(1, steps // PROGRESS_EVERY)
    names = opts.split(",")
    # One leaf tensor per optimizer (each torch.optim instance owns its own); the surface is evaluated once on
    # their stack, and one backward through the sum hands each leaf its own gradient.
    params = [torch.tensor([x0, y0], dtype=torch.float64, requires_grad=True) for _ in names]
    opt_list = [optimizers.make(n, [p], lr) for n, p in zip(names, params, strict=True)]
    xy = np.full((len(names), steps + 1, 2), np.nan)
    loss = np.full((len(names), steps + 1), np.nan)
    alive = list(range(len(names)))
    diverged: dict[int, int] = {}
    for step in range(steps + 1):
        pts = torch.stack([params[i] for i in alive])  # (alive, 2)
        values = s.fn(pts[:, 0], pts[:, 1])  # (alive,)
        xy[alive, step] = pts.detach().numpy()
        loss[alive, step] = values.detach().numpy()
        gone = {i for i, out in zip(alive, _escaped(xy[alive, step], loss[alive, step], s.window), strict=True)
                if out}
        diverged.update((i, step) for i in gone)
        if step == steps or len(gone) == len(alive):
            break
        live = torch.tensor([i not in gone for i in alive])
        for i in alive:
            opt_list[i].zero_grad(set_to_none=True)
        values[live].sum().backward()
        alive = [i for i in alive if i not in gone]
        for i in alive:
            opt_list[i].step()
        if (step + 1) % every == 0:
            progress(step + 1, steps)
    progress(steps, steps)
    mins = minima(surface)
    paths = tuple(_path(n, xy[i], loss[i], diverged.get(i), s.window, mins) for i, n in enumerate(names))
    return Race(surface, lr, steps, (x0, y0), mins, paths)


def _escaped(p: np.ndarray, value: np.ndarray, window: tuple[float, float, float, float]) -> np.ndarray:
    """(k,) True where a point (row of ``p``, (k, 2)) is not finite or lies beyond ESCAPE_WIDTHS of the window."""
    x_lo, x_hi, y_lo, y_hi = window
    w, h = x_hi - x_lo, y_hi - y_lo
    with np.errstate(invalid="ignore"):
        inside = ((x_lo - ESCAPE_WIDTHS * w <= p[:, 0]) & (p[:, 0] <= x_hi + ESCAPE_WIDTHS * w)
                  & (y_lo - ESCAPE_WIDTHS * h <= p[:, 1]) & (p[:, 1] <= y_hi + ESCAPE_WIDTHS * h))
    return ~(inside & np.isfinite(value))


def _path(name: str, xy: np.ndarray, loss: np.ndarray, diverged_at: int | None,
          window: tuple[float, float, float, float], mins: tuple[tuple[float, float, float], ...]) -> Path:
    n = diverged_at + 1 if diverged_at is not None else int(np.isfinite(loss).sum())
    x, y, f = xy[:n, 0].copy(), xy[:n, 1].copy(), loss[:n].copy()
    x_lo, x_hi, y_lo, y_hi = window
    with np.errstate(invalid="ignore"):
        outside = bool(np.any((x < x_lo) | (x > x_hi) | (y < y_lo) | (y > y_hi) | ~np.isfinite(x)))
    converged_at, which = None, None
    if diverged_at is None and mins:
        d = np.stack([np.hypot(x - mx, y - my) for mx, my, _ in mins])  # (n_minima, n)
        nearest = int(np.argmin(d[:, -1]))
        if d[nearest, -1] < CONVERGE_TOL:
            far = np.nonzero(d[nearest] >= CONVERGE_TOL)[0]
            converged_at, which = (int(far[-1]) + 1 if len(far) else 0), nearest
    for a in (x, y, f):
        a.setflags(write=False)
    return Path(name, optimizers.OPTIMIZERS[name][0], x, y, f, converged_at, which, diverged_at, outside)


# ----------------------------------------------------------------------------- batch size on a real regression

BMI = 2  # column of body-mass index in sklearn's diabetes features
BATCH_START = (-1.5, 1.5)  # (w, b) where every run starts: far from the fit, so the paths are long enough to see
BATCH_WINDOW = (-2.0, 2.5, -1.5, 2.0)  # w_lo, w_hi, b_lo, b_hi of the contour plot

BATCH = ParamSpec(
    "batch",
    bs_lr=Float(1e-3, 1.0, 0.05, step=0.05, log=True, label="Learning rate η",
                help="The same η for all three runs."),
    bs_size=Int(2, 128, 16, label="Mini-batch size", unit="samples"),
    bs_steps=Int(10, 300, 100, step=10, label="Updates", help="Every run makes this many updates."),
    seed=SEED,
)


@dataclass(frozen=True)
class BatchRun:
    """Plain SGD with one batch size."""

    label: str  # "Full batch (264)" etc.
    batch_size: int  # samples averaged per update
    w: np.ndarray  # (updates + 1,) slope after each update, start first
    b: np.ndarray  # (updates + 1,) intercept
    loss: np.ndarray  # (updates + 1,) full training-set MSE at each point (standardized units)
    samples: np.ndarray  # (updates + 1,) training samples whose gradient has been computed so far


@dataclass(frozen=True)
class BatchPaths:
    """Full-batch, mini-batch and single-sample SGD on ``y ≈ w·bmi + b``, with the true loss surface."""

    runs: tuple[BatchRun, ...]
    w_grid: np.ndarray  # (n,) slope values of the contour grid
    b_grid: np.ndarray  # (n,) intercept values
    loss_grid: np.ndarray  # (n, n) training MSE, [i, j] at (w_grid[j], b_grid[i])
    w_star: float  # least-squares optimum (numpy lstsq)
    b_star: float
    loss_star: float  # training MSE at the optimum: the floor no update can go below
    n_train: int
    lr: float


def batch_paths(bs_lr: float, bs_size: int, bs_steps: int, seed: int, progress: Progress | None = None) -> BatchPaths:
    """Fit ``progression ≈ w·bmi + b`` on diabetes (both standardized on train) with torch's SGD three ways.

    The loss is the training MSE ``L(w, b) = mean((w·x + b − y)²)``, a bowl whose exact
    minimum is the least-squares line. Every run starts at :data:`BATCH_START` and makes
    ``bs_steps`` updates; each update uses the mean gradient over its batch (drawn without
    replacement, reshuffled each epoch), so a batch of one follows a single patient's
    error and its path jitters around the full-batch one. The trap: equal updates are not
    equal work; the full batch computes ``n_train`` gradients per update, a single sample one.

    ``progress(done, 3 * bs_steps)`` counts the updates of the three runs (a page's job); without it, a
    result seen before in this process comes back at once.
    """
    v = BATCH.validate(bs_lr=bs_lr, bs_size=bs_size, bs_steps=bs_steps, seed=seed)
    args = (v["bs_lr"], v["bs_size"], v["bs_steps"], v["seed"])
    return _batch_paths(*args) if progress is None else _batch_run(*args, progress=progress)


@lru_cache(maxsize=32)
def _batch_paths(lr: float, size: int, steps: int, seed: int) -> BatchPaths:
    return _batch_run(lr, size, steps, seed)


@one_thread()
def _batch_run(lr: float, size: int, steps: int, seed: int, progress: Progress = quiet) -> BatchPaths:
    data = diabetes(seed)
    x = torch.tensor(data.X_train[:, BMI], dtype=torch.float64)
    y = torch.tensor(data.y_train, dtype=torch.float64)
    n = len(y)
    runs = tuple(_sgd(x, y, bs, lr, steps, seed, label, lambda d, _t, k=k: progress(k * steps + d, 3 * steps))
                 for k, (bs, label) in enumerate(((n, f"Full batch ({n})"), (size, f"Mini-batch ({size})"),
                                                  (1, "Single sample (1)"))))
    a = np.stack([x.numpy(), np.ones(n)], axis=1)
    (w_star, b_star), *_ = np.linalg.lstsq(a, y.numpy(), rcond=None)
    loss_star = float(np.mean((a @ [w_star, b_star] - y.numpy()) ** 2))
    ws = np.linspace(BATCH_WINDOW[0], BATCH_WINDOW[1], 61)
    bs_ = np.linspace(BATCH_WINDOW[2], BATCH_WINDOW[3], 61)
    gw, gb = np.meshgrid(ws, bs_)
    grid_loss = _mse(gw, gb, x.numpy(), y.numpy())
    for arr in (ws, bs_, grid_loss):
        arr.setflags(write=False)
    return BatchPaths(runs, ws, bs_, grid_loss, float(w_star), float(b_star), loss_star, n, lr)


def _mse(w: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Training MSE at every (w, b), expanded in the data's moments: exact, without a (grid × n) array."""
    mx, my, mxx, mxy, myy = x.mean(), y.mean(), (x * x).mean(), (x * y).mean(), (y * y).mean()
    return w**2 * mxx + 2 * w * b * mx + b**2 - 2 * w * mxy - 2 * b * my + myy


def _sgd(x: torch.Tensor, y: torch.Tensor, batch: int, lr: float, steps: int, seed: int, label: str,
         progress: Progress = quiet) -> BatchRun:
    p = torch.tensor(BATCH_START, dtype=torch.float64, requires_grad=True)  # (w, b)
    opt = optimizers.make("sgd", [p], lr)
    gen = torch.Generator().manual_seed(seed)
    n = len(y)
    trace, seen, batches = [p.detach().clone()], [0], iter(())
    every = max(1, steps // PROGRESS_EVERY)
    for step in range(steps):
        idx = next(batches, None)
        if idx is None:  # a new epoch: reshuffle
            batches = iter(torch.randperm(n, generator=gen).split(batch))
            idx = next(batches)
        loss = ((p[0] * x[idx] + p[1] - y[idx]) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        trace.append(p.detach().clone())
        seen.append(seen[-1] + len(idx))
        if (step + 1) % every == 0 or step + 1 == steps:
            progress(step + 1, steps)
    wb = torch.stack(trace).numpy()  # (steps + 1, 2)
    full = _mse(wb[:, 0], wb[:, 1], x.numpy(), y.numpy())
    return BatchRun(label, batch, wb[:, 0].copy(), wb[:, 1].copy(), full, np.array(seen))
