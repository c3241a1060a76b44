"""/playground: the TensorFlow Playground's idea with a real network, trained live in a background job.

Thin by design: the engine (:mod:`neuralab.train.playground`) trains and measures, the figures come
from :mod:`neuralab.plots.playground`, and :mod:`neuralab.app.pages.playground_parts` holds the
per-tab store, the renderer and the control panels. The whole state, seed included, is in the URL.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from neuralab.app import limits, ui, userdata
from neuralab.app.controls import alert, checked, cid, wire, wire_reseed
from neuralab.app.pages.playground_parts import (
    OUTPUTS,
    PAUSED,
    P,
    axes_view,
    axis_pickers,
    blank_outputs,
    charts,
    ctl,
    data_note,
    downloads,
    edit_box,
    engine_for,
    feature_boxes,
    frame,
    keep_if_paused,
    layer_cards,
    load,
    network_every,
    new_tab,
    pace_of,
    render,
    save,
    save_if_owner,
    set_owner,
    set_pace,
    slow_figures,
    transport,
    valid_tab,
)
from neuralab.app.pages.playground_stream import encode
from neuralab.app.selfcheck import Pick, Value
from neuralab.data.playground import DATA, FEATURES
from neuralab.nn import models
from neuralab.params import ParamError, ParamSpec
from neuralab.train import playground, tensorboard
from neuralab.train.playground import exports

SPEC = ParamSpec.merge("playground_page", playground.PLAYGROUND, playground.VIEW)  # the network's, then the pace
NAMES = list(SPEC.fields)  # every control, the pace last (it is not part of the network)
NET = list(playground.PLAYGROUND.fields)
DATA_NAMES = list(DATA.fields)
FRAME_S = 1 / 30  # one frame of a running job: train, then publish the frame (30 frames a second)
MIN_TRAIN_S = 0.01  # ... but train at least this long per frame, however slow the rest
SLOW_S = 0.5  # the captions and one of the heavier charts travel through the job's progress this often
SAVE_S = 0.25  # a running job stores its network this often (and when it stops), not with every frame
FRAME_POLL_MS = 250  # Dash asks for that progress and the job's end this often (frames have their own channel)
JOB_MARGIN_S = 5  # a run pauses itself this long before the lab's time limit for any job would stop it


def max_run_s() -> float:
    """How long one press of Play trains: just under :data:`neuralab.app.limits.MAX_JOB_S`."""
    return max(1.0, limits.MAX_JOB_S - JOB_MARGIN_S)


def layout(values: dict, messages: list[str]) -> html.Div:
    """The working area first (play bar, controls, network, map and curves on one screen), then the prose."""
    s, v = SPEC, values
    title, intro, notice = ui.page_header(  # the URL notice stays on top; the intro moves under the working area
        "Training playground",
        "A small neural network learns to separate or fit points while you watch: every curve, map and edge "
        "above is the real network's, recomputed many times a second as it trains. Change the data, the "
        "layers or the optimizer, press Play, and see what the change does.",
        messages,
    ).children

    def grid(*names: str) -> html.Div:
        return html.Div([ctl(s, v, n) for n in names], className="pg-grid")

    def more(summary: str, *names: str) -> html.Details:  # the rarer controls, folded
        return html.Details([html.Summary(summary), grid(*names)], className="pg-more")

    return html.Div(
        [
            html.Div([title, transport(ctl(s, v, "pace"))], className="pg-top"),
            notice,
            dcc.Store(id=cid(P, "tab"), data=new_tab()),
            dcc.Store(id=cid(P, "ack")),
            dcc.Store(id=cid(P, "stream")),
            # what the last run ended with, hidden: the status line says it. Only the lab's own sentences
            # (a job lost, refused or past its time) show here, with a link to run again; any button clears them.
            html.Div(id=cid(P, "job-note"), className="pg-job-note"),
            dcc.Store(id=cid(P, "pause-at")),  # the frame the page showed when Pause was pressed
            html.Div(id=cid(P, "diverged"), className="pg-diverged", role="alert", **{"aria-live": "assertive"}),
            alert(cid(P, "alert")),
            html.Div([
                html.Div([
                    ui.section("Data", [grid("dataset"), axis_pickers(s, v),
                                        html.P(data_note(v), id=cid(P, "data-note"), className="pg-data-note"),
                                        feature_boxes(v),
                                        more("Classes, noise, split, points, seed", "classes", "noise", "train_pct",
                                             "n_points", "seed")]),
                    ui.section("Training", [grid("lr", "weight_decay", "l1", "l2"),
                                            more("Optimizer, schedule, batch size", "optimizer", "schedule",
                                                 "epochs", "batch_size")]),
                ], className="pg-col pg-col-controls"),
                html.Div(ui.section("Network", [
                    html.Div([
                        grid("layers"),
                        html.Div([html.Button("+ layer", id=cid(P, "add-layer"), n_clicks=0, className="nl-button"),
                                  html.Button("− layer", id=cid(P, "remove-layer"), n_clicks=0,
                                              className="nl-button")], className="pg-transport"),
                    ], className="pg-layers-row"),
                    grid("activation"),
                    layer_cards(s, v),
                    ui.chart(cid(P, "network"), "The network with its current weights; click an edge to edit it"),
                    edit_box(),
                    more("Initialization, normalization, dropout", "init", "norm", "dropout"),
                ]), className="pg-col pg-col-network"),
                html.Div(charts(), className="pg-col pg-col-output"),
            ], className="pg-work"),
            html.Header([intro], className="nl-page-header pg-about"),  # the shell adds the reference link here
            ui.md(
                "**Things to try.** Circle with only x and y needs a hidden layer; switch on x² and y² and a "
                "network with *no* hidden layer solves it. XOR: add x·y. Spiral: three layers of eight with Adam. "
                "Set the initialization to zeros and watch every neuron map stay identical: symmetric units "
                "never tell themselves apart. For a divergence, pick *Regression: plane*, linear units, x² on "
                "and a learning rate of 3, press Step and read the red banner. Rewind replays a run from the "
                "same weights and shuffles; Reset draws new ones.\n\n"
                "Play trains until you press Pause (or a stop below is reached), in a background job that hands "
                "the page up to 30 frames a second: the decision map and the curves each frame, the network's "
                "edges each frame for small networks (less often for large ones), the captions twice a second "
                "and the charts inside the network in turn, each every 1.5 s. "
                "The *Pace* sets how many weight updates go between two frames: one (if the browser keeps up, "
                "every update is drawn) up to as many as the engine can run. The pace changes only how often you "
                "see the run, never the run itself; the updates/s shown is the average since Play. The lab ends "
                "any job after "
                f"{limits.MAX_JOB_S} s, so one press trains at most {max_run_s():.0f} s and then pauses; Play "
                "goes on from there. Pause keeps the network exactly as last drawn."
            ),
            ui.md("Edge width is the weight's size, relative to the largest weight; blue is positive, orange "
                  "negative. Click the small dot in the middle of an edge, type a value and press *Set weight*: "
                  "the maps and the loss show at once what that one number does. An edited weight is not part "
                  "of the link; Rewind restores the initial ones."),
            ui.section("When to stop", [
                grid("stop_at", "patience", "target_loss"),
                ui.md("By default training goes on until you press Pause. It stops by itself at the chosen stop "
                      "epoch, when the test loss has not improved for *patience* epochs (the best weights are "
                      "then put back), or when it falls below the *target loss*. Play or Step after such a stop "
                      "trains on from the weights it left (after an early stop: the restored best ones, while the "
                      "epoch count goes on), and the criteria then rest until Rewind. Changing a setting in this "
                      "section starts the run over from epoch 0. This page has no separate validation "
                      "set, so these criteria read the test loss, and the test score they leave is optimistic: "
                      "on a real project, stop on validation data."),
            ]),
            ui.section("Inside the network", [
                html.Div([ui.chart(cid(P, "neurons"), "Each hidden neuron's output over the input plane"),
                          ui.chart(cid(P, "health"), "Gradient norm per layer, and dead and saturated units"),
                          ui.chart(cid(P, "confusion"), "Test-set confusion matrix")], className="pg-figs"),
                ui.md("**Gradient norm**: how hard the last update pushed each layer's weights. Falling by orders "
                      "of magnitude towards the input is the vanishing gradient (try 8 sigmoid layers); growing "
                      "is the exploding one. **Dead units** are ReLUs whose input is negative for every training "
                      "point, so they output 0 and never learn again (try ReLU with a large learning rate). "
                      "**Saturated units** are tanh or sigmoid units stuck on their flat tails."),
            ]),
            ui.section("Take the network away", [
                ui.md("The network as it stands now, in five forms: the settings as JSON, the weights as "
                      "safetensors or a torch `state_dict`, an ONNX graph for an inference runtime, and a "
                      "stand-alone Python script that rebuilds and retrains the same network with torch."),
                downloads(),
            ]),
        ],
        className="pg-page",
    )


# ----------------------------------------------------------------------------- browser-side helpers

clientside_callback(  # the checklist drives one hidden "1"/"0" input per feature (what the URL and spec read)
    f"""function(on) {{
        const keys = {list(FEATURES)!r};
        return keys.map(k => (on || []).includes(k) ? "1" : "0");
    }}""",
    [Output(cid(P, f"f_{k}"), "value") for k in FEATURES],
    Input(cid(P, "features"), "value"),
    prevent_initial_call=True,
)
clientside_callback(  # only the cards of the layers in use are shown
    f"""function(n) {{
        n = Number(n) || 0;
        return Array.from({{length: {playground.MAX_LAYERS}}}, (_, i) => i >= n);
    }}""",
    [Output(cid(P, f"layer{i}"), "hidden") for i in range(1, playground.MAX_LAYERS + 1)],
    Input(cid(P, "layers"), "value"),
)
clientside_callback(
    f"""function(add, remove, n) {{
        const t = window.dash_clientside.callback_context.triggered_id;
        n = Number(n) || 0;
        return Math.max(0, Math.min({playground.MAX_LAYERS}, n + (t === "{cid(P, 'add-layer')}" ? 1 : -1)));
    }}""",
    Output(cid(P, "layers"), "value"),
    Input(cid(P, "add-layer"), "n_clicks"),
    Input(cid(P, "remove-layer"), "n_clicks"),
    State(cid(P, "layers"), "value"),
    prevent_initial_call=True,
)
reset = wire_reseed(P)  # the Reset button moves the seed on by one: new weights and a new sample
clientside_callback(  # Play: the page fetches the job's frames and draws them (assets/playground.js)
    """function(n, tab) {
        if (n && window.nlPlayground) { window.nlPlayground.start(tab); }
        return window.dash_clientside.no_update;
    }""",
    Output(cid(P, "stream"), "data"),
    Input(cid(P, "play"), "n_clicks"),
    State(cid(P, "tab"), "data"),
    prevent_initial_call=True,
)


# ----------------------------------------------------------------------------- server callbacks

fill_datasets = userdata.wire_choice(P, SPEC.fields["dataset"])  # the built-in sets, then the learner's tables


@callback(Output(cid(P, "col_x-pick"), "options"), Output(cid(P, "col_y-pick"), "options"),
          Output(cid(P, "axes"), "hidden"), Output(cid(P, "col_x-pick"), "value"),
          Output(cid(P, "col_y-pick"), "value"),
          Output(cid(P, "col_x"), "value"), Output(cid(P, "col_y"), "value"),
          Input(cid(P, "dataset"), "value"), State(cid(P, "col_x"), "value"), State(cid(P, "col_y"), "value"))
def axes(dataset: Any, col_x: Any, col_y: Any) -> tuple:
    """A user table's columns in the two axis pickers (hidden for the built-in sets)."""
    return axes_view(dataset, col_x, col_y, ctx.triggered_id is not None)


