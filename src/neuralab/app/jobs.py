"""Background jobs: callbacks that refit models run in a separate process.

A heavy callback (one that refits models, over ~150 ms) runs through Dash's
``DiskcacheManager``: the request returns at once, the job reports progress, and
the page stays usable. Results are cached on disk by their inputs, so a view seen
once (by any worker process) comes back at the next poll. The cache lives in
``$NEURALAB_CACHE_DIR`` (default ``~/.cache/neuralab``) and is capped in size.

Every job is bounded (:mod:`neuralab.app.limits`): a global cap, a cap per browser and
a time limit. For many machines, set ``NEURALAB_JOBS=celery`` and
``NEURALAB_REDIS_URL=redis://host:6379/0``: jobs then go through Celery with Redis as
broker and result store, run by ``neuralab worker`` processes on any machine.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from contextlib import suppress
from functools import lru_cache
from pathlib import Path

import diskcache
from dash import CeleryManager, DiskcacheManager

from neuralab import __version__, cache
from neuralab.app import limits

CACHE_BYTES = 512 * 2**20  # the least recently used results go beyond this
EXPIRE_S = 7 * 24 * 3600  # a result unseen for a week is dropped
POLL_MS = 60  # how often the page asks for progress (each poll is a ~5 ms request)
STORE = {"size_limit": CACHE_BYTES, "eviction_policy": "least-recently-used"}  # the diskcache job store
UNQUEUED = "unqueued"  # the job id of a job the queue never took
CACHED = "cached"  # the job id of a request whose result was already in the cache: no job was started
log = logging.getLogger(__name__)


def cache_dir() -> Path:
    return cache.state_dir(f"jobs-{__version__}")


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the package's source: cached results die with the code that made them.

    Dash keys a job's cache entry on the callback's own source only, not on the
    library and figure code it calls.
    """
    root = Path(__file__).resolve().parents[1]  # the neuralab package
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class ForkGate:
    """Forks a job only while no other request of this process is running.

    The one-worker server answers requests on several threads, and Dash starts each job
    with ``fork``. A child gets a copy of every lock as it was at that instant: a lock
    that another thread held (a module being imported, torch's lazy-init lock, a cache's
    mutex) stays locked in the child forever, and the job hangs on its first use. Both
    were seen: jobs stuck in ``importlib`` and in ``torch.mtia._lazy_call``.

    Every request enters the gate and leaves it when done (Flask hooks, installed by
    :func:`install`). A thread about to fork steps out of its own request, stops new
    ones from entering, waits for the running ones to finish (milliseconds), forks, and
    lets everyone go on.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0  # requests running now
        self._forking = False

    def enter(self) -> None:
        with self._cond:
            self._cond.wait_for(lambda: not self._forking)
            self._active += 1

    def leave(self) -> None:
        with self._cond:
            self._active -= 1
            self._cond.notify_all()

    def fork(self, start, in_request: bool = True):
        """Call ``start()`` (which forks) with no other request running; returns what it returns."""
        with self._cond:
            if in_request:
                self._active -= 1  # the caller's own request does not hold anyone up
            self._cond.notify_all()
            self._cond.wait_for(lambda: not self._forking)
            self._forking = True
            self._cond.wait_for(lambda: self._active == 0)
        try:
            return start()  # no lock of ours is held across the fork
        finally:
            with self._cond:
                self._forking = False
                if in_request:
                    self._active += 1
                self._cond.notify_all()


GATE = ForkGate()


def install(server) -> None:
    """Route every request of ``server`` (a Flask app) through :data:`GATE`, once its body is in.

    A request enters the gate only after its whole body has arrived (at most the app's
    ``MAX_CONTENT_LENGTH``, else a 413). A client sending its body a byte a second would
    otherwise count as running for minutes: the next job's fork would wait for it, and every
    request after that would wait for the fork.
    """
    from flask import g, request

    @server.before_request
    def _enter():
        request.get_data(cache=True)  # read outside the gate; Dash's get_json() reads this copy
        GATE.enter()
        g.nl_gate = True

    @server.teardown_request
    def _leave(_exc):
        if g.pop("nl_gate", False):
            GATE.leave()


class BoundedJobs:
    """Mixed into a Dash manager: every job runs inside the limits, a "busy" answer is removed from the cache
    once read, each declared section has a cache key of its own, and a job that ends without an answer is
    reported, not waited for.

    Dash ends a page's polling silently when a job is gone and left no result: the page kept its old
    chart (or its "running" look) and never learned why. Here such a poll answers with a sentence and a
    link to run it again, unless the page itself (or a delivered result) ended the job. A job that neither
    answers nor ends within :func:`limits.overdue_s` of its submit (a Celery worker killed outright, no
    worker at all, or a task that waited that long in the queue) is stopped and given up the same way. A
    job that raised gets a sentence without the link: the same settings would fail again. The job store
    failing (Redis down) is answered as "still running" until it comes back or the job is overdue, never
    with a 500.
    """

    store_errors: tuple[type[BaseException], ...] = ()  # the job store's "not reachable" exceptions
    submit_errors: tuple[type[BaseException], ...] = ()  # and those of handing it a job

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._local = threading.local()  # the server answers polls on several threads

    def make_job_fn(self, fn, progress, key=None):
        return super().make_job_fn(limits.bounded(fn), progress, key)

    def build_cache_key(self, fn, args, cache_args_to_ignore, triggered):
        """Dash keys a result on the arguments and the function's source. Every declared section's callback
        has the same source (:meth:`neuralab.app.sections.Section.register`), so its ``nl_key`` is added:
        two sections with equal inputs must not share a cached answer."""
        key = super().build_cache_key(fn, args, cache_args_to_ignore, triggered)
        section = getattr(fn, "nl_key", None)
        return key if section is None else hashlib.sha256(f"{key}|{section}".encode()).hexdigest()

    def cached(self, key) -> bool:
        """True when the result for ``key`` is already in the cache, so no job needs to start.

        Dash starts a job for every request, cached or not, and the first poll then reads the cached
        result and kills the job: on a page load with a warm cache, a process forked per chart for
        nothing (and, on diskcache, each fork waits for every other running request). The first poll
        reads the cache either way, so skipping the job changes no answer.
        """
        try:
            return bool(self.result_ready(key))
        except self.store_errors:
            return False

    def call_job_fn(self, key, job_fn, args, context):
        if self.cached(key):
            return CACHED
        try:
            job = super().call_job_fn(key, job_fn, args, context)
        except self.submit_errors:
            log.warning("the job queue did not take a job; the page was told", exc_info=True)
            return UNQUEUED
        limits.submitted(job)
        return job

    def terminate_job(self, job):
        if job is None or job in (UNQUEUED, CACHED):
            return
        limits.cancelled(job)
        try:
            self._stop(job)
        except self.store_errors:
            log.warning("could not reach the job queue to stop job %s", job)

    def _stop(self, job):
        """End ``job`` (the backend's own way)."""
        super().terminate_job(job)

    def get_progress(self, key):
        try:
            return super().get_progress(key)
        except self.store_errors:
            return None

    def get_updated_props(self, key):
        try:
            return super().get_updated_props(key)
        except self.store_errors:
            return {}

    def get_result(self, key, job):
        """The result; or, for a job that ended without one (or never will), a sentence in the page's outputs.

        Whether the job runs is read before the result: a job that finished between the two reads would
        look gone without an answer.
        """
        if job == UNQUEUED:
            self._local.snapshot = (job, False)
            return self._lost(limits.UNQUEUED)
        try:
            running = super().job_running(job) if job not in (None, CACHED) else False
            result = super().get_result(key, job)
        except self.store_errors:
            running, result = True, self.UNDEFINED  # ask again at the next poll
        self._local.snapshot = (job, running)
        if limits.is_busy(result):
            self.clear_cache_entry(key)  # the next identical request computes for real
            limits.keep_answer(key, result)  # while a twin job's page (same inputs, same key) still reads it
        if isinstance(result, dict) and "background_callback_error" in result:
            self.clear_cache_entry(key)  # Dash would keep serving the error for these inputs
            error = result["background_callback_error"]
            log.error("a job failed: %s\n%s", error.get("msg"), error.get("tb"))
            first = str(error.get("msg", "")).strip().splitlines()[:1]
            why = first[0][:200].rstrip(" .") if first else ""
            answer = self._lost(limits.FAILED.format(why=why or "no message"), rerun=False)
            limits.keep_answer(key, answer)
            return answer
        if result is self.UNDEFINED and job == CACHED:  # evicted, or read and cleared by a twin, since the submit
            kept = limits.kept_answer(key)
            return kept if kept is not None else self._lost(limits.LOST)
        if result is self.UNDEFINED and job is not None:
            if not running and not limits.was_cancelled(job):
                limits.cancelled(job)  # said once
                kept = limits.kept_answer(key)  # refused (or failed) with a twin whose page read the answer first
                return kept if kept is not None else self._lost(limits.LOST)
            if running and limits.age(job) > limits.overdue_s():
                log.warning("job %s gave no result %.0f s after its submit and is stopped (Celery: are workers "
                            "running, and keeping up with the queue? diskcache: it outlived its time limit)",
                            job, limits.overdue_s())
                self.terminate_job(job)
                return self._lost(limits.STALLED.format(s=round(limits.overdue_s())))
        return result

    def job_running(self, job):
        snapshot = getattr(self._local, "snapshot", None)
        if snapshot is not None and snapshot[0] == job:
            self._local.snapshot = None
            return snapshot[1]
        if job == CACHED:
            return False
        try:
            return super().job_running(job)
        except self.store_errors:
            return True

    @staticmethod
    def _lost(sentence: str, rerun: bool = True):
        """``sentence`` in the page's outputs; with ``rerun``, a link to run the same settings again (a job that
        was lost, never queued or given up may well succeed next time; one that raised would fail again)."""
        from dash import callback_context

        log.warning("job reported to its page: %s", sentence)
        return limits.busy_outputs(callback_context.outputs_list, sentence, rerun=rerun)


def _close_listeners() -> None:
    """In a forked job: close the server's listening sockets, which the fork copied.

    A job that outlives its server (a restart while it runs) would otherwise keep the port bound, so
    the restarted server could not start, and connections would queue on a socket nobody answers.
    """
    import psutil

    for conn in psutil.Process().net_connections(kind="inet"):
        if conn.status == psutil.CONN_LISTEN and conn.fd >= 0:
            with suppress(OSError):
                os.close(conn.fd)


class JobManager(BoundedJobs, DiskcacheManager):
    """Dash's manager with three process-handling fixes.

    * It starts a process per job and never joins it, so finished jobs would stay as
      zombies for the life of the server: they are reaped before each new job.
    * On every delivered result it kills the job and waits up to 1 s for it to go. A
      job forked by another gunicorn worker becomes a zombie this worker cannot reap,
      so that wait ran its full second: a finished job is now left alone, and only
      the job's own parent waits for it.
    * A job whose page has stopped polling (its tab was closed) stops itself after
      :data:`limits.ORPHAN_S` seconds and frees its slot; Dash would run it to its end.
    """

    def make_job_fn(self, fn, progress, key=None):
        """The job also stops itself when its page stops asking for it (a closed tab): :func:`limits.watch`."""
        job_fn = super().make_job_fn(fn, progress, key)

        def watched(result_key, progress_key, args, context):
            _close_listeners()
            limits.watch(result_key)
            try:
                return job_fn(result_key, progress_key, args, context)
            finally:
                limits.forget(result_key)

        return watched

    def _store(self) -> None:
        """Make the job store again if its directory was deleted under the running lab (an operator's clean-up).

        It is made again in place: every registered job holds this very object. SQLite would otherwise
        fail every job ("unable to open database file") until the server restarts.
        """
        if os.path.exists(os.path.join(self.handle.directory, "cache.db")):
            return
        log.warning("the job store %s was deleted; it is made again (results kept so far are gone)",
                    self.handle.directory)
        self.handle.close()
        self.handle.__init__(str(cache_dir()), **STORE)

    def call_job_fn(self, key, job_fn, args, context):
        import multiprocess

        self._store()
        if self.cached(key):  # before the fork gate: a cached answer waits for no other request
            return CACHED
        multiprocess.active_children()  # joins every finished child of this process
        from flask import g, has_request_context

        in_request = has_request_context() and g.get("nl_gate", False)
        return GATE.fork(lambda: super(JobManager, self).call_job_fn(key, job_fn, args, context), in_request)

    def _stop(self, job):
        """Kill a job and its children; wait for it only if this process can reap it."""
        import psutil

        try:
            proc = psutil.Process(int(job))
            if proc.status() == psutil.STATUS_ZOMBIE:
                return  # already finished; its parent reaps it
            mine = proc.ppid() == os.getpid()
            for child in proc.children(recursive=True):
                child.kill()
            proc.kill()
            if mine:
                proc.wait(1)
        except (psutil.NoSuchProcess, psutil.TimeoutExpired, ValueError):
            pass

    def get_result(self, key, job):
        limits.beat(key)
        self._store()
        return super().get_result(key, job)


class CeleryJobManager(BoundedJobs, CeleryManager):
    """Dash's Celery manager within the same limits (on each worker machine)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        import kombu.exceptions
        import redis.exceptions

        self.store_errors = (redis.exceptions.RedisError, kombu.exceptions.OperationalError, OSError)
        # Celery's Redis result store raises a bare RuntimeError once its reconnection retries run out
        self.submit_errors = (*self.store_errors, RuntimeError)


BACKENDS = ("diskcache", "celery")
IN_WORKER = False  # set by ``neuralab worker`` (:mod:`neuralab.app.worker`) before the app is built
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def backend() -> str:
    name = os.environ.get("NEURALAB_JOBS", "diskcache")
    if name not in BACKENDS:
        raise ValueError(f"NEURALAB_JOBS must be one of {', '.join(BACKENDS)}; got {name!r}.")
    return name


def celery_app():
    """The Celery app for ``NEURALAB_REDIS_URL``: Redis is both the broker and the result store."""
    from celery import Celery

    url = os.environ.get("NEURALAB_REDIS_URL", DEFAULT_REDIS_URL)
    app = Celery("neuralab", broker=url, backend=url)
    app.conf.update(broker_connection_retry_on_startup=True, worker_hijack_root_logger=False,
                    result_expires=EXPIRE_S, redis_socket_connect_timeout=2)
    if not IN_WORKER:
        # A web request must not hang on a Redis that is gone (Celery retries for about 20 s): give up within
        # about a second and say so in the page. A worker keeps Celery's patience, so that a job running
        # through a Redis restart still delivers its progress and its result.
        app.conf.result_backend_transport_options = {
            "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.25, "interval_max": 0.5}}
    return app


@lru_cache(maxsize=1)
def manager():
    """One manager per process: diskcache (shared directory) by default, or Celery with Redis."""
    if backend() == "celery":
        return CeleryJobManager(celery_app(), cache_by=[code_version], expire=EXPIRE_S)
    return JobManager(diskcache.Cache(str(cache_dir()), **STORE), cache_by=[code_version], expire=EXPIRE_S)
