import math

import numpy as np
import pytest
import torch

from neuralab.data.arrays import diabetes, digits
from neuralab.nn.models import mlp
from neuralab.train.loop import Config, evaluate, fit


def test_fit_learns_digits_and_records_every_epoch():
    d = digits(0)
    model = mlp((64, 32, 10), seed=0)
    h = fit(model, d, Config(epochs=8, lr=3e-3))
    assert len(h.val_loss) == len(h.train_loss) == len(h.lr) == 9  # epoch 0 is before training
    assert h.val_metric[0] < 0.3 < 0.9 < h.val_metric[-1]
    assert h.val_loss[-1] < h.val_loss[0]
    assert math.isnan(h.lr[0]) and h.lr[1] == pytest.approx(3e-3)
    assert len(h.step_loss) == 8 * math.ceil(len(d.y_train) / 32)
    assert not h.diverged and h.stopped_epoch == 8


def test_fit_is_deterministic_given_the_seeds():
    d = digits(0)
    runs = [fit(mlp((64, 16, 10), seed=3), d, Config(epochs=3, seed=5)).step_loss for _ in range(2)]
    assert runs[0] == runs[1]
    other = fit(mlp((64, 16, 10), seed=3), d, Config(epochs=3, seed=6)).step_loss
    assert other != runs[0]


def test_a_huge_learning_rate_is_reported_as_divergence_not_raised():
    h = fit(mlp((64, 32, 10), seed=0), digits(0), Config(optimizer="sgd", lr=50.0, epochs=5))
    assert h.diverged and "learning rate" in h.diverged
    assert h.stopped_epoch < 5


def test_early_stopping_restores_the_best_validation_weights():
    d = digits(0)
    model = mlp((64, 64, 10), seed=0)
    h = fit(model, d, Config(epochs=200, lr=1e-2, patience=3))
    assert h.early_stopped and h.stopped_epoch < 200
    assert h.stopped_epoch - h.best_epoch == 3
    loss, _ = evaluate(model, d.X_val, d.y_val, d.task)
    assert loss == pytest.approx(h.val_loss[h.best_epoch], rel=1e-5)


def test_regression_reports_r2():
    r = diabetes(0)
    h = fit(mlp((10, 16, 1), seed=0), r, Config(epochs=30, lr=3e-3))
    assert r.task == "regression" and 0.2 < h.val_metric[-1] < 0.8


def test_prepare_scales_with_training_statistics_only():
    d = digits(0)
    assert np.allclose(d.X_train.mean(0), 0, atol=1e-5)
    assert not np.allclose(d.X_val.mean(0), 0, atol=1e-3)
    assert len(d.y_train) + len(d.y_val) + len(d.y_test) == 1797


def test_bad_config_raises_a_sentence():
    with pytest.raises(ValueError, match="optimizer must be one of"):
        fit(mlp((64, 10)), digits(0), Config(optimizer="lion"))
    with pytest.raises(ValueError, match="schedule must be one of"):
        fit(mlp((64, 10)), digits(0), Config(schedule="warp"))
    with pytest.raises(ValueError, match="epochs"):
        fit(mlp((64, 10)), digits(0), Config(epochs=0))


def test_hooks_see_every_step_and_epoch():
    steps, epochs = [], []
    fit(mlp((64, 10)), digits(0), Config(epochs=2, batch_size=512),
        on_step=lambda m, s: steps.append(s), on_epoch=lambda m, e: epochs.append(e))
    assert epochs == [0, 1, 2] and steps == list(range(1, 7))
    assert torch.get_num_threads() >= 1
