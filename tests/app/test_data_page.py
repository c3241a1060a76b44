"""/data's callbacks and the dataset choice helper as plain functions, on a catalogue in a temp directory."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from neuralab.app import userdata
from neuralab.app.pages import data, fitting, preprocessing, splits
from neuralab.data import user
from neuralab.data.datasets import DATASET
from neuralab.params import ParamError
from tests.app import tree

ME, YOU = "me" + "A" * 20, "you" + "B" * 20


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


pytestmark = pytest.mark.usefixtures("data_dir")  # a fresh catalogue for every test (tests/conftest.py)


def _log(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"t": np.arange(n) * 0.01, "cycle": np.repeat(np.arange(8), n // 8),
                       "current": rng.normal(size=n), "speed": rng.normal(size=n)})
    df["state"] = np.where(df.current + 0.3 * df.speed > 0, "hot", "ok")
    return df


def _upload(raw: bytes, mime: str = "text/csv") -> str:
    return f"data:{mime};base64," + base64.b64encode(raw).decode()


CSV = _upload(_log().to_csv(index=False).encode())


def _add(owner: str = ME, name: str = "Bench log") -> tuple:
    return data.on_add(1, owner, CSV, "bench.csv", "state", "binary", "t", "cycle", 100, name)


def _ids(owner: str) -> list[str]:
    return [e.id for e in user.catalogue().entries(owner)]


def test_an_uploaded_csv_gives_its_preview_and_fills_the_roles():
    out = data.preview(CSV, "bench.csv")
    assert len(out) == 12 and out[2] == ""
    text = tree.text(out[0])
    assert "bench.csv: 400 rows, 5 columns." in text and "current" in text
    assert [o["value"] for o in out[3]] == ["t", "cycle", "current", "speed", "state"]
    assert out[4] in ("t", "cycle", "current", "speed", "state") and out[9] in user.TASKS
    assert out[11] == "bench"


def test_add_lists_it_for_its_owner_only():
    listed, list_alert, picks, said, done = _add()
    assert list_alert == "" and said == "" and "Added" in done
    assert [p["label"].split(" (")[0] for p in picks] == ["Bench log"]
    assert "Bench log" in tree.text(listed) and "400" in tree.text(listed)
    assert len(_ids(ME)) == 1
    assert _ids(YOU) == []
    assert "Bench log" not in tree.text(data.show("", YOU)[0])


def test_a_share_link_adds_it_to_the_visitors_list_and_delete_removes_only_that_entry(data_dir):
    _add()
    (mine,) = _ids(ME)
    listed, said, picks = data.show(mine, YOU)
    assert said == "" and "Bench log" in tree.text(listed) and len(picks) == 1
    (theirs,) = _ids(YOU)
    assert theirs != mine  # an entry of their own, on the same file
    assert len(list(data_dir.glob("*.parquet"))) == 1
    with pytest.raises(user.UploadError):
        data.delete(mine, YOU)  # not theirs to delete
    listed, said, picks = data.on_delete(1, mine, ME)  # the confirmed button, with the dataset chosen
    assert said == "" and picks == [] and "No datasets yet" in tree.text(listed)
    assert _ids(ME) == []
    assert len(list(data_dir.glob("*.parquet"))) == 1  # the visitor's entry still refers to the file
    assert "Choose the dataset" in data.on_delete(1, None, YOU)[1]
    assert "another browser" in data.on_delete(1, theirs, ME)[1] and _ids(YOU) == [theirs]
    data.delete(theirs, YOU)
    assert list(data_dir.glob("*.parquet")) == []


@pytest.mark.parametrize("raw", [
    b"\x00\x01\x02\xff\xfe" * 100,  # binary, named .csv
    b"PK\x03\x04" + b"\x00" * 200,  # a zip renamed
    "a,b\n1,2\n".encode("utf-16"),  # not UTF-8
    b"",  # empty
    b"a,a\n1,2\n3,4\n",  # duplicate column names
])
def test_a_hostile_file_is_a_sentence_and_nothing_is_stored(data_dir, raw):
    content = _upload(raw)
    out = data.preview(content, "x.csv")
    assert out[0] == [] and out[2] and "Traceback" not in out[2]
    listed, list_alert, _, said, done = data.on_add(1, ME, content, "x.csv", "b", "regression", None, None, None,
                                                    "x")
    assert said and "Traceback" not in said and done == ""
    assert _ids(ME) == [] and list(data_dir.glob("*.parquet")) == []


def test_an_oversize_upload_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setenv("NEURALAB_UPLOAD_MB", "1")
    upload = tree.ids(data.layout(data.SPEC.defaults(), []))["data-upload"]
    assert upload.max_size == 1_000_000  # the browser refuses a larger file before sending it
    with pytest.raises(user.UploadError, match="limit is 1 MB"):
        data.decode("data:text/csv;base64," + "A" * 2_000_000)


@pytest.mark.parametrize(("contents", "owner", "fragment"), [
    (None, ME, "did not arrive as a file"),
    ("data:text/csv;base64,@@@", ME, "not valid base64"),
    (CSV, "short", "no owner token"),
    (CSV, {"$gt": 1}, "no owner token"),
])
def test_a_crafted_add_is_a_sentence(contents, owner, fragment):
    _, _, _, said, _ = data.on_add(1, owner, contents, "bench.csv", "state", "binary", None, None, None, "x")
    assert fragment in said


def test_a_bad_role_is_a_sentence_naming_it():
    assert "sampling rate" in _add_with(rate=-3)
    assert "task" in _add_with(task="cluster")
    assert _ids(ME) == []


def _add_with(**kw) -> str:
    args = dict(target="state", task="binary", time="t", group="cycle", rate=None) | kw
    return data.on_add(1, ME, CSV, "bench.csv", *args.values(), "x")[3]


# ---------------------------------------------------------------- the dataset choice


def test_the_dataset_choice_refuses_a_crafted_value_with_a_sentence():
    bad = splits.SIZES.view(dict(dataset="user:../../etc", train_pct=70, val_pct=15, seed=0))
    assert "dataset must be one of" in bad[-1] and "user:" in bad[-1]
    with pytest.raises(ValueError, match="dataset must be one of"):
        splits.USER_DATASET.coerce("dataset", "user:../../etc/passwd")


def test_an_unknown_user_dataset_is_a_sentence_naming_it():
    value = "user:" + "Z" * 16
    out = splits.SIZES.view(dict(dataset=value, train_pct=70, val_pct=15, seed=0))
    assert value in out[-1] and "No dataset" in out[-1]
    with pytest.raises(ParamError):
        userdata.table(value)


def test_the_dropdown_lists_the_owners_datasets_as_yours_and_a_shared_one_from_the_link():
    _add()
    (mine,) = _ids(ME)
    opts = splits.fill_datasets(ME, "cancer")
    assert [o["value"] for o in opts[:len(DATASET.options)]] == [v for v, _ in DATASET.options]
    assert {"label": "Bench log (yours)", "value": f"user:{mine}"} in opts
    theirs = splits.fill_datasets(YOU, f"user:{mine}")
    assert theirs[-1] == {"label": "Bench log (shared with you)", "value": f"user:{mine}"}
    assert [o["value"] for o in splits.fill_datasets("junk", "cancer")] == [v for v, _ in DATASET.options]


# ---------------------------------------------------------------- /splits on a user table


@pytest.fixture
def dataset() -> str:
    _add()
    return "user:" + _ids(ME)[0]


def test_splits_sizes_and_shares_run_on_the_user_table(dataset):
    fig, caption, blurb, alert = splits.SIZES.view(dict(dataset=dataset, train_pct=70, val_pct=15, seed=0))
    assert alert == "" and isinstance(fig, go.Figure)
    assert caption.startswith("Bench log: Of 400 samples, ") and caption.endswith(" and 60 test.")
    assert "Your dataset Bench log: 400 rows, 2 features, 2 classes" in blurb and "8 groups" in blurb
    shares, said = splits.SHARES.view(dict(dataset=dataset, train_pct=70, val_pct=15, seed=0))
    assert "hot" in tree.text(shares.to_plotly_json()) or "ok" in str(shares.to_plotly_json())
    assert said


def test_group_kfold_on_the_user_group_column_keeps_groups_whole_and_kfold_is_warned(dataset):
    base = dict(dataset=dataset, copies=0, k=4, model="ridge", seed=0)
    fig, caption, notes, alert = splits.CV_SECTION.view(base | dict(scheme="group"))
    assert alert == "" and caption.startswith("Group k-fold with 4 folds")
    said = tree.text(notes)
    assert "Leakage check" in said and "group" not in said.split("Leakage check")[1].lower().split(".")[0]
    kfold = tree.text(splits.CV_SECTION.view(base | dict(scheme="kfold"))[2])
    assert "Leakage check, first fold" in kfold and "group" in kfold.lower()
    ts = splits.CV_SECTION.view(base | dict(scheme="timeseries"))
    assert ts[1].startswith("Time-series split with 4 folds") and ts[-1] == ""


def test_the_leak_experiment_runs_on_the_user_table(dataset):
    out = splits.LEAK_SECTION.view(dict(dataset=dataset, leak_step="select", noise=100, labels="shuffled", k=3,
                                        model="ridge", seed=0))
    assert out[-1] == "" and "On your data" in out[1]


def test_fitting_learning_curve_runs_on_the_user_table_and_on_a_built_in_one(dataset):
    fig, caption, blurb, alert = fitting.TC_SECTION.view(dict(dataset=dataset, seed=0))
    assert alert == "" and caption.startswith("Bench log: validation error rate falls from")
    assert "Your dataset Bench log" in blurb and "(mean of 5 group folds, 400 rows)" in caption  # 8 groups
    assert [t.name for t in fig.data if t.name] == ["Training (mean over folds)", "Validation (mean over folds)"]
    built_in = fitting.TC_SECTION.view(dict(dataset="wine", seed=0))
    assert built_in[1].startswith("Wine: validation error rate") and built_in[-1] == ""
    assert "5 shuffled folds" in built_in[1]
    gone = fitting.TC_SECTION.view(dict(dataset="user:" + "Q" * 16, seed=0))
    assert "No dataset" in gone[-1]


def test_preprocessing_conditions_a_column_of_the_user_table_with_measured_quantities(dataset):
    base = dict(signal_data=dataset, window=15, order=3, seed=0)
    fig, caption, alert = preprocessing.SIGNAL.view(base | dict(column=1))
    assert alert == "" and caption.startswith(
        "Bench log, column 1 of 2 (current): smoothing removes a residual of RMS")
    assert "Hampel flags" in caption and "not errors" in caption
    assert fig.layout.xaxis.title.text == "time (s)"  # the sampling rate given on /data: 100 Hz
    assert preprocessing.SIGNAL.view(base | dict(column=1, window=51))[1] != caption
    assert preprocessing.SIGNAL.view(base | dict(column=2))[1].startswith("Bench log, column 2 of 2 (speed):")
    bad = preprocessing.SIGNAL.view(base | dict(column=3))[-1]
    assert bad == "column must be between 1 and 2 for Bench log (1 current, 2 speed); got 3."
    built_in = preprocessing.SIGNAL.view(base | dict(signal_data="current_fast", column=1))
    assert built_in[1].startswith("Phase current at 1,500 rpm:") and built_in[-1] == ""


def test_splits_light_sections_follow_the_slider_on_a_smaller_sample_and_say_so():
    n = user.LIGHT_ROWS + 1_000
    raw = _upload(_log(n).to_csv(index=False).encode())
    data.on_add(1, ME, raw, "long.csv", "state", "binary", "t", "cycle", 100, "Long log")
    value = "user:" + _ids(ME)[0]
    values = dict(dataset=value, train_pct=60, val_pct=20, seed=3)
    fig, caption, blurb, alert = splits.SIZES.view(values)
    assert alert == "" and sum(fig.data[i].x[0] for i in range(3)) == user.LIGHT_ROWS
    assert (f"a seeded sample of {user.LIGHT_ROWS:,} of its {n:,} rows, so that this chart keeps up with the "
            f"slider (cross-validation below uses up to {user.INTERACTIVE_ROWS:,})") in blurb
    from neuralab.data.splits import split_report

    direct = split_report(userdata.dataset(userdata.table(value, max_rows=user.LIGHT_ROWS)), 60, 20, 3)
    assert caption == f"Long log: Of {user.LIGHT_ROWS:,} samples, {direct.counts[0]:,} train, " \
                      f"{direct.counts[1]:,} validate and {direct.counts[2]:,} test."
    shares = splits.SHARES.view(values)[1]
    assert f"up to {direct.worst_random_pp:.1f} percentage points" in shares
    # cross-validation (a job) keeps the interactive sample: every row of this table
    notes = tree.text(splits.CV_SECTION.view(dict(dataset=value, scheme="group", copies=0, k=3, model="ridge",
                                                  seed=0))[2])
    assert f"Your dataset Long log: {n:,} rows" in notes


def test_the_rows_used_answer_is_what_fitting_and_splits_cross_validation_really_use():
    n = user.INTERACTIVE_ROWS + 2_000
    raw = _upload(_log(n).to_csv(index=False).encode())
    data.on_add(1, ME, raw, "long.csv", "state", "binary", "t", "cycle", 100, "Long log")
    value = "user:" + _ids(ME)[0]
    answer = data._rows_used()
    assert answer == user.INTERACTIVE_ROWS
    X, *_ = userdata.xy(value)  # what /fitting's learning curve is computed on
    assert len(X) == answer
    said = f"a seeded sample of {answer:,} of its {n:,} rows (this page works on at most {answer:,})"
    assert said in fitting.TC_SECTION.view(dict(dataset=value, seed=0))[2]
    notes = tree.text(splits.CV_SECTION.view(dict(dataset=value, scheme="kfold", copies=0, k=3, model="ridge",
                                                  seed=0))[2])
    assert said in notes
    assert f"/splits {user.LIGHT_ROWS:,} (" in data.QUESTIONS[0].explain  # the slider's smaller sample is named
    from neuralab.search.tasks import SEARCH_ROWS

    assert f"searches at most {SEARCH_ROWS:,}," in data.QUESTIONS[0].explain  # and the searches' own limit


def test_the_copies_slider_is_disabled_on_a_user_table_and_says_why(dataset):
    values = splits.SPEC.defaults() | {"dataset": dataset}
    ids = tree.ids(splits.layout(values, []))
    slider, why = ids["splits-copies"], ids["splits-copies-why"]
    assert slider.disabled and "built-in datasets only" in tree.text(why)
    assert "nl-idle" in ids["splits-copies-control"].className
    built_in = tree.ids(splits.layout(splits.SPEC.defaults(), []))
    assert not built_in["splits-copies"].disabled and tree.text(built_in["splits-copies-why"]) == ""
    assert splits.SPEC.idle(values) == {"copies": splits.COPIES_APPLY.reason}
