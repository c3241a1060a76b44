"""/hyperparameter-search, multi-fidelity part: its callback called as a plain function on small settings."""

import plotly.graph_objects as go
import pytest
from dash import dcc, html

from neuralab.app.pages import hyperparameter_search, search_fidelity
from tests.app import tree

SMALL = dict(dataset="spiral", mf_trials=8, mf_epochs=3, mf_seed=0)
CHARTS = ("curves", "cost", "samplers", "importance", "parallel", "slice", "contour")


def test_the_part_is_on_the_page_with_its_controls_and_charts():
    assert search_fidelity in hyperparameter_search.PARTS
    ids = tree.ids(hyperparameter_search.layout(hyperparameter_search.SPEC.defaults(), []))
    for name in ("mf_trials", "mf_epochs", "mf_seed"):
        assert f"hyperparameter-search-{name}" in ids
    for chart in CHARTS:
        assert isinstance(ids[f"hyperparameter-search-fidelity-{chart}"], dcc.Graph)
    assert "hyperparameter-search-fidelity-curves-progress" in ids


def test_a_small_search_fills_every_output():
    section = search_fidelity.FIDELITY_SECTION
    seen = []
    out = section.view(SMALL, lambda done, total: seen.append((done, total)))
    assert len(out) == len(section.outputs()) and out[-1] == ""
    figs = [o for o in out if isinstance(o, go.Figure)]
    assert len(figs) == len(CHARTS) and all(len(f.data) for f in figs)
    table = next(o for o in out if isinstance(o, html.Table))
    assert len(table.children[1].children) == 4  # one row per pruner
    assert "8 trials, at most 3 epochs each, on spiral" in out[1]
    assert seen and seen[-1][0] == seen[-1][1]  # the bar ends full


@pytest.mark.parametrize(("name", "bad", "fragment"), [
    ("mf_trials", 9, "mf_trials must be 8 plus a multiple of 2"), ("mf_epochs", 99, "mf_epochs must be between"),
    ("mf_seed", "x", "mf_seed must be a whole number"), ("dataset", "mnist", "dataset")])
def test_bad_values_become_a_sentence_in_every_alert(name, bad, fragment):
    section = search_fidelity.FIDELITY_SECTION
    out = section.view({**SMALL, name: bad})
    alerts = [v for o, v in zip(section.outputs(), out, strict=True) if o.component_id.endswith("alert")]
    assert len(alerts) == 3 and all(fragment in a for a in alerts)
