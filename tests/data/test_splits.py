"""Splits and cross-validation against scikit-learn, plus properties that must always hold."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline

from neuralab.data import splits
from neuralab.data.baselines import make_model
from neuralab.data.datasets import DATASETS, load, with_copies
from neuralab.params import ParamError


@pytest.mark.parametrize("name", list(DATASETS))
def test_datasets_load_and_are_read_only(name):
    ds = load(name)
    assert ds.X.shape[0] == ds.y.shape[0] == ds.groups.shape[0]
    assert ds.n_classes == len(np.unique(ds.y))
    with pytest.raises(ValueError):
        ds.X[0, 0] = 1.0


def test_rare_cancer_is_five_percent_malignant():
    ds = load("cancer_rare")
    assert (ds.y == 0).sum() == 19 and (ds.y == 1).sum() == 357


def test_copies_share_group_and_label():
    base, ds = load("wine"), with_copies("wine", 2, 0)
    assert ds.n_samples == 3 * base.n_samples
    assert np.array_equal(ds.X[::3], base.X)  # originals unchanged
    assert np.array_equal(ds.groups, np.repeat(base.groups, 3))
    assert np.array_equal(ds.y, np.repeat(base.y, 3))
    assert not np.array_equal(ds.X[1::3], base.X)  # copies carry noise


def test_three_way_matches_sklearn_twice():
    y = load("cancer").y
    parts = splits.three_way_split(y, 70, 15, seed=3, stratify=True)
    idx = np.arange(len(y))
    rest, test = train_test_split(idx, test_size=0.15, random_state=3, stratify=y)
    train, val = train_test_split(rest, test_size=15 / 85, random_state=3, stratify=y[rest])
    assert np.array_equal(parts.test, np.sort(test))
    assert np.array_equal(parts.train, np.sort(train))
    assert np.array_equal(parts.val, np.sort(val))


@settings(max_examples=40, deadline=None)
@given(st.integers(10, 90), st.integers(5, 45), st.integers(0, 9999), st.booleans())
def test_three_way_is_a_partition(train_pct, val_pct, seed, stratify):
    if train_pct + val_pct > 95:
        with pytest.raises(ParamError, match="at least 5% for the test set"):
            splits.three_way_split(load("wine").y, train_pct, val_pct, seed, stratify)
        return
    y = load("wine").y
    p = splits.three_way_split(y, train_pct, val_pct, seed, stratify)
    allidx = np.concatenate([p.train, p.val, p.test])
    assert len(allidx) == len(y) and len(np.unique(allidx)) == len(y)


def test_stratified_keeps_shares_closer_than_random_on_rare_class():
    worse = 0
    for seed in range(20):
        r = splits.compare_splits("cancer_rare", 70, 15, seed)
        assert r.worst_stratified_pp <= r.worst_random_pp + 1e-9
        worse += r.worst_random_pp > r.worst_stratified_pp
        assert sum(r.rare_counts_stratified) == 19
    assert worse >= 15  # random is strictly worse on most seeds


@pytest.mark.parametrize(
    ("scheme", "ref"),
    [("kfold", lambda k, s: KFold(k, shuffle=True, random_state=s)),
     ("stratified", lambda k, s: StratifiedKFold(k, shuffle=True, random_state=s))],
)
def test_cv_scores_match_sklearn(scheme, ref):
    ds = load("wine")
    res = splits.run_cv("wine", scheme, 0, 4, "ridge", 7)
    expected = cross_val_score(make_model("ridge"), ds.X, ds.y, cv=ref(4, 7))
    np.testing.assert_allclose(res.scores, expected)
    assert res.mean == pytest.approx(expected.mean())
    assert res.std == pytest.approx(expected.std(ddof=1))


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 10), st.integers(0, 3), st.integers(0, 500))
def test_no_group_lands_in_two_validation_folds_nor_both_sides(k, copies, seed):
    ds = with_copies("wine", copies, seed)
    folds = list(splits.make_splitter("group", k, seed).split(ds.X, ds.y, ds.groups))
    seen = set()
    for train, val in folds:
        g_val = set(ds.groups[val])
        assert not g_val & set(ds.groups[train])
        assert not g_val & seen
        seen |= g_val
    assert seen == set(ds.groups)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 10), st.sampled_from(["cancer", "wine", "digits"]))
def test_time_series_never_trains_on_the_future(k, name):
    ds = load(name)
    for train, val in splits.make_splitter("timeseries", k, 0).split(ds.X, ds.y):
        assert train.max() < val.min()


def test_fold_map_marks_each_sample_once_as_validation():
    res = splits.run_cv("cancer", "stratified", 0, 5, "ridge", 0)
    grid = splits.fold_map(res.folds, res.n_samples)
    assert grid.shape == (5, 569)
    assert np.array_equal((grid == 2).sum(axis=0), np.ones(569))


def test_time_series_on_class_sorted_data_reports_unfittable_folds():
    res = splits.run_cv("wine", "timeseries", 0, 10, "ridge", 0)  # wine rows are sorted by class
    assert np.isnan(res.scores[0]) and res.notes and "one class only" in res.notes[0]
    assert np.isfinite(res.mean)


def test_near_duplicates_inflate_plain_kfold_but_not_group_kfold():
    plain = splits.run_cv("cancer", "kfold", 2, 5, "knn", 0)
    grouped = splits.run_cv("cancer", "group", 2, 5, "knn", 0)
    assert plain.mean > 0.99  # the copy of each validation sample sits in training
    assert plain.mean - grouped.mean > 0.02


def test_selection_leak_beats_chance_with_nothing_to_learn():
    res = splits.leakage("cancer", "select", 1000, "shuffled", 5, "ridge", 0)
    assert res.chance == 0.5
    assert res.leaky.mean() - res.chance > 0.05
    assert abs(res.honest.mean() - res.chance) < 0.08
    assert res.gap_pp > 5


def test_leakage_honest_arm_is_sklearn_pipeline():
    ds = load("wine")
    rng = np.random.default_rng(4)
    X = np.hstack([ds.X, rng.normal(size=(ds.n_samples, 100))])
    y = rng.permutation(ds.y)
    cv = StratifiedKFold(3, shuffle=True, random_state=4)
    pipe = make_pipeline(SelectKBest(f_classif, k=20), make_model("ridge"))
    expected = cross_val_score(pipe, X, y, cv=cv, scoring="balanced_accuracy")
    res = splits.leakage("wine", "select", 100, "shuffled", 3, "ridge", 4)
    np.testing.assert_allclose(res.honest, expected)


def test_library_rejects_bad_values_with_sentences():
    with pytest.raises(ParamError, match="k must be between 2 and 10"):
        splits.run_cv("wine", "kfold", 0, 11, "ridge", 0)
    with pytest.raises(ParamError, match="dataset must be one of"):
        splits.compare_splits("mnist", 70, 15, 0)
    with pytest.raises(ParamError, match="noise must be 0 plus a multiple of 100"):
        splits.leakage("wine", "select", 150, "real", 5, "ridge", 0)


def test_twins_count_validation_samples_whose_copy_trains():
    ds = with_copies("wine", 2, 0)
    plain = splits.run_cv("wine", "kfold", 2, 5, "ridge", 0)
    grouped = splits.run_cv("wine", "group", 2, 5, "ridge", 0)
    for res in (plain, grouped):  # the count, checked sample by sample against the groups
        expect = [sum(ds.groups[i] in set(ds.groups[tr]) for i in va) for tr, va in res.folds]
        assert list(res.twins) == expect and res.groups == 178
    assert sum(plain.twins) > 0.9 * ds.n_samples and sum(grouped.twins) == 0
    alone = splits.run_cv("wine", "kfold", 0, 5, "ridge", 0)
    assert sum(alone.twins) == 0 and alone.groups == alone.n_samples == 178
