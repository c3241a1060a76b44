"""/hyperparameter-search's honest-scoring part: callbacks called as plain functions, on small stand-ins."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
import torch
from dash import dcc, html

from neuralab.app.pages import hyperparameter_search, search_honest
from neuralab.search import honest, landscape
from tests.app import tree

torch.set_num_threads(1)


@pytest.fixture
def small(monkeypatch):
    """The page's calls on a tiny landscape and one repeat: the same code paths, a second each."""
    real_landscape, real_nested = landscape.landscape, honest.nested_cv
    monkeypatch.setattr(search_honest.landscape, "landscape",
                        lambda dataset, progress: real_landscape(dataset, res=8, seeds=2, progress=progress))
    monkeypatch.setattr(search_honest.honest, "nested_cv",
                        lambda dataset, pool, progress: real_nested(dataset, pool, repeats=1, progress=progress))


def test_the_part_is_on_the_page_with_its_control_and_outputs():
    assert search_honest in hyperparameter_search.PARTS
    ids = tree.ids(hyperparameter_search.layout(hyperparameter_search.SPEC.defaults(), []))
    assert "hyperparameter-search-pool" in ids and "pool" in hyperparameter_search.SPEC.fields
    for graph in ("curse", "nested"):
        assert isinstance(ids[f"hyperparameter-search-{graph}"], dcc.Graph)
        assert {f"hyperparameter-search-{graph}-{s}" for s in ("summary", "table", "progress", "alert")} <= set(ids)


def test_curse_view_draws_the_chart_the_caption_and_the_table(small):
    fig, caption, table, alert = search_honest.CURSE.view({"dataset": "spiral"})
    go.Figure(fig.to_dict())
    assert alert == "" and "random searches of 100 trials" in caption
    assert isinstance(table, html.Table)
    rows = tree.text(table)
    assert all(f" {n} " in f" {rows} " for n in search_honest.SHOWN) and "its test accuracy" in rows


def test_nested_callback_reports_progress_and_the_three_estimates(small):
    seen = []  # 150 rows: not the library test's pool, so computed here (a cached result reports no progress)
    fig, caption, table, alert = search_honest.update_nested(seen.append, "spiral", 150)
    go.Figure(fig.to_dict())
    assert alert == "" and caption.startswith("1 repeat on 150 training rows") and seen[-1] == ("1", "1")
    assert "best inner CV" in tree.text(table) and "α = " in tree.text(table)


@pytest.mark.parametrize(("section", "values", "fragment"), [
    (search_honest.NESTED, {"dataset": "digits", "pool": 1000}, "pool must be between 100 and 300"),
    (search_honest.NESTED, {"dataset": "digits", "pool": 120}, "pool must be 100 plus a multiple of 50"),
    (search_honest.CURSE, {"dataset": "cifar"}, "dataset must be one of"),
])
def test_bad_values_become_sentences(section, values, fragment):
    out = section.view(values)
    assert fragment in out[-1] and fragment in out[1] and out[2] == ""
