"""The RBF network on 2-D regression sets and the motor's torque: a fit to look into, and a race against an MLP.

:func:`surface` is the light part (no gradient descent: k-means, a width rule, one least-squares solve,
milliseconds once the centres are known); :func:`compare` trains an MLP with the same number of parameters
and an RBF network whose every parameter is learned, on a split that holds out the highest values of the
first input, and measures fit, extrapolation and training time (kept on disk by its settings).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from neuralab import cache
from neuralab.data import playground
from neuralab.data.arrays import Arrays
from neuralab.nn import rbf
from neuralab.nn.models import mlp, n_params
from neuralab.nn.runtime import one_thread
from neuralab.params import SEED, Choice, Float, Int, ParamSpec
from neuralab.progress import Progress, quiet
from neuralab.train import loop

__all__ = ["COMPARE", "Comparison", "FIT", "Model", "Surface", "compare", "surface"]

DATASETS = {k: playground.DATASETS[k][0] for k in ("reg_gauss", "reg_plane", "motor")}
N_POINTS, TRAIN_PCT = 400, 70  # points drawn per set, and the share the network is fitted on
GRID = 61  # the fitted surface is drawn on GRID × GRID points of the box
SLICE = 201  # samples along a slice
NEAR = 0.6  # points within this distance of the slice are drawn on it
EXTENT = 9.0  # the comparison draws its models on [-EXTENT, EXTENT]: beyond every data point
CUT_Q = 75  # the comparison trains on points whose first input is below this percentile
RACE_RULE, RACE_FACTOR, RACE_RIDGE = "nearest", 1.0, 1e-6  # the race's two-stage RBF: fixed, not the sliders
RAW_UNITS = ("A", "°C")  # units of the motor's two raw inputs (q-axis current, winding temperature)
CFG = loop.Config(epochs=200, batch_size=32, lr=0.01, optimizer="adam", seed=0)  # MLP and learned RBF alike

FIT = ParamSpec(
    "rbf-fit",
    dataset=Choice(tuple(DATASETS.items()), "reg_gauss", label="Data",
                   help="A 2-D regression set, or the motor's torque against q-axis current and winding temperature."),
    noise=Int(0, 50, 0, step=5, unit="%", label="Input noise",
              help="Moves each input by a uniform random offset of up to this percentage of the box half-width "
                   "(6) in each coordinate, clipped to the box; the target stays that of the original point, so "
                   "the noise is in the inputs, not the targets. Not used for the motor."),
    centres=Int(2, 60, 24, label="Centres k", help="Number of Gaussian units, placed by k-means."),
    rule=Choice(tuple(rbf.RULES.items()), "nearest", label="Width rule", help="How the widths σ are set."),
    width=Float(0.1, 10.0, 1.0, step=0.05, log=True, unit="×", label="Width factor",
                help="Multiplies every width the rule gives (1 = the rule itself)."),
    ridge=Float(1e-9, 10.0, 1e-6, step=0.5, log=True, label="Ridge λ",
                help="Penalty on the output weights in the least-squares solve."),
    slice_y=Float(-5.0, 5.0, 0.0, step=0.5, label="Slice at second input",
                  help="Where the lower chart cuts the surface."),
    seed=SEED,
)
COMPARE = ParamSpec(
    "rbf-compare",
    race_dataset=Choice(tuple(DATASETS.items()), "motor", label="Data", help="Which set the three models race on."),
    race_centres=Int(2, 40, 12, step=2, label="Centres k = hidden units",
                     help="RBF centres, and the MLP's hidden units: the same number of parameters."),
    race_activation=Choice((("tanh", "tanh"), ("relu", "ReLU")), "tanh", label="MLP activation",
                           help="What the MLP's hidden units compute."),
    seed=SEED,
)


def _data(dataset: str, noise: int, seed: int) -> playground.PlaygroundData:
    return playground.load(dataset=dataset, noise=noise if dataset != "motor" else 0, n_points=N_POINTS,
                           train_pct=TRAIN_PCT, seed=seed)


@lru_cache(maxsize=256)
def _centres(dataset: str, noise: int, seed: int, k: int) -> np.ndarray:
    """k-means centres for one drawn set: computed once per process, so the width and λ sliders skip it."""
    return rbf.kmeans(_data(dataset, noise, seed).P_train, k, seed)


def _r2(y: np.ndarray, pred: np.ndarray) -> float:
    total = float(((y - y.mean()) ** 2).sum())
    return 1.0 - float(((y - pred) ** 2).sum()) / total if total > 0 else math.nan


@dataclass(frozen=True)
class Surface:
    """An RBF network fitted by the two-stage rule, and everything needed to draw it."""

    net: rbf.RBFNet
    P_train: np.ndarray  # (n_train, 2) inputs the network was fitted on
    y_train: np.ndarray  # (n_train,)
    P_test: np.ndarray  # (n_test, 2)
    y_test: np.ndarray  # (n_test,)
    axis: np.ndarray  # (GRID,) grid coordinates, both inputs
    Z: np.ndarray  # (GRID, GRID) the network's output, Z[i, j] at (axis[j], axis[i])
    xs: np.ndarray  # (SLICE,) first input along the slice
    slice_y: float  # where the slice cuts the second input
    bumps: np.ndarray  # (k, SLICE) each unit's contribution wⱼ φⱼ along the slice
    near: np.ndarray  # (m, 2) training points within NEAR of the slice: first input, target
    r2_train: float
    r2_test: float
    rmse_test: float  # in the target's unit (N·m for the motor)
    cond: float  # condition number of the design matrix Φ on the training points
    axis_names: tuple[str, str]
    y_unit: str
    y_scale: float  # target in y_unit = stored · y_scale + offset
    dataset: str
    raw_range: tuple[tuple[float, float], ...] = ()  # motor: (lo, hi) in A and °C of each input mapped to ±5

    @property
    def total(self) -> np.ndarray:
        """The network's output along the slice: the bias plus every bump."""
        return self.bumps.sum(axis=0) + self.net.bias_


