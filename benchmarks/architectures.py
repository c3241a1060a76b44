"""The figures of /architectures: every model of the lab, measured, as the page's table shows them.

Prints one ``name value unit`` line per figure (comment lines start with ``#``), for each row of the table:
``<model>_params``, ``<model>_train`` (s: the wall time when the page's code first trained it on this machine, or
re-measured once where that was not recorded; the table says which), ``<model>_score`` (its metric),
``<model>_latency`` (µs: median of 200 calls, one thread, ``--batch`` inputs per call; a winding-temperature call
is a whole 180-step cycle) and ``<model>_latency_max`` (µs: the slowest of those calls). Then ``table_wall`` (s),
the time this run took to build the table: with ``--cold`` (a fresh, empty cache) that is every model's first training
plus the timing; on a warm cache it is the look-up. The table is also printed, grouped by task, as comments.

The load average is printed before and after: every time here is measured on a shared machine. Asserts nothing.

Run:  PYTHONPATH=src:. .venv/bin/python benchmarks/architectures.py [--seed 0] [--batch 1] [--cold]
      (a cold cache trains every model: minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", default="1", choices=("1", "16", "256"))
    ap.add_argument("--cold", action="store_true", help="train every model in a fresh, empty cache")
    args = ap.parse_args()
    if args.cold:
        os.environ["NEURALAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="nl-arch-bench-")

    from neuralab.compress import architectures as arch
    from neuralab.plots.architectures import HEADER, group_rows

    print(f"# load average before: {load()}")
    t0 = time.perf_counter()
    t = arch.table(args.seed, args.batch)
    wall = time.perf_counter() - t0
    for r in t.rows:
        s = slug(r.name)
        print(f"{s}_params {r.params} parameters")
        print(f"{s}_train {r.train_s:.3g} s  # {r.timed}")
        print(f"{s}_score {r.score:.4g} {r.metric.replace(' ', '_')}")
        print(f"{s}_latency {r.latency_s * 1e6:.3g} us")
        print(f"{s}_latency_max {r.latency_max_s * 1e6:.3g} us  # the slowest timed call")
    print(f"table_wall {wall:.3g} s  # {'cold cache' if args.cold else 'cache as found'}")
    print(f"# seed {t.seed}, batch {t.batch}, median of {t.calls} calls, {t.threads} thread")
    for group, what in arch.GROUPS.items():
        print(f"# --- {group}: {what}")
        print("# " + " | ".join(HEADER))
        for row in group_rows(t, group):
            print("# " + " | ".join(row))
    print(f"# load average after: {load()}")


if __name__ == "__main__":
    main()
