"""Outlier detectors against plain references and scikit-learn, actions and scores as properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import median_abs_deviation
from sklearn.ensemble import IsolationForest
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.neighbors import LocalOutlierFactor
from sklearn.preprocessing import RobustScaler

from neuralab.params import ParamError
from neuralab.signal import outliers


def hampel_reference(x, window, n_sigmas):
    """One window at a time, in plain Python: the definition the vectorised code must equal."""
    n, h = len(x), window // 2
    padded = np.empty(n + 2 * h)  # edges: point reflection through the end samples
    padded[h : h + n] = x
    for k in range(1, h + 1):
        padded[h - k] = 2.0 * x[0] - x[k]
        padded[h + n - 1 + k] = 2.0 * x[n - 1] - x[n - 1 - k]
    med, scale, flags = np.empty(n), np.empty(n), np.zeros(n, dtype=bool)
    for i in range(n):
        w = padded[i : i + window]  # centred on x[i]
        med[i] = np.median(w)
        scale[i] = outliers.MAD_TO_SIGMA * np.median(np.abs(w - med[i]))
        flags[i] = abs(x[i] - med[i]) > n_sigmas * scale[i]
    return med, scale, flags


def spiky_sine(n=600, seed=0, n_glitches=12, size=2.0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    x = np.sin(2 * np.pi * t / 200) + rng.normal(0, 0.05, n)
    truth = np.zeros(n, dtype=bool)
    truth[rng.choice(np.arange(20, n - 20), n_glitches, replace=False)] = True
    x[truth] += size * rng.choice([-1.0, 1.0], truth.sum())
    return x, truth


@pytest.mark.parametrize("chunk", [7, 64, 8192])
@pytest.mark.parametrize(("n", "window"), [(15, 15), (16, 15), (200, 5), (300, 15), (157, 51)])
def test_hampel_equals_the_per_window_reference_including_edges(monkeypatch, chunk, n, window):
    monkeypatch.setattr(outliers, "_CHUNK", chunk)  # blocks of windows must not change anything
    rng = np.random.default_rng(n * window + chunk)
    x = rng.standard_t(3, size=n)
    x[rng.choice(n, n // 10)] += 8.0
    x[n // 2] += 30.0
    med, scale, flags = hampel_reference(x, window, 2.5)
    r = outliers.rolling_stats(x, window)
    np.testing.assert_array_equal(r.median, med)
    np.testing.assert_array_equal(r.scale, scale)
    np.testing.assert_array_equal(outliers.hampel(x, window, 2.5), flags)
    assert flags.any()  # the case is not vacuous


def test_rolling_scale_is_scipys_normal_scaled_mad():
    x = np.random.default_rng(3).normal(size=40)
    r = outliers.rolling_stats(x, 15)
    assert r.scale[20] == pytest.approx(median_abs_deviation(x[13:28], scale="normal"))
    assert outliers.MAD_TO_SIGMA == pytest.approx(1.4826, abs=1e-4)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(1e-2, 1e3),  # amplitude
    st.floats(1e-3, 1.0),  # cycles per window / 10: slow compared with the window
    st.floats(0, 2 * np.pi),  # phase
    st.sampled_from([5, 7, 15, 31, 51]),
    st.floats(2.5, 6.0),  # the docstring's promise: no sample of such a sine reaches 2.5 robust σ
)
def test_hampel_flags_nothing_on_a_clean_slow_sine(amp, slowness, phase, window, n_sigmas):
    cycles_per_sample = slowness / (10 * window)
    x = amp * np.sin(2 * np.pi * cycles_per_sample * np.arange(400) + phase)
    assert not outliers.hampel(x, window, n_sigmas).any()


def test_hampel_catches_isolated_glitches_on_a_moving_signal():
    x, truth = spiky_sine()
    s = outliers.score(outliers.hampel(x, 15, 3.0), truth)
    assert s.recall == 1.0 and s.precision > 0.5


def test_hampel_edges_follow_a_trend_and_never_flag_the_end_samples():
    line = 0.3 * np.arange(40.0) - 2.0
    r = outliers.rolling_stats(line, 15)
    np.testing.assert_allclose(r.median, line, atol=1e-12)  # point reflection keeps a line straight
    x = line.copy()
    x[[0, 2, 37]] += 20.0
    assert np.flatnonzero(outliers.hampel(x, 15, 3.0)).tolist() == [2, 37]  # x[0] is its own window's centre


def test_zscore_and_iqr_on_hand_computed_cases():
    x = np.array([1.0, 2.0, 3.0, 4.0, 100.0])  # mean 22, σ = sqrt(7610 / 5) = 39.01; z(100) = 1.9995
    assert outliers.zscore(x, 1.5).tolist() == [False, False, False, False, True]
    assert not outliers.zscore(x, 2.0).any()
    y = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 100.0])  # Q1 = 3.25, Q3 = 7.75, IQR = 4.5
    assert outliers.iqr(y, 1.5).tolist() == [False] * 9 + [True]  # fences -3.5 and 14.5
    assert np.flatnonzero(outliers.iqr(y, 0.5)).tolist() == [9]  # fences 1.0 and 10.0: 1.0 sits on the fence
    d = outliers.detect(y, "iqr", k=1.5)
    assert d.lower[0] == pytest.approx(-3.5) and d.upper[0] == pytest.approx(14.5)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=10).filter(lambda v: np.std(v) > 1e-3))
def test_zscore_cannot_flag_anything_in_ten_samples_at_three_sigma(values):
    # with ddof=0 no sample of n can lie more than sqrt(n - 1) σ from the mean
    assert not outliers.zscore(np.array(values), 3.0).any()


@pytest.mark.parametrize("method", ["zscore", "iqr", "hampel", "model"])
def test_band_and_mask_agree(method):
    x, _ = spiky_sine(seed=5)
    d = outliers.detect(x, method)
    np.testing.assert_array_equal(d.mask, (x < d.lower) | (x > d.upper))


@pytest.mark.parametrize("method", list(outliers.DETECTORS))
def test_every_detector_finds_a_huge_spike(method):
    x, _ = spiky_sine(n=400, n_glitches=0)
    x[200] += 50.0
    d = outliers.detect(x, **(outliers.OUTLIER.defaults() | {"method": method}))  # the page passes every field
    assert d.mask.shape == x.shape and d.mask.dtype == bool and d.mask[200]
    assert d.method == method and set(outliers.DETECTORS[method].uses) <= set(outliers.OUTLIER.fields)


def test_isolation_forest_is_sklearns_on_the_documented_features():
    x, _ = spiky_sine(seed=2)
    feats = RobustScaler().fit_transform(np.column_stack([x, x - outliers.rolling_stats(x, 15).median]))
    expected = IsolationForest(n_estimators=100, contamination=0.05, random_state=4).fit_predict(feats) == -1
    np.testing.assert_array_equal(outliers.isolation_forest(x, 0.05, seed=4, window=15), expected)
    assert outliers.isolation_forest(x, 0.05, seed=4).sum() == round(0.05 * x.size)


def test_lof_flags_the_contamination_share_and_finds_big_glitches():
    x, truth = spiky_sine(seed=9, size=3.0)
    mask = outliers.lof(x, n_neighbors=20, contamination=0.05)
    assert mask.sum() == round(0.05 * x.size)
    assert outliers.score(mask, truth).recall == 1.0


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(20, 200), st.floats(0.0, 0.6))
def test_winsorize_keeps_the_count_and_changes_only_flagged_samples(seed, n, share):
    rng = np.random.default_rng(seed)
    x = rng.standard_t(2, size=n)
    mask = rng.random(n) < share
    for lower, upper in [(None, None), (-1.0, 1.0)]:
        if mask.all() and lower is None:
            continue
        c = outliers.apply_action(x, mask, "winsorize", lower, upper)
        assert c.values.shape == x.shape and np.array_equal(c.index, np.arange(n))
        np.testing.assert_array_equal(c.values[~mask], x[~mask])
        lo = x[~mask].min() if lower is None else lower
        hi = x[~mask].max() if upper is None else upper
        assert np.all((c.values[mask] >= lo) & (c.values[mask] <= hi))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(20, 200), st.floats(0.0, 0.9), st.sampled_from(["linear", "median"]))
def test_impute_leaves_unflagged_samples_alone(seed, n, share, fill):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    mask = rng.random(n) < share
    mask[rng.integers(n)] = False  # at least one neighbour to interpolate from
    c = outliers.apply_action(x, mask, "impute", fill=fill, window=15)
    np.testing.assert_array_equal(c.values[~mask], x[~mask])
    assert c.values.shape == x.shape


def test_impute_interpolates_linearly_and_holds_the_ends():
    x = np.array([9.0, 1.0, 9.0, 3.0, 9.0, 9.0, 6.0, 9.0])
    mask = np.array([True, False, True, False, True, True, False, True])
    c = outliers.apply_action(x, mask, "impute")
    np.testing.assert_allclose(c.values, [1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 6.0])
    assert c.n_changed == 5


def test_remove_and_flag():
    x = np.arange(6.0)
    mask = np.array([False, True, False, False, True, False])
    r = outliers.apply_action(x, mask, "remove")
    assert r.values.tolist() == [0.0, 2.0, 3.0, 5.0] and r.index.tolist() == [0, 2, 3, 5] and r.n_changed == 2
    f = outliers.apply_action(x, mask, "flag")
    assert np.array_equal(f.values, x) and np.array_equal(f.mask, mask) and f.n_changed == 0


def test_winsorize_with_the_hampel_band_clips_spikes_onto_it():
    x, truth = spiky_sine(seed=4)
    d = outliers.detect(x, "hampel")
    c = outliers.apply_action(x, d.mask, "winsorize", d.lower, d.upper)
    flagged = d.mask
    assert np.all(np.isclose(c.values[flagged], d.lower[flagged]) | np.isclose(c.values[flagged], d.upper[flagged]))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 60), st.floats(0, 1), st.floats(0, 1))
def test_score_matches_sklearn_with_zero_division_one(seed, n, p_flag, p_true):
    rng = np.random.default_rng(seed)
    mask, truth = rng.random(n) < p_flag, rng.random(n) < p_true
    s = outliers.score(mask, truth)
    assert s.precision == pytest.approx(precision_score(truth, mask, zero_division=1.0))
    assert s.recall == pytest.approx(recall_score(truth, mask, zero_division=1.0))
    assert s.f1 == pytest.approx(f1_score(truth, mask, zero_division=1.0))
    assert s.tp + s.fn == truth.sum() and s.tp + s.fp == mask.sum()


def test_score_conventions():
    none = np.zeros(5, dtype=bool)
    assert outliers.score(none, none) == outliers.Score(1.0, 1.0, 1.0, 0, 0, 0)
    assert outliers.score(none, ~none).precision == 1.0 and outliers.score(none, ~none).recall == 0.0
    assert outliers.score(~none, none).precision == 0.0 and outliers.score(~none, none).recall == 1.0


def test_breakdown_zscore_misses_spikes_that_hampel_catches():
    b = outliers.breakdown_demo()
    assert b.zscore.recall < b.hampel.recall
    assert b.spike_z < 3.0 < 10.0 / b.clean_std  # the spikes stand out by 10 clean σ, but not by 3 global σ
    assert b.std > 3 * b.clean_std
    assert b.truth.sum() == 150 and b.x.size == 1150


@pytest.mark.parametrize(("share_pct", "recall_range"), [(5, (0.95, 1.0)), (10, (0.3, 0.7)), (15, (0.0, 0.1))])
def test_breakdown_follows_the_docstring_formula(share_pct, recall_range):
    b = outliers.breakdown_demo(n=5000, share_pct=share_pct, height=10.0, seed=1)
    p = share_pct / (100 + share_pct)
    assert b.spike_z == pytest.approx((1 - p) * 10 / np.sqrt(1 + p * (1 - p) * 100), abs=0.1)
    assert recall_range[0] <= b.zscore.recall <= recall_range[1]
    assert b.hampel.recall > 0.95


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: outliers.zscore(np.ones(50)), "x is constant .*σ"),
        (lambda: outliers.iqr(np.r_[np.zeros(40), 1.0]), "interquartile range of 0"),
        (lambda: outliers.isolation_forest(np.ones(50)), "x is constant"),
        (lambda: outliers.hampel(np.zeros(10), window=15), "x has 10 samples; it needs at least 15"),
        (lambda: outliers.hampel(np.r_[np.zeros(20), np.nan], window=15), "x must be finite"),
        (lambda: outliers.hampel(np.zeros(30), window=14), "window must be"),
        (lambda: outliers.zscore(np.arange(9.0), threshold=0.5), "threshold must be between 1 and 6 σ"),
        (lambda: outliers.lof(np.arange(30.0), n_neighbors=60), "n_neighbors must be between"),
        (lambda: outliers.lof(np.arange(20.0), n_neighbors=20), "LOF needs more than n_neighbors = 20"),
        (lambda: outliers.detect(np.arange(30.0), "kalman"), "method must be one of"),
        (lambda: outliers.apply_action(np.arange(3.0), [1, 0, 1], "flag"), "mask must be an array of True/False"),
        (lambda: outliers.apply_action(np.arange(3.0), np.ones(4, bool), "flag"), r"mask must have shape \(3,\)"),
        (lambda: outliers.apply_action(np.arange(3.0), np.ones(3, bool), "impute"), "every sample is flagged"),
        (lambda: outliers.apply_action(np.arange(3.0), np.ones(3, bool), "delete"), "action must be one of"),
        (lambda: outliers.apply_action(np.arange(3.0), np.ones(3, bool), "winsorize", 1.0, 0.0),
         "lower must not exceed"),
        (lambda: outliers.apply_action(np.arange(3.0), np.ones(3, bool), "winsorize", np.ones(2), 5.0),
         "lower must be"),
        (lambda: outliers.score(np.ones(3, bool), np.ones(4, bool)), r"mask must have shape \(4,\)"),
        (lambda: outliers.breakdown_demo(share_pct=80), "share_pct must be between"),
    ],
)
def test_bad_input_gives_a_sentence_naming_the_parameter(call, words):
    with pytest.raises(ParamError, match=words):
        call()


def test_a_contamination_number_is_a_quota_while_auto_is_a_score_threshold():
    """content/preprocessing.md: with a number the model flags that share of the training samples whatever the data;
    scikit-learn's default 'auto' thresholds the score instead (-0.5 for isolation forest, a factor of 1.5 for LOF),
    and the share it flags on a clean sine is the data's doing: about 32% and 5%."""
    t = np.arange(3000) / 3000
    clean = np.sin(2 * np.pi * 5 * t) + 0.01 * np.random.default_rng(0).normal(size=t.size)
    assert outliers.isolation_forest(clean, 0.05).mean() == pytest.approx(0.05, abs=0.002)
    assert outliers.lof(clean, contamination=0.05).mean() == pytest.approx(0.05, abs=0.002)
    feats = outliers._features(clean, 15)
    auto = IsolationForest(n_estimators=100, random_state=0).fit(feats)
    assert auto.offset_ == -0.5
    flagged = auto.predict(feats) == -1
    np.testing.assert_array_equal(flagged, auto.score_samples(feats) < -0.5)
    assert flagged.mean() == pytest.approx(0.315, abs=0.01)
    lof = LocalOutlierFactor().fit(feats)
    assert lof.offset_ == -1.5
    assert (lof.negative_outlier_factor_ < -1.5).mean() == pytest.approx(0.049, abs=0.005)


