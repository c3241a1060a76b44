"""/feedforward: a trained network's forward pass, a worked example, backprop by hand, the activation zoo."""

from __future__ import annotations

import inspect

from dash import Input, Output, State, clientside_callback, dcc, html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls, wire
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text
from neuralab.app.selfcheck import Pick, Value
from neuralab.nn import activations, teaching
from neuralab.nn.activations import EXPLORER
from neuralab.nn.teaching import BACKPROP, WORKED
from neuralab.params import ParamSpec
from neuralab.plots import feedforward as figures
from neuralab.progress import Progress
from neuralab.train import stepwise
from neuralab.train.stepwise import FORWARD

P = prefix(__name__)
SPEC = ParamSpec.merge(P, FORWARD, WORKED, BACKPROP, EXPLORER)
FRAME_MS = 40  # animation frame interval in the browser


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Feedforward networks",
                "A feedforward network (a multilayer perceptron) is a stack of layers, each an affine map followed "
                "by a nonlinearity, with data moving only forward. This page runs one on real digits, works a tiny "
                "one out by hand, differentiates it by hand, and compares the activation functions.",
                messages,
            ),
            _animation(values),
            _worked(values),
            _backprop(values),
            _explorer(values),
        ]
    )


def _table(ident: str, caption: str, header: tuple[str, ...]) -> html.Table:
    return html.Table([html.Caption(caption), html.Thead(html.Tr([html.Th(h) for h in header])),
                       html.Tbody(id=ident)], className="nl-ff-table")


def _four(values: dict, names: list[str]) -> html.Div:
    """Up to four drag sliders of the worked example in one row, so each row reads as one unit's weights."""
    return html.Div(controls(P, SPEC, values, names, drag=True), className="nl-row nl-ff-row4")


def _rows(rows: list[tuple[str, ...]]) -> list:
    return [html.Tr([html.Td(c) for c in r]) for r in rows]


def _animation(values: dict) -> html.Section:
    return ui.section(
        "Watch a forward pass through a trained network",
        [
            ui.md(
                "This 64 → 16 → 12 → 10 ReLU network was trained on scikit-learn's digits (Adam, "
                f"{stepwise.TRAIN.epochs} epochs, computed once when you first open the page). On the left is the "
                "input: the 64 standardized pixels of one validation digit, drawn as its 8 × 8 image. Each column "
                "to the right is a layer; a unit's colour is its real activation, scaled within its layer (dark: zero, "
                "yellow: the layer's largest). Lines are the 15% strongest weights into each layer, blue positive, "
                "red negative. Every unit computes a = ReLU(Σ wᵢ·xᵢ + b); the output column holds the softmax "
                "probabilities.\n\n"
                "Press **Play** to see the signal travel one layer at a time. Note how many hidden units stay dark: "
                "a ReLU outputs exactly 0 for a negative input, so each digit switches on its own subset of units."
            ),
            ui.row(controls(P, SPEC, values, ["digit", "sample", "speed"])),
            html.Div([html.Button("Play ▶", id=cid(P, "play"), n_clicks=0, className="nl-button"),
                      html.Span(id=cid(P, "anim-status"), className="nl-help", role="status",
                                **{"aria-live": "polite"})], className="nl-ff-play"),
            alert(cid(P, "net-alert")),
            ui.chart(cid(P, "net"), "Activations of every unit of the trained network for one digit", heavy=True),
            dcc.Interval(id=cid(P, "clock"), interval=FRAME_MS, disabled=True),
            dcc.Store(id=cid(P, "anim"), data={"start": 0}),
        ],
    )


