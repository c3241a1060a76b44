"""/learning-rate: schedule shapes, nine schedules on a real network, the LR range test, the linear scaling rule."""

from __future__ import annotations

from dash import html

from neuralab.app import ui, userdata
from neuralab.app.controls import alert, cid, controls, reseed_button, wire, wire_reseed
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Replay, Section, Text
from neuralab.app.selfcheck import Pick, Value
from neuralab.data import source
from neuralab.params import SEED, ParamSpec
from neuralab.plots import learning_rate as figures
from neuralab.train import lr, schedules

P = prefix(__name__)
SPEC = ParamSpec.merge(P, lr.CURVE, lr.COMPARE, lr.RANGE, lr.SCALING)
DATA = ParamSpec("lr_data", dataset=source.DATASET, seed=SEED)  # what the three runs train on, said once


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Learning-rate schedules",
                "The learning rate sets how far each update moves the weights. Too large and the loss bounces or "
                "blows up; too small and training crawls. Below, every curve comes from training a small network "
                "(64 → 32 → 10, PyTorch) on scikit-learn's 8 × 8 handwritten digits, or on one of your own "
                "datasets: pick it under Dataset, and the network's input and output widths follow your table.",
                messages,
            ),
            ui.toolbar(
                controls(P, SPEC, values, ["dataset", "optimizer", "seed"]),
                reseed_button(P, "New seed"),
                html.P("The dataset, the optimizer and the seed apply to every training run on this page. The seed "
                       "fixes the train/validation split (a table with a time column keeps its time-ordered split "
                       "whatever the seed), the initial weights and the batch order, so two runs that "
                       "differ in one setting differ only because of it. A numeric target is trained on the mean "
                       "squared error, and R² stands where accuracy does for classes.", className="nl-help"),
                html.P(id=cid(P, "data-blurb"), className="nl-help"),
                alert(cid(P, "data-alert")),
            ),
            _shape(values),
            _compare(),
            _range(values),
            _scaling(values),
            _recipe(),
        ]
    )


def _shape(values: dict) -> html.Section:
    return ui.section(
        "A schedule, epoch by epoch",
        [
            ui.md(
                "A schedule changes the learning rate (LR) as training goes on: large early, to cross the loss "
                "landscape quickly, small late, so the weights settle in a minimum instead of rattling around it. "
                "Pick a schedule and drag the two sliders; the curve is read back from PyTorch's own "
                "`torch.optim.lr_scheduler` class, stepped once per epoch."
            ),
            ui.row(controls(P, SPEC, values, ["schedule"])),
            ui.row(controls(P, SPEC, values, ["lr", "epochs"])),
            alert(cid(P, "curve-alert")),
            CURVE.store(),
            ui.chart(cid(P, "curve"), "Learning rate against epoch for the chosen schedule"),
            ui.md(
                "| schedule | shape | reach for it when |\n"
                "| --- | --- | --- |\n"
                "| constant | flat | debugging, or a short fine-tune; rarely the best final result |\n"
                "| step decay | ×0.1 cliffs (here every third of the run) | you want a schedule "
                "you can explain in one line |\n"
                "| exponential | the same factor every epoch (here down to 1%) | a smooth, general-purpose decay |\n"
                "| cosine | half a cosine, ending at zero | the usual modern default; no settings but the length |\n"
                "| warm-up + cosine | linear ramp for the first tenth, then cosine | large batches, deep nets, "
                "transformers: the first steps from random weights are the most fragile |\n"
                "| SGDR | cosine that restarts, each cycle twice as long | you want snapshots from several minima |\n"
                "| reduce on plateau | halves when validation loss stalls | you do not know how long training "
                "should be; it reacts instead of planning |\n"
                "| cyclical | triangles between a tenth of the LR and the LR | an alternative to "
                "restarts; keeps exploring |\n"
                "| one-cycle | up to the LR, then far below the start | short budgets: fast training at a high peak |"
            ),
        ],
    )


