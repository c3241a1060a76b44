"""The PMSM bench log: physics against hand-checked formulas, glitches against their mask, properties."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression

from neuralab.data import motor
from neuralab.params import ParamError
from neuralab.signal.features import clarke, park

C = motor.CONSTANTS
BETA = 2 * np.pi / 3


@pytest.fixture(scope="module")
def log() -> motor.MotorLog:
    return motor.motor_log(cycles=12, seconds=1.0, fs=10000, glitch_rate=0.002, seed=3)


@pytest.fixture(scope="module")
def windows(log) -> motor.MotorWindows:
    return motor.motor_windows(log, 0.05)


def _arrays(obj) -> dict[str, np.ndarray]:
    values = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    return {k: v for k, v in values.items() if isinstance(v, np.ndarray)}


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True."""
    edges = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_arrays_other_seed_other_arrays():
    a, b = motor.motor_log(3, 0.5, 4000, 0.005, 7), motor.motor_log(3, 0.5, 4000, 0.005, 7)
    for name, arr in _arrays(a).items():
        assert np.array_equal(arr, getattr(b, name)), name
    c = motor.motor_log(3, 0.5, 4000, 0.005, 8)
    for name in ("ia", "ia_clean", "speed_rpm", "torque_nm", "temp_c", "glitch_kind"):
        assert not np.array_equal(getattr(a, name), getattr(c, name)), name
    t1, t2 = motor.current_trace(seed=5), motor.current_trace(seed=5)
    assert all(np.array_equal(v, getattr(t2, k)) for k, v in _arrays(t1).items())
    assert not np.array_equal(t1.noisy, motor.current_trace(seed=6).noisy)


# --------------------------------------------------------------------------- physics


def test_resistance_and_flux_follow_the_linear_laws():
    # hand-checked: copper +39.3 % over 100 K, NdFeB −12 % over 100 K
    np.testing.assert_allclose(motor.winding_resistance([20.0, 120.0, -20.0]),
                               [0.25, 0.25 * 1.393, 0.25 * (1 - 0.1572)])
    np.testing.assert_allclose(motor.flux_linkage([20.0, 120.0, 70.0]), [0.15, 0.15 * 0.88, 0.15 * 0.94])
    # rated torque hot needs 1 / 0.88 of the cold current
    np.testing.assert_allclose(motor.torque_current(20.0, 120.0), 20.0 / (6 * 0.132))
    np.testing.assert_allclose(motor.torque_current(18.0, 20.0) / motor.torque_current(18.0, 120.0), 0.88)
    assert C.kt20 == pytest.approx(0.9)


def test_phase_currents_match_the_direct_sine_formula():
    rng = np.random.default_rng(0)
    theta, amp = rng.uniform(-200, 200, 5000), rng.uniform(0, 30, 5000)
    th = theta - BETA * np.arange(3)[:, None]
    direct = -amp * (np.sin(th) + C.h5 * np.sin(5 * th + C.phi5_rad) + C.h7 * np.sin(7 * th + C.phi7_rad))
    np.testing.assert_allclose(motor.phase_currents(theta, amp), direct, atol=1e-11)


def test_clean_currents_are_balanced(log):
    # 5th and 7th harmonics have no zero-sequence part, so the sum is zero to rounding
    total = log.ia_clean + log.ib_clean + log.ic_clean
    assert np.abs(total).max() < 1e-10 * C.full_scale_a
    assert np.abs(log.ia_clean).max() > 5  # not trivially zero


def test_amplitude_is_torque_over_kt_of_temperature(log):
    expected = log.torque_nm / (1.5 * C.pole_pairs * C.psi20_wb * (1 + C.alpha_psi_per_k * (log.temp_c - 20)))
    np.testing.assert_allclose(log.amplitude, expected, rtol=1e-12)
    # the Park projection of the clean currents is the amplitude plus a 6θ ripple of at most h5 + h7
    iq = motor.park_q(log.ia_clean, log.ib_clean, log.ic_clean, log.theta)
    assert np.abs(iq - log.amplitude).max() <= (C.h5 + C.h7) * log.amplitude.max() + 1e-9
    assert np.abs(iq - log.amplitude).max() > 0.5 * C.h5 * log.amplitude.min()  # the harmonics are there


