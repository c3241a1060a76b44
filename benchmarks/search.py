"""Every figure issue 13 asks of the search, side by side in one run: samplers, pruners, workers, honest scoring.

Runs, one after the other on the same machine and printing the load before each:

* ``search_samplers.py``: trials each of Optuna's samplers needs to come within 1 % and 5 % of
  the measured optimum on digits (median over 10 seeds, N = 100), and its time per suggestion;
* ``search_fidelity.py``: epochs spent by the median rule, ASHA and Hyperband against no pruning
  to reach the same best score on the larger, conditional space;
* ``search_workers.py``: trials per minute with 1 and 2 workers on SQLite and on PostgreSQL;
* ``search_honest.py``: the winner's curse and nested cross-validation against the plain score;
* ``latency.py /hyperparameter-search`` and ``browser_latency.py /hyperparameter-search``: the page's
  callbacks over HTTP, and a step of the Gaussian-process slider in chromium.

Run:  .venv/bin/python benchmarks/search.py   (about 10 minutes on 2 cores; asserts nothing)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = (
    ["search_samplers.py"],
    ["search_fidelity.py"],
    ["search_workers.py"],
    ["search_honest.py"],
    ["latency.py", "/hyperparameter-search"],
    ["browser_latency.py", "/hyperparameter-search"],
)


def main() -> int:
    failed = 0
    for part in PARTS:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\n## {' '.join(part)}   (load average before: {load}, {os.cpu_count()} logical CPUs)", flush=True)
        failed += subprocess.call([sys.executable, str(HERE / part[0]), *part[1:]]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
