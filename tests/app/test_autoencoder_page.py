"""/autoencoder called as plain functions, on tiny trainings."""

import math

import plotly.graph_objects as go
import pytest
from dash import dcc, no_update

from neuralab.app.pages import autoencoder, autoencoder_denoise, autoencoder_latent, autoencoder_motor
from tests.app import tree
from tests.train.tiny_autoencoder import tiny_models


@pytest.fixture
def tiny(monkeypatch):
    yield from tiny_models(monkeypatch)

DEFAULTS = autoencoder.SPEC.defaults()


def test_every_part_is_on_the_page_with_its_controls_and_charts():
    ids = tree.ids(autoencoder.layout(DEFAULTS, []))
    for name in autoencoder.SPEC.fields:
        assert f"autoencoder-{name}" in ids
    for graph in ("map", "decoded", "recon", "errors", "pca", "denoise-examples", "denoise-curves",
                  "motor-examples", "motor-timeline", "motor-pr"):
        assert isinstance(ids[f"autoencoder-{graph}"], dcc.Graph), graph
    assert "autoencoder-ae-trained" in ids and "autoencoder-motor-scored" in ids


def test_the_job_trains_and_then_the_map_decodes_at_once(tiny):
    waiting = autoencoder_latent.DECODE_SECTION.view({**DEFAULTS, "ae_seed": 2, "ae-trained": ""})
    assert "being trained" in waiting[-1]
    out = autoencoder_latent.CODE_SECTION.view({**DEFAULTS, "ae_seed": 2})
    assert out[-1] == "" and all(isinstance(out[k], go.Figure) for k in (0, 2, 4))
    assert "PCA" in out[1]
    fig, caption, img, img_caption, message = autoencoder_latent.DECODE_SECTION.view(
        {**DEFAULTS, "ae_seed": 2, "z1": -1.5, "z2": 2.0, "ae-trained": ""})
    assert message == "" and "(-1.5, 2)" in caption and "(-1.5, 2)" in img_caption


@pytest.mark.parametrize("click", [None, "x", {}, {"points": []}, {"points": [{"x": "a", "y": 1}]},
                                   {"points": [{"x": math.nan, "y": 0}]}, {"points": [{"x": 1e308 * 10, "y": 0}]},
                                   {"points": [{"x": 10**400, "y": 0}]}, {"points": [{"y": 0}]},
                                   {"points": [{"x": [1, 2], "y": 0}]}])
def test_a_crafted_click_changes_nothing(click):
    assert autoencoder_latent.on_click(click) == (no_update, no_update)


def test_a_click_sets_both_sliders_on_their_grid():
    assert autoencoder_latent.on_click({"points": [{"x": 2.01, "y": -7, "curveNumber": 3}]}) == (2.0, -4.0)


def test_the_denoising_job_draws_both_charts(tiny):
    out = autoencoder_denoise.DENOISE_SECTION.view({**DEFAULTS, "noise": 0.1})
    assert out[-1] == "" and "σ = 0.1" in out[1] and isinstance(out[2], go.Figure)


def test_the_motor_job_then_the_threshold(tiny):
    out = autoencoder_motor.MOTOR_SECTION.view({**DEFAULTS, "log_seed": 1})
    assert out[-1] == "" and "spike" in out[1]
    out = autoencoder_motor.FLAGS_SECTION.view({**DEFAULTS, "log_seed": 1, "threshold": 10.0, "motor-scored": ""})
    assert out[-1] == "" and "At 10 ×" in out[1] and "Hampel" in out[3]
    assert "spike" in tree.text(out[4])


@pytest.mark.parametrize(("section", "values", "fragment"), [
    ("DECODE_SECTION", {"z1": 4.5}, "z1 must be between -4 and 4"),
    ("DECODE_SECTION", {"z2": "left"}, "z2 must be a number"),
    ("DECODE_SECTION", {"ae_seed": 5}, "ae_seed must be between 0 and 4"),
    ("CODE_SECTION", {"ae_seed": -1}, "ae_seed must be between 0 and 4"),
])
def test_bad_values_become_sentences_on_the_digits(section, values, fragment):
    s = getattr(autoencoder_latent, section)
    out = s.view({**DEFAULTS, **values})
    assert fragment in out[-1] and len(out) == len(s.outputs())


@pytest.mark.parametrize(("section", "values", "fragment"), [
    (autoencoder_denoise.DENOISE_SECTION, {"noise": 0.9}, "noise must be between 0 and 0.5"),
    (autoencoder_motor.FLAGS_SECTION, {"threshold": 5000}, "threshold must be between 1 and 1000"),
    (autoencoder_motor.MOTOR_SECTION, {"log_seed": 1.5}, "log_seed must be a whole number"),
])
def test_bad_values_become_sentences_elsewhere(section, values, fragment):
    out = section.view({**DEFAULTS, **values})
    assert fragment in out[-1] and len(out) == len(section.outputs())
