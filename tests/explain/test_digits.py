"""The maps of the zoo's digits CNN (trained once per test session, seconds)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neuralab.compress import zoo
from neuralab.explain import digits
from neuralab.explain.attributions import METHODS, integrated_gradients
from neuralab.params import ParamError
from neuralab.robust.digits import threat


def test_the_maps_explain_the_predicted_class_and_ig_adds_up():
    m = digits.maps(3, 64)
    assert m.label == int(zoo.data().y_test[3]) and m.image.shape == (8, 8)
    for k in METHODS:
        assert m.trained[k].shape == m.random[k].shape == (8, 8)
        assert -1 <= m.rho[k] <= 1
    assert (m.trained["saliency"] >= 0).all()
    assert m.ig_sum == pytest.approx(m.ig_gap, rel=0.02)
    assert not np.allclose(m.trained["saliency"], m.random["saliency"])


def test_the_random_twin_is_the_cnns_initial_weights():
    start, trained = zoo.build("cnn", 0), zoo.load("cnn").model
    r = digits._random()
    assert all(torch.equal(a, b) for a, b in zip(r.state_dict().values(), start.state_dict().values(), strict=True))
    assert not torch.equal(next(r.parameters()), next(trained.parameters()))


def test_completeness_uses_our_ig_and_matches_captum():
    c = digits.completeness(0, 32)
    assert 32 in c.steps and c.captum_diff < 1e-5
    t, net = threat(), zoo.load("cnn").model
    ig = integrated_gradients(net, t.x[:1], t.lo[None], c.target, 256)
    assert c.at("own", 256) == pytest.approx(abs(ig.delta), rel=1e-6)
    assert c.at("own", 256) < c.at("own", 2) / 50 and c.gap == pytest.approx(ig.f_x - ig.f_baseline, rel=1e-6)


def test_the_sanity_check_separates_saliency_from_integrated_gradients():
    s = digits.sanity(32, 30)
    assert s.rho["saliency"].shape == (30,)
    assert s.median("integrated_gradients") > 0.8 > 0.4 > s.median("saliency")


def test_bad_values_are_named():
    with pytest.raises(ParamError, match="digit must be between 0 and 359"):
        digits.maps(360)
    with pytest.raises(ParamError, match="steps must be between 4 and 256"):
        digits.completeness(0, 1)
