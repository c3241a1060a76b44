"""The memorize-one-batch check against PyTorch and scikit-learn references."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import log_loss
from torch import nn

from neuralab.fit import memorize
from neuralab.params import ParamError


@pytest.fixture(scope="module")
def softmax_run():
    return memorize.memorize(32, 300, "softmax", 0)


def test_weights_are_pytorchs_default_init_without_touching_the_global_rng():
    torch.manual_seed(5)
    ref = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    state = torch.get_rng_state()
    ours = memorize.mlp(5)
    assert torch.equal(state, torch.get_rng_state())
    for a, b in zip(ref.state_dict().values(), ours.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_healthy_run_memorizes_and_its_loss_is_the_real_cross_entropy(softmax_run):
    h = softmax_run.healthy
    assert h.passed and h.loss[-1] < memorize.PASS_LOSS and h.accuracy[-1] == 1.0
    assert h.loss[0] == pytest.approx(np.log(10), abs=0.15)  # untrained: about uniform over 10 classes
    assert h.loss[-1] == pytest.approx(log_loss(h.labels, h.probs, labels=range(10)), rel=1e-4, abs=1e-6)


def test_softmax_bug_cannot_go_below_its_floor(softmax_run):
    floor = F.cross_entropy(torch.eye(10)[:1], torch.tensor([0])).item()  # a perfect one-hot, fed as logits
    assert memorize.softmax_floor() == pytest.approx(floor, rel=1e-6)
    b = softmax_run.broken
    assert not b.passed
    assert b.loss.min() >= softmax_run.floor - 1e-5
    assert softmax_run.floor == pytest.approx(floor, rel=1e-6)


def test_tiny_learning_rate_barely_moves_and_starts_from_the_same_weights():
    m = memorize.memorize(16, 200, "lr", 1)
    assert m.healthy.passed and not m.broken.passed
    assert m.broken.loss[0] == m.healthy.loss[0]  # same batch, same initial weights
    assert m.broken.loss[-1] > 0.8 * m.broken.loss[0]
    assert m.floor == 0.0


def test_shuffled_labels_are_memorized_too():
    m = memorize.memorize(16, 300, "shuffled", 2)
    assert m.broken.passed
    assert not np.array_equal(m.broken.labels, m.healthy.labels)
    assert sorted(m.broken.labels) == sorted(m.healthy.labels)


def test_deterministic_and_leaves_torch_settings_as_found():
    threads = torch.get_num_threads()
    seen = []
    a = memorize.memorize(8, 100, "lr", 3, progress=lambda d, t: seen.append((d, t)))
    b = memorize.memorize(8, 100, "lr", 3)
    np.testing.assert_array_equal(a.healthy.loss, b.healthy.loss)
    np.testing.assert_array_equal(a.broken.loss, b.broken.loss)
    assert torch.get_num_threads() == threads
    assert seen == [(0, 200), (50, 200), (100, 200), (150, 200)]
    c = memorize.memorize(8, 100, "lr", 4)
    assert not np.array_equal(a.healthy.loss, c.healthy.loss)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((12, 300, "lr", 0), "batch must be 8 plus a multiple of 8"),
        ((10**6, 300, "lr", 0), "batch must be between 8 and 64"),
        ((32, 10**9, "lr", 0), "steps must be between 100 and 1000"),
        ((32, 300, "rm -rf", 0), "bug must be one of softmax, lr, shuffled"),
        ((32, 300, "lr", float("inf")), "seed must be a finite number"),
    ],
)
def test_bad_values_get_a_sentence(args, fragment):
    with pytest.raises(ParamError, match=fragment):
        memorize.memorize(*args)
