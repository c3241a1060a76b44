"""Crafted requests to the callback endpoint: a sentence for bad values, a 400 for bad shapes, never a 500."""

import json
import time

import pytest

URL = "/_dash-update-component"


@pytest.fixture(scope="module")
def deps(client):
    return client.get("/_dash-dependencies").get_json()


def _body(dep, values):
    """The request the browser would send for callback ``dep`` with input ``values``."""
    outputs = [dict(zip(("id", "property"), o.split("."), strict=True)) for o in dep["output"].strip(".").split("...")]
    pairs = zip(dep["inputs"], values, strict=True)
    inputs = [{"id": i["id"], "property": i["property"], "value": v} for i, v in pairs]
    return {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        "state": [],
    }


def _dep(deps, first_output):
    return next(d for d in deps if d["output"].lstrip(".").startswith(first_output))


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        (["cancer", "abc", 15, 0], "train_pct must be a whole number"),
        (["cancer", 1e308, 15, 0], "train_pct must be between 10 and 90"),
        (["cancer", {"$gt": 1}, 15, 0], "train_pct must be a whole number"),
        (["cancer", 70, 15, "NaN"], "seed must be a finite number"),
        (["<script>", 70, 15, 0], "dataset must be one of"),
        (["cancer", 70, [1] * 10_000, 0], "val_pct must be a whole number"),
    ],
)
def test_bad_values_get_a_sentence(client, deps, values, fragment):
    r = client.post(URL, json=_body(_dep(deps, "splits-sizes.figure"), values))
    assert r.status_code == 200
    alert = r.get_json()["response"]["splits-split-alert"]["children"]
    assert fragment in alert


def _background(client, body, timeout_s=60):
    """Start a background callback and poll it as the browser does; return the final JSON."""
    r = client.post(URL, json=body)
    assert r.status_code == 200
    handles = r.get_json()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        r = client.post(f"{URL}?cacheKey={handles['cacheKey']}&job={handles['job']}", json=body)
        assert r.status_code in (200, 204)
        if r.status_code == 200 and "response" in (r.get_json() or {}):
            return r.get_json()
        time.sleep(0.05)
    raise AssertionError("background callback did not finish")


def test_heavy_callback_refuses_unbounded_sizes(client, deps):
    dep = _dep(deps, "splits-leak.figure")
    values = ["digits", "select", 10**9, "shuffled", 10, "knn", 0]
    out = _background(client, _body(dep, values))
    assert "noise must be between 0 and 1000" in out["response"]["splits-leak-alert"]["children"]


@pytest.mark.parametrize(
    "payload",
    [
        {"output": "nope.figure", "outputs": {"id": "nope", "property": "figure"}, "inputs": [], "state": []},
        {"output": "splits-sizes.figure"},
        {"inputs": "x"},
        [1, 2, 3],
    ],
    ids=["unknown-callback", "missing-inputs", "no-output", "not-an-object"],
)
def test_malformed_requests_are_400_not_500(client, payload):
    r = client.post(URL, json=payload)
    assert r.status_code == 400
    assert "Traceback" not in r.get_data(as_text=True)


def test_non_json_body_is_rejected(client):
    r = client.post(URL, data="{{{not json", content_type="application/json")
    assert r.status_code == 400
    assert "Traceback" not in r.get_data(as_text=True)


def test_good_request_still_works(client, deps):
    r = client.post(URL, json=_body(_dep(deps, "splits-sizes.figure"), ["wine", 70, 15, 0]))
    assert r.status_code == 200
    body = r.get_json()["response"]
    assert "Of 178 samples" in json.dumps(body)


def test_oversized_bodies_are_refused_unread(client, deps):
    body = _body(_dep(deps, "splits-sizes.figure"), ["cancer", 70, 15, "9" * (2 * 2**20)])
    r = client.post(URL, json=body)
    assert r.status_code == 413
