"""Timings of the learning-rate page: each heavy run, and the server time of the light callback.

Prints one ``name value unit`` line per figure (comment lines start with ``#``):

* ``compare_*``, ``range_test_*``, ``scaling_*``: wall time of one cold run of each heavy
  experiment at the page's defaults (in-memory cache cleared first), one thread, as the
  background job computes it;
* ``*_cpu``: the CPU time of the same run (one thread), a fairer figure when the load average is high;
* ``compare_per_schedule_100_epochs``: the comparison's time divided by its nine runs;
* ``curve_callback_cold_*``: :func:`neuralab.app.pages.learning_rate.update_curve` (validate,
  read the schedule back from torch, build the figure and the summary) for a length not
  seen before, the slowest schedule at the longest run (200 epochs);
* ``curve_callback_warm_p50`` / ``_p95`` / ``_max``: the same callback over a drag of the LR slider
  across its whole range at every schedule, after one pass has warmed the curve cache;
* ``curve_figure_only``: the figure and summary builders alone.

Timings on a shared machine are noisy; the load average is printed with them. Asserts nothing.

Run:  .venv/bin/python benchmarks/learning_rate.py
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np
import torch

from neuralab.app.pages import learning_rate
from neuralab.plots import learning_rate as figures
from neuralab.train import lr
from neuralab.train.schedules import SCHEDULES

CPU: dict[str, float] = {}  # CPU seconds of the last timed call: nearer an idle core's wall time under load


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    t, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    CPU["last"] = time.process_time() - c
    return time.perf_counter() - t, out


def main() -> None:
    torch.set_num_threads(1)
    print(f"# load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    timed(lr.curve, "constant", 0.01, 10)  # torch's first optimizer pays its imports (~2 s) once per process
    d = lr.COMPARE.defaults()
    lr._CACHE.clear()
    s, _ = timed(lr.compare, d["lr"], d["epochs"], d["optimizer"], d["seed"])
    print(f"compare_9_schedules_{d['epochs']}_epochs {s:.2f} s")
    print(f"compare_9_schedules_{d['epochs']}_epochs_cpu {CPU['last']:.2f} s")
    print(f"compare_per_schedule_{d['epochs']}_epochs {s / len(SCHEDULES):.3f} s")
    s, _ = timed(lr.compare, d["lr"], d["epochs"], "adam", d["seed"])
    print(f"compare_9_schedules_{d['epochs']}_epochs_adam {s:.2f} s")
    print(f"compare_9_schedules_{d['epochs']}_epochs_adam_cpu {CPU['last']:.2f} s")
    r = lr.RANGE.defaults()
    s, rt = timed(lr.range_test, r["optimizer"], r["steps"], r["seed"])
    print(f"range_test_and_3_checks_{r['steps']}_steps {s:.2f} s")
    print(f"range_test_and_3_checks_{r['steps']}_steps_cpu {CPU['last']:.2f} s")
    print(f"# range test stopped after {len(rt.lrs)} mini-batches; suggested {rt.suggested:.3g}, "
          f"steepest {rt.steepest:.3g}")
    c = lr.SCALING.defaults()
    s, _ = timed(lr.scaling, c["base_lr"], c["scale_epochs"], c["seed"])
    print(f"scaling_14_runs_{c['scale_epochs']}_epochs {s:.2f} s")
    print(f"scaling_14_runs_{c['scale_epochs']}_epochs_cpu {CPU['last']:.2f} s")
    s, _ = timed(lr.compare, d["lr"], d["epochs"], d["optimizer"], d["seed"])
    print(f"compare_cached {s * 1e3:.3f} ms")

    learning_rate.update_curve("cosine", None, -2.0, None, 10)  # the first figure a process builds pays plotly's set-up
    for name in ("one_cycle", "warmup_cosine", "plateau"):
        s, _ = timed(learning_rate.update_curve, name, None, -2.0, None, 200)
        print(f"curve_callback_cold_{name}_200_epochs {s * 1e3:.2f} ms")
    positions = np.round(np.arange(-4.0, 0.0001, 0.1), 1)
    for name in SCHEDULES:  # warm the cache as a first drag would
        for x in positions:
            learning_rate.update_curve(name, float(x), -2.0, None, 100)
    times = []
    for name in SCHEDULES:
        for x in positions:
            s, _ = timed(learning_rate.update_curve, name, float(x), -2.0, None, 100)
            times.append(s)
    print(f"curve_callback_warm_p50 {statistics.median(times) * 1e3:.2f} ms")
    print(f"curve_callback_warm_p95 {np.percentile(times, 95) * 1e3:.2f} ms")
    print(f"curve_callback_warm_max {max(times) * 1e3:.2f} ms")
    cur = lr.curve("cosine", 0.01, 200)
    s = min(timed(lambda: (figures.curve_figure(cur), figures.describe_curve(cur)))[0] for _ in range(20))
    print(f"curve_figure_only {s * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
