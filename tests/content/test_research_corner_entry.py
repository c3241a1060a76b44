"""The research-corner reference entry: every number it quotes, computed by the library."""

from __future__ import annotations

import math
from importlib import resources

import numpy as np
import pytest
import torch

from neuralab.nn.capsule import DigitCapsNet, squash
from neuralab.nn.cnn import digits_cnn
from neuralab.nn.models import n_params
from neuralab.nn.ode import Field
from neuralab.train import research


def flat() -> str:
    return " ".join(resources.files("neuralab.content").joinpath("research-corner.md").read_text(
        encoding="utf-8").split())


def test_the_capsule_numbers_it_quotes():
    text = flat()
    assert f"(the compression zoo's `cnn`, 8 and 16 channels, {n_params(digits_cnn(8, 16)):,} parameters)" in text
    net = DigitCapsNet()
    assert f"{net.W.numel():,} weights instead of {64 * 10 * 8 * 4:,}, {n_params(net):,} parameters in all" in text
    for n, want in ((1, 0.5), (3, 0.9)):
        assert round(float(squash(torch.tensor([float(n), 0.0])).norm()), 2) == want
    assert "0.5 at n = 1, 0.9 at n = 3" in text


def test_the_tolerance_below_which_the_error_is_the_fits():
    o = research.ode()
    dop = {s.tol: s.error for s in o.sweep if s.method == "dopri5"}
    assert dop[1e-4] <= 1.05 * dop[1e-7] and dop[1e-3] > 1.5 * dop[1e-7]
    assert "Below a tolerance of about 1e-4 the error against the true spiral no longer falls" in flat()


def test_the_digit_capsules_ignore_where_a_part_is():
    """One transform per type: shuffling the 16 primary positions leaves the digit capsules as they were."""
    net = DigitCapsNet().eval()
    x = torch.randn(4, 64, generator=torch.Generator().manual_seed(0))
    perm = torch.randperm(16, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        v = net.routed(x).v
        hook = net.primary.register_forward_hook(lambda _m, _i, o: o.flatten(2)[..., perm].reshape(o.shape))
        shuffled = net.routed(x).v
        hook.remove()
    assert not torch.equal(perm, torch.arange(16))
    assert torch.allclose(v, shuffled, atol=1e-5)
    text = flat()
    assert "the digit capsules see each type's 16 capsules as an unordered set" in text


def test_the_solver_facts_it_quotes():
    o = research.ode()
    dop = {s.tol: s.nfe for s in o.sweep if s.method == "dopri5"}
    assert all((n - 2) % 6 == 0 for n in dop.values())  # NFE = 2 + 6 × (accepted + rejected steps)
    assert dop[1e-2] > dop[1e-3]  # not strictly growing: the loose tolerance costs more
    slope = math.log(dop[1e-7] / dop[1e-4]) / math.log(1e3)
    assert 0.1 < slope < 0.3  # roughly tolerance^(−1/5)
    assert research.TOLERANCES[-1] == 1e-7 and 1e-7 < torch.finfo(torch.float32).eps < 2e-7
    assert research.N_T - 1 == 100 and research.T_END / (research.N_T - 1) == 0.1
    text = flat()
    for quoted in ("NFE = 2 + 6 × (accepted + rejected steps)", "not strictly: rejected steps can make a loose "
                   "tolerance cost more", "round-off (~1e-7)", "a ResNet of 100 blocks sharing that f",
                   "and at h = 0.1 s it is not", "about 6·N + 2 evaluations"):
        assert quoted in text


def test_euler_on_the_spiral_and_on_a_pure_rotation():
    z = np.asarray(research.Z0)
    with np.errstate(all="ignore"):
        for _ in range(research.N_T - 1):
            z = z + 0.1 * research.true_field(z)
    assert not np.linalg.norm(z) < 10  # Euler at h = 0.1 s leaves the damped spiral (or overflows)
    rot = np.array([[0.0, 2.0], [-2.0, 0.0]])
    for h in (0.1, 1e-3):  # a pure rotation: every Euler step lengthens z, whatever h
        z = np.array([1.0, 0.0])
        z2 = z + h * z @ rot
        assert np.linalg.norm(z2) > 1.0


def test_max_num_steps_counts_step_attempts_through_an_assert():
    from torchdiffeq import odeint

    f = Field(8)
    f.reset()
    with pytest.raises(AssertionError, match="max_num_steps exceeded"), torch.no_grad():
        odeint(f, torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1e3]), method="dopri5", rtol=1e-7, atol=1e-7,
               options=dict(max_num_steps=5))
    assert 6 * 5 - 4 <= f.nfe <= 6 * 5 + 2  # evaluations: about 6 per step attempt, plus 2
