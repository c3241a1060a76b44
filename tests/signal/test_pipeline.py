"""The signal pipeline: each transformer against scipy and scikit-learn's contract, fitting on training cycles only,
the ablation's variants, and the wrong orders costing error on the default seeds."""

import numpy as np
import pytest
from scipy import signal
from scipy.ndimage import uniform_filter1d
from sklearn.base import clone
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, RobustScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from neuralab.params import ParamError
from neuralab.signal import outliers
from neuralab.signal import pipeline as p

# The windowed transformers refuse rows shorter than their window: a deliberate sentence, not a bug. scikit-learn's
# checks hand them 2–5 columns in the checks below, so these are expected to fail (the others all run).
_SHORT_ROWS = "the checks' rows hold fewer samples than one window, which the transformer refuses by design"
_HAMPEL_SHORT = {name: _SHORT_ROWS for name in (
    "check_fit_score_takes_y", "check_estimators_overwrite_params", "check_estimators_fit_returns_self",
    "check_readonly_memmap_input", "check_pipeline_consistency",
    "check_estimators_pickle", "check_f_contiguous_array_estimator", "check_transformer_data_not_an_array",
    "check_transformer_general", "check_transformer_preserve_dtypes", "check_methods_sample_order_invariance",
    "check_methods_subset_invariance", "check_dict_unchanged", "check_fit_idempotent", "check_fit_check_is_fitted",
    "check_n_features_in", "check_n_features_in_after_fitting", "check_dont_overwrite_parameters",
    "check_fit2d_predict1d", "check_positive_only_tag_during_fit", "check_estimators_nan_inf")}
_SMOOTH_SHORT = {name: _SHORT_ROWS for name in (
    "check_estimators_overwrite_params", "check_estimators_fit_returns_self", "check_readonly_memmap_input",
    "check_fit_idempotent", "check_fit_check_is_fitted", "check_n_features_in")}


def _expected(est):
    if isinstance(est, p.Hampel):
        return _HAMPEL_SHORT
    if isinstance(est, p.Smooth):
        return _SMOOTH_SHORT
    return {}


# Decimate with its filter needs 32 samples per kept sample per row, more than any check supplies: the filtered
# path is checked against scipy.signal.decimate below instead.
@parametrize_with_checks(
    [p.Decimate(1), p.Decimate(2, "none"), p.Hampel(5), p.Smooth(window=3, order=1), p.Smooth("moving_average", 3),
     p.SignalScaler(), p.SignalScaler("minmax"), p.SignalScaler("robust"), p.WindowFeatures(1, 2)],
    expected_failed_checks=_expected)
