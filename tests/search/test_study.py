"""Studies in a real database: storage, objective, samplers, faults, the CLI, and two real workers."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from neuralab import cli
from neuralab.params import ParamError
from neuralab.search import study as st

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def storage(tmp_path):
    return st.open_storage(f"sqlite:///{tmp_path / 'studies.db'}", heartbeat=1, grace=2)


def test_storage_url_is_the_environment_or_sqlite_in_the_state_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("NEURALAB_STORAGE", "postgresql+psycopg://lab@db:5432/search")
    assert st.storage_url() == "postgresql+psycopg://lab@db:5432/search"
    monkeypatch.delenv("NEURALAB_STORAGE")
    url = st.storage_url()
    assert url.startswith("sqlite:///") and url.endswith("search/studies.db")


def test_unreachable_database_is_one_sentence_without_the_password():
    with pytest.raises(st.StorageError) as err:
        st.open_storage("postgresql+psycopg://lab:hunter2@127.0.0.1:9/search")
    text = str(err.value)
    assert "hunter2" not in text and "lab:***@127.0.0.1:9/search" in text and "\n" not in text


def test_a_study_records_its_settings_and_opens_in_plain_optuna(storage):
    st.create("lab", storage, dataset="spiral", sampler="random", trials=3, seed=4, seeds=1)
    assert st.work(st.join("lab", storage)) == 3
    plain = optuna.load_study(study_name="lab", storage=storage)
    assert plain.user_attrs == {"dataset": "spiral", "sampler": "random", "trials": 3, "seed": 4, "seeds": 1}
    done = plain.get_trials(states=(TrialState.COMPLETE,))
    assert len(done) == 3 and all(t.user_attrs["worker"] == st.worker_name() for t in done)
    assert {"lr", "wd"} == set(done[0].params) and plain.best_value == min(t.value for t in done)
    assert st.work(st.join("lab", storage)) == 0  # the budget is spent


def test_trial_value_is_the_landscape_training_at_that_point(storage):
    import numpy as np

    from neuralab.search.landscape import train_many
    from neuralab.search.tasks import arrays

    study = st.create("point", storage, dataset="spiral", trials=1, seeds=2)
    study.enqueue_trial({"lr": 0.05, "wd": 1e-3})
    st.work(st.join("point", storage))
    want = train_many(arrays("spiral"), np.full(2, 0.05), np.full(2, 1e-3), np.arange(2)).val_loss.mean()
    assert study.trials[0].value == pytest.approx(want, rel=1e-6)


def test_a_diverged_trial_fails_with_its_reason_and_the_search_goes_on(storage):
    study = st.create("nan", storage, dataset="spiral", sampler="random", trials=3, seeds=1)
    study.enqueue_trial({"lr": 3.0, "wd": 0.3})
    # a fixed worker name: the sampler's seed is drawn from it (from host:pid by default, another per run)
    assert st.work(st.join("nan", storage, worker="w0"), worker="w0") == 3
    failed = study.get_trials(states=(TrialState.FAIL,))
    assert len(failed) == 1 and failed[0].params["lr"] == 3.0
    assert "diverged" in failed[0].user_attrs["reason"]
    assert len(study.get_trials(states=(TrialState.COMPLETE,))) == 2
    info = st.studies(storage)[0]
    assert (info.complete, info.failed, info.running) == (2, 1, 0) and math.isfinite(info.best)


@pytest.mark.parametrize("sampler", sorted(st.SAMPLERS))
def test_every_sampler_runs_the_study_inside_the_space(storage, sampler):
    st.create("s", storage, dataset="spiral", sampler=sampler, trials=2, seeds=1)
    study = st.join("s", storage)
    assert type(study.sampler) is type(st.SAMPLERS[sampler](0))
    st.work(study)
    rows = st.trials(storage, "s")
    assert len(rows) == 2 and all(r.state in ("COMPLETE", "FAIL") for r in rows)
    assert all(1e-4 <= r.lr <= 3.0 and 1e-6 <= r.wd <= 0.3 for r in rows)


def test_bad_settings_name_the_parameter(storage):
    with pytest.raises(ParamError, match="sampler"):
        st.create("b", storage, sampler="hyperband")
    with pytest.raises(ParamError, match="trials"):
        st.create("b", storage, trials=0)
    st.create("b", storage, dataset="spiral", sampler="random", trials=2)
    with pytest.raises(ParamError, match="other settings \\(dataset 'spiral'\\)"):
        st.create("b", storage, dataset="digits", trials=2)
    resumed = st.create("b", storage)  # nothing given: the recorded settings, the recorded sampler
    assert isinstance(resumed.sampler, optuna.samplers.RandomSampler)
    with pytest.raises(ParamError, match="study must name an existing study; got 'nope'"):
        st.join("nope", storage)


def test_optuna_dashboard_lists_a_lab_study(storage):
    from optuna_dashboard import wsgi

    st.create("dash", storage, dataset="spiral", trials=2, seeds=1)
    st.work(st.join("dash", storage))
    from wsgiref.util import setup_testing_defaults

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/studies"}
    setup_testing_defaults(environ)
    status = []
    body = b"".join(wsgi(storage)(environ, lambda s, h, *exc: status.append(s)))
    assert status[0].startswith("200"), body[:300]
    studies = json.loads(body)["study_summaries"]
    assert [s["study_name"] for s in studies] == ["dash"]
    assert studies[0]["user_attrs"] and studies[0]["directions"] == ["minimize"]


# ---------------------------------------------------------------------- the command line


def test_cli_bad_values_exit_2_with_a_sentence(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    assert cli.main(["search", "run", "--study", "x", "--storage", url, "--sampler", "annealing"]) == 2
    assert "sampler must be one of grid, random, sobol, tpe, gp, cmaes" in capsys.readouterr().err
    assert cli.main(["search", "run", "--study", "x", "--storage", url, "--trials", "5000"]) == 2
    assert "trials must be between 1 and 1000" in capsys.readouterr().err
    assert cli.main(["search", "worker", "--study", "ghost", "--storage", url]) == 2
    assert "study must name an existing study; got 'ghost'" in capsys.readouterr().err


def test_cli_run_then_list(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    assert cli.main(["search", "run", "--study", "cli", "--storage", url, "--dataset", "spiral", "--trials", "2",
                     "--sampler", "sobol"]) == 0
    assert "study cli: 2 complete, 0 failed" in capsys.readouterr().out
    assert cli.main(["search", "list", "--storage", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"1 studies in {url}" and out[2].startswith("cli\tspiral\tsobol\t2/0/0\t")


def test_cli_unreachable_database_is_one_line_and_exit_1():
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    proc = subprocess.run([sys.executable, "-m", "neuralab.cli", "search", "worker", "--study", "x", "--storage",
                           "postgresql+psycopg://lab:hunter2@127.0.0.1:9/search"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and "hunter2" not in proc.stderr
    assert proc.stderr.startswith("neuralab search worker: Cannot open the study database postgresql+psycopg://lab:***@")


# ---------------------------------------------------------------------- real workers


def _worker(url: str, name: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    return subprocess.Popen([sys.executable, "-m", "neuralab.cli", "search", "worker", "--study", name,
                             "--storage", url, "--heartbeat", "1"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            p.wait(30)


def _urls(request, tmp_path) -> str:
    return request.getfixturevalue("postgres") if request.param == "postgres" else f"sqlite:///{tmp_path / 'w.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    return _urls(request, tmp_path)


@pytest.mark.services
def test_two_workers_share_one_study(url, tmp_path):
    name = f"two-{tmp_path.name}"
    storage = st.open_storage(url, heartbeat=1, grace=3)
    st.create(name, storage, dataset="spiral", sampler="tpe", trials=12, seeds=1)
    procs = [_worker(url, name), _worker(url, name)]
    try:
        outs = [p.communicate(timeout=240) for p in procs]
    finally:
        _stop(procs)
    assert [p.returncode for p in procs] == [0, 0], outs
    rows = st.trials(storage, name)
    finished = [r for r in rows if r.state in ("COMPLETE", "FAIL")]
    assert len(finished) >= 12 and not [r for r in rows if r.state == "RUNNING"]
    workers = {r.worker for r in rows}
    assert {w.rsplit(":", 1)[1] for w in workers} == {str(p.pid) for p in procs}  # both ran trials


def _beating(storage, name: str, number: int) -> bool:
    """Whether trial ``number`` of study ``name`` has a heartbeat recorded (Optuna's ``trial_heartbeats`` table)."""
    from sqlalchemy import text

    trial_id = storage.get_trial_id_from_study_id_trial_number(storage.get_study_id_from_name(name), number)
    query = text("SELECT count(*) FROM trial_heartbeats WHERE trial_id = :t")
    with storage.engine.connect() as conn:
        return conn.execute(query, {"t": trial_id}).scalar() > 0


def _running(storage, name: str, pid: int) -> list[st.TrialRow]:
    return [r for r in st.trials(storage, name) if r.state == "RUNNING" and r.worker.endswith(f":{pid}")]


@pytest.mark.services
def test_a_worker_killed_mid_trial_is_failed_by_heartbeat_and_the_other_finishes(url, tmp_path):
    name = f"kill-{tmp_path.name}"
    storage = st.open_storage(url, heartbeat=1, grace=3)
    st.create(name, storage, dataset="digits", sampler="random", trials=40, seeds=1)
    # The survivor starts after the kill: started before, on a loaded machine it could run the other 39 trials
    # while the victim was still importing, and finish within the heartbeat's grace, leaving nobody to fail the
    # dead trial (seen once: the killed trial still RUNNING at the end).
    survivor, victims = None, []
    try:
        killed = None
        for _ in range(3):  # kill while the victim's trial runs; retry if it finished just before the signal
            victim = _worker(url, name)
            victims.append(victim)
            deadline = time.monotonic() + 120
            # poll the database until the victim is mid-trial and its trial has beaten once: killed between
            # creating the trial and its first heartbeat (a loaded machine), the trial has no heartbeat row, and
            # Optuna never counts it stale (seen once: the killed trial still RUNNING at the end)
            while not ((now := _running(storage, name, victim.pid)) and _beating(storage, name, now[0].number)):
                assert time.monotonic() < deadline and victim.poll() is None, "the victim never started a trial"
                time.sleep(0.05)
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(30)
            if mine := _running(storage, name, victim.pid):
                killed = mine[0].number
                break
        assert killed is not None, "could not catch a trial mid-run"
        survivor = _worker(url, name)
        out, err = survivor.communicate(timeout=300)
    finally:
        _stop([p for p in (survivor, *victims) if p is not None])
    assert survivor.returncode == 0, err
    rows = {r.number: r for r in st.trials(storage, name)}
    assert rows[killed].state == "FAIL" and rows[killed].reason == ""  # failed by a survivor: heartbeat stale
    assert not [r for r in rows.values() if r.state == "RUNNING"]
    assert sum(r.state in ("COMPLETE", "FAIL") for r in rows.values()) >= 40


@pytest.mark.services
def test_workers_opening_a_new_postgres_database_at_once_all_start(postgres):
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(postgres)
    with psycopg.connect(f"host={u.host} port={u.port} user={u.username} dbname=postgres", autocommit=True) as c:
        c.execute('CREATE DATABASE "fresh"')
    url = u.set(database="fresh").render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    start = time.time() + 15  # after the imports, the same instant in every process
    code = (f"import time; from neuralab.search import study; time.sleep(max(0, {start} - time.time())); "
            f"study.open_storage({url!r}); print('open')")
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(6)]  # all six create the tables at the same moment
    try:
        outs = [p.communicate(timeout=120) for p in procs]
    finally:
        _stop(procs)
    assert [o for o, _ in outs] == ["open\n"] * 6, outs


