"""Decimation, aliasing, leak-free transformers and three-phase features, against scipy and scikit-learn."""

import numpy as np
import pytest
import scipy.signal as sps
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.transform import Rotation
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, Normalizer, RobustScaler, StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from neuralab.params import ParamError
from neuralab.signal import pipeline as P

TWO_PI = 2.0 * np.pi


# --------------------------------------------------------------------------- decimation and aliasing


@pytest.mark.parametrize("factor", [2, 4, 13])
def test_decimate_is_scipy_decimate_and_slicing_is_slicing(factor):
    x = np.random.default_rng(factor).normal(size=(3, 500))
    np.testing.assert_array_equal(P.decimate(x[0], factor), sps.decimate(x[0], factor, ftype="iir", zero_phase=True))
    np.testing.assert_array_equal(P.decimate(x, factor), sps.decimate(x, factor, zero_phase=True, axis=-1))
    np.testing.assert_array_equal(P.decimate(x[0], factor, anti_alias=False), x[0, ::factor])


def test_decimate_rejects_bad_input_with_sentences():
    with pytest.raises(ParamError, match="x must hold at least 32 samples to decimate; got 20"):
        P.decimate(np.ones(20), 4)
    with pytest.raises(ParamError, match="factor must be between 2 and 13"):
        P.decimate(np.ones(100), 20)
    with pytest.raises(ParamError, match="x must be finite \\(no NaN or inf\\); got 1 non-finite"):
        P.decimate(np.r_[np.ones(99), np.nan], 2)
    # a constant is fine, but comes out scaled by the filter's 0.05 dB ripple at DC, twice (forwards, backwards)
    np.testing.assert_allclose(P.decimate(np.full(64, 3.0), 2), 3.0 * 10 ** (-0.05 / 10), rtol=1e-9)
    np.testing.assert_array_equal(P.decimate(np.full(64, 3.0), 2, anti_alias=False), 3.0)


@pytest.mark.parametrize(
    ("f", "fs", "alias"),
    [(3300.0, 2500.0, 800.0), (2500.0, 2500.0, 0.0), (1250.0, 2500.0, 1250.0), (90.0, 2500.0, 90.0)],
)
def test_alias_frequency_hand_checked(f, fs, alias):
    assert P.alias_frequency(f, fs) == pytest.approx(alias)
    with pytest.raises(ParamError, match="fs_hz must be a positive, finite frequency in Hz; got 0"):
        P.alias_frequency(f, 0)
    with pytest.raises(ParamError, match="f_hz must be a positive, finite frequency in Hz; got -1"):
        P.alias_frequency(-1.0, fs)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 1e5), st.floats(10.0, 1e4))
def test_sampled_tone_is_indistinguishable_from_its_alias(f, fs):
    a = P.alias_frequency(f, fs)
    assert 0.0 <= a <= fs / 2 + 1e-9
    n = np.arange(64)
    np.testing.assert_allclose(np.cos(TWO_PI * f * n / fs), np.cos(TWO_PI * a * n / fs), atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([4000, 10000, 20000]), st.integers(2, 13), st.floats(0.05, 0.499))
def test_alias_lands_where_predicted_and_the_filter_removes_it(fs, factor, tone_frac):
    tone = tone_frac * fs  # anywhere up to the raw Nyquist frequency
    demo = P.alias_demo(fs, factor, tone)
    df = demo.freqs_new[1]
    assume(abs(demo.alias_hz - demo.wanted_hz) > 6 * df and demo.alias_hz > 3 * df)  # peaks apart, off DC
    assert demo.alias_hz == pytest.approx(P.alias_frequency(tone, fs / factor))
    assert abs(demo.peak_hz_sliced - demo.alias_hz) <= df  # found in the spectrum, within one bin
    assert demo.alias_amp_sliced > 0.8 * P.TONE_AMP  # slicing keeps its full size (Hann scalloping < 16%)
    if tone > 1.2 * demo.fs_new_hz / 2:  # well inside the stop band of the anti-alias filter
        assert demo.alias_amp_filtered < 0.01 * P.TONE_AMP


