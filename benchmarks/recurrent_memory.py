"""How far back each recurrent cell learns: the largest T at which it beats chance on the adding problem.

For seeds 0, 1 and 2 (``--seeds``), trains the vanilla RNN, the LSTM and the GRU at every length of
``neuralab.train.memory.SWEEP`` with the page's budget (16 units, 1,000 sequences, 600 Adam updates,
clipping at 1), on an empty cache, one torch thread. Prints ``memory_<cell>_largest_T`` (the median
over seeds of the largest T whose test MSE is below half the chance level of 1/6), each seed's value
in a comment, ``memory_<cell>_mse_T<t>`` (median test MSE at each T), ``memory_<cell>_train_s`` (median
seconds per training) and ``memory_sweep_s`` (the whole run). Asserts nothing.

Run:  PYTHONPATH=src:. .venv/bin/python benchmarks/recurrent_memory.py [--seeds 3]   (about 2 minutes a seed on 2 cores)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    os.environ["NEURALAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="neuralab-bench-memory-")
    import torch

    from neuralab.nn.recurrent import RECURRENT
    from neuralab.train import memory

    torch.set_num_threads(1)
    print(f"# adding problem; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"{os.cpu_count()} logical CPUs; T in {memory.SWEEP}", flush=True)
    t0 = time.perf_counter()
    sweeps = [memory.sweep(seed) for seed in range(args.seeds)]
    total = time.perf_counter() - t0
    for k in RECURRENT:
        largest = [s.largest(k) for s in sweeps]
        print(f"# {k}: largest T per seed {largest}")
        print(f"memory_{k}_largest_T {statistics.median(largest):g} steps")
        for i, t in enumerate(memory.SWEEP):
            print(f"memory_{k}_mse_T{t} {statistics.median(s.test_mse[k][i] for s in sweeps):.4g} mse")
        secs = [memory.at_length(t, seed)[k].seconds for seed in range(args.seeds) for t in memory.SWEEP]
        print(f"memory_{k}_train_s {statistics.median(secs):.2f} s")
    print(f"memory_sweep_s {total:.1f} s")
    print(f"# load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
