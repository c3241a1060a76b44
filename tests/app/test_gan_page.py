"""/gan called as plain functions: the job's outputs and its replay, the light section, bad values, the questions."""

import json

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import gan as page
from neuralab.app.selfcheck import Value
from neuralab.train.gan import GAN, SNAPSHOTS
from tests.app import tree

SHORT = {**page.SPEC.defaults(), "rounds": 200}


def test_the_page_has_its_controls_charts_and_slider():
    ids = tree.ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"gan-{name}" in ids
    for graph in ("samples", "losses", "coverage", "curves"):
        assert isinstance(ids[f"gan-{graph}"], dcc.Graph) and f"gan-{graph}-summary" in ids
    assert isinstance(ids["gan-snap"], dcc.Slider) and "gan-verdict" in ids and "gan-game-replay" in ids


def test_the_preset_links_are_valid_links_of_the_page():
    text = str(page.layout(page.SPEC.defaults(), []))
    for _, change in page.PRESETS:
        query = GAN.to_query({**GAN.defaults(), **change})
        assert query in text
        values, messages = GAN.parse_query(query)
        assert messages == [] and all(values[k] == v for k, v in change.items())


@pytest.fixture(scope="module")
def game():
    return page.GAME.view(SHORT)


def test_the_job_draws_every_chart_the_verdict_and_a_replay_of_every_snapshot(game):
    names = [str(o) for o in page.GAME.outputs()]
    out = dict(zip(names, game, strict=True))
    assert out["gan-game-alert.children"] == ""
    assert isinstance(out["gan-samples.figure"], go.Figure)
    assert out["gan-snap-readout.children"] == "after round 200 of 200"
    assert out["gan-verdict.children"].split(":")[0] in ("Not learned", "Mode collapse", "Complete mode collapse",
                                                        "Partial collapse", "All 8 modes covered")
    assert "In the run above (non-saturating loss)" in out["gan-met.children"]
    assert out["gan-snap.max"] == SNAPSHOTS and out["gan-snap.value"] == SNAPSHOTS
    store = out["gan-game-replay.data"]
    assert store["positions"] == list(range(SNAPSHOTS + 1)) and store["at"] == SNAPSHOTS
    assert store["texts"][0][0] == "after round 0 of 200"
    assert len(json.dumps(store)) < 1_000_000  # what the browser receives once per run


def test_bad_values_become_sentences():
    for values, fragment in (({"rounds": 4000, "g_steps": 3}, "must be at most 8,000 updates"),
                             ({"lr_g": 5.0}, "lr_g must be between"), ({"target": "moons"}, "target must be one of"),
                             ({"loss": "wasserstein"}, "loss must be one of")):
        out = page.GAME.view({**SHORT, **values})
        assert fragment in out[-1] and len(out) == len(page.GAME.outputs())
    out = page.CURVES_SECTION.view({"d_fake": 2})
    assert "d_fake must be between 0.01 and 0.99" in out[-1]


def test_the_light_section_reads_both_gradients():
    figure, caption, alert = page.CURVES_SECTION.view({"d_fake": 0.05})
    assert alert == "" and isinstance(figure, go.Figure)
    assert "19 times as strong with the non-saturating loss" in caption


def test_the_questions_compute_their_answers():
    values = {q.key: q.answer() for q in page.QUESTIONS if isinstance(q, Value)}
    assert values["equilibrium"] == pytest.approx(1.3863, abs=1e-4)
    assert values["saturating-grad"] == pytest.approx(-0.02)
    sections = {s.children[0].children for s in page.layout(page.SPEC.defaults(), []).children[1:]}
    assert {q.section for q in page.QUESTIONS} <= sections
