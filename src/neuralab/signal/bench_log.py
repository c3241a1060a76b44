"""Regimes, validation across them and the normalizer leak, run on the motor's bench log.

The bench windows (:func:`neuralab.data.motor.bench_windows`) are binned by winding
temperature (:func:`bench_regimes`), a torque model is validated across those regimes
(:func:`bench_validation`), and a min–max scaler is fitted before and after the split on a
log whose winding heats up (:func:`bench_leak`). These are the experiments /preprocessing shows;
the tools they use are :mod:`neuralab.signal.regimes`, :mod:`neuralab.signal.regime_cv` and
:mod:`neuralab.signal.normalize`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from neuralab.data.motor import MotorWindows, bench_windows
from neuralab.params import SEED, Applies, Float, ParamSpec
from neuralab.signal.normalize import INPUTS, PipelineLeak, pipeline_leak
from neuralab.signal.regime_cv import ErrorGrid, RegimeValidation, regime_error_grid, regime_validation
from neuralab.signal.regimes import (
    METHOD,
    METHODS,
    N_BINS,
    TEMPERATURE_EDGES_C,
    BinStats,
    assign_bins,
    bin_edges,
    bin_stats,
)

__all__ = [
    "BENCH_BINNING",
    "BENCH_LEAK",
    "SPEED_BINS",
    "BenchLeak",
    "BenchRegimes",
    "BenchValidation",
    "bench_edges",
    "bench_leak",
    "bench_regimes",
    "bench_validation",
]

# --------------------------------------------------------------------------- temperature regimes

#: The bench log binned by winding temperature (``binning`` is a :data:`METHOD`; seed: the log and k-means).
BENCH_BINNING = ParamSpec("bench_binning", n_bins=N_BINS, binning=METHOD, seed=SEED,
                          applies=[Applies("n_bins", "binning", tuple(m for m in METHODS if m != "domain"),
                                           "Ignored: Domain-defined edges cut at "
                                           + ", ".join(f"{e:g}" for e in TEMPERATURE_EDGES_C[:-1])
                                           + f" and {TEMPERATURE_EDGES_C[-1]:g} °C, which always gives "
                                           f"{len(TEMPERATURE_EDGES_C) - 1} bins.")])
SPEED_BINS = 4  # equal-width speed bins: the speed axis of the error grid


@lru_cache(maxsize=64)
def _bench_edges(n_bins: int, binning: str, seed: int) -> np.ndarray:
    w = bench_windows(seed)
    if binning == "domain":
        edges = bin_edges(w.temp_c, method="domain", domain_edges=TEMPERATURE_EDGES_C)
    else:
        edges = bin_edges(w.temp_c, n_bins, binning, seed=seed)
    edges.setflags(write=False)
    return edges


def bench_edges(n_bins: int = 4, binning: str = "equal_width", seed: int = 0) -> np.ndarray:
    """Temperature bin edges of the bench windows, °C, cached (k-means takes about 20 ms, so each setting is cut once).

    ``"domain"`` uses :data:`TEMPERATURE_EDGES_C` and ignores ``n_bins``. The array is shared, so it is read-only.
    """
    v = BENCH_BINNING.validate(n_bins=n_bins, binning=binning, seed=seed)
    return _bench_edges(v["n_bins"], v["binning"], v["seed"])


@dataclass(frozen=True)
class BenchRegimes:
    """The bench windows and their current per newton-metre described per temperature bin."""

    windows: MotorWindows
    stats: BinStats  # of ``windows.current_per_torque``, A/(N·m), per temperature bin


def bench_regimes(n_bins: int = 4, binning: str = "equal_width", seed: int = 0) -> BenchRegimes:
    """Bin the bench windows by temperature (:func:`bench_edges`) and describe their current per N·m in each bin."""
    edges = bench_edges(n_bins, binning, seed)
    w = bench_windows(seed)
    return BenchRegimes(w, bin_stats(w.current_per_torque, assign_bins(w.temp_c, edges), edges))


@dataclass(frozen=True)
class BenchValidation:
    """A torque model that never sees the temperature, validated three ways and its error per regime cell."""

    validation: RegimeValidation  # shuffled, stratified (cycles kept whole) and held-out temperature regimes
    grid: ErrorGrid  # out-of-fold error of the shuffled folds per (temperature, speed) cell
    temp_edges: np.ndarray  # (n_t + 1,) °C
    speed_edges: np.ndarray  # (SPEED_BINS + 1,) rpm


def bench_validation(n_bins: int = 4, binning: str = "equal_width", seed: int = 0) -> BenchValidation:
    """Ridge on (current, speed) of the bench windows: :func:`regime_validation` by temperature, and its error grid.

    The regimes are the temperature bins of :func:`bench_edges`; the stratified folds keep each
    drive cycle whole. The grid splits the shuffled folds' out-of-fold errors by temperature and
    by :data:`SPEED_BINS` equal-width speed bins.
    """
    t_edges = bench_edges(n_bins, binning, seed)
    w = bench_windows(seed)
    t_bins = assign_bins(w.temp_c, t_edges)
    s_edges = bin_edges(w.speed_rpm, SPEED_BINS, "equal_width")
    rv = regime_validation(w.X, w.y, t_bins, groups=w.cycle, seed=seed)
    grid = regime_error_grid(w.y, rv.pred_random, t_bins, assign_bins(w.speed_rpm, s_edges), len(t_edges) - 1,
                             SPEED_BINS)
    return BenchValidation(rv, grid, t_edges, s_edges)


# --------------------------------------------------------------------------- the normalizer leak

BENCH_SPLIT = Float(0.5, 0.9, 0.5, step=0.05, label="Training share", help="The oldest windows train; the rest test.")
#: :func:`pipeline_leak` of min–max scaling and ridge on the bench windows: the split, the inputs and the seed move.
BENCH_LEAK = ParamSpec("bench_leak", split_frac=BENCH_SPLIT, inputs=INPUTS, seed=SEED)


@dataclass(frozen=True)
class BenchLeak:
    """The leak experiment on the bench windows, with the windows it ran on."""

    leak: PipelineLeak
    windows: MotorWindows  # of :func:`neuralab.data.motor.bench_windows`; ``X_temp`` were the features


def bench_leak(split_frac: float = 0.5, inputs: str = "saturate", seed: int = 0) -> BenchLeak:
    """:func:`pipeline_leak` of ``MinMaxScaler`` + ridge predicting torque from current, speed and temperature.

    The bench windows (:func:`neuralab.data.motor.bench_windows`) in time order: the winding heats
    over the log, so the test tail is hotter than anything in training.
    """
    v = BENCH_LEAK.validate(split_frac=split_frac, inputs=inputs, seed=seed)
    w = bench_windows(v["seed"])
    return BenchLeak(pipeline_leak(w.X_temp, w.y, w.t, v["split_frac"], "minmax", v["inputs"], "ridge", v["seed"]), w)
