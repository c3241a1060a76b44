"""Figures and summaries of the gradient-descent page, re-validated by plotly."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest

from neuralab.plots import descent as figures
from neuralab.train import descent, landscape


@pytest.fixture(scope="module")
def calm():
    return descent.race("bowl", -2.5, 2.0, 0.1, 100, "sgd,adam,adamw")


@pytest.fixture(scope="module")
def wild():
    return descent.race("rosenbrock", -1.5, 2.0, 0.04, 100, "sgd,adam")


def test_race_figure_draws_surface_minima_start_and_one_path_per_optimizer(calm):
    f = figures.race_figure(calm, descent.grid("bowl"))
    go.Figure(f.to_dict())  # plotly re-validates every property
    paths = [t for t in f.data if t.meta and "path" in t.meta]
    assert [t.name for t in paths] == ["SGD", "Adam", "AdamW"] and [t.meta["path"] for t in paths] == [0, 1, 2]
    assert f.data[0].type == "contour" and f.data[1].name == "minima" and f.data[2].name == "start"
    assert paths[2].line.dash == "dash"  # AdamW lies on Adam: dashed so both show
    assert list(f.layout.xaxis.range) == [-3, 3] and f.layout.xaxis.title.text
    assert len(paths[0].x) == 101


def test_loss_figure_is_the_gap_to_the_lowest_minimum(calm):
    f = figures.loss_figure(calm)
    go.Figure(f.to_dict())
    assert f.layout.yaxis.type == "log" and len(f.data) == 3
    assert f.data[0].y[0] == pytest.approx(2.5**2 + 2 * 2.0**2)


def test_path_data_gives_plain_lists_and_nulls_for_non_finite(wild):
    data = figures.path_data(wild)
    assert data["steps"] == 100 and len(data["x"]) == 2
    assert all(isinstance(v, float) or v is None for v in data["gap"][0])
    assert len(data["x"][0]) == wild.paths[0].diverged_at + 1 and len(data["x"][1]) == 101


def test_table_rows_say_what_happened(calm, wild):
    rows = figures.race_rows(calm)
    assert rows[0]["Optimizer"] == "SGD" and rows[0]["Steps to converge"] == str(calm.paths[0].converged_at)
    assert "Settled in the lowest minimum" in rows[0]["What happened"]
    bad = figures.race_rows(wild)[0]
    assert bad["Final loss f"] == "diverged" and bad["What happened"].startswith("Diverged at step")
    assert "Not converged after 100 steps" in figures.race_rows(wild)[1]["What happened"]


def test_describe_race_counts_convergence_and_divergence(calm, wild):
    text = figures.describe_race(calm)
    assert "Convex bowl, η = 0.1, 100 steps" in text and "converged" in text
    assert "diverged: SGD" in figures.describe_race(wild)


def test_batch_figure_and_summary():
    bp = descent.batch_paths(0.05, 16, 50, 0)
    f = figures.batch_figure(bp)
    go.Figure(f.to_dict())
    assert [t.name for t in f.data[2:5]] == [r.label for r in bp.runs]
    assert f.layout.xaxis2.type == "log" and f.layout.yaxis2.title.text
    text = figures.describe_batch(bp)
    assert f"w = {bp.w_star:.3f}" in text and f"after {bp.n_train * 50:,} gradients" in text
    assert "-0.000" not in text


def test_landscape_figure_and_summary():
    ls = landscape.landscape("pca", 5, 0)
    f = figures.landscape_figure(ls)
    go.Figure(f.to_dict())
    assert f.data[0].type == "contour" and f.data[1].name == "training path (projected)"
    assert len(f.data[1].x) == 6 and "weight units" in f.layout.xaxis.title.text
    text = figures.describe_landscape(ls)
    assert "PCA of the training path slice of 21 × 21 points" in text
    assert f"validation accuracy {100 * ls.val_accuracy:.1f}%" in text and "of the path's variance" in text
    assert math.isfinite(ls.loss.max())
