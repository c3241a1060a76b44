"""/preprocessing: smoothing, outliers, operating regimes and the order of a leak-free pipeline, measured."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from dash import Input, Output, callback, html

from neuralab.app import ui
from neuralab.app.controls import alert, checked, cid, controls, live, reseed_button, wire, wire_reseed
from neuralab.data.motor import (
    CONSTANTS,
    CURRENT,
    MOTOR,
    WINDOWS,
    CurrentTrace,
    MotorWindows,
    current_trace,
    motor_log,
    motor_windows,
)
from neuralab.params import SEED, Choice, Float, ParamSpec
from neuralab.plots import preprocessing as fig
from neuralab.plots.theme import message_figure
from neuralab.signal import outliers, pipeline, regimes, smooth

P = "preprocessing"

CAUSAL = Choice(
    (("centred", "Centred (offline)"), ("causal", "Causal (real time)")),
    "centred",
    label="Window placement",
    help="Centred waits for (window − 1) / 2 future samples; causal uses the current and past samples only.",
)
DETECTOR = Choice(outliers.METHOD.options, "zscore", label="Detector")
TONE = Float(100.0, 4900.0, 3300.0, step=100.0, unit="Hz", label="Interfering tone",
             help="A high-frequency component, such as PWM ripple, in a signal sampled at 10 kHz.")
SPLIT = Float(0.5, 0.9, 0.5, step=0.05, label="Training share", help="The oldest windows train; the rest test.")

SMOOTHING = ParamSpec("smoothing", window=smooth.WINDOW, order=smooth.ORDER, causal=CAUSAL, seed=SEED,
                      rules=smooth.SAVGOL.rules[:1])
OUTLIERS = ParamSpec("outliers", detector=DETECTOR, threshold=outliers.THRESHOLD,
                     contamination=outliers.CONTAMINATION, action=outliers.ACTION, seed=SEED)
BREAKDOWN = ParamSpec("breakdown", threshold=outliers.THRESHOLD, seed=SEED)
REGIMES = ParamSpec("regimes", n_bins=regimes.N_BINS, binning=regimes.METHOD, seed=SEED)
ALIASING = ParamSpec("aliasing", factor=pipeline.FACTOR, tone_hz=TONE)
LEAK = ParamSpec("leak", split_frac=SPLIT, inputs=pipeline.INPUTS, seed=SEED)
SPEC = ParamSpec.merge(P, SMOOTHING, OUTLIERS, REGIMES, ALIASING, LEAK)

FS_ALIAS_HZ = 10_000  # raw rate of the aliasing demo
SPEED_BINS = 4  # speed axis of the error heatmap
F_ELECTRICAL_HZ = CONSTANTS.pole_pairs * CURRENT.fields["speed_rpm"].default / 60  # the trace's fundamental
NOISE_A = CURRENT.fields["noise_pct"].default / 100 * CONSTANTS.i_rated_a
_BD = outliers.BREAKDOWN.fields  # the breakdown demo runs at these defaults


# ----------------------------------------------------------------------------- data, generated once per seed


@lru_cache(maxsize=16)
def trace(seed: int, glitches: bool) -> CurrentTrace:
    """The demo current (2,000 samples at 10 kHz); without glitches for smoothing, as the pipeline orders."""
    return current_trace(seed=seed, glitch_rate=CURRENT.fields["glitch_rate"].default if glitches else 0.0)


BENCH_FS = 2000  # Hz


@lru_cache(maxsize=8)
def bench(seed: int) -> MotorWindows:
    """The bench log (12 drive cycles while the winding heats) cut into 50 ms windows.

    Logged at 2 kHz, above twice the 7th harmonic at rated speed (700 Hz): the same 240
    windows as at 10 kHz, built in about 7 ms instead of 40, so a new seed stays interactive.
    """
    return motor_windows(motor_log(seed=seed, fs=BENCH_FS))


@lru_cache(maxsize=32)
def window_sweep(order: int, causal: bool, seed: int) -> smooth.WindowSweep:
    """The window sweep of one signal, cached: a drag of the window slider only moves its marker."""
    tr = trace(seed, False)
    return smooth.window_sweep(tr.noisy, tr.clean, order, causal)


# ----------------------------------------------------------------------------- layout


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Signal conditioning",
                "Sensor data reach a model noisy, glitched and recorded under changing conditions. Every number "
                "below is measured on a simulated permanent-magnet motor whose true currents are known, so each "
                "cleaning step can be scored against the truth.",
                messages,
            ),
            ui.toolbar(
                controls(P, SPEC, values, ["seed"]),
                reseed_button(P, "New signal"),
                html.P("The seed draws the noise, the glitches and the bench log; every section uses it.",
                       className="nl-help"),
            ),
            _smoothing(values),
            _outliers(values),
            _regimes(values),
            _pipeline(values),
        ]
    )


def _smoothing(values: dict) -> html.Section:
    return ui.section(
        "Smoothing: Savitzky–Golay against the moving average",
        [
            ui.md(
                "The signal is one phase current of the motor at constant speed, a sine of "
                f"{F_ELECTRICAL_HZ:.0f} Hz with its 5th and 7th harmonics, and the load doubles halfway, so the "
                f"peaks have two true heights. Sensor noise has σ = {NOISE_A:.2f} A. Glitches are left out here: in "
                "the pipeline, outliers are handled *before* smoothing, because a filter smears a spike over its "
                "whole window.\n\n"
                "A **moving average** replaces each sample by the mean of its window. **Savitzky–Golay** fits a "
                "polynomial of the chosen order to the window by least squares and keeps the fit's value at the "
                "centre. For a fixed window and order that is a fixed weighted sum, an FIR filter, and the "
                "moving average is its order-0 case. A polynomial can bend with a peak, a mean cannot."
            ),
            ui.row(controls(P, SPEC, values, ["window", "order", "causal"], drag=True)),
            alert(cid(P, "smooth-alert")),
            ui.chart(cid(P, "smooth"), "Noisy current, both smoothers and the true current"),
            ui.md(
                "Peak heights are read where the true current peaks, as a share of the true peak, so a filter "
                "that delays the peak is charged for that too. Which filter has the lower RMS error depends on "
                "the window: a short Savitzky–Golay window fits its polynomial to few samples and passes more "
                "noise, while a moving average of the same length already removes noise without having to "
                "shave much off a peak. As the window grows the moving average starts flattening the sine and "
                "Savitzky–Golay takes the lead. The chart below measures where, on this signal."
            ),
            ui.chart(cid(P, "sweep"), "RMS error of both filters against the window length"),
            ui.md(
                "The same filters as gain against frequency, from their actual taps. The moving average cuts "
                "off lower and has deep notches; Savitzky–Golay keeps the pass band flat further up and rejects "
                "less above it. Switch to **causal**: the fit is now evaluated at the newest sample, the last "
                "point of its window, where a least-squares fit is least certain. The lag disappears, but more "
                "noise gets through: the summary gives the share of white noise's variance each filter passes, "
                "and the causal Savitzky–Golay gain rises above 0 dB in a band, where noise comes out larger "
                "than it went in. The causal moving average keeps its gain and pays with (window − 1) / 2 "
                "samples of delay instead."
            ),
            ui.chart(cid(P, "response"), "Gain of both filters against frequency with the −3 dB cutoffs"),
        ],
    )


def _outliers(values: dict) -> html.Section:
    return ui.section(
        "Outliers: detect, then decide what to do",
        [
            ui.md(
                "The same current, now with the glitches a real acquisition chain produces: isolated spikes, "
                "clusters of spikes, dropouts (runs of exact zeros) and stuck runs (one frame repeated). Circles "
                "mark the true spikes, squares the dropout and stuck samples, red dots what the detector flags. "
                "Precision is the share of flags that are real spikes; recall is the share of spikes flagged.\n\n"
                "The **z-score** and **IQR** fences are global: one band for the whole signal, wide enough for "
                "the sine's own swing. **Hampel** compares each sample with the median of its neighbours and "
                "scales by their median absolute deviation, so its band follows the waveform. "
                "**Isolation forest** and **LOF** do not use the threshold at all: they flag the *contamination* "
                "share of samples, whatever the data. Dropouts and stuck runs lie inside the normal range; no "
                "detector that looks at values alone sees them. Catch those with rules: a run of identical "
                "frames, or three phase currents that no longer sum to zero."
            ),
            ui.row(controls(P, SPEC, values, ["threshold", "contamination", "detector", "action"])),
            alert(cid(P, "outlier-alert")),
            ui.chart(cid(P, "outliers"), "Glitched current, accepted band, flagged samples and true glitches"),
            html.Ul(id=cid(P, "outlier-notes"), className="nl-notes"),
            ui.md(
                "**Why the z-score breaks down.** The mean and σ it judges by are computed with the outliers "
                "included. Add enough spikes and σ swells until the spikes no longer stand out by the threshold: "
                "they hide themselves. The median and MAD ignore up to half of the samples, so Hampel keeps "
                f"seeing them. Below, Gaussian noise of σ = 1 gets spikes {_BD['height'].default:g} σ high, "
                f"{_BD['share_pct'].default} for every 100 clean samples; the threshold slider above applies here too."
            ),
            ui.chart(cid(P, "breakdown"), "Spikes hidden from the z-score but found by Hampel"),
        ],
    )


def _regimes(values: dict) -> html.Section:
    edges = ", ".join(f"{e:g}" for e in regimes.TEMPERATURE_EDGES_C)
    return ui.section(
        "Operating regimes: bin by temperature",
        [
            ui.md(
                f"A bench log of the motor: {MOTOR.fields['cycles'].default} drive cycles of changing speed and "
                "torque while the winding heats from ambient to its limit, cut into windows of "
                f"{WINDOWS.fields['window_s'].default * 1000:g} ms. The magnets weaken as they heat (their flux "
                f"falls by {-CONSTANTS.alpha_psi_per_k * 100:g} % per kelvin), so the same torque takes more "
                "current when hot. "
                "Each point is one window's fundamental current divided by its torque; the dotted curve is the "
                "physics. Bin the windows by temperature and the per-bin means climb with it.\n\n"
                f"*Equal width* cuts the range evenly; *quantiles* give each bin the same count; *k-means* "
                f"follows clusters in the temperatures; *domain* uses fixed edges at {edges} °C and ignores the "
                "bin count."
            ),
            ui.row(controls(P, SPEC, values, ["n_bins", "binning"])),
            alert(cid(P, "regime-alert")),
            ui.chart(cid(P, "regimes"), "Current per newton-metre against temperature, per-bin mean ± 1σ"),
            ui.md(
                "Now a model that predicts torque from current and speed only, without the temperature: ridge "
                f"regression, scored by shuffled {regimes.REGIME_CV.fields['k'].default}-fold cross-validation. Its "
                "overall RMSE looks respectable. "
                "Split the same out-of-fold errors by temperature and speed, and the physics shows: it "
                "overestimates the torque of hot windows (red) and underestimates cool ones (blue), because it "
                "learned one average torque constant."
            ),
            alert(cid(P, "validation-alert")),
            ui.chart(cid(P, "grid"), "Mean torque error per temperature and speed cell, temperature not seen"),
            ui.md(
                "Three ways to validate the same model. Shuffled folds put every regime into training. "
                "Regime-stratified folds (cycles kept whole) make each fold a fair miniature of the data, but "
                "still train on every regime. Only **holding a regime out** asks what happens at a temperature "
                "the training data never covered. At the ends of the range the model must extrapolate; compare "
                "each regime's three bars."
            ),
            ui.chart(cid(P, "validation"), "RMSE per temperature regime under three validation schemes"),
        ],
    )


def _pipeline(values: dict) -> html.Section:
    return ui.section(
        "The pipeline, in order",
        [
            ui.md(
                "1. **Anti-alias filter, then decimate.** Dropping samples without low-pass filtering first "
                "folds everything above the new Nyquist frequency into the band, where nothing can remove it.\n"
                "2. **Remove DC and drift.** Subtract each window's mean or straight line, or high-pass with a "
                "very low cutoff.\n"
                "3. **Handle outliers.** Physical bounds first (an impossible reading is a fault, not data), "
                "then a robust detector, then flag, clip, impute or drop.\n"
                "4. **Smooth.** Savitzky–Golay when peak shape matters; a Kalman filter when you have a model "
                "of the plant.\n"
                "5. **Normalize.** z-score, min–max or robust scaling, with statistics from the training rows "
                "only.\n"
                "6. **Engineer features.** Clarke and Park transforms turn three AC phase currents into two "
                "nearly constant ones (i_d, i_q); FFT bins at the 1st, 5th and 7th electrical harmonics; "
                "envelopes and rolling statistics.\n"
                "7. **Label the regime.** Tag every window with its operating point (temperature, speed, load) "
                "for stratified and held-out-regime validation.\n\n"
                "**Aliasing, measured.** A wanted tone plus a half-amplitude interfering tone, sampled at "
                f"{FS_ALIAS_HZ:,} Hz, then reduced by the factor below: once by keeping every n-th sample, once "
                "with scipy's `decimate` (a Chebyshev low-pass run forwards and backwards, then the slice)."
            ),
            ui.row(controls(P, SPEC, values, ["factor", "tone_hz"], drag=True)),
            alert(cid(P, "alias-alert")),
            ui.chart(cid(P, "alias"), "Spectrum before decimation, and after it with and without the filter"),
            ui.md(
                "**Leakage through the scaler.** Predict torque from current, speed and temperature, with the "
                "windows in time order: the oldest train, the newest test. The winding heats over the log, so "
                "the test windows are hotter than anything in training. The inputs saturate at the range the "
                "scaler learned, as a fixed-point input scaled from calibration data would "
                "(`MinMaxScaler(clip=True)`). Fitted on *all* rows, the scaler has already seen the hot range; "
                "fitted on the training rows, it clips the hot temperatures the way the deployed system would. "
                "The honest number is the second one. With *pass through* and a linear model, the leak barely "
                "matters: ridge absorbs any shift and scale of a column."
            ),
            ui.row(controls(P, SPEC, values, ["split_frac", "inputs"], drag=True)),
            alert(cid(P, "leak-alert")),
            ui.chart(cid(P, "leak"), "Torque of the newest windows and both pipelines' predictions"),
            ui.code(
                "import numpy as np\n"
                "from sklearn.linear_model import Ridge\n"
                "from sklearn.model_selection import TimeSeriesSplit, cross_val_score\n"
                "from sklearn.pipeline import make_pipeline\n"
                "from sklearn.preprocessing import MinMaxScaler\n\n"
                "# X: (windows, features) = i_amp, speed_rpm, temp_c; y: torque; t: window time\n"
                "order = np.argsort(t)\n"
                "X, y = X[order], y[order]  # never shuffle a log\n"
                "model = make_pipeline(MinMaxScaler(clip=True), Ridge(alpha=1.0))\n"
                "n_train = len(y) // 2\n"
                "model.fit(X[:n_train], y[:n_train])  # the scaler learns from the past only\n"
                "rmse = np.sqrt(np.mean((model.predict(X[n_train:]) - y[n_train:]) ** 2))\n\n"
                "# several forward splits, the whole pipeline refitted on each training part\n"
                "scores = -cross_val_score(model, X, y, cv=TimeSeriesSplit(5), scoring=\"neg_root_mean_squared_error\")"
            ),
        ],
    )


# ----------------------------------------------------------------------------- smoothing (fast, follows drags)


def smoothing_view(window, order, causal, seed):
    """Signal figure, frequency response (each with its summary), and the alert."""
    raw = dict(window=window, order=order, causal=causal, seed=seed)

    def run(v):
        tr, is_causal = trace(v["seed"], False), v["causal"] == "causal"
        comp = smooth.compare(tr.noisy, tr.clean, v["window"], v["order"], is_causal)
        sg = smooth.frequency_response(v["window"], v["order"], tr.fs, "savgol", causal=is_causal)
        ma = smooth.frequency_response(v["window"], v["order"], tr.fs, "moving_average", causal=is_causal)
        return tr, comp, sg, ma

    out, msg = checked(SMOOTHING, raw, run)
    if out is None:
        return message_figure("Fix the value above to see the filters."), msg, message_figure(""), "", msg
    tr, comp, sg, ma = out
    return (
        fig.smoothing_figure(tr, comp, 1 / F_ELECTRICAL_HZ), fig.describe_smoothing(comp, tr.fs),
        fig.response_figure(sg, ma, F_ELECTRICAL_HZ), fig.describe_response(sg, ma),
        "",
    )


@callback(
    Output(cid(P, "smooth"), "figure"),
    Output(cid(P, "smooth-summary"), "children"),
    Output(cid(P, "response"), "figure"),
    Output(cid(P, "response-summary"), "children"),
    Output(cid(P, "smooth-alert"), "children"),
    *(Input(cid(P, n), "value") for n in SMOOTHING.fields),
)
def update_smoothing(*args):
    return smoothing_view(*args)


def sweep_view(window, order, causal, seed):
    """Window-sweep figure and summary; the sweep is cached per order, placement and seed."""
    raw = dict(window=window, order=order, causal=causal, seed=seed)
    out, msg = checked(SMOOTHING, raw, lambda v: (window_sweep(v["order"], v["causal"] == "causal", v["seed"]), v))
    if out is None:
        return message_figure("Fix the value above to see the sweep."), msg
    sweep, v = out
    return fig.sweep_figure(sweep, v["window"]), fig.describe_sweep(sweep, v["order"])


# A separate callback: a new order recomputes the sweep once (about 10 ms) without holding up the signal.
@callback(
    Output(cid(P, "sweep"), "figure"),
    Output(cid(P, "sweep-summary"), "children"),
    *(Input(cid(P, n), "value") for n in SMOOTHING.fields),
)
def update_sweep(*args):
    return sweep_view(*args)


new_signal = wire_reseed(P)


# ----------------------------------------------------------------------------- outliers (on release: models are slow)


def _notes(det: outliers.Detection, action: str) -> list:
    d = DETECTORS_USE.get(det.method, "")
    return [html.Li(outliers.DETECTORS[det.method].lesson + d), html.Li(outliers.ACTIONS[action])]


DETECTORS_USE = {
    "zscore": " It reads the threshold.",
    "iqr": " It uses Tukey's k = 1.5 and ignores the threshold.",
    "hampel": f" It reads the threshold; its window is {smooth.WINDOW.default} samples.",
    "iforest": " It reads the contamination, not the threshold.",
    "lof": " It reads the contamination, not the threshold.",
}


def outlier_view(threshold, contamination, detector, action, seed):
    """Outlier figure, summary, notes and alert."""
    raw = dict(threshold=threshold, contamination=contamination, detector=detector, action=action, seed=seed)

    def run(v):
        tr = trace(v["seed"], True)
        det = outliers.detect(tr.noisy, v["detector"], threshold=v["threshold"], contamination=v["contamination"],
                              seed=v["seed"])
        cleaned = outliers.apply_action(tr.noisy, det.mask, v["action"], det.lower, det.upper)
        return tr, det, cleaned, outliers.score(det.mask, tr.glitch_kind == 1)

    out, msg = checked(OUTLIERS, raw, run)
    if out is None:
        return message_figure("Fix the value above to run the detector."), msg, [], msg
    tr, det, cleaned, s = out
    return fig.outlier_figure(tr, det, cleaned), fig.describe_outliers(tr, det, cleaned, s), _notes(det, action), ""


@callback(
    Output(cid(P, "outliers"), "figure"),
    Output(cid(P, "outliers-summary"), "children"),
    Output(cid(P, "outlier-notes"), "children"),
    Output(cid(P, "outlier-alert"), "children"),
    *(Input(cid(P, n), "value") for n in ("threshold", "contamination", "detector", "action", "seed")),
)
def update_outliers(*args):
    return outlier_view(*args)


def breakdown_view(threshold, seed):
    """Breakdown figure and summary (the alert of the outlier section covers bad input)."""
    out, msg = checked(BREAKDOWN, dict(threshold=threshold, seed=seed),
                       lambda v: (outliers.breakdown_demo(threshold=v["threshold"], seed=v["seed"]), v["threshold"]))
    if out is None:
        return message_figure("Fix the value above to see the breakdown."), msg
    b, tau = out
    return fig.breakdown_figure(b, tau), fig.describe_breakdown(b, tau)


@callback(
    Output(cid(P, "breakdown"), "figure"),
    Output(cid(P, "breakdown-summary"), "children"),
    Input(cid(P, "threshold"), "value"),
    Input(cid(P, "seed"), "value"),
)
def update_breakdown(threshold, seed):
    return breakdown_view(threshold, seed)


# ----------------------------------------------------------------------------- regimes


@lru_cache(maxsize=64)
def temperature_edges(n_bins: int, binning: str, seed: int) -> np.ndarray:
    """Bin edges of the windows' temperatures (k-means takes ~20 ms, so each setting is cut once)."""
    w = bench(seed)
    if binning == "domain":
        edges = regimes.bin_edges(w.temp_c, method="domain", domain_edges=regimes.TEMPERATURE_EDGES_C)
    else:
        edges = regimes.bin_edges(w.temp_c, n_bins, binning, seed=seed)
    edges.setflags(write=False)
    return edges


