"""/architectures called as plain functions, on a hand-made table (the library's own tests train the models)."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import architectures as page
from neuralab.compress import architectures as arch
from tests.app import tree
from tests.plots.test_architectures_plots import table


@pytest.fixture
def measured(monkeypatch):
    asked = []

    def fake(arch_seed, latency_batch, progress):
        asked.append((arch_seed, latency_batch))
        progress(1, 1)
        return table(int(latency_batch))

    monkeypatch.setattr(arch, "table", fake)
    return asked


def test_every_control_and_chart_is_on_the_page():
    ids = tree.ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"architectures-{name}" in ids
    assert isinstance(ids["architectures-latency"], dcc.Graph)
    assert "architectures-tables" in ids and "architectures-table-alert" in ids
    text = tree.text(page.layout(page.SPEC.defaults(), []))
    for caveat in ("Parameters are not latency", "microcontroller", "not comparable", "GAN"):
        assert caveat in text, caveat


def test_the_job_draws_the_chart_and_one_table_per_group_with_links(measured):
    fig, caption, tables, message = page.TABLE_SECTION.view({"arch_seed": 2, "latency_batch": "16"})
    assert message == "" and isinstance(fig, go.Figure) and "batch 16" in caption
    assert measured == [(2, "16")]
    text = tree.text(tables)
    for group in ("Digits", "Winding temperature", "Token reversal"):
        assert group in text
    assert "Motor torque" not in text  # no rows, no table
    links = [c for c in tree.walk(tables) if isinstance(c, dcc.Link)]
    assert [link.href for link in links] == ["/feedforward", "/cnn", "/recurrent", "/attention"]
    assert "median and slowest of 200 calls per model, batch 16 per call" in text
    assert "CNN: one seed." in text  # a row's note under its group's table


def test_the_seed_slider_reaches_the_library(measured):
    page.TABLE_SECTION.answer({"arch_seed": 4, "latency_batch": "1"})
    assert measured == [(4, "1")]


@pytest.mark.parametrize(("values", "fragment"), [({"arch_seed": 7, "latency_batch": "1"}, "arch_seed"),
                                                  ({"arch_seed": 0, "latency_batch": "5"}, "latency_batch")])
def test_a_bad_value_is_named_and_nothing_is_measured(measured, values, fragment):
    fig, caption, tables, message = page.TABLE_SECTION.view(values)
    assert fragment in message and measured == []
    assert tables == ""
