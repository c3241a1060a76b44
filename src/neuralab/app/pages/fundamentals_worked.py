"""/fundamentals, worked: the handbook's 3 → 2 ReLU → 1 sigmoid example, every value forward and backward."""

from __future__ import annotations

from dash import dcc, html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Section, Text, table
from neuralab.app.selfcheck import Value
from neuralab.basics import worked
from neuralab.nn import teaching
from neuralab.params import ParamSpec
from neuralab.plots import feedforward as ff

P = prefix("neuralab.app.pages.fundamentals")
SPEC = ParamSpec.merge("fundamentals-worked", worked.TARGET)
TITLE = "A worked example, forward and backward"
FORWARD_COLUMNS = ("value", "computed as", "result")
BACKWARD_COLUMNS = ("gradient", "formula", "shape", "values", "vs autograd", "vs finite differences")
LINK_TEXT = "Change any number on /feedforward →"


def link(worked_y: int = 1) -> str:
    """The /feedforward address whose worked example opens at the handbook's values (and this target)."""
    return "/feedforward" + teaching.WORKED.to_query(worked.handbook_values(worked_y))


def _given() -> str:
    h = teaching.HANDBOOK
    return (f"x = ({h['x1']:g}, {h['x2']:g}, {h['x3']:g}); hidden unit 1 weights ({h['w11']:g}, {h['w12']:g}, "
            f"{h['w13']:g}) and bias {h['bh1']:g}; hidden unit 2 weights ({h['w21']:g}, {h['w22']:g}, "
            f"{h['w23']:g}) and bias {h['bh2']:g}; output weights ({h['u1']:g}, {h['u2']:g}) and bias {h['bo']:g}")


def _agreement(c: teaching.Check) -> str:
    f, gap = c.bp.forward, worked.autograd_gap(c)
    return (f"Forward: ŷ = {f.yhat[0, 0]:.4f}, loss {f.loss:.4f} nats for y = {int(c.net.Y[0, 0])}. torch autograd, "
            f"run on the same numbers in float64, agrees with every hand-computed gradient: "
            f"the largest |hand − autograd| over all eight is {gap:.1e}.")


def layout(values: dict) -> list[html.Section]:
    return [ui.section(TITLE, [
        ui.md(
            "The handbook's small example, computed here from its own inputs and weights: "
            f"{_given()}. Note that the handbook writes the first layer as x·W₁ with W₁ of shape (3, 2), so "
            "each column holds one hidden unit's weights; torch's `nn.Linear` stores the transpose, one row per "
            "unit, as the table does. The handbook does not give a target; choose it below.\n\n"
            "Forward, each hidden unit forms z = w·x + b and passes max(0, z); the output forms z₂ from the two "
            "hidden values and squashes it with the sigmoid. Backward, the chain rule runs the other way: for a "
            "sigmoid with binary cross-entropy, ∂L/∂z₂ is simply ŷ − y; each output weight's gradient is that "
            "times the hidden value it multiplied; each hidden unit receives ∂L/∂z₂ times its output weight, "
            "passed on only if its z was positive; and each first-layer weight's gradient is that times its "
            "input. If you work it by hand and a value differs from the table, redo the hidden layer first: "
            "that is where slips usually hide (the handbook's own printed hidden values do not follow from "
            "its weights)."
        ),
        ui.row(controls(P, SPEC, values, ["worked_y"])),
        alert(cid(P, "worked-alert")),
        html.Div(id=cid(P, "worked-forward"), className="nl-table"),
        html.Div(id=cid(P, "worked-backward"), className="nl-table"),
        html.P(id=cid(P, "worked-agree"), className="nl-summary", **{"aria-live": "polite"}),
        html.P(dcc.Link(LINK_TEXT, id=cid(P, "worked-link"), href=link(values.get("worked_y", 1)))),
    ])]


def run(values: dict, _progress) -> teaching.Check:
    return worked.handbook(values["worked_y"])


SECTION = Section(
    P, "worked", worked.TARGET, run,
    [Text("worked-forward", lambda c: [table(FORWARD_COLUMNS, ff.worked_rows(c))], blank=[]),
     Text("worked-backward", lambda c: [table(BACKWARD_COLUMNS, ff.backprop_rows(c))], blank=[]),
     Text("worked-agree", _agreement),
     Text("worked-link", lambda c: link(int(c.net.Y[0, 0])), prop="href", blank=link())],
    fix="Fix the value above to compute the example.")
SECTIONS = (SECTION,)
update_worked = SECTION.register()

QUESTIONS = (
    Value("worked-yhat", "The handbook's worked example: what is the output ŷ? (Three decimals are enough.)",
          lambda: round(float(worked.handbook(1).bp.forward.yhat[0, 0]), 3),
          "h = ReLU(W₁x + b₁), z₂ = W₂h + b₂, ŷ = σ(z₂) = {answer}.", section=TITLE, tolerance=0.003),
    Value("worked-h1", "Same example: what is the first hidden unit's value h₁ after the ReLU?",
          lambda: round(float(worked.handbook(1).bp.forward.a1[0, 0]), 4),
          " + ".join(f"({teaching.HANDBOOK[x]:g})·({teaching.HANDBOOK[w]:g})" for x, w in
                     (("x1", "w11"), ("x2", "w12"), ("x3", "w13"))) + f" + ({teaching.HANDBOOK['bh1']:g}) = "
          "{answer}; positive, so the ReLU passes it unchanged.",
          section=TITLE, tolerance=0.001),
    Value("worked-du1", "With target y = 1, what is ∂L/∂W₂ for the weight from h₁ to the output?",
          lambda: round(float(worked.handbook(1).bp.grads["W2"][0, 0]), 4),
          "(ŷ − y)·h₁ = {answer}: negative, so gradient descent raises that weight.", section=TITLE,
          tolerance=0.005),
)