def test_park_q_of_a_pure_sine_set_is_its_amplitude():
    theta = np.linspace(0, 30, 777)
    th = theta - BETA * np.arange(3)[:, None]
    # textbook: flux ψ cos θ_k, back-EMF −ωψ sin θ_k; a current in phase with it is pure +i_q
    np.testing.assert_allclose(motor.park_q(*(-7.5 * np.sin(th)), theta), 7.5)
    np.testing.assert_allclose(motor.park_q(*(7.5 * np.cos(th)), theta), 0.0, atol=1e-12)  # along the flux: pure i_d
    np.testing.assert_allclose(motor.park_q(*(7.5 * np.sin(th)), theta), -7.5)  # braking


def test_pipeline_park_of_the_clean_currents_is_zero_d_and_plus_amplitude(log):
    i_d, i_q = park(*clarke(log.ia_clean, log.ib_clean, log.ic_clean), log.theta)
    amp, ripple = log.amplitude, (C.h5 + C.h7) * log.amplitude
    assert np.all(np.abs(i_d) <= ripple + 1e-9) and np.all(np.abs(i_q - amp) <= ripple + 1e-9)
    assert np.abs(i_q - amp).max() > 0.5 * C.h5 * amp.min()  # the harmonics are there
    # hand-derived: the 5th turns backwards, the 7th forwards at 6θ in the rotor frame
    six = 6 * log.theta + np.pi / 2
    ripple_dq = amp * (C.h5 * np.exp(-1j * (six + C.phi5_rad)) + C.h7 * np.exp(1j * (six + C.phi7_rad)))
    np.testing.assert_allclose(i_d + 1j * (i_q - amp), ripple_dq, atol=1e-12 * C.full_scale_a)
    # with φ5 = π, φ7 = 0 that is i_d = (h5 − h7) A sin 6θ and i_q = A + (h5 + h7) A cos 6θ
    np.testing.assert_allclose(i_q, amp * (1 + (C.h5 + C.h7) * np.cos(6 * log.theta)), atol=1e-12 * C.full_scale_a)


def test_the_6theta_ripple_averages_out_over_whole_periods():
    theta = 0.7 + 2 * np.pi * np.arange(3 * 240) / 240  # three electrical periods, 240 samples each
    i_d, i_q = park(*clarke(*motor.phase_currents(theta, 12.5)), theta)
    assert i_d.mean() == pytest.approx(0.0, abs=1e-12) and i_q.mean() == pytest.approx(12.5, rel=1e-12)
    assert np.abs(i_q - 12.5).max() > 0.5 * C.h5 * 12.5


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 200), st.integers(0, 2**32 - 1))
def test_park_q_equals_the_pipeline_park_for_any_currents(n, seed):
    # unbalanced currents with offsets too: both remove the common mode the same way
    rng = np.random.default_rng(seed)
    ia, ib, ic = rng.normal(0.0, 20.0, (3, n)) + rng.normal(0.0, 5.0, (3, 1))
    theta = rng.uniform(-50.0, 50.0, n)
    np.testing.assert_allclose(motor.park_q(ia, ib, ic, theta), park(*clarke(ia, ib, ic), theta)[1], atol=1e-11)


def test_fft_of_a_constant_segment_gives_fundamental_and_harmonics():
    # 750 rpm, 4 pole pairs: 50 Hz, 200 samples per period at 10 kHz; the first half holds 5 periods
    tr = motor.current_trace(n=2000, fs=10000, speed_rpm=750.0, torque_nm=12.0, temp_c=90.0, seed=1)
    seg = tr.clean[:1000]
    spec = np.abs(np.fft.rfft(seg)) * 2 / len(seg)
    amp = 6.0 / (1.5 * 4 * 0.15 * (1 - 0.0012 * 70))  # half torque before the step
    assert spec[5] == pytest.approx(amp, rel=1e-9)
    assert spec[25] == pytest.approx(C.h5 * amp, rel=1e-9)
    assert spec[35] == pytest.approx(C.h7 * amp, rel=1e-9)
    others = np.delete(spec, [5, 25, 35])
    assert others.max() < 1e-9 * amp
    np.testing.assert_allclose(tr.amplitude[[0, -1]], [amp, 2 * amp])


