"""Load test: simulated learners (Locust) against the production server, at 25, 50 and 100 at once.

For each number of learners: starts ``neuralab serve --workers N`` (gunicorn) on a free port of
127.0.0.1 with an empty ``NEURALAB_CACHE_DIR`` of its own, runs Locust headless against it
(:mod:`locustfile`: learners that open pages, drag sliders, start and poll jobs, switch pages and
close tabs), samples the server every second, and stops it by its PID. Prints one line per figure
(``name value unit``); ``--markdown PATH`` also writes a table.

Figures per level (prefix ``uN_``): requests per second; n, p50/p95/p99 per request kind; 5xx and
other failures; the job queue (jobs waiting and running, sampled from the slot locks every
second; jobs refused with a "busy" sentence, read from the answers, by reason; every other
outcome, failed jobs among them); the learners' actions actually done; the server's memory (RSS
summed over its process tree, and over the gunicorn processes alone, each as the max of the first
and of the second half of the run); the cache directory's size against the job cache's cap; the
load average and the load generator's CPU.

Statistics are reset once every learner has started (``--reset-stats``), so they cover
``--duration`` seconds with all of them at work. The goal the issue set: at 100 learners,
``light`` p95 <= 100 ms and no 5xx.

Run:  .venv/bin/python benchmarks/load/run.py [--users 25 50 100] [--duration 180] [--workers 4]
      (or ``make load``; about 4 minutes per level with the defaults)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository root, for tests.devserver
sys.path.insert(0, str(HERE))
import catalog  # noqa: E402
import learner  # noqa: E402
from tests.devserver import LabServer  # noqa: E402

LEVELS = (25, 50, 100)
DURATION_S = 180  # measured seconds per level, every learner started
SPAWN_S = 10  # seconds over which the learners of a level start
WORKERS = 4  # gunicorn worker processes (2 per core on the 2-core machines these runs are for)
GOAL_LIGHT_P95_MS = 100.0
MB = 2**20


# --------------------------------------------------------------------------- sampling the server


def _slot_inodes(slots: Path) -> dict[int, str]:
    out = {}
    for path in slots.glob("*.lock") if slots.is_dir() else ():
        try:
            out[path.stat().st_ino] = path.name
        except OSError:
            pass
    return out


def held_slots(slots: Path) -> Counter:
    """Slot files locked right now, by kind ("global": running jobs, "waiting": queued ones), from /proc/locks."""
    names = _slot_inodes(slots)
    held: Counter = Counter()
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return held
    for line in lines:
        parts = line.split()
        if len(parts) < 6 or parts[1] == "->" or parts[1] != "FLOCK":
            continue
        name = names.get(int(parts[5].rsplit(":", 1)[-1]))
        if name:
            held[name.split("-", 1)[0]] += 1
    return held


def pss(pid: int) -> int:
    """A process's proportional set size in bytes (shared pages divided among their sharers), or 0."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def dir_bytes(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


