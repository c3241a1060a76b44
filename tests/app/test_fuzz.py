"""Fuzzing every server callback: whatever a request carries, the answer is 200, 204 or 4xx, never a traceback.

Each callback listed by ``/_dash-dependencies`` gets requests shaped as the browser sends them, with
input values drawn by hypothesis from what no widget would send: wrong types, NaN and infinities,
huge lists, long strings, nested dicts: :data:`LIGHT_EXAMPLES` (6) examples per light callback.
Background callbacks get only badly typed values (refused by validation inside the job),
:data:`BACKGROUND_EXAMPLES` (2) examples each, and the job a submit starts is killed as soon as the
submit's answer (the job's handles) is in, before any poll: this tests the request path, not the
jobs. The jobs' answers are checked in test_fuzz_sections, their faults in test_lost_jobs and
test_limits.
"""

from __future__ import annotations

import json
import math

import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # 10,000-item reprs

URL = "/_dash-update-component"
LIGHT_EXAMPLES = 6
BACKGROUND_EXAMPLES = 2
FORBIDDEN = ("Traceback", 'File "')

_SPECIAL = [math.nan, math.inf, -math.inf, 1e308, -1e308, -0.0, 5e-324, 2**63, -(2**63), 10**30]

#: Values of the wrong type for every control (none is a number, a known option or a boolean).
bad_typed = st.one_of(
    st.just([1] * 10_000),
    st.lists(st.integers(), max_size=5),
    st.just("x" * 20_000),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
    st.recursive(st.none() | st.text(max_size=3),
                 lambda inner: st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=6),
    st.just({"$gt": 1}),
    st.text(alphabet="<>&\"'\\{}$%\x00é漢", min_size=1, max_size=12),
)

#: Any value: the wrong types above, plus numbers at the edges, None and booleans.
anything = st.one_of(
    bad_typed,
    st.none(),
    st.booleans(),
    st.sampled_from(_SPECIAL),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=30),
)


def _id(raw: str):
    """A component id as the browser sends it: pattern-matching ids are JSON objects."""
    return json.loads(raw) if raw.startswith("{") else raw


def body(dep: dict, values: list, state: list | None = None) -> dict:
    """The request the browser would send for callback ``dep`` with input ``values`` (and ``state``)."""
    outputs = [{"id": _id(o.rsplit(".", 1)[0]), "property": o.rsplit(".", 1)[1].split("@")[0]}
               for o in dep["output"].strip(".").split("...")]
    inputs = [{"id": _id(i["id"]), "property": i["property"], "value": v}
              for i, v in zip(dep["inputs"], values, strict=True)]
    states = [{"id": _id(s["id"]), "property": s["property"], "value": v}
              for s, v in zip(dep.get("state", []), state or [None] * len(dep.get("state", [])), strict=True)]
    first = inputs[0] if inputs else None
    return {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 or dep["output"].startswith("..") else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{first['id']}.{first['property']}"] if first else [],
        "state": states,
    }


def is_background(dep: dict) -> bool:
    return bool(dep.get("background"))


def server_side(deps: list[dict]) -> list[dict]:
    return [d for d in deps if not d.get("clientside_function")]


def check(r) -> str:
    """The answer is 200, 204 or 4xx and shows no traceback; returns its text."""
    text = r.get_data(as_text=True)
    assert r.status_code in (200, 204) or 400 <= r.status_code < 500, (r.status_code, text[:500])
    for bad in FORBIDDEN:
        assert bad not in text, text[:1000]
    return text


def kill_job(handles: dict) -> None:
    """End the job a background answer started (its process and children) and reap it."""
    try:
        proc = psutil.Process(int(str(handles["job"]).rpartition("~")[0]))
    except (KeyError, ValueError, psutil.NoSuchProcess):
        return
    if proc.ppid() != psutil.Process().pid:
        return  # not ours
    try:
        for child in proc.children(recursive=True):
            child.kill()
        proc.kill()
        proc.wait(5)
    except (psutil.NoSuchProcess, psutil.TimeoutExpired):
        pass


