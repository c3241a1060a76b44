"""/recurrent's gates and export sections called as plain functions, on tiny untrained networks."""

import base64

import plotly.graph_objects as go
import pytest
from dash import dcc, html, no_update

from neuralab.app.pages import recurrent, recurrent_gates
from neuralab.nn.recurrent import build
from neuralab.train import recurrent_gates as rg
from neuralab.train import sequence
from neuralab.train.sequence import SeqHistory, Trained
from tests.app import tree


def _fake(arch="gru", width=16, seed=0, *, progress=None):
    m = build(arch, 3, 4, 1, seed)
    return Trained(arch, 4, seed, m.state_dict(), SeqHistory(), 2.5, 2.5)


@pytest.fixture()
def tiny(monkeypatch):
    monkeypatch.setattr(rg, "thermal_model", _fake)
    monkeypatch.setattr(sequence, "thermal_model", _fake)
    rg._on_cycle.cache_clear()
    yield
    rg._on_cycle.cache_clear()


def test_the_part_is_on_the_page_with_its_controls_and_outputs():
    assert recurrent_gates in recurrent.PARTS
    ids = tree.ids(recurrent.layout(recurrent.SPEC.defaults(), []))
    for name in recurrent_gates.SPEC.fields:
        assert f"recurrent-{name}" in ids
    for graph in ("gates", "gates-export"):
        assert isinstance(ids[f"recurrent-{graph}"], dcc.Graph)
    assert isinstance(ids["recurrent-gates-onnx"], dcc.Store)
    assert isinstance(ids["recurrent-gates-download-onnx"], dcc.Download)
    assert recurrent_gates.GATES_SECTION in recurrent.SECTIONS and recurrent_gates.EXPORT_SECTION in recurrent.SECTIONS


def test_the_gates_view_draws_every_gate_and_says_the_mean_forget_gate(tiny):
    fig, caption, message = recurrent_gates.GATES_SECTION.view({**recurrent.SPEC.defaults(), "gates_cycle": 4})
    assert message == "" and isinstance(fig, go.Figure)
    go.Figure(fig.to_dict())  # valid plotly
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert len(heat) == 6 and all(len(t.z) == 4 for t in heat)  # i, f, o, c, z, r; one row per unit
    g = rg.gates_on_cycle(4)
    assert "Test cycle 4" in caption and f"mean forget gate {g.lstm.f.mean():.2f}" in caption
    assert f"mean update gate {g.gru.z.mean():.2f}" in caption


def test_the_export_view_checks_the_stepped_model_and_offers_the_file(tiny):
    out = recurrent_gates.EXPORT_SECTION.view({**recurrent.SPEC.defaults(), "gates_export_cycle": 2})
    fig, caption, tab, stored, snippet, message = out
    assert message == "" and isinstance(fig, go.Figure) and "Test cycle 2" in caption
    assert "µs" in caption and "median" in caption
    assert "state kept between steps" in str(tab) and "16 bytes" in str(tab)  # 4 units × 4 bytes
    onnx_bytes = base64.b64decode(stored["onnx"])
    assert onnx_bytes.startswith(b"\x08")  # an ONNX protobuf (ir_version field first)
    got = recurrent_gates.download_onnx(1, stored)
    assert got["base64"] and got["filename"].endswith(".onnx") and got["content"] == stored["onnx"]
    assert recurrent_gates.download_onnx(1, None) is no_update
    assert recurrent_gates.download_onnx(1, {"onnx": 3}) is no_update
    assert isinstance(snippet, html.Div) and "sess.run" in str(snippet)


@pytest.mark.parametrize(("section", "values", "fragment"), [
    ("GATES_SECTION", {"gates_cycle": 8}, "gates_cycle must be between 1 and 7"),
    ("GATES_SECTION", {"gates_cycle": "first"}, "gates_cycle must be"),
    ("EXPORT_SECTION", {"gates_export_cycle": 0}, "gates_export_cycle must be between 1 and 7"),
    ("EXPORT_SECTION", {"gates_export_cycle": 2.5}, "gates_export_cycle must be"),
])
def test_bad_values_become_sentences(section, values, fragment):
    s = getattr(recurrent_gates, section)
    out = s.view({**recurrent.SPEC.defaults(), **values})
    assert fragment in out[-1] and len(out) == len(s.outputs())
