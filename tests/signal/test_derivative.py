"""Speed from a quantized angle: the Kalman filter against its closed-form steady state, SG against exact slopes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from neuralab.params import ParamError
from neuralab.signal import derivative as d

DT = 1e-3


def _steady_run(model: str, sigma_w: float, r: float, n: int = 4000) -> d.Filtered:
    z = np.random.default_rng(0).normal(0.0, np.sqrt(r), n)  # the gain never depends on the data
    return d.kalman(z, DT, sigma_w, r, model)


@pytest.mark.parametrize("model", ["cv", "ca"])
@pytest.mark.parametrize("sigma_w", [10.0, 1e3, 1e5])
def test_the_gain_settles_on_the_riccati_steady_state(model, sigma_w):
    r = (2 * np.pi / 1024) ** 2 / 12
    run = _steady_run(model, sigma_w, r)
    assert run.settled < 4000
    np.testing.assert_allclose(run.gain[-1], d.steady_gain(model, DT, sigma_w, r), rtol=1e-6)


@pytest.mark.parametrize("sigma_w", [1.0, 50.0, 1e3, 3e4, 1e5])
def test_constant_velocity_gain_is_kalatas_alpha_beta(sigma_w):
    r = (2 * np.pi / 256) ** 2 / 12
    alpha, beta = d.alpha_beta(sigma_w, np.sqrt(r), DT)
    gain = _steady_run("cv", sigma_w, r).gain[-1]
    assert gain[0] == pytest.approx(alpha, rel=1e-6, abs=1e-6)
    assert gain[1] * DT == pytest.approx(beta, rel=1e-6, abs=1e-6)
    assert beta**2 / (1 - alpha) == pytest.approx((sigma_w * DT**2 / np.sqrt(r)) ** 2, rel=1e-6)  # Kalata's identity


def test_the_filter_is_the_textbook_loop():
    p = d.speed_profile(9, seed=3)
    r = p.q**2 / 12
    for model, sigma_w in [("cv", 300.0), ("ca", 3e4)]:
        F, Q, H = d.model_matrices(model, p.dt, sigma_w)
        x = np.zeros(F.shape[0])
        x[0] = p.theta_q[0]
        P = np.diag([r] + [1e6 * r / p.dt ** (2 * i) for i in range(1, F.shape[0])])
        ref = []
        for zk in p.theta_q:
            x, P = F @ x, F @ P @ F.T + Q
            K = P @ H.T / (H @ P @ H.T + r)
            x, P = x + K[:, 0] * (zk - H @ x), (np.eye(F.shape[0]) - K @ H) @ P
            ref.append(x)
        got = d.kalman(p.theta_q, p.dt, sigma_w, r, model).x
        np.testing.assert_allclose(got[:, :2], np.array(ref)[:, :2], rtol=1e-7, atol=1e-6)


def test_measurement_variance_defaults_to_a_quantization_step():
    p = d.speed_profile(8)
    a = d.kalman(p.theta_q, p.dt, 1e3, cpr=256)
    b = d.kalman(p.theta_q, p.dt, 1e3, r=(2 * np.pi / 256) ** 2 / 12)
    np.testing.assert_array_equal(a.x, b.x)
    with pytest.raises(ParamError, match="cpr"):
        d.kalman(p.theta_q, p.dt, 1e3)


@pytest.mark.parametrize(("window", "order"), [(5, 1), (11, 2), (31, 3), (51, 4)])
def test_savgol_slope_is_exact_on_a_polynomial_of_its_order(window, order):
    t = np.arange(300) * DT
    coef = np.random.default_rng(window).normal(size=order + 1) * 50
    theta = np.polyval(coef, t)
    exact = np.polyval(np.polyder(coef), t)
    np.testing.assert_allclose(d.savgol_slope(theta, DT, window, order, realtime=False), exact, rtol=1e-7, atol=1e-6)
    half = (window - 1) // 2
    late = d.savgol_slope(theta, DT, window, order)
    np.testing.assert_allclose(late[half:], exact[: exact.size - half], rtol=1e-7, atol=1e-6)  # half a window late


def test_savgol_slope_is_scipys_and_order_two_equals_order_one_at_the_centre():
    theta = d.speed_profile(7).theta_q
    np.testing.assert_array_equal(d.savgol_slope(theta, DT, 21, 2, realtime=False),
                                  signal.savgol_filter(theta, 21, 2, deriv=1, delta=DT))
    np.testing.assert_allclose(d.savgol_slope(theta, DT, 21, 1, realtime=False)[10:-10],
                               d.savgol_slope(theta, DT, 21, 2, realtime=False)[10:-10], atol=1e-9)


def test_finite_difference_of_one_count_is_q_over_dt():
    theta = d.quantize(np.array([0.0, 0.001, 0.0065, 0.0070]), 1024)
    w = d.finite_difference(theta, DT)
    q = 2 * np.pi / 1024
    assert w[0] == 0.0 and set(np.round(w[1:] / (q / DT)).tolist()) <= {0.0, 1.0}
    assert w[2] == pytest.approx(q / DT)  # one count in one millisecond: 58.6 rpm at 1,024 counts
    assert q / DT * d.RPM == pytest.approx(58.59375)


def test_metrics_read_a_pure_delay_as_lag_and_no_noise():
    p = d.speed_profile()
    late = np.interp(p.t - 0.0123, p.t, p.speed)
    m = d.metrics(late, p)
    assert m.lag_s == pytest.approx(0.0123, abs=1e-4) and m.noise < 1e-6 * np.abs(p.speed).max()
    m0 = d.metrics(p.speed + 2.0, p)
    assert m0.rms == pytest.approx(2.0) and m0.noise == pytest.approx(2.0, rel=1e-3)


def test_compare_shows_the_tradeoff_at_the_defaults():
    c = d.compare()
    fd, sg, kf = (e.metrics for e in c.estimates)
    assert fd.noise > 10 * sg.noise and fd.noise > kf.noise  # the difference is the noisiest
    assert sg.lag_s == pytest.approx((c.window - 1) / 2 * c.profile.dt, abs=1e-3)  # SG: half a window late
    assert kf.rms < min(fd.rms, sg.rms)  # at the defaults the Kalman filter has the lowest error


def test_tradeoff_curves_move_the_right_way():
    tr = d.tradeoff()
    sg_lag = [m.lag_s for m in tr.savgol]
    kf_lag = [m.lag_s for m in tr.kalman]
    assert all(np.diff(sg_lag) > 0)  # a longer window is later
    assert all(np.diff(kf_lag) <= 1e-4)  # more process noise: less lag
    assert tr.kalman[-1].noise > 10 * min(m.noise for m in tr.kalman)  # ... and, at the end, more noise


@pytest.mark.parametrize(("call", "match"), [
    (lambda: d.compare(bits=13), "bits"),
    (lambda: d.compare(window=4), "window"),
    (lambda: d.compare(process_noise=0), "process_noise"),
    (lambda: d.compare(model="ukf"), "model"),
    (lambda: d.kalman([0.0, 1.0, np.nan], DT, 1.0, 1.0), "theta"),
    (lambda: d.kalman(np.zeros(10), -1.0, 1.0, 1.0), "dt"),
    (lambda: d.kalman(np.zeros(10), DT, 1.0, 0.0), "r"),
    (lambda: d.savgol_slope(np.zeros(10), DT, 31), "window"),
    (lambda: d.kalman(np.zeros(d.MAX_SAMPLES + 1), DT, 1.0, 1.0), "at most"),
])
def test_bad_input_is_a_sentence_naming_the_parameter(call, match):
    with pytest.raises(ParamError, match=match):
        call()
