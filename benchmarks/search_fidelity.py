"""Epochs that ASHA, Hyperband and the median rule spend against no pruning, on the larger search space (digits).

For each seed, the same grouped multivariate TPE search (``neuralab.search.fidelity.pruners``)
runs with each pruner over the same number of trials. Per seed and arm it prints:

* ``<arm>_epochs``: epochs trained by all trials together;
* ``<arm>_to_target``: epochs spent until the first complete trial reached the target, the
  best final validation loss every arm of that seed reached;
* ``<arm>_speedup``: no pruning's epochs to the target over the arm's;
* ``<arm>_best``: the arm's best final validation loss, and ``<arm>_unpruned_best_at_same_epochs``:
  the unpruned search's best within as many epochs as the arm spent in all (equal cost).

Then the median, minimum and maximum of each speed-up and of each total saving over seeds.
Studies are in memory and the disk cache points at a fresh temporary directory, so every
trial is really trained. The load average is printed: other work on the machine slows the
run but changes no epoch count.

Run:  .venv/bin/python benchmarks/search_fidelity.py [--seeds 5] [--trials 30] [--epochs 9]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np


def rows(seeds: int = 5, trials: int = 30, epochs: int = 9, dataset: str = "digits") -> list[tuple[str, float, str]]:
    """``(name, value, unit)`` for every seed and arm, then the spread over seeds."""
    from neuralab.search.fidelity import PRUNERS, pruners

    out: list[tuple[str, float, str]] = []
    speed, saving = [], []
    for seed in range(seeds):
        t0 = time.perf_counter()
        pr = pruners(dataset, trials, epochs, seed)
        out.append((f"seed{seed}_wall", time.perf_counter() - t0, "s"))
        out.append((f"seed{seed}_target", pr.target, "val_loss"))
        need, sp, sv, same = pr.epochs_to_target(), pr.speedup(), pr.saving(), pr.unpruned_within()
        for k, arm in enumerate(pr.arms):
            out += [(f"seed{seed}_{arm.pruner}_epochs", arm.total, "epochs"),
                    (f"seed{seed}_{arm.pruner}_unpruned_best_at_same_epochs", same[k], "val_loss"),
                    (f"seed{seed}_{arm.pruner}_to_target", need[k], "epochs"),
                    (f"seed{seed}_{arm.pruner}_speedup", sp[k], "x"),
                    (f"seed{seed}_{arm.pruner}_best", arm.best, "val_loss")]
        speed.append(sp)
        saving.append(sv)
    speed_a, saving_a = np.array(speed), np.array(saving)
    for k, name in enumerate(PRUNERS):
        if k == 0:
            continue
        for what, a in (("speedup_to_target", speed_a[:, k]), ("total_saving", saving_a[:, k])):
            out += [(f"{name}_{what}_median", float(np.median(a)), "x"), (f"{name}_{what}_min", float(a.min()), "x"),
                    (f"{name}_{what}_max", float(a.max()), "x")]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--trials", type=int, default=30)
    ap.add_argument("--epochs", type=int, default=9)
    ap.add_argument("--dataset", default="digits")
    args = ap.parse_args()
    print(f"# load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.trials} trials of up to "
          f"{args.epochs} epochs on {args.dataset}, {args.seeds} seeds")
    with tempfile.TemporaryDirectory(prefix="neuralab-bench-fidelity-") as cache:
        os.environ["NEURALAB_CACHE_DIR"] = cache
        for name, value, unit in rows(args.seeds, args.trials, args.epochs, args.dataset):
            print(f"{name} {value:.4g} {unit}", flush=True)
    print(f"# load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
