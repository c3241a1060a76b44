"""The attribution methods on small torch models: our integrated gradients against captum's, completeness,
saliency against a finite difference, occlusion of a blank region, the rank correlation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr
from torch import nn

from neuralab.explain.attributions import METHODS, attribute, integrated_gradients, rank_correlation


def _net(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3)).double()


@pytest.mark.parametrize("steps", [2, 7, 50])
def test_our_integrated_gradients_are_captums_midpoint_sum(steps):
    net = _net()
    x, b = torch.randn(1, 6, dtype=torch.float64), torch.randn(1, 6, dtype=torch.float64)
    ours = integrated_gradients(net, x, b, 2, steps).attributions
    captum = attribute(net, x, "integrated_gradients", 2, b, steps=steps, ig_method="riemann_middle")
    assert torch.allclose(ours, captum, rtol=1e-6, atol=1e-9)  # captum builds its alphas in float32
    assert not torch.allclose(ours, attribute(net, x, "integrated_gradients", 2, b, steps=steps), atol=1e-9)


def test_completeness_holds_within_the_delta_and_the_delta_shrinks():
    net = _net(1)
    x, b = torch.randn(1, 6, dtype=torch.float64), torch.zeros(1, 6, dtype=torch.float64)
    with torch.no_grad():
        gap = float(net(x)[0, 0] - net(b)[0, 0])
    deltas = []
    for steps in (2, 16, 256):
        ig = integrated_gradients(net, x, b, 0, steps)
        assert ig.f_x - ig.f_baseline == pytest.approx(gap, abs=1e-12)
        assert float(ig.attributions.sum()) == pytest.approx(gap + ig.delta, abs=1e-12)
        deltas.append(abs(ig.delta))
    assert deltas[2] < deltas[1] < deltas[0] and deltas[2] < 1e-3 * abs(gap)


def test_on_a_linear_model_integrated_gradients_and_gradient_x_input_are_the_terms_w_x():
    lin = nn.Linear(4, 1).double()
    x = torch.tensor([[1.0, -2.0, 0.5, 3.0]], dtype=torch.float64)
    terms = lin.weight.detach() * x
    ig = integrated_gradients(lin, x, torch.zeros_like(x), None, steps=1)
    assert torch.allclose(ig.attributions, terms) and abs(ig.delta) < 1e-12
    assert torch.allclose(attribute(lin, x, "gradient_x_input", 0), terms)


def test_saliency_is_the_size_of_a_finite_difference_gradient():
    net = _net(2)
    x = torch.randn(1, 6, dtype=torch.float64)
    sal = attribute(net, x, "saliency", 1)[0]
    h = 1e-6
    with torch.no_grad():
        fd = torch.tensor([(net(x + h * e)[0, 1] - net(x - h * e)[0, 1]) / (2 * h) for e in torch.eye(6)[:, None]])
    assert torch.allclose(sal, fd.abs().double(), atol=1e-6)


def test_occlusion_of_a_region_that_is_already_the_baseline_gives_exactly_zero():
    torch.manual_seed(3)
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    x = torch.randn(1, 1, 8, 8)
    x[0, 0, :4, :4] = -1.5  # a blank region: equal to the fill
    att = attribute(net, x, "occlusion", 4, torch.full_like(x, -1.5), window=(1, 2, 2))[0, 0]
    # every 2 × 2 window covering a pixel of rows and columns 0..2 lies inside the blank block
    assert torch.equal(att[:3, :3], torch.zeros(3, 3))
    assert att[4:, 4:].abs().sum() > 0
    # and occlusion is the fall of the output: the corner pixel (7, 7) has one window, checked by hand
    filled = x.clone()
    filled[0, 0, 6:, 6:] = -1.5
    with torch.no_grad():
        fall = float(net(x)[0, 4] - net(filled)[0, 4])
    assert float(att[7, 7]) == pytest.approx(fall, rel=1e-5, abs=1e-6)


def test_every_method_returns_the_inputs_shape_and_a_bad_name_is_refused():
    net = _net()
    x = torch.randn(3, 6, dtype=torch.float64)
    for m in METHODS:
        assert attribute(net, x, m, 0).shape == x.shape
    with pytest.raises(ValueError, match="method must be one of saliency"):
        attribute(net, x, "lime", 0)
    with pytest.raises(ValueError, match="steps must be at least 1"):
        integrated_gradients(net, x[:1], x[:1], 0, 0)


def test_rank_correlation_is_spearmans_of_the_absolute_values():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(8, 8)), rng.normal(size=(8, 8))
    assert rank_correlation(a, b) == pytest.approx(spearmanr(np.abs(a).ravel(), np.abs(b).ravel()).statistic)
    assert rank_correlation(a, -a) == pytest.approx(1.0)
    assert rank_correlation(a, -a, absolute=False) == pytest.approx(-1.0)
    assert math.isnan(rank_correlation(np.zeros(4), a.ravel()[:4]))


def test_rescaling_an_input_changes_saliency_and_gradient_x_input_but_not_ig_or_occlusion():
    g = _net(3).eval()
    mean = torch.tensor([[5.0, -2.0, 0.0, 100.0, 1.0, 0.5]], dtype=torch.float64)
    sd = torch.tensor([[0.03, 6.5, 1.0, 50.0, 0.2, 2.0]], dtype=torch.float64)

    class Raw(nn.Module):  # the same model reading raw units: g((x − mean) / sd)
        def forward(self, x):
            return g((x - mean) / sd)

    raw = torch.tensor([[5.1, 3.0, 0.7, 40.0, 1.3, -1.0]], dtype=torch.float64)
    blank = torch.zeros_like(raw)  # the same reference point in raw units for both
    std, std_blank = (raw - mean) / sd, (blank - mean) / sd
    on = {m: attribute(g, std, m, 1, std_blank, steps=64) for m in METHODS}
    off = {m: attribute(Raw(), raw, m, 1, blank, steps=64) for m in METHODS}
    for m in ("integrated_gradients", "occlusion"):
        assert torch.allclose(on[m], off[m], atol=1e-9), m
    assert torch.allclose(on["saliency"], off["saliency"] * sd)  # per standard deviation against per raw unit
    assert not torch.allclose(on["gradient_x_input"], off["gradient_x_input"], atol=1e-3)
