"""/cheat-sheet: every concept of the lab in a few lines, linked to its page and its reference entry.

The text is ``neuralab/content/cheat-sheet.md``; the search index reads the same file and links to each concept
as ``/cheat-sheet#c-<anchor>``. The page prints as a handout (``assets/cheat_sheet.css``) and downloads as Markdown.
"""

from __future__ import annotations

from importlib import resources

import torch
from dash import Input, Output, callback, clientside_callback, dcc, html

from neuralab.app import ui
from neuralab.app.controls import cid, wire
from neuralab.app.registry import prefix
from neuralab.app.selfcheck import Pick, Value
from neuralab.params import ParamSpec

P = prefix(__name__)
SPEC = ParamSpec(P)
FILENAME = "neuralab-cheat-sheet.md"


def text() -> str:
    """The cheat sheet's Markdown, as the page renders it and the download hands it out."""
    return resources.files("neuralab.content").joinpath("cheat-sheet.md").read_text(encoding="utf-8")


def concepts(markdown: str) -> list[html.Div]:
    """One block per ``##`` part, ``id`` ``c-…`` (where the search box links); its heading is a real H2 with the
    page's own ``s-…`` anchor, so a self-check can name it and link back to it."""
    blocks = ui.markdown_sections(markdown, "c-")
    for block, (_, title, body) in zip(blocks, ui.markdown_parts(markdown), strict=True):
        if title:
            block.children = [html.H2(title, id=ui.anchor(title)),
                              dcc.Markdown(body, mathjax=True, className="nl-prose")]
        block.className = "nl-md-part nl-cs-part"
    return blocks


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Cheat sheet",
                "The whole lab as a handout of a few pages: print it (the menus and buttons stay off the paper, "
                "in either theme) or download it as Markdown.",
                messages,
            ),
            ui.toolbar(
                html.Button("Download as Markdown", id=cid(P, "download-button"), className="nl-button",
                            type="button", n_clicks=0),
                html.Button("Print", id=cid(P, "print"), className="nl-button", type="button", n_clicks=0,
                            title="Print, or save as PDF: the handout leaves out the menus and the buttons"),
                dcc.Download(id=cid(P, "download")),
            ),
            html.Article(concepts(text()), className="nl-cheatsheet"),
        ]
    )


@callback(Output(cid(P, "download"), "data"), Input(cid(P, "download-button"), "n_clicks"),
          prevent_initial_call=True)
def download(n_clicks: int | None) -> dict:
    return dcc.send_string(text(), FILENAME)


clientside_callback(
    "function (n) { if (n) { window.print(); } return window.dash_clientside.no_update; }",
    Output(cid(P, "print"), "title"),
    Input(cid(P, "print"), "n_clicks"),
    prevent_initial_call=True,
)


def _int8_ratio() -> int:
    """How many int8 values fit in the bytes of one float32, from torch's own element sizes."""
    return torch.empty(0, dtype=torch.float32).element_size() // torch.empty(0, dtype=torch.int8).element_size()


QUESTIONS = (
    Pick("overfit", "The training loss keeps falling while the validation loss has turned upward. What comes "
         "first?",
         ("Raise the learning rate to get past it", "Keep the best-validation weights and regularize",
          "Train for more epochs until validation recovers", "Check the score on the test set to decide"), 1,
         "The widening gap is overfitting: early stopping keeps the best epoch, and regularization or more data "
         "narrows the gap. The test set decides nothing; it is scored once at the end.", section="Red flags"),
    Pick("sparse", "Applied as a soft-threshold (proximal) step, which penalty leaves many weights exactly at zero?",
         ("L2 (weight decay)", "L1", "Dropout", "Batch normalization"), 1,
         "L1's pull toward zero has the same strength however small a weight is, so its soft-threshold step pins "
         "many at exactly zero (a plain L1 gradient only makes them hover near it); L2's pull fades as the weight "
         "shrinks.", section="Red flags"),
    Value("int8", "Weights stored as 8-bit integers instead of 32-bit floats take how many times less memory?",
          _int8_ratio, "A float32 takes four bytes and an int8 one, so the weights shrink {answer} times (the scales "
          "and zero points add a little back).", section="Quantization"),
)

wire(P, SPEC)
