"""What the simulated learners may do, read from the lab itself and written as JSON for the Locust process.

For every built page: its controls (the components named ``{page}-{field}`` for the fields of
its ``SPEC``), whether each is a slider, and random walks through valid settings. A walk
starts at the page's defaults (what a page opened from the sidebar shows) and changes one
control per step to a random value on the control's own grid (a slider's step, a log
slider's log10 step, an option, a number box's range); every state passes the spec's field
and cross-field rules, so no request is refused for a bad value. Each step also keeps the
state's URL query, so a learner can open a page from a shared link part-way along a walk.

For every server-side callback: its kind, as the request will be named in Locust's statistics
(:data:`learner.KINDS`). The Locust process reads only this JSON: it never imports the lab.
"""

from __future__ import annotations

import importlib
import json
import math
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/, for latency.py
sys.path.insert(0, str(Path(__file__).resolve().parent))
import learner  # noqa: E402

from latency import draw_field, is_clientside, walk  # noqa: E402

WALKS = 24  # walks per page
STEPS = 60  # steps per walk (a learner rarely stays for more than a dozen)
WIDGETS = ("Slider", "RadioItems", "Input", "Dropdown")  # components whose `value` a learner sets


def kind(dep: dict, drag_sliders: set[str]) -> str:
    """The request name of a server callback (see :mod:`learner`)."""
    if dep.get("background"):
        return "background"
    if dep["output"] == "main.children":
        return learner.RENDER
    if dep["output"].split("@")[0] == "url.id":  # Dash's callback that ends a page's jobs (cancel=[url.pathname])
        return learner.CANCEL
    if any(p == "drag_value" or (i in drag_sliders and p == "value") for i, p in
           ((d["id"], d["property"]) for d in dep["inputs"])):
        return learner.LIGHT
    return learner.HEAVY


def _snap(f, value: float) -> float:
    """A Float on its slider's grid (log10 units for a log slider), as the slider would report it."""
    lo = f.to_slider(f.lo)
    pos = lo + round((f.to_slider(value) - lo) / f.step) * f.step
    return f.from_slider(round(pos, 10))


def _draw(f, rng: random.Random) -> Any:
    from neuralab.params import Bool, Float

    if isinstance(f, Bool):
        return rng.random() < 0.5
    value = draw_field(f, rng)
    return _snap(f, value) if isinstance(f, Float) else value


def _widget_value(f, value: Any, slider: bool) -> Any:
    """What the control holds for ``value``: a log slider's position is log10 of it."""
    if slider:
        pos = f.to_slider(value)
        return round(pos, 10) if isinstance(pos, float) else pos
    return value


def walks(spec, controls: dict[str, dict], rng: random.Random, n: int = WALKS, steps: int = STEPS) -> list[dict]:
    """``n`` random walks of valid settings from the defaults, one control changed per step."""
    ids = sorted(controls)
    out = []
    for _ in range(n):
        values, seq, queries = spec.defaults(), [], []
        for _ in range(steps):
            for _attempt in range(200):
                ident = rng.choice(ids)
                name = controls[ident]["field"]
                f = spec.fields[name]
                new = _draw(f, rng)
                if new == values[name] or (isinstance(new, float) and not math.isfinite(new)):
                    continue
                trial = {**values, name: new}
                if spec.check(trial)[1]:
                    continue  # a field or cross-field rule refuses it: draw again
                values = trial
                seq.append([ident, _widget_value(f, new, controls[ident]["slider"])])
                queries.append(spec.to_query(values))
                break
        out.append({"steps": seq, "queries": queries})
    return out


def build(deps: list[dict], seed: int = 0) -> dict:
    """The catalog for the lab whose ``/_dash-dependencies`` is ``deps`` (imports the pages in-process)."""
    from dash import dcc

    from neuralab.app import shell
    from neuralab.app.registry import built

    rng = random.Random(seed)
    pages, drag_sliders = [], set()
    for entry in built():
        module = importlib.import_module(entry.module)
        key, spec = module.P, module.SPEC
        tree = list(walk(shell.render(entry.path, "")))
        drag_sliders |= {c.id for c in tree if isinstance(c, dcc.Slider) and getattr(c, "updatemode", None) == "drag"}
        named = {f"{key}-{name}": name for name in spec.fields}
        controls = {
            c.id: {"field": named[c.id], "slider": type(c).__name__ == "Slider"}
            for c in tree
            if isinstance(getattr(c, "id", None), str) and c.id in named and type(c).__name__ in WIDGETS
        }
        pages.append({"path": entry.path, "key": key, "controls": controls,
                      "walks": walks(spec, controls, rng) if controls else []})
    kinds = {d["output"]: kind(d, drag_sliders) for d in deps if not is_clientside(d)}
    return {"seed": seed, "pages": pages, "kinds": kinds, "drag_sliders": sorted(drag_sliders)}


def write(path: Path, deps: list[dict], seed: int = 0) -> dict:
    catalog = build(deps, seed)
    path.write_text(json.dumps(catalog))
    return catalog