for _axis in ("col_x", "col_y"):  # a picked column goes to the hidden input the URL and the spec read
    clientside_callback(
        """function(v) {
            return (v === null || v === undefined) ? window.dash_clientside.no_update : String(v);
        }""",
        Output(cid(P, _axis), "value", allow_duplicate=True),
        Input(cid(P, f"{_axis}-pick"), "value"),
        prevent_initial_call=True,
    )


@callback(Output(cid(P, "data-note"), "children"), *(Input(cid(P, n), "value") for n in DATA_NAMES))
def describe_data(*raw: Any) -> str:
    """What the page works on, for a user table: rows drawn, the two columns, the split."""
    values, _ = checked(DATA, dict(zip(DATA_NAMES, raw, strict=True)), lambda v: v)
    return data_note(values) if values else ""


_OUT = [Output(cid(P, name), prop, allow_duplicate=True) for name, prop in OUTPUTS]
_VALUES = [State(cid(P, n), "value") for n in NAMES]


def _validated(raw: tuple) -> tuple[dict | None, str]:
    return checked(SPEC, dict(zip(NAMES, raw, strict=True)), lambda v: v)


def _net(values: dict) -> dict:
    """The values the network is built from (everything but the pace)."""
    return {k: values[k] for k in NET}


def rebuild_view(tab: Any, *raw: Any) -> list:
    """A fresh network for the settings (outputs of :data:`OUTPUTS`, then the alert)."""
    values, msg = _validated(raw)
    if values is None:
        return [*blank_outputs(msg), msg]
    if not valid_tab(tab):
        return [*blank_outputs("Reload the page."), "This page's id is not valid; reload the page."]
    eng = playground.build(_net(values))
    save(tab, _net(values), eng)  # also stops a job training the previous network
    return [*render(eng), ""]


