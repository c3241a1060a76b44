"""/cnn, part 4: a 1-D convolution on the motor current, a spike detector of 45 parameters against the Hampel filter."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.pages import cnn_filters
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.plots import cnn_spikes as figures
from neuralab.signal import spikes

P = prefix("neuralab.app.pages.cnn")
SPEC = spikes.SPIKES


def layout(values: dict) -> list[html.Section]:
    return [ui.section(
        "One dimension: a convolution along the motor current",
        [
            ui.md(
                "Along time the same layer is `Conv1d`: each filter is a short FIR filter slid along the signal, "
                "and a stack of them with ReLUs between is a non-linear filter bank that is learned, not designed. "
                "The smallest useful case: find the spikes in the phase current of the simulated bench log of "
                "/preprocessing, where the sensor sometimes returns a wild value for one sample. The spikes are "
                "injected and large (at least about 22 A from the true current, against sensor noise of 1 % of "
                "the rated current), so this is an easier task than real glitches would set. The detector "
                f"has {spikes.CHANNELS} filters of {spikes.TAPS} taps, a ReLU, and a 1 × 1 convolution that "
                "weighs the four filtered signals into one logit per sample, "
                f"{spikes.PARAMS} parameters in all. It was trained on cycles 0–{spikes.TRAIN_CYCLES - 1} of the log "
                f"(full-batch Adam, {spikes.STEPS} steps, spikes weighted up because they are a few samples in "
                "a thousand) and is scored here on the other four cycles, against the Hampel filter of "
                "/preprocessing with its usual window of 15 samples and threshold of 3 robust σ.\n\n"
                "Read the scores with two cautions. The threshold belongs to the training cycles: moving it "
                "while watching the test scores tunes it on the test cycles, so the table also scores the "
                "threshold with the best F1 on the training cycles, the honest figure. And the Hampel filter is "
                "scored at its fixed default, as a generic outlier detector: it flags a share of the samples of "
                "pure noise by construction (the caption below measures it), and it was never told that dropouts "
                "and stuck runs do not count, while the CNN was trained to leave them alone.\n\n"
                "Its padding is centred: the answer at a sample reads four samples after it, fine for cleaning "
                "a log, not for a control loop, which would pad on the left and accept four samples of delay."
            ),
            ui.row(controls(P, SPEC, values, ["spike_cycle", "spike_start", "spike_threshold"], drag=True)),
            alert(cid(P, "spikes-alert")),
            ui.chart(cid(P, "spike-filters"), "The learned filters: taps and frequency response"),
            ui.chart(cid(P, "spike-window"), "A test window: the current, the true spikes, both detectors' flags"),
            html.Div(id=cid(P, "spike-scores"), className="nl-prose"),
        ],
    )]


SPIKE_SECTION = Section(
    P, "spikes", SPEC, lambda v, _: spikes.window(spikes.train(), **v),
    [Chart("spike-filters", figures.filters_figure, figures.describe_filters),
     Chart("spike-window", figures.window_figure, figures.describe_window),
     Text("spike-scores", lambda w: table(list(figures.SCORE_HEADER), figures.score_rows(w)))],
    fix="Fix the values above to see the detector.", needs=cnn_filters.NETS,
    drag=("spike_cycle", "spike_start", "spike_threshold"))
SECTIONS = (SPIKE_SECTION,)
update_spikes = SPIKE_SECTION.register()