@pytest.fixture(scope="module", autouse=True)
def _no_jobs_left():
    """Whatever happens, no job process of this module outlives it."""
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    yield
    for proc in psutil.Process().children(recursive=True):
        if proc.pid not in before:
            try:
                proc.kill()
                proc.wait(5)
            except (psutil.NoSuchProcess, psutil.TimeoutExpired):
                pass
    left = [p for p in psutil.Process().children(recursive=True)
            if p.pid not in before and p.status() != psutil.STATUS_ZOMBIE]
    assert not left, f"job processes left running: {left}"


def _collect() -> dict[str, bool]:
    """Every server callback's output string -> is it a background job (read at collection, before the app
    is built: importing the pages registers their callbacks in Dash's global list)."""
    import importlib

    from dash import _callback

    from neuralab.app.registry import built

    for page in [*built(), "neuralab.app.shell"]:
        importlib.import_module(getattr(page, "module", page))
    return {d["output"]: bool(d.get("background")) for d in _callback.GLOBAL_CALLBACK_LIST
            if not d.get("clientside_function")}


CANCEL = "url.id"  # Dash's own callback that cancels the jobs of a page left (made when the app is built)
CALLBACKS = _collect()
LIGHT = [name for name, bg in CALLBACKS.items() if not bg] + [CANCEL]
HEAVY = [name for name, bg in CALLBACKS.items() if bg]


def _short(name: str) -> str:
    return name.strip(".").split(".")[0]


@pytest.fixture(scope="module")
def deps(client) -> list[dict]:
    return client.get("/_dash-dependencies").get_json()


@pytest.fixture(scope="module")
def by_output(deps) -> dict[str, dict]:
    return {d["output"]: d for d in server_side(deps)}


def test_every_callback_is_fuzzed(deps, by_output):
    """The fuzz below covers every server-side callback: a new page cannot slip past it."""
    assert set(by_output) == {*CALLBACKS, CANCEL} and LIGHT and HEAVY
    assert {o for o, d in by_output.items() if is_background(d)} == set(HEAVY)


def _fuzz_one(client, dep: dict, data, values: st.SearchStrategy) -> None:
    n_in, n_state = len(dep["inputs"]), len(dep.get("state", []))
    ins = data.draw(st.lists(values, min_size=n_in, max_size=n_in), label="inputs")
    state = data.draw(st.lists(values, min_size=n_state, max_size=n_state), label="state")
    r = client.post(URL, json=body(dep, ins, state))
    text = check(r)
    # the request's shape is right, so only its values are odd: a sentence or nothing, not "no such control"
    assert r.status_code in (200, 204, 413), (r.status_code, text[:300])  # 413: over the request size limit
    if r.status_code == 200 and "cacheKey" in text:
        kill_job(r.get_json())


_SETTINGS = dict(deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                        HealthCheck.data_too_large])


@pytest.mark.parametrize("output", LIGHT, ids=[_short(n) for n in LIGHT])
@settings(max_examples=LIGHT_EXAMPLES, **_SETTINGS)
@given(data=st.data())
def test_fuzz_light_callback(client, by_output, output, data):
    """A light callback: any value of any type, in every input and state."""
    _fuzz_one(client, by_output[output], data, anything)


@pytest.mark.parametrize("output", HEAVY, ids=[_short(n) for n in HEAVY])
@settings(max_examples=BACKGROUND_EXAMPLES, **_SETTINGS)
@given(data=st.data())
def test_fuzz_background_callback(client, by_output, output, data):
    """A background callback: badly typed values only; its job is killed once the handles are in."""
    _fuzz_one(client, by_output[output], data, bad_typed)


