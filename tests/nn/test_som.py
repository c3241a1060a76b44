"""The online SOM against independent computations: scipy's distances, the definitions, a plain loop."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.metrics import pairwise_distances_argmin

from neuralab.nn import som


def _blobs(seed=0, n=120, d=3):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, (4, d))
    return centres[rng.integers(0, 4, n)] + rng.normal(0, 0.5, (n, d))


def test_quantization_error_is_the_mean_distance_to_the_nearest_prototype_as_scipy_computes_it():
    X = _blobs()
    W = np.random.default_rng(1).normal(0, 3, (4, 5, 3))
    expected = cdist(X, W.reshape(-1, 3)).min(axis=1).mean()
    assert som.quantization_error(X, W) == pytest.approx(expected, rel=1e-10)


def test_bmus_agree_with_scikit_learn_and_the_second_is_the_next_nearest():
    X = _blobs(2)
    W = np.random.default_rng(3).normal(0, 3, (3, 4, 3))
    flat = W.reshape(-1, 3)
    b = som.bmus(X, W, 2)
    assert (b[:, 0] == pairwise_distances_argmin(X, flat)).all()
    assert (b[:, 1] == np.argsort(cdist(X, flat), axis=1)[:, 1]).all()


def test_topographic_error_follows_its_definition():
    X = _blobs(4)
    W = np.random.default_rng(5).normal(0, 3, (4, 4, 3))  # an unordered map: many folds
    rows, cols = 4, 4
    order = np.argsort(cdist(X, W.reshape(-1, 3)), axis=1)
    folded = 0
    for first, second in order[:, :2]:
        (r1, c1), (r2, c2) = divmod(int(first), cols), divmod(int(second), cols)
        folded += not (abs(r1 - r2) <= 1 and abs(c1 - c2) <= 1)
    assert som.topographic_error(X, W) == pytest.approx(folded / len(X))
    assert 0 < som.topographic_error(X, W) < 1 and rows * cols == 16


def test_a_diagonal_neighbour_is_a_neighbour_and_two_columns_is_not():
    W = np.zeros((3, 3, 1))
    W[0, 0], W[1, 1], W[0, 2] = 0.0, 0.1, 0.2
    W[W == 0] = 9.0
    W[0, 0] = 0.0
    assert som.topographic_error(np.array([[0.04]]), W) == 0.0  # BMU (0,0), second (1,1): diagonal
    W[1, 1] = 9.0
    assert som.topographic_error(np.array([[0.04]]), W) == 1.0  # BMU (0,0), second (0,2): two columns apart


def test_u_matrix_is_the_mean_distance_to_the_four_grid_neighbours():
    W = np.random.default_rng(6).normal(size=(3, 5, 2))
    U = som.u_matrix(W)
    for r in range(3):
        for c in range(5):
            near = [(r + dr, c + dc) for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1))
                    if 0 <= r + dr < 3 and 0 <= c + dc < 5]
            assert U[r, c] == pytest.approx(np.mean([np.linalg.norm(W[r, c] - W[p]) for p in near]))


def test_the_schedules_start_and_end_where_declared_and_fall_geometrically():
    T = 1000
    s = som.decay(5.0, 0.5, np.arange(T), T)
    assert s[0] == pytest.approx(5.0) and s[-1] == pytest.approx(0.5)
    assert (np.diff(s) < 0).all()
    assert np.diff(np.log(s)) == pytest.approx(np.full(T - 1, np.log(0.1) / (T - 1)))
    f = som.fit(_blobs(), 3, 4, epochs=2, alpha0=0.4, sigma0=2.0)
    assert f.sigma[0] == pytest.approx(2.0) and f.alpha[0] == pytest.approx(0.4)
    assert f.sigma[-1] == pytest.approx(som.SIGMA_END) and f.alpha[-1] == pytest.approx(som.ALPHA_END)


def _plain_loop(X, rows, cols, epochs, alpha0, sigma0, seed):
    """The online rule written out unit by unit, with the same random draws as ``fit``."""
    rng = np.random.default_rng(seed)
    n, d = X.shape
    W = X.mean(0) + 0.1 * X.std(0) * rng.standard_normal((rows * cols, d))
    order = np.concatenate([rng.permutation(n) for _ in range(epochs)])
    T = len(order)
    for t, i in enumerate(order):
        x = X[i]
        c = min(range(rows * cols), key=lambda j: float(np.sum((x - W[j]) ** 2)))
        frac = t / (T - 1)
        sigma = sigma0 * (som.SIGMA_END / sigma0) ** frac
        alpha = alpha0 * (som.ALPHA_END / alpha0) ** frac
        rc, cc = divmod(c, cols)
        for j in range(rows * cols):
            rj, cj = divmod(j, cols)
            h = np.exp(-((rc - rj) ** 2 + (cc - cj) ** 2) / (2 * sigma**2))
            W[j] = W[j] + alpha * h * (x - W[j])
    return W.reshape(rows, cols, d)


def test_the_vectorized_fit_is_the_online_rule_step_by_step():
    X = _blobs(7, n=15, d=2)
    f = som.fit(X, 2, 3, epochs=3, alpha0=0.6, sigma0=1.5, seed=11)
    assert np.allclose(f.weights, _plain_loop(X, 2, 3, 3, 0.6, 1.5, 11), atol=1e-12)
    assert f.steps[0] == 0 and f.steps[-1] == f.total_steps == 45
    assert np.array_equal(f.snapshots[-1], f.weights)


def test_a_one_dimensional_map_on_a_line_orders_itself():
    X = np.random.default_rng(0).uniform(0, 1, (200, 1))
    for seed in range(4):
        w = som.fit(X, 1, 10, epochs=10, sigma0=5.0, seed=seed).weights[0, :, 0]
        d = np.diff(w)
        assert (d > 0).all() or (d < 0).all(), (seed, w)
        assert w.min() < 0.15 and w.max() > 0.85  # spread over the line, not bunched


def test_quantization_error_falls_once_the_map_has_spread_and_the_map_ends_ordered():
    X = np.random.default_rng(1).uniform(-1, 1, (400, 2))
    f = som.fit(X, 6, 6, epochs=10, seed=0)
    half = len(f.qe) // 2  # early on each sample moves the whole stiff map, and QE jitters
    assert (np.diff(f.qe[half:]) <= 1e-12).all(), f.qe
    assert f.qe[-1] < 0.5 * f.qe[0]
    assert f.te[0] > 0.5 and f.te[-1] < 0.05  # a random start is folded everywhere; the end is not


def test_snapshots_are_packed_toward_the_start():
    at = som.snapshot_steps(10_000, 30)
    assert at[0] == 0 and at[-1] == 10_000 and len(at) == 30
    assert np.diff(at)[0] < np.diff(at)[-1]


@pytest.mark.parametrize(("X", "rows", "cols", "fragment"), [
    (np.zeros((1, 2)), 3, 3, "N ≥ 2"),
    (np.full((5, 2), np.nan), 3, 3, "finite"),
    (np.zeros((5, 2)), 1, 1, "at least 2 units"),
])
def test_bad_input_is_refused_with_a_sentence(X, rows, cols, fragment):
    with pytest.raises(ValueError, match=fragment):
        som.fit(X, rows, cols)


def test_an_unknown_start_is_refused():
    with pytest.raises(ValueError, match="init must be"):
        som.fit(_blobs(), 2, 2, init="zeros")
