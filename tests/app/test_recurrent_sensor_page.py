"""/recurrent's sensor part called as plain functions, on tiny trainings."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import recurrent, recurrent_sensor
from neuralab.train import compare, sensor
from tests.app import tree
from tests.train.tiny_thermal import tiny_train


@pytest.fixture
def tiny(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the page test trained a real network")

    monkeypatch.setattr(sensor, "thermal_model", tiny_train)
    monkeypatch.setattr(compare, "thermal_model", never)
    real = compare.compare
    monkeypatch.setattr(compare, "compare", lambda seeds, progress=None: real(
        seeds=seeds, archs=("rnn", "gru", "mlp"), train=tiny_train, progress=progress))


def test_the_part_is_on_the_page_with_its_controls_and_outputs():
    ids = tree.ids(recurrent.layout(recurrent.SPEC.defaults(), []))
    for name in recurrent_sensor.SPEC.fields:
        assert f"recurrent-{name}" in ids
    for graph in ("sensor-estimate", "sensor-compare"):
        assert isinstance(ids[f"recurrent-{graph}"], dcc.Graph)
    assert "recurrent-sensor-split" in ids and "recurrent-sensor-compare-table" in ids
    assert recurrent_sensor.CYCLE_SECTION in recurrent.SECTIONS
    assert recurrent_sensor.COMPARE_SECTION in recurrent.SECTIONS


def test_the_cycle_view_draws_the_estimate_and_the_split(tiny):
    out = recurrent_sensor.CYCLE_SECTION.view({**recurrent_sensor.SPEC.defaults(), "sensor_cycle": 4,
                                               "sensor_arch": "lstm"})
    figure, caption, split, message = out
    assert message == "" and isinstance(figure, go.Figure)
    assert "Test cycle 4" in caption and "the LSTM" in caption
    assert "Each of the 36 cycles is in exactly one part" in split


def test_the_comparison_view_draws_the_chart_and_the_table(tiny):
    figure, caption, table, message = recurrent_sensor.COMPARE_SECTION.view(
        {**recurrent_sensor.SPEC.defaults(), "sensor_seeds": 2})
    assert message == "" and isinstance(figure, go.Figure)
    assert "median over 2 seeds" in caption
    text = tree.text(table)
    assert "GRU" in text and "Vanilla RNN" in text and "MACs per sample" in text


@pytest.mark.parametrize(("section", "values", "fragment"), [
    ("CYCLE_SECTION", {"sensor_cycle": 8}, "sensor_cycle must be between 1 and 7"),
    ("CYCLE_SECTION", {"sensor_cycle": "first"}, "sensor_cycle must be a whole number"),
    ("CYCLE_SECTION", {"sensor_arch": "transformer"}, "sensor_arch must be one of"),
    ("COMPARE_SECTION", {"sensor_seeds": 4}, "sensor_seeds must be between 1 and 3"),
    ("COMPARE_SECTION", {"sensor_seeds": 1.5}, "sensor_seeds must be a whole number"),
])
def test_bad_values_become_sentences(section, values, fragment):
    s = getattr(recurrent_sensor, section)
    out = s.view({**recurrent_sensor.SPEC.defaults(), **values})
    assert fragment in out[-1] and len(out) == len(s.outputs())