@callback(*_OUT, Output(cid(P, "alert"), "children", allow_duplicate=True), State(cid(P, "tab"), "data"),
          *(Input(cid(P, n), "value") for n in NET), State(cid(P, "pace"), "value"),
          prevent_initial_call="initial_duplicate")
def rebuild(tab: Any, *raw: Any) -> list:
    return rebuild_view(tab, *raw)


def where(eng: playground.Engine) -> str:
    """Where a run stands: "epoch 12", or "epoch 12, 3 of 20 updates into epoch 13" between two epochs."""
    if not eng.position:
        return f"epoch {eng.epoch}"
    return f"epoch {eng.epoch}, {eng.position} of {eng.batches_per_epoch} updates into epoch {eng.epoch + 1}"


def _step(eng: playground.Engine) -> str:
    """One epoch (the rest of one, after a pause between two); the sentence says which."""
    was = eng.stopped
    if eng.done and not eng.resume():
        return f"Step did nothing: {eng.stopped} Rewind or change a setting to train again."
    e0, u0, mid = eng.epoch, eng.updates, eng.position
    eng.run_epochs(1)
    n = eng.updates - u0
    what = f"the last {n} updates of epoch {e0 + 1}" if mid else f"one epoch, {n} updates"
    return f"Step: {what}.{_resumed(eng, was)}"


