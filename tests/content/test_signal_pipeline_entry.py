"""The reference entry on the signal pipeline: every number it quotes, recomputed with the library the page uses."""

from __future__ import annotations

from importlib import resources

import pytest

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
    assert "(median and scaled MAD over 15 samples, 3 robust σ)" in text
    h = sp.build()["hampel"]
    assert (h.window, h.n_sigmas) == (15, 3.0)
    s = sp.build()["smooth"]
    assert "Savitzky–Golay (15 samples, cubic)" in text and (s.window, s.order) == (15, 3)


def test_the_ablation_numbers(ablation):
    a, text = ablation, flat()
    m, s = a.of("full")
    assert f"held-out RMSE is {m:.3f} ± {s:.3f} A, against a target spread of {a.y_std:.2f} A" in text
    assert ("Decimating without the anti-alias filter** costs the most of the wrong orders: "
            f"{_mean(a, 'no_antialias')} A") in text
    assert a.of("no_antialias")[0] > 2 * m and a.of("no_antialias")[0] > a.of("smooth_first")[0]
    assert f"after the slice gives {_mean(a, 'filter_after')} A" in text
    assert f"before the outlier filter** gives {_mean(a, 'smooth_first')} A, the same as dropping" in text
    assert _mean(a, "smooth_first") == _mean(a, "no_hampel")
    assert f"costs the most of the swaps ({_mean(a, 'moving_average')} A)" in text
    swaps = ("moving_average", "minmax", "robust")
    assert max(swaps, key=lambda v: a.of(v)[0]) == "moving_average"
    assert f"Min–max in place of z-score gives {_mean(a, 'minmax')} A; robust scaling matches z-score" in text
    assert abs(a.of("robust")[0] - m) < a.of("full")[1]
    assert f"instead of features:** {a.of('raw')[0]:.1f} A, worse than predicting the mean" in text
    assert a.of("raw")[0] > a.y_std
    assert f"Without smoothing the error falls to {_mean(a, 'no_smooth')} A" in text
    assert f"without decimation to {_mean(a, 'no_decimate')} A" in text
    assert a.of("no_smooth")[0] < m and a.of("no_decimate")[0] < m


def test_the_normalization_claims():
    text = flat()
    n = sp.normalization_compare()
    col = [n.rmse[k] for k in ("zscore", "minmax", "robust")]
    assert "The three column scalers give nearly the same held-out error" in text
    assert max(col) - min(col) < 0.05 * min(col)
    assert "the error jumps to the size of the target's spread" in text
    assert n.rmse["unit"] > 0.5 * n.y_std and n.per_sample_rmse > 0.5 * n.y_std
    assert abs(n.row_norms - 1).max() < 1e-9
    ordinary = n.scaled["minmax"][~n.outliers]
    assert n.feature == "envelope_std" and "(0 to 0.62 on seed 0)" in text
    assert f"{ordinary.min():.2f} to {ordinary.max():.2f}" in ("0.00 to 0.62", "-0.00 to 0.62")
