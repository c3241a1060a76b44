"""/reference: the longer notes for engineers, one Markdown file per concept."""

from __future__ import annotations

from importlib import resources
from typing import Any

from dash import Input, Output, callback, dcc, html

from neuralab.app import ui
from neuralab.app.controls import checked, cid, controls, wire
from neuralab.app.registry import BY_PATH, prefix
from neuralab.params import Choice, ParamSpec

P = prefix(__name__)
#: topic key -> the live page it belongs to; neuralab/content/{key}.md holds the text
TOPICS = {
    name: f"/{name}"
    for name in (
        "splits",
        "preprocessing",
        "signal-pipeline",
        "derivatives",
        "fitting",
        "gradient-descent",
        "learning-rate",
        "regularization",
        "hyperparameter-search",
        "training-loop",
        "feedforward",
        "playground",
        "recurrent",
        "cnn",
        "autoencoder",
        "gan",
        "attention",
        "rbf-network",
        "som",
        "architectures",
        "quantization",
        "pruning",
        "distillation",
        "deploy",
        "robustness",
        "deep-networks",
        "transfer-learning",
        "explainability",
        "augmentation",
        "research-corner",
        "fundamentals",
        "data",
    )
}

SPEC = ParamSpec(
    P, topic=Choice(tuple((k, BY_PATH[p].title) for k, p in TOPICS.items()), default="splits", label="Entry")
)


def text(topic: str) -> str:
    """The Markdown of one reference entry."""
    return resources.files("neuralab.content").joinpath(f"{topic}.md").read_text(encoding="utf-8")


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Reference",
                "Longer notes written for engineers: the reasoning, the variants and the traps, beside the live "
                "pages. More entries arrive as their pages are built.",
                messages,
            ),
            ui.toolbar(controls(P, SPEC, values)),
            html.Article(id=cid(P, "article"), className="nl-reference"),
        ]
    )


@callback(Output(cid(P, "article"), "children"), Input(cid(P, "topic"), "value"))
def show(topic: Any) -> list | html.P:
    def render(v: dict) -> list:
        page = BY_PATH[TOPICS[v["topic"]]]
        return [
            html.P(dcc.Link(f"Open the live page: {page.title} →", href=page.path), className="nl-reference-link"),
            *ui.markdown_sections(text(v["topic"]), "r-"),
            html.P(dcc.Link(f"Open the live page: {page.title} →", href=page.path)),
        ]

    article, msg = checked(SPEC, {"topic": topic}, render)
    return article if article is not None else html.P(msg, className="nl-alert", role="alert")


wire(P, SPEC)
