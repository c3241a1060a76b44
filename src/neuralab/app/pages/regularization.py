"""/regularization: L1, L2 and elastic net, dropout with its real masks, Adam + L2 against AdamW, early stopping."""

from __future__ import annotations

from typing import Any

import numpy as np
from dash import Input, Output, Patch, State, callback, html, no_update

from neuralab.app import ui, userdata
from neuralab.app.controls import alert, cid, controls, from_widget, reseed_button, wire, wire_reseed
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, Together, table
from neuralab.app.selfcheck import Pick, Value
from neuralab.params import SEED, ParamError, ParamSpec
from neuralab.plots import regularization as figures
from neuralab.train import regularize
from neuralab.train.regularize import DECAY, DROPOUT, PENALTY, STOPPING

P = prefix(__name__)
SPEC = ParamSpec.merge(P, PENALTY, DROPOUT, DECAY, STOPPING)
PENALTY_SWEEP = ParamSpec("penalty_sweep", seed=PENALTY.fields["seed"], dataset=regularize.DATASET)
DROPOUT_SWEEP = ParamSpec("dropout_sweep", seed=DROPOUT.fields["seed"], dataset=regularize.DATASET)
DATA = ParamSpec("reg_data", dataset=regularize.DATASET, seed=SEED)  # what the runs train on, said once
LAM_MARK = ParamSpec("lam_marker", lam=PENALTY.fields["lam"])  # the sweeps' sliders only place a marker
P_MARK = ParamSpec("p_marker", p=DROPOUT.fields["p"])


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Regularization",
                "Ways to stop a network from memorizing its training set, each tried on a real network that is "
                "built to overfit. Every number below comes from training it with PyTorch, here, on your machine.",
                messages,
            ),
            ui.toolbar(
                controls(P, SPEC, values, ["dataset", "seed"]),
                reseed_button(P, "New split"),
                html.P(f"The set-up: {regularize.N_TRAIN} of scikit-learn's 8 × 8 handwritten digits to train on, "
                       f"the usual 360 to validate, and a 64 → {regularize.WIDTH} → 10 ReLU network with "
                       f"{regularize.N_WEIGHTS:,} weights, {regularize.N_WEIGHTS // regularize.N_TRAIN} per training "
                       "image. Without help it gets every training image right and a good share of the others "
                       "wrong: that gap is what regularization tries to close. The seed picks the images, the "
                       "initial weights and the batch order. On your own dataset: "
                       f"{regularize.N_TRAIN} of its training rows, its validation rows, and a network "
                       f"{regularize.WIDTH} wide whose input and output follow the table; a numeric target is "
                       f"trained on the mean squared error at a smaller learning rate ({regularize.SGD_LR_MSE:g} "
                       f"instead of {regularize.SGD_LR:g}; the note below says so), with R² in place of accuracy.",
                       className="nl-help"),
                html.P(id=cid(P, "data-blurb"), className="nl-help"),
                alert(cid(P, "data-alert")),
            ),
            _penalties(values),
            _dropout(values),
            _decay(values),
            _stopping(values),
            _when(),
        ]
    )


def _penalties(values: dict) -> html.Section:
    return ui.section(
        "Weight penalties: L2, L1 and elastic net",
        [
            ui.md(
                "A penalty adds a price on large weights to the loss: **L = L_data(w) + λ·R(w)**, summed over the "
                "weight matrices (biases stay free).\n\n"
                "* **L2**, R = ½‖w‖²: its gradient λ·w pulls each weight toward 0 in proportion to its size, so "
                "big weights shrink fast and small ones barely move. Nothing reaches 0. In Bayesian terms it is a "
                "Gaussian prior on the weights.\n"
                "* **L1**, R = ‖w‖₁: the pull is λ for every weight, however small. A weight whose data gradient "
                "is weaker than λ is driven all the way to 0: sparsity, a built-in feature selection. A Laplace "
                "prior.\n"
                "* **Elastic net**, R = α‖w‖₁ + (1 − α)·½‖w‖²: some of both; fewer zeros than L1, and among "
                "correlated inputs it keeps a group rather than picking one at random.\n\n"
                "Each λ move trains five networks from the same initial weights on the same batches (no penalty, "
                "L2, L1, elastic net, and L1 done the naive way), about a second in all; it starts when you "
                "release the slider."
            ),
            ui.row(controls(P, SPEC, values, ["lam", "alpha"])),
            alert(cid(P, "pen-alert")),
            ui.chart(cid(P, "hist"), "Histograms of the trained weights for each penalty, exact zeros apart",
                     heavy=True),
            html.Div(id=cid(P, "pen-table"), className="nl-prose nl-reg-table"),
            ui.md(
                f"**How to read it.** Each row is one network's weights ({regularize.N_WEIGHTS:,} on the digits; "
                "the caption gives your table's count). The red bar at 0 "
                "counts weights that are *exactly* 0.0, kept apart from the bin around 0. Under L2 the histogram "
                "narrows; under L1 (proximal) a growing share jumps into the red bar as λ rises. The gap column is "
                "training accuracy minus validation accuracy (R² for a numeric target): the part of the training "
                "score that was memorized."
            ),
            _why_prox(),
            ui.chart(cid(P, "sweep"), "Training and validation accuracy, and the share of zero weights, against λ",
                     heavy=True),
            ui.md(
                "Dashed lines are training accuracy, solid ones validation. Reading left to right: at small λ "
                "nothing changes; in the middle the penalty trades a little training fit for a smaller gap; at "
                "the right edge L1 zeroes every weight and the network predicts a single class. L2 at the same "
                "λ is far milder: its pull λ·w fades as the weights shrink. The dotted line is your λ; it follows "
                "the slider without retraining the sweep (elastic net, between the two, is left to the slider)."
            ),
        ],
    )


