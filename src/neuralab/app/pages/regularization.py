"""/regularization: L1, L2 and elastic net, dropout with its real masks, Adam + L2 against AdamW, early stopping."""

from __future__ import annotations

from dash import Input, Output, Patch, State, callback, html, no_update

from neuralab.app import ui
from neuralab.app.controls import (
    alert,
    background,
    checked,
    cid,
    controls,
    from_widget,
    reseed_button,
    wire,
    wire_reseed,
)
from neuralab.params import ParamError, ParamSpec
from neuralab.plots import regularization as fig
from neuralab.plots.theme import message_figure
from neuralab.train import regularize as reg
from neuralab.train.regularize import DECAY, DROPOUT, PENALTY, STOPPING

P = "reg"
SPEC = ParamSpec.merge(P, PENALTY, DROPOUT, DECAY, STOPPING)
PENALTY_SWEEP = ParamSpec("penalty_sweep", seed=PENALTY.fields["seed"])
DROPOUT_SWEEP = ParamSpec("dropout_sweep", seed=DROPOUT.fields["seed"])


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
                controls(P, SPEC, values, ["seed"]),
                reseed_button(P, "New split"),
                html.P(f"The set-up: {reg.N_TRAIN} of scikit-learn's 8 × 8 handwritten digits to train on, the usual "
                       f"360 to validate, and a 64 → {reg.WIDTH} → 10 ReLU network with {reg.N_WEIGHTS:,} weights, "
                       f"{reg.N_WEIGHTS // reg.N_TRAIN} per training image. Without help it gets every training "
                       "image right and a good share of the others wrong: that gap is what regularization tries "
                       "to close. The seed picks the images, the initial weights and the batch order.",
                       className="nl-help"),
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
                f"**How to read it.** Each row is one network's {reg.N_WEIGHTS:,} weights. The red bar at 0 counts "
                "weights that are *exactly* 0.0, kept apart from the bin around 0. Under L2 the histogram narrows; "
                "under L1 (proximal) a growing share jumps into the red bar as λ rises. The gap column is training "
                "accuracy minus validation accuracy: the part of the training score that was memorized."
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
    paths = reg.l1_paths(0.5, lr=0.1, w0=1.0, target=0.2, n=40)
    chart = ui.chart(cid(P, "paths"), "One weight under L1: proximal step against subgradient step")
    chart.children[1].children.figure = fig.l1_paths_figure(paths)  # static: computed once, at layout time
    chart.children[2].children = fig.describe_l1_paths(paths)
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
                "SGD zeroes more than half the weights here, Adam + proximal L1 zeroes hardly any. "
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
                "with validation directly. Be ready for a modest result: with 120 images and a network this "
                "wide, it still gets every training image right even at p = 0.8, so the gap barely closes; "
                "the validation *loss* moves more than the accuracy, which shifts by a point or two either way "
                "(within what a new seed changes). Dropout earns its keep on large fully connected layers "
                "trained for many epochs, not on a 40-epoch run of a small set."
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
                f"With η = {reg.ADAM_LR:g} and {reg.EPOCHS} epochs of {reg.UPDATES_PER_EPOCH} updates, AdamW's decay "
                f"alone removes 1 − (1 − ηλ)^updates of a weight: {100 * reg.decoupled_shrink(0.1):.1f}% at λ = 0.1 "
                f"and {100 * reg.decoupled_shrink(1.0):.0f}% at λ = 1. That is why AdamW's usual "
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
                f"To make the memorizing phase visible this run uses {reg.STOP_N_TRAIN} training images with a "
                "share of their labels replaced by random digits. The network learns the real digits first "
                "(validation loss falls), then memorizes the wrong labels (it climbs again). The grey curve is "
                f"the same run left to go all {reg.STOP_EPOCHS} epochs; the star is the checkpoint handed back."
            ),
            ui.row(controls(P, SPEC, values, ["patience", "label_noise"])),
            alert(cid(P, "stop-alert")),
            ui.chart(cid(P, "stop"), "Validation loss with early stopping, the restored checkpoint marked",
                     heavy=True),
            ui.md(
                "Too little patience stops on a noisy blip before the real minimum; too much wastes epochs but, "
                "thanks to the restored checkpoint, loses no accuracy. Set the label noise to 0: the validation "
                "loss then flattens rather than climbs, and early stopping mostly saves time."
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


# ----------------------------------------------------------------------------- background jobs


def _reporter(set_progress):
    return lambda done, total: set_progress((str(done), str(total)))


def _quiet(done: int, total: int) -> None:
    pass


def penalty_view(lam, alpha, seed, progress=_quiet):
    """Histogram figure, its summary, the table and the alert."""
    cmp, msg = checked(PENALTY, dict(lam=lam, alpha=alpha, seed=seed),
                       lambda v: reg.compare_penalties(**v, progress=progress))
    if cmp is None:
        return message_figure("Fix the value above to train."), msg, "", msg
    return fig.histogram_figure(cmp), fig.describe_histograms(cmp), _table(*fig.penalty_table(cmp)), ""


def penalty_sweep_view(seed, lam, progress=_quiet):
    """λ-sweep figure and its summary; ``lam`` only places the marker."""
    sweep, msg = checked(PENALTY_SWEEP, dict(seed=seed),
                         lambda v: reg.penalty_sweep(**v, progress=progress))
    if sweep is None:
        return message_figure("Fix the value above to run the sweep."), msg
    marker = _valid(PENALTY, "lam", lam)
    lam = reg.LAM.default if marker is None else marker
    return fig.penalty_sweep_figure(sweep, lam), fig.describe_penalty_sweep(sweep)


def dropout_view(p, seed, progress=_quiet):
    """Mask figure, its summary and the alert."""
    run, msg = checked(DROPOUT, dict(p=p, seed=seed), lambda v: reg.train_dropout(**v))
    if run is None:
        return message_figure("Fix the value above to train."), msg, msg
    return fig.mask_figure(run), fig.describe_masks(run), ""


def dropout_sweep_view(seed, p, progress=_quiet):
    """p-sweep figure and its summary; ``p`` only places the marker."""
    sweep, msg = checked(DROPOUT_SWEEP, dict(seed=seed), lambda v: reg.dropout_sweep(**v, progress=progress))
    if sweep is None:
        return message_figure("Fix the value above to run the sweep."), msg
    marker = _valid(DROPOUT, "p", p)
    return fig.dropout_sweep_figure(sweep, DROPOUT.fields["p"].default if marker is None else marker), \
        fig.describe_dropout_sweep(sweep)


def decay_view(decay, seed, progress=_quiet):
    """Decay figure, its summary, the table and the alert."""
    dc, msg = checked(DECAY, dict(decay=decay, seed=seed), lambda v: reg.compare_decay(**v, progress=progress))
    if dc is None:
        return message_figure("Fix the value above to train."), msg, "", msg
    return fig.decay_figure(dc), fig.describe_decay(dc), _table(*fig.decay_table(dc)), ""


def stopping_view(patience, label_noise, seed, progress=_quiet):
    """Early-stopping figure, its summary and the alert."""
    st, msg = checked(STOPPING, dict(patience=patience, label_noise=label_noise, seed=seed),
                      lambda v: reg.early_stopping(**v, progress=progress))
    if st is None:
        return message_figure("Fix the value above to train."), msg, msg
    return fig.stopping_figure(st), fig.describe_stopping(st), ""


def _table(header: list[str], rows: list[list[str]]) -> html.Table:
    return html.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
                       html.Tbody([html.Tr([html.Th(r[0], scope="row"), *(html.Td(c) for c in r[1:])]) for r in rows])])