def test_sobol_workers_share_the_study_seed_and_others_derive_their_own(storage):
    st.create("qmc", storage, dataset="spiral", sampler="sobol", trials=1, seed=7, seeds=1)
    st.create("tpe", storage, dataset="spiral", sampler="tpe", trials=1, seed=7, seeds=1)
    a, b = (st.join("qmc", storage, worker=w).sampler for w in ("h:1", "h:2"))
    assert a._seed == b._seed == 7  # scrambled Sobol: every worker must draw from one sequence
    x, y = (st.join("tpe", storage, worker=w).sampler for w in ("h:1", "h:2"))
    assert x._rng.rng.random() != y._rng.rng.random()


def test_a_worker_whose_trial_another_worker_failed_goes_on(storage, monkeypatch):
    study = st.create("stall", storage, dataset="spiral", sampler="random", trials=2, seeds=1)
    calls = []

    def stalled(dataset, seeds, worker):
        def run(trial):
            calls.append(trial.number)
            if trial.number == 0:  # another worker's grace check fails this trial while it still runs
                storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
            return 1.0
        return run

    monkeypatch.setattr(st, "objective", stalled)
    with pytest.warns(UserWarning, match="Cannot tell a FAIL trial"):
        st.work(st.join("stall", storage))
    states = [t.state for t in study.get_trials()]
    assert states == [TrialState.FAIL, TrialState.COMPLETE]  # the lost trial counts toward the budget


def test_the_cli_help_repeats_the_studys_settings():
    want = (st.HEARTBEAT, st.GRACE_BEATS, st.STUDY.fields["trials"].default)
    assert (cli.HEARTBEAT, cli.GRACE_BEATS, cli.TRIALS) == want
    assert st.GRACE == st.GRACE_BEATS * st.HEARTBEAT
