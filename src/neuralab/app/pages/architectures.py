"""/architectures: every trained model of the lab in one measured table, grouped by the task it learned."""

from __future__ import annotations

from dash import dcc, html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls, wire
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text
from neuralab.app.selfcheck import Pick, Value
from neuralab.compress import architectures as arch
from neuralab.nn.cnn import digits_cnn
from neuralab.nn.models import n_params
from neuralab.plots import architectures as figures

P = prefix(__name__)
SPEC = arch.ARCHITECTURES
INTRO = (
    "The gallery's pages each train a small network and open it up. This page puts them side by side: for every "
    "model, the task it learned, how many numbers it learned, how long it took to train on this machine, how well "
    "it does on data it never saw, and how long one call takes (one image, one operating point, or one whole "
    "drive cycle). Models that learned the same task on the same split are grouped, and only within a group do "
    "the scores compare."
)

COLUMNS = (
    "**Parameters**: the count of trained numbers, `sum(p.numel() for p in model.parameters())` of the module "
    "that is timed. It sets the storage for the weights, not the working RAM and not the speed.\n\n"
    "**Training time**: the wall time the page's code measured when it trained the model on this machine (under "
    "whatever else the machine was doing then). The zoo's MLP and CNN and the autoencoder do not record it: if "
    "this page finds them already trained, it trains a throwaway copy with the same recipe and seed once to time "
    "it, and says *re-measured*.\n\n"
    "**Test score**: on the group's held-out data, with its metric named: accuracy (higher is better) or a root "
    "mean square error in the task's unit (lower is better).\n\n"
    "**Latency per call**: one forward pass in torch on one test input (or the chosen batch of copies), one CPU "
    "thread, no gradient bookkeeping (`torch.inference_mode`); 20 untimed calls to warm up, then the median of "
    "200 timed calls, the models taking turns in 10 rounds so that a burst of other work on this shared machine "
    "is spread over all of them. The slowest of the 200 calls is shown next to the median: the median ranks, "
    "a control loop is sized by the worst case (on a PC that tail belongs to the operating system). A sequence model's "
    "input is a whole test sequence (a 180-step drive cycle, that is 180 answers in one call, not the cost of "
    "one new sample; an 8-token sequence). At a batch above 1 the time is for the whole batch: divide by it "
    "for the cost per input.\n\n"
    "**Page**: where the model is trained and taken apart."
)

READING = (
    "Inside a group, prefer a model that scores no worse with fewer parameters or a shorter call: toward the "
    "bottom left of the chart, with its score read from the table (the chart has no score axis). On the digits, "
    "the CNN needs fewer weights than the MLP, because it reuses one small filter everywhere (whether it scores "
    "better at a given seed, read from the table and check the other seeds with the control); its latency is "
    "not smaller: each filter runs at every pixel, about 81 k multiply-accumulates per digit against the MLP's "
    "6.5 k. At batch 1, torch's per-call overhead hides most of that; at batch 256 the gap shows. On the "
    "winding temperature, six networks read the same cycles with one recipe, and the latency does not follow "
    "the parameter count: torch's CPU build has a fused oneDNN kernel for the LSTM only, while the RNN and GRU "
    "run a generic step-by-step loop, a property of this library build, not of the architectures. That is why "
    "the LSTM can answer faster than the smaller cells at batch 1; whether it does at this seed and batch, the "
    "table says. The group's latency is of a whole 180-step cycle replayed offline; what a "
    "controller pays per new sample is on /recurrent. Training times also reflect each page's recipe (epochs, "
    "batch size), the kernel torch picks and the machine's load at the time, not only the architecture.\n\n"
    "**Caveats.** Parameters are not latency: a convolution or a recurrent cell spends many multiplications "
    "per weight, a dense layer one. Latency on this CPU, through torch's Python dispatch, is not latency on a "
    "microcontroller: for models this small the fixed cost of each torch call dominates, so a network with ten "
    "times the weights can take the same time here, and on an MCU running compiled C the count of "
    "multiply-accumulates and the memory decide (see /deploy). The machine is shared, so a latency or a "
    "training time can move by tens of percent from one run to the next; compare numbers from one table. "
    "Test scores across groups are not comparable at all: a digit accuracy and a temperature error in kelvin "
    "measure different things on different data. Each model is one seed; the seed control shows how much a "
    "score moves with it (for the motor torque the seed also redraws which operating points are held out). "
    "The test sets are small (360 digits: one digit is 0.28 %), and both motor tasks are simulated.\n\n"
    "**Not in the table.** The GAN and the self-organizing map are not predictors: the GAN's generator turns "
    "noise into samples and is judged by how many modes it covers (see /gan), and the map places prototypes "
    "without labels and is judged by its quantization and topographic errors (see /som). A row for either "
    "would need a task and a test score they were not built for."
)


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div([
        ui.page_header("Architectures compared", INTRO, messages),
        ui.section("Every model, measured", [
            ui.md(COLUMNS),
            ui.row(controls(P, SPEC, values, ["arch_seed", "latency_batch"])),
            html.P("The first time on a machine this trains every model of the gallery once (a few minutes); "
                   "after that the table comes from the cache.", className="nl-help"),
            alert(cid(P, "table-alert")),
            ui.chart(cid(P, "latency"), "Latency against parameters, every model (log axes)", heavy=True),
            html.Div(id=cid(P, "tables"), className="nl-prose"),
        ]),
        ui.section("How to read it", [ui.md(READING)]),
    ])


