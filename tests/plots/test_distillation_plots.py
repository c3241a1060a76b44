"""Distillation figures: they draw the library's numbers, and plotly accepts them."""

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from neuralab.compress import distill
from neuralab.plots import distillation as figures

torch.set_num_threads(1)


def test_soft_figure_shows_the_digit_and_both_distributions():
    s = distill.soft_targets(5.0, 8)
    f = figures.soft_figure(s)
    go.Figure(f.to_dict())
    assert np.array(f.data[0].z).shape == (8, 8)
    np.testing.assert_allclose(f.data[1].y, s.teacher_t1)
    np.testing.assert_allclose(f.data[2].y, s.teacher_t)
    text = figures.describe_soft(s)
    assert "T = 5" in text and "bits" in text


def test_gradient_figure_marks_the_temperature():
    g = distill.gradient_scale()
    f = figures.gradient_figure(g, 4.0)
    go.Figure(f.to_dict())
    np.testing.assert_allclose(f.data[1].y, g.scaled)
    assert f.layout.shapes[-1].x0 == 4.0
    assert "T = 4" in figures.describe_gradient(g, 4.0)


def test_compare_figure_pairs_seeds_and_reports_mean_and_std():
    c = distill.compare(4.0, 0.5, n_seeds=2)
    f = figures.compare_figure(c)
    go.Figure(f.to_dict())
    paired = [t for t in f.data if t.mode == "lines"]
    assert len(paired) == 2
    means = [t for t in f.data if t.error_y and t.error_y.array is not None]
    assert means[0].y[0] == pytest.approx(100 * c.hard.mean())
    text = figures.describe_compare(c)
    assert "±" in text and f"{100 * c.teacher:.1f}%" in text