class Sampler(threading.Thread):
    """Every second: the server tree's RSS (all, and gunicorn's own processes) and PSS, its job processes, the slots
    held, the load average and the load generator's CPU; every fifth second, the cache directory's size."""

    def __init__(self, server_pid: int, cache_dir: Path):
        super().__init__(daemon=True)
        self.server_pid, self.cache_dir = server_pid, cache_dir
        self.locust_pid: int | None = None
        self.rows: list[dict] = []
        self.cache_rows: list[tuple[float, int, int]] = []  # (t, whole cache dir, job cache) bytes
        self._halt = threading.Event()

    def run(self) -> None:
        import psutil

        t0 = time.monotonic()
        locust = None
        while not self._halt.is_set():
            t = time.monotonic() - t0
            try:
                root = psutil.Process(self.server_pid)
                workers = root.children()
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            rss = web = shared = 0
            for p in tree:
                try:
                    r = p.memory_info().rss
                except psutil.Error:
                    continue
                rss += r
                shared += pss(p.pid)
                if p is root or p in workers:
                    web += r
            if locust is None and self.locust_pid:
                locust = psutil.Process(self.locust_pid)
                locust.cpu_percent()
            try:
                cpu = locust.cpu_percent() if locust else float("nan")
            except psutil.Error:
                cpu = float("nan")
            held = held_slots(self.cache_dir / "slots")
            self.rows.append({"t": t, "rss": rss, "web": web, "pss": shared, "jobs": len(tree) - 1 - len(workers),
                              "running": held["global"], "waiting": held["waiting"],
                              "load": os.getloadavg()[0], "locust_cpu": cpu})
            if len(self.rows) % 5 == 1:
                self.cache_rows.append((t, dir_bytes(self.cache_dir), dir_bytes(self.job_cache())))
            self._halt.wait(1.0)

    def job_cache(self) -> Path:
        from neuralab import __version__

        return self.cache_dir / f"jobs-{__version__}"  # neuralab.app.jobs.cache_dir() under this server's root

    def stop(self) -> None:
        self._halt.set()
        self.join(10)


# --------------------------------------------------------------------------- one level


def locust_command(n: int, duration_s: int, spawn_s: float, url: str, prefix: Path) -> list[str]:
    return [
        sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--only-summary",
        "-u", str(n), "-r", f"{n / spawn_s:g}", "-t", f"{duration_s + int(spawn_s) + 1}s", "--host", url,
        "--csv", str(prefix), "--reset-stats", "--stop-timeout", "0", "--loglevel", "WARNING",
    ]


def read_stats(path: Path) -> dict[str, dict]:
    """Locust's ``*_stats.csv``: one row per request name (and "Aggregated")."""
    with path.open() as f:
        return {row["Name"]: row for row in csv.DictReader(f)}


def server_log(path: Path) -> dict:
    """Counts from the server's output: HTTP statuses of its access log, tracebacks, worker time-outs."""
    statuses: Counter = Counter()
    tracebacks = timeouts = 0
    pattern = re.compile(r'" (\d{3}) ')
    with path.open(errors="replace") as f:
        for line in f:
            m = pattern.search(line)
            if m:
                statuses[m.group(1)] += 1
            tracebacks += line.startswith("Traceback")
            timeouts += "WORKER TIMEOUT" in line
    return {"statuses": dict(statuses), "tracebacks": tracebacks, "worker_timeouts": timeouts}


def train_reference_models(cache_dir: Path) -> float:
    """Train the models pages load lazily (the compression zoo, /feedforward's network) into ``cache_dir``.

    A lab that has served a class before has them on disk; without them the first light callback
    of /distillation or /quantization trains one inside a web worker (seconds). Returns seconds taken.
    """
    from neuralab.compress import zoo
    from neuralab.train import stepwise

    t0 = time.monotonic()
    before = os.environ.get("NEURALAB_CACHE_DIR")
    os.environ["NEURALAB_CACHE_DIR"] = str(cache_dir)
    try:
        for name in zoo.RECIPES:
            zoo.load(name)
        stepwise.trained_net()
    finally:
        if before is None:
            os.environ.pop("NEURALAB_CACHE_DIR", None)
        else:
            os.environ["NEURALAB_CACHE_DIR"] = before
    return time.monotonic() - t0