def test_transformers_pass_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _windows(m=6, n=400, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 2500
    return 5 * np.sin(2 * np.pi * 60 * t + rng.uniform(0, 6, (m, 1))) + rng.normal(0, 0.2, (m, n))


def test_decimate_is_scipy_decimate_and_the_wrong_orders_are_what_they_say():
    X = _windows(n=800)
    np.testing.assert_allclose(p.Decimate(4).fit_transform(X), signal.decimate(X, 4, ftype="iir", axis=1))
    np.testing.assert_array_equal(p.Decimate(4, "none").fit_transform(X), X[:, ::4])
    b, a = signal.cheby1(8, 0.05, 0.8)
    np.testing.assert_allclose(p.Decimate(4, "after").fit_transform(X), signal.filtfilt(b, a, X[:, ::4], axis=1))
    np.testing.assert_array_equal(p.Decimate(1).fit_transform(X), X)


def test_a_tone_above_the_new_nyquist_folds_unless_filtered_first():
    t = np.arange(4000) / 10_000
    X = np.sin(2 * np.pi * 2450 * t)[None, :]  # folds to 50 Hz at 2.5 kHz
    rms = {how: float(np.sqrt(np.mean(p.Decimate(4, how).fit_transform(X)[:, 50:-50] ** 2)))
           for how in p.FILTERS}
    assert rms["before"] < 0.01
    assert rms["none"] > 0.6 and rms["after"] > 0.6  # the fold passes a filter run after the slice


def test_hampel_replaces_what_the_outliers_module_flags_by_the_rolling_median():
    X = _windows()
    X[0, 100] += 30.0
    X[3, 250:253] = 0.0
    out = p.Hampel(15, 3.0).fit_transform(X)
    for row, got in zip(X, out, strict=True):
        flags = outliers.hampel(row, 15, 3.0)
        r = outliers.rolling_stats(row, 15)
        np.testing.assert_allclose(got[flags], r.median[flags])
        np.testing.assert_array_equal(got[~flags], row[~flags])
    assert abs(out[0, 100] - X[0, 99]) < 2.0


def test_smooth_is_scipy_savgol_or_uniform_filter_per_row():
    X = _windows()
    np.testing.assert_allclose(p.Smooth("savgol", 15, 3).fit_transform(X),
                               signal.savgol_filter(X, 15, 3, axis=1, mode="interp"))
    np.testing.assert_allclose(p.Smooth("moving_average", 15).fit_transform(X),
                               uniform_filter1d(X, 15, axis=1, mode="nearest"))


@pytest.mark.parametrize(("method", "cls"), [("minmax", MinMaxScaler), ("robust", RobustScaler)])
def test_signal_scaler_pools_every_training_sample_into_one_column(method, cls):
    X = _windows() + 2.0
    s = p.SignalScaler(method).fit(X[:4])
    ref = cls().fit(X[:4].reshape(-1, 1))
    np.testing.assert_allclose(s.transform(X[4:]), ref.transform(X[4:].reshape(-1, 1)).reshape(2, -1))


def test_window_features_read_the_amplitude_of_a_sine():
    n = 2000
    t = np.arange(n) / 2500
    X = np.vstack([a * np.sin(2 * np.pi * 50 * t) for a in (1.0, 2.0, 4.0)])
    F = p.WindowFeatures(8, 25).fit_transform(X)
    names = list(p.WindowFeatures().get_feature_names_out())
    assert F.shape == (3, 12) and names[0] == "band_0" and names[-2] == "envelope_mean"
    np.testing.assert_allclose(F[:, 0], [1.0, 2.0, 4.0], rtol=0.02)  # 50 Hz lies in the first band
    np.testing.assert_allclose(F[:, names.index("envelope_mean")], [1.0, 2.0, 4.0], rtol=0.02)


def test_bad_parameters_get_sentences():
    with pytest.raises(ParamError, match="filter must be one of before, none, after"):
        p.Decimate(4, "later").fit(_windows(n=800))
    with pytest.raises(ParamError, match="window must be an odd whole number from 5 to 51; got 4"):
        p.Hampel(4).fit(_windows())
    with pytest.raises(ParamError, match="X must hold at least 128 samples per row"):
        p.Decimate(4).fit(np.ones((2, 100)))
    with pytest.raises(ParamError, match="method must be one of zscore, minmax, robust"):
        p.SignalScaler("unit").fit(_windows())
    with pytest.raises(ParamError, match="variant must be one of full"):
        p.build("backwards")
    with pytest.raises(ParamError, match="groups must have one entry per row of X"):
        p.evaluate(np.ones((4, 600)), np.ones(4), [0, 1], 10_000)
    with pytest.raises(ParamError, match="n_splits must be a whole number from 2 to the number of groups"):
        p.evaluate(_windows(n=800), np.ones(6), [0, 0, 1, 1, 2, 2], 10_000, n_splits=5)


# --------------------------------------------------------------------------- the pipeline on the bench data


def test_the_pipeline_has_the_canonical_order_and_clones():
    pipe = p.build("full", 10_000)
    assert [n for n, _ in pipe.steps] == list(p.STAGES)
    assert pipe["decimate"].factor == 4 and pipe["decimate"].filter == "before"
    assert clone(pipe).get_params()["smooth__window"] == 15
    pipe.set_params(smooth__window=21)
    assert pipe["smooth"].window == 21


def test_the_scaler_learns_from_the_training_cycles_only():
    d = p.pipeline_data(seed=0)
    train = d.groups < 9
    pipe = p.build("full", d.rate).fit(d.X[train], d.y[train])
    before = pipe[:4].transform(d.X[train])  # what the scaler saw
    assert pipe["normalize"].scaler_.mean_[0] == pytest.approx(before.mean())
    everything = pipe[:4].transform(d.X)
    assert abs(pipe["normalize"].scaler_.mean_[0] - everything.mean()) > 1e-6  # not the all-rows mean


def test_evaluate_keeps_each_cycle_in_one_fold_on_the_users_arrays():
    d = p.pipeline_data(seed=1)
    v = p.evaluate(np.asarray(d.X), d.y, d.groups, d.rate)
    assert v.pred.shape == d.y.shape and len(v.fold_rmse) == p.N_SPLITS
    assert v.rmse == pytest.approx(np.sqrt(np.mean((v.pred - d.y) ** 2)))
    assert v.rmse < 0.1 * d.y.std()  # the features carry the amplitude


@pytest.mark.parametrize(("variant", "check"), [
    ("no_decimate", lambda pipe: pipe["decimate"].factor == 1),
    ("no_detrend", lambda pipe: "detrend" not in pipe.named_steps),
    ("no_hampel", lambda pipe: "hampel" not in pipe.named_steps),
    ("no_smooth", lambda pipe: "smooth" not in pipe.named_steps),
    ("no_normalize", lambda pipe: "normalize" not in pipe.named_steps),
    ("moving_average", lambda pipe: pipe["smooth"].kind == "moving_average"),
    ("minmax", lambda pipe: pipe["normalize"].method == "minmax"),
    ("robust", lambda pipe: pipe["normalize"].method == "robust"),
    ("raw", lambda pipe: isinstance(pipe["features"], FunctionTransformer)),
    ("smooth_first", lambda pipe: [n for n, _ in pipe.steps].index("smooth") < [n for n, _ in pipe.steps].index(
        "hampel")),
    ("no_antialias", lambda pipe: pipe["decimate"].filter == "none"),
    ("filter_after", lambda pipe: pipe["decimate"].filter == "after"),
])
def test_each_variant_changes_what_it_claims_and_nothing_else(variant, check):
    pipe, full = p.build(variant), p.build("full")
    assert check(pipe) and not check(full)
    differ = {n for n, s in pipe.steps if n not in full.named_steps or repr(s) != repr(full[n])}
    differ |= {n for n in full.named_steps if n not in pipe.named_steps}
    assert len(differ) <= 2 and "model" not in differ


@pytest.fixture(scope="module")
def default_ablation():
    return p.ablate()  # the page's default run: 3 seeds, 12 cycles


def test_the_wrong_orders_cost_error_on_the_default_seeds(default_ablation):
    a = default_ablation
    full = a.rmse[a.variants.index("full")]
    for wrong in p.WRONG:
        worse = a.rmse[a.variants.index(wrong)]
        assert np.all(worse > full), wrong  # on every seed, not only on average
    assert a.of("no_antialias")[0] > 2 * a.of("full")[0]
    assert a.of("raw")[0] > a.y_std  # raw samples are worse than predicting the mean


def test_the_ablation_reports_mean_and_std_over_seeds(default_ablation):
    a = default_ablation
    assert a.rmse.shape == (len(p.VARIANTS), 3) and a.seeds == (0, 1, 2)
    np.testing.assert_allclose(a.mean, a.rmse.mean(axis=1))
    np.testing.assert_allclose(a.std, a.rmse.std(axis=1, ddof=1))
    seen = []
    p.ablate(n_seeds=2, variants=("full", "raw"), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (4, 4)


def test_the_ablation_runs_on_the_users_own_recordings(default_ablation):
    sets = [(np.asarray(d.X), d.y, d.groups, d.rate) for d in (p.pipeline_data(0), p.pipeline_data(1))]
    own = p.ablate(variants=("full", "no_antialias"), data=sets)
    assert own.seeds == (0, 1)
    np.testing.assert_allclose(own.rmse[0], default_ablation.rmse[0, :2])
    with pytest.raises(ParamError, match="data must hold 2 to 100"):
        p.ablate(data=sets[:1])


def test_the_stage_view_shows_one_window_before_and_after():
    v = p.stage_view("decimate", 21, 0)
    assert len(v.x_in) == 2000 and len(v.x_out) == 500 and v.rate_out == 2500
    h = p.stage_view("hampel", 21, 0)
    assert h.glitches > 0 and h.changed > 0
    n = p.stage_view("normalize", 21, 0)
    assert abs(n.x_out.std() - 1) < 1  # z units now
    f = p.stage_view("features", 21, 0)
    assert f.rolling_std is not None and len(f.features) == 12
    assert abs(f.pred - f.truth) < 1.0
    with pytest.raises(ParamError, match="window must be between 0 and 119"):
        p.stage_view("hampel", 500, 0)
