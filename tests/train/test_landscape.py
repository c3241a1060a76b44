"""The loss-landscape slice: filter normalization, the centre of the grid, the projected path."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from neuralab.data.arrays import digits
from neuralab.nn.models import mlp
from neuralab.params import ParamError
from neuralab.train import landscape
from neuralab.train.loop import evaluate


def test_filter_normalized_rows_match_the_weight_rows_and_biases_are_zero():
    model = mlp((64, 16, 10), seed=1)
    d = landscape.filter_normalized(model, torch.Generator().manual_seed(0))
    probe = mlp((64, 16, 10), seed=1)
    vector_to_parameters(d, probe.parameters())
    for p, q in zip(model.parameters(), probe.parameters(), strict=True):
        if p.dim() < 2:
            assert torch.all(q == 0)
        else:
            torch.testing.assert_close(q.norm(dim=1), p.detach().norm(dim=1))
    assert d.numel() == parameters_to_vector(model.parameters()).numel()


@pytest.fixture(scope="module")
def both():
    calls = []
    rnd = landscape.landscape("random", 5, 0, progress=lambda done, total: calls.append((done, total)))
    pca = landscape.landscape("pca", 5, 0)
    return rnd, pca, calls


def test_the_centre_of_the_grid_is_the_trained_network(both):
    rnd, pca, _ = both
    mid = landscape.GRID // 2
    for ls in (rnd, pca):
        assert ls.alphas[mid] == pytest.approx(0, abs=1e-12) and ls.betas[mid] == pytest.approx(0, abs=1e-12)
        assert ls.loss[mid, mid] == pytest.approx(ls.train_loss, rel=1e-5)
    # and that is the real training loss of a freshly trained copy of the same network
    model = mlp((64, landscape.HIDDEN, 10), seed=0)
    from neuralab.train.loop import Config, fit

    fit(model, digits(0), Config(epochs=5, batch_size=landscape.BATCH, optimizer="adam", lr=landscape.LR, seed=0))
    d = digits(0)
    assert evaluate(model, d.X_train, d.y_train, "classification")[0] == pytest.approx(rnd.train_loss, rel=1e-5)
    assert rnd.val_accuracy > 0.85


def test_the_loss_rises_away_from_the_trained_weights(both):
    rnd, _, _ = both
    mid = landscape.GRID // 2
    assert rnd.loss[0, 0] > rnd.loss[mid, mid] and rnd.loss[-1, -1] > rnd.loss[mid, mid]
    assert rnd.loss.shape == (landscape.GRID, landscape.GRID)


def test_the_pca_plane_holds_the_path_and_a_random_plane_does_not(both):
    rnd, pca, _ = both
    assert pca.path_a[-1] == pytest.approx(0, abs=1e-5) and pca.path_b[-1] == pytest.approx(0, abs=1e-5)
    assert sum(pca.explained) <= 1 + 1e-9 and pca.explained[0] >= pca.explained[1]
    assert np.isnan(rnd.off_plane[-1])  # θ* itself: no distance to split
    assert np.nanmedian(rnd.off_plane) > 0.9 > 0.5 > np.nanmedian(pca.off_plane)
    assert rnd.explained is None and len(rnd.path_loss) == 6


def test_progress_reaches_its_total(both):
    *_, calls = both
    assert calls and calls[-1][0] == calls[-1][1] == 5 + landscape.GRID


def test_bad_values_raise_a_sentence():
    with pytest.raises(ParamError, match="ls_dirs must be one of random, pca"):
        landscape.landscape("hessian", 5, 0)
    with pytest.raises(ParamError, match="ls_epochs must be between 5 and 40"):
        landscape.landscape("random", 400, 0)
