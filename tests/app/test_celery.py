"""The Celery backend against a real Redis server (Debian's redis-server) and a real worker.

The lab serves with ``NEURALAB_JOBS=celery``; a ``neuralab worker`` process runs the
job; the page's background callback is followed through its polling, as the browser
does, until the figure arrives.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil
import pytest

from neuralab.compress.distill import COMPARE
from neuralab.data.splits import CV
from tests.devserver import LabServer, Page, free_port, post_json

pytestmark = pytest.mark.services


class Redis:
    """A throwaway ``redis-server`` on a fixed port, which a test may stop and start again (no persistence)."""

    def __init__(self, exe: str, workdir) -> None:
        self.exe, self.dir, self.port = exe, str(workdir), free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", self.dir], stdout=subprocess.DEVNULL)
        import redis

        r = redis.Redis(port=self.port)
        deadline = time.monotonic() + 30
        while True:
            try:
                if r.ping():
                    return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing; `make test` installs Debian's redis-server")
        pytest.skip("redis-server not installed (make test installs it)")
    server = Redis(exe, tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def redis_url(redis_server):
    return redis_server.url


@pytest.fixture(scope="module")
def celery_lab(redis_url, tmp_path_factory):
    cache = tmp_path_factory.mktemp("celery-cache")
    env = {"NEURALAB_JOBS": "celery", "NEURALAB_REDIS_URL": redis_url, "NEURALAB_CACHE_DIR": str(cache)}
    log = (cache / "worker.log").open("wb")
    worker = subprocess.Popen([sys.executable, "-m", "neuralab", "worker", "--concurrency", "1"],
                              env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    try:
        with LabServer(cache_dir=cache, env=env) as lab:
            lab.worker = worker
            yield lab
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


def test_a_background_job_runs_on_a_celery_worker_through_redis(celery_lab, redis_url):
    html = urllib.request.urlopen(celery_lab.url + "/splits", timeout=30).read().decode()
    end_id = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html,
                                  re.S).group(1)).get("end_id")
    deps = json.loads(urllib.request.urlopen(celery_lab.url + "/_dash-dependencies", timeout=30).read())
    dep = next(d for d in deps if "splits-folds.figure" in d["output"])
    values = CV.defaults()
    inputs = [{**i, "value": values[i["id"].removeprefix("splits-")]} for i in dep["inputs"]]
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True))
               for o in dep["output"].strip(".").split("...")]
    body = {"output": dep["output"], "outputs": outputs, "inputs": inputs, "changedPropIds": [], "state": []}
    base = f"{celery_lab.url}/_dash-update-component?endId={end_id}"
    doc = post_json(base, body)
    assert "cacheKey" in doc and "job" in doc, doc
    poll = {**body, "inputs": [{**i, "value": None} for i in inputs]}
    key, job = doc["cacheKey"], doc["job"]
    deadline = time.monotonic() + 180
    while "response" not in doc:
        assert time.monotonic() < deadline, "the Celery job never finished (is the worker running?)"
        time.sleep(0.2)
        doc = post_json(f"{base}&cacheKey={key}&job={job}", poll)
    summary = doc["response"]["splits-folds-summary"]["children"]
    assert "fold" in summary.lower()
    import redis

    r = redis.Redis.from_url(redis_url)
    assert r.keys("celery-task-meta-*"), "no Celery task reported to Redis"  # the worker ran it


def _compare(page: Page, T: float) -> dict:
    """/distillation's student comparison (several seconds of training on the worker) at temperature ``T``."""
    from neuralab.app.pages import distillation

    return page.body(distillation.COMPARE_SECTION, {**COMPARE.defaults(), "T": T})


def _summary(doc: dict) -> str:
    return json.dumps(doc.get("response", {}))


def test_a_worker_process_killed_mid_job_is_reported_lost_and_the_next_job_runs(celery_lab):
    page = Page(celery_lab, "/distillation")
    body = _compare(page, 3.5)
    handles = page.submit(body)
    page.wait(body, handles, lambda doc: "progress" in doc or "response" in doc)  # the job is running
    pool = psutil.Process(celery_lab.worker.pid).children()
    assert pool, "the Celery worker has no pool process"
    for child in pool:
        child.kill()  # SIGKILL in the middle of training, as the out-of-memory killer would
    lost = page.wait(body, handles, lambda doc: "response" in doc)
    assert "stopped before it finished" in _summary(lost)
    again = _compare(page, 3.5)  # the same settings, run again: the worker has a new pool process
    handles = page.submit(again)
    done = page.wait(again, handles, lambda doc: "response" in doc)
    assert "stopped before" not in _summary(done) and "student" in _summary(done).lower()


def test_redis_stopped_mid_job_answers_polls_without_errors_and_the_result_arrives_after_restart(
        celery_lab, redis_server):
    page = Page(celery_lab, "/distillation")
    body = _compare(page, 2.5)
    handles = page.submit(body)
    page.wait(body, handles, lambda doc: "progress" in doc or "response" in doc)
    redis_server.stop()
    for _ in range(10):  # the page keeps polling while Redis is away: never a 500
        status, doc = page.poll(body, handles)
        assert status in (200, 204), (status, doc)
        time.sleep(0.1)
    redis_server.start()
    done = page.wait(body, handles, lambda doc: "response" in doc)
    assert "student" in _summary(done).lower()


def test_a_job_submitted_while_redis_is_down_is_reported_not_queued(celery_lab, redis_server):
    page = Page(celery_lab, "/distillation")
    body = _compare(page, 1.5)
    redis_server.stop()
    try:
        handles = page.submit(body)
        answer = page.wait(body, handles, lambda doc: "response" in doc, timeout_s=60)
    finally:
        redis_server.start()
    assert "did not answer" in _summary(answer) and "never started" in _summary(answer)
