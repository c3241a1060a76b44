"""/playground on the learner's own tables: the library's draw and split, the page's callbacks, the export."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from neuralab.app.pages import playground, playground_parts
from neuralab.data import playground as pg
from neuralab.data import user
from neuralab.params import ParamError
from neuralab.train.playground import build
from tests.app import tree

ME = "me" + "A" * 20
N = 1500


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


@pytest.fixture(autouse=True)
def _dirs(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_CACHE_DIR", str(tmp_path / "cache"))


def _bench(n: int = N) -> pd.DataFrame:
    """A motor bench log: torque from current and temperature, a speed column, 10 drive cycles, a state."""
    rng = np.random.default_rng(3)
    i_q, temp = rng.uniform(0, 40, n), rng.uniform(20, 120, n)
    df = pd.DataFrame({"t": np.arange(n) * 0.01, "cycle": np.repeat(np.arange(10), n // 10), "i_q": i_q,
                       "temp": temp, "speed": rng.uniform(0, 3000, n)})
    df["torque"] = 0.6 * (1 - 0.001 * (temp - 20)) * i_q + rng.normal(0, 0.05, n)
    df["state"] = np.where(i_q * temp > 1600, "hot", "ok")
    return df


def _add(df: pd.DataFrame, roles: user.Roles, name: str = "Bench") -> str:
    return "user:" + user.catalogue().add(df.to_csv(index=False).encode(), "bench.csv", roles, owner=ME, name=name)


def _table(drop: str, target: str, task: str, **roles) -> str:
    """The bench log with time and cycle columns only when they have a role (else they would be features)."""
    unused = [c for c, role in (("t", "time"), ("cycle", "group")) if role not in roles]
    return _add(_bench().drop(columns=[drop, *unused]), user.Roles(target=target, task=task, **roles))


def _torque(**roles) -> str:
    return _table("state", "torque", "regression", **roles)


def _state(**roles) -> str:
    return _table("torque", "state", "binary", **roles)


def _raw(**changes):
    v = {**playground.SPEC.defaults(), **changes}
    return [v[n] if n != "lr" else np.log10(v[n]) for n in playground.NAMES]


# ----------------------------------------------------------------------------- the library


def test_a_table_is_drawn_on_its_two_columns_in_their_own_units():
    ds = _state()
    d = pg.load(dataset=ds, col_x=2, col_y=0, n_points=400, seed=5)
    t = user.catalogue().table(ds.removeprefix("user:"))
    assert d.axis_names == ("speed", "i_q") and d.head == "binary" and d.class_names == t.class_names
    assert len(d.y_train) + len(d.y_test) == 400
    raw = np.vstack([d.raw(d.P_train), d.raw(d.P_test)])  # back in the columns' units: rows of the table
    rows = {tuple(np.round(r, 6)) for r in t.X[:, [2, 0]]}
    assert all(tuple(np.round(r, 6)) in rows for r in raw)
    assert np.allclose(d.P_train.min(axis=0), -5) and np.allclose(d.P_train.max(axis=0), 5)  # training range -> ±5
    assert np.array_equal(d.X_train, pg.features(d.P_train, ("x", "y")))
    again = pg.load(dataset=ds, col_x=2, col_y=0, n_points=400, seed=5)
    assert np.array_equal(again.P_test, d.P_test)  # seeded


def test_the_split_follows_the_tables_roles():
    timed = pg.load(dataset=_torque(time="t"), train_pct=70)
    assert "in time order" in timed.note
    t = user.catalogue().table(timed.dataset.removeprefix("user:"))
    # the earliest 70 % for training: every training row's time is before every test row's
    rows = {tuple(np.round(r, 6)): k for k, r in enumerate(t.X[:, :2])}
    when = lambda d, P: [t.time[rows[tuple(np.round(r, 6))]] for r in d.raw(P)]  # noqa: E731
    assert max(when(timed, timed.P_train)) < min(when(timed, timed.P_test))
    assert len(timed.y_train) == round(0.7 * 500)
    grouped = pg.load(dataset=_torque(group="cycle"), n_points=1000)
    t = user.catalogue().table(grouped.dataset.removeprefix("user:"))
    rows = {tuple(np.round(r, 6)): k for k, r in enumerate(t.X[:, :2])}
    groups = [{t.groups[rows[tuple(np.round(r, 6))]] for r in grouped.raw(P)} for P in (grouped.P_train,
                                                                                        grouped.P_test)]
    assert groups[0] and groups[1] and not groups[0] & groups[1] and "whole groups apart" in grouped.note
    plain = pg.load(dataset=_state(), train_pct=30)
    assert "shuffled, stratified by class" in plain.note and len(plain.y_train) == 150


def test_a_regression_target_trains_and_reports_rmse_in_its_own_units():
    eng = build(dataset=_torque(), layers=1, n1=6, f_xy=True, optimizer="adam", lr=0.03)
    eng.run_epochs(30)
    m = eng.metrics()
    pred = eng.predict(eng._Xte) * eng.data.y_scale + eng.data.y_offset
    truth = np.asarray(eng.data.y_test) * eng.data.y_scale + eng.data.y_offset
    assert m.test_rmse == pytest.approx(float(np.sqrt(np.mean((pred - truth) ** 2))), rel=1e-6)
    assert m.test_metric > 0.9  # torque ∝ current · (1 − k·temperature): x·y makes it easy


@pytest.mark.parametrize("case, sentence", [
    ("one", "has one numeric feature ('i_q'); the playground's plane needs two"),
    ("col_x", "col_x is 7, but 'Bench' has 3 numeric feature columns, numbered 0 to 2 (0 'i_q', 1 'temp', 2 'speed')"),
    ("same", "col_x and col_y are both 1: the plane needs two different columns"),
    ("unknown", "dataset user:AAAAAAAAAAAAAAAA: No dataset"),
    ("classes", "has 12 classes; the playground colours at most 10 apart"),
])
def test_a_table_the_plane_cannot_use_gets_a_sentence_naming_the_field(case, sentence):
    if case == "one":
        values = {"dataset": _add(_bench()[["i_q", "torque"]], user.Roles(target="torque", task="regression"))}
    elif case == "classes":
        df = _bench()[["i_q", "temp"]].assign(k=[f"c{i % 12}" for i in range(N)])
        values = {"dataset": _add(df, user.Roles(target="k", task="multiclass"))}
    else:
        values = {"dataset": _torque() if case != "unknown" else "user:AAAAAAAAAAAAAAAA",
                  **({"col_x": 7} if case == "col_x" else {"col_x": 1, "col_y": 1} if case == "same" else {})}
    with pytest.raises(ParamError) as err:
        build(values)
    assert sentence in str(err.value)
    out = playground.rebuild_view(playground_parts.new_tab(), *_raw(**values))  # the page: a sentence, no traceback
    assert sentence in out[-1] and "Not built" in out[len(playground_parts.OUTPUTS) - 1]


# ----------------------------------------------------------------------------- the page


def test_the_page_trains_on_a_table_as_the_library_does_and_draws_its_columns():
    ds = _torque(time="t")
    tab, raw = playground_parts.new_tab(), _raw(dataset=ds, col_x=1, col_y=0, f_xy=True)
    out = playground.act_view("step", tab, None, None, *raw)
    eng = build(playground._net(playground._validated(raw)[0]))
    eng.run_epochs(1)
    caption = out[len(playground_parts.FIGS)]  # the curves' caption carries the test RMSE in the target's units
    assert f"Test RMSE {eng.metrics().test_rmse:.3g}." in caption
    boundary = out[playground_parts.FIGS.index("boundary")]
    lay = boundary.layout
    assert lay.xaxis.title.text == "temp" and lay.yaxis.title.text == "i_q" and lay.yaxis.scaleanchor is None
    (t_lo, t_hi), (i_lo, i_hi) = eng.data.raw_range
    assert lay.xaxis.range[0] < t_lo < t_hi < lay.xaxis.range[1] and lay.yaxis.range[1] > i_hi  # own units
    net = out[playground_parts.FIGS.index("network")]
    assert "temp·i_q" in str(net.to_dict())  # the feature x·y named after the two columns


def test_the_axis_pickers_list_the_tables_columns_and_the_note_says_what_is_drawn():
    ds = _torque()
    ids = tree.ids(playground.layout(playground.SPEC.parse_query(f"?dataset={ds}&col_x=2")[0], []))
    assert ids["playground-axes"].hidden is False
    assert [o["label"] for o in ids["playground-col_x-pick"].options] == ["0: i_q", "1: temp", "2: speed"]
    assert ids["playground-col_x"].value == "2"  # the hidden input the URL reads
    assert "Across: 'speed', up: 'temp'" in ids["playground-data-note"].children
    nothing = playground.no_update
    opts, _, hidden, *rest = playground_parts.axes_view("circle", "0", "1", True)
    assert opts == [] and hidden and rest == [nothing] * 4  # the built-in sets keep the values as they are
    wide = _torque()
    assert playground_parts.axes_view(wide, "2", "1", True)[3:] == (2, 1, nothing, nothing)
    two = _add(_bench()[["i_q", "temp", "torque"]], user.Roles(target="torque", task="regression"))
    assert playground_parts.axes_view(two, "2", "1", True)[3:] == (0, 1, "0", "1")  # no column 2: start over
    assert playground_parts.axes_view(two, "2", "1", False)[3:] == (nothing,) * 4  # a link's pair stays
    for crafted in (float("inf"), "1e400", 2.5, True, 10**30):  # read as the spec reads them: no pair, start over
        assert playground_parts.axes_view(two, crafted, "1", True)[3:] == (0, 1, "0", "1")
    note = playground.describe_data(*(_raw(dataset=ds, n_points=300, seed=4)[playground.NAMES.index(n)]
                                      for n in playground.DATA_NAMES))
    assert note.startswith("Your dataset Bench: 300 of its 1,500 rows, drawn at random with seed 4")
    assert playground.describe_data(*(_raw()[playground.NAMES.index(n)] for n in playground.DATA_NAMES)) == ""


def test_the_dataset_control_lists_the_learners_tables():
    ds = _torque()
    options = playground.fill_datasets(ME, "circle")
    assert {"label": "Bench (yours)", "value": ds} in options and options[0]["value"] == "circle"


def test_the_exported_script_reads_the_table_from_the_catalogue_and_replays_the_run(tmp_path):
    tab, raw = playground_parts.new_tab(), _raw(dataset=_state(group="cycle"), col_x=1, col_y=0, layers=1)
    playground.act_view("step", tab, None, None, *raw)
    file, note = playground.download_view("script", tab, *raw)
    assert note.startswith("Saved playground-user-") and ":" not in file["filename"]
    path = tmp_path / "run.py"
    path.write_bytes(file["content"].encode() if not file.get("base64") else __import__("base64").b64decode(
        file["content"]))
    eng = playground_parts.engine_for(tab, playground._net(playground._validated(raw)[0]))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    got = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env, timeout=300)
    assert got.returncode == 0, got.stderr
    losses = dict(line.split() for line in got.stdout.splitlines())
    assert float(losses["final_test_loss"]) == pytest.approx(eng.metrics().test_loss, rel=1e-6)
    gone = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300,
                          env={**env, "NEURALAB_DATA_DIR": str(tmp_path / "elsewhere")})
    assert gone.returncode == 1 and "Cannot read the data: dataset user:" in gone.stderr

