"""/learning-rate's and /regularization's runs on a learner's table: widths follow it, MSE for a numeric target,
the same numbers whether the table is named by its ``user:<id>`` or given as its arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from neuralab.data import user
from neuralab.params import ParamError
from neuralab.train import lr, regularize

OWNER = "tr" + "W" * 20


@pytest.fixture(autouse=True)
def dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_DATA_DIR", str(tmp_path / "user-data"))
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path / "cache"))


def _add(task: str, n: int = 300, classes: int = 3) -> str:
    rng = np.random.default_rng(4)
    df = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(5)})
    if task == "regression":
        df["y"] = 3 * df.x0 - df.x1 + rng.normal(scale=0.2, size=n)
    else:
        score = df.x0 + 0.5 * df.x1
        df["y"] = np.digitize(score, np.quantile(score, np.linspace(0, 1, classes + 1)[1:-1]))
    return "user:" + user.catalogue().add(df.to_csv(index=False).encode(), "rig.csv", user.Roles("y", task),
                                          owner=OWNER, name="Rig")


def _arrays(value: str, seed: int = 0):
    return user.catalogue().table(value[5:], seed=seed).arrays(seed)


def test_compare_on_a_table_matches_its_arrays_and_follows_its_widths():
    value = _add("multiclass")
    by_id = lr.compare(0.05, 10, "momentum", 0, value)
    by_arrays = lr.compare(0.05, 10, "momentum", 0, _arrays(value))
    assert [r.final_loss for r in by_id.runs] == [r.final_loss for r in by_arrays.runs]
    assert by_id.task == "classification" and by_id.about.startswith("Your dataset Rig: 180 training rows")
    net = lr._net(_arrays(value), 0)
    assert (net[0].in_features, net[-1].out_features) == (5, 3)
    digits = lr.compare(0.05, 10, "momentum", 0)
    assert digits.run("constant").final_loss != by_id.run("constant").final_loss and digits.about.startswith("scikit")


def test_a_numeric_target_is_trained_on_the_mean_squared_error():
    value = _add("regression")
    rt = lr.range_test("sgd", 100, 0, value)
    data = _arrays(value)
    net = lr._net(data, 0)
    assert net[-1].out_features == 1 and net[0].in_features == 5
    with torch.no_grad():
        first = float(F.mse_loss(net(torch.tensor(data.X_train)).squeeze(-1), torch.tensor(data.y_train)))
    assert rt.task == "regression" and 0.2 * first < rt.loss[0] < 5 * first  # one batch of 32, same scale
    sc = lr.scaling(0.01, 5, 0, value)
    assert sc.task == "regression" and all(r.diverged or r.val_acc <= 1 for r in sc.scaled)  # R²
    assert max(r.val_acc for r in sc.scaled if not r.diverged) > 0.8  # the target is nearly linear in two inputs


def test_regularize_keeps_n_train_rows_of_the_table_and_scores_on_all_its_validation_rows():
    value = _add("binary", classes=2)
    small, full = regularize.training_set(0, dataset=value), _arrays(value)
    assert len(small.y_train) == regularize.N_TRAIN and small.X_val.shape == full.X_val.shape
    assert set(map(tuple, small.X_train)) <= set(map(tuple, full.X_train))
    assert abs(small.y_train.mean() - full.y_train.mean()) < 0.02  # stratified
    cmp = regularize.compare_penalties(0.01, 0.5, 0, value)
    assert cmp.run("none").n_weights == 5 * regularize.WIDTH + regularize.WIDTH * 2
    again = regularize.compare_penalties(0.01, 0.5, 0, full)
    assert [r.val_loss for r in again.runs] == [r.val_loss for r in cmp.runs]
    assert "a seeded sample of 120 of them" in regularize.about(value, 0) and regularize.about("digits", 0) == ""


def test_regularize_on_a_numeric_target_uses_the_smaller_sgd_step_and_swaps_targets_as_noise():
    value = _add("regression")
    run = regularize.train_penalty("none", 0.01, 0.5, 0, value)
    assert run.task == "regression" and not run.history.diverged and run.val_acc > 0.8
    clean = regularize.training_set(0, regularize.STOP_N_TRAIN, 0.0, value)
    noisy = regularize.training_set(0, regularize.STOP_N_TRAIN, 0.4, value)
    changed = clean.y_train != noisy.y_train
    assert 0.2 < changed.mean() < 0.5 and set(noisy.y_train[changed]) <= set(clean.y_train)
    st = regularize.early_stopping(5, 20, 0, value)
    assert st.task == "regression" and "SGD at η = 0.01" in regularize.about(value, 0)


def test_a_table_with_fewer_rows_than_n_train_keeps_them_all():
    value = _add("binary", n=100, classes=2)
    assert len(regularize.training_set(0, dataset=value).y_train) == len(_arrays(value).y_train) == 60
    assert "all of them" in regularize.about(value, 0)


@pytest.mark.parametrize("call", [
    lambda v: lr.compare(0.01, 10, "sgd", 0, v), lambda v: lr.range_test("sgd", 100, 0, v),
    lambda v: lr.scaling(0.01, 5, 0, v), lambda v: regularize.compare_penalties(0.01, 0.5, 0, v),
    lambda v: regularize.train_dropout(0.5, 0, v), lambda v: regularize.compare_decay(0.1, 0, v),
    lambda v: regularize.early_stopping(5, 20, 0, v), lambda v: regularize.penalty_sweep(0, v),
])
def test_an_unknown_table_is_a_clear_exception(call):
    with pytest.raises(ParamError, match="dataset user:QQQQQQQQQQQQQQQQ: No dataset"):
        call("user:" + "Q" * 16)
