"""Timings of /gradient-descent: the optimizer race, the batch-size paths, the landscape slice, the callbacks.

Run: ``.venv/bin/python benchmarks/gradient_descent.py``. Prints ``name value unit`` lines.
"Cold" means the library's lru_cache does not hold the inputs yet (a new slider position);
"warm" is a repeat (the same view again, e.g. after Back). Library timings are one
thread, as the app runs them. The step slider and ▶ replay run in the browser and cost
no server time at all.
"""

from __future__ import annotations

import math
import statistics
import time

import threadpoolctl
import torch

from neuralab.app.pages import gradient_descent
from neuralab.train import descent, landscape, optimizers

ALL = ",".join(optimizers.OPTIMIZERS)
DEFAULT = descent.RACE.fields["opts"].default


def ms(fn, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def main() -> None:
    threadpoolctl.threadpool_limits(1)
    torch.set_num_threads(1)
    descent.race("bowl", -2.5, 2.0, 0.04, 20, "sgd")  # first-call imports inside torch.optim
    lr_k = iter(range(10_000))

    def fresh_lr() -> float:  # a learning rate the cache has not seen
        return 0.01 + 1e-6 * next(lr_k)

    for name, s in descent.SURFACES.items():
        x0, y0 = s.start
        t_def = ms(lambda n=name, x=x0, y=y0: descent.race(n, x, y, fresh_lr(), 200, DEFAULT), 3)
        t_all = ms(lambda n=name, x=x0, y=y0: descent.race(n, x, y, fresh_lr(), 300, ALL), 3)
        print(f"race_{name}_4opt_200steps_cold {t_def:.0f} ms")
        print(f"race_{name}_7opt_300steps_cold {t_all:.0f} ms")
    print(f"race_cached {ms(lambda: descent.race('bowl', -2.5, 2.0, 0.04, 200, DEFAULT), 20):.2f} ms")

    v = gradient_descent.RACE_SECTION.spec.defaults()
    lr_pos = math.log10(v["lr"])
    opts = v["opts"].split(",")
    # the callbacks as the browser calls them: slider positions in, every output drawn
    gradient_descent.update_race(v["surface"], v["x0"], v["y0"], lr_pos, v["steps"], opts)
    t = ms(lambda: gradient_descent.update_race(v["surface"], v["x0"], v["y0"], lr_pos, v["steps"], opts), 20)
    print(f"callback_race_view_warm {t:.1f} ms")
    t = ms(lambda: gradient_descent.update_race("ravine", -3.5, 1.5, math.log10(fresh_lr()), 200, opts), 5)
    print(f"callback_race_view_cold_default_opts {t:.0f} ms")
    t = ms(lambda: gradient_descent.update_race("ravine", -3.5, 1.5, math.log10(fresh_lr()), 300, ALL.split(",")), 3)
    print(f"callback_race_view_cold_worst_7opt_300steps {t:.0f} ms")
    click = {"points": [{"x": 1.0, "y": 1.0}]}
    start = ms(lambda: gradient_descent.start_from('gradient-descent-race', click, 'bowl', 0, 0), 200)
    print(f"callback_set_start {start * 1e3:.1f} us")

    b = [math.log10(0.05), 16, 100, 0]
    t_cold = ms(lambda: descent.batch_paths(0.05, 16, 100, next(lr_k) % 9000 + 1), 3)
    print(f"batch_paths_100_updates_cold {t_cold:.0f} ms")
    t_cold = ms(lambda: descent.batch_paths(0.05, 16, 300, next(lr_k) % 9000 + 1), 3)
    print(f"batch_paths_300_updates_cold {t_cold:.0f} ms")
    gradient_descent.update_batch(*b)
    print(f"callback_batch_view_warm {ms(lambda: gradient_descent.update_batch(*b), 20):.1f} ms")

    for dirs in landscape.DIRECTIONS:
        for epochs in (20, 40):
            landscape._trained.cache_clear()
            t = ms(lambda d=dirs, e=epochs: landscape.landscape(d, e, 0))
            print(f"landscape_{dirs}_{epochs}epochs_wall {t:.0f} ms")
    t = ms(lambda: gradient_descent.LANDSCAPE_SECTION.view(dict(ls_dirs="random", ls_epochs=20, seed=1)), 1)
    print(f"callback_landscape_view_cold_in_process {t:.0f} ms")


if __name__ == "__main__":
    main()
