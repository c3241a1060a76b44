"""The basics handbook's worked example (3 inputs → 2 ReLU units → 1 sigmoid), forward and backward.

The inputs, weights and biases are the handbook's (:data:`neuralab.nn.teaching.HANDBOOK`); every
intermediate value and gradient is computed by :func:`neuralab.nn.teaching.worked_check`, by hand in
float64 and again by torch autograd. The only control is the target, which the handbook leaves open.
"""

from __future__ import annotations

from neuralab.nn import teaching
from neuralab.params import ParamSpec

__all__ = ["TARGET", "autograd_gap", "handbook", "handbook_values"]

TARGET = ParamSpec(
    "worked-handbook",
    worked_y=teaching.WORKED.fields["y"],  # the same 0/1 switch as /feedforward's worked example
)


def handbook_values(worked_y: int = 1) -> dict:
    """The handbook preset with target ``worked_y``, as :data:`~neuralab.nn.teaching.WORKED` values."""
    v = TARGET.validate(worked_y=worked_y)
    return teaching.WORKED.validate({**teaching.HANDBOOK, "y": v["worked_y"]})


def handbook(worked_y: int = 1) -> teaching.Check:
    """The handbook example's forward pass and eight gradients, checked against autograd and finite differences."""
    return teaching.worked_check(**handbook_values(worked_y))


def autograd_gap(c: teaching.Check) -> float:
    """The largest |hand − autograd| over all eight gradients."""
    return max(c.vs_autograd.values())
