"""Figures of the race of samplers and of the GP surrogate."""

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab.plots import search_race as figures
from neuralab.search import race, surrogate
from neuralab.search.landscape import landscape
from tests.search.test_surrogate import _slice


@pytest.fixture(scope="module")
def raced():
    ls = landscape("spiral", res=8, seeds=1)
    return race.run_race(ls, 9, 3), ls


@pytest.fixture(scope="module")
def explored():
    return surrogate.run_explore(_slice(), "thompson", seed=1, steps=4)


def test_trials_figure_has_one_map_per_sampler_and_every_trial(raced):
    r, ls = raced
    fig = figures.trials_figure(r, ls)
    go.Figure(fig.to_dict())
    maps = [t for t in fig.data if t.type == "heatmap"]
    assert len(maps) == len(race.SAMPLERS)
    points = sum(len(t.x) for t in fig.data if t.type == "scatter" and t.name in ("trial", "diverged trial"))
    assert points == len(race.SAMPLERS) * r.trials
    crosses = sum(len(t.x) for t in fig.data if t.name == "diverged trial")
    assert crosses == int(np.isnan(r.value[:, 0]).sum())
    text = figures.describe_race(r, ls)
    assert "Optuna records as failed" in text
    i, j = ls.best
    assert ("borders a diverged one" in text) == bool(ls.diverged[max(i - 1, 0):i + 2, max(j - 1, 0):j + 2].any())


def test_regret_figure_draws_median_and_band_on_a_log_axis(raced):
    r, _ = raced
    fig = figures.regret_figure(r)
    go.Figure(fig.to_dict())
    assert fig.layout.yaxis.type == "log"
    medians = {t.name: t.y for t in fig.data if t.name}
    assert set(medians) == {s.title for s in race.SAMPLERS.values()}
    q = np.maximum(r.quartiles(), figures.FLOOR)
    assert np.allclose(medians["TPE"], q[1, list(race.SAMPLERS).index("tpe")])
    assert "Median over 3 repeats" in figures.describe_regret(r)


def test_table_rows_say_when_a_level_is_not_reached(raced):
    r, _ = raced
    rows = figures.race_rows(r)
    assert [row["sampler"] for row in rows] == [s.title for s in race.SAMPLERS.values()]
    reach = r.reach(0.01)
    for row, value in zip(rows, reach, strict=True):
        assert row["median trials to regret ≤ 1 %"] == ("not within 9" if np.isinf(value) else f"{value:g}")
    assert sum(int(row["failed in Optuna"]) for row in rows) == int(r.failed.sum())


def test_surrogate_figure_and_its_step_data_agree(explored):
    fig = figures.surrogate_figure(explored)
    go.Figure(fig.to_dict())
    data = figures.surrogate_data(explored)
    assert data["steps"] == 4 and fig.layout.meta == data["token"] and len(data["notes"]) == 4
    by = {t.meta["series"]: t for t in fig.data if t.meta}
    assert set(by) == set(data["series"])
    assert np.allclose(by["mean"].y, explored.mean[-1])  # the figure shows the last step
    step2 = figures.surrogate_figure(explored, 2)
    assert np.allclose([t for t in step2.data if t.meta and t.meta["series"] == "mean"][0].y, explored.mean[1])
    assert len(data["series"]["observed"][0][0]) == surrogate.START
    assert len(data["series"]["observed"][3][0]) == surrogate.START + 3
    assert "Thompson draw picks" in data["notes"][0]
    assert "Last kernel fitted" in figures.describe_surrogate(explored)
