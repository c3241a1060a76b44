"""Page load and server start, in a real browser, against the production server.

What it measures, for every built page (``neuralab.app.registry.PAGES``):

* **first**: the page opened first on a fresh server (``neuralab serve --workers 2``, gunicorn) with a fresh
  ``NEURALAB_CACHE_DIR`` and a fresh browser context: the worst case, every background job computed cold;
* **warm**: the same page opened again in the same tab (``page.goto``), with the browser's HTTP cache and the
  job cache warm (the median of ``--visits`` visits; the first of them is the "second visit");
* **click**: a click on the page's sidebar link from another page (/splits, or /preprocessing for /splits)
  already drawn, with every cache warm (median of ``--clicks``);
* **bytes** of each load: the sum of the Resource Timing ``transferSize`` (bytes on the wire; 0 for what the
  HTTP cache served) and ``encodedBodySize`` (response bodies as sent), the number of requests (the document
  included), and the largest resources by name.

A load ends when the page is interactive with every figure drawn: every ``dcc.Graph`` of the page's layout
(rendered in-process by ``neuralab.app.shell.render``) and every ``.js-plotly-plot`` under ``#main`` has
``_fullData`` with at least one trace, and every chart summary (``.nl-summary``) is non-empty. A watcher
injected at document start (an init script) checks this on every animation frame, so the time is counted from
the navigation's start (``performance.timeOrigin``), or from the click (a capturing listener), to the first
frame in which it holds; Playwright's round trips are outside it. Figures filled by a background job (their
chart has a ``-progress`` bar) are named as jobs; a cold job can take minutes (``--timeout``).

**Server start**: ``python -m neuralab serve`` with 1 worker and with ``--workers 2``, each started ``--starts``
times with a fresh cache directory, timed from the process's start to the first 200 on ``/`` (polled every
20 ms).

Prints one line per page and kind of load, then the server start, then a summary against the targets of issue
16 (warm load 1 s, first page of a fresh server 1.5 s, sidebar click 0.5 s, server start 3 s), with the load
average. Asserts nothing. Takes a few minutes on a warm machine, more while the cold jobs run. Run::

    PYTHONPATH=src:. .venv/bin/python benchmarks/page_load.py [/path ...] [--workers 2] [--visits 3] [--clicks 3]

``--env NAME=VALUE`` (repeatable) is passed to every server: with ``--compare NAME=VALUE`` the whole
measurement runs twice, once as given and once with that variable added, pages interleaved (which goes first
alternates), and both are printed side by side. Before/after a change, in one run: export the old tree
(``git archive OLD | tar -x -C /tmp/old``) and pass ``--compare PYTHONPATH=/tmp/old/src --labels after before``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.devserver
import tests.devserver as devserver  # noqa: E402
from tests.devserver import CHROMIUM_ARGS, LabServer, browser_unavailable, chromium_path  # noqa: E402

WORKERS = 2
VISITS = 3  # warm visits per page (the first is the second visit of the page)
CLICKS = 3  # timed sidebar clicks per page
STARTS = 3  # server starts per worker count
TIMEOUT_S = 900.0  # a first load whose cold jobs take longer than this is reported as not ready
WARM_TIMEOUT_S = 120.0
TARGETS_S = {"warm": 1.0, "first": 1.5, "click": 0.5, "start": 3.0}

# Installed in every document before its own scripts. window.__nlWatch(path, t0) resolves, on the first
# animation frame where the page at ``path`` is interactive with every figure drawn, to the milliseconds since
# ``t0`` (a performance.now() stamp: 0 is the navigation's start), each graph's first drawn time, the graphs a
# job fills, and the Resource Timing entries that started after t0.
WATCH_JS = """
(() => {
  const EXPECTED = %s;
  try { performance.setResourceTimingBufferSize(100000); } catch (e) {}
  const PENDING = %s;
  // drawn: traces, or a message figure that says something other than the placeholder's words (a study
  // list with no study yet is an answer; "Computing…" and the empty first figure are not)
  const drawn = gd => !!(gd && gd._fullData && (gd._fullData.length > 0
    || ((gd._fullLayout && gd._fullLayout.annotations) || []).some(a => a.text && !a.text.includes(PENDING))));
  const plotOf = wrap => wrap
    && (wrap.classList.contains('js-plotly-plot') ? wrap : wrap.querySelector('.js-plotly-plot'));
  window.__nlWatch = (path, t0, timeoutMs) => new Promise(resolve => {
    const exp = EXPECTED[path] || {graphs: [], any: null};
    const first = {}, jobs = new Set();
    const stop = performance.now() + timeoutMs;
    const tick = () => {
      const now = performance.now();
      let ok = location.pathname === path && (!exp.any || !!document.getElementById(exp.any));
      const missing = [];
      for (const id of exp.graphs) {
        if (document.getElementById(id + '-progress')) jobs.add(id);
        if (drawn(plotOf(document.getElementById(id)))) { if (!(id in first)) first[id] = now - t0; }
        else { ok = false; missing.push(id); }
      }
      const main = document.getElementById('main');
      if (main && ok) {
        for (const gd of main.querySelectorAll('.js-plotly-plot'))
          if (!drawn(gd)) { ok = false; missing.push('(a plot)'); }
        for (const s of main.querySelectorAll('.nl-summary'))
          if (!s.textContent.trim()) { ok = false; missing.push('#' + s.id); }
      }
      if (ok || now > stop) {
        const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
          .filter(e => e.startTime >= t0 - 1)
          .map(e => ({name: e.name, transfer: e.transferSize || 0, encoded: e.encodedBodySize || 0,
                      decoded: e.decodedBodySize || 0, type: e.initiatorType || e.entryType,
                      end: e.responseEnd - t0}));
        resolve({ms: now - t0, ok, missing, first, jobs: [...jobs], entries});
        return;
      }
      requestAnimationFrame(tick);
    };
    tick();
  });
  if (location.pathname in EXPECTED && !window.__nlNoAuto) window.__nlLoad = window.__nlWatch(location.pathname, 0, %d);
})();
"""

# Arms the watch for a sidebar click: t0 is stamped by the click event itself, before Dash sees it.
CLICK_JS = """([path, timeoutMs]) => {
  window.__nlClick = new Promise(resolve => {
    window.addEventListener('click', () => resolve(window.__nlWatch(path, performance.now(), timeoutMs)),
                            {capture: true, once: true});
  });
}"""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


# --------------------------------------------------------------------------- what each page must draw


def expected_ids(paths: list[str]) -> dict[str, dict]:
    """Per page: the ids of the ``dcc.Graph`` s in its layout, and one id of the page's own (for figure-less pages)."""
    from dash import dcc

    from neuralab.app.registry import BY_PATH, prefix
    from neuralab.app.shell import render

    out = {}
    for path in paths:
        layout = render(path, "")
        own = prefix(BY_PATH[path].module) + "-"
        graphs = [c.id for c in layout._traverse() if isinstance(c, dcc.Graph) and isinstance(c.id, str)]
        # an element of the page's own in the DOM (a dcc.Store has none), for pages without figures
        ids = [c.id for c in layout._traverse()
               if isinstance(getattr(c, "id", None), str) and type(c).__module__.startswith("dash.html")]
        anyid = None if graphs else next((i for i in ids if i.startswith(own)), ids[0] if ids else None)
        out[path] = {"graphs": graphs, "any": anyid}
    return out


