"""The floor under every probe of browser_latency.py: Dash 4 and Plotly alone, on this machine, with no lab code.

A minimal Dash app (one slider, one graph with its caption) is timed with the same in-page clock as
``browser_latency.py`` (key press to the redrawn figure and its new caption), in a few variants:

* ``server, 1 line``: the slider's callback runs in the server and returns a 50-point line and a caption;
* ``server, lab-sized``: the same round trip returning a figure the size of a typical lab chart
  (4 traces of 400 points, a legend, 3 annotations, a shape);
* ``server, lab-sized + 350 components``: that, on a page holding 350 more Dash components (prose,
  tables), as a lab page does; Dash's renderer visits every component at every store update;
* ``server, lab-sized, Patch``: the round trip sends a ``dash.Patch`` of what moves (the four traces'
  ``y``, the annotations' texts, the shape), not the figure;
* ``browser, 1 line`` and ``browser, lab-sized``: every position computed once and sent with the page;
  a clientside callback picks the slice and returns it as the figure (no request);
* ``browser, lab-sized, restyle + relayout``: the same slice applied with ``Plotly.restyle`` (the four
  traces' ``y``), then ``Plotly.relayout`` (annotations and shape): two redraws;
* ``browser, lab-sized, update``: the same in one ``Plotly.update`` call (what ``neuralab.replay`` does).

The server is Dash's threaded development server in this process (no lab code, no gunicorn). So
the difference between these lines and a lab probe is the lab's own cost (its server callback, its
figures, its page), and what these lines cannot go below is the framework's. Prints one line per
variant, ``name p50_ms=... p95_ms=...``, and the load average; asserts nothing. Run:
.venv/bin/python benchmarks/dash_floor.py [--moves 30]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tests.devserver import CHROMIUM_ARGS, browser_unavailable, chromium_path, free_port  # noqa: E402

import browser_latency as bl  # noqa: E402

POSITIONS = 21  # slider positions 0..20


def line(k: int, n: int = 50) -> dict:
    x = np.linspace(0, 1, n)
    return {"x": x.tolist(), "y": np.sin(2 * np.pi * (x + k / POSITIONS)).tolist(), "type": "scatter", "mode": "lines"}


def figure(k: int, size: str) -> dict:
    if size == "line":
        return {"data": [line(k)], "layout": {"height": 300, "margin": {"t": 20}}}
    data = [{**line(k + j, 400), "name": f"trace {j}"} for j in range(4)]
    notes = [{"x": 0.2 * j, "y": 0.5, "text": f"note {j} at {k}", "showarrow": False} for j in range(3)]
    return {"data": data, "layout": {"height": 340, "annotations": notes, "showlegend": True,
                                     "shapes": [{"type": "line", "x0": k / POSITIONS, "x1": k / POSITIONS,
                                                 "y0": -1, "y1": 1}],
                                     "xaxis": {"title": {"text": "x"}}, "yaxis": {"title": {"text": "y"}}}}


def build_app(variant: str):
    from dash import Dash, Input, Output, Patch, callback, clientside_callback, dcc, html

    size = "line" if "1 line" in variant else "lab"
    extra = [html.Div([html.H3(f"Part {i}"), html.P(f"Paragraph {i} with some words."),
                       html.Table(html.Tbody([html.Tr([html.Td(f"{i}.{j}"), html.Td("x")]) for j in range(3)]))])
             for i in range(25)] if "components" in variant else []  # 25 x 14 = 350 components
    app = Dash(__name__, serve_locally=True)
    store = dcc.Store(id="all", data=[figure(k, size) for k in range(POSITIONS)]) if variant.startswith("browser") \
        else html.Div()
    app.layout = html.Div([
        dcc.Slider(0, POSITIONS - 1, 1, value=0, id="k"), store,
        dcc.Graph(id="g", figure=figure(0, size)), html.Div(id="g-summary", children="position 0"), *extra])
    if variant.endswith(("relayout", "update")):  # what moves: the traces' y, the annotations' texts, the shape
        clientside_callback(
            """(k, all) => {
                const gd = document.querySelector('#g .js-plotly-plot'), f = all[k];
                const ys = {y: f.data.map(t => t.y)}, lay = {'shapes[0].x0': f.layout.shapes[0].x0,
                    'shapes[0].x1': f.layout.shapes[0].x1};
                f.layout.annotations.forEach((a, i) => { lay['annotations[' + i + '].text'] = a.text; });
                if (%s) { Plotly.update(gd, ys, lay); }
                else { Plotly.restyle(gd, ys); Plotly.relayout(gd, lay); }
                return 'position ' + k;
            }""" % ("true" if variant.endswith("update") else "false"),
            Output("g-summary", "children"), Input("k", "value"), Input("all", "data"), prevent_initial_call=True)
    elif variant.startswith("browser"):
        clientside_callback("(k, all) => [all[k], 'position ' + k]", Output("g", "figure"),
                            Output("g-summary", "children"), Input("k", "value"), Input("all", "data"))
    elif variant.endswith("Patch"):
        def patch(k):
            p, f = Patch(), figure(k, size)
            for j, t in enumerate(f["data"]):
                p["data"][j]["y"] = t["y"]
            for j, a in enumerate(f["layout"]["annotations"]):
                p["layout"]["annotations"][j]["text"] = a["text"]
            p["layout"]["shapes"][0]["x0"] = p["layout"]["shapes"][0]["x1"] = k / POSITIONS
            return p, f"position {k}"
        callback(Output("g", "figure"), Output("g-summary", "children"), Input("k", "value"),
                 prevent_initial_call=True)(patch)
    else:
        callback(Output("g", "figure"), Output("g-summary", "children"), Input("k", "value"))(
            lambda k: (figure(k, size), f"position {k}"))
    return app


def serve(app) -> tuple[str, object]:
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    port = free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with app.server.test_request_context("/"):  # plotly/dash#3971: warm the callback map before requests
        app.server.test_client().get("/_dash-dependencies")
    return f"http://127.0.0.1:{port}", server


VARIANTS = ["server, 1 line", "server, lab-sized", "server, lab-sized + 350 components", "server, lab-sized, Patch",
            "browser, 1 line", "browser, lab-sized", "browser, lab-sized, restyle + relayout",
            "browser, lab-sized, update"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=30)
    args = ap.parse_args(argv)
    if (why := browser_unavailable()) is not None:
        print(f"dash_floor: {why}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    load_before = bl._load()
    probe = bl.Probe("#k [role=slider]", "g", text="g-summary")
    results = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        for variant in VARIANTS:
            base, server = serve(build_app(variant))
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                bl.open_page(page, base, "/", 30_000)
                bl.prepare(page, probe)
                for step in bl.steps(page, probe, bl.N_WARMUP):
                    bl.move(page, probe, step)
                moves = [bl.move(page, probe, step) for step in bl.steps(page, probe, args.moves)]
                results[variant] = moves
                page.close()
            finally:
                server.shutdown()
        browser.close()
    for variant, moves in results.items():
        t = [m["total"] for m in moves]
        parts = " ".join(f"{k}_p50={bl.percentile([m[k] for m in moves], 50):.1f}"
                         for k in ("before", "request", "after") if not variant.startswith("browser"))
        print(f"{variant}: p50_ms={bl.percentile(t, 50):.1f} p95_ms={bl.percentile(t, 95):.1f} {parts}".rstrip())
    print(f"{args.moves} moves each; load average {load_before} before, {bl._load()} after; "
          f"figure bytes: 1 line {len(json.dumps(figure(0, 'line')))}, lab-sized {len(json.dumps(figure(0, 'lab')))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