def test_alias_demo_default_and_rule():
    d = P.alias_demo()  # 3.3 kHz tone, 10 kHz / 4 = 2.5 kHz: it folds to 800 Hz
    assert d.folds and d.alias_hz == pytest.approx(800.0) and d.peak_hz_sliced == pytest.approx(800.0)
    with pytest.raises(ParamError, match="tone_hz must be below the Nyquist frequency fs_hz / 2 = 5000 Hz"):
        P.alias_demo(10000, 4, 6000.0)


def test_amplitude_spectrum_reads_sine_amplitudes_and_dc():
    fs, n = 1000.0, 1000
    t = np.arange(n) / fs
    freqs, amp = P.amplitude_spectrum(0.7 + 2.0 * np.sin(TWO_PI * 50.0 * t), fs)
    assert freqs[50] == 50.0
    assert amp[50] == pytest.approx(2.0) and amp[0] == pytest.approx(0.7)


# --------------------------------------------------------------------------- transformers


@parametrize_with_checks([P.Detrend(), P.Detrend("constant")])
def test_detrend_passes_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("kind", ["linear", "constant"])
def test_detrend_is_scipy_detrend_row_by_row(kind):
    X = np.random.default_rng(0).normal(size=(5, 40)) + np.linspace(0.0, 3.0, 40)
    out = P.Detrend(kind).fit(X[:2]).transform(X)
    np.testing.assert_allclose(out, sps.detrend(X, axis=1, type=kind))
    for row in X:  # each window on its own
        np.testing.assert_allclose(P.Detrend(kind).fit_transform(row[None, :])[0], sps.detrend(row, type=kind))


def test_detrend_rejects_bad_kind_and_nan():
    with pytest.raises(ParamError, match="kind must be one of constant, linear"):
        P.Detrend("quadratic").fit(np.ones((2, 5)))
    with pytest.raises(ParamError, match="X must be finite \\(no NaN or inf\\)"):
        P.Detrend().fit(np.array([[1.0, np.nan, 2.0]]))


def test_normalizer_registry_is_sklearn():
    assert P.NORMALIZERS == {
        "zscore": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler, "unit": Normalizer
    }
    assert [v for v, _ in P.NORMALIZER.options] == list(P.NORMALIZERS)
    sat = P.make_normalizer("minmax", saturate=True)
    assert isinstance(sat, MinMaxScaler) and sat.clip
    with pytest.raises(ParamError, match="saturate needs normalizer 'minmax'"):
        P.make_normalizer("zscore", saturate=True)


def _state(est):
    return {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([*P.NORMALIZERS, "detrend"]),
    arrays(np.float64, (12, 6), elements=st.floats(-1e6, 1e6, allow_subnormal=False)),
)
def test_fitting_on_training_rows_never_reflects_validation_rows(name, new_val):
    X = np.random.default_rng(0).normal(size=(40, 6))
    train = np.arange(28)
    changed = X.copy()
    changed[28:] = new_val  # anything at all in the validation rows

    def fit(data):
        est = P.Detrend() if name == "detrend" else P.make_normalizer(name)
        return est.fit(data[train])

    a, b = fit(X), fit(changed)
    for key, value in _state(a).items():
        np.testing.assert_array_equal(value, _state(b)[key])
    np.testing.assert_array_equal(a.transform(X[train]), b.transform(changed[train]))


# --------------------------------------------------------------------------- three-phase features


def _balanced(amplitude, phase, theta):
    return [amplitude * np.cos(theta + phase - k * TWO_PI / 3) for k in range(3)]


@settings(max_examples=50, deadline=None)
@given(st.floats(0.1, 100.0), st.floats(-np.pi, np.pi), st.floats(0.0, TWO_PI), st.floats(1.0, 400.0))
def test_balanced_currents_give_constant_d_and_q(amplitude, phase, theta0, f_el):
    theta = theta0 + TWO_PI * f_el * np.arange(200) / 10000.0
    ia, ib, ic = _balanced(amplitude, phase, theta)
    i_alpha, i_beta = P.clarke(ia, ib, ic)
    np.testing.assert_allclose(i_alpha, amplitude * np.cos(theta + phase), atol=1e-9 * amplitude)
    np.testing.assert_allclose(i_beta, amplitude * np.sin(theta + phase), atol=1e-9 * amplitude)
    i_d, i_q = P.park(i_alpha, i_beta, theta)
    np.testing.assert_allclose(i_d, amplitude * np.cos(phase), atol=1e-9 * amplitude)  # amplitude-invariant
    np.testing.assert_allclose(i_q, amplitude * np.sin(phase), atol=1e-9 * amplitude)


