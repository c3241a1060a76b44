"""Train a GAN on a 2-D distribution, recording what a page draws: samples, D's surface, losses, coverage.

One round is ``d_steps`` updates of the discriminator (fresh data and fresh noise each time) followed by
``g_steps`` updates of the generator, each with Adam (β₁ = 0.5, as is usual for GANs) at its own learning rate.
Every round records both losses, the mean of D on data and on generated points (both by D as it stands after
its turn: D does not change during G's), and the norm of the gradient the generator received; :data:`SNAPSHOTS`
times during the run (and before it) the generator's points on a fixed noise sample and D's probability on a
grid are kept, with the coverage measured then.

Coverage (:func:`coverage`) on the mixtures follows Srivastava et al. (2017, VEEGAN) and Lin et al. (2018,
PacGAN): a generated point is of high quality when it lies within three standard deviations of its nearest mode,
and a mode is covered when at least :data:`MIN_SHARE` of the generated points are such points of that mode.
The playground sets have no known mode centres; there a generated point counts as on the data within
:data:`RADIUS` of a data point, and coverage is the share of data points with a generated point that close.

:func:`train` is kept on disk by its arguments (:func:`neuralab.cache.memo`), so the same settings and seed
answer at once the second time, in any process.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from scipy.spatial import cKDTree

from neuralab.cache import memo
from neuralab.data import targets
from neuralab.nn import gan
from neuralab.nn.runtime import one_thread
from neuralab.params import SEED, Choice, Float, Int, ParamSpec, Rule
from neuralab.progress import Progress, quiet

__all__ = ["CURVES", "GAN", "MAX_UPDATES", "Coverage", "Curves", "Run", "Snapshot", "coverage", "curves", "train",
           "verdict"]

BATCH = 256  # points per batch, for D and for G
SNAPSHOTS = 24  # snapshots after the start (the replay has SNAPSHOTS + 1 positions)
N_EVAL = 2500  # generated points measured at each snapshot
N_SHOW = 600  # generated (and data) points drawn
GRID = 33  # D's surface is drawn on GRID × GRID points
LIMIT = 2.6  # ... over [-LIMIT, LIMIT]²
MIN_SHARE = 0.008  # a mode is covered with this share of the generated points (20 of 2,500) near it
RADIUS = 0.15  # playground sets: a generated point this close to a data point is on the data
MAX_UPDATES = 8_000  # rounds × (d_steps + g_steps) at most: a run stays within seconds
SPREAD = 0.35  # generated points spread less than this share of the data's have collapsed
FAR = 10.0  # generated points further than this from the origin (the data lie within about 3 of it) have run away
BETAS = (0.5, 0.999)

_LR = dict(lo=1e-5, hi=1e-1, step=0.1, log=True)
GAN = ParamSpec(
    "gan",
    target=targets.TARGET,
    loss=Choice(tuple((k, f"{k.capitalize()}: G minimizes {v}") for k, v in gan.LOSSES.items()), "non-saturating",
                label="Generator loss", help="What the generator's optimizer minimizes."),
    lr_g=Float(default=1e-3, label="Generator learning rate", help="Adam's step size for the generator.", **_LR),
    lr_d=Float(default=1e-3, label="Discriminator learning rate", help="Adam's step size for the discriminator.",
               **_LR),
    d_steps=Int(1, 5, 1, label="D steps per round", help="Discriminator updates before each turn of the generator."),
    g_steps=Int(1, 5, 1, label="G steps per round", help="Generator updates after each turn of the discriminator."),
    rounds=Int(200, 4000, 2000, step=100, label="Rounds", help="How many rounds (D's turn, then G's) to train."),
    seed=SEED,
    rules=[Rule(("rounds", "d_steps", "g_steps"), lambda v: v["rounds"] * (v["d_steps"] + v["g_steps"]) <= MAX_UPDATES,
                f"rounds × (d_steps + g_steps) must be at most {MAX_UPDATES:,} updates, so a run stays within "
                "seconds: fewer rounds, or fewer steps per side.")],
)


@dataclass(frozen=True)
class Coverage:
    """How a sample of generated points sits on the data."""

    quality: float  # share of generated points near the data (mixtures: within 3 σ of their nearest mode)
    covered: float  # share of modes covered (mixtures) or of data points with a generated point near (playground)
    modes: np.ndarray | None  # (K,) bool: each mode covered (mixtures only)
    share: np.ndarray | None  # (K,) share of the generated points that are high-quality points of each mode

    @property
    def n_covered(self) -> int:
        return int(self.modes.sum()) if self.modes is not None else 0


@dataclass(frozen=True)
class Snapshot:
    """The game at the end of one round (round 0: before any update)."""

    round: int
    fake: np.ndarray  # (N_SHOW, 2) generated points, always from the same noise
    surface: np.ndarray  # (GRID, GRID) D's probability that a point is data; rows follow y, columns x
    cover: Coverage


@dataclass(frozen=True)
class Verdict:
    kind: str  # "diverged", "lost", "collapsed", "partial", "covered"
    sentence: str  # what happened, in words, with its numbers


@dataclass(frozen=True)
class Run:
    """A whole training run, everything per round and the snapshots."""

    target: str
    loss: str
    lr_g: float
    lr_d: float
    d_steps: int
    g_steps: int
    rounds: int
    seed: int
    real: np.ndarray  # (N_SHOW, 2) data points as drawn
    centres: np.ndarray | None  # (K, 2) mode centres of a mixture
    axis: np.ndarray  # (GRID,) the surface's grid coordinates, on both axes
    d_loss: np.ndarray  # (rounds,) −V(D, G) at D's last update of each round
    g_loss: np.ndarray  # (rounds,) the generator's own loss at its last update of each round
    d_real: np.ndarray  # (rounds,) mean D(x) on D's last data batch, by D after its turn
    d_fake: np.ndarray  # (rounds,) mean D(G(z)) on G's last batch, by the same D (before G's last update)
    g_grad: np.ndarray  # (rounds,) norm of the gradient of the generator's loss over its parameters
    snapshots: tuple[Snapshot, ...]
    seconds: float  # wall time of the training
    verdict: Verdict

    @property
    def last(self) -> Snapshot:
        return self.snapshots[-1]


def coverage(target: str, fake: np.ndarray, data: np.ndarray | None = None) -> Coverage:
    """The coverage of generated points ``fake`` (n, 2) on ``target`` (``data``: its points, for playground sets)."""
    fake = np.asarray(fake, dtype=np.float64)
    ok = np.isfinite(fake).all(axis=1)
    centres = targets.modes(target)
    if centres is not None:
        d = np.linalg.norm(fake[:, None, :] - centres[None, :, :], axis=2)  # (n, K)
        d[~ok] = np.inf
        near, k = d.min(axis=1), d.argmin(axis=1)
        good = near < 3 * targets.SD
        share = np.bincount(k[good], minlength=len(centres)) / len(fake)
        covered = share >= MIN_SHARE
        return Coverage(float(good.mean()), float(covered.mean()), covered, share)
    if data is None:
        raise ValueError("a playground set needs its data points to measure coverage against")
    if not ok.any():
        return Coverage(0.0, 0.0, None, None)
    near_data = cKDTree(data).query(fake[ok], k=1)[0] < RADIUS
    near_fake = cKDTree(fake[ok]).query(data, k=1)[0] < RADIUS
    return Coverage(float(near_data.sum() / len(fake)), float(near_fake.mean()), None, None)


def _grid() -> tuple[np.ndarray, torch.Tensor]:
    axis = np.linspace(-LIMIT, LIMIT, GRID)
    xx, yy = np.meshgrid(axis, axis)  # rows follow y
    return axis, torch.tensor(np.column_stack([xx.ravel(), yy.ravel()]), dtype=torch.float32)


def _snapshot(r: int, G: gan.Generator, D: gan.Discriminator, z_show: torch.Tensor, z_eval: torch.Tensor,
              grid: torch.Tensor, target: str, data: np.ndarray) -> Snapshot:
    with torch.no_grad():
        fake = G(z_eval).numpy()  # (N_EVAL, 2)
        surface = torch.sigmoid(D(grid)).reshape(GRID, GRID).numpy()  # (GRID, GRID)
        show = G(z_show).numpy()  # (N_SHOW, 2)
    return Snapshot(r, show.astype(np.float32), surface.astype(np.float32), coverage(target, fake, data))


def train(target: str, loss: str, lr_g: float, lr_d: float, d_steps: int, g_steps: int, rounds: int, seed: int,
          progress: Progress = quiet) -> Run:
    """Train a GAN with these settings (the fields of :data:`GAN`), or read the run kept on disk; see the module."""
    v = GAN.validate(dict(target=target, loss=loss, lr_g=lr_g, lr_d=lr_d, d_steps=d_steps, g_steps=g_steps,
                          rounds=rounds, seed=seed))
    return _kept(*(v[name] for name in GAN.fields), progress=progress)  # by position: the key is the arguments


@memo("gan", depends=("neuralab.nn.gan", "neuralab.data.targets", "neuralab.data.playground"),
      salt=torch.__version__)
def _kept(target: str, loss: str, lr_g: float, lr_d: float, d_steps: int, g_steps: int, rounds: int, seed: int,
          progress: Progress = quiet) -> Run:
    with one_thread(), torch.random.fork_rng(devices=[]):
        return _train(target, loss, lr_g, lr_d, d_steps, g_steps, rounds, seed, progress)


def _train(target: str, loss: str, lr_g: float, lr_d: float, d_steps: int, g_steps: int, rounds: int, seed: int,
           progress: Progress) -> Run:
    start = time.perf_counter()
    G, D = gan.build(seed)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr_g, betas=BETAS)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr_d, betas=BETAS)
    torch.manual_seed(seed + 1)  # the noise and the batches
    pool = torch.from_numpy(targets.sample(target, 20_000, seed))  # (20000, 2) data to draw batches from
    data = targets.sample(target, N_EVAL, seed + 10_000)  # (N_EVAL, 2) the points coverage is measured against
    z_show, z_eval = torch.randn(N_SHOW, G.noise), torch.randn(N_EVAL, G.noise)
    axis, grid = _grid()
    marks = {round(rounds * j / SNAPSHOTS) for j in range(1, SNAPSHOTS + 1)}  # rounds after which to look
    record = np.full((5, rounds), np.nan)  # d_loss, g_loss, d_real, d_fake, g_grad
    snaps = [_snapshot(0, G, D, z_show, z_eval, grid, target, data)]
    for r in range(rounds):
        for _ in range(d_steps):
            x = pool[torch.randint(len(pool), (BATCH,))]  # (B, 2)
            with torch.no_grad():
                fake = G(torch.randn(BATCH, G.noise))  # (B, 2)
            d_loss = gan.discriminator_loss(D(x), D(fake))  # D(x), D(fake): (B,), (B,)
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
        for _ in range(g_steps):
            fake_logit = D(G(torch.randn(BATCH, G.noise)))  # (B,)
            g_loss = gan.generator_loss(fake_logit, loss)
            opt_g.zero_grad()
            g_loss.backward()
            grad = math.sqrt(sum(float((p.grad**2).sum()) for p in G.parameters()))
            opt_g.step()
        with torch.no_grad():  # D's answer on data, by the same D (after its turn) that scored fake_logit
            d_real = torch.sigmoid(D(x)).mean().item()
        record[:, r] = (d_loss.item(), g_loss.item(), d_real, torch.sigmoid(fake_logit).mean().item(), grad)
        if not np.isfinite(record[:2, r]).all():
            snaps.append(_snapshot(r + 1, G, D, z_show, z_eval, grid, target, data))
            break
        if r + 1 in marks:
            snaps.append(_snapshot(r + 1, G, D, z_show, z_eval, grid, target, data))
            progress(r + 1, rounds)
    real = targets.sample(target, N_SHOW, seed + 20_000)
    run = dict(target=target, loss=loss, lr_g=lr_g, lr_d=lr_d, d_steps=d_steps, g_steps=g_steps, rounds=rounds,
               seed=seed, real=real, centres=targets.modes(target), axis=axis, d_loss=record[0], g_loss=record[1],
               d_real=record[2], d_fake=record[3], g_grad=record[4], snapshots=tuple(snaps),
               seconds=time.perf_counter() - start)
    return Run(**run, verdict=verdict(run))


def _spread(points: np.ndarray) -> float:
    """Root-mean-square distance of points (n, 2) from their mean."""
    return float(np.sqrt(np.var(points, axis=0).sum()))


def _moved(clouds: list[np.ndarray]) -> float:
    """The largest distance between the means of the clouds (each (n, 2))."""
    means = np.array([c.mean(axis=0) for c in clouds])  # (m, 2)
    return float(np.linalg.norm(means[:, None] - means[None], axis=2).max())


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def verdict(run: dict) -> Verdict:
    """Diverged, lost, collapsed, partly covering or covering the data: one sentence with the run's numbers."""
    snaps, last = run["snapshots"], run["snapshots"][-1]
    done = int(np.isfinite(run["d_loss"]).sum())
    if done < run["rounds"] or not np.isfinite(run["g_loss"]).all():
        return Verdict("diverged", f"Diverged: a loss became NaN or infinite in round {done + 1}, and training "
                                   "stopped there. Lower the learning rates.")
    far = float(np.median(np.linalg.norm(last.fake, axis=1)))
    reach = float(np.linalg.norm(run["real"], axis=1).max())  # the data's largest distance from the centre
    tail = slice(-max(1, run["rounds"] // 10), None)
    d_fake, d_real = float(np.mean(run["d_fake"][tail])), float(np.mean(run["d_real"][tail]))
    judge = (f"Over the last tenth of the run D gave data {d_real:.2f} and generated points {d_fake:.2f} on "
             "average")
    if not np.isfinite(far) or far > FAR:
        return Verdict("diverged", f"Diverged: the generated points ran away from the data (median distance "
                                   f"{far:.3g} from the centre, where the data lie within {reach:.1f} of it). {judge}.")
    c = last.cover
    spread = _spread(last.fake) / _spread(run["real"])
    moved = _moved([s.fake for s in snaps[-6:]])
    hop = (f" Its cloud moved by up to {moved:.2f} between the last snapshots: the generator hops from place to "
           "place, chasing the discriminator, instead of spreading over the data." if moved > 0.5 else "")
    if spread < SPREAD:
        where = f", covering {c.n_covered} of the {len(c.modes)} modes" if c.modes is not None else ""
        return Verdict("collapsed", f"Mode collapse: the generated points huddle in one region whose spread is "
                                    f"{_pct(spread)} of the data's{where}.{hop} {judge}.")
    if c.quality < 0.2:
        why = ""
        if d_fake < 0.05 and run["loss"] == "saturating":
            why = (" D rejects the generated points so surely that the saturating loss, whose gradient per point "
                   "is −D(G(z)), hardly moves the generator: switch to the non-saturating loss.")
        elif d_fake < 0.05:
            why = " The discriminator has won outright: lower its learning rate or give it fewer steps."
        return Verdict("lost", f"Not learned: only {_pct(c.quality)} of the generated points lie on the data after "
                               f"{run['rounds']:,} rounds.{hop} {judge}.{why}")
    if c.modes is None:  # a playground set: the share of data points with a generated point near
        if c.covered < 0.5:
            kind, head = "collapsed", "Collapsed"
        elif c.covered < 0.8:
            kind, head = "partial", "Partly covered"
        else:
            kind, head = "covered", "Covered"
        return Verdict(kind, f"{head}: {_pct(c.covered)} of the data points have a generated point within "
                             f"{RADIUS} of them, and {_pct(c.quality)} of the generated points lie that close to "
                             f"the data. {judge}.")
    k, n = len(c.modes), c.n_covered
    if n <= k // 2:
        head = "Mode collapse" if n > 1 else "Complete mode collapse"
        return Verdict("collapsed", f"{head}: the generator covers {n} of the {k} modes "
                                    f"({_pct(c.quality)} of its points are of high quality).{hop}")
    if n < k:
        return Verdict("partial", f"Partial collapse: {n} of the {k} modes covered, {_pct(c.quality)} of the points "
                                  f"of high quality.{hop}")
    return Verdict("covered", f"All {k} modes covered, {_pct(c.quality)} of the generated points of high quality.")


CURVES = ParamSpec("gan-curves", d_fake=Float(0.01, 0.99, 0.05, step=0.01, label="D(G(z)) to read at",
                                              help="How sure D is that a generated point is data: 0 is sure it is "
                                                   "not."))


@dataclass(frozen=True)
class Curves:
    """Both generator losses of one generated point and their gradients with respect to D's logit ℓ, against D."""

    p: np.ndarray  # (n,) D(G(z)) = σ(ℓ)
    saturating: np.ndarray  # (n,) log(1 − D)
    non_saturating: np.ndarray  # (n,) −log D
    grad_saturating: np.ndarray  # (n,) ∂/∂ℓ of log(1 − σ(ℓ)) = −σ(ℓ)
    grad_non_saturating: np.ndarray  # (n,) ∂/∂ℓ of −log σ(ℓ) = −(1 − σ(ℓ))
    at: float  # the D(G(z)) read off
    at_grad_saturating: float
    at_grad_non_saturating: float


def _per_point(p: np.ndarray) -> dict[str, np.ndarray]:
    """Each loss of :func:`neuralab.nn.gan.generator_loss` and its gradient, point by point, by torch's autograd."""
    logit = torch.logit(torch.tensor(p, dtype=torch.float64)).requires_grad_(True)  # (n,)
    out = {}
    for kind in gan.LOSSES:
        key = kind.replace("-", "_")
        total = gan.generator_loss(logit, kind) * len(p)  # the mean times n: each point's own loss, summed
        (grad,) = torch.autograd.grad(total, logit)  # (n,) each point's loss by its own logit
        with torch.no_grad():
            out[key] = np.array([gan.generator_loss(logit[i:i + 1], kind).item() for i in range(len(p))])
        out[f"grad_{key}"] = grad.numpy()
    return out


@lru_cache(maxsize=1)
def _curves_grid() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    p = np.linspace(0.002, 0.998, 250)
    return p, _per_point(p)


def curves(d_fake: float) -> Curves:
    """Both generator losses over D(G(z)) in (0, 1), and their gradients at ``d_fake`` (validated by :data:`CURVES`)."""
    at = CURVES.validate({"d_fake": d_fake})["d_fake"]
    p, grid = _curves_grid()
    here = _per_point(np.array([at]))
    return Curves(p, grid["saturating"], grid["non_saturating"], grid["grad_saturating"],
                  grid["grad_non_saturating"], at, float(here["grad_saturating"][0]),
                  float(here["grad_non_saturating"][0]))