def _valid(spec: ParamSpec, name: str, raw):
    """``raw`` (a slider position) as a valid value of field ``name``, or None."""
    try:
        return spec.validate(spec.defaults() | from_widget(spec, {name: raw}))[name]
    except (ParamError, TypeError):
        return None


def _both(graph: str, other: str) -> dict:
    """Background kwargs for a job that fills two charts: both look busy, ``graph``'s bar shows progress."""
    kwargs = background(cid(P, graph))
    kwargs["running"] = [*kwargs["running"], (Output(f"{cid(P, other)}-box", "className"), "nl-graph nl-busy",
                                              "nl-graph")]
    return kwargs


def _split(progress, first: int, total: int):
    """Two progress reporters sharing one bar: the first job's steps, then the second's after ``first``."""
    return (lambda done, _n: progress(done, total)), (lambda done, _n: progress(first + done, total))


def penalties_job(lam, alpha, seed, progress=_quiet):
    """The penalty section's one job: histograms, table and alert, then the λ sweep (stored runs load at once)."""
    one, two = _split(progress, 5, 5 + 2 * len(reg.LAM_GRID) + 1)
    return (*penalty_view(lam, alpha, seed, progress=one), *penalty_sweep_view(seed, lam, progress=two))


def dropout_job(p, seed, progress=_quiet):
    """The dropout section's one job: the masks at p, then the sweep over p."""
    one, two = _split(progress, 1, 1 + len(reg.P_GRID))
    return (*dropout_view(p, seed, progress=one), *dropout_sweep_view(seed, p, progress=two))


