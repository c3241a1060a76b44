"""/recurrent, the sensor task: the winding temperature estimated on a test drive cycle; the networks compared."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.data import sequences
from neuralab.nn.recurrent import build
from neuralab.params import ParamSpec
from neuralab.plots import recurrent_sensor as figures
from neuralab.train import compare, sensor
from neuralab.train.sequence import THERMAL_CFG

P = prefix("neuralab.app.pages.recurrent")
CYCLE_SPEC = sensor.SENSOR
COMPARE_SPEC = ParamSpec("sensor-compare", sensor_seeds=compare.COMPARE.fields["seeds"])
SPEC = ParamSpec.merge("sensor-part", CYCLE_SPEC, COMPARE_SPEC)
DT_S, STEPS = (sequences.THERMAL.fields[k].default for k in ("dt_s", "steps"))
TAU_IRON_MIN = sequences.C_S * sequences.R_SC / 60  # the stator iron's time constant to the coolant, minutes
RECEPTIVE = build("tcn", 3, 16).receptive_field  # samples one output of the convolutional network sees
WINDOW = build("attention", 3, 16).window


def run_cycle(values: dict, progress) -> sensor.CycleEstimate:
    return sensor.estimate_cycle(values["sensor_cycle"], values["sensor_arch"], progress=progress)


def run_compare(values: dict, progress) -> compare.Comparison:
    return compare.compare(seeds=tuple(range(values["sensor_seeds"])), progress=progress)


def _compare_table(c: compare.Comparison) -> html.Table:
    rows = figures.compare_rows(c)
    return table(list(rows[0]), [list(row.values()) for row in rows])


def layout(values: dict) -> list[html.Section]:
    return [_cycle(values), _compare(values)]


def _cycle(values: dict) -> html.Section:
    return ui.section(
        "The sensor task: a temperature the drive does not measure",
        [
            ui.md(
                "A drive logs the current it feeds the motor, the speed and the coolant temperature, but it "
                "rarely has a sensor in the winding, and the winding is what burns out. Its temperature is a "
                "hidden state: copper losses grow with the square of the current, iron losses with the speed, "
                "and the heat they leave behind is stored in the copper and the iron and leaks to the coolant over "
                "minutes (the iron's "
                f"time constant to the coolant is about {TAU_IRON_MIN:.0f} minutes). The temperature now "
                "therefore depends on how hard the motor has worked over the last tens of minutes, not on the "
                "current at this instant.\n\n"
                "The drive cycles here come from a two-node thermal model of the lab's motor (winding and "
                "stator iron, a cold start at the coolant temperature), logged as means over "
                f"{DT_S} s intervals for {STEPS * DT_S / 60:.0f} minutes, with noise on the logged current and speed. "
                "Each network was trained "
                f"with Adam for {THERMAL_CFG.epochs} epochs on whole training cycles without ever seeing the "
                "test cycles, and reads a cycle from its first sample on. The split is by drive cycle, never by "
                "sample: neighbouring samples of one cycle are nearly the same, so a sample split would put "
                "almost-copies of the test data in the training set.\n\n"
                "The orange circles mark two moments of the shown cycle whose last four samples of current, "
                "speed and coolant temperature are almost the same while the winding temperatures are not. "
                "The dashed orange curve is a feedforward network that sees only those four samples: it is a "
                "function of them, so its two answers can differ only as much as those small input differences "
                "push them, far less than the true temperatures differ. A recurrent network carries a state "
                "through the whole cycle, so it has the information to tell the two moments apart; the caption "
                "gives what each network answered there."
            ),
            ui.row(controls(P, SPEC, values, ["sensor_cycle", "sensor_arch"])),
            alert(cid(P, "sensor-alert")),
            ui.chart(cid(P, "sensor-estimate"), "A test drive cycle, the true winding temperature and the estimate",
                     heavy=True),
            html.P(id=cid(P, "sensor-split"), className="nl-prose"),
        ],
    )


def _compare(values: dict) -> html.Section:
    return ui.section(
        "Against the alternatives, on the same cycles",
        [
            ui.md(
                "Six networks, one split, one training recipe, width 16: the vanilla RNN, the LSTM and the GRU; "
                "a causal dilated convolutional network (kernel 3, dilations doubling per layer, so it sees the "
                f"last {RECEPTIVE} samples, about {RECEPTIVE * DT_S / 60:.0f} minutes); one causal self-attention "
                f"block (attention, then a small feed-forward layer) over the last {WINDOW} samples; and the "
                "feedforward network on the last four samples "
                "as the baseline with no memory. "
                "Training time is the wall time of that network's own training, on one thread of this shared "
                "machine: a wall time, so it also counts whatever else ran at that moment, and it was measured "
                "when the network was first trained.\n\n"
                "Streaming latency is what a controller pays when one new sample arrives: the median, over the "
                "samples of a test cycle, of the time to produce the new estimate, on one thread. Each network "
                "is run the way it would stream. A recurrent cell takes one update and carries its state. The "
                "convolutional network is recomputed over its receptive field (keeping a buffer of every "
                "layer's past outputs would cut that to one output per layer). Attention keeps the keys and "
                "values of its window and attends over them. The feedforward network reads its window. The "
                "streamed estimates equal the full-sequence ones (the tests check it).\n\n"
                "At width 16 these steps are small, from a few hundred multiply-accumulates to some tens of "
                "thousands for the recomputed convolution (the table counts them), and the measured "
                "microseconds are largely Python and torch overhead per call, not arithmetic. The work count, "
                "from the weight shapes, is what carries over to a microcontroller: a recurrent cell's work "
                "per sample does not depend on how far back it remembers, while attention's grows with its "
                "window and the convolution's receptive field has to grow with the memory it needs. With more "
                "seeds each network is trained once per seed and the table shows the median (a job the first "
                "time; each trained network is kept)."
            ),
            ui.row(controls(P, SPEC, values, ["sensor_seeds"])),
            alert(cid(P, "sensor-compare-alert")),
            ui.chart(cid(P, "sensor-compare"), "Test error against streaming latency and against work per sample",
                     heavy=True),
            html.Div(id=cid(P, "sensor-compare-table"), className="nl-prose"),
        ],
    )


CYCLE_SECTION = Section(
    P, "sensor", CYCLE_SPEC, run_cycle,
    [Chart("sensor-estimate", figures.cycle_figure, figures.describe_cycle),
     Text("sensor-split", figures.split_text)],
    fix="Fix the value above to see the drive cycle.", job=True)
COMPARE_SECTION = Section(
    P, "sensor-compare", COMPARE_SPEC, run_compare,
    [Chart("sensor-compare", figures.compare_figure, figures.describe_compare),
     Text("sensor-compare-table", _compare_table)],
    fix="Fix the value above to compare the networks.", job=True)
SECTIONS = (CYCLE_SECTION, COMPARE_SECTION)
update_sensor = CYCLE_SECTION.register()
update_sensor_compare = COMPARE_SECTION.register()
