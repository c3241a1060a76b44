"""The race of Optuna's samplers on a measured landscape."""

import numpy as np
import optuna
import pytest

from neuralab.params import ParamError
from neuralab.search import race
from neuralab.search.landscape import landscape


@pytest.fixture(scope="module")
def tiny():
    return landscape("spiral", res=8, seeds=1)


@pytest.fixture(scope="module")
def result(tiny):
    return race.run_race(tiny, 9, 3)


def test_every_sampler_runs_every_repeat_with_real_cell_values(tiny, result):
    assert result.names == tuple(race.SAMPLERS) and result.value.shape == (6, 3, 9)
    done = ~np.isnan(result.value)
    cells = [tiny.at(a, b) for a, b in zip(result.lr[done], result.wd[done], strict=True)]
    assert np.array_equal(result.value[done], cells)
    assert np.all(np.diff(result.regret, axis=2) <= 1e-12)  # the best so far only improves
    assert result.seconds.shape == (6, 3) and np.all(result.seconds > 0)


def test_a_diverged_cell_is_a_failed_trial_and_is_counted(tiny, result):
    assert tiny.diverged.any()
    diverged = np.isnan(result.value)
    assert np.array_equal(result.failed, diverged) and result.failed.sum() > 0
    kept = race.run_race(tiny, 9, 3, diverged="nothing")
    assert not kept.failed.any() and np.isnan(kept.value).sum() > 0  # reported, not failed


def test_the_grid_sampler_visits_distinct_measured_cell_centres(tiny):
    s = race.study(tiny, "grid", 0, 9)
    points = {(t.params["lr"], t.params["wd"]) for t in s.trials}
    assert len(points) == 9 and len(s.trials) == 9
    grid = race.grid_values(tiny, 9)
    assert len(grid["lr"]) == 3 and set(grid["lr"]) <= set(tiny.lr.tolist())
    assert {lr for lr, _ in points} == set(grid["lr"]) and {wd for _, wd in points} == set(grid["wd"])
    other = race.study(tiny, "grid", 1, 9)
    assert [t.params for t in other.trials] != [t.params for t in s.trials]  # Optuna's own random order


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
def test_samplers_are_optunas_own_and_seeded(tiny):
    for name, entry in race.SAMPLERS.items():
        assert isinstance(entry.build(0, race.grid_values(tiny, 9)), optuna.samplers.BaseSampler), name
    a, b = race.study(tiny, "tpe", 4, 12), race.study(tiny, "tpe", 4, 12)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]


def test_trials_to_reach_a_level_is_the_median_first_hit():
    r = race.Race("spiral", ("a",), *(np.zeros((1, 3, 4)) for _ in range(3)), np.zeros((1, 3, 4), bool), "fail",
                  np.array([[[1, 0.04, 0.005, 0], [1, 1, 0.03, 0.03], [0.5, 0.5, 0.5, 0.5]]]), np.ones((1, 3)), 2)
    assert r.reach(0.05).tolist() == [3.0]  # first hits 2, 3 and never: median 3
    assert r.reach(0.01).tolist() == [np.inf]  # 3, never, never
    q = r.quartiles()
    assert q.shape == (3, 1, 4) and q[1, 0, 3] == 0.03


@pytest.mark.parametrize(("kw", "name"), [({"trials": 4}, "trials"), ({"trials": 101}, "trials"),
                                          ({"repeats": 2}, "repeats"), ({"dataset": "mnist"}, "dataset"),
                                          ({"diverged": "skip"}, "diverged")])
def test_bad_parameters_get_a_sentence_naming_them(kw, name):
    with pytest.raises(ParamError, match=name):
        race.race(**kw)


def test_an_unknown_sampler_is_named(tiny):
    with pytest.raises(ValueError, match="sampler must be one of"):
        race.study(tiny, "hyperband", 0, 5)


def test_the_start_up_counts_are_optunas_and_tpe_models_both_parameters_jointly():
    assert race.STARTUP == optuna.samplers.TPESampler()._n_startup_trials
    assert race.GP_STARTUP == optuna.samplers.GPSampler()._n_startup_trials
    study = optuna.create_study(sampler=race.SAMPLERS["tpe"].build(0, {}))
    assert study.sampler._is_multivariate(study)  # the page says TPE follows the lr × wd interaction
