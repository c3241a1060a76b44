"""Leakage guards: each fires on a table built to leak, and stays silent on one that does not."""

import re

import numpy as np
import pytest
from sklearn.model_selection import GroupShuffleSplit, train_test_split

from neuralab.data import guards
from neuralab.data.user import Table


def _table(X, y, *, task="regression", time=None, groups=None, names=None):
    X, y = np.asarray(X, float), np.asarray(y)
    classes = tuple(str(c) for c in np.unique(y)) if task != "regression" else ()
    return Table(id="", name="t", X=X, y=y, feature_names=names or tuple(f"f{i}" for i in range(X.shape[1])),
                 class_names=classes, task=task, time=time, groups=groups, rate_hz=None, n_rows_total=len(y),
                 sampled=False)


def _random(n=300, f=8, seed=0, task="regression"):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, f))
    y = X[:, 0] + X[:, 1] + rng.normal(size=n) if task == "regression" else (X[:, 0] + rng.normal(size=n) > 0)
    return X, (y if task == "regression" else y.astype(np.int64))


def _split(n, seed=0):
    return train_test_split(np.arange(n), test_size=0.3, random_state=seed)


def test_duplicates_fire_on_exact_and_near_copies():
    X, y = _random()
    rng = np.random.default_rng(1)
    X2 = np.vstack([X, X[:40], X[40:70] + 0.001 * rng.normal(size=(30, 8))])
    y2 = np.concatenate([y, y[:40], y[40:70]])
    t = _table(X2, y2)
    tr = np.arange(300)
    va = np.arange(300, 370)
    f = guards.duplicates(t, tr, va)
    assert f.kind == "duplicates" and f.value == 70
    assert f.sentence.startswith("40 validation row(s) repeat a training row exactly and 30 more are within 0.1")
    assert "100.0% of the validation set" in f.sentence


def test_duplicates_silent_on_distinct_rows():
    X, y = _random()
    tr, va = _split(300)
    assert guards.duplicates(_table(X, y), tr, va) is None


def _walk(n=1500, seed=0):
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.normal(size=(n, 2)), axis=0)
    y = np.cumsum(rng.normal(size=n))
    return _table(x, y, time=np.arange(n) * 0.1)


def test_time_shuffled_measures_the_difference():
    t = _walk()
    tr, va = _split(len(t.y))
    f = guards.time_shuffled(t, tr, va, shuffled=True)
    assert f.kind == "time_shuffled" and f.severity == "warning" and f.value > 0.3
    assert "time column but the split is shuffled" in f.sentence and f"{f.value:+.3f}" in f.sentence


def test_time_shuffled_silent_for_an_ordered_split_or_no_time_column():
    t = _walk()
    tr, va = np.arange(1000), np.arange(1000, 1300)
    assert guards.time_shuffled(t, tr, va, shuffled=False) is None
    X, y = _random()
    assert guards.time_shuffled(_table(X, y), *_split(300), shuffled=True) is None


@pytest.mark.parametrize("task", ["regression", "binary"])
def test_proxy_fires_on_a_feature_that_is_the_target(task):
    X, y = _random(task=task)
    leak = y + 1e-3 * np.random.default_rng(2).normal(size=len(y))
    t = _table(np.column_stack([X, leak]), y, task=task, names=tuple(f"f{i}" for i in range(8)) + ("leak",))
    found = guards.proxy(t, np.arange(300))
    assert len(found) == 1
    assert found[0].kind == "proxy" and found[0].value >= guards.PROXY_SCORE
    assert found[0].sentence.startswith("Feature 'leak' alone predicts the target")


@pytest.mark.parametrize("task", ["regression", "binary"])
def test_proxy_silent_without_a_leak(task):
    X, y = _random(task=task)
    assert guards.proxy(_table(X, y, task=task), np.arange(300)) == []


def test_group_split_counts_groups_on_both_sides():
    X, y = _random()
    groups = np.repeat(np.arange(30), 10)
    t = _table(X, y, groups=groups)
    tr, va = _split(300)
    f = guards.group_split(t, tr, va)
    both = len(np.intersect1d(groups[tr], groups[va]))
    assert f.value == both > 0 and f.sentence.startswith(f"{both} of the ")


def test_group_split_silent_for_a_group_split():
    X, y = _random()
    groups = np.repeat(np.arange(30), 10)
    tr, va = next(GroupShuffleSplit(1, test_size=0.3, random_state=0).split(X, y, groups))
    assert guards.group_split(_table(X, y, groups=groups), tr, va) is None


def test_check_collects_every_guard_and_nothing_on_a_clean_table():
    X, y = _random()
    tr, va = _split(300)
    assert guards.check(_table(X, y), tr, va, shuffled=True) == ()
    leaky = _table(np.column_stack([X, y]), y, groups=np.repeat(np.arange(30), 10), time=np.arange(300.0))
    kinds = [f.kind for f in guards.check(leaky, tr, va, shuffled=True)]
    assert kinds == ["time_shuffled", "group_split", "proxy"]


