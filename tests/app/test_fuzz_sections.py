"""Fuzzing every declared section over HTTP: a bad value in a control is answered with a sentence naming it.

``test_fuzz.py`` checks that any request gets a 200, 204 or 4xx without a traceback. This module checks
the answer itself, for every callback generated from a :class:`~neuralab.app.sections.Section` (light or a
background job, alone or in a :class:`~neuralab.app.sections.Together`): the page's own settings, one
control per section set to a value its declaration refuses (wrong type, NaN, infinity, out of range,
a huge number, list or string, an unknown option) and any other control set to anything, must come
back as a 200 whose alert (or caption, for a section without an alert) says that control's name.

Background callbacks are fuzzed through the whole job: the request forks a job, the job refuses the
value, and the page's polls bring back the sentence. Since every example holds a refused value in each
part of the job, no example computes anything. A separate test submits twelve jobs from two browsers
before polling any, with limits of 2 per browser and 3 in all, and records how many held a slot at any moment.

Around the values: forged job handles in the query (a cache key, a job id, another process's id to
cancel) read nothing and end nothing; a body that is not a request (bytes, deep nesting, bare JSON)
is a 4xx; a body over the size limit (by 1 to 64 bytes, one byte over always among them) is refused
unread, and one at the limit or under it is read.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import re
import time
from contextlib import contextmanager

import psutil
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from neuralab.app import limits
from neuralab.app.registry import built
from neuralab.app.sections import Alert, Chart, Section, Together
from neuralab.params import Bool, Choice, Field, Float, Int, Text
from neuralab.train.descent import Subset

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # 100 kB reprs

URL = "/_dash-update-component"
LIGHT_EXAMPLES = 12  # per light section callback
JOB_EXAMPLES = 4  # per background section callback: each forks a job process (~0.1 s)
POLL_S = 30.0  # a refused value comes back in well under a second
SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
_TRUE_FALSE = ("1", "true", "on", "yes", "0", "false", "off", "no")


# ---------------------------------------------------------------- what the app declares


def _declared() -> list[Section | Together]:
    """Every section callback the pages register: each Together, and each Section not inside one."""
    objs: dict[int, Section | Together] = {}
    for page in built():
        module = importlib.import_module(page.module)
        for obj in (*vars(module).values(), *getattr(module, "SECTIONS", ())):  # a page of parts lists them all
            if isinstance(obj, Section | Together):
                objs[id(obj)] = obj
    inside = {id(p) for t in objs.values() if isinstance(t, Together) for p in t.parts}
    return [o for o in objs.values() if id(o) not in inside]


def _parts(obj: Section | Together) -> tuple[Section, ...]:
    return obj.parts if isinstance(obj, Together) else (obj,)


def _is_job(obj: Section | Together) -> bool:
    return isinstance(obj, Together) or obj.job


def _name(obj: Section | Together) -> str:
    return f"{obj.page}-{obj.key}"


DECLARED = _declared()
LIGHT = [o for o in DECLARED if not _is_job(o)]
JOBS = [o for o in DECLARED if _is_job(o)]


def dep_of(deps: list[dict], obj: Section | Together) -> dict:
    """The callback that answers ``obj``: its outputs are the section's, after any the page adds before them
    (/training-loop's step counter)."""
    mine = [f"{o.component_id}.{o.component_property}" for o in obj.outputs()]
    found = [d for d in deps if d["output"].strip(".").split("...")[-len(mine):] == mine]
    assert len(found) == 1, f"{_name(obj)}: {len(found)} callbacks answer it"
    return found[0]


def _says(part: Section) -> str:
    """The component whose text holds a section's sentence: its alert, else its first caption or Alert."""
    if part.alert:
        return f"{part.page}-{part.key}-alert"
    first = next(s for s in part.shows if isinstance(s, Chart | Alert))
    return f"{part.page}-{first.id}-summary" if isinstance(first, Chart) else f"{part.page}-{first.id}"


# ---------------------------------------------------------------- values no declaration accepts

_JUNK = st.one_of(
    st.none(),
    st.just([1] * 10_000),
    st.lists(st.integers(), max_size=4),
    st.recursive(st.none() | st.integers() | st.text(max_size=3),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                 max_leaves=8).filter(lambda v: isinstance(v, list | dict)),
    st.just({"$gt": 1}),
    st.just("9" * 100_000),  # a number, but longer than any control's value is read
    st.sampled_from(["NaN", "inf", "-Infinity", "<script>alert(1)</script>", "", " ", "\x00", "1e400"]),
)
_NOT_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])