def test_theta_integrates_electrical_speed(log):
    omega_e = C.pole_pairs * 2 * np.pi * log.speed_rpm / 60
    step = np.diff(np.unwrap(log.theta))
    same_cycle = np.diff(log.cycle) == 0
    trapezoid = (omega_e[:-1] + omega_e[1:]) / 2 / log.fs
    np.testing.assert_allclose(step[same_cycle], trapezoid[same_cycle], atol=1e-9)
    assert log.theta.min() >= 0 and log.theta.max() < 2 * np.pi


def _steady_span(log, length: int) -> slice:
    """A span of ``length`` samples with constant speed and torque inside one cycle."""
    flat = (np.abs(np.diff(log.speed_rpm)) < 1e-9) & (np.abs(np.diff(log.torque_nm)) < 1e-9)
    flat &= np.diff(log.cycle) == 0
    for a, b in _runs(flat):
        if b - a >= length:
            return slice(a, a + length)
    raise AssertionError("no steady span")


def test_phase_voltage_matches_the_phasor_diagram(log):
    span = _steady_span(log, 2000)
    th, va = log.theta[span], log.va[span]
    # inverse Park of phase a: v_a = v_d cos θ − v_q sin θ (plus the harmonics' L di/dt)
    basis = np.column_stack([np.cos(th), -np.sin(th), np.sin(5 * th), np.cos(5 * th), np.sin(7 * th), np.cos(7 * th)])
    (v_d, v_q, *_), *_ = np.linalg.lstsq(basis, va, rcond=None)
    temp = log.temp_c[span].mean()
    amp = log.amplitude[span].mean()
    omega = C.pole_pairs * 2 * np.pi * log.speed_rpm[span][0] / 60
    # with i_d = 0: v_q = R i_q + ω ψ (in phase with the current), v_d = −ω L i_q
    assert v_q == pytest.approx(motor.winding_resistance(temp) * amp + omega * motor.flux_linkage(temp), rel=2e-3)
    assert v_d == pytest.approx(-omega * C.l_h * amp, rel=2e-3)
    # the current itself sits on the q axis: i_a = 0 · cos θ − A · sin θ
    (i_d, i_q, *_), *_ = np.linalg.lstsq(basis, log.ia_clean[span], rcond=None)
    assert i_d == pytest.approx(0.0, abs=1e-4 * amp) and i_q == pytest.approx(amp, rel=1e-4)  # ψ(ϑ) drifts a little
    # so the voltage leads the current by atan(ω L I / (R I + ω ψ)), between 0 and 90°: a lagging-current load
    lead = np.arctan2(-v_d, v_q)
    assert 0 < lead < np.pi / 2


# --------------------------------------------------------------------------- regime, groups, temperature


def test_temperature_heats_from_20_to_120_across_cycles(log):
    assert log.temp_c.min() >= 20.0 and log.temp_c.max() == pytest.approx(120.0)
    assert log.temp_c[0] < 21.0
    per_cycle = np.array([log.temp_c[log.cycle == k].mean() for k in range(log.cycles)])
    assert per_cycle[0] < 40 and per_cycle[-1] > 90
    ranges = [(log.temp_c[log.cycle == k].min(), log.temp_c[log.cycle == k].max()) for k in range(log.cycles)]
    assert len(set(np.round(ranges, 3).ravel())) > log.cycles  # each cycle its own range


def test_profiles_vary_within_cycles_and_stay_in_range(log):
    for k in range(log.cycles):
        s = log.cycle == k
        assert np.ptp(log.speed_rpm[s]) > 50 and np.ptp(log.torque_nm[s]) > 0.5
    assert log.speed_rpm.min() >= motor.SPEED_MIN_RPM and log.speed_rpm.max() <= C.speed_rated_rpm
    assert log.torque_nm.min() >= motor.TORQUE_MIN_NM and log.torque_nm.max() <= C.torque_rated_nm


def test_cycles_are_contiguous_groups(log):
    assert np.all(np.diff(log.cycle) >= 0) and set(np.diff(log.cycle)) <= {0, 1}
    np.testing.assert_array_equal(np.bincount(log.cycle), np.full(12, 10000))
    np.testing.assert_allclose(np.diff(log.t), 1 / log.fs)


