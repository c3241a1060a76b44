"""/signal-pipeline's sections called as plain functions: figures and measured captions, sentences for bad input."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import signal_pipeline as page
from neuralab.app.selfcheck import Value
from neuralab.signal import pipeline as sp
from tests.app import tree


def _valid(fig):
    go.Figure(fig.to_dict())  # the builders skip plotly's validation: check it here
    return fig


def test_the_page_lays_out_every_control_and_output():
    ids = tree.ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"signal-pipeline-{name}" in ids
    assert not isinstance(ids["signal-pipeline-stage"], dcc.Graph)  # the control, not a chart of the same id
    for graph in ("stages", "ablation", "norm"):
        assert isinstance(ids[f"signal-pipeline-{graph}"], dcc.Graph) and f"signal-pipeline-{graph}-summary" in ids
    assert page.ABLATION.job and not page.STAGE.job and not page.NORM.job
    assert ids["signal-pipeline-window"].updatemode == "drag"


@pytest.mark.parametrize("stage", [s for s, _ in sp.STAGE.options])
def test_every_stage_draws_its_input_and_output_with_the_prediction(stage):
    out = page.STAGE.view({**page.SPEC.defaults(), "stage": stage})
    fig = _valid(out[0])
    v = sp.stage_view(stage, 21, 0)
    assert len(fig.data[0].x) == len(v.x_in)
    assert f"predicts i_q = {v.pred:.2f} A; the truth is {v.truth:.2f} A" in out[1]
    assert out[-1] == ""
    if stage == "decimate":
        assert len(fig.data[1].x) == len(v.x_in) // 4 and "into 500 at 2,500 Hz" in out[1]
    if stage == "features":
        assert [t.name for t in fig.data[1:]] == ["Hilbert envelope", "rolling std"]


def test_the_window_slider_moves_the_window():
    a = page.STAGE.view({**page.SPEC.defaults(), "window": 3})
    b = page.STAGE.view({**page.SPEC.defaults(), "window": 100})
    assert "Window 3, cycle 0" in a[1] and "Window 100, cycle 10" in b[1]
    assert "held out" in page.STAGE.view({**page.SPEC.defaults(), "window": 35})[1]  # cycle 3


def test_bad_values_get_a_sentence_naming_the_parameter():
    out = page.STAGE.view({**page.SPEC.defaults(), "window": 500})
    assert "window must be between 0 and 119" in out[1] and "window must be between 0 and 119" in out[-1]
    out = page.STAGE.view({**page.SPEC.defaults(), "stage": "later"})
    assert "stage must be one of" in out[-1]
    out = page.ABLATION.view({**page.SPEC.defaults(), "n_seeds": 99})
    assert "n_seeds must be between 2 and 10" in out[-1]
    out = page.NORM.view({**page.SPEC.defaults(), "norm_feature": "nope"})
    assert "norm_feature must be one of" in out[-1]


def test_the_ablation_view_draws_every_variant_and_a_table(monkeypatch):
    fake = sp.Ablation(tuple(sp.VARIANTS), (0, 1), np.linspace(1.0, 2.2, len(sp.VARIANTS) * 2).reshape(-1, 2), 5.0)
    seen = {}
    monkeypatch.setattr(sp, "ablate", lambda **kw: seen.update(kw) or fake)
    out = page.ABLATION.view({**page.SPEC.defaults(), "n_seeds": 2})
    fig = _valid(out[0])
    assert sum(len(t.y) for t in fig.data) == len(sp.VARIANTS)
    assert [t.name for t in fig.data] == ["canonical order", "one stage removed", "one stage swapped", "wrong order"]
    m, s = fake.of("full")
    assert f"held-out RMSE is {m:.3f} ± {s:.3f} A" in out[1]
    assert "smoothing before the outlier filter" in out[1]
    assert seen["n_seeds"] == 2 and seen["cycles"] == 12
    assert "Wrong order: smooth, then outliers" in str(out[2]) and f"{m:.3f} ± {s:.3f}" in str(out[2])


def test_the_normalization_view_shows_four_panels_and_the_axis_trap():
    out = page.NORM.view(page.SPEC.defaults())
    fig = _valid(out[0])
    n = sp.normalization_compare()
    assert {t.xaxis for t in fig.data} == {"x", "x2", "x3", "x4"}
    assert f"{n.rmse['unit']:.2f} A, against a target spread of {n.y_std:.2f} A" in out[1]
    assert f"gives {n.per_sample_rmse:.2f} A" in out[1]


def test_the_questions_have_answers():
    for q in page.QUESTIONS:
        if isinstance(q, Value):
            assert q.answer() is not None
    assert page._folded_hz() == 50 and page._unit_norm() == 1.0


def test_the_prose_takes_the_number_of_folds_from_the_library(monkeypatch):
    said = tree.text(page.layout(page.SPEC.defaults(), []))
    assert f"each of {sp.N_SPLITS} GroupKFold folds" in said and f"GroupKFold({sp.N_SPLITS}) by cycle" in said
    monkeypatch.setattr(sp, "N_SPLITS", 5)
    said = tree.text(page.layout(page.SPEC.defaults(), []))
    assert "each of 5 GroupKFold folds" in said and "GroupKFold(5) by cycle" in said
