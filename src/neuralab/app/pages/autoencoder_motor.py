"""/autoencoder, part 3: the motor log's glitches found by reconstruction error, scored as on /preprocessing."""

from __future__ import annotations

from dash import html

from neuralab import anomaly
from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Needs, Section, Text, table
from neuralab.data.motor import CONSTANTS
from neuralab.params import ParamSpec
from neuralab.plots import autoencoder_motor as figures
from neuralab.train import motor_anomaly as ma

P = prefix("neuralab.app.pages.autoencoder")
SPEC = ParamSpec.merge("motor-part", ma.ANOMALY, ma.FLAGS)
SCORED = Needs("motor-scored", ma.ANOMALY, lambda v: ma.kept(v["log_seed"]), lambda v: ma.scores(v["log_seed"]),
               "The autoencoder of the motor currents is being trained (once on this machine, a few seconds); "
               "this chart appears as soon as it is done.")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def layout(values: dict) -> list[html.Section]:
    return [ui.section(
        "Finding the motor log's glitches by reconstruction error",
        [
            ui.md(
                "An autoencoder trained on normal data rebuilds normal data well and, as a rule, what is unlike it "
                "worse, so its reconstruction error can serve as an anomaly score that needs no labelled faults. "
                "Here it reads windows "
                f"of {ma.W} consecutive samples ({ma.W / ma.FS * 1e3:g} ms at {ma.FS // 1000} kHz) of the three "
                "phase currents of the motor bench log, divided first by the rated current "
                f"({CONSTANTS.i_rated_a:g} A peak), and rebuilds them through a code of "
                f"{ma.CODE} numbers ({3 * ma.W} → {ma.HIDDEN} → {ma.CODE} → {ma.HIDDEN} → {3 * ma.W}). It is "
                f"trained on the first {ma.TRAIN_CYCLES - 1} of the log's {ma.CYCLES} drive cycles (the "
                f"{_ordinal(ma.TRAIN_CYCLES)} is held out to validate) exactly as they were logged, glitches "
                "included, since a real log rarely comes cleaned. About 1 % of the samples are glitched, but "
                f"a window holds {ma.W} of them, so about 7 % of the training windows contain a glitch (for "
                "every seed here): the network spends most of its few numbers on the sinusoids, and learns a "
                "little of the glitches too. "
                f"Then it scores every sample of the last {ma.CYCLES - ma.TRAIN_CYCLES} cycles: the squared "
                "error at that sample, averaged over the three phases, in the window centred on it (near the "
                "start or end of a cycle, the window is shifted to stay inside it).\n\n"
                "The threshold is a multiple of the median score of the held-out cycle, logged data the "
                "network was not fitted on (scores on its own training cycles would be biased low). Its "
                f"default, {ma.THRESHOLD.default:.3g}×, is where F1 peaks on that held-out cycle for seed 0; "
                "the test cycles played no part in choosing it. A multiple of the median says nothing "
                "direct about the false-alarm rate: in the field, set the threshold at a high percentile of "
                "held-out normal scores instead.\n\n"
                "The log's frame glitches are known sample by sample (spikes, dropouts to zero, frames stuck "
                "at the last good value), so the flags can be scored as /preprocessing scores its detectors: "
                "precision is the share of flagged samples that are glitches, recall the share of glitched "
                "samples flagged. The Hampel detector of that page, run on each phase with its defaults, is "
                "the baseline. Move the threshold and watch precision trade against recall."
            ),
            ui.row(controls(P, SPEC, values, ["log_seed", "threshold"])),
            SCORED.marker(P),
            alert(cid(P, "motor-alert")),
            ui.chart(cid(P, "motor-examples"), "One test event of each kind, and its score", heavy=True),
            alert(cid(P, "flags-alert")),
            html.Div([ui.chart(cid(P, "motor-timeline"), "The score of every test sample, with the flags"),
                      ui.chart(cid(P, "motor-pr"), "Precision against recall as the threshold moves")],
                     style={"display": "grid", "gridTemplateColumns": "minmax(0, 3fr) minmax(0, 2fr)",
                            "gap": "10px 24px", "alignItems": "start"}),
            html.Div(id=cid(P, "motor-kinds"), className="nl-prose"),
            ui.md(
                "What the numbers say. A spike leaves the family of shapes the decoder can draw, so spikes score "
                "highest (the first example above). A dropout zeroes all three phases at once, so it stands "
                "out unless the whole current is small (a light-load plateau); a single phase crossing zero is "
                "not enough to hide it, since the other two are then at ±0.87 of the amplitude. A stuck run is "
                "the hard "
                "case: its first samples are close to the true current, and at low speed the current barely moves "
                "over a few milliseconds, so the frozen frame stays close to what the decoder would draw. "
                "Many false alarms sit right beside true glitches (the line above the table counts them): a "
                "glitch distorts "
                "the reconstruction of the whole window around it, so its neighbours' scores rise too. Counting "
                "whole events "
                "instead of samples, or flagging windows, would change these numbers; the choice belongs to "
                "whoever acts on the alarm."
            ),
        ],
    )]


def _kinds(f: anomaly.Flags) -> list:
    fp = f.score.fp
    return [html.P(f"Recall by kind of glitch at {f.threshold:.3g} × the median held-out score. Of the {fp:,} false "
                   f"alarms, {f.near:,} ({f.near / max(fp, 1):.0%}) lie within {ma.W // 2} samples of a glitch, "
                   "inside the window of one."),
            table(["kind", "glitched samples flagged", "recall"], figures.table_rows(f))]


MOTOR_SECTION = Section(
    P, "motor", ma.ANOMALY, lambda v, progress: ma.scores(v["log_seed"], progress=progress),
    [Chart("motor-examples", figures.examples_figure, figures.describe_examples)],
    fix="Fix the seed above to train the network.", job=True, needs=SCORED)
FLAGS_SECTION = Section(
    P, "flags", ma.FLAGS, lambda v, _: anomaly.flags(v["log_seed"], v["threshold"]),
    [Chart("motor-timeline", figures.timeline_figure, figures.describe_timeline),
     Chart("motor-pr", figures.pr_figure, figures.describe_pr),
     Text("motor-kinds", _kinds)],
    fix="Fix the value above to see the flags.", needs=SCORED)
SECTIONS = (MOTOR_SECTION, FLAGS_SECTION)
update_motor = MOTOR_SECTION.register()
update_flags = FLAGS_SECTION.register()
