"""/quantization: a trained layer on the integer grid, accuracy against bits (PTQ, QAT), checked against torch.ao."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, html

from neuralab.app import own_compression, ui
from neuralab.app.controls import alert, cid, controls, from_widget, wire
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Needs, Replay, Section, Text, table
from neuralab.app.selfcheck import Pick, Value
from neuralab.compress import own, quantize, quantize_effects, zoo
from neuralab.params import ParamSpec
from neuralab.plots import quantization as figures

P = prefix(__name__)
#: On the learner's own table: INT8 with the scheme, granularity and calibration count of the sweep above.
OWN = own_compression.spec(**{k: quantize_effects.SWEEP.fields[k] for k in ("scheme", "granularity", "calib")})
SPEC = ParamSpec.merge(P, quantize_effects.QUANT, quantize_effects.SWEEP, OWN)
# The first use of a reference model trains it (seconds), too long for a request: the one-layer view says so while
# the sweep's job trains it first, and answers once it has.
REFERENCE = Needs("reference", ParamSpec("reference", model=zoo.MODEL), lambda v: zoo.kept(v["model"]),
                  lambda v: zoo.load(v["model"]),
                  "The reference network is being trained (once on this machine, a few seconds); its layer appears "
                  "here as soon as it is done.")


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Quantization",
                "Store each weight as a small integer and one shared scale instead of a 32-bit float: four to "
                "eight times less memory and integer arithmetic. Every chart here quantizes a model that was "
                "really trained on the 8 × 8 digits, and the accuracies are measured on its 360 test digits.",
                messages,
            ),
            ui.toolbar(controls(P, SPEC, values, ["model"])),
            _layer(values),
            _network(values),
            _check(),
            own_compression.layout(P, SPEC, values, OWN_INTRO,
                                   "Test score and stored size of the float32 network and its INT8 versions"),
        ]
    )


def _layer(values: dict) -> html.Section:
    return ui.section(
        "One layer's weights on the integer grid",
        [
            ui.md(
                "A *b*-bit integer can take 2^*b* values. Quantization picks a step *s* (the scale) and an integer "
                "*z* that stands for zero, then stores q = round(w / s) + z, clipped to the integer range; the "
                "network later computes with ŵ = s·(q − z). The red lines are the values ŵ can take. Every weight "
                "moves to its nearest line, so the error is at most half a step inside the range.\n\n"
                "* **Symmetric** puts zero in the middle (z = 0) and uses ±(2^(b−1) − 1): simple integer maths. "
                "With 1 bit the only symmetric level is 0, and every weight becomes zero.\n"
                "* **Asymmetric** fits the grid to the interval from min to max with a zero point, using all "
                "2^*b* levels.\n"
                "* **Per channel** gives each output neuron (or filter) its own scale: the next chart shows what "
                "that buys."
            ),
            ui.row([*controls(P, SPEC, values, ["bits"], drag=True),
                    *controls(P, SPEC, values, ["layer", "scheme", "granularity"]),
                    html.Button("Next layer", id=cid(P, "next"), n_clicks=0, className="nl-button")]),
            REFERENCE.marker(P),
            LAYER_SECTION.store(),
            alert(cid(P, "hist-alert")),
            ui.chart(cid(P, "hist"), "Histogram of the layer's trained weights with the quantization levels"),
            ui.chart(cid(P, "channels"), "RMS quantization error of each output channel, per tensor and per channel"),
            ui.md(
                "One scale per tensor must cover the largest weight of the whole layer, so a neuron whose weights "
                "are all small gets only a few levels and a large relative error. Per-channel scales fit each "
                "neuron's own range. The cost is one scale per output channel, a few bytes."
            ),
        ],
    )


def _network(values: dict) -> html.Section:
    return ui.section(
        "The whole network at every bit width",
        [
            ui.md(
                "Here weights *and* the inputs of every layer are quantized to the same number of bits, and the "
                "model above is scored on the test digits at 1 to 8 bits, three ways:\n\n"
                "* **Dynamic PTQ** (post-training): weights quantized once; each input gets its range from its "
                "own min and max as it arrives. No data needed, a little work per inference.\n"
                "* **Static PTQ**: activation ranges are fixed beforehand by running calibration samples through "
                "the float model; values outside the range are clipped. Fewer samples give less reliable ranges.\n"
                "* **QAT** (quantization-aware training): start from static PTQ and fine-tune with the rounding in "
                "the forward pass. Rounding has no useful gradient, so the backward pass treats it as the "
                "identity (the straight-through estimator). The weights learn to sit well on the grid.\n\n"
                "At 8 bits all three stay near the float line. Go below 4 bits and PTQ collapses while QAT still "
                "recovers much of the accuracy. Scheme and granularity above apply to the weights."
            ),
            ui.row(controls(P, SPEC, values, ["calib", "qat_epochs"])),
            alert(cid(P, "sweep-alert")),
            ui.chart(cid(P, "sweep"), "Test accuracy against bit width for dynamic PTQ, static PTQ and QAT",
                     heavy=True),
        ],
    )


def _check() -> html.Section:
    return ui.section(
        "Checked against PyTorch's own quantization",
        [
            ui.md(
                "The quantizer on this page is a few lines of numpy. To be sure it computes what the tools compute, "
                "the INT8 integers of every weight are compared with `torch.quantize_per_tensor` and "
                "`torch.quantize_per_channel`, given the scales of torch's `MinMaxObserver`. The whole network is "
                "also compared with `torch.ao.quantization.quantize_dynamic`. That function quantizes activations "
                "per batch with 7-bit unsigned ranges on x86, so a few predictions can differ."
            ),
            html.Div("The comparison appears with the accuracy sweep above.", id=cid(P, "check"), className="nl-card",
                     role="status", **{"aria-live": "polite"}),
            ui.code(
                "import torch\nfrom torch.ao.quantization import MinMaxObserver, quantize_dynamic\n\n"
                "w = model[0].weight.detach()\n"
                "obs = MinMaxObserver(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric,\n"
                "                     quant_min=-127, quant_max=127)\n"
                "obs(w)\nscale, zero_point = obs.calculate_qparams()\n"
                "q = torch.quantize_per_tensor(w, float(scale), int(zero_point), torch.qint8).int_repr()\n\n"
                "int8_model = quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)"
            ),
        ],
    )


OWN_INTRO = (
    "The same quantizer on a table of yours. The reference MLP recipe above (hidden layers of "
    f"{' and '.join(map(str, zoo.RECIPES['mlp'].hidden))} neurons, the same epochs and learning rate; one input per "
    "feature of your table, one output per class or a single one for a numeric target) is trained on the table's "
    "training rows, once per table on this machine. It is then quantized to 8 bits, weights and layer inputs, by "
    "dynamic PTQ (input ranges measured on the fly) and by static PTQ (ranges fixed from the calibration rows "
    "chosen above), both with the scheme and granularity chosen above. The score is test accuracy for classes; "
    "for a numeric target it is the mean squared error of the target standardized on the training rows (about "
    "1.0 is what always predicting the training mean scores; lower is better). Size counts the stored weights "
    "and biases: 4 bytes a number in float32; 1 byte a weight at INT8 plus a float32 scale (and, asymmetric, an "
    "int8 zero point) per scale group, with biases kept at 4 bytes."
)


# ----------------------------------------------------------------------------- the sections


def next_layer(_n: int | None, layer: Any, model: Any) -> int:
    """The next weight layer of the model, wrapping to the first: new weights to look at.

    A layer box that holds no valid layer restarts at the first.
    """
    try:
        spec = quantize_effects.QUANT
        current = spec.fields["layer"].coerce("layer", from_widget(spec, {"layer": layer})["layer"])
    except ValueError:
        return 1
    return quantize_effects.next_layer(model if isinstance(model, str) else "", current)


callback(Output(cid(P, "layer"), "value"), Input(cid(P, "next"), "n_clicks"), State(cid(P, "layer"), "value"),
         State(cid(P, "model"), "value"), prevent_initial_call=True)(next_layer)


def _check_card(c: quantize_effects.TorchCheck) -> list:
    """The cross-check against torch: a sentence, the table, and a note when torch left layers in float."""
    note = None if c.linear_only else html.P("quantize_dynamic leaves Conv2d layers in float, so for this model "
                                             "its network is only partly quantized.", className="nl-help")
    return [html.P(figures.describe_check(c)), table(("compared", "ours", "torch"), figures.check_rows(c)), note]


# One layer: light, follows the bits slider while it moves.
LAYER_SECTION = Section(P, "hist", quantize_effects.QUANT, lambda v, _: quantize_effects.layer_view(**v),
                        [Chart("hist", figures.histogram_figure, figures.describe_histogram),
                         Chart("channels", figures.channel_figure, figures.describe_channels)],
                        fix="Fix the value above to see the layer.", needs=REFERENCE,
                        replay=Replay("bits", ("hist", "channels")))  # 8 bit widths, drawn in the browser
# The whole network at every bit width, with the cross-check against torch: a background job.
SWEEP_SECTION = Section(P, "sweep", quantize_effects.SWEEP,
                        lambda v, progress: quantize_effects.sweep(**v, progress=progress),
                        [Chart("sweep", figures.sweep_figure, figures.describe_sweep),
                         Text("check", lambda s: _check_card(s.check), blank=[])],
                        fix="Fix the value above to run the sweep.", job=True, needs=REFERENCE)
# The learner's own table: the reference MLP trained on it, then INT8 (a background job).
OWN_SECTION = own_compression.section(P, OWN, lambda data, key, v, progress: own.quantization(
    data, key, v["scheme"], v["granularity"], v["calib"], progress=progress))
SECTIONS = (LAYER_SECTION, SWEEP_SECTION, OWN_SECTION)

update_layer, update_sweep, update_own = (s.register() for s in SECTIONS)
fill_datasets = own_compression.wire(P)
wire(P, SPEC)


QUESTIONS = (
    Value("scale", "Symmetric 8-bit quantization of a layer whose weights span −0.8 to 0.5: what is the scale s?",
          lambda: float(quantize.calc_qparams(-0.8, 0.5, 8, True)[0]),
          f"Symmetric covers ±max|w| = 0.8 with the integers up to ±{quantize.qrange(8, True)[1]}, so "
          "s = {answer}; the levels between 0.5 and 0.8 go unused.",
          section="One layer's weights on the integer grid", tolerance=0.002),
    Value("zero-point", "Asymmetric 8-bit for activations between 0 and 6 (after a ReLU6): what is the zero point "
          "z?", lambda: int(quantize.calc_qparams(0.0, 6.0, 8, False)[1]),
          f"The range 0 … 6 maps onto {quantize.qrange(8, False)[0]} … {quantize.qrange(8, False)[1]}, so real 0 "
          "is the lowest integer: z = {answer}, and no level is spent on negative values.",
          section="One layer's weights on the integer grid"),
    Value("levels", "How many distinct integers does a symmetric 4-bit grid use?",
          lambda: quantize.QParams(0, 0, *quantize.qrange(4, True)).levels,
          "Symmetric drops the most negative integer so the grid is the same on both sides: {answer} levels, "
          "one fewer than 2⁴.", section="One layer's weights on the integer grid"),
    Pick("static", "Which method fixes every layer's activation range before deployment, from calibration "
         "samples?", ("Dynamic PTQ", "Static PTQ", "Neither: ranges are always measured per input"), 1,
         "Static PTQ runs calibration samples through the network once and freezes the ranges; dynamic PTQ "
         "measures each input's min and max as it arrives, a little work per inference.",
         section="The whole network at every bit width"),
)
