import numpy as np
import pytest
import torch
import torch.nn.functional as F

from neuralab.compress import distill
from neuralab.params import ParamError

torch.set_num_threads(1)


def _by_hand(s, t, y, T, alpha):
    """The formula written out: α·T²·mean_i Σ_c p_t log(p_t / p_s) + (1 − α)·mean_i −log q_s[y_i]."""
    p_t = np.exp(t / T) / np.exp(t / T).sum(1, keepdims=True)
    p_s = np.exp(s / T) / np.exp(s / T).sum(1, keepdims=True)
    kl = (p_t * np.log(p_t / p_s)).sum(1).mean()
    q = np.exp(s) / np.exp(s).sum(1, keepdims=True)
    ce = -np.log(q[np.arange(len(y)), y]).mean()
    return alpha * T * T * kl + (1 - alpha) * ce


@pytest.mark.parametrize(("T", "alpha"), [(1.0, 0.5), (4.0, 0.3), (10.0, 1.0), (2.5, 0.0)])
def test_the_loss_matches_its_formula_computed_by_hand(T, alpha):
    g = torch.Generator().manual_seed(0)
    s, t = torch.randn(7, 10, generator=g, dtype=torch.float64) * 3, torch.randn(7, 10, generator=g,
                                                                                 dtype=torch.float64) * 3
    y = torch.randint(0, 10, (7,), generator=g)
    got = float(distill.kd_loss(s, t, y, T, alpha))
    assert got == pytest.approx(_by_hand(s.numpy(), t.numpy(), y.numpy(), T, alpha), rel=1e-9)


def test_the_loss_is_zero_kl_when_student_equals_teacher():
    z = torch.randn(5, 10)
    assert float(distill.kd_loss(z, z, torch.zeros(5, dtype=torch.long), 4.0, 1.0)) == pytest.approx(0.0, abs=1e-6)


def test_t_squared_keeps_gradient_magnitudes_comparable_across_temperatures():
    g = distill.gradient_scale()
    spread_scaled = g.scaled.max() / g.scaled.min()
    spread_plain = g.plain.max() / g.plain.min()
    assert spread_scaled < 3  # with T²: the same order at T = 1 and T = 10
    assert spread_plain > 30  # without: the soft term's gradient fades roughly as 1/T²
    T = g.T
    assert g.plain[T == 10][0] * 100 == pytest.approx(g.scaled[T == 10][0])


def test_gradient_only_reaches_the_student():
    s = torch.randn(4, 10, requires_grad=True)
    t = torch.randn(4, 10, requires_grad=True)
    distill.kd_loss(s, t.detach(), torch.zeros(4, dtype=torch.long), 3.0, 0.5).backward()
    assert s.grad is not None and t.grad is None


def test_soft_targets_flatten_with_temperature_and_keep_the_ranking():
    a, b = distill.soft_targets(1.0, 3), distill.soft_targets(8.0, 3)
    assert a.teacher_t1.sum() == pytest.approx(1.0, abs=1e-5)
    assert b.entropy_t > b.entropy_t1 == pytest.approx(a.entropy_t)
    assert np.array_equal(np.argsort(b.teacher_t), np.argsort(b.teacher_t1))
    assert b.label == 3 and b.image.shape == (8, 8)
    np.testing.assert_allclose(distill.soften(torch.tensor([1.0, 2.0]), 1.0).numpy(),
                               F.softmax(torch.tensor([1.0, 2.0]), 0).numpy())


def test_alpha_zero_is_plain_training_and_the_student_learns():
    model, hist = distill.train_student(None, 4.0, 0.0, 0, epochs=3)
    other, _ = distill.train_student(None, 9.0, 0.0, 0, epochs=3)  # T has no effect when α = 0
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), other.parameters(), strict=True))
    assert hist.val_metric[-1] > 0.7


def test_comparison_is_paired_by_seed_and_validates():
    c = distill.compare(4.0, 0.5, n_seeds=2)
    assert c.hard.shape == c.distilled.shape == (2,) and c.teacher > c.hard.mean()
    assert c.n_teacher > 50 * c.n_student
    with pytest.raises(ParamError, match="alpha"):
        distill.compare(4.0, 1.5)
    with pytest.raises(ParamError, match="T"):
        distill.train_student(None, 0.5, 0.5, 0)
