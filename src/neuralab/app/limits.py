"""Bounds on background jobs: a global cap, a cap per client, and a time limit per job.

Every background callback runs through :func:`bounded`. Before the page's function
runs, the job takes one of :data:`MAX_JOBS` global slots and one of
:data:`MAX_JOBS_PER_CLIENT` slots of its client (the ``nl_client`` cookie, else the
address). A job behind its own browser's other jobs waits its turn for up to
:data:`OWN_QUEUE` × :data:`QUEUE_S` (a page with several jobs runs them all, two at a time);
a job that then finds every global slot taken waits up to :data:`QUEUE_S` more. Only
:data:`MAX_WAITING` jobs may wait at once. A job that cannot get a slot, or that runs
past :data:`MAX_JOB_S`, answers with a sentence in the page's own outputs instead of
a result; that answer is removed from the cache once read, so the same settings compute
again next time.

Slots are ``flock`` locks on files in the cache directory, so they hold across every
worker process of this machine, and a killed job frees its slot with its process.
"""

from __future__ import annotations

import faulthandler
import fcntl
import functools
import hashlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from dash import callback_context, html, no_update

from neuralab import cache
from neuralab.plots.theme import message_figure

CLIENT_COOKIE = "nl_client"


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


MAX_JOBS = _env_int("NEURALAB_MAX_JOBS", max(2, os.cpu_count() or 2))  # running at once, all clients
MAX_JOBS_PER_CLIENT = _env_int("NEURALAB_MAX_JOBS_PER_CLIENT", 2)  # running at once, one browser
MAX_WAITING = _env_int("NEURALAB_MAX_WAITING", 4 * MAX_JOBS)  # queued at once, all clients
MAX_JOB_S = _env_int("NEURALAB_MAX_JOB_S", 300)  # a job still running after this is stopped
ORPHAN_S = _env_int("NEURALAB_ORPHAN_S", 15)  # a job no page has asked about for this long is stopped
QUEUE_S = 30.0  # how long a job waits for a global slot before it gives up
OWN_QUEUE = 10  # a job behind its own browser's jobs waits up to this many QUEUE_S for its turn (/recurrent starts ten)
_POLL_S = 0.05
BUSY_MARK = "nl-busy"  # marks an answer that says "busy" or "too long": it must not be cached


class _Timeout(Exception):
    pass


def slots_dir() -> Path:
    return cache.state_dir("slots")


def _try_lock(path: Path) -> int | None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except OSError:
        os.close(fd)
        return None


def _take(prefix: str, n: int) -> int | None:
    """One of ``n`` slots named ``prefix-i``, or None when all are held."""
    for i in range(n):
        fd = _try_lock(slots_dir() / f"{prefix}-{i}.lock")
        if fd is not None:
            return fd
    return None


def _release(*fds: int | None) -> None:
    for fd in fds:
        if fd is not None:
            with suppress(OSError):
                os.close(fd)  # closing the descriptor drops its flock


def client_id(cookies: dict, remote: str) -> str:
    """A short, file-name-safe id of the browser that sent the request."""
    raw = str(cookies.get(CLIENT_COOKIE) or remote or "anonymous")[:200]
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@contextmanager
def slot(client: str, queue_s: float = QUEUE_S) -> Iterator[str]:
    """Hold a client slot and a global slot for the body; yields "" or the sentence saying why not."""
    waiting = _take("waiting", MAX_WAITING)
    if waiting is None:
        yield ("The lab is running as many jobs as it can queue. Nothing was computed; "
               "try again in a few seconds.")
        return
    mine = held = None
    own_s = OWN_QUEUE * queue_s
    deadline = time.monotonic() + own_s  # first the browser's own turn: its other jobs finish one by one
    try:
        while (mine := _take(f"client-{client}", MAX_JOBS_PER_CLIENT)) is None and time.monotonic() < deadline:
            time.sleep(_POLL_S)
        deadline = time.monotonic() + queue_s  # then a turn among every browser's jobs
        while mine is not None and (held := _take("global", MAX_JOBS)) is None and time.monotonic() < deadline:
            time.sleep(_POLL_S)
        _release(waiting)
        waiting = None
        if mine is None:
            yield (f"This browser already has {MAX_JOBS_PER_CLIENT} computations running, and this one waited "
                   f"{own_s:.0f} s for its turn. Nothing was computed; it runs when you change a control again.")
        elif held is None:
            yield (f"The lab is busy: all {MAX_JOBS} computation slots are taken, and this one waited "
                   f"{queue_s:.0f} s. Nothing was computed; try again in a moment.")
        else:
            yield ""
    finally:
        _release(waiting, mine, held)


def _beat_path(key: str) -> Path:
    return cache.state_dir("beats") / hashlib.sha256(str(key).encode()).hexdigest()[:24]


def beat(key: str) -> None:
    """A page has just asked about job ``key`` (every poll does, on the diskcache backend): the job is still wanted."""
    with suppress(OSError):
        os.utime(_beat_path(key))  # only a running job's file exists; a finished job's is not made again


