"""The reference entry on the signal pipeline: every number it quotes, recomputed with the library the page uses."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
from sklearn.model_selection import GroupKFold

from neuralab.signal import pipeline as sp


def flat() -> str:
    return " ".join(resources.files("neuralab.content").joinpath("signal-pipeline.md").read_text(
        encoding="utf-8").split())


@pytest.fixture(scope="module")
def ablation():
    d = sp.ABLATION.defaults()
    return sp.ablate(**d)


def _mean(a, v: str) -> str:
    return f"{a.of(v)[0]:.3f}"


def test_the_setup_it_describes():
    text = flat()
    assert "3 bench logs, seeds 0 to 2, 12 drive cycles each, 120 windows of 200 ms per log" in text
    assert sp.ABLATION.defaults() == {"n_seeds": 3, "cycles": 12, "seed": 0}
    assert len(sp.pipeline_data(0).y) == 120 and sp.WINDOW_S == 0.2
    assert "10 kHz to 2.5 kHz" in text and sp.build("full", 10_000)["decimate"].factor == 4
    assert "(median and scaled MAD over 15 samples, 3 robust σ; 6 ms at 2.5 kHz)" in text
    assert 15 / (10_000 / sp.build("full", 10_000)["decimate"].factor) == 0.006
    assert "an order-8 Chebyshev I low-pass run forwards and backwards, then one sample in four" in text
    import inspect

    from scipy import signal
    assert inspect.signature(signal.decimate).parameters["n"].default is None  # iir default: cheby1, order 8
    assert 'ftype="iir", zero_phase=True' in inspect.getsource(sp.Decimate)
    assert "in each of 8 equal slices of 0–1,250 Hz; the mean over the window of a 25-sample rolling" in text
    f = sp.build()["features"]
    assert (f.n_bands, f.rolling) == (8, 25)
    assert "(cycles 0, 4 and 8 are held out together, and so on)" in text
    d = sp.pipeline_data(0)
    held = [sorted(set(d.groups[te])) for _, te in GroupKFold(4).split(d.X, d.y, d.groups)]
    assert [0, 4, 8] in [[int(c) for c in h] for h in held]
    h = sp.build()["hampel"]
    assert (h.window, h.n_sigmas) == (15, 3.0)
    s = sp.build()["smooth"]
    assert "Savitzky–Golay (15 samples, cubic)" in text and (s.window, s.order) == (15, 3)


def test_the_ablation_numbers(ablation):
    a, text = ablation, flat()
    m, s = a.of("full")
    assert (f"held-out RMSE is {m:.3f} ± {s:.3f} A (mean ± sample std over the 3 seeds), against a target "
            f"spread of {a.y_std:.2f} A") in text
    assert abs(s - a.rmse[list(a.variants).index("full")].std(ddof=1)) < 1e-12
    assert ("or running that filter after the slice**, costs the most of the red variants (the anti-aliasing or "
            f"the order wrong): {_mean(a, 'no_antialias')} and {_mean(a, 'filter_after')} A, a tie, more than "
            "twice") in text
    for v in ("no_antialias", "filter_after"):
        assert a.of(v)[0] > 2 * m and a.of(v)[0] > a.of("smooth_first")[0]
    assert abs(a.of("no_antialias")[0] - a.of("filter_after")[0]) < a.of("full")[1]
    assert f"before the outlier filter** gives {_mean(a, 'smooth_first')} A, the same as dropping" in text
    assert "once the glitches are smeared, Hampel no longer helps" in text
    assert _mean(a, "smooth_first") == _mean(a, "no_hampel")
    assert f"costs the most of the swaps ({_mean(a, 'moving_average')} A)" in text
    swaps = ("moving_average", "minmax", "robust")
    assert max(swaps, key=lambda v: a.of(v)[0]) == "moving_average"
    assert (f"Min–max in place of z-score gives {_mean(a, 'minmax')} A, because of its centre, not its scale: "
            "it maps the training minimum to 0, so every detrended window regains an offset") in text
    assert "Robust scaling centres on the median and matches z-score" in text
    d = sp.pipeline_data(0)
    mm = sp.build("minmax", d.rate)[:5].fit(d.X)
    zero = mm["normalize"].transform(np.zeros((1, 500)))
    assert abs(zero).min() > 0.3  # 0 A, the centre of a detrended window, lands far from 0
    assert abs(a.of("robust")[0] - m) < a.of("full")[1]
    assert f"instead of features:** {a.of('raw')[0]:.1f} A, worse than predicting the mean" in text
    assert a.of("raw")[0] > a.y_std
    assert "each fold fits 500 inputs to 90 training windows" in text
    d = sp.pipeline_data(0)
    raw = sp.build("raw", d.rate)
    tr = next(iter(GroupKFold(4).split(d.X, d.y, d.groups)))[0]
    assert len(tr) == 90 and raw[:-1].fit_transform(d.X[tr]).shape == (90, 500)
    assert f"Without smoothing the error falls to {_mean(a, 'no_smooth')} A" in text
    assert f"without decimation to {_mean(a, 'no_decimate')} A" in text
    assert a.of("no_smooth")[0] < m and a.of("no_decimate")[0] < m


def test_the_normalization_claims():
    text = flat()
    n = sp.normalization_compare()
    col = [n.rmse[k] for k in ("zscore", "minmax", "robust")]
    assert "The three column scalers give nearly the same held-out error" in text
    assert max(col) - min(col) < 0.05 * min(col)
    assert ("the error rises to about three quarters of the held-out target's spread "
            f"({n.rmse['unit']:.2f} against {n.y_std:.2f} A on seed 0)") in text
    assert 0.7 < n.rmse["unit"] / n.y_std < 0.8 and n.per_sample_rmse > 0.5 * n.y_std
    assert "on one split (cycles 3, 7 and 11 held out)" in text
    assert sorted({int(c) for c in sp.pipeline_data(0).groups[~n.train]}) == [3, 7, 11]
    assert f"because the {int(n.outliers.sum())} windows beyond Tukey's fences (seed 0) set its maximum" in text
    assert n.outliers[n.scaled["minmax"].argmax()]
    assert abs(n.row_norms - 1).max() < 1e-9
    ordinary = n.scaled["minmax"][~n.outliers]
    assert n.feature == "envelope_std" and "(0 to 0.62 on seed 0)" in text
    assert f"{ordinary.min():.2f} to {ordinary.max():.2f}" in ("0.00 to 0.62", "-0.00 to 0.62")


def test_the_filter_caveats():
    """The qualitative caveats: smoothers at 2.5 kHz and the anti-alias filter's effect on a one-sample spike."""
    from scipy import signal

    text = flat()
    fs = 10_000 / sp.build()["decimate"].factor
    rated, low = 100.0, 100.0 * 200 / 1500  # f_e at rated speed (motor.py) and at 200 rpm, same pole pairs

    def gain(b, f):
        return abs(signal.freqz(b, worN=[f], fs=fs)[1][0])

    sg, ma = signal.savgol_coeffs(15, 3), np.ones(15) / 15
    assert "to pass the fundamental at rated speed with a little less gain than at low speed" in text
    assert 0.9 < gain(sg, rated) < 0.99 < gain(sg, low)
    assert "strong enough to attenuate the fundamental at rated speed far more than at low speed" in text
    assert gain(ma, rated) < 0.6 < 0.95 < gain(ma, low)
    assert "has already spread each raw-rate spike over several output samples" in text
    spike = np.zeros(2000)
    spike[1001] = 1.0
    out = signal.decimate(spike, 4, ftype="iir", zero_phase=True)
    assert abs(out).max() < 0.3 and (abs(out) > 0.02).sum() > 3
