"""The reference entry on transfer and few-shot learning: its numbers recomputed with the library the page uses."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
import torch
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
    assert "16 × 4 × 4 = 256 features" in text and "with padding 1, so the 8 × 8 size is kept" in text
    model = transfer._net(0)
    assert model[:-1](torch.zeros(1, 64)).shape == (1, 256)


def test_the_split_counts():
    dm = transfer.domains()
    text = flat()
    assert len(dm.y_source) == 721 and "the 721 training and validation digits 0–4" in text
    assert len(dm.y_pool) == 716 and "with all 716 labelled digits 5–9" in text
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
    sd5 = {s: round(100 * runs.std(s)[0], 1) for s in transfer.STRATEGIES}
    assert sd5 == {"scratch": 0.3, "freeze": 0.3, "finetune": 0.0}
    assert list(np.round(runs.acc["finetune"][0] * runs.n_test)) == [157, 157, 157]
    assert ("from scratch reaches 83.1 ± 0.3 %, the frozen body 87.0 ± 0.3 % and fine-tuning 87.2 % (157 of the 180 "
            "test digits on each seed)") in text

    def gap(a, b):
        return round(100 * (runs.mean(a)[0] - runs.mean(b)[0]), 1), round(100 * runs.diff_std(a, b)[0], 1)

    assert (gap("freeze", "scratch"), gap("finetune", "scratch"), gap("finetune", "freeze")) == (
        (3.9, 0.6), (4.1, 0.3), (0.2, 0.3))
    assert ("the frozen body is 3.9 points ahead of scratch (std 0.6), fine-tuning 4.1 (std 0.3), and the two reuses "
            "are level (0.2 points apart, std 0.3)") in text
    assert "87.0 % against 86.7 %" in text and round(100 * transfer.few_shot(300, 0).get("proto", 5).mean, 1) == 86.7
    assert [round(100 * m, 1) for m in (runs.mean(s)[-1] for s in transfer.STRATEGIES)] == [98.5, 98.7, 98.3]
    assert "the networks trained on every label, 98.3 % to 98.7 %" in text
    every = [runs.mean(s)[-1] for s in transfer.STRATEGIES]
    assert max(abs(a - 0.985) for a in every) < 0.005 and "within about half a point of 98.5 %" in text
    assert round(runs.n_all) == 143 and "(about 143 per class)" in text
    assert round(100 * runs.std("scratch")[1], 1) == 2.6 and "a std of 2.6 points from scratch at 20 per class" in text
    assert round(100 * runs.source_acc.mean(), 1) == 98.9 and "98.9 % on the test digits 0–4" in text


def test_the_few_shot_numbers_it_quotes():
    f = transfer.few_shot(300, 0)
    got = [round(100 * f.get(m, k).mean, 1) for m in ("proto", "pixels", "proto_random") for k in (1, 5)]
    assert got == [70.0, 86.7, 66.1, 86.3, 67.6, 85.6]
    assert [round(100 * f.get("grey", k).mean, 1) for k in (1, 5)] == [72.5, 89.9]
    text = flat()
    assert "the pre-trained prototypes reach 70.0 % at 1-shot and 86.7 % at 5-shot" in text
    assert ("the neighbour on the standardized pixels 66.1 % and 86.3 %, the untrained body 67.6 % and 85.6 %, "
            "the neighbour on the raw grey levels 72.5 % and 89.9 %") in text

    def vs(a, b, k):
        return round(100 * (f.get(a, k).mean - f.get(b, k).mean), 1), round(100 * f.diff_se(a, b, k), 1)

    assert vs("proto", "pixels", 1) == (3.9, 0.3) and "helps at 1-shot, 3.9 ± 0.3 points ahead" in text
    assert vs("proto", "pixels", 5) == (0.4, 0.4) and "is level at 5-shot (0.4 ± 0.4)" in text
    assert f.get("proto", 5).mean - f.get("pixels", 5).mean < 2 * f.diff_se("proto", "pixels", 5)  # level: < 2 SE
    assert round(100 * (f.get("proto_random", 1).mean - f.get("pixels", 1).mean), 1) == 1.5
    assert "the untrained body alone is 1.5 points ahead" in text
    assert (vs("grey", "proto", 1), vs("grey", "proto", 5)) == ((2.5, 0.4), (3.2, 0.3))
    assert "by 2.5 ± 0.4 and 3.2 ± 0.3 points over the pre-trained prototypes" in text
    assert all(f.get("grey", k).mean == max(f.get(m, k).mean for m in transfer.METHODS) for k in (1, 5))
    assert round(300**0.5 / 1.96) == 9 and "about 9 times smaller at 300 episodes" in text


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
