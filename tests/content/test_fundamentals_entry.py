"""The fundamentals entry: every number in it recomputed with torch, numpy or scikit-learn, its claims run."""

from __future__ import annotations

import inspect
import math
import re
import warnings
from importlib import resources

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import average_precision_score, roc_auc_score
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from neuralab.app import ui
from tests.app import tree


def entry() -> str:
    return resources.files("neuralab.content").joinpath("fundamentals.md").read_text(encoding="utf-8")


def flat() -> str:
    return " ".join(entry().split())


def params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


# --- the neuron, the layer, shapes -----------------------------------------------------------------------------


def test_the_layer_formula_and_its_parameter_count():
    torch.manual_seed(0)
    lin = nn.Linear(64, 16)
    assert tuple(lin.weight.shape) == (16, 64)  # outputs first
    x = torch.randn(5, 64)
    assert torch.allclose(lin(x), x @ lin.weight.T + lin.bias)
    assert params(lin) == 16 * (64 + 1)
    assert f"`nn.Linear(64, 16)` has {params(lin):,}" in flat()


def test_the_conv_output_length_and_parameters():
    conv = nn.Conv1d(3, 8, kernel_size=5, stride=2, padding=2)
    out = conv(torch.randn(4, 3, 100))
    L, p, d, k, s = 100, 2, 1, 5, 2
    assert out.shape[-1] == (L + 2 * p - d * (k - 1) - 1) // s + 1
    assert params(conv) == 8 * (3 * 5 + 1)
    assert f"turns (4, 3, 100) into {tuple(out.shape)} with {params(conv)} parameters" in flat()
    assert nn.RNN(3, 4).batch_first is False and "(L, N, F) by default" in flat()


