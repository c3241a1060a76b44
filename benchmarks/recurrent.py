"""Every figure issue 14 asks of /recurrent: the sensor task per network, then the memory task.

Prints one ``name value unit`` line per figure (comment lines start with ``#``):

* per network of ``neuralab.nn.recurrent.ARCHS`` on the winding-temperature task (same split, same
  recipe as the page), the median over seeds 0, 1 and 2 of: ``sensor_<arch>_test_rmse`` (K),
  ``sensor_<arch>_train`` (s, the wall time of each training, trained here on an empty cache, one
  torch thread) and ``sensor_<arch>_stream`` (µs per new sample: the median single-step streaming
  time over a test cycle, one thread); and ``sensor_<arch>_params`` and ``sensor_<arch>_macs``
  (multiply-accumulates per new sample, counted from the shapes); a comment line gives each seed's value;
* ``sensor_compare_cold`` and ``sensor_compare_warm``: the page's comparison job with every network
  to train, and again with every network stored;
* then ``recurrent_memory.py`` (the largest sequence length T at which each network still beats
  chance on the adding problem), when that script exists;
* with ``--page``, ``latency.py /recurrent`` (the page's callbacks over HTTP) as well.

The load average is printed before each part: timings on a shared machine are noisy. Asserts nothing.

Run:  PYTHONPATH=src:. .venv/bin/python benchmarks/recurrent.py [--seeds 3] [--page]   (about 2 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["NEURALAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="nl-recurrent-bench-")  # train here, never the user's cache

import numpy as np  # noqa: E402

from neuralab.train.compare import compare  # noqa: E402

HERE = Path(__file__).resolve().parent
MEMORY = HERE / "recurrent_memory.py"  # the memory task's benchmark (another part of the page); run when present


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def sensor(seeds: int) -> None:
    print(f"# sensor task; load average {load()}, {os.cpu_count()} logical CPUs", flush=True)
    t = time.perf_counter()
    c = compare(seeds=tuple(range(seeds)))
    cold = time.perf_counter() - t
    t = time.perf_counter()
    compare(seeds=tuple(range(seeds)))
    warm = time.perf_counter() - t
    for a, arch in enumerate(c.archs):
        for key, values, unit, fmt in (("test_rmse", c.test_rmse_k[a], "K", ".2f"),
                                       ("train", c.train_s[a], "s", ".1f"),
                                       ("stream", c.latency_us[a], "us", ".0f")):
            print(f"sensor_{arch}_{key} {np.median(values):{fmt}} {unit}")
            print(f"#   seeds {', '.join(map(str, c.seeds))}: {' '.join(format(v, fmt) for v in values)}")
        print(f"sensor_{arch}_params {c.params[a]} parameters")
        print(f"sensor_{arch}_macs {c.macs[a]} MAC/sample")
        if c.diverged[a]:
            print(f"# {arch}: {c.diverged[a]}")
    print(f"sensor_compare_cold {cold:.1f} s")
    print(f"sensor_compare_warm {warm:.2f} s")
    print(f"# load average after {load()}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3, help="seeds 0 … n−1 per network (default 3)")
    ap.add_argument("--page", action="store_true", help="also time the page's callbacks (latency.py /recurrent)")
    args = ap.parse_args()
    sensor(args.seeds)
    failed = 0
    parts = [[str(MEMORY)]] if MEMORY.exists() else []
    if not parts:
        print(f"# {MEMORY.name} not found: the memory task's figures are not part of this run")
    if args.page:
        parts.append([str(HERE / "latency.py"), "/recurrent"])
    for part in parts:
        print(f"\n## {' '.join(Path(p).name if i == 0 else p for i, p in enumerate(part))}   "
              f"(load average before: {load()})", flush=True)
        failed += subprocess.call([sys.executable, *part]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
