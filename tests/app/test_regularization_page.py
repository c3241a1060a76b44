"""/regularization callbacks called as plain functions: figures and text for good input, sentences for bad."""

import plotly.graph_objects as go
import pytest
from dash import dcc, html, no_update

from neuralab.app.pages import regularization
from neuralab.plots import regularization as plots
from neuralab.train import regularize
from tests.app import tree
from tests.app.lrreg_tables import tables_fixture  # noqa: F401  (the fixture "tables")


@pytest.fixture(scope="module", autouse=True)
def _private_store(tmp_path_factory):
    """Finished runs are stored under the neuralab cache: keep this module's in a directory of its own."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURALAB_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


def test_layout_has_every_control_and_every_output():
    ids = tree.ids(regularization.layout(regularization.SPEC.defaults(), []))
    for name in regularization.SPEC.fields:  # the URL sync reads each of these
        assert f"regularization-{name}" in ids
    for graph in ("hist", "paths", "sweep", "masks", "dsweep", "adamw", "stop"):
        assert isinstance(ids[f"regularization-{graph}"], dcc.Graph) and f"regularization-{graph}-summary" in ids
    for heavy in ("hist", "sweep", "masks", "dsweep", "adamw", "stop"):
        assert f"regularization-{heavy}-progress" in ids
    layout = regularization.layout(regularization.SPEC.defaults(), [])
    every = [c.id for c in tree.walk(layout) if getattr(c, "id", None)]
    assert len(every) == len(set(every))  # a chart sharing a control's id would feed the callback None
    assert all(isinstance(ids[f"regularization-{n}"], dcc.Slider | dcc.Input | dcc.RadioItems)
               for n in regularization.SPEC.fields)
    assert {"regularization-resample", "regularization-pen-table", "regularization-decay-table"} <= set(ids)
    # a λ move retrains, so the slider reports on release; the marker follows drag_value instead
    assert ids["regularization-lam"].updatemode == "mouseup" and ids["regularization-p"].updatemode == "mouseup"
    assert "reaches exactly 0" in ids["regularization-paths-summary"].children  # the static teaching chart is filled


def test_penalty_callback_gives_histograms_a_table_and_a_summary():
    f, summary, table, alert = regularization.HISTOGRAMS.view(dict(lam=0.01, alpha=0.5, seed=0))
    assert isinstance(f, go.Figure) and alert == ""
    assert summary.startswith("At λ = 0.01, L1 with the proximal step leaves")
    assert isinstance(table, html.Table) and "L1 (subgradient)" in tree.text(table)
    assert regularization.HISTOGRAMS.answer(dict(lam=-2, alpha=0.5, seed=0))[1] == summary  # the slider sends log10(λ)


def test_dropout_and_decay_and_stopping_callbacks():
    f, summary, alert = regularization.MASKS.view(dict(p=0.5, seed=0))
    assert isinstance(f, go.Figure) and "1/(1 − p)" in summary and alert == ""
    f, summary, table, alert = regularization.ADAMW.view(dict(decay=0.1, seed=0))
    assert "weight_decay = 0.1" in summary and "AdamW (decoupled)" in tree.text(table)
    assert regularization.update_decay(lambda _: None, -1, 0, "digits")[1] == summary  # the slider sends log10(λ)
    f, summary, alert = regularization.STOP.view(dict(patience=5, label_noise=20, seed=0))
    assert "restored epoch" in summary and alert == ""


def test_string_values_from_a_request_are_coerced():
    assert regularization.STOP.view(dict(patience="5", label_noise="20", seed="0"))[-1] == ""
    assert regularization.update_stopping(lambda _: None, "5", "20", "0", "digits")[-1] == ""


@pytest.mark.parametrize(
    ("section", "values", "fragment"),
    [
        (regularization.HISTOGRAMS, dict(lam=10, alpha=0.5, seed=0), "lam must be between 1e-05 and 0.1"),
        (regularization.HISTOGRAMS, dict(lam=0.01, alpha=2, seed=0), "alpha must be between 0 and 1"),
        (regularization.MASKS, dict(p=0.9, seed=0), "p must be between 0 and 0.8"),
        (regularization.MASKS, dict(p=0.5, seed="1; DROP"), "seed must be a whole number"),
        (regularization.ADAMW, dict(decay=None, seed=0), "decay must be a number"),
        (regularization.STOP, dict(patience=3, label_noise=33, seed=0), "label_noise must be 0 plus a multiple of 5"),
        (regularization.STOP, dict(patience=0, label_noise=20, seed=0), "patience must be between 1 and 30"),
    ],
)
def test_bad_values_become_a_sentence(section, values, fragment):
    out = section.view(values)
    assert fragment in out[-1] and isinstance(out[0], go.Figure)


def test_sweep_views_refuse_bad_input_and_place_the_marker():
    f, msg = regularization.LAM_SWEEP.view(dict(seed=-3, lam=0.01))
    assert "seed must be between 0 and 9999" in msg
    f, msg = regularization.P_SWEEP.view(dict(seed=-1, p=0.5))
    assert "seed must be between 0 and 9999" in msg


def test_markers_move_without_retraining_and_ignore_bad_or_early_values():
    patch = regularization.lam_marker(-3, "a sweep is drawn")
    ops = patch.to_plotly_json()["operations"]
    assert ops[0]["location"] == ["layout", "shapes"] and ops[0]["params"]["value"][0]["x0"] == pytest.approx(1e-3)
    assert regularization.lam_marker(-3, "") is no_update  # the chart still shows "Computing…"
    assert regularization.lam_marker(5, "drawn") is no_update and regularization.lam_marker("x", "drawn") is no_update
    assert regularization.p_marker(0.3, "drawn").to_plotly_json()["operations"][0]["params"]["value"][0]["x0"] == 0.3
    assert regularization.p_marker(None, "drawn") is no_update


def test_one_job_per_section_fills_both_charts_and_reports_progress():
    seen = []
    out = regularization.PENALTY_JOB.view(dict(lam=0.01, alpha=0.5, seed=0),
                                progress=lambda done, total: seen.append((done, total)))
    assert len(out) == 6 and isinstance(out[4], go.Figure) and "best validation accuracy" in out[5]
    total = 5 + 2 * len(regularize.LAM_GRID) + 1
    assert seen[-1] == (total, total) and all(t == total for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # the bar only moves forward
    assert out[4].layout.shapes[0].x0 == pytest.approx(0.01)  # the marker sits at λ
    out = regularization.DROPOUT_JOB.view(dict(p=0.5, seed=0))
    assert len(out) == 5 and "Validation loss is lowest at p = " in out[4]
    assert out[3].layout.shapes[0].x0 == pytest.approx(0.5)
    bad = regularization.PENALTY_JOB.view(dict(lam=1000, alpha=0.5, seed=0))
    assert "lam must be between" in bad[3] and "best validation accuracy" in bad[5]  # the sweep does not read λ
    assert bad[4].layout.shapes[0].x0 == pytest.approx(regularize.LAM.default)  # its marker falls back


def test_the_jobs_take_slider_positions_and_drive_one_bar():
    bar = []
    out = regularization.update_penalties(bar.append, -2, 0.5, 0, "digits")  # the slider sends log10(λ)
    assert out[1].startswith("At λ = 0.01") and out[4].layout.shapes[0].x0 == pytest.approx(0.01)
    total = str(5 + 2 * len(regularize.LAM_GRID) + 1)
    assert bar[-1] == (total, total)
    bar.clear()
    out = regularization.update_dropout(bar.append, 0.5, 0, "digits")
    assert out[2] == "" and bar[-1] == (str(1 + len(regularize.P_GRID)),) * 2


# ---------------------------------------------------------------- the learner's own table


def test_the_runs_take_a_user_table_and_match_the_library(tables):
    value = tables.add()
    f, summary, table, alert = regularization.HISTOGRAMS.view(dict(lam=0.01, alpha=0.5, seed=0, dataset=value))
    direct = regularize.compare_penalties(0.01, 0.5, 0, value)
    assert alert == "" and summary == plots.describe_histograms(direct)
    assert f"{direct.run('l1').n_zero:,} of {4 * regularize.WIDTH + regularize.WIDTH * 2:,} weights" in summary
    blurb, alert = regularization.DATA_SECTION.view(dict(dataset=value, seed=0))
    assert alert == "" and "a seeded sample of 120 of them" in blurb and "its 60 validation rows" in blurb
    assert regularization.DATA_SECTION.view(dict(dataset="digits", seed=0)) == ("", "")
    out = regularization.DROPOUT_JOB.view(dict(p=0.5, seed=0, dataset=value))
    assert out[2] == "" and out[4] == plots.describe_dropout_sweep(regularize.dropout_sweep(0, value))
    stop = regularization.STOP.view(dict(patience=5, label_noise=20, seed=0, dataset=value))
    assert stop[1] == plots.describe_stopping(regularize.early_stopping(5, 20, 0, value))


def test_a_numeric_target_reads_as_r2(tables):
    value = tables.add("regression")
    f, summary, table, alert = regularization.ADAMW.view(dict(decay=0.1, seed=0, dataset=value))
    assert alert == "" and "R² " in summary and "train R²" in tree.text(table)
    assert "η = 0.01 instead of 0.1" in regularization.DATA_SECTION.view(dict(dataset=value, seed=0))[0]


def test_the_dataset_menu_lists_the_learners_tables(tables):
    value = tables.add()
    assert {"label": "Rig log (yours)", "value": value} in regularization.fill_datasets(tables.OWNER, "digits")


@pytest.mark.parametrize("section", [regularization.HISTOGRAMS, regularization.MASKS, regularization.ADAMW,
                                     regularization.STOP, regularization.DATA_SECTION])
def test_an_unknown_crafted_or_unusable_table_is_a_sentence(tables, section):
    tables.refuses_bad_tables(section)