def test_the_broadcasting_trap_averages_every_pair_and_warns():
    torch.manual_seed(1)
    pred, target = torch.randn(32, 1), torch.randn(32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wrong = F.mse_loss(pred, target)
    assert any("target size" in str(w.message) for w in caught)
    assert torch.allclose(wrong, ((pred - target[None, :]) ** 2).mean())  # all 32 × 32 pairs
    assert not torch.allclose(wrong, F.mse_loss(pred.squeeze(1), target))
    assert "broadcasts them to (B, B) and averages all B² differences" in flat()


def test_cross_entropy_wants_the_classes_in_dimension_one():
    torch.manual_seed(2)
    logits, target = torch.randn(4, 7, 3), torch.randint(0, 3, (4, 7))  # (N, L, C) from a batch-first model
    right = F.cross_entropy(logits.permute(0, 2, 1), target)
    per_step = F.cross_entropy(logits.reshape(-1, 3), target.reshape(-1))
    assert torch.allclose(right, per_step)
    with pytest.raises(RuntimeError):
        F.cross_entropy(logits, target)
    square = torch.randn(4, 3, 3)  # L == C: the wrong order runs silently
    assert not torch.allclose(F.cross_entropy(square, target[:, :3]), F.cross_entropy(square.permute(0, 2, 1),
                                                                                     target[:, :3]))
    assert "must be permuted to (N, C, L) first; if L happens to equal C, the wrong order even runs" in flat()


def test_activation_facts():
    assert nn.LeakyReLU().negative_slope == 0.01 and "(0.01 by default in torch)" in flat()
    z = torch.linspace(-8, 8, 16001, requires_grad=True)
    torch.sigmoid(z).sum().backward()
    assert z.grad.max().item() == pytest.approx(0.25)
    normal = torch.distributions.Normal(0.0, 1.0)
    zz = torch.linspace(-4, 4, 81)
    assert torch.allclose(F.gelu(zz), zz * normal.cdf(zz), atol=1e-6)
    assert torch.allclose(F.silu(zz), zz * torch.sigmoid(zz))
    assert "slope at most 1/4" in flat()


# --- output layer and loss -------------------------------------------------------------------------------------


def test_mse_estimates_the_mean_and_mae_the_median():
    rng = np.random.default_rng(3)
    y = rng.exponential(1.0, 200_000)
    grid = np.linspace(0.3, 1.5, 1201)
    mse = [np.mean((y - c) ** 2) for c in grid]
    mae = [np.mean(np.abs(y - c)) for c in grid]
    assert grid[int(np.argmin(mse))] == pytest.approx(y.mean(), abs=2e-3)
    assert grid[int(np.argmin(mae))] == pytest.approx(np.median(y), abs=2e-3)
    assert np.median(y) == pytest.approx(math.log(2), abs=0.01)
    below = round(100 * (1 - math.log(2)))
    assert f"the median is ln 2 ≈ {math.log(2):.2f}, so an MAE model predicts about {below} %" in flat()


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_huber_is_delta_times_smooth_l1(delta):
    torch.manual_seed(4)
    a, b = torch.randn(100) * 3, torch.randn(100)
    huber = F.huber_loss(a, b, delta=delta)
    assert torch.allclose(huber, delta * F.smooth_l1_loss(a, b, beta=delta))
    assert (delta == 1.0) == bool(torch.allclose(huber, F.smooth_l1_loss(a, b, beta=delta)))
    assert "`HuberLoss(delta=δ)` equals δ times `SmoothL1Loss(beta=δ)`, identical only for δ = 1" in flat()


def test_sigmoid_then_bce_kills_the_gradient_where_bce_with_logits_does_not():
    z = torch.tensor(-200.0, requires_grad=True)
    loss = F.binary_cross_entropy(torch.sigmoid(z), torch.tensor(1.0))
    loss.backward()
    assert torch.sigmoid(torch.tensor(-200.0)).item() == 0.0
    assert loss.item() == 100.0 and z.grad.item() == 0.0
    z2 = torch.tensor(-200.0, requires_grad=True)
    loss2 = F.binary_cross_entropy_with_logits(z2, torch.tensor(1.0))
    loss2.backward()
    assert loss2.item() == pytest.approx(200.0) and z2.grad.item() == pytest.approx(-1.0)
    text = flat()
    assert "For a logit of −200 and a true label of 1, the sigmoid rounds to 0 in float32" in text
    assert ("clamps its logarithm at −100, reports a loss of 100 and returns a gradient of exactly zero" in text
            and "reports 200 and a gradient of −1" in text)


def test_the_logit_gradients_and_the_double_softmax_floor():
    torch.manual_seed(5)
    z, y = torch.randn(3, requires_grad=True), torch.tensor([1.0, 0.0, 1.0])
    F.binary_cross_entropy_with_logits(z, y, reduction="sum").backward()
    assert torch.allclose(z.grad, torch.sigmoid(z) - y)
    logits, cls = torch.randn(4, 10, requires_grad=True), torch.tensor([3, 1, 4, 1])
    F.cross_entropy(logits, cls).backward()
    assert torch.allclose(logits.grad, (torch.softmax(logits, 1) - F.one_hot(cls, 10)) / 4, atol=1e-7)
    # softmax before cross_entropy: the best the loss can do is a one-hot probability vector as "logits"
    floor = F.cross_entropy(torch.eye(10)[:1], torch.tensor([0])).item()
    assert floor == pytest.approx(math.log(1 + 9 / math.e), rel=1e-6)
    assert f"for ten classes its floor is ln(1 + 9/e) ≈ {floor:.2f} nats" in flat()
    two = torch.randn(6, 2)
    assert torch.allclose(torch.softmax(two, 1)[:, 1], torch.sigmoid(two[:, 1] - two[:, 0]), atol=1e-6)


# --- the worked example ----------------------------------------------------------------------------------------


def worked():
    d = torch.float64
    x = torch.tensor([1.0, -2.0, 0.5], dtype=d)
    w1 = torch.tensor([[0.5, -0.3, 0.8], [-0.2, 0.4, 0.1]], dtype=d, requires_grad=True)
    b1 = torch.tensor([0.1, -0.2], dtype=d, requires_grad=True)
    w2 = torch.tensor([0.7, -0.5], dtype=d, requires_grad=True)
    b2 = torch.tensor(0.2, dtype=d, requires_grad=True)
    return x, w1, b1, w2, b2


def forward(x, w1, b1, w2, b2):
    z1 = w1 @ x + b1
    a1 = torch.relu(z1)
    z2 = w2 @ a1 + b2
    return z1, a1, z2


def test_the_worked_example_forward_backward_and_step_are_autograds():
    x, w1, b1, w2, b2 = worked()
    z1, a1, z2 = forward(x, w1, b1, w2, b2)
    y = torch.tensor(1.0, dtype=torch.float64)
    loss = F.binary_cross_entropy_with_logits(z2, y)
    loss.backward()
    yhat = torch.sigmoid(z2).item()
    text = entry()
    assert f"= ({z1[0].item():.1f},\\ {z1[1].item():.2f})$" in text
    assert f"$\\mathbf{{a}}_1 = ({a1[0].item():.1f},\\ 0)$" in text
    assert f"= {z2.item():.2f}$, $\\hat y = \\sigma({z2.item():.2f}) = {yhat:.3f}$" in text
    assert f"$L = -\\ln \\hat y = {loss.item():.3f}$" in text
    dz2 = yhat - 1.0
    assert b2.grad.item() == pytest.approx(dz2)
    assert f"\\hat y - y = {dz2:.3f}$" in text
    assert f"= ({w2.grad[0].item():.3f},\\ 0)$ and $\\partial L / \\partial b_2 = {dz2:.3f}$" in text
    da1 = dz2 * w2.detach()
    assert f"(\\partial L / \\partial z_2)\\,\\mathbf{{w}}_2 = ({da1[0]:.3f},\\ {da1[1]:.3f})$" in text
    assert b1.grad[1].item() == 0.0 and torch.all(w1.grad[1] == 0)
    assert f"\\mathbb{{1}}[\\mathbf{{z}}_1 > 0] = ({b1.grad[0].item():.3f},\\ 0)$" in text
    row = w1.grad[0]
    assert f"= ({row[0]:.3f},\\ {row[1]:.3f},\\ {row[2]:.3f})$" in text
    assert torch.allclose(row, b1.grad[0] * x)
    with torch.no_grad():
        for p in (w1, b1, w2, b2):
            p -= 0.5 * p.grad
        z2n = forward(x, w1, b1, w2, b2)[2]
    new_loss = F.binary_cross_entropy_with_logits(z2n, y).item()
    assert new_loss < loss.item()
    assert (f"raises $z_2$ to {z2n.item():.2f}, $\\hat y$ to {torch.sigmoid(z2n).item():.3f} and lowers the loss to "
            f"{new_loss:.3f}") in flat()


def test_backward_costs_about_twice_the_forward_for_a_linear_layer():
    lin, x = nn.Linear(256, 128), torch.randn(32, 256, requires_grad=True)
    with FlopCounterMode(display=False) as fwd:
        out = lin(x)
    with FlopCounterMode(display=False) as bwd:
        out.sum().backward()
    assert fwd.get_total_flops() == 2 * 32 * 256 * 128
    assert bwd.get_total_flops() == 2 * fwd.get_total_flops()
    assert "Backward costs about twice the forward pass" in flat()


# --- optimizers ------------------------------------------------------------------------------------------------


def test_adam_defaults_its_first_step_and_adamws_decay():
    w = nn.Parameter(torch.tensor([0.5, -1.0, 2.0]))
    adam = torch.optim.Adam([w])
    d = adam.defaults
    assert (d["lr"], d["betas"], d["eps"], d["weight_decay"]) == (0.001, (0.9, 0.999), 1e-8, 0)
    assert "torch's defaults are η = 0.001, β₁ = 0.9, β₂ = 0.999 and ε = 10⁻⁸" in flat()
    w.grad = torch.tensor([1e-4, -30.0, 0.0])
    before = w.detach().clone()
    adam.step()
    step = (w.detach() - before).abs()
    assert step[0].item() == pytest.approx(1e-3, rel=1e-3) and step[1].item() == pytest.approx(1e-3, rel=1e-4)
    assert step[2].item() == 0.0
    assert torch.optim.AdamW([nn.Parameter(torch.zeros(1))]).defaults["weight_decay"] == 0.01
    assert "torch's `AdamW` defaults to λ = 0.01, its `Adam` to no decay at all" in flat()
    v = nn.Parameter(torch.tensor([1.0]))
    v.grad = torch.zeros(1)
    opt = torch.optim.AdamW([v], lr=0.1, weight_decay=0.5)
    opt.step()
    assert v.item() == pytest.approx(1.0 * (1 - 0.1 * 0.5))  # w(1 − ηλ), the ratio is 0 for a zero gradient


def test_momentum_is_torchs_form():
    w = nn.Parameter(torch.tensor([1.0]))
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    v, ref = 0.0, 1.0
    for g in (1.0, 2.0, -1.0):
        w.grad = torch.tensor([g])
        opt.step()
        v = 0.9 * v + g
        ref -= 0.1 * v
        assert w.item() == pytest.approx(ref)


# --- initialization --------------------------------------------------------------------------------------------


def test_the_init_standard_deviations_for_fan_in_256():
    he, lecun, xav = math.sqrt(2 / 256), math.sqrt(1 / 256), math.sqrt(2 / (256 + 128))
    text = flat()
    assert (f"He gives a standard deviation of {he:.3f}, LeCun {lecun:.4f}; Xavier for 256 inputs and 128 outputs "
            f"gives {xav:.3f}, or a uniform bound of {math.sqrt(3) * xav:.3f}") in text
    torch.manual_seed(6)
    w = torch.empty(4096, 256)
    nn.init.kaiming_normal_(w, nonlinearity="relu")
    assert w.std().item() == pytest.approx(he, rel=0.01)
    u = torch.empty(128, 256)
    nn.init.xavier_uniform_(u)
    assert u.abs().max().item() <= math.sqrt(6 / 384) and u.std().item() == pytest.approx(xav, rel=0.03)
    assert nn.init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / (1 + 0.2**2)))
    assert "√2 for ReLU (He's factor), 5/3 for tanh, √(2/(1 + a²))" in text
    conv = nn.Conv1d(4, 8, kernel_size=3)
    assert conv.weight.abs().max().item() <= 1 / math.sqrt(4 * 3)  # fan-in = channels × kernel


