"""Studies in a real database: the 2-D search as an Optuna RDB study that workers on many machines share.

Every study ``neuralab search`` makes lives in one database, an Optuna ``RDBStorage``; the
page's own searches run in memory, and the page only reads this database. By default it is a
SQLite file under the cache directory (``~/.cache/neuralab``), which several processes on one
machine can share, their writes taking turns (each waits up to :data:`SQLITE_LOCK_WAIT` s for the lock; never on
NFS or SMB); or PostgreSQL, through a SQLAlchemy URL whose driver is installed (psycopg 3 is),
when the operator sets ``NEURALAB_STORAGE`` or ``--storage``. A study is an ordinary Optuna
study: ``optuna.load_study(study_name=..., storage=url)`` and ``optuna-dashboard url`` open it.

Each trial trains the landscape's network (:func:`neuralab.search.landscape.train_many`)
at the sampled learning rate and weight decay, once per seed; its value is the mean
validation loss, so with the default 3 seeds (and no divergence) it is the landscape's own
function at a point between the cells. The study records what it searches (data set,
sampler, seed, trial budget) as study user attributes, so a worker joining from another
machine builds the same objective. A study on a learner's table records its ``user:<id>``;
every worker reads that table from its own machine's catalogue (:func:`neuralab.data.user.data_dir`),
so workers on other machines need the lab's data directory shared with them (``NEURALAB_DATA_DIR``
pointing at the same files), or they stop with a sentence saying so.

Workers send a heartbeat while a trial runs. A worker killed mid-trial (``kill -9``, a
machine switched off) stops beating. Its trial stays RUNNING until some worker starts a
trial: Optuna (``fail_stale_trials``) then fails every running trial silent for longer than
*that* worker's grace period (:data:`GRACE_BEATS` of its own heartbeats). The lost trial is not
retried and counts toward the budget. Ctrl-C fails the running trial at once.
"""

from __future__ import annotations

import math
import os
import socket
import time
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import optuna
from optuna.trial import TrialState

from neuralab.cache import state_dir
from neuralab.data import user
from neuralab.params import Choice, Int, ParamError, ParamSpec
from neuralab.search import race
from neuralab.search.landscape import LR, WD, axes, train_many
from neuralab.search.tasks import DATASET, arrays, check

__all__ = [
    "SAMPLERS", "STUDY", "StorageError", "StudyInfo", "TrialRow", "create", "describe", "join",
    "objective", "open_storage", "public_url", "reason", "settings", "storage_url", "studies", "trials", "work",
    "worker_name",
]

GRID_POINTS = 10  # grid values per axis: the grid sampler's 100 points, log-spaced like the landscape's cells

GRID = dict(zip(("lr", "wd"), (v.tolist() for v in axes(GRID_POINTS)), strict=True))  # the grid sampler's points


def _factory(name: str) -> Callable[[int | None], optuna.samplers.BaseSampler]:
    return lambda seed: race.SAMPLERS[name].build(seed, GRID)


#: name -> factory(seed): the race's samplers, the grid on :data:`GRID_POINTS` values per axis
SAMPLERS: dict[str, Callable[[int | None], optuna.samplers.BaseSampler]] = {
    name: _factory(name) for name in race.SAMPLERS}
_SAMPLER_TITLES = {name: s.title for name, s in race.SAMPLERS.items()} | {
    "grid": f"Grid ({GRID_POINTS} × {GRID_POINTS})"}

STUDY = ParamSpec(
    "study",
    dataset=DATASET,
    sampler=Choice.of(_SAMPLER_TITLES, "tpe", label="Sampler", help="Optuna's sampler that picks each trial."),
    trials=Int(1, 1000, 50, label="Trials", help="Finished trials (complete or failed) the study stops at."),
    seed=Int(0, 2**31 - 1, 0, label="Seed", help="Seeds the sampler of the first worker."),
    seeds=Int(1, 5, 3, label="Seeds per trial", help="Trainings per trial; the value is their mean."),
)

