"""Initialization: per-layer spreads from real passes, the formulas against torch, the symmetry of equal weights."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from neuralab.basics import init
from neuralab.params import ParamError


@pytest.mark.parametrize("seed", [0, 1])
def test_he_with_relu_keeps_the_activation_scale_through_fifty_layers(seed):
    p = init.depth_profile("he", "relu", 50, 256, seed)
    # measured over seeds 0-3: max/min 1.6-2.1, smallest std 0.39
    assert p.act_std.max() / p.act_std.min() < 4 and p.act_std.min() > 0.2
    assert p.grad_std.max() / p.grad_std.min() < 4
    assert abs(p.decades) < 0.6 and p.overflow_layer is None
    assert 0.4 < p.saturated.mean() < 0.6  # ReLU zeroes about half its inputs


def test_normal_with_tanh_saturates_and_its_gradient_explodes_on_the_way_down():
    p = init.depth_profile("normal", "tanh", 50, 256, 0)
    assert p.saturated.min() > 0.75  # measured 0.86: most units sit at ±1
    assert p.act_std.min() > 0.9
    assert p.grad_std[0] / p.grad_std[-1] > 1e15  # measured about 7e22


def test_xavier_and_the_linear_default_vanish_with_relu_and_normal_overflows():
    ps = init.depth_profiles("he", "relu", 50, 256, 0).profiles
    assert ps["xavier"].act_std[-1] < 1e-6 and ps["default"].act_std[-1] < 1e-15
    assert ps["normal"].overflow_layer is not None and ps["normal"].decades == math.inf


def test_zeros_give_zero_activations_and_zero_gradients_for_every_hidden_weight():
    for act in ("tanh", "relu"):
        p = init.depth_profile("zeros", act, 10, 64, 0)
        assert np.all(p.act_std == 0) and np.all(p.wgrad_std == 0)
        assert np.all(p.grad_std[:-1] == 0) and p.decades == -math.inf


def test_the_profile_is_a_real_torch_pass():
    """Layer 1's activation std is that of tanh(x Wᵀ) with the same generator draws."""
    p = init.depth_profile("xavier", "tanh", 5, 64, 7)
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(init.BATCH, 64, generator=gen)
    x = (x - x.mean(0)) / x.std(0)
    w = init.init_weight(torch.empty(64, 64), "xavier", gen)
    assert p.act_std[0] == pytest.approx(float(torch.tanh(x @ w.T).std()), rel=1e-6)
    assert p.input_std == pytest.approx(float(x.std()))


@pytest.mark.parametrize("scheme", ["normal", "xavier", "he", "default"])
def test_scheme_std_matches_what_torch_draws(scheme):
    w = init.init_weight(torch.empty(400, 300), scheme, torch.Generator().manual_seed(0))
    assert float(w.std()) == pytest.approx(init.scheme_std(scheme, 300, 400), rel=0.02)


def test_formulas_by_hand():
    assert init.scheme_std("he", 256) == pytest.approx(math.sqrt(2 / 256))
    assert init.scheme_std("xavier", 100, 300) == pytest.approx(math.sqrt(2 / 400))
    assert init.scheme_std("zeros", 5) == 0 and init.scheme_std("normal", 5) == 1


def test_torch_linear_default_is_uniform_on_one_over_sqrt_fan_in():
    torch.manual_seed(0)
    w = nn.Linear(256, 512).weight.detach()
    bound = 1 / math.sqrt(256)
    assert float(w.abs().max()) <= bound and float(w.abs().max()) > 0.99 * bound
    assert init.default_linear_std(256) == pytest.approx(1 / math.sqrt(3 * 256))
    assert float(w.std()) == pytest.approx(init.default_linear_std(256), rel=0.02)


def test_equal_weights_stay_equal_and_random_ones_do_not():
    s = init.symmetry(0.1, 20, 0)
    assert s.rows_constant == 1 and s.rows_random == s.width == 16
    assert s.moved > 0.01 and s.spread_constant < 1e-9  # it trained, and the rows are still the same
    assert s.acc_random > s.acc_constant + 0.3


def test_a_run_continued_from_kept_weights_is_the_uninterrupted_run(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path / "kept"))
    init.symmetry(0.1, 40, 3)  # keeps both runs' weights at 10, 20, 30, 40
    continued = [init.symmetry(0.1, 70, 3), init.symmetry(0.1, 20, 3), init.symmetry(0.3, 40, 3)]
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path / "fresh"))
    fresh = [init.symmetry(0.1, 70, 3), init.symmetry(0.1, 20, 3), init.symmetry(0.3, 40, 3)]
    assert continued == fresh  # every field, bit for bit
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path / "other-seed"))
    other = init.symmetry(0.1, 70, 4)
    assert other.rows_constant == fresh[0].rows_constant and other.acc_constant == fresh[0].acc_constant
    assert other.acc_random != fresh[0].acc_random or other.rows_random != 16  # the seed reaches the random start


def test_distinct_rows_by_hand():
    assert init.distinct_rows(np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.5]])) == 2
    assert init.distinct_rows(np.ones((4, 3))) == 1


@pytest.mark.parametrize(("call", "name"), [
    (lambda: init.depth_profile("orthogonal", "relu", 10, 64), "init_scheme"),
    (lambda: init.depth_profile("he", "gelu", 10, 64), "init_activation"),
    (lambda: init.depth_profile("he", "relu", 500, 64), "init_depth"),
    (lambda: init.depth_profile("he", "relu", 10, 100), "init_width"),
    (lambda: init.depth_profile("he", "relu", 10, 64, batch=10**6), "batch"),
    (lambda: init.symmetry(3.0), "init_constant"),
    (lambda: init.symmetry(0.1, 5000), "init_steps"),
    (lambda: init.scheme_std("he", 0), "fan_in"),
    (lambda: init.scheme_std("lecun", 10), "scheme"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParamError, match=name):
        call()
