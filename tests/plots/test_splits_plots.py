"""Figure builders: the figure shows the numbers the library computed."""

import re

import numpy as np

from neuralab.data.datasets import load
from neuralab.data.splits import compare_splits, leakage, run_cv
from neuralab.plots import splits as figures


def test_sizes_figure_shows_the_counts():
    r = compare_splits("wine", 60, 20, 1)
    fig = figures.sizes_figure(r)
    assert [b.x[0] for b in fig.data] == list(r.counts)
    assert str(r.counts[0]) in figures.describe_sizes(r)


def test_class_share_bars_are_the_gaps_in_points():
    r = compare_splits("cancer_rare", 70, 15, 0)
    fig = figures.class_share_figure(r, load("cancer_rare").class_names)
    random_train = fig.data[0]
    np.testing.assert_allclose(random_train.y, (r.random[0] - r.overall) * 100)
    assert f"{r.worst_random_pp:.1f}" in fig.layout.annotations[0].text


def test_fold_figure_strides_wide_maps():
    res = run_cv("digits", "kfold", 2, 3, "bayes", 0)  # 5,391 samples
    ds = load("digits")
    fig = figures.fold_figure(res, np.repeat(ds.y, 3), ds.class_names)
    fold_map = fig.data[1].z
    assert fold_map.shape[0] == 3 and fold_map.shape[1] <= figures.MAX_MAP_COLUMNS
    assert "3 folds" in figures.describe_folds(res)


def test_leak_figure_and_summary():
    res = leakage("wine", "select", 200, "shuffled", 4, "ridge", 0)
    fig = figures.leak_figure(res)
    np.testing.assert_allclose(fig.data[0].y, res.leaky * 100)
    assert f"{res.gap_pp:+.1f}" in figures.describe_leak(res)


def test_every_builder_emits_a_valid_plotly_figure():
    """Builders skip plotly's validation for speed; here it runs on their output."""
    import plotly.graph_objects as go

    from neuralab.plots.theme import message_figure

    r = compare_splits("digits", 70, 15, 0)
    ds = load("digits")
    cv = run_cv("digits", "timeseries", 0, 4, "ridge", 0)
    figs = [
        figures.sizes_figure(r),
        figures.class_share_figure(r, ds.class_names),
        figures.fold_figure(cv, ds.y, ds.class_names),
        figures.leak_figure(leakage("wine", "scale", 0, "real", 3, "ridge", 0)),
        message_figure("nothing"),
    ]
    for fig in figs:
        go.Figure(fig.to_dict())  # raises ValueError on any invalid property


def test_twin_note_says_what_the_folds_did():
    leaky = figures.describe_twins(run_cv("wine", "kfold", 2, 5, "ridge", 0))
    # a total over the folds, and said so: 534 is the whole data set, each sample validated once
    assert leaky.startswith("Summed over the 5 folds (no sample is validated twice): ")
    assert re.search(r": [\d,]+ of 534 validation samples \(\d+%\) had a copy in training in the fold that", leaky)
    grouped = figures.describe_twins(run_cv("wine", "group", 2, 5, "ridge", 0))
    assert "none of the 534 validation samples has a copy in training" in grouped
    assert "all in training or all in validation" in grouped
    alone = figures.describe_twins(run_cv("wine", "group", 0, 5, "ridge", 0))
    assert "group of one" in alone and "add copies" in alone  # says why Group k-fold changes nothing here
    assert figures.describe_twins(run_cv("wine", "kfold", 0, 5, "ridge", 0)) == ""  # nothing to say


def test_twin_note_counts_only_the_folds_that_were_scored():
    # wine is sorted by class: the time-series split's first fold trains on one class and cannot be scored
    r = run_cv("wine", "timeseries", 2, 5, "ridge", 0)
    unscored = ~np.isfinite(r.scores)
    assert unscored.sum() == 1
    counted = [(t, len(v)) for t, (_, v), bad in zip(r.twins, r.folds, unscored, strict=True) if not bad]
    twins, n_val = sum(t for t, _ in counted), sum(n for _, n in counted)
    assert twins < sum(r.twins)  # the unscored fold had a copy in training too, and is left out
    text = figures.describe_twins(r)
    assert text.startswith("Summed over the 4 of 5 folds that could be scored")
    assert f"{twins} of {n_val} validation samples" in text and "cut by the boundary" in text
