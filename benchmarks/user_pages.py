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


def compression_jobs() -> None:
    """The compression pages' "On your own data" jobs on the same table (sampled to 20,000 rows): seconds of the
    first run (the reference network trained and stored) and of a second run (the network read back from disk)."""
    from neuralab.app.pages import distillation, pruning, quantization
    from neuralab.data import user

    ident = user.catalogue().add(_table(), "bench.csv", user.Roles("fault", "binary", time="t", group="cycle"),
                                 owner="bench" + "x" * 20, name="Bench 100k")
    print(f"load_average {os.getloadavg()[0]:.2f} processes")
    for page in (quantization, pruning, distillation):
        values = page.OWN.defaults() | {"dataset": user.USER_PREFIX + ident}
        for run in ("first", "second"):
            t0 = time.perf_counter()
            out = page.OWN_SECTION.view(values)
            assert out[-1] == "", out[-1]
            print(f"{page.P}.own.{run} {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
    compression_jobs()
