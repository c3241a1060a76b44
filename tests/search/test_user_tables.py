"""The searches on a learner's own table: tasks.arrays takes ``user:<id>``, caches never outlive a deletion,
studies record the id and their workers read the table from the catalogue, and the CLI takes an id or a file."""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
import pytest
import torch

from neuralab import cli
from neuralab.data import user
from neuralab.params import ParamError
from neuralab.search import honest, landscape, tasks
from neuralab.search import study as st

torch.set_num_threads(1)
ME = "me" + "A" * 20
GHOST = user.USER_PREFIX + "Z" * 16


pytestmark = pytest.mark.usefixtures("data_dir")  # a fresh catalogue for every test (tests/conftest.py)


def rig(n: int = 90, seed: int = 0) -> pd.DataFrame:
    """A small bench log: three signals, a numeric load and a two-class state that the signals decide."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"current": rng.normal(size=n), "speed": rng.normal(size=n), "temp": rng.normal(size=n)})
    df["load"] = 2 * df.current - df.speed + 0.1 * rng.normal(size=n)
    df["state"] = np.where(df.current + 0.5 * df.speed > 0, "hot", "ok")
    return df


def add(df: pd.DataFrame, target: str = "state", task: str = "binary", name: str = "Rig log") -> str:
    roles = user.Roles(target, task, features=("current", "speed", "temp"))
    return user.USER_PREFIX + user.catalogue().add(df.to_csv(index=False).encode(), "rig.csv", roles, owner=ME,
                                                   name=name)


def test_a_user_table_is_split_by_its_roles_and_capped_at_the_search_rows():
    small, large = add(rig()), add(rig(5_000, seed=1), name="Long log")
    t = user.catalogue().table(small.removeprefix(user.USER_PREFIX))
    a = tasks.arrays(small)
    ref = t.arrays(0)  # the table's own split, as every page makes it
    assert np.array_equal(a.X_train, ref.X_train) and np.array_equal(a.y_test, ref.y_test)
    assert a.task == "classification" and a.n_classes == 2 and a.n_features == 3
    big = tasks.arrays(large)
    assert len(big.y_train) + len(big.y_val) + len(big.y_test) == tasks.SEARCH_ROWS
    assert abs(len(big.y_train) - 0.6 * tasks.SEARCH_ROWS) <= 1
    assert tasks.table(large).n_rows_total == 5_000 and tasks.table(large).sampled


def test_a_wide_table_is_cut_to_fewer_rows_in_proportion_to_its_width():
    rng = np.random.default_rng(2)
    df = pd.DataFrame(rng.normal(size=(2_000, 128)), columns=[f"s{i}" for i in range(128)])
    df["state"] = np.where(df.s0 > 0, "hot", "ok")
    value = user.USER_PREFIX + user.catalogue().add(df.to_csv(index=False).encode(), "wide.csv",
                                                    user.Roles("state", "binary"), owner=ME)
    assert tasks.max_rows(value) == tasks.SEARCH_ROWS * tasks.WIDE // 128
    data = tasks.arrays(value)
    assert data.n_features == 128 and len(data.y_train) + len(data.y_val) + len(data.y_test) == tasks.max_rows(value)


def test_an_unknown_or_deleted_id_is_a_sentence_even_once_results_are_cached():
    value = add(rig())
    first = landscape.landscape(value, res=8, seeds=1)
    assert first.dataset == value and np.isfinite(first.optimum)
    user.catalogue().delete(value.removeprefix(user.USER_PREFIX), owner=ME)
    for call in (lambda: tasks.arrays(value), lambda: landscape.landscape(value, res=8, seeds=1)):
        with pytest.raises(ParamError, match="it was deleted, or the link is wrong"):
            call()
    with pytest.raises(ParamError, match=f"dataset {GHOST}"):
        tasks.check(GHOST)
    with pytest.raises(ParamError, match="or one of your datasets"):
        tasks.check("cifar")


def test_the_landscape_of_a_user_table_is_trained_on_that_table():
    value = add(rig(), target="load", task="regression")
    ls = landscape.landscape(value, res=8, seeds=2)
    assert ls.metric == "R²"
    i, j = ls.best
    direct = landscape.train_many(tasks.arrays(value), np.full(2, ls.lr[i]), np.full(2, ls.wd[j]), np.arange(2))
    assert ls.score[i, j] == pytest.approx(direct.val_loss.mean(), rel=1e-4)


def test_nested_cv_on_a_table_too_small_for_its_pool_says_so():
    value = add(rig())
    with pytest.raises(ParamError, match="too small for this part, which needs at least 100 training rows"):
        honest.nested_cv(value, 100, repeats=1)


def test_a_table_with_a_class_too_rare_to_split_is_a_sentence():
    df = rig(60)
    df.loc[:1, "state"] = "fault"  # two rows: a stratified three-way split needs three
    with pytest.raises(ParamError, match="'fault'.*at least 3 per class"):
        tasks.arrays(add(df, task="multiclass"))


def test_a_study_records_the_id_and_its_trials_train_on_the_table(tmp_path, monkeypatch):
    value = add(rig())
    storage = optuna.storages.InMemoryStorage()
    study = st.create("rig", storage, dataset=value, sampler="random", trials=2, seeds=1)
    assert study.user_attrs["dataset"] == value and st.work(study) == 2
    t = study.get_trials()[0]
    direct = landscape.train_many(tasks.arrays(value), np.array([t.params["lr"]]), np.array([t.params["wd"]]),
                                  np.arange(1))
    assert t.value == pytest.approx(float(direct.val_loss[0]), rel=1e-5)
    with pytest.raises(ParamError, match="it was deleted"):  # checked before the study is made
        st.create("ghost", storage, dataset=GHOST)
    assert [s.study_name for s in storage.get_all_studies()] == ["rig"]
    monkeypatch.setenv("NEURALAB_DATA_DIR", str(tmp_path / "another-machine"))  # a worker without the catalogue
    with pytest.raises(ParamError, match="needs the lab's data directory shared with it \\(NEURALAB_DATA_DIR\\)"):
        st.work(st.join("rig", storage), trials=3)


def test_cli_runs_a_study_on_a_file_or_an_id_and_resumes_it(tmp_path, capsys):
    path = tmp_path / "bench.csv"
    rig().to_csv(path, index=False)
    url = f"sqlite:///{tmp_path / 'c.db'}"
    run = ["search", "run", "--storage", url, "--sampler", "random", "--trials", "2"]
    assert cli.main([*run, "--study", "file", "--dataset", str(path)]) == 2
    assert "--target is needed with a file" in capsys.readouterr().err
    assert cli.main([*run, "--study", "file", "--dataset", str(path), "--target", "state"]) == 0
    out = capsys.readouterr().out
    kept = user.catalogue().entries(cli.CLI_OWNER)
    assert len(kept) == 1 and f"kept as user:{kept[0].id}" in out and "2 complete" in out
    assert cli.main([*run, "--study", "file", "--dataset", str(path), "--target", "state"]) == 0
    assert len(user.catalogue().entries(cli.CLI_OWNER)) == 1  # the same table: the same id, so the study resumes
    assert cli.main([*run, "--study", "byid", "--dataset", f"user:{kept[0].id}"]) == 0
    capsys.readouterr()
    assert cli.main(["search", "list", "--storage", url]) == 0
    assert f"byid\tuser:{kept[0].id}\trandom\t2/0/0" in capsys.readouterr().out
    assert cli.main([*run, "--study", "ghost", "--dataset", GHOST]) == 2
    assert "it was deleted, or the link is wrong" in capsys.readouterr().err
    assert cli.main([*run, "--study", "missing", "--dataset", str(tmp_path / "nope.csv"), "--target", "y"]) == 2
    assert "no such file" in capsys.readouterr().err
