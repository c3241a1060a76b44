"""Figures of /som from small real fits: every builder valid for plotly, the numbers where they belong."""

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab.plots import som as figures
from neuralab.train import som


@pytest.fixture(scope="module")
def motor():
    return som.train("motor", 3, 4, 1, 0.5, 1.5, 0)


@pytest.fixture(scope="module")
def digits():
    return som.train("digits", 3, 3, 1, 0.5, 1.5, 0)


def _valid(fig):
    return go.Figure(fig.to_dict())  # re-validated, as figure() skips plotly's checks


def test_the_u_matrix_is_the_map_s_with_hits_or_digits_written_in(motor, digits):
    fig = _valid(figures.umatrix_figure(motor))
    assert np.allclose(np.array(fig.data[0].z), motor.u, atol=1e-4)
    assert fig.data[0].text[0][0] == str(motor.hits[0, 0])
    assert "(z-units)" in fig.data[0].colorbar.title.text
    d = _valid(figures.umatrix_figure(digits))
    assert all(t in "0123456789·" for row in d.data[0].text for t in row)
    assert "held-out digits" in figures.describe_umatrix(digits) and "U-matrix of the 3 × 4" in \
        figures.describe_umatrix(motor)
    ratio = f"{motor.qe_test / motor.qe_train:.1f} times the training QE"
    assert ratio in figures.describe_umatrix(motor)


def test_the_unfolding_draws_the_grid_of_the_snapshot_asked_for(motor):
    for k in (0, len(motor.fit.steps) - 1):
        fig = _valid(figures.unfolding_figure(motor, k))
        grid = fig.data[1]
        xs = [x for x in grid.x if x is not None]
        assert len(xs) == 2 * 3 * 4  # every unit twice: once on its row line, once on its column line
        assert xs[:4] == pytest.approx(motor.snap_xy[k, 0, :, 0].tolist(), rel=1e-3)
    assert figures.unfolding_figure(motor, 0).data[1].x != figures.unfolding_figure(motor, 5).data[1].x
    assert f"Snapshot 1 of {len(motor.fit.steps)}: step 0" in figures.describe_unfolding(motor, 0)
    assert "speed against torque" in figures.describe_unfolding(motor)


def test_the_curves_mark_the_snapshot_and_quote_the_whole_fit(motor):
    fig = _valid(figures.curves_figure(motor, 3))
    marks = [t for t in fig.data if t.hoverinfo == "skip"]
    assert [m.x[0] for m in marks] == [motor.fit.steps[3]] * 4
    assert marks[0].y[0] == pytest.approx(motor.fit.qe[3])
    text = figures.describe_curves(motor)
    assert figures.num(motor.kmeans_qe) in text and "decay exponentially" in text


def test_component_planes_are_one_per_motor_feature_in_its_units_and_a_mosaic_for_digits(motor, digits):
    fig = _valid(figures.planes_figure(motor))
    assert len(fig.data) == 4
    assert np.allclose(np.array(fig.data[0].z), motor.data.physical(motor.fit.weights)[..., 0], atol=1e-3)
    assert "torque and q-axis current i_q correlate at 0.9" in figures.describe_planes(motor)
    assert fig.layout.annotations[2].text == "q-axis current i_q (A peak)"
    d = _valid(figures.planes_figure(digits))
    z = np.array(d.data[0].z, dtype=float)
    assert z.shape == (3 * 9 - 1, 3 * 9 - 1)
    assert np.nanmax(z) <= 1 and np.isnan(z[8]).all()  # a blank row between the rows of images, pixels 0–1
    assert np.allclose(z[:8, :8], digits.fit.weights[0, 0].reshape(8, 8), atol=1e-3)


def test_the_metric_table_reports_both_errors_and_the_classifier_only_for_digits(motor, digits):
    assert len(figures.metric_rows(motor)) == 5 and len(figures.metric_rows(digits)) == 6
    per_unit = f"({motor.fit.total_steps / 12:,.0f} per unit)"
    assert per_unit in figures.metric_rows(motor)[-1][1]
    assert figures.metric_rows(digits)[3][2] == figures.pct(digits.accuracy)


def test_the_sweep_figure_and_caption():
    s = som.Sweep("motor", np.array([2, 4]), np.array([1.0, 0.5]), np.array([1.1, 0.7]), np.array([0.0, 0.02]),
                  np.array([0.0, 0.05]), np.array([0.9, 0.3]), np.array([np.nan, np.nan]), 150)
    fig = _valid(figures.sweep_figure(s))
    assert list(fig.data[0].x) == [4, 16] and len(fig.data) == 5
    text = figures.describe_sweep(s)
    assert "QE falls from 1 to 0.5" in text and "lowest, 0.7, at 4 × 4" in text and "classifier" not in text
    assert "moves the held-out TE by 0.67 points" in text and "from 4 × 4 up" in text
    assert "z-units" in fig.layout.yaxis.title.text
