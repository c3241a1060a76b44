"""/deploy: one model through distill → prune → quantize → export (ONNX and int8 C), measured at every stage."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
from dash import Input, NoUpdate, Output, State, callback, dcc, html, no_update

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls, wire
from neuralab.app.registry import prefix
from neuralab.app.sections import Alert, Chart, Section, Text, table
from neuralab.app.selfcheck import Pick, Value
from neuralab.compress import deployment, export, zoo
from neuralab.plots import deploy as figures

P = prefix(__name__)
SPEC = deployment.DEPLOY


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Edge deployment",
                "A microcontroller has kilobytes, not gigabytes, and a control loop has a deadline. This page takes "
                "one digit classifier from a wide teacher network down to a plain C file with integer arithmetic "
                "only. Size, accuracy and latency are measured after every step.",
                messages,
            ),
            _pipeline(values),
            _exports(),
        ]
    )


def _pipeline(values: dict) -> html.Section:
    return ui.section(
        "Four stages, measured",
        [
            ui.md(
                f"1. **Teacher**: {zoo.RECIPES['teacher'].title}, float32, the large accurate starting point.\n"
                f"2. **Distilled**: {zoo.RECIPES['student'].title}, trained on the teacher's softened outputs "
                f"(temperature {deployment.T:g}, α = {deployment.ALPHA:g}; see Distillation).\n"
                "3. **Pruned**: whole hidden neurons with the smallest incoming weights removed, then "
                f"{deployment.FINE_TUNE_EPOCHS} epochs of fine-tuning. Removing whole neurons shrinks the dense "
                "matrices, so every engine gets faster without sparse kernels.\n"
                "4. **int8**: weights to 8-bit integers, activations to 8-bit integers with ranges from the "
                "calibration samples, and the whole forward pass in integer arithmetic. One scale per channel "
                "costs a multiplier and a shift (5 bytes) per neuron; one per tensor costs 5 bytes per layer. "
                "In a model this small, those bytes and the 32-bit biases are a visible share of the total.\n\n"
                "Each float stage runs in PyTorch and, exported to ONNX, in ONNX Runtime; the int8 stage runs as "
                "compiled C. Latency is the time for **one** sample on this machine, averaged over a loop. At this "
                "size, framework overhead per call outweighs the arithmetic, which is why the C is so far ahead."
            ),
            ui.row(controls(P, SPEC, values)),
            alert(cid(P, "alert")),
            ui.chart(cid(P, "stages"), "Bytes of weights, test accuracy and single-sample latency at each stage",
                     heavy=True),
            html.Div("The table of measurements appears when the pipeline has run.", id=cid(P, "table"),
                     className="nl-card", role="status", **{"aria-live": "polite"}),
        ],
    )


def _exports() -> html.Section:
    return ui.section(
        "The exported files",
        [
            ui.md(
                "**ONNX** carries the float graph to any runtime (ONNX Runtime, TensorRT, OpenVINO). The export is "
                "checked by running it and comparing logits with PyTorch.\n\n"
                "**C** is the int8 model as a single file: constant tables, two static buffers, no `malloc`, "
                "no floats. Each layer accumulates int8 × int8 products in int32. It then rescales with a "
                "fixed-point multiplier (a 31-bit integer and a right shift) and clamps to int8; the ReLU is "
                "just the lower clamp. A numpy reference does the same integer steps, and the compiled program "
                "(`gcc -O2`) must reproduce it bit for bit on every test digit. This is the kind of code a "
                "safety-certified toolchain can inspect: bounded loops, fixed memory, no runtime library."
            ),
            html.Div("The export checks appear when the pipeline has run.", id=cid(P, "checks"), className="nl-card",
                     role="status", **{"aria-live": "polite"}),
            ui.row([
                html.Button("Download the C file", id=cid(P, "get-c"), n_clicks=0, className="nl-button"),
                html.Button("Download the ONNX file", id=cid(P, "get-onnx"), n_clicks=0, className="nl-button"),
            ]),
            dcc.Download(id=cid(P, "download-c")),
            dcc.Download(id=cid(P, "download-onnx")),
            dcc.Store(id=cid(P, "files")),
            html.Pre(html.Code(id=cid(P, "excerpt")), className="nl-code nl-excerpt", tabIndex="0",
                     **{"aria-label": "Excerpt of the generated C file"}),
        ],
    )


# ----------------------------------------------------------------------------- the pipeline (background)


COLUMNS = ("stage", "parameters", "bytes", "smaller", "test accuracy", "latency per sample")


def _files(s: deployment.Stack) -> dict[str, str]:
    """The exported files as the page stores them for the downloads (the ONNX bytes in base64)."""
    return {"c": s.c_source, "onnx": base64.b64encode(s.onnx_bytes).decode()}


STACK = Section(P, "stack", SPEC, lambda v, progress: deployment.run(**v, progress=progress),
                [Chart("stages", figures.stages_figure, figures.describe_stages),
                 Text("table", lambda s: table(COLUMNS, figures.stage_rows(s)), blank=[]),
                 Text("checks", figures.describe_checks),
                 Text("excerpt", lambda s: figures.c_excerpt(s.c_source)),
                 Text("files", _files, prop="data", blank=None),
                 Alert("alert")],
                fix="Fix the value above to run the pipeline.", job=True, alert=False)
SECTIONS = (STACK,)

(update_stack,) = (s.register() for s in SECTIONS)


# ----------------------------------------------------------------------------- downloads (of the last run's files)


def download_c(_n: int | None, files: dict[str, str] | None) -> dict[str, str] | NoUpdate:
    """The generated C file, from the pipeline's last run."""
    if not isinstance(files, dict) or not isinstance(files.get("c"), str):  # none yet, or a crafted request
        return no_update
    return dict(content=files["c"], filename="neuralab_digits.c")