def _resumed(eng: playground.Engine, was_stopped: str) -> str:
    """What Play or Step changed by training on past a stop (``was_stopped``: the stop it cleared)."""
    if not was_stopped:
        return ""
    note = " Trained on past the stop: the stop criteria are off until Rewind."
    if eng.restored is not None:
        stop, best = eng.restored
        note += (f" The run went on from the weights of epoch {best} that the early stop at epoch {stop} "
                 "restored, so the exported script no longer reproduces it.")
    return note


def act_view(action: str, tab: Any, edge: Any, edge_value: Any, *raw: Any, note: str = "") -> list:
    """Step one epoch, rewind, set one weight, or show the tab's network (with ``note`` in the status line)."""
    values, msg = _validated(raw)
    if values is None:
        return [*blank_outputs(msg), msg]
    if not valid_tab(tab):
        return [*blank_outputs("Reload the page."), "This page's id is not valid; reload the page."]
    eng = engine_for(tab, _net(values))
    alert_text = ""
    if action == "step":
        note = _step(eng)
    elif action == "rewind":
        eng.rewind()
        note = "Rewound to epoch 0: the same initial weights and shuffles, so the run replays exactly."
    elif action == "edge":
        try:
            e = edge or {}
            eng.set_weight(int(e["layer"]), int(e["out"]), int(e["in"]), edge_value)
            note = "Weight set; Play or Step trains on from it."
        except (KeyError, TypeError, ValueError, ParamError) as exc:
            alert_text = _edge_message(exc, edge, edge_value)
    save(tab, _net(values), eng)
    return [*render(eng, note=note), alert_text]