def _compare() -> html.Section:
    return ui.section(
        "Nine schedules on a real run",
        [
            ui.md(
                f"The same network, the same initial weights and the same mini-batches ({lr.COMPARE_BATCH} images "
                "or table rows each), trained "
                "once per schedule at the initial LR and number of epochs chosen above. The top panel shows the "
                "LR each run actually used, including when reduce-on-plateau fired; the bottom panel shows the "
                "validation loss. Click a legend entry to hide a line, double-click to show one alone.\n\n"
                "What to try:\n\n"
                "* **SGD + momentum at LR 0.01** (the default). The LR is already gentle; schedules that cut it "
                "early (exponential, step) stop learning before the end and finish behind constant.\n"
                "* **Raise the LR to about 0.3.** Every schedule that starts at the full LR is damaged in its first "
                "epochs: the training loss still reaches almost zero, but the validation loss stays high, "
                "because the network has become overconfident. The three that start low (warm-up + cosine, "
                "cyclical, one-cycle) come through with a far lower validation loss. This is what a warm-up "
                "is for.\n"
                "* **Adam** at 0.01: the schedules end close together, because Adam already scales each "
                "weight's step by its own gradient history.\n\n"
                "These readings are the digits'. On your table, with a different number of updates per epoch, "
                "read the winner and its LR off the chart."
            ),
            alert(cid(P, "compare-alert")),
            ui.chart(cid(P, "compare"), "LR used and validation loss against epoch, one line per schedule",
                     heavy=True),
        ],
    )


def _range(values: dict) -> html.Section:
    return ui.section(
        "Finding a starting LR: the range test",
        [
            ui.md(
                "Leslie Smith's range test (2017) costs a few hundred mini-batches. Start from a tiny LR and "
                "multiply it by the same factor after every mini-batch while recording the loss. At first "
                "nothing happens (the steps are too small), then the loss drops, bottoms out, and finally "
                "shoots up once the steps overshoot. Each batch's loss is noisy (grey dots), so read the "
                "smoothed line (orange), and stop the test once it has clearly blown up.\n\n"
                "Two rules turn the curve into a number, both marked: **min / 10** takes the LR of the lowest "
                "smoothed loss and divides it by ten; **steepest** takes the LR where the loss falls fastest. "
                "The minimum itself is too hot: the LR there was held for a single batch, not a whole run, and "
                "the moving average lags a little behind the rising LR."
            ),
            ui.row(controls(P, SPEC, values, ["steps"])),
            alert(cid(P, "range-alert")),
            ui.chart(cid(P, "range"), "Range test: mini-batch loss against a rising learning rate", heavy=True),
            ui.md(
                f"**Does the suggestion train?** Three short runs of {lr.CHECK_EPOCHS} epochs at a constant LR, "
                "one per marked LR, from the same weights. The run at the minimum's LR is the control: it "
                "shows what happens if you skip the step back."
            ),
            ui.chart(cid(P, "check"), "Validation loss of short runs at the range test's LRs"),
        ],
    )


def _scaling(values: dict) -> html.Section:
    return ui.section(
        "Batch size and the linear scaling rule",
        [
            ui.md(
                "With the number of epochs fixed, doubling the batch halves the number of updates. The linear "
                "scaling rule (Goyal et al. 2017) doubles the LR with it, so that one large step covers the "
                "ground of the small steps it replaces. That holds while the gradient barely changes over those "
                "steps; push the LR far enough and it does not, and training breaks.\n\n"
                f"Each batch size from {lr.BATCHES[0]} to {lr.BATCHES[-1]} trains twice with SGD + momentum: "
                f"blue with LR = (LR at batch {lr.BASE_BATCH}) × batch / {lr.BASE_BATCH}, orange with the LR held "
                "fixed. The two agree at batch 32 by construction. Raise the LR at batch 32 to 0.1 and the rule "
                "breaks sooner; lower it and it holds further.\n\n"
                "Read both panels: a run with a too-large LR can get most digits right while its loss is poor. "
                "Its wrong answers are given with great confidence, and cross-entropy punishes exactly that. "
                "On a table with fewer training rows than a batch size, that batch is the whole training set, "
                "one update an epoch. To its right the fixed-LR points repeat that run, while the scaled points "
                "take the same full-batch step with an ever larger LR, so any change there comes from the LR "
                "alone."
            ),
            ui.row(controls(P, SPEC, values, ["base_lr", "scale_epochs"])),
            alert(cid(P, "scaling-alert")),
            ui.chart(cid(P, "scaling"), "Final validation loss and accuracy against batch size, LR scaled or fixed",
                     heavy=True),
            ui.md(
                "On large clusters the same rule is paired with a warm-up of a few epochs, which lets a run "
                "survive LRs that would wreck its first steps from random weights; beyond that, layer-wise "
                "methods such as LARS adapt the LR per layer."
            ),
        ],
    )


#: The one sentence on starting values; the reference entry (content/learning-rate.md) carries the same words.
STARTING_LR = ("Where to start before any range test: η = 1e-3 for Adam (3e-4 is the other common choice); 0.1 or 0.01 "
               "for SGD with momentum, whose step is η times the gradient rather than about η per weight as in Adam, "
               "so the two numbers are not comparable; and for fine-tuning pretrained weights, 10 to 100 times less "
               "than the from-scratch value.")