HEARTBEAT = 10  # seconds between a running trial's heartbeats
SQLITE_LOCK_WAIT = 60  # seconds a SQLite writer waits for the file's lock
GRACE_BEATS = 3  # a checking worker fails a running trial after this many of its own heartbeats without one
GRACE = GRACE_BEATS * HEARTBEAT  # seconds: the default worker's grace period


class StorageError(RuntimeError):
    """The study database cannot be opened; the message names its URL without the password."""


def storage_url() -> str:
    """The operator's study database: ``NEURALAB_STORAGE`` if set, else SQLite in the cache directory."""
    return os.environ.get("NEURALAB_STORAGE") or f"sqlite:///{state_dir('search') / 'studies.db'}"


def public_url(url: str) -> str:
    """``url`` with any password replaced by ``***``: safe to print, log and show on a page."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url.split("@")[-1] if "@" in url else url


def open_storage(url: str | None = None, heartbeat: int = HEARTBEAT, grace: int = GRACE) -> optuna.storages.RDBStorage:
    """Open (creating its tables if new) the study database at ``url`` (default :func:`storage_url`).

    Raises:
        StorageError: the database cannot be reached or is not a study database; one sentence.
    """
    from sqlalchemy.exc import IntegrityError, ProgrammingError, SQLAlchemyError

    url = url or storage_url()
    engine: dict = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        engine["connect_args"] = {"timeout": SQLITE_LOCK_WAIT}  # several workers write one file: wait for the lock
    elif url.startswith("postgresql"):
        engine["connect_args"] = {"connect_timeout": 5}
    for attempt in range(3):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(url, engine_kwargs=engine, heartbeat_interval=heartbeat,
                                                  grace_period=grace)
        except (IntegrityError, ProgrammingError) as exc:
            # Two processes creating the tables of a new database at once: the loser finds them made.
            if attempt == 2:
                raise StorageError(f"Cannot open the study database {public_url(url)}: {reason(exc)}") from None
            time.sleep(0.5 * (attempt + 1))
        except (SQLAlchemyError, ImportError, ValueError, OSError, RuntimeError) as exc:
            raise StorageError(f"Cannot open the study database {public_url(url)}: {reason(exc)}") from None
    raise AssertionError("not reached")


def reason(exc: BaseException) -> str:
    """The first line of a database error's own message (the driver's, not SQLAlchemy's wrapper)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def worker_name() -> str:
    """This worker's name in the trials' attributes: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def objective(dataset: str, seeds: int = 3, worker: str | None = None) -> Callable[[optuna.Trial], float]:
    """The function a study minimizes: mean validation loss of ``seeds`` trainings at the sampled (lr, wd).

    The trial records ``worker`` and ``host`` as user attributes. A diverged training returns NaN,
    which Optuna records as a failed trial (one warning line, no traceback), with the reason in the
    trial's ``reason`` attribute; the search goes on.
    """
    data = _data(dataset)
    who = worker or worker_name()
    host = socket.gethostname()

    def run(trial: optuna.Trial) -> float:
        trial.set_user_attr("worker", who)
        trial.set_user_attr("host", host)
        lr = trial.suggest_float("lr", LR.lo, LR.hi, log=True)
        wd = trial.suggest_float("wd", WD.lo, WD.hi, log=True)
        loss = train_many(data, np.full(seeds, lr), np.full(seeds, wd), np.arange(seeds)).val_loss
        if not np.all(np.isfinite(loss)):
            reason = (f"training diverged at learning rate {lr:.3g}, weight decay {wd:.3g} "
                      f"({int(np.sum(~np.isfinite(loss)))} of {seeds} runs)")
            trial.set_user_attr("reason", reason)
            return math.nan
        return float(loss.mean())

    return run


def _data(dataset: str):
    """The study's data; a user table this machine's catalogue lacks gets a sentence on sharing the data directory."""
    try:
        return arrays(dataset)
    except ParamError as exc:
        if not user.is_user(dataset):
            raise
        raise ParamError([*exc.messages, f"A worker reads a user table from its own machine's catalogue "
                          f"({user.data_dir()}); a worker on another machine needs the lab's data directory shared "
                          "with it (NEURALAB_DATA_DIR)."]) from None


def _quiet() -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)


def create(name: str, storage: optuna.storages.BaseStorage, **settings) -> optuna.Study:
    """Make study ``name`` with ``settings`` (fields of :data:`STUDY`, checked) recorded as its user attributes.

    An existing study of that name is resumed instead (with the sampler it records) if the
    settings given agree with those it records; settings not given take the recorded ones.

    Raises:
        ParamError: a setting out of range, or the name taken by a study with other settings.
    """
    v = STUDY.validate(**settings)
    if "dataset" in settings:
        check(v["dataset"])  # a user table must be in this machine's catalogue before a study records its id
    _quiet()
    study = optuna.create_study(study_name=_name(name), storage=storage, direction="minimize",
                                sampler=SAMPLERS[v["sampler"]](v["seed"]), load_if_exists=True)
    have = {k: study.user_attrs.get(k) for k in v}
    if all(x is None for x in have.values()):
        for k, x in v.items():
            study.set_user_attr(k, x)
        return study
    given = STUDY.validate(**{**have, **settings})
    if given != have:
        diff = ", ".join(f"{k} {have[k]!r}" for k in v if have[k] != given[k])
        raise ParamError([f"study already exists with other settings ({diff}); pick another --study name."])
    return join(name, storage)


def join(name: str, storage: optuna.storages.BaseStorage, worker: str | None = None) -> optuna.Study:
    """Load study ``name`` with the sampler it records, seeded for this worker so workers draw different points.

    Sobol keeps the study's seed: Optuna's scrambled ``QMCSampler`` needs one seed in every worker.

    Raises:
        ParamError: no study of that name in ``storage``.
    """
    _quiet()
    try:
        study = optuna.load_study(study_name=_name(name), storage=storage)
    except KeyError:
        names = [s.study_name for s in storage.get_all_studies()]
        known = f"; the database holds {', '.join(sorted(names))}" if names else "; the database holds none yet"
        raise ParamError([f"study must name an existing study; got {name!r}{known}."]) from None
    attrs = settings(study)
    seed = attrs["seed"]
    if attrs["sampler"] != "sobol":  # scrambled Sobol needs one seed in every worker (Optuna's QMCSampler)
        seed = zlib.crc32(f"{seed}/{worker or worker_name()}".encode())
    study.sampler = SAMPLERS[attrs["sampler"]](seed)
    return study


def settings(study: optuna.Study) -> dict:
    """The study's recorded settings; defaults for a study made elsewhere (by plain Optuna)."""
    out = {k: study.user_attrs.get(k, f.default) for k, f in STUDY.fields.items()}
    return STUDY.validate(**out)


