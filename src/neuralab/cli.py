"""The ``neuralab`` command: ``neuralab serve`` opens the lab, ``neuralab search`` runs and joins studies,
``neuralab data`` adds, lists and removes users' datasets, ``neuralab --version`` says which."""

from __future__ import annotations

import argparse
import os
import socket
import sys

from neuralab import __version__


def port_free(host: str, port: int) -> bool:
    """True when nothing listens on ``host:port`` (we could bind it ourselves)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


OPEN_WARNING = (
    "neuralab: warning: listening on {host}, so anyone who can reach this machine on port {port} can use the "
    "lab and start computations on it; the lab has no login. For a class, keep it on 127.0.0.1 behind a reverse "
    "proxy that asks for a password (see the README's \"Many learners at once\")."
)


def serve(host: str, port: int, workers: int) -> int:
    if not loopback(host):
        print(OPEN_WARNING.format(host=host, port=port), file=sys.stderr, flush=True)
    if not port_free(host, port):
        print(
            f"neuralab: port {port} on {host} is already in use. Stop the program using it, "
            f"or pick another port: neuralab serve --port {port + 1}",
            file=sys.stderr,
        )
        return 2
    print(f"neuralab {__version__}: serving the lab at http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    if workers == 1:
        from neuralab.app import create_app

        create_app().run(host=host, port=port, debug=False)
        return 0
    # Callbacks keep no state, so N independent worker processes serve the same app.
    args = [
        sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"{host}:{port}",
        "--no-control-socket", "--access-logfile", "-", "neuralab.app.wsgi:server",
    ]
    os.execv(sys.executable, args)
    return 0  # not reached


def worker(redis_url: str | None, concurrency: int) -> int:
    """Run a Celery worker for the lab's background jobs (``NEURALAB_JOBS=celery``)."""
    env = {**os.environ, "NEURALAB_JOBS": "celery"}
    if redis_url:
        env["NEURALAB_REDIS_URL"] = redis_url
    print(f"neuralab {__version__}: Celery worker for {env.get('NEURALAB_REDIS_URL', 'redis://127.0.0.1:6379/0')} "
          f"with {concurrency} process(es)", flush=True)
    args = [sys.executable, "-m", "celery", "-A", "neuralab.app.worker:celery", "worker",
            "--concurrency", str(concurrency), "--loglevel", "WARNING", "--without-gossip", "--without-mingle"]
    os.execve(sys.executable, args, env)
    return 0  # not reached