def watch(key: str, limit_s: float | None = None) -> None:
    """Stop this job's process once no page has asked about it for ``limit_s`` seconds.

    A page polls its jobs several times a second. When its tab is closed (or the browser
    goes away) the polls stop, but the job would run on to its end, holding a slot that
    another learner waits for. A thread of the job process watches the job's heartbeat
    file, touched by :func:`beat` at every poll, and ends the process when it goes quiet;
    the slots it held are freed with the process. Call it in the job's process.

    The job also ends when the web process that forked it does (Dash's server, or the one
    gunicorn worker that started it; a restart, or gunicorn killing a worker at its timeout):
    it shares that process's SQLite job store through connections copied by the fork, and
    once that process is gone a new one may reset the store's WAL index (``cache.db-shm``),
    after which the job's result would be written where no reader finds it. The page is told
    the job was lost instead.

    Only the diskcache backend calls this (:class:`neuralab.app.jobs.JobManager`): a Celery
    task has no heartbeat and no parent in the web server, and runs on whatever its page does.
    """
    limit = ORPHAN_S if limit_s is None else limit_s
    path = _beat_path(key)
    path.touch()
    parent = os.getppid()

    def _watch() -> None:
        while True:
            time.sleep(min(1.0, limit / 4))
            if os.getppid() != parent:  # the server is gone
                forget(key)
                os._exit(0)
            try:
                idle = time.time() - path.stat().st_mtime
            except OSError:
                continue  # the cache directory was removed under us: keep working rather than guess
            if idle > limit:
                forget(key)
                os._exit(0)  # no result: nobody is waiting for one

    threading.Thread(target=_watch, name="nl-orphan-watch", daemon=True).start()


def forget(key: str) -> None:
    """The job ``key`` has ended: drop its heartbeat file."""
    with suppress(OSError):
        _beat_path(key).unlink()


# ---------------------------------------------------------------- a job's fate, as the page learns it

LOST = ("This computation stopped before it finished and left no result: the lab restarted, the process was "
        "killed or ran out of memory, or this page stopped asking about it for "
        f"{ORPHAN_S} s (a sleeping computer, a lost connection).")
FAILED = "This computation failed: {why}. Other settings may work; the lab's log has the details."
UNQUEUED = "The job queue did not answer, so this computation never started."
STALLED = ("This computation gave no result within {s} s, longer than a job normally takes from start to "
           "finish, so it was stopped. If running it again does the same, tell whoever runs the lab.")
RERUN = "Run it again"


def _mark_path(kind: str, job: Any) -> Path:
    return cache.state_dir("job-marks") / f"{kind}-{hashlib.sha256(str(job).encode()).hexdigest()[:24]}"


_submissions = 0
SWEEP_EVERY = 100  # submissions between two sweeps of the marks left by jobs that vanished
MARK_TTL_S = 24 * 3600


def submitted(job: Any) -> None:
    """Job ``job`` (a process id or a task id) was just handed to the backend: its clock starts."""
    global _submissions
    with suppress(OSError):
        _mark_path("cancelled", job).unlink(missing_ok=True)  # a process id can come back for a new job
        _mark_path("submitted", job).touch()
    _submissions += 1
    if _submissions % SWEEP_EVERY == 0:
        sweep()


def sweep(ttl_s: float = MARK_TTL_S) -> int:
    """Delete job marks and heartbeat files older than ``ttl_s`` (a killed job leaves its own); returns how many."""
    gone = 0
    now = time.time()
    for folder in (cache.state_dir("job-marks"), cache.state_dir("beats")):
        for path in folder.glob("*") if folder.is_dir() else ():
            with suppress(OSError):
                if now - path.stat().st_mtime > ttl_s:
                    path.unlink()
                    gone += 1
    return gone


def cancelled(job: Any) -> None:
    """The page (or a delivered result) ended job ``job``: its absence is no loss."""
    with suppress(OSError):
        _mark_path("cancelled", job).touch()
        _mark_path("submitted", job).unlink(missing_ok=True)


def was_cancelled(job: Any) -> bool:
    return _mark_path("cancelled", job).exists()


def age(job: Any) -> float:
    """Seconds since ``job`` was submitted (0 when that is not known, e.g. the mark was swept away)."""
    try:
        return time.time() - _mark_path("submitted", job).stat().st_mtime
    except OSError:
        return 0.0


KEEP_S = 60.0  # how long an answer one page has read and cleared stays readable for a twin job's page


def keep_answer(key: str, answer: Any) -> None:
    """Keep, for :data:`KEEP_S` seconds, an answer that was just read and removed from the cache (a refusal, a failure).

    Jobs with the same inputs share one cache key, so one place for their answer: when learners
    who opened the same page at once are refused together, the first page's poll reads the
    refusal and removes it (so that the next identical request computes for real), and the
    other job is gone with no answer left. Its page reads this copy (:func:`kept_answer`) instead
    of being told that its process died.
    """
    from plotly.io.json import to_json_plotly

    path = _mark_path("answer", key)
    with suppress(OSError):
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(to_json_plotly(answer))
        os.replace(tmp, path)  # a reader sees the old copy or the whole new one


