"""/quantization callbacks as plain functions: figures and text for good input, sentences for bad."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import quantization
from neuralab.compress import quantize_effects, zoo
from tests.app import tree


@pytest.fixture(autouse=True, scope="module")
def _reference_trained():
    """The one-layer view answers once the reference MLP is trained, which the sweep's job does on the page."""
    zoo.load("mlp")


def test_a_model_not_trained_yet_is_left_to_the_sweep_job(monkeypatch):
    monkeypatch.setattr(zoo, "kept", lambda name, seed=0: False)
    monkeypatch.setattr(quantize_effects, "layer_view", lambda **v: pytest.fail("trained a model in a request"))
    out = quantization.update_layer("cnn", 1, "symmetric", "tensor", "", 8)
    assert "being trained" in out[-1] and out[1] == out[-1]
    assert quantization.SWEEP_SECTION.job and quantization.SWEEP_SECTION.needs is quantization.REFERENCE
    assert quantization.REFERENCE.key({"model": "cnn"}) == "reference|cnn"


def test_layout_has_every_control_and_output():
    ids = tree.ids(quantization.layout(quantization.SPEC.defaults(), []))
    for name in quantization.SPEC.fields:
        assert f"quantization-{name}" in ids
    for graph in ("hist", "channels", "sweep"):
        assert isinstance(ids[f"quantization-{graph}"], dcc.Graph) and f"quantization-{graph}-summary" in ids
    assert "quantization-sweep-progress" in ids and "quantization-check" in ids and "quantization-next" in ids
    assert ids["quantization-bits"].updatemode == "drag" and "quantization-hist-replay" in ids


def test_layer_callback_reads_the_bits_and_hands_every_bit_width_to_the_browser():
    fig, text, ch, ch_text, store, alert = quantization.update_layer("mlp", 1, "symmetric", "tensor", "", 2)
    assert isinstance(fig, go.Figure) and isinstance(ch, go.Figure) and alert == ""
    assert "at 2 bits" in text and "3 levels" in text
    assert store["positions"] == list(range(1, 9)) and "at 8 bits" in store["charts"][0]["captions"][7]
    assert "at 8 bits" in quantization.update_layer("mlp", 1, "symmetric", "tensor", "", 8)[1]


def _layer(**kw):
    return quantization.LAYER_SECTION.view(dict(model="mlp", layer=1, bits=4, scheme="symmetric",
                                                granularity="tensor") | kw)


def test_bad_layer_input_is_a_sentence():
    *_, alert = _layer(model="student", layer=3)
    assert "layer must be at most 2 for the student model" in alert
    *_, alert = _layer(bits="nine")
    assert "bits" in alert


def test_next_layer_wraps():
    assert quantization.next_layer(1, 1, "mlp") == 2
    assert quantization.next_layer(1, 3, "mlp") == 1
    assert quantization.next_layer(1, 2, "student") == 1
    assert quantization.next_layer(1, "junk", "mlp") == 1
    assert quantization.next_layer(1, [1], ["mlp"]) == 1  # a crafted request: the first layer, not a traceback


def test_sweep_callback_and_cross_check():
    steps = []
    values = dict(model="student", scheme="symmetric", granularity="channel", calib=100, qat_epochs=1)
    fig, text, card, alert = quantization.SWEEP_SECTION.view(values, progress=lambda d, t: steps.append((d, t)))
    assert isinstance(fig, go.Figure) and alert == "" and "at 8 bits dynamic" in text
    assert "quantize_dynamic" in tree.text(card) and "identical" in tree.text(card)
    fig, text, card, alert = quantization.SWEEP_SECTION.view(values | dict(calib=0))
    assert "calib must be between 1 and 1000" in alert


def test_sweep_callback_answers_a_bad_request_with_a_sentence():
    bar = []
    fig, text, card, alert = quantization.update_sweep(bar.append, "student", "symmetric", "channel", "0", 1)
    assert "calib must be between 1 and 1000" in alert and text == alert and card == []