def _recipe() -> html.Section:
    return ui.section(
        "A starting recipe",
        [
            ui.md(
                "* Run the range test on your own model and data; take the LR a tenth of the way back from "
                "the minimum (or the steepest point), then try ×3 and ÷3 around it.\n"
                f"* {STARTING_LR}\n"
                "* Use a short linear warm-up, then cosine decay to about zero. Reduce-on-plateau when you "
                "cannot fix the length in advance.\n"
                "* Changed the batch size? Scale the LR with it, and check at the largest batch that the run "
                "still converges.\n"
                "* If the loss becomes NaN or explodes in the first few hundred steps, lower the LR or lengthen "
                "the warm-up before touching anything else."
            ),
        ],
    )


# ----------------------------------------------------------------------------- sections

# The curve is light and follows the LR and epoch sliders while they move; the three runs are
# background jobs that start when a slider is released.
CURVE = Section(P, "curve", lr.CURVE, lambda v, _: lr.curve(**v),
                [Chart("curve", figures.curve_figure, figures.describe_curve)],
                fix="Fix the value above to draw the schedule.", drag=("lr",),
                replay=Replay("epochs", ("curve",)))  # every length at once, drawn in the browser
COMPARE = Section(P, "compare", lr.COMPARE, lambda v, progress: lr.compare(**v, progress=progress),
                  [Chart("compare", figures.comparison_figure, figures.describe_comparison)],
                  fix="Fix the value above to train.", job=True)
RANGE = Section(P, "range", lr.RANGE, lambda v, progress: lr.range_test(**v, progress=progress),
                [Chart("range", figures.range_figure, figures.describe_range),
                 Chart("check", figures.check_figure, figures.describe_check)],
                fix="Fix the value above to run the test.", job=True)
SCALING = Section(P, "scaling", lr.SCALING, lambda v, progress: lr.scaling(**v, progress=progress),
                  [Chart("scaling", figures.scaling_figure, figures.describe_scaling)],
                  fix="Fix the value above to train.", job=True)
DATA_SECTION = Section(P, "data", DATA, lambda v, _: lr.about(**v),
                       [Text("data-blurb", str)], fix="Pick another dataset.")
SECTIONS = (DATA_SECTION, CURVE, COMPARE, RANGE, SCALING)

update_data, update_curve, update_compare, update_range, update_scaling = (s.register() for s in SECTIONS)
new_seed = wire_reseed(P)
wire(P, SPEC)
fill_datasets = userdata.wire_choice(P, source.DATASET)


QUESTIONS = (
    Value("cosine", "Cosine annealing from an initial LR of 0.01 over 100 epochs: what LR does epoch 51 use?",
          lambda: float(lr.curve("cosine", 0.01, 100).values[50]),
          "Epoch 51 is just past half-way, where the cosine passes the middle of its range: {answer}. It falls "
          "slowly at first, fastest in the middle and slowly again at the end.", section="A schedule, epoch by epoch",
          tolerance=0.01),
    Value("plateau", f"Reduce on plateau (factor {schedules.PLATEAU_FACTOR:g}, patience "
          f"{schedules.PLATEAU_PATIENCE}) from 0.01, with a validation loss that never improves after epoch 1: what "
          "LR does epoch 10 use?", lambda: float(lr.curve("plateau", 0.01, 20).values[9]),
          "Every time patience runs out without a new best, the LR is multiplied by the factor: by epoch 10 it is "
          "{answer}. In a real run it falls later, or never.", section="A schedule, epoch by epoch",
          tolerance=0.01),
    Value("scaled", f"Linear scaling rule: an LR of 0.03 suits batches of {lr.BASE_BATCH}. Which LR goes with "
          "batches of 256?", lambda: 0.03 * 256 / lr.BASE_BATCH,
          "The LR grows in proportion to the batch: {answer}. It holds up to a point; very large batches need a "
          "warm-up or stop improving.", section="Batch size and the linear scaling rule", tolerance=0.01),
    Pick("range", "The range test raises the LR every batch until the smoothed loss blows up. Which LR is a sound "
         "start?",
         ("The LR at the lowest smoothed loss", "A tenth of that LR, or where the smoothed loss falls fastest",
          "The LR at which the loss blows up", "The smallest LR tried"), 1,
         "The smoothed curve lags the rising LR, so its minimum sits late, just before the blow-up. A tenth of it, "
         "or the steepest fall, is safely on the way down.", section="Finding a starting LR: the range test"),
)
