"""neuralab.compress.own and the widths the zoo's recipes now take: the compression functions on any table."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neuralab.compress import distill, own, prune_effects, quantize, zoo
from neuralab.data.arrays import prepare

torch.set_num_threads(1)


def _arrays(task: str, n: int = 300, features: int = 3):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, features))
    y = (X[:, 0] > 0).astype(int) if task == "classification" else X[:, 0] - 0.5 * X[:, 1]
    return prepare(X, y, task=task, name=task)


def test_an_mlp_recipe_takes_the_tables_widths_and_the_cnn_refuses_them():
    net = zoo.build("mlp", 0, n_in=7, n_out=1)
    assert net[0].in_features == 7 and net[-1].out_features == 1
    assert [p.shape for p in zoo.build("mlp", 0).parameters()] == [p.shape for p in zoo.build("mlp", 0, 64, 10)
                                                                    .parameters()]
    with pytest.raises(ValueError, match="8 × 8 images"):
        zoo.build("cnn", 0, n_in=7, n_out=2)


def test_score_is_accuracy_for_classes_and_the_test_mse_for_a_numeric_target():
    reg = _arrays("regression")
    zero = torch.nn.Sequential(torch.nn.Linear(3, 1))
    with torch.no_grad():
        zero[0].weight.zero_()
        zero[0].bias.zero_()
    assert zoo.score(zero, reg) == pytest.approx(float(np.mean(reg.y_test.astype(np.float64) ** 2)), rel=1e-5)
    cls = _arrays("classification")
    trained = own.train(cls, "unit-test")
    assert zoo.score(trained.model, cls) == zoo.accuracy(trained.model, cls) == trained.accuracy > 0.8


def test_the_pages_functions_take_a_trained_model_and_arrays():
    cls = _arrays("classification")
    ref = own.train(cls, "unit-test")
    Xc = quantize.calibration_set(20, cls.X_train)
    assert Xc.shape == (20, 3) and np.isin(Xc, cls.X_train).all()
    sw = prune_effects.sweep_trained(ref.model, 0, (0, 50), ("unstructured",), cls)
    assert sw.acc_dense == ref.accuracy and sw.before["unstructured"][0] == ref.accuracy
    student, _ = distill.train_student(ref.model, 4.0, 0.5, 0, epochs=2, data=cls)
    assert student[0].in_features == 3 and student[-1].out_features == 2
    with pytest.raises(ValueError, match="needs a table with classes"):
        distill.train_student(ref.model, 4.0, 0.5, 0, epochs=1, data=_arrays("regression"))
    with pytest.raises(ValueError, match="same data"):
        distill.train_student(None, 4.0, 0.5, 0, data=cls)


def test_train_refuses_what_it_cannot_train():
    with pytest.raises(ValueError, match="recipe must be one of the MLPs"):
        own.train(_arrays("classification"), "k", recipe="cnn")
    with pytest.raises(ValueError, match="too few to train"):
        own.train(_arrays("classification", n=40), "k")
    with pytest.raises(ValueError, match="numeric target has none"):
        own.distillation(_arrays("regression"), "k")