# --------------------------------------------------------------------------- measurements


class Load:
    """One measured load: seconds to every figure drawn, the job figures, the bytes and requests."""

    def __init__(self, doc: dict):
        self.s = doc["ms"] / 1000
        self.ok = doc["ok"]
        self.missing = doc["missing"]
        self.jobs = doc["jobs"]
        self.first = doc["first"]
        entries = doc["entries"]
        self.requests = len(entries)
        self.transfer = sum(e["transfer"] for e in entries)
        self.encoded = sum(e["encoded"] for e in entries)
        self.largest = sorted(entries, key=lambda e: -e["encoded"])[:3]

    def bytes_line(self) -> str:
        big = ", ".join(f"{short(e['name'])} {e['encoded'] / 1e3:.0f} kB" for e in self.largest)
        return f"requests={self.requests} transfer_kB={self.transfer / 1e3:.0f} encoded_kB={self.encoded / 1e3:.0f} " \
               f"largest: {big}"


def short(url: str) -> str:
    name = url.split("//", 1)[-1].split("/", 1)[-1]
    name = name.split("?", 1)[0]
    return "/" + (name if len(name) <= 60 else "…" + name[-59:])


def measure_page(browser, lab: LabServer, path: str, other: str, watch: str, visits: int, clicks: int,
                 timeout_s: float) -> dict:
    """First load, warm visits and sidebar clicks of ``path`` on ``lab`` (fresh), in one fresh browser context."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(watch)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(timeout_s * 1000)
    try:
        page.goto(lab.url + path, wait_until="commit")
        first = Load(page.evaluate("window.__nlLoad"))
        if not first.ok:  # the page never became ready: its warm visits and clicks would each wait as long
            visits = clicks = 0
        warm = []
        for _ in range(visits):
            page.goto(lab.url + path, wait_until="commit")
            warm.append(Load(page.evaluate("window.__nlLoad")))
        click = []
        if clicks:
            page.goto(lab.url + other, wait_until="commit")
            page.evaluate("window.__nlLoad")  # the other page drawn (its own jobs computed once, here)
            for _ in range(clicks):
                page.evaluate(CLICK_JS, [path, WARM_TIMEOUT_S * 1000])
                page.click(f"#nav{path.replace('/', '-')}")
                click.append(Load(page.evaluate("window.__nlClick")))
                page.evaluate(CLICK_JS, [other, WARM_TIMEOUT_S * 1000])
                page.click(f"#nav{other.replace('/', '-')}")
                page.evaluate("window.__nlClick")
    finally:
        context.close()
    return {"first": first, "warm": warm, "click": click, "errors": errors}


def server_start(workers: int, env: dict[str, str], tmp: Path) -> float:
    """Seconds from ``neuralab serve`` to its first 200 on ``/``, on a fresh cache directory."""
    cache = Path(tempfile.mkdtemp(prefix=f"start{workers}-", dir=tmp))
    lab = LabServer(workers=workers, cache_dir=cache, log_path=cache / "serve.log", env=env)
    try:
        lab.start()
        return lab.ready_s
    finally:
        lab.stop()


# --------------------------------------------------------------------------- report


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def page_lines(path: str, label: str, r: dict) -> list[str]:
    first, warm, click = r["first"], r["warm"], r["click"]
    jobs = ",".join(first.jobs) or "-"
    lines = [
        f"{path}{label} first_s={first.s:.2f}{'' if first.ok else ' (NOT READY: ' + ' '.join(first.missing[:4]) + ')'}"
        f" warm_s={med([w.s for w in warm]):.2f} second_visit_s={warm[0].s if warm else float('nan'):.2f}"
        f" click_s={med([c.s for c in click]):.2f} start_s={r['start']:.2f} graphs={len(first.first)} jobs={jobs}",
        f"  {path}{label} bytes first: {first.bytes_line()}",
    ]
    if warm:
        lines.append(f"  {path}{label} bytes warm:  {warm[0].bytes_line()}")
    if click:
        lines.append(f"  {path}{label} bytes click: {click[0].bytes_line()}")
    slow = sorted(first.first.items(), key=lambda kv: -kv[1])[:2]
    if slow:
        lines.append(f"  {path}{label} last drawn (first load): "
                     + ", ".join(f"{k} {v / 1000:.2f} s{' (job)' if k in first.jobs else ''}" for k, v in slow))
    not_ok = [w for w in [*warm, *click] if not w.ok]
    if not_ok:
        lines.append(f"  {path}{label} {len(not_ok)} warm loads/clicks NOT READY: {' '.join(not_ok[0].missing[:4])}")
    if r["errors"]:
        lines.append(f"  {path}{label} page errors: {'; '.join(r['errors'][:3])}")
    return lines


def summary(label: str, results: dict[str, dict], starts: dict[int, list[float]]) -> list[str]:
    out = []
    for kind, pick in (("warm", lambda r: med([w.s for w in r["warm"]])), ("first", lambda r: r["first"].s),
                       ("click", lambda r: med([c.s for c in r["click"]]))):
        vals = {p: pick(r) for p, r in results.items()}
        vals = {p: v for p, v in vals.items() if v == v}
        if not vals:
            continue
        meet = [p for p, v in vals.items() if v <= TARGETS_S[kind]]
        worst = max(vals, key=vals.get)
        out.append(f"summary{label} {kind}: {len(meet)}/{len(vals)} pages within {TARGETS_S[kind]} s; "
                   f"median {med(list(vals.values())):.2f} s, worst {worst} {vals[worst]:.2f} s")
    for w, xs in starts.items():
        if xs:
            out.append(f"summary{label} server start, {w} worker(s): median {med(xs):.2f} s, max {max(xs):.2f} s "
                       f"(target {TARGETS_S['start']} s; n={len(xs)})")
    return out


# --------------------------------------------------------------------------- main


def parse_env(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise SystemExit(f"page_load: --env/--compare takes NAME=VALUE; got {item!r}")
        out[name] = value
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=WORKERS, help=f"server workers for the page loads ({WORKERS})")
    ap.add_argument("--visits", type=int, default=VISITS, help=f"warm visits per page ({VISITS})")
    ap.add_argument("--clicks", type=int, default=CLICKS, help=f"timed sidebar clicks per page ({CLICKS})")
    ap.add_argument("--starts", type=int, default=STARTS, help=f"server starts per worker count, 1 and 2 ({STARTS})")
    ap.add_argument("--timeout", type=float, default=TIMEOUT_S,
                    help=f"seconds a cold first load may take ({TIMEOUT_S:.0f})")
    ap.add_argument("--env", action="append", default=[], help="NAME=VALUE for every server (repeatable)")
    ap.add_argument("--compare", action="append", default=[],
                    help="NAME=VALUE: run everything a second time with it added, side by side (repeatable)")
    ap.add_argument("--labels", nargs=2, default=None, metavar=("GIVEN", "COMPARED"),
                    help="names of the two runs of --compare in the output (default: 'as given' and the variables)")
    ap.add_argument("paths", nargs="*", help="only these pages (default: every built page)")
    args = ap.parse_args(argv)

    if (why := browser_unavailable()) is not None:
        log(f"page_load: {why}")
        return 2
    chromium = chromium_path()
    from playwright.sync_api import sync_playwright
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    devserver.POLL_S = 0.02  # time the first answer to 20 ms, not LabServer's default 0.2 s
    devserver.STARTUP_S = 600.0  # a start slower than 60 s on a loaded machine is a figure to print, not an error

    base_env = parse_env(args.env)
    variants = {"": base_env}
    if args.compare:
        given, compared = args.labels or ("as given", " ".join(args.compare))
        variants = {f" [{given}]": base_env, f" [{compared}]": {**base_env, **parse_env(args.compare)}}

    with tempfile.TemporaryDirectory(prefix="neuralab-pageload-") as tmp:
        os.environ.setdefault("NEURALAB_CACHE_DIR", str(Path(tmp) / "inprocess"))  # render() may touch the cache
        from neuralab.app.registry import built
        from neuralab.app.ui import PENDING

        paths = [p.path for p in built() if not args.paths or p.path in args.paths]
        t0 = time.monotonic()
        expected = expected_ids(paths)
        log(f"layouts rendered in-process in {time.monotonic() - t0:.1f} s; load average {loadavg()}")
        watch = WATCH_JS % (json.dumps(expected), json.dumps(PENDING), int(args.timeout * 1000))
        results: dict[str, dict[str, dict]] = {v: {} for v in variants}
        starts: dict[str, dict[int, list[float]]] = {v: {1: [], 2: []} for v in variants}
        print(f"# page_load: {len(paths)} pages, {args.workers} workers, load average {loadavg()}", flush=True)

        for _ in range(args.starts):
            for workers in (1, 2):  # before the pages: each page line also has its own server's start
                for label, env in variants.items():
                    s = server_start(workers, env, Path(tmp))
                    starts[label][workers].append(s)
                    print(f"start{label} workers={workers} first_answer_s={s:.2f} load average {loadavg()}", flush=True)

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            try:
                for i, path in enumerate(paths):
                    other = "/preprocessing" if path == "/splits" else "/splits"
                    order = list(variants.items())
                    for label, env in order if i % 2 == 0 else order[::-1]:  # neither run always goes first
                        cache = Path(tempfile.mkdtemp(prefix="cache-", dir=tmp))
                        lab = LabServer(workers=args.workers, cache_dir=cache, log_path=cache / "serve.log", env=env)
                        try:
                            lab.start()
                            r = measure_page(browser, lab, path, other, watch, args.visits, args.clicks, args.timeout)
                        except BaseException:
                            log(f"--- {path}{label}: server log (tail) ---\n{lab.log_tail()}")
                            raise
                        finally:
                            lab.stop()
                        r["start"] = lab.ready_s
                        if args.workers in (1, 2):
                            starts[label][args.workers].append(lab.ready_s)
                        results[label][path] = r
                        for line in page_lines(path, label, r):
                            print(line, flush=True)
                        print(f"  {path}{label} load average {loadavg()}", flush=True)
            finally:
                browser.close()


    for label in variants:
        for line in summary(label, results[label], starts[label]):
            print(line, flush=True)
    print(f"# load average {loadavg()} on {os.cpu_count()} CPUs", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