def run_level(n: int, args, scratch: Path, catalog_path: Path) -> dict:
    cache_dir = scratch / f"cache-u{n}"
    if not args.cold:
        shutil.copytree(scratch / "warm" / "models", cache_dir / "models")
    log_path = scratch / f"server-u{n}.log"
    prefix = scratch / f"locust-u{n}"
    tally_path = scratch / f"tally-u{n}.json"
    env = {**os.environ, "NEURALAB_LOAD_CATALOG": str(catalog_path), "NEURALAB_LOAD_OUT": str(tally_path),
           "NEURALAB_LOAD_SEED": str(args.seed + n)}
    lab = LabServer(workers=args.workers, cache_dir=cache_dir, log_path=log_path)
    lab.start()
    t0 = time.monotonic()
    try:
        sampler = Sampler(lab.proc.pid, cache_dir)
        sampler.start()
        with (scratch / f"locust-u{n}.log").open("wb") as out:
            proc = subprocess.Popen(locust_command(n, args.duration, args.spawn_s, lab.url, prefix), env=env,
                                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        sampler.locust_pid = proc.pid
        try:
            proc.wait(timeout=args.duration + args.spawn_s + 120)
        except subprocess.TimeoutExpired:
            print(f"# {n} learners: Locust overran its time by 120 s and was stopped", file=sys.stderr)
        finally:  # overran, or interrupted: Locust goes too, by its PID
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        wall = time.monotonic() - t0
        sampler.stop()
        final_cache = (dir_bytes(cache_dir), dir_bytes(sampler.job_cache()))
    finally:
        lab.stop()  # whatever happened above: the server and its job processes go, by PID
    stats_path = Path(f"{prefix}_stats.csv")
    if not stats_path.exists():
        raise RuntimeError(f"Locust wrote no statistics; its output:\n{(scratch / f'locust-u{n}.log').read_text()}")
    exceptions = Path(f"{prefix}_exceptions.csv")
    with exceptions.open() if exceptions.exists() else open(os.devnull) as f:
        crashes = sum(int(row.get("Count") or 0) for row in csv.DictReader(f))
    return {"n": n, "wall_s": wall, "stats": read_stats(stats_path), "crashes": crashes,
            "tally": json.loads(tally_path.read_text()) if tally_path.exists() else {},
            "samples": sampler.rows, "cache": sampler.cache_rows, "final_cache": final_cache,
            "server": server_log(log_path), "ready_s": lab.ready_s}


# --------------------------------------------------------------------------- figures


def _num(row: dict, key: str) -> float:
    try:
        return float(row.get(key) or "nan")
    except ValueError:
        return float("nan")


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))] if s else float("nan")


