"""Loss pairing: exact figures against hand-checked formulas and torch, and real short training runs."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from neuralab.basics import pairing
from neuralab.params import ParamError


def test_the_cross_entropy_gradient_is_softmax_minus_the_one_hot():
    z = np.array([2.0, 1.0, 0.1])
    p = np.exp(z) / np.exp(z).sum()
    g = pairing.ce_logit_gradient((2.0, 1.0, 0.1), 0)
    np.testing.assert_allclose(g, p - np.array([1.0, 0, 0]), atol=1e-12)
    assert g[0] == pytest.approx(-0.34099886, abs=1e-6)  # 1 − 0.65900114, by hand from the softmax


def test_the_double_softmax_floor_is_what_cross_entropy_gives_a_perfect_probability_vector():
    for k in (2, 3, 10):
        best = torch.zeros(1, k)
        best[0, 0] = 1.0  # the best the softmax outputs can do: 1 for the true class, 0 elsewhere
        assert pairing.double_softmax_floor(k) == pytest.approx(F.cross_entropy(best, torch.tensor([0])).item(),
                                                                rel=1e-6)
    assert pairing.double_softmax_floor(2) == pytest.approx(math.log(math.e + 1) - 1)


def test_the_sigmoid_bce_floor_is_bce_with_logits_at_its_extreme_inputs():
    pos = F.binary_cross_entropy_with_logits(torch.tensor(1.0), torch.tensor(1.0)).item()
    neg = F.binary_cross_entropy_with_logits(torch.tensor(0.0), torch.tensor(0.0)).item()
    assert pairing.sigmoid_bce_floor(1.0) == pytest.approx(pos)
    assert pairing.sigmoid_bce_floor(0.0) == pytest.approx(neg) == pytest.approx(math.log(2))
    assert pairing.sigmoid_bce_floor(0.25) == pytest.approx(0.25 * pos + 0.75 * neg)


def test_the_gradient_curves_follow_their_formulas():
    g = pairing.gradient_curve("sigmoid_bce")
    s = 1 / (1 + np.exp(-g.x))
    np.testing.assert_allclose(g.right, s - 1, atol=1e-9)
    ss = 1 / (1 + np.exp(-s))
    np.testing.assert_allclose(g.wrong, (ss - 1) * s * (1 - s), atol=1e-9)
    m = pairing.gradient_curve("mse_probs", 4)
    z = np.stack([m.x, *np.zeros((3, m.x.size))], axis=1)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    y = np.eye(4)[0]
    expected = (2 * (p - y) * p * ((np.arange(4) == 0) - p[:, :1])).sum(axis=1)
    np.testing.assert_allclose(m.wrong, expected, atol=1e-9)
    assert abs(m.wrong[0]) < 1e-3 and abs(m.right[0]) > 0.99  # confidently wrong: MSE's gradient vanishes
    r = pairing.gradient_curve("mae_skewed")
    np.testing.assert_allclose(r.wrong, np.sign(r.x))
    np.testing.assert_allclose(r.right, 2 * r.x)


def test_double_softmax_trains_with_smaller_gradients_and_stalls_above_its_floor():
    r = pairing.mistake_run("double_softmax", "sgd", 100, 0)
    assert r.classification and r.wrong.loss.shape == r.right.loss.shape == (100,)
    assert r.wrong.grad_norm[:20].mean() < 0.3 * r.right.grad_norm[:20].mean()
    assert r.floor == pytest.approx(pairing.double_softmax_floor(10))
    assert r.wrong.loss.min() >= r.floor - 1e-6 and r.right.loss[-1] < r.floor
    assert 0.5 < r.right.test_score <= 1.0


def test_mae_lands_on_the_median_and_mse_on_the_mean():
    r = pairing.mistake_run("mae_skewed", "sgd", 300, 0)
    s = r.skew
    level, y = pairing.settle_times(0)
    assert s.mean[-1] > 1.15 * s.median[-1]  # the tail: mean well above median
    np.testing.assert_allclose(r.wrong.prediction, s.median, rtol=0.05)
    np.testing.assert_allclose(r.right.prediction, s.mean, rtol=0.05)
    assert (r.wrong.prediction < 0.9 * s.mean).all()
    np.testing.assert_array_equal(r.wrong.grad_norm, 1.0)  # |d|r|/dŷ| = 1 for every sample
    assert level.size == y.size == 1000 and (y > 0).all()


def test_the_huber_estimate_is_a_minimum_of_torchs_huber_loss_and_spans_median_to_mean():
    h = pairing.huber_sweep(10.0, 0)
    c = torch.tensor(h.estimate, dtype=torch.float64, requires_grad=True)
    F.huber_loss(c.expand(h.y.size), torch.tensor(h.y), delta=10.0, reduction="sum").backward()
    assert abs(c.grad.item()) < 1e-3 * h.y.size
    assert pairing.huber_estimate(h.y, 1e3) == pytest.approx(h.mean, rel=1e-5)  # δ beyond every error: MSE
    assert pairing.huber_estimate(h.y, 1e-4) == pytest.approx(h.median, rel=1e-3)  # δ → 0: MAE
    assert h.median < h.estimate < h.mean


def test_first_step():
    assert pairing.first_step(np.array([0.1, 0.5, 0.95, 0.99]), 0.9) == 3
    assert pairing.first_step(np.array([0.1, 0.5]), 0.9) is None


@pytest.mark.parametrize(("call", "fragment"), [
    (lambda: pairing.mistake_run("softmax_twice"), "loss_mistake must be one of"),
    (lambda: pairing.mistake_run(steps=50), "loss_steps must be between 100 and 600"),
    (lambda: pairing.mistake_run(optimizer="lbfgs"), "loss_optimizer must be one of"),
    (lambda: pairing.huber_sweep(0.0), "loss_delta must be between"),
    (lambda: pairing.huber_estimate(np.ones(3), -1.0), "delta must be a positive number"),
    (lambda: pairing.ce_logit_gradient((1.0, 2.0), 2), "target must be a class index from 0 to 1"),
    (lambda: pairing.ce_logit_gradient((1.0,), 0), "logits must be 2 to 1000 finite numbers"),
    (lambda: pairing.double_softmax_floor(1), "k (the number of classes)"),
    (lambda: pairing.sigmoid_bce_floor(1.5), "positive_share must be between 0 and 1"),
])
def test_bad_input_is_a_sentence_naming_the_parameter(call, fragment):
    with pytest.raises(ParamError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        call()
