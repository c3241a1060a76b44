"""Simulated learners for Locust: each one is a browser tab on the lab, doing what a learner does.

A learner opens a page (its HTML, ``/_dash-layout``, ``/_dash-dependencies``, the router callback,
then every callback the page fires when it appears), and then, with a think time of
:data:`THINK_S` between actions:

* moves a control along a random walk of valid settings (:mod:`catalog`): a slider is dragged
  over ~0.1 s steps, each step sending the callbacks that follow the drag, then released; an
  option or a number box changes once;
* clicks a button of the page (new data, step, play, pause, export, ...);
* switches page from the sidebar: the address changes, Dash cancels the old page's jobs
  (``?cancelJob=`` on the router and on Dash's cancel callback), the new page draws;
* closes its tab (its jobs are no longer polled) and opens another, from the sidebar's address
  or from a shared link part-way along a walk.

Every background job is polled as the renderer polls it: every ``interval`` ms, with
``?cacheKey=&job=`` and null inputs, until an answer carries ``response`` (or a 204); a newer
request for the same outputs sends ``?oldJob=`` and the old chain stops. Each tab allows six
requests at once, as a browser allows six connections per host.

Requests are named by kind (:data:`learner.KINDS`). Job outcomes (computed, failed, refused as
busy and why, cancelled, superseded, abandoned), the actions actually done, HTTP statuses and
failures are counted beside Locust's statistics and written as JSON to ``$NEURALAB_LOAD_OUT`` at
the end (nothing is written without it).

Environment: ``NEURALAB_LOAD_CATALOG`` (the catalog JSON, required), ``NEURALAB_LOAD_OUT``,
``NEURALAB_LOAD_SEED``. Run through ``run.py``, or on its own against a running lab::

    NEURALAB_LOAD_CATALOG=catalog.json NEURALAB_LOAD_OUT=counts.json \
        locust -f benchmarks/load/locustfile.py --host http://127.0.0.1:8050 --headless -u 5 -r 1 -t 40s
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

import gevent
from gevent.pool import Group
from locust import FastHttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
import learner  # noqa: E402
from learner import Dep, Job  # noqa: E402

from latency import end_id  # noqa: E402  (learner put benchmarks/ on the path)

THINK_S = (2.0, 5.0)  # seconds between two actions of a learner (reading, deciding)
DRAG_STEP_S = 0.1  # a drag sends its next position this long after the last (one request in flight)
DRAG_STEPS = (3, 8)  # positions a drag passes through before the release
CONNECTIONS = 6  # requests in flight at once per tab (a browser's connections per host)
MAX_CHAIN = 3  # callbacks fired by callbacks' answers, at most this deep
SHARED_LINK = 0.5  # share of new tabs opened from a shared link (a state part-way along a walk)

CATALOG = json.loads(Path(os.environ["NEURALAB_LOAD_CATALOG"]).read_text())
PAGES = CATALOG["pages"]
DRAG_SLIDERS = set(CATALOG["drag_sliders"])
TALLY = learner.Tally()
RNG = random.Random(int(os.environ.get("NEURALAB_LOAD_SEED", "0")))
JSON = {"Content-Type": "application/json", "Accept": "application/json"}


class Lab:
    """The callback list (the same for every tab), read from the first ``/_dash-dependencies``."""

    deps: list[Dep] = []
    keep: set[tuple[str, str]] = set()  # every (id, property) a server callback reads

    @classmethod
    def load(cls, raw: list[dict]) -> None:
        if cls.deps:
            return
        cls.deps = learner.server_deps(raw, CATALOG["kinds"])
        cls.keep = {p for d in cls.deps for p in (*d.inputs, *d.state)}
        cls.route = next(d for d in cls.deps if d.kind == learner.RENDER)


class Tab:
    """One browser tab: its page load's token, every component's properties, its running jobs."""

    def __init__(self, user: Learner):
        self.user = user
        self.end_id: str | None = None
        self.shell: dict[str, dict] = {}  # the frame's components (url, theme, ...)
        self.props: dict[str, dict] = {}  # the frame's and the page's
        self.page: dict | None = None
        self.steps: list = []  # the walk this tab follows
        self.pos = 0
        self.jobs: dict[str, Job] = {}  # output string -> the job feeding it
        self.group = Group()  # job polls, and callbacks sent at once
        self.closed = False
        self.gen = 0  # page draws so far: an answer for a page that is gone is not applied

    # ------------------------------------------------------------------ requests

    def post(self, kind: str, path: str, doc: dict) -> tuple[int, bytes] | None:
        """POST a callback request; (status, body), or None when it failed (counted, with why)."""
        return self._send("POST", kind, path, json.dumps(doc))

    def get(self, kind: str, path: str) -> bytes | None:
        res = self._send("GET", kind, path, None)
        return None if res is None or res[0] != 200 else res[1]

    def _send(self, method: str, kind: str, path: str, data: str | None) -> tuple[int, bytes] | None:
        with self.user.client.request(method, path, data=data, headers=JSON if data else None, name=kind,
                                      catch_response=True) as r:
            status = r.status_code or 0
            TALLY.count("status", f"{kind} {status}")
            raw = (r.content or b"") if status else b""
            if status == 200 and data is not None and not raw.startswith(b"{"):
                why = f"HTTP 200 not JSON: {raw[:80]!r}"
            elif status == 200 or (status == 204 and data is not None):
                r.success()
                return status, raw
            elif status:
                why = f"HTTP {status} for {path.split('?')[0]}: {raw[:120]!r}"
            else:
                why = f"no answer for {path.split('?')[0]}: {getattr(r, 'error', None)!r}"
            r.failure(why)
            TALLY.count("errors", f"{kind}: {why[:200]}")
            return None

    # ------------------------------------------------------------------ opening and drawing a page

    def open(self, page: dict, query: str = "", first: bool = False) -> None:
        """A page load: the HTML (and, the first time, its scripts), the layout, the callbacks, the draw."""
        html = self.get(learner.PAGE_GET, page["path"] + query)
        if html is None:
            return
        text = html.decode(errors="replace")
        self.end_id = end_id(text)
        if first:
            for asset in learner.assets(text):
                self.get(learner.ASSET_GET, asset)
        layout = self.get(learner.PAGE_GET, "/_dash-layout")
        deps = self.get(learner.PAGE_GET, "/_dash-dependencies")
        if layout is None or deps is None:
            return
        Lab.load(json.loads(deps))
        self.shell = learner.props_of(json.loads(layout), Lab.keep)
        self.shell.setdefault("url", {}).update(pathname=page["path"], search=query)
        self.props = dict(self.shell)
        self.draw(page, [])

    def draw(self, page: dict, cancel: list[str]) -> None:
        """The router callback for the address in ``props``, then the new page's own callbacks."""
        self.page, self.gen = page, self.gen + 1
        args = [("cancelJob", j) for j in cancel]
        if cancel:  # Dash's cancel callback fires on the same change, with the same arguments
            dep = next(d for d in Lab.deps if d.kind == learner.CANCEL)
            self.group.spawn(self.post, learner.CANCEL, learner.url(self.end_id, *args),
                             learner.body(dep, self.props, ["url.pathname"]))
        res = self.post(learner.RENDER, learner.url(self.end_id, *args),
                        learner.body(Lab.route, self.props, ["url.pathname"]))
        if res is None or res[0] != 200:
            return
        doc = json.loads(res[1])
        tree = (doc.get("response") or {}).get("main", {}).get("children")
        fresh = learner.props_of(tree, Lab.keep)
        self.props = {**self.shell, **fresh}
        first, second = learner.initial(Lab.deps, self.props, set(fresh))
        self.fire(first, [], 0)
        self.fire(second, [], 0)

    # ------------------------------------------------------------------ callbacks

    def fire(self, deps: list[Dep], changed: list[str], depth: int) -> None:
        """Send ``deps`` at once, as the renderer does; wait for the plain ones (a job's first POST too)."""
        if not deps or self.closed:
            return
        calls = [self.group.spawn(self.call, d, changed, depth) for d in deps]
        gevent.joinall(calls)

    def call(self, dep: Dep, changed: list[str], depth: int) -> None:
        if dep.background:
            return self.submit(dep, changed)
        t0 = time.perf_counter()
        res = self.post(dep.kind, learner.url(self.end_id), learner.body(dep, self.props, changed))
        TALLY.timed(dep.kind, dep, (time.perf_counter() - t0) * 1000)
        if res is not None and res[0] == 200:
            self.answered(json.loads(res[1]), depth)

    def answered(self, doc: dict, depth: int) -> None:
        """Apply an answer; fire the callbacks whose inputs it changed (a resampled seed redraws its charts)."""
        changes = learner.apply(self.props, doc, Lab.keep)
        if depth < MAX_CHAIN:
            nxt = learner.triggered(Lab.deps, changes, self.props)
            self.fire(nxt, [f"{i}.{p}" for i, p in changes][:1], depth + 1)

    def change(self, pairs: list[tuple[str, str]], value) -> None:
        """Set properties of one control and fire what follows them."""
        for ident, prop in pairs:
            self.props.setdefault(ident, {})[prop] = value
        self.fire(learner.triggered(Lab.deps, pairs, self.props), [f"{i}.{p}" for i, p in pairs], 0)

    # ------------------------------------------------------------------ background jobs

    def submit(self, dep: Dep, changed: list[str]) -> None:
        args = []
        old = self.jobs.get(dep.output)
        if old is not None and not old.done:
            args.append(("oldJob", old.handles[1]))  # the renderer ends the job it replaces
            old.outdated = True
        doc = learner.body(dep, self.props, changed)
        t0 = time.monotonic()
        res = self.post(learner.SUBMIT, learner.url(self.end_id, *args), doc)
        if res is None or res[0] != 200:
            return
        answer = json.loads(res[1])
        if "response" in answer:  # answered at once (Dash 4 always starts a job, but count it if one is not)
            TALLY.job(learner.outcome(res[1]), time.monotonic() - t0)
            return self.answered(answer, 1)
        if not (answer.get("cacheKey") and answer.get("job")):
            TALLY.count("errors", f"{learner.SUBMIT}: no cacheKey/job: {res[1][:120]!r}")
            return
        job = Job(dep, (answer["cacheKey"], answer["job"]), learner.nulled(doc), t0,
                  cancel=tuple((c["id"], c["property"]) for c in answer.get("cancel") or []))
        self.jobs[dep.output] = job
        self.group.spawn(self.poll, job, self.gen)

    def poll(self, job: Job, gen: int) -> None:
        key, handle = job.handles
        path = learner.url(self.end_id, ("cacheKey", key), ("job", handle))
        while not job.done:
            gevent.sleep(job.dep.interval_s)
            if job.outdated:
                return self.finish(job, "superseded (oldJob)")
            if self.closed:
                return  # counted by close()
            res = self.post(learner.POLL, path, job.body)
            job.polls += 1
            if res is None:
                return self.finish(job, "poll failed")
            status, raw = res
            if status == 204:
                return self.finish(job, "cancelled (page left)" if job.cancelled else "ended, no update (204)")
            if b'"response"' in raw:
                self.finish(job, learner.outcome(raw))
                if gen == self.gen and not self.closed:
                    self.answered(json.loads(raw), 1)
                return

    def finish(self, job: Job, name: str) -> None:
        job.done = True
        TALLY.job(name, time.monotonic() - job.started)
        if self.jobs.get(job.dep.output) is job:
            del self.jobs[job.dep.output]

    def cancel_on(self, pairs: list[tuple[str, str]]) -> list[str]:
        """The jobs an address change ends (their ``cancel`` inputs), marked so."""
        out = []
        for job in list(self.jobs.values()):
            if not job.done and set(job.cancel) & set(pairs):
                job.cancelled = True
                out.append(job.handles[1])
        return out

    def close(self, why: str = "abandoned (tab closed)") -> None:
        """The tab is closed: nothing is polled any more (the lab's orphan watch ends its jobs)."""
        self.closed = True
        for job in list(self.jobs.values()):
            if not job.done:
                self.finish(job, why)


