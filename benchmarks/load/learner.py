"""What a browser tab of the lab holds and sends, as plain functions (no Locust, no neuralab import).

The Dash 4 renderer keeps every component's properties, posts a callback's inputs and state
to ``/_dash-update-component`` when one of its inputs changes, applies the answer to its
properties (which may fire further callbacks) and, for a background callback, polls the job
with the handles the first answer gave. :mod:`locustfile` drives these functions over HTTP;
they are kept apart so that they can be read, and tested, without a server.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/, for latency.py's request shapes
from latency import split_output  # noqa: E402

#: Request names in Locust's statistics, one per kind of request.
PAGE_GET = "page GET"  # a page's HTML, /_dash-layout and /_dash-dependencies (a new tab)
ASSET_GET = "asset GET"  # the scripts and style sheets the HTML lists (a browser's first visit only)
RENDER = "page render"  # the router callback that draws a page (url.pathname -> main.children)
LIGHT = "light"  # a callback that follows a slider while it moves (a drag_value or updatemode="drag" input)
HEAVY = "heavy"  # any other plain callback: fires on a slider's release, an option, a click
SUBMIT = "background submit"  # the first POST of a background callback (starts the job)
POLL = "poll"  # a background callback's follow-up POST with ?cacheKey=&job=
CANCEL = "cancel"  # Dash's own callback that ends a page's jobs when the address changes
KINDS = (PAGE_GET, ASSET_GET, RENDER, LIGHT, HEAVY, SUBMIT, POLL, CANCEL)

#: How a job's answer ended, read from its text. The sentences are the lab's own (neuralab.app.limits);
#: ``tests/test_load_benchmark.py`` checks that each fragment still appears there.
BUSY_MARK = "nl-busy"  # limits.BUSY_MARK: every refusal, time-out, failure and lost job carries it
REFUSALS = (  # (outcome, a fragment of the sentence the page shows); the first that matches wins
    ("failed", "This computation failed"),  # first: the exception's own words follow it
    ("busy: queue full", "as many jobs as it can queue"),
    ("busy: browser's slots", "This browser already has"),
    ("busy: all slots taken", "computation slots are taken,"),
    ("stopped: time limit", "the lab's limit"),
    ("lost", "stopped before it finished"),
    ("never started", "never started"),
    ("given up", "gave no result within"),
)


@dataclass(frozen=True)
class Dep:
    """One server-side callback from ``/_dash-dependencies``."""

    output: str  # the dependency's output string, as the renderer posts it
    outputs: list[dict[str, str]]
    multi: bool
    inputs: list[tuple[str, str]]  # (component id, property)
    state: list[tuple[str, str]]
    initial: bool  # fires when its components appear (not prevent_initial_call)
    kind: str  # LIGHT, HEAVY, RENDER, CANCEL, or "background"
    interval_s: float = 0.5  # a background callback's poll interval
    cancel: tuple[tuple[str, str], ...] = ()  # inputs whose change cancels its job

    @property
    def background(self) -> bool:
        return self.kind == "background"

    def out_ids(self) -> set[str]:
        return {o["id"] for o in self.outputs}


def server_deps(deps: list[dict], kinds: dict[str, str]) -> list[Dep]:
    """The server-side callbacks of ``deps`` (``kinds`` maps each one's output string to its kind)."""
    out = []
    for d in deps:
        if d["output"] not in kinds:  # clientside
            continue
        outs, multi = split_output(d["output"])
        bg = d.get("background") or {}
        out.append(Dep(
            output=d["output"], outputs=outs, multi=multi,
            inputs=[(i["id"], i["property"]) for i in d["inputs"]],
            state=[(s["id"], s["property"]) for s in d["state"]],
            initial=not d.get("prevent_initial_call"),
            kind=kinds[d["output"]],
            interval_s=bg.get("interval", 500) / 1000 if bg else 0.5,
            cancel=tuple((c["id"], c["property"]) for c in bg.get("cancel", []) or []),
        ))
    return out


def components(tree: Any) -> Iterator[dict]:
    """Every component (a ``{"type", "namespace", "props"}`` dict) of a layout tree as JSON."""
    if isinstance(tree, list):
        for c in tree:
            yield from components(c)
    elif isinstance(tree, dict) and "props" in tree:
        yield tree
        props = tree["props"]
        for value in props.values():
            if isinstance(value, list | dict):
                yield from components(value)


def props_of(tree: Any, keep: set[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """``{component id: properties}`` for every component with a string id.

    Only the properties a server callback reads (``keep``) are stored, and a slider's range and
    step (to drag it along its grid): whole figures would only fill the load generator's memory.
    """
    out = {}
    for c in components(tree):
        ident = c["props"].get("id")
        if isinstance(ident, str):
            out[ident] = {k: v for k, v in c["props"].items() if (ident, k) in keep or k in _SLIDER}
    return out


_SLIDER = ("min", "max", "step", "updatemode")


def body(dep: Dep, props: dict[str, dict[str, Any]], changed: list[str]) -> dict:
    """The body the renderer posts for ``dep``, its inputs and state read from ``props``."""

    def fill(pairs):
        return [{"id": i, "property": p, "value": props.get(i, {}).get(p)} for i, p in pairs]

    doc = {
        "output": dep.output,
        "outputs": dep.outputs if dep.multi else dep.outputs[0],
        "inputs": fill(dep.inputs),
        "changedPropIds": changed,
        "parsedChangedPropsIds": changed,
    }
    if dep.state:  # the renderer leaves "state" out when a callback has none
        doc["state"] = fill(dep.state)
    return doc


def nulled(doc: dict) -> dict:
    """A poll's body: the first request's, with every input and state value null (as the renderer sends it)."""
    out = {**doc, "inputs": [{**i, "value": None} for i in doc["inputs"]]}
    if "state" in doc:
        out["state"] = [{**s, "value": None} for s in doc["state"]]
    return out


def url(end_id: str | None, *args: tuple[str, str]) -> str:
    """``/_dash-update-component`` with ``?endId=`` and further arguments, joined as the renderer joins them."""
    pairs = ([("endId", end_id)] if end_id else []) + list(args)
    return "/_dash-update-component" + ("?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else "")


def apply(props: dict[str, dict[str, Any]], doc: dict, keep: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Apply an answer's ``response`` to ``props`` (only what ``keep`` names); return the (id, property) pairs
    it changed."""
    changed = []
    for ident, new in (doc.get("response") or {}).items():
        if not isinstance(new, dict):
            continue
        for prop, value in new.items():
            if (ident, prop) in keep:
                props.setdefault(ident, {})[prop] = value
            changed.append((ident, prop))
    return changed


def triggered(deps: list[Dep], changes: list[tuple[str, str]], present: dict) -> list[Dep]:
    """The server callbacks fired by ``changes``: an input among them, every input's component on the page."""
    hit = set(changes)
    return [d for d in deps if hit.intersection(d.inputs) and all(i in present for i, _ in d.inputs)]


def initial(deps: list[Dep], props: dict[str, dict[str, Any]], new_ids: set[str]) -> tuple[list[Dep], list[Dep]]:
    """The callbacks a newly drawn page fires by itself: (first wave, second wave).

    A callback fires when its components appear (an input or output in ``new_ids``), unless it
    is ``prevent_initial_call`` or an input's component is missing. One whose input is the
    output of another first-wave plain callback waits for it, as the renderer makes it wait.
    """
    fire = [d for d in deps if d.initial and all(i in props for i, _ in d.inputs)
            and ({i for i, _ in d.inputs} | d.out_ids()) & new_ids and d.kind not in (RENDER, CANCEL)]
    produced = {(o["id"], o["property"]) for d in fire if not d.background for o in d.outputs}
    second = [d for d in fire if produced.intersection(d.inputs)]
    return [d for d in fire if d not in second], second


@dataclass
class Job:
    """A background job as its page holds it: the handles, and how it ended."""

    dep: Dep
    handles: tuple[str, str]  # signed cacheKey, job
    body: dict  # the poll body (inputs nulled)
    started: float  # time of the submit
    cancel: tuple[tuple[str, str], ...] = ()
    outdated: bool = False  # a newer request for the same outputs replaced it (oldJob)
    cancelled: bool = False  # its page was left (cancelJob)
    done: bool = False
    polls: int = 0
    outcome: str = ""


def outcome(raw: bytes) -> str:
    """How a background answer that carries a ``response`` ended: "computed", or the reason it did not."""
    text = raw.decode(errors="replace")
    if BUSY_MARK not in text:
        return "computed"
    for name, fragment in REFUSALS:
        if fragment in text:
            return name
    return "busy: other"


_ASSETS = re.compile(r'<(?:script[^>]*\bsrc|link[^>]*\bhref)="(/[^"]+)"')


def assets(html: str) -> list[str]:
    """The scripts and style sheets a page's HTML makes the browser fetch."""
    return _ASSETS.findall(html)


@dataclass
class Tally:
    """Counts the locustfile keeps beside Locust's own statistics (written as JSON at the end)."""

    outcomes: dict[str, int] = field(default_factory=dict)  # job outcome -> count
    job_s: dict[str, list[float]] = field(default_factory=dict)  # outcome -> submit-to-answer seconds
    status: dict[str, int] = field(default_factory=dict)  # "kind status" -> count
    errors: dict[str, int] = field(default_factory=dict)  # first words of each failure -> count
    actions: dict[str, int] = field(default_factory=dict)
    callback_ms: dict[str, list[float]] = field(default_factory=dict)  # "kind first-output" -> each request's ms

    def count(self, table: str, key: str, n: int = 1) -> None:
        d = getattr(self, table)
        d[key] = d.get(key, 0) + n

    def job(self, name: str, seconds: float) -> None:
        self.count("outcomes", name)
        self.job_s.setdefault(name, []).append(round(seconds, 3))

    def reset(self) -> None:
        for name in ("outcomes", "job_s", "status", "errors", "actions", "callback_ms"):
            getattr(self, name).clear()

    def as_json(self) -> dict:
        return {"outcomes": self.outcomes, "job_s": self.job_s, "status": self.status, "errors": self.errors,
                "actions": self.actions, "callback_ms": self.callback_ms}

    def timed(self, kind: str, dep: Dep, ms: float) -> None:
        """One plain callback's time, kept per callback (named by its first output)."""
        o = dep.outputs[0]
        self.callback_ms.setdefault(f"{kind} {o['id']}.{o['property']}", []).append(round(ms, 1))
