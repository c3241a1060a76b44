"""Wall time of every heavy run on /regularization, and server time of its light callbacks.

Prints one ``name value unit`` line per figure (comment lines start with ``#``):

* ``run_<kind>``: one training of the wide MLP with that penalty (best of ``REPEATS``, cold caches);
* ``job_<name>_cold``: each of the four background jobs on empty caches, called in-process as the job
  process calls it (library caches cleared first, so every network is trained);
* ``job_<slider>_move``: the job after a slider release, in a fresh process: the runs stored on disk by
  the first load are read back, only the new value's networks are trained;
* ``light_<callback>``: the marker-moving callbacks that follow a slider drag (median of 200 calls);
* ``warm_<callback>``: a heavy callback again on warm library caches (figure building only).

Timings on a shared machine are noisy; the load average is printed with them. Asserts nothing.

Run:  .venv/bin/python benchmarks/regularization.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable

os.environ["NEURALAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="nl-reg-bench-")  # never touch the user's cache

import torch  # noqa: E402

from neuralab import cache  # noqa: E402
from neuralab.app.pages import regularization  # noqa: E402
from neuralab.train import regularize  # noqa: E402

REPEATS = 3
LIGHT_CALLS = 200


def _clear() -> None:
    """Forget every finished run: the in-process caches and the disk store (a temporary directory here)."""
    for fn in (regularize._train_penalty, regularize._train_dropout, regularize._decay_run, regularize._stop_run):
        fn.cache_clear()
    shutil.rmtree(cache.root() / "regularize", ignore_errors=True)


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    torch.set_num_threads(1)
    print(f"# load average {os.getloadavg()[0]:.2f}, torch threads {torch.get_num_threads()}")
    regularize.train_penalty("none", 0.01, 0.5, 1)  # pay torch's first-optimizer import once, outside the timings
    for kind in regularize.KINDS:
        best = min(_timed(lambda k=kind: (_clear(), regularize.train_penalty(k, 0.01, 0.5, 0))) for _ in range(REPEATS))
        print(f"run_{kind} {best:.3f} s")
    best = min(_timed(lambda: (_clear(), regularize.train_dropout(0.5, 0))) for _ in range(REPEATS))
    print(f"run_dropout_p0.5 {best:.3f} s")
    jobs = {  # the page's four background jobs, as a page load starts them
        "penalties": lambda: regularization.PENALTY_JOB.view(dict(lam=0.01, alpha=0.5, seed=0)),
        "dropout": lambda: regularization.DROPOUT_JOB.view(dict(p=0.5, seed=0)),
        "decay": lambda: regularization.ADAMW.view(dict(decay=0.1, seed=0)),
        "stopping": lambda: regularization.STOP.view(dict(patience=5, label_noise=20, seed=0)),
    }
    for name, job in jobs.items():
        _clear()
        print(f"job_{name}_cold {_timed(job):.3f} s")
    # after a release, in a new job process: nothing in memory, the sweeps' runs on disk, the new value's not
    for name, first, moved in (("lam_move", jobs["penalties"],
                                lambda: regularization.PENALTY_JOB.view(dict(lam=10**-1.75, alpha=0.5, seed=0))),
                               ("p_move", jobs["dropout"],
                                lambda: regularization.DROPOUT_JOB.view(dict(p=0.3, seed=0))),
                               ("patience_move", jobs["stopping"],
                                lambda: regularization.STOP.view(dict(patience=6, label_noise=20, seed=0)))):
        _clear()
        first()
        for fn in (regularize._train_penalty, regularize._train_dropout, regularize._decay_run, regularize._stop_run):
            fn.cache_clear()
        print(f"job_{name} {_timed(moved):.3f} s")
    for name, job in jobs.items():  # warm: every run is in memory now, only the figures are built
        job()
        print(f"warm_{name} {1000 * _timed(job):.1f} ms")
    for name, call in (("lam_marker", lambda: regularization.lam_marker(-2.25, "drawn")),
                       ("p_marker", lambda: regularization.p_marker(0.3, "drawn"))):
        times = [_timed(call) for _ in range(LIGHT_CALLS)]
        print(f"light_{name} {1000 * statistics.median(times):.3f} ms")
    print(f"# load average {os.getloadavg()[0]:.2f}")
    shutil.rmtree(cache.root(), ignore_errors=True)


if __name__ == "__main__":
    main()
