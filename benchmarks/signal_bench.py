"""Throughput of the signal functions: vectorised Hampel against a per-window Python loop, and smoothing.

Prints one ``name value unit`` line per figure (comment lines start with ``#``):

* ``hampel_vectorised``: :func:`neuralab.signal.outliers.hampel` on 10^6 samples;
* ``hampel_python_loop``: the same definition computed one window at a time in Python
  (``np.median`` per window), timed on 10^5 samples when 10^6 would take longer than
  ``LOOP_BUDGET_S`` (the output says so), since throughput does not depend on length;
* ``hampel_speedup``: the ratio of the two throughputs (target: at least 50x);
* savgol (centred and causal) and the moving average on 10^6 samples, for scale;
* the same functions on a page-sized signal (4,000 samples), in milliseconds per call;
* :func:`pipeline_ablation`: /signal-pipeline's ablation table (variant, held-out RMSE mean ± std over the
  default seeds) and its first-run wall time;
* :func:`pipeline_light_controls`: the light sections of /signal-pipeline (one window through a stage, the
  normalizers) called 50 times each as the server calls them, p95 in ms (budget: 15 ms).

Each figure is the best of ``REPEATS`` runs (the loop: one run). Timings on a shared
machine are noisy; the load average is printed with them. Asserts nothing.

Run:  .venv/bin/python benchmarks/signal_bench.py [derivatives]   (derivatives: only /derivatives's figures)
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable

import numpy as np

from neuralab.signal import outliers, smooth

N = 1_000_000  # samples for the throughput figures
N_PAGE = 4_000  # a page-sized signal
WINDOW = 15  # Hampel and smoothing window, samples
N_SIGMAS = 3.0
REPEATS = 5
LOOP_BUDGET_S = 30.0  # longest the Python loop may run on N samples before we time it on fewer
LOOP_PROBE = 5_000  # samples timed first to predict the loop's cost


def best_of(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    """Shortest wall time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def hampel_loop(x: np.ndarray, window: int, n_sigmas: float) -> np.ndarray:
    """Plain per-window Python Hampel, with the same edges (point reflection) as the library."""
    n, h = len(x), window // 2
    padded = outliers.point_reflect(x, h)
    flags = np.zeros(n, dtype=bool)
    for i in range(n):
        w = padded[i : i + window]
        med = np.median(w)
        scale = outliers.MAD_TO_SIGMA * np.median(np.abs(w - med))
        flags[i] = abs(x[i] - med) > n_sigmas * scale
    return flags


def line(name: str, value: float, unit: str) -> None:
    print(f"{name} {value} {unit}" if isinstance(value, int) else f"{name} {value:.4g} {unit}")


