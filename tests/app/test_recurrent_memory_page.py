"""/recurrent's memory part: on the page, its views as plain functions (stand-in runs), bad values as sentences."""

import numpy as np
import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import recurrent, recurrent_memory
from neuralab.nn.recurrent import RECURRENT
from neuralab.plots import recurrent_memory as figures
from neuralab.train import memory
from neuralab.train.sequence import SeqHistory
from tests.app import tree


def _runs(length, seed=0, progress=None):
    mse = {"rnn": 0.17, "lstm": 0.02, "gru": 0.001}
    return {k: memory.MemoryRun(k, length, seed, (0.5, 0.2, mse[k]), mse[k], 0.5, "",
                                tuple(float(0.9**i) for i in range(length))) for k in RECURRENT}


@pytest.fixture()
def fake(monkeypatch):
    monkeypatch.setattr(memory, "at_length", _runs)
    h_off = SeqHistory(val_loss=[1.0], grad_norm=[5.0, 80.0], diverged="Training diverged at update 1 (epoch 1).",
                       diverged_step=1)
    h_on = SeqHistory(val_loss=[1.0, 0.3, 0.2], grad_norm=[5.0, 8.0, 3.0, 2.0])
    monkeypatch.setattr(memory, "_clipping", lambda r, c, progress=None: memory.Clipped(r, c, 0.1, h_off, h_on))


def test_the_part_is_on_the_page_with_its_controls_and_graphs():
    assert recurrent_memory in recurrent.PARTS
    ids = tree.ids(recurrent.layout(recurrent.SPEC.defaults(), []))
    for name in recurrent_memory.SPEC.fields:
        assert f"recurrent-{name}" in ids
    for graph in ("memory-curves", "memory-grad", "memory-sweep", "gradients", "clipping"):
        assert isinstance(ids[f"recurrent-{graph}"], dcc.Graph)
    for s in recurrent_memory.SECTIONS:
        assert s in recurrent.SECTIONS and f"recurrent-{s.key}-alert" in ids


def test_the_task_view_draws_curves_and_gradients_with_the_verdicts(fake):
    out = recurrent_memory.MEMORY_SECTION.view({"memory_length": 30, "memory_seed": 2})
    assert isinstance(out[0], go.Figure) and isinstance(out[2], go.Figure) and out[-1] == ""
    assert "T = 30, seed 2" in out[1] and "vanilla RNN 0.17 (not better than chance" in out[1]
    assert "GRU 0.001 (learned" in out[1]
    assert "vanilla RNN 4.7e-02" in out[3]  # 0.9^29 of the last step's gradient reaches the first step


def test_the_sweep_names_the_largest_length_each_cell_learned(fake):
    out = recurrent_memory.SWEEP_SECTION.view({"memory_seed": 0})
    assert "vanilla RNN none of them" in out[1] and "GRU 160" in out[1] and "LSTM 160" in out[1]


def test_the_gradient_view_is_light_and_follows_the_radius():
    a = recurrent_memory.GRADIENTS_SECTION.view({"memory_radius": 0.6})
    b = recurrent_memory.GRADIENTS_SECTION.view({"memory_radius": 2.4})
    assert not recurrent_memory.GRADIENTS_SECTION.job
    assert "spectral radius 0.6" in a[1] and "spectral radius 2.4" in b[1]
    assert a[0].data[0].y != b[0].data[0].y and a[0].data[2].y == b[0].data[2].y  # the GRU stays put


def test_the_clipping_view_shows_the_divergence_as_a_sentence(fake):
    out = recurrent_memory.CLIPPING_SECTION.view({"memory_radius": 2.0, "memory_clip": 1.5})
    assert "Training diverged at update 1" in out[1] and "Clipped at 1.5" in out[1] and out[-1] == ""
    assert any(t.name == "diverged here" for t in out[0].data)


@pytest.mark.parametrize(("section", "values", "fragment"), [
    ("MEMORY_SECTION", {"memory_length": 3}, "memory_length must be between 5 and 200"),
    ("MEMORY_SECTION", {"memory_seed": "x"}, "memory_seed must be"),
    ("GRADIENTS_SECTION", {"memory_radius": 9}, "memory_radius must be between 0.5 and 3"),
    ("CLIPPING_SECTION", {"memory_clip": 0}, "memory_clip must be between 0.1 and 10"),
])
def test_bad_values_become_sentences(fake, section, values, fragment):
    s = getattr(recurrent_memory, section)
    out = s.view({**recurrent_memory.SPEC.defaults(), **values})
    assert fragment in out[-1] and len(out) == len(s.outputs())


def test_every_figure_validates_as_plotly(fake):
    runs = _runs(20)
    sweep = memory.Sweep((5, 10), {k: (0.01, 0.2) for k in RECURRENT}, 0)
    for fig in (figures.curves_figure(runs), figures.trained_gradients_figure(runs), figures.sweep_figure(sweep),
                figures.profiles_figure(memory.gradient_profiles(1.0)),
                figures.clip_figure(memory._clipping(2.0, 1.0))):
        go.Figure(fig.to_dict())
    assert np.isfinite(figures._decay(np.array([1.0, 0.5, 0.25]), 0, 2))