def test_torchs_default_linear_init_is_a_third_of_lecun():
    torch.manual_seed(7)
    lin = nn.Linear(256, 4096)
    bound = 1 / math.sqrt(256)
    assert lin.weight.abs().max().item() <= bound and lin.bias.abs().max().item() <= bound
    assert lin.weight.var().item() == pytest.approx(1 / (3 * 256), rel=0.02)
    assert "uniformly in ±1/√n_in, a variance of $1/(3 n_\\text{in})$: a third of LeCun's and a sixth of He's" in flat()


def test_a_default_relu_stack_divides_the_mean_square_by_six_and_then_is_mostly_bias():
    torch.manual_seed(8)
    layers = [nn.Linear(512, 512) for _ in range(10)]
    x = torch.randn(2048, 512)
    with torch.no_grad():
        h, ratios = x, []
        for lin in layers:
            nxt = torch.relu(h @ lin.weight.T)  # biases zeroed
            ratios.append((nxt.pow(2).mean() / h.pow(2).mean()).item())
            h = nxt
        assert math.prod(ratios) ** (1 / len(ratios)) == pytest.approx(1 / 6, rel=0.1)  # the typical layer
        assert all(r == pytest.approx(1 / 6, rel=0.25) for r in ratios)  # each one, up to finite-width scatter
        h = x
        for lin in layers:
            h = torch.relu(lin(h))  # torch's own biases
        cos = F.cosine_similarity(h[:1024], h[1024:]).mean().item()
    inputs_cos = F.cosine_similarity(x[:1024], x[1024:]).mean().item()
    assert abs(inputs_cos) < 0.05 and cos > 0.95  # different inputs, nearly the same output vector
    assert "every layer divides the mean square of the signal by about six" in flat()


