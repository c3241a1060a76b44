"""Light controls on a 100,000-row user table: p95 server time of each light callback, in-process.

Registers a synthetic 100,000 x 10 table (a time column, a group column, 7 signals, a binary target) in a
temporary catalogue (``NEURALAB_DATA_DIR``), then calls each light callback wired to user data 50 times with the
control moving (the training share steps through its slider, as a learner drags it) and prints ``name p95 ms``.
/splits' light sections sample the table to ``LIGHT_ROWS`` rows (seeded), cached per dataset, rows and seed:
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


def playground() -> None:
    """/playground on the same 100,000-row table: a new network (each seed a new 500-row draw and split), then
    one epoch's Step, as a learner moves the seed or the axes and steps. Each call builds the engine."""
    os.environ.setdefault("NEURALAB_DATA_DIR", tempfile.mkdtemp(prefix="nl-bench-user-"))
    from neuralab.app import create_app

    create_app()
    from neuralab.app.pages import playground as page
    from neuralab.app.pages import playground_parts
    from neuralab.data import user

    ident = user.catalogue().add(_table(), "bench.csv", user.Roles("fault", "binary", time="t", group="cycle"),
                                 owner="bench" + "x" * 20, name="Bench 100k")
    defaults = {**page.SPEC.defaults(), "dataset": user.USER_PREFIX + ident, "col_x": 2, "col_y": 3}

    def raw(i: int, **changes) -> list:
        v = {**defaults, "seed": i, **changes}
        return [v[n] if n != "lr" else np.log10(v[n]) for n in page.NAMES]

    tab = playground_parts.new_tab()
    cases = {
        "playground.rebuild": (page.rebuild_view, lambda i: (tab, *raw(i + 1))),
        "playground.step": (page.act_view, lambda i: ("step", tab, None, None, *raw(0))),
    }
    print(f"load_average {os.getloadavg()[0]:.2f} processes")
    for name, (fn, args_of) in cases.items():
        first, p95 = _p95(fn, args_of)
        print(f"{name}.first {first:.1f} ms")
        print(f"{name} {p95:.1f} ms")



def light_rows() -> None:
    """/splits' light sections on the full interactive sample (before) and on ``LIGHT_ROWS`` (after), interleaved.

    Each of ``REPEATS`` rounds makes one move with each row count, at a position neither has seen, so both meet the
    same load; prints p50 and p95 of each side by side (wall clock, and this thread's CPU time, which a loaded machine
    inflates far less), the load average before and after, and the light callbacks
    /fitting and /preprocessing run on user data (their dataset options; their user sections are jobs, timed once).
    """
    os.environ.setdefault("NEURALAB_DATA_DIR", tempfile.mkdtemp(prefix="nl-bench-user-"))
    from neuralab.app import create_app

    create_app()
    from neuralab.app.pages import fitting, preprocessing, splits
    from neuralab.data import user

    owner = "bench" + "y" * 20
    value = user.USER_PREFIX + user.catalogue().add(
        _table(), "bench.csv", user.Roles("fault", "binary", time="t", group="cycle"), owner=owner, name="Bench")
    rows = {"before": user.INTERACTIVE_ROWS, "after": user.LIGHT_ROWS}
    times: dict[str, list[float]] = {k: [] for k in rows}
    cpu: dict[str, list[float]] = {k: [] for k in rows}  # this thread's CPU time: what the load does not inflate
    load0 = os.getloadavg()[0]
    for n in rows.values():  # the first call reads and samples the table: not a move
        splits.LIGHT_ROWS = n
        splits.update_sizes(value, 70, 15, 0)
    for i in range(REPEATS):
        for k, n in rows.items():
            splits.LIGHT_ROWS = n
            pct, seed = 40 + i % 41, 1000 + i  # a new position on every round
            t0, c0 = time.perf_counter(), time.thread_time()
            splits.update_sizes(value, pct, 15, seed)
            splits.update_shares(value, pct, 15, seed)
            times[k].append((time.perf_counter() - t0) * 1e3)
            cpu[k].append((time.thread_time() - c0) * 1e3)
    splits.LIGHT_ROWS = user.LIGHT_ROWS
    print(f"load_average {load0:.2f} -> {os.getloadavg()[0]:.2f} processes")
    for k, n in rows.items():
        print(f"splits.move.{k}.rows {n}")
        print(f"splits.move.{k}.p50 {np.percentile(times[k], 50):.1f} ms")
        print(f"splits.move.{k}.p95 {np.percentile(times[k], 95):.1f} ms")
        print(f"splits.move.{k}.cpu.p50 {np.percentile(cpu[k], 50):.1f} ms")
        print(f"splits.move.{k}.cpu.p95 {np.percentile(cpu[k], 95):.1f} ms")
    for name, fn in (("fitting.dataset_options", fitting.fill_datasets),
                     ("preprocessing.signal_options", preprocessing.fill_signals)):
        print(f"{name} {_p95(fn, lambda i: (owner, value))[1]:.1f} ms")
    for name, run in (("fitting.tc.job", lambda: fitting.TC_SECTION.view({"dataset": value, "seed": 0})),
                      ("preprocessing.signal.job",
                       lambda: preprocessing.SIGNAL.view({"signal_data": value, "column": 2}))):
        t0 = time.perf_counter()
        run()
        print(f"{name} {(time.perf_counter() - t0) * 1e3:.0f} ms")




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
    import sys

    if sys.argv[1:2] == ["search"]:  # search [WIDTH ...]: the landscape job on tables of those widths (minutes)
        search_jobs(tuple(int(w) for w in sys.argv[2:]) or (8, 64, 199))
    else:
        main()
        playground()
        light_rows()
        training_jobs()
        compression_jobs()
