"""Wall time of the pruning and distillation pages' heavy runs, and dense against sparse against structured latency.

Prints ``name value unit`` lines (comments start with ``#``):

* ``*_s``: wall time of each background computation on warm reference models (the zoo's
  disk cache), one thread, process caches cleared first;
* ``latency_<model>_<sparsity>_<variant>_{one,batch}_us``: median forward time of the dense network,
  the unstructured-pruned one (zeros in dense matrices), the same as torch CSR (``torch.sparse.mm``)
  and the structurally pruned one cut down to smaller dense matrices, for 1 sample and a batch of
  ``prune_effects.BATCH``; ``*_speedup`` is dense time over variant time (batch).

Timings on a shared machine are noisy; the load average is printed.

Run:  .venv/bin/python benchmarks/pruning.py
"""

from __future__ import annotations

import os
import time

import torch

from neuralab.compress import distill, prune_effects, zoo

torch.set_num_threads(1)


def timed(name: str, fn) -> object:
    t0 = time.perf_counter()
    out = fn()
    print(f"{name} {time.perf_counter() - t0:.3f} s", flush=True)
    return out


def main() -> None:
    print(f"# load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for name in ("mlp", "teacher", "student"):
        zoo.load(name, 0)  # train once if the disk cache is empty (not timed)
    distill._teacher()
    timed("snapshot_mlp_50_cold", lambda: prune_effects.snapshot("mlp", 50, "unstructured", 0))
    timed("schedules_mlp_80_s", lambda: prune_effects.schedules("mlp", 80, "unstructured", 0))
    timed("sweep_mlp_s", lambda: prune_effects.sweep("mlp", 0))
    timed("lottery_mlp_s", lambda: prune_effects.lottery("mlp", 0))
    timed("footprint_mlp_50_s", lambda: prune_effects.footprint("mlp", 50, 0))
    timed("schedules_teacher_80_s", lambda: prune_effects.schedules("teacher", 80, "unstructured", 0))
    distill._run.cache_clear()
    timed("distill_compare_cold_s", lambda: distill.compare(4.0, 0.5))
    timed("distill_compare_hard_cached_s", lambda: distill.compare(6.0, 0.9))
    for model in ("mlp", "teacher"):
        for sparsity in (50, 90):
            fp = prune_effects.footprint(model, sparsity, 0, repeats=400)
            for i, variant in enumerate(("dense", "zeros", "csr", "structured")):
                stem = f"latency_{model}_{sparsity}_{variant}"
                print(f"{stem}_one_us {fp.latency_one[i] * 1e6:.1f} us")
                print(f"{stem}_batch_us {fp.latency_batch[i] * 1e6:.1f} us")
                print(f"{stem}_speedup {fp.latency_batch[0] / fp.latency_batch[i]:.2f} x")
                print(f"bytes_{model}_{sparsity}_{variant} {int(fp.bytes[i])} B")


if __name__ == "__main__":
    main()
