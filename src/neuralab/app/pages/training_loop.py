"""/training-loop: the six steps of a training loop, one click at a time, on a real digits mini-batch."""

from __future__ import annotations

import torch
from dash import Input, Output, callback, ctx, html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls, from_widget, wire
from neuralab.app.registry import prefix
from neuralab.app.sections import Alert, Chart, Section, Text, table
from neuralab.app.selfcheck import Pick, Value
from neuralab.data.arrays import digits
from neuralab.plots import training_loop as figures
from neuralab.progress import Progress
from neuralab.train import stepwise
from neuralab.train.stepwise import LOOP, LoopState

P = prefix(__name__)
SPEC = LOOP
SETTINGS = ["batch_size", "optimizer", "lr", "seed"]
BUTTONS = (("next", "Next step ▶"), ("batch", "Next batch"), ("epoch", "To the end of the epoch"),
           ("restart", "Start over"))


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "The training loop",
                "Every network in this lab learns through the same six lines of code. Here they run one at a time "
                "on a real mini-batch of handwritten digits, and after each one you see what it actually computed.",
                messages,
            ),
            _loop(values),
            _reading(),
        ]
    )


def _loop(values: dict) -> html.Section:
    return ui.section(
        "Six steps per batch",
        [
            ui.md(
                f"A 64 → {stepwise.HIDDEN} → 10 ReLU network (`neuralab.nn.models.mlp`) starts from random weights and "
                "learns to read scikit-learn's 8 × 8 digits. The training set is cut into shuffled mini-batches; each "
                "batch goes through steps 1 to 5, and after the last batch of an epoch the network is scored once on "
                "the validation digits (step 6). Press **Next step** and watch what each line produces. The link "
                "holds the settings and a step counter, so reloading replays exactly the same batches and numbers."
            ),
            ui.toolbar(controls(P, SPEC, values, SETTINGS)),
            html.Div([html.Button(label, id=cid(P, name), n_clicks=0, className="nl-button")
                      for name, label in BUTTONS] + controls(P, SPEC, values, ["tick"]), className="nl-loop-buttons"),
            html.P(id=cid(P, "where"), className="nl-loop-where", role="status", **{"aria-live": "polite"}),
            alert(cid(P, "alert")),
            html.Ol(id=cid(P, "cards"), className="nl-loop-cards"),
            html.Div(id=cid(P, "code")),
            html.Div([ui.chart(cid(P, "step"), "What the current step produced"),
                      html.Table(id=cid(P, "weights"), className="nl-loop-table")], className="nl-loop-pair"),
            ui.chart(cid(P, "history"), "Batch loss of every update and validation loss after every epoch"),
        ],
    )


def _reading() -> html.Section:
    return ui.section(
        "What to look for",
        [
            ui.md(
                "* **Step 1 → 2.** Before any update the probabilities are spread over all ten classes and the loss "
                "is of the order of ln 10 ≈ 2.30 nats, the cost of a uniform guess (a little above it here, because "
                "random initial logits are not all equal). A first loss far above that means the initial logits are "
                "too large.\n"
                "* **Step 3.** `backward()` does not change a single weight; it only fills `.grad`. The norms tell "
                "you which layer gets the strongest push.\n"
                "* **Step 4.** With Adam the very first update moves every weight by almost exactly the learning "
                "rate, whatever the size of its gradient: Adam divides by the gradient's own size (a weight "
                "from a pixel that is blank in every digit has a zero gradient and stays put). With plain SGD the "
                "change is learning rate × gradient, so the table's change column is proportional to the gradient. A "
                "useful health check: ‖Δθ‖/‖θ‖ per step around 10⁻³ is typical; 10⁻¹ means the learning rate is "
                "high, 10⁻⁶ means almost nothing is learned.\n"
                "* **Step 5.** torch *adds* each new gradient to whatever `.grad` holds. Forget `zero_grad()` and "
                "every step uses the sum of all gradients so far. Where you clear them (before `backward()` or "
                "after `step()`) does not matter, as long as it happens once per batch.\n"
                "* **Step 6.** Validation runs under `torch.no_grad()` in `eval()` mode: no gradients, dropout off, "
                "batch norm on its running statistics. The batch losses in the chart below jump around because each "
                "is a different sample of 'the' loss; the validation points are the trend to trust.\n\n"
                "Try Adam at a learning rate of 0.3 and run to the end of the first epoch: the validation loss "
                "jumps far above where it started while the accuracy still looks respectable. The updates are so "
                "large that the network becomes extremely confident, and the digits it gets wrong now cost "
                "enormous losses. Accuracy alone would have hidden that."
            ),
        ],
    )


def _cards(st: LoopState) -> list:
    return [html.Li([html.Strong(title), html.Span(value)], className=f"nl-loop-card nl-loop-{status}",
                    **({"aria-current": "step"} if status == "now" else {}))
            for title, value, status in figures.step_cards(st)]


