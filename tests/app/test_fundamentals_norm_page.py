"""/fundamentals' normalization part: on the page, its views as plain functions, its questions."""

import numpy as np
import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import fundamentals, fundamentals_norm
from neuralab.app.selfcheck import Value, questions
from neuralab.basics import norm
from tests.app import tree
from tests.plots.test_fundamentals_norm import modes


def test_the_part_is_on_the_page_with_its_controls_and_outputs():
    ids = tree.ids(fundamentals.layout(fundamentals.SPEC.defaults(), []))
    for name in fundamentals_norm.SPEC.fields:
        assert name.startswith("norm_") and f"fundamentals-{name}" in ids
    for graph in ("norm-stats", "norm-outputs", "norm-modes", "norm-forgot", "norm-small"):
        assert isinstance(ids[f"fundamentals-{graph}"], dcc.Graph)
    for section in fundamentals_norm.SECTIONS:
        assert section in fundamentals.SECTIONS
    assert [s.job for s in fundamentals_norm.SECTIONS] == [False, True, True]


def test_the_statistics_view_is_computed():
    out = fundamentals_norm.STATS_SECTION.view({**fundamentals_norm.SPEC.defaults(), "norm_batch": 4})
    assert len(out) == len(fundamentals_norm.STATS_SECTION.outputs()) and out[-1] == ""
    assert isinstance(out[0], go.Figure) and "A batch of 4 wines" in out[1] and "LayerNorm row" in out[3]


def test_the_modes_and_small_batch_views_pass_the_controls(monkeypatch):
    calls = []
    monkeypatch.setattr(norm, "modes", lambda *a, progress: calls.append(a) or modes())
    small = norm.SmallBatches((2, 32), 3, np.full((3, 2), 0.9), (1614, 102))
    monkeypatch.setattr(norm, "small_batches", lambda *a, progress: calls.append(a) or small)
    values = {**fundamentals_norm.SPEC.defaults(), "norm_mix": 16, "norm_epochs": 3, "norm_seed": 2}
    out = fundamentals_norm.MODES_SECTION.view(values)
    assert "in 4 batches of 8" in out[1] and "96.4%" in out[3]
    out = fundamentals_norm.SMALL_SECTION.view(values)
    assert "after 3 epochs" in out[1]
    assert calls == [(16, 2), (3, 2)]


def test_the_questions_answer_from_the_library():
    qs = [q for q in questions(fundamentals) if q.key.startswith("norm-")]
    assert len(qs) == 3
    tiny = next(q for q in qs if isinstance(q, Value))
    assert tiny.answer() == pytest.approx(1.36) and "8.667" in tiny.explain
    titles = tree.text(fundamentals_norm.layout(fundamentals_norm.SPEC.defaults()))
    assert all(q.section in titles for q in qs)


@pytest.mark.parametrize(("section", "values", "fragment"), [
    ("STATS_SECTION", {"norm_batch": 1}, "norm_batch must be between 2 and 32"),
    ("MODES_SECTION", {"norm_mix": 100}, "norm_mix must be between 2 and 64"),
    ("SMALL_SECTION", {"norm_epochs": 20}, "norm_epochs must be between 2 and 8"),
    ("SMALL_SECTION", {"norm_seed": -1}, "norm_seed must be between 0 and 9"),
])
def test_bad_values_become_sentences(section, values, fragment):
    s = getattr(fundamentals_norm, section)
    out = s.view({**fundamentals_norm.SPEC.defaults(), **values})
    assert fragment in out[-1] and len(out) == len(s.outputs())
