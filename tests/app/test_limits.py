"""Background jobs are bounded: per browser, globally, in time; a "busy" answer is removed from the cache once read."""

import json
import subprocess
import sys
import time

import diskcache
import plotly.io as pio
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from neuralab.app import jobs, limits


@pytest.fixture
def slots(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(limits, "MAX_JOBS_PER_CLIENT", 1)
    monkeypatch.setattr(limits, "MAX_JOBS", 2)
    return tmp_path


def test_a_browser_over_its_cap_waits_then_gets_a_sentence(slots):
    with limits.slot("a") as first:
        assert first == ""
        with limits.slot("a", queue_s=0.2) as second:
            assert "already has 1 computations running" in second
        with limits.slot("b", queue_s=0.2) as other:  # another browser is not held up
            assert other == ""
    with limits.slot("a", queue_s=0.2) as again:  # released on exit
        assert again == ""


def test_a_job_behind_its_own_browsers_jobs_waits_longer_than_for_a_global_slot(slots):
    """A page with more jobs than its browser's slots runs them in turn: the own-browser wait is OWN_QUEUE × longer."""
    import threading

    outcome, asking = {}, threading.Event()
    with limits.slot("a") as first:
        assert first == ""

        def second():
            started = time.monotonic()
            asking.set()
            with limits.slot("a", queue_s=0.5) as refusal:
                outcome["refusal"], outcome["waited"] = refusal, time.monotonic() - started

        t = threading.Thread(target=second)
        t.start()
        asking.wait()
        held_since = time.monotonic()
        while time.monotonic() - held_since < 0.8:  # longer than queue_s: a global wait would have given up
            time.sleep(0.05)
    t.join()
    assert outcome["refusal"] == "" and outcome["waited"] > 0.5  # it got its turn after the first ended


def test_the_global_cap_holds_across_browsers(slots):
    with limits.slot("a") as one, limits.slot("b") as two:
        assert one == two == ""
        with limits.slot("c", queue_s=0.2) as third:
            assert "all 2 computation slots are taken" in third


def test_a_killed_job_frees_its_slot(slots):
    code = (f"import os, time; os.environ['NEURALAB_CACHE_DIR'] = {str(slots)!r}\n"
            "from neuralab.app import limits; limits.MAX_JOBS_PER_CLIENT = 1\n"
            "with limits.slot('a') as s:\n    print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with limits.slot("a", queue_s=0.2) as refused:
            assert refused
    finally:
        holder.kill()
        holder.wait()
    with limits.slot("a", queue_s=1.0) as freed:
        assert freed == ""


def test_busy_outputs_fill_figures_and_text_and_survive_json():
    outputs = [{"id": "x", "property": "figure"}, {"id": "x-summary", "property": "children"},
               {"id": "store", "property": "data"}]
    result = limits.busy_outputs(outputs, "The lab is busy.")
    assert result[0].layout.annotations[0].text.startswith("The lab is busy")
    assert result[1].children == "The lab is busy." and result[2] is limits.no_update
    assert limits.is_busy(result)
    assert limits.is_busy(json.loads(pio.to_json(result[0])))
    assert limits.is_busy(limits.busy_outputs({"id": "y", "property": "children"}, "no"))
    assert not limits.is_busy(["ordinary text", {"layout": {}}])


def test_a_busy_answer_is_not_cached_but_a_result_is(tmp_path):
    m = jobs.JobManager(diskcache.Cache(str(tmp_path)), cache_by=[jobs.code_version])
    m.handle.set("busy", limits.busy_outputs([{"id": "a", "property": "figure"}], "busy"))
    m.handle.set("real", ["a figure", "a caption"])
    m.get_result("busy", None)
    m.get_result("real", None)
    assert not m.result_ready("busy") and m.result_ready("real")


def test_a_job_past_its_time_limit_is_stopped_with_a_sentence(slots, monkeypatch):
    monkeypatch.setattr(limits, "MAX_JOB_S", 1)
    token = context_value.set(AttributeDict(outputs_list=[{"id": "g", "property": "figure"},
                                                          {"id": "g-summary", "property": "children"}],
                                            cookies={}, remote="127.0.0.1"))
    try:
        out = limits.bounded(lambda: time.sleep(5) or ["never", "never"])()
    finally:
        context_value.reset(token)
    assert "the lab's limit" in out[1].children and limits.is_busy(out)


def test_a_job_past_half_its_limit_writes_its_stacks_to_the_log(slots, monkeypatch, capfd):
    """A job stuck on a lock in C never returns to Python for the alarm to stop it: its stacks say where."""
    monkeypatch.setattr(limits, "MAX_JOB_S", 2)
    token = context_value.set(AttributeDict(outputs_list=[{"id": "g", "property": "figure"}], cookies={},
                                            remote="127.0.0.1"))

    def stuck_here():
        time.sleep(5)

    try:
        limits.bounded(stuck_here)()
    finally:
        context_value.reset(token)
    err = capfd.readouterr().err
    assert "Timeout (0:00:01)" in err and "stuck_here" in err


def test_a_job_holds_one_slot_of_its_browser_however_often_it_is_wrapped(slots, monkeypatch):
    """The playground's jobs were bounded twice (in the page, and again by the job manager), so one Play
    took both of a browser's two slots and a download during training waited and was refused."""
    monkeypatch.setattr(limits, "QUEUE_S", 0.3)  # with one slot per browser, a second take would be refused
    token = context_value.set(AttributeDict(outputs_list=[{"id": "g", "property": "figure"},
                                                          {"id": "g-summary", "property": "children"}],
                                            cookies={limits.CLIENT_COOKIE: "one-browser"}, remote=""))
    try:
        out = limits.bounded(limits.bounded(lambda: ["a figure", "a caption"]))()
    finally:
        context_value.reset(token)
    assert out == ["a figure", "a caption"]


def test_no_page_bounds_its_own_jobs():
    """The job manager bounds every job; a page that did it too would take two slots per job."""
    from neuralab.app.pages import playground

    assert not getattr(playground.train, "nl_bounded", False)
    assert not getattr(playground.download, "nl_bounded", False)


def test_every_background_job_goes_through_the_limits(tmp_path):
    m = jobs.JobManager(diskcache.Cache(str(tmp_path)), cache_by=[jobs.code_version])
    seen = []
    real = jobs.DiskcacheManager.make_job_fn

    def spy(self, fn, progress, key=None):
        seen.append(fn)
        return real(self, fn, progress, key)

    jobs.DiskcacheManager.make_job_fn, saved = spy, real
    try:
        m.make_job_fn(len, False)
    finally:
        jobs.DiskcacheManager.make_job_fn = saved
    assert seen[0].__wrapped__ is len


def test_a_first_visit_gets_a_client_cookie(client):
    resp = client.get("/splits")
    assert limits.CLIENT_COOKIE in resp.headers.get("Set-Cookie", "")


def _watched_job(cache_dir, limit_s: float) -> subprocess.Popen:
    """A job process that holds its browser's slot and would sleep for a minute, watched for orphaning."""
    code = (f"import os, time; os.environ['NEURALAB_CACHE_DIR'] = {str(cache_dir)!r}\n"
            "from neuralab.app import limits; limits.MAX_JOBS_PER_CLIENT = 1\n"
            f"limits.watch('job-key', {limit_s})\n"
            "with limits.slot('a') as s:\n    print('held', flush=True); time.sleep(60)")
    job = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert job.stdout.readline().strip() == "held"
    return job


def test_a_job_nobody_polls_any_more_stops_and_frees_its_slot(slots):
    job = _watched_job(slots, 0.5)  # its tab was closed: no page asks about it
    try:
        assert job.wait(timeout=30) == 0  # it ended by itself, long before its minute
    finally:
        job.kill()
    with limits.slot("a", queue_s=1.0) as freed:
        assert freed == ""
    assert not list((slots / "beats").iterdir())  # and left no heartbeat behind


def test_a_job_whose_page_polls_keeps_running(slots):
    job = _watched_job(slots, 1.0)
    try:
        for _ in range(15):  # a page polling five times a second for three seconds
            limits.beat("job-key")
            time.sleep(0.2)
        assert job.poll() is None  # still running: somebody wants its result
    finally:
        job.kill()
        job.wait()