def _why_prox() -> html.Div:
    paths = regularize.l1_paths(0.5, lr=0.1, w0=1.0, target=0.2, n=40)
    chart = ui.chart(cid(P, "paths"), "One weight under L1: proximal step against subgradient step")
    chart.children[1].children.figure = figures.l1_paths_figure(paths)  # static: computed once, at layout time
    chart.children[2].children = figures.describe_l1_paths(paths)
    return html.Div(
        [
            ui.md(
                "**Why the zeros are real: the proximal step.** |w| has no gradient at 0. The naive fix uses the "
                "*subgradient* λ·sign(w), so each step moves a weight by a fixed η·λ toward 0. A weight smaller "
                "than that overshoots, lands on the other side, and is pushed back: it rattles around 0 and is "
                "exactly 0.0 only by an accident of rounding. The *L1 (subgradient)* row above is that method, "
                "trained for real: hardly any exact zeros, thousands of weights parked near 0.\n\n"
                "The proximal step does the gradient step on the data loss alone and then applies the "
                "soft-threshold w ← sign(w)·max(|w| − η·λ, 0) (`neuralab.train.loop.prox_l1`, used by "
                "`Config(l1=λ)`). It shrinks by η·λ and *stops at 0* instead of crossing: that is the exact "
                "minimizer of ½(w − v)² + η·λ·|w|. Below, one weight with a weak data pull toward 0.2 and an "
                "L1 pull of λ = 0.5, η = 0.1: the proximal path hits 0.0 and stays; the subgradient path zigzags."
            ),
            chart,
            ui.md(
                "**Why plain SGD here, not Adam.** SGD moves a weight by η × its gradient, so the L1 threshold "
                "η·λ and the data step are on the same scale and λ means the same for every weight. Adam divides "
                "each step by that weight's recent gradient size, so its data step is about η whatever the "
                "gradient: a threshold of η·λ only wins once λ is of order 0.1 or more, and at λ = 0.01, where "
                "SGD zeroes more than half the weights on the digits, Adam + proximal L1 zeroes hardly any. "
                "For the same reason L2 inside Adam does not behave like L2; that is the AdamW section below."
            ),
        ]
    )


def _dropout(values: dict) -> html.Section:
    return ui.section(
        "Dropout: a different thinned network at every update",
        [
            ui.md(
                "During training, each hidden unit's output is set to 0 with probability *p*, independently for "
                "every example and every update, and the survivors are multiplied by **1/(1 − p)** (inverted "
                "dropout) so that the expected activation is unchanged. At evaluation time nothing is dropped or "
                "scaled. No unit can count on a particular partner being present, so the network learns "
                "redundant features; the result behaves like an average over the many thinned networks trained.\n\n"
                "The picture is not a drawing: a forward hook on the network's `nn.Dropout` layer replays torch's "
                "random state to recover the exact mask it drew, and checks it against the layer's output. Each "
                "column is one update, each row a hidden unit (the first 40 of 256), for the first three "
                "examples of each batch."
            ),
            ui.row(controls(P, SPEC, values, ["p"])),
            alert(cid(P, "drop-alert")),
            ui.chart(cid(P, "masks"), "Dropout masks recorded during training: hidden units by update", heavy=True),
            ui.chart(cid(P, "dsweep"), "Final training and validation accuracy and loss against p", heavy=True),
            ui.md(
                "Training numbers here are measured with dropout off, on the trained network, so they compare "
                f"with validation directly. Be ready for a modest result: with {regularize.N_TRAIN} images and a "
                "network this wide, it still gets every training image right even at p = 0.8, so the gap barely "
                "closes; the validation *loss* moves more than the accuracy, which shifts by a point or two either "
                "way (within what a new seed changes). Dropout earns its keep on large fully connected layers "
                f"trained for many epochs, not on a {regularize.EPOCHS}-epoch run of a small set. That reading is "
                f"the digits'; on a table of yours the {regularize.N_TRAIN} rows may not be memorized at all (for "
                "example when identical rows carry different targets), and then there is no gap for dropout to "
                "close."
            ),
        ],
    )


