"""/playground callbacks called as plain functions: a real network trains, pauses, steps, rewinds, exports."""

import base64
import io
import json
import struct

import numpy as np
import plotly.graph_objects as go
import pytest
import torch
from dash import Patch, dcc, html, no_update

from neuralab.app.pages import playground, playground_parts, playground_stream
from neuralab.plots.theme import GREY
from neuralab.train.playground import Engine, build, exports
from tests.app import tree

N_OUT = len(playground_parts.OUTPUTS)
CURVES_CAP, STATUS = playground_parts.FIGS.__len__(), N_OUT - 1  # first caption (the curves'), the status line


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch):
    """A private store per test (never the user's cache)."""
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path))


def _raw(**changes):
    v = {**playground.SPEC.defaults(), **changes}
    return [v[n] if n != "lr" else np.log10(v[n]) for n in playground.NAMES]  # the lr slider moves in log10 units


def _epoch(out) -> int:
    return int(out[-1 if len(out) == 1 else STATUS].split()[1])


def _updates(out) -> int:
    return int(out[-1 if len(out) == 1 else STATUS].split()[3])


def test_layout_has_every_control_output_and_button():
    ids = tree.ids(playground.layout(playground.SPEC.defaults(), []))
    for name in playground.SPEC.fields:  # the URL sync reads each of these
        assert f"playground-{name}" in ids
    for name in playground_parts.FIGS:
        assert isinstance(ids[f"playground-{name}"], dcc.Graph) and f"playground-{name}-summary" in ids
    for button in ("play", "pause", "step", "rewind", "resample", "add-layer", "remove-layer", "edge-apply",
                   *(f"dl-{k}" for k in playground.EXPORTS)):
        assert f"playground-{button}" in ids
    assert playground_parts.valid_tab(ids["playground-tab"].data)
    assert [ids[f"playground-layer{i}"].hidden for i in (1, 2, 3)] == [False, False, True]  # 2 hidden layers by default


def test_rebuild_draws_a_real_untrained_network():
    tab = playground_parts.new_tab()
    out = playground.rebuild_view(tab, *_raw())
    assert len(out) == N_OUT + 1 and out[-1] == ""
    for f in out[:len(playground_parts.FIGS)]:
        go.Figure(f.to_dict())
    assert _epoch(out) == 0 and "A 2 → 4 → 2 → 1 network with 25 parameters" in out[CURVES_CAP + 3]
    assert playground_parts.load(tab).owner is None


@pytest.mark.parametrize("changes,sentence", [
    (dict(layers=8, **{f"n{i}": 32 for i in range(1, 9)}), "trainable numbers"),
    (dict(f_x="0", f_y="0"), "at least one input feature"),
    (dict(batch_size=100, n_points=100), "batch_size is 100"),
])
def test_unusable_settings_get_a_sentence_and_no_network(changes, sentence):
    out = playground.rebuild_view(playground_parts.new_tab(), *_raw(**changes))
    assert sentence in out[-1] and sentence in out[CURVES_CAP]


def test_crafted_values_and_tab_ids_are_refused():
    raw = _raw()
    raw[playground.NAMES.index("layers")] = "9; drop"
    assert "layers must be a whole number" in playground.rebuild_view(playground_parts.new_tab(), *raw)[-1]
    assert "reload the page" in playground.rebuild_view("../../etc", *_raw())[-1]
    assert "reload the page" in playground.act_view("step", {"x": 1}, None, None, *_raw())[-1]


def test_step_adds_one_epoch_and_rewind_replays_from_the_same_start():
    tab = playground_parts.new_tab()
    first = playground.rebuild_view(tab, *_raw())
    a = playground.act_view("step", tab, None, None, *_raw())
    b = playground.act_view("step", tab, None, None, *_raw())
    assert (_epoch(a), _epoch(b)) == (1, 2) and a[CURVES_CAP] != b[CURVES_CAP]
    back = playground.act_view("rewind", tab, None, None, *_raw())
    assert _epoch(back) == 0 and back[CURVES_CAP] == first[CURVES_CAP]
    again = playground.act_view("step", tab, None, None, *_raw())
    assert again[CURVES_CAP] == a[CURVES_CAP]  # same weights, same shuffles: the same first epoch


def test_a_changed_setting_starts_a_new_network():
    tab = playground_parts.new_tab()
    playground.rebuild_view(tab, *_raw())
    playground.act_view("step", tab, None, None, *_raw())
    out = playground.act_view("step", tab, None, None, *_raw(n1=6))  # the stored network was built for n1=4
    assert _epoch(out) == 1 and "2 → 6 → 2 → 1" in out[CURVES_CAP + 3]