# --------------------------------------------------------------------------- on the motor's demo current


def test_trace_outliers_is_detect_act_score_on_the_glitched_demo_current():
    from neuralab.data.motor import demo_trace

    r = outliers.trace_outliers("hampel", 2.5, 0.05, "winsorize", 4)
    tr = demo_trace(4, True)
    det = outliers.detect(tr.noisy, "hampel", threshold=2.5, seed=4)
    np.testing.assert_array_equal(r.detection.mask, det.mask)
    cleaned = outliers.apply_action(tr.noisy, det.mask, "winsorize", det.lower, det.upper)
    np.testing.assert_array_equal(r.cleaned.values, cleaned.values)
    assert r.cleaned.action == "winsorize" and r.trace is tr
    assert r.score == outliers.score(det.mask, tr.glitch_kind == 1)  # scored against the spikes only
    assert outliers.TRACE_OUTLIERS.defaults()["detector"] == "zscore"


def test_trace_outliers_refuses_bad_values_and_masking_takes_threshold_and_seed():
    with pytest.raises(ParamError, match="detector must be one of"):
        outliers.trace_outliers(detector="magic")
    with pytest.raises(ParamError, match="contamination must be between 0.01 and 0.3"):
        outliers.trace_outliers(contamination=0.9)
    assert list(outliers.MASKING.fields) == ["mask_threshold", "seed"]
    assert outliers.MASKING.fields["mask_threshold"].lo == outliers.BREAKDOWN.fields["threshold"].lo


