"""/recurrent's training-choices part: on the page, its views as plain functions with tiny runs."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import recurrent, recurrent_choices
from neuralab.train import choices
from tests.app import tree
from tests.plots.test_recurrent_choices_plots import bidirectional, sweep, targets, teacher


def test_the_part_is_on_the_page_with_its_controls_and_outputs():
    ids = tree.ids(recurrent.layout(recurrent.SPEC.defaults(), []))
    for name in recurrent_choices.SPEC.fields:
        assert name.startswith("choices_") and f"recurrent-{name}" in ids
    for graph in ("choices-tbptt", "choices-tbptt-curves", "choices-targets", "choices-targets-steps",
                  "choices-bidirectional", "choices-teacher"):
        assert isinstance(ids[f"recurrent-{graph}"], dcc.Graph)
    for section in recurrent_choices.SECTIONS:
        assert section in recurrent.SECTIONS and section.job


def test_the_tbptt_view_passes_the_controls_and_draws_the_sweep(monkeypatch):
    calls = []
    monkeypatch.setattr(choices, "tbptt_sweep", lambda *a, progress: calls.append(a) or sweep())
    out = recurrent_choices.TBPTT_SECTION.view({"choices_cell": "lstm", "choices_epochs": 20, "choices_seed": 3})
    assert calls == [("lstm", 20, 3)]
    assert len(out) == len(recurrent_choices.TBPTT_SECTION.outputs()) and out[-1] == ""
    assert isinstance(out[0], go.Figure) and "k = 12" in out[1]


def test_the_comparison_view_draws_all_four_charts(monkeypatch):
    seen = []
    for name, make in (("target_compare", targets), ("bidirectional_compare", bidirectional),
                       ("teacher_compare", teacher)):
        def fake(*a, progress, make=make):
            progress(1, 1)
            return make()
        monkeypatch.setattr(choices, name, fake)
    out = recurrent_choices.COMPARE_SECTION.view(recurrent_choices.SPEC.defaults(),
                                                 progress=lambda d, t: seen.append((d, t)))
    assert len(out) == len(recurrent_choices.COMPARE_SECTION.outputs())
    figs = [o for o in out if isinstance(o, go.Figure)]
    assert len(figs) == 4 and all(len(f.data) >= 2 for f in figs)
    assert "5.3 K" in out[1] and "up to 2 K" in out[5] and "8.4 K at the last step" in out[7]
    assert seen == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize(("section", "values", "fragment"), [
    ("TBPTT_SECTION", {"choices_epochs": 500}, "choices_epochs must be between 10 and 150"),
    ("TBPTT_SECTION", {"choices_cell": "tcn"}, "choices_cell must be one of"),
    ("COMPARE_SECTION", {"choices_seed": -1}, "choices_seed must be between 0 and 9"),
    ("COMPARE_SECTION", {"choices_epochs": "many"}, "choices_epochs must be"),
])
def test_bad_values_become_sentences(section, values, fragment):
    s = getattr(recurrent_choices, section)
    out = s.view({**recurrent_choices.SPEC.defaults(), **values})
    assert fragment in out[-1] and len(out) == len(s.outputs())