def _edge_message(exc: Exception, edge: Any, value: Any) -> str:
    if not edge:
        return "Pick a weight first: click the dot in the middle of an edge in the network drawing."
    if value is None:
        return "Type the new weight in the box (a number between -1000 and 1000) before pressing Set weight."
    return str(exc) if isinstance(exc, ValueError) else f"That weight could not be set: {exc}."


@callback(*_OUT, Output(cid(P, "alert"), "children", allow_duplicate=True),
          Output(cid(P, "job-note"), "children", allow_duplicate=True),
          Input(cid(P, "step"), "n_clicks"), Input(cid(P, "rewind"), "n_clicks"),
          Input(cid(P, "edge-apply"), "n_clicks"),
          State(cid(P, "tab"), "data"), State(cid(P, "edge"), "data"), State(cid(P, "edge-value"), "value"),
          *_VALUES, prevent_initial_call=True)
def act(_step: int | None, _rewind: int | None, _apply: int | None, tab: Any, edge: Any, edge_value: Any,
        *raw: Any) -> list:
    action = {cid(P, "step"): "step", cid(P, "rewind"): "rewind", cid(P, "edge-apply"): "edge"}.get(ctx.triggered_id)
    if action is None:
        return [no_update] * (len(OUTPUTS) + 2)
    return [*act_view(action, tab, edge, edge_value, *raw), None]  # the last run's sentence is old news now


def pick_edge(click: Any) -> tuple:
    """The weight under a click on the network drawing: (store, label, current value).

    ``customdata`` is ``(layer, unit, input, weight)``, 1-based; a typed-array row reaches the
    server as ``{"0": ..., "1": ...}``, so both forms are read.
    """
    try:
        cd = click["points"][0]["customdata"]
        if isinstance(cd, dict):
            cd = [cd[k] for k in sorted(cd, key=int)]
        layer, out, inp, w = (float(x) for x in cd)
        layer, out, inp = int(layer), int(out), int(inp)
    except (TypeError, KeyError, IndexError, ValueError):
        return no_update, no_update, no_update
    src = "input" if layer == 1 else "unit"
    label = f"Layer {layer} weight into unit {out} from {src} {inp}: now {w:.4g}."
    return {"layer": layer - 1, "out": out - 1, "in": inp - 1}, label, round(w, 4)


@callback(Output(cid(P, "edge"), "data"), Output(cid(P, "edge-label"), "children"),
          Output(cid(P, "edge-value"), "value"), Input(cid(P, "network"), "clickData"), prevent_initial_call=True)
def on_edge(click: Any) -> tuple:
    return pick_edge(click)


def job_note(note: str) -> html.Span:
    """What a run hands the page when it ends: its sentence, hidden (the status line shows it), and a new
    id each time, so the page redraws even when two runs end with the same sentence."""
    return html.Span(note, hidden=True, className="pg-run-end", **{"data-run": uuid.uuid4().hex})