# ---------------------------------------------------------------- the request's shape: a 400, never a 500

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=25, **_SETTINGS)
@given(payload=json_values.filter(lambda v: not isinstance(v, dict)))
def test_non_object_json_is_400(client, payload):
    r = client.post(URL, data=json.dumps(payload), content_type="application/json")
    check(r)
    assert r.status_code == 400


@settings(max_examples=25, **_SETTINGS)
@given(name=st.sampled_from(LIGHT), output=st.one_of(
    st.text(max_size=40), st.just(""), st.just(".."), st.just("....."), st.just("nope.figure"),
    st.just("..nope.figure...other.children.."), st.integers(), st.none(), st.lists(st.text(max_size=5))))
def test_wrong_output_strings_are_400(client, by_output, name, output):
    dep = by_output[name]
    payload = body(dep, [None] * len(dep["inputs"]))
    payload["output"] = output
    r = client.post(URL, json=payload)
    check(r)
    assert r.status_code == 400


@settings(max_examples=25, **_SETTINGS)
@given(name=st.sampled_from(LIGHT), key=st.sampled_from(["output", "outputs", "inputs"]),
       replacement=st.one_of(st.just(None), json_values))
def test_missing_or_mistyped_keys_are_400(client, by_output, name, key, replacement):
    dep = by_output[name]
    payload = body(dep, [None] * len(dep["inputs"]))
    if replacement is None:
        del payload[key]
    else:
        payload[key] = replacement
    r = client.post(URL, json=payload)
    check(r)
    assert r.status_code in (200, 204, 400)  # a replacement may happen to be a valid one (an empty list)


@settings(max_examples=25, **_SETTINGS)
@given(name=st.sampled_from(LIGHT), ident=st.one_of(st.text(max_size=20), st.integers(), st.none(),
                                                     st.dictionaries(st.text(max_size=4), st.integers(),
                                                                     max_size=2)))
def test_unknown_input_ids_never_500(client, by_output, name, ident):
    dep = by_output[name]
    payload = body(dep, [None] * len(dep["inputs"]))
    payload["inputs"][0]["id"] = ident
    payload["changedPropIds"] = [f"{ident}.value"]
    check(client.post(URL, json=payload))


@pytest.mark.parametrize("key", ["state", "changedPropIds"])
def test_optional_keys_missing_never_500(client, by_output, key):
    for dep in (by_output[n] for n in LIGHT):
        payload = body(dep, [None] * len(dep["inputs"]))
        del payload[key]
        check(client.post(URL, json=payload))


@pytest.mark.parametrize(
    ("first_output", "values"),
    [
        ("-surface-card.children", [[1, 2]]),  # an unhashable surface
        ("main.children", [["/splits"], None]),  # a path that is not a string
    ],
)
def test_crafted_values_found_by_the_fuzz_get_an_answer(client, deps, first_output, values):
    """Each of these once raised inside its callback, so the lab answered "no such control" (400)."""
    dep = next(d for d in server_side(deps) if d["output"].strip(".").split("...")[0].endswith(first_output))
    ins, state = values[: len(dep["inputs"])], values[len(dep["inputs"]):]
    r = client.post(URL, json=body(dep, ins, state))
    check(r)
    assert r.status_code in (200, 204)


def test_download_callbacks_ignore_a_crafted_store(deps, client):
    for name in ("deploy-download-c", "deploy-download-onnx"):
        dep = next((d for d in server_side(deps) if d["output"].lstrip(".").startswith(name)), None)
        if dep is None:
            continue
        for files in ([1, 2], 1.5, {"c": 3, "onnx": None}):
            r = client.post(URL, json=body(dep, [1] * len(dep["inputs"]), [files] * len(dep.get("state", []))))
            check(r)
            assert r.status_code in (200, 204)


def test_a_huge_log_slider_position_is_refused_with_a_sentence():
    from neuralab.params import Float

    f = Float(1e-4, 1.0, 1e-2, log=True)
    assert f.from_slider(1e308) == math.inf and f.from_slider(-1e308) == 0.0
