"""/fundamentals, shapes: a typed layer list traced through torch, and two shape mistakes that raise nothing."""

from __future__ import annotations

from dash import Input, Output, callback, html, no_update

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.app.selfcheck import Value
from neuralab.basics import shapes
from neuralab.params import ParamSpec
from neuralab.plots import fundamentals_shapes as figures

P = prefix("neuralab.app.pages.fundamentals")
SPEC = ParamSpec.merge("fundamentals-shapes", shapes.PRESET, shapes.SHAPES, shapes.TRAPS)
TRACE_TITLE = "Shapes through a network"
TRAPS_TITLE = "Two shape mistakes that raise no error"
BROKEN = shapes.trace(*shapes.PRESETS["broken"][1:])  # the example error the prose quotes, from torch itself
COLUMNS = ("Layer", "Output shape", "Parameters", "Output (float32)", "Note")


def run_trace(values: dict, _progress) -> shapes.Trace:
    return shapes.trace(values["shapes_layers"], values["shapes_input"])


def run_traps(values: dict, _progress) -> shapes.Traps:
    return shapes.traps(values["shapes_batch"], values["shapes_n"], values["shapes_seed"])


def _rows(t: shapes.Trace) -> list:
    rows = [(f"{i + 1}. {r.text}", figures.shape_text(r.shape), f"{r.params:,}", f"{r.bytes:,} B", r.note)
            for i, r in enumerate(t.rows)]
    if t.failed is not None:
        rows.append((f"{t.failed + 1}. {t.layers[t.failed]}", "fails", "", "", "see the error below"))
    rows.append(("Total", figures.shape_text(t.output_shape), f"{t.total_params:,}", f"{t.total_bytes:,} B", ""))
    return [table(COLUMNS, rows)]


def _error(t: shapes.Trace) -> list:
    if t.failed is None:
        return []
    return [html.P(html.Strong(t.explain)),
            html.P(f"torch's own message, from layer {t.failed + 1} ({t.layers[t.failed]}):"),
            html.Pre(html.Code(t.error), className="nl-error")]


def layout(values: dict) -> list[html.Section]:
    return [_trace(values), _traps(values)]


def _trace(values: dict) -> html.Section:
    return ui.section(TRACE_TITLE, [
        ui.md(
            f"Most errors in a first PyTorch model are about shapes, and they show up only when data flows "
            "through it. Type a layer list below as you would write it inside `nn.Sequential`, separated by `;`, "
            "and an input shape. The lab reads the list without executing it (only common layer names "
            "such as Linear, Conv1d, LSTM or ReLU with plain numbers are accepted), builds the real "
            "`torch.nn` layers, and pushes a random "
            "batch through them one at a time. The table gives what each layer returns, how many weights it "
            "holds (counted by torch) and how much memory its output takes in float32 for this batch; in "
            "training, autograd keeps most of those outputs for the backward pass, so their total grows with "
            "the batch while the parameter count does not.\n\n"
            "Two conventions decide most shapes. Layers take the **batch first** (the recurrent ones only when "
            "told, see below): an MLP sees (batch, features), and a `Linear` acts on the last dimension only, "
            "whatever comes before it. Convolutions are **channels-first**: `Conv1d` wants (batch, channels, "
            "length), so a batch of 32 windows of 100 samples from 3 sensors is (32, 3, 100), not (32, 100, 3) "
            "as it often comes out of a CSV file, and `Conv2d` wants (batch, channels, height, width). A "
            "convolution with kernel k, stride 1 and no padding shortens the length by k − 1; `MaxPool1d(2)` "
            "halves it, rounding down. `Flatten()` then merges everything after the batch into one dimension, "
            "and the next `Linear` must be told that product: the number people most often get wrong.\n\n"
            f"Reading a shape error: torch names the operation, not your layer. *{BROKEN.error}* comes from a "
            "`Linear`: the first pair is the input, batch by features; the second is the transposed weight, "
            "in_features by out_features. The two inner numbers must agree. When a layer fails, the page "
            "shows torch's message as it is and a sentence that computes the value that would fit. "
            "Pick the broken example to see one."
        ),
        ui.row(controls(P, SPEC, values, ["shapes_preset", "shapes_input"])),
        controls(P, SPEC, values, ["shapes_layers"])[0],
        alert(cid(P, "shapes-alert")),
        html.Div(id=cid(P, "shapes-error"), className="nl-alert", role="status"),
        html.Div(id=cid(P, "shapes-table"), className="nl-table"),
        ui.chart(cid(P, "shapes-layers"), "Parameters and output memory per layer"),
        ui.md(
            "The same trace in a script (the shapes print as the batch goes through):"
        ),
        ui.code(
            "import torch\nfrom torch import nn\n\n"
            "net = nn.Sequential(nn.Conv1d(3, 16, 5), nn.ReLU(), nn.MaxPool1d(2), nn.Flatten(), nn.LazyLinear(10))\n"
            "x = torch.randn(32, 3, 100)\n"
            "for layer in net:\n"
            "    x = layer(x)\n"
            "    n = sum(p.numel() for p in layer.parameters())\n"
            "    print(f\"{layer!s:40} {tuple(x.shape)!s:16} {n:>8,}\")"
        ),
        ui.md(
            "`nn.LazyLinear` infers in_features from the first batch, which removes the usual Flatten mistake; "
            "the traced list above uses plain `Linear` so that the mistake is visible."
        ),
    ])


