"""The Gaussian-process surrogate on the learning-rate slice, checked against Optuna's own GP."""

import numpy as np
import pytest
import torch
from optuna._gp import gp as optuna_gp
from optuna._gp import prior
from sklearn.gaussian_process import GaussianProcessRegressor

from neuralab.params import ParamError
from neuralab.search import surrogate
from neuralab.search.surrogate import START, Truth


def _slice() -> Truth:
    """A made-up slice with the real one's shape: a smooth valley, then a diverged edge."""
    lr = np.geomspace(1e-4, 3.0, 40)
    x = np.log10(lr)
    loss = 0.2 + 0.3 * (x + 1.2) ** 2
    loss[x > -0.5] = np.nan
    return Truth("digits", lr, 1e-4, loss, 2.3)


def test_our_kernel_with_optunas_fitted_hyperparameters_gives_optunas_posterior():
    """Optuna's ``GPRegressor`` fits a Matern-5/2 GP (scale, inverse squared length scale, noise) with a prior.

    We fit it on the same data it would see inside ``GPSampler`` (x scaled to [0, 1], y standardised),
    then give those three numbers to our scikit-learn kernel (``C · Matern(5/2) + White``) with the
    optimizer off. The posterior mean must agree to 1e-8 everywhere on a grid. The variances agree
    once the noise is accounted for: scikit-learn's ``std`` is of a new *observation* (its White
    term is on the diagonal), Optuna's is of the latent function, so ours minus the noise is theirs.
    """
    rng = np.random.default_rng(0)
    X = np.sort(rng.uniform(0, 1, 7))
    y = np.sin(6 * X) + 0.1 * rng.standard_normal(7)
    y = (y - y.mean()) / y.std()
    fitted = optuna_gp.fit_kernel_params(X[:, None], y, np.zeros(1, bool), prior.default_log_prior,
                                         prior.DEFAULT_MINIMUM_NOISE_VAR, deterministic_objective=False)
    scale, noise = float(fitted.kernel_scale), float(fitted.noise_var)
    length = float(fitted.length_scales[0])
    k = surrogate.kernel()
    ours = GaussianProcessRegressor(k.set_params(k1__k1__constant_value=scale, k1__k2__length_scale=length,
                                                 k2__noise_level=noise), optimizer=None).fit(X[:, None], y)
    grid = np.linspace(0, 1, 101)
    mean, std = ours.predict(grid[:, None], return_std=True)
    with torch.no_grad():
        m_opt, v_opt = fitted.posterior(torch.from_numpy(grid[:, None]))
    assert np.allclose(mean, m_opt.numpy(), atol=1e-8)
    assert np.allclose(std ** 2 - noise, v_opt.numpy(), atol=1e-8)


def test_each_fitting_its_own_hyperparameters_they_agree_where_the_minimum_is():
    """Left to fit their own hyperparameters (ours by plain likelihood, Optuna's with its prior on them),
    the two posteriors differ in detail; what must agree is the answer a search reads off them:
    the argmin of the posterior mean, here within 2 of 101 grid points."""
    X = np.array([0.05, 0.2, 0.4, 0.55, 0.7, 0.9])
    y = (X - 0.6) ** 2
    y = (y - y.mean()) / y.std()
    fitted = optuna_gp.fit_kernel_params(X[:, None], y, np.zeros(1, bool), prior.default_log_prior,
                                         prior.DEFAULT_MINIMUM_NOISE_VAR, deterministic_objective=False)
    grid = np.linspace(0, 1, 101)
    ours = surrogate.fit(X, y).predict(grid[:, None])
    with torch.no_grad():
        theirs = fitted.posterior(torch.from_numpy(grid[:, None]))[0].numpy()
    assert abs(int(np.argmin(ours)) - int(np.argmin(theirs))) <= 2
    assert abs(grid[np.argmin(ours)] - 0.6) < 0.05


def test_every_step_refits_on_one_more_point_and_the_acquisitions_are_consistent():
    t = _slice()
    e = surrogate.run_explore(t, "lcb", kappa=1.5, seed=0, steps=6)
    assert len(e.chosen) == START + 6 and e.mean.shape == e.std.shape == e.ei.shape == (6, 40)
    assert np.allclose(e.lcb, e.mean - 1.5 * e.std)
    assert np.all(e.ei >= 0) and np.all(e.std >= 0)
    assert all(e.chosen[START + k] == e.picks[k, 1] for k in range(6))  # lcb chose each next point
    assert e.picks[:, 0].tolist() == [int(np.argmax(row)) for row in e.ei]
    assert e.best(6) <= e.best(1)
    x = np.log10(t.lr)
    assert abs(x[e.chosen[-1]] - (-1.2)) < 0.6  # it found the valley of the made-up slice
    thompson = surrogate.run_explore(t, "thompson", seed=3, steps=2)
    assert thompson.chosen[START] == thompson.picks[0, 2] == int(np.argmin(thompson.draw[0]))


def test_a_diverged_point_is_scored_as_learning_nothing():
    t = _slice()
    e = surrogate.run_explore(t, "ei", steps=1)
    assert np.isnan(t.loss[e.chosen[2]])  # the third start point sits on the diverged edge
    assert surrogate._scored(t)[e.chosen[2]] == t.baseline
    assert e.mean[0, e.chosen[2]] > e.best(1) and e.ei[0, e.chosen[2]] < 1e-3 * e.ei[0].max()  # nothing to gain there


def test_expected_improvement_matches_its_formula():
    ei = surrogate.expected_improvement(np.array([0.0, 1.0]), np.array([1.0, 1e-15]), best=0.5)
    assert ei[0] == pytest.approx(0.5 * 0.6914624612740131 + 0.3520653267642995)
    assert ei[1] == pytest.approx(0.0)


@pytest.mark.parametrize(("kw", "name"), [({"acquisition": "pi"}, "acquisition"), ({"kappa": -1}, "kappa"),
                                          ({"dataset": "mnist"}, "dataset"), ({"seed": 1.5}, "seed")])
def test_bad_parameters_get_a_sentence_naming_them(kw, name):
    with pytest.raises(ParamError, match=name):
        surrogate.explore(**kw)
