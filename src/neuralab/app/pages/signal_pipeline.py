"""/signal-pipeline: the whole preprocessing chain as one scikit-learn Pipeline, each stage's worth measured."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls, wire
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.app.selfcheck import Pick, Value
from neuralab.params import ParamSpec
from neuralab.plots import signal_pipeline as figures
from neuralab.signal import pipeline as sp
from neuralab.signal.sampling import alias_frequency

P = prefix(__name__)
SPEC = ParamSpec.merge(P, sp.STAGE_VIEW, sp.ABLATION, sp.NORMALIZATION)
STAGES_TITLE = "One window through the stages"
ABLATION_TITLE = "What each stage is worth: the ablation"
NORM_TITLE = "Four normalizers on a feature with outliers"
_D = sp.ABLATION.fields


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div([
        ui.page_header(
            "Signal pipeline",
            "The preprocessing stages of /preprocessing, chained into one scikit-learn Pipeline that goes from raw "
            "windows of a phase current to a model's estimate of the torque-producing current i_q, which the "
            "simulation knows exactly. The pipeline is fitted on training drive cycles and scored on held-out "
            "ones; then each stage is removed, swapped or put in the wrong place, and the held-out error says "
            "what it was worth.",
            messages,
        ),
        ui.toolbar(controls(P, SPEC, values, ["seed"]),
                   html.P("The seed draws the bench log: drive cycles, noise, glitches and interference.",
                          className="nl-help")),
        _stages(values),
        _ablation(values),
        _normalization(values),
    ])


def _stages(values: dict) -> html.Section:
    return ui.section(STAGES_TITLE, [
        ui.md(
            f"The data: the motor's bench log, {_D['cycles'].default} drive cycles of {sp.CYCLE_S:g} s at 10 kHz "
            f"while the winding heats, with {sp.GLITCH_RATE:g} glitch events per sample (spikes, dropouts, stuck "
            f"runs), plus an interference tone of {sp.RIPPLE_A:g} A that hops between "
            f"{sp.RIPPLE_HZ[0]:,.0f} and {sp.RIPPLE_HZ[1]:,.0f} Hz. Phase a is cut into {sp.WINDOW_S * 1000:g} ms "
            "windows, one row each; the target is the window's mean i_q.\n\n"
            "The stages, in order: **anti-alias filter, then keep one sample in four** (10 kHz to 2.5 kHz); "
            "**detrend** (each window loses its mean); **Hampel** (a sample more than 3 robust σ from its "
            "15-sample median is replaced by that median); **Savitzky–Golay** (15 samples, cubic); **z-score** "
            "(one mean and one σ for the channel, learned on the training cycles only); **features** (8 FFT "
            "band amplitudes, rolling std and half range, the Hilbert envelope's mean and std); **ridge** (linear, "
            "because the features, above all the envelope mean, are roughly proportional to the current "
            "amplitude; their speed-dependent gains, from spectral scalloping and the smoother, are part of the "
            "remaining error; and a closed-form fit is quick enough to "
            "refit for every fold, seed and variant of the ablation). "
            "Every stage but the scaler and the model works on one window at a time and learns nothing, so no "
            f"held-out window can leak into training. Here the pipeline is fitted on every cycle but each "
            f"{sp.HELD_OUT}th."
        ),
        ui.row(controls(P, SPEC, values, ["stage", "window"], drag=True)),
        alert(cid(P, "stage-alert")),
        ui.chart(cid(P, "stages"), "One window before and after the chosen stage"),
        ui.code(
            "from neuralab.signal import pipeline\n\n"
            "# X: (windows, samples) of one channel, y: target per window, groups: drive cycle, rate in Hz\n"
            "pipe = pipeline.build(\"full\", rate=10_000)       # an unfitted sklearn Pipeline\n"
            f"result = pipeline.evaluate(X, y, groups, rate=10_000)  # GroupKFold({sp.N_SPLITS}) by cycle\n"
            "print(result.rmse, result.fold_rmse)"
        ),
    ])


def _ablation(values: dict) -> html.Section:
    return ui.section(ABLATION_TITLE, [
        ui.md(
            "Each variant below is the full pipeline with one change, refitted from scratch on the training "
            f"cycles of each of {sp.N_SPLITS} GroupKFold folds (a cycle is never split), and scored by the RMSE of "
            "its held-out predictions; every seed is a new bench log. Grey bars drop one stage, orange ones swap "
            "it for an alternative, red ones get the anti-aliasing or the order wrong: smoothing before the "
            "outlier filter, decimating without the anti-alias filter, or running the filter after the "
            "slice. The axis is logarithmic: the model on raw samples is off by far more than the rest. More "
            "seeds or cycles make the bars steadier and the job longer."
        ),
        ui.row(controls(P, SPEC, values, ["n_seeds", "cycles"])),
        alert(cid(P, "ablation-alert")),
        ui.chart(cid(P, "ablation"), "Held-out RMSE of every variant, mean ± std over seeds", heavy=True),
        html.Div(id=cid(P, "ablation-table"), className="nl-table"),
        ui.md(
            "Every variant is scored on the same logs and folds, so compare per seed: a difference is worth "
            "reporting when it has the same sign on every seed and its size is large against the spread of the "
            "per-seed differences. Three seeds give a rough spread; more seeds give a firmer one. A "
            "stage's worth depends on what follows it; these features average hundreds of samples, so some "
            "stages that look essential on a chart of the signal change the error little here."
        ),
    ])


def _normalization(values: dict) -> html.Section:
    return ui.section(NORM_TITLE, [
        ui.md(
            "The features of the same windows, computed **without** the outlier filter, so glitches reach them. "
            "Each normalizer is fitted on the training cycles, then ridge is refitted on the scaled features. "
            "z-score, min–max and robust scaling work per feature (per column); scikit-learn's `Normalizer` "
            "works per sample: it divides each row by its length. Red points are the windows whose raw value "
            "lies beyond Tukey's fences."
        ),
        ui.row(controls(P, SPEC, values, ["norm_feature"])),
        alert(cid(P, "norm-alert")),
        ui.chart(cid(P, "norm"), "The drawn feature after four normalizers, with each one's held-out RMSE"),
    ])


STAGE = Section(
    P, "stage", sp.STAGE_VIEW, lambda v, _: sp.stage_view(**v),
    [Chart("stages", figures.stage_figure, figures.describe_stage)],
    fix="Fix the value above to see the stage.", drag=("window",))
ABLATION = Section(
    P, "ablation", sp.ABLATION, lambda v, progress: sp.ablate(**v, progress=progress),
    [Chart("ablation", figures.ablation_figure, figures.describe_ablation),
     Text("ablation-table", lambda a: table(["Variant", "RMSE (A)", "vs full", "What changes"],
                                            figures.ablation_rows(a)), blank=[])],
    fix="Fix the value above to run the ablation.", job=True)
NORM = Section(
    P, "norm", sp.NORMALIZATION, lambda v, _: sp.normalization_compare(**v),
    [Chart("norm", figures.normalization_figure, figures.describe_normalization)],
    fix="Fix the value above to compare the normalizers.")
SECTIONS = (STAGE, ABLATION, NORM)
update_stage, update_ablation, update_norm = (s.register() for s in SECTIONS)
wire(P, SPEC)


def _folded_hz() -> float:
    return round(alias_frequency(2450.0, 2500.0))


def _unit_norm() -> float:
    return round(float(sp.normalization_compare(seed=0).row_norms.max()), 2)


QUESTIONS = (
    Value("sp-fold", "A 2,450 Hz interference is in a current sampled at 10 kHz. You keep one sample in four "
          "without filtering first. At what frequency does the interference sit afterwards?", _folded_hz,
          "The new rate is 2.5 kHz; the tone lands at its distance from the nearest multiple of it, {answer} Hz, "
          "next to the motor's fundamental. A low-pass run after the slice cannot tell it from signal.",
          section=STAGES_TITLE, unit="Hz"),
    Pick("sp-order", "Why does the outlier filter come before the smoother?",
         ("The smoother needs normalized input", "The smoother spreads each glitch over its window, where a "
          "median filter no longer sees one wild sample", "Hampel is faster on raw data", "It makes no difference"),
         1, "A glitch is easy to flag while it is one sample; after smoothing it is a bump as wide as the window. "
         "The ablation measures what the swapped order costs on held-out cycles. The anti-alias filter has already "
         "smoothed the glitches a little, so on real data flag them at the raw rate, before any filter.",
         section=ABLATION_TITLE),
    Pick("sp-fit", "Which stage of this pipeline learns anything from the data, and so must see training "
         "windows only?", ("Decimation", "Hampel", "The z-score scaler (and the model)", "The FFT features"), 2,
         "The scaler learns a mean and a σ; the per-window stages use each window's own samples only. Inside a "
         "Pipeline, cross-validation refits the scaler on each fold's training cycles.", section=STAGES_TITLE),
    Value("sp-unit", "After scikit-learn's Normalizer (default L2), what is the length of every window's feature "
          "vector?", _unit_norm,
          "{answer}: Normalizer divides each row by its own length. It normalizes samples, not features, and "
          "divides out the amplitude the target measures.", section=NORM_TITLE),
)
