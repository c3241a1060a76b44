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
import urllib.request

import pytest

from neuralab.data.splits import CV
from tests.devserver import LabServer, free_port

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing; `make test` installs Debian's redis-server")
        pytest.skip("redis-server not installed (make test installs it)")
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path_factory.mktemp("redis"))], stdout=subprocess.DEVNULL)
    import redis

    r = redis.Redis(port=port)
    for _ in range(100):
        try:
            if r.ping():
                break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def celery_lab(redis_url, tmp_path_factory):
    cache = tmp_path_factory.mktemp("celery-cache")
    env = {"NEURALAB_JOBS": "celery", "NEURALAB_REDIS_URL": redis_url, "NEURALAB_CACHE_DIR": str(cache)}
    log = (cache / "worker.log").open("wb")
    worker = subprocess.Popen([sys.executable, "-m", "neuralab", "worker", "--concurrency", "1"],
                              env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    try:
        with LabServer(cache_dir=cache, env=env) as lab:
            yield lab
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


def _post(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


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
    doc = _post(base, body)
    assert "cacheKey" in doc and "job" in doc, doc
    poll = {**body, "inputs": [{**i, "value": None} for i in inputs]}
    key, job = doc["cacheKey"], doc["job"]
    deadline = time.monotonic() + 180
    while "response" not in doc:
        assert time.monotonic() < deadline, "the Celery job never finished (is the worker running?)"
        time.sleep(0.2)
        doc = _post(f"{base}&cacheKey={key}&job={job}", poll)
    summary = doc["response"]["splits-folds-summary"]["children"]
    assert "fold" in summary.lower()
    import redis

    r = redis.Redis.from_url(redis_url)
    assert r.keys("celery-task-meta-*"), "no Celery task reported to Redis"  # the worker ran it
