"""A fuzzing campaign against every server callback, in-process (Flask test client, no browser).

The larger sibling of tests/app/test_fuzz.py: the same request builder and value strategies, more
examples. Light callbacks get any value of any type in every input; background callbacks get
badly typed values only, and each job is followed (polled as the page does, for at most
BG_WAIT_S) until its answer, then killed if still running. Prints one line per figure,
``name value unit``; the 5xx and traceback counts must be 0. The CPU time of each first request
(p50, p99, max) shows how long one request can hold a core of the server.

An answer "with a sentence" is a 200 whose alert output names one of the callback's controls
(the sentence a bad value gets on the page).

Run:  PYTHONPATH=src:. .venv/bin/python benchmarks/fuzz.py [--light N] [--background N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

URL = "/_dash-update-component"
BG_WAIT_S = 20.0
JOB_ONLY = ("jobs started", "polls", "200 job handles", "failed", "lost", "unfinished")


def _sentence(doc: dict, dep: dict) -> bool:
    """True when an alert output of the answer names one of the callback's controls."""
    names = {str(i["id"]).split("-", 1)[-1] for i in dep["inputs"]} | {str(i["id"]) for i in dep["inputs"]}
    for ident, props in (doc.get("response") or {}).items():
        if "alert" in ident:
            text = str(props.get("children", ""))
            if text and any(n in text for n in names):
                return True
    return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--light", type=int, default=40, help="examples per light callback")
    ap.add_argument("--background", type=int, default=4, help="examples per background callback")
    args = ap.parse_args()
    os.environ.setdefault("NEURALAB_CACHE_DIR", tempfile.mkdtemp(prefix="neuralab-fuzz-"))

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from tests.app.test_fuzz import FORBIDDEN, anything, bad_typed, body, kill_job, server_side

    from neuralab.app import create_app

    app = create_app()
    client = app.server.test_client()
    deps = server_side(client.get("/_dash-dependencies").get_json())
    counts: dict[str, Counter] = {"light": Counter(), "background": Counter()}
    cpu: dict[str, list[tuple[float, str]]] = {"light": [], "background": []}  # (CPU s, callback) per request
    started = time.perf_counter()

    def record(kind: str, r, dep: dict) -> dict | None:
        c = counts[kind]
        text = r.get_data(as_text=True)
        if any(bad in text for bad in FORBIDDEN):
            c["traceback"] += 1
        code = r.status_code
        if code >= 500:
            c["5xx"] += 1
            print(f"# 5xx from {dep['output'][:80]}: {text[:300]}", file=sys.stderr)
        elif code >= 400:
            c["4xx"] += 1
        elif code == 204:
            c["204"] += 1
        else:
            doc = r.get_json(silent=True) or {}
            if "response" in doc:
                c["200 sentence" if _sentence(doc, dep) else "200 other"] += 1
            elif "cacheKey" in doc:
                c["200 job handles"] += 1
            else:
                c["200 other"] += 1
            return doc
        return None

    def follow(dep: dict, payload: dict, handles: dict) -> None:
        """Poll a job as the page does until its answer (or BG_WAIT_S), then make sure it is gone."""
        c = counts["background"]
        deadline = time.monotonic() + BG_WAIT_S
        query = f"{URL}?cacheKey={handles['cacheKey']}&job={handles['job']}"
        try:
            while time.monotonic() < deadline:
                r = client.post(query, json=payload)
                c["polls"] += 1
                c["requests"] += 1
                if r.status_code not in (200, 204) or "response" in r.get_data(as_text=True):
                    doc = record("background", r, dep)
                    if doc is None or "response" in doc:
                        text = str(doc)
                        c["failed"] += "This computation failed" in text
                        c["lost"] += "stopped before it finished" in text
                        return
                time.sleep(0.06)
            c["unfinished"] += 1
        finally:
            kill_job(handles)

    common = dict(deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))

    def campaign(dep: dict):
        kind = "background" if dep.get("background") else "light"
        values = bad_typed if kind == "background" else anything
        n = args.background if kind == "background" else args.light

        @settings(max_examples=n, **common)
        @given(data=st.data())
        def run(data):
            ins = data.draw(st.lists(values, min_size=len(dep["inputs"]), max_size=len(dep["inputs"])))
            state = data.draw(st.lists(values, min_size=len(dep["state"]), max_size=len(dep["state"])))
            payload = body(dep, ins, state)
            t0 = time.thread_time()  # the test client answers in this thread: the request's own CPU time
            r = client.post(URL, json=payload)
            cpu[kind].append((time.thread_time() - t0, dep["output"]))
            counts[kind]["requests"] += 1
            counts[kind]["examples"] += 1
            doc = record(kind, r, dep)
            if doc and "cacheKey" in doc:
                counts[kind]["jobs started"] += 1
                follow(dep, payload, doc)

        run()
        counts[kind]["callbacks"] += 1

    for dep in deps:
        campaign(dep)

    elapsed = time.perf_counter() - started
    for kind, c in counts.items():
        # 200/204/4xx/5xx count answers: a light request's, a job's first (its handles) and its last poll's;
        # the polls before (204, or progress only) count as polls, not answers
        for figure in ("callbacks", "examples", "requests", "jobs started", "polls", "200 job handles", "200 sentence",
                       "200 other", "204", "4xx", "5xx", "traceback", "failed", "lost", "unfinished"):
            if kind == "light" and figure in JOB_ONLY:
                continue
            print(f"{kind}_{figure.replace(' ', '_')} {c[figure]} {'callbacks' if figure == 'callbacks' else 'count'}")
        # how long one request held a core (a job's first request: the fork; its work runs in the job)
        spent = sorted(cpu[kind])
        if spent:
            for q, (s, _) in (("p50", spent[len(spent) // 2]), ("p99", spent[int(len(spent) * 0.99)]),
                              ("max", spent[-1])):
                print(f"{kind}_request_cpu_{q} {s * 1000:.0f} ms")
            print(f"# {kind}: the most CPU went to {spent[-1][1].strip('.').split('...')[0]}", file=sys.stderr)
    print(f"elapsed {elapsed:.1f} s")
    if counts["light"]["5xx"] + counts["background"]["5xx"] + counts["light"]["traceback"] + \
            counts["background"]["traceback"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
