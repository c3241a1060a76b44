"""/playground's frame channel: a running job's newest frame, fetched by the page many times a second.

A training job publishes each frame (the decision map, the curves, the network's edges and the
status line, as the pictures :mod:`neuralab.plots.playground` draws: a PNG map, SVG curves and edges) into
the tab's store, next to the engine and under the same lock (:func:`playground_parts.save_if_owner`):
one file per tab, replaced at each frame, so the store never holds more than the newest frame.
The page's script (``assets/playground.js``) asks ``GET /_playground/frame?tab=…&after=…``
in a loop and swaps each answer's pictures into the charts (``Plotly.update`` only when an axis range
moves); it draws at its own pace and the job
trains at its own: neither waits for the other.

Why short requests and not one long stream (server-sent events): behind gunicorn's default
sync workers a stream would hold a whole worker for the run (and be killed at the worker
timeout), and a request that never ends would hold back :class:`neuralab.app.jobs.ForkGate`,
which forks a new job only between requests. An answer here waits at most :data:`WAIT_S`
for a frame newer than the one the page has, then says "nothing new" (204). Files work the
same in every gunicorn worker, in the job forked from one of them, and in a Celery worker
on the machine (the engine store already lives there).
"""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

import numpy as np
from dash import hooks
from flask import Response, request

from neuralab.app.pages.playground_parts import frame_path, owner_of, valid_tab

ROUTE = "_playground/frame"
WAIT_S = 0.1  # an answer waits this long for a newer frame, then says "nothing new"
CHECK_S = 0.004  # ... looking at the frame file this often
_AFTER = re.compile(r"(?:[0-9a-f]{32}:[0-9]{1,9})?")
_DTYPES = {np.dtype("float32"): "f4", np.dtype("float64"): "f8", np.dtype("int32"): "i4", np.dtype("uint8"): "u1"}


def _plain(o: Any) -> Any:
    """JSON-ready: numpy arrays as plotly's typed-array spec (``dtype``, base64 ``bdata``, ``shape``)."""
    if isinstance(o, np.ndarray):
        a = np.ascontiguousarray(o if o.dtype in _DTYPES else o.astype(np.float32))
        return {"dtype": _DTYPES[a.dtype], "bdata": base64.b64encode(a.tobytes()).decode(), "shape": list(a.shape)}
    if isinstance(o, dict):
        return {k: _plain(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_plain(v) for v in o]
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, float) and not np.isfinite(o):
        return None
    return o


def encode(frame: dict, run: str, seq: int) -> bytes:
    """The bytes stored for one frame: a first line ``run:seq``, then the frame as JSON with ``id``."""
    ident = f"{run}:{seq}"
    return ident.encode() + b"\n" + json.dumps({"id": ident, **_plain(frame)}, separators=(",", ":")).encode()


def newest(tab: str) -> tuple[str, bytes] | None:
    """The stored frame of ``tab`` as (id, JSON body), if the run that wrote it still owns the tab."""
    try:
        raw = frame_path(tab).read_bytes()
    except OSError:
        return None
    head, _, body = raw.partition(b"\n")
    ident = head.decode(errors="replace")
    if not body or owner_of(tab) != ident.partition(":")[0]:
        return None  # an older run's frame (Pause, Step or a new setting took the network back)
    return ident, body


def answer(tab: Any, after: Any, wait_s: float = WAIT_S) -> tuple[int, bytes | str]:
    """(status, body) for a request: 200 and a frame newer than ``after``, 204 if none came, 400 if malformed."""
    if not valid_tab(tab):
        return 400, "The tab parameter must be the page's id (32 hexadecimal digits); reload the page."
    if not isinstance(after, str) or not _AFTER.fullmatch(after):
        return 400, "The after parameter must be empty or a frame id as the page received it (run:number)."
    deadline = time.monotonic() + wait_s
    stamp = None
    while True:
        try:
            st = frame_path(tab).stat()
            now_stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            now_stamp = None
        if now_stamp is not None and now_stamp != stamp:
            stamp = now_stamp
            got = newest(tab)
            if got is not None and got[0] != after:
                return 200, got[1]
        if time.monotonic() >= deadline:
            return 204, b""
        time.sleep(CHECK_S)


@hooks.route(ROUTE, methods=("GET",))
def frame_route() -> Response:
    status, body = answer(request.args.get("tab"), request.args.get("after", ""))
    if status == 200:
        return Response(body, status=200, mimetype="application/json", headers={"Cache-Control": "no-store"})
    if status == 204:
        return Response(status=204, headers={"Cache-Control": "no-store"})
    return Response(body, status=status, mimetype="text/plain")
