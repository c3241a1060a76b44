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



def search_jobs(widths: tuple[int, ...] = (8, 64, 199)) -> None:
    """/hyperparameter-search on user tables: one landscape job (24² cells × 3 seeds) against the digits' one.

    A user table is cut to ``tasks.SEARCH_ROWS`` rows (seeded) before the split. Tables of 20,000 rows with
    ``widths`` numeric features and 10 classes are registered in a temporary catalogue; each landscape is
    measured without the disk cache (``_measure.__wrapped__``). Prints ``search.landscape.<table> s`` and the
    training rows and features each one trained on, and the load average. Run of 6 Dec, 1,080 training rows
    for every table (2 cores shared, load 12 to 24): digits 224 s, 8 features 150 s, 64 features 191 s,
    199 features 742 s, hence fewer rows above ``tasks.WIDE`` features; with them (load 13.7 to 15.1): digits
    294 s, 199 features on 346 training rows 164 s.

        PYTHONPATH=src:. .venv/bin/python benchmarks/user_pages.py search [WIDTH ...]
    """
    os.environ["NEURALAB_DATA_DIR"] = tempfile.mkdtemp(prefix="nl-bench-search-")
    import torch

    from neuralab.data import user
    from neuralab.search import landscape, tasks

    torch.set_num_threads(1)  # a background job's share of a shared machine
    rng = np.random.default_rng(0)
    cases = {"digits": "digits"}
    for width in widths:
        X = rng.normal(size=(20_000, width)).astype(np.float32)
        y = np.digitize(X[:, :3].sum(1) + rng.normal(scale=0.5, size=len(X)), np.linspace(-3, 3, 9))
        df = pd.DataFrame(X, columns=[f"f{i}" for i in range(width)]).assign(label=y)
        ident = user.catalogue().add(df.to_parquet(index=False), f"w{width}.parquet",
                                     user.Roles("label", "multiclass"), owner="bench" + "x" * 20)
        cases[f"user_{width}_features"] = user.USER_PREFIX + ident
    print(f"load_average {os.getloadavg()[0]:.2f} processes")
    for name, value in cases.items():
        data = tasks.arrays(value)
        t0 = time.perf_counter()
        landscape._measure.__wrapped__(value, 24, 3)
        print(f"search.landscape.{name} {time.perf_counter() - t0:.1f} s "
              f"({len(data.y_train):,} training rows, {data.n_features} features)", flush=True)
    print(f"load_average {os.getloadavg()[0]:.2f} processes")


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["search"]:  # search [WIDTH ...]: the landscape job on tables of those widths
        search_jobs(tuple(int(w) for w in sys.argv[2:]) or (8, 64, 199))
    else:
        main()
