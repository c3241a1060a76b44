"""A client that sends its request a byte a second does not stop other requests or jobs.

On Dash's threaded server it holds one thread; under gunicorn it holds one sync worker, and the
other worker answers (here ``--workers 2``; every answer within :data:`ANSWER_S`).

`neuralab serve` answers on Dash's threaded server (one worker) or under gunicorn's sync workers
(``--workers N``). Before a job is forked, every request of the process must have finished (the
fork gate, :class:`neuralab.app.jobs.ForkGate`); a request still receiving its body counted as
running, so one slow client made the next job's fork wait for it, and every request after that
waited for the fork: the whole one-worker lab stopped answering until the slow body was in.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request

import pytest

from neuralab.app.pages import splits
from neuralab.data.splits import CV, SPLIT
from tests.devserver import LabServer, Page

pytestmark = pytest.mark.services

ANSWER_S = 20  # far longer than any of these requests takes; the slow client's body takes minutes


class Trickle:
    """A client that sends a request's headers at once, then its body one byte a second."""

    def __init__(self, port: int, path: str, body: bytes) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        self.sock.sendall(head.encode())
        self.body, self.sent, self.stop = body, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for byte in self.body[:-1]:  # never the last byte: the request stays unfinished
            if self.stop.wait(1.0):
                return
            self.sock.sendall(bytes([byte]))
            self.sent += 1

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture(scope="module", params=[1, 2], ids=["dash-server", "gunicorn-2-workers"])
def lab(request, tmp_path_factory):
    with LabServer(workers=request.param, cache_dir=tmp_path_factory.mktemp("slow-clients")) as server:
        yield server


def test_a_slow_client_does_not_stop_other_requests_or_jobs(lab):
    page = Page(lab, "/splits")
    light = page.body(splits.SIZES, SPLIT.defaults())
    slow = Trickle(lab.port, "/_dash-update-component", json.dumps(light).encode())
    try:
        while slow.sent < 2:  # the server is reading its body now
            time.sleep(0.1)
        # a job whose inputs are bad still forks its process (it answers with the sentence)
        job = page.body(splits.CV_SECTION, {**CV.defaults(), "seed": "not a seed"})
        handles = page.submit(job)  # the fork must not wait for the slow client's body
        req = urllib.request.Request(page.base, json.dumps(light).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=ANSWER_S) as r:
            assert r.status == 200 and " samples" in r.read().decode()
        done = page.wait(job, handles, lambda doc: "response" in doc, timeout_s=ANSWER_S)
        assert "seed must be a whole number" in json.dumps(done["response"])
        assert not slow.stop.is_set() and slow.sent < len(slow.body) - 1  # the slow request was open throughout
    finally:
        slow.close()