def _traps(values: dict) -> html.Section:
    return ui.section(TRAPS_TITLE, [
        ui.md(
            "A wrong shape that torch can still compute with gives wrong numbers instead of an error. Two cases "
            "come up again and again.\n\n"
            "**batch_first.** `nn.RNN`, `nn.LSTM` and `nn.GRU` default to (time, batch, features). Data cut into "
            "windows usually arrives as (batch, time, features). Fed that without `batch_first=True`, the layer "
            "reads the batch axis as time and the time axis as the batch: it steps from one window to the next "
            "as if they were consecutive instants, and treats each time step as a separate sequence. "
            "The output has the same shape either way, so nothing complains. Below, the same weights and the same "
            "batch go through both settings; the chart follows hidden unit 0 of the first window along time. With "
            "`batch_first=True` the unit carries memory from step to step; without it every value shown is "
            "the first step of a different sequence.\n\n"
            "**Broadcasting.** A regression head returns `pred` of shape (N, 1); the targets are often a "
            "vector of shape (N,). `pred - target` then broadcasts to (N, N): every prediction minus every "
            "target. The mean of its square is a number of the right kind and the training even moves, "
            "towards predicting the mean of the targets. `nn.MSELoss` warns about this mismatch; a hand-written "
            "loss does not. Squeeze or reshape one side, and assert the shape before the loss."
        ),
        ui.row(controls(P, SPEC, values, ["shapes_batch", "shapes_n", "shapes_seed"])),
        alert(cid(P, "traps-alert")),
        ui.chart(cid(P, "traps"), "Same weights, same data: the RNN output with and without batch_first"),
        ui.code(
            "rnn = nn.RNN(3, 5, batch_first=True)   # x is (batch, time, features)\n"
            "out, h = rnn(x)                        # out (batch, time, 5), h (layers, batch, 5)\n\n"
            "pred, target = model(x), y             # (N, 1) and (N,)\n"
            "assert pred.shape == target.shape, (pred.shape, target.shape)\n"
            "loss = ((pred.squeeze(1) - target) ** 2).mean()"
        ),
    ])


TRACE_SECTION = Section(
    P, "shapes", shapes.SHAPES, run_trace,
    [Chart("shapes-layers", figures.layers_figure, figures.describe_layers),
     Text("shapes-table", _rows, blank=[]), Text("shapes-error", _error, blank=[])],
    fix="Fix the layer list or the input shape above to trace it.")
TRAPS_SECTION = Section(
    P, "traps", shapes.TRAPS, run_traps, [Chart("traps", figures.traps_figure, figures.describe_traps)],
    fix="Fix the value above to run the two traps.")
SECTIONS = (TRACE_SECTION, TRAPS_SECTION)
update_trace = TRACE_SECTION.register()
update_traps = TRAPS_SECTION.register()


def fill_preset(preset: str | None) -> tuple:
    """The example's layer list and input shape, written into the two boxes (they stay editable)."""
    if not isinstance(preset, str) or preset not in shapes.PRESETS:
        return no_update, no_update
    _, layers, shape = shapes.PRESETS[preset]
    return layers, shape


callback(
    Output(cid(P, "shapes_layers"), "value"),
    Output(cid(P, "shapes_input"), "value"),
    Input(cid(P, "shapes_preset"), "value"),
    prevent_initial_call=True,
)(fill_preset)


def _cnn_flat() -> int:
    return shapes.trace(shapes.PRESETS["cnn"][1], shapes.PRESETS["cnn"][2]).rows[-2].shape[1]


_CNN_CONVS = [layer for layer in shapes.parse_layers(shapes.PRESETS["cnn"][1]) if layer.name == "Conv1d"]
_CNN_KERNEL = _CNN_CONVS[-1].args[2]  # the example's convolutions share one kernel size (a test checks it)
_CNN_CHANNELS = _CNN_CONVS[-1].args[1]
_CNN_LENGTH = shapes.trace(*shapes.PRESETS["cnn"][1:]).rows[-3].shape[-1]  # the length Flatten receives


QUESTIONS = (
    Value("shapes-conv-out",
          "A batch of shape (32, 3, 100) goes through Conv1d(3, 16, 5) and then MaxPool1d(2). What is the output "
          "shape? Write it as a tuple.",
          lambda: figures.shape_text(shapes.trace("Conv1d(3, 16, 5); MaxPool1d(2)", "32, 3, 100").output_shape),
          "The convolution keeps the batch, makes 16 channels and shortens 100 samples by 5 − 1; the pooling "
          "halves the length: {answer}.", section=TRACE_TITLE),
    Value("shapes-linear-params", "How many parameters does Linear(704, 10) hold?",
          lambda: shapes.trace("Linear(704, 10)", "1, 704").total_params,
          "A 10 × 704 weight matrix plus one bias per output: {answer}.", section=TRACE_TITLE),
    Value("shapes-flatten", "In the 1-D CNN example, how many features reach the final Linear after Flatten()?",
          _cnn_flat,
          f"Each Conv1d (kernel {_CNN_KERNEL}) shortens the length by {_CNN_KERNEL} − 1 and each MaxPool1d(2) "
          f"halves it, leaving {_CNN_LENGTH} samples; Flatten multiplies them by the {_CNN_CHANNELS} channels of "
          "the last convolution: {answer}.",
          section=TRACE_TITLE),
)
