"""The neural ODE's pieces: a tied ResNet is torchdiffeq's Euler method, evaluations counted and capped."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest
import torch

from neuralab.nn.ode import Field, TooManyEvaluations, resnet, solve


def _f64(seed: int = 0) -> Field:
    return Field(16, seed=seed).double()


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_a_resnet_with_tied_blocks_is_torchdiffeqs_euler_method(dtype):
    f = Field(16, seed=1).to(dtype)
    t = torch.linspace(0.0, 3.0, 31, dtype=dtype)
    z0 = torch.tensor([[0.8, -0.3], [0.1, 0.5]], dtype=dtype)
    with torch.no_grad():
        gap = (resnet(f, z0, t) - solve(f, z0, t, "euler")).abs().max()
    assert float(gap) <= (0.0 if dtype == torch.float64 else 1e-6)


def test_every_solver_is_counted_and_fixed_steps_cost_what_they_say():
    f, t = _f64(), torch.linspace(0.0, 2.0, 21, dtype=torch.float64)
    z0 = torch.tensor([1.0, 0.0], dtype=torch.float64)
    for method, per_step in (("euler", 1), ("rk4", 4)):
        f.reset()
        with torch.no_grad():
            solve(f, z0, t, method)
        assert f.nfe == per_step * 20
    nfe = {}
    for tol in (1e-3, 1e-8):
        f.reset()
        with torch.no_grad():
            solve(f, z0, t, "dopri5", tol, tol)
        nfe[tol] = f.nfe
    assert nfe[1e-8] > nfe[1e-3] > 0


def test_a_solve_over_the_cap_stops_and_says_so():
    f = _f64()
    f.reset(cap=30)
    with pytest.raises(TooManyEvaluations, match="more than 30 evaluations of f and was stopped"):
        with torch.no_grad():
            solve(f, torch.tensor([1.0, 0.0], dtype=torch.float64), torch.linspace(0, 10, 101, dtype=torch.float64),
                  "dopri5", 1e-9, 1e-9)
    assert f.nfe == 31


def test_dopri5_meets_its_tolerance_on_an_exact_solution():
    t = torch.linspace(0.0, 2.0, 11, dtype=torch.float64)
    z = solve(lambda _t, z: -z, torch.tensor([1.0], dtype=torch.float64), t, "dopri5", 1e-8, 1e-10)
    assert torch.allclose(z[:, 0], torch.exp(-t), atol=1e-7)
    with pytest.raises(ValueError, match="method must be one of dopri5, rk4, euler"):
        solve(lambda _t, z: z, torch.zeros(1), t, "adams")


def test_the_field_reads_z_and_its_cube():
    f = _f64(2)
    z = torch.tensor([[0.5, -2.0]], dtype=torch.float64)
    want = f.net(torch.tensor([[0.5, -2.0, 0.125, -8.0]], dtype=torch.float64))
    assert torch.allclose(f(torch.tensor(0.0), z), want)
    assert math.isclose(sum(p.numel() for p in Field(64).parameters()), 4 * 64 + 64 + 64 * 2 + 2)


def test_the_cap_is_our_own_error_and_holds_under_python_O():
    """torchdiffeq's max_num_steps is an assert that ``python -O`` strips; the counter in f still stops the solve."""
    code = (
        "import torch\n"
        "from neuralab.nn.ode import Field, TooManyEvaluations, solve\n"
        "f = Field(8)\n"
        "f.reset(cap=30)\n"
        "try:\n"
        "    solve(f, torch.tensor([1.0, 0.0]), torch.linspace(0, 1000, 11), 'dopri5', 1e-7, 1e-7)\n"
        "except TooManyEvaluations as e:\n"
        "    print('stopped', f.nfe, e)\n"
    )
    out = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}).stdout
    assert out.startswith("stopped 31 The solve needed more than 30 evaluations of f and was stopped.")


@pytest.mark.parametrize("cap", [-1, 2.5, "100", True])
def test_a_bad_cap_is_named(cap):
    with pytest.raises(ValueError, match="cap must be a whole number of evaluations, 0 or more"):
        Field(8).reset(cap)
