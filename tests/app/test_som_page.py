"""/som's sections called as plain functions, on small real fits."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import som, som_map, som_size
from neuralab.app.sections import replayed
from neuralab.train import som as som_runs
from tests.app import tree

SMALL = {"som_rows": 3, "som_cols": 4, "som_epochs": 1, "som_sigma": 1.5}


def test_the_page_lays_out_every_control_chart_and_the_step_slider():
    ids = tree.ids(som.layout(som.SPEC.defaults(), []))
    for name in som_runs.MAP.fields:
        assert f"som-{name}" in ids
    for graph in ("umatrix", "unfolding", "curves", "planes", "size"):
        assert isinstance(ids[f"som-{graph}"], dcc.Graph)
    assert isinstance(ids["som-map-step"], dcc.Slider) and isinstance(ids["som-map-replay"], dcc.Store)
    assert som_map.MAP_SECTION.job and som_size.SIZE_SECTION.job
    assert som.SECTIONS == (som_map.MAP_SECTION, som_size.SIZE_SECTION)


def test_the_map_view_draws_every_output_and_hands_the_snapshots_to_the_slider():
    out = som_map.MAP_SECTION.view({**som.SPEC.defaults(), **SMALL})
    assert len(out) == len(som_map.MAP_SECTION.outputs()) and out[-1] == ""
    umatrix, c_u, table, unfolding, c_unf, curves, c_cur, readout, planes, c_pl, top, value, data, _ = out
    assert all(isinstance(f, go.Figure) for f in (umatrix, unfolding, curves, planes))
    m = som_runs.train("motor", 3, 4, 1, 0.5, 1.5, 0)
    k = len(m.fit.steps) - 1
    assert top == value == k and data["positions"] == list(range(k + 1)) and data["at"] == k
    assert "U-matrix of the 3 × 4 map on the motor data" in c_u and "Topographic error" in str(table)
    assert readout.startswith(f"Snapshot {k + 1} of {k + 1}") and c_unf.startswith(readout)
    assert [c["graph"] for c in data["charts"]] == ["som-unfolding", "som-curves"]
    first = replayed(unfolding.to_plotly_json(), data["charts"][0], 0, k)  # the browser's drawing of snapshot 1
    xs = [x for x in first["data"][1]["x"] if x is not None]
    assert xs[:4] == pytest.approx(m.snap_xy[0, 0, :, 0].tolist(), rel=1e-3)
    assert data["texts"][0][0].startswith("Snapshot 1 of")


def test_the_size_view_sweeps_square_maps(monkeypatch):
    monkeypatch.setattr(som_runs, "SIZES", (2, 3))
    fig, caption, message = som_size.SIZE_SECTION.view(som.SPEC.defaults())
    assert message == "" and list(fig.data[0].x) == [4, 9] and "From 2 × 2 to 3 × 3 units" in caption


@pytest.mark.parametrize(("section", "values", "fragment"), [
    (som_map.MAP_SECTION, {"som_rows": 21}, "som_rows must be between 2 and 20"),
    (som_map.MAP_SECTION, {"som_cols": "wide"}, "som_cols must be"),
    (som_map.MAP_SECTION, {"som_alpha": 2}, "som_alpha must be between 0.02 and 1"),
    (som_map.MAP_SECTION, {"som_sigma": float("nan")}, "som_sigma must be"),
    (som_map.MAP_SECTION, {"som_data": "faces"}, "som_data must be one of"),
    (som_size.SIZE_SECTION, {"som_seed": -1}, "som_seed must be between 0 and 9999"),
])
def test_bad_values_become_sentences(section, values, fragment):
    out = section.view({**som.SPEC.defaults(), **values})
    assert fragment in out[-1] and fragment in out[1] and len(out) == len(section.outputs())


def test_the_questions_compute_their_answers():
    answers = {q.key: q.answer() for q in som.QUESTIONS if hasattr(q, "answer")}
    assert answers["neighbour-pull"] == pytest.approx(0.1353, abs=1e-4)
    assert answers["halfway-sigma"] == pytest.approx(5 ** 0.5 * 0.5 ** 0.5, rel=1e-4)


def test_the_size_prose_quotes_the_toolbox_rule_as_the_library_computes_it():
    units, rows, cols = som_runs.toolbox_size(som_runs.dataset("motor").X_train)
    text = str(som_size.layout(som.SPEC.defaults()))
    assert "5·N^0.54321" in text and f"about {units:.0f} units ({rows} × {cols} on a rectangular grid)" in text
