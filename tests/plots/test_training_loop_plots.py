"""Training-loop figures: one chart per step, each showing that step's real numbers."""

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from neuralab.plots import training_loop as figures
from neuralab.train import stepwise

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def states():
    per = stepwise.ticks_per_epoch(128, 1077)
    return [stepwise.state(128, "sgd", 0.1, 0, t) for t in range(5)] + [stepwise.state(128, "sgd", 0.1, 0, per - 1)]


def test_each_step_has_its_own_chart(states):
    titles = []
    for st in states:
        f = figures.step_figure(st)
        go.Figure(f.to_dict())
        titles.append(f.layout.title.text)
        go.Figure(figures.history_figure(st).to_dict())
    assert [t.split(":")[0] for t in titles] == [f"Step {k}" for k in range(1, 7)]


def test_charts_carry_the_numbers(states):
    s1, s2, s3, s4 = states[:4]
    assert np.allclose(figures.step_figure(s1).data[0].z, s1.probs)
    assert np.allclose(figures.step_figure(s2).data[0].y, s2.per_sample)
    assert np.allclose(figures.step_figure(s3).data[0].y, s3.grad_norms)
    assert np.allclose(figures.step_figure(s4).data[0].y, s4.update_norms)
    assert f"{s2.loss:.4f} nats" in figures.describe_step(s2)
    assert "lr 0.1" in figures.describe_step(s4)


def test_cards_follow_the_phase(states):
    statuses = [[c[2] for c in figures.step_cards(st)] for st in states]
    assert statuses[0] == ["now", "todo", "todo", "todo", "todo", "todo"]
    assert statuses[3] == ["done", "done", "done", "now", "todo", "todo"]
    assert statuses[5][-1] == "now"
    assert "every .grad is None" in figures.step_cards(states[4])[4][1]
    assert figures.position_text(states[5]).endswith("step 6 of 6: Validate")


def test_weight_rows_fill_after_the_step(states):
    assert all(r[2] == "" for r in figures.weight_rows(states[2]))
    rows = figures.weight_rows(states[3])
    assert all(r[2] != "" for r in rows)
    b, a, d = (float(x) for x in rows[0][1:])
    assert a - b == pytest.approx(d, abs=2e-6)