def figures(res: dict, duration_s: float) -> list[tuple[str, float, str]]:
    """Every figure of one level as (name, value, unit)."""
    n, stats, tally, rows = res["n"], res["stats"], res["tally"], res["samples"]
    p = f"u{n}_"
    out: list[tuple[str, float, str]] = []
    real = [r for name, r in stats.items() if name in learner.KINDS]
    total = sum(_num(r, "Request Count") for r in real)
    out.append((p + "requests_per_s", total / duration_s, "req/s"))
    for kind in learner.KINDS:
        r = stats.get(kind)
        if r is None:
            continue
        key = kind.replace(" ", "_")
        out.append((f"{p}{key}_n", _num(r, "Request Count"), "requests"))
        out.append((f"{p}{key}_per_s", _num(r, "Request Count") / duration_s, "req/s"))
        for q in ("50", "95", "99"):
            out.append((f"{p}{key}_p{q}", _num(r, f"{q}%"), "ms"))
        out.append((f"{p}{key}_failures", _num(r, "Failure Count"), "requests"))
    status = tally.get("status", {})
    out.append((p + "http_5xx", sum(v for k, v in status.items() if k.rsplit(" ", 1)[-1].startswith("5")), "responses"))
    out.append((p + "failures", sum(_num(r, "Failure Count") for r in real), "requests"))
    out.append((p + "learner_exceptions", res["crashes"], "exceptions in the locustfile (a bug of the test)"))
    out.append((p + "server_5xx", sum(v for k, v in res["server"]["statuses"].items() if k.startswith("5")),
                "responses (server log, whole run)"))
    out.append((p + "server_tracebacks", res["server"]["tracebacks"], "lines (server log)"))
    out.append((p + "server_worker_timeouts", res["server"]["worker_timeouts"], "lines (server log)"))
    outcomes = tally.get("outcomes", {})
    out.append((p + "jobs_ended", sum(outcomes.values()), "jobs (outcome known in the measured time)"))
    for name, count in sorted(outcomes.items()):
        out.append((p + "jobs_" + re.sub(r"\W+", "_", name).strip("_"), count, "jobs"))
    busy = sum(v for k, v in outcomes.items() if k.startswith("busy"))
    out.append((p + "jobs_busy", busy, "jobs refused with a busy sentence"))
    for name, count in sorted(tally.get("actions", {}).items()):  # the mix actually done, not the task weights
        out.append((p + "actions_" + re.sub(r"\W+", "_", name).strip("_"), count, "actions"))
    computed = tally.get("job_s", {}).get("computed", [])
    out.append((p + "job_computed_p50", pct(computed, 50), "s submit to result"))
    out.append((p + "job_computed_p95", pct(computed, 95), "s submit to result"))
    if rows:
        for key, unit in (("waiting", "jobs"), ("running", "jobs"), ("jobs", "processes")):
            vals = [r[key] for r in rows]
            out.append((f"{p}queue_{key}_mean", sum(vals) / len(vals), unit))
            out.append((f"{p}queue_{key}_max", max(vals), unit))
        half = len(rows) // 2 or 1
        for key, name in (("rss", "server_rss"), ("web", "gunicorn_rss"), ("pss", "server_pss")):
            out.append((f"{p}{name}_first_half_max", max(r[key] for r in rows[:half]) / MB, "MB"))
            out.append((f"{p}{name}_second_half_max", max(r[key] for r in rows[half:] or rows) / MB, "MB"))
        out.append((p + "load_avg_max", max(r["load"] for r in rows), f"(1 min, {os.cpu_count()} CPUs)"))
        cpu = [r["locust_cpu"] for r in rows if r["locust_cpu"] == r["locust_cpu"]]
        out.append((p + "locust_cpu_mean", sum(cpu) / len(cpu) if cpu else float("nan"), "% of one core"))
    whole = max([c[1] for c in res["cache"]] + [res["final_cache"][0]])
    jobs = max([c[2] for c in res["cache"]] + [res["final_cache"][1]])
    from neuralab.app.jobs import CACHE_BYTES

    out.append((p + "cache_dir_max", whole / MB, "MB"))
    out.append((p + "job_cache_max", jobs / MB, f"MB (cap {CACHE_BYTES / MB:.0f} MB)"))
    return out


def slowest(res: dict, n: int = 6) -> list[str]:
    """Comment lines: the plain callbacks with the highest p95, with their kind, n, p50, p95 and max."""
    rows = [(pct(ms, 95), name, ms) for name, ms in res["tally"].get("callback_ms", {}).items()]
    out = [f"#   slowest callbacks by p95 ({'kind callback'}: n p50/p95/max ms)"] if rows else []
    for p95, name, ms in sorted(rows, reverse=True)[:n]:
        out.append(f"#     {name}: n={len(ms)} {pct(ms, 50):.0f}/{p95:.0f}/{max(ms):.0f}")
    return out


def markdown(results: list[dict], duration_s: float) -> str:
    """A table: one column per level."""
    tables = [dict((name.split("_", 1)[1], (value, unit)) for name, value, unit in figures(r, duration_s))
              for r in results]
    keys = list(dict.fromkeys(k for t in tables for k in t))
    lines = ["| figure | " + " | ".join(f"{r['n']} learners" for r in results) + " | unit |",
             "| --- | " + " | ".join("---:" for _ in results) + " | --- |"]
    for k in keys:
        unit = next(t[k][1] for t in tables if k in t)
        cells = [_fmt(t[k][0]) if k in t else "" for t in tables]
        lines.append(f"| {k} | " + " | ".join(cells) + f" | {unit} |")
    return "\n".join(lines) + "\n"


def _fmt(x: float) -> str:
    if x != x:
        return "nan"
    return f"{x:.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"