def test_clarke_ignores_a_common_mode_current_and_matches_its_matrix():
    rng = np.random.default_rng(1)
    iabc = rng.normal(size=(3, 50))
    m = (2.0 / 3.0) * np.array([[1.0, -0.5, -0.5], [0.0, np.sqrt(3) / 2, -np.sqrt(3) / 2]])
    np.testing.assert_allclose(np.vstack(P.clarke(*iabc)), m @ iabc)
    np.testing.assert_allclose(np.vstack(P.clarke(*(iabc + 5.0))), m @ iabc)  # zero sequence cancels


def test_park_is_a_rotation_by_minus_theta():
    rng = np.random.default_rng(2)
    a, b, th = rng.normal(size=(3, 30))
    rotated = Rotation.from_euler("z", -th[:, None]).apply(np.column_stack([a, b, np.zeros(30)]))
    i_d, i_q = P.park(a, b, th)
    np.testing.assert_allclose(np.column_stack([i_d, i_q]), rotated[:, :2], atol=1e-12)


def test_dq_transformer_in_a_pipeline():
    theta = TWO_PI * 50.0 * np.arange(100) / 10000.0
    X = np.column_stack([*_balanced(10.0, 0.3, theta), theta])
    out = make_pipeline(P.dq_transformer()).fit_transform(X)
    np.testing.assert_allclose(out, np.tile([10 * np.cos(0.3), 10 * np.sin(0.3)], (100, 1)), atol=1e-9)
    assert list(P.dq_transformer().fit(X).get_feature_names_out()) == ["i_d", "i_q"]
    with pytest.raises(ParamError, match="X must have 4 columns"):
        P.dq_transformer().fit_transform(X[:, :3])
    with pytest.raises(ParamError, match="ia, ib, ic must have the same shape"):
        P.clarke(np.ones(3), np.ones(3), np.ones(4))


def _harmonic_signal(n, fs, f0, amps=(3.0, 0.4, 0.2)):
    t = np.arange(n) / fs
    return sum(a * np.sin(TWO_PI * h * f0 * t + 0.3 * h) for a, h in zip(amps, (1, 5, 7), strict=True))


def test_fft_harmonics_reads_known_amplitudes():
    fs = 10000.0
    exact = P.fft_harmonics(_harmonic_signal(2000, fs, 50.0), fs, 50.0)  # 10 whole periods
    np.testing.assert_allclose(exact, [3.0, 0.4, 0.2], rtol=1e-9)
    off_bin = _harmonic_signal(2037, fs, 47.3)  # no whole number of periods
    np.testing.assert_allclose(P.fft_harmonics(off_bin, fs, 47.3, taper="flattop"), [3.0, 0.4, 0.2], rtol=2e-3)
    assert P.fft_harmonics(off_bin, fs, 47.3, taper="hann")[0] < 2.95  # Hann scalloping reads low
    windows = np.vstack([_harmonic_signal(2000, fs, 50.0, (a, 0.1, 0.0)) for a in (1.0, 2.0)])
    np.testing.assert_allclose(P.harmonics_transformer(fs, 50.0).fit_transform(windows), [[1, 0.1, 0], [2, 0.1, 0]],
                               atol=1e-9)


def test_fft_harmonics_rejects_bad_input_with_sentences():
    with pytest.raises(ParamError, match="window must hold at least 3 periods of f0 with the hann taper \\(600"):
        P.fft_harmonics(np.ones(100), 10000.0, 50.0)
    with pytest.raises(ParamError, match="harmonics must stay below the Nyquist frequency fs / 2 = 5000 Hz"):
        P.fft_harmonics(np.ones(2000), 10000.0, 50.0, harmonics=(1, 101))
    with pytest.raises(ParamError, match="harmonics must be 1 to 50 whole numbers"):
        P.fft_harmonics(np.ones(2000), 10000.0, 50.0, harmonics=(0, 5))
    with pytest.raises(ParamError, match="f0 must be a positive, finite frequency in Hz; got nan"):
        P.fft_harmonics(np.ones(2000), 10000.0, float("nan"))
    with pytest.raises(ParamError, match="taper must be one of"):
        P.fft_harmonics(np.ones(2000), 10000.0, 50.0, taper="kaiser")