# --------------------------------------------------------------------------- sensors and glitches


def test_glitches_sit_where_the_mask_says_and_nowhere_else(log):
    sigma, lsb = log.noise_sigma, C.lsb_a
    kind = log.glitch_kind
    assert np.array_equal(log.glitch, kind != 0)
    assert set(np.unique(kind)) == {0, 1, 2, 3}
    for j, (meas, clean) in enumerate(((log.ia, log.ia_clean), (log.ib, log.ib_clean), (log.ic, log.ic_clean))):
        dev = meas - clean - log.offset[:, j]
        assert np.abs(dev[~log.glitch]).max() <= 7 * sigma + lsb  # plain sensor error
        assert np.abs(dev[kind == 1]).min() > 15.0  # every spike is wild
        assert np.all(meas[kind == 2] == 0.0)
        for a, b in _runs(kind == 3):
            assert kind[a - 1] == 0 and np.all(meas[a:b] == meas[a - 1])
    for code, lo, hi in ((2, 3, 12), (3, 5, 20)):
        for a, b in _runs(kind == code):
            assert lo <= b - a <= hi and log.cycle[a] == log.cycle[b - 1]


def test_every_log_with_glitches_has_a_spike_cluster():
    for seed in range(5):
        spikes = np.flatnonzero(motor.motor_log(2, 0.2, 2000, 0.0005, seed).glitch_kind == 1)
        # five spikes within nine samples
        assert len(spikes) >= 5 and (spikes[4:] - spikes[:-4]).min() <= 8


def test_no_glitch_rate_means_no_glitches():
    log = motor.motor_log(2, 0.5, 5000, 0.0, 1)
    assert not log.glitch.any()
    dev = log.ia - log.ia_clean - log.offset[:, 0]
    assert np.abs(dev).max() <= 7 * log.noise_sigma + C.lsb_a


def test_measured_noise_has_the_declared_sigma(log):
    dev = (log.ia - log.ia_clean - log.offset[:, 0])[~log.glitch]
    assert dev.std() == pytest.approx(log.noise_sigma, rel=0.03)
    # 12-bit ADC: every reading is a whole number of steps
    np.testing.assert_allclose(log.ia / C.lsb_a, np.round(log.ia / C.lsb_a), atol=1e-9)


def test_measured_sum_flags_spikes_but_not_dropouts(log):
    total = np.abs(log.ia + log.ib + log.ic)
    assert total[log.glitch_kind == 2].max() == 0.0
    bound = np.abs(log.offset.sum(axis=1)) + 7 * np.sqrt(3) * log.noise_sigma + 3 * C.lsb_a
    assert np.all(total[~log.glitch] <= bound[~log.glitch])  # noise and offsets only
    assert np.median(total[log.glitch_kind == 1]) > 10.0


# --------------------------------------------------------------------------- the short trace


def test_current_trace_has_every_glitch_kind_and_true_heights():
    tr = motor.current_trace()
    assert tr.t.shape == tr.noisy.shape == tr.clean.shape == tr.glitch.shape == (2000,)
    assert set(np.unique(tr.glitch_kind)) == {0, 1, 2, 3}
    spikes = np.flatnonzero(tr.glitch_kind == 1)
    assert (spikes[4:] - spikes[:-4]).min() <= 8  # the cluster
    dev = (tr.noisy - tr.clean)[~tr.glitch]
    assert dev.std() == pytest.approx(tr.sigma, rel=0.1) and tr.sigma == pytest.approx(0.03 * 25)
    half = motor.torque_current(6.0, 60.0)
    np.testing.assert_allclose(tr.amplitude[:1000], half)
    np.testing.assert_allclose(tr.amplitude[-900:], 2 * half)
    assert not motor.current_trace(glitch_rate=0.0).glitch.any()


# --------------------------------------------------------------------------- windows and the lesson


