"""/fundamentals' loss part: on the page, its views as plain functions, its self-checks."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app import selfcheck, ui
from neuralab.app.pages import fundamentals, fundamentals_loss
from neuralab.basics import pairing
from tests.app import tree
from tests.plots.test_fundamentals_loss import run


def test_the_part_is_on_the_page_with_its_controls_and_outputs():
    page = fundamentals.layout(fundamentals.SPEC.defaults(), [])
    ids = tree.ids(page)
    for name in fundamentals_loss.SPEC.fields:
        assert name.startswith("loss_") and f"fundamentals-{name}" in ids
    for graph in ("loss-huber", "loss-curves", "loss-grads", "loss-detail"):
        assert isinstance(ids[f"fundamentals-{graph}"], dcc.Graph)
    for section in fundamentals_loss.SECTIONS:
        assert section in fundamentals.SECTIONS
    assert fundamentals_loss.MISTAKE_SECTION.job and not fundamentals_loss.HUBER_SECTION.job
    text = tree.text(page)
    assert "BCEWithLogitsLoss" in text and "independent sigmoid" in text


def test_the_mistake_view_passes_the_controls_and_draws_three_charts(monkeypatch):
    calls = []
    monkeypatch.setattr(pairing, "mistake_run", lambda *a, progress: calls.append(a) or run())
    out = fundamentals_loss.MISTAKE_SECTION.view({"loss_mistake": "mse_probs", "loss_optimizer": "adam",
                                                  "loss_steps": 200, "loss_seed": 4})
    assert calls == [("mse_probs", "adam", 200, 4)]
    assert len(out) == len(fundamentals_loss.MISTAKE_SECTION.outputs()) and out[-1] == ""
    assert sum(isinstance(o, go.Figure) for o in out) == 3 and "cannot go below 1.46" in out[1]


def test_the_huber_view_answers_with_the_estimate():
    out = fundamentals_loss.HUBER_SECTION.view({"loss_delta": 10.0, "loss_seed": 0})
    h = pairing.huber_sweep(10.0, 0)
    assert isinstance(out[0], go.Figure) and f"{h.estimate:.3g} ms" in out[1] and out[-1] == ""


@pytest.mark.parametrize(("section", "values", "fragment"), [
    ("MISTAKE_SECTION", {"loss_steps": 5000}, "loss_steps must be between 100 and 600"),
    ("MISTAKE_SECTION", {"loss_mistake": "tanh"}, "loss_mistake must be one of"),
    ("MISTAKE_SECTION", {"loss_seed": 11}, "loss_seed must be between 0 and 9"),
    ("HUBER_SECTION", {"loss_delta": 0}, "loss_delta must be between 0.01 and 100"),
])
def test_bad_values_become_sentences(section, values, fragment):
    s = getattr(fundamentals_loss, section)
    out = s.view({**fundamentals_loss.SPEC.defaults(), **values})
    assert fragment in out[-1] and len(out) == len(s.outputs())


def test_the_questions_point_at_headings_on_the_page_and_compute_their_answers():
    qs = fundamentals_loss.QUESTIONS
    assert qs[0] in selfcheck.questions(fundamentals)
    titles = {ui.anchor(t) for t in (fundamentals_loss.PAIRING_TITLE, fundamentals_loss.MISTAKES_TITLE)}
    ids = tree.ids(fundamentals.layout(fundamentals.SPEC.defaults(), []))
    assert all(ui.anchor(q.section) in titles and ui.anchor(q.section) in ids for q in qs)
    assert isinstance(qs[0], selfcheck.Pick) and "BCEWithLogitsLoss" in qs[0].options[qs[0].correct]
    assert qs[1].answer() == pytest.approx(-0.341)
    assert qs[2].answer() == pytest.approx(1.461)
