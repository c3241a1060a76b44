"""/preprocessing callbacks as plain functions: figures and measured numbers for good input, sentences for bad."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import preprocessing
from neuralab.data.motor import demo_trace
from neuralab.signal import bench_log, outliers, smooth
from tests.app import tree


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


# Each section's answer for parameter values, in the order the old view functions took them.
def smoothing_view(window, order, causal, seed):
    return preprocessing.SMOOTH.view(dict(window=window, order=order, causal=causal, seed=seed))


def sweep_view(window, order, causal, seed):
    return preprocessing.SWEEP.view(dict(window=window, order=order, causal=causal, seed=seed))


def outlier_view(threshold, contamination, detector, action, seed):
    return preprocessing.OUTLIER.view(dict(threshold=threshold, contamination=contamination, detector=detector,
                                           action=action, seed=seed))


def breakdown_view(threshold, seed):
    return preprocessing.BREAKDOWN.view(dict(mask_threshold=threshold, seed=seed))


def regime_view(n_bins, binning, seed):
    return preprocessing.REGIME.view(dict(n_bins=n_bins, binning=binning, seed=seed))


def validation_view(n_bins, binning, seed):
    return preprocessing.VALIDATION.view(dict(n_bins=n_bins, binning=binning, seed=seed))


def alias_view(factor, tone_hz):
    return preprocessing.ALIAS.view(dict(factor=factor, tone_hz=tone_hz))


def leak_view(split_frac, inputs, seed):
    return preprocessing.LEAK.view(dict(split_frac=split_frac, inputs=inputs, seed=seed))


def _figures(out) -> list:
    return [x for x in out if isinstance(x, go.Figure)]


def test_layout_has_every_control_and_output():
    ids = tree.ids(preprocessing.layout(preprocessing.SPEC.defaults(), []))
    for name in preprocessing.SPEC.fields:  # the URL sync reads each of these
        assert f"preprocessing-{name}" in ids
    for graph in ("smooth", "sweep", "response", "outliers", "breakdown", "regimes", "grid", "validation", "alias",
                  "leak"):
        assert isinstance(ids[f"preprocessing-{graph}"], dcc.Graph) and f"preprocessing-{graph}-summary" in ids
    assert ids["preprocessing-window"].updatemode == "drag"
    assert ids["preprocessing-threshold"].updatemode == "mouseup"  # isolation forest is too slow to follow a drag
    assert ids["preprocessing-n_bins"].updatemode == "mouseup"  # the fast view follows drag_value instead
    assert "preprocessing-resample" in ids


@pytest.mark.parametrize(("detector", "idle"), [("zscore", {"contamination"}), ("iqr", {"threshold", "contamination"}),
                                                ("hampel", {"contamination"}), ("iforest", {"threshold"}),
                                                ("lof", {"threshold"}), ("model", {"contamination"})])
def test_a_control_the_detector_ignores_starts_disabled_with_its_reason(detector, idle):
    values = {**preprocessing.SPEC.defaults(), "detector": detector}
    ids = tree.ids(preprocessing.layout(values, []))
    for name in ("threshold", "contamination"):
        why = ids[f"preprocessing-{name}-why"].children
        assert ids[f"preprocessing-{name}"].disabled is (name in idle)
        assert ("nl-idle" in ids[f"preprocessing-{name}-control"].className) is (name in idle)
        assert (why == preprocessing.SPEC.idle(values)[name]) if name in idle else why == ""
    assert getattr(ids["preprocessing-mask_threshold"], "disabled", None) is None  # the breakdown chart: always live
    assert ids["preprocessing-n_bins"].disabled is False
    domain = tree.ids(preprocessing.layout({**values, "binning": "domain"}, []))
    assert domain["preprocessing-n_bins"].disabled is True
    why_domain = domain["preprocessing-n_bins-why"].children
    assert "cut at 20, 40, 60, 80, 100 and 120 °C, which always gives 5 bins" in why_domain
    # IQR ignores τ too: its reason says what IQR judges by instead (fixed fences), and what the other two use
    iqr = preprocessing.SPEC.idle({**values, "detector": "iqr"})["threshold"]
    assert "IQR uses fixed fences 1.5 IQR beyond the quartiles" in iqr and "contamination share" in iqr


def test_page_fields_share_the_library_declarations():
    fields = preprocessing.SPEC.fields
    assert fields["window"] is smooth.WINDOW and fields["threshold"] is outliers.THRESHOLD


def test_smoothing_reports_the_measured_errors():
    fig, text, resp, resp_text, alert = smoothing_view(15, 3, "centred", 0)
    tr = demo_trace(0, False)
    c = smooth.compare(tr.noisy, tr.clean, 15, 3)
    assert alert == "" and f"{c.rms_savgol:.2f} A for Savitzky–Golay" in text
    assert f"{c.rms_moving_average:.2f} A for the moving average" in text
    assert "−3 dB cutoff is" in resp_text
    causal = smoothing_view(15, 3, "causal", 0)
    assert causal[1] != text and "Causal" in causal[1] and "noise at those frequencies is amplified" in causal[3]
    assert "Savitzky–Golay passes 0.67 and the moving average 0.07" in causal[3]
    assert "Savitzky–Golay passes 0.15 and the moving average 0.07" in resp_text


def test_sweep_follows_the_window_and_names_the_crossover():
    fig, text = sweep_view(15, 3, "centred", 0)
    sweep = smooth.trace_sweep(3, "centred", 0)
    assert sweep.windows[0] == 5 and sweep.windows[-1] == 51
    assert f"from a window of {sweep.crossover} samples up" in text
    assert sweep_view(21, 3, "centred", 0)[0].layout.shapes[0].x0 == 21


@pytest.mark.parametrize("method", list(outliers.DETECTORS))
@pytest.mark.parametrize("action", list(outliers.ACTIONS))
def test_outliers_every_detector_and_action(method, action):
    fig, text, notes, alert = outlier_view(3.0, 0.05, method, action, 0)
    assert alert == "" and isinstance(fig, go.Figure)
    assert "precision" in text and "recall" in text and outliers.ACTIONS[action] in tree.text(notes)


def test_outlier_numbers_match_the_library():
    tr = demo_trace(0, True)
    mask = outliers.zscore(tr.noisy, 2.0)
    s = outliers.score(mask, tr.glitch_kind == 1)
    text = outlier_view(2.0, 0.05, "zscore", "remove", 0)[1]
    assert f"flags {mask.sum()} of 2,000" in text and f"precision {s.precision:.0%}" in text
    assert f"{2000 - mask.sum():,} of 2,000 samples are kept" in text


def test_breakdown_recalls():
    fig, text, alert = breakdown_view(3.0, 0)
    b = outliers.breakdown_demo(threshold=3.0, seed=0)
    assert alert == ""
    assert b.zscore.recall < 0.5 < b.hampel.recall  # the lesson holds at the defaults
    assert f"finds {b.zscore.recall:.0%} of them, Hampel {b.hampel.recall:.0%}" in text


@pytest.mark.parametrize("binning", ["equal_width", "quantile", "kmeans", "domain"])
def test_regimes_and_validation(binning):
    fig, text, alert = regime_view(4, binning, 0)
    assert alert == "" and "current per N·m" in text
    grid, grid_text, val, val_text, alert = validation_view(4, binning, 0)
    assert alert == "" and "Overall RMSE" in grid_text and "held out in turn" in val_text
    n_bins = len(bench_log.bench_edges(4, binning, 0)) - 1
    assert len(grid.data[0].y) == n_bins and n_bins == (5 if binning == "domain" else 4)


def test_regime_view_follows_the_drag():
    dragged = preprocessing.update_regimes(7, 4, "quantile", 0)[1]
    settled = preprocessing.update_regimes(None, 4, "quantile", 0)[1]
    assert dragged.startswith("7 bins") and settled.startswith("4 bins")


def test_hot_windows_need_more_current_and_a_blind_model_errs_by_regime():
    text = regime_view(4, "equal_width", 0)[1]
    assert "hottest bin needs +" in text
    rows = validation_view(4, "equal_width", 0)[0].data[0].z
    assert rows[-1].mean() > rows[0].mean()  # hot windows over-estimated relative to cool ones


def test_alias_and_leak():
    fig, text, alert = alias_view(4, 3300)
    assert alert == "" and "to 800 Hz (predicted 800 Hz)" in text
    fig, text, alert = leak_view(0.5, "saturate", 0)
    assert alert == "" and "flatters the model" in text


def test_new_signal_increments_and_wraps_the_seed():
    assert preprocessing.new_signal(1, 4) == 5
    assert preprocessing.new_signal(1, 9999) == 0
    assert preprocessing.new_signal(1, "junk") == 1


@pytest.mark.parametrize(
    ("view", "args", "fragment"),
    [
        (smoothing_view, (4, 3, "centred", 0), "window must be between 5 and 51"),
        (smoothing_view, (16, 3, "centred", 0), "window must be 5 plus a multiple of 2"),
        (smoothing_view, (5, 5, "centred", 0), "order must be below window"),
        (smoothing_view, (15, 3, "sideways", 0), "causal must be one of centred, causal"),
        (smoothing_view, (15, 3, "centred", -1), "seed must be between 0 and 9999"),
        (sweep_view, (15, "3; DROP", "centred", 0), "order must be a whole number"),
        (outlier_view, (9.0, 0.05, "zscore", "flag", 0), "threshold must be between 1 and 6"),
        (outlier_view, (3.0, 0.9, "iforest", "flag", 0), "contamination must be between 0.01 and 0.3"),
        (outlier_view, (3.0, 0.05, "magic", "flag", 0), "detector must be one of"),
        (outlier_view, (3.0, 0.05, "zscore", None, 0), "action must be one of"),
        (breakdown_view, (float("nan"), 0), "threshold must be a finite number"),
        (regime_view, (11, "kmeans", 0), "n_bins must be between 2 and 10"),
        (validation_view, (4, "random", 0), "binning must be one of"),
        (alias_view, (1, 3300), "factor must be between 2 and 13"),
        (alias_view, (4, 6000), "tone_hz must be between 100 and 4900"),
        (leak_view, (0.95, "saturate", 0), "split_frac must be between 0.5 and 0.9"),
        (leak_view, (0.5, "nope", 0), "inputs must be one of"),
    ],
)
def test_bad_input_is_a_sentence_naming_the_parameter(view, args, fragment):
    out = view(*args)
    assert isinstance(out[0], go.Figure)
    assert fragment in out[1] and fragment in out[-1]


def test_string_values_from_a_request_are_coerced():
    assert smoothing_view("21", "2", "centred", "3")[-1] == ""
    assert outlier_view("2.5", "0.1", "hampel", "impute", "3")[-1] == ""
    # the registered callbacks take the widgets' values in the spec's field order
    assert preprocessing.update_smoothing("21", "2", "centred", "3")[-1] == ""
    assert preprocessing.update_outliers("hampel", "2.5", "0.1", "impute", "3")[-1] == ""