def test_trace_outliers_declares_which_detector_reads_which_field():
    assert outliers.readers("threshold") == ("zscore", "hampel", "model")
    assert outliers.readers("contamination") == ("iforest", "lof")
    spec = outliers.TRACE_OUTLIERS
    assert set(spec.idle({"detector": "zscore"})) == {"contamination"}
    assert set(spec.idle({"detector": "iqr"})) == {"threshold", "contamination"}
    assert set(spec.idle({"detector": "lof"})) == {"threshold"}
    assert set(spec.idle({"detector": "model"})) == {"contamination"}
    # and the declaration is what the library does: an ignored field moves no flag
    for detector, idle in (("zscore", {"contamination": 0.25}), ("iforest", {"threshold": 5.0})):
        a, b = outliers.trace_outliers(detector), outliers.trace_outliers(detector, **idle)
        assert (a.detection.mask == b.detection.mask).all()
    assert (outliers.trace_outliers("zscore").detection.mask != outliers.trace_outliers("zscore", 2.0).detection.mask
            ).any()


def test_model_residual_fit_ignores_spikes_and_recovers_the_physics():
    rng = np.random.default_rng(1)
    t = np.arange(1000) / 1000
    X = outliers.harmonic_regressors(t, 7.0, harmonics=(1, 3))  # (1000, 4)
    coef = np.array([3.0, -1.0, 0.4, 0.2])
    x = X @ coef + rng.normal(0, 0.05, t.size)
    spikes = rng.choice(t.size, 20, replace=False)
    x[spikes] += rng.choice([-1, 1], 20) * 5.0
    d = outliers.detect(x, "model", X, threshold=4.0)
    fit = (d.lower + d.upper) / 2
    np.testing.assert_allclose(fit, X @ coef, atol=0.02)  # the plain least-squares fit would be pulled by 0.1
    assert np.array_equal(np.flatnonzero(d.mask), np.sort(spikes))
    band = (d.upper - d.lower) / 2
    resid = x - fit
    assert band[0] == pytest.approx(4.0 * outliers.MAD_TO_SIGMA * np.median(np.abs(resid - np.median(resid))))


def test_model_residual_with_the_motor_physics_finds_spikes_and_dropouts():
    for seed in range(3):
        r = outliers.trace_outliers("model", seed=seed)
        kind = r.trace.glitch_kind
        assert r.score.recall == 1.0
        assert r.detection.mask[kind == 2].all()  # a dropout to zero is far from the model, though inside the range
        assert outliers.detect(r.trace.noisy, "hampel").mask[kind == 2].sum() < (kind == 2).sum()  # Hampel misses some
        clean_alarms = int((r.detection.mask & (kind == 0)).sum())
        assert clean_alarms <= 12  # about the 0.27 % of Gaussian noise beyond 3 σ in 2,000 samples


def test_model_residual_refuses_bad_regressors():
    x = np.sin(np.arange(100) / 5.0)
    with pytest.raises(ParamError, match="regressors must have shape"):
        outliers.model_residual(x, regressors=np.ones((99, 2)))
    with pytest.raises(ParamError, match="regressors"):
        outliers.model_residual(x, regressors=np.ones(100))
    with pytest.raises(ParamError, match="constant"):
        outliers.model_residual(np.ones(100))
