"""The figures of /rbf-network: the race against an MLP per set and activation, and the light fit's latency.

Prints one ``name value unit`` line per figure (comment lines start with ``#``):

* for each set (``reg_gauss``, ``reg_plane``, ``motor``) and MLP activation (tanh, ReLU), k = 12, seed 0:
  ``race_<set>_<act>_cold`` (s, the whole job on an empty cache), then per model (``rbf`` two-stage,
  ``learned`` every parameter by Adam, ``mlp``) its training time (s), error inside the training range and
  beyond the cut (root mean square, target unit) and R² inside;
* ``fit_view_p50`` and ``fit_view_p95`` (ms): the light section's whole answer (library call and figures),
  in this process on one BLAS thread, over 200 random valid settings with the k-means centres already kept;
  ``fit_view_cold`` (ms): the first answer for a new centre count;
* with ``--page``, ``latency.py /rbf-network`` (the page's callbacks over HTTP) as well.

The load average is printed first: timings on a shared machine are noisy. Asserts nothing.

Run:  PYTHONPATH=src:. .venv/bin/python benchmarks/rbf_network.py [--page]   (about a minute on 2 cores)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["NEURALAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="nl-rbf-bench-")  # train here, never the user's cache

import numpy as np  # noqa: E402
import threadpoolctl  # noqa: E402

from neuralab.app.pages import rbf_network as page  # noqa: E402
from neuralab.train import rbf  # noqa: E402

KEYS = ("rbf", "learned", "mlp")


def race() -> None:
    for dataset in rbf.DATASETS:
        for act in ("tanh", "relu"):
            t0 = time.perf_counter()
            c = rbf.compare(dataset, 12, act, 0)
            name = f"race_{dataset}_{act}"
            print(f"{name}_cold {time.perf_counter() - t0:.2f} s", flush=True)
            unit = c.y_unit or "1"
            for key, m in zip(KEYS, c.models, strict=True):
                print(f"{name}_{key}_train {m.train_s:.4f} s")
                print(f"{name}_{key}_rmse_inside {m.rmse_inside:.4g} {unit}")
                print(f"{name}_{key}_rmse_outside {m.rmse_outside:.4g} {unit}")
                print(f"{name}_{key}_r2_inside {m.r2_inside:.4f} 1")


def light(n: int = 200) -> None:
    rng = np.random.default_rng(0)
    spec = page.FIT
    base = spec.defaults()
    page.FIT_SECTION.view(base)
    t0 = time.perf_counter()
    page.FIT_SECTION.view({**base, "centres": 37})
    print(f"fit_view_cold {(time.perf_counter() - t0) * 1e3:.1f} ms")
    for k in range(2, 61):  # keep every centre count's k-means, as a warm server has
        page.FIT_SECTION.view({**base, "centres": k})
    rules = [k for k, _ in spec.fields["rule"].options]
    times = []
    for _ in range(n):
        v = {**base, "dataset": str(rng.choice(list(rbf.DATASETS))), "centres": int(rng.integers(2, 61)),
             "rule": str(rng.choice(rules)),
             "width": float(10 ** rng.uniform(-1, 1)), "ridge": float(10 ** rng.uniform(-9, 1)),
             "slice_y": float(rng.integers(-10, 11) / 2)}
        page.FIT_SECTION.view(v)  # this set's k-means and data, once: a warm server has them
        t0 = time.perf_counter()
        page.FIT_SECTION.view(v)
        times.append((time.perf_counter() - t0) * 1e3)
    print(f"fit_view_p50 {np.percentile(times, 50):.2f} ms")
    print(f"fit_view_p95 {np.percentile(times, 95):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="store_true", help="also run latency.py /rbf-network")
    args = parser.parse_args()
    print(f"# load average {os.getloadavg()}", flush=True)
    threadpoolctl.threadpool_limits(1)  # as the server runs
    race()
    light()
    if args.page:
        subprocess.run([sys.executable, str(Path(__file__).with_name("latency.py")), "/rbf-network"], check=False)


if __name__ == "__main__":
    main()
