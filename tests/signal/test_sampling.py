"""Decimation, aliasing and the amplitude spectrum, against scipy and hand-checked cases."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import signal

from neuralab.params import ParamError
from neuralab.signal import sampling

TWO_PI = 2.0 * np.pi


@pytest.mark.parametrize("factor", [2, 4, 13])
def test_decimate_is_scipy_decimate_and_slicing_is_slicing(factor):
    x = np.random.default_rng(factor).normal(size=(3, 500))
    np.testing.assert_array_equal(sampling.decimate(x[0], factor),
                                  signal.decimate(x[0], factor, ftype="iir", zero_phase=True))
    np.testing.assert_array_equal(sampling.decimate(x, factor), signal.decimate(x, factor, zero_phase=True, axis=-1))
    np.testing.assert_array_equal(sampling.decimate(x[0], factor, anti_alias=False), x[0, ::factor])


def test_decimate_rejects_bad_input_with_sentences():
    with pytest.raises(ParamError, match="x must hold at least 32 samples to decimate; got 20"):
        sampling.decimate(np.ones(20), 4)
    with pytest.raises(ParamError, match="factor must be between 2 and 13"):
        sampling.decimate(np.ones(100), 20)
    with pytest.raises(ParamError, match="x must be finite \\(no NaN or inf\\); got 1 non-finite"):
        sampling.decimate(np.r_[np.ones(99), np.nan], 2)
    # a constant is fine, but comes out scaled by the filter's 0.05 dB ripple at DC, twice (forwards, backwards)
    np.testing.assert_allclose(sampling.decimate(np.full(64, 3.0), 2), 3.0 * 10 ** (-0.05 / 10), rtol=1e-9)
    np.testing.assert_array_equal(sampling.decimate(np.full(64, 3.0), 2, anti_alias=False), 3.0)


@pytest.mark.parametrize(
    ("f", "fs", "alias"),
    [(3300.0, 2500.0, 800.0), (2500.0, 2500.0, 0.0), (1250.0, 2500.0, 1250.0), (90.0, 2500.0, 90.0)],
)
def test_alias_frequency_hand_checked(f, fs, alias):
    assert sampling.alias_frequency(f, fs) == pytest.approx(alias)
    with pytest.raises(ParamError, match="fs_hz must be a positive, finite frequency in Hz; got 0"):
        sampling.alias_frequency(f, 0)
    with pytest.raises(ParamError, match="f_hz must be a positive, finite frequency in Hz; got -1"):
        sampling.alias_frequency(-1.0, fs)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 1e5), st.floats(10.0, 1e4))
def test_sampled_tone_is_indistinguishable_from_its_alias(f, fs):
    a = sampling.alias_frequency(f, fs)
    assert 0.0 <= a <= fs / 2 + 1e-9
    n = np.arange(64)
    np.testing.assert_allclose(np.cos(TWO_PI * f * n / fs), np.cos(TWO_PI * a * n / fs), atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([4000, 10000, 20000]), st.integers(2, 13), st.floats(0.05, 0.499))
def test_alias_lands_where_predicted_and_the_filter_removes_it(fs, factor, tone_frac):
    tone = tone_frac * fs  # anywhere up to the raw Nyquist frequency
    demo = sampling.alias_demo(fs, factor, tone)
    df = demo.freqs_new[1]
    assume(abs(demo.alias_hz - demo.wanted_hz) > 6 * df and demo.alias_hz > 3 * df)  # peaks apart, off DC
    assert demo.alias_hz == pytest.approx(sampling.alias_frequency(tone, fs / factor))
    assert abs(demo.peak_hz_sliced - demo.alias_hz) <= df  # found in the spectrum, within one bin
    assert demo.alias_amp_sliced > 0.8 * sampling.TONE_AMP  # slicing keeps its full size (Hann scalloping < 16%)
    if tone > 1.2 * demo.fs_new_hz / 2:  # well inside the stop band of the anti-alias filter
        assert demo.alias_amp_filtered < 0.01 * sampling.TONE_AMP


def test_alias_demo_default_and_rule():
    d = sampling.alias_demo()  # 3.3 kHz tone, 10 kHz / 4 = 2.5 kHz: it folds to 800 Hz
    assert d.folds and d.alias_hz == pytest.approx(800.0) and d.peak_hz_sliced == pytest.approx(800.0)
    with pytest.raises(ParamError, match="tone_hz must be below the Nyquist frequency fs_hz / 2 = 5000 Hz"):
        sampling.alias_demo(10000, 4, 6000.0)


def test_amplitude_spectrum_reads_sine_amplitudes_and_dc():
    fs, n = 1000.0, 1000
    t = np.arange(n) / fs
    freqs, amp = sampling.amplitude_spectrum(0.7 + 2.0 * np.sin(TWO_PI * 50.0 * t), fs)
    assert freqs[50] == 50.0
    assert amp[50] == pytest.approx(2.0) and amp[0] == pytest.approx(0.7)


# --------------------------------------------------------------------------- at the motor drive's rate


def test_aliasing_declares_the_page_range_below_the_nyquist_frequency():
    assert sampling.ALIASING.fields["factor"] is sampling.FACTOR
    assert sampling.ALIASING.fields["tone_hz"].hi < sampling.ALIASING_FS_HZ / 2
    with pytest.raises(ParamError, match="tone_hz must be between 100 and 4900"):
        sampling.ALIASING.validate(factor=4, tone_hz=6000)
