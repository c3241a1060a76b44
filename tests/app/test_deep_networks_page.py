"""/deep-networks' sections called as plain functions (the training on quick stand-ins), its URL and questions."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import deep_networks as page
from neuralab.app.pages import deep_networks_init, deep_networks_ladder, deep_networks_train
from neuralab.app.selfcheck import Pick, Value, questions
from neuralab.train import deep
from tests.app import tree


def _valid(fig):
    go.Figure(fig.to_dict())  # the builders skip plotly's validation: check it here
    return fig


def test_the_page_lays_out_every_control_and_output():
    ids = tree.ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"deep-networks-{name}" in ids
    for graph in ("init-grads", "init-stream", "init-cosine", "curves", "heat", "ladder"):
        assert isinstance(ids[f"deep-networks-{graph}"], dcc.Graph)
    assert "deep-networks-scores" in ids
    assert deep_networks_train.TRAIN_SECTION.job and deep_networks_ladder.LADDER_SECTION.job
    assert not deep_networks_init.INIT_SECTION.job


def test_the_init_view_probes_both_networks():
    out = deep_networks_init.INIT_SECTION.view({**page.SPEC.defaults(), "deep_depth": 12, "deep_norm": "none",
                                                 "deep_scale": 0.5})
    assert out[-1] == ""
    grads, stream, cosine = _valid(out[0]), _valid(out[2]), _valid(out[4])
    assert [t.name for t in grads.data] == ["plain: weights ‖∂L/∂W‖", "residual: weights ‖∂L/∂W‖",
                                            "plain: input ‖∂L/∂h‖", "residual: input ‖∂L/∂h‖"]
    assert len(grads.data[0].y) == 12
    # at 0.5 × He without normalization the weight gradients are level, the backward signal falls toward block 1
    w, sig = grads.data[0].y, grads.data[2].y
    assert 0.3 < w[0] / w[-1] < 3 and sig[0] / sig[-1] < 1e-2
    assert "the backward signal at its blocks' inputs" in out[1]
    assert [t.name for t in cosine.data] == ["plain", "residual"] and len(cosine.data[0].y) == 12
    assert "0.00 for the standardized pixels" in out[5]
    assert "maps nearly every digit onto one direction" in out[5]
    assert [t.name for t in stream.data] == ["plain", "residual", "plain, predicted", "residual, predicted"]
    assert "Untrained, 12 blocks, no normalization, weights at 0.5 × He" in out[1]
    assert "−3.6 decades" in out[3].replace("-", "−")  # 12 · log10(0.5): the plain stream's prediction


def _fake_run(depth, residual, norm, scale, opt, epochs, seed, progress=None):
    acc = 0.95 if residual or depth < 50 else 0.2
    g = np.tile(np.geomspace(10.0, 0.1, depth), (epochs + 1, 1)) if not residual else np.ones((epochs + 1, depth))
    if progress:
        progress(epochs, epochs)
    return deep.Run(depth, residual, np.geomspace(2.3, 0.05 if acc > 0.5 else 2.0, epochs + 1),
                    np.full(epochs + 1, acc), g, acc, "")


def test_the_train_view_draws_six_curves_two_heatmaps_and_the_table(monkeypatch):
    monkeypatch.setattr(deep, "run", _fake_run)
    seen = []
    out = deep_networks_train.TRAIN_SECTION.view({**page.SPEC.defaults(), "deep_epochs": 5, "deep_show": "20"},
                                                 progress=lambda d, t: seen.append((d, t)))
    curves, heat = _valid(out[0]), _valid(out[2])
    assert len(curves.data) == 6 and [t.type for t in heat.data] == ["heatmap", "heatmap"]
    assert len(heat.data[0].y) == 20 and len(heat.data[0].x) == 6
    assert "50 blocks: plain 20.0% test accuracy, residual 95.0% test accuracy" in out[1]
    assert "the plain network trains at 5 and 20 blocks; the residual network trains at 5, 20 and 50 blocks" in out[1]
    assert "× 100 the last block's before training" in out[3]  # 10 / 0.1, the fake's plain gradients
    assert "20.0%" in tree.text(out[4]) and seen[-1] == (2 * 75 * 5, 2 * 75 * 5)


def test_the_ladder_view_finds_where_the_plain_network_stops(monkeypatch):
    monkeypatch.setattr(deep, "run", _fake_run)
    out = deep_networks_ladder.LADDER_SECTION.view({**page.SPEC.defaults(), "deep_epochs": 5})
    fig = _valid(out[0])
    assert list(fig.data[0].x) == list(deep.LADDER) and fig.data[0].y[-1] == pytest.approx(20.0)
    assert "the plain network trains up to 40 blocks, the residual one up to 50 blocks" in out[1]
    assert "the plain one first falls short at 50 blocks (20.0%)" in out[1]


@pytest.mark.parametrize(("section", "values", "fragment"), [
    (deep_networks_init.INIT_SECTION, {"deep_depth": 80}, "deep_depth must be between 2 and 50 blocks; got 80."),
    (deep_networks_init.INIT_SECTION, {"deep_scale": "big"}, "deep_scale must be a number"),
    (deep_networks_train.TRAIN_SECTION, {"deep_opt": "lbfgs"}, "deep_opt must be one of momentum, adam"),
    (deep_networks_train.TRAIN_SECTION, {"deep_show": "7"}, "deep_show must be one of 5, 20, 50"),
    (deep_networks_ladder.LADDER_SECTION, {"deep_epochs": 40}, "deep_epochs must be between 5 and 30"),
])
def test_bad_values_become_sentences(section, values, fragment):
    out = section.view({**page.SPEC.defaults(), **values})
    assert fragment in out[-1] and fragment in out[1]


def test_a_bad_link_is_named_and_the_page_opens_on_the_default():
    values, messages = page.SPEC.parse_query("deep_depth=500&deep_norm=group&deep_epochs=10")
    assert values["deep_depth"] == 50 and values["deep_norm"] == "batch" and values["deep_epochs"] == 10
    text = " ".join(messages)
    assert "deep_depth must be between 2 and 50" in text and "deep_norm must be one of" in text


def test_the_questions_answer_from_the_library():
    qs = questions(page)
    assert 3 <= len(qs) <= 5
    values = {q.key: q.answer() for q in qs if isinstance(q, Value)}
    assert values["deep-residual-growth"] == 2.0 and values["deep-plain-decades"] == pytest.approx(6.0)
    assert values["deep-bn-ratio"] > 100
    assert values["deep-collapse"] == pytest.approx(0.96, abs=0.02)  # 0.956 here: on the rounding edge
    assert any(isinstance(q, Pick) for q in qs)
    titles = tree.text(page.layout(page.SPEC.defaults(), []))
    assert all(q.section in titles for q in qs)