def _weights(st: LoopState) -> list:
    """The weights table's caption, head and body (the table itself is in the layout)."""
    rows = table(("weight", "before step 4", "after", "change"), figures.weight_rows(st))
    return [html.Caption("A few real weights of this batch's update"), *rows.children]


def _run(v: dict, _progress: Progress) -> tuple[LoopState, int]:
    """The run at the tick, and its seed (the code listing shows it)."""
    return stepwise.state(**v), v["seed"]


def _code(run: tuple[LoopState, int]) -> html.Div:
    st, seed = run
    return ui.code(stepwise.code(st.pos.phase, st.optimizer, st.lr, st.batch_size, seed))


# The step chart comes first: it carries the sentence when a value is bad. The alert box is ``loop-alert``.
LOOP_SECTION = Section(
    P, "loop", LOOP, _run,
    [Chart("step", lambda r: figures.step_figure(r[0]), lambda r: figures.describe_step(r[0])),
     Text("where", lambda r: figures.position_text(r[0])),
     Text("cards", lambda r: _cards(r[0]), blank=[]),
     Text("code", _code),
     Text("weights", lambda r: _weights(r[0]), blank=[]),
     Chart("history", lambda r: figures.history_figure(r[0]), lambda r: figures.describe_history(r[0])),
     Alert("alert")],
    fix="Fix the value above to run the loop.", alert=False)
SECTIONS = (LOOP_SECTION,)


def move(action: str | None, tick: object, batch_size: object) -> int:
    """The step counter after a button press, or after a setting changed (a new run starts at 0).

    Args:
        action: a key of :data:`~neuralab.train.stepwise.ACTIONS`, or the setting that changed.
        tick, batch_size: the widgets' values (anything a request can send).
    """
    if action not in stepwise.ACTIONS:
        return 0
    try:
        v = SPEC.validate(from_widget(SPEC, {"tick": tick, "batch_size": batch_size}))
    except ValueError:
        return 0
    return stepwise.advance(v["tick"], action, v["batch_size"])


# One callback owns the counter and the view, so a changed setting never shows for a moment with the old counter.
# The buttons are its extra inputs and the counter its extra output, so it is written here around LOOP_SECTION
# (its outputs, inputs and answer) rather than generated by LOOP_SECTION.register().
@callback(
    Output(cid(P, "tick"), "value"),
    *LOOP_SECTION.outputs(),
    *(Input(cid(P, name), "n_clicks") for name, _ in BUTTONS),
    *LOOP_SECTION.inputs(),
)
def update_loop(_next: int, _batch: int, _epoch: int, _restart: int, *widgets: object) -> tuple:
    """The counter (moved by the button or setting that fired), then every output of :data:`LOOP_SECTION`."""
    positions = LOOP_SECTION.positions(widgets)
    trigger = str(ctx.triggered_id or "").removeprefix(f"{P}-")
    if trigger in stepwise.ACTIONS or trigger in SETTINGS:
        positions["tick"] = move(trigger, positions["tick"], positions["batch_size"])
    return (positions["tick"], *LOOP_SECTION.answer(positions))


wire(P, SPEC)


def _n_train() -> int:
    return len(digits(0).y_train)


QUESTIONS = (
    Value("uniform", "Before any update, a 10-class classifier whose logits are all equal: what is its "
          "cross-entropy, in nats?", lambda: float(torch.nn.functional.cross_entropy(torch.zeros(1, 10),
                                                                                      torch.tensor([0]))),
          "Equal logits give each class probability 1/10, and −ln(1/10) = {answer} nats: the yardstick for the "
          "first loss of any 10-class run.", section="What to look for", tolerance=0.005, unit="nats"),
    Value("ticks", lambda: f"Five steps per mini-batch plus one validation step: with batches of 32 from the "
          f"{_n_train():,} training digits, how many steps make one epoch?",
          lambda: stepwise.ticks_per_epoch(32, _n_train()),
          "The digits make ⌈n / 32⌉ batches (the last one smaller), five steps each, and one validation at the "
          "end: {answer}.", section="Six steps per batch"),
    Pick("zero-grad", "You forget optimizer.zero_grad(). What does each step then use?",
         ("The current batch's gradient, as usual", "The sum of every gradient since training began",
          "A zero gradient", "The previous batch's gradient"), 1,
         "backward() adds into .grad, it never overwrites it. Clear it once per batch, before backward() or after "
         "step().", section="What to look for"),
    Pick("backward", "What does loss.backward() change?",
         ("The weights", "Only each parameter's .grad; the weights move at optimizer.step()",
          "The learning rate", "The loss value"), 1,
         "Backward fills in the gradients and nothing else; the optimizer step is what reads them and moves the "
         "weights.", section="What to look for"),
)
