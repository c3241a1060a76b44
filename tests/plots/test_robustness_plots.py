"""/robustness's captions read the numbers they draw, and say the FGSM–PGD gap only where there is one."""

from __future__ import annotations

import numpy as np

from neuralab.plots import robustness as figures
from neuralab.robust.digits import EPS_GRID, Training, Transfer


def _training(robust_fgsm: float) -> Training:
    eps = np.array(EPS_GRID)
    falling = np.linspace(0.97, 0.0, len(eps))
    robust = {"fgsm": np.full(len(eps), robust_fgsm), "pgd": np.linspace(0.95, 0.1, len(eps))}
    robust["fgsm"][0] = robust["pgd"][0] = 0.95
    return Training("mlp", "fgsm", 2.0, eps, {"fgsm": falling, "pgd": falling}, robust, 1.5, True, 10)


def test_the_training_caption_quotes_the_curves():
    tr = _training(0.8)
    i = EPS_GRID.index(2.0)
    text = figures.describe_training(tr)
    assert "trained in 1.5 s" in text and "2.0 points lost" in text
    assert f"{100 * tr.robust['pgd'][i]:.1f}%" in text and "multi-step attack finds what that hides" in text
    assert "what that hides" not in figures.describe_training(_training(0.5))
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
