"""The 2-D surfaces, the optimizer race and the batch-size paths, checked against closed forms and libraries."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.optimize
import torch
from sklearn.linear_model import LinearRegression

from neuralab.data.arrays import diabetes
from neuralab.params import ParamError
from neuralab.train import descent, optimizers
from neuralab.train.descent import RACE, SURFACES

ALL = ",".join(optimizers.OPTIMIZERS)


def _grad_hess(fn, x, y):
    p = torch.tensor([x, y], dtype=torch.float64, requires_grad=True)
    fn(p[0], p[1]).backward()
    h = torch.autograd.functional.hessian(lambda q: fn(q[0], q[1]), p.detach())
    return p.grad.numpy(), torch.linalg.eigvalsh(h).numpy()


@pytest.mark.parametrize("name", list(SURFACES))
def test_stated_minima_are_minima_and_scipy_finds_no_others(name):
    s = SURFACES[name]
    for x, y in s.points:
        g, eig = _grad_hess(s.fn, x, y)
        assert np.abs(g).max() < 1e-9 and eig.min() > 0, (name, x, y, g, eig)
    # scipy's BFGS (numerical gradients, no torch) from a grid of starts ends at one of the stated minima
    x_lo, x_hi, y_lo, y_hi = s.window

    def f(p):
        return float(s.fn(torch.tensor(p[0], dtype=torch.float64), torch.tensor(p[1], dtype=torch.float64)))

    for sx in np.linspace(x_lo, x_hi, 4)[1:-1]:
        for sy in np.linspace(y_lo, y_hi, 4)[1:-1]:
            r = scipy.optimize.minimize(f, [sx + 0.013, sy + 0.029], method="BFGS", options={"gtol": 1e-9})
            inside = x_lo <= r.x[0] <= x_hi and y_lo <= r.x[1] <= y_hi
            if r.success and inside and np.all(np.linalg.eigvalsh(_hess_np(f, r.x)) > 0):
                assert min(math.hypot(r.x[0] - a, r.x[1] - b) for a, b in s.points) < 1e-3, (name, r.x)


def _hess_np(f, p, h=1e-4):
    out = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            e_i, e_j = np.eye(2)[i] * h, np.eye(2)[j] * h
            out[i, j] = (f(p + e_i + e_j) - f(p + e_i - e_j) - f(p - e_i + e_j) + f(p - e_i - e_j)) / (4 * h * h)
    return out


def test_known_minimum_values():
    assert descent.minima("rosenbrock") == ((1.0, 1.0, 0.0),)
    assert descent.minima("beale") == ((3.0, 0.5, 0.0),)
    assert [m[2] for m in descent.minima("saddle")] == [-0.25, -0.25]
    wells = descent.minima("wells")
    assert len(wells) == 4 and wells[0][0] < 0 and wells[0][1] < 0  # the tilt makes (−, −) the deepest


def test_grid_is_the_function_on_the_window():
    xs, ys, z = descent.grid("beale")
    s = SURFACES["beale"]
    assert (xs[0], xs[-1], ys[0], ys[-1]) == s.window
    i, j = 17, 70
    assert z[i, j] == pytest.approx(float(s.fn(torch.tensor(xs[j]), torch.tensor(ys[i]))))


def test_sgd_on_the_bowl_follows_the_closed_form():
    # f = x² + 2y²: a gradient step multiplies x by (1 − 2η) and y by (1 − 4η)
    lr, steps = 0.1, 40
    r = descent.race("bowl", -2.5, 2.0, lr, steps, "sgd")
    p = r.paths[0]
    k = np.arange(steps + 1)
    np.testing.assert_allclose(p.x, -2.5 * (1 - 2 * lr) ** k, atol=1e-12)
    np.testing.assert_allclose(p.y, 2.0 * (1 - 4 * lr) ** k, atol=1e-12)
    assert p.diverged_at is None and p.converged_at is not None and p.minimum == 0
    # converged_at is the first step of the final stay within the tolerance
    d = np.hypot(p.x, p.y)
    assert d[p.converged_at] < descent.CONVERGE_TOL <= d[p.converged_at - 1]
    assert np.all(d[p.converged_at:] < descent.CONVERGE_TOL)


def test_sgd_diverges_past_two_over_the_curvature():
    # the bowl's steep direction has curvature 4: η > 0.5 makes |1 − 4η| > 1
    p = descent.race("bowl", -2.5, 2.0, 0.6, 200, "sgd").paths[0]
    assert p.diverged_at is not None and p.converged_at is None and p.left_window
    assert descent.race("bowl", -2.5, 2.0, 0.45, 200, "sgd").paths[0].diverged_at is None


def test_a_diverging_run_leaves_the_others_untouched():
    together = descent.race("rosenbrock", -1.5, 2.0, 0.04, 100, "sgd,adam")
    alone = descent.race("rosenbrock", -1.5, 2.0, 0.04, 100, "adam")
    sgd, adam = together.paths
    assert sgd.diverged_at is not None and len(sgd.x) == sgd.diverged_at + 1
    assert adam.diverged_at is None and len(adam.x) == 101
    np.testing.assert_array_equal(adam.x, alone.paths[0].x)


def test_every_optimizer_runs_and_paths_start_at_the_start():
    r = descent.race("wells", 0.3, 1.8, 0.01, 60, ALL)
    assert [p.name for p in r.paths] == list(optimizers.OPTIMIZERS)
    for p in r.paths:
        assert (p.x[0], p.y[0]) == (0.3, 1.8) and np.all(np.isfinite(p.loss))


def test_a_clicked_start_snaps_to_the_start_sliders_grid():
    assert descent.snap_start(1.23456, -0.5) == (1.23, -0.5)
    assert descent.snap_start(-4.499, 0.005001) == (-4.5, 0.01)
    x, y = descent.snap_start(0.1 + 0.2, 1.07)  # no float noise: the value a slider at that step shows
    assert (x, y) == (0.3, 1.07)
    RACE.validate(surface="bowl", x0=x, y0=y, lr=0.04, steps=200, opts="sgd")


def test_a_start_on_the_saddle_axis_never_leaves_it():
    p = descent.race("saddle", 2.5, 0.0, 0.04, 300, "sgd").paths[0]
    assert np.all(p.y == 0) and abs(p.x[-1]) < 1e-6 and p.converged_at is None  # stuck on the saddle


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        (dict(opts="sgd,lion"), "opts may only name"),
        (dict(opts=""), "opts may only name"),
        (dict(opts=[]), "opts must name at least one"),
        (dict(x0=4.0), "x0, y0 must lie inside the Convex bowl window"),
        (dict(lr=5.0), "lr must be between"),
        (dict(steps=15), "steps must be between"),
        (dict(surface="himmelblau"), "surface must be one of"),
    ],
)
def test_bad_race_values_get_a_sentence(kwargs, fragment):
    args = dict(surface="bowl", x0=-2.5, y0=2.0, lr=0.04, steps=100, opts="sgd") | kwargs
    with pytest.raises(ParamError, match=fragment):
        descent.race(**args)


def test_optimizer_subset_is_canonical_in_both_forms():
    f = RACE.fields["opts"]
    assert f.coerce("opts", ["adam", "sgd", "adam"]) == "sgd,adam"
    assert f.coerce("opts", "adam,sgd") == "sgd,adam"
    assert RACE.parse_query("?opts=adam%2Cnesterov")[0]["opts"] == "nesterov,adam"
    values, messages = RACE.parse_query("?opts=adam,bogus")
    assert values["opts"] == f.default and "opts may only name" in messages[0]


def test_full_batch_sgd_is_gradient_descent_on_the_exact_mse():
    bp = descent.batch_paths(0.05, 16, 30, 0)
    d = diabetes(0)
    x, y = d.X_train[:, descent.BMI].astype(float), d.y_train.astype(float)
    ref = LinearRegression().fit(x[:, None], y)
    assert bp.w_star == pytest.approx(ref.coef_[0], abs=1e-9) and bp.b_star == pytest.approx(ref.intercept_, abs=1e-9)
    w, b = descent.BATCH_START
    for k in range(30):  # ∂/∂w mean((wx+b−y)²) = 2·mean((wx+b−y)·x), ∂/∂b = 2·mean(wx+b−y)
        r = w * x + b - y
        w, b = w - 0.05 * 2 * np.mean(r * x), b - 0.05 * 2 * np.mean(r)
        assert (bp.runs[0].w[k + 1], bp.runs[0].b[k + 1]) == pytest.approx((w, b), abs=1e-9)
    assert bp.runs[0].loss[-1] == pytest.approx(np.mean((w * x + b - y) ** 2))


def test_smaller_batches_are_noisier_and_cheaper():
    bp = descent.batch_paths(0.05, 16, 100, 0)
    full, mini, single = bp.runs
    assert (full.batch_size, mini.batch_size, single.batch_size) == (bp.n_train, 16, 1)
    assert full.samples[-1] == 100 * bp.n_train and single.samples[-1] == 100 and mini.samples[-1] <= 1600
    assert min(r.loss.min() for r in bp.runs) >= bp.loss_star - 1e-9  # nothing beats least squares
    # the full-batch loss falls at every step; the single-sample loss goes back up at some steps
    assert np.all(np.diff(full.loss) <= 1e-12) and np.any(np.diff(single.loss) > 0)
    assert bp.loss_grid.min() >= bp.loss_star - 1e-9


def test_batch_paths_depend_on_the_seed_and_validate():
    a, b = descent.batch_paths(0.05, 16, 50, 0), descent.batch_paths(0.05, 16, 50, 1)
    assert not np.array_equal(a.runs[2].w, b.runs[2].w)
    with pytest.raises(ParamError, match="bs_size must be between 2 and 128"):
        descent.batch_paths(0.05, 1, 50, 0)


LIMITS = {  # ηλ at which each update rule stops being stable on a quadratic of curvature λ, μ = 0.9
    "sgd": 2.0,
    "momentum": 2 * (1 + optimizers.MOMENTUM),
    "nesterov": 2 * (1 + optimizers.MOMENTUM) / (1 + 2 * optimizers.MOMENTUM),
}


@pytest.mark.parametrize("name", list(LIMITS))
def test_the_ravine_race_diverges_where_each_stability_limit_says(name):
    """The gradient-descent page's table: on the ravine's steep wall (λ = 20) SGD is stable below η = 2/λ = 0.1,
    heavy-ball momentum below 2(1 + μ)/λ = 0.19 and torch's Nesterov below 2(1 + μ)/((1 + 2μ)λ) ≈ 0.068."""
    eta = LIMITS[name] / 20.0
    below = descent.race("ravine", -3.5, 1.5, 0.97 * eta, 300, name).paths[0]
    above = descent.race("ravine", -3.5, 1.5, 1.03 * eta, 300, name).paths[0]
    assert below.diverged_at is None and above.diverged_at is not None


