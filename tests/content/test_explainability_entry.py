"""The reference entry on explainability: its numbers recomputed by the library."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from neuralab.data.motor import flux_linkage
from neuralab.explain import digits, motor


def flat() -> str:
    return " ".join(resources.files("neuralab.content").joinpath("explainability.md").read_text(encoding="utf-8")
                    .split())


def test_the_completeness_figures_of_the_first_digit():
    text = flat()
    assert ("misses by about 1 logit unit with 2 steps and by a few thousandths with 256, against a change of about "
            "14 from the blank digit") in text
    c = digits.completeness(0, 32)
    assert 0.5 < c.at("own", 2) < 1.5 and 0.001 <= c.at("own", 256) < 0.01 and round(c.gap) == 14


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
    assert "lowers it by 12 % from 20 °C to 120 °C" in text
    assert 1 - float(flux_linkage(120.0)) / float(flux_linkage(20.0)) == pytest.approx(0.12)
    assert "the network fitted it on 180 training windows" in text and "Both methods put the current first" in text
    r = motor.importance(0)
    assert r.n_train == 180 and r.ranking("perm")[:2] == r.ranking("shap")[:2] == ("i_amp", "temp_c")
    noise = r.names.index("noise")
    assert r.shap[noise] > 0.05 and r.shap[noise] > r.shap[r.names.index("speed_rpm")]
    assert abs(r.perm[noise]) < 0.005 and np.isfinite(r.perm).all()
