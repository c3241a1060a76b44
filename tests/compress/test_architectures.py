"""The comparison table on tiny budgets: a row per model, parameters counted as torch counts them, latency measured."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch
from sklearn.neighbors import KNeighborsClassifier

from neuralab.compress import architectures as arch
from neuralab.compress import zoo
from neuralab.data.sequences import thermal_split
from neuralab.nn.cnn import digits_cnn
from neuralab.nn.models import mlp
from neuralab.nn.recurrent import build
from neuralab.params import ParamError
from neuralab.train import attention, autoencoder, rbf, sequence


@pytest.fixture(scope="module")
def tiny():
    """Every model of the table trained on a budget of an epoch or two, in this test run's own cache."""
    mp = pytest.MonkeyPatch()
    for name in ("mlp", "cnn"):
        mp.setitem(zoo.RECIPES, name, dataclasses.replace(zoo.RECIPES[name], epochs=1))
    zoo.load.cache_clear()
    mp.setattr(autoencoder, "CODE2", dataclasses.replace(autoencoder.CODE2, epochs=1))
    mp.setattr(sequence, "THERMAL_CFG", dataclasses.replace(sequence.THERMAL_CFG, epochs=1))
    mp.setattr(attention, "RECIPE", dataclasses.replace(attention.RECIPE, epochs=1))
    mp.setattr(rbf, "CFG", dataclasses.replace(rbf.CFG, epochs=2))
    mp.setattr(arch, "CALLS", 5)
    mp.setattr(arch, "WARMUP", 1)
    seen: list[tuple[int, int]] = []
    t = arch.table(3, "1", progress=lambda d, n: seen.append((d, n)))
    yield t, seen
    zoo.load.cache_clear()
    mp.undo()


def test_one_row_per_model_each_in_a_described_group(tiny):
    t, _ = tiny
    names = [r.name for r in t.rows]
    assert len(names) == len(set(names)) == 3 + len(arch.SEQ_ARCHS) + 1 + 3
    assert {r.group for r in t.rows} == set(arch.GROUPS)
    assert [r.name for r in t.group("Digits")] == ["MLP 64-64-32-10", "CNN (8 and 16 filters)",
                                                   "Autoencoder code (2) + 5-NN"]
    assert {r.page for r in t.rows} == {"/feedforward", "/cnn", "/autoencoder", "/recurrent", "/attention",
                                        "/rbf-network"}
    assert (t.seed, t.batch, t.calls, t.threads) == (3, 1, 5, 1)


def _numel(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_parameters_are_what_torch_counts(tiny):
    t, _ = tiny
    by = {r.name: r.params for r in t.rows}
    assert by["CNN (8 and 16 filters)"] == _numel(digits_cnn(8, 16))
    assert by["MLP 64-64-32-10"] == _numel(mlp((64, 64, 32, 10), "relu"))
    assert by["Autoencoder code (2) + 5-NN"] == _numel(autoencoder.model(2, 0.0, 3).encoder)
    inputs = thermal_split().x_train.shape[2]
    for row, key in zip(t.group("Winding temperature"), arch.SEQ_ARCHS, strict=True):
        assert row.params == _numel(build(key, inputs, arch.SEQ_WIDTH)), key
    assert by["Transformer encoder (1 layer, 2 heads)"] == _numel(attention.build("full", 3))
    torque = t.group("Motor torque")
    assert [r.params for r in torque] == [4 * arch.RBF_CENTRES + 1] * 3  # 2 inputs: the RBF and the MLP alike


def test_the_rows_carry_the_pages_own_numbers(tiny):
    t, _ = tiny
    by = {r.name: r for r in t.rows}
    assert by["CNN (8 and 16 filters)"].score == zoo.load("cnn", 3).accuracy
    assert by["Autoencoder code (2) + 5-NN"].score == autoencoder.latent(3).knn_ae
    gru = sequence.thermal_model("gru", arch.SEQ_WIDTH, 3)
    assert by["GRU"].score == gru.test_rmse_k and by["GRU"].train_s == gru.history.seconds
    race = rbf.compare("motor", arch.RBF_CENTRES, arch.RBF_ACTIVATION, 3)
    assert [r.score for r in t.group("Motor torque")] == [m.rmse_inside for m in race.models]


def test_latency_and_time_positive_scores_in_range(tiny):
    t, seen = tiny
    for r in t.rows:
        assert r.latency_s > 0 and math.isfinite(r.latency_s), r.name
        assert r.latency_max_s >= r.latency_s, r.name  # the slowest timed call, kept beside the median
        assert r.train_s > 0 and r.timed in ("at training", "re-measured"), r.name
        if r.higher_better:
            assert 0 <= r.score <= 1 and "accuracy" in r.metric, r.name
        else:
            assert 0 <= r.score < math.inf and "RMSE" in r.metric, r.name
    assert seen and seen[-1][0] == seen[-1][1]  # the progress bar runs to its end
    assert all(d <= n for d, n in seen)


def test_the_code_vote_is_a_five_nearest_neighbour_vote():
    """The torch front end votes as scikit-learn's KNeighborsClassifier does (ties aside)."""
    rng = np.random.default_rng(0)
    codes, labels = rng.normal(size=(200, 2)), rng.integers(0, 4, 200)
    x = rng.normal(size=(50, 2)).astype(np.float32)
    vote = arch.CodeVote(torch.nn.Identity(), codes, labels).eval()
    ours = vote(torch.tensor(x)).numpy()
    theirs = KNeighborsClassifier(5).fit(codes, labels).predict(x)
    assert (ours == theirs).mean() >= 0.9
    assert _numel(vote) == 0  # the stored codes are buffers, not parameters


def test_latency_is_the_median_of_timed_calls():
    calls = []
    model = torch.nn.Linear(3, 1)
    model.register_forward_hook(lambda *_: calls.append(1))
    seconds = arch.latency(model, torch.zeros(1, 3), calls=7, warmup=2)
    assert len(calls) == 9 and seconds > 0
    assert torch.get_num_threads() >= 1


@pytest.mark.parametrize(("field", "value", "fragment"), [("arch_seed", 9, "arch_seed"),
                                                          ("latency_batch", "3", "latency_batch")])
def test_a_bad_value_is_named(field, value, fragment):
    with pytest.raises(ParamError, match=fragment):
        arch.table(**{"arch_seed": 0, "latency_batch": "1", field: value})