def surface(dataset: str = "reg_gauss", noise: int = 0, centres: int = 24, rule: str = "nearest", width: float = 1.0,
            ridge: float = 1e-6, slice_y: float = 0.0, seed: int = 0) -> Surface:
    """Fit by k-means, the width rule and least squares; the surface, a slice and the scores (validated)."""
    v = FIT.validate(dataset=dataset, noise=noise, centres=centres, rule=rule, width=width, ridge=ridge,
                     slice_y=slice_y, seed=seed)
    d = _data(v["dataset"], v["noise"], v["seed"])
    C = _centres(v["dataset"], v["noise"], v["seed"], v["centres"])
    net = rbf.fit(d.P_train, d.y_train, v["centres"], v["rule"], v["width"], v["ridge"], centres=C)
    axis = np.linspace(-playground.BOX, playground.BOX, GRID)
    gx, gy = np.meshgrid(axis, axis)
    Z = net.predict(np.column_stack([gx.ravel(), gy.ravel()])).reshape(GRID, GRID)
    xs = np.linspace(-playground.BOX, playground.BOX, SLICE)
    y0 = v["slice_y"]
    bumps = net.basis(np.column_stack([xs, np.full(SLICE, y0)])).T * net.weights_[:, None]
    close = np.abs(d.P_train[:, 1] - y0) <= NEAR
    pred = net.predict(d.P_test)
    return Surface(net, d.P_train, d.y_train, d.P_test, d.y_test, axis, Z, xs, y0, bumps,
                   np.column_stack([d.P_train[close, 0], d.y_train[close]]),
                   _r2(d.y_train, net.predict(d.P_train)), _r2(d.y_test, pred),
                   float(np.sqrt(np.mean((pred - d.y_test) ** 2))) * d.y_scale,
                   float(np.linalg.cond(net.basis(d.P_train))), d.axis_names, d.y_unit, d.y_scale, d.dataset,
                   d.raw_range)


