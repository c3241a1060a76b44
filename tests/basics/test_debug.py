"""The tiny-batch overfit test: the batch, the baselines, the verdicts with and without planted bugs."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.preprocessing import StandardScaler

from neuralab.basics import debug
from neuralab.data.datasets import load
from neuralab.nn.models import mlp
from neuralab.params import ParamError


def test_the_batch_is_distinct_rows_standardized_with_the_whole_set():
    b = debug.batch("wine", 16, 3)
    ds = load("wine")
    scaled = StandardScaler().fit_transform(ds.X)
    rows = [int(np.flatnonzero(np.all(np.isclose(ds.X, r, rtol=1e-6), axis=1))[0]) for r in b.x_raw]
    assert len(set(rows)) == 16 and b.classes == 3
    np.testing.assert_allclose(b.x, scaled[rows], rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(b.y, ds.y[rows])
    np.testing.assert_array_equal(debug.batch("wine", 16, 3).x, b.x)  # deterministic


def test_regression_targets_are_standardized_torque():
    b = debug.batch("motor", 8, 0)
    assert b.classes == 0 and b.x.shape == (8, 3) and b.y.dtype == np.float32
    assert np.all(np.abs(b.y) < 4)


def test_the_constant_prediction_losses_match_torch():
    y = np.array([0, 0, 0, 1, 2, 2])
    shares = np.bincount(y) / len(y)
    logits = torch.tensor(np.log(shares)).repeat(len(y), 1)
    assert debug.class_share_loss(y) == pytest.approx(float(F.cross_entropy(logits, torch.tensor(y))))
    assert debug.class_share_loss(np.array([1, 1])) == 0.0
    t = np.array([1.0, 2.0, 4.0])
    assert debug.mean_loss(t) == pytest.approx(np.var(t))


def test_the_first_gradient_norm_is_torchs():
    r = debug.overfit(steps=50)
    b = debug.batch("wine", 16, 0)
    model = mlp((13, 32, 32, 3), "relu", init="he", seed=0)
    F.cross_entropy(model(torch.from_numpy(b.x)), torch.from_numpy(b.y)).backward()
    g = torch.sqrt(sum((p.grad.double() ** 2).sum() for p in model.parameters()))
    assert r.grad_norm[0] == pytest.approx(float(g), rel=1e-6)
    assert r.loss.shape == (51,) and r.grad_norm.shape == (50,) and r.accuracy.shape == (51,)
    assert r.params == 13 * 32 + 32 + 32 * 32 + 32 + 32 * 3 + 3


@pytest.mark.parametrize("task", ["wine", "motor"])
def test_a_healthy_set_up_passes(task):
    r = debug.overfit(task=task, steps=100)
    assert r.passed and r.final_loss < debug.PASS_LOSS and r.steps_to_pass <= 100
    assert r.loss[r.steps_to_pass] < debug.PASS_LOSS <= r.loss[r.steps_to_pass - 1] or r.steps_to_pass == 0
    if r.classes:
        assert r.accuracy[-1] == 1.0


@pytest.mark.parametrize("bug", ["shuffle", "zero_init"])
@pytest.mark.parametrize("task", ["wine", "motor"])
def test_shuffled_labels_and_zero_weights_fail_at_the_constant_prediction(task, bug):
    r = debug.overfit(task=task, steps=100, bug=bug)
    assert not r.passed and r.steps_to_pass is None
    assert abs(r.final_loss - r.baseline) < 0.15 * r.baseline


def test_zero_init_gives_no_gradient_to_the_hidden_weights():
    r = debug.overfit(steps=50, bug="zero_init")
    b = debug.batch("wine", 16, 0)
    counts = np.bincount(b.y, minlength=3)
    assert r.accuracy[-1] == pytest.approx(counts.max() / 16)  # the majority class, nothing else


def test_a_hundredfold_learning_rate_makes_sgd_diverge():
    r = debug.overfit(steps=50, bug="lr")
    assert r.diverged and not r.passed and r.lr == pytest.approx(0.1 * debug.LR_FACTOR)


def test_forgotten_zero_grad_keeps_the_gradient_from_shrinking():
    healthy, bug = debug.overfit(task="motor", steps=100), debug.overfit(task="motor", steps=100, bug="zero_grad")
    assert healthy.grad_norm[0] == bug.grad_norm[0]  # the first step is the same: nothing to accumulate yet
    assert bug.grad_norm[-1] > 10 * healthy.grad_norm[-1] and not bug.passed
    assert debug.overfit(steps=300, bug="zero_grad").diverged  # on the wine batch it blows up


def test_raw_inputs_fail_on_the_classification_task():
    r = debug.overfit(steps=100, bug="raw")
    assert not r.passed and r.grad_norm[0] > 100 * debug.overfit(steps=100).grad_norm[0]


def test_the_scale_spread_is_computed_from_the_columns():
    sd = load("wine").X.std(axis=0)
    assert debug.scale_spread("wine") == pytest.approx(sd.max() / sd.min())


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"task": "mnist"}, "debug_task"), ({"samples": 0}, "debug_samples"), ({"samples": 65}, "debug_samples"),
    ({"lr": 5.0}, "debug_lr"), ({"bug": "typo"}, "debug_bug"), ({"depth": 9}, "debug_depth"),
    ({"optimizer": "lbfgs"}, "debug_optimizer"), ({"steps": 10}, "debug_steps"),
])
def test_bad_values_name_the_parameter(kwargs, name):
    with pytest.raises(ParamError, match=name):
        debug.overfit(**kwargs)
    with pytest.raises(ParamError, match="debug_task"):
        debug.scale_spread("mnist")
