"""/distillation callbacks called as plain functions."""

import plotly.graph_objects as go
import pytest
import torch
from dash import dcc

from neuralab.app.pages import distillation
from neuralab.compress import distill, zoo
from tests.app import tree

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def teacher():
    """The light sections answer once the teacher is trained, which the comparison's job does on the page."""
    distill.gradient_scale.cache_clear()
    distill._teacher.cache_clear()
    zoo.load(distill.TEACHER, distill.TEACHER_SEED)


def test_before_the_teacher_is_trained_the_light_charts_say_so_and_train_nothing(monkeypatch):
    monkeypatch.setattr(zoo, "kept", lambda name, seed=0: False)
    monkeypatch.setattr(distill, "soft_targets", lambda **v: pytest.fail("trained the teacher in a request"))
    monkeypatch.setattr(distill, "gradient_scale", lambda: pytest.fail("trained the teacher in a request"))
    for out in (distillation.update_soft(8, 2, None, 3, ""), distillation.update_gradient(8, 2, "")):
        assert "teacher is being trained" in out[-1] and out[1] == out[-1]
    assert "distillation-teacher" in tree.ids(distillation.layout(distillation.SPEC.defaults(), []))
    assert distillation.COMPARE_SECTION.job and distillation.COMPARE_SECTION.needs is distillation.TRAINED_TEACHER


def test_layout_has_every_control_and_every_output():
    ids = tree.ids(distillation.layout(distillation.SPEC.defaults(), []))
    for name in distillation.SPEC.fields:
        assert f"distillation-{name}" in ids
    for graph in ("soft", "grad", "cmp"):
        assert isinstance(ids[f"distillation-{graph}"], dcc.Graph) and f"distillation-{graph}-summary" in ids
    assert "distillation-cmp-progress" in ids


def test_soft_callback_hands_every_temperature_to_the_browser(teacher):
    soft = distillation.update_soft(None, 3, "", 2)  # digit (drag, value), the teacher marker, then T (read)
    assert "at T = 2" in soft[1] and "For this 3" in soft[1] and isinstance(soft[0], go.Figure) and soft[-1] == ""
    assert "at T = 8" in soft[2]["charts"][0]["captions"][soft[2]["positions"].index(8)]
    assert "For this 5" in distillation.update_soft(5, 3, "", 2)[1]  # the digit follows its drag
    gradient = distillation.update_gradient("", 2)  # the gradient chart: the same temperatures, in the browser
    assert gradient[-1] == "" and "T = 2" in gradient[1]
    assert "T = 8" in gradient[2]["charts"][0]["captions"][gradient[2]["positions"].index(8)]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [((0.5, 3), "T must be between 1 and 10"), ((4, 10), "digit must be between 0 and 9"),
     (("hot", 3), "T must be a number")],
)
def test_bad_soft_values_become_sentences(args, fragment):
    T, digit = args
    assert fragment in distillation.SOFT_SECTION.view(dict(T=T, digit=digit))[-1]


def test_compare_view_reports_mean_and_std_and_bad_alpha():
    figure, text, alert = distillation.COMPARE_SECTION.view(dict(T=4.0, alpha=0.5))
    assert alert == "" and "±" in text and "Over 5 seeds" in text
    assert "alpha must be between 0 and 1" in distillation.COMPARE_SECTION.view(dict(T=4.0, alpha=2.0))[-1]