def test_hilbert_envelope_recovers_the_modulation():
    fs, n = 1000.0, 1000
    t = np.arange(n) / fs
    a = 1.0 + 0.5 * np.cos(TWO_PI * 5.0 * t)
    am = a * np.cos(TWO_PI * 100.0 * t)
    np.testing.assert_allclose(P.hilbert_envelope(am), a, atol=1e-9)  # whole periods: exact
    rough = a[:937] * np.cos(TWO_PI * 100.0 * t[:937])  # not periodic: ringing at the ends only
    np.testing.assert_allclose(P.hilbert_envelope(rough)[100:-100], a[100:837], atol=0.02)
    np.testing.assert_allclose(P.envelope_transformer().fit_transform(np.vstack([am, 2 * am])), [a, 2 * a], atol=1e-9)
    with pytest.raises(ParamError, match="x must hold at least 8 samples for an envelope; got 5"):
        P.hilbert_envelope(np.ones(5))


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(2, 60), elements=st.floats(-1e3, 1e3)), st.integers(2, 10))
def test_rolling_stats_match_a_loop(x, window):
    if len(x) < window:
        with pytest.raises(ParamError, match=f"x must be at least as long as the window \\({window} samples\\)"):
            P.rolling_stats(x, window)
        return
    r = P.rolling_stats(x, window)
    for j, end in enumerate(r.end):
        seg = x[end - window + 1 : end + 1]
        assert r.mean[j] == pytest.approx(seg.mean(), abs=1e-9)
        assert r.std[j] == pytest.approx(seg.std(ddof=1), abs=1e-6)
        assert r.min[j] == seg.min() and r.max[j] == seg.max()
    assert r.end[0] == window - 1 and r.end[-1] == len(x) - 1


def test_rolling_stats_reject_bad_windows():
    with pytest.raises(ParamError, match="window must be between 2 and 1000"):
        P.rolling_stats(np.ones(10), 1)
    with pytest.raises(ParamError, match="x must be finite"):
        P.rolling_stats([1.0, np.inf, 2.0], 2)


# --------------------------------------------------------------------------- leakage through preprocessing