def _decay(values: dict) -> html.Section:
    return ui.section(
        "Adam + L2 against AdamW: the same λ, two meanings",
        [
            ui.md(
                "With plain SGD, adding ½λ‖w‖² to the loss and shrinking every weight by η·λ·w each step are "
                "the same update. With Adam they are not. `torch.optim.Adam(weight_decay=λ)` adds λ·w to the "
                "gradient *before* Adam divides by the running root-mean-square of the gradient. A weight with "
                "small, quiet gradients gets a small divisor, so its decay is amplified; a weight with large "
                "gradients gets its decay diluted. On the very first step the update is −η·sign(g + λw): the "
                "decay only tips a sign.\n\n"
                "**AdamW** (Loshchilov & Hutter, *Decoupled Weight Decay Regularization*) takes the decay out of "
                "the gradient: it shrinks every weight by the same factor (1 − η·λ) per step and lets Adam "
                "handle the data gradient alone. The decay then no longer depends on the gradient's scale. It still "
                "depends on the learning rate: torch's AdamW shrinks by η·λ per step, so a change of η changes the "
                "decay too, and a schedule lowers both together. Here three runs share the initial weights and the "
                "batch order; only the decay rule differs."
            ),
            ui.row(controls(P, SPEC, values, ["decay"])),
            alert(cid(P, "decay-alert")),
            ui.chart(cid(P, "adamw"), "Validation loss and weight norm per epoch: Adam, Adam + L2 and AdamW",
                     heavy=True),
            html.Div(id=cid(P, "decay-table"), className="nl-prose nl-reg-table"),
            ui.md(
                f"With η = {regularize.ADAM_LR:g} and {regularize.EPOCHS} epochs of {regularize.UPDATES_PER_EPOCH} "
                "updates, AdamW's decay alone removes 1 − (1 − ηλ)^updates of a weight: "
                f"{100 * regularize.decoupled_shrink(0.1):.1f}% at λ = 0.1 "
                f"and {100 * regularize.decoupled_shrink(1.0):.0f}% at λ = 1. That is why AdamW's usual "
                "λ values (0.01 to 0.1) look large next to L2's. The same number in Adam + L2 crushes the quiet "
                "weights. The two λ are not interchangeable; tune the one for the optimizer you use."
            ),
        ],
    )


def _stopping(values: dict) -> html.Section:
    return ui.section(
        "Early stopping with patience",
        [
            ui.md(
                "Watch the validation loss after each epoch; keep a copy of the weights whenever it reaches a new "
                "low; stop once it has gone *patience* epochs without one; hand back the saved copy "
                "(`Config(patience=…, restore_best=True)`). It costs nothing but a copy of the weights, and it "
                "saves the epochs that would only have memorized.\n\n"
                f"To make the memorizing phase visible this run uses {regularize.STOP_N_TRAIN} training images with a "
                "share of their labels replaced by random digits. The network learns the real digits first "
                "(validation loss falls), then memorizes the wrong labels (it climbs again). The grey curve is "
                f"the same run left to go all {regularize.STOP_EPOCHS} epochs; the star is the checkpoint handed back."
            ),
            ui.row(controls(P, SPEC, values, ["patience", "label_noise"])),
            alert(cid(P, "stop-alert")),
            ui.chart(cid(P, "stop"), "Validation loss with early stopping, the restored checkpoint marked",
                     heavy=True),
            ui.md(
                "Too little patience stops on a noisy blip before the real minimum; too much wastes epochs but, "
                "thanks to the restored checkpoint, loses no accuracy. Set the label noise to 0: the validation "
                "loss then flattens rather than climbs, and early stopping mostly saves time. On your own dataset "
                f"the run takes {regularize.STOP_N_TRAIN} of its training rows; noisy labels become a random class, "
                "or, for a numeric target, another row's value."
            ),
        ],
    )