def _an_option(f: Choice, v: object) -> bool:
    """Whether ``v`` names an option of ``f``; for a :class:`~neuralab.train.descent.Subset`, one or more
    (a list, or names joined by commas)."""
    keys = {k for k, _ in f.options}
    if isinstance(f, Subset):
        parts = v.split(",") if isinstance(v, str) else v
        return isinstance(parts, list | tuple) and bool(parts) and all(isinstance(p, str) and p in keys
                                                                       for p in parts)
    return isinstance(v, str) and v in keys


def refused(f: Field) -> st.SearchStrategy:
    """Values that field ``f`` (as its widget reports it) must refuse: each one gets a sentence."""
    if isinstance(f, Choice):
        return st.one_of(_JUNK, st.text(max_size=12), st.lists(st.sampled_from([v for v, _ in f.options])),
                         st.integers(), st.booleans(), _NOT_FINITE).filter(lambda v: not _an_option(f, v))
    if isinstance(f, Bool):
        return st.one_of(_JUNK, _NOT_FINITE,
                         st.text(max_size=8).filter(lambda t: t.strip().lower() not in _TRUE_FALSE),
                         st.floats(allow_nan=False).filter(lambda x: x not in (0, 1)),
                         st.integers().filter(lambda n: n not in (0, 1)))
    if isinstance(f, Text):  # not text, or longer than the field reads
        return st.one_of(_JUNK.filter(lambda v: not isinstance(v, str) or len(v) > f.max_len), _NOT_FINITE,
                         st.integers(), st.booleans(), st.just("x" * (f.max_len + 1)))
    lo, hi = f.to_slider(f.lo), f.to_slider(f.hi)
    if isinstance(f, Float) and f.log:  # the slider moves in log10 units: a position a hundredth past an end
        above, below = st.floats(min_value=hi + 0.01), st.floats(max_value=lo - 0.01)
    else:
        above, below = st.floats(min_value=hi, exclude_min=True), st.floats(max_value=lo, exclude_max=True)
    out = [_JUNK, _NOT_FINITE, st.booleans(), above, below,
           st.integers(min_value=math.floor(hi) + 1) | st.integers(max_value=math.ceil(lo) - 1),
           st.sampled_from([10**400, -(10**400), 1e308, -1e308, 2**63]).filter(lambda v: not lo <= v <= hi),
           st.text(alphabet="abcdxyz_-", min_size=1, max_size=12)]
    if isinstance(f, Int):
        out.append(st.floats(min_value=lo, max_value=hi).filter(lambda x: x != int(x)))  # not a whole number
    return st.one_of(out)


anything = st.one_of(
    _JUNK, _NOT_FINITE, st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.sampled_from([-0.0, 0, 1, 5e-324, 1e308, 10**400]),
)


# ---------------------------------------------------------------- requests as the page sends them


def _walk(node, out: dict) -> None:
    if isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and "type" in node:
            if isinstance(props.get("id"), str):
                out[props["id"]] = props
            _walk(props.get("children"), out)
        else:
            for v in node.values():
                _walk(v, out)
    elif isinstance(node, list):
        for v in node:
            _walk(v, out)


@pytest.fixture(scope="module")
def page_props(client) -> dict[str, dict]:
    """Every component's properties on every built page, as the router draws it for a plain visit."""
    props: dict[str, dict] = {}
    for page in built():
        r = client.post(URL, json={"output": "main.children", "outputs": {"id": "main", "property": "children"},
                                   "inputs": [{"id": "url", "property": "pathname", "value": page.path}],
                                   "state": [{"id": "url", "property": "search", "value": ""}],
                                   "changedPropIds": ["url.pathname"]})
        assert r.status_code == 200
        _walk(r.get_json()["response"]["main"]["children"], props)
    return props


