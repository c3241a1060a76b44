"""Polynomial fits, bias–variance and learning curves against numpy and scikit-learn, plus properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.polynomial import legendre
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import learning_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, PolynomialFeatures

from neuralab.fit import poly
from neuralab.params import ParamError

DEGREES = list(range(1, poly.MAX_DEGREE + 1))


def test_fit_matches_numpy_polyfit_on_a_well_conditioned_case():
    fit = poly.fit_poly(3, 50, 0.3, 4)
    ref = np.polyfit(fit.x_train, fit.y_train, 3)  # raw powers are fine at degree 3
    np.testing.assert_allclose(fit.y_fit, np.polyval(ref, fit.x_grid), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fit.train_mse, np.mean((np.polyval(ref, fit.x_train) - fit.y_train) ** 2), rtol=1e-9)
    np.testing.assert_allclose(fit.val_mse, np.mean((np.polyval(ref, fit.x_val) - fit.y_val) ** 2), rtol=1e-9)


@pytest.mark.parametrize("degree", [1, 5, 10])
def test_fit_matches_sklearn_polynomial_features_and_linear_regression(degree):
    fit = poly.fit_poly(degree, 80, 0.2, 11)
    model = make_pipeline(
        FunctionTransformer(lambda x: 2 * x - 1),  # the same map to [-1, 1] keeps powers well-conditioned
        PolynomialFeatures(degree),
        LinearRegression(fit_intercept=False),
    ).fit(fit.x_train[:, None], fit.y_train)
    np.testing.assert_allclose(fit.y_fit, model.predict(fit.x_grid[:, None]), rtol=1e-7, atol=1e-9)
    assert fit.train_by_degree[degree - 1] == fit.train_mse


def test_default_sample_is_underfit_at_degree_1_and_overfit_at_15_on_most_seeds():
    under = sum(poly.fit_poly(1, 30, 0.3, s).diagnosis == "underfit" for s in range(10))
    over = sum(poly.fit_poly(15, 30, 0.3, s).diagnosis == "overfit" for s in range(10))
    assert under >= 8 and over >= 8


def test_as_many_coefficients_as_points_interpolates():
    fit = poly.fit_poly(12, 10, 0.5, 0)  # 13 coefficients, 10 points: the min-norm solution hits every point
    assert fit.train_mse < 1e-20
    assert fit.val_mse > 10 * fit.noise_var


@settings(max_examples=40, deadline=None)
@given(st.integers(10, 200), st.floats(0.05, 1.0), st.integers(0, 9999))
def test_training_error_never_increases_with_degree(n_train, noise, seed):
    fit = poly.fit_poly(3, n_train, noise, seed)
    tr = fit.train_by_degree
    assert np.all(np.diff(tr) <= 1e-9 * tr[0])  # nested spaces: a higher degree can always do as well


@settings(max_examples=25, deadline=None)
@given(st.integers(10, 190), st.integers(1, 10), st.floats(0.05, 1.0), st.integers(0, 9999))
def test_more_points_keep_the_old_ones_and_noise_only_scales(n_train, extra, noise, seed):
    a, b = poly.fit_poly(2, n_train, noise, seed), poly.fit_poly(2, n_train + extra, noise, seed)
    np.testing.assert_array_equal(a.x_train, b.x_train[:n_train])
    np.testing.assert_array_equal(a.x_val, b.x_val)
    quiet = poly.fit_poly(2, n_train, 0.05, seed)
    resid, resid_quiet = a.y_train - poly.true_function(a.x_train), quiet.y_train - poly.true_function(a.x_train)
    np.testing.assert_allclose(resid * 0.05, resid_quiet * noise, atol=1e-12)


def test_diagnose_hand_checked_cases():
    assert poly.diagnose(0.08, 0.13, 0.09) == "good"  # within 1.5 σ²
    assert poly.diagnose(0.20, 0.22, 0.09) == "underfit"  # train above the floor
    assert poly.diagnose(0.04, 0.50, 0.09) == "overfit"  # train below the floor, validation far above
    assert poly.diagnose(0.09, 0.50, 0.09) == "underfit"  # at the floor counts as not fitting noise
    with pytest.raises(ParamError, match="noise_var must be a positive number"):
        poly.diagnose(0.1, 0.1, 0.0)
    with pytest.raises(ParamError, match="train_mse and val_mse must be finite"):
        poly.diagnose(float("nan"), 0.1, 0.09)


@pytest.mark.parametrize("shape", [(30, 200), (3, 12, 1)])
def test_stacked_least_squares_matches_legfit(shape):
    rng = np.random.default_rng(0)
    for degree in (2, 9, 15):  # 15 with 12 points is underdetermined: both give the minimum-norm fit
        if len(shape) == 2:
            x, Y = rng.uniform(size=shape[0]), rng.standard_normal(shape)
            got = poly._lstsq(legendre.legvander(2 * x - 1, degree), Y)
            np.testing.assert_allclose(got, poly._fit(x, Y, degree), rtol=1e-8, atol=1e-8)
        else:
            x, Y = rng.uniform(size=shape[:2]), rng.standard_normal(shape)
            got = poly._lstsq(legendre.legvander(2 * x - 1, degree), Y)
            for i in range(shape[0]):
                np.testing.assert_allclose(got[i, :, 0], poly._fit(x[i], Y[i, :, 0], degree), rtol=1e-8, atol=1e-8)


def _tolerance(bv: poly.BiasVariance) -> np.ndarray:
    """5 standard errors of measured − (bias² + variance + σ²), which is the mean of
    2(ŷ − f)ε + ε² − σ² over n_sets × N_TEST independent test-noise draws ε."""
    per_draw = 4 * (bv.bias2 + bv.variance) * bv.noise_var + 2 * bv.noise_var**2
    return 5 * np.sqrt(per_draw / (bv.n_sets * poly.N_TEST))


@settings(max_examples=25, deadline=None)
@given(st.integers(10, 200), st.floats(0.05, 1.0), st.sampled_from([40, 200, 600]), st.integers(0, 9999))
def test_bias2_plus_variance_plus_noise_is_the_measured_test_error(n_train, noise, n_sets, seed):
    bv = poly.bias_variance(DEGREES, n_train, noise, n_sets, seed)
    assert np.all(np.abs(bv.expected - bv.total) <= _tolerance(bv))
    assert np.all(bv.variance >= 0)


def test_bias_and_variance_match_the_closed_form_of_least_squares():
    """Fixed design: the mean fit is H f and the variance σ²·Σ H², with H the hat matrix to test points."""
    n_sets, noise = 1000, 0.3
    bv = poly.bias_variance(DEGREES[:10], 40, noise, n_sets, 3)
    for i, d in enumerate(bv.degrees):
        V = legendre.legvander(2 * bv.x_train - 1, d)
        H = legendre.legvander(2 * bv.x_test - 1, d) @ np.linalg.pinv(V)  # (N_TEST, n_train)
        bias2 = np.mean((H @ poly.true_function(bv.x_train) - poly.true_function(bv.x_test)) ** 2)
        variance = noise**2 * np.mean((H**2).sum(axis=1))
        assert bv.variance[i] == pytest.approx(variance, rel=0.12)  # s.e. of a variance is √(2/n_sets) ≈ 4.5%
        # the estimate has the variance / n_sets that the mean of the fits still carries taken out
        assert abs(bv.bias2[i] - bias2) < 4 * np.sqrt(4 * bias2 * variance / n_sets) + 3 * variance / n_sets


def test_bias_falls_and_variance_grows_with_degree():
    bv = poly.bias_variance(DEGREES, 30, 0.3, 400, 0)
    assert bv.bias2[0] > 10 * bv.bias2[6]
    assert bv.variance[-1] > 10 * bv.variance[0]
    assert np.all(np.diff(bv.train_mse) <= 1e-12)  # each set's training error falls with degree; so does the mean
    assert 3 <= bv.best_degree <= 10


def test_learning_curve_is_sklearn_learning_curve_on_the_same_pool_and_splits():
    degree, noise, seed, repeats = 4, 0.3, 7, 6
    sizes = np.array([6, 10, 25, 60, 200])  # all above the interpolation threshold d + 1 = 5
    lc = poly.learning_curve(degree, noise, sizes, seed, repeats=repeats)
    x, y = poly.learning_pool(noise, seed)
    model = make_pipeline(FunctionTransformer(lambda X: legendre.legvander(2 * X[:, 0] - 1, degree)),
                          LinearRegression(fit_intercept=False))
    _, train, val = learning_curve(model, x[:, None], y, train_sizes=sizes,
                                      cv=poly.learning_splits(sizes, repeats, seed), scoring="neg_mean_squared_error")
    np.testing.assert_allclose(lc.train, -train, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(lc.val, -val, rtol=1e-7)


def test_learning_curves_close_in_from_both_sides():
    lc = poly.learning_curve(3, 0.3, poly.SIZES, 0)
    tr, va = lc.train_median, lc.val_median
    assert tr[0] < tr[-1] and va[0] > va[-1]
    assert va[-1] - tr[-1] < 0.2 * va[-1]  # 200 points, 4 coefficients: little gap left
    assert tr[-1] > lc.noise_var  # degree 3 misses part of f: both end above σ² (underfit)
    q = lc.quartiles("val")
    assert np.all(q[0] <= va) and np.all(va <= q[1])


def test_same_seed_same_numbers_other_seed_other_numbers():
    a, b, c = (poly.bias_variance([1, 5], 30, 0.3, 100, s) for s in (5, 5, 6))
    np.testing.assert_array_equal(a.expected, b.expected)
    assert not np.array_equal(a.expected, c.expected)
    np.testing.assert_array_equal(poly.learning_curve(5, 0.3, [10, 20], 1).val,
                                  poly.learning_curve(5, 0.3, [10, 20], 1).val)


def test_progress_is_reported():
    seen = []
    poly.bias_variance([1, 2, 3], 30, 0.3, 40, 0, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 3), (1, 3), (2, 3)]
    seen.clear()
    poly.learning_curve(2, 0.3, [10, 20], 0, repeats=5, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 2), (1, 2)]


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: poly.fit_poly(16, 30, 0.3, 0), "degree must be between 1 and 15"),
        (lambda: poly.fit_poly(3, 5, 0.3, 0), "n_train must be between 10 and 200"),
        (lambda: poly.fit_poly(3, 30, 0.0, 0), "noise must be between 0.05 and 1"),
        (lambda: poly.fit_poly(3, 30, float("nan"), 0), "noise must be a finite number"),
        (lambda: poly.fit_poly(3, 30, 0.3, -1), "seed must be between 0 and 9999"),
        (lambda: poly.fit_poly(2.5, 30, 0.3, 0), "degree must be a whole number"),
        (lambda: poly.bias_variance([0, 3], 30, 0.3, 100, 0), "degrees must be increasing whole numbers"),
        (lambda: poly.bias_variance([3, 2], 30, 0.3, 100, 0), "degrees must be increasing whole numbers"),
        (lambda: poly.bias_variance([], 30, 0.3, 100, 0), "degrees must be increasing whole numbers"),
        (lambda: poly.bias_variance([3], 30, 0.3, 10**9, 0), "n_sets must be between 20 and 1000"),
        (lambda: poly.learning_curve(3, 0.3, [10, 10**7], 0), "sizes must be 1 to 50 increasing whole numbers"),
        (lambda: poly.learning_curve(3, 0.3, [[10, 20]], 0), "sizes must be 1 to 50 increasing whole numbers"),
        (lambda: poly.learning_curve(3, 0.3, [10], 0, repeats=10**6), "repeats must be between 5 and 200"),
    ],
)
def test_bad_values_get_a_sentence(call, fragment):
    with pytest.raises(ParamError, match=fragment):
        call()


def test_validation_error_peaks_at_the_interpolation_threshold_not_left_of_it():
    """app/pages/fitting.py: degree 12, σ = 0.3: median validation MSE about 0.70 at n = 5, about 1.6e8 at n = 13."""
    lc = poly.learning_curve(12, 0.3, [5, 9, 13, 20], 0)
    val = dict(zip(lc.sizes.tolist(), np.median(lc.val, axis=1), strict=True))
    train = dict(zip(lc.sizes.tolist(), np.median(lc.train, axis=1), strict=True))
    assert train[5] < 1e-20 and train[13] < 1e-15  # both interpolate the training points
    assert val[5] == pytest.approx(0.70, abs=0.02) and val[13] == pytest.approx(1.65e8, rel=0.05)
    assert val[5] < val[9] < val[13] and val[20] < val[13]
