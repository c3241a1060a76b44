"""A throwaway PostgreSQL cluster: ``initdb`` in a temporary directory, a free port, removed when done.

Used by the tests' ``postgres`` fixture and by ``benchmarks/search_workers.py``. Debian keeps the
server's programs in ``/usr/lib/postgresql/<version>/bin``, off ``PATH``; they are looked for there
too. PostgreSQL refuses to run as root, so under root the cluster runs as the ``postgres`` user
(which Debian's package creates), or ``nobody``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def binaries() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found and (Path(found).resolve().parent / "pg_ctl").exists():
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name).pw_name
    raise RuntimeError("PostgreSQL will not run as root and there is no postgres or nobody user")


@contextlib.contextmanager
def cluster(bindir: Path, database: str = "neuralab") -> Iterator[str]:
    """Start a cluster, create ``database``, yield its SQLAlchemy URL; stop and delete it on exit."""
    user = _user()
    root = Path(tempfile.mkdtemp(prefix="neuralab-pg-"))
    data = root / "data"
    if user:
        shutil.chown(root, user)
    run = dict(check=True, capture_output=True, text=True, user=user)
    port = free_port()
    try:
        subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "neuralab", "--auth=trust", "-E", "UTF8",
                        "--no-sync"], **run)
        opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w",
                        "start"], **run)
        try:
            import psycopg

            with psycopg.connect(f"host=127.0.0.1 port={port} user=neuralab dbname=postgres", autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{database}"')
            yield f"postgresql+psycopg://neuralab@127.0.0.1:{port}/{database}"
        finally:
            subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, user=user)
    finally:
        shutil.rmtree(root, ignore_errors=True)