def test_equal_weights_stay_equal():
    torch.manual_seed(9)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    with torch.no_grad():
        net[0].weight.fill_(0.3)
        net[0].bias.zero_()
        net[2].weight.fill_(0.5)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(5):
        opt.zero_grad()
        F.mse_loss(net(torch.randn(8, 3)), torch.randn(8, 1)).backward()
        opt.step()
    w = net[0].weight.detach()
    assert torch.allclose(w, w[:1].expand_as(w))  # every hidden unit is still a copy of the first


# --- normalization ---------------------------------------------------------------------------------------------


def test_batch_norm_statistics_train_and_eval():
    torch.manual_seed(10)
    bn = nn.BatchNorm1d(4)
    assert bn.momentum == 0.1 and bn.eps == 1e-5 and "torch's default momentum of 0.1" in flat()
    x = torch.randn(16, 4) * 3 + 1
    out = bn(x)
    ref = (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + 1e-5)
    assert torch.allclose(out, ref, atol=1e-5)  # biased variance in the forward pass
    assert torch.allclose(bn.running_mean, 0.1 * x.mean(0), atol=1e-6)
    assert torch.allclose(bn.running_var, 0.9 + 0.1 * x.var(0, unbiased=True), atol=1e-5)  # stored unbiased
    bn.eval()
    assert torch.allclose(bn(x[:1]), (x[:1] - bn.running_mean) / torch.sqrt(bn.running_var + 1e-5), atol=1e-6)
    bn.train()
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        bn(torch.randn(1, 4))
    assert "a batch of one vector in training mode makes `BatchNorm1d` raise an error" in flat()


