"""Figures of the sensor task: one test cycle estimated, and the networks compared."""

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab.nn.recurrent import ARCHS
from neuralab.plots import recurrent_sensor as figures
from neuralab.train import compare, sensor
from tests.train.tiny_thermal import tiny_train


@pytest.fixture(scope="module")
def estimate():
    return sensor.estimate_cycle(3, "gru", train=tiny_train)


@pytest.fixture(scope="module")
def compared():
    return compare.compare(seeds=(0, 1), archs=("gru", "attention", "mlp"), train=tiny_train)


def test_cycle_figure_draws_inputs_truth_estimate_error_and_the_two_moments(estimate):
    fig = figures.cycle_figure(estimate)
    go.Figure(fig.to_dict())
    names = [t.name for t in fig.data]
    assert "true winding temperature" in names and "GRU estimate" in names
    assert "feedforward on 4 samples (no memory)" in names
    err = next(t for t in fig.data if t.name == "error")
    np.testing.assert_allclose(err.y, estimate.estimate_c - estimate.temp_c)
    twins = next(t for t in fig.data if t.name == "alike inputs, different temperature")
    assert list(twins.x) == [estimate.t_min[estimate.twins.a], estimate.t_min[estimate.twins.b]]


def test_cycle_caption_states_the_errors_and_the_moments(estimate):
    text = figures.describe_cycle(estimate)
    e, tw = estimate, estimate.twins
    assert f"Test cycle 3 (drive cycle {e.cycles_test[2]})" in text
    assert f"{e.temp_c[tw.a]:.1f} °C and {e.temp_c[tw.b]:.1f} °C" in text
    assert f"answers {e.baseline_c[tw.a]:.1f} °C" in text and "the GRU" in text


def test_the_window_network_alone_is_not_drawn_twice():
    e = sensor.estimate_cycle(1, "mlp", train=tiny_train)
    assert sum("Feedforward" in (t.name or "") or "feedforward" in (t.name or "")
               for t in figures.cycle_figure(e).data) == 1


def test_split_text_lists_every_cycle_once(estimate):
    text = figures.split_text(estimate)
    assert "test (7): " + ", ".join(map(str, estimate.cycles_test)) in text
    assert "Each of the 36 cycles is in exactly one part" in text


def test_compare_figure_one_point_per_network_on_both_panels(compared):
    fig = figures.compare_figure(compared)
    go.Figure(fig.to_dict())
    left = [t for t in fig.data if t.xaxis == "x"]
    right = [t for t in fig.data if t.xaxis == "x2"]
    assert len(left) == len(right) == 3
    assert [t.y[0] for t in left] == pytest.approx(list(compared.median("test_rmse_k")))
    assert [t.x[0] for t in right] == list(compared.macs)
    assert all(t.error_y.visible for t in left)  # two seeds: the spread is drawn


def test_compare_rows_and_caption(compared):
    rows = figures.compare_rows(compared)
    assert [r["network"] for r in rows] == [ARCHS[a].label for a in compared.archs]
    assert rows[0]["MACs per sample"] == f"{int(compared.macs[0]):,}"
    text = figures.describe_compare(compared)
    assert "median over 2 seeds" in text and "Most accurate" in text
    ratio = compared.macs[1] / compared.macs[0]
    assert f"{ratio:.1f}× the GRU's" in text
