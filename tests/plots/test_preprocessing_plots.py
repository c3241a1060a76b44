"""Figure builders for /preprocessing: the figure shows the numbers the library computed."""

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab.data.motor import current_trace, motor_log, motor_windows
from neuralab.plots import preprocessing as figures
from neuralab.signal import normalize, outliers, regime_cv, regimes, sampling, smooth
from neuralab.signal.smooth import WindowSweep


@pytest.fixture(scope="module")
def tr():
    return current_trace(seed=0)


@pytest.fixture(scope="module")
def win():
    return motor_windows(motor_log(seed=0))


def test_smoothing_figure_draws_the_filters_outputs(tr):
    c = smooth.compare(tr.noisy, tr.clean, 21, 3)
    fig = figures.smoothing_figure(tr, c, 0.02)
    np.testing.assert_allclose(fig.data[2].y, c.moving_average.y)
    np.testing.assert_allclose(fig.data[3].y, c.savgol.y)
    text = figures.describe_smoothing(c, tr.fs)
    assert f"{c.rms_savgol:.2f} A for Savitzky–Golay" in text and "21 samples (2.1 ms)" in text


def test_sweep_crossover_is_where_sg_stays_ahead():
    s = WindowSweep(np.array([5, 7, 9, 11]), np.array([3.0, 1.0, 2.0, 0.5]), np.array([2.0, 2.0, 1.0, 1.0]), 4.0)
    assert s.crossover == 11  # ahead at 7, behind at 9, ahead from 11 on
    assert WindowSweep(s.windows, s.rms_moving_average + 1, s.rms_moving_average, 4.0).crossover is None
    assert "from a window of 11 samples up" in figures.describe_sweep(s, 3)


def test_response_marks_cutoffs_in_log_units():
    sg = smooth.frequency_response(15, 3, 10000, "savgol")
    ma = smooth.frequency_response(15, 3, 10000, "moving_average")
    fig = figures.response_figure(sg, ma, 50.0)
    xs = [shape.x0 for shape in fig.layout.shapes if shape.x0 == shape.x1]
    assert sg.cutoff_hz in xs and ma.cutoff_hz in xs  # shapes in Hz on the log axis
    labels = {a.text: a.x for a in fig.layout.annotations}
    assert labels[f"−3 dB at {sg.cutoff_hz:.0f} Hz"] == np.log10(sg.cutoff_hz)  # annotations in log10 units
    assert f"{sg.cutoff_hz:.0f} Hz for Savitzky–Golay" in figures.describe_response(sg, ma)


def test_outlier_figure_marks_flags_and_truth(tr):
    det = outliers.detect(tr.noisy, "hampel")
    cleaned = outliers.apply_action(tr.noisy, det.mask, "winsorize", det.lower, det.upper)
    s = outliers.score(det.mask, tr.glitch_kind == 1)
    fig = figures.outlier_figure(tr, det, cleaned)
    names = [d.name for d in fig.data]
    flagged = fig.data[names.index("Flagged")]
    assert len(flagged.x) == det.mask.sum()
    assert len(fig.data[names.index("True spike")].x) == (tr.glitch_kind == 1).sum()
    assert "Accepted band" in names and "After clipping" in names
    assert f"recall {s.recall:.0%}" in figures.describe_outliers(tr, det, cleaned, s)


def test_model_detector_has_no_band(tr):
    det = outliers.detect(tr.noisy, "lof")
    fig = figures.outlier_figure(tr, det, outliers.apply_action(tr.noisy, det.mask, "remove"))
    names = [d.name for d in fig.data]
    assert "Accepted band" not in names and "After removing" in names


def test_breakdown_figure_and_summary():
    b = outliers.breakdown_demo(threshold=3.0)
    fig = figures.breakdown_figure(b, 3.0)
    assert len(fig.data[1].x) == b.truth.sum()
    np.testing.assert_allclose(sorted(s.y0 for s in fig.layout.shapes), [b.mean - 3 * b.std, b.mean + 3 * b.std])
    text = figures.describe_breakdown(b, 3.0)
    assert f"Hampel {b.hampel.recall:.0%}" in text and f"finds {b.zscore.recall:.0%}" in text


