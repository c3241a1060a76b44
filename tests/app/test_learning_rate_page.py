"""/learning-rate callbacks called as plain functions: figures and text for good input, sentences for bad."""

import math

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import learning_rate
from neuralab.plots import learning_rate as plots
from neuralab.train import lr
from tests.app import tree
from tests.app.lrreg_tables import tables_fixture  # noqa: F401  (the fixture "tables")

LOG_001 = -2.0  # the LR slider reports log10(LR)


def test_layout_has_every_control_and_every_output():
    ids = tree.ids(learning_rate.layout(learning_rate.SPEC.defaults(), []))
    for name in learning_rate.SPEC.fields:  # the URL sync reads each of these
        assert f"learning-rate-{name}" in ids
    for graph in ("curve", "compare", "range", "check", "scaling"):
        assert isinstance(ids[f"learning-rate-{graph}"], dcc.Graph) and f"learning-rate-{graph}-summary" in ids
    for heavy in ("compare", "range", "scaling"):
        assert f"learning-rate-{heavy}-progress" in ids
    assert ids["learning-rate-lr"].updatemode == "mouseup" and ids["learning-rate-lr"].value == LOG_001
    assert "learning-rate-resample" in ids and ids["learning-rate-schedule"].value == "cosine"


def test_curve_follows_the_drag_and_falls_back_to_the_value():
    dragged = learning_rate.update_curve("cosine", -1.0, LOG_001, 50)[1]
    settled = learning_rate.update_curve("cosine", None, LOG_001, 100)[1]
    assert "over 50 epochs from 0.1" in dragged and "over 100 epochs from 0.01" in settled
    figure, _, store, alert = learning_rate.update_curve("step", None, LOG_001, 90)
    assert isinstance(figure, go.Figure) and alert == ""
    assert store["positions"] == list(range(10, 201, 10)) and store["at"] == 8  # every length, for the browser
    assert "over 200 epochs" in store["charts"][0]["captions"][-1]
    assert max(figure.data[0].y) == pytest.approx(0.01) and min(figure.data[0].y) == pytest.approx(1e-4)


def test_string_values_from_a_request_are_values_not_slider_positions():
    assert "from 0.05" in learning_rate.update_curve("cosine", None, "0.05", "100")[1]


def test_the_curve_view_takes_values():
    assert "over 100 epochs from 0.05" in learning_rate.CURVE.view(dict(schedule="cosine", lr=0.05, epochs=100))[1]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("cosine", 1.0, 100), "lr must be between 0.0001 and 1"),  # slider position 1 is LR 10
        (("cosine", "NaN", 100), "lr must be a finite number"),
        (("cosine", LOG_001, 15), "epochs must be 10 plus a multiple of 10"),
        (("cosine", LOG_001, "100; DROP"), "epochs must be a whole number"),
        (("linear", LOG_001, 100), "schedule must be one of"),
        ((None, LOG_001, 100), "schedule must be one of"),
    ],
)
def test_curve_bad_input_is_a_sentence(args, fragment):
    schedule, lr, epochs = args
    figure, summary, _, alert = learning_rate.update_curve(schedule, None, lr, epochs)
    assert isinstance(figure, go.Figure) and fragment in alert and fragment in summary


def test_compare_job_reports_progress_and_summarizes():
    bar = []
    # the job gets positions
    figure, summary, alert = learning_rate.update_compare(bar.append, LOG_001, 10, "adam", 3, "digits")
    assert isinstance(figure, go.Figure) and alert == ""
    assert summary.startswith("Adam from LR 0.01 for 10 epochs") and "lowest final validation loss" in summary
    assert bar and bar[-1] == ("90", "90")


def test_range_view_gives_both_figures():
    test_fig, test_text, check_fig, check_text, alert = learning_rate.RANGE.view(
        dict(optimizer="sgd", steps=100, seed=0))
    assert alert == "" and isinstance(test_fig, go.Figure) and isinstance(check_fig, go.Figure)
    assert test_text.startswith("SGD, ") and "a tenth of it suggests" in test_text
    assert "After 15 epochs, at the min / 10 LR" in check_text