@pytest.fixture(scope="module")
def deps(client) -> list[dict]:
    return client.get("/_dash-dependencies").get_json()


def request_for(dep: dict, values: dict[tuple[str, str], object], changed: str = "") -> dict:
    """The browser's request for ``dep`` with each (id, property) at ``values`` (missing ones: None), sent
    because ``changed`` (an "id.property"; default the first input) changed."""
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True))
               for o in dep["output"].strip(".").split("...")]
    inputs = [{**i, "value": values.get((i["id"], i["property"]))} for i in dep["inputs"]]
    return {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs,
            "state": [{**s, "value": values.get((s["id"], s["property"]))} for s in dep["state"]],
            "changedPropIds": [changed or f"{inputs[0]['id']}.{inputs[0]['property']}"]}


def check(r) -> str:
    text = r.get_data(as_text=True)
    assert r.status_code < 500 and "Traceback" not in text and 'File "' not in text, (r.status_code, text[:500])
    return text


def answer(client, body: dict, job: bool) -> dict:
    """The callback's ``response``: at once, or for a job by polling as the page does until it is in."""
    r = client.post(URL, data=json.dumps(body), content_type="application/json")
    check(r)
    assert r.status_code == 200, (r.status_code, r.get_data(as_text=True)[:300])
    doc = r.get_json()
    if not job:
        return doc["response"]
    deadline = time.monotonic() + POLL_S
    while time.monotonic() < deadline:
        r = client.post(f"{URL}?cacheKey={doc['cacheKey']}&job={doc['job']}", data=json.dumps(body),
                        content_type="application/json")
        check(r)
        assert r.status_code in (200, 204), r.status_code
        if r.status_code == 200 and "response" in (polled := r.get_json()):
            return polled["response"]
        time.sleep(0.02)
    raise AssertionError(f"the job of {body['output'][:60]} never answered")


@pytest.fixture(scope="module", autouse=True)
def no_job_left():
    """Every job this module starts has ended by its end (each is polled to its answer)."""
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    yield
    deadline = time.monotonic() + 10
    while True:
        left = [p for p in me.children(recursive=True) if p.pid not in before and _alive(p)]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for p in left:
        p.kill()
    assert not left, f"job processes still running after the fuzz: {[p.pid for p in left]}"


def _alive(p: psutil.Process) -> bool:
    try:
        return p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_every_section_callback_is_fuzzed(deps):
    """Each page's sections reach the fuzz, registered alone or inside a Together, and one callback answers each."""
    covered = {id(p) for obj in DECLARED for p in _parts(obj)}
    for page in built():
        for section in getattr(importlib.import_module(page.module), "SECTIONS", ()):
            assert id(section) in covered, f"{page.path}: section {section.key} is not fuzzed"
    for obj in DECLARED:
        assert bool(dep_of(deps, obj)["background"]) == _is_job(obj), _name(obj)


def _fuzz(client, deps: list[dict], obj: Section | Together, props: dict, data) -> None:
    dep = dep_of(deps, obj)
    values = {(i["id"], i["property"]): props.get(i["id"], {}).get(i["property"]) for i in [*dep["inputs"],
                                                                                          *dep["state"]]}
    for key in values:  # any other control may hold anything
        if data.draw(st.booleans(), label=f"odd {key}"):
            values[key] = data.draw(anything, label=str(key))
    named = []
    for part in _parts(obj):  # one refused value in each part, so that no part computes
        name = data.draw(st.sampled_from(sorted(part.spec.fields)), label=f"{part.key}: field")
        ident = f"{part.page}-{name}"
        values[(ident, "value")] = data.draw(refused(part.spec.fields[name]), label=name)
        if (ident, "drag_value") in values:  # a drag position, when there is one, is read first
            values[(ident, "drag_value")] = data.draw(st.none() | st.just(values[(ident, "value")]))
        named.append((part, name))
    first = f"{named[0][0].page}-{named[0][1]}.value"  # the control that changed, as the browser says
    if first not in {f"{i['id']}.{i['property']}" for i in dep["inputs"]}:  # a replayed control is only read
        first = ""  # (sections.Replay): the request is sent for another input, with the refused value as State
    response = answer(client, request_for(dep, values, first), _is_job(obj))
    for part, name in named:
        text = str(response.get(_says(part), {}).get("children", ""))
        assert re.search(rf"(?<![\w]){re.escape(name)} (must|may) ", text), (name, text[:300])