# One job per section: a browser runs at most two jobs at once and a queued job gives up after 30 s, so
# a page load starts four jobs rather than six. The sweeps' runs are stored on disk, so after the first
# time a λ or p move retrains only the runs at the new value.
@callback(
    Output(cid(P, "hist"), "figure"), Output(cid(P, "hist-summary"), "children"),
    Output(cid(P, "pen-table"), "children"), Output(cid(P, "pen-alert"), "children"),
    Output(cid(P, "sweep"), "figure"), Output(cid(P, "sweep-summary"), "children"),
    *(Input(cid(P, n), "value") for n in PENALTY.fields),
    **_both("hist", "sweep"),
)
def update_penalties(set_progress, lam, alpha, seed):
    return penalties_job(lam, alpha, seed, progress=_reporter(set_progress))


@callback(
    Output(cid(P, "masks"), "figure"), Output(cid(P, "masks-summary"), "children"),
    Output(cid(P, "drop-alert"), "children"),
    Output(cid(P, "dsweep"), "figure"), Output(cid(P, "dsweep-summary"), "children"),
    *(Input(cid(P, n), "value") for n in DROPOUT.fields),
    **_both("masks", "dsweep"),
)
def update_dropout(set_progress, p, seed):
    return dropout_job(p, seed, progress=_reporter(set_progress))


@callback(
    Output(cid(P, "adamw"), "figure"), Output(cid(P, "adamw-summary"), "children"),
    Output(cid(P, "decay-table"), "children"), Output(cid(P, "decay-alert"), "children"),
    *(Input(cid(P, n), "value") for n in DECAY.fields),
    **background(cid(P, "adamw")),
)
def update_decay(set_progress, decay, seed):
    return decay_view(decay, seed, progress=_reporter(set_progress))


@callback(
    Output(cid(P, "stop"), "figure"), Output(cid(P, "stop-summary"), "children"),
    Output(cid(P, "stop-alert"), "children"),
    *(Input(cid(P, n), "value") for n in STOPPING.fields),
    **background(cid(P, "stop")),
)
def update_stopping(set_progress, patience, label_noise, seed):
    return stopping_view(patience, label_noise, seed, progress=_reporter(set_progress))


# ----------------------------------------------------------------------------- light: move the sweep markers


def lam_marker(lam, summary=""):
    """A patch moving the λ marker on the sweep chart (no training).

    no_update for a bad value, or while the chart holds no sweep yet (its caption is empty).
    """
    value = _valid(PENALTY, "lam", lam)
    if value is None or not summary:
        return no_update
    patch = Patch()
    patch["layout"]["shapes"] = fig.lam_marker(value)
    return patch


def p_marker(p, summary=""):
    """A patch moving the p marker on the dropout sweep chart; no_update for a bad value or an empty chart."""
    value = _valid(DROPOUT, "p", p)
    if value is None or not summary:
        return no_update
    patch = Patch()
    patch["layout"]["shapes"] = fig.dropout_marker(value)
    return patch


@callback(Output(cid(P, "sweep"), "figure", allow_duplicate=True), Input(cid(P, "lam"), "drag_value"),
          State(cid(P, "sweep-summary"), "children"), prevent_initial_call=True)
def move_lam_marker(lam, summary):
    return lam_marker(lam, summary)


@callback(Output(cid(P, "dsweep"), "figure", allow_duplicate=True), Input(cid(P, "p"), "drag_value"),
          State(cid(P, "dsweep-summary"), "children"), prevent_initial_call=True)
def move_p_marker(p, summary):
    return p_marker(p, summary)


new_split = wire_reseed(P)
wire(P, SPEC)