def test_regime_figures(win):
    edges = regimes.bin_edges(win.temp_c, 4)
    labels = regimes.assign_bins(win.temp_c, edges)
    stats = regimes.bin_stats(win.current_per_torque, labels, edges)
    fig = figures.regime_figure(win, stats)
    np.testing.assert_allclose(fig.data[2].y, stats.mean)
    np.testing.assert_allclose(win.current_per_torque, win.i_amp / win.torque_nm)
    assert "4 bins holding" in figures.describe_regimes(stats)
    rv = regime_cv.regime_validation(win.X, win.y, labels, groups=win.cycle)
    s_edges = regimes.bin_edges(win.speed_rpm, 3)
    grid = regime_cv.regime_error_grid(win.y, rv.pred_random, labels, regimes.assign_bins(win.speed_rpm, s_edges), 4, 3)
    heat = figures.error_grid_figure(grid, edges, s_edges)
    np.testing.assert_allclose(heat.data[0].z, grid.bias)
    assert f"Overall RMSE {grid.overall_rmse:.2f}" in figures.describe_error_grid(grid, edges, s_edges)
    val = figures.validation_figure(rv, edges)
    np.testing.assert_allclose(val.data[2].y, rv.held_out)
    assert f"{rv.pooled[2]:.2f} N·m when each regime is held out" in figures.describe_validation(rv)


def test_alias_figure_marks_the_predicted_alias():
    d = sampling.alias_demo(10000, 4, 3300.0)
    fig = figures.alias_figure(d)
    assert d.alias_hz in [s.x0 for s in fig.layout.shapes]
    assert "to 800 Hz (predicted 800 Hz)" in figures.describe_alias(d)
    assert "does not fold" in figures.describe_alias(sampling.alias_demo(10000, 2, 1000.0))


def test_leak_figure(win):
    p = normalize.pipeline_leak(win.X_temp, win.y, win.t, 0.5)
    fig = figures.pipeline_leak_figure(p, win.t)
    np.testing.assert_allclose(fig.data[1].y, p.pred_leaky)
    np.testing.assert_allclose(fig.data[2].y, p.pred_honest)
    assert f"{p.honest_rmse:.3f}" in figures.describe_pipeline_leak(p, win.feature_names)


def test_every_builder_emits_a_valid_plotly_figure(tr, win):
    """Builders skip plotly's validation for speed; here it runs on their output."""
    c = smooth.compare(tr.noisy, tr.clean, 15, 3, causal=True)
    sg = smooth.frequency_response(15, 3, 10000, "savgol", causal=True)
    ma = smooth.frequency_response(15, 3, 10000, "moving_average")
    sweep = WindowSweep(np.array([5, 7]), np.array([1.0, 0.5]), np.array([0.8, 0.9]), 2.0)
    edges = regimes.bin_edges(win.temp_c, method="domain", domain_edges=regimes.TEMPERATURE_EDGES_C)
    labels = regimes.assign_bins(win.temp_c, edges)
    rv = regime_cv.regime_validation(win.X, win.y, labels)
    s_edges = regimes.bin_edges(win.speed_rpm, 4)
    grid = regime_cv.regime_error_grid(win.y, rv.pred_random, labels, regimes.assign_bins(win.speed_rpm, s_edges),
                                     len(edges) - 1, 4)
    figs = [figures.smoothing_figure(tr, c, 0.02), figures.sweep_figure(sweep, 7),
            figures.response_figure(sg, ma, 50.0),
            figures.breakdown_figure(outliers.breakdown_demo(), 3.0),
            figures.regime_figure(win, regimes.bin_stats(win.current_per_torque, labels, edges)),
            figures.error_grid_figure(grid, edges, s_edges), figures.validation_figure(rv, edges),
            figures.alias_figure(sampling.alias_demo()),
            figures.pipeline_leak_figure(normalize.pipeline_leak(win.X_temp, win.y, win.t), win.t)]
    for method in outliers.DETECTORS:
        det = outliers.detect(tr.noisy, method)
        for action in outliers.ACTIONS:
            figs.append(figures.outlier_figure(tr, det, outliers.apply_action(tr.noisy, det.mask, action, det.lower,
                                                                        det.upper)))
    for fig in figs:
        go.Figure(fig.to_dict())  # raises ValueError on any invalid property
