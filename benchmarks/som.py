"""The figures of /som: each data set's map at the page's defaults, fitted on an empty cache, then read back.

Prints one ``name value unit`` line per figure (comment lines start with ``#``), per data set
(``motor``, ``digits``): ``som_<data>_first`` (s, wall time of the page's job call ``train`` on an empty
cache: the fit, k-means and the measures), ``som_<data>_fit`` (s, the fit alone), ``som_<data>_cached``
(ms, the same call answered from disk), ``som_<data>_qe_train`` / ``_qe_test`` (quantization error),
``som_<data>_te_train`` / ``_te_test`` (topographic error, %), ``som_<data>_kmeans_qe`` and, for digits,
``som_digits_accuracy`` (%, the map used as a classifier). Then ``som_<data>_sweep`` (s, the map-size
sweep on an empty cache, reusing nothing) with ``--sweep``.

The step slider of the unfolding is replayed in the browser: it sends no request, so it has no server time.
The load average is printed first: timings on a shared machine are noisy. Asserts nothing.

Run:  PYTHONPATH=src:. .venv/bin/python benchmarks/som.py [--sweep]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ["NEURALAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="nl-som-bench-")  # fit here, never the user's cache

from neuralab.train import som  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="also time the map-size sweep")
    args = parser.parse_args()
    print(f"# load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    d = som.MAP.defaults()
    for data in som.DATASETS:
        call = (data, d["som_rows"], d["som_cols"], d["som_epochs"], d["som_alpha"], d["som_sigma"], d["som_seed"])
        som.dataset(data)  # the data itself is not the map's cost
        t0 = time.perf_counter()
        m = som.train(*call)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        som.train(*call)
        cached = time.perf_counter() - t0
        print(f"# {data}: {d['som_rows']} × {d['som_cols']} map, {d['som_epochs']} epochs, "
              f"{len(m.data.X_train)} training and {len(m.data.X_test)} held-out samples")
        print(f"som_{data}_first {first:.2f} s")
        print(f"som_{data}_fit {m.seconds:.2f} s")
        print(f"som_{data}_cached {1000 * cached:.1f} ms")
        print(f"som_{data}_qe_train {m.qe_train:.4f}")
        print(f"som_{data}_qe_test {m.qe_test:.4f}")
        print(f"som_{data}_te_train {100 * m.te_train:.2f} %")
        print(f"som_{data}_te_test {100 * m.te_test:.2f} %")
        print(f"som_{data}_kmeans_qe {m.kmeans_qe:.4f}")
        if m.accuracy is not None:
            print(f"som_{data}_accuracy {100 * m.accuracy:.1f} %")
        if args.sweep:
            t0 = time.perf_counter()
            som.size_sweep(data, d["som_seed"])
            print(f"som_{data}_sweep {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
