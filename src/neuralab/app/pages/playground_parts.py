"""Pieces of the /playground page: the per-tab engine store, the renderer and the control panels.

The engine state of each browser tab lives in small files keyed by a random
tab id (made when the page is drawn), so a background training job in another process,
the Step and Rewind buttons and the weight editor all work on the same network. Each
entry also names its *owner*: the training job that may write to it. Pause, Step, a new
setting or an edited weight take ownership back, and the job, which checks before every
write, stops by itself at its next frame.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from dash import Patch, dcc, html, no_update

from neuralab import cache
from neuralab.app import ui
from neuralab.app.controls import cid, control
from neuralab.app.registry import prefix
from neuralab.data import playground as pg_data
from neuralab.data import user
from neuralab.data.playground import DATASETS, FEATURES, PlaygroundData
from neuralab.params import Choice, Int, ParamSpec
from neuralab.plots import playground as figures
from neuralab.plots.theme import message_figure
from neuralab.train import playground

P = prefix("neuralab.app.pages.playground")  # the ids of the page these parts build
MAX_TABS = 256  # networks kept on disk (each at most ~150 kB); the least recently saved go first
PAUSED = "paused"  # owner value left by the Pause button (the job then reports "paused")
_TAB = re.compile(r"[0-9a-f]{32}")


# ----------------------------------------------------------------------------- the per-tab store
#
# Plain files, one pair per tab (``<tab>.json``: values and owner; ``<tab>.npz``: the engine), each
# replaced atomically and changed under an ``flock``: they behave the same in the server and in a
# job forked from it (an SQLite connection does not survive a fork, and an inherited one was seen
# to miss the server's writes). Only the :data:`MAX_TABS` most recently used tabs are kept.


def _dir() -> Path:
    return cache.state_dir("playground")


def new_tab() -> str:
    return uuid.uuid4().hex


def valid_tab(tab: Any) -> bool:
    """A tab id as :func:`new_tab` makes them; anything else (a crafted request) is refused."""
    return isinstance(tab, str) and bool(_TAB.fullmatch(tab))


@dataclass(frozen=True)
class Entry:
    """What the store holds for one tab."""

    values: dict  # the validated page values the network was built from
    blob: bytes  # Engine.to_bytes()
    owner: str | None  # run id of the job allowed to write, PAUSED, or None
    at: str | None = None  # with PAUSED: the frame ("run:seq") the page showed when Pause was pressed


@contextmanager
def _locked(tab: str) -> Iterator[Path]:
    fd = os.open(_dir() / f"{tab}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield _dir()
    finally:
        os.close(fd)  # closing drops the lock


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # readers see the old file or the new one, never half of one


def _meta(d: Path, tab: str) -> dict | None:
    try:
        return json.loads((d / f"{tab}.json").read_text())
    except (OSError, ValueError):
        return None


def _put(d: Path, tab: str, values: dict, eng: playground.Engine | None, owner: str | None,
         at: str | None = None) -> None:
    if eng is not None:
        _write(d / f"{tab}.npz", eng.to_bytes())
    _write(d / f"{tab}.json", json.dumps({"values": values, "owner": owner, "at": at}).encode())


def _evict(d: Path) -> None:
    metas = sorted(d.glob("*.json"), key=lambda p: p.stat().st_mtime if p.exists() else 0)
    for old in metas[:max(0, len(metas) - MAX_TABS)]:
        for suffix in (".json", ".npz", ".frame", ".pace", ".lock"):
            old.with_suffix(suffix).unlink(missing_ok=True)


def load(tab: str) -> Entry | None:
    d = _dir()
    meta = _meta(d, tab)
    try:
        blob = (d / f"{tab}.npz").read_bytes()
    except OSError:
        return None
    return Entry(meta["values"], blob, meta.get("owner"), meta.get("at")) if meta else None


def save(tab: str, values: dict, eng: playground.Engine, owner: str | None = None) -> None:
    """Store ``eng`` for ``tab``, taking ownership away from any running job."""
    with _locked(tab) as d:
        _put(d, tab, values, eng, owner)
    _evict(d)


def save_if_owner(tab: str, values: dict, eng: playground.Engine | bytes | None, owner: str,
                  frame: bytes | None = None) -> bool:
    """Store ``eng`` (an engine, its bytes, or None: keep the stored one) only if ``owner`` still owns
    the tab (atomically); False means: stop.

    ``frame`` (the page's next frame, see :mod:`playground_stream`) replaces the tab's stored one in
    the same step. A running job stores its engine a few times a second, not with every frame; when
    Pause takes the tab, :func:`keep_if_paused` stores the network of the last frame it published.
    """
    with _locked(tab) as d:
        meta = _meta(d, tab)
        if meta is None or meta.get("owner") != owner:
            return False
        if eng is not None:
            _write(d / f"{tab}.npz", eng if isinstance(eng, bytes) else eng.to_bytes())
        if meta.get("values") != values:
            _put(d, tab, values, None, owner)
        if frame is not None:
            _write(frame_path(tab), frame)
    return True


def keep_if_paused(tab: str, blob: bytes) -> bool:
    """Store ``blob`` (a job's network as its last frame showed it) if Pause holds the tab and nothing replaced it."""
    with _locked(tab) as d:
        meta = _meta(d, tab)
        if meta is None or meta.get("owner") != PAUSED:
            return False
        _write(d / f"{tab}.npz", blob)
    return True


def frame_path(tab: str) -> Path:
    """Where the newest frame of ``tab``'s running job is kept (one file, replaced at every frame)."""
    return _dir() / f"{tab}.frame"


def owner_of(tab: str) -> str | None:
    """The tab's current owner (read without the lock: a file replaced whole is never half-read)."""
    meta = _meta(_dir(), tab)
    return None if meta is None else meta.get("owner")


def set_owner(tab: str, owner: str | None, expect: str | None = None, at: str | None = None) -> str | None:
    """Give ``tab`` to ``owner`` (if its owner is ``expect``, when given); returns the previous owner.

    ``at`` goes with :data:`PAUSED`: the frame the page showed, whose network the job keeps."""
    with _locked(tab) as d:
        meta = _meta(d, tab)
        if meta is None:
            return None
        before = meta.get("owner")
        if expect is None or before == expect:
            _put(d, tab, meta["values"], None, owner, at)
        return before


def set_pace(tab: str, pace: str) -> None:
    """The pace a running job of ``tab`` reads at every frame (a key of ``playground.PACES``)."""
    if pace in playground.PACES:
        _write(_dir() / f"{tab}.pace", pace.encode())


def pace_of(tab: str, default: str) -> str:
    """The tab's chosen pace (``default`` when none was stored or it is unreadable)."""
    try:
        pace = (_dir() / f"{tab}.pace").read_text()
    except OSError:
        return default
    return pace if pace in playground.PACES else default


def engine_for(tab: str, values: dict) -> playground.Engine:
    """The tab's engine if it was built from ``values``; else a fresh one (stored)."""
    entry = load(tab)
    if entry is not None and entry.values == values:
        try:
            return playground.Engine.from_bytes(entry.blob)
        except (ValueError, KeyError, OSError):
            pass  # an unreadable entry: start over
    eng = playground.build(values)
    save(tab, values, eng)
    return eng


# ----------------------------------------------------------------------------- rendering

FIGS = ("curves", "boundary", "neurons", "network", "health", "confusion")
#: Every output the renderer fills, in order: each figure and its caption, then the banner and the status line.
OUTPUTS = [(f"{name}", "figure") for name in FIGS] + [(f"{name}-summary", "children") for name in FIGS] + [
    ("diverged", "children"), ("status", "children")]


def map_res(eng: playground.Engine) -> int:
    """Grid resolution of the maps: finer for small networks, coarser where each map costs more."""
    hidden = sum(eng.cfg.sizes[1:-1])
    return 60 if hidden <= 48 else 40 if hidden <= 96 else 30  # 60: ~0.4 ms more a frame than 40 for 2-4-2-1


def slow_figures(k: int) -> set[str]:
    """The one chart a running job's ``k``-th progress update redraws.

    The map, the curves and the network's edges reach the page in every frame by the frame
    channel; the charts inside the network (neuron maps, layer health, confusion matrix) take
    turns here, one every ``SLOW_S`` (each chart every 1.5 s), so the browser's drawing time goes to the frames.
    """
    return {("neurons", "health", "confusion")[k % 3]}


def render(eng: playground.Engine, rate: float | None = None, only: set[str] | None = None, note: str = "") -> list:
    """Every output of :data:`OUTPUTS` for the engine as it stands.

    With ``only``, charts not named there are sent as an empty :class:`dash.Patch`: the browser
    keeps what it shows and spends no time redrawing them (captions are always fresh). ``note``
    (what the last button or run did) ends the status line.
    """
    out = _render(eng, rate, note)
    if only is not None:
        for i, name in enumerate(FIGS):
            if name not in only:
                out[i] = Patch()
    return out


EDGES_PER_FRAME = 1000  # a network with more edges is redrawn every (edges / this)-th frame (its picture is larger)


def network_every(eng: playground.Engine) -> int:
    """Redraw the network in every n-th frame: 1 up to :data:`EDGES_PER_FRAME` edges (five layers of 32: every 4th)."""
    edges = sum(a * b for a, b in zip(eng.cfg.sizes[:-1], eng.cfg.sizes[1:], strict=False))
    return max(1, edges // EDGES_PER_FRAME)


def frame(eng: playground.Engine, rate: float | None = None, network: bool = True) -> dict:
    """One frame of a running job, for the page's frame channel (:mod:`playground_stream`).

    The decision map, the curves and (with ``network``) the network's edges as pictures the page
    swaps in, and the status line: what a learner watches many times a second. The captions and
    the heavier charts below travel less often, through the job's progress (:func:`render`).
    """
    data, m, c = eng.data, eng.metrics(), eng.curves()
    loss_name = "MSE" if data.head == "regression" else "cross-entropy"
    best = None if not eng.cfg.patience else _best_epoch(c.test_loss)
    out = {"status": status_line(m, eng.stopped, rate),
           "curves": figures.curves_update(c.epoch, c.train_loss, c.test_loss, c.train_metric, c.test_metric,
                                           m.metric_name, loss_name, best_epoch=best),
           }
    if network:
        out["network"] = figures.network_update([w for w, _ in eng.get_weights()])
    if data.is_2d:
        mp = eng.maps(res=map_res(eng))
        extent = plane_extent(data, mp)
        out["boundary"] = figures.boundary_update(mp.output, extent, task=data.head, n_classes=data.n_classes,
                                                  with_test=len(data.y_test) > 0)
    return out


def _render(eng: playground.Engine, rate: float | None, note: str = "") -> list:
    snap = eng.snapshot(res=map_res(eng))
    data, m = eng.data, snap.metrics
    c = snap.curves
    loss_name = "MSE" if data.head == "regression" else "cross-entropy"
    curve_args = (c.epoch, c.train_loss, c.test_loss, c.train_metric, c.test_metric, m.metric_name, loss_name)
    best = None if not eng.cfg.patience else _best_epoch(c.test_loss)
    figs = [figures.curves_figure(*curve_args, best_epoch=best)]
    caps = [figures.describe_curves(*curve_args)
            + (f" Test RMSE {m.test_rmse:.3g}{' ' + data.y_unit if data.y_unit else ''}."
               if data.head == "regression" else "")]
    f, cap = _maps(snap, data)
    figs += f
    caps += cap
    names = [f"layer {i + 1}" for i in range(len(snap.weights) - 1)] + ["output"]
    figs.append(figures.network_figure(snap.weights, _input_names(data), _output_names(data)))
    caps.append(figures.describe_network(snap.weights, n_params=int(eng.theta.size)))
    h = snap.health
    figs.append(figures.health_figure(names, h.grad_norm, h.dead, h.saturated))
    caps.append(figures.describe_health(names, h.grad_norm, h.dead, h.saturated, before=eng.updates == 0)
                + (f" {h.zero_weights:.0%} of the weights are exactly zero." if h.zero_weights > 0 else ""))
    if snap.confusion is None:
        figs.append(message_figure("Regression has no classes to confuse; the curves give R² and RMSE."))
        caps.append("No confusion matrix for a regression target.")
    else:
        labels = _class_names(data)
        figs.append(figures.confusion_figure(snap.confusion, labels))
        caps.append(figures.describe_confusion(snap.confusion, labels))
    return [*figs, *caps, diverged_banner(snap.diverged), status_line(m, snap.stopped, rate, note)]


def _maps(snap: playground.Snapshot, data: PlaygroundData) -> tuple[list, list]:
    if snap.maps is None:
        note = (f"{DATASETS[data.dataset][0]} has {data.n_inputs} inputs, not a point in a plane, so there is no "
                "map to draw; read the curves and the confusion matrix.")
        short = f"No plane to draw: each example has {data.n_inputs} inputs."
        return [message_figure(short), message_figure(short)], [note, note]
    mp, m = snap.maps, snap.metrics
    task = data.head
    P_tr, P_te = (data.raw(data.P_train), data.raw(data.P_test)) if data.is_user else (data.P_train, data.P_test)
    b = figures.boundary_figure(mp.output, plane_extent(data, mp), P_tr, data.y_train, P_te, data.y_test, task=task,
                                n_classes=data.n_classes, axis_names=data.axis_names, square=not data.is_user,
                                positive=data.class_names[1] if data.class_names else "blue")
    b_cap = figures.describe_boundary(task, m.train_metric, m.test_metric, len(data.y_train), len(data.y_test))
    return ([b, figures.neurons_figure(mp.hidden)],
            [b_cap, figures.describe_neurons(mp.hidden)])


def plane_extent(data: PlaygroundData, mp: playground.Maps) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) of the maps: the scaled box, or for a user table the two columns' own units."""
    corners = np.array([[mp.xs[0], mp.ys[0]], [mp.xs[-1], mp.ys[-1]]], dtype=np.float64)
    (x0, y0), (x1, y1) = data.raw(corners) if data.is_user else corners
    return float(x0), float(x1), float(y0), float(y1)


def _best_epoch(test_loss: np.ndarray) -> int | None:
    finite = np.where(np.isfinite(test_loss), test_loss, np.inf)
    return int(np.argmin(finite)) if np.isfinite(finite).any() else None


def _input_names(data: PlaygroundData) -> list[str]:
    if data.dataset == "digits":
        return [f"px{i}" for i in range(data.n_inputs)]
    if data.is_user:  # x and y are the table's two columns (names cut to 12 characters for the drawing)
        a, b = (n if len(n) <= 12 else n[:11] + "…" for n in data.axis_names)
        named = {"x": a, "y": b, "x2": f"{a}²", "y2": f"{b}²", "xy": f"{a}·{b}", "sinx": f"sin {a}",
                 "siny": f"sin {b}"}
        return [named[f] for f in data.feature_names]
    return [FEATURES.get(f, f) for f in data.feature_names]


def _output_names(data: PlaygroundData) -> list[str]:
    if data.head == "binary":
        return [f"logit ({data.class_names[1]})" if data.class_names else "logit (blue)"]
    if data.head == "regression":
        return ["prediction"]
    return list(data.class_names) or [f"class {k}" for k in range(data.n_classes)]


def _class_names(data: PlaygroundData) -> list[str]:
    if data.dataset == "digits":
        return [str(k) for k in range(10)]
    if data.class_names:
        return list(data.class_names)
    if data.n_classes == 2:
        return ["orange", "blue"]
    return [f"class {k}" for k in range(data.n_classes)]


def diverged_banner(sentence: str) -> list:
    if not sentence:
        return []
    return [html.Strong("Training diverged."), sentence]


def status_line(m: playground.Metrics, stopped: str, rate: float | None = None, note: str = "") -> str:
    """The one line that says where the run is and what the last action did (each sentence once)."""
    text = f"Epoch {m.epoch} · {m.updates} updates · learning rate {m.lr:.3g}"
    if rate:
        text += f" · {rate:,.0f} updates/s"
    for part in (note, stopped):
        if part and part not in text:
            text += f" · {part}"
    return text


def blank_outputs(message: str) -> list:
    """Outputs when the settings cannot be used: every chart says so, the banner stays empty."""
    figs = [message_figure(message) for _ in FIGS]
    return [*figs, *([message] * len(FIGS)), [], "Not built: fix the setting named above."]


# ----------------------------------------------------------------------------- controls


def dropdown(name: str, f: Choice | Int, value: Any, options: list[dict] | None = None) -> html.Div:
    """A compact drop-down for a long option list (same label markup as the shared controls); ``options``
    for a field whose options are not declared (a user table's columns)."""
    ident = cid(P, name)
    if options is None:
        options = [{"label": lab, "value": val} for val, lab in f.options]
    return html.Div(
        title=f.help or None,  # the help, also when the page hides its text (the pace beside the play bar)
        children=[html.Label(f.label or name, id=f"{ident}-label", htmlFor=ident, className="nl-label"),
         dcc.Dropdown(id=ident, options=options, value=value,
                      clearable=False, searchable=False),
         html.Div(f.help, className="nl-help") if f.help else None],
        className="nl-control", role="group", **{"aria-labelledby": f"{ident}-label", "data-label": f.label},
    )


def ctl(spec: ParamSpec, values: dict, name: str) -> html.Div:
    f = spec.fields[name]
    if isinstance(f, Choice) and len(f.options) > 3:
        return dropdown(name, f, values[name])
    return control(P, name, f, values[name])


def column_options(names: tuple[str, ...]) -> list[dict]:
    """A user table's numeric feature columns as drop-down options: the value is the column's number."""
    return [{"label": f"{i}: {n}", "value": i} for i, n in enumerate(names)]


def table_columns(dataset: Any) -> tuple[str, ...]:
    """The numeric feature columns of the user table ``dataset``; () for a built-in set or a table that fails."""
    if not user.is_user(dataset):
        return ()
    try:
        return pg_data.user_table(dataset).feature_names
    except ValueError:
        return ()


def axis_pickers(spec: ParamSpec, values: dict) -> html.Div:
    """The two column pickers of a user table (hidden for the built-in sets, whose plane is x and y).

    Each picker drives a hidden input that holds the field's value (what the URL and the spec read), as the
    feature boxes do: a drop-down clears a value missing from its options, and the built-in sets have none.
    """
    opts = column_options(table_columns(values["dataset"]))
    return html.Div([dropdown(f"{n}-pick", spec.fields[n], values[n], opts) for n in ("col_x", "col_y")]
                    + [dcc.Input(id=cid(P, n), type="hidden", value=str(values[n])) for n in ("col_x", "col_y")],
                    id=cid(P, "axes"), className="pg-grid", hidden=not opts)


def _index(raw: Any) -> int | None:
    """A column number as the spec reads it (``col_x`` and ``col_y`` share one field type), else None."""
    try:
        return pg_data.DATA.fields["col_x"].coerce("col_x", raw)
    except (TypeError, ValueError):
        return None


def axes_view(dataset: Any, col_x: Any, col_y: Any, changed: bool) -> tuple:
    """(options ×2, hidden, picker values ×2, col_x, col_y) for a dataset choice.

    A pair the table holds is shown as it is; a newly chosen table without it starts at its first two
    columns; on the page's first load a link's wrong pair stays (its sentence says what is wrong).
    """
    names = table_columns(dataset)
    opts = column_options(names)
    x, y = _index(col_x), _index(col_y)
    if not opts:
        return [], [], True, no_update, no_update, no_update, no_update
    if x is not None and y is not None and x != y and 0 <= min(x, y) and max(x, y) < len(names):
        if not changed:  # the first load: the layout's pickers already show the pair
            return opts, opts, False, no_update, no_update, no_update, no_update
        return opts, opts, False, x, y, no_update, no_update
    if changed and len(names) >= 2:
        return opts, opts, False, 0, 1, "0", "1"
    return opts, opts, False, no_update, no_update, no_update, no_update


def data_note(values: dict) -> str:
    """The sentence on what the page works on, for a user table ("" for the built-in sets or a bad setting)."""
    if not user.is_user(values.get("dataset")):
        return ""
    try:
        return pg_data.load(values).note
    except ValueError:
        return ""


def feature_boxes(values: dict) -> html.Div:
    """One checklist for the seven input features; hidden inputs carry each as "1"/"0" for the URL."""
    on = [k for k in FEATURES if values[f"f_{k}"]]
    hidden = [dcc.Input(id=cid(P, f"f_{k}"), type="hidden", value="1" if values[f"f_{k}"] else "0") for k in FEATURES]
    return html.Div(
        [html.Span("Input features", className="nl-label", id=cid(P, "features-label")),
         dcc.Checklist(id=cid(P, "features"), options=[{"label": lab, "value": k} for k, lab in FEATURES.items()],
                       value=on, inline=True, className="pg-features"),
         html.Div("What the network sees of each point. x² or x·y make a circle or XOR easy for a small net; "
                  f"they are not rescaled, so they reach {pg_data.BOX ** 2:g} ({pg_data.SPAN ** 2:g} for your "
                  "own table's columns, more for test rows outside the training range): a lesson in why inputs are "
                  "standardized. "
                  "Digits uses its 64 pixels instead; with your own table, x and y are the two columns "
                  "picked above.", className="nl-help"),
         *hidden],
        className="nl-control", role="group", **{"aria-labelledby": cid(P, "features-label")},
    )


def layer_cards(spec: ParamSpec, values: dict) -> html.Div:
    cards = []
    for i in range(1, playground.MAX_LAYERS + 1):
        cards.append(html.Div(
            [html.H3(f"Hidden layer {i}"), ctl(spec, values, f"n{i}"), ctl(spec, values, f"act{i}")],
            id=cid(P, f"layer{i}"), className="pg-layer", hidden=i > int(values["layers"])))
    return html.Div(cards, className="pg-layers")


def transport(pace: Any = None) -> html.Div:
    """The play bar: Play, Pause, Step, Rewind, Reset, then ``pace`` (a control) and the status line."""
    def button(name: str, label: str, title: str, extra: str = "") -> html.Button:
        return html.Button(label, id=cid(P, name), n_clicks=0, className=f"nl-button {extra}".strip(), title=title)

    return html.Div(
        [button("play", "▶ Play", "Train until Pause, a stop criterion (When to stop) or the lab's job limit, at "
                "the chosen pace", "pg-play"),
         html.Button("❚❚ Pause", id=cid(P, "pause"), n_clicks=0, className="nl-button", disabled=True,
                     title="Stop training and keep the network as it is"),
         button("step", "Step to epoch end", "Train to the end of the current epoch: a whole epoch from an epoch "
                "boundary; after a pause part-way through an epoch, the rest of that epoch"),
         button("rewind", "⟲ Rewind", "Back to epoch 0 with the same initial weights: the run replays exactly"),
         button("resample", "Reset (new seed)", "Seed + 1: new initial weights and a new sample of the data"),
         html.Div(pace, className="pg-pace") if pace is not None else None,
         html.Span(id=cid(P, "status"), className="pg-status", role="status", **{"aria-live": "polite"})],
        className="pg-transport",
    )


def edit_box() -> html.Div:
    return html.Div(
        [html.Span("Click an edge's midpoint to pick a weight.", id=cid(P, "edge-label")),
         dcc.Input(id=cid(P, "edge-value"), type="number", step="any", debounce=True, placeholder="new weight",
                   className="nl-number"),
         html.Button("Set weight", id=cid(P, "edge-apply"), n_clicks=0, className="nl-button"),
         dcc.Store(id=cid(P, "edge"))],
        className="pg-edit",
    )


def downloads() -> html.Div:
    items = [("config", "Config (JSON)"), ("safetensors", "Weights (safetensors)"),
             ("state_dict", "torch state_dict (.pt)"), ("onnx", "ONNX model"), ("script", "Python script"),
             ("tensorboard", "TensorBoard logs (.zip)")]
    return html.Div(
        [*(html.Button(label, id=cid(P, f"dl-{key}"), n_clicks=0, className="nl-button") for key, label in items),
         dcc.Download(id=cid(P, "download")),
         html.Span(id=cid(P, "dl-note"), className="pg-status", role="status", **{"aria-live": "polite"})],
        className="pg-downloads",
    )


def charts() -> list:
    """The output column of the working area: the map over the plane, then the curves under it."""
    c = ui.chart
    return [
        c(cid(P, "boundary"), "The network's output over the input plane, with the data points"),
        c(cid(P, "curves"), "Training and test loss, and accuracy or R², against epochs"),
    ]