class Learner(FastHttpUser):
    """One learner with one tab open."""

    wait_time = between(*THINK_S)
    concurrency = CONNECTIONS

    def on_start(self) -> None:
        self.tab = Tab(self)
        self.open_page(first=True)

    def on_stop(self) -> None:
        self.tab.close("still running at the end")
        self.tab.group.kill(block=False)

    def open_page(self, first: bool = False) -> None:
        page = RNG.choice(PAGES)
        query, pos, walk = "", 0, RNG.choice(page["walks"]) if page["walks"] else {"steps": [], "queries": []}
        if not first and walk["steps"] and RNG.random() < SHARED_LINK:
            pos = RNG.randrange(len(walk["steps"]))
            query = walk["queries"][pos]
            pos += 1
        self.tab.steps, self.tab.pos = walk["steps"], pos
        self.tab.open(page, query, first)

    @task(70)
    def move(self) -> None:
        """Change the next control of the walk: drag a slider, pick an option, type a number."""
        tab = self.tab
        if tab.page is None or tab.pos >= len(tab.steps):
            return self.switch_page()
        ident, target = tab.steps[tab.pos]
        tab.pos += 1
        if ident not in tab.props:
            return
        TALLY.count("actions", "move")
        if tab.page["controls"][ident]["slider"]:
            return self.drag(ident, target)
        tab.change([(ident, "value")], target)

    def drag(self, ident: str, target) -> None:
        tab = self.tab
        slider = tab.props[ident]
        pairs = [(ident, "drag_value")] + ([(ident, "value")] if ident in DRAG_SLIDERS else [])
        follows = learner.triggered(Lab.deps, pairs, tab.props)
        start = slider.get("value")
        if follows and isinstance(start, int | float):
            lo, step = slider.get("min", 0), slider.get("step") or 1e-9
            n = RNG.randint(*DRAG_STEPS)
            seen = {start}
            for k in range(1, n + 1):
                pos = start + (target - start) * k / n
                pos = round(lo + round((pos - lo) / step) * step, 10) if k < n else target
                if pos in seen:
                    continue
                seen.add(pos)
                t0 = time.monotonic()
                tab.change(pairs, pos)
                gevent.sleep(max(0.0, DRAG_STEP_S - (time.monotonic() - t0)))
        if ident in DRAG_SLIDERS and follows:
            return  # an updatemode="drag" slider's value already followed the drag to its end
        tab.change([(ident, "value")], target)

    @task(10)
    def click(self) -> None:
        """Press one of the page's buttons."""
        tab = self.tab
        buttons = sorted({i for d in Lab.deps for i, p in d.inputs if p == "n_clicks" and i in tab.props})
        if not buttons:
            return
        TALLY.count("actions", "click")
        ident = RNG.choice(buttons)
        tab.change([(ident, "n_clicks")], (tab.props[ident].get("n_clicks") or 0) + 1)

    @task(12)
    def switch_page(self) -> None:
        """Follow a sidebar link: the address changes, the old page's jobs are cancelled, the new one draws."""
        tab = self.tab
        if tab.page is None:
            return self.new_tab()
        TALLY.count("actions", "switch page")
        page = RNG.choice([p for p in PAGES if p is not tab.page])
        walk = RNG.choice(page["walks"]) if page["walks"] else {"steps": []}
        tab.steps, tab.pos = walk["steps"], 0
        tab.shell["url"].update(pathname=page["path"], search="")
        tab.props["url"] = tab.shell["url"]
        tab.draw(page, tab.cancel_on([("url", "pathname")]))

    @task(6)
    def new_tab(self) -> None:
        """Close the tab (its polls stop) and open another one."""
        TALLY.count("actions", "new tab")
        self.tab.close()
        self.tab = Tab(self)
        self.open_page()


ENV: list = []  # the Locust environment, once it exists


@events.init.add_listener
def _remember(environment, **_kw) -> None:
    ENV.append(environment)


@events.spawning_complete.add_listener
def _reset(user_count: int, **_kw) -> None:
    if ENV and getattr(ENV[0], "reset_stats", False):  # --reset-stats: our counts start with Locust's
        TALLY.reset()


@events.quitting.add_listener
def _write(environment, **_kw) -> None:
    out = os.environ.get("NEURALAB_LOAD_OUT")
    if out:
        Path(out).write_text(json.dumps(TALLY.as_json()))