@pytest.mark.parametrize("section", LIGHT, ids=_name)
@settings(max_examples=LIGHT_EXAMPLES, **SETTINGS)
@given(data=st.data())
def test_a_refused_value_in_a_light_section_is_named_in_its_alert(client, deps, page_props, section, data):
    _fuzz(client, deps, section, page_props, data)


@pytest.mark.parametrize("section", JOBS, ids=_name)
@settings(max_examples=JOB_EXAMPLES, **SETTINGS)
@given(data=st.data())
def test_a_refused_value_in_a_job_is_named_in_its_alert(client, deps, page_props, section, data):
    _fuzz(client, deps, section, page_props, data)


# ---------------------------------------------------------------- a burst of jobs stays within the limits


def _recording(real, folder, hold_s: float):
    """``limits.slot`` as before; a job that gets its slots holds them ``hold_s`` s and records when, in ``folder``."""

    @contextmanager
    def slot(client: str, queue_s: float = limits.QUEUE_S):
        with real(client, queue_s) as refusal:
            if refusal:
                yield refusal
                return
            start = time.time()
            time.sleep(hold_s)  # the computation a real job would do here
            try:
                yield refusal
            finally:
                (folder / f"{os.getpid()}").write_text(f"{client} {start} {time.time()}")

    return slot


def _most_at_once(spans: list[tuple[float, float]]) -> int:
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans], key=lambda x: (x[0], x[1]))
    now = most = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def test_a_burst_of_jobs_from_two_browsers_stays_within_the_limits(app, deps, page_props, monkeypatch, tmp_path):
    """Twelve jobs started at once by two browsers: at most 2 per browser and 3 in all hold a slot at any
    moment; the others wait their turn or are told the lab is busy. Every request is answered."""
    monkeypatch.setattr(limits, "MAX_JOBS", 3)
    monkeypatch.setattr(limits, "MAX_JOBS_PER_CLIENT", 2)
    monkeypatch.setattr(limits, "MAX_WAITING", 4)
    monkeypatch.setattr(limits, "QUEUE_S", 2.0)
    monkeypatch.setattr(limits, "slot", _recording(limits.slot, tmp_path, hold_s=0.5))  # the jobs inherit it
    section = next(o for o in JOBS if isinstance(o, Section) and "seed" in o.spec.fields)
    dep = dep_of(deps, section)
    browsers = []
    for who in ("alice", "bob"):
        c = app.server.test_client()
        c.set_cookie(limits.CLIENT_COOKIE, who)
        browsers.append(c)
    started = []
    for i in range(12):
        c = browsers[i % 2]
        values = {(d["id"], d["property"]): page_props.get(d["id"], {}).get(d["property"])
                  for d in [*dep["inputs"], *dep["state"]]}
        values[(f"{section.page}-seed", "value")] = f"seed {i}"  # refused: no computation, just the slot
        body = request_for(dep, values)
        r = c.post(URL, json=body)
        assert r.status_code == 200
        started.append((c, body, r.get_json()))
    answers = []
    for c, body, handles in started:
        deadline = time.monotonic() + POLL_S
        while time.monotonic() < deadline:
            r = c.post(f"{URL}?cacheKey={handles['cacheKey']}&job={handles['job']}", json=body)
            assert r.status_code in (200, 204)
            if r.status_code == 200 and "response" in (doc := r.get_json()):
                answers.append(json.dumps(doc["response"]))
                break
            time.sleep(0.05)
    assert len(answers) == 12
    assert all("seed must be a whole number" in a or "Nothing was computed" in a for a in answers)
    spans = {who: [] for who in ("all", *(limits.client_id({limits.CLIENT_COOKIE: w}, "") for w in ("alice", "bob")))}
    for record in tmp_path.iterdir():
        client, start, end = record.read_text().split()
        spans[client].append((float(start), float(end)))
        spans["all"].append((float(start), float(end)))
    assert spans["all"], "no job got a slot"
    assert _most_at_once(spans["all"]) <= 3
    assert all(_most_at_once(s) <= 2 for who, s in spans.items() if who != "all")