def test_near_duplicate_threshold_on_real_tables_and_their_noisy_copies():
    from neuralab.data.datasets import with_copies

    for name in ("cancer", "wine"):
        for copies, low, high in ((0, 0, 0), (1, 0.5, 0.8)):
            ds = with_copies(name, copies)
            t = _table(ds.X, ds.y, task="multiclass")
            tr, va = _split(len(ds.y))
            f = guards.duplicates(t, tr, va)
            share = 0 if f is None else f.value / len(va)
            assert low <= share <= high, (name, copies, share)


def _dense_log(n=4000, seed=0):
    """A log sampled at 1 kHz of signals that change over about a second: neighbouring rows are near-identical."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 1000.0
    X = np.column_stack([np.sin(2 * np.pi * f * t + p) for f, p in ((1.3, 0), (0.7, 1), (2.1, 2))])
    X = np.column_stack([X + 0.01 * rng.normal(size=X.shape), 0.05 * np.cumsum(rng.normal(size=n))])
    return X, X[:, 0] + 0.5 * X[:, 3], t


def _neighbours(f) -> int:
    return int(re.search(r"Another [0-9.]+% \(([0-9,]+)\) are that close only", f.sentence)[1].replace(",", ""))


def test_duplicates_on_a_dense_log_set_time_neighbours_apart():
    X, y, t = _dense_log()
    tr, va = train_test_split(np.arange(len(y)), test_size=0.2, random_state=0)
    untimed = guards.duplicates(_table(X, y), tr, va)
    assert untimed.value / len(va) > 0.9  # without the time column every validation row has a near twin
    gap = guards.time_gap(_table(X, y, time=t))
    assert 1 <= gap <= guards.MAX_TIME_GAP
    f = guards.duplicates(_table(X, y, time=t), tr, va)
    assert f.value / len(va) < 0.3  # what is left is the log revisiting a state, not a neighbour
    assert f.sentence.startswith(f"Compared with training rows more than {gap} row(s) away in time, ")
    neighbours = _neighbours(f)
    assert neighbours / len(va) > 0.6 and neighbours + f.value == untimed.value
    assert "neighbours, not copies" in f.sentence and "time-ordered split" in f.sentence
    # time-ordered, the neighbours meet only at the boundary
    ordered = guards.duplicates(_table(X, y, time=t), np.arange(3200), np.arange(3200, 4000))
    assert ordered.value + _neighbours(ordered) < 0.05 * 800


def test_time_neighbours_alone_are_info_on_an_ordered_split_and_a_warning_on_a_shuffled_one():
    n = 600  # a slow ramp: each row is near its neighbours in time and far from every other row
    X, t = np.c_[np.linspace(0, 1, n), np.linspace(0, 1, n) ** 2], np.arange(n) / 100
    tab = _table(X, np.arange(n, dtype=float), time=t)
    tr, va = train_test_split(np.arange(n), test_size=0.2, random_state=0)
    assert 1 <= guards.time_gap(tab) < guards.MAX_TIME_GAP
    quiet, loud = guards.duplicates(tab, tr, va), guards.duplicates(tab, tr, va, shuffled=True)
    assert quiet.value == loud.value == 0 and _neighbours(loud) > 0
    assert (quiet.severity, loud.severity) == ("info", "warning")  # shuffled, they sit on both sides
    assert "inflates the validation score" in loud.sentence and "the check stops there" not in loud.sentence
    assert guards.check(tab, tr, va, shuffled=True)[0].severity == "warning"


def test_duplicates_on_a_timed_table_still_catch_a_copy_logged_later():
    X, y, t = _dense_log(2000)
    X2, y2 = np.vstack([X, X[:300]]), np.concatenate([y, y[:300]])  # the first 300 rows logged again at the end
    tab = _table(X2, y2, time=np.arange(2300) / 1000.0)
    f = guards.duplicates(tab, np.arange(2000), np.arange(2000, 2300))
    assert f.severity == "warning" and f.sentence.split(", ", 1)[1].startswith("300 validation row(s) repeat")


def test_duplicates_on_a_shuffled_iid_table_with_a_time_column_as_without_it():
    X, y = _random(2000, 8, seed=3)
    tr, va = _split(2000)
    tab = _table(X, y, time=np.arange(2000) * 0.001)
    assert guards.time_gap(tab) == 0
    one = np.random.default_rng(4).normal(size=(2000, 1))  # one feature: random pairs are often that close too
    assert guards.time_gap(_table(one, one[:, 0], time=np.arange(2000.0))) == 0
    assert guards.duplicates(tab, tr, va) is None and guards.duplicates(_table(X, y), tr, va) is None
