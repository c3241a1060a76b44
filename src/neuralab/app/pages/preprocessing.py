"""/preprocessing: smoothing, outliers, operating regimes and the order of a leak-free pipeline, measured."""

from __future__ import annotations

import numpy as np
from dash import html

from neuralab.app import ui, userdata
from neuralab.app.controls import alert, cid, controls, reseed_button, wire, wire_reseed
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text
from neuralab.app.selfcheck import Pick, Value
from neuralab.data.motor import CONSTANTS, MOTOR, TRACE_F_HZ, TRACE_NOISE_A, WINDOWS, current_trace
from neuralab.data.user import is_user
from neuralab.params import SEED, Choice, DatasetChoice, Int, ParamError, ParamSpec
from neuralab.plots import preprocessing as figures
from neuralab.progress import Progress
from neuralab.signal import bench_log, measured, outliers, regime_cv, regimes, sampling, smooth
from neuralab.signal.sampling import ALIASING_FS_HZ

P = prefix(__name__)

#: A signal with no known truth: a built-in trace, or a numeric column of the learner's own table (``user:<id>``).
SIGNALS = Choice((("current", "Phase current at 750 rpm (the trace above)"),
                  ("current_fast", "Phase current at 1,500 rpm")), "current", label="Signal",
                 help="A built-in trace of the simulated motor.")
USER_SIGNAL = ParamSpec(
    "user-signal", signal_data=DatasetChoice.from_choice(SIGNALS),
    column=Int(1, 999, 1, label="Column number",
               help="Which feature column of your dataset to condition, counted from 1; the caption names it."),
    window=smooth.SMOOTHING.fields["window"], order=smooth.SMOOTHING.fields["order"], seed=SEED,
    rules=smooth.SMOOTHING.rules)
MAX_SIGNAL_ROWS = 200_000  # a longer table's first rows (in time order), contiguous: a random sample is no signal
SPEC = ParamSpec.merge(P, smooth.SMOOTHING, outliers.TRACE_OUTLIERS, outliers.MASKING, bench_log.BENCH_BINNING,
                       sampling.ALIASING, bench_log.BENCH_LEAK, USER_SIGNAL)
_BD = outliers.BREAKDOWN.fields  # the breakdown demo runs at these defaults


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
            _your_signal(values),
            _regimes(values),
            _pipeline(values),
        ]
    )


def _your_signal(values: dict) -> html.Section:
    return ui.section(
        "Your own signal: what can be measured without the truth",
        [
            ui.md(
                "A recorded column comes with no true signal to score a filter against. What can still be "
                "measured: how much the smoother removes (the residual's RMS, and its share of the signal's own "
                "spread) and how many samples the Hampel detector flags (3 robust σ over the same window). Widen "
                "the window and watch the residual: when it climbs steeply, signal is going with the noise. Pick "
                "a table you added on the Data page and a column by its number; its sampling rate, if you gave one, "
                "puts the axis in seconds. The window and order are the sliders of the first section."
            ),
            ui.row(controls(P, SPEC, values, ["signal_data", "column"])),
            alert(cid(P, "signal-alert")),
            ui.chart(cid(P, "signal"), "Your signal, its smoothing and the samples Hampel flags", heavy=True),
        ],
    )


