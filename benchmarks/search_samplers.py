"""The race of Optuna's samplers on digits' measured landscape (24 × 24 cells, 3 seeds), N = 100 trials.

Run: ``.venv/bin/python benchmarks/search_samplers.py [repeats]``. Twice, side by side: a diverged cell
reported to Optuna as NaN (a failed trial, which its samplers ignore) and as the loss of a network that
learned nothing (a finite value they learn from). For each sampler: the
median over ``repeats`` seeds (default 10) of the trials it needed to come within 1 % and 5 % of the
measured optimum (regret ≤ 0.01 and ≤ 0.05; "not within 100" when the median seed never did), how
many of its trials landed in a diverged cell, and the wall time per trial, which is the time Optuna
spent suggesting (the objective is a table look-up). One thread, as a page's job runs. The landscape
is trained the first time (~20 s) and read from the disk cache after that. The races themselves are
not cached here: every run measures afresh.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import threadpoolctl
import torch

from neuralab.search import race
from neuralab.search.landscape import landscape

N = 100


def rows(repeats: int = 10, diverged: str = "fail") -> list[tuple[str, str, str, str, str]]:
    """(sampler, trials to 1 %, trials to 5 %, diverged trials, ms per trial) for every sampler."""
    threadpoolctl.threadpool_limits(1)
    torch.set_num_threads(1)
    r = race.run_race(landscape("digits"), N, repeats, diverged)
    out = []
    for a, name in enumerate(r.names):
        hit = [r.reach(level)[a] for level in race.THRESHOLDS]
        out.append((race.SAMPLERS[name].title, *(f"not within {N}" if np.isinf(h) else f"{h:g}" for h in hit),
                    f"{int(np.isnan(r.value[a]).sum())} of {repeats * N}",
                    f"{1e3 * float(np.median(r.seconds[a])):.2f}"))
    return out


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    head = ("sampler", "trials to 1 %", "trials to 5 %", "diverged", "ms per trial")
    for diverged in ("fail", "nothing"):
        t = time.perf_counter()
        table = rows(repeats, diverged)
        print(f"digits 24x24x3, N = {N}, median over {repeats} seeds, a diverged cell counts as: {diverged}")
        print("  ".join(f"{h:>20}" for h in head))
        for row in table:
            print("  ".join(f"{c:>20}" for c in row))
        print(f"race_total_{diverged} {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
