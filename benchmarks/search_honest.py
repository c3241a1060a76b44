"""Honest scoring on /hyperparameter-search: the measured winner's curse, nested CV, and what each job costs.

Prints one ``name value unit`` line per figure (comment lines start with ``#``), per data set:

* ``curse_job_cold_<ds>``: the winner's-curse job on an empty cache (the 24 × 24 × 3 landscape trained, then
  2,000 searches replayed); ``curse_replay_<ds>``: the replay alone;
* ``optimism_<ds>_<n>_loss`` / ``_<metric>``: mean over searches of n trials of the reported (best validation)
  score's advantage over the same network's test score; ``rerun_<ds>_<n>_…``: over the same setting trained
  from the other seeds (positive: the search flattered itself);
* ``nested_job_cold_<ds>``: the nested-CV job (3 repeats, 200 rows) on an empty cache;
  ``plain_minus_test_<ds>`` and ``nested_minus_test_<ds>``: mean over the repeats.

Timings on a shared machine are noisy; the load average is printed with them. Asserts nothing.

Run:  .venv/bin/python benchmarks/search_honest.py [digits motor spiral]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

os.environ["NEURALAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="nl-honest-bench-")  # never touch the user's cache

from neuralab.search import honest, landscape  # noqa: E402

SIZES = (1, 10, 100)


def main(datasets: list[str]) -> None:
    print(f"# load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    for ds in datasets:
        t = time.perf_counter()
        ls = landscape.landscape(ds)
        c = honest.winners_curse(ls)
        print(f"curse_job_cold_{ds} {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        honest.winners_curse(ls)
        print(f"curse_replay_{ds} {1000 * (time.perf_counter() - t):.0f} ms")
        metric = "acc" if c.metric == "accuracy" else "r2"
        for n in SIZES:
            print(f"optimism_{ds}_{n}_loss {c.optimism_loss.mean[n - 1]:+.4f} loss")
            print(f"optimism_{ds}_{n}_{metric} {c.optimism_metric.mean[n - 1]:+.4f} {c.metric}")
            print(f"rerun_{ds}_{n}_{metric} {c.rerun_optimism_metric.mean[n - 1]:+.4f} {c.metric}")
        t = time.perf_counter()
        r = honest.nested_cv(ds)
        print(f"nested_job_cold_{ds} {time.perf_counter() - t:.1f} s")
        print(f"plain_minus_test_{ds} {r.plain_bias.mean():+.4f} {r.metric}")
        print(f"nested_minus_test_{ds} {r.nested_bias.mean():+.4f} {r.metric}")
        print(f"# load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["digits", "motor", "spiral"])
