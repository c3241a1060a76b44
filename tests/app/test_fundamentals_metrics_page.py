"""/fundamentals' metrics part: on the page, its light view, bad values, its self-checks."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app import selfcheck, ui
from neuralab.app.pages import fundamentals, fundamentals_metrics
from neuralab.basics import metrics
from tests.app import tree

S = fundamentals_metrics.SECTION


def test_the_part_is_on_the_page_with_its_controls_and_outputs():
    ids = tree.ids(fundamentals.layout(fundamentals.SPEC.defaults(), []))
    for name in fundamentals_metrics.SPEC.fields:
        assert name.startswith("metrics_") and f"fundamentals-{name}" in ids
    for graph in ("metrics-roc", "metrics-pr", "metrics-cost"):
        assert isinstance(ids[f"fundamentals-{graph}"], dcc.Graph)
    assert "fundamentals-metrics-table" in ids
    assert S in fundamentals.SECTIONS and not S.job and "metrics_threshold" in S.drag


def test_the_view_shows_the_metrics_and_three_charts():
    out = S.view({"metrics_prevalence": 5.0, "metrics_threshold": 0.3, "metrics_cost": 10, "metrics_seed": 0})
    e = metrics.evaluate(5.0, 0.3, 10, 0)
    assert len(out) == len(S.outputs()) and out[-1] == ""
    text = tree.text(out[0])
    assert "95.0%" in text and f"{e.tp:,} (true positive)" in text and f"{e.fn:,} (missed)" in text
    assert sum(isinstance(o, go.Figure) for o in out) == 3
    assert f"ROC AUC {e.scored.auc:.3g}" in out[2]


@pytest.mark.parametrize(("values", "fragment"), [
    ({"metrics_prevalence": 80}, "metrics_prevalence must be between 1 and 50"),
    ({"metrics_threshold": "high"}, "metrics_threshold must be"),
    ({"metrics_cost": 0}, "metrics_cost must be between 1 and 100"),
])
def test_bad_values_become_sentences(values, fragment):
    out = S.view({**fundamentals_metrics.SPEC.defaults(), **values})
    assert fragment in out[-1] and len(out) == len(S.outputs()) and out[0] == []


def test_the_questions_point_at_headings_on_the_page_and_compute_their_answers():
    qs = fundamentals_metrics.QUESTIONS
    assert qs[0] in selfcheck.questions(fundamentals)
    ids = tree.ids(fundamentals.layout(fundamentals.SPEC.defaults(), []))
    assert all(ui.anchor(q.section) in ids for q in qs)
    assert qs[0].answer() == pytest.approx(95.0)
    assert qs[1].options[qs[1].correct] == "Precision–recall curve"
    assert qs[2].options[qs[2].correct] == "0.1"
