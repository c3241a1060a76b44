"""/fundamentals' numerics part: on the page, its views as plain functions, its questions."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import fundamentals, fundamentals_numerics
from neuralab.app.selfcheck import Value, questions
from tests.app import tree


def test_the_part_is_on_the_page_with_its_controls_and_outputs():
    page = fundamentals.layout(fundamentals.SPEC.defaults(), [])
    ids = tree.ids(page)
    for name in fundamentals_numerics.SPEC.fields:
        assert name.startswith("numerics_") and f"fundamentals-{name}" in ids
    for graph in ("numerics-softmax", "numerics-scaling", "numerics-logsig", "numerics-cancel"):
        assert isinstance(ids[f"fundamentals-{graph}"], dcc.Graph)
    for section in fundamentals_numerics.SECTIONS:
        assert section in fundamentals.SECTIONS and not section.job
    text = tree.text(page)
    assert "65504" in text and "ln(max) = 11.09" in text  # the limits table and the prose, from torch/numpy


def test_every_view_is_computed():
    values = fundamentals.SPEC.defaults()
    for section in fundamentals_numerics.SECTIONS:
        out = section.view(values)
        assert len(out) == len(section.outputs()) and out[-1] == ""
        assert isinstance(out[0], go.Figure) and out[1]
    out = fundamentals_numerics.SOFTMAX_SECTION.view({"numerics_logit": 10})
    assert "stays finite" in out[1] and "gives nan" not in out[1]
    assert "nan" in tree.text(fundamentals_numerics.SOFTMAX_SECTION.view({"numerics_logit": 200})[2])
    out = fundamentals_numerics.SCALING_SECTION.answer({"numerics_grad": -8, "numerics_scale": "1"})  # log slider
    assert "g = 1e-08" in out[1] and "lost entirely" in out[1]


def test_the_questions_answer_from_the_library():
    qs = [q for q in questions(fundamentals) if q.key.startswith("numerics-")]
    assert len(qs) == 3
    values = [q for q in qs if isinstance(q, Value)]
    assert values[0].answer() == pytest.approx(11.09) and values[1].answer() == 0.0
    titles = tree.text(fundamentals_numerics.layout(fundamentals_numerics.SPEC.defaults()))
    assert all(q.section in titles for q in qs)


@pytest.mark.parametrize(("section", "values", "fragment"), [
    ("SOFTMAX_SECTION", {"numerics_logit": 2000}, "numerics_logit must be between 1 and 1000"),
    ("SCALING_SECTION", {"numerics_scale": "7"}, "numerics_scale must be one of"),
    ("LOGSIG_SECTION", {"numerics_x": -500}, "numerics_x must be between -200 and 20"),
    ("CANCEL_SECTION", {"numerics_offset": 0}, "numerics_offset must be between 0.1 and 1e+06"),
])
def test_bad_values_become_sentences(section, values, fragment):
    s = getattr(fundamentals_numerics, section)
    out = s.view({**fundamentals_numerics.SPEC.defaults(), **values})
    assert fragment in out[-1] and len(out) == len(s.outputs())
