"""Feedforward figures: plotly accepts them and they carry the library's numbers."""

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from neuralab.nn import activations, teaching
from neuralab.nn.teaching import GRADIENTS, WORKED
from neuralab.plots import feedforward as figures
from neuralab.train import stepwise

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def worked():
    return teaching.worked_check(**WORKED.defaults())


def test_network_figure_tags_every_layer_for_the_animation():
    a = stepwise.activations(3, 0)
    f = figures.network_figure(a)
    go.Figure(f.to_dict())
    nodes = [t for t in f.data if t.meta and t.meta["kind"] == "node"]
    edges = [t for t in f.data if t.meta and t.meta["kind"] == "edge"]
    assert [n.meta["layer"] for n in nodes] == [0, 1, 2, 3]
    assert [len(n.x) for n in nodes] == list(stepwise.ARCH)
    assert {e.meta["layer"] for e in edges} == {1, 2, 3}
    assert nodes[-1].meta["values"] == pytest.approx(a.probs.tolist())  # output drawn as probabilities
    assert min(nodes[1].meta["values"]) == 0 and max(nodes[1].meta["values"]) == 1
    text = figures.describe_network(a)
    assert f"answers {a.predicted} with p = {a.probs[a.predicted]:.3f}" in text


def test_worked_figure_and_rows_show_the_computed_values(worked):
    f = figures.worked_figure(worked)
    go.Figure(f.to_dict())
    notes = " ".join(n.text for n in f.layout.annotations)
    assert f"L = {worked.bp.forward.loss:.4f}" in notes and "(off)" in notes
    rows = dict((r[0], r[2]) for r in figures.worked_rows(worked))
    assert rows["ŷ"] == f"{worked.bp.forward.yhat[0, 0]:.4f}" and rows["a₁[2]"] == "0.0000"
    assert "passes nothing on" in figures.describe_worked(worked)
    formulas = dict((r[0], r[1]) for r in figures.worked_rows(worked))
    # written as by hand: negative factors in brackets, the bias's sign as the operator, no "+ -"
    assert formulas["z₁[1]"] == "0.60·1.00 + (−0.40)·0.50 + (−0.50)·(−1.00) + 0.10"
    assert formulas["z₁[2]"].endswith(" − 0.10") and "+ -" not in " ".join(formulas.values())
    assert formulas["ŷ"] == f"1 / (1 + exp({-worked.bp.forward.z2[0, 0]:.4f}))".replace("-", "−")


def test_backprop_rows_and_check_figure(worked):
    rows = figures.backprop_rows(worked)
    assert [r[0] for r in rows] == [g[1] for g in GRADIENTS]
    assert rows[0][1].startswith("(ŷ − y)")  # the sigmoid form of ∂L/∂ŷ for the worked example
    f = figures.check_figure(worked)
    go.Figure(f.to_dict())
    assert len(f.data) == 2 and all(v >= figures.FLOOR for t in f.data for v in t.y)
    digits = teaching.digits_check(8, 6, 0)
    assert "softmax" not in figures.backprop_rows(digits)[0][1] and figures.backprop_rows(digits)[0][1].startswith("−y")
    assert "from finite differences by at most" in figures.describe_check(digits)


def test_activation_figure_shades_dead_and_saturated_stretches():
    c = activations.curve("relu", 4.0, 0.01, 401)
    f = figures.activation_figure(c)
    go.Figure(f.to_dict())
    assert len(f.layout.shapes) == 1 and f.layout.shapes[0].x1 < 0  # the dead half, z < 0
    s = activations.curve("sigmoid", 8.0, 0.01, 401)
    assert len(figures.activation_figure(s).layout.shapes) == 2  # both tails saturated
    assert np.allclose(figures.activation_figure(s).data[1].y, s.df)
    assert "0% is dead" in figures.describe_activation(s)
    rows = figures.activation_rows(activations.summary_table(6.0, 0.01, 401))
    assert [r[0] for r in rows][:2] == ["ReLU", "Leaky ReLU"] and rows[0][-1] == "50%"
