"""/robustness's sections called as plain functions (the zoo's networks are trained once per test session)."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import robustness as page
from neuralab.app.pages import robustness_attack, robustness_motor, robustness_training
from neuralab.robust import digits
from tests.app import tree


@pytest.fixture(scope="module", autouse=True)
def _trained():
    digits.make()  # the zoo's MLP and CNN, as the page's jobs make them first (seconds, once per session)


def _valid(fig):
    go.Figure(fig.to_dict())  # the builders skip plotly's validation: check it here
    for name, axis in fig.to_dict()["layout"].items():
        if name.startswith(("xaxis", "yaxis")) and "title" in axis:
            assert isinstance(axis["title"], dict), f"{name} title {axis['title']!r} is a bare string"
    return fig


def test_every_part_is_on_the_page_with_its_controls_and_charts():
    ids = tree.ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"robustness-{name}" in ids
    for graph in ("example", "curves", "transfer", "training", "motor"):
        assert isinstance(ids[f"robustness-{graph}"], dcc.Graph) and f"robustness-{graph}-summary" in ids
    assert "robustness-nets" in ids and "robustness-curves-progress" in ids and "robustness-training-progress" in ids
    assert "robustness-motor-progress" in ids and robustness_motor.MOTOR_SECTION.job
    assert robustness_attack.CURVES_SECTION.job and robustness_training.TRAINING_SECTION.job
    assert not robustness_attack.EXAMPLE_SECTION.job and not robustness_attack.TRANSFER_SECTION.job
    titles = {q.section for q in page.QUESTIONS}
    text = str(page.layout(page.SPEC.defaults(), []))
    assert len(page.QUESTIONS) == 5 and all(t in text for t in titles)


def test_the_questions_answers_are_the_librarys():
    answers = {q.key: q.answer() for q in page.QUESTIONS if hasattr(q, "answer")}
    assert answers["margin"] == pytest.approx(0.35)
    assert answers["budget"] == round(1 / float(digits.threat().scale.min()))


def test_the_light_sections_draw_and_describe():
    for section in (robustness_attack.EXAMPLE_SECTION, robustness_attack.TRANSFER_SECTION):
        out = section.view(page.SPEC.defaults())
        assert len(out) == len(section.outputs()) and out[-1] == "", section.key
        assert all(_valid(o) for o in out if isinstance(o, go.Figure))
    a = robustness_attack.EXAMPLE_SECTION.view({**digits.EXAMPLE.defaults(), "eps": 0.0})
    b = robustness_attack.EXAMPLE_SECTION.view({**digits.EXAMPLE.defaults(), "eps": 2.0, "digit": 5})
    assert "changes nothing" in a[1] and "test digit 5" in b[1] and "ε = 2 grey levels" in b[1]


def test_the_jobs_draw_and_describe():
    out = robustness_attack.CURVES_SECTION.view({"steps": 5})
    assert out[-1] == "" and "PGD-5 (steps of ε/4, the worst of 3 random starts for each digit) halves" in out[1]
    _valid(out[0])
    out = robustness_training.TRAINING_SECTION.view(digits.TRAINING.defaults())
    assert out[-1] == "" and "trained with PGD examples at ε = 2" in out[1]
    assert len(out[0].data) == 4
    out = robustness_motor.MOTOR_SECTION.view({**robustness_motor.SPEC.defaults(), "motor_channel": "speed_rpm"})
    assert out[-1] == "" and "takes a speed error of" in out[1] and " rpm (" in out[1]
    _valid(out[0])


def test_a_bad_value_is_named_in_the_sections_alert():
    out = robustness_attack.EXAMPLE_SECTION.view({**digits.EXAMPLE.defaults(), "eps": 9})
    assert "eps must be between 0 and 4" in out[-1]
    out = robustness_training.TRAINING_SECTION.view({**digits.TRAINING.defaults(), "train_attack": "cw"})
    assert "train_attack must be one of fgsm, pgd" in out[-1]


def test_before_the_networks_exist_the_light_sections_say_so_instead_of_training(monkeypatch):
    monkeypatch.setattr(digits, "kept", lambda: False)
    monkeypatch.setattr(digits.zoo, "load", lambda *a, **k: pytest.fail("trained in a light call"))
    for section in (robustness_attack.EXAMPLE_SECTION, robustness_attack.TRANSFER_SECTION):
        out = section.view(page.SPEC.defaults())
        assert out[-1] == robustness_attack.NETS.message
