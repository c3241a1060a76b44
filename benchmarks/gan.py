"""The figures of /gan: each preset's first (uncached) training, its verdict, and the light section's server time.

Prints one ``name value unit`` line per figure (comment lines start with ``#``):

* ``gan_<preset>_train`` (s): the wall time of the page's job for that preset on an empty cache (one torch thread),
  then ``gan_<preset>_modes`` (modes covered of 8) and ``gan_<preset>_quality`` (% high-quality points), with the
  verdict as a comment;
* ``gan_<preset>_cached`` (ms): the same job again, read from the cache;
* ``gan_curves_p50`` and ``gan_curves_p95`` (ms): the light section (the two generator losses at D(G(z))) called
  as its callback is, over every position of its slider.

The load average is printed first: timings on a shared machine are noisy. Asserts nothing.

Run:  PYTHONPATH=src:. .venv/bin/python benchmarks/gan.py   (about a minute on 2 cores)
"""

from __future__ import annotations

import os
import tempfile
import time

os.environ["NEURALAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="nl-gan-bench-")  # train here, never the user's cache

import numpy as np  # noqa: E402

from neuralab.app import create_app  # noqa: E402
from neuralab.train.gan import CURVES, GAN  # noqa: E402


def main() -> None:
    create_app()
    from neuralab.app.pages import gan as page

    print(f"# load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    names = ("default", "fast_d", "slow_d", "g_steps_4", "saturating")
    for name, (_, change) in zip(names, page.PRESETS, strict=True):
        values = {**GAN.defaults(), **change}
        t = time.perf_counter()
        run = page.run_train(values, lambda done, total: None)
        print(f"gan_{name}_train {time.perf_counter() - t:.2f} s")
        print(f"gan_{name}_modes {run.last.cover.n_covered} of 8")
        print(f"gan_{name}_quality {100 * run.last.cover.quality:.1f} %")
        print(f"# {name}: {run.verdict.sentence}")
        t = time.perf_counter()
        page.GAME.view(values)
        print(f"gan_{name}_cached {1e3 * (time.perf_counter() - t):.0f} ms")
    f = CURVES.fields["d_fake"]
    grid = np.round(np.arange(f.lo, f.hi + 1e-9, f.step), 2)
    page.CURVES_SECTION.answer({"d_fake": 0.5})  # the first call fills the curves' grid
    call = page.CURVES_SECTION.function()  # the callback's own function: drag value, then value
    times = []
    for x in grid:
        t = time.perf_counter()
        call(float(x), float(x))
        times.append(1e3 * (time.perf_counter() - t))
    print(f"gan_curves_p50 {np.percentile(times, 50):.2f} ms")
    print(f"gan_curves_p95 {np.percentile(times, 95):.2f} ms")


if __name__ == "__main__":
    main()