def _note_of(job: Any) -> str | None:
    """The sentence in :func:`job_note`'s span as the page sends it back; "" for the lab's own sentence (it
    shows itself), None for an empty note (a button cleared it: nothing to redraw)."""
    if isinstance(job, html.Span):
        job = job.to_plotly_json()
    if not isinstance(job, dict):
        return None
    props = job.get("props") or {}
    if "pg-run-end" not in str(props.get("className", "")):
        return ""
    text = props.get("children")
    return text[:300] if isinstance(text, str) else ""


@callback(*_OUT, Output(cid(P, "alert"), "children", allow_duplicate=True), Input(cid(P, "job-note"), "children"),
          State(cid(P, "tab"), "data"), *_VALUES, prevent_initial_call=True)
def refresh(job: Any, tab: Any, *raw: Any) -> list:
    """When a job ends (pause, stop, time cap), draw every chart from the network it kept, and say why it ended."""
    note = _note_of(job)
    if note is None:
        return [no_update] * (len(OUTPUTS) + 1)
    return act_view("show", tab, None, None, *raw, note=note)


clientside_callback(  # Pause: the page stops drawing at once and names the frame it shows
    """function(n) {
        const NS = window.nlPlayground || {};
        if (NS.halt) { NS.halt(); }
        return {n: n, frame: NS.last || ""};
    }""",
    Output(cid(P, "pause-at"), "data"),
    Input(cid(P, "pause"), "n_clicks"),
    prevent_initial_call=True,
)


@callback(Output(cid(P, "ack"), "data"), Input(cid(P, "pause-at"), "data"), State(cid(P, "tab"), "data"),
          prevent_initial_call=True)
def pause(at: Any, tab: Any) -> Any:
    """Take the network back from the job; it keeps the network of the frame named in ``at`` (the one shown)."""
    frame_id = at.get("frame") if isinstance(at, dict) else None
    if valid_tab(tab):
        set_owner(tab, PAUSED, at=frame_id if isinstance(frame_id, str) and len(frame_id) < 64 else None)
    return at


@callback(Output(cid(P, "ack"), "data", allow_duplicate=True), Input(cid(P, "pace"), "value"),
          State(cid(P, "tab"), "data"), prevent_initial_call=True)
def pace_changed(pace: Any, tab: Any) -> Any:
    """A running job reads the pace at every frame: a new choice applies at once, without a new network."""
    if valid_tab(tab) and pace in playground.PACES:
        set_pace(tab, pace)
    return no_update


# ----------------------------------------------------------------------------- the training job

KEEP_FRAMES = 90  # a running job keeps the networks of its last 90 frames (3 s), so Pause can keep the one shown


def _frame_updates(pace: str) -> int | None:
    return None if pace == "max" else int(pace)


def train_job(set_progress: Callable[[list], None], tab: Any, *raw: Any, now: Callable[[], float] = time.monotonic,
              max_s: float | None = None, sleep: Callable[[float], None] = time.sleep) -> str:
    """Train in frames of ~33 ms, publishing each for the page's frame channel; returns a status note.

    Each frame (map, curves, edges, status: :func:`playground_parts.frame`) is stored with the
    engine under the tab's lock. At a numeric pace a frame trains exactly that many updates and
    waits for the frame's time; at "max" it trains for the frame's time. Every ``SLOW_S`` the
    captions and one heavier chart go to ``set_progress`` (the fast charts as empty patches: the
    frames draw those). Stops at the engine's own stop (chosen epoch, early stop, target,
    divergence), after ``max_s`` seconds (default :func:`max_run_s`), or at once when another
    action took the tab's network (Pause, Step, a new setting).
    """
    max_s = max_run_s() if max_s is None else max_s
    values, msg = _validated(raw)
    if values is None:
        return msg
    if not valid_tab(tab):
        return "This page's id is not valid; reload the page."
    net = _net(values)
    eng = engine_for(tab, net)
    was = eng.stopped
    if eng.done and not eng.resume():
        return f"Nothing to train: {eng.stopped} Rewind or change a setting to train again."
    return _with_note(_train(set_progress, tab, eng, net, values, max_s, now, sleep), _resumed(eng, was))


