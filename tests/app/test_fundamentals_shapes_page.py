"""/fundamentals' shapes part: on the page with its controls; its views as plain functions."""

import plotly.graph_objects as go
from dash import dcc

from neuralab.app.pages import fundamentals
from neuralab.app.pages import fundamentals_shapes as part
from neuralab.basics import shapes
from tests.app import tree


def test_the_part_is_on_the_page_with_its_controls_and_outputs():
    ids = tree.ids(fundamentals.layout(fundamentals.SPEC.defaults(), []))
    for name in part.SPEC.fields:
        assert name.startswith("shapes_") and f"fundamentals-{name}" in ids
    box = ids["fundamentals-shapes_layers"]
    assert isinstance(box, dcc.Input) and box.debounce is True and box.value == shapes.PRESETS["cnn"][1]
    for graph in ("shapes-layers", "traps"):
        assert isinstance(ids[f"fundamentals-{graph}"], dcc.Graph)
    assert "fundamentals-shapes-table" in ids and "fundamentals-shapes-error" in ids
    for section in part.SECTIONS:
        assert section in fundamentals.SECTIONS and not section.job


def test_the_trace_view_draws_the_table_and_the_chart():
    out = part.TRACE_SECTION.view(part.SPEC.defaults())
    assert len(out) == len(part.TRACE_SECTION.outputs()) and out[-1] == ""
    assert isinstance(out[0], go.Figure) and "9,898 parameters" in out[1]
    text = tree.text(out[2])
    assert "Conv1d(3, 16, 5)" in text and "(32, 16, 96)" in text and "9,898" in text
    assert out[3] == []  # no error


def test_a_broken_list_shows_torchs_message_and_the_sentence():
    out = part.TRACE_SECTION.view({"shapes_layers": shapes.PRESETS["broken"][1], "shapes_input": "32, 3, 100"})
    text = tree.text(out[3])
    assert "mat1 and mat2 shapes cannot be multiplied (32x704 and 768x10)" in text
    assert "set in_features to 704" in text and out[-1] == ""


def test_a_bad_value_gives_a_sentence():
    out = part.TRACE_SECTION.view({"shapes_layers": "__import__('os')"})
    assert "shapes_layers" in out[1] and "not a layer known here" in out[-1] and out[2] == []
    out = part.TRAPS_SECTION.view({"shapes_n": 1000})
    assert "shapes_n must be between 2 and 64" in out[-1]


def test_the_traps_view_and_the_preset_fill():
    out = part.TRAPS_SECTION.view(part.SPEC.defaults())
    assert "(8, 8)" in out[1]
    assert part.fill_preset("lstm") == shapes.PRESETS["lstm"][1:]
    assert part.fill_preset("nope") == (part.no_update, part.no_update)


def test_the_questions_are_computed():
    answers = {q.key: q.answer() for q in part.QUESTIONS}
    assert answers == {"shapes-conv-out": "(32, 16, 48)", "shapes-linear-params": 704 * 10 + 10,
                       "shapes-flatten": 32 * 22}
    assert all(q.section == part.TRACE_TITLE for q in part.QUESTIONS)


def test_the_flatten_explanation_follows_the_example_network():
    convs = [layer for layer in shapes.parse_layers(shapes.PRESETS["cnn"][1]) if layer.name == "Conv1d"]
    assert {layer.args[2] for layer in convs} == {part._CNN_KERNEL}  # one kernel size, as the sentence says
    explain = next(q for q in part.QUESTIONS if q.key == "shapes-flatten").explain
    assert f"kernel {part._CNN_KERNEL}" in explain
    assert f"{part._CNN_LENGTH} samples" in explain and f"{part._CNN_CHANNELS} channels" in explain
    assert part._CNN_LENGTH * part._CNN_CHANNELS == part._cnn_flat()
