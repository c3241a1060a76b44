"""/recurrent, the gates at work (the trained LSTM and GRU opened up) and the GRU exported for a controller."""

from __future__ import annotations

import base64
from typing import Any

from dash import Input, NoUpdate, Output, State, callback, dcc, html, no_update

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.compress import recurrent_export as edge
from neuralab.params import ParamSpec
from neuralab.plots import recurrent_gates as figures
from neuralab.train import recurrent_gates as gates

P = prefix("neuralab.app.pages.recurrent")
GATES_SPEC = gates.GATES
EXPORT_SPEC = edge.EXPORT
SPEC = ParamSpec.merge("recurrent-gates-part", GATES_SPEC, EXPORT_SPEC)
EXPORT_COLUMNS = ("quantity", "value", "note")


def run_gates(values: dict, progress) -> gates.GatesOnCycle:
    return gates.gates_on_cycle(values["gates_cycle"], progress=progress)


def run_export(values: dict, progress) -> edge.EdgeGru:
    return edge.thermal_edge(values["gates_export_cycle"], progress=progress)


def layout(values: dict) -> list[html.Section]:
    return [_gates(values), _export(values)]


def _gates(values: dict) -> html.Section:
    return ui.section(
        "The gates at work",
        [
            ui.md(
                "An LSTM and a GRU of 16 units each, trained on the winding-temperature task, read one of "
                "the held-out drive cycles. torch's fused layers return the hidden states (and the LSTM's "
                "last cell state) but not the gates, so the gate values below are recomputed from the "
                "trained weights with the equations of torch's documentation; the caption says how closely "
                "the hidden states rebuilt from them match the fused layers.\n\n"
                "* **LSTM**: the forget gate f scales the old cell state, the input gate i scales the new "
                "candidate written into it (c = f·c + i·g), and the output gate o decides how much of tanh(c) "
                "becomes the hidden state that the read-out sees.\n"
                "* **GRU**: the update gate z is the share of the old hidden state kept at each step (torch's "
                "convention: z = 1 keeps it unchanged), and the reset gate r decides how much of the old state "
                "enters the new candidate.\n\n"
                "A unit whose forget gate (or update gate) sits near 1 is a slow integrator: a gate held at a "
                "makes the old content halve every ln 2 / (−ln a) steps, so 0.99 keeps half of it for about "
                "69 steps (11.5 minutes at one sample every 10 s). That is the kind of memory a winding "
                "temperature needs. The caption says which units of each trained network have it; a network "
                "without such a unit is not necessarily forgetful, since a slow quantity can also be kept "
                "circulating through the recurrent weights and the gates' own inputs. A gate's mean over a cycle "
                "is also only a summary: the half-lives in the caption hold for a gate kept at its mean. Units whose "
                "gates drop towards 0 forget fast and follow the latest "
                "current and speed. Look for rows that change colour when the current steps: those units "
                "react to the load. Rows of the forget or update gate that stay bright (near 1) through the "
                "whole cycle belong to units with a slow memory."
            ),
            ui.row(controls(P, SPEC, values, ["gates_cycle"])),
            alert(cid(P, "gates-alert")),
            ui.chart(cid(P, "gates"), "Inputs, temperature and every gate of the trained LSTM and GRU over one "
                                      "test drive cycle", heavy=True),
        ],
    )


def _export(values: dict) -> html.Section:
    return ui.section(
        "Export for the edge: the GRU, one sample at a time",
        [
            ui.md(
                "A drive estimates the winding temperature in its control loop: a new current and speed "
                "sample arrives, the estimate must be updated, and the history is never replayed. A recurrent "
                "network fits this well, since all it needs to remember between samples is its hidden state.\n\n"
                "The trained GRU is exported twice with `torch.onnx.export` (the TorchScript-based exporter, "
                "`dynamo=False`, which maps torch's GRU onto ONNX's own GRU operator): once as the whole-sequence "
                "model it was "
                "trained as, and once as a **step model** with two inputs, the new sample x(t) and the previous "
                "state h(t−1), and two outputs, the estimate y(t) and the new state h(t). The caller keeps h(t) "
                "and hands it back on the next call. Both run in onnxruntime on one thread. The check: step "
                "through a whole test cycle one sample per call and compare with torch's output for the whole "
                "cycle at once. They agree to float32 rounding if the state really is the network's entire "
                "memory.\n\n"
                "The latency is the wall time of one `session.run` on this machine, whose cores other jobs "
                "share. On a microcontroller the same arithmetic (two matrix-vector products, "
                "48 × 16 and 48 × 3, 32 sigmoids, 16 tanh and a 16-term dot product for the read-out) takes "
                "its own time, without the per-call overhead of a runtime that dominates at this size."
            ),
            ui.row(controls(P, SPEC, values, ["gates_export_cycle"])),
            alert(cid(P, "gates-export-alert")),
            ui.chart(cid(P, "gates-export"), "The exported GRU stepped sample by sample against torch on one test "
                                             "cycle", heavy=True),
            html.Div("The measurements appear when the export has run.", id=cid(P, "gates-export-table"),
                     className="nl-card", role="status", **{"aria-live": "polite"}),
            ui.row([html.Button("Download the step model (.onnx)", id=cid(P, "gates-get-onnx"), n_clicks=0,
                                className="nl-button")]),
            dcc.Download(id=cid(P, "gates-download-onnx")),
            dcc.Store(id=cid(P, "gates-onnx")),
            ui.md("The step loop as a controller runs it, with this export's state size and scaling:"),
            html.Div(id=cid(P, "gates-snippet")),
        ],
    )


def _file(e: edge.EdgeGru) -> dict[str, str]:
    """The step model as the page stores it for the download (base64)."""
    return {"onnx": base64.b64encode(e.exported.step_onnx).decode(), "filename": e.filename}


GATES_SECTION = Section(
    P, "gates", GATES_SPEC, run_gates,
    [Chart("gates", figures.gates_figure, figures.describe_gates)],
    fix="Fix the value above to open up the gates.", job=True)
EXPORT_SECTION = Section(
    P, "gates-export", EXPORT_SPEC, run_export,
    [Chart("gates-export", figures.export_figure, figures.describe_export),
     Text("gates-export-table", lambda e: table(EXPORT_COLUMNS, figures.export_rows(e)), blank=[]),
     Text("gates-onnx", _file, prop="data", blank=None),
     Text("gates-snippet", lambda e: ui.code(e.snippet))],
    fix="Fix the value above to export the GRU.", job=True)
SECTIONS = (GATES_SECTION, EXPORT_SECTION)
update_gates = GATES_SECTION.register()
update_gates_export = EXPORT_SECTION.register()


def download_onnx(_n: int | None, stored: dict[str, str] | None) -> dict[str, Any] | NoUpdate:
    """The step model's .onnx file from the export's last run."""
    if not isinstance(stored, dict) or not isinstance(stored.get("onnx"), str):  # none yet, or a crafted request
        return no_update
    return dict(content=stored["onnx"], filename=edge.EdgeGru.filename, base64=True)


callback(Output(cid(P, "gates-download-onnx"), "data"), Input(cid(P, "gates-get-onnx"), "n_clicks"),
         State(cid(P, "gates-onnx"), "data"), prevent_initial_call=True)(download_onnx)