def _worked(values: dict) -> html.Section:
    return ui.section(
        "A worked example: 3 inputs, 2 ReLU units, 1 sigmoid output",
        [
            ui.md(
                "Small enough to check with a pocket calculator. Each hidden unit forms z = w·x + b and passes "
                "a = max(0, z); the output forms z₂ = W₂·a + b₂ and squashes it with the sigmoid "
                "ŷ = 1 / (1 + e⁻ᶻ), a probability that the label is 1. The loss is binary cross-entropy, "
                "L = −ln ŷ when y = 1 and −ln(1 − ŷ) when y = 0, in nats.\n\n"
                "Every number below is recomputed as you drag. Things to try: make z of the second hidden unit "
                "positive (raise its bias b₁ of h₂): it switches on and starts to count. Set y to 0: the same "
                "network now pays a large loss for its confident ŷ."
            ),
            html.Details([html.Summary("Inputs and target"), _four(values, ["x1", "x2", "x3", "y"])], open=True),
            html.Details([html.Summary("Hidden layer: weights W₁ and biases b₁, one row per unit"),
                          _four(values, ["w11", "w12", "w13", "bh1"]), _four(values, ["w21", "w22", "w23", "bh2"])],
                         open=True),
            html.Details([html.Summary("Output layer: weights W₂ and bias b₂"), _four(values, ["u1", "u2", "bo"])],
                         open=True),
            alert(cid(P, "worked-alert")),
            ui.chart(cid(P, "worked-chart"), "The worked network with every weight and every intermediate value"),
            _table(cid(P, "worked-table"), "Every intermediate value, computed by neuralab.nn.teaching",
                   ("value", "computed as", "result")),
        ],
    )


def _backprop(values: dict) -> html.Section:
    return ui.section(
        "Backpropagation by hand, checked twice",
        [
            ui.md(
                "Backpropagation is the chain rule applied from the loss backwards, reusing each intermediate "
                "gradient once it is known. For a two-layer network it is eight lines of numpy. Read the table "
                "top to bottom: each gradient is built from the one above it.\n\n"
                "* The output gradient **∂L/∂z₂ = (ŷ − y)/B** is the same simple expression for sigmoid + binary "
                "cross-entropy and for softmax + cross-entropy: the 1/ŷ in ∂L/∂ŷ cancels against the slope of "
                "the squashing function. That is why libraries take logits and fuse the two. (Mean squared error "
                "with a linear output gives 2(ŷ − y)/B.)\n"
                "* **∂L/∂W = (∂L/∂z)ᵀ · (layer input)**: a weight's gradient is its output unit's error times the "
                "value that flowed through it. A zero input (a dead ReLU upstream) means a zero gradient.\n"
                "* **∂L/∂z₁ = ∂L/∂a₁ ⊙ 𝟙(z₁ > 0)**: the ReLU lets the gradient through where it was on, and "
                "blocks it where it was off.\n\n"
                "Two independent checks run on every change: **torch autograd** on the same numbers (float64), "
                "and **finite differences**, nudging each value by ±10⁻⁶ and timing the loss's response with no "
                "calculus at all. Differences near 10⁻¹⁶ are float64 rounding; near 10⁻¹⁰ they are the finite "
                "difference's own error. A bug (a missing transpose, a forgotten 1/B) shows up as 10⁻² or more."
            ),
            ui.row(controls(P, SPEC, values, ["bp_net", "bp_batch", "bp_hidden", "seed"])),
            html.P("Batch size, hidden units and seed apply to the digits mini-batch (64 pixels → hidden ReLU → 10 "
                   "softmax classes, weights from a freshly initialized mlp); the worked example uses its own "
                   "sliders above.", className="nl-help"),
            alert(cid(P, "bp-alert")),
            _table(cid(P, "bp-table"), "The eight gradients in the order backpropagation computes them",
                   ("gradient", "formula", "shape", "values", "max |hand − autograd|",
                    "max |hand − finite diff.| (entries checked)")),
            ui.chart(cid(P, "bp-chart"), "Largest disagreement of each hand-written gradient with autograd and with "
                                   "finite differences"),
            html.Details([html.Summary("The code being checked (neuralab.nn.teaching.backprop)"),
                          ui.code(inspect.getsource(teaching.backprop))]),
        ],
    )


