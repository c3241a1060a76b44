"""Slider-to-redraw latency in a real browser, against the production server.

Starts ``python -m neuralab serve --workers 2`` (gunicorn) on a free port with a fresh
``NEURALAB_CACHE_DIR``, warms every page up, then opens each page of ``PROBES`` in
headless chromium (the system's ``chromium``; nothing is downloaded) and moves one
slider with the keyboard, ``N_MOVES`` times, alternating ArrowRight and ArrowLeft.

Each move is timed inside the page: a capturing ``keydown`` listener on ``window``
stamps ``performance.now()`` as the key event reaches the page, and the clock stops at
the graph's first ``plotly_afterplot`` whose drawn data (``gd._fullData``) and text
summary (``#<graph>-summary``) both differ from what they were before the key. So a
move is counted from the key to the new figure on screen: the clientside callbacks,
the request, the server callback, the JSON decode and Plotly's redraw. Playwright's own
round trip is outside the measurement.

Prints one line per page, ``PATH p50_ms=... p95_ms=...`` for the graph the slider drives;
where a move redraws more graphs (``Probe.also``), a second line times the move to the
last of them. Details go to stderr. It
asserts nothing. Run:  .venv/bin/python benchmarks/browser_latency.py [/path ...]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.devserver
from tests.devserver import CHROMIUM_ARGS, LabServer, chromium_path  # noqa: E402

N_MOVES = 50  # timed slider moves per page
N_WARMUP = 6  # untimed moves first (reaching every worker process at least once)
WORKERS = 2
MOVE_TIMEOUT_MS = 15_000  # a move whose redraw takes longer than this is an error


@dataclass(frozen=True)
class Probe:
    """What to move on a page, and which graph must redraw."""

    handle: str  # CSS selector of the slider's keyboard handle
    graph: str  # id of the dcc.Graph whose redraw ends the measurement (summary: f"{graph}-summary")
    also: tuple[str, ...] = ()  # other graphs the same move redraws; timed to the last of them too
    text: str = ""  # id of the text that must change with the figure; default f"{graph}-summary"
    home: bool = False  # press Home first (a slider that starts at its maximum)
    ready_ms: int = 30_000  # how long the page may take to draw the graph (background jobs on a cold cache)


#: Page path -> the slider to move and the graph it redraws. Add a line per new page.
PROBES: dict[str, Probe] = {
    "/splits": Probe("#splits-train_pct [role=slider]", "splits-sizes", also=("splits-shares",)),
    "/preprocessing": Probe("#preprocessing-window [role=slider]", "preprocessing-smooth"),
    "/fitting": Probe("#fitting-degree [role=slider]", "fitting-fit"),
    "/gradient-descent": Probe("#gradient-descent-lr [role=slider]", "gradient-descent-race",
                               also=("gradient-descent-loss",)),
    "/learning-rate": Probe("#learning-rate-epochs [role=slider]", "learning-rate-curve"),
    "/training-loop": Probe("#training-loop-batch_size [role=slider]", "training-loop-step"),
    # the worked chart redraws text only
    "/feedforward": Probe("#feedforward-x_max [role=slider]", "feedforward-act-chart"),
    "/playground": Probe("#playground-n_points [role=slider]", "playground-boundary"),
    "/quantization": Probe("#quantization-bits [role=slider]", "quantization-hist"),
    "/pruning": Probe("#pruning-sparsity [role=slider]", "pruning-snap"),
    "/distillation": Probe("#distillation-T [role=slider]", "distillation-soft"),
    # the Gaussian-process step slider replays precomputed steps in the browser (Plotly.restyle, no request)
    "/hyperparameter-search": Probe("#hyperparameter-search-surrogate-step [role=slider]",
                                    "hyperparameter-search-surrogate", text="hyperparameter-search-surrogate-readout",
                                    home=True, ready_ms=600_000),
    # the unrolled steps answer from the trained network in the server, with no job
    "/recurrent": Probe("#recurrent-unroll_steps [role=slider]", "recurrent-unroll-steps", ready_ms=600_000),
    "/fundamentals": Probe("#fundamentals-metrics_threshold [role=slider]", "fundamentals-metrics-roc",
                           ready_ms=300_000),
    # /regularization and /deploy have no light move: each of their sliders retrains (see latency.py)
}

# Arms one measurement. Resolves (in a global promise) to the milliseconds from the next
# keydown to the first moment the figure (at an afterplot) and the summary (at a DOM change) are both new (``total``),
# split by the Resource Timing of the callback requests into ``before`` the first request
# starts, the ``request`` itself (network and server) and ``after`` (decode and redraw).
ARM_JS = """([graphIds, textIds, timeoutMs]) => {
  const graphs = graphIds.map((id, i) => {
    const wrap = document.getElementById(id);
    const gd = wrap && (wrap.classList.contains('js-plotly-plot') ? wrap : wrap.querySelector('.js-plotly-plot'));
    const summary = document.getElementById(textIds[i] || id + '-summary');
    if (!gd || !gd.on || !summary) throw new Error('graph ' + id + ' is not drawn yet');
    return {id, gd, summary};
  });
  const sig = gd => JSON.stringify((gd._fullData || []).map(t => [
    t.x ? Array.from(t.x) : null, t.y ? Array.from(t.y) : null, t.z ? Array.from(t.z, r => Array.from(r)) : null]));
  for (const g of graphs) { g.text = g.summary.textContent; g.sig = sig(g.gd); g.t = null; }
  performance.clearResourceTimings();
  window.__nlProbe = new Promise((resolve, reject) => {
    let t0 = null;
    const onKey = () => { if (t0 === null) t0 = performance.now(); };
    const handlers = graphs.map(g => () => {
      if (t0 === null || g.t !== null) return;
      if (g.summary.textContent === g.text || sig(g.gd) === g.sig) return;  // not the new figure yet
      g.t = performance.now() - t0;
      if (graphs.some(h => h.t === null)) return;
      // the callback request(s) this key caused, for the breakdown of the first graph
      const reqs = performance.getEntriesByType('resource')
        .filter(e => e.name.includes('/_dash-update-component') && e.startTime >= t0);
      const first = reqs.length ? Math.min(...reqs.map(e => e.startTime)) - t0 : NaN;
      const last = reqs.length ? Math.min(...reqs.map(e => e.responseEnd)) - t0 : NaN;
      done();
      const total = graphs[0].t;
      resolve({total, all: Math.max(...graphs.map(h => h.t)), before: first, request: last - first,
               after: total - last, n: reqs.length});
    });
    const timer = setTimeout(() => { done(); reject(new Error('no redraw within ' + timeoutMs + ' ms')); }, timeoutMs);
    // a text can change after the figure's last afterplot (a clientside replay restyles, then returns the text)
    const observers = graphs.map((g, i) => new MutationObserver(handlers[i]));
    function done() {
      clearTimeout(timer);
      window.removeEventListener('keydown', onKey, true);
      graphs.forEach((g, i) => g.gd.removeListener('plotly_afterplot', handlers[i]));
      observers.forEach(o => o.disconnect());
    }
    window.addEventListener('keydown', onKey, true);
    graphs.forEach((g, i) => g.gd.on('plotly_afterplot', handlers[i]));
    graphs.forEach((g, i) => observers[i].observe(g.summary, {childList: true, subtree: true, characterData: true}));
  });
  return graphs[0].text;
}"""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- server


def warm_http(base: str, paths: list[str]) -> None:
    """Fetch every page and the Dash layout once per worker (and then some)."""
    for _ in range(2 * WORKERS):
        for path in [*paths, "/_dash-layout", "/_dash-dependencies"]:
            with urllib.request.urlopen(base + path, timeout=30) as r:
                r.read()


# --------------------------------------------------------------------------- browser


def open_page(page, base: str, path: str, probe: Probe) -> None:
    from playwright.sync_api import expect

    page.goto(base + path)
    expect(page.locator(f"#{probe.graph}-summary")).not_to_be_empty(timeout=probe.ready_ms)
    page.wait_for_function(
        "id => { const w = document.getElementById(id); const gd = w && w.querySelector('.js-plotly-plot');"
        " return !!(gd && gd._fullData && gd._fullData.length); }",
        arg=probe.graph,
        timeout=probe.ready_ms,
    )
    page.wait_for_load_state("networkidle", timeout=probe.ready_ms)  # heavy charts elsewhere on the page done too
    page.locator(probe.handle).focus()
    if probe.home:
        page.keyboard.press("Home")
        page.wait_for_timeout(500)  # the replay of step 1 drawn before the first timed move


def move(page, probe: Probe, key: str) -> dict[str, float]:
    """One timed key press on the focused slider handle: milliseconds to the new figure, and its parts."""
    page.evaluate(ARM_JS, [[probe.graph, *probe.also], [probe.text], MOVE_TIMEOUT_MS])
    page.keyboard.press(key)
    return page.evaluate("window.__nlProbe")


def keys(n: int) -> list[str]:
    return ["ArrowRight" if i % 2 == 0 else "ArrowLeft" for i in range(n)]


def percentile(xs: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks."""
    s = sorted(xs)
    if len(s) == 1:
        return s[0]
    pos = (len(s) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def measure(base: str, chromium: str, n_moves: int, only: list[str] | None = None) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            for path, probe in PROBES.items():
                if only and path not in only:
                    continue
                open_page(page, base, path, probe)
                for key in keys(N_WARMUP):
                    move(page, probe, key)
                moves = [move(page, probe, key) for key in keys(n_moves)]
                times = [m["total"] for m in moves]
                results[path] = times
                if probe.also:
                    results[f"{path} (all {1 + len(probe.also)} figures it moves)"] = [m["all"] for m in moves]
                parts = " ".join(
                    f"{k}_p50={statistics.median(m[k] for m in moves):.1f}" for k in ("before", "request", "after")
                )
                log(f"{path}: n={len(times)} min={min(times):.1f} mean={statistics.fmean(times):.1f} "
                    f"max={max(times):.1f} ms; {parts} ms; requests per move "
                    f"{sorted({m['n'] for m in moves})}; the slider ended at "
                    f"{page.locator(probe.handle).get_attribute('aria-valuenow')}")
            if errors:
                log("page errors: " + "; ".join(errors))
            context.close()
        finally:
            browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=int(os.environ.get("BENCH_MOVES", N_MOVES)),
                    help=f"timed slider moves per page (default {N_MOVES})")
    ap.add_argument("--workers", type=int, default=WORKERS, help=f"server worker processes (default {WORKERS})")
    ap.add_argument("paths", nargs="*", help="only these pages (e.g. /splits); default every page of PROBES")
    args = ap.parse_args(argv)

    chromium = chromium_path()
    if chromium is None:
        log("browser_latency: chromium is not installed (looked for `chromium` and `chromium-browser` on PATH)")
        return 2
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        log(f"browser_latency: Playwright is not importable: {exc}")
        return 2

    from neuralab.app.registry import PAGES

    # a SIGTERM (e.g. from a CI timeout) unwinds through `finally`, so the server is stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tempfile.TemporaryDirectory(prefix="neuralab-bench-") as tmp:
        lab = LabServer(workers=args.workers, cache_dir=Path(tmp) / "cache", log_path=Path(tmp) / "serve.log")
        try:
            lab.start()
            log(f"server pid {lab.proc.pid} ({args.workers} workers) ready in {lab.ready_s:.1f} s at {lab.url}")
            warm_http(lab.url, ["/", *(p.path for p in PAGES)])
            results = measure(lab.url, chromium, args.moves, args.paths)
        except BaseException:
            log(f"--- server log (tail) ---\n{lab.log_tail()}")
            raise
        finally:
            lab.stop()

    for path, times in results.items():
        print(f"{path} p50_ms={percentile(times, 50):.1f} p95_ms={percentile(times, 95):.1f}", flush=True)
    try:
        log(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
