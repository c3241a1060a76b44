"""The background-job manager's fixes to Dash's process handling."""

import subprocess
import sys
import time

import diskcache
import psutil
from dash import DiskcacheManager

from neuralab.app import jobs, limits


def _manager(tmp_path):
    return jobs.JobManager(diskcache.Cache(str(tmp_path)), cache_by=[jobs.code_version])


def test_a_job_that_finishes_between_result_and_liveness_is_not_taken_as_cancelled(tmp_path, monkeypatch):
    m = _manager(tmp_path)
    answers = iter([True, False])  # running when the poll starts, finished a moment later
    monkeypatch.setattr(DiskcacheManager, "job_running", lambda self, job: next(answers))
    assert m.get_result("key", "123") is m.UNDEFINED
    assert m.job_running("123") is True  # the answer read before the result, not a new one


def test_terminating_a_finished_job_does_not_wait(tmp_path, monkeypatch):
    m = _manager(tmp_path)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    while True:  # let it become a zombie, unreaped
        with open(f"/proc/{child.pid}/stat") as f:
            if f.read().split()[2] == "Z":
                break
    waits = []
    monkeypatch.setattr(psutil.Process, "wait", lambda self, timeout=None: waits.append(self.pid))
    m.terminate_job(str(child.pid))
    assert waits == []  # Dash's own version waits a full second on a zombie
    child.wait()
    m.terminate_job(str(child.pid))  # gone altogether: nothing to do either
    assert waits == []


def test_terminating_a_running_job_kills_it(tmp_path):
    m = _manager(tmp_path)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    m.terminate_job(str(child.pid))  # our child, so it is killed and reaped here
    assert not psutil.pid_exists(child.pid)


def test_cache_key_includes_a_hash_of_the_source(monkeypatch, tmp_path):
    version = jobs.code_version()
    assert len(version) == 16 and version == jobs.code_version()
    assert jobs.manager().cache_by[0] is jobs.code_version
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path))
    assert str(jobs.cache_dir()).startswith(str(tmp_path))


def test_the_fork_gate_waits_for_running_requests_and_holds_new_ones():
    """A job is forked only while no other request runs (a lock held at fork time stays held in the child)."""
    import threading

    from neuralab.app.jobs import ForkGate

    gate, events = ForkGate(), []
    gate.enter()  # another request, running
    gate.enter()  # the request that starts the job

    def forker():
        gate.fork(lambda: events.append("fork"))
        events.append("forker back")

    t = threading.Thread(target=forker)
    t.start()
    time.sleep(0.2)
    assert events == []  # the other request still runs: no fork yet
    late = threading.Thread(target=lambda: (gate.enter(), events.append("late request in")))
    late.start()
    time.sleep(0.1)
    assert events == []  # a request arriving now waits for the fork
    gate.leave()  # the other request ends
    t.join(2)
    late.join(2)
    assert events[0] == "fork" and set(events) == {"fork", "forker back", "late request in"}


def test_a_cached_result_starts_no_job_and_comes_back_at_the_first_poll(tmp_path, monkeypatch):
    """A page load with a warm cache forks nothing: Dash would start a job per chart only to kill it at the poll."""
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path))
    m = jobs.JobManager(diskcache.Cache(str(tmp_path / "c")), cache_by=[jobs.code_version])
    started = []
    monkeypatch.setattr(DiskcacheManager, "call_job_fn", lambda self, *a: started.append(a) or 4242)
    assert m.call_job_fn("fresh", None, (), {}) == 4242  # nothing cached: a real job
    m.handle.set("warm", {"figure": 1})
    assert m.call_job_fn("warm", None, (), {}) == jobs.CACHED
    assert len(started) == 1  # no second process
    assert m.get_result("warm", jobs.CACHED) == {"figure": 1}
    assert m.job_running(jobs.CACHED) is False  # so Dash delivers the result and the page stops polling
    m.terminate_job(jobs.CACHED)  # Dash ends the job of a delivered result: nothing to end, nothing marked
    assert not limits.was_cancelled(jobs.CACHED)


def test_a_cached_result_gone_before_the_poll_is_reported_with_a_rerun_link(tmp_path, monkeypatch):
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path))
    m = jobs.JobManager(diskcache.Cache(str(tmp_path / "c")), cache_by=[jobs.code_version])
    context_value.set(AttributeDict(outputs_list=[{"id": "x-alert", "property": "children"}]))
    answer = str(m.get_result("evicted", jobs.CACHED))  # e.g. evicted by the size cap since the submit
    assert "stopped before it finished" in answer and limits.RERUN in answer


def test_the_same_settings_again_are_answered_from_the_cache_without_a_job(client):
    """Through the server: the second request for the same chart gets no process, and its first poll the result."""
    from neuralab.data.splits import LEAK
    from tests.app.test_lost_jobs import URL, _body, _poll

    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if d["output"].lstrip(".").startswith("splits-leak.figure"))
    seed = (int(psutil.Process().create_time()) + 4999) % 9973  # not cached yet, nor test_lost_jobs' seed
    body = _body(dep, {**LEAK.defaults(), "seed": seed})
    first = client.post(URL, json=body).get_json()
    assert first["job"].rpartition("~")[0].isdigit()  # a real job process
    answer = _poll(client, body, first)
    again = client.post(URL, json=body).get_json()
    assert again["job"].rpartition("~")[0] == jobs.CACHED
    r = client.post(f"{URL}?cacheKey={again['cacheKey']}&job={again['job']}", json=body)
    assert r.status_code == 200 and r.get_json()["response"] == answer  # the first poll brings it
