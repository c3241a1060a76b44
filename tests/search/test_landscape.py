"""The measured landscape: the stacked trainer is torch's SGD, cell by cell, and the optimum is where it says."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from neuralab.nn.models import mlp
from neuralab.params import ParamError
from neuralab.search import landscape as L
from neuralab.search.tasks import DATASET, arrays

torch.set_num_threads(1)


def _plain_sgd(data, lr, wd, seed, epochs):
    """One lab MLP trained the ordinary way: torch.optim.SGD with momentum and weight_decay, same batch order."""
    model = mlp((data.n_features, L.HIDDEN, data.n_outputs), seed=seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=L.MOMENTUM, weight_decay=wd)
    X, y = torch.tensor(data.X_train), torch.tensor(data.y_train)
    order = np.random.default_rng([seed, 7])
    for _ in range(epochs):
        perm = torch.as_tensor(order.permutation(len(y)))
        for s in range(0, len(y), L.BATCH):
            idx = perm[s:s + L.BATCH]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        return F.cross_entropy(model(torch.tensor(data.X_val)), torch.tensor(data.y_val)).item()


def test_every_stacked_run_is_what_torch_sgd_does_to_that_network_alone():
    data = arrays("spiral")
    settings = [(0.05, 1e-3, 1), (0.3, 1e-5, 2), (0.01, 0.1, 1)]
    lr, wd, seeds = (np.array(col) for col in zip(*settings, strict=True))
    runs = L.train_many(data, lr, wd, seeds, epochs=3)
    for k, (a, b, s) in enumerate(settings):
        assert runs.val_loss[k] == pytest.approx(_plain_sgd(data, a, b, s, 3), rel=1e-4)


def test_a_diverged_run_is_nan_and_leaves_the_others_alone():
    data = arrays("digits")
    runs = L.train_many(data, np.array([3.0, 0.05]), np.array([0.0, 0.0]), np.array([0, 0]), epochs=2)
    alone = L.train_many(data, np.array([0.05]), np.array([0.0]), np.array([0]), epochs=2)
    assert np.isnan(runs.val_loss[0]) and np.isnan(runs.test_metric[0])
    assert runs.val_loss[1] == pytest.approx(alone.val_loss[0], rel=1e-5)


def test_the_landscape_knows_its_optimum_and_measures_regret_from_it():
    ls = L.landscape("spiral", res=8, seeds=2)
    assert ls.val_loss.shape == (2, 8, 8) and ls.score.shape == (8, 8)
    i, j = ls.best
    assert ls.optimum == np.nanmin(ls.score) == ls.at(ls.lr[i], ls.wd[j])
    assert ls.cell(ls.lr[i] * 1.01, ls.wd[j] / 1.01) == (i, j)  # the nearest cell in log units
    assert ls.regret(ls.optimum) == pytest.approx(0) and ls.regret(ls.baseline) == pytest.approx(1)
    assert ls.regret(np.nan) >= 1  # a diverged trial learned nothing
    assert ls.baseline == pytest.approx(np.log(2), abs=0.01)  # two balanced classes
    assert 0 < ls.optimum < ls.baseline and ls.metric == "accuracy"
    assert ls.val_metric.mean(axis=0)[i, j] > 0.6  # the best cell learned the spirals, at least partly


def test_a_second_call_reads_the_disk_instead_of_training(monkeypatch):
    L.landscape("spiral", res=8, seeds=1)
    monkeypatch.setattr(L, "train_many", lambda *a, **k: pytest.fail("trained again"))
    assert L.landscape("spiral", res=8, seeds=1).score.shape == (8, 8)


def test_progress_counts_the_epochs():
    seen = []
    L.train_many(arrays("spiral"), np.array([0.1]), np.array([0.0]), np.array([0]), epochs=4,
                 progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.parametrize(("kwargs", "fragment"), [
    (dict(dataset="mnist"), "dataset must be one of"),
    (dict(res=5), "res must be"),
    (dict(seeds=0), "seeds must be between 1 and 5"),
])
def test_bad_settings_are_sentences(kwargs, fragment):
    with pytest.raises(ParamError, match=fragment):
        L.landscape(**kwargs)


def test_train_many_refuses_mismatched_or_bad_settings():
    data = arrays("spiral")
    with pytest.raises(ValueError, match="one equal, non-zero length"):
        L.train_many(data, np.array([0.1, 0.2]), np.array([0.0]), np.array([0]))
    with pytest.raises(ValueError, match="lr must be positive"):
        L.train_many(data, np.array([-0.1]), np.array([0.0]), np.array([0]))


def test_every_data_set_splits_without_overlap():
    for name, _ in DATASET.options:
        a = arrays(name)
        assert len(a.X_train) > len(a.X_val) > 0 and len(a.X_test) > 0
        assert abs(float(a.X_train.mean())) < 0.05  # scaled on train