def _edges(w: MotorWindows, v: dict) -> np.ndarray:
    return temperature_edges(v["n_bins"], v["binning"], v["seed"])


def regime_view(n_bins, binning, seed):
    """Per-bin statistics figure, summary and alert."""

    def run(v):
        w = bench(v["seed"])
        edges = _edges(w, v)
        return w, regimes.bin_stats(w.current_per_torque, regimes.assign_bins(w.temp_c, edges), edges)

    out, msg = checked(REGIMES, dict(n_bins=n_bins, binning=binning, seed=seed), run)
    if out is None:
        return message_figure("Fix the value above to bin the log."), msg, msg
    w, stats = out
    return fig.regime_figure(w, stats), fig.describe_regimes(stats), ""


@callback(
    Output(cid(P, "regimes"), "figure"),
    Output(cid(P, "regimes-summary"), "children"),
    Output(cid(P, "regime-alert"), "children"),
    Input(cid(P, "n_bins"), "drag_value"),
    Input(cid(P, "n_bins"), "value"),
    Input(cid(P, "binning"), "value"),
    Input(cid(P, "seed"), "value"),
)
def update_regimes(n_bins_drag, n_bins, binning, seed):
    return regime_view(live(n_bins_drag, n_bins), binning, seed)


def validation_view(n_bins, binning, seed):
    """Error heatmap and validation figure (each with its summary), and the alert."""

    def run(v):
        w = bench(v["seed"])
        t_edges = _edges(w, v)
        t_bins = regimes.assign_bins(w.temp_c, t_edges)
        s_edges = regimes.bin_edges(w.speed_rpm, SPEED_BINS, "equal_width")
        rv = regimes.regime_validation(w.X, w.y, t_bins, groups=w.cycle, seed=v["seed"])
        grid = regimes.regime_error_grid(w.y, rv.pred_random, t_bins, regimes.assign_bins(w.speed_rpm, s_edges),
                                         len(t_edges) - 1, SPEED_BINS)
        return rv, grid, t_edges, s_edges

    out, msg = checked(REGIMES, dict(n_bins=n_bins, binning=binning, seed=seed), run)
    if out is None:
        blank = message_figure("Fix the value above to validate.")
        return blank, msg, message_figure(""), "", msg
    rv, grid, t_edges, s_edges = out
    return (
        fig.error_grid_figure(grid, t_edges, s_edges), fig.describe_error_grid(grid, t_edges, s_edges),
        fig.validation_figure(rv, t_edges), fig.describe_validation(rv),
        "",
    )


