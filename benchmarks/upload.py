"""Uploading a large CSV, and the hostile-file corpus: what each file gets told.

Part 1 writes a 1,000,000-row × 10-column CSV (a 100 Hz motor log: time, seven analog channels with one or
two decimals, the gear, a 0/1 fault target; its exact size is printed) in a temporary directory, then, in a fresh
child process so the generator's memory does not count, times the library path of an upload:
``read_preview`` on the file's bytes (what the page receives), ``Catalogue.add`` right after the preview (the
parse is reused; check the roles, write the content-addressed Parquet, catalogue row), ``Catalogue.add`` again
cold (parsing anew), ``Catalogue.table(id, max_rows=INTERACTIVE_ROWS)`` (read the Parquet, prepare, sample),
then the same call again, cached (median of 50 calls: the catalogue row is still read from SQLite each time),
and the leakage guards on that sampled table with a shuffled 70/30 split (their findings as comments).
After each step it prints the peak resident memory of the process so far (``resource.getrusage``, ``ru_maxrss``).

Then it times the Parquet bomb guard's walk over every page header (``user._page_bytes``, Thrift's compact
reader) on an 83 MB Parquet file of 1,000,000 rows × 10 float64 columns, written with pyarrow's default pages
and with 8 KiB snappy pages (about 10,000 pages).

Part 2 builds the hostile corpus of ``tests/data/hostile.py`` under a 1 MB cap and prints, per case, the
sentence the lab answers with and whether anything was stored.

Lines are ``name value unit``; the corpus table follows. Asserts nothing; timings on a shared machine are noisy.

Run:  PYTHONPATH=src:. .venv/bin/python benchmarks/upload.py
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N_ROWS = 1_000_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def generate(path: Path) -> int:
    import numpy as np
    import pyarrow as pa
    from pyarrow import csv as pacsv

    rng = np.random.default_rng(0)
    t = np.arange(N_ROWS) / 100.0
    load = 50 + 30 * np.sin(2 * np.pi * t / 600)
    cols = {"t": np.round(t, 2)}
    for i, name in enumerate(("current", "voltage", "speed", "torque", "temp_winding", "temp_case", "vibration")):
        x = np.clip(load * (0.5 + 0.1 * i) + rng.normal(scale=3, size=N_ROWS), 10, 99.9)
        cols[name] = np.round(x, 2 if i >= 3 else 1)
    cols["gear"] = rng.integers(1, 7, size=N_ROWS)
    cols["fault"] = (cols["temp_winding"] + rng.normal(scale=5, size=N_ROWS) > 60).astype(np.int8)
    pacsv.write_csv(pa.table(cols), path, write_options=pacsv.WriteOptions(quoting_style="none"))
    return path.stat().st_size


def measure(path: Path, root: Path) -> None:
    """The timed part, in its own process."""
    import sklearn.model_selection  # noqa: F401  (the lab's server has it loaded already)

    from neuralab.data import user

    print(f"peak_rss_after_imports {_peak_mb():.0f} MB", flush=True)
    data = path.read_bytes()
    print(f"peak_rss_after_reading_the_bytes {_peak_mb():.0f} MB", flush=True)
    t0 = time.perf_counter()
    preview = user.read_preview(data, path.name)
    print(f"read_preview {time.perf_counter() - t0:.2f} s")
    print(f"peak_rss_after_preview {_peak_mb():.0f} MB", flush=True)
    cat = user.Catalogue(root)
    t0 = time.perf_counter()
    id_ = cat.add(data, path.name, preview.suggested, owner="benchmark-owner-0001")
    print(f"catalogue_add_after_preview {time.perf_counter() - t0:.2f} s")
    user._last_parse.clear()
    t0 = time.perf_counter()
    cat.add(data, path.name, preview.suggested, owner="benchmark-owner-0001")
    print(f"catalogue_add_cold {time.perf_counter() - t0:.2f} s")
    print(f"peak_rss_after_add {_peak_mb():.0f} MB", flush=True)
    del data
    t0 = time.perf_counter()
    table = cat.table(id_, max_rows=user.INTERACTIVE_ROWS)
    print(f"catalogue_table_first {time.perf_counter() - t0:.2f} s")
    times = []
    for _ in range(50):
        t0 = time.perf_counter()
        cat.table(id_, max_rows=user.INTERACTIVE_ROWS)
        times.append(time.perf_counter() - t0)
    print(f"catalogue_table_cached_p50 {sorted(times)[25] * 1e3:.2f} ms")
    print(f"catalogue_table_cached_max {max(times) * 1e3:.2f} ms")
    times = []
    for _ in range(50):
        t0 = time.perf_counter()
        cat.entry(id_)
        times.append(time.perf_counter() - t0)
    print(f"catalogue_entry_p50 {sorted(times)[25] * 1e3:.2f} ms")
    print(f"peak_rss_after_table {_peak_mb():.0f} MB")
    import numpy as np

    from neuralab.data import guards

    order = np.random.default_rng(0).permutation(table.n_rows)
    cut = int(0.7 * table.n_rows)
    t0 = time.perf_counter()
    found = guards.check(table, order[:cut], order[cut:], shuffled=True)
    print(f"guards_check {time.perf_counter() - t0:.2f} s")
    for f in found:
        print(f"# guard {f.kind} ({f.severity}): {f.sentence}")
    e = cat.entry(id_)
    stored = (root / f"{e.sha256}.parquet").stat().st_size
    print(f"stored_parquet {stored} B")
    print(f"# preview: {preview.n_rows:,} rows; suggested {preview.suggested}; notes: {' | '.join(preview.notes)}")
    print(f"# table: X {table.X.shape}, {table.n_rows_total:,} usable rows, sampled={table.sampled}; "
          f"notes: {' | '.join(table.notes)}")


def page_walk() -> None:
    """The page-header walk of the Parquet bomb guard (``user._page_bytes``) on a 1 M-row × 10 float64 file."""
    import io

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from neuralab.data import user

    rng = np.random.default_rng(0)
    table = pa.table({f"c{k}": rng.random(N_ROWS) for k in range(10)})
    for label, kw in (("default_pages", {"compression": "none"}),
                      ("8KiB_pages_snappy", {"compression": "snappy", "data_page_size": 8192})):
        buf = io.BytesIO()
        pq.write_table(table, buf, **kw)
        data = buf.getvalue()
        md = pq.ParquetFile(pa.BufferReader(data)).metadata
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            user._page_bytes(data, md)
            times.append(time.perf_counter() - t0)
        print(f"page_walk_{label} {sorted(times)[3] * 1e3:.1f} ms  # median of 7, on {len(data) / 1e6:.0f} MB")


def corpus() -> None:
    os.environ["NEURALAB_UPLOAD_MB"] = "1"
    from tests.data import hostile

    from neuralab.data import user

    print(f"\n# hostile corpus (upload cap {hostile.CAP_MB} MB): case | bytes | outcome | stored files, rows")
    with tempfile.TemporaryDirectory(prefix="nl-hostile-") as tmp:
        cat = user.Catalogue(tmp)
        for case in hostile.cases():
            try:
                cat.add(case.data, case.filename, case.roles, owner="benchmark-owner-0001")
                outcome = "ACCEPTED"
            except user.UploadError as exc:
                outcome = str(exc)
            left = [p.name for p in Path(tmp).iterdir() if not p.name.startswith("catalogue.sqlite")]
            rows = cat._query("SELECT count(*) FROM entries")[0][0]
            print(f"{case.name} | {len(case.data):,} | {outcome} | {len(left)}, {rows}")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        measure(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    print(f"# load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="nl-upload-bench-") as tmp:
        path = Path(tmp) / "motor_log.csv"
        t0 = time.perf_counter()
        size = generate(path)
        print(f"# generated in {time.perf_counter() - t0:.1f} s")
        print(f"csv_rows {N_ROWS} rows")
        print("csv_columns 10 columns")
        print(f"csv_bytes {size} B")
        print(f"csv_size {size / 1e6:.2f} MB")
        env = {**os.environ, "NEURALAB_UPLOAD_MB": "50"}
        subprocess.run([sys.executable, __file__, "--measure", str(path), str(Path(tmp) / "catalogue")],
                       check=True, env=env)
    page_walk()
    corpus()


if __name__ == "__main__":
    main()