# ---------------------------------------------------------------- the request around the values


@pytest.fixture
def bystander():
    """A process of ours that no request may end: a forged job handle naming it must not kill it."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc
    proc.kill()
    proc.wait()


handle = st.one_of(st.text(max_size=40), st.sampled_from(["", "~", "1~", "~x", "0", "-1", "1" * 30]))


@settings(max_examples=15, **SETTINGS)
@given(data=st.data())
def test_forged_job_handles_read_nothing_and_end_nothing(client, deps, page_props, bystander, data):
    """Polls and cancels carry the job's handles in the query; a forged one is ignored (Dash signs them)."""
    section = data.draw(st.sampled_from(JOBS), label="job")
    dep = dep_of(deps, section)
    values = {(d["id"], d["property"]): page_props.get(d["id"], {}).get(d["property"])
              for d in [*dep["inputs"], *dep["state"]]}
    for part in _parts(section):  # should a forged handle start a job, it refuses its values at once
        values[(f"{part.page}-{next(iter(part.spec.fields))}", "value")] = {"forged": True}
    pid = str(bystander.pid)
    query = {k: data.draw(handle | st.sampled_from([pid, f"{pid}~forged"]), label=k)
             for k in data.draw(st.sets(st.sampled_from(["cacheKey", "job", "oldJob"]), min_size=1), label="keys")}
    r = client.post(URL, query_string=query, json=request_for(dep, values))
    check(r)
    assert r.status_code in (200, 204)
    if r.status_code == 200 and "cacheKey" in (doc := r.get_json()):  # no valid handle: a new job was started
        deadline = time.monotonic() + POLL_S
        while time.monotonic() < deadline:  # followed to its answer, so that none is left running
            polled = client.post(URL, query_string={"cacheKey": doc["cacheKey"], "job": doc["job"]},
                                 json=request_for(dep, values))
            if polled.status_code == 200 and "response" in polled.get_json():
                break
            time.sleep(0.02)
    else:
        assert r.status_code == 204 or "response" not in r.get_json()  # nothing read from the job store
    assert bystander.poll() is None, "a forged job handle ended another process"


@settings(max_examples=30, **SETTINGS)
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                     st.integers(1, 50_000).map(lambda n: b"[" * n), st.integers(1, 5_000).map(lambda n: b'{"a":' * n),
                     st.sampled_from([b"", b"null", b"NaN", b"Infinity", b"\xef\xbb\xbf{}", b'{"output": "\xff"}'])))
def test_a_body_that_is_not_a_request_is_a_400(client, raw):
    """Anything else as the body (bytes, text, deep nesting, bare JSON values) is a short 4xx."""
    r = client.post(URL, data=raw, content_type="application/json")
    check(r)
    assert 400 <= r.status_code < 500


@settings(max_examples=6, **SETTINGS)
@given(extra=st.integers(-64, 64))
@example(extra=0)  # at the limit: read
@example(extra=1)  # one byte over: refused
def test_a_body_over_the_size_limit_is_refused_and_one_under_it_is_read(client, deps, extra):
    from neuralab.app import MAX_REQUEST_BYTES

    dep = dep_of(deps, LIGHT[0])
    body = request_for(dep, {})
    size = len(json.dumps({**body, "pad": ""}).encode())
    body["pad"] = "x" * (MAX_REQUEST_BYTES - size + extra)  # the whole body is MAX_REQUEST_BYTES + extra
    r = client.post(URL, data=json.dumps(body), content_type="application/json")
    check(r)
    assert (r.status_code == 413) == (extra > 0), r.status_code
