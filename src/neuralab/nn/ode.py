"""A neural ODE: a network ``f`` defines dz/dt = f(z), and a solver (torchdiffeq's ``odeint``) integrates it.

The forward pass of a neural ODE is a call to an ODE solver, so its cost is the number of times the solver
evaluates ``f`` (NFE, function evaluations). An adaptive solver such as ``dopri5`` (Dormand–Prince 5(4)) chooses
its steps to keep the RMS, over all components (and the whole batch), of the local error estimate divided by
``atol + rtol · |z|`` below 1, and spends more evaluations the tighter
the tolerance; a fixed-step solver spends a known number (``euler``: 1 per step, ``rk4``: 4; torchdiffeq's ``rk4``
is Kutta's 3/8-rule variant, not the classical RK4).

A residual block ``x + h · f(x)`` is one explicit Euler step of dz/dt = f(z) with step ``h``; a ResNet whose
blocks share one ``f`` (tied weights) is Euler's method on a fixed grid (:func:`resnet`, tested equal to
``odeint(..., method="euler")``).

:class:`Field` counts its own evaluations and stops a solve that exceeds its cap by raising
:class:`TooManyEvaluations`, a sentence that says so: an adaptive solver on a stiff or badly trained field can
otherwise take millions of steps. torchdiffeq's own ``options=dict(max_num_steps=N)`` is not an evaluation cap: it
bounds the adaptive solver's step attempts, accepted or rejected (dopri5: about 6·N + 2 evaluations), and is
enforced by an ``assert``, which ``python -O`` removes.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["SOLVERS", "Field", "TooManyEvaluations", "resnet", "solve"]

#: name -> (label, fixed step?)
SOLVERS: dict[str, tuple[str, bool]] = {
    "dopri5": ("dopri5 (adaptive, 5th order)", False),
    "rk4": ("rk4 (fixed step, 4 evaluations, 3/8 rule)", True),
    "euler": ("Euler (fixed step, 1 evaluation)", True),
}


class TooManyEvaluations(RuntimeError):
    """A solve asked for more function evaluations than its cap allows; the message says which cap."""


class Field(nn.Module):
    """dz/dt = f(z) with f a small MLP on (z, z³) (the cube lets a tanh network represent a cubic field).

    ``nfe`` counts evaluations since the last :meth:`reset`; past ``cap`` a call raises :class:`TooManyEvaluations`.
    """

    def __init__(self, hidden: int = 32, seed: int = 0):
        super().__init__()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.net = nn.Sequential(nn.Linear(4, hidden), nn.Tanh(), nn.Linear(hidden, 2))
        self.nfe, self.cap = 0, 0  # cap 0: unbounded

    def reset(self, cap: int = 0) -> None:
        """Zero the counter; ``cap`` > 0 bounds the evaluations of the next solves (0: unbounded)."""
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
            raise ValueError(f"cap must be a whole number of evaluations, 0 or more (0: no cap); got {cap!r}.")
        self.nfe, self.cap = 0, cap

    def forward(self, t: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        self.nfe += 1
        if self.cap and self.nfe > self.cap:
            raise TooManyEvaluations(f"The solve needed more than {self.cap:,} evaluations of f and was stopped.")
        return self.net(torch.cat([z, z ** 3], -1))  # (..., 2)


def solve(f: nn.Module, z0: torch.Tensor, t: torch.Tensor, method: str = "dopri5", rtol: float = 1e-5,
          atol: float = 1e-6) -> torch.Tensor:
    """``odeint(f, z0, t)``: the states at times ``t`` (T, ..., 2); fixed-step methods step on the grid ``t``."""
    from torchdiffeq import odeint  # lazily: only the ODE pages need it

    if method not in SOLVERS:
        raise ValueError(f"method must be one of {', '.join(SOLVERS)}; got {method!r}.")
    if SOLVERS[method][1]:
        return odeint(f, z0, t, method=method)
    return odeint(f, z0, t, method=method, rtol=rtol, atol=atol)


def resnet(f: nn.Module, z0: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """A residual network with tied blocks, ``z ← z + h_k · f(z)`` with ``h_k = t[k+1] − t[k]``: every state."""
    out = [z0]
    for k in range(len(t) - 1):
        h = t[k + 1] - t[k]
        out.append(out[-1] + h * f(t[k], out[-1]))  # one residual block, one Euler step
    return torch.stack(out)
