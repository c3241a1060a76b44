"""Autoencoders on the 8×8 digits: a 2-D code against PCA, and denoising. Trained once by seed, kept on disk.

The pixels are scaled to [0, 1] (the raw 0–16 grey levels divided by 16) and split like every digits model
of the lab (``neuralab.data.arrays.digits(0)``: 60 % train, 20 % validation, 20 % test, stratified, seed 0),
so the test digits are never seen in training. Errors are mean squared errors per pixel, on that [0, 1]
scale, over the test digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from neuralab.data.arrays import Arrays
from neuralab.data.datasets import load
from neuralab.nn.autoencoder import Autoencoder
from neuralab.nn.models import load_or_train, model_path
from neuralab.params import Float, Int, ParamError, ParamSpec
from neuralab.progress import Progress
from neuralab.train.loop import Config, fit

__all__ = ["CODE_SPEC", "DECODE", "DENOISE", "Decoded", "Denoised", "Digits", "Latent", "decode", "denoise",
           "digit_pixels", "kept", "latent", "linear_floor", "model"]

LIM = 4.0  # the code space drawn and decodable: [-LIM, LIM]² (codes are standardized per axis)
GRID_STEP = 0.1  # the clickable grid over the code space
SEED = Int(0, 4, 0, label="Seed", help="Draws the initial weights and the batch order; each seed is trained once.")
CODE_SPEC = ParamSpec("ae-code", ae_seed=SEED)
DECODE = ParamSpec(
    "ae-decode",
    ae_seed=SEED,
    z1=Float(-LIM, LIM, 1.0, step=0.05, label="Code z₁", help="First coordinate of the point decoded."),
    z2=Float(-LIM, LIM, 0.0, step=0.05, label="Code z₂", help="Second coordinate of the point decoded."),
)
NOISE = Float(0.0, 0.5, 0.3, step=0.05, label="Noise σ (pixels run 0–1)",
              help="Standard deviation of the Gaussian noise added to the pixels when training the denoising "
                   "network, and to the example digits shown. The curves test every σ from 0 to 0.5.")
DENOISE = ParamSpec("ae-denoise", ae_seed=SEED, noise=NOISE)
TEST_NOISES = tuple(round(0.05 * k, 2) for k in range(11))  # the test noise levels of the error curves


@dataclass(frozen=True)
class Recipe:
    """How one autoencoder is built and trained."""

    hidden: int  # units of the hidden layer on each side
    code: int  # width of the code
    epochs: int
    lr: float
    batch_size: int = 32


CODE2 = Recipe(hidden=64, code=2, epochs=80, lr=3e-3)  # the 2-D code, drawn as a map
WIDE = Recipe(hidden=64, code=16, epochs=60, lr=3e-3)  # the denoising pair: plain and denoising


@dataclass(frozen=True)
class Digits:
    """The digit pixels in [0, 1], split; read-only."""

    X_train: np.ndarray  # (n_train, 64) float32
    X_val: np.ndarray  # (n_val, 64)
    X_test: np.ndarray  # (n_test, 64)
    y_train: np.ndarray  # (n_train,) int64 class (only to colour and to pick examples; never trained on)
    y_test: np.ndarray  # (n_test,)

    def arrays(self) -> Arrays:
        """For :func:`neuralab.train.loop.fit`: a regression whose target is the input itself."""
        return Arrays(self.X_train, self.X_train, self.X_val, self.X_val, self.X_test, self.X_test,
                      "regression", 0, "digit pixels")


@lru_cache(maxsize=1)
def digit_pixels() -> Digits:
    """sklearn's 1,797 digits as pixels in [0, 1], on the split of ``arrays.digits(0)``."""
    ds = load("digits")
    X, y = (np.asarray(ds.X) / 16.0).astype(np.float32), np.asarray(ds.y)
    rest, test = train_test_split(np.arange(len(y)), test_size=0.2, random_state=0, stratify=y)
    train, val = train_test_split(rest, test_size=0.25, random_state=0, stratify=y[rest])
    out = Digits(X[train], X[val], X[test], y[train], y[test])
    for a in (out.X_train, out.X_val, out.X_test, out.y_train, out.y_test):
        a.setflags(write=False)
    return out


def _recipe(code: int) -> Recipe:
    return CODE2 if code == 2 else WIDE


def _path(code: int, noise: float, seed: int):
    r = _recipe(code)
    return model_path(f"ae{code}-n{noise:g}-s{seed}", {"recipe": r.__dict__, "noise": noise, "seed": seed})


def kept(code: int, noise: float = 0.0, seed: int = 0) -> bool:
    """Whether that autoencoder is trained and stored already (loading it then takes milliseconds)."""
    return _path(code, noise, seed).is_file()


_MODELS: dict[tuple[int, float, int], Autoencoder] = {}  # loaded in this process