# ---------------------------------------------------------------------------------------------- the race


@dataclass(frozen=True)
class Model:
    """One contestant's numbers and its output along the slice and on the wide grid."""

    name: str
    n_params: int
    train_s: float  # wall time of its fit, first run, one thread
    rmse_inside: float  # held-out points inside the training range, target unit
    rmse_outside: float  # points beyond the cut: not trained on, not used for any scaling; target unit
    r2_inside: float
    line: np.ndarray  # (SLICE,) output along the slice
    Z: np.ndarray  # (GRID, GRID) output on [-EXTENT, EXTENT]²


@dataclass(frozen=True)
class Comparison:
    models: tuple[Model, ...]
    cut: float  # first-input value above which nothing was trained on
    xs: np.ndarray  # (SLICE,) first input along the slice, over [-EXTENT, EXTENT]
    slice_y: float  # second input of the slice: the training points' median
    axis: np.ndarray  # (GRID,) grid coordinates over [-EXTENT, EXTENT]
    near_in: np.ndarray  # (m, 2) training points near the slice: first input, target (target unit)
    near_out: np.ndarray  # (m, 2) held-out points beyond the cut near the slice
    P_train: np.ndarray  # (n, 2) what the models were trained on
    n_train: int
    n_outside: int
    k: int
    activation: str
    bias: float  # the two-stage RBF's bias b, target unit: its answer far from every centre
    widths: tuple[np.ndarray, np.ndarray]  # (k,) σⱼ of the RBF before and after Adam trained every parameter
    moved: float  # median distance a centre moved while Adam trained, scaled input units
    axis_names: tuple[str, str]
    y_unit: str
    dataset: str
    raw_range: tuple[tuple[float, float], ...] = ()  # motor: (lo, hi) in A and °C of each input mapped to ±5


def _rescaled(d: playground.PlaygroundData, cut: float, parts: tuple) -> tuple:
    """The motor's min–max maps computed again from the training points below the cut alone.

    ``load`` maps the inputs to [-5, 5] and the torque to [-1, 1] by the whole training split, which
    includes points above the cut; a min–max map of an affine image is the same map of the original,
    so mapping again by the points below the cut gives exactly the map of the raw values that a model
    trained below the cut would have computed. Returns the data set (its unit conversion and raw
    ranges updated), the cut and every (P, y) part, all in the new scale.
    """
    P, y = parts[0]  # the points trained on
    lo, hi = P.min(axis=0), P.max(axis=0)  # (2,), (2,)
    span = np.where(hi > lo, hi - lo, 1.0)
    t_lo, t_hi = float(y.min()), float(y.max())
    off, sc = (t_hi + t_lo) / 2, (t_hi - t_lo) / 2 or 1.0
    to_p = lambda Q: (Q - lo) / span * 10.0 - 5.0  # noqa: E731
    raw = tuple((r0 + (a + 5) / 10 * (r1 - r0), r0 + (b + 5) / 10 * (r1 - r0))
                for (r0, r1), a, b in zip(d.raw_range, lo.tolist(), hi.tolist(), strict=True))
    P_train, P_test = to_p(d.P_train), to_p(d.P_test)
    new = dataclasses.replace(d, X_train=playground.features(P_train, d.feature_names), P_train=P_train,
                              X_test=playground.features(P_test, d.feature_names), P_test=P_test,
                              y_train=(d.y_train - off) / sc,
                              y_test=(d.y_test - off) / sc, y_offset=d.y_offset + off * d.y_scale,
                              y_scale=sc * d.y_scale, raw_range=raw)
    return new, float((cut - lo[0]) / span[0] * 10.0 - 5.0), tuple((to_p(Q), (v - off) / sc) for Q, v in parts)