def tables(t: arch.Table) -> list:
    """One table per task group, each under a sentence saying what its rows share."""
    out: list = []
    for group in figures.GROUP_STYLE:
        rows = figures.group_rows(t, group)
        if not rows:
            continue
        out += [html.H3(group), html.P(arch.GROUPS[group]), html.Table([
            html.Thead(html.Tr([html.Th(h, scope="col") for h in figures.HEADER])),
            html.Tbody([html.Tr([html.Th(r[0], scope="row"), *(html.Td(c) for c in r[1:-1]),
                                 html.Td(dcc.Link(r[-1], href=r[-1]))]) for r in rows]),
        ])]
        notes = figures.group_notes(t, group)
        if notes:
            out.append(html.Ul([html.Li(n) for n in notes], className="nl-help"))
    out.append(html.P(f"Latency: median and slowest of {t.calls} calls per model, batch {t.batch} per call, "
                      f"{t.threads} thread, on this machine."))
    return out


TABLE_SECTION = Section(
    P, "table", SPEC, lambda v, progress: arch.table(**v, progress=progress),
    [Chart("latency", figures.latency_figure, figures.describe_latency), Text("tables", tables)],
    fix="Fix the value above to measure the models.", job=True)
SECTIONS = (TABLE_SECTION,)
update_table = TABLE_SECTION.register()

wire(P, SPEC)


QUESTIONS = (
    Value("cnn-params", "How many trained parameters does the digits CNN (1 → 8 → 16 filters of 3 × 3 with "
          "padding 1, so the maps stay 8 × 8; a 2 × 2 max pool; a dense layer to 10 classes) have?",
          lambda: n_params(digits_cnn(8, 16)),
          "80 in the first convolution (8 × 9 + 8), 1,168 in the second (16 × 8 × 9 + 16), 2,570 in the dense layer "
          "(256 × 10 + 10): {answer}.", section="Every model, measured"),
    Pick("compare", "The CNN scores 98 % on the digits and the GRU 1.2 K on the winding temperature. Which is the "
         "better architecture?",
         ("The CNN: 98 % is a better score than 1.2", "The GRU: an error of about a kelvin is excellent",
          "Neither question makes sense: different tasks, data and metrics"), 2,
         "Scores compare only within a group that shares the task, the split and the metric.",
         section="How to read it"),
    Pick("mcu", "A model with 10 × the parameters takes the same median time here. On a microcontroller running "
         "generated C it will most likely…", ("…take the same time too", "…take longer: there the "
         "multiply-accumulates and memory decide, not the per-call overhead", "…be faster"), 1,
         "For tiny models torch's per-operator overhead dominates on a PC; compiled C on an MCU has none, so the "
         "arithmetic shows.", section="How to read it"),
)
