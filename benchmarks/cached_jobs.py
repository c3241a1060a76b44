"""A job chart whose result is already cached: the submit, and the submit to the answer, old tree against new.

Starts ``neuralab serve --workers 2`` with a fresh cache for each tree (this one, and an older one exported with
``git archive OLD | tar -x -C /tmp/old``), alternating twice, computes /splits' cross-validation once cold, then
times ``--n`` warm requests as a page makes them: the POST that submits, a wait of the page's poll interval,
and the polls until the answer. Prints p50/p95 per tree and the load average. Asserts nothing. Run::

    PYTHONPATH=src:. .venv/bin/python benchmarks/cached_jobs.py /tmp/old/src [--n 30]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.devserver
import tests.devserver as devserver  # noqa: E402
from tests.devserver import LabServer, Page  # noqa: E402


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * q / 100))]


def main(argv: list[str] | None = None) -> int:
    from neuralab.app.jobs import POLL_MS
    from neuralab.app.pages import splits
    from neuralab.data.splits import CV

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", help="the older tree's src directory")
    ap.add_argument("--n", type=int, default=30, help="timed warm requests per server (30)")
    args = ap.parse_args(argv)
    devserver.STARTUP_S = 600.0
    runs: dict[str, list[tuple[float, float]]] = {}
    for label, path in (("new", "src"), ("old", args.old)) * 2:
        with tempfile.TemporaryDirectory(prefix="neuralab-cached-") as tmp, \
                LabServer(workers=2, cache_dir=Path(tmp) / "cache", env={"PYTHONPATH": path}) as lab:
            page = Page(lab, "/splits")
            body = page.body(splits.CV_SECTION, {**CV.defaults(), "seed": 3})
            done = lambda doc: "response" in doc  # noqa: E731
            for _ in range(4):  # the first computes cold and fills the cache; then warm-up
                page.wait(body, page.submit(body), done, 300)
            for _ in range(args.n):
                t0 = time.perf_counter()
                handles = page.submit(body)
                t1 = time.perf_counter()
                time.sleep(POLL_MS / 1000)  # the page waits this long before its first poll
                page.wait(body, handles, done, 60)
                runs.setdefault(label, []).append(((t1 - t0) * 1000, (time.perf_counter() - t0) * 1000))
            print(f"# {label}: last job id {handles[1].rpartition('~')[0]!r}", flush=True)
    for label, ts in runs.items():
        sub, ans = [t[0] for t in ts], [t[1] for t in ts]
        print(f"{label} n={len(ts)} submit_p50_ms={pct(sub, 50):.1f} submit_p95_ms={pct(sub, 95):.1f} "
              f"answer_p50_ms={pct(ans, 50):.1f} answer_p95_ms={pct(ans, 95):.1f}", flush=True)
    print(f"# load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