def _when() -> html.Section:
    return ui.section(
        "Which one, when",
        [
            ui.md(
                "| tool | use it when | watch out for |\n"
                "| --- | --- | --- |\n"
                "| L2 / weight decay | almost always, at a small strength; with Adam use AdamW "
                "| tune λ on a log scale |\n"
                "| L1 (proximal) | you want sparse weights or to find which inputs matter | needs a proximal step "
                "for true zeros; too much λ kills the network |\n"
                "| elastic net | L1's sparsity with correlated inputs | two knobs to tune |\n"
                "| dropout | large fully connected layers | redundant next to batch norm; slows convergence |\n"
                "| early stopping | every run with a validation set | restore the best checkpoint, not the last |\n"
                "| more or augmented data | you can get it | often beats every weight penalty |\n\n"
                "A gap that none of these closes may not be overfitting: if validation comes from another operating "
                "range than training, the gap measures that shift."
            ),
        ],
    )


# ----------------------------------------------------------------------------- sections

# One job per section: a browser runs at most two jobs at once and a queued job gives up after 30 s, so
# a page load starts four jobs rather than six. The penalty section's job draws the histograms, then the
# λ sweep; the dropout section's the masks, then the p sweep. The sweeps do not read λ or p (their
# slider only places the dotted marker), and their runs are stored on disk, so after the first time a
# λ or p move retrains only the runs at the new value.
HISTOGRAMS = Section(P, "pen", PENALTY, lambda v, progress: regularize.compare_penalties(**v, progress=progress),
                     [Chart("hist", figures.histogram_figure, figures.describe_histograms),
                      Text("pen-table", lambda cmp: table(*figures.penalty_table(cmp)))],
                     fix="Fix the value above to train.", job=True)
LAM_SWEEP = Section(P, "lam-sweep", PENALTY_SWEEP,
                    lambda v, progress: (regularize.penalty_sweep(v["seed"], v["dataset"], progress=progress),
                                         v["lam"]),
                    [Chart("sweep", lambda r: figures.penalty_sweep_figure(*r),
                           lambda r: figures.describe_penalty_sweep(r[0]))],
                    fix="Fix the value above to run the sweep.", job=True, alert=False, marks=LAM_MARK)
MASKS = Section(P, "drop", DROPOUT, lambda v, _: regularize.train_dropout(**v),
                [Chart("masks", figures.mask_figure, figures.describe_masks)],
                fix="Fix the value above to train.", job=True)
P_SWEEP = Section(P, "p-sweep", DROPOUT_SWEEP,
                  lambda v, progress: (regularize.dropout_sweep(v["seed"], v["dataset"], progress=progress), v["p"]),
                  [Chart("dsweep", lambda r: figures.dropout_sweep_figure(*r),
                         lambda r: figures.describe_dropout_sweep(r[0]))],
                  fix="Fix the value above to run the sweep.", job=True, alert=False, marks=P_MARK)
ADAMW = Section(P, "decay", DECAY, lambda v, progress: regularize.compare_decay(**v, progress=progress),
                [Chart("adamw", figures.decay_figure, figures.describe_decay),
                 Text("decay-table", lambda dc: table(*figures.decay_table(dc)))],
                fix="Fix the value above to train.", job=True)
STOP = Section(P, "stop", STOPPING, lambda v, progress: regularize.early_stopping(**v, progress=progress),
               [Chart("stop", figures.stopping_figure, figures.describe_stopping)],
               fix="Fix the value above to train.", job=True)
DATA_SECTION = Section(P, "data", DATA, lambda v, _: regularize.about(**v), [Text("data-blurb", str)],
                       fix="Pick another dataset.")
SECTIONS = (DATA_SECTION, HISTOGRAMS, LAM_SWEEP, MASKS, P_SWEEP, ADAMW, STOP)

# the penalty comparison reports its five runs, the sweep two per λ and the unregularized one;
# train_dropout reports nothing, the p sweep one step per p
PENALTY_JOB = Together(P, "penalties", (HISTOGRAMS, LAM_SWEEP), (5, 2 * len(regularize.LAM_GRID) + 1))
DROPOUT_JOB = Together(P, "dropout", (MASKS, P_SWEEP), (1, len(regularize.P_GRID)))

