"""The reference entry on transfer and few-shot learning: its numbers recomputed with the library the page uses."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from neuralab.train import transfer


def flat() -> str:
    return " ".join(resources.files("neuralab.content").joinpath("transfer-learning.md").read_text(
        encoding="utf-8").split())


def test_the_parameter_counts():
    head, total = transfer.head_counts()
    assert (head, total, total - head) == (1285, 2533, 1248)
    text = flat()
    assert "256 features in all, with 1,248 weights and biases" in text and "256 × 5 + 5 = 1,285" in text
    assert "2,533 in all" in text


def test_the_prototype_rule_is_a_linear_read_out():
    rng = np.random.default_rng(1)
    emb, labels, q = rng.normal(size=(30, 8)), rng.integers(0, 5, 30), rng.normal(size=(50, 8))
    classes, P = transfer.prototypes(emb, labels)
    linear = classes[(2 * q @ P.T - (P**2).sum(1)).argmax(1)]
    np.testing.assert_array_equal(transfer.nearest_prototype(q, classes, P), linear)
    assert "argmax over c of 2 P_c · g(x) − ‖P_c‖²" in flat()


@pytest.fixture(scope="module")
def runs() -> transfer.Transfer:
    return transfer.compare()  # the page's default: 3 seeds (half a minute on a cold cache)


def test_the_strategy_numbers_it_quotes(runs):
    text = flat()
    at5 = {s: round(100 * runs.mean(s)[0], 1) for s in transfer.STRATEGIES}
    assert at5 == {"scratch": 83.1, "freeze": 87.0, "finetune": 87.2}
    assert "from scratch reaches 83.1 %, the frozen body 87.0 % and fine-tuning 87.2 %" in text
    assert "level with each other" in text and abs(at5["freeze"] - at5["finetune"]) < 1
    assert 3 < min(at5["freeze"], at5["finetune"]) - at5["scratch"] < 5 and "both reuses about 4 points ahead" in text
    every = [runs.mean(s)[-1] for s in transfer.STRATEGIES]
    assert max(abs(a - 0.985) for a in every) < 0.005 and "within about half a point of 98.5 %" in text
    assert round(runs.n_all) == 143 and "(about 143 per class)" in text
    assert round(100 * runs.std("scratch")[1], 1) == 2.6 and "a std of 2.6 points from scratch at 20 per class" in text
    assert round(100 * runs.source_acc.mean(), 1) == 98.9 and "98.9 % on the test digits 0–4" in text


def test_the_few_shot_numbers_it_quotes():
    f = transfer.few_shot(300, 0)
    got = [round(100 * f.get(m, k).mean, 1) for m in ("proto", "pixels", "proto_random") for k in (1, 5)]
    assert got == [70.0, 86.7, 72.5, 89.9, 67.6, 85.6]
    text = flat()
    assert "the pre-trained prototypes reach 70.0 % at 1-shot and 86.7 % at 5-shot" in text
    assert "the raw-pixel neighbour 72.5 % and 89.9 %, the untrained body 67.6 % and 85.6 %" in text


def test_the_raw_pixel_neighbour_with_every_label():
    grey, _, y = transfer._grey()
    dm = transfer.domains()
    # the pool and test rows of the split, as grey levels: find each standardized row among the few-shot pool
    _, X, _ = transfer._grey()

    def rows(A):
        return np.array([np.abs(X - a).max(1).argmin() for a in A])

    pool, test = rows(dm.X_pool), rows(dm.X_test)
    assert np.array_equal(y[pool], dm.y_pool) and np.array_equal(y[test], dm.y_test)
    acc = KNeighborsClassifier(n_neighbors=1).fit(grey[pool], y[pool]).score(grey[test], y[test])
    assert round(100 * acc, 1) == 98.3 and "scores 98.3 % on their 180 test digits" in flat()
