"""The studies part of /hyperparameter-search: the operator's database listed, a study's trials, faults as sentences."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from neuralab.app.pages import search_studies as page
from neuralab.search import study as st


@pytest.fixture
def db(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    monkeypatch.setenv("NEURALAB_STORAGE", url)
    monkeypatch.setattr(page, "_STORAGES", {})
    return url


def test_lists_the_studies_and_draws_the_chosen_ones_trials(db):
    storage = st.open_storage(db)
    study = st.create("motor-tune", storage, dataset="spiral", sampler="random", trials=3, seeds=1)
    study.enqueue_trial({"lr": 3.0, "wd": 0.3})
    st.work(st.join("motor-tune", storage, worker="w0"), worker="w0")  # fixed: the sampler is seeded by the worker
    shown, options, value, message = page.listing(None)
    assert message == "" and value == "motor-tune" and options == [{"label": "motor-tune", "value": "motor-tune"}]
    cells = [c.children for c in shown.children[1].children[0].children]
    assert cells[:6] == ["motor-tune", "spiral", "random", 2, 1, 0]
    fig, caption, stop, commands = page.trials_view(value)
    fig = go.Figure(fig.to_dict())
    assert {t.name for t in fig.data} >= {"w0", "failed", "best so far"}
    assert caption.startswith("2 complete, 1 failed and 0 running") and stop is True
    assert "neuralab search worker --study motor-tune --storage" in str(commands)


@pytest.mark.filterwarnings("ignore:Heartbeat of storage")
def test_the_refresh_runs_while_a_trial_runs(db):
    storage = st.open_storage(db)
    study = st.create("live", storage, dataset="spiral", trials=3, seeds=1)
    trial = study.ask()
    trial.set_user_attr("worker", "rig-7:42")
    assert page.trials_view("live")[2] is False  # a running trial: keep refreshing
    study.tell(trial, 0.5)
    fig, caption, stop, _ = page.trials_view("live")
    assert stop is True and caption.endswith("best validation loss 0.5 (trial 0).")  # a trial with no lr or wd


def test_an_empty_database_says_how_to_start(db):
    shown, options, value, message = page.listing(None)
    assert "No studies yet" in shown.children and options == [] and value is None
    assert "neuralab search run --study my-study" in str(page.trials_view(None)[3])


def test_an_unreachable_database_is_a_sentence_without_the_password(monkeypatch):
    monkeypatch.setenv("NEURALAB_STORAGE", "postgresql+psycopg://lab:hunter2@127.0.0.1:9/search")
    monkeypatch.setattr(page, "_STORAGES", {})
    shown, options, value, message = page.listing("x")
    assert message.startswith("Cannot open the study database postgresql+psycopg://lab:***@127.0.0.1:9/search")
    assert "hunter2" not in message and options == []
    fig, caption, stop, commands = page.trials_view("x")
    assert caption.startswith("Cannot open the study database") and stop is True
    assert "hunter2" not in str(commands) and "***" not in str(commands)  # a copied line must work
    assert '--storage "$NEURALAB_STORAGE"' in str(commands) and "from any machine" in str(commands)


def test_commands_for_sqlite_stay_on_this_machine_and_name_the_default_budget(db):
    text = page.commands("lab")
    assert f"--storage '{db}'" in text and "from another terminal on this machine" in text
    assert "any machine" not in text and f"--trials {st.STUDY.fields['trials'].default}" in text
    prose = str(page.layout({}))
    assert "started with `neuralab search`" in prose and "run in memory" in prose
    assert f"{st.GRACE_BEATS} of its own heartbeats ({st.GRACE} s by default)" in prose


def test_a_forged_study_value_is_a_sentence(db):
    fig, caption, stop, commands = page.trials_view({"study": ["x"]})
    assert caption == "study must be the name of a study; got dict." and stop is True
    assert page.listing(["x"])[2] is None