@callback(
    Output(cid(P, "grid"), "figure"),
    Output(cid(P, "grid-summary"), "children"),
    Output(cid(P, "validation"), "figure"),
    Output(cid(P, "validation-summary"), "children"),
    Output(cid(P, "validation-alert"), "children"),
    *(Input(cid(P, n), "value") for n in REGIMES.fields),
)
def update_validation(*args):
    return validation_view(*args)


# ----------------------------------------------------------------------------- aliasing and the pipeline leak


def alias_view(factor, tone_hz):
    """Alias figure, summary and alert."""
    out, msg = checked(ALIASING, dict(factor=factor, tone_hz=tone_hz),
                       lambda v: pipeline.alias_demo(FS_ALIAS_HZ, v["factor"], v["tone_hz"]))
    if out is None:
        return message_figure("Fix the value above to see the spectra."), msg, msg
    return fig.alias_figure(out), fig.describe_alias(out), ""


@callback(
    Output(cid(P, "alias"), "figure"),
    Output(cid(P, "alias-summary"), "children"),
    Output(cid(P, "alias-alert"), "children"),
    *(Input(cid(P, n), "value") for n in ALIASING.fields),
)
def update_alias(*args):
    return alias_view(*args)


def leak_view(split_frac, inputs, seed):
    """Pipeline-leak figure, summary and alert."""

    def run(v):
        w = bench(v["seed"])
        p = pipeline.pipeline_leak(w.X_temp, w.y, w.t, v["split_frac"], "minmax", v["inputs"], "ridge", v["seed"])
        return p, w

    out, msg = checked(LEAK, dict(split_frac=split_frac, inputs=inputs, seed=seed), run)
    if out is None:
        return message_figure("Fix the value above to run the comparison."), msg, msg
    p, w = out
    return fig.pipeline_leak_figure(p, w.t), fig.describe_pipeline_leak(p, w.feature_names), ""


@callback(
    Output(cid(P, "leak"), "figure"),
    Output(cid(P, "leak-summary"), "children"),
    Output(cid(P, "leak-alert"), "children"),
    *(Input(cid(P, n), "value") for n in LEAK.fields),
)
def update_leak(*args):
    return leak_view(*args)


wire(P, SPEC)