def _split(d: playground.PlaygroundData) -> tuple:
    """Train below the cut; test inside (held-out points below it) and outside (every point above it)."""
    P_all = np.vstack([d.P_train, d.P_test])
    cut = float(np.percentile(P_all[:, 0], CUT_Q))
    tr, te = d.P_train[:, 0] <= cut, d.P_test[:, 0] <= cut
    out_P = np.vstack([d.P_train[~tr], d.P_test[~te]])
    out_y = np.concatenate([d.y_train[~tr], d.y_test[~te]])
    return cut, (d.P_train[tr], d.y_train[tr]), (d.P_test[te], d.y_test[te]), (out_P, out_y)


class _Scaled(torch.nn.Module):
    """An MLP that standardizes its two inputs with the training mean and spread first (as any MLP should)."""

    def __init__(self, net: torch.nn.Module, mean: np.ndarray, std: np.ndarray):
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))  # (2,)
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))  # (2,)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.mean) / self.std)  # (n, 1)


def _arrays(train: tuple, val: tuple) -> Arrays:
    f32 = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
    return Arrays(f32(train[0]), f32(train[1]), f32(val[0]), f32(val[1]), f32(val[0]), f32(val[1]),
                  "regression", 0, "rbf-race")


def _torch_predict(model: torch.nn.Module, X: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.tensor(X, dtype=torch.float32)).squeeze(-1).double().numpy()


@dataclass(frozen=True)
class _Race:
    """What every contestant is trained and scored on (cheap: recomputed, never stored)."""

    d: playground.PlaygroundData
    cut: float
    train: tuple[np.ndarray, np.ndarray]  # below the cut, from the training part
    inside: tuple[np.ndarray, np.ndarray]  # below the cut, from the held-out part
    outside: tuple[np.ndarray, np.ndarray]  # every point above the cut
    xs: np.ndarray  # (SLICE,)
    y0: float  # the slice's second input
    axis: np.ndarray  # (GRID,)

    @classmethod
    def of(cls, dataset: str, seed: int) -> _Race:
        d = _data(dataset, 0, seed)
        cut, train, inside, outside = _split(d)
        if d.raw_range:  # the motor: its scaling must not come from the points above the cut
            d, cut, (train, inside, outside) = _rescaled(d, cut, (train, inside, outside))
        return cls(d, cut, train, inside, outside, np.linspace(-EXTENT, EXTENT, SLICE),
                   float(np.median(train[0][:, 1])), np.linspace(-EXTENT, EXTENT, GRID))

    def scored(self, name: str, n: int, seconds: float, predict) -> Model:
        d, (P_in, y_in), (P_out, y_out) = self.d, self.inside, self.outside
        gx, gy = np.meshgrid(self.axis, self.axis)
        G = np.column_stack([gx.ravel(), gy.ravel()])  # (GRID², 2)
        line = np.column_stack([self.xs, np.full(SLICE, self.y0)])  # (SLICE, 2)
        rmse = lambda P, y: float(np.sqrt(np.mean((predict(P) - y) ** 2))) * d.y_scale  # noqa: E731
        return Model(name, n, seconds, rmse(P_in, y_in), rmse(P_out, y_out), _r2(y_in, predict(P_in)),
                     predict(line) * d.y_scale + d.y_offset, predict(G).reshape(GRID, GRID) * d.y_scale + d.y_offset)

    def config(self, seed: int, epochs: int) -> tuple[loop.Config, Arrays]:
        return loop.Config(**{**CFG.__dict__, "epochs": epochs, "seed": seed}), _arrays(self.train, self.inside)


_DEPENDS = ("neuralab.nn.rbf", "neuralab.nn.models", "neuralab.train.loop", "neuralab.data")


