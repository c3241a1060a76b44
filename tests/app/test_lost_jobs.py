"""A job that ends without a result is reported to its page instead of leaving it waiting or silent.

Dash ends a page's polling silently when a job's process is gone and left no result: the page kept
its old chart and never learned why. This module covers, on the diskcache backend:

* a real job process killed mid-run (``kill -9``, as an operator or the out-of-memory killer would),
  followed through the page's polls: the page hears it stopped, with a link to run it again, and its
  slots are free;
* a job the page cancelled itself, which is not reported;
* a job that never answers, given up once :func:`~neuralab.app.limits.overdue_s` has passed, and a job
  the queue never took: both offer the link;
* a job that raises: a sentence with the exception's first line and no link, not kept in the cache;
* a refusal or a failure read first by another page with the same settings (a twin job), which the
  twin's page is still told, and how long that copy is kept;
* the job marks swept after a day, and state directories that fall back to a temporary one.
"""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

from neuralab.app import jobs, limits
from neuralab.app.pages import splits
from neuralab.data.splits import LEAK

URL = "/_dash-update-component"


def _body(dep: dict, values: dict) -> dict:
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True))
               for o in dep["output"].strip(".").split("...")]
    inputs = [{**i, "value": values[i["id"].removeprefix("splits-")]} for i in dep["inputs"]]
    return {"output": dep["output"], "outputs": outputs, "inputs": inputs, "changedPropIds": [], "state": []}


def _poll(client, body: dict, handles: dict, timeout_s: float = 60) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        r = client.post(f"{URL}?cacheKey={handles['cacheKey']}&job={handles['job']}", json=body)
        assert r.status_code in (200, 204), r.get_data(as_text=True)[:300]
        if r.status_code == 200 and "response" in (doc := r.get_json()):
            return doc["response"]
        time.sleep(0.05)
    raise AssertionError("the page never heard back about its job")


def _wait_running(pid: int, timeout_s: float = 30) -> psutil.Process:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            proc = psutil.Process(pid)
            if proc.status() != psutil.STATUS_ZOMBIE:
                return proc
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.05)
    raise AssertionError(f"job process {pid} never started")


@pytest.fixture
def leak_dep(client):
    deps = client.get("/_dash-dependencies").get_json()
    return next(d for d in deps if d["output"].lstrip(".").startswith("splits-leak.figure"))


def test_a_job_killed_mid_run_is_reported_lost_with_a_rerun_link(client, leak_dep, monkeypatch):
    started = psutil.Process().create_time()  # unique inputs: no cached answer from an earlier run
    monkeypatch.setattr(splits, "leakage", lambda **_: time.sleep(600))  # the fork inherits it
    body = _body(leak_dep, {**LEAK.defaults(), "seed": int(started) % 9973})
    r = client.post(URL, json=body)
    assert r.status_code == 200
    handles = r.get_json()
    proc = _wait_running(int(handles["job"].rpartition("~")[0]))
    os.kill(proc.pid, signal.SIGKILL)  # mid-run: the job holds its slots and is sleeping in "training"

    response = _poll(client, body, handles)
    alert = response["splits-leak-alert"]["children"]
    assert "stopped before it finished" in str(alert)
    assert limits.RERUN in str(alert) and "'href': ''" in str(alert)  # a link that reloads the same settings
    assert "stopped before it finished" in str(response["splits-leak"]["figure"])
    with limits.slot(limits.client_id({}, "127.0.0.1"), queue_s=2) as refusal:
        assert refusal == ""  # the killed job's slots went with its process


def test_a_job_the_page_cancelled_is_not_reported_lost(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path))
    import diskcache

    manager = jobs.JobManager(diskcache.Cache(str(tmp_path / "c")), cache_by=[jobs.code_version])
    gone = 2**22 + 12345  # a process id that does not exist (above Linux's default pid_max)
    limits.submitted(gone)
    manager.terminate_job(gone)  # the page moved on: Dash cancels the old job
    assert manager.get_result("no-such-key", gone) is manager.UNDEFINED
    assert manager.job_running(gone) is False  # so Dash answers "no update" and the page stops polling


def test_a_job_that_never_answers_is_given_up_after_the_longest_a_job_may_take(tmp_path, monkeypatch):
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path))
    import diskcache

    manager = jobs.JobManager(diskcache.Cache(str(tmp_path / "c")), cache_by=[jobs.code_version])
    job = os.getpid()  # "running" for as long as the test lasts: a Celery task whose worker vanished looks so
    limits.submitted(job)
    monkeypatch.setattr(manager, "_stop", lambda _job: None)  # do not kill the test
    context_value.set(AttributeDict(outputs_list=[{"id": "x", "property": "figure"},
                                                  {"id": "x-alert", "property": "children"}]))
    assert manager.get_result("k", job) is manager.UNDEFINED  # young: still waited for
    old = time.time() - limits.overdue_s() - 1
    os.utime(limits._mark_path("submitted", job), (old, old))
    answer = manager.get_result("k", job)
    assert limits.is_busy(answer) and "gave no result within" in str(answer[1].children)
    assert limits.RERUN in str(answer[1].children)  # waiting longer would not help; running it again may
    assert limits.was_cancelled(job)