def model(code: int, noise: float = 0.0, seed: int = 0, progress: Progress | None = None) -> Autoencoder:
    """The trained autoencoder with a code of ``code`` values (2 or 16), trained with input noise σ = ``noise``.

    From memory, from the disk cache, or trained now (a few seconds) and stored. Shared by every caller: do
    not train it further.
    """
    key = (code, float(noise), seed)
    if key not in _MODELS:
        r = _recipe(code)
        net = Autoencoder(64, r.hidden, r.code, noise=noise, seed=seed)
        cfg = Config(epochs=r.epochs, lr=r.lr, batch_size=r.batch_size, seed=seed)
        load_or_train(net, _path(code, noise, seed),
                      lambda m: fit(m, digit_pixels().arrays(), cfg, progress=progress))
        _MODELS[key] = net
    return _MODELS[key]


@torch.no_grad()
def _run(net: Autoencoder, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, reconstructions) of the rows of ``X``."""
    z = net.encode(torch.tensor(X))  # (N, code)
    return z.numpy(), net.decode(z).numpy()  # (N, code), (N, 64)


def _mse(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-row mean squared error."""
    return ((a - b) ** 2).mean(axis=1)


# --------------------------------------------------------------------------- the 2-D code against PCA


@dataclass(frozen=True)
class Latent:
    """The 2-D autoencoder and PCA with 2 components, on the same test digits."""

    seed: int
    codes: np.ndarray  # (n_test, 2) the autoencoder's code of each test digit
    pca_codes: np.ndarray  # (n_test, 2) the test digits projected on the first two principal components
    labels: np.ndarray  # (n_test,) class of each test digit
    err_ae: np.ndarray  # (n_test,) per-digit reconstruction MSE of the autoencoder
    err_pca: np.ndarray  # (n_test,) the same for PCA
    examples: np.ndarray  # (10,) test indices shown: per class, the digit of median autoencoder error
    originals: np.ndarray  # (10, 64) those digits
    recon_ae: np.ndarray  # (10, 64) their autoencoder reconstructions
    recon_pca: np.ndarray  # (10, 64) their PCA reconstructions
    pca_var: float  # share of the training pixels' variance the two components keep
    train_codes: np.ndarray  # (n_train, 2) codes of the training digits (the nearest-neighbour look-up)
    train_labels: np.ndarray  # (n_train,)
    far: np.ndarray  # (k, k) distance from each grid point of the code space to the nearest training code
    grid: np.ndarray  # (k,) the grid's coordinates along each axis
    knn_ae: float  # test accuracy of a 5-nearest-neighbour vote on the training digits' codes
    knn_pca: float  # the same on their 2 principal components

    @property
    def mse_ae(self) -> float:
        return float(self.err_ae.mean())

    @property
    def mse_pca(self) -> float:
        return float(self.err_pca.mean())


def _pca2() -> PCA:
    return PCA(n_components=2).fit(digit_pixels().X_train)


def linear_floor() -> float:
    """The least mean squared error per pixel any linear code of 2 numbers reaches on the training digits: PCA's."""
    X = digit_pixels().X_train.astype(np.float64)
    pca = _pca2()
    return float(((pca.inverse_transform(pca.transform(X)) - X) ** 2).mean())


def latent(seed: int = 0, progress: Progress | None = None) -> Latent:
    """The 2-D autoencoder of ``seed`` (trained if need be) and PCA-2, measured on the test digits."""
    seed = CODE_SPEC.validate(ae_seed=seed)["ae_seed"]
    model(2, 0.0, seed, progress)
    return _latent(seed)


@lru_cache(maxsize=8)
def _latent(seed: int) -> Latent:
    d = digit_pixels()
    net = model(2, 0.0, seed)
    codes, rec = _run(net, d.X_test)
    train_codes, _ = _run(net, d.X_train)
    pca = _pca2()
    pca_codes = pca.transform(d.X_test)
    rec_pca = pca.inverse_transform(pca_codes)
    err_ae, err_pca = _mse(rec, d.X_test), _mse(rec_pca, d.X_test)
    examples = np.array([_median_of(err_ae, d.y_test == c) for c in range(10)])
    grid = np.round(np.arange(-LIM, LIM + GRID_STEP / 2, GRID_STEP), 10)
    gx, gy = np.meshgrid(grid, grid)  # (k, k): gx varies along columns (z1), gy along rows (z2)
    pts = np.column_stack([gx.ravel(), gy.ravel()])  # (k², 2)
    dist = np.sqrt(((pts[:, None, :] - train_codes[None, :, :]) ** 2).sum(-1)).min(axis=1)  # (k²,)
    knn = [float(KNeighborsClassifier(5).fit(tr, d.y_train).score(te, d.y_test))
           for tr, te in ((train_codes, codes), (pca.transform(d.X_train), pca_codes))]
    out = Latent(seed, codes, pca_codes, d.y_test, err_ae, err_pca, examples, d.X_test[examples],
                 rec[examples], rec_pca[examples].astype(np.float32), float(pca.explained_variance_ratio_.sum()),
                 train_codes, d.y_train, dist.reshape(gx.shape), grid, *knn)
    for a in (out.codes, out.pca_codes, out.err_ae, out.err_pca, out.train_codes, out.far):
        a.setflags(write=False)
    return out