def work(study: optuna.Study, trials: int | None = None, worker: str | None = None) -> int:
    """Run trials of ``study`` until it holds ``trials`` finished ones (default: its recorded budget).

    Finished means complete or failed, counted over every worker, so several workers share one
    budget. A diverged trial fails and the search goes on. Returns the trials this worker ran.
    """
    from optuna.study import MaxTrialsCallback

    attrs = settings(study)
    target = trials or attrs["trials"]
    states = (TrialState.COMPLETE, TrialState.FAIL)
    mine = 0

    def count(_study: optuna.Study, _trial: optuna.trial.FrozenTrial) -> None:
        nonlocal mine
        mine += 1

    while (done := len(study.get_trials(deepcopy=False, states=states))) < target:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                study.optimize(objective(attrs["dataset"], attrs["seeds"], worker), n_trials=target - done,
                               callbacks=[MaxTrialsCallback(target, states=states), count])
            break
        except (ValueError, AssertionError) as exc:
            # This worker stalled past another worker's grace period, which failed its trial: Optuna refuses
            # to record the value (ValueError "Cannot tell a FAIL trial.", which Optuna 5.0's logging then
            # masks with an AssertionError). That trial stays failed; go on with a new one.
            told = exc if isinstance(exc, ValueError) else exc.__context__
            if not (isinstance(told, ValueError) and str(told).startswith("Cannot tell a")):
                raise
            mine += 1
            warnings.warn(f"a trial of this worker was failed by another worker while it ran: {told}", stacklevel=2)
    return mine


