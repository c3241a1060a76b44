"""Export as script: time to build each page's script and notebook, and wall time of running each default script.

For every page with sections: the time to build its default script and its notebook (in this process, pages
imported first), then the wall time of ``python <script> --light`` in a fresh subprocess (interpreter start and
imports included, as a user runs it), with a fresh ``NEURALAB_CACHE_DIR``. ``--full`` also runs each script
without ``--light`` (every background job; minutes on a busy machine). ``--sections`` times, for each page
whose sections are all heavy (or each page of ``--pages``), every section alone: ``python <script> --section KEY``
on a fresh cache (the reference network it needs trained too), then ``SECTION.view(defaults)`` in this process on
that cache (what ``tests/app/test_export_run.py`` adds per page; the cheapest is the one it runs). Prints
``name value unit`` lines and the totals. Asserts nothing. Run::

    PYTHONPATH=src .venv/bin/python benchmarks/export.py [--full] [--sections] [--pages /splits /fitting]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also run every script in full (background jobs)")
    parser.add_argument("--pages", nargs="*", help="only these paths")
    parser.add_argument("--sections", action="store_true",
                        help="only time each heavy section alone (pages whose sections are all heavy)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a section run is given up")
    args = parser.parse_args(argv)
    if args.sections:
        return sections(args.pages, args.timeout)

    from neuralab.app import create_app, export
    from neuralab.app.registry import built

    create_app()
    exports = []
    for page in built():
        if args.pages and page.path not in args.pages:
            continue
        t = time.perf_counter()
        got = export.build(page.path)
        if got is None:
            continue
        source = got.script()
        t_script = time.perf_counter() - t
        t = time.perf_counter()
        got.notebook()
        t_nb = time.perf_counter() - t
        print(f"build_script{page.path} {t_script * 1e3:.1f} ms")
        print(f"build_notebook{page.path} {t_nb * 1e3:.1f} ms")
        exports.append((page.path, got.name, source))
    modes = [("light", ["--light"])] + ([("full", [])] if args.full else [])
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": SRC, "NEURALAB_CACHE_DIR": str(Path(tmp) / "cache")}
        for mode, flags in modes:
            total = 0.0
            for path, name, source in exports:
                script = Path(tmp) / f"{name}.py"
                script.write_text(source)
                t = time.perf_counter()
                done = subprocess.run([sys.executable, str(script), "--out", str(Path(tmp) / name), *flags],
                                      env=env, capture_output=True, text=True, cwd=tmp)
                wall = time.perf_counter() - t
                total += wall
                ok = "" if done.returncode == 0 else f"  # exit {done.returncode}: {done.stderr.strip()[-200:]}"
                print(f"run_{mode}{path} {wall:.2f} s{ok}")
            print(f"run_{mode}_total {total:.1f} s")
    print(f"load_average {os.getloadavg()[0]:.2f} 1")
    return 0


def sections(pages: list[str] | None, timeout: float) -> int:
    """Each heavy section alone: its script run (``--section KEY``, fresh cache) and its view in this process."""
    import importlib

    from neuralab.app import create_app, export
    from neuralab.app.registry import built

    create_app()
    with tempfile.TemporaryDirectory() as tmp:
        for page in built():
            got = export.build(page.path) if not pages or page.path in pages else None
            if got is None:
                continue
            module = importlib.import_module(page.module)
            heavy = [s for s in export.sections(module) if s.job or s.needs is not None]
            if not pages and len(heavy) < len(export.sections(module)):
                continue
            script = Path(tmp) / f"{got.name}.py"
            script.write_text(got.script())
            for s in heavy:
                cache = Path(tmp) / f"cache-{got.name}-{s.key}"
                os.environ["NEURALAB_CACHE_DIR"] = str(cache)
                env = {**os.environ, "PYTHONPATH": SRC}
                t = time.perf_counter()
                try:
                    done = subprocess.run([sys.executable, str(script), "--out", str(Path(tmp) / "figures"),
                                           "--section", s.key], env=env, capture_output=True, text=True, cwd=tmp,
                                          timeout=timeout)
                    ok = "" if done.returncode == 0 else f"  # exit {done.returncode}: {done.stderr.strip()[-200:]}"
                except subprocess.TimeoutExpired:
                    print(f"section_script{page.path}#{s.key} >{timeout:.0f} s  # given up", flush=True)
                    continue
                print(f"section_script{page.path}#{s.key} {time.perf_counter() - t:.1f} s{ok}", flush=True)
                t = time.perf_counter()
                s.view(got.values)
                print(f"section_view{page.path}#{s.key} {time.perf_counter() - t:.1f} s", flush=True)
    print(f"load_average {os.getloadavg()[0]:.2f} 1")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
