"""Normalization: both norms' statistics against torch's modules, train against eval mode, small batches."""

import numpy as np
import pytest
import torch
from torch import nn

from neuralab.basics import norm
from neuralab.data.arrays import digits
from neuralab.params import ParamError


def test_hand_statistics_equal_torch_modules_on_random_data_with_offsets():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 5)) * [1, 10, 100, 0.1, 3] + [0, 50, -20, 7, 1e3]  # per-feature offsets and scales
    out, mean, var = norm.batchnorm(x)
    bn = nn.BatchNorm1d(5, affine=False, dtype=torch.float64).train()
    assert np.allclose(out, bn(torch.from_numpy(x)).detach().numpy(), atol=1e-12)
    assert np.allclose(mean, x.mean(0)) and np.allclose(var, x.var(0))  # biased variance
    out, mean, var = norm.layernorm(x)
    ln = nn.LayerNorm(5, elementwise_affine=False, dtype=torch.float64)
    assert np.allclose(out, ln(torch.from_numpy(x)).detach().numpy(), atol=1e-12)
    assert np.allclose(mean, x.mean(1)) and np.allclose(var, x.var(1))


def test_hand_case():
    out, mean, var = norm.batchnorm([[1.0, 0.0], [3.0, 0.0]])
    assert mean.tolist() == [2.0, 0.0] and var.tolist() == [1.0, 0.0]
    assert out[:, 0] == pytest.approx([-1 / np.sqrt(1 + norm.EPS), 1 / np.sqrt(1 + norm.EPS)])
    assert out[:, 1].tolist() == [0.0, 0.0]  # a constant feature: eps keeps it finite
    assert norm.batchnorm_value((2.0, 4.0, 9.0), 2) == pytest.approx(4 / np.sqrt(26 / 3 + 1e-5))


def test_statistics_on_wine_agree_with_torch_and_its_running_averages():
    s = norm.statistics(8, 0)
    assert s.x.shape == (8, 13) and len(s.bn_mean) == 13 and len(s.ln_mean) == 8
    assert s.bn_torch_diff < 1e-12 and s.ln_torch_diff < 1e-12 and s.running_diff < 1e-12
    assert np.allclose(s.bn_out.mean(0), 0, atol=1e-12) and np.allclose(s.ln_out.mean(1), 0, atol=1e-12)
    assert np.allclose(s.running_mean, 0.1 * s.bn_mean)
    assert np.allclose(s.running_var, 0.9 + 0.1 * s.bn_var * 8 / 7)


def test_train_mode_prediction_moves_with_the_batch_and_eval_mode_does_not():
    m = norm.modes(4, 0)
    assert m.p_eval.max() - m.p_eval.min() < 1e-6 and len(set(m.pred_eval.tolist())) == 1
    assert m.p_train.max() - m.p_train.min() > 0.05
    assert m.acc_eval > 0.9


def test_forgetting_eval_costs_accuracy_on_small_and_single_class_batches():
    m = norm.modes(8, 0)
    f = m.forgot
    assert f["one digit per batch"] < m.acc_eval - 0.5  # measured about 14% against 96%
    assert f["shuffled batches of 2"] < m.acc_eval - 0.2
    assert abs(f["shuffled batches of 128"] - m.acc_eval) < 0.05
    assert np.isnan(f["batches of 1"]) and "more than 1 value per channel" in m.batch1_error
    assert m.running_shift > 0


def test_layer_norm_ignores_the_batch_in_a_trained_network():
    net, _ = norm.train("layer", 16, 1, 0)
    x = torch.from_numpy(np.array(digits(0).X_test[:5]))
    with torch.no_grad():
        net.train()
        assert torch.allclose(net(x)[:1], net(x[:1]), atol=1e-6)


def test_small_batches_hurt_batch_norm_more_than_layer_norm():
    r = norm.small_batches(2, 0, sizes=(2, 32))
    assert r.accuracy.shape == (3, 2) and r.steps == (2 * 538, 2 * 34)
    bn, ln = r.accuracy[1], r.accuracy[2]
    assert ln[0] - bn[0] > 0.1  # batch 2
    assert abs(ln[1] - bn[1]) < 0.1  # batch 32


@pytest.mark.parametrize(("call", "name"), [
    (lambda: norm.statistics(1), "norm_batch"),
    (lambda: norm.statistics(8, -1), "norm_seed"),
    (lambda: norm.modes(100), "norm_mix"),
    (lambda: norm.small_batches(50), "norm_epochs"),
    (lambda: norm.small_batches(2, sizes=(1,)), "sizes"),
    (lambda: norm.batchnorm([[1.0, 2.0]]), "x"),
    (lambda: norm.layernorm([[1.0], [2.0]]), "x"),
    (lambda: norm.batchnorm_value((1.0, 2.0), 5), "which"),
    (lambda: norm.make_net("group"), "norm"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParamError, match=name):
        call()