def verdict(results: list[dict], duration_s: float) -> list[str]:
    lines = []
    for r in results:
        figs = {name: value for name, value, _ in figures(r, duration_s)}
        p95 = figs.get(f"u{r['n']}_light_p95", float("nan"))
        bad = figs[f"u{r['n']}_http_5xx"] + figs[f"u{r['n']}_server_5xx"]
        ok = p95 <= GOAL_LIGHT_P95_MS and bad == 0
        lines.append(f"# {r['n']} learners: light p95 {p95:.0f} ms (goal <= {GOAL_LIGHT_P95_MS:.0f}), "
                     f"5xx {bad:.0f} (goal 0): {'met' if ok else 'NOT met'}")
    return lines


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, nargs="+", default=list(LEVELS), help="learners at once, one run each")
    ap.add_argument("--duration", type=int, default=DURATION_S, help="measured seconds per level")
    ap.add_argument("--spawn-s", type=float, default=SPAWN_S, help="seconds over which the learners start")
    ap.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers (neuralab serve --workers)")
    ap.add_argument("--seed", type=int, default=0, help="seeds the walks and the learners' choices")
    ap.add_argument("--markdown", type=Path, help="also write the figures as a markdown table here")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory (logs, CSV, JSON)")
    ap.add_argument("--cold", action="store_true",
                    help="start without the reference models (trained by the first callbacks that need them)")
    args = ap.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="neuralab-load-"))
    os.environ["NEURALAB_CACHE_DIR"] = str(scratch / "catalog-cache")  # the in-process app that reads the pages
    try:
        from importlib.metadata import version

        import dash

        from neuralab.app import create_app

        deps = create_app().server.test_client().get("/_dash-dependencies").get_json()
        catalog_path = scratch / "catalog.json"
        catalog.write(catalog_path, deps, args.seed)
        warm_s = 0.0 if args.cold else train_reference_models(scratch / "warm")
        load_before = os.getloadavg()
        print("# neuralab load test: simulated learners (Locust) against neuralab serve")
        print(f"# {time.strftime('%Y-%m-%d %H:%M')}  python {platform.python_version()}  dash {dash.__version__}  "
              f"locust {version('locust')}  {os.cpu_count()} CPUs  load average before {load_before[0]:.2f}")
        print(f"# server: neuralab serve --workers {args.workers} (gunicorn) on 127.0.0.1, a fresh cache dir per "
              f"level; learners start over {args.spawn_s:g} s, then {args.duration} s are measured")
        print("# cache: no job results; " + ("no reference models either (--cold)" if args.cold else
              f"the reference models trained beforehand ({warm_s:.0f} s), as in a lab used before"))
        print("# a learner: opens a page, then every 2-5 s drags a slider / picks an option (70), clicks a button "
              "(10), switches page (12), or closes its tab and opens another (6); jobs polled as the renderer does")
        print(f"# kinds: {', '.join(learner.KINDS)}; times are client wall time in ms, 6 connections per learner")
        print()
        results = []
        for n in args.users:
            res = run_level(n, args, scratch, catalog_path)
            results.append(res)
            print(f"# {n} learners: server ready after {res['ready_s']:.1f} s, level took {res['wall_s']:.0f} s")
            for name, value, unit in figures(res, args.duration):
                print(f"{name} {_fmt(value)} {unit}")
            for line in slowest(res):
                print(line)
            errors = sorted(res["tally"].get("errors", {}).items(), key=lambda kv: -kv[1])[:8]
            for why, count in errors:
                print(f"#   failure x{count}: {why}")
            print()
            sys.stdout.flush()
        for line in verdict(results, args.duration):
            print(line)
        print(f"# load average (1 min) before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} "
              f"on {os.cpu_count()} CPUs; the load generator runs on the same machine (locust_cpu_mean)")
        if args.markdown:
            args.markdown.write_text(markdown(results, args.duration))
            print(f"# markdown table written to {args.markdown}")
        if args.keep:
            print(f"# logs, Locust CSV and counts kept in {scratch}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
