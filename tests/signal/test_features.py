"""Detrending and three-phase current features, against scipy, scikit-learn and the motor's own physics."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import signal
from scipy.spatial.transform import Rotation
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from neuralab.params import ParamError
from neuralab.signal import features

TWO_PI = 2.0 * np.pi


# --------------------------------------------------------------------------- detrending


@parametrize_with_checks([features.Detrend(), features.Detrend("constant")])
def test_detrend_passes_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("kind", ["linear", "constant"])
def test_detrend_is_scipy_detrend_row_by_row(kind):
    X = np.random.default_rng(0).normal(size=(5, 40)) + np.linspace(0.0, 3.0, 40)
    out = features.Detrend(kind).fit(X[:2]).transform(X)
    np.testing.assert_allclose(out, signal.detrend(X, axis=1, type=kind))
    for row in X:  # each window on its own
        np.testing.assert_allclose(features.Detrend(kind).fit_transform(row[None, :])[0],
                                   signal.detrend(row, type=kind))


def test_detrend_rejects_bad_kind_and_nan():
    with pytest.raises(ParamError, match="kind must be one of constant, linear"):
        features.Detrend("quadratic").fit(np.ones((2, 5)))
    with pytest.raises(ParamError, match="X must be finite \\(no NaN or inf\\)"):
        features.Detrend().fit(np.array([[1.0, np.nan, 2.0]]))


# --------------------------------------------------------------------------- three-phase features


def _balanced(amplitude, phase, theta):
    return [amplitude * np.cos(theta + phase - k * TWO_PI / 3) for k in range(3)]


@settings(max_examples=50, deadline=None)
@given(st.floats(0.1, 100.0), st.floats(-np.pi, np.pi), st.floats(0.0, TWO_PI), st.floats(1.0, 400.0))
def test_balanced_currents_give_constant_d_and_q(amplitude, phase, theta0, f_el):
    theta = theta0 + TWO_PI * f_el * np.arange(200) / 10000.0
    ia, ib, ic = _balanced(amplitude, phase, theta)
    i_alpha, i_beta = features.clarke(ia, ib, ic)
    np.testing.assert_allclose(i_alpha, amplitude * np.cos(theta + phase), atol=1e-9 * amplitude)
    np.testing.assert_allclose(i_beta, amplitude * np.sin(theta + phase), atol=1e-9 * amplitude)
    i_d, i_q = features.park(i_alpha, i_beta, theta)
    np.testing.assert_allclose(i_d, amplitude * np.cos(phase), atol=1e-9 * amplitude)  # amplitude-invariant
    np.testing.assert_allclose(i_q, amplitude * np.sin(phase), atol=1e-9 * amplitude)


def test_clarke_ignores_a_common_mode_current_and_matches_its_matrix():
    rng = np.random.default_rng(1)
    iabc = rng.normal(size=(3, 50))
    m = (2.0 / 3.0) * np.array([[1.0, -0.5, -0.5], [0.0, np.sqrt(3) / 2, -np.sqrt(3) / 2]])
    np.testing.assert_allclose(np.vstack(features.clarke(*iabc)), m @ iabc)
    np.testing.assert_allclose(np.vstack(features.clarke(*(iabc + 5.0))), m @ iabc)  # zero sequence cancels


def test_park_is_a_rotation_by_minus_theta():
    rng = np.random.default_rng(2)
    a, b, th = rng.normal(size=(3, 30))
    rotated = Rotation.from_euler("z", -th[:, None]).apply(np.column_stack([a, b, np.zeros(30)]))
    i_d, i_q = features.park(a, b, th)
    np.testing.assert_allclose(np.column_stack([i_d, i_q]), rotated[:, :2], atol=1e-12)


def test_dq_transformer_in_a_pipeline():
    theta = TWO_PI * 50.0 * np.arange(100) / 10000.0
    X = np.column_stack([*_balanced(10.0, 0.3, theta), theta])
    out = make_pipeline(features.dq_transformer()).fit_transform(X)
    np.testing.assert_allclose(out, np.tile([10 * np.cos(0.3), 10 * np.sin(0.3)], (100, 1)), atol=1e-9)
    assert list(features.dq_transformer().fit(X).get_feature_names_out()) == ["i_d", "i_q"]
    with pytest.raises(ParamError, match="X must have 4 columns"):
        features.dq_transformer().fit_transform(X[:, :3])
    with pytest.raises(ParamError, match="ia, ib, ic must have the same shape"):
        features.clarke(np.ones(3), np.ones(3), np.ones(4))


def _harmonic_signal(n, fs, f0, amps=(3.0, 0.4, 0.2)):
    t = np.arange(n) / fs
    return sum(a * np.sin(TWO_PI * h * f0 * t + 0.3 * h) for a, h in zip(amps, (1, 5, 7), strict=True))


def test_fft_harmonics_reads_known_amplitudes():
    fs = 10000.0
    exact = features.fft_harmonics(_harmonic_signal(2000, fs, 50.0), fs, 50.0)  # 10 whole periods
    np.testing.assert_allclose(exact, [3.0, 0.4, 0.2], rtol=1e-9)
    off_bin = _harmonic_signal(2037, fs, 47.3)  # no whole number of periods
    np.testing.assert_allclose(features.fft_harmonics(off_bin, fs, 47.3, taper="flattop"), [3.0, 0.4, 0.2], rtol=2e-3)
    assert features.fft_harmonics(off_bin, fs, 47.3, taper="hann")[0] < 2.95  # Hann scalloping reads low
    windows = np.vstack([_harmonic_signal(2000, fs, 50.0, (a, 0.1, 0.0)) for a in (1.0, 2.0)])
    np.testing.assert_allclose(features.harmonics_transformer(fs, 50.0).fit_transform(windows),
                               [[1, 0.1, 0], [2, 0.1, 0]], atol=1e-9)


def test_fft_harmonics_rejects_bad_input_with_sentences():
    with pytest.raises(ParamError, match="window must hold at least 3 periods of f0 with the hann taper \\(600"):
        features.fft_harmonics(np.ones(100), 10000.0, 50.0)
    with pytest.raises(ParamError, match="harmonics must stay below the Nyquist frequency fs / 2 = 5000 Hz"):
        features.fft_harmonics(np.ones(2000), 10000.0, 50.0, harmonics=(1, 101))
    with pytest.raises(ParamError, match="harmonics must be 1 to 50 whole numbers"):
        features.fft_harmonics(np.ones(2000), 10000.0, 50.0, harmonics=(0, 5))
    with pytest.raises(ParamError, match="f0 must be a positive, finite frequency in Hz; got nan"):
        features.fft_harmonics(np.ones(2000), 10000.0, float("nan"))
    with pytest.raises(ParamError, match="taper must be one of"):
        features.fft_harmonics(np.ones(2000), 10000.0, 50.0, taper="kaiser")


def test_hilbert_envelope_recovers_the_modulation():
    fs, n = 1000.0, 1000
    t = np.arange(n) / fs
    a = 1.0 + 0.5 * np.cos(TWO_PI * 5.0 * t)
    am = a * np.cos(TWO_PI * 100.0 * t)
    np.testing.assert_allclose(features.hilbert_envelope(am), a, atol=1e-9)  # whole periods: exact
    rough = a[:937] * np.cos(TWO_PI * 100.0 * t[:937])  # not periodic: ringing at the ends only
    np.testing.assert_allclose(features.hilbert_envelope(rough)[100:-100], a[100:837], atol=0.02)
    np.testing.assert_allclose(features.envelope_transformer().fit_transform(np.vstack([am, 2 * am])), [a, 2 * a],
                               atol=1e-9)
    with pytest.raises(ParamError, match="x must hold at least 8 samples for an envelope; got 5"):
        features.hilbert_envelope(np.ones(5))


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(2, 60), elements=st.floats(-1e3, 1e3)), st.integers(2, 10))
def test_rolling_stats_match_a_loop(x, window):
    if len(x) < window:
        with pytest.raises(ParamError, match=f"x must be at least as long as the window \\({window} samples\\)"):
            features.rolling_stats(x, window)
        return
    r = features.rolling_stats(x, window)
    for j, end in enumerate(r.end):
        seg = x[end - window + 1 : end + 1]
        assert r.mean[j] == pytest.approx(seg.mean(), abs=1e-9)
        assert r.std[j] == pytest.approx(seg.std(ddof=1), abs=1e-6)
        assert r.min[j] == seg.min() and r.max[j] == seg.max()
    assert r.end[0] == window - 1 and r.end[-1] == len(x) - 1


def test_rolling_stats_reject_bad_windows():
    with pytest.raises(ParamError, match="window must be between 2 and 1000"):
        features.rolling_stats(np.ones(10), 1)
    with pytest.raises(ParamError, match="x must be finite"):
        features.rolling_stats([1.0, np.inf, 2.0], 2)


def test_park_on_the_motor_dataset_gives_zero_d_and_its_torque_current():
    from neuralab.data import motor
    log = motor.motor_log(cycles=2, seconds=0.2, fs=5000, seed=0)
    alpha, beta = features.clarke(log.ia_clean, log.ib_clean, log.ic_clean)
    i_d, i_q = features.park(alpha, beta, log.theta)
    # motor.py uses the same convention: θ is the rotor d-axis (magnet flux) angle, i_d = 0, i_q = +amplitude
    np.testing.assert_allclose(i_q, motor.park_q(log.ia_clean, log.ib_clean, log.ic_clean, log.theta), atol=1e-9)
    ripple = (motor.CONSTANTS.h5 + motor.CONSTANTS.h7) * log.amplitude + 1e-9  # the 5th and 7th harmonics, at 6θ
    assert np.all(np.abs(i_d) <= ripple) and np.all(np.abs(i_q - log.amplitude) <= ripple)
    assert np.all(log.torque_nm > 0) and np.all(i_q > 0)  # motoring: i_q has the sign of the torque
