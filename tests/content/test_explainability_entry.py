"""The reference entry on explainability: its numbers recomputed by the library."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from neuralab.data.motor import flux_linkage
from neuralab.explain import digits, motor
from neuralab.robust import digits as rd


def flat() -> str:
    return " ".join(resources.files("neuralab.content").joinpath("explainability.md").read_text(encoding="utf-8")
                    .split())


def test_the_completeness_figures_of_the_first_digit():
    text = flat()
    assert ("misses by about 1 logit unit with 2 steps and by a few thousandths with 256, against a change of about "
            "14 from the blank digit") in text
    c = digits.completeness(0, 32)
    assert 0.5 < c.at("own", 2) < 1.5 and 0.001 <= c.at("own", 256) < 0.01 and round(c.gap) == 14


def test_the_error_falls_about_as_one_over_m_for_both_rules():
    text = flat()
    assert "expect the error to fall only about as 1/m, not at every doubling, and no better with Gauss" in text
    c = digits.completeness(0, 32)
    slopes = {w: np.polyfit(np.log(c.steps), np.log(v), 1)[0] for w, v in (("own", c.own), ("gauss", c.gauss))}
    assert all(-1.6 < s < -0.8 for s in slopes.values()), slopes  # 1/m², a slope of −2, is not what happens
    for v in (c.own, c.gauss):
        assert (np.diff(v) > 0).any()  # not at every doubling


def test_half_the_pixels_are_blank_and_integrated_gradients_give_them_nothing():
    assert "about half of the 64 pixels are blank, and both maps are 0 there" in flat()
    t = rd.threat()
    blank = np.stack([t.grey(t.x[i]) for i in range(120)]) <= 1e-6
    assert 0.45 <= blank.mean() <= 0.55
    m = digits.maps(0, 32)
    for side in (m.trained, m.random):
        assert np.abs(side["integrated_gradients"][m.image <= 1e-6]).max() < 1e-6


def test_the_sanity_check_figures():
    text = flat()
    assert ("integrated gradients from a blank baseline keeps a median ρ above 0.9, gradient × input and occlusion "
            "keep about 0.65, and saliency falls to about 0.1") in text
    s = digits.sanity(32, 120)
    assert s.median("integrated_gradients") > 0.9
    assert all(0.6 <= s.median(k) <= 0.7 for k in ("gradient_x_input", "occlusion"))
    assert 0.05 <= s.median("saliency") <= 0.15


def test_the_motor_figures():
    text = flat()
    assert "lowers the torque per ampere by 12 % from 20 °C to 120 °C" in text
    assert 1 - float(flux_linkage(120.0)) / float(flux_linkage(20.0)) == pytest.approx(0.12)
    assert "the network fitted it on 180 training windows" in text
    assert "With the default seed, both methods put the current first" in text
    assert "a small but non-zero share, more than the speed's" in text
    r = motor.importance(0)
    assert r.n_train == 180 and r.ranking("perm")[:2] == r.ranking("shap")[:2] == ("i_amp", "temp_c")
    noise = r.names.index("noise")
    assert r.shap[noise] > 0.05 and r.shap[noise] > r.shap[r.names.index("speed_rpm")]
    assert r.shap[noise] < 0.1 * r.shap.max()  # small
    assert abs(r.perm[noise]) < 0.005 and np.isfinite(r.perm).all()