def _with_note(note: str, extra: str) -> str:
    return note + extra if note else note


def _train(set_progress: Callable[[list], None], tab: str, eng: playground.Engine, net: Any, values: dict,
           max_s: float, now: Callable[[], float], sleep: Callable[[float], None]) -> str:
    run = uuid.uuid4().hex
    set_owner(tab, run)
    set_pace(tab, values["pace"])
    start, first, chunk, seq, overhead = now(), eng.updates, 8, 0, 0.005
    slow, last_slow, last_save = 0, -SLOW_S, now()
    recent: dict[int, bytes] = {}  # seq -> the network of that frame, the last KEEP_FRAMES of them
    every = network_every(eng)
    while True:
        t0 = now()
        per_frame = _frame_updates(pace_of(tab, values["pace"]))
        if per_frame is not None:
            eng.step(per_frame)
        else:
            budget = max(MIN_TRAIN_S, FRAME_S - overhead)  # the frame's own cost is taken out of the training time
            while now() - t0 < budget and not eng.done:
                t1 = now()
                eng.step(chunk)
                chunk = max(1, min(4096, int(chunk * (0.005 / max(now() - t1, 1e-4)) ** 0.5)))  # ~5 ms a call
        rate = (eng.updates - first) / max(now() - start, 1e-9)
        t_draw = now()
        seq += 1
        last = eng.done or t_draw - start > max_s
        out = None
        if last or t_draw - last_slow >= SLOW_S:
            out = render(eng, rate, only=None if last else slow_figures(slow))
            slow, last_slow = slow + 1, t_draw
        blob = eng.to_bytes()
        store = last or t_draw - last_save >= SAVE_S
        published = encode(frame(eng, rate, network=seq % every == 0), run, seq)
        if not save_if_owner(tab, net, blob if store else None, run, frame=published):
            return _taken(tab, run, recent)
        recent[seq] = blob
        recent.pop(seq - KEEP_FRAMES, None)
        last_save = t_draw if store else last_save
        if out is not None:
            set_progress([o.to_plotly_json() if hasattr(o, "to_plotly_json") else o for o in out])  # fast to pickle
        overhead = 0.5 * overhead + 0.5 * (now() - t_draw)
        if eng.done:
            set_owner(tab, None, expect=run)
            return eng.stopped
        if last:
            set_owner(tab, None, expect=run)
            return (f"Paused after {max_s:.0f} s: the lab ends any job after {limits.MAX_JOB_S} s. "
                    "Press Play to go on from here.")
        if per_frame is not None:
            sleep(max(0.0, t0 + FRAME_S - now()))  # a slow pace: one frame's updates, then the rest of its time


def _taken(tab: str, run: str, recent: dict[int, bytes]) -> str:
    """The job lost the tab: after Pause, keep the network of the frame the page showed; say where it stands."""
    entry = load(tab)
    if entry is None or entry.owner != PAUSED or not recent:
        return ""
    r, _, s = (entry.at or "").partition(":")
    blob = recent.get(int(s)) if r == run and s.isdigit() else None
    blob = blob or recent[max(recent)]  # the page named no frame of this run: the newest published
    keep_if_paused(tab, blob)  # Pause keeps the network exactly as the page last drew it
    return f"Paused at {where(playground.Engine.from_bytes(blob))}."


