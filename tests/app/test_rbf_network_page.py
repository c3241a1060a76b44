"""/rbf-network called as plain functions; the race on a few epochs."""

from __future__ import annotations

import dataclasses

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app import selfcheck
from neuralab.app.pages import rbf_network as page
from neuralab.train import rbf
from tests.app import tree


@pytest.fixture
def few_epochs(monkeypatch):
    monkeypatch.setattr(rbf, "CFG", dataclasses.replace(rbf.CFG, epochs=3))


def test_every_control_and_chart_is_on_the_page():
    ids = tree.ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"rbf-network-{name}" in ids
    for graph in ("surface", "slice", "race-slice", "race-maps"):
        assert isinstance(ids[f"rbf-network-{graph}"], dcc.Graph)
    assert "rbf-network-race-table" in ids


def test_the_fit_draws_the_surface_and_the_slice_and_a_wider_unit_changes_them():
    values = page.SPEC.defaults()
    surface, caption, slice_, slice_caption, message = page.FIT_SECTION.view(values)
    assert message == "" and isinstance(surface, go.Figure) and isinstance(slice_, go.Figure)
    assert "24 Gaussian units" in caption and "R²" in caption
    wider = page.FIT_SECTION.view({**values, "width": 3.0})
    assert wider[1] != caption
    assert [s.x1 - s.x0 for s in wider[0].layout.shapes if s.type == "circle"] != \
        [s.x1 - s.x0 for s in surface.layout.shapes if s.type == "circle"]


def test_the_sliders_positions_are_read_as_values():
    """The width and λ sliders move in log10 units: position 0.5 is a factor of √10."""
    positions = {**{k: f.to_slider(v) if hasattr(f, "to_slider") else v
                    for (k, f), v in zip(page.FIT.fields.items(), page.FIT.defaults().values(), strict=True)},
                 "width": 0.5}
    caption = page.FIT_SECTION.answer(positions)[1]
    assert caption == page.FIT_SECTION.view({**page.FIT.defaults(), "width": 10**0.5})[1]


def test_the_race_draws_both_charts_and_the_table(few_epochs):
    out = page.RACE_SECTION.view({**page.SPEC.defaults(), "race_centres": 4, "race_dataset": "reg_gauss"})
    slice_fig, slice_caption, maps, maps_caption, table, message = out
    assert message == "" and isinstance(slice_fig, go.Figure) and isinstance(maps, go.Figure)
    assert "held-out points" in slice_caption and "dashed box" in maps_caption
    text = tree.text(table)
    assert "MLP, 4 tanh units" in text and text.count("17") >= 3


@pytest.mark.parametrize(("section", "values", "fragment"), [
    ("FIT_SECTION", {"centres": 1}, "centres must be between 2 and 60"),
    ("FIT_SECTION", {"width": "wide"}, "width must be a number"),
    ("FIT_SECTION", {"noise": 7}, "noise must be 0 plus a multiple of 5"),
    ("FIT_SECTION", {"slice_y": float("inf")}, "slice_y must be a finite number"),
    ("RACE_SECTION", {"race_centres": 41}, "race_centres must be between 2 and 40"),
    ("RACE_SECTION", {"race_activation": "gelu"}, "race_activation must be one of"),
])
def test_a_bad_value_is_named_in_the_alert_and_the_caption(section, values, fragment):
    out = getattr(page, section).view({**page.SPEC.defaults(), **values})
    assert fragment in out[-1] and fragment in out[1]


def test_the_questions_compute_what_the_page_says():
    by_key = {q.key: q for q in selfcheck.questions(page)}
    assert by_key["params"].answer() == 49
    assert by_key["one-width"].answer() == pytest.approx(0.6065, abs=1e-4)