def test_windows_aggregate_within_cycles(log, windows):
    w = windows.window
    assert w == 500 and len(windows.y) == 12 * 20
    assert np.array_equal(log.cycle[windows.start], log.cycle[windows.start + w - 1])
    k = 37
    s = slice(windows.start[k], windows.start[k] + w)
    assert windows.i_rms[k] == pytest.approx(np.sqrt(np.mean(np.concatenate([log.ia[s], log.ib[s], log.ic[s]]) ** 2)))
    assert windows.temp_c[k] == pytest.approx(log.temp_c[s].mean())
    assert windows.glitch_frac[k] == pytest.approx(log.glitch[s].mean())
    np.testing.assert_array_equal(windows.X, windows.X_temp[:, :2])
    np.testing.assert_array_equal(windows.y, windows.torque_nm)
    assert windows.feature_names == ("i_amp", "speed_rpm", "temp_c")


def test_window_amplitude_recovers_torque_over_kt(windows):
    kt = 1.5 * C.pole_pairs * motor.flux_linkage(windows.temp_c)
    np.testing.assert_allclose(windows.i_amp_clean, windows.y / kt, rtol=5e-3)
    clean_windows = windows.glitch_frac == 0
    np.testing.assert_allclose(windows.i_amp[clean_windows], (windows.y / kt)[clean_windows], rtol=0.03)


def test_a_model_fitted_cool_overestimates_hot_torque(windows):
    cool, hot = windows.temp_c < 50, windows.temp_c > 100
    assert cool.sum() >= 10 and hot.sum() >= 10
    blind = LinearRegression().fit(windows.X[cool], windows.y[cool])
    rel = blind.predict(windows.X[hot]) / windows.y[hot] - 1
    # the blind model learns the cool torque constant; hot magnets give less torque per ampere
    expected = motor.flux_linkage(windows.temp_c[cool]).mean() / motor.flux_linkage(windows.temp_c[hot]) - 1
    assert rel.mean() == pytest.approx(expected.mean(), abs=0.02) and rel.mean() > 0.07
    # with temperature as a feature (fitted on every window) the hot bias mostly goes
    blind_all = LinearRegression().fit(windows.X, windows.y)
    aware = LinearRegression().fit(windows.X_temp, windows.y)
    bias_blind = (blind_all.predict(windows.X[hot]) / windows.y[hot] - 1).mean()
    bias_aware = (aware.predict(windows.X_temp[hot]) / windows.y[hot] - 1).mean()
    assert abs(bias_aware) < 0.015 and abs(bias_aware) < 0.5 * abs(bias_blind)
    mae_blind = np.abs(blind_all.predict(windows.X) - windows.y).mean()
    mae_aware = np.abs(aware.predict(windows.X_temp) - windows.y).mean()
    assert mae_aware < 0.65 * mae_blind
    # the law is a product, T = K_t20 · (1 + α_ψ (T − 20)) · i: give it i · T and a linear fit is near exact
    product = np.column_stack([windows.i_amp, windows.i_amp * windows.temp_c])
    exact = LinearRegression().fit(product, windows.y)
    assert np.abs(exact.predict(product) - windows.y).mean() < 0.6 * mae_aware
    assert exact.coef_[1] / exact.coef_[0] == pytest.approx(C.alpha_psi_per_k / (1 - 20 * C.alpha_psi_per_k), rel=0.1)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "sentence"),
    [
        (lambda: motor.motor_log(cycles=41), "cycles must be between 2 and 40"),
        (lambda: motor.motor_log(fs=2500), "fs must be 2000 plus a multiple of 1000"),
        (lambda: motor.motor_log(glitch_rate=float("nan")), "glitch_rate must be a finite number"),
        (lambda: motor.motor_log(seconds=0.1), "seconds must be between 0.2 and 5 s"),
        (lambda: motor.motor_log(40, 5.0, 20000), "cycles × seconds × fs must be at most 1,000,000 samples"),
        (lambda: motor.current_trace(n=100), "n must be between 500 and 20000"),
        (lambda: motor.current_trace(temp_c=150), "temp_c must be between 20 and 120"),
        (lambda: motor.motor_windows("log"), "log must be a MotorLog"),
        (lambda: motor.winding_resistance(np.nan), "temp_c must be finite"),
        (lambda: motor.phase_currents(np.array([0.0, np.inf]), 1.0), "theta must be finite"),
        (lambda: motor.park_q(np.ones(3), np.ones(3), np.array([1.0, np.nan, 0.0]), np.ones(3)), "ic must be finite"),
        (
            lambda: motor.park_q(np.ones(3), np.ones(3), np.ones(3), np.ones(4)),
            r"ia, ib, ic and theta must have the same shape; got ia \(3,\), ib \(3,\), ic \(3,\), theta \(4,\)",
        ),
    ],
)
def test_bad_values_get_sentences(call, sentence):
    with pytest.raises(ParamError, match=sentence):
        call()


