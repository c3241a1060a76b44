"""The cache directory unusable or deleted while serving: the lab goes on answering, and the log says so once."""

from __future__ import annotations

import shutil
import time
import urllib.request

import pytest

from neuralab.app.pages import splits
from neuralab.data.splits import CV
from tests.devserver import LabServer, Page

pytestmark = pytest.mark.services


def _cross_validate(lab: LabServer, seed: int) -> str:
    """Run /splits' cross-validation job on ``lab`` with ``seed`` and return its caption."""
    page = Page(lab, "/splits")
    body = page.body(splits.CV_SECTION, {**CV.defaults(), "seed": seed})
    handles = page.submit(body)
    done = page.wait(body, handles, lambda doc: "response" in doc, timeout_s=120)
    return str(done["response"]["splits-folds-summary"]["children"])


def test_a_cache_directory_that_cannot_be_made_is_replaced_and_said_once(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache path runs through this file")
    log = tmp_path / "serve.log"
    # seeds of this run: the fallback directory outlives the test, and a cached result starts no job (takes no slot)
    seed = int(time.time()) % 9000
    with LabServer(env={"NEURALAB_CACHE_DIR": str(blocker / "cache")}, log_path=log) as lab:
        assert urllib.request.urlopen(lab.url + "/splits", timeout=30).status == 200
        assert "fold" in _cross_validate(lab, seed).lower()
        assert "fold" in _cross_validate(lab, seed + 1).lower()
    text = log.read_text()
    assert "serves instead" in text
    assert text.count(f"cannot use {blocker / 'cache'}/slots") == 1  # once, however many jobs ran


def test_the_cache_directory_deleted_while_serving_is_made_again(tmp_path):
    cache = tmp_path / "cache"
    with LabServer(cache_dir=cache, log_path=tmp_path / "serve.log") as lab:
        assert "fold" in _cross_validate(lab, 21).lower()
        shutil.rmtree(cache)  # an operator's clean-up, with the lab running
        assert "fold" in _cross_validate(lab, 22).lower()
        deadline = time.monotonic() + 10
        while not (cache / "slots").is_dir():  # the next job made its slots again where they belong
            assert time.monotonic() < deadline
            time.sleep(0.1)