def throughput() -> None:
    """Hampel (vectorised against a Python loop) and the smoothers, on 10^6 samples and on a page-sized signal."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=N)
    x[rng.choice(N, N // 100, replace=False)] += 8.0  # 1 % spikes
    print(f"# python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cpus, "
          f"load average {os.getloadavg()[0]:.2f}")

    t_vec = best_of(lambda: outliers.hampel(x, WINDOW, N_SIGMAS))
    line("hampel_vectorised_time", t_vec * 1e3, "ms")
    line("hampel_vectorised", N / t_vec, "samples/s")

    t_probe = best_of(lambda: hampel_loop(x[:LOOP_PROBE], WINDOW, N_SIGMAS), repeats=1)
    n_loop = N if t_probe * N / LOOP_PROBE <= LOOP_BUDGET_S else N // 10
    if n_loop < N:
        print(f"# the Python loop would take about {t_probe * N / LOOP_PROBE:.0f} s on {N:,} samples; "
              f"timed on {n_loop:,} samples instead")
    t0 = time.perf_counter()
    loop_flags = hampel_loop(x[:n_loop], WINDOW, N_SIGMAS)
    t_loop = time.perf_counter() - t0
    line("hampel_python_loop_samples", n_loop, "samples")
    line("hampel_python_loop_time", t_loop, "s")
    line("hampel_python_loop", n_loop / t_loop, "samples/s")
    line("hampel_speedup", (N / t_vec) / (n_loop / t_loop), "x")
    same = np.array_equal(loop_flags, outliers.hampel(x[:n_loop], WINDOW, N_SIGMAS))
    print(f"# loop and vectorised masks identical: {same}")

    for causal in (False, True):
        tag = "causal" if causal else "centred"
        t = best_of(lambda c=causal: smooth.savgol(x, WINDOW, 3, causal=c))
        line(f"savgol_{tag}_time", t * 1e3, "ms")
        line(f"savgol_{tag}", N / t, "samples/s")
        t = best_of(lambda c=causal: smooth.moving_average(x, WINDOW, causal=c))
        line(f"moving_average_{tag}", N / t, "samples/s")

    page = x[:N_PAGE]
    calls: dict[str, Callable[[], object]] = {
        "page_savgol": lambda: smooth.savgol(page, WINDOW, 3),
        "page_savgol_causal": lambda: smooth.savgol(page, WINDOW, 3, causal=True),
        "page_frequency_response": lambda: smooth.frequency_response(WINDOW, 3, 1000.0),
        "page_hampel": lambda: outliers.hampel(page, WINDOW, N_SIGMAS),
        "page_zscore": lambda: outliers.zscore(page, N_SIGMAS),
        "page_isolation_forest": lambda: outliers.isolation_forest(page, 0.05, seed=0),
        "page_lof": lambda: outliers.lof(page, 20, 0.05),
        "page_breakdown_demo": lambda: outliers.breakdown_demo(),
    }
    for name, fn in calls.items():
        line(name, best_of(fn, repeats=3 if "forest" in name else REPEATS) * 1e3, "ms")


def derivatives(repeats: int = 50) -> None:
    """/derivatives: the comparison table at the defaults, then the page's light controls timed in-process.

    ``derivative_<method>_*`` lines: error RMS, lag and noise at constant speed of each estimator at the
    defaults (1,024 counts, SG window 31, σ_w = 1e3, constant velocity). Then ``repeats`` random positions of
    the drag sliders (window, process noise) answered by both sections' ``view`` (library call and figures),
    a new encoder resolution answered by the comparison alone, and a new resolution's sweep (not cached).
    """
    from neuralab.app.pages import derivatives as page  # the app layer: only this figure needs it
    from neuralab.signal import derivative

    c = derivative.compare()
    print("# derivative comparison at the defaults: method, error RMS, lag, noise at constant speed")
    for e, key in zip(c.estimates, ("finite_difference", "savgol", "kalman"), strict=True):
        line(f"derivative_{key}_rms", e.metrics.rms * derivative.RPM, "rpm")
        line(f"derivative_{key}_lag", e.metrics.lag_s * 1e3, "ms")
        line(f"derivative_{key}_noise", e.metrics.noise * derivative.RPM, "rpm")
    rng = np.random.default_rng(0)
    base = page.SPEC.defaults()
    for s in page.SECTIONS:
        s.view(base)  # warm: imports, the profile and the default sweep
    bits_field = derivative.BITS
    timings: dict[str, list[float]] = {"drag_compare": [], "drag_tradeoff": [], "bits_compare": []}
    for _ in range(repeats):
        drag = {**base, "window": int(rng.choice(np.arange(5, 152, 2))),
                "process_noise": float(10 ** rng.uniform(0, 6))}
        for key, sec in (("drag_compare", page.COMPARE), ("drag_tradeoff", page.TRADEOFF)):
            t0 = time.perf_counter()
            sec.view(drag)
            timings[key].append(time.perf_counter() - t0)
        bits = {**base, "bits": int(rng.integers(bits_field.lo, bits_field.hi + 1))}
        t0 = time.perf_counter()
        page.COMPARE.view(bits)
        timings["bits_compare"].append(time.perf_counter() - t0)
    for key, ts in timings.items():
        line(f"derivatives_{key}_p50", float(np.percentile(ts, 50)) * 1e3, "ms")
        line(f"derivatives_{key}_p95", float(np.percentile(ts, 95)) * 1e3, "ms")
    print("# target: light controls p95 <= 15 ms")
    sweeps = []
    for bits in (6, 8, 12):
        derivative._tradeoff.cache_clear()  # a resolution the sweep has not seen
        t0 = time.perf_counter()
        derivative.tradeoff(bits)
        sweeps.append(time.perf_counter() - t0)
    line("derivatives_sweep_new_counts", float(np.median(sweeps)) * 1e3, "ms")
def pipeline_ablation() -> None:
    """The ablation of /signal-pipeline at the page's defaults: one line per variant, then the wall time."""
    from neuralab.signal import pipeline as sp

    t0 = time.perf_counter()
    a = sp.ablate(**sp.ABLATION.defaults())
    wall = time.perf_counter() - t0
    print(f"# ablation over seeds {a.seeds}, held-out RMSE of i_q in A (mean ± std over seeds)")
    for v in a.variants:
        mean, std = a.of(v)
        print(f"ablation_{v} {mean:.4f} A ± {std:.4f}")
    line("ablation_first_run_wall", wall, "s")


def pipeline_light_controls(n: int = 50) -> None:
    """p95 of the light sections' views over ``n`` calls each, a control moved every call (budget 15 ms)."""
    from neuralab.app.pages import signal_pipeline as page

    d = page.SPEC.defaults()
    page.STAGE.view(d), page.NORM.view(d)  # the log, the fitted pipeline and the features, cached once
    stages = [s for s, _ in page.sp.STAGE.options]
    for name, section, move in (
        ("stage_window", page.STAGE, lambda i: {**d, "window": i % 120}),
        ("stage_stage", page.STAGE, lambda i: {**d, "stage": stages[i % len(stages)]}),
        ("norm_feature", page.NORM, lambda i: {**d, "norm_feature": page.sp.NORM_FEATURE.options[i % 3][0]}),
    ):
        times = []
        for i in range(n):
            t0 = time.perf_counter()
            section.view(move(i))
            times.append(time.perf_counter() - t0)
        line(f"light_{name}_p95", float(np.percentile(times, 95)) * 1e3, "ms")


def main() -> None:
    throughput()
    pipeline_ablation()
    pipeline_light_controls()
    derivatives()


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["derivatives"]:  # `signal_bench.py derivatives` runs that part alone
        derivatives()
    else:
        main()