def test_a_job_the_queue_never_took_offers_to_run_it_again(tmp_path, monkeypatch):
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path))
    import diskcache

    manager = jobs.JobManager(diskcache.Cache(str(tmp_path / "c")), cache_by=[jobs.code_version])
    context_value.set(AttributeDict(outputs_list=[{"id": "x-alert", "property": "children"}]))
    answer = str(manager.get_result("k", jobs.UNQUEUED))
    assert "never started" in answer and limits.RERUN in answer


def test_old_marks_are_swept(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path))
    limits.submitted("old-task")
    limits.submitted("new-task")
    old = time.time() - limits.MARK_TTL_S - 10
    os.utime(limits._mark_path("submitted", "old-task"), (old, old))
    assert limits.sweep() == 1
    assert limits.age("new-task") < 60 and limits.age("old-task") == 0.0


def test_a_job_that_raises_is_a_sentence_not_a_400_and_is_not_cached(client, leak_dep, monkeypatch):
    def broken(**_):
        raise ValueError("the teaching model diverged in a way nobody planned for")

    monkeypatch.setattr(splits, "leakage", broken)
    body = _body(leak_dep, {**LEAK.defaults(), "seed": 4242})
    for _ in range(2):  # the second identical request runs again: the error was not cached
        r = client.post(URL, json=body)
        assert r.status_code == 200
        response = _poll(client, body, r.get_json())
        alert = str(response["splits-leak-alert"]["children"])
        assert "This computation failed: the teaching model diverged" in alert and "Traceback" not in alert
        assert limits.RERUN not in alert  # the same settings would fail the same way
    monkeypatch.undo()
    r = client.post(URL, json=body)
    assert "failed" not in str(_poll(client, body, r.get_json())["splits-leak-alert"]["children"])


def test_state_directories_fall_back_to_a_private_temporary_one_when_the_cache_is_unusable(tmp_path, monkeypatch,
                                                                                          caplog):
    from neuralab import cache

    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(blocker / "cache"))  # cannot be made: its parent is a file
    with caplog.at_level("WARNING", logger="neuralab.cache"):
        first, again = limits.slots_dir(), limits.slots_dir()
    assert first == again and first.is_dir() and not str(first).startswith(str(blocker))
    assert sum("serves instead" in r.getMessage() for r in caplog.records) <= 1  # said once per process
    with limits.slot("someone", queue_s=1) as refusal:
        assert refusal == ""
    assert cache.state_dir("playground").is_dir()


def _twins(tmp_path, monkeypatch):
    """A job manager, the outputs of the page asking, and two job processes that have ended (above Linux's
    default pid_max), both submitted with the same inputs."""
    import diskcache
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path))
    manager = jobs.JobManager(diskcache.Cache(str(tmp_path / "c")), cache_by=[jobs.code_version])
    outputs = [{"id": "x", "property": "figure"}, {"id": "x-summary", "property": "children"},
               {"id": "x-store", "property": "data"}]
    context_value.set(AttributeDict(outputs_list=outputs))
    first, second = 2**22 + 101, 2**22 + 102
    for job in (first, second):
        limits.submitted(job)
    return manager, outputs, first, second


def test_a_refusal_read_by_a_twin_jobs_page_is_not_reported_lost(tmp_path, monkeypatch):
    """Learners who open one page at once start jobs with the same inputs, so the same cache key. When both are
    refused ("busy"), both answers land in that one place; the first page's poll reads it and clears it (a refusal
    is never cached). The second page must be told it was refused too, not that its process died.

    Seen under the load test (benchmarks/load/): "stopped before it finished" within a second of the submit.
    """
    manager, outputs, first, second = _twins(tmp_path, monkeypatch)
    sentence = "The lab is running as many jobs as it can queue. Nothing was computed; try again in a few seconds."
    manager.handle.set("k", limits.busy_outputs(outputs, sentence))  # each job wrote its refusal here
    assert sentence in str(manager.get_result("k", first))
    assert not manager.result_ready("k")  # the next identical request computes for real
    answer = manager.get_result("k", second)
    assert limits.is_busy(answer) and sentence in str(answer) and limits.LOST not in str(answer)
    assert answer[2] == {"_dash_no_update": "_dash_no_update"}  # what the refusal left alone stays alone
    assert manager.job_running(second) is False  # so Dash sends the answer and the page stops polling


def test_a_failure_read_by_a_twin_jobs_page_is_not_reported_lost(tmp_path, monkeypatch):
    manager, _outputs, first, second = _twins(tmp_path, monkeypatch)
    manager.handle.set("k", {"background_callback_error": {"msg": "it diverged", "tb": "Traceback ..."}})
    assert "failed: it diverged." in str(manager.get_result("k", first))
    answer = manager.get_result("k", second)
    assert "failed: it diverged." in str(answer) and limits.LOST not in str(answer)


def test_a_kept_answer_expires(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path))
    limits.keep_answer("k", ["a refusal"])
    assert limits.kept_answer("k") == ["a refusal"]
    old = time.time() - limits.KEEP_S - 1
    os.utime(limits._mark_path("answer", "k"), (old, old))
    assert limits.kept_answer("k") is None
