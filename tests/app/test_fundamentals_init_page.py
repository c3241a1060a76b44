"""/fundamentals' initialization part: on the page, its views as plain functions, its questions."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import fundamentals, fundamentals_init
from neuralab.app.selfcheck import Value, questions
from tests.app import tree


def test_the_part_is_on_the_page_with_its_controls_and_outputs():
    ids = tree.ids(fundamentals.layout(fundamentals.SPEC.defaults(), []))
    for name in fundamentals_init.SPEC.fields:
        assert name.startswith("init_") and f"fundamentals-{name}" in ids
    for graph in ("init-activations", "init-gradients", "init-symmetry"):
        assert isinstance(ids[f"fundamentals-{graph}"], dcc.Graph)
    for section in fundamentals_init.SECTIONS:
        assert section in fundamentals.SECTIONS
    assert fundamentals_init.DEPTH_SECTION.job and not fundamentals_init.SYMMETRY_SECTION.job


def test_the_depth_view_runs_the_network_for_every_scheme():
    seen = []
    values = {**fundamentals_init.SPEC.defaults(), "init_depth": 8, "init_width": 64, "init_scheme": "xavier",
              "init_activation": "tanh"}
    out = fundamentals_init.DEPTH_SECTION.view(values, progress=lambda d, t: seen.append((d, t)))
    assert len(out) == len(fundamentals_init.DEPTH_SECTION.outputs()) and out[-1] == ""
    assert isinstance(out[0], go.Figure) and len(out[0].data) == 5
    assert "Xavier (Glorot) normal with tanh, 8 layers of 64" in out[1] and "layer 1 gets" in out[3]
    assert seen[-1] == (5, 5)


def test_the_symmetry_view_counts_the_rows():
    out = fundamentals_init.SYMMETRY_SECTION.view({**fundamentals_init.SPEC.defaults(), "init_steps": 10})
    assert "1 distinct row in its first weight matrix of 16" in out[1] and out[-1] == ""


def test_the_prose_computes_the_linear_default():
    text = tree.text(fundamentals_init.layout(fundamentals_init.SPEC.defaults()))
    assert f"{fundamentals_init.DEFAULT_STD:.4f}" in text and "0.0361" in text
    assert "0.0884" in text  # He for fan_in 256


def test_the_questions_answer_from_the_library():
    qs = [q for q in questions(fundamentals) if q.key.startswith("init-")]
    assert len(qs) == 3
    values = {q.key: q.answer() for q in qs if isinstance(q, Value)}
    assert values == {"init-he-std": pytest.approx(0.088), "init-symmetric-rows": 1}
    titles = tree.text(fundamentals_init.layout(fundamentals_init.SPEC.defaults()))
    assert all(q.section in titles for q in qs)


@pytest.mark.parametrize(("section", "values", "fragment"), [
    ("DEPTH_SECTION", {"init_depth": 500}, "init_depth must be between 5 and 50"),
    ("DEPTH_SECTION", {"init_scheme": "orthogonal"}, "init_scheme must be one of"),
    ("DEPTH_SECTION", {"init_width": 100}, "init_width must be 64 plus a multiple of 64"),
    ("SYMMETRY_SECTION", {"init_constant": 2}, "init_constant must be between"),
    ("SYMMETRY_SECTION", {"init_steps": "many"}, "init_steps must be"),
])
def test_bad_values_become_sentences(section, values, fragment):
    s = getattr(fundamentals_init, section)
    out = s.view({**fundamentals_init.SPEC.defaults(), **values})
    assert fragment in out[-1] and len(out) == len(s.outputs())