def kept_answer(key: str) -> Any:
    """The answer kept for ``key`` by :func:`keep_answer` in the last :data:`KEEP_S` seconds (as JSON), else None."""
    path = _mark_path("answer", key)
    try:
        if time.time() - path.stat().st_mtime <= KEEP_S:
            return json.loads(path.read_text())
    except (OSError, ValueError):
        pass
    return None


def overdue_s() -> float:
    """Seconds after its submit at which a job that has neither answered nor ended is given up.

    The longest wait for a slot (its browser's turn, then a global one), the longest run (:data:`MAX_JOB_S`)
    and a margin.
    With diskcache a job starts at its submit, so this bounds it from start to end. With Celery the
    clock also runs while the task waits in the broker's queue for a worker, which no limit bounds:
    a task queued longer than this is given up before it has run.
    """
    return (OWN_QUEUE + 1) * QUEUE_S + MAX_JOB_S + 30.0


def _busy_value(output: dict, sentence: str, rerun: bool) -> Any:
    prop = output.get("property")
    if prop == "figure":
        fig = message_figure(sentence)
        fig.update_layout(meta=BUSY_MARK)
        return fig
    if prop == "children":
        # an empty link reloads this very page: its address holds every setting, so the job runs again
        text = [sentence, " ", html.A(RERUN, href="", className="nl-rerun")] if rerun else sentence
        return html.Span(text, className=f"{BUSY_MARK} nl-alert", role="alert")
    return no_update


def busy_outputs(outputs_list: Any, sentence: str, rerun: bool = False) -> Any:
    """The callback's outputs, each saying ``sentence`` where it can (figures, text), else unchanged.

    With ``rerun``, each text also offers a link that runs the page again with the same settings.
    """
    if isinstance(outputs_list, dict):
        return _busy_value(outputs_list, sentence, rerun)
    return [busy_outputs(o, sentence, rerun) for o in outputs_list]


def is_busy(result: Any) -> bool:
    """True for an answer made by :func:`busy_outputs` (also after a JSON round trip)."""
    if isinstance(result, (list, tuple)):
        return any(is_busy(r) for r in result)
    if isinstance(result, dict):
        props = result.get("props", {})
        return result.get("layout", {}).get("meta") == BUSY_MARK or BUSY_MARK in str(props.get("className", ""))
    if hasattr(result, "layout") and getattr(result.layout, "meta", None) == BUSY_MARK:
        return True
    return BUSY_MARK in str(getattr(result, "className", "") or "")


def bounded(fn: Callable) -> Callable:
    """Wrap a background callback's function in the slot and time limits (runs in the job process).

    Wrapping twice changes nothing: a job holds one slot of its browser, however it was declared.
    """
    if getattr(fn, "nl_bounded", False):
        return fn

    @functools.wraps(fn)
    def run(*args, **kwargs):
        ctx = callback_context
        client = client_id(getattr(ctx, "cookies", {}) or {}, getattr(ctx, "remote", "") or "")
        with slot(client, QUEUE_S) as refusal:
            if refusal:
                return busy_outputs(ctx.outputs_list, refusal)
            timer = threading.current_thread() is threading.main_thread()
            if timer:
                previous = signal.signal(signal.SIGALRM, _raise_timeout)
                signal.setitimer(signal.ITIMER_REAL, MAX_JOB_S)
                # A job stuck on a lock never returns to Python, so the alarm above cannot stop it: past half the
                # limit, its threads' stacks go to the log (stderr), to say where it hangs.
                _dump_stacks_later(MAX_JOB_S / 2)
            try:
                return fn(*args, **kwargs)
            except _Timeout:
                return busy_outputs(ctx.outputs_list, f"This computation ran for {MAX_JOB_S} s, the lab's limit "
                                                      "for one job, and was stopped. Choose smaller settings.")
            finally:
                if timer:
                    faulthandler.cancel_dump_traceback_later()
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, previous)

    run.nl_bounded = True  # type: ignore[attr-defined]
    return run


def _dump_stacks_later(after_s: float) -> None:
    """Have every thread's stack written to the process's own stderr after ``after_s`` (once; cancelled when the
    job ends). Celery replaces ``sys.stderr`` with a logger, which has no file descriptor: the original is used."""
    out = sys.__stderr__
    with suppress(AttributeError, OSError, ValueError):
        faulthandler.dump_traceback_later(after_s, exit=False, file=out)


def _raise_timeout(signum, frame):
    raise _Timeout()


def install_cookie(server) -> None:
    """Give every browser a random ``nl_client`` id on its first page load (no personal data)."""
    import secrets

    from flask import request

    @server.after_request
    def _cookie(response):
        if CLIENT_COOKIE not in request.cookies and not request.path.startswith("/_"):
            response.set_cookie(CLIENT_COOKIE, secrets.token_hex(16), httponly=True, samesite="Lax")
        return response
