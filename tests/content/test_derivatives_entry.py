"""The derivatives entry and the model-detector paragraph: every number they quote, recomputed."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
from scipy.signal import savgol_coeffs

from neuralab.app.pages import reference
from neuralab.plots.format import num
from neuralab.signal import derivative, outliers
from neuralab.signal.derivative import RPM
from tests.app import tree


def _read(name: str) -> str:
    return " ".join(resources.files("neuralab.content").joinpath(f"{name}.md").read_text(encoding="utf-8").split())


@pytest.fixture(scope="module")
def text() -> str:
    return _read("derivatives")


def test_one_count_per_millisecond(text):
    step = 2 * np.pi / 1024 / 1e-3 * RPM
    assert f"that step is {step:.1f} rpm" in text and f"{step:.1f}" == "58.6"


def test_the_window_delay_and_the_newest_sample_noise(text):
    c = derivative.compare(window=31)
    assert round(c.estimates[1].metrics.lag_s * 1000) == 15
    assert "31-sample window at 1 kHz delivers its value 15 ms late" in text
    edge, centre = savgol_coeffs(31, 2, deriv=1, pos=30), savgol_coeffs(31, 2, deriv=1)
    assert f"carries {round(np.sum(edge**2) / np.sum(centre**2))} times the noise variance" in text


def test_the_steady_gain_at_the_defaults(text):
    c = derivative.compare()
    sigma_v = np.sqrt(c.r)
    lam = c.process_noise * c.profile.dt**2 / sigma_v
    a, b = derivative.alpha_beta(c.process_noise, sigma_v, c.profile.dt)
    assert f"λ = {lam:.3g}, α = {a:.4g} and β = {b:.4g}" in text
    np.testing.assert_allclose(c.kalman_gain[-1], [a, b / c.profile.dt], rtol=1e-6)
    assert 10 <= c.settled < 100 and "reached after a few tens of samples" in text


def test_the_measured_trade_off(text):
    fd, sg, kf = (e.metrics for e in derivative.compare().estimates)
    assert "The noise is read during the holds, standstill included" in text
    assert f"the difference has a noise of {num(fd.noise * RPM)} rpm during holds with half a millisecond" in text
    assert fd.lag_s == pytest.approx(0.0005, abs=1e-4)
    assert f"cuts it to {num(sg.noise * RPM)} rpm and is {num(sg.lag_s * 1000)} ms late" in text
    assert f"has {num(kf.noise * RPM)} rpm and lags {num(kf.lag_s * 1000)} ms" in text
    tr = derivative.tradeoff()
    for ms in (tr.savgol, tr.kalman):
        i = int(np.argmin([m.noise for m in ms]))
        assert 0 < i < len(ms) - 1  # "At their quiet end both curves turn up again"
    assert "at the top of the page's sweep it does worse than the plain difference" in text
    assert tr.kalman[int(np.argmax(tr.process_noise))].noise > tr.finite_difference.noise
    lags, noise = np.array([m.lag_s for m in tr.kalman]), np.array([m.noise for m in tr.kalman])
    order = np.argsort(lags)
    at = 10 ** np.interp(sg.lag_s, lags[order], np.log10(noise[order]))
    assert f"the Kalman curve leaves {num(at * RPM)} rpm against the window's {num(sg.noise * RPM)} rpm" in text
    assert ("Switch to the constant-acceleration model and, at delays around a millisecond, the Kalman curve "
            "drops far below the constant-velocity one") in text
    ca = min(derivative.tradeoff(model="ca").kalman, key=lambda m: m.noise)
    assert 0.5e-3 <= ca.lag_s <= 2e-3
    cv_at = 10 ** np.interp(ca.lag_s, lags[order], np.log10(noise[order]))
    assert ca.noise < cv_at / 10  # "far below" the constant-velocity curve at the same delay
    every = [m.noise for m in (*tr.savgol, *tr.kalman, tr.finite_difference)]
    assert np.log10(max(every) / min(every)) > 3  # "more than three decades of noise"


def test_the_model_detector_paragraph():
    text = _read("preprocessing")
    assert "### Model-based outliers" in text and "/derivatives" in text
    assert f"{outliers.MAD_TO_SIGMA:.4f} × their median absolute deviation" in text
    assert "harmonics 1, 5 and 7" in text
    assert outliers.harmonic_regressors(np.arange(10.0), 1.0).shape == (10, 6)  # harmonics 1, 5 and 7: six columns
    assert "a dropout to zero stands out wherever the model expects a current well away from zero" in text
    assert "so short runs often pass" in text
    r = outliers.trace_outliers("model")  # the page's default seed
    kind, flagged = r.trace.glitch_kind, r.detection.mask
    assert flagged[kind == 2].all()  # every dropout sample flagged
    assert not flagged[kind == 3].all()  # some stuck samples pass


def test_it_is_an_entry_of_the_reference_page():
    assert "derivatives" in reference.TOPICS
    assert "The trade-off, measured" in tree.text(reference.show("derivatives"))
