"""Light controls on a 100,000-row user table: p95 server time of each light callback, in-process.

Registers a synthetic 100,000 x 10 table (a time column, a group column, 7 signals, a binary target) in a
temporary catalogue (``NEURALAB_DATA_DIR``), then calls each light callback wired to user data 50 times with the
control moving (the training share steps through its slider, as a learner drags it) and prints ``name p95 ms``.
The tables are sampled to ``INTERACTIVE_ROWS`` rows (seeded) and the sample is cached per dataset, rows and seed:
the first call pays the read and the sampling, printed separately as ``first``. A move of the training share asks
two callbacks (the size bar, then the class shares) for the same values; /splits makes the split report once for
both, so ``splits.move`` (the two, one after the other, at each of 50 positions never seen before) is the figure
that counts, with each callback's own p95 beside it. Prints the load average too: the machine is shared.
Target: p95 <= 15 ms.

    PYTHONPATH=src:. .venv/bin/python benchmarks/user_pages.py
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np
import pandas as pd

REPEATS = 50
ROWS = 100_000


def _table() -> bytes:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"t": np.arange(ROWS) * 0.001, "cycle": np.repeat(np.arange(100), ROWS // 100)})
    for i in range(7):
        df[f"s{i}"] = rng.normal(size=ROWS)
    df["fault"] = np.where(df.s0 + 0.5 * df.s1 + rng.normal(scale=0.5, size=ROWS) > 1, "fault", "normal")
    return df.to_csv(index=False).encode()


def _p95(fn, args_of) -> tuple[float, float]:
    t0 = time.perf_counter()
    fn(*args_of(0))
    first = (time.perf_counter() - t0) * 1e3
    times = []
    for i in range(REPEATS):
        args = args_of(i)
        t0 = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - t0) * 1e3)
    return first, float(np.percentile(times, 95))


def main() -> None:
    os.environ["NEURALAB_DATA_DIR"] = tempfile.mkdtemp(prefix="nl-bench-user-")
    from neuralab.app import create_app

    create_app()
    from neuralab.app.pages import data, splits
    from neuralab.data import user

    owner = "bench" + "x" * 20
    ident = user.catalogue().add(_table(), "bench.csv", user.Roles("fault", "binary", time="t", group="cycle"),
                                 owner=owner, name="Bench 100k")
    value = user.USER_PREFIX + ident
    # every move a position not seen before: training share x seed, as a learner dragging on a fresh seed
    positions = [(pct, seed) for seed in range(1, 4) for pct in range(40, 81)]

    def move(i: int) -> None:
        pct, seed = positions[i]
        splits.update_sizes(value, pct, 15, seed)
        splits.update_shares(value, pct, 15, seed)

    cases = {
        "splits.move": (move, lambda i: (i + 1,)),
        "splits.sizes": (splits.update_sizes, lambda i: (value, 40 + i % 41, 10, 100 + i)),
        "splits.shares": (splits.update_shares, lambda i: (value, 40 + i % 41, 10, 200 + i)),
        "splits.dataset_options": (splits.fill_datasets, lambda i: (owner, value)),
        "data.list": (data.show, lambda i: ("", owner)),
    }
    print(f"load_average {os.getloadavg()[0]:.2f} processes")
    for name, (fn, args_of) in cases.items():
        first, p95 = _p95(fn, args_of)
        print(f"{name}.first {first:.1f} ms")
        print(f"{name} {p95:.1f} ms")


if __name__ == "__main__":
    main()


def training_jobs() -> None:
    """/learning-rate and /regularization on the same 100,000-row table (sampled to 20,000 rows): the p95 of the
    light sentence on what is trained, and each background job's time at the page's defaults (one run each, disk
    cache empty). ``name value unit`` lines, with the load average."""
    os.environ["NEURALAB_DATA_DIR"] = tempfile.mkdtemp(prefix="nl-bench-train-")
    os.environ["NEURALAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="nl-bench-train-cache-")
    from neuralab.app import create_app

    create_app()
    from neuralab.app.pages import learning_rate, regularization
    from neuralab.data import user

    ident = user.catalogue().add(_table(), "bench.csv", user.Roles("fault", "binary", time="t", group="cycle"),
                                 owner="bench" + "x" * 20, name="Bench 100k")
    value = user.USER_PREFIX + ident
    print(f"load_average {os.getloadavg()[0]:.2f} processes")
    for name, section in (("learning_rate.data", learning_rate.DATA_SECTION),
                          ("regularization.data", regularization.DATA_SECTION)):
        first, p95 = _p95(section.view, lambda i: (dict(dataset=value, seed=i % 3),))
        print(f"{name}.first {first:.1f} ms")
        print(f"{name} {p95:.1f} ms")
    jobs = [(f"learning_rate.{s.key}", s) for s in (learning_rate.COMPARE, learning_rate.RANGE, learning_rate.SCALING)]
    jobs += [("regularization.penalties", regularization.PENALTY_JOB), ("regularization.dropout",
             regularization.DROPOUT_JOB), ("regularization.decay", regularization.ADAMW),
             ("regularization.stop", regularization.STOP)]
    for name, job in jobs:
        t0 = time.perf_counter()
        job.view(dict(dataset=value))  # the other fields at their defaults
        print(f"{name}.job {time.perf_counter() - t0:.1f} s")
    print(f"load_average_after {os.getloadavg()[0]:.2f} processes")


if __name__ == "__main__":
    training_jobs()
