"""/deploy callbacks as plain functions."""

import base64

import plotly.graph_objects as go
from dash import dcc, no_update

from neuralab.app.pages import deploy
from tests.app import tree


def test_layout_has_controls_outputs_and_downloads():
    ids = tree.ids(deploy.layout(deploy.SPEC.defaults(), []))
    for name in deploy.SPEC.fields:
        assert f"deploy-{name}" in ids
    assert isinstance(ids["deploy-stages"], dcc.Graph) and "deploy-stages-summary" in ids
    for i in ("deploy-download-c", "deploy-download-onnx", "deploy-get-c", "deploy-get-onnx", "deploy-excerpt"):
        assert i in ids


def _stack(prune, calib, granularity="channel"):
    return deploy.STACK.view(dict(prune=prune, calib=calib, granularity=granularity))


def test_stack_view_and_downloads():
    fig, text, table, checks, excerpt, files, alert = _stack(15, 200)
    assert isinstance(fig, go.Figure) and alert == ""
    assert "Teacher fp32" in tree.text(table) and "bytes" in text
    assert "void nl_infer" in excerpt and "ONNX Runtime agrees" in checks
    c = deploy.download_c(1, files)
    assert c["filename"].endswith(".c") and "static const int8_t W0" in c["content"]
    o = deploy.download_onnx(1, files)
    assert o["base64"] and base64.b64decode(o["content"])[:2] == base64.b64decode(files["onnx"])[:2]
    assert deploy.download_c(1, None) is no_update


def test_bad_input_is_a_sentence():
    *_, alert = _stack(7, 200)
    assert "prune" in alert
    *_, alert = _stack(15, 0)
    assert "calib must be between 1 and 1000" in alert
    *_, alert = _stack(15, 200, "row")
    assert "granularity" in alert
