"""Trials per minute with 1 and 2 ``neuralab search worker`` processes, on SQLite and on PostgreSQL, in one run.

Each configuration is a fresh study (digits, random sampler, three trainings per trial as the
CLI does by default, ``TRIALS`` trials) run by real worker processes started with
``neuralab search worker``. The rate counts the trials that ran while every worker was running
(from the last worker's first trial start to the first worker's last trial end, by the trials'
own timestamps in the database), so the workers' start-up (importing torch) is left out. The
PostgreSQL numbers use a throwaway cluster (initdb in a temporary directory, removed after).
Each worker runs torch on one thread, so two workers use both cores of a two-core machine.

Prints ``name value unit`` lines; the load average (``uptime``) before and after, because
these machines are shared and the rates move with it.

Run:  .venv/bin/python benchmarks/search_workers.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from neuralab.search import study as st

ROOT = Path(__file__).resolve().parents[1]
TRIALS = 24
ORDER = (1, 2, 2, 1)  # each count twice, interleaved; the faster of the two is kept (others share the machine)


def rate(url: str, workers: int, run: int = 0) -> float:
    """Trials per minute that ``workers`` worker processes reach together on a fresh study at ``url``."""
    storage = st.open_storage(url)
    name = f"bench-{workers}-{run}-{os.getpid()}"
    st.create(name, storage, dataset="digits", sampler="random", trials=TRIALS, seeds=3)
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    procs = [subprocess.Popen([sys.executable, "-m", "neuralab.cli", "search", "worker", "--study", name,
                               "--storage", url], env=env, stdout=subprocess.DEVNULL) for _ in range(workers)]
    for p in procs:
        p.wait(600)
    rows = [r for r in st.trials(storage, name) if r.state in ("COMPLETE", "FAIL")]
    # Only while every worker runs: from the last worker's first trial to the first worker's last trial.
    t0 = max(min(r.start for r in rows if r.worker == w) for w in {r.worker for r in rows})
    t1 = min(max(r.end for r in rows if r.worker == w) for w in {r.worker for r in rows})
    inside = [r for r in rows if r.start >= t0 and r.end <= t1]
    return 60 * len(inside) / (t1 - t0)


def _best(db: str, url: str) -> list[tuple[str, float, str]]:
    best: dict[int, float] = {}
    for i, n in enumerate(ORDER):
        best[n] = max(best.get(n, 0.0), rate(url, n, i))
    return [(f"{db}_{n}_workers", best[n], "trials/min") for n in sorted(best)]


def rows() -> list[tuple[str, float, str]]:
    """``(name, value, unit)`` for 1 and 2 workers on SQLite and PostgreSQL (skipped without PostgreSQL)."""
    sys.path.insert(0, str(ROOT))
    from tests.search.postgres import binaries, cluster

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        out += _best("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")
    bindir = binaries()
    if bindir is not None:
        with cluster(bindir) as url:
            out += _best("postgres", url)
    for db in ("sqlite", "postgres"):
        have = {name: v for name, v, _ in out}
        if f"{db}_2_workers" in have:
            out.append((f"{db}_speedup_2_over_1", have[f"{db}_2_workers"] / have[f"{db}_1_workers"], "x"))
    return out


def main() -> None:
    print(f"# {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}", flush=True)
    for name, value, unit in rows():
        print(f"{name} {value:.2f} {unit}", flush=True)
    print(f"# {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()
