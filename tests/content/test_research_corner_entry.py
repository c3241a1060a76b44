"""The research-corner reference entry: every number it quotes, computed by the library."""

from __future__ import annotations

from importlib import resources

import torch

from neuralab.nn.capsule import DigitCapsNet, squash
from neuralab.nn.cnn import digits_cnn
from neuralab.nn.models import n_params
from neuralab.train import research


def flat() -> str:
    return " ".join(resources.files("neuralab.content").joinpath("research-corner.md").read_text(
        encoding="utf-8").split())


def test_the_capsule_numbers_it_quotes():
    text = flat()
    assert f"({n_params(digits_cnn(8, 16)):,} parameters)" in text
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