def test_at_eta_007_nesterov_diverges_on_the_ravine_while_momentum_converges():
    paths = {p.name: p for p in descent.race("ravine", -3.5, 1.5, 0.07, 300, "sgd,momentum,nesterov").paths}
    assert paths["nesterov"].diverged_at is not None
    assert paths["momentum"].converged_at is not None and paths["sgd"].diverged_at is None
    fast = {p.name: p for p in descent.race("ravine", -3.5, 1.5, 0.15, 300, "sgd,momentum").paths}
    assert fast["sgd"].diverged_at is not None and fast["momentum"].converged_at is not None  # learning-rate.md


def _rattle(lr: float, batch: int, steps: int = 3000, seed: int = 0) -> float:
    """Mean squared distance of plain SGD from the least-squares optimum, once the start is forgotten."""
    data = diabetes(0)
    x = torch.tensor(data.X_train[:, descent.BMI])
    y = torch.tensor(data.y_train)
    a = np.stack([x.numpy(), np.ones(len(y))], axis=1)
    w, b = np.linalg.lstsq(a, y.numpy(), rcond=None)[0]
    run = descent._sgd(x, y, batch, lr, steps, seed, "")
    return float(np.mean((run.w[500:] - w) ** 2 + (run.b[500:] - b) ** 2))


