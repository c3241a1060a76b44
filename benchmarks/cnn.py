"""The figures of /cnn: first (uncached) training, test accuracies, and the light sections' server time.

Prints one ``name value unit`` line per figure (comment lines start with ``#``):

* ``cnn_train_cold`` and ``mlp_train_cold`` (s): the zoo's CNN and reference MLP trained on an empty cache,
  one torch thread; ``cnn_test_accuracy``, ``mlp_test_accuracy`` and their parameter counts;
* ``sharing_cold`` (s): the page's job (every MLP of the family trained), then each MLP's accuracy and
  parameters, and the narrowest MLP width that reaches the CNN's accuracy;
* ``spike_cnn_train_cold`` (s), the 1-D detector's precision and recall at 0.5 and the Hampel filter's, on
  the four test cycles;
* ``light_<section>_p50`` and ``_p95`` (ms): each light section's callback called in process, as the server
  calls it, over ``--n`` random valid settings (figures and captions built; no HTTP).

The load average is printed before each part: timings on a shared machine are noisy. Asserts nothing.

Run:  PYTHONPATH=src:. .venv/bin/python benchmarks/cnn.py [--n 200]   (about a minute on 2 cores)
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time

os.environ["NEURALAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="nl-cnn-bench-")  # train here, never the user's cache

import numpy as np  # noqa: E402
import torch  # noqa: E402

from neuralab.params import Bool, Choice, Int  # noqa: E402


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def training() -> None:
    from neuralab.compress import zoo
    from neuralab.nn.models import n_params

    print(f"# first training; load average {load()}, {os.cpu_count()} logical CPUs", flush=True)
    for name in ("cnn", "mlp"):
        t = time.perf_counter()
        tr = zoo.load(name)
        print(f"{name}_train_cold {time.perf_counter() - t:.1f} s")
        print(f"{name}_test_accuracy {tr.accuracy:.4f} fraction")
        print(f"{name}_params {n_params(tr.model)} parameters")


def sharing() -> None:
    from neuralab.app.pages import cnn_filters
    from neuralab.train import cnn

    print(f"# the weight-sharing job; load average {load()}", flush=True)
    t = time.perf_counter()
    sh = cnn.sharing(cnn_filters.nets(), 1)
    print(f"sharing_cold {time.perf_counter() - t:.1f} s")
    for w in sh.widths:
        r = next(r for r in sh.runs if r.width == w)
        print(f"mlp_64_{w}_10_test_accuracy {r.accuracy:.4f} fraction")
        print(f"mlp_64_{w}_10_params {r.params} parameters")
        print(f"mlp_64_{w}_10_train {r.seconds:.1f} s")
    print(f"matched_width {sh.matched if sh.matched is not None else 'none'} units")
    i0 = cnn.SHIFTS.index(0)
    for name, grid in (("cnn", sh.grid_cnn), ("mlp", sh.grid_mlp)):
        print(f"{name}_accuracy_shift_right_1 {grid[i0, i0 + 1]:.4f} fraction")
        print(f"{name}_accuracy_shift_right_2 {grid[i0, i0 + 2]:.4f} fraction")


def detector() -> None:
    from neuralab.signal import spikes

    print(f"# the 1-D spike detector; load average {load()}", flush=True)
    t = time.perf_counter()
    d = spikes.train()
    print(f"spike_cnn_train_cold {time.perf_counter() - t:.1f} s")
    print(f"spike_cnn_params {d.params} parameters")
    for name, flags in (("spike_cnn", d.prob > 0.5), ("hampel", d.hampel)):
        p, r, _, fp, _ = spikes.scores(flags, d.spike)
        print(f"{name}_precision {p:.4f} fraction")
        print(f"{name}_recall {r:.4f} fraction")
        print(f"{name}_false_alarms {fp} samples")


def _draw(f, rng: random.Random):
    if isinstance(f, Choice):
        return rng.choice([v for v, _ in f.options])
    if isinstance(f, Bool):
        return rng.random() < 0.5
    if isinstance(f, Int):
        return rng.randrange(f.lo, f.hi + 1, f.step)
    return f.default


def light(n: int) -> None:
    from neuralab.app import create_app
    from neuralab.app.pages import cnn as page

    create_app()
    torch.set_num_threads(1)  # as the server runs
    print(f"# light sections, {n} random valid settings each; load average {load()}", flush=True)
    rng = random.Random(0)
    for section in page.SECTIONS:
        if section.job:
            continue
        spec = section.spec
        times = []
        for i in range(n + 5):
            values = {name: _draw(f, rng) for name, f in spec.fields.items()}
            if spec.check(values)[1]:
                values = spec.defaults()
            t = time.perf_counter()
            section.view(values)
            if i >= 5:  # the first few warm caches up
                times.append((time.perf_counter() - t) * 1e3)
        print(f"light_{section.key}_p50 {np.percentile(times, 50):.1f} ms")
        print(f"light_{section.key}_p95 {np.percentile(times, 95):.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="random settings per light section")
    args = ap.parse_args()
    torch.set_num_threads(1)
    training()
    sharing()
    detector()
    light(args.n)


if __name__ == "__main__":
    main()