def test_layer_and_group_norm():
    torch.manual_seed(11)
    x = torch.randn(3, 6, 5)
    ln = nn.LayerNorm([6, 5], elementwise_affine=False)
    gn1 = nn.GroupNorm(1, 6, affine=False)
    assert torch.allclose(ln(x), gn1(x), atol=1e-5)
    ln.eval()
    assert torch.allclose(ln(x[:1]), gn1(x[:1]), atol=1e-5)  # per sample: batch size and mode do not matter
    inst = nn.InstanceNorm1d(6)
    assert torch.allclose(nn.GroupNorm(6, 6, affine=False)(x), inst(x), atol=1e-5)


def test_folding_a_batch_norm_into_the_layer_before():
    torch.manual_seed(12)
    lin, bn = nn.Linear(5, 3), nn.BatchNorm1d(3)
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(3))
        bn.running_var.copy_(torch.rand(3) + 0.5)
        bn.weight.copy_(torch.randn(3))
        bn.bias.copy_(torch.randn(3))
    bn.eval()
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    folded = nn.Linear(5, 3)
    with torch.no_grad():
        folded.weight.copy_(scale[:, None] * lin.weight)
        folded.bias.copy_(scale * (lin.bias - bn.running_mean) + bn.bias)
        x = torch.randn(10, 5)
        assert torch.allclose(folded(x), bn(lin(x)), atol=1e-5)
    assert "(torch's ε is 10⁻⁵)" in flat()


# --- numerics --------------------------------------------------------------------------------------------------


def test_overflow_thresholds_of_exp():
    f32, f16 = torch.finfo(torch.float32), torch.finfo(torch.float16)
    assert f16.max == 65504 and math.log(f32.max) == pytest.approx(88.72, abs=0.005)
    text = flat()
    assert f"overflows for z above {math.log(f32.max):.2f}" in text
    assert f"ln 65,504 ≈ {math.log(f16.max):.2f}" in text
    assert torch.isfinite(torch.exp(torch.tensor(11.08, dtype=torch.float16)))
    assert torch.isinf(torch.exp(torch.tensor(11.1, dtype=torch.float16)))
    assert torch.isinf(torch.exp(torch.tensor(88.8)))


def test_stable_softmax_and_log_sum_exp():
    z = torch.tensor([1000.0, 1001.0, 1002.0])
    assert torch.isnan(torch.exp(z) / torch.exp(z).sum()).all()
    m = z.max()
    stable = torch.exp(z - m) / torch.exp(z - m).sum()
    assert torch.allclose(stable, torch.softmax(z, 0))
    lse = (m + torch.log(torch.exp(z - m).sum())).item()
    assert lse == pytest.approx(torch.logsumexp(z, 0).item())
    shown = ", ".join(f"{v:.3f}" for v in stable.tolist())
    assert f"give ({shown}) and a log-sum-exp of {lse:.2f}" in flat()
    half = torch.tensor([1.0, 12.0], dtype=torch.float16)
    assert torch.isnan(torch.exp(half) / torch.exp(half).sum()).any()  # "fails on ordinary logits in float16"