def _smoothing(values: dict) -> html.Section:
    return ui.section(
        "Smoothing: Savitzky–Golay against the moving average",
        [
            ui.md(
                "The signal is one phase current of the motor at constant speed, a sine of "
                f"{TRACE_F_HZ:.0f} Hz with its 5th and 7th harmonics, and the load doubles halfway, so the "
                f"peaks have two true heights. Sensor noise has σ = {TRACE_NOISE_A:.2f} A. Glitches are left out here: "
                "in the pipeline, outliers are handled *before* smoothing, because a filter smears a spike over its "
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
                "and the causal Savitzky–Golay gain rises above 0 dB in one band (two for orders 3 and up at most "
                "longer windows), where noise comes out larger "
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
                "frames, or three phase currents that no longer sum to zero. Or with a model: the **model "
                "residual** fits the current's physics robustly and flags what the fit cannot explain, dropouts "
                "included (the reference entry has the details)."
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
                f"{_BD['share_pct'].default} for every 100 clean samples, and both detectors judge them at the "
                "threshold below."
            ),
            ui.row(controls(P, SPEC, values, ["mask_threshold"])),
            alert(cid(P, "breakdown-alert")),
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
                f"regression, scored by shuffled {regime_cv.REGIME_CV.fields['k'].default}-fold cross-validation. Its "
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
                f"{ALIASING_FS_HZ:,} Hz, then reduced by the factor below: once by keeping every n-th sample, once "
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


# ----------------------------------------------------------------------------- sections


DETECTORS_USE = {
    "zscore": " It reads the threshold.",
    "iqr": " It uses Tukey's k = 1.5 and ignores the threshold.",
    "hampel": f" It reads the threshold; its window is {smooth.WINDOW.default} samples.",
    "iforest": " It reads the contamination, not the threshold.",
    "lof": " It reads the contamination, not the threshold.",
    "model": " It reads the threshold; its model is the current's physics (harmonics of the drive's speed under "
             "its torque command), fitted robustly.",
}


def _notes(r: outliers.TraceOutliers) -> list:
    """What the detector reads and what the action does, as list items."""
    d = DETECTORS_USE.get(r.detection.method, "")
    return [html.Li(outliers.DETECTORS[r.detection.method].lesson + d), html.Li(outliers.ACTIONS[r.cleaned.action])]


def _sweep(v: dict, _progress: Progress) -> tuple[smooth.WindowSweep, dict]:
    """The cached sweep for the order, placement and seed, with the values (the window places its marker)."""
    return smooth.trace_sweep(v["order"], v["causal"], v["seed"]), v


def _breakdown(v: dict, _progress: Progress) -> tuple[outliers.Breakdown, float]:
    """The breakdown demo at its default spikes, with the threshold its chart draws."""
    return outliers.breakdown_demo(threshold=v["mask_threshold"], seed=v["seed"]), v["mask_threshold"]


# Smoothing follows its sliders' drags (updatemode="drag"); the sweep is its own section, so a new order
# recomputes it once (about 10 ms) without holding up the signal.
SMOOTH = Section(
    P, "smooth", smooth.SMOOTHING, lambda v, _: smooth.smoothing(**v),
    [Chart("smooth", lambda r: figures.smoothing_figure(r.trace, r.comparison, r.period_s),
           lambda r: figures.describe_smoothing(r.comparison, r.trace.fs)),
     Chart("response", lambda r: figures.response_figure(r.savgol, r.moving_average, r.f_signal_hz),
           lambda r: figures.describe_response(r.savgol, r.moving_average))],
    fix="Fix the value above to see the filters.")
SWEEP = Section(
    P, "sweep", smooth.SMOOTHING, _sweep,
    [Chart("sweep", lambda r: figures.sweep_figure(r[0], r[1]["window"]),
           lambda r: figures.describe_sweep(r[0], r[1]["order"]))],
    fix="Fix the value above to see the sweep.", alert=False)
# Outliers update on release: isolation forest and LOF are too slow to follow a drag.
OUTLIER = Section(
    P, "outlier", outliers.TRACE_OUTLIERS, lambda v, _: outliers.trace_outliers(**v),
    [Chart("outliers", lambda r: figures.outlier_figure(r.trace, r.detection, r.cleaned),
           lambda r: figures.describe_outliers(r.trace, r.detection, r.cleaned, r.score)),
     Text("outlier-notes", _notes, blank=[])],
    fix="Fix the value above to run the detector.")
BREAKDOWN = Section(
    P, "breakdown", outliers.MASKING, _breakdown,
    [Chart("breakdown", lambda r: figures.breakdown_figure(*r), lambda r: figures.describe_breakdown(*r))],
    fix="Fix the value above to see the breakdown.")
# The per-bin chart is cheap: it follows the bin slider's drag; the validation waits for the release.
REGIME = Section(
    P, "regime", bench_log.BENCH_BINNING, lambda v, _: bench_log.bench_regimes(**v),
    [Chart("regimes", lambda r: figures.regime_figure(r.windows, r.stats),
           lambda r: figures.describe_regimes(r.stats))],
    fix="Fix the value above to bin the log.", drag=("n_bins",))
VALIDATION = Section(
    P, "validation", bench_log.BENCH_BINNING, lambda v, _: bench_log.bench_validation(**v),
    [Chart("grid", lambda r: figures.error_grid_figure(r.grid, r.temp_edges, r.speed_edges),
           lambda r: figures.describe_error_grid(r.grid, r.temp_edges, r.speed_edges)),
     Chart("validation", lambda r: figures.validation_figure(r.validation, r.temp_edges),
           lambda r: figures.describe_validation(r.validation))],
    fix="Fix the value above to validate.")
ALIAS = Section(
    P, "alias", sampling.ALIASING, lambda v, _: sampling.alias_demo(ALIASING_FS_HZ, **v),
    [Chart("alias", figures.alias_figure, figures.describe_alias)],
    fix="Fix the value above to see the spectra.")
LEAK = Section(
    P, "leak", bench_log.BENCH_LEAK, lambda v, _: bench_log.bench_leak(**v),
    [Chart("leak", lambda r: figures.pipeline_leak_figure(r.leak, r.windows.t),
           lambda r: figures.describe_pipeline_leak(r.leak, r.windows.feature_names))],
    fix="Fix the value above to run the comparison.")


def _signal(v: dict, progress: Progress) -> tuple[measured.Measured, str, str]:
    """The chosen signal, smoothed and flagged: a built-in trace, or a column of the learner's table; the
    sentence naming it, and the quantity its axis shows."""
    progress(0, 1)
    if not is_user(v["signal_data"]):
        tr = current_trace(speed_rpm=750.0 if v["signal_data"] == "current" else 1500.0, seed=v["seed"])
        label = dict(SIGNALS.options)[v["signal_data"]]
        return measured.measure(tr.noisy, window=v["window"], order=v["order"], fs=tr.fs), label, "phase current (A)"
    t = userdata.table(v["signal_data"], max_rows=None)  # every row, in order: a sample would break the spacing
    names = t.feature_names
    if v["column"] > len(names):
        listed = ", ".join(f"{i} {n}" for i, n in enumerate(names[:12], 1)) + (", …" if len(names) > 12 else "")
        raise ParamError([f"column must be between 1 and {len(names)} for {t.name} ({listed}); got {v['column']}."])
    col = names[v["column"] - 1]
    x = t.X[:MAX_SIGNAL_ROWS, v["column"] - 1]
    cut = f", its first {MAX_SIGNAL_ROWS:,} of {len(t.y):,} rows" if len(t.y) > MAX_SIGNAL_ROWS else ""
    return (measured.measure(x, window=v["window"], order=v["order"], fs=t.rate_hz),
            f"{t.name}, column {v['column']} of {len(names)} ({col}){cut}", col)


SIGNAL = Section(
    P, "signal", USER_SIGNAL, _signal,
    [Chart("signal", lambda r: figures.measured_figure(r[0], r[2]),
           lambda r: figures.describe_measured(r[0], r[1]))],
    fix="Fix the value above to condition the signal.", job=True)
SECTIONS = (SMOOTH, SWEEP, OUTLIER, BREAKDOWN, REGIME, VALIDATION, ALIAS, LEAK, SIGNAL)

(update_smoothing, update_sweep, update_outliers, update_breakdown, update_regimes, update_validation, update_alias,
 update_leak, update_signal) = (s.register() for s in SECTIONS)
fill_signals = userdata.wire_choice(P, SIGNALS, field="signal_data")
new_signal = wire_reseed(P)
wire(P, SPEC)


def _causal_lag() -> int:
    x = np.sin(2 * np.pi * np.arange(400) / 100)
    return smooth.lag_samples(smooth.moving_average(x, 15, causal=True).y, x)


QUESTIONS = (
    Value("lag", "A causal moving average of 15 samples runs over a slow sine. By how many samples does its output "
          "lag the input?", _causal_lag,
          "Its taps are symmetric about the middle of a window that ends now, so every frequency is delayed by "
          "(window − 1) / 2 = {answer} samples. A causal Savitzky–Golay fit removes that delay and lets more noise "
          "through instead.", section="Smoothing: Savitzky–Golay against the moving average"),
    Value("alias", "A 4.2 kHz ripple sampled at 12 kHz is decimated by 4 without an anti-alias filter. At what "
          "frequency does the ripple appear in the decimated signal?",
          lambda: sampling.alias_frequency(4200.0, 12000.0 / 4),
          "The new rate is 3 kHz, so anything above 1.5 kHz folds: the ripple lands at its distance from the nearest "
          "multiple of 3 kHz, {answer} Hz, inside the band where no later filter can tell it from signal.",
          section="The pipeline, in order", unit="Hz"),
    Pick("zscore", "Spikes are added until they are a sizeable share of the samples. Why does the z-score detector "
         "start to miss them?",
         ("Its threshold is set too low", "The spikes inflate the σ it judges by, so they stop standing out",
          "Spikes are too short for it to see", "It needs a longer window"), 1,
         "Mean and σ are computed with the spikes included. The median and the MAD that Hampel uses ignore up to "
         "half of the samples, so it keeps finding them.", section="Outliers: detect, then decide what to do"),
    Pick("order", "Why are outliers handled before smoothing?",
         ("Smoothing runs faster on clean data", "A filter spreads each spike over its whole window, where it is "
          "harder to find and no longer one sample to fix", "Outlier detectors need a smoothed signal",
          "The order makes no difference"), 1,
         "A spike is easy to flag while it is one sample; after smoothing it has become a bump as wide as the "
         "window.", section="The pipeline, in order"),
)
