"""neuralab.search.fidelity on tiny settings: pruning really stops trainings, epochs are counted, failures kept."""

import math

import numpy as np
import optuna
import pytest

from neuralab.params import ParamError
from neuralab.search import fidelity
from neuralab.search.tasks import arrays

COMPLETE, PRUNED, FAIL = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED,
                          optuna.trial.TrialState.FAIL)


@pytest.fixture(scope="module")
def asha() -> fidelity.Arm:
    return fidelity.run_arm("spiral", "tpe", "asha", trials=10, epochs=4, seed=0)


def test_pruned_trials_stop_early_and_every_epoch_is_counted(asha):
    pruned = asha.states(PRUNED)
    assert pruned.any() and asha.states(COMPLETE).any()
    for t, spent, (steps, losses) in zip(asha.trials, asha.spent, asha.curves(), strict=True):
        assert spent == len(steps) == len(losses)  # one report per epoch trained
        assert list(steps) == list(range(1, spent + 1))
        if t.state == PRUNED:
            assert spent < 4 and math.isnan(asha.values[t.number])
        elif t.state == COMPLETE:
            assert spent == 4 and t.value == pytest.approx(losses[-1], rel=1e-5)  # the value is the last report
    assert asha.total == int(asha.spent.sum()) < 4 * 10


def test_without_pruning_every_trial_trains_its_whole_budget():
    arm = fidelity.run_arm("spiral", "random", "none", trials=4, epochs=3, seed=1)
    assert list(arm.spent) == [3, 3, 3, 3] and arm.total == 12
    assert np.all(np.diff(arm.best_so_far[np.isfinite(arm.best_so_far)]) <= 0)
    assert arm.epochs_to(arm.best) <= 12 and math.isnan(arm.epochs_to(-1.0))


def test_a_diverged_trial_fails_with_its_reason_and_the_search_goes_on():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.enqueue_trial(dict(lr=1.0, batch_size=16, depth=3, width_1=128, width_2=128, width_3=128, dropout=0.0,
                             weight_decay=1e-6, optimizer="sgd", momentum=0.99))
    study.optimize(fidelity.objective(arrays("spiral"), epochs=3), n_trials=2)
    failed, after = study.trials
    assert failed.state == FAIL and "training loss" in failed.user_attrs["failed"]
    assert 1 <= failed.user_attrs["epochs"] <= 3
    assert after.state in (COMPLETE, FAIL)  # the study ran its second trial


def test_conditional_parameters_exist_only_when_their_parent_allows():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    for _ in range(40):
        t = study.ask()
        p = fidelity.suggest(t)
        study.tell(t, 0.0)
        names = set(t.params)
        assert {f"width_{k}" for k in range(1, 4)} & names == {f"width_{k}" for k in range(1, p["depth"] + 1)}
        assert ("momentum" in names) == (p["optimizer"] == "sgd")
    drawn = {(t.params["depth"], t.params["optimizer"]) for t in study.trials}
    assert len(drawn) == 6  # every branch of the space was reached


def test_the_comparisons_share_the_unpruned_search_and_measure_against_a_common_target():
    pr = fidelity.pruners("spiral", trials=8, epochs=3, seed=0)
    sa = fidelity.samplers("spiral", trials=8, epochs=3, seed=0)
    assert [a.pruner for a in pr.arms] == list(fidelity.PRUNERS) and [a.sampler for a in sa.arms] == list(
        fidelity.SAMPLERS)
    assert [t.params for t in pr.arms[0].trials] == [t.params for t in sa.arms[0].trials]
    assert all(a.best <= pr.target for a in pr.arms) and pr.target in [a.best for a in pr.arms]
    need = pr.epochs_to_target()
    assert np.all(np.isfinite(need)) and pr.speedup()[0] == 1.0
    assert pr.saving() == pytest.approx(pr.arms[0].total / np.array([a.total for a in pr.arms]))
    assert sum(sa.explored(sa.arms[2]).values()) == 8
    start = [[t.params for t in a.trials[:fidelity.TPE_STARTUP]] for a in sa.arms]
    assert start[0] == start[1] == start[2]  # TPE's start-up draws are the random sampler's (the page says so)