def test_logsigmoid_against_log_of_sigmoid():
    z = torch.tensor(-200.0)
    assert torch.log(torch.sigmoid(z)).item() == -math.inf and F.logsigmoid(z).item() == -200.0
    assert "`torch.log(torch.sigmoid(z))` for z = −200 is −inf in float32" in flat()


def sci(v: float) -> str:
    mant, exp = f"{v:.1e}".split("e")
    sup = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    return f"{mant} × 10{str(int(exp)).translate(sup)}"


@pytest.mark.parametrize(("dtype", "name", "largest", "exact"), [
    (torch.float32, "float32", None, 16_777_216), (torch.float16, "float16", "65,504", 2_048),
    (torch.bfloat16, "bfloat16", None, 256)])
def test_the_half_precision_table(dtype, name, largest, exact):
    fi = torch.finfo(dtype)
    big = largest or sci(fi.max)
    row = f"| {name} | {big} | {sci(fi.tiny)} | {sci(fi.eps)} | {exact:,} |"
    assert row in entry(), row
    t = torch.tensor(float(exact), dtype=dtype)
    assert (t + 1).item() == exact and (t - 1 + 1).item() == exact  # exact + 1 rounds back; below it is exact


def test_half_precision_underflow_and_sums():
    assert torch.tensor(1e-8, dtype=torch.float16).item() == 0.0
    assert torch.tensor(2**-24, dtype=torch.float16).item() > 0  # the smallest subnormal
    assert torch.tensor(2**-25 * 1.01, dtype=torch.float16).item() > 0
    assert torch.tensor(2**-25, dtype=torch.float16).item() == 0.0
    assert 2**-25 == pytest.approx(3e-8, rel=0.01)
    assert "anything under about 3 × 10⁻⁸ becomes zero (10⁻⁸ does)" in flat()
    assert torch.tensor(2048.0, dtype=torch.float16) + 1 == 2048 and "in float16, 2,048 + 1 is 2,048" in flat()
    assert torch.tensor(256.0, dtype=torch.bfloat16) + 1 == 256 and "256 + 1 rounds back to 256" in flat()
    assert torch.finfo(torch.bfloat16).bits == 16 and torch.finfo(torch.bfloat16).eps == 2**-7  # 8 significant bits


def test_grad_scaler_defaults():
    sig = inspect.signature(torch.amp.GradScaler).parameters
    assert sig["init_scale"].default == 2.0**16 == 65_536
    assert sig["backoff_factor"].default == 0.5 and sig["growth_factor"].default == 2.0
    assert sig["growth_interval"].default == 2000
    assert "starts at S = 2¹⁶ = 65,536, halves S" in flat() and "doubles it after 2,000 clean steps" in flat()
    tiny = torch.tensor(1e-8)
    assert tiny.half().item() == 0.0 and (tiny * 65536).half().item() > 0  # what the scaling rescues


# --- class imbalance and metrics -------------------------------------------------------------------------------


def test_the_always_negative_model():
    y = np.array([1] * 10 + [0] * 990)
    pred = np.zeros_like(y)
    acc = (pred == y).mean()
    recalls = [(pred[y == c] == c).mean() for c in (0, 1)]
    assert acc == 0.99 and np.mean(recalls) == 0.5
    assert "is 99 % accurate" in flat() and "(50 % for the always-negative model)" in flat()


def test_roc_ignores_the_class_ratio_and_pr_does_not():
    rng = np.random.default_rng(0)
    y = (rng.random(20_000) < 0.01).astype(int)
    s = rng.normal(size=y.size) + 2 * y
    neg = y == 0
    y10 = np.concatenate([y, np.zeros(9 * neg.sum(), int)])
    s10 = np.concatenate([s, np.tile(s[neg], 9)])
    assert roc_auc_score(y10, s10) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    ratio = average_precision_score(y10, s10) / average_precision_score(y, s)
    assert 0.15 < ratio < 0.25 and "cut the average precision (the area under the PR curve) to about a fifth" in flat()
    noise = rng.random(y.size)
    assert average_precision_score(y, noise) == pytest.approx(y.mean(), abs=0.01)
    assert roc_auc_score(y, noise) == pytest.approx(0.5, abs=0.05)