def _drifting(n=1000, seed=0):
    """Load and speed stay put; the winding heats up over the log, so the tail is hotter than any training row."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    temp = 20.0 + 100.0 * (t / n) ** 1.5 + rng.normal(0.0, 2.0, n)
    load, speed = rng.uniform(0.0, 1.0, (2, n))
    y = 10 * load * (1 + 0.004 * (temp - 20)) + 0.3 * speed + 0.05 * temp + rng.normal(0.0, 0.2, n)
    return np.column_stack([load, speed, temp]), y, t


def test_saturating_inputs_make_the_leaky_score_look_far_better_under_drift():
    X, y, t = _drifting()
    res = P.pipeline_leak(X, y, t, 0.7, "minmax", "saturate", "ridge")
    assert res.out_of_range[2] > 0.5  # most of the tail is hotter than any training row
    assert res.honest_rmse > 1.5 * res.leaky_rmse and res.gap > 0.3


def test_honest_arm_is_a_pipeline_fitted_on_the_oldest_rows():
    X, y, t = _drifting()
    shuffled = np.random.default_rng(5).permutation(len(y))  # time order, not row order, decides the split
    res = P.pipeline_leak(X[shuffled], y[shuffled], t[shuffled], 0.7, "zscore", "extrapolate", "ridge")
    pipe = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(X[:700], y[:700])
    np.testing.assert_allclose(res.pred_honest, pipe.predict(X[700:]))
    leaky_scaler = StandardScaler().fit(X)
    ridge = Ridge(alpha=1.0).fit(leaky_scaler.transform(X[:700]), y[:700])
    np.testing.assert_allclose(res.pred_leaky, ridge.predict(leaky_scaler.transform(X[700:])))
    assert abs(res.gap) < 0.01 * res.honest_rmse  # an affine scaler barely matters to a linear model


def test_a_normalizer_that_learns_nothing_cannot_leak():
    X, y, t = _drifting()
    res = P.pipeline_leak(X, y, t, 0.7, "unit", "extrapolate", "knn")
    assert res.gap == 0.0
    np.testing.assert_array_equal(res.pred_leaky, res.pred_honest)


@settings(max_examples=20, deadline=None)
@given(st.integers(700, 999), st.floats(-1e4, 1e4), st.sampled_from(list(P.NORMALIZERS)))
def test_changing_a_tail_row_moves_no_other_honest_prediction(row, value, normalizer):
    X, y, t = _drifting(seed=1)
    base = P.pipeline_leak(X, y, t, 0.7, normalizer, "extrapolate", "ridge")
    X2 = X.copy()
    X2[row, 2] = value
    res = P.pipeline_leak(X2, y, t, 0.7, normalizer, "extrapolate", "ridge")
    others = res.test != row
    np.testing.assert_array_equal(res.pred_honest[others], base.pred_honest[others])
    if normalizer in ("zscore", "minmax") and abs(value) > 1000:  # the leaky arm does see the change
        assert not np.array_equal(res.pred_leaky[others], base.pred_leaky[others])


def test_pipeline_leak_rejects_bad_input_with_sentences():
    X, y, t = _drifting(100)
    with pytest.raises(ParamError, match="inputs 'saturate' needs normalizer 'minmax'"):
        P.pipeline_leak(X, y, t, normalizer="robust")
    with pytest.raises(ParamError, match="split_frac must be between 0.5 and 0.9"):
        P.pipeline_leak(X, y, t, split_frac=0.95)
    with pytest.raises(ParamError, match="time_order must have one entry per row of X \\(100\\); got 99"):
        P.pipeline_leak(X, y, t[:-1])
    with pytest.raises(ParamError, match="X must have at least 20 rows to split; got 10"):
        P.pipeline_leak(X[:10], y[:10], t[:10])
    bad = y.copy()
    bad[3] = np.nan
    with pytest.raises(ParamError, match="y must be finite \\(no NaN or inf\\); got 1 non-finite"):
        P.pipeline_leak(X, bad, t)


def test_park_on_the_motor_dataset_gives_zero_d_and_its_torque_current():
    from neuralab.data import motor as M
    log = M.motor_log(cycles=2, seconds=0.2, fs=5000, seed=0)
    alpha, beta = P.clarke(log.ia_clean, log.ib_clean, log.ic_clean)
    i_d, i_q = P.park(alpha, beta, log.theta)
    # motor.py uses the same convention: θ is the rotor d-axis (magnet flux) angle, i_d = 0, i_q = +amplitude
    np.testing.assert_allclose(i_q, M.park_q(log.ia_clean, log.ib_clean, log.ic_clean, log.theta), atol=1e-9)
    ripple = (M.CONSTANTS.h5 + M.CONSTANTS.h7) * log.amplitude + 1e-9  # the 5th and 7th harmonics, at 6θ
    assert np.all(np.abs(i_d) <= ripple) and np.all(np.abs(i_q - log.amplitude) <= ripple)
    assert np.all(log.torque_nm > 0) and np.all(i_q > 0)  # motoring: i_q has the sign of the torque


# --------------------------------------------------------------------------- on the motor


def test_bench_leak_is_pipeline_leak_on_the_bench_windows():
    from neuralab.data.motor import bench_windows

    r = P.bench_leak(0.6, "saturate", 0)
    w = bench_windows(0)
    ref = P.pipeline_leak(w.X_temp, w.y, w.t, 0.6, "minmax", "saturate", "ridge", 0)
    assert r.windows is w and r.leak.honest_rmse == ref.honest_rmse and r.leak.leaky_rmse == ref.leaky_rmse
    assert r.leak.gap > 0  # the leak flatters the model when the inputs saturate
    with pytest.raises(ParamError, match="split_frac must be between 0.5 and 0.9"):
        P.bench_leak(0.95)


def test_aliasing_declares_the_page_range_below_the_nyquist_frequency():
    assert P.ALIASING.fields["factor"] is P.FACTOR
    assert P.ALIASING.fields["tone_hz"].hi < P.ALIASING_FS_HZ / 2
    with pytest.raises(ParamError, match="tone_hz must be between 100 and 4900"):
        P.ALIASING.validate(factor=4, tone_hz=6000)