def search(args: argparse.Namespace) -> int:
    """``neuralab search run|worker|list``: a bad value exits 2 with its sentence, an unreachable database 1."""
    from sqlalchemy.exc import SQLAlchemyError

    from neuralab.data.user import UploadError
    from neuralab.params import ParamError
    from neuralab.search import study as st

    url = args.storage or st.storage_url()
    try:
        if args.action == "run" and args.dataset is not None and _is_file(args.dataset):
            args.dataset = _file_dataset(args)
        storage = st.open_storage(url, heartbeat=args.heartbeat, grace=GRACE_BEATS * args.heartbeat)
        if args.action == "list":
            rows = st.studies(storage)
            print(f"{len(rows)} studies in {st.public_url(url)}")
            if rows:
                print("study\tdataset\tsampler\tcomplete/failed/running\tbest\tworkers")
            for info in rows:
                print(st.describe(info))
            return 0
        trials, name = None, st.worker_name()
        if args.action == "run":
            given = {k: v for k in ("dataset", "sampler", "trials", "seed") if (v := getattr(args, k)) is not None}
            study = st.create(args.study, storage, **given)
        else:
            study = st.join(args.study, storage, name)
            if args.trials is not None:
                trials = st.STUDY.validate(trials=args.trials)["trials"]
        import torch

        torch.set_num_threads(1)  # one worker per core scales; several threads per worker fight over the cores
        print(f"neuralab {__version__}: worker {name} on study {study.study_name} in {st.public_url(url)}", flush=True)
        ran = st.work(study, trials, name)
    except (ParamError, UploadError) as exc:
        print(f"neuralab search {args.action}: {exc}", file=sys.stderr)
        return 2
    except st.StorageError as exc:
        print(f"neuralab search {args.action}: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:  # the database went away mid-study
        print(f"neuralab search {args.action}: lost the study database {st.public_url(url)}: {st.reason(exc)}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    info = next(i for i in st.studies(storage) if i.name == study.study_name)
    print(f"ran {ran} trials; study {info.name}: {info.complete} complete, {info.failed} failed, "
          f"{info.running} running; best validation loss {info.best if info.best is not None else '-'}")
    return 0


def _is_file(value: str) -> bool:
    """A ``--dataset`` that names a file (an existing path, or a data file's extension) rather than a data set."""
    return os.path.exists(value) or value.lower().endswith((".csv", ".parquet", ".npz"))


def _file_dataset(args: argparse.Namespace) -> str:
    """``--dataset FILE``: read and check it with ``load_table``, keep it in the catalogue, return ``user:<id>``.

    The study records that id, so every worker on this machine reads the same table from the catalogue. An
    identical entry of the same owner (same file name, size, roles and prepared rows) is reused, so a study
    started from the file can be resumed from it.
    """
    import numpy as np

    from neuralab.data import user

    if not args.target:
        raise user.UploadError(f"--target is needed with a file as --dataset ({args.dataset}): the column to predict.")
    path = args.dataset
    if not os.path.isfile(path):
        raise user.UploadError(f"--dataset {path}: no such file.")
    t = user.load_table(path, target=args.target, task=args.task, time=args.time, group=args.group)
    roles = user.Roles(target=args.target, task=t.task, time=args.time, group=args.group)
    cat, owner, filename = user.catalogue(), os.environ.get("NEURALAB_OWNER") or CLI_OWNER, os.path.basename(path)
    same = (cat.table(e.id) for e in cat.entries(owner)
            if e.filename == filename and e.roles == roles and e.bytes == os.path.getsize(path))
    ident = next((s.id for s in same if np.array_equal(s.X, t.X) and np.array_equal(s.y, t.y)), None) or cat.add(
        path, filename, roles, owner=owner)
    print(f"dataset {path}: {t.n_rows_total:,} usable rows, {len(t.feature_names)} features, target {args.target!r} "
          f"({t.task}); kept as user:{ident} in {cat.root}, where this machine's workers read it (workers on "
          "other machines need that directory shared: NEURALAB_DATA_DIR)", flush=True)
    return user.USER_PREFIX + ident


# neuralab.search.study's settings, repeated so that parsing does not import optuna and torch (a test checks them)
HEARTBEAT = 10  # seconds between a worker's heartbeats
GRACE_BEATS = 3  # a trial is failed after this many heartbeats of the checking worker without one
TRIALS = 50  # a new study's budget of finished trials


def _search_parser(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("search", help="hyperparameter search: Optuna studies in a database, workers on any machine")
    acts = s.add_subparsers(dest="action", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--storage", default=None,
                        help="study database, a SQLAlchemy URL (default $NEURALAB_STORAGE, else SQLite in the "
                             "cache directory, ~/.cache/neuralab)")
    common.add_argument("--heartbeat", type=_heartbeat, default=HEARTBEAT,
                        help=f"seconds between this worker's heartbeats (default {HEARTBEAT}); this worker marks "
                             f"other workers' trials failed after {GRACE_BEATS}× this without a heartbeat: give every "
                             "worker the same value")
    run = acts.add_parser("run", parents=[common],
                          help="start a study, or resume it with the same settings, and run its trials")
    work = acts.add_parser("worker", parents=[common], help="join an existing study and run trials for it")
    for p in (run, work):
        p.add_argument("--study", required=True, help="the study's name")
    run.add_argument("--trials", default=None,
                     help=f"the study's budget of finished trials, over all workers (default {TRIALS})")
    work.add_argument("--trials", default=None,
                      help="this worker runs until the study holds N finished trials (default: the study's budget, "
                           "which stays unchanged)")
    run.add_argument("--dataset", default=None,
                     help="digits (default), motor, spiral, one of your datasets (user:ID, from neuralab data list) "
                          "or a .csv, .parquet or .npz file (with --target), kept in the lab's catalogue")
    run.add_argument("--target", default=None, help="with a file as --dataset: the column to predict")
    run.add_argument("--task", choices=("regression", "binary", "multiclass"), default=None,
                     help="with a file: default guessed from the target column")
    run.add_argument("--time", default=None, help="with a file: its time column (a time-ordered split)")
    run.add_argument("--group", default=None, help="with a file: its group column (whole groups kept apart)")
    run.add_argument("--sampler", default=None, help="tpe (default), random, gp, cmaes, sobol or grid")
    run.add_argument("--seed", default=None, help="seeds the creating worker's sampler (default 0); joining workers "
                     "derive their own (Sobol's share it), so a multi-worker study is not reproducible")
    acts.add_parser("list", parents=[common], help="the studies in the database")


CLI_OWNER = "neuralab-command-line"  # the owner of datasets added from the command line (shared by their link)


def data(args: argparse.Namespace) -> int:
    """``neuralab data add|list|rm``: a refused file or role exits 2 with its sentence."""
    from neuralab.data import user

    cat = user.catalogue()
    owner = args.owner or os.environ.get("NEURALAB_OWNER") or CLI_OWNER
    try:
        if args.action == "add":
            path = args.file
            preview = user.read_preview(path, os.path.basename(path))
            column = next((c for c in preview.columns if c.name == args.target), None)
            task = args.task or (user.suggest_task(column) if column else "regression")
            roles = user.Roles(target=args.target, task=task, time=args.time, group=args.group, rate_hz=args.rate)
            id_ = cat.add(path, os.path.basename(path), roles, owner=owner, name=args.name or "")
            e, t = cat.entry(id_), cat.table(id_)
            print(f"added {e.id}: {e.name!r}, {e.n_rows:,} rows, {len(t.feature_names)} features, target "
                  f"{roles.target!r} ({task}), stored in {cat.root}")
            for note in (*preview.notes, *t.notes):
                print(f"  note: {note}")
            print(f"share: /data?share={e.id}")
        elif args.action == "list":
            rows = cat.entries(owner)
            print(f"{len(rows)} dataset(s) of owner {owner} in {cat.root}")
            if rows:
                print("id\tname\trows\ttarget\ttask\tcreated\tshare")
            for e in rows:
                print(f"{e.id}\t{e.name}\t{e.n_rows}\t{e.roles.target}\t{e.roles.task}\t{e.created}\t"
                      f"/data?share={e.id}")
        else:
            e = cat.entry(args.id)
            cat.delete(args.id, owner=owner)
            print(f"removed {e.id}: {e.name!r}")
    except user.UploadError as exc:
        print(f"neuralab data {args.action}: {exc}", file=sys.stderr)
        return 2
    return 0


def _data_parser(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("data", help="users' datasets: add a CSV, Parquet or .npz file, list them, remove one")
    acts = d.add_subparsers(dest="action", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--owner", default=None,
                        help=f"owner token, 16-64 of A-Z a-z 0-9 - _ (default $NEURALAB_OWNER, else {CLI_OWNER}); "
                             "the lab's pages show a dataset to the browser that owns it or opened its share link")
    add = acts.add_parser("add", parents=[common], help="check a file, store it in the catalogue, print its id")
    add.add_argument("file", help="a .csv (UTF-8), .parquet or .npz file")
    add.add_argument("--target", required=True, help="the column to predict")
    add.add_argument("--task", choices=("regression", "binary", "multiclass"), default=None,
                     help="default: guessed from the target column (few integer or text values: classes)")
    add.add_argument("--time", default=None, help="time column: orders the rows, enables time-ordered splits")
    add.add_argument("--group", default=None, help="group column (drive cycle, vehicle, patient): group k-fold")
    add.add_argument("--rate", type=float, default=None, help="sampling rate of the signal columns, in Hz")
    add.add_argument("--name", default=None, help="the name shown in the lab (default: the file name)")
    acts.add_parser("list", parents=[common], help="the owner's datasets, newest first")
    rm = acts.add_parser("rm", parents=[common], help="remove a dataset (its file too when nothing else uses it)")
    rm.add_argument("id", help="the dataset's id, as printed by add or list")


def _heartbeat(text: str) -> int:
    n = int(text)
    if not 1 <= n <= 3600:
        raise argparse.ArgumentTypeError(f"--heartbeat must be between 1 and 3600 seconds; got {n}")
    return n


def _positive(text: str) -> int:
    n = int(text)
    if not 1 <= n <= 64:
        raise argparse.ArgumentTypeError(f"--workers must be between 1 and 64; got {n}")
    return n


def _port(text: str) -> int:
    n = int(text)
    if not 1 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"--port must be between 1 and 65535; got {n}")
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="neuralab", description="A lab for neural-network engineering.")
    parser.add_argument("--version", action="version", version=f"neuralab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve the lab in your browser")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=_port, default=8050, help="port to listen on (default 8050)")
    s.add_argument("--workers", type=_positive, default=1, help="worker processes; more than 1 runs gunicorn")
    s.add_argument("--jobs", choices=("diskcache", "celery"), default=None,
                   help="where background jobs run: diskcache (this machine, default) or celery (Redis, any machine)")
    s.add_argument("--redis", default=None, help="Redis URL for --jobs celery (default redis://127.0.0.1:6379/0)")
    w = sub.add_parser("worker", help="run a Celery worker for the lab's jobs (with serve --jobs celery)")
    w.add_argument("--redis", default=None, help="Redis URL (default redis://127.0.0.1:6379/0)")
    w.add_argument("--concurrency", type=_positive, default=os.cpu_count() or 1, help="worker processes")
    _search_parser(sub)
    _data_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "search":
        return search(args)
    if args.command == "data":
        return data(args)
    if args.command == "worker":
        return worker(args.redis, args.concurrency)
    if args.command == "serve":
        if args.jobs:
            os.environ["NEURALAB_JOBS"] = args.jobs
        if args.redis:
            os.environ["NEURALAB_REDIS_URL"] = args.redis
        return serve(args.host, args.port, args.workers)
    return 1


if __name__ == "__main__":
    sys.exit(main())