def test_scaling_view_runs_every_batch_size():
    figure, summary, alert = learning_rate.SCALING.view(dict(base_lr=0.01, scale_epochs=5, seed=0))
    assert alert == "" and "5 epochs, LR 0.01 at batch 32" in summary
    assert list(figure.data[0].x) == [16, 32, 64, 128, 256, 512, 1024]
    # the slider sends log10
    assert learning_rate.update_scaling(lambda _: None, math.log10(0.01), 5, 0, "digits")[1] == summary


@pytest.mark.parametrize(
    ("section", "values", "fragment"),
    [
        (learning_rate.COMPARE, dict(lr=0.01, epochs=10, optimizer="adamw", seed=0),
         "optimizer must be one of sgd, momentum, adam"),
        (learning_rate.COMPARE, dict(lr=0.01, epochs=10, optimizer="sgd", seed=10_000),
         "seed must be between 0 and 9999"),
        (learning_rate.RANGE, dict(optimizer="sgd", steps=99, seed=0), "steps must be between 100 and 500"),
        (learning_rate.RANGE, dict(optimizer="sgd", steps=120, seed=0), "steps must be 100 plus a multiple of 50"),
        (learning_rate.SCALING, dict(base_lr=10**1.5, scale_epochs=10, seed=0), "base_lr must be between 0.001 and 1"),
        (learning_rate.SCALING, dict(base_lr=0.01, scale_epochs=None, seed=0), "scale_epochs must be a whole number"),
    ],
)
def test_heavy_views_turn_bad_input_into_a_sentence(section, values, fragment):
    out = section.view(values)
    assert fragment in out[-1] and isinstance(out[0], go.Figure)
    assert fragment in out[1]  # the first chart's caption says it too


def test_new_seed_moves_on():
    assert learning_rate.new_seed(1, 41) == 42


# ---------------------------------------------------------------- the learner's own table


def test_the_runs_take_a_user_table_and_match_the_library(tables):
    value = tables.add()
    figure, summary, alert = learning_rate.COMPARE.view(dict(lr=0.01, epochs=10, optimizer="adam", seed=0,
                                                             dataset=value))
    direct = lr.compare(0.01, 10, "adam", 0, value)
    assert alert == "" and summary == plots.describe_comparison(direct)
    assert f"{direct.ranked[0].final_loss:.3f}" in summary and "% right" in summary
    assert list(figure.data[1].y) == list(direct.runs[0].val_loss)
    blurb, alert = learning_rate.DATA_SECTION.view(dict(dataset=value, seed=0))
    assert alert == "" and blurb.startswith("Your dataset Rig log: 180 training rows, 60 validation rows, 4 features")
    out = learning_rate.RANGE.view(dict(optimizer="sgd", steps=100, seed=0, dataset=value))
    assert out[-1] == "" and out[1] == plots.describe_range(lr.range_test("sgd", 100, 0, value))


def test_a_numeric_target_reads_as_mse_and_r2(tables):
    value = tables.add("regression")
    figure, summary, alert = learning_rate.SCALING.view(dict(base_lr=0.01, scale_epochs=5, seed=0, dataset=value))
    assert alert == "" and "R² " in summary and "% right" not in summary
    assert figure.layout.yaxis.title.text == "loss (MSE)" and figure.layout.yaxis2.title.text == "R²"
    assert "mean squared error" in learning_rate.DATA_SECTION.view(dict(dataset=value, seed=0))[0]


def test_the_dataset_menu_lists_the_learners_tables(tables):
    value = tables.add()
    options = learning_rate.fill_datasets(tables.OWNER, "digits")
    assert options[0]["value"] == "digits" and {"label": "Rig log (yours)", "value": value} in options


@pytest.mark.parametrize("section", [learning_rate.COMPARE, learning_rate.RANGE, learning_rate.SCALING,
                                     learning_rate.DATA_SECTION])
def test_an_unknown_crafted_or_unusable_table_is_a_sentence(tables, section):
    tables.refuses_bad_tables(section)