def test_importances_by_both_methods_sum_to_one_over_the_unconditional_parameters(asha):
    arm = fidelity.run_arm("spiral", "random", "none", trials=8, epochs=2, seed=2)
    imp = fidelity.importances(arm)
    assert imp.fanova.sum() == pytest.approx(1) and imp.mdi.sum() == pytest.approx(1)
    assert set(imp.params) == {"lr", "batch_size", "depth", "width_1", "dropout", "weight_decay", "optimizer"}
    assert list(imp.fanova) == sorted(imp.fanova, reverse=True) and imp.n_trials == 8
    again = fidelity.importances(arm)
    assert np.array_equal(imp.fanova, again.fanova) and np.array_equal(imp.mdi, again.mdi)  # seeds fixed


def test_a_study_in_a_storage_keeps_its_trials(tmp_path):
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    arm = fidelity.run_arm("spiral", "tpe", "median", trials=3, epochs=2, seed=0, storage=url, study_name="s")
    loaded = optuna.load_study(study_name="s", storage=url)
    assert len(loaded.trials) == 3 == len(arm.trials) and loaded.user_attrs["dataset"] == "spiral"


@pytest.mark.parametrize(("kwargs", "name"), [(dict(trials=7), "trials"), (dict(epochs=99), "epochs"),
                                               (dict(dataset="mnist"), "dataset"), (dict(seed=-1), "seed")])
def test_bad_settings_raise_a_sentence_naming_the_parameter(kwargs, name):
    with pytest.raises(ParamError, match=name):
        fidelity.pruners(**kwargs)


def test_a_search_is_reproducible_dropout_included():
    one, two = (fidelity._run("spiral", "random", "hyperband", 4, 3, 4, None, None, lambda d, t: None)
                for _ in range(2))
    assert any(t.params["dropout"] > 0 for t in one.trials)
    assert [t.value for t in one.trials] == [t.value for t in two.trials]
    assert [t.state for t in one.trials] == [t.state for t in two.trials]  # Hyperband's brackets too


def test_at_equal_cost_the_unpruned_best_is_read_from_its_own_history():
    pr = fidelity.pruners("spiral", trials=8, epochs=3, seed=0)
    same = pr.unpruned_within()
    assert same[0] == pr.arms[0].best  # with all its own epochs, the unpruned search has its best
    none = pr.arms[0]
    for a, v in zip(pr.arms[1:], same[1:], strict=True):
        finished = np.cumsum(none.spent) <= a.total
        assert (math.isnan(v) and not finished.any()) or v == np.nanmin(none.values[finished])


@pytest.mark.parametrize("pruner", ["asha", "hyperband"])
def test_no_trial_is_pruned_after_training_its_whole_budget(pruner):
    # with 3 epochs ASHA's second rung (and Hyperband's last) is epoch 3: the trial's end, where it must keep its value
    arm = fidelity.run_arm("spiral", "random", pruner, trials=12, epochs=3, seed=0)
    for t, spent in zip(arm.trials, arm.spent, strict=True):
        if t.state == PRUNED:
            assert spent < 3
        elif t.state == COMPLETE:
            assert spent == 3
    assert arm.states(PRUNED).any()  # the rung at epoch 1 still prunes


def test_hyperband_brackets_and_tpe_startup_are_optunas():
    pruner = fidelity._pruner("hyperband", 9)
    study = optuna.create_study(pruner=pruner)
    study.optimize(lambda t: (t.report(1.0, 1), t.should_prune(), 1.0)[-1], n_trials=1)
    assert pruner._n_brackets == fidelity.brackets(9) == 3 and fidelity.brackets(27) == 4
    assert fidelity.TPE_STARTUP == optuna.samplers.TPESampler()._n_startup_trials
