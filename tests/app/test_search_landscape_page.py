"""/hyperparameter-search, the landscape part: its controls and chart are on the page and the job answers."""

import plotly.graph_objects as go
from dash import dcc

from neuralab.app.pages import hyperparameter_search as page
from neuralab.app.pages import search_landscape as part
from tests.app import tree


def test_the_page_has_every_control_of_every_part_and_the_landscape_chart():
    ids = tree.ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"hyperparameter-search-{name}" in ids
    assert isinstance(ids["hyperparameter-search-landscape"], dcc.Graph)
    assert "hyperparameter-search-landscape-progress" in ids


def test_the_landscape_job_draws_the_measured_map():
    fig, caption, alert = part.LANDSCAPE.view({"dataset": "spiral"})
    assert isinstance(fig, go.Figure) and alert == ""
    assert "576 cells × 3 seeds = 1728 trainings" in caption


def test_a_bad_data_set_is_a_sentence():
    assert "dataset must be one of digits, motor, spiral" in part.LANDSCAPE.view({"dataset": "cifar"})[-1]