def test_the_job_publishes_frames_and_stops_at_its_time_cap():
    tab = playground_parts.new_tab()
    raw = _raw(batch_size=1, pace="max")
    playground.rebuild_view(tab, *raw)
    progress, seen = [], []

    def on_progress(out):  # read the frame channel as the page would, each time the job reports progress
        progress.append(out)
        status, body = playground_stream.answer(tab, "", wait_s=0)
        assert status == 200
        seen.append(json.loads(body))

    note = playground.train_job(on_progress, tab, *raw, max_s=0.8)
    assert "Paused after" in note and len(seen) >= 2
    epochs = [int(f["status"].split()[1]) for f in seen]
    assert epochs == sorted(epochs) and epochs[-1] > epochs[0]
    assert "updates/s" in seen[-1]["status"]
    runs = {f["id"].split(":")[0] for f in seen}
    seqs = [int(f["id"].split(":")[1]) for f in seen]
    assert len(runs) == 1 and seqs == sorted(seqs) and seqs[-1] > seqs[0] + 2  # many frames between two reports
    last = seen[-1]
    png = base64.b64decode(last["boundary"]["images"][0]["source"].removeprefix("data:image/png;base64,"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (60, 60)  # one pixel a cell
    assert last["boundary"]["n"] == 5 and last["boundary"]["hide"] == [0]
    assert last["curves"]["clear"] == [0, 1, 2, 3] and len(last["curves"]["images"]) == 2
    assert last["network"]["n"] == 12 and last["network"]["hide"] == list(range(10))
    assert all(im["source"].startswith("data:image/svg+xml;base64,") for im in last["network"]["images"])
    # the frames draw the map, the curves and the network; the progress carries the other charts by turns
    n_figs = len(playground_parts.FIGS)
    fast = [playground_parts.FIGS.index(n) for n in ("curves", "boundary", "network")]
    patched = [[isinstance(f[i], dict) and "operations" in f[i] for i in range(n_figs)] for f in progress]
    assert all(all(p[i] for i in fast) for p in patched[:-1])
    assert all(sum(not x for x in p) == 1 for p in patched[:-1])  # one heavier chart per report
    assert not any(patched[-1])  # the last report, at the time cap, draws every chart from the network kept
    kept = Engine.from_bytes(playground_parts.load(tab).blob)
    assert kept.epoch >= epochs[-1] and playground_parts.load(tab).owner is None
    assert playground_stream.answer(tab, "", wait_s=0)[0] == 204  # the run has ended: its frames are not served


def test_the_frame_route_answers_bad_requests_with_a_sentence(client):
    tab = playground_parts.new_tab()
    bad = [("tab=../../etc", "tab"), ("", "tab"), (f"tab={tab}&after=x", "after"),
           (f"tab={tab}&after=" + "a" * 5000, "after")]
    for query, word in bad:
        r = client.get(f"/_playground/frame?{query}")
        text = r.get_data(as_text=True)
        assert r.status_code == 400 and word in text and "Traceback" not in text
    assert client.get(f"/_playground/frame?tab={tab}").status_code == 204  # no job: nothing to draw
    assert client.post(f"/_playground/frame?tab={tab}").status_code == 405


def test_the_frame_route_serves_the_running_jobs_newest_frame_once(client):
    tab = playground_parts.new_tab()
    playground.rebuild_view(tab, *_raw())
    answers = []

    def on_progress(_out):
        if not answers:
            r = client.get(f"/_playground/frame?tab={tab}")
            answers.append(r)
            again = client.get(f"/_playground/frame?tab={tab}&after={r.get_json()['id']}")
            answers.append(again)  # the same frame is not sent twice: a newer one, or "nothing new"
        else:
            playground.pause(1, tab)

    playground.train_job(on_progress, tab, *_raw(), max_s=5)
    first, second = answers
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    assert "Epoch" in first.get_json()["status"]
    assert second.status_code == 204 or second.get_json()["id"] != first.get_json()["id"]


def test_pause_takes_the_network_back_and_the_job_reports_where_it_stopped():
    tab = playground_parts.new_tab()
    raw = _raw(batch_size=1, pace="max")
    playground.rebuild_view(tab, *raw)
    frames = []

    def progress(out):
        frames.append(out)
        if len(frames) == 2:
            playground.pause(1, tab)  # as if the button were pressed while the job runs

    note = playground.train_job(progress, tab, *raw, max_s=30)
    kept = Engine.from_bytes(playground_parts.load(tab).blob)
    assert note == f"Paused at {playground.where(kept)}." and len(frames) == 2
    # the network kept is the one of the last frame published (stored a few times a second while running)
    assert kept.epoch == _epoch(frames[-1]) and kept.updates == _updates(frames[-1])
    last = json.loads(playground_parts.frame_path(tab).read_bytes().partition(b"\n")[2])
    assert _epoch([last["status"]]) == _epoch(frames[-1])
    shown = playground.refresh(playground.job_note(note), tab, *raw)
    assert _epoch(shown) == _epoch(frames[-1]) and shown[STATUS].count("Paused at") == 1
    assert all(not isinstance(f, Patch) for f in shown[:len(playground_parts.FIGS)])


def test_a_run_stops_at_the_chosen_epoch_says_why_once_and_play_goes_on():
    tab = playground_parts.new_tab()
    raw = _raw(stop_at=10, pace="max")
    playground.rebuild_view(tab, *raw)
    note = playground.train_job(lambda out: None, tab, *raw, max_s=30)
    assert note == "Reached the chosen stop epoch (10); Play or Step trains on."
    shown = playground.refresh(playground.job_note(note), tab, *raw)
    assert _epoch(shown) == 10 and shown[STATUS].count("Reached the chosen stop epoch") == 1
    step = playground.act_view("step", tab, None, None, *raw)  # Step after a stop trains one more epoch
    assert _epoch(step) == 11 and "Step: one epoch, 25 updates. Trained on past the stop: the stop criteria are " \
        "off until Rewind." in step[STATUS] and "early stop" not in step[STATUS]
    again = playground.train_job(lambda out: None, tab, *raw, max_s=0.3)  # Play after a stop goes on too
    assert again.startswith("Paused after 0 s")
    assert _epoch(playground.refresh(playground.job_note(again), tab, *raw)) > 11


def test_training_on_after_an_early_stop_says_it_starts_from_the_restored_weights_and_the_script_says_so():
    tab = playground_parts.new_tab()
    raw = _raw(patience=5, lr=1.0, pace="max")
    playground.rebuild_view(tab, *raw)
    note = playground.train_job(lambda out: None, tab, *raw, max_s=30)
    assert note.startswith("Early stop at epoch"), note
    eng = Engine.from_bytes(playground_parts.load(tab).blob)
    stop, best = eng.restored
    assert eng.epoch == stop and best < stop
    assert "this script ends on the\nlast update's weights" in exports.script(eng)
    step = playground.act_view("step", tab, None, None, *raw)
    assert (f"The run went on from the weights of epoch {best} that the early stop at epoch {stop} restored, so "
            "the exported script no longer reproduces it.") in step[STATUS]
    after = Engine.from_bytes(playground_parts.load(tab).blob)
    assert after.restored == (stop, best) and "NOT A REPLAY" in exports.script(after)
    playground.act_view("rewind", tab, None, None, *raw)
    assert Engine.from_bytes(playground_parts.load(tab).blob).restored is None


def test_the_default_run_has_no_end_and_a_run_pauses_itself_before_the_labs_job_limit(monkeypatch):
    assert playground.SPEC.defaults()["stop_at"] == 0
    monkeypatch.setattr(playground.limits, "MAX_JOB_S", 300)
    assert playground.max_run_s() == 295
    tab = playground_parts.new_tab()
    raw = _raw(pace="1")
    playground.rebuild_view(tab, *raw)
    clock = iter(range(10**6))  # each look at the clock is one second later: the run reaches its limit
    note = playground.train_job(lambda out: None, tab, *raw, now=lambda: float(next(clock)), sleep=lambda s: None)
    assert note == "Paused after 295 s: the lab ends any job after 300 s. Press Play to go on from here."
    kept = Engine.from_bytes(playground_parts.load(tab).blob)
    assert kept.updates > 0 and playground_parts.load(tab).owner is None
    shown = playground.refresh(playground.job_note(note), tab, *raw)
    assert _updates(shown) == kept.updates and shown[STATUS].endswith(note)


def test_the_pace_help_hidden_beside_the_play_bar_is_the_drop_downs_title():
    pace = playground_parts.dropdown("pace", playground.SPEC.fields["pace"], "1")
    assert pace.title == playground.SPEC.fields["pace"].help and "frames a second" in pace.title


def test_a_slow_pace_trains_exactly_its_updates_per_frame():
    tab = playground_parts.new_tab()
    raw = _raw(pace="1")
    playground.rebuild_view(tab, *raw)
    seen, waits = [], []

    def on_progress(_out):
        status, body = playground_stream.answer(tab, "", wait_s=0)
        seen.append(json.loads(body))
        if len(seen) == 4:
            playground.pause(1, tab)

    playground.train_job(on_progress, tab, *raw, sleep=waits.append)
    seqs = [int(f["id"].split(":")[1]) for f in seen]
    updates = [_updates([f["status"]]) for f in seen]
    assert [u - s for u, s in zip(updates, seqs, strict=True)] == [0] * len(seen)  # frame k shows k updates
    assert len(waits) >= seqs[-1] - 1  # and each frame waited for the rest of its time
    seen.clear()

    def faster(out):  # the pace chosen while a job runs applies from its next frame
        on_progress(out)
        if len(seen) == 1:
            playground.pace_changed("10", tab)

    playground.train_job(faster, tab, *raw, sleep=lambda s: None)
    seqs = [int(f["id"].split(":")[1]) for f in seen]
    updates = [_updates([f["status"]]) for f in seen]
    assert updates[-1] - updates[1] == 10 * (seqs[-1] - seqs[1]) > 0


def test_step_rewind_and_pause_each_say_what_they_did_in_the_one_status_line():
    tab = playground_parts.new_tab()
    raw = _raw(pace="max")
    playground.rebuild_view(tab, *raw)
    eng = playground_parts.engine_for(tab, playground._net(playground._validated(raw)[0]))
    eng.step(7)  # as if Pause had stopped 7 updates into epoch 1
    playground_parts.save(tab, playground._net(playground._validated(raw)[0]), eng)
    assert playground.where(eng) == "epoch 0, 7 of 25 updates into epoch 1"
    step = playground.act_view("step", tab, None, None, *raw)
    assert _epoch(step) == 1 and "Step: the last 18 updates of epoch 1." in step[STATUS]
    step = playground.act_view("step", tab, None, None, *raw)
    assert _epoch(step) == 2 and _updates(step) == 50 and "Step: one epoch, 25 updates." in step[STATUS]
    back = playground.act_view("rewind", tab, None, None, *raw)
    assert _epoch(back) == 0 and "Rewound to epoch 0" in back[STATUS] and "Step" not in back[STATUS]
    assert back[STATUS].count(" · ") == 3  # epoch, updates, learning rate, the note: nothing older
    assert playground.refresh(None, tab, *raw)[0] is no_update  # a button cleared the last run's note: no redraw
    lost = html.Span(["This job stopped before it finished.", " ", html.A("Run again")], className="nl-busy nl-alert")
    assert _epoch(playground.refresh(lost.to_plotly_json(), tab, *raw)) == 0  # the lab's sentence shows itself


def test_divergence_is_shown_with_its_cause_not_greyed_out():
    tab = playground_parts.new_tab()
    raw = _raw(lr=3.0, dataset="reg_plane", activation="linear", f_x2="1", f_y2="1")
    playground.rebuild_view(tab, *raw)
    out = None
    for _ in range(30):
        out = playground.act_view("step", tab, None, None, *raw)
        if out[N_OUT - 2]:
            break
    banner = out[N_OUT - 2]
    assert banner and "Training diverged" in str(banner[0].children)
    assert "learning rate" in banner[1].lower() and "The run diverged" in out[STATUS]
    for f in out[:len(playground_parts.FIGS)]:
        go.Figure(f.to_dict())  # every chart still draws


def test_clicking_an_edge_then_setting_its_weight():
    tab = playground_parts.new_tab()
    playground.rebuild_view(tab, *_raw())
    click = {"points": [{"customdata": [2, 1, 3, 0.25]}]}
    edge, label, value = playground.pick_edge(click)
    assert edge == {"layer": 1, "out": 0, "in": 2} and "Layer 2" in label and value == 0.25
    out = playground.act_view("edge", tab, edge, -7.5, *_raw())
    assert out[-1] == "" and "-7.5" in out[CURVES_CAP + 3]
    assert Engine.from_bytes(playground_parts.load(tab).blob).layers[1].W[0, 2] == -7.5
    assert "between -1000 and 1000" in playground.act_view("edge", tab, edge, 1e9, *_raw())[-1]
    assert "Pick a weight first" in playground.act_view("edge", tab, None, 1.0, *_raw())[-1]
    assert playground.pick_edge({"points": []})[0] is playground.no_update
    as_typed_array = {"points": [{"customdata": {"0": 2, "1": 1, "2": 3, "3": 0.25}}]}
    assert playground.pick_edge(as_typed_array)[0] == edge


def test_digits_and_regression_draw_what_applies():
    out = playground.rebuild_view(playground_parts.new_tab(), *_raw(dataset="digits", batch_size=10))
    assert "64 inputs" in out[CURVES_CAP + 1] and "64 inputs" in out[CURVES_CAP + 2]
    assert np.asarray(out[5].data[0].z).shape == (10, 10) and "252 test points" in out[CURVES_CAP + 5]
    reg = playground.rebuild_view(playground_parts.new_tab(), *_raw(dataset="reg_gauss"))
    assert "R²" in reg[CURVES_CAP] and "RMSE" in reg[CURVES_CAP] and "regression" in reg[CURVES_CAP + 5]


@pytest.mark.parametrize("kind", list(playground.EXPORTS))
def test_every_export_gives_a_file_of_the_tabs_network(kind):
    tab = playground_parts.new_tab()
    playground.rebuild_view(tab, *_raw())
    playground.act_view("step", tab, None, None, *_raw(pace="1"))  # the pace is not part of the network ...
    file, note = playground.download_view(kind, tab, *_raw(pace="max"))
    assert file["filename"].startswith("playground-circle-epoch1") and file["filename"] in note
    blob = __import__("base64").b64decode(file["content"])
    if kind == "config":
        doc = json.loads(blob)
        assert doc["progress"]["epoch"] == 1 and "pace" not in doc["values"]  # ... nor of its exports
        assert doc["values"]["lr"] == doc["config"]["lr"] == 0.03  # the slider's position, written as declared
    elif kind == "state_dict":
        sd = torch.load(io.BytesIO(blob), weights_only=True)
        assert sd["0.weight"].shape == (4, 2)
    elif kind == "script":
        assert b"import torch" in blob
    else:
        assert len(blob) > 100


def test_download_refuses_an_unknown_button_and_bad_values():
    assert playground.download_view("passwd", playground_parts.new_tab(), *_raw()) == (playground.no_update, "")
    raw = _raw()
    raw[playground.NAMES.index("noise")] = 999
    assert "noise must be between" in playground.download_view("config", playground_parts.new_tab(), *raw)[1]


def test_the_store_keeps_only_the_most_recent_tabs(monkeypatch):
    monkeypatch.setattr(playground_parts, "MAX_TABS", 2)
    eng = build(playground.SPEC.defaults())
    tabs = [playground_parts.new_tab() for _ in range(3)]
    for i, tab in enumerate(tabs):
        playground_parts.save(tab, {"i": i}, eng)
        __import__("time").sleep(0.02)  # distinct modification times
    assert playground_parts.load(tabs[0]) is None and playground_parts.load(tabs[2]).values == {"i": 2}


def test_a_large_network_is_redrawn_in_fewer_frames_than_a_small_one():
    small = build(playground.SPEC.defaults())
    big = build({**playground.SPEC.defaults(), "layers": 5, **{f"n{i}": 32 for i in range(1, 6)}})
    assert playground_parts.network_every(small) == 1 and playground_parts.network_every(big) == 4
    assert "network" in playground_parts.frame(small) and "network" not in playground_parts.frame(big, network=False)


def test_a_label_that_names_its_unit_does_not_repeat_it():
    page = playground.layout(playground.SPEC.defaults(), [])
    by_id = tree.ids(page)
    assert tree.text(by_id["playground-n_points-label"]).split() == ["Points", "500"]  # not "Points (points)"
    assert "(points)" in tree.text(by_id["playground-batch_size-label"])  # a label that does not say it keeps it


def test_the_boundary_legend_tells_train_from_test_by_shape_in_a_neutral_colour():
    eng = build()
    fig = playground_parts.render(eng)[playground_parts.FIGS.index("boundary")]
    keys = [t for t in fig.data if t.showlegend is not False and t.type == "scatter"]
    assert [(t.name, t.marker.symbol) for t in keys] == [("train (filled)", "circle"), ("test (hollow)", "circle-open")]
    assert len({t.marker.color for t in keys}) == 1 and keys[0].marker.color == GREY


def test_the_health_chart_has_bars_before_the_first_update_and_no_output_unit_column():
    eng = build()
    out = playground_parts.render(eng)
    fig = out[playground_parts.FIGS.index("health")]
    grad, dead, sat = fig.data
    assert np.all(np.asarray(grad.y) > 0) and list(grad.x) == ["layer 1", "layer 2", "output"]
    assert list(dead.x) == list(sat.x) == ["layer 1", "layer 2"]  # the output layer has no activation
    assert out[len(playground_parts.FIGS) + playground_parts.FIGS.index("health")].startswith("Before training")