@cache.memo("rbf", depends=_DEPENDS, salt=torch.__version__)
def _rbfs(dataset: str, k: int, seed: int, epochs: int, progress: Progress = quiet) -> tuple:
    """The two-stage RBF and the same after Adam trained every parameter: (models, bias, widths, moved)."""
    r = _Race.of(dataset, seed)
    t0 = time.perf_counter()
    net = rbf.fit(r.train[0], r.train[1], k, RACE_RULE, RACE_FACTOR, RACE_RIDGE, seed)
    two_stage = r.scored("RBF, two-stage (k-means, rule, least squares)", net.n_params, time.perf_counter() - t0,
                         net.predict)
    cfg, data = r.config(seed, epochs)
    with one_thread():
        learned = rbf.RBFNetwork(net)
        t0 = time.perf_counter()
        loop.fit(learned, data, cfg, progress=progress)
        seconds = time.perf_counter() - t0 + two_stage.train_s
        trained = r.scored("RBF, then every parameter by Adam", n_params(learned), seconds,
                           lambda P: _torch_predict(learned, P))
    after = learned.to_net()
    moved = float(np.median(np.linalg.norm(after.centres_ - net.centres_, axis=1)))
    return (two_stage, trained), net.bias_ * r.d.y_scale + r.d.y_offset, (net.widths_, after.widths_), moved


@cache.memo("rbf", depends=_DEPENDS, salt=torch.__version__)
def _mlp(dataset: str, k: int, activation: str, seed: int, epochs: int, progress: Progress = quiet) -> Model:
    """An MLP 2 → k → 1 with standardized inputs, trained like the RBF: 4k + 1 parameters."""
    r = _Race.of(dataset, seed)
    cfg, data = r.config(seed, epochs)
    std = r.train[0].std(axis=0)
    with one_thread():
        net = _Scaled(mlp((2, k, 1), activation, init="xavier" if activation == "tanh" else "he", seed=seed),
                      r.train[0].mean(axis=0), np.where(std > 0, std, 1.0))
        t0 = time.perf_counter()
        loop.fit(net, data, cfg, progress=progress)
        return r.scored(f"MLP, {k} {activation} units", n_params(net), time.perf_counter() - t0,
                        lambda P: _torch_predict(net, P))


def _race(dataset: str, k: int, activation: str, seed: int, epochs: int, progress: Progress = quiet
          ) -> Comparison:
    """The three contestants (each trained once per setting and kept on disk), side by side."""
    r = _Race.of(dataset, seed)
    rbfs, bias, widths, moved = _rbfs(dataset, k, seed, epochs, progress=lambda done, _n: progress(done, 2 * epochs))
    net = _mlp(dataset, k, activation, seed, epochs, progress=lambda done, _n: progress(epochs + done, 2 * epochs))
    d, (P_tr, y_tr), (P_out, y_out) = r.d, r.train, r.outside
    to_unit = lambda P, y: np.column_stack([P[:, 0], y * d.y_scale + d.y_offset])  # noqa: E731
    near_in, near_out = np.abs(P_tr[:, 1] - r.y0) <= NEAR, np.abs(P_out[:, 1] - r.y0) <= NEAR
    return Comparison((*rbfs, net), r.cut, r.xs, r.y0, r.axis, to_unit(P_tr[near_in], y_tr[near_in]),
                      to_unit(P_out[near_out], y_out[near_out]), P_tr, len(y_tr), len(y_out), k, activation, bias,
                      widths, moved, d.axis_names, d.y_unit, dataset, d.raw_range)


def compare(race_dataset: str = "motor", race_centres: int = 12, race_activation: str = "tanh", seed: int = 0,
            *, epochs: int | None = None, progress: Progress = quiet) -> Comparison:
    """Two-stage RBF, fully trained RBF and an MLP of k units, trained below the cut and scored on both sides.

    ``epochs`` (default ``CFG.epochs``) is for tests; the page always uses the default.
    """
    v = COMPARE.validate(race_dataset=race_dataset, race_centres=race_centres, race_activation=race_activation,
                         seed=seed)
    return _race(v["race_dataset"], v["race_centres"], v["race_activation"], v["seed"],
                 CFG.epochs if epochs is None else int(epochs),
                 progress=progress)
