"""Control-to-redraw latency in a real browser, for every light control, against the production server.

Starts ``python -m neuralab serve --workers 2`` (gunicorn) on a free port with a fresh
``NEURALAB_CACHE_DIR``, warms every page up, then opens each built page in headless chromium
(the system's ``chromium``; nothing is downloaded) and runs one probe per light control: it
moves the control ``--moves`` times there and back (a slider: ArrowRight, ArrowLeft; a choice:
Space on the next option, then on the first; a checklist: Space; a number box: ArrowUp or
ArrowDown, then the timed Enter that sends it).

The probes are derived from the app (:func:`derive`), not written by hand: a control of a
page's layout is light when no callback it runs (``/_dash-dependencies``, followed through
stores) is a background job; its probe times the first graph those callbacks redraw with a
text that changes with it. ``PROBES`` holds hand-written probes that replace the derived one
of their control (Home first, another text, a longer wait). Every other control is listed
with the reason it has no probe (it starts a job, is a hidden input or a text box). A dropdown is
opened with ArrowDown and its next option chosen with the timed Enter; a control in a closed
``<details>`` is probed with the details opened.

Each move is timed inside the page: a capturing ``keydown`` listener on ``window``
stamps ``performance.now()`` as the key event reaches the page, and the clock stops at
the graph's first ``plotly_afterplot`` whose drawn data (``gd._fullData``, or the layout's
shapes and annotations: a moved marker) and text summary (``#<graph>-summary``) both differ
from what they were before the key. A control whose figures all stay the same at the page's defaults
(a learning rate before any training) is timed instead to the first frame after its last callback
request has answered (``-> answer`` in its line). So a
move is counted from the key to the new figure on screen: the clientside callbacks,
the request, the server callback, the JSON decode and Plotly's redraw. Playwright's own
round trip is outside the measurement.

Prints one line per probe, ``PATH #control -> graph p50_ms=... p95_ms=... meets|misses``; where a
move redraws more graphs (``Probe.also``), a second line times the move to the last of them.
Then the probes that failed, the controls without a probe, and a summary: how many meet the
target (p50 <= 30 ms and p95 <= 50 ms), with the load average. Details go to stderr. It
asserts nothing. Run:  .venv/bin/python benchmarks/browser_latency.py [--moves 20] [--list] [/path ...]
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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.devserver
from tests.devserver import CHROMIUM_ARGS, LabServer, browser_unavailable, chromium_path  # noqa: E402

N_MOVES = 20  # timed moves per probe (a probe for every light control: many probes)
N_WARMUP = 6  # untimed moves first (reaching every worker process at least once)
WORKERS = 2
MOVE_TIMEOUT_MS = 15_000  # a move whose redraw takes longer than this is an error
FIRST_MOVE_TIMEOUT_MS = 5_000  # ... the first move, when another graph of the control is left to try
TARGET_P50_MS, TARGET_P95_MS = 30, 50  # issue 16's target for every light control


@dataclass(frozen=True)
class Probe:
    """What to move on a page, and which graph must redraw."""

    handle: str  # CSS selector of the slider's keyboard handle
    graph: str  # id of the dcc.Graph whose redraw ends the measurement (summary: f"{graph}-summary")
    also: tuple[str, ...] = ()  # other graphs the same move redraws; timed to the last of them too
    text: str = ""  # id of the text that must change with the figure; default f"{graph}-summary"
    home: bool = False  # press Home first (a slider that starts at its maximum)
    ready_ms: int = 30_000  # how long the page may take to draw the graph (background jobs on a cold cache)
    kind: str = "slider"  # "slider": ArrowRight/ArrowLeft; "radio": Space on the next option, then on the first;
    #                       "check": Space on the first box (on, then off); "number": ArrowUp/ArrowDown, then Enter;
    #                       "dropdown": opened with ArrowDown, ArrowDown (then ArrowUp) to the next option, Enter
    alts: tuple[tuple[str, str], ...] = ()  # other (graph, text) the control redraws: tried in turn when the
    #                                         graph stays the same (a control may not change it at the defaults)
    answered: bool = False  # timed to its callbacks' answer and the next frame, not to a changed figure

    def fallbacks(self) -> list[Probe]:
        """This probe, the same control timed on each other graph it redraws, then to its answer alone.

        The last try is for a control whose figures stay the same at the page's defaults (a learning rate before
        any training, a threshold between two samples): it is timed from the key to the moment the last callback
        request it caused has answered and the browser has drawn the next frame.
        """
        if self.answered:
            return [self]
        return [self, *(replace(self, graph=g, text="" if t == f"{g}-summary" else t, alts=()) for g, t in self.alts),
                replace(self, alts=(), answered=True)]

    @property
    def control(self) -> str:
        """The id of the control the probe moves (the handle's first selector)."""
        return self.handle.split()[0].lstrip("#")


#: Page path -> a hand-written probe for one control, replacing the derived one (see :func:`derive`): it knows
#: the page (press Home first, another text, a longer wait for the page's background jobs).
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

# --------------------------------------------------------------------------- probes from the app

#: How each kind of widget is driven from the keyboard: the focused element and the keys of two moves.
WIDGETS = {"Slider": "slider", "RadioItems": "radio", "Checklist": "check", "Dropdown": "dropdown", "Input": "input"}


@dataclass(frozen=True)
class Skipped:
    """A control of a page with no probe, and why."""

    path: str
    control: str
    reason: str


@dataclass(frozen=True)
class Callback:
    inputs: frozenset[tuple[str, str]]  # (component id, property)
    outputs: tuple[tuple[str, str], ...]
    job: bool  # a background callback (a training run, a search): not a light answer


def callbacks(deps: list[dict]) -> list[Callback]:
    """The app's callback map (``/_dash-dependencies``) as plain (id, property) pairs; pattern ids are left out."""

    def pair(s: str) -> tuple[str, str]:
        ident, prop = s.split("@")[0].rsplit(".", 1)  # "url.search@1a2b" (allow_duplicate) -> ("url", "search")
        return ident, prop

    out = []
    for d in deps:
        spec = d["output"]
        parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
        outputs = tuple(pair(p) for p in parts if p and not p.startswith("{"))
        inputs = frozenset((i["id"], i["property"]) for i in d["inputs"] if isinstance(i["id"], str))
        out.append(Callback(inputs, outputs, bool(d.get("background"))))
    return out


def index(layout: Any) -> dict[str, tuple[Any, bool]]:
    """Every component of a page with an id: ``{id: (component, inside a closed <details>)}``."""
    found: dict[str, tuple[Any, bool]] = {}

    def walk(c: Any, closed: bool) -> None:
        if c is None or isinstance(c, str | int | float):
            return
        if isinstance(c, list | tuple):
            for x in c:
                walk(x, closed)
            return
        ident = getattr(c, "id", None)
        if isinstance(ident, str):
            found.setdefault(ident, (c, closed))
        inner = closed or (type(c).__name__ == "Details" and not getattr(c, "open", False))
        walk(getattr(c, "children", None), inner)

    walk(layout, False)
    return found


def driven(control: str, cbs: list[Callback]) -> list[Callback]:
    """The callbacks a change of ``control`` runs: those it feeds, and those their outputs feed (not the URL)."""
    seen: list[Callback] = []
    frontier = {(control, "value"), (control, "drag_value")}
    while frontier:
        new = [cb for cb in cbs if cb not in seen and cb.inputs & frontier]
        seen += new
        frontier = {o for cb in new for o in cb.outputs if o[0] != "url"}
    return seen


def derive(path: str, layout: Any, cbs: list[Callback]) -> tuple[list[Probe], list[Skipped]]:
    """A probe for every light control of one page, and every other control with the reason it has none.

    A control is light when no callback it runs (directly or through a store) is a background job. Its
    probe times the first graph those callbacks redraw that is on screen and has a text that changes
    with it (``{graph}-summary``, or another text output of the same callback). ``PROBES[path]``, where
    it drives the same control, replaces the derived probe (it knows the page: Home first, another text,
    a longer wait for the page).
    """
    comps = index(layout)
    override = PROBES.get(path)
    ready = override.ready_ms if override else Probe.ready_ms
    probes: list[Probe] = []
    skipped: list[Skipped] = []
    for ident, (comp, _closed) in comps.items():  # a closed <details> is opened by prepare()
        kind = WIDGETS.get(type(comp).__name__)
        if kind is None:
            continue
        if override is not None and override.control == ident:
            probes.append(override)
            continue

        def skip(reason: str, ident: str = ident) -> None:
            skipped.append(Skipped(path, ident, reason))

        runs = driven(ident, cbs)
        jobs = [cb for cb in runs if cb.job]
        if not runs:
            skip("drives no callback")
        elif jobs:
            graph = next((i for i, p in jobs[0].outputs if p == "figure"), jobs[0].outputs[0][0])
            skip(f"starts a background job ({graph})")
        elif kind == "input" and getattr(comp, "type", None) == "hidden":
            skip("a hidden input set by the page, not a control")
        elif kind == "input" and getattr(comp, "type", None) != "number":
            skip("a text box (typed, sent on Enter): no probe")
        elif kind == "radio" and len(getattr(comp, "options", None) or []) < 2:
            skip("a choice with one option")
        else:
            target = _target(runs, comps)
            kind = "number" if kind == "input" else kind
            handle = {"slider": f"#{ident} [role=slider]", "radio": f"#{ident} input[type=radio]",
                      "check": f"#{ident} input[type=checkbox]", "number": f"#{ident}", "dropdown": f"#{ident}"}[kind]
            if isinstance(target, str):  # no graph to time: timed to its answer and its first text (a table)
                texts = [i for cb in runs for i, p in cb.outputs
                         if p == "children" and i in comps and not i.endswith("alert")]
                probes.append(Probe(handle, "", text=texts[0] if texts else "", ready_ms=ready, kind=kind,
                                    answered=True))
                continue
            (graph, text), *alts = target
            probes.append(Probe(handle, graph, text=text if text != f"{graph}-summary" else "", ready_ms=ready,
                                kind=kind, alts=tuple(alts)))
    if override is not None and override not in probes:  # hand-written knowledge the map does not show
        probes.insert(0, override)
    return probes, skipped


def _target(runs: list[Callback], comps: dict[str, tuple[Any, bool]]) -> list[tuple[str, str]] | str:
    """The on-screen graphs the callbacks redraw with a text that changes with each, or why there is none."""
    why = "redraws no graph (text only)"
    found: list[tuple[str, str]] = []
    for cb in runs:
        outs = set(cb.outputs)
        for ident, prop in cb.outputs:
            if prop != "figure" or ident not in comps or type(comps[ident][0]).__name__ != "Graph":
                continue
            if comps[ident][1]:
                why = f"its graph {ident} is inside a closed <details>"
                continue
            texts = [f"{ident}-summary"] if (f"{ident}-summary", "children") in outs else [
                i for i, p in cb.outputs if p == "children" and i in comps and not i.endswith("alert")]
            if not texts:
                why = f"its graph {ident} has no text that changes with it"
            elif ident not in (g for g, _ in found):
                found.append((ident, texts[0]))
    return found or why


def page_layout(page: Any) -> Any:
    """A built page's layout at its defaults, as the router draws it, without the "Check yourself" questions."""
    import importlib

    from neuralab.app import shell

    module = importlib.import_module(page.module)
    values, messages = module.SPEC.parse_query("")
    return shell.with_reference(module.layout(values, messages), page)


def app_probes(only: list[str] | None = None, app: Any = None) -> tuple[dict[str, list[Probe]], list[Skipped]]:
    """Every built page's probes, derived from ``app`` (default: built here, once a process); no browser."""
    from neuralab.app import create_app
    from neuralab.app.registry import built

    app = app or create_app()
    deps = app.server.test_client().get("/_dash-dependencies").get_json()
    cbs = callbacks(deps)
    probes: dict[str, list[Probe]] = {}
    skipped: list[Skipped] = []
    for page in built():
        if only and page.path not in only:
            continue
        found, why = derive(page.path, page_layout(page), cbs)
        probes[page.path] = found
        skipped += why
    return probes, skipped


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
  // the drawn data, and the markers a control may move alone (a threshold line, a labelled point)
  const sig = gd => JSON.stringify([(gd._fullData || []).map(t => [
    t.x ? Array.from(t.x) : null, t.y ? Array.from(t.y) : null, t.z ? Array.from(t.z, r => Array.from(r)) : null]),
    ((gd._fullLayout || {}).shapes || []).map(s => [s.x0, s.x1, s.y0, s.y1]),
    ((gd._fullLayout || {}).annotations || []).map(a => [a.x, a.y, a.text])]);
  for (const g of graphs) { g.text = g.summary.textContent; g.sig = sig(g.gd); g.t = null; }
  performance.clearResourceTimings();
  window.__nlProbe = new Promise((resolve, reject) => {
    let t0 = null;
    const onKey = () => { if (t0 === null) t0 = performance.now(); };
    const handlers = graphs.map(g => () => {
      const now = performance.now();  // before the comparison below, which is the probe's cost, not the page's
      if (t0 === null || g.t !== null) return;
      if (g.summary.textContent === g.text || sig(g.gd) === g.sig) return;  // not the new figure yet
      g.t = now - t0;
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

# Arms one measurement of a control whose figures stay the same (:attr:`Probe.answered`): from the next keydown
# to the animation frame after the last of (the callback requests it caused have answered; its text, for a
# control that redraws text only, has changed), once nothing more has happened for 100 ms (not counted).
ANSWER_JS = """([graphs, texts, timeoutMs]) => {
  performance.clearResourceTimings();
  const text = !graphs[0] && texts[0] ? document.getElementById(texts[0]) : null;
  window.__nlProbe = new Promise((resolve, reject) => {
    let t0 = null, first = null, last = null, quiet = null, end = null;
    const onKey = () => { if (t0 === null) t0 = performance.now(); };
    const settle = () => requestAnimationFrame(() => {
      end = performance.now();
      clearTimeout(quiet);
      quiet = setTimeout(() => {
        done();
        resolve({total: end - t0, all: end - t0, before: first === null ? NaN : first - t0,
                 request: first === null ? NaN : last - first, after: first === null ? NaN : end - last,
                 n: first === null ? 0 : 1});
      }, 100);
    });
    const obs = new PerformanceObserver(list => {
      for (const e of list.getEntries()) {
        if (t0 === null || !e.name.includes('/_dash-update-component') || e.startTime < t0) continue;
        first = first === null ? e.startTime : Math.min(first, e.startTime);
        last = last === null ? e.responseEnd : Math.max(last, e.responseEnd);
        settle();
      }
    });
    const mo = new MutationObserver(() => { if (t0 !== null) settle(); });
    const timer = setTimeout(() => { done(); reject(new Error('no answer within ' + timeoutMs + ' ms')); }, timeoutMs);
    function done() {
      clearTimeout(timer); obs.disconnect(); mo.disconnect(); window.removeEventListener('keydown', onKey, true);
    }
    window.addEventListener('keydown', onKey, true);
    obs.observe({type: 'resource', buffered: false});
    if (text) mo.observe(text, {childList: true, subtree: true, characterData: true});
  });
  return null;
}"""


# Whether a control is drawn once its <details> (if any) is open: a layer's card not in use is not.
SHOWN_JS = """id => { const e = document.getElementById(id); if (!e) return false;
  const d = e.closest('details'); if (d) d.open = true; return e.getClientRects().length > 0; }"""


def shown(page, control: str, timeout_ms: int = 3_000, render_ms: int = 60_000) -> bool:
    """Whether the control is drawn once its <details> (if any) is open.

    It waits up to ``render_ms`` for the control to be in the page (a large page renders its sliders after the
    network is idle), then up to ``timeout_ms`` for it to be drawn (a layer's card not in use never is).
    """
    try:
        page.wait_for_function("id => !!document.getElementById(id)", arg=control, timeout=render_ms)
        page.wait_for_function(SHOWN_JS, arg=control, timeout=timeout_ms)
    except Exception:  # noqa: BLE001  # Playwright's TimeoutError: not drawn
        return False
    return True


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


def open_page(page, base: str, path: str, ready_ms: int) -> None:
    """Load a page and wait until its requests are done (its background jobs on a cold cache included)."""
    page.goto(base + path)
    page.wait_for_load_state("networkidle", timeout=ready_ms)


def prepare(page, probe: Probe) -> None:
    """Wait for the probe's graph and text, unfold the control's ``<details>``, and focus the control."""
    from playwright.sync_api import expect

    if probe.graph:
        expect(page.locator(f"#{probe.text or probe.graph + '-summary'}")).not_to_be_empty(timeout=probe.ready_ms)
        page.wait_for_function(
            "id => { const w = document.getElementById(id); const gd = w && w.querySelector('.js-plotly-plot');"
            " return !!(gd && gd._fullData && gd._fullData.length); }",
            arg=probe.graph,
            timeout=probe.ready_ms,
        )
    page.wait_for_load_state("networkidle", timeout=probe.ready_ms)  # heavy charts elsewhere on the page done too
    if not shown(page, probe.control, render_ms=probe.ready_ms):  # also opens its <details>
        raise RuntimeError(f"{probe.control} is not drawn on the page")
    page.locator(probe.handle).first.focus()
    if probe.home:
        page.keyboard.press("Home")
        page.wait_for_timeout(500)  # the replay of step 1 drawn before the first timed move


def steps(page, probe: Probe, n: int) -> list[tuple[tuple[str, Any] | None, str]]:
    """``n`` moves there and back: (what to do first, untimed, or None; the timed key)."""
    if probe.kind == "slider":  # right first, unless the handle sits at its maximum
        handle = page.locator(probe.handle).first
        top = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        there, back = ("ArrowLeft", "ArrowRight") if top else ("ArrowRight", "ArrowLeft")
        return [(None, there if i % 2 == 0 else back) for i in range(n)]
    if probe.kind == "check":
        return [(None, "Space")] * n
    if probe.kind == "number":  # the box sends its value on Enter (debounce): step it untimed, time the Enter
        return [(("press", "ArrowUp" if i % 2 == 0 else "ArrowDown"), "Enter") for i in range(n)]
    if probe.kind == "dropdown":  # opened untimed, the next option focused, then the first again; Enter timed
        return [(("open", 1 if i % 2 == 0 else 0), "Enter") for i in range(n)]
    boxes = page.locator(probe.handle)
    here = next(i for i in range(boxes.count()) if boxes.nth(i).is_checked())
    there = (here + 1) % boxes.count()
    return [(("focus", there if i % 2 == 0 else here), "Space") for i in range(n)]


def move(page, probe: Probe, step: tuple[tuple[str, Any] | None, str], timeout_ms: int = MOVE_TIMEOUT_MS
         ) -> dict[str, float]:
    """One timed key press on the probe's control: milliseconds to the new figure, and its parts."""
    first, key = step
    if first is not None and first[0] == "focus":
        page.locator(probe.handle).nth(first[1]).focus()
    elif first is not None and first[0] == "open":  # a Dash 4 dropdown: ArrowDown opens its list of options
        page.locator(probe.handle).first.focus()
        page.keyboard.press("ArrowDown")
        option = page.locator("[role=option]").nth(first[1])
        option.wait_for(timeout=timeout_ms)
        option.locator("input").focus()
    elif first is not None:
        page.keyboard.press(first[1])
    page.evaluate(ANSWER_JS if probe.answered else ARM_JS, [[probe.graph, *probe.also], [probe.text], timeout_ms])
    page.keyboard.press(key)
    return page.evaluate("window.__nlProbe")


def percentile(xs: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks."""
    s = sorted(xs)
    if len(s) == 1:
        return s[0]
    pos = (len(s) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def label(path: str, probe: Probe) -> str:
    if probe.answered:
        return f"{path} #{probe.control} -> answer ({'no figure changes at the defaults' if probe.graph else 'text'})"
    return f"{path} #{probe.control} -> {probe.graph}"


def measure(base: str, chromium: str, n_moves: int, probes: dict[str, list[Probe]]
            ) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Every probe's timed moves (``{label: ms}``), and the probes that failed with the reason."""
    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {}
    failed: dict[str, str] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            for path, found in probes.items():
                if not found:
                    continue
                open_page(page, base, path, max(p.ready_ms for p in found))
                for derived in found:
                    tries = derived.fallbacks()
                    if not shown(page, derived.control):
                        failed[label(path, derived)] = "not shown at the page's defaults (e.g. a layer not in use)"
                        continue
                    for n_try, probe in enumerate(tries):
                        name = label(path, probe)
                        first = FIRST_MOVE_TIMEOUT_MS if n_try < len(tries) - 1 else MOVE_TIMEOUT_MS
                        try:
                            prepare(page, probe)
                            warm = steps(page, probe, N_WARMUP)
                            move(page, probe, warm[0], first)
                            for step in warm[1:]:
                                move(page, probe, step)
                            moves = [move(page, probe, step) for step in steps(page, probe, n_moves)]
                            break
                        except Exception as exc:  # noqa: BLE001  # one probe's failure is reported, the rest run
                            why = str(exc).splitlines()[0][:200]
                            if "no redraw within" in why:
                                why += " (the figure's data or its text stayed the same at the page's defaults)"
                            log(f"{name}: FAILED {why}")
                            open_page(page, base, path, probe.ready_ms)  # a clean page for the next try
                    else:
                        failed[label(path, derived)] = why + (f"; and on {len(tries) - 1} other graphs"
                                                               if len(tries) > 1 else "")
                        continue
                    times = [m["total"] for m in moves]
                    results[name] = times
                    if probe.also:
                        results[f"{name} (all {1 + len(probe.also)} figures it moves)"] = [m["all"] for m in moves]
                    parts = " ".join(
                        f"{k}_p50={statistics.median(m[k] for m in moves):.1f}" for k in ("before", "request", "after")
                    )
                    log(f"{name}: n={len(times)} min={min(times):.1f} mean={statistics.fmean(times):.1f} "
                        f"max={max(times):.1f} ms; {parts} ms; requests per move "
                        f"{sorted({m['n'] for m in moves})}")
            if errors:
                log("page errors: " + "; ".join(errors))
            context.close()
        finally:
            browser.close()
    return results, failed


def print_probes(probes: dict[str, list[Probe]], skipped: list[Skipped]) -> None:
    """The probes (and the controls without one), without measuring."""
    for path, found in probes.items():
        for p in found:
            extra = "".join([f" text={p.text}" if p.text else "", " home" if p.home else "",
                             f" also={','.join(p.also)}" if p.also else "",
                             f" else={','.join(g for g, _ in p.alts)}" if p.alts else "",
                             " (hand-written)" if PROBES.get(path) == p else ""])
            print(f"{label(path, p)} [{p.kind}]{extra}")
    for s in skipped:
        print(f"{s.path} #{s.control} not probed: {s.reason}")
    print(f"{sum(map(len, probes.values()))} probes on {sum(1 for f in probes.values() if f)} pages; "
          f"{len(skipped)} controls not probed")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=int(os.environ.get("BENCH_MOVES", N_MOVES)),
                    help=f"timed moves per probe (default {N_MOVES})")
    ap.add_argument("--workers", type=int, default=WORKERS, help=f"server worker processes (default {WORKERS})")
    ap.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    ap.add_argument("--list", action="store_true", help="print the probes and the unprobed controls; measure nothing")
    ap.add_argument("--control", action="append", default=[],
                    help="only the probes of this control id (repeatable), e.g. splits-train_pct")
    ap.add_argument("paths", nargs="*", help="only these pages (e.g. /splits); default every built page")
    args = ap.parse_args(argv)

    probes, skipped = app_probes(args.paths or None)
    if args.control:
        probes = {path: [p for p in found if p.control in args.control] for path, found in probes.items()}
        skipped = [s for s in skipped if s.control in args.control]
    if args.list:
        print_probes(probes, skipped)
        return 0

    if (why := browser_unavailable()) is not None:
        log(f"browser_latency: {why}")
        return 2
    chromium = chromium_path()

    from neuralab.app.registry import PAGES

    # a SIGTERM (e.g. from a CI timeout) unwinds through `finally`, so the server is stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    load_before = _load()
    with tempfile.TemporaryDirectory(prefix="neuralab-bench-") as tmp:
        lab = LabServer(workers=args.workers, cache_dir=Path(tmp) / "cache", log_path=Path(tmp) / "serve.log")
        if args.port:
            lab.port, lab.url = args.port, f"http://127.0.0.1:{args.port}"
        try:
            lab.start()
            log(f"server pid {lab.proc.pid} ({args.workers} workers) ready in {lab.ready_s:.1f} s at {lab.url}")
            warm_http(lab.url, ["/", *(p.path for p in PAGES)])
            results, failed = measure(lab.url, chromium, args.moves, probes)
        except BaseException:
            log(f"--- server log (tail) ---\n{lab.log_tail()}")
            raise
        finally:
            lab.stop()

    met = 0
    for name, times in results.items():
        p50, p95 = percentile(times, 50), percentile(times, 95)
        ok = p50 <= TARGET_P50_MS and p95 <= TARGET_P95_MS
        met += ok
        print(f"{name} p50_ms={p50:.1f} p95_ms={p95:.1f} {'meets' if ok else 'misses'}", flush=True)
    for name, why in failed.items():
        print(f"{name} failed: {why}")
    for s in skipped:
        print(f"{s.path} #{s.control} not probed: {s.reason}")
    print(f"summary: {met} of {len(results)} timings meet the target (p50 <= {TARGET_P50_MS} ms and "
          f"p95 <= {TARGET_P95_MS} ms); {len(failed)} probes failed; {len(skipped)} controls not probed; "
          f"{args.moves} moves each; load average {load_before} before, {_load()} after")
    return 0


def _load() -> str:
    try:
        return f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
