"""The background-job manager's fixes to Dash's process handling."""

import subprocess
import sys

import diskcache
from dash import DiskcacheManager

from neuralab.app import jobs


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
    waited = []
    monkeypatch.setattr(DiskcacheManager, "terminate_job", lambda self, job: waited.append(job))  # kill + wait 1 s
    m.terminate_job(str(child.pid))
    assert waited == []
    child.wait()
    m.terminate_job(str(child.pid))  # gone altogether: nothing to do either
    assert waited == []


def test_cache_key_includes_a_hash_of_the_source(monkeypatch, tmp_path):
    version = jobs.code_version()
    assert len(version) == 16 and version == jobs.code_version()
    assert jobs.manager().cache_by[0] is jobs.code_version
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path))
    assert str(jobs.cache_dir()).startswith(str(tmp_path))