update_data, update_penalties, update_dropout = DATA_SECTION.register(), PENALTY_JOB.register(), DROPOUT_JOB.register()
update_decay, update_stopping = ADAMW.register(), STOP.register()


# ----------------------------------------------------------------------------- light: move the sweep markers


def _valid(spec: ParamSpec, name: str, raw: Any) -> Any:
    """``raw`` (a slider position) as a valid value of field ``name``, or None."""
    try:
        return spec.validate(spec.defaults() | from_widget(spec, {name: raw}))[name]
    except (ParamError, TypeError):
        return None


def _patch_shapes(shapes: list[dict] | None, summary: Any) -> Patch | Any:
    """A patch replacing a chart's shapes; no_update for a bad value, or while the chart holds no sweep yet."""
    if shapes is None or not summary:
        return no_update
    patch = Patch()
    patch["layout"]["shapes"] = shapes
    return patch


def lam_marker(lam: Any, summary: Any = "") -> Patch | Any:
    """A patch moving the λ marker on the sweep chart (no training).

    no_update for a bad value, or while the chart holds no sweep yet (its caption is empty).
    """
    value = _valid(LAM_MARK, "lam", lam)
    return _patch_shapes(None if value is None else figures.lam_marker(value), summary)


def p_marker(p: Any, summary: Any = "") -> Patch | Any:
    """A patch moving the p marker on the dropout sweep chart; no_update for a bad value or an empty chart."""
    value = _valid(P_MARK, "p", p)
    return _patch_shapes(None if value is None else figures.dropout_marker(value), summary)


@callback(Output(cid(P, "sweep"), "figure", allow_duplicate=True), Input(cid(P, "lam"), "drag_value"),
          State(cid(P, "sweep-summary"), "children"), prevent_initial_call=True)
def move_lam_marker(lam: Any, summary: Any) -> Patch | Any:
    """Follow the λ slider's drag with the sweep's marker."""
    return lam_marker(lam, summary)


@callback(Output(cid(P, "dsweep"), "figure", allow_duplicate=True), Input(cid(P, "p"), "drag_value"),
          State(cid(P, "dsweep-summary"), "children"), prevent_initial_call=True)
def move_p_marker(p: Any, summary: Any) -> Patch | Any:
    """Follow the p slider's drag with the dropout sweep's marker."""
    return p_marker(p, summary)


new_split = wire_reseed(P)
wire(P, SPEC)
fill_datasets = userdata.wire_choice(P, regularize.DATASET)


QUESTIONS = (
    Value("prox-zeros", "One proximal L1 step with threshold η·λ = 0.001 on the weights 0.0004, −0.0009, 0.0015, "
          "−0.02 and 0.0008: how many are exactly zero afterwards?",
          lambda: int((regularize.soft_threshold(np.array([0.0004, -0.0009, 0.0015, -0.02, 0.0008]), 0.001)
                       == 0).sum()),
          "Soft-thresholding moves each weight toward 0 by the threshold and stops at 0 instead of crossing it: "
          "every |w| at or below 0.001 becomes exactly 0.0, here {answer} of the five.",
          section="Weight penalties: L2, L1 and elastic net"),
    Value("dropout", "Inverted dropout with p = 0.2, during training: by what factor are the units that survive "
          "multiplied?", lambda: 1 / (1 - 0.2),
          "Survivors are scaled by 1/(1 − p) = {answer}, so the expected activation matches evaluation, when "
          "nothing is dropped or scaled.", section="Dropout: a different thinned network at every update",
          tolerance=0.001),
    Value("adamw", f"AdamW with η = {regularize.ADAM_LR:g} and weight decay λ = 0.3, over "
          f"{regularize.EPOCHS * regularize.UPDATES_PER_EPOCH} updates: what share of a weight does the decay alone "
          "remove, in percent?", lambda: 100 * regularize.decoupled_shrink(0.3),
          "Each update multiplies the weight by (1 − ηλ), so after n updates 1 − (1 − ηλ)ⁿ of it is gone: "
          "{answer} %.", section="Adam + L2 against AdamW: the same λ, two meanings", tolerance=0.01, unit="%"),
    Pick("restore", "Early stopping with the best weights restored: which weights does training hand back?",
         ("The last epoch's", "Those of the epoch with the lowest validation loss",
          "The average of the last patience epochs", "The initial weights"), 1,
         "A copy is kept at every new validation low and put back at the end, so the epochs spent memorizing "
         "after it cost nothing but time.", section="Early stopping with patience"),
)