def _explorer(values: dict) -> html.Section:
    return ui.section(
        "Activation functions and where their gradient fades",
        [
            ui.md(
                "Without a nonlinearity between them, stacked layers collapse into one affine map: W₂(W₁x + b₁) + b₂ "
                "is just another Wx + b. The activation is what lets depth add expressive power. Its *derivative* "
                "matters as much: backpropagation multiplies the gradient by f′(z) at every layer. Below, f comes "
                "from torch's own module and f′ from torch autograd. Grey stretches are **saturated** (0 < |f′| "
                "below the threshold: the unit barely learns there); red stretches are **dead** (f′ exactly 0: it "
                "does not learn at all). A sigmoid's slope never exceeds 0.25, so each sigmoid layer multiplies the "
                "backward signal by at most 0.25 before its weights act on it; with Xavier weights that nets out "
                "at about a fourfold loss per layer, while large weights can offset it. ReLU's slope is 1 or 0, "
                "which is why it trains deep stacks and also why a "
                "ReLU unit whose input is always negative never recovers. GELU and SiLU dip below zero, so their slope "
                "passes through 0 at the bottom of the dip: a thin grey band there is not saturation but a minimum."
            ),
            ui.row(controls(P, SPEC, values, ["act", "x_max", "threshold", "n_points"])),
            alert(cid(P, "act-alert")),
            ui.chart(cid(P, "act-chart"), "The activation function and its derivative, with saturated and dead inputs"),
            _table(cid(P, "act-table"), "Every activation of neuralab.nn.models on the same range and threshold",
                   ("activation", "output range", "f′(0)", "max |f′|", "saturated", "dead")),
            ui.md(
                "Output layers follow the task, not the hidden layers: softmax with cross-entropy for classes, a "
                "sigmoid with binary cross-entropy for yes/no, nothing (linear) for regression. In practice you feed "
                "the logits to the loss and let it apply the squashing itself."
            ),
        ],
    )


# ----------------------------------------------------------------------------- sections

#: The network chart's controls: the speed slider drives only the animation, in the browser.
NET = ParamSpec("forward", digit=FORWARD.fields["digit"], sample=FORWARD.fields["sample"])
#: The backprop check reads the worked example's sliders too, for its "worked" network.
CHECK = ParamSpec.merge("backprop", BACKPROP, WORKED)


def _check(v: dict, _progress: Progress) -> teaching.Check:
    """The backprop check of the network picked: the worked example's, or a digits mini-batch's."""
    if v["bp_net"] == "worked":
        return teaching.worked_check(**WORKED.subset(v))
    return teaching.digits_check(v["bp_batch"], v["bp_hidden"], v["seed"])


def _activations(v: dict, _progress: Progress) -> tuple[activations.Curve, list[activations.Summary]]:
    """The chosen activation's curve, and every activation summarised on the same range."""
    return activations.curve(**v), activations.summary_table(v["x_max"], v["threshold"], v["n_points"])


NET_SECTION = Section(P, "net", NET, lambda v, _: stepwise.activations(v["digit"], v["sample"]),
                      [Chart("net", figures.network_figure, figures.describe_network)],
                      fix="Fix the value above to run the network.", job=True)
WORKED_SECTION = Section(P, "worked", WORKED, lambda v, _: teaching.worked_check(**v),
                         [Chart("worked-chart", figures.worked_figure, figures.describe_worked),
                          Text("worked-table", lambda c: _rows(figures.worked_rows(c)), blank=[])],
                         fix="Fix the value above to compute the example.")
BACKPROP_SECTION = Section(P, "bp", CHECK, _check,
                           [Text("bp-table", lambda c: _rows(figures.backprop_rows(c)), blank=[]),
                            Chart("bp-chart", figures.check_figure, figures.describe_check)],
                           fix="Fix the value above to run the check.")
EXPLORER_SECTION = Section(P, "act", EXPLORER, _activations,
                           [Chart("act-chart", lambda r: figures.activation_figure(r[0]),
                                  lambda r: figures.describe_activation(r[0])),
                            Text("act-table", lambda r: _rows(figures.activation_rows(r[1])), blank=[])],
                           fix="Fix the value above to draw the function.")
SECTIONS = (NET_SECTION, WORKED_SECTION, BACKPROP_SECTION, EXPLORER_SECTION)

update_network, update_worked, update_backprop, update_explorer = (s.register() for s in SECTIONS)


# ----------------------------------------------------------------------------- the animation, in the browser

clientside_callback(
    """function(n) {
        return [false, {start: Date.now()}];
    }""",
    Output(cid(P, "clock"), "disabled"),
    Output(cid(P, "anim"), "data"),
    Input(cid(P, "play"), "n_clicks"),
    prevent_initial_call=True,
)

