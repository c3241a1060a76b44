"""/hyperparameter-search on a learner's own table: the dataset control lists it, the note says which rows every
part trains on, the parts' callbacks answer with the library's numbers, and bad tables are sentences."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from neuralab.app import export
from neuralab.app.pages import hyperparameter_search as page
from neuralab.app.pages import search_honest, search_landscape, search_studies
from neuralab.data import user
from neuralab.search import landscape, tasks
from tests.search.test_user_tables import GHOST, ME, add, rig

torch.set_num_threads(1)


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


pytestmark = pytest.mark.usefixtures("data_dir")  # a fresh catalogue for every test (tests/conftest.py)


def test_the_dataset_control_lists_the_learners_tables():
    value = add(rig())
    options = search_landscape.fill_datasets(ME, "digits")
    assert {"label": "Rig log (yours)", "value": value} in options
    assert [o["value"] for o in options[:3]] == ["digits", "motor", "spiral"]
    assert page.SPEC.parse_query(f"?dataset={value}")[0]["dataset"] == value  # the share link carries it


def test_the_note_says_which_rows_every_part_trains_on():
    value = add(rig(5_000, seed=1), name="Long log")
    note, alert = search_landscape.DATA_NOTE.view({"dataset": value})
    data = tasks.arrays(value)
    assert alert == "" and f"Your dataset Long log: a seeded sample of {tasks.SEARCH_ROWS:,} of its 5,000 rows" in note
    assert f"{len(data.y_train):,} training, {len(data.y_val):,} validation and {len(data.y_test):,} test rows" in note
    assert "Split shuffled, stratified by class" in note
    builtin, _ = search_landscape.DATA_NOTE.view({"dataset": "digits"})
    assert builtin.startswith("Every part below runs on Digits") and "1,077 training" in builtin


def test_the_landscape_job_on_a_user_table_is_the_librarys_landscape_of_it(monkeypatch):
    value = add(rig(), target="load", task="regression")
    real = landscape.landscape
    monkeypatch.setattr(search_landscape.landscape, "landscape",
                        lambda dataset, progress: real(dataset, res=8, seeds=2, progress=progress))
    fig, caption, alert = search_landscape.LANDSCAPE.view({"dataset": value})
    go.Figure(fig.to_dict())
    assert alert == "" and "64 cells × 2 seeds = 128 trainings" in caption
    ls = real(value, res=8, seeds=2)
    i, j = ls.best
    direct = landscape.train_many(tasks.arrays(value), np.full(2, ls.lr[i]), np.full(2, ls.wd[j]), np.arange(2))
    assert ls.score[i, j] == pytest.approx(direct.val_loss.mean(), rel=1e-4)
    assert f"validation loss {ls.optimum:.4g} (validation R²" in caption  # the caption reads the same landscape


@pytest.mark.parametrize("section", [search_landscape.DATA_NOTE, search_landscape.LANDSCAPE, search_honest.CURSE])
def test_an_unknown_or_deleted_table_is_a_sentence(section):
    value = add(rig())
    user.catalogue().delete(value.removeprefix(user.USER_PREFIX), owner=ME)
    for gone in (value, GHOST):
        out = section.view({"dataset": gone})
        assert f"dataset {gone}: No dataset" in out[-1] and "it was deleted, or the link is wrong" in out[-1]


def test_a_table_too_small_for_nested_cv_says_so_and_a_rare_class_is_named():
    small = add(rig())
    out = search_honest.NESTED.view({"dataset": small, "pool": 100})
    assert "too small for this part, which needs at least 100 training rows" in out[-1]
    df = rig(60)
    df.loc[:1, "state"] = "fault"
    note = search_landscape.DATA_NOTE.view({"dataset": add(df, task="multiclass")})[-1]
    assert "'fault'" in note and "at least 3 per class" in note


def test_the_studies_list_names_a_user_table(monkeypatch, tmp_path):
    import optuna

    from neuralab.search import study as st

    value = add(rig())
    storage = optuna.storages.InMemoryStorage()
    st.create("rig", storage, dataset=value, sampler="random", trials=1, seeds=1)
    monkeypatch.setattr(search_studies, "storage", lambda: storage)
    shown = search_studies.listing(None)[0]
    from tests.app import tree

    assert f"Rig log ({value})" in tree.text(shown)


def test_the_export_of_a_user_table_state_builds_and_names_the_table():
    value = add(rig())
    ex = export.build("/hyperparameter-search", f"?dataset={value}")
    script = ex.script()
    compile(script, "neuralab_hyperparameter_search.py", "exec")
    assert f"'dataset': '{value}'" in script and "landscape.landscape(" in script
    assert value in ex.datasets and "neuralab data add" in ex.datasets[value]
    note = export.compute(search_landscape.DATA_NOTE, ex.values)  # what the script's first block runs
    assert "Your dataset Rig log" in note
