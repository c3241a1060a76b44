"""Polynomial regression on a known curve: underfitting, overfitting, bias and variance, measured.

The data come from a generator we fully know, so every error can be compared with
the best any model could do:

    y = f(x) + ε,   f(x) = sin(2πx) + ½·sin(4πx),   x ~ U(0, 1),   ε ~ N(0, σ²)

No model can beat the noise: the expected squared error on new points is at least
σ² (the *noise floor*). A polynomial of degree d is fitted by least squares in the
Legendre basis on t = 2x − 1 ∈ [−1, 1] (:func:`numpy.polynomial.legendre.legfit`).
The trap this avoids: the raw powers 1, x, …, x¹⁵ on [0, 1] are nearly parallel
columns (the design matrix of 200 random points has a condition number near 10¹¹),
so a textbook ``polyfit`` at high degree returns coefficients dominated by
rounding; Legendre polynomials on [−1, 1] are close to orthogonal for spread-out
points (condition number near 10 for the same points). The fitted function is the
same polynomial either way.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.polynomial import legendre
from sklearn.model_selection import ShuffleSplit

from neuralab.params import SEED, Float, Int, ParamError, ParamSpec
from neuralab.progress import Progress, quiet

__all__ = [
    "BIAS_VARIANCE",
    "BiasVariance",
    "DIAGNOSES",
    "FIT",
    "LEARNING",
    "LearningCurve",
    "MAX_DEGREE",
    "N_TEST",
    "N_VAL",
    "PolyFit",
    "REPEATS",
    "SIZES",
    "TOLERANCE",
    "bias_variance",
    "diagnose",
    "fit_poly",
    "learning_curve",
    "learning_pool",
    "learning_splits",
    "true_function",
]

MAX_DEGREE = 15
N_VAL = 200  # validation points per sample: the validation MSE is then within about ±10% (1 s.e.) of its mean
N_TEST = 200  # test positions of the bias–variance experiment
N_GRID = 241  # points on which curves are drawn
POOL = 2000  # points drawn once per learning curve; training subsets and validation sets come from it

DEGREE = Int(1, MAX_DEGREE, 3, label="Polynomial degree", help="Model complexity: degree d has d + 1 coefficients.")
N_TRAIN = Int(10, 200, 30, label="Training points", help="How many noisy points the model is fitted to.")
NOISE = Float(0.05, 1.0, 0.3, step=0.01, label="Noise σ", help="Standard deviation of the measurement noise.")
N_SETS = Int(20, 1000, 200, step=20, label="Training sets drawn",
             help="How many noise draws the averages are taken over; more is smoother and slower.")
REPEATS = Int(5, 200, 50, label="Repeats per size", help="Random training sets drawn at each size.")

FIT = ParamSpec("fit", degree=DEGREE, n_train=N_TRAIN, noise=NOISE, seed=SEED)
BIAS_VARIANCE = ParamSpec("bias_variance", n_train=N_TRAIN, noise=NOISE, n_sets=N_SETS, seed=SEED)
LEARNING = ParamSpec("learning", degree=DEGREE, noise=NOISE, seed=SEED)
_REPEATS = ParamSpec("learning_repeats", repeats=REPEATS)  # a library argument; the page keeps the default

#: Called as ``progress(done, total)`` while a long computation runs.




def true_function(x: np.ndarray) -> np.ndarray:
    """f(x) = sin(2πx) + ½·sin(4πx): the curve every sample is drawn around (x in [0, 1])."""
    return np.sin(2 * np.pi * x) + 0.5 * np.sin(4 * np.pi * x)


def _fit(x: np.ndarray, y: np.ndarray, degree: int) -> np.ndarray:
    """Least-squares Legendre coefficients on t = 2x − 1; ``y`` may be (n,) or (n, sets).

    With fewer points than coefficients the problem is underdetermined and lstsq
    returns the minimum-norm solution (it then passes through every point).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.RankWarning)
        return legendre.legfit(2 * x - 1, y, degree)


