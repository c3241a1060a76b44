"""The reference entry on adversarial examples: its numbers recomputed by the library."""

from __future__ import annotations

from importlib import resources

import pytest

from neuralab.robust import attacks, digits


def flat() -> str:
    return " ".join(resources.files("neuralab.content").joinpath("robustness.md").read_text(encoding="utf-8").split())


def test_the_least_varying_pixel_and_its_leverage():
    text = flat()
    assert "σ of about 0.03 grey levels: one grey level becomes about 33 standard deviations" in text
    assert float(digits.threat().scale.min()) == pytest.approx(0.03, abs=0.005)
    assert digits.most_standardized(1.0) == 33


def test_the_linear_margin_claim():
    assert "the drop of the margin is exactly ε · ‖w‖₁" in flat()
    assert attacks.margin_drop((1.0, -2.0, 0.5, 0.25), 0.2) == pytest.approx(0.2 * 3.75)


def test_pgd_of_one_step_is_fgsm_as_the_entry_says():
    assert "With one step, α = ε and no random start it is FGSM" in flat()


def test_the_restarts_the_entry_reports():
    assert "count a digit as robust only if it survives 3 random starts" in flat() and digits.RESTARTS == 3
    assert "An accuracy under attack is an upper bound on the true robust accuracy" in flat()