def _median_of(err: np.ndarray, where: np.ndarray) -> int:
    """Index (into the whole array) of the element of median error among ``where``."""
    idx = np.flatnonzero(where)
    return int(idx[np.argsort(err[idx])[len(idx) // 2]])


@dataclass(frozen=True)
class Decoded:
    """One point of the code space and what the decoder makes of it."""

    latent: Latent
    z: tuple[float, float]
    image: np.ndarray  # (64,) the decoded pixels
    nearest: int  # index of the training digit whose code is nearest to z
    distance: float  # distance from z to that code (code units: training standard deviations)
    nearest_image: np.ndarray  # (64,) that training digit
    nearest_label: int


def decode(seed: int, z1: float, z2: float) -> Decoded:
    """Decode the code point (z1, z2) with the 2-D autoencoder of ``seed`` (which must be trained already)."""
    v = DECODE.validate(ae_seed=seed, z1=z1, z2=z2)
    if not kept(2, 0.0, v["ae_seed"]):
        raise ParamError([NOT_READY])
    lat = latent(v["ae_seed"])
    net = model(2, 0.0, v["ae_seed"])
    z = np.array([v["z1"], v["z2"]], dtype=np.float32)
    with torch.no_grad():
        image = net.decode(torch.as_tensor(z[None, :]))[0].numpy()  # (1, 2) -> (64,)
    dist = np.sqrt(((lat.train_codes - z) ** 2).sum(axis=1))
    k = int(np.argmin(dist))
    return Decoded(lat, (v["z1"], v["z2"]), image, k, float(dist[k]), digit_pixels().X_train[k],
                   int(lat.train_labels[k]))


NOT_READY = ("The autoencoder for this seed is being trained (once on this machine, a few seconds); the map "
             "appears as soon as it is done.")


def snap(x: float, y: float) -> tuple[float, float]:
    """A clicked point of the code space on the sliders' grid (steps of 0.05), kept inside [-LIM, LIM]."""
    step = DECODE.fields["z1"].step
    return tuple(float(np.clip(round(round(v / step) * step, 2), -LIM, LIM)) for v in (x, y))  # type: ignore


# --------------------------------------------------------------------------- denoising


@dataclass(frozen=True)
class Denoised:
    """A plain and a denoising autoencoder (same shape, code of 16) and PCA-16, fed noisy test digits."""

    noise: float  # σ the denoising network was trained with, and the examples' noise
    clean: np.ndarray  # (6, 64) example test digits
    noisy: np.ndarray  # (6, 64) the same with noise σ
    plain: np.ndarray  # (6, 64) the plain autoencoder's output
    denoising: np.ndarray  # (6, 64) the denoising autoencoder's output
    test_noises: np.ndarray  # (m,) σ of the test noise, for the curves
    err_input: np.ndarray  # (m,) MSE of the noisy input itself against the clean digit
    err_plain: np.ndarray  # (m,) MSE of the plain autoencoder's output against the clean digit
    err_denoising: np.ndarray  # (m,)
    err_pca: np.ndarray  # (m,) PCA with 16 components: project the noisy digit, map back
    pca_components: int


def _noisy(X: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(10_000 + seed)
    return (X + sigma * rng.standard_normal(X.shape)).astype(np.float32)


def denoise(seed: int = 0, noise: float = 0.3, progress: Progress | None = None) -> Denoised:
    """Train (or load) the pair for ``seed`` and σ = ``noise``; measure both on noisy test digits."""
    v = DENOISE.validate(ae_seed=seed, noise=noise)
    seed, noise = v["ae_seed"], round(v["noise"], 2)
    half = None if progress is None else (lambda done, total: progress(done, 2 * total))
    rest = None if progress is None else (lambda done, total: progress(total + done, 2 * total))
    model(16, 0.0, seed, half)
    if noise > 0:
        model(16, noise, seed, rest)
    return _denoise(seed, noise)


@lru_cache(maxsize=16)
def _denoise(seed: int, noise: float) -> Denoised:
    plain = model(16, 0.0, seed)
    dae = model(16, noise, seed) if noise > 0 else plain
    d = digit_pixels()
    pca = PCA(n_components=WIDE.code).fit(d.X_train)
    curves: dict[str, list[float]] = {"input": [], "plain": [], "dae": [], "pca": []}
    for s in TEST_NOISES:
        Xn = _noisy(d.X_test, s, seed)
        curves["input"].append(float(_mse(Xn, d.X_test).mean()))
        curves["plain"].append(float(_mse(_run(plain, Xn)[1], d.X_test).mean()))
        curves["dae"].append(float(_mse(_run(dae, Xn)[1], d.X_test).mean()))
        curves["pca"].append(float(_mse(pca.inverse_transform(pca.transform(Xn)), d.X_test).mean()))
    show = np.array([np.flatnonzero(d.y_test == c)[0] for c in (0, 2, 3, 5, 7, 8)])  # the first test digit of each
    clean = d.X_test[show]
    noisy = _noisy(d.X_test, noise, seed)[show]
    return Denoised(noise, clean, noisy, _run(plain, noisy)[1], _run(dae, noisy)[1], np.array(TEST_NOISES),
                    *(np.array(curves[k]) for k in ("input", "plain", "dae", "pca")), WIDE.code)