clientside_callback(
    f"""function(n, anim, speed) {{
        const gd = document.querySelector('#{cid(P, "net")} .js-plotly-plot');
        const nu = window.dash_clientside.no_update;
        if (!gd || !gd.data || !window.Plotly || !anim || !anim.start) return [true, nu];
        const t = (Date.now() - anim.start) / 1000 * (Number(speed) || 1);
        let nLayers = 0;
        gd.data.forEach(tr => {{ if (tr.meta && tr.meta.kind === 'node') nLayers += 1; }});
        const idx = [], color = [], opacity = [];
        gd.data.forEach((tr, i) => {{
            if (!tr.meta) return;
            const L = tr.meta.layer;
            if (tr.meta.kind === 'node') {{
                const r = Math.max(0, Math.min(1, t - L + 1));
                idx.push(i); opacity.push(0.25 + 0.75 * r);
                color.push(r > 0 ? tr.meta.values : 'rgba(140,140,140,0.6)');
            }} else {{
                const lit = t > L - 1 && t < L;
                idx.push(i); opacity.push(lit ? 0.7 : (t >= L ? 0.25 : 0.04)); color.push(null);
            }}
        }});
        const nodeIdx = idx.filter((_, k) => color[k] !== null);
        window.Plotly.restyle(gd, {{'marker.color': color.filter(c => c !== null)}}, nodeIdx);
        window.Plotly.restyle(gd, {{opacity: opacity}}, idx);
        const done = t >= nLayers - 1;  // layer k fills in while k - 1 <= t < k; the input is there from the start
        const k = Math.min(nLayers - 1, Math.floor(t) + 1);
        const names = ['', 'hidden layer 1 = ReLU(W₁x + b₁)', 'hidden layer 2 = ReLU(W₂h₁ + b₂)',
                       'the output = softmax(W₃h₂ + b₃)'];
        return [done, done ? 'Forward pass complete.' : 'Computing ' + (names[k] || 'layer ' + k) + '…'];
    }}""",
    Output(cid(P, "clock"), "disabled", allow_duplicate=True),
    Output(cid(P, "anim-status"), "children"),
    Input(cid(P, "clock"), "n_intervals"),
    State(cid(P, "anim"), "data"),
    State(cid(P, "speed"), "value"),
    prevent_initial_call=True,
)

wire(P, SPEC)


def _worked_backprop() -> teaching.Backprop:
    """The worked example at its defaults, forward and backward."""
    return teaching.backprop(teaching.worked_net(teaching.WORKED.defaults()))


QUESTIONS = (
    Value("yhat", "The worked example with its default inputs and weights: what is the output ŷ? (Three decimals "
          "are enough.)", lambda: float(_worked_backprop().forward.yhat[0, 0]),
          "h = ReLU(W₁x + b₁), then z₂ = W₂h + b₂ and ŷ = σ(z₂) = {answer}.",
          section="A worked example: 3 inputs, 2 ReLU units, 1 sigmoid output", tolerance=0.003),
    Value("dz2", "Same example, target y = 1: what is ∂L/∂z₂, the gradient at the output's pre-activation?",
          lambda: float(_worked_backprop().grads["z2"][0, 0]),
          "For a sigmoid with binary cross-entropy the two slopes cancel to ŷ − y = {answer}; negative, so a "
          "gradient step raises z₂ and ŷ.", section="Backpropagation by hand, checked twice", tolerance=0.005),
    Value("sigmoid-slope", "What is the largest slope the sigmoid ever has?",
          lambda: activations.curve("sigmoid").max_slope,
          "σ′(z) = σ(z)(1 − σ(z)) peaks at z = 0 with {answer}, so a gradient passing back through a sigmoid unit "
          "can only shrink, and a stack of them shrinks it geometrically.",
          section="Activation functions and where their gradient fades", tolerance=0.01),
    Pick("collapse", "Two Linear layers with no activation between them can represent…",
         ("More than one Linear layer can", "Exactly what one Linear layer can", "Any continuous function"), 1,
         "W₂(W₁x + b₁) + b₂ is just another Wx + b: without a nonlinearity, depth adds nothing.",
         section="Activation functions and where their gradient fades"),
)
