"""The figures of the Advanced pages: one function per page, each printing ``name value unit`` lines.

* :func:`deep_networks` (/deep-networks): the page's job on an empty cache (the six networks of its default
  setting: plain and residual at 5, 20 and 50 blocks, batch norm, He, SGD + momentum, 15 epochs) and its wall
  time, each network's test accuracy; then the depth ladder 5–50 for that recipe and for no normalization at
  0.2 × He, and the deepest plain and residual network that still trains (test accuracy ≥ 80 %) in each.

Timings are one torch thread (as the server's jobs run) on a shared machine: the load average is printed first.
Asserts nothing.

Run:  PYTHONPATH=src:. .venv/bin/python benchmarks/advanced.py [--page deep-networks]   (a few minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ["NEURALAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="nl-advanced-bench-")  # never the user's cache

import torch  # noqa: E402


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def deep_networks() -> None:
    from neuralab.train import deep

    print(f"# /deep-networks: load average {load()}, {os.cpu_count()} logical CPUs", flush=True)
    t = time.perf_counter()
    c = deep.compare()  # the page's default job, uncached
    print(f"deep_networks_first_run {time.perf_counter() - t:.1f} s")
    for (depth, res), r in c.runs.items():
        kind = "residual" if res else "plain"
        print(f"deep_{kind}_{depth}_test_accuracy {r.test_acc:.4f} fraction")
    for label, kw in (("batch_he", {"norm": "batch", "scale": 1.0}), ("none_0.2he", {"norm": "none", "scale": 0.2}),
                      ("layer_he", {"norm": "layer", "scale": 1.0})):
        t = time.perf_counter()
        runs = deep.sweep(**kw)
        print(f"# ladder {label}: {time.perf_counter() - t:.1f} s; load average {load()}", flush=True)
        for (depth, res), r in runs.runs.items():
            print(f"deep_{label}_{'residual' if res else 'plain'}_{depth}_test_accuracy {r.test_acc:.4f} fraction")
        for res in (False, True):
            print(f"deep_{label}_deepest_{'residual' if res else 'plain'}_that_trains "
                  f"{deep.deepest(runs, res) or 0} blocks")


PAGES = {"deep-networks": deep_networks}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", choices=sorted(PAGES), action="append", help="only these pages (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in args.page or list(PAGES):
        PAGES[name]()