@callback(
    Output(cid(P, "job-note"), "children"),
    Input(cid(P, "play"), "n_clicks"),
    State(cid(P, "tab"), "data"),
    *_VALUES,
    background=True,
    progress=[Output(cid(P, name), prop) for name, prop in OUTPUTS],
    running=[(Output(cid(P, "play"), "disabled"), True, False), (Output(cid(P, "pause"), "disabled"), False, True),
             (Output(cid(P, "step"), "disabled"), True, False), (Output(cid(P, "rewind"), "disabled"), True, False),
             (Output(cid(P, "edge-apply"), "disabled"), True, False)],
    cancel=[Input("url", "pathname")],
    interval=FRAME_POLL_MS,
    prevent_initial_call=True,
)
def train(set_progress: Callable[[list], None], n_clicks: int | None, tab: Any, *raw: Any) -> Any:
    if not n_clicks:
        return no_update
    return job_note(train_job(set_progress, tab, *raw))


# ----------------------------------------------------------------------------- downloads

EXPORTS = {  # button -> (file suffix, bytes of the tab's network)
    "config": (".json", lambda eng: exports.config_json(eng).encode()),
    "safetensors": (".safetensors", exports.safetensors_bytes),
    "state_dict": (".pt", exports.state_dict_bytes),
    "onnx": (".onnx", lambda eng: exports.onnx_export(eng).data),
    "script": (".py", lambda eng: exports.script(eng).encode()),
    "tensorboard": (".zip", lambda eng: tensorboard.zipped(tensorboard.curves_scalars(eng.curves()), "playground")),
}


def download_view(kind: str | None, tab: Any, *raw: Any) -> tuple:
    """The file for button ``kind`` (a dcc.Download dict) and a note, or no file and a sentence."""
    if kind not in EXPORTS:
        return no_update, ""
    values, msg = _validated(raw)
    if values is None:
        return no_update, msg
    if not valid_tab(tab):
        return no_update, "This page's id is not valid; reload the page."
    eng = engine_for(tab, _net(values))
    suffix, make = EXPORTS[kind]
    name = f"playground-{values['dataset'].replace(':', '-')}-epoch{eng.epoch}{suffix}"
    return dcc.send_bytes(make(eng), name), f"Saved {name}."


@callback(
    Output(cid(P, "download"), "data"),
    Output(cid(P, "dl-note"), "children"),
    *(Input(cid(P, f"dl-{k}"), "n_clicks") for k in EXPORTS),
    State(cid(P, "tab"), "data"),
    *_VALUES,
    background=True,
    running=[(Output(cid(P, f"dl-{k}"), "disabled"), True, False) for k in EXPORTS],
    prevent_initial_call=True,
)
def download(*args: Any) -> tuple:
    clicks, (tab, *raw) = args[:len(EXPORTS)], args[len(EXPORTS):]
    kind = str(ctx.triggered_id or "").removeprefix(cid(P, "dl-"))
    if not any(clicks):
        return no_update, ""
    return download_view(kind, tab, *raw)


wire(P, SPEC)


QUESTIONS = (
    Value("params", "A network with the inputs x and y, hidden layers of 4 and 2 units and one output: how many "
          "trainable parameters does it have?", lambda: models.n_params(models.mlp((2, 4, 2, 1))),
          "Each layer has in × out weights plus one bias per output: 2·4 + 4, 4·2 + 2 and 2·1 + 1, {answer} in "
          "all. The Network section counts them for any layer list.", section="Network"),
    Pick("zeros", "You set the initialization to zeros. What happens to the units of a hidden layer?",
         ("They learn different features faster", "They stay identical: each gets the same gradient, forever",
          "Training diverges at once", "Nothing changes: the biases break the tie"), 1,
         "Units that start equal compute the same output and receive the same update, so they never tell "
         "themselves apart; random initial weights break that symmetry.", section="Network"),
    Pick("dead", "A ReLU unit whose input is negative for every training point is…",
         ("Saturated, and recovers as the learning rate decays", "Dead: it outputs 0, gets no gradient and "
          "stops learning", "Harmless: it acts as a bias"), 1,
         "ReLU's slope is 0 for negative inputs, so no gradient reaches its weights; a large learning rate is a "
         "common way to get there.", section="Inside the network"),
)
