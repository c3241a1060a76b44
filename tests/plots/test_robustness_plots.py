"""/robustness's captions read the numbers they draw, and say the FGSM–PGD gap only where there is one."""

from __future__ import annotations

import numpy as np

from neuralab.plots import robustness as figures
from neuralab.robust.digits import EPS_GRID, KINDS, Curves, Training, Transfer


def _training(robust_fgsm: float, attack: str = "fgsm") -> Training:
    eps = np.array(EPS_GRID)
    falling = np.linspace(0.97, 0.0, len(eps))
    robust = {"fgsm": np.full(len(eps), robust_fgsm), "pgd": np.linspace(0.95, 0.1, len(eps))}
    robust["fgsm"][0] = robust["pgd"][0] = 0.95
    return Training("mlp", attack, 2.0, eps, {"fgsm": falling, "pgd": falling}, robust, 1.5, True, 10)


def test_the_training_caption_quotes_the_curves():
    tr = _training(0.8)
    i = EPS_GRID.index(2.0)
    text = figures.describe_training(tr)
    assert "trained in 1.5 s" in text and "2.0 points lost" in text
    assert f"{100 * tr.robust['pgd'][i]:.1f}%" in text and "multi-step attack finds what that hides" in text
    assert "what that hides" not in figures.describe_training(_training(0.5))
    assert "survives 3 random starts" in text and "upper bound on the true robust accuracy" in text
    # the same gap after PGD training is not blamed on a one-step attack
    pgd = figures.describe_training(_training(0.8, "pgd"))
    assert "one-step attack" not in pgd and "check for gradient masking" in pgd
    fig = figures.training_figure(tr)
    assert len(fig.data) == 4 and fig.layout.shapes[0].x0 == 2.0


def test_the_transfer_caption_and_table_agree():
    acc = np.array([[0.01, 0.2], [0.3, 0.02], [0.4, 0.5]])
    t = Transfer("PGD-10", 1.0, ("mlp", "cnn", "random"), ("mlp", "cnn"), acc, np.array([0.97, 0.975]),
                 np.array([0.96, 0.97]), 49)
    text = figures.describe_transfer(t)
    assert "leave the MLP 1.0% but the CNN, which the attacker never read, 20.0%" in text
    assert "on the 49 pixels that vary in training only leave 96.0% and 97.0%" in text
    fig = figures.transfer_figure(t)
    assert fig.data[0].z[1][1] == 20.0 and "20.0%" in fig.data[1].text


def _transfer(eps: float, acc: np.ndarray, random_varying: tuple[float, float]) -> Transfer:
    return Transfer("PGD-10", eps, ("mlp", "cnn", "random"), ("mlp", "cnn"), acc, np.array([0.97, 0.975]),
                    np.array(random_varying), 49)


def test_the_transfer_caption_draws_its_conclusions_only_from_the_numbers():
    zero = figures.describe_transfer(_transfer(0.0, np.array([[0.97, 0.975]] * 3), (0.97, 0.975)))
    assert zero.startswith("With ε = 0 nothing is changed") and "direction" not in zero
    # random signs as harmful as the crafted examples: no claim that the direction does the damage
    even = figures.describe_transfer(_transfer(1.0, np.array([[0.5, 0.6], [0.6, 0.5], [0.5, 0.5]]), (0.5, 0.5)))
    assert "direction does most of the damage" not in even and "near-blank pixels" not in even
    # random signs that cost nothing: said so, and not blamed on the near-blank pixels
    free = figures.describe_transfer(_transfer(1.0, np.array([[0.1, 0.6], [0.6, 0.1], [0.96, 0.97]]), (0.96, 0.97)))
    assert "direction does most of the damage" in free and "cost little or nothing" in free
    assert "near-blank pixels" not in free


def _curves(pgd_mlp: list[float]) -> Curves:
    eps = np.array(EPS_GRID)
    fall = np.linspace(0.97, 0.1, len(eps))
    acc = {(n, k): fall.copy() for n in ("mlp", "cnn") for k in KINDS}
    acc[("mlp", "pgd")] = np.array(pgd_mlp)
    return Curves(eps, acc, 2, 49, 360)


def test_the_curves_caption_says_when_few_steps_make_pgd_weaker_than_fgsm():
    fall = list(np.linspace(0.97, 0.1, len(EPS_GRID)))
    fine = figures.describe_curves(_curves([f - 0.05 * (i > 0) for i, f in enumerate(fall)]))
    assert "weaker attack" not in fine and "the worst of 3 random starts" in fine and "upper bound" in fine
    weak = figures.describe_curves(_curves([f + 0.05 * (i > 0) for i, f in enumerate(fall)]))
    assert "With only 2 steps of ε/4, PGD cannot cross the ε-ball: at some ε it leaves the MLP more accuracy" in weak
    assert "the CNN more" not in weak
