"""The one disk cache: keyed by the code, written atomically, damage detected, never fatal."""

import logging

import pytest

from neuralab import cache


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _counted():
    calls = []

    @cache.memo("t", depends=("neuralab.params",))
    def square(x: int) -> dict:
        calls.append(x)
        return {"x": x, "square": x * x}

    return square, calls


def _files(root):
    return [p for p in root.rglob("*.pkl")]


def test_a_result_is_computed_once_and_read_back(root):
    square, calls = _counted()
    assert square(3) == {"x": 3, "square": 9} and square(3) == {"x": 3, "square": 9}
    assert calls == [3]
    square(4)
    assert calls == [3, 4] and len(_files(root)) == 2


def test_kept_says_whether_a_result_is_on_disk_without_computing_it(root):
    square, calls = _counted()
    assert not square.kept(6) and calls == []
    square(6)
    assert square.kept(6) and not square.kept(7) and calls == [6]


@pytest.mark.parametrize("damage", ["truncate", "garble", "empty"])
def test_a_damaged_entry_is_detected_discarded_and_recomputed(root, damage, caplog):
    square, calls = _counted()
    square(5)
    (path,) = _files(root)
    blob = path.read_bytes()
    path.write_bytes({"truncate": blob[: len(blob) // 2], "garble": blob[:-3] + b"\x00\x01\x02",
                      "empty": b""}[damage])
    with caplog.at_level(logging.WARNING, logger="neuralab.cache"):
        assert square(5) == {"x": 5, "square": 25}
    assert calls == [5, 5] and "damaged" in caplog.text
    assert cache.read(path) is not None  # rewritten whole


def test_the_key_follows_the_code_it_depends_on():
    a = cache.code_version("neuralab.params")
    assert a == cache.code_version("neuralab.params") and len(a) == 16
    assert a != cache.code_version("neuralab.params", "neuralab.train.loop")
    assert cache.code_version("neuralab.train") != cache.code_version("neuralab.train.loop")  # a package: all its files


def test_a_cache_that_cannot_be_written_costs_speed_not_answers(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(blocker))
    cache._warned.clear()
    square, calls = _counted()
    with caplog.at_level(logging.WARNING, logger="neuralab.cache"):
        assert square(2)["square"] == 4 and square(2)["square"] == 4 and square(3)["square"] == 9
    assert calls == [2, 2, 3]  # computed each time, nothing stored
    assert caplog.text.count("cannot write") == 1  # said once, not at every call


def test_a_cache_deleted_while_serving_is_made_again(root):
    import shutil

    square, calls = _counted()
    square(7)
    shutil.rmtree(root)
    assert square(7)["square"] == 49 and calls == [7, 7]
    assert len(_files(root)) == 1


def test_writes_leave_no_partial_files(root):
    assert cache.write(root / "a" / "b.bin", b"payload")
    assert cache.read(root / "a" / "b.bin") == b"payload"
    assert [p.name for p in (root / "a").iterdir()] == ["b.bin"]


def test_a_payload_is_computed_under_a_lock_that_makes_other_processes_wait(root):
    """The page's background jobs that all need one reference model train it once: the others wait, then read."""
    import fcntl

    path = root / "models" / "m.pt"
    calls = []

    def compute() -> bytes:
        calls.append(1)
        with open(path.with_name(path.name + ".lock"), "a") as other:  # what a second process would do
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return b"weights"

    assert cache.load_or_compute(path, compute) == b"weights"
    assert cache.load_or_compute(path, compute) == b"weights" and calls == [1]
