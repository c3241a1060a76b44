"""Smoothing against scipy, plus the properties a causal filter and a peak-preserving filter must have."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from neuralab.params import ParamError
from neuralab.signal import smooth

RNG = np.random.default_rng(1234)
NOISE = RNG.normal(size=300)


@pytest.mark.parametrize(("window", "order", "deriv", "fs"), [(15, 3, 0, 1.0), (5, 1, 1, 250.0), (51, 5, 2, 1e3)])
def test_centred_savgol_is_scipy_savgol_filter(window, order, deriv, fs):
    out = smooth.savgol(NOISE, window, order, deriv=deriv, fs=fs)
    expected = signal.savgol_filter(NOISE, window, order, deriv=deriv, delta=1 / fs, mode="interp")
    np.testing.assert_array_equal(out.y, expected)
    assert out.lookahead == (window - 1) // 2 and not out.causal


@pytest.mark.parametrize("window", [3, 15, 51])
def test_centred_moving_average_is_convolution_and_order_zero_savgol(window):
    y = smooth.moving_average(NOISE, window).y
    half = window // 2
    np.testing.assert_allclose(y[half:-half], np.convolve(NOISE, np.ones(window) / window, "valid"), atol=1e-12)
    np.testing.assert_allclose(y, signal.savgol_filter(NOISE, window, 0, mode="interp"), atol=1e-12)


def test_causal_taps_fit_the_last_sample_of_the_window():
    # away from the warm-up, causal SG is the dot product of the last `window` samples with pos=window-1 taps
    window, order = 11, 2
    y = smooth.savgol(NOISE, window, order, causal=True).y
    taps = signal.savgol_coeffs(window, order, pos=window - 1, use="dot")
    expected = np.array([taps @ NOISE[i - window + 1 : i + 1] for i in range(window - 1, NOISE.size)])
    np.testing.assert_allclose(y[window - 1 :], expected, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([(5, 1), (7, 3), (15, 3), (21, 5), (51, 2)]),
    st.integers(0, 2),
    st.booleans(),
    st.integers(0, 10_000),
    st.data(),
)
def test_causal_output_ignores_the_future(window_order, deriv, moving, seed, data):
    window, order = window_order
    deriv = min(deriv, order)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=window + 40)
    i = data.draw(st.integers(0, x.size - 2))
    changed = x.copy()
    changed[i + 1 :] = rng.normal(10.0, 5.0, size=x.size - i - 1)  # rewrite the future

    def run(sig):
        if moving:
            return smooth.moving_average(sig, window, causal=True).y
        return smooth.savgol(sig, window, order, deriv=deriv, fs=50.0, causal=True).y

    a, b = run(x), run(changed)
    np.testing.assert_array_equal(a[: i + 1], b[: i + 1])
    assert not np.array_equal(a[i + 1 :], b[i + 1 :])  # the test would notice a filter that ignores everything


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([(5, 1), (7, 2), (15, 3), (21, 4), (51, 5)]),
    st.integers(0, 5),
    st.lists(st.floats(-3, 3), min_size=6, max_size=6),
)
def test_causal_savgol_reproduces_polynomials_without_lag(window_order, degree, coefs):
    window, order = window_order
    degree = min(degree, order)
    fs = 100.0
    t = np.arange(120) / fs - 0.6  # seconds
    poly = np.polynomial.Polynomial(coefs[: degree + 1])
    for deriv in range(min(order, 2) + 1):
        y = smooth.savgol(poly(t), window, order, deriv=deriv, fs=fs, causal=True).y
        expected = poly.deriv(deriv)(t)
        scale = 1 + np.abs(expected).max()
        # exact from the first sample where the growing window holds order + 1 samples
        np.testing.assert_allclose(y[order:], expected[order:], atol=1e-7 * scale * fs**deriv)


def test_causal_moving_average_lags_a_ramp_by_half_its_window():
    window = 15
    ramp = np.arange(200.0)
    y = smooth.moving_average(ramp, window, causal=True).y
    np.testing.assert_allclose(y[window - 1 :], ramp[window - 1 :] - (window - 1) / 2)
    t = np.arange(2000) / 1000.0
    sine = np.sin(2 * np.pi * 5 * t)
    assert smooth.lag_samples(smooth.moving_average(sine, window, causal=True).y, sine) == (window - 1) // 2
    assert smooth.lag_samples(smooth.savgol(sine, window, 3, causal=True).y, sine) == 0


def test_savgol_keeps_a_gaussian_peak_that_the_moving_average_shaves():
    n = np.arange(301)
    truth = 5.0 * np.exp(-0.5 * ((n - 150) / 5.0) ** 2)  # one peak, sigma 5 samples
    x = truth + np.random.default_rng(7).normal(0, 0.2, n.size)
    c = smooth.compare(x, truth, window=21, order=4)
    assert abs(c.peak_savgol) < abs(c.peak_moving_average)
    assert c.peak_moving_average < -0.2  # the mean of a window wider than the peak flattens it
    assert c.rms_savgol < c.rms_moving_average and c.rms_savgol < c.rms_raw
    assert c.peak_savgol == smooth.peak_error(smooth.savgol(x, 21, 4).y, truth)
    # noise-free, the same holds and shows the filter's own bias
    sg, ma = smooth.savgol(truth, 21, 4).y, smooth.moving_average(truth, 21).y
    assert abs(smooth.peak_error(sg, truth)) < abs(smooth.peak_error(ma, truth))


@pytest.mark.parametrize("freq_hz", [2.0, 7.0])
def test_derivatives_of_a_sine_match_the_analytic_ones(freq_hz):
    fs, amp = 1000.0, 2.0
    t = np.arange(1000) / fs
    w = 2 * np.pi * freq_hz
    x = amp * np.sin(w * t)
    d1 = smooth.savgol(x, 15, 3, deriv=1, fs=fs).y
    d2 = smooth.savgol(x, 15, 4, deriv=2, fs=fs).y
    np.testing.assert_allclose(d1, amp * w * np.cos(w * t), atol=1e-3 * amp * w)
    np.testing.assert_allclose(d2, -amp * w**2 * np.sin(w * t), atol=1e-2 * amp * w**2)
    d1c = smooth.savgol(x, 15, 3, deriv=1, fs=fs, causal=True).y
    np.testing.assert_allclose(d1c[14:], amp * w * np.cos(w * t[14:]), atol=1e-2 * amp * w)


@pytest.mark.parametrize("kind", ["savgol", "moving_average"])
@pytest.mark.parametrize("causal", [False, True])
def test_frequency_response_passes_dc_and_its_cutoff_is_minus_3_db(kind, causal):
    fs = 1000.0
    r = smooth.frequency_response(15, 3, fs, kind=kind, causal=causal)
    assert r.f_hz[0] == 0.0 and r.f_hz[-1] == pytest.approx(fs / 2)
    assert r.gain_db[0] == pytest.approx(0.0, abs=1e-9)
    _, h = signal.freqz(r.taps, worN=[r.cutoff_hz], fs=fs)
    assert 20 * np.log10(abs(h[0])) == pytest.approx(10 * np.log10(0.5), abs=1e-6)
    assert np.all(r.gain_db[r.f_hz < r.cutoff_hz] > 10 * np.log10(0.5))


def test_frequency_response_shapes():
    fs = 1500.0
    ma = smooth.frequency_response(15, 3, fs, kind="moving_average", n=1501)
    null = np.argmin(np.abs(ma.f_hz - fs / 15))  # a boxcar has a zero at fs / window
    assert ma.gain_db[null] < -100
    sg = smooth.frequency_response(15, 3, fs)
    assert sg.cutoff_hz > ma.cutoff_hz  # SG keeps more of the passband at the same window
    assert smooth.frequency_response(15, 3, fs, causal=True).gain_db.max() > 1.0  # causal SG amplifies some noise
    identity = smooth.frequency_response(5, 4, fs)  # degree 4 through 5 points reproduces anything
    assert identity.cutoff_hz is None
    np.testing.assert_allclose(identity.gain_db, 0.0, atol=1e-9)


def test_metrics_on_hand_computed_cases():
    assert smooth.rms_error([3.0, 4.0], [0.0, 0.0]) == pytest.approx(np.sqrt(12.5))
    truth = np.array([0.0, 0.0, 1.0, 0.0, 0.0])
    assert smooth.peak_error([0.0, 0.0, 0.8, 0.0, 0.0], truth) == pytest.approx(-0.2)
    sig = RNG.normal(size=400)
    assert smooth.lag_samples(np.roll(sig, 3), sig) == 3
    assert smooth.lag_samples(np.roll(sig, -4), sig) == -4


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: smooth.savgol(np.r_[NOISE[:20], np.nan]),
         "x must be finite \\(no NaN or inf\\); got 1 non-finite of 21 values \\(1 NaN and 0 infinite, first at "
         "index 20"),
        (lambda: smooth.savgol(np.r_[NOISE[:20], np.inf]), "1 infinite"),
        (lambda: smooth.savgol(NOISE[:10], window=15), "x has 10 samples; it needs at least 15"),
        (lambda: smooth.savgol(NOISE, window=14), "window must be 5 plus a multiple of 2"),
        (lambda: smooth.savgol(NOISE, window=5, order=5), "order must be below window"),
        (lambda: smooth.savgol(NOISE, window=7, order=1, deriv=2), "deriv must not exceed order"),
        (lambda: smooth.savgol(NOISE, fs=0.0), "fs must be between"),
        (lambda: smooth.savgol(NOISE, causal="yes"), "causal must be True or False"),
        (lambda: smooth.savgol(NOISE.reshape(3, 100)), "x must be a 1-D array; got shape \\(3, 100\\)"),
        (lambda: smooth.savgol(["a", "b"]), "x must be a 1-D array of numbers"),
        (lambda: smooth.moving_average(NOISE, window=1), "window must be between 3 and 51"),
        (lambda: smooth.rms_error(NOISE, NOISE[:5]), "same length"),
        (lambda: smooth.peak_error(NOISE, np.zeros(300)), "truth has no peak"),
        (lambda: smooth.frequency_response(15, 3, kind="kalman"), "kind must be one of"),
        (lambda: smooth.frequency_response(15, 3, n=10**7), "n must be a whole number"),
        (lambda: smooth.lag_samples(NOISE, NOISE, max_lag=10**6), "max_lag must be"),
    ],
)
def test_bad_input_gives_a_sentence_naming_the_parameter(call, words):
    with pytest.raises(ParamError, match=words):
        call()


def test_window_sweep_is_rms_error_of_each_filter_at_each_window():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, 600)
    truth = np.sin(2 * np.pi * 3 * t)
    x = truth + 0.2 * rng.normal(size=t.size)
    sweep = smooth.window_sweep(x, truth, order=3)
    assert sweep.windows[0] == 5 and np.all(np.diff(sweep.windows) == 2)
    i = int(np.flatnonzero(sweep.windows == 21)[0])
    assert sweep.rms_savgol[i] == pytest.approx(smooth.rms_error(smooth.savgol(x, 21, 3).y, truth))
    assert sweep.rms_moving_average[i] == pytest.approx(smooth.rms_error(smooth.moving_average(x, 21).y, truth))
    assert sweep.rms_raw == pytest.approx(smooth.rms_error(x, truth))


def test_derivatives_are_the_j_and_j2_coefficients_over_dt_and_dt2():
    """content/preprocessing.md: slope = c₁/Δt and second derivative = 2·c₂/Δt² of the fit in the window index j."""
    fs, window, order = 200.0, 11, 3
    k = window // 2
    j = np.arange(-k, k + 1)
    x = np.random.default_rng(0).normal(size=window)
    c = np.polynomial.polynomial.polyfit(j, x, order)  # c[0] + c[1]·j + c[2]·j² + ...
    padded = np.r_[np.zeros(5), x, np.zeros(5)]  # the centre of x is a sample whose window is x itself
    mid = 5 + k
    assert smooth.savgol(padded, window, order, deriv=1, fs=fs).y[mid] == pytest.approx(c[1] * fs)
    assert smooth.savgol(padded, window, order, deriv=2, fs=fs).y[mid] == pytest.approx(2 * c[2] * fs**2)


def test_causal_sg_still_reduces_white_noise_but_less_than_centred():
    """content/preprocessing.md: variance ratios 0.67 causal against 0.15 centred at W = 15, P = 3; never above 1."""
    noise = np.random.default_rng(1).normal(size=200_000)
    ratio = {c: float(np.var(smooth.savgol(noise, 15, 3, causal=c).y[20:-20])) / float(np.var(noise))
             for c in (True, False)}
    assert ratio[True] == pytest.approx(0.67, abs=0.02) and ratio[False] == pytest.approx(0.15, abs=0.01)
    both = {}
    for w in range(5, 52, 2):
        for p in range(1, min(5, w - 1) + 1):
            causal, centred = (float(np.sum(smooth.frequency_response(w, p, causal=c).taps ** 2))
                               for c in (True, False))
            assert centred - 1e-12 <= causal <= 1 + 1e-12
            both[w, p] = (causal, centred)
    causal, centred = zip(*both.values(), strict=True)
    assert min(causal) == pytest.approx(0.076, abs=0.001) and min(centred) == pytest.approx(0.0196, abs=0.0002)
    assert both[5, 4] == pytest.approx((1.0, 1.0))  # P = W − 1: the fit passes through every sample


def _boosted_bands(window: int, order: int) -> tuple[int, np.ndarray, float]:
    """How many separate frequency bands the causal SG filter lifts above 0 dB (by more than 0.01 dB)."""
    r = smooth.frequency_response(window, order, 1.0, causal=True, n=8192)
    above = r.gain_db > 0.01
    return int(np.sum(np.diff(np.r_[False, above].astype(int)) == 1)), r.f_hz[above], float(r.gain_db.max())


def test_causal_sg_gain_rises_above_0_db_in_one_band_at_the_page_default():
    n, band, peak = _boosted_bands(15, 3)
    assert n == 1 and peak == pytest.approx(4.1, abs=0.05)
    assert band.min() == pytest.approx(0.04, abs=0.005) and band.max() == pytest.approx(0.13, abs=0.005)
    counts = {(w, p): _boosted_bands(w, p)[0] for w in range(5, 52, 2) for p in range(1, min(5, w - 1) + 1)}
    assert {c for (w, p), c in counts.items() if p <= 2} == {1}
    assert max(counts.values()) == 2 and all(p >= 3 for (w, p), c in counts.items() if c == 2)


# --------------------------------------------------------------------------- on the motor's demo current


def test_smoothing_the_demo_current_is_compare_and_both_responses():
    from neuralab.data.motor import TRACE_F_HZ, demo_trace

    r = smooth.smoothing(21, 2, "causal", 3)
    tr = demo_trace(3, False)
    c = smooth.compare(tr.noisy, tr.clean, 21, 2, causal=True)
    assert r.trace is tr and r.comparison.rms_savgol == c.rms_savgol
    assert r.comparison.peak_moving_average == c.peak_moving_average
    sg = smooth.frequency_response(21, 2, tr.fs, "savgol", causal=True)
    np.testing.assert_array_equal(r.savgol.gain_db, sg.gain_db)
    assert r.moving_average.cutoff_hz == smooth.frequency_response(21, 2, tr.fs, "moving_average").cutoff_hz
    assert r.f_signal_hz == TRACE_F_HZ and r.period_s == pytest.approx(0.02)


@pytest.mark.parametrize(
    ("kw", "fragment"),
    [({"window": 16}, "window must be 5 plus a multiple of 2"), ({"order": 5, "window": 5}, "order must be below"),
     ({"causal": True}, "causal must be one of centred, causal"), ({"seed": -1}, "seed must be between")],
)
def test_smoothing_refuses_bad_values_with_a_sentence(kw, fragment):
    with pytest.raises(ParamError, match=fragment):
        smooth.smoothing(**kw)


def test_trace_sweep_is_the_window_sweep_of_the_demo_current_cached():
    from neuralab.data.motor import demo_trace

    tr = demo_trace(0, False)
    sweep = smooth.trace_sweep(3, "centred", 0)
    assert sweep is smooth.trace_sweep(3, "centred", 0)
    ref = smooth.window_sweep(tr.noisy, tr.clean, 3, False)
    np.testing.assert_array_equal(sweep.rms_savgol, ref.rms_savgol)
    assert sweep.crossover == ref.crossover
    assert smooth.trace_sweep(3, "causal", 0).rms_savgol[0] != sweep.rms_savgol[0]
    with pytest.raises(ParamError, match="order must be a whole number"):
        smooth.trace_sweep("3; DROP")
    with pytest.raises(ParamError, match="order must be a whole number"):
        smooth.trace_sweep([3])  # unhashable: validated before the cache sees it
