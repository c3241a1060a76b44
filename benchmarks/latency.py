"""Server-side callback latency of every built page, measured over HTTP against the production server.

Starts ``python -m neuralab serve --workers 2`` (gunicorn) on a free port, finds the
server-side callbacks each built page's controls drive (from ``/_dash-dependencies``),
and times ``POST /_dash-update-component`` requests built the way the Dash 4 renderer
builds them, with random valid parameter values drawn from the page's ``SPEC``.

Targets:
    drag callbacks  (an input is a slider with updatemode="drag")  p95 <= 15 ms
    heavy callbacks (fire on slider release, option change or click) p95 <= 150 ms

Each callback gets its own 300 timed requests (after a few warm-up requests); the
per-page line pools the requests of the page's drag callbacks. Client wall time per
request, one persistent HTTP connection (reopened when the server closes it).

Background callbacks (``background=True``, run by the DiskcacheManager) are timed the
way the user sees them: from the first POST until the poll that carries the result,
polling every ``background.interval`` ms as the renderer does. The server gets a fresh
``NEURALAB_CACHE_DIR``, so no result comes from an earlier run's disk cache.
Prints figures only; it asserts nothing.

Background callbacks get BENCH_N_BG (default 3) timed requests after one warm-up: each is a whole
training run, and its time is that run's wall time as the page sees it.

Each callback's FIRST request since the server started is reported apart (``cold_ms``): it is the one a
learner meets first (a lazy import, a reference model trained the first time), and the warm-up hides it.

Run:  .venv/bin/python benchmarks/latency.py [/path ...]   (default: every built page)
      BENCH_SRC=/path/to/src ...   serves another source tree (before/after a change, side by side)
"""

from __future__ import annotations

import http.client
import importlib
import json
import math
import os
import platform
import random
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.devserver
from tests.devserver import LabServer  # noqa: E402

N_REQUESTS = int(os.environ.get("BENCH_N", "300"))  # timed requests per callback
N_WARMUP = 5  # untimed requests per callback first
# a background callback's request is a whole training run (seconds): a few of them say enough
N_BACKGROUND = int(os.environ.get("BENCH_N_BG", "3"))
N_WARMUP_BACKGROUND = 1
SEED = 0  # the RNG seed; the same seed draws the same parameter values
SLIDER_SHARE = 0.8  # share of requests whose changed input is one of the callback's sliders
DRAG_TARGET_MS = 15.0
HEAVY_TARGET_MS = 150.0
WORKERS = 2
N_SLOWEST = 5  # slowest requests listed per heavy (or over-target) callback
JOB_TIMEOUT_S = 300.0  # a background job not done by then counts as a failure


# --------------------------------------------------------------------------- server


def end_id(html: str) -> str | None:
    """The per-page-load token the renderer echoes as ``?endId=`` (from the page's _dash-config)."""
    m = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(m.group(1)).get("end_id") if m else None