def download_onnx(_n: int | None, files: dict[str, str] | None) -> dict[str, Any] | NoUpdate:
    """The exported ONNX file, from the pipeline's last run."""
    if not isinstance(files, dict) or not isinstance(files.get("onnx"), str):  # none yet, or a crafted request
        return no_update
    return dict(content=files["onnx"], filename="neuralab_digits.onnx", base64=True)


callback(Output(cid(P, "download-c"), "data"), Input(cid(P, "get-c"), "n_clicks"), State(cid(P, "files"), "data"),
         prevent_initial_call=True)(download_c)
callback(Output(cid(P, "download-onnx"), "data"), Input(cid(P, "get-onnx"), "n_clicks"),
         State(cid(P, "files"), "data"), prevent_initial_call=True)(download_onnx)

wire(P, SPEC)


QUESTIONS = (
    Value("shift", "The C code rescales each layer by a real multiplier m, stored as M0 · 2⁻ⁿ with M0 between 2³⁰ "
          "and 2³¹. For m = 0.0123, what is n?",
          lambda: int(export.quantize_multiplier(np.array([0.0123]))[1][0]),
          "Write m = f · 2ᵉ with f in [½, 1); then M0 = round(f · 2³¹) and n = 31 − e = {answer}, so the rescale "
          "is one integer multiply and a right shift, no floats.", section="The exported files"),
    Pick("neurons", "Why does this pipeline prune whole hidden neurons rather than single weights?",
         ("Single weights cannot be pruned in torch", "Whole neurons shrink the dense matrices, so every engine "
          "gets faster without sparse kernels", "Neurons are cheaper to fine-tune"), 1,
         "Zeros scattered inside a dense matrix cost the same bytes and multiplications; a smaller matrix is "
         "faster everywhere.", section="Four stages, measured"),
    Pick("relu", "In the exported int8 C code, what does the ReLU become?",
         ("A lookup table", "The lower clamp when each result is requantized to int8", "A float max(0, x)",
          "It is left out"), 1,
         "After the int32 accumulation and the fixed-point rescale, the result is clamped to the int8 range; "
         "raising the lower bound to the zero point is the ReLU.", section="The exported files"),
)