def _lstsq(V: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Least squares as ``legfit`` solves it, for one design and many targets or a stack of designs.

    ``V`` is ``(..., n, p)``, ``Y`` is ``(..., n, k)``; returns ``(..., p, k)``. Columns
    are scaled to unit norm, then the pseudo-inverse is applied with lstsq's cut-off
    (singular values below n·ε of the largest count as zero), which gives the same
    minimum-norm answer as ``lstsq``. Factorizing the small design once and multiplying
    is far cheaper than ``lstsq`` with a thousand right-hand sides, and ``pinv`` takes
    a stack of designs in one call.
    """
    scale = np.sqrt(np.square(V).sum(axis=-2, keepdims=True))  # (..., 1, p)
    scale[scale == 0] = 1.0
    pinv = np.linalg.pinv(V / scale, rtol=V.shape[-2] * np.finfo(V.dtype).eps)  # (..., p, n)
    return (pinv @ Y) / np.swapaxes(scale, -1, -2)


def _basis(x: np.ndarray, degree: int = MAX_DEGREE) -> np.ndarray:
    """``(len(x), degree + 1)`` Legendre design matrix on t = 2x − 1."""
    return legendre.legvander(2 * x - 1, degree)


def _mse(pred: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((pred - y) ** 2))


# --------------------------------------------------------------------------- diagnosis

#: Validation MSE up to this multiple of σ² counts as good: within 50% of the best any model can do.
TOLERANCE = 1.5


@dataclass(frozen=True)
class _Diagnosis:
    title: str
    lesson: str  # one sentence: what it looks like and what to do


DIAGNOSES: dict[str, _Diagnosis] = {
    "underfit": _Diagnosis(
        "Underfit (high bias)",
        "Even on its own training points the error is above the noise floor, and validation is no better: "
        "the model cannot follow the curve. Give it more capacity or better features, or regularize less.",
    ),
    "good": _Diagnosis(
        "Good fit",
        "Validation error is close to the noise floor σ², which no model can beat on new data.",
    ),
    "overfit": _Diagnosis(
        "Overfit (high variance)",
        "Training error is below the noise floor while validation error is well above it: the model has "
        "learned this sample's noise. Get more data, regularize, stop earlier or use a smaller model.",
    ),
}


def diagnose(train_mse: float, val_mse: float, noise_var: float) -> str:
    """Classify a fit from its training and validation MSE and the noise variance σ².

    * ``good`` when ``val ≤ TOLERANCE · σ²`` (1.5 σ²): within 50% of the best possible.
    * ``underfit`` when validation is worse than that and ``train ≥ σ²``. A model that
      has captured f fits a little of the noise too and lands *below* σ² on its
      training points (about σ²·(1 − p/n) for p coefficients and n points); at or above
      σ² it is missing structure, and bias dominates.
    * ``overfit`` otherwise: training error below the floor, validation well above it.
      The gap is noise the model learned as if it were signal; variance dominates.

    Checked against the Monte Carlo decomposition (:func:`bias_variance`) over a grid
    of sizes, noise levels, seeds and degrees, this agrees with "bias² or variance,
    whichever is larger" for most fits. The misses sit on the borders, where one
    sample's errors are themselves noisy: with 30 points the training MSE alone
    scatters by about ±25% (√(2/n)) around its mean.

    The trap: on real data σ² is unknown. Estimate it from repeated measurements, a
    sensor datasheet, or the validation error of a strong model; without it, read the
    gap and the trend of both curves instead.
    """
    if not (np.isfinite(train_mse) and np.isfinite(val_mse)) or train_mse < 0 or val_mse < 0:
        raise ParamError([f"train_mse and val_mse must be finite and ≥ 0; got {train_mse!r} and {val_mse!r}."])
    if not (np.isfinite(noise_var) and noise_var > 0):
        raise ParamError([f"noise_var must be a positive number; got {noise_var!r}."])
    if val_mse <= TOLERANCE * noise_var:
        return "good"
    return "underfit" if train_mse >= noise_var else "overfit"


# --------------------------------------------------------------------------- one fit


@dataclass(frozen=True)
class _Sample:
    x_train: np.ndarray  # (N_TRAIN.hi,) positions in [0, 1]
    e_train: np.ndarray  # (N_TRAIN.hi,) standard normal noise, scaled by σ on use
    x_val: np.ndarray  # (N_VAL,)
    e_val: np.ndarray  # (N_VAL,)


def _sample(seed: int) -> _Sample:
    """Every random number of one sample, drawn at the largest size.

    Taking the first ``n_train`` points means a larger ``n_train`` adds points and
    keeps the old ones, and a larger σ scales the same noise: moving a slider changes
    one thing only.
    """
    val_rng, train_rng = np.random.default_rng(seed).spawn(2)
    n = N_TRAIN.hi
    return _Sample(train_rng.uniform(size=n), train_rng.standard_normal(n),
                   val_rng.uniform(size=N_VAL), val_rng.standard_normal(N_VAL))


@dataclass(frozen=True)
class PolyFit:
    """One polynomial fitted to one noisy sample, with its errors and diagnosis."""

    degree: int  # polynomial degree d (d + 1 coefficients)
    noise: float  # σ of the noise, in units of y
    x_train: np.ndarray  # (n_train,) positions in [0, 1]
    y_train: np.ndarray  # (n_train,) noisy measurements
    x_val: np.ndarray  # (N_VAL,) positions of held-out points
    y_val: np.ndarray  # (N_VAL,)
    x_grid: np.ndarray  # (N_GRID,) evenly spaced on [0, 1], for drawing
    y_true: np.ndarray  # (N_GRID,) f on the grid
    y_fit: np.ndarray  # (N_GRID,) the fitted polynomial on the grid
    coef: np.ndarray  # (d + 1,) Legendre coefficients on t = 2x − 1
    train_mse: float  # mean squared error on the training points (y units²)
    val_mse: float  # ... on the validation points
    degrees: np.ndarray  # (MAX_DEGREE,) 1..15: every degree fitted to this same sample
    train_by_degree: np.ndarray  # (MAX_DEGREE,) training MSE per degree
    val_by_degree: np.ndarray  # (MAX_DEGREE,) validation MSE per degree
    diagnosis: str  # a key of DIAGNOSES

    @property
    def n_train(self) -> int:
        return len(self.x_train)

    @property
    def noise_var(self) -> float:
        """σ², the noise floor: the lowest expected MSE any model can reach on new points."""
        return self.noise**2

    @property
    def best_degree(self) -> int:
        """The degree with the lowest validation MSE on this sample."""
        return int(self.degrees[np.argmin(self.val_by_degree)])


def fit_poly(degree: int, n_train: int, noise: float, seed: int) -> PolyFit:
    """Fit a degree-``degree`` polynomial to ``n_train`` noisy points; score it on held-out points.

    Every degree from 1 to 15 is also fitted to the same points (``train_by_degree``,
    ``val_by_degree``): training error can only fall as the degree grows, because each
    polynomial space contains the smaller ones; validation error falls, then rises.
    About 2 ms at the default sizes (15 small least-squares fits).
    """
    FIT.validate(degree=degree, n_train=n_train, noise=noise, seed=seed)
    s = _sample(seed)
    x, y = s.x_train[:n_train], true_function(s.x_train[:n_train]) + noise * s.e_train[:n_train]
    y_val = true_function(s.x_val) + noise * s.e_val
    V, V_val = _basis(x), _basis(s.x_val)  # (n, 16), (N_VAL, 16)
    tr, va = np.empty(MAX_DEGREE), np.empty(MAX_DEGREE)
    coefs = []
    for d in range(1, MAX_DEGREE + 1):
        c = _fit(x, y, d)
        coefs.append(c)
        tr[d - 1], va[d - 1] = _mse(V[:, : d + 1] @ c, y), _mse(V_val[:, : d + 1] @ c, y_val)
    grid = np.linspace(0.0, 1.0, N_GRID)
    coef = coefs[degree - 1]
    return PolyFit(
        degree=degree, noise=noise, x_train=x, y_train=y, x_val=s.x_val, y_val=y_val,
        x_grid=grid, y_true=true_function(grid), y_fit=_basis(grid, degree) @ coef, coef=coef,
        train_mse=float(tr[degree - 1]), val_mse=float(va[degree - 1]),
        degrees=np.arange(1, MAX_DEGREE + 1), train_by_degree=tr, val_by_degree=va,
        diagnosis=diagnose(tr[degree - 1], va[degree - 1], noise**2),
    )


# --------------------------------------------------------------------------- bias and variance


@dataclass(frozen=True)
class BiasVariance:
    """Monte Carlo bias–variance decomposition of the test MSE, per degree.

    With ŷ_D(x) the model fitted to training set D and the mean taken over test points x:

        E[(ŷ_D(x) − y)²] = (E_D ŷ_D(x) − f(x))² + Var_D ŷ_D(x) + σ²
        expected error  =        bias²          +    variance    + noise

    The trap in estimating bias² from S sets: the average of S fits still carries
    noise, so (mean fit − f)² overshoots by variance / S, and at high degree that
    overshoot can exceed the true bias² many times over. It is subtracted here
    with the variance taken with ddof=1; the sum is unchanged. Where the true bias² is
    far below variance / S the estimate wobbles around 0 and can come out negative:
    it is unbiased, not clipped, so that the sum stays exact.
    """

    degrees: np.ndarray  # (k,) polynomial degrees
    n_sets: int  # training sets drawn (noise redrawn, same positions)
    noise_var: float  # σ², y units²
    x_train: np.ndarray  # (n_train,) the fixed training positions
    x_test: np.ndarray  # (N_TEST,) the test positions
    bias2: np.ndarray  # (k,) mean over test points of (mean prediction − f)², unbiased (see below; may be < 0)
    variance: np.ndarray  # (k,) mean over test points of the variance of the prediction across sets (ddof=1)
    expected: np.ndarray  # (k,) test MSE measured directly: fresh noisy y at every test point, per set
    train_mse: np.ndarray  # (k,) training MSE, averaged over the sets

    @property
    def total(self) -> np.ndarray:
        """(k,) bias² + variance + σ²: should match ``expected`` up to Monte Carlo error."""
        return self.bias2 + self.variance + self.noise_var

    @property
    def best_degree(self) -> int:
        """The degree with the lowest measured expected test error."""
        return int(self.degrees[np.argmin(self.expected)])


def _check_degrees(degrees: Sequence[int]) -> np.ndarray:
    arr = np.asarray(degrees)
    ok = arr.ndim == 1 and 1 <= arr.size <= MAX_DEGREE and np.issubdtype(arr.dtype, np.integer)
    if not ok or arr.min() < 1 or arr.max() > MAX_DEGREE or np.any(np.diff(arr) <= 0):
        raise ParamError([f"degrees must be increasing whole numbers between 1 and {MAX_DEGREE}; "
                          f"got {str(degrees)[:40]}."])
    return arr


def bias_variance(
    degrees: Sequence[int], n_train: int, noise: float, n_sets: int, seed: int, progress: Progress = quiet
) -> BiasVariance:
    """Refit each degree to ``n_sets`` training sets and split the test error into its parts.

    Fixed design: the training positions are those of the page's sample (seed), and
    each set redraws only the noise, as repeated runs of one test-bench sweep would.
    All sets are fitted at once (one least-squares solve with ``n_sets`` right-hand
    sides per degree, see :func:`_lstsq`). The test error is measured on its own, with fresh noise at
    ``N_TEST`` new positions, so ``bias² + variance + σ² ≈ expected`` is a check, not
    a definition: the two sides differ only by the Monte Carlo error of the test noise.
    A few milliseconds at the defaults, about 50 ms with 200 points and 1000 sets.
    """
    BIAS_VARIANCE.validate(n_train=n_train, noise=noise, n_sets=n_sets, seed=seed)
    degs = _check_degrees(degrees)
    x = _sample(seed).x_train[:n_train]
    rng = np.random.default_rng([seed, 1])  # a stream of its own, apart from the page's sample
    x_test = rng.uniform(size=N_TEST)
    f, f_test = true_function(x), true_function(x_test)
    Y = f[:, None] + noise * rng.standard_normal((n_train, n_sets))  # (n_train, sets)
    Y_test = f_test[:, None] + noise * rng.standard_normal((N_TEST, n_sets))  # (N_TEST, sets)
    V, V_test = _basis(x), _basis(x_test)
    out = np.empty((4, len(degs)))
    for i, d in enumerate(degs):
        progress(i, len(degs))
        C = _lstsq(V[:, : d + 1], Y)  # (d + 1, sets): every set in one solve
        P = V_test[:, : d + 1] @ C  # (N_TEST, sets) predictions
        spread = P.var(axis=1, ddof=1)  # (N_TEST,) unbiased variance across sets
        out[:, i] = (
            np.mean((P.mean(axis=1) - f_test) ** 2 - spread / n_sets),
            np.mean(spread),
            np.mean((P - Y_test) ** 2),
            np.mean((V[:, : d + 1] @ C - Y) ** 2),
        )
    return BiasVariance(degs, n_sets, noise**2, x, x_test, *out)


# --------------------------------------------------------------------------- learning curves


@dataclass(frozen=True)
class LearningCurve:
    """Training and validation MSE against training-set size, over repeated random draws.

    Rows follow ``sizes``; columns are repeats. Medians and quartiles summarize them:
    near the interpolation threshold (size ≈ degree + 1) a single unlucky draw gives a
    validation error in the thousands, and a mean would follow that one draw.
    """

    degree: int
    noise_var: float  # σ², the floor both curves approach from either side
    sizes: np.ndarray  # (k,) training-set sizes
    train: np.ndarray  # (k, repeats) training MSE
    val: np.ndarray  # (k, repeats) validation MSE on the held-out points of the same draw

    @property
    def train_median(self) -> np.ndarray:
        return np.median(self.train, axis=1)

    @property
    def val_median(self) -> np.ndarray:
        return np.median(self.val, axis=1)

    def quartiles(self, which: str) -> np.ndarray:
        """(2, k) 25th and 75th percentiles of ``"train"`` or ``"val"``."""
        return np.percentile(self.train if which == "train" else self.val, [25, 75], axis=1)


#: Training-set sizes of the page's learning curve: from a handful to the largest sample.
SIZES = np.unique(np.geomspace(5, N_TRAIN.hi, 14).round().astype(int))
MAX_SIZE = POOL - N_VAL


def _check_sizes(sizes: Sequence[int]) -> np.ndarray:
    arr = np.asarray(sizes)
    ok = arr.ndim == 1 and 1 <= arr.size <= 50 and np.issubdtype(arr.dtype, np.integer)
    if not ok or arr.min() < 2 or arr.max() > MAX_SIZE or np.any(np.diff(arr) <= 0):
        raise ParamError([f"sizes must be 1 to 50 increasing whole numbers between 2 and {MAX_SIZE}; "
                          f"got {str(sizes)[:40]}."])
    return arr


def learning_pool(noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``POOL`` points a learning curve draws its training and validation sets from."""
    rng = np.random.default_rng([seed, 2])
    x = rng.uniform(size=POOL)
    return x, true_function(x) + noise * rng.standard_normal(POOL)


def learning_splits(sizes: np.ndarray, repeats: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """scikit-learn's ``ShuffleSplit``: per repeat, a random training order and ``N_VAL`` validation points."""
    cv = ShuffleSplit(n_splits=repeats, train_size=int(sizes.max()), test_size=N_VAL, random_state=seed)
    return list(cv.split(np.empty((POOL, 1))))


def learning_curve(
    degree: int, noise: float, sizes: Sequence[int], seed: int, repeats: int = REPEATS.default,
    progress: Progress = quiet,
) -> LearningCurve:
    """Fit degree ``degree`` to training sets of each size; record training and validation MSE.

    The same bookkeeping as :func:`sklearn.model_selection.learning_curve` with a
    ``ShuffleSplit``: per repeat, the pool is shuffled, ``N_VAL`` points validate and
    the first ``size`` of the rest train (so a larger size adds points to a smaller one).
    With data to spare, both curves meet near σ² + bias²: training error rises towards
    it (fewer points to bend to), validation error falls towards it (less noise fitted).
    """
    LEARNING.validate(degree=degree, noise=noise, seed=seed)
    _REPEATS.validate(repeats=repeats)
    sz = _check_sizes(sizes)
    x, y = learning_pool(noise, seed)
    V = _basis(x, degree)  # (POOL, d + 1)
    splits = learning_splits(sz, repeats, seed)
    tr = np.stack([t for t, _ in splits])  # (repeats, max size) shuffled training order
    va = np.stack([v for _, v in splits])  # (repeats, N_VAL)
    train, val = np.empty((len(sz), repeats)), np.empty((len(sz), repeats))
    for i, n in enumerate(sz):
        progress(i, len(sz))
        Vn, yn = V[tr[:, :n]], y[tr[:, :n], None]  # (repeats, n, d + 1), (repeats, n, 1)
        C = _lstsq(Vn, yn)  # (repeats, d + 1, 1): every repeat in one stacked solve
        train[i] = np.mean((Vn @ C - yn) ** 2, axis=(1, 2))
        val[i] = np.mean((V[va] @ C - y[va, None]) ** 2, axis=(1, 2))
    return LearningCurve(degree, noise**2, sz, train, val)