class Client:
    """One persistent HTTP/1.1 connection; reopened (and counted) whenever the server closes it."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.connects = 0
        self.requests = 0

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            if self.conn.sock is None:
                self.connects += 1
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                self.requests += 1
                return resp.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server dropped an idle keep-alive connection: reopen once
                self.conn.close()
                if attempt:
                    raise
        raise AssertionError("not reached")

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------- pages and callbacks


@dataclass
class Callback:
    output: str  # the dependency's output string, e.g. "..a.figure...b.children.."
    outputs: list[dict[str, str]]  # [{"id":..., "property":...}], as the renderer sends them
    multi: bool
    inputs: list[dict[str, str]]  # [{"id":..., "property":...}]
    state: list[dict[str, str]]
    name: str
    interval_ms: int | None = None  # poll interval of a background callback; None for a plain one
    kind: str = "heavy"  # "drag" or "heavy"
    fields: dict[str, str] = field(default_factory=dict)  # "id.prop" -> field name in SPEC


@dataclass
class Page:
    path: str
    key: str  # the module's P
    spec: Any  # neuralab.params.ParamSpec
    sliders: set[str]  # component ids of every slider on the page
    drag_sliders: set[str]  # ... of those with updatemode="drag"
    callbacks: list[Callback] = field(default_factory=list)


def walk(component):
    """Every component in a layout tree (following ``children``)."""
    if component is None or isinstance(component, str | int | float):
        return
    if isinstance(component, list | tuple):
        for c in component:
            yield from walk(c)
        return
    yield component
    yield from walk(getattr(component, "children", None))


def split_output(output: str) -> tuple[list[dict[str, str]], bool]:
    """The renderer's reading of a dependency's output string: [{"id", "property"}], and multi or not."""
    multi = output.startswith("..") and output.endswith("..")
    parts = output[2:-2].split("...") if multi else [output]
    outs = []
    for part in parts:
        ident, _, prop = part.rpartition(".")
        outs.append({"id": ident.replace("\\.", "."), "property": prop.split("@")[0]})
    return outs, multi


def is_clientside(dep: dict) -> bool:
    outs, _ = split_output(dep["output"])
    return bool(dep.get("clientside_function")) or any(
        (o["id"] == "url" and o["property"] == "search") or o["id"].endswith("-readout") for o in outs
    )


def discover(deps: list[dict]) -> list[Page]:
    """The built pages, their sliders (from the in-process layout) and their server-side callbacks."""
    from dash import dcc

    from neuralab.app import create_app, shell
    from neuralab.app.registry import built

    app = create_app()
    names = {k: getattr(v.get("callback"), "__name__", None) for k, v in app.callback_map.items()}
    pages = []
    for entry in built():
        module = importlib.import_module(entry.module)
        key, spec = module.P, module.SPEC
        tree = list(walk(shell.render(entry.path, "")))
        sliders = {c.id for c in tree if isinstance(c, dcc.Slider)}
        drag = {c.id for c in tree if isinstance(c, dcc.Slider) and getattr(c, "updatemode", None) == "drag"}
        page = Page(entry.path, key, spec, sliders, drag)
        controls = {f"{key}-{name}": name for name in spec.fields}
        for dep in deps:
            if is_clientside(dep):
                continue
            if not any(i["id"] in controls for i in dep["inputs"]):
                continue
            outs, multi = split_output(dep["output"])
            cb = Callback(
                output=dep["output"],
                outputs=outs,
                multi=multi,
                inputs=[{"id": i["id"], "property": i["property"]} for i in dep["inputs"]],
                state=[{"id": s["id"], "property": s["property"]} for s in dep["state"]],
                name=names.get(dep["output"]) or ",".join(o["id"] for o in outs),
                interval_ms=(dep.get("background") or {}).get("interval", 500) if dep.get("background") else None,
            )
            # a drag callback follows a slider while it moves: an updatemode="drag" slider's value,
            # or any slider's drag_value (the other pattern Dash offers)
            cb.kind = "drag" if any(
                (i["id"] in drag and i["property"] == "value") or (i["id"] in sliders and i["property"] == "drag_value")
                for i in cb.inputs
            ) else "heavy"
            cb.fields = {
                f"{d['id']}.{d['property']}": controls[d["id"]]
                for d in cb.inputs + cb.state
                if d["id"] in controls and d["property"] in ("value", "drag_value")
            }
            page.callbacks.append(cb)
        pages.append(page)
    return pages


# --------------------------------------------------------------------------- values and payloads


def draw_field(f, rng: random.Random):
    from neuralab.params import Bool, Choice, Float, Int, Text

    if isinstance(f, Int):
        return f.lo + f.step * rng.randint(0, (f.hi - f.lo) // f.step)
    if isinstance(f, Float):
        if f.log:
            return 10.0 ** rng.uniform(math.log10(f.lo), math.log10(f.hi))
        return rng.uniform(f.lo, f.hi)
    if isinstance(f, Choice):
        return rng.choice(f.options)[0]
    if isinstance(f, Bool):
        return rng.random() < 0.5
    if isinstance(f, Text):  # typed by hand: the default, which is valid
        return f.default
    raise TypeError(f"unknown field type {type(f).__name__}")


def draw_values(spec, rng: random.Random) -> dict[str, Any]:
    """Random values for every field of ``spec`` that pass its field and cross-field rules."""
    for _ in range(10_000):
        values = {name: draw_field(f, rng) for name, f in spec.fields.items()}
        _, messages = spec.check(values)
        if not messages:
            return values
    raise RuntimeError(f"could not draw valid values for {spec!r}")


def widget_value(page: Page, ident: str, name: str, value):
    """What the control sends: a slider on a log field moves in log10 units."""
    f = page.spec.fields[name]
    return f.to_slider(value) if ident in page.sliders else value


def payload(page: Page, cb: Callback, values: dict[str, Any], changed: str) -> dict:
    """The body the Dash 4 renderer posts to /_dash-update-component (see dash-renderer's callbacks.ts)."""

    def fill(deps):
        out = []
        for d in deps:
            key = f"{d['id']}.{d['property']}"
            name = cb.fields.get(key)
            out.append({**d, "value": widget_value(page, d["id"], name, values[name]) if name else None})
        return out

    body = {
        "output": cb.output,
        "outputs": cb.outputs if cb.multi else cb.outputs[0],
        "inputs": fill(cb.inputs),
        "changedPropIds": [changed],
        "parsedChangedPropsIds": [changed],
    }
    if cb.state:  # the renderer leaves "state" out when a callback has none
        body["state"] = fill(cb.state)
    return body


def pick_changed(page: Page, cb: Callback, rng: random.Random) -> str:
    """Mostly one of the callback's sliders; otherwise any other input."""
    ids = [f"{i['id']}.{i['property']}" for i in cb.inputs]
    sliders = [k for k, i in zip(ids, cb.inputs, strict=True) if i["id"] in page.sliders]
    others = [k for k in ids if k not in sliders]
    if sliders and (not others or rng.random() < SLIDER_SHARE):
        return rng.choice(sliders)
    return rng.choice(others)


# --------------------------------------------------------------------------- measuring


@dataclass
class Sample:
    ms: float  # until the result arrived (for a background callback: first POST to the poll with the result)
    submit_ms: float  # the first POST alone
    polls: int  # follow-up requests of a background callback (0 for a plain one)
    last_ms: float  # the request that brought the result (the first POST for a plain callback)
    values: dict[str, Any]  # the callback's parameters
    changed: str


@dataclass
class Result:
    page: Page
    cb: Callback
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    cold: Sample | None = None  # the callback's first request since the server started (untimed warm-up otherwise)


def _snippet(raw: bytes) -> str:
    return raw[:200].decode(errors="replace").replace("\n", " ")


def _post(client: Client, url: str, data: bytes) -> tuple[dict | None, str | None]:
    """One POST; the decoded JSON body, or why it is not a usable answer."""
    status, raw = client.request("POST", url, data)
    if status != 200:
        return None, f"HTTP {status}: {_snippet(raw)}"
    try:
        return json.loads(raw), None
    except ValueError:
        return None, f"HTTP 200 but not JSON: {_snippet(raw)}"


def call(client: Client, cb: Callback, body: dict, token: str | None) -> tuple[float, float, int, float, str | None]:
    """Run one callback as the renderer does; return (ms, submit_ms, polls, last_ms, error or None).

    A background callback answers the first POST with signed ``cacheKey``/``job`` handles;
    the renderer then re-posts (inputs nulled) with those handles every ``interval`` ms
    until an answer carries ``response``.
    """
    base = "/_dash-update-component" + (f"?endId={token}" if token else "")
    data = json.dumps(body).encode()
    t0 = time.perf_counter()
    doc, error = _post(client, base, data)
    submit_ms = last_ms = (time.perf_counter() - t0) * 1000
    polls = 0
    if cb.interval_ms is not None and doc is not None and "response" not in doc:
        cache_key, job = doc.get("cacheKey"), doc.get("job")
        if not (cache_key and job):
            error = f"background callback answered without cacheKey/job: {_snippet(json.dumps(doc).encode())}"
        else:
            url = f"{base}{'&' if token else '?'}cacheKey={cache_key}&job={job}"
            nulled = {**body, "inputs": [{**i, "value": None} for i in body["inputs"]]}
            if "state" in body:
                nulled["state"] = [{**s, "value": None} for s in body["state"]]
            poll_data = json.dumps(nulled).encode()
            while doc is not None and "response" not in doc:
                if time.perf_counter() - t0 > JOB_TIMEOUT_S:
                    error = f"background job not done after {JOB_TIMEOUT_S:.0f} s"
                    break
                time.sleep(cb.interval_ms / 1000)
                polls += 1
                t1 = time.perf_counter()
                doc, error = _post(client, url, poll_data)
                last_ms = (time.perf_counter() - t1) * 1000
    ms = (time.perf_counter() - t0) * 1000
    if error is None and "response" not in doc:
        error = f"HTTP 200 without a 'response' key: {_snippet(json.dumps(doc).encode())}"
    return ms, submit_ms, polls, last_ms, error


def measure(client: Client, page: Page, cb: Callback, token: str | None) -> Result:
    rng = random.Random(f"{SEED}|{page.path}|{cb.output}")
    result = Result(page, cb)
    used = sorted(set(cb.fields.values()), key=list(page.spec.fields).index)
    warmup, n = (N_WARMUP_BACKGROUND, N_BACKGROUND) if cb.interval_ms else (N_WARMUP, N_REQUESTS)
    for i in range(warmup + n):
        values = draw_values(page.spec, rng)
        changed = pick_changed(page, cb, rng)
        ms, submit_ms, polls, last_ms, error = call(client, cb, payload(page, cb, values, changed), token)
        params = {k: values[k] for k in used}
        if i == 0 and not error:
            result.cold = Sample(ms, submit_ms, polls, last_ms, params, changed)
        if i < warmup:
            if error:
                result.failures.append(f"warm-up: {error}  params={params}")
            continue
        if error:
            result.failures.append(f"{error}  params={params}")
        else:
            result.samples.append(Sample(ms, submit_ms, polls, last_ms, params, changed))
    return result


# --------------------------------------------------------------------------- reporting


def pct(xs: list[float], q: float) -> float:
    """Percentile with linear interpolation between order statistics (numpy's default)."""
    s = sorted(xs)
    if not s:
        return float("nan")
    pos = (len(s) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def fmt(x: float) -> str:
    return f"{x:.1f}"


def breakdown(res: Result) -> list[str]:
    """For each parameter with few values, p50/p95 per value: which settings cost the time."""
    from neuralab.params import Float, Int

    lines = []
    for name in res.samples[0].values if res.samples else []:
        f = res.page.spec.fields[name]
        if isinstance(f, Float) or (isinstance(f, Int) and (f.hi - f.lo) // f.step + 1 > 25):
            continue  # too many values to tabulate (e.g. the seed)
        groups: dict[Any, list[float]] = defaultdict(list)
        for s in res.samples:
            groups[s.values[name]].append(s.ms)
        cells = " ".join(f"{v}:{fmt(pct(ms, 50))}/{fmt(pct(ms, 95))}" for v, ms in sorted(groups.items()))
        lines.append(f"      by {name} (p50/p95 ms): {cells}")
    return lines


def report(results: list[Result], pages: list[Page], client: Client) -> None:
    target = {"drag": DRAG_TARGET_MS, "heavy": HEAVY_TARGET_MS}
    for page in pages:
        mine = [r for r in results if r.page is page]
        if not mine:
            print(f"{page.path} (no server-side callbacks)")
            continue
        drag = [s.ms for r in mine if r.cb.kind == "drag" for s in r.samples]
        pool = drag or [s.ms for r in mine for s in r.samples]
        note = "" if drag else " (no drag callbacks)"
        print(f"{page.path} p50_ms={fmt(pct(pool, 50))} p95_ms={fmt(pct(pool, 95))} p99_ms={fmt(pct(pool, 99))}{note}")
        for r in mine:
            ms = [s.ms for s in r.samples]
            extra = ""
            if r.cb.interval_ms is not None:
                sub = [s.submit_ms for s in r.samples]
                last = [s.last_ms for s in r.samples]
                polls = [s.polls for s in r.samples]
                extra = (
                    f" background=yes poll_ms={r.cb.interval_ms} submit_p50_ms={fmt(pct(sub, 50))} "
                    f"submit_p95_ms={fmt(pct(sub, 95))} result_poll_p50_ms={fmt(pct(last, 50))} "
                    f"result_poll_p95_ms={fmt(pct(last, 95))} polls_p50={pct(polls, 50):.0f} "
                    f"polls_max={max(polls, default=0)}"
                )
            cold = fmt(r.cold.ms) if r.cold else "nan"
            print(
                f"  {page.path} callback={r.cb.name} kind={r.cb.kind} n={len(ms)} cold_ms={cold} "
                f"p50_ms={fmt(pct(ms, 50))} p95_ms={fmt(pct(ms, 95))} p99_ms={fmt(pct(ms, 99))} "
                f"max_ms={fmt(max(ms, default=float('nan')))}{extra}"
            )

    print()
    print("# verdicts (p95 against target)")
    for r in results:
        ms = [s.ms for s in r.samples]
        p95, lim = pct(ms, 95), target[r.cb.kind]
        verdict = "ok" if p95 <= lim else f"OVER by {p95 / lim:.1f}x"
        print(f"  {r.page.path} {r.cb.name} kind={r.cb.kind} p95_ms={fmt(p95)} target_ms={lim:g} {verdict}")

    print()
    print(f"# requests held in the server over {HEAVY_TARGET_MS:g} ms (plain callbacks: the first (cold) request, "
          "p95 and max; background callbacks: the submit POST and the result poll)")
    held = 0
    for r in results:
        if r.cb.interval_ms is None:
            figures = {"cold_ms": r.cold.ms if r.cold else float("nan"),
                       "p95_ms": pct([s.ms for s in r.samples], 95),
                       "max_ms": max((s.ms for s in r.samples), default=0)}
        else:
            figures = {"cold_submit_ms": r.cold.submit_ms if r.cold else float("nan"),
                       "cold_result_poll_ms": r.cold.last_ms if r.cold else float("nan"),
                       "submit_p95_ms": pct([s.submit_ms for s in r.samples], 95),
                       "result_poll_p95_ms": pct([s.last_ms for s in r.samples], 95)}
        if any(v > HEAVY_TARGET_MS for v in figures.values()):
            held += 1
            cells = " ".join(f"{k}={fmt(v)}" for k, v in figures.items())
            bg = " background=yes" if r.cb.interval_ms is not None else ""
            print(f"  {r.page.path} {r.cb.name}{bg} {cells}")
    print(f"  {held} callback(s) hold a request over {HEAVY_TARGET_MS:g} ms")

    print()
    print("# slowest requests and per-value breakdown (heavy callbacks, and any callback over its target)")
    for r in results:
        ms = [s.ms for s in r.samples]
        if not ms or (r.cb.kind != "heavy" and pct(ms, 95) <= target[r.cb.kind]):
            continue
        print(f"  {r.page.path} {r.cb.name}:")
        for s in sorted(r.samples, key=lambda s: -s.ms)[:N_SLOWEST]:
            params = " ".join(f"{k}={v}" for k, v in s.values.items())
            polls = f", {s.polls} polls, result poll {fmt(s.last_ms)} ms" if r.cb.interval_ms is not None else ""
            print(f"      {fmt(s.ms):>8} ms  {params}  (changed {s.changed.split('.')[0]}{polls})")
        for line in breakdown(r):
            print(line)

    print()
    n_fail = sum(len(r.failures) for r in results)
    print(f"# failures (non-200, non-JSON, no 'response' key, or a background job that never finished): {n_fail}")
    for r in results:
        if r.failures:
            print(f"  {r.page.path} {r.cb.name}: {len(r.failures)}")
            for msg in r.failures[:5]:
                print(f"      {msg}")
    print()
    how = "keep-alive honoured" if client.connects <= 2 else "the server closed the connection after each response"
    print(f"# HTTP: {client.requests} requests over {client.connects} TCP connection(s) ({how})")


def main() -> int:
    import dash

    cache_dir = tempfile.mkdtemp(prefix="neuralab-bench-cache-")
    os.environ["NEURALAB_CACHE_DIR"] = cache_dir  # the in-process create_app() in discover() too
    load_before = os.getloadavg()
    src = os.environ.get("BENCH_SRC")  # another source tree for the server (e.g. the code before a change)
    lab = LabServer(workers=WORKERS, cache_dir=cache_dir, env={"PYTHONPATH": src} if src else None)
    client = None
    try:
        lab.start()
        port, started_s = lab.port, lab.ready_s
        client = Client(port)
        status, raw = client.request("GET", "/")
        token = end_id(raw.decode(errors="replace")) if status == 200 else None
        status, raw = client.request("GET", "/_dash-dependencies")
        if status != 200:
            raise RuntimeError(f"GET /_dash-dependencies answered {status}")
        pages = discover(json.loads(raw))
        only = [a for a in sys.argv[1:] if a.startswith("/")]
        if only:
            pages = [p for p in pages if p.path in only]

        print("# neuralab server-side callback latency")
        print(
            f"# {time.strftime('%Y-%m-%d %H:%M')}  python {platform.python_version()}  dash {dash.__version__}  "
            f"{os.cpu_count()} CPUs  server: neuralab serve --workers {WORKERS} (gunicorn) on 127.0.0.1:{port}, "
            f"ready after {started_s:.1f} s" + (f", source {src}" if src else "")
        )
        print(
            f"# {N_REQUESTS} timed requests PER CALLBACK (after {N_WARMUP} warm-up requests; background callbacks "
            f"{N_BACKGROUND} after {N_WARMUP_BACKGROUND}), sent one at a time; "
            f"random valid values from each page's SPEC, seed={SEED}"
        )
        print(
            f"# the changed input (changedPropIds) is one of the callback's sliders in ~{SLIDER_SHARE:.0%} of "
            f"requests, another input otherwise"
        )
        print(
            f"# targets: drag callbacks (an input slider has updatemode='drag') p95 <= {DRAG_TARGET_MS:g} ms; "
            f"heavy ones (fire on release or click) p95 <= {HEAVY_TARGET_MS:g} ms"
        )
        print(
            "# times: client wall time, ms, of one POST /_dash-update-component; for background callbacks, "
            "first POST until the poll that brings the result (empty job cache)"
        )
        print("# page lines pool the requests of the page's drag callbacks")
        print()

        results = [measure(client, page, cb, token) for page in pages for cb in page.callbacks]
        report(results, pages, client)
        load_after = os.getloadavg()
        busy = max(load_before[0], load_after[0]) > (os.cpu_count() or 1)
        print(
            f"# load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f} on {os.cpu_count()} CPUs"
            + ("  -- the machine was busy with other work; figures are inflated" if busy else "")
        )
        return 0
    finally:
        if client is not None:
            client.close()
        lab.stop()
        shutil.rmtree(cache_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
