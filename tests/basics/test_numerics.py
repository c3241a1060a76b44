"""neuralab.basics.numerics: every value against a hand-checked case or torch/numpy directly."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from neuralab.basics import numerics
from neuralab.params import ParamError


def test_limits_are_torch_finfo_and_the_subnormal_is_the_last_nonzero_value():
    lims = {lim.name: lim for lim in numerics.limits()}
    assert lims["float16"].max == 65504.0 and lims["float16"].tiny == 2.0**-14 and lims["float16"].eps == 2.0**-10
    assert lims["float32"].eps == 2.0**-23 and lims["bfloat16"].eps == 2.0**-7
    for name, dt in numerics.LIMIT_DTYPES.items():
        sub = lims[name].subnormal
        assert torch.tensor(sub, dtype=dt).item() == sub  # representable
        assert torch.tensor(sub / 2, dtype=dt).item() == 0.0  # half of it rounds to zero (ties to even)
        assert math.isfinite(math.exp(lims[name].exp_overflow))


def test_overflow_logit_is_ln_max_and_exp_overflows_just_past_it():
    assert numerics.overflow_logit("float16") == pytest.approx(math.log(65504.0))
    assert numerics.overflow_logit("float32") == pytest.approx(88.7228, abs=1e-4)
    for name, dt in numerics.DTYPES.items():
        t = numerics.overflow_logit(name)
        assert torch.isfinite(torch.exp(torch.tensor(t - 0.01, dtype=dt)))
        assert torch.isinf(torch.exp(torch.tensor(t + 0.05, dtype=dt)))
    with pytest.raises(ParamError, match="dtype"):
        numerics.overflow_logit("float8")


def test_softmax_naive_fails_past_the_threshold_and_the_stable_forms_match_torch():
    s = numerics.softmax(50.0)
    np.testing.assert_allclose(s.logits, [50.0, 40.0, 15.0, -25.0])
    assert np.isnan(s.naive["float16"]).any() and math.isinf(s.naive_sum["float16"])
    assert np.isfinite(s.naive["float32"]).all()
    for name, dt in numerics.DTYPES.items():
        want = torch.softmax(torch.tensor(s.logits, dtype=dt), 0).double().numpy()
        np.testing.assert_allclose(s.stable[name], want, rtol=2e-3, atol=1e-7)
        np.testing.assert_allclose(s.via_lse[name], s.reference, rtol=2e-3, atol=1e-6)
        assert s.lse[name] == pytest.approx(float(np.logaddexp.reduce(s.logits)), rel=1e-3)
    s = numerics.softmax(10.0)  # below float16's threshold: the naive form works in both
    for name in numerics.DTYPES:
        np.testing.assert_allclose(s.naive[name], s.reference, rtol=3e-3, atol=1e-6)
    s = numerics.softmax(100.0)
    assert np.isnan(s.naive["float32"]).any() and np.isfinite(s.stable["float32"]).all()
    assert np.isinf(s.sweep_exp["float16"][s.sweep > 11.1]).all()
    assert np.isfinite(s.sweep_exp["float16"][s.sweep < 11.0]).all()


def test_loss_scaling_by_hand():
    r = numerics.loss_scaling(1e-8, "1")
    assert r.fp16 == 0.0 and r.fp16_kind == "zero" and r.recovered == 0.0 and r.rel_error == 1.0
    r = numerics.loss_scaling(1e-6, "1")
    assert r.fp16_kind == "subnormal" and r.fp16 == pytest.approx(17 * 2.0**-24)  # 1e-6 / 2^-24 ≈ 16.8
    r = numerics.loss_scaling(1e-8, "65536")
    assert r.scaled_kind == "normal" and r.scaled == float(torch.tensor(1e-8 * 65536).half())
    assert r.recovered == pytest.approx(1e-8, rel=1e-3) and r.rel_error < 1e-3
    r = numerics.loss_scaling(1e-2, "16777216")
    assert r.scaled_kind == "inf" and math.isinf(r.rel_error)
    assert np.isnan(r.kept["16777216"][r.sweep > 65504 / 2**24]).all()
    assert (r.kept["1"][r.sweep < 2.0**-26] == 0).all()


@pytest.mark.parametrize("x", [-200.0, -100.0, -50.0, 0.0, 20.0])
def test_log_sigmoid_against_torch_and_float64(x):
    r = numerics.log_sigmoid(x)
    t = torch.tensor([x])
    assert r.stable == pytest.approx(float(F.logsigmoid(t)), rel=1e-6)
    assert r.stable == pytest.approx(-math.log1p(math.exp(-x)) if x > -700 else x, rel=1e-6, abs=1e-12)
    assert r.naive == float(torch.log(torch.sigmoid(t)))
    assert r.bce_logits == pytest.approx(-r.reference, rel=1e-6, abs=1e-12)
    assert r.grad_logits == pytest.approx(1 / (1 + math.exp(-x)) - 1, abs=1e-6)


def test_log_sigmoid_naive_fails_below_about_minus_89():
    r = numerics.log_sigmoid(-100.0)
    assert math.isinf(r.naive) and r.stable == -100.0
    assert r.bce_naive == 100.0 and r.grad_naive == 0.0 and r.grad_logits == -1.0  # torch clamps log at −100
    assert -89.0 < r.last_finite < -88.0
    assert np.isinf(r.sweep_naive[r.sweep < -90]).all() and np.isfinite(r.sweep_stable).all()


def test_welford_matches_numpy_in_float64():
    x = np.random.default_rng(1).normal(3.0, 2.0, (500, 3))
    np.testing.assert_allclose(numerics.welford(x), x.var(axis=0), rtol=1e-12)
    assert numerics.welford(np.float32([1, 2, 3, 4])) == pytest.approx(1.25)


def test_cancellation_one_pass_breaks_while_welford_holds():
    small, big = numerics.cancellation(1.0, 0), numerics.cancellation(1e4, 0)
    assert small.reference == pytest.approx(1.0, rel=0.1)
    assert all(e < 1e-4 for e in small.rel_error.values())
    assert big.rel_error["one-pass"] > 1.0 and big.rel_error["welford"] < 1e-3
    assert big.rel_error["two-pass"] < 1e-2
    x = (1e4 + np.random.default_rng(0).normal(0, 1, numerics.N_SAMPLES)).astype(np.float32)
    assert big.reference == pytest.approx(float(np.var(x.astype(np.float64))))
    assert big.sweep_error["one-pass"][-1] > big.sweep_error["one-pass"][0]


@pytest.mark.parametrize(("call", "name"), [
    (lambda: numerics.softmax(0.5), "numerics_logit"),
    (lambda: numerics.loss_scaling(1.0, "1"), "numerics_grad"),
    (lambda: numerics.loss_scaling(1e-5, "3"), "numerics_scale"),
    (lambda: numerics.log_sigmoid(50.0), "numerics_x"),
    (lambda: numerics.cancellation(1e7), "numerics_offset"),
    (lambda: numerics.cancellation(10.0, -1), "numerics_seed"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParamError, match=name):
        call()