def test_the_sgd_rattle_has_a_variance_set_by_eta_over_b():
    """content/gradient-descent.md: variance ∝ η/B, so width ∝ √(η/B)."""
    base = _rattle(0.05, 1)
    same_ratio = _rattle(0.1, 2)
    double = _rattle(0.1, 1)
    assert same_ratio == pytest.approx(base, rel=0.1)
    assert 2.0 < double / base < 3.0 and math.sqrt(double / base) == pytest.approx(math.sqrt(2), rel=0.2)


def test_progress_is_reported_and_changes_no_number():
    """A page runs both as jobs with a progress bar: the same numbers as the cached call, step by step reported."""
    seen = []
    a = descent.race("ravine", -3.5, 1.5, 0.04, 120, "sgd,adam", progress=lambda d, t: seen.append((d, t)))
    b = descent.race("ravine", -3.5, 1.5, 0.04, 120, "sgd,adam")
    assert seen[-1] == (120, 120) and len(seen) >= 10 and [d for d, _ in seen] == sorted(d for d, _ in seen)
    for p, q in zip(a.paths, b.paths, strict=True):
        assert np.array_equal(p.x, q.x) and np.array_equal(p.y, q.y) and np.array_equal(p.loss, q.loss)
    seen.clear()
    c = descent.batch_paths(0.05, 16, 50, 0, progress=lambda d, t: seen.append((d, t)))
    d = descent.batch_paths(0.05, 16, 50, 0)
    assert seen[-1] == (150, 150) and {t for _, t in seen} == {150}
    for r, s in zip(c.runs, d.runs, strict=True):
        assert np.array_equal(r.w, s.w) and np.array_equal(r.b, s.b) and np.array_equal(r.loss, s.loss)