def test_the_cost_threshold():
    c_fp, c_fn = 1.0, 9.0
    t = c_fp / (c_fp + c_fn)
    assert t == pytest.approx(0.1) and "with a miss nine times as costly as a false alarm, that is $p > 0.1$" in flat()
    p = np.linspace(0, 1, 1001)
    expected_alarm, expected_quiet = (1 - p) * c_fp, p * c_fn
    assert p[np.argmax(expected_alarm < expected_quiet)] == pytest.approx(t, abs=2e-3)


def test_pos_weight_moves_the_constant_optimum():
    p, k = 0.01, 99.0
    z = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([z], lr=1, max_iter=200)
    y = torch.tensor([1.0, 0.0])
    w = torch.tensor([p, 1 - p])  # a base rate p as two weighted samples

    def closure():
        opt.zero_grad()
        loss = (F.binary_cross_entropy_with_logits(z.expand(2), y, pos_weight=torch.tensor(k), reduction="none")
                * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert torch.sigmoid(z).item() == pytest.approx(k * p / (k * p + 1 - p), abs=1e-5)
    assert k * p / (k * p + 1 - p) == pytest.approx(0.5)
    assert "with k = N_neg / N_pos (99 at 1 %)" in flat() and "which is 0.5 for p = 0.01 and k = 99" in flat()


def test_weighted_cross_entropy_divides_by_the_sum_of_the_weights():
    torch.manual_seed(13)
    logits, y = torch.randn(6, 3), torch.tensor([0, 1, 2, 2, 1, 0])
    weight = torch.tensor([1.0, 5.0, 0.5])
    per = F.cross_entropy(logits, y, reduction="none")
    assert torch.allclose(F.cross_entropy(logits, y, weight=weight), (weight[y] * per).sum() / weight[y].sum())
    assert "divides by the sum of the weights of the targets in the batch" in flat()


# --- debugging, production -------------------------------------------------------------------------------------


def test_the_first_loss_is_ln_c():
    text = flat()
    assert f"{math.log(10):.2f} nats for ten, {math.log(2):.3f} for a binary one" in text
    assert F.cross_entropy(torch.zeros(4, 10), torch.tensor([0, 3, 5, 9])).item() == pytest.approx(math.log(10))


def test_a_constant_column_standardized_gives_nan():
    col = torch.full((5,), 3.0)
    assert torch.isnan((col - col.mean()) / col.std()).all()


def test_the_logit_threshold_and_argmax():
    t = 0.9
    z = math.log(t / (1 - t))
    assert torch.sigmoid(torch.tensor(z)).item() == pytest.approx(t)
    assert f"for t = 0.9, z > {z:.3f}" in flat()
    logits = torch.randn(50, 7)
    assert torch.equal(logits.argmax(1), torch.softmax(logits, 1).argmax(1))


# --- form ------------------------------------------------------------------------------------------------------


def test_math_delimiters_balance_and_tables_have_their_columns():
    text = entry()
    outside_code = re.sub(r"`[^`]*`", "", text)
    assert outside_code.count("$") % 2 == 0
    for block in re.findall(r"\$\$(.+?)\$\$", outside_code, flags=re.S):
        assert block.count("{") == block.count("}"), block
    for table in re.findall(r"((?:^\|.*\|\n)+)", text, flags=re.M):
        rows = [r for r in table.strip().splitlines()]
        widths = {len(re.split(r"(?<!\\)\|", r)) for r in rows}
        assert len(widths) == 1, rows[0]


def test_the_entry_renders_as_sections_with_mathjax():
    parts = ui.markdown_sections(entry(), "r-")
    titles = [p.id for p in parts]
    for t in ("r-shapes-and-conventions", "r-output-layer-and-loss-pairing", "r-backpropagation-by-hand",
              "r-initialization", "r-normalization", "r-numerics", "r-class-imbalance-and-metrics",
              "r-debugging-checklist"):
        assert t in titles
    assert all(p.children.mathjax for p in parts)
    assert "Fundamentals" in tree.text(parts)