def test_window_longer_than_a_cycle_is_refused():
    log = motor.motor_log(2, 0.2, 2000, 0.0, 0)
    with pytest.raises(ParamError, match="window_s must be at most the cycle length of 0.2 s; got 0.5 s"):
        motor.motor_windows(log, 0.5)
    with pytest.raises(ParamError, match="window_s must be between 0.005 and 1"):
        motor.motor_windows(log, 0.001)


# --------------------------------------------------------------------------- properties


@settings(max_examples=25, deadline=None)
@given(
    st.integers(2, 4),
    st.sampled_from([0.2, 0.3, 0.5]),
    st.sampled_from([2000, 3000, 5000]),
    st.floats(0.0, 0.01),
    st.integers(0, 9999),
)
def test_shapes_consistent_and_values_finite(cycles, seconds, fs, rate, seed):
    log = motor.motor_log(cycles, seconds, fs, rate, seed)
    n = cycles * round(seconds * fs)
    for name, arr in _arrays(log).items():
        assert arr.shape[0] == n, name
        assert np.all(np.isfinite(arr)), name
    assert log.offset.shape == (n, 3) and log.glitch_kind.dtype == np.int8
    assert np.array_equal(log.glitch, log.glitch_kind != 0)
    assert 20.0 <= log.temp_c.min() and log.temp_c.max() <= 120.0 + 1e-9
    assert np.abs(log.ia).max() <= C.full_scale_a
    win = motor.motor_windows(log, 0.05)
    m = cycles * (round(seconds * fs) // round(0.05 * fs))
    assert win.X.shape == (m, 2) and win.X_temp.shape == (m, 3) and win.y.shape == (m,)
    assert np.all(np.isfinite(win.X_temp))


# --------------------------------------------------------------------------- the demo signals of /preprocessing


def test_electrical_frequency_is_pole_pairs_times_revolutions_per_second():
    assert motor.electrical_hz(750.0) == 4 * 750 / 60 == 50.0
    assert motor.TRACE_F_HZ == motor.electrical_hz(motor.CURRENT.fields["speed_rpm"].default)
    assert motor.TRACE_NOISE_A == pytest.approx(0.03 * C.i_rated_a)  # 3 % of rated current


def test_demo_trace_is_the_default_trace_cached_and_read_only():
    clean = motor.demo_trace(3, False)
    assert clean is motor.demo_trace(3, False)  # one generation per seed
    ref = motor.current_trace(seed=3, glitch_rate=0.0)
    np.testing.assert_array_equal(clean.noisy, ref.noisy)
    assert not clean.glitch.any() and motor.demo_trace(3, True).glitch.any()
    np.testing.assert_array_equal(motor.demo_trace(3, True).noisy, motor.current_trace(seed=3).noisy)
    with pytest.raises(ValueError):
        clean.noisy[0] = 0.0  # a caller cannot corrupt the cached copy
    with pytest.raises(ParamError, match="seed must be between 0 and 9999"):
        motor.demo_trace(-1)
    with pytest.raises(ParamError, match="glitches must be True or False"):
        motor.demo_trace(0, "yes")


def test_bench_windows_are_the_default_log_at_the_bench_rate_cached():
    w = motor.bench_windows(0)
    assert w is motor.bench_windows("0")  # the seed is coerced, then the windows are cached
    ref = motor.motor_windows(motor.motor_log(seed=0, fs=motor.BENCH_FS))
    np.testing.assert_array_equal(w.X_temp, ref.X_temp)
    assert len(w.y) == 240 and not w.y.flags.writeable
    with pytest.raises(ParamError, match="seed must be a whole number"):
        motor.bench_windows([1])