# ---------------------------------------------------------------------- reading a database


@dataclass(frozen=True)
class StudyInfo:
    """One study of the database at a glance."""

    name: str
    settings: dict  # dataset, sampler, trials (budget), seed, seeds; defaults for a study not made by the lab
    complete: int
    failed: int
    running: int
    best: float | None  # lowest value of a complete trial; None before the first
    workers: tuple[str, ...]  # worker names that ran its trials (host:pid)
    hosts: tuple[str, ...]


@dataclass(frozen=True)
class TrialRow:
    """One trial as a page or a table shows it."""

    number: int
    state: str  # COMPLETE, FAIL, RUNNING, ...
    value: float | None
    lr: float | None
    wd: float | None
    worker: str
    host: str
    start: float | None  # seconds since the epoch
    end: float | None
    reason: str  # why it failed; empty otherwise


def studies(storage: optuna.storages.BaseStorage) -> list[StudyInfo]:
    """Every study in ``storage``, newest first, with its trial counts, best value and workers."""
    out = []
    for s in reversed(storage.get_all_studies()):
        rows = storage.get_all_trials(s._study_id, deepcopy=False)
        by = {st: sum(t.state == st for t in rows) for st in (TrialState.COMPLETE, TrialState.FAIL,
                                                                TrialState.RUNNING)}
        values = [t.value for t in rows if t.state == TrialState.COMPLETE and t.value is not None]
        attrs = {k: s.user_attrs.get(k, f.default) for k, f in STUDY.fields.items()}
        out.append(StudyInfo(
            s.study_name, attrs, by[TrialState.COMPLETE], by[TrialState.FAIL], by[TrialState.RUNNING],
            min(values) if values else None,
            tuple(sorted({t.user_attrs["worker"] for t in rows if "worker" in t.user_attrs})),
            tuple(sorted({t.user_attrs["host"] for t in rows if "host" in t.user_attrs})),
        ))
    return out


def trials(storage: optuna.storages.BaseStorage, name: str) -> list[TrialRow]:
    """The trials of study ``name`` in order of number; an empty list if there is no such study."""
    try:
        sid = storage.get_study_id_from_name(name)
    except KeyError:
        return []

    def ts(d) -> float | None:
        return d.timestamp() if d is not None else None

    return [TrialRow(t.number, t.state.name, t.value, t.params.get("lr"), t.params.get("wd"),
                     t.user_attrs.get("worker", "?"), t.user_attrs.get("host", "?"), ts(t.datetime_start),
                     ts(t.datetime_complete), t.user_attrs.get("reason", ""))
            for t in storage.get_all_trials(sid, deepcopy=False)]


def describe(info: StudyInfo) -> str:
    """One line for ``neuralab search list``."""
    best = f"{info.best:.4f}" if info.best is not None else "-"
    s = info.settings
    return (f"{info.name}\t{s['dataset']}\t{s['sampler']}\t{info.complete}/{info.failed}/{info.running}\t"
            f"{best}\t{len(info.workers)} on {', '.join(info.hosts) or '-'}")


def _name(name: str) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ParamError([f"study must be a name of 1 to 200 characters; got {name!r}."])
    return name.strip()
