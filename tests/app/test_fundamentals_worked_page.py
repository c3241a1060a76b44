"""/fundamentals' worked part: on the page, its view, its link into /feedforward, its questions."""

import pytest
from dash import dcc
from dash.development.base_component import Component

from neuralab.app import shell
from neuralab.app.pages import feedforward, fundamentals, fundamentals_worked
from neuralab.app.selfcheck import questions
from neuralab.basics import worked
from neuralab.nn import teaching
from tests.app import tree


def test_the_part_is_on_the_page_with_its_control_tables_and_link():
    page = fundamentals.layout(fundamentals.SPEC.defaults(), [])
    ids = tree.ids(page)
    assert list(fundamentals_worked.SPEC.fields) == ["worked_y"] and "fundamentals-worked_y" in ids
    for table in ("worked-forward", "worked-backward", "worked-agree"):
        assert f"fundamentals-{table}" in ids
    link = ids["fundamentals-worked-link"]
    assert isinstance(link, dcc.Link) and link.children == "Change any number on /feedforward →"
    assert fundamentals_worked.SECTION in fundamentals.SECTIONS and not fundamentals_worked.SECTION.job
    assert fundamentals_worked.TITLE in tree.text(page)


def test_the_view_shows_every_value_and_the_autograd_gap():
    out = fundamentals_worked.SECTION.view({"worked_y": 1})
    assert len(out) == len(fundamentals_worked.SECTION.outputs()) and out[-1] == ""
    c = worked.handbook(1)
    forward, backward = tree.text(out[0]), tree.text(out[1])
    for v in (c.bp.forward.z1[0, 0], c.bp.forward.z1[0, 1], c.bp.forward.z2[0, 0], c.bp.forward.yhat[0, 0],
              c.bp.forward.loss):
        assert f"{v:.4f}" in forward
    for sym in ("∂L/∂ŷ", "∂L/∂z₂", "∂L/∂W₂", "∂L/∂b₂", "∂L/∂a₁", "∂L/∂z₁", "∂L/∂W₁", "∂L/∂b₁"):
        assert sym in backward
    assert f"{c.bp.grads['W2'][0, 0]:+.4f}" in backward
    assert f"{worked.autograd_gap(c):.1e}" in out[2] and "ŷ = 0.6657" in out[2]
    assert out[3].endswith("&y=1")
    assert fundamentals_worked.SECTION.view({"worked_y": 0})[3].endswith("&y=0")


def _slider_values(page: Component) -> dict:
    ids = tree.ids(page)
    return {n: ids[f"feedforward-{n}"].value for n in teaching.WORKED.fields}


@pytest.mark.parametrize("y", [0, 1])
def test_the_link_opens_feedforward_with_the_handbook_values(y):
    href = fundamentals_worked.SECTION.view({"worked_y": y})[3]
    path, query = href.split("?")
    assert path == "/feedforward"
    page = shell.render(path, "?" + query)
    assert "Some values in the link were not usable" not in tree.text(page)
    got = _slider_values(page)
    assert got == pytest.approx({**teaching.HANDBOOK, "y": y})
    table = tree.text(feedforward.WORKED_SECTION.view({**teaching.HANDBOOK, "y": y})[2])
    assert f"{worked.handbook(y).bp.forward.yhat[0, 0]:.4f}" in table  # /feedforward computes the same ŷ


def test_the_questions_answer_from_the_library():
    qs = [q for q in questions(fundamentals) if q.key.startswith("worked-")]
    assert len(qs) == 3
    c = worked.handbook(1)
    assert qs[0].answer() == pytest.approx(c.bp.forward.yhat[0, 0], abs=5e-4)
    assert qs[1].answer() == pytest.approx(0.93) and "(0.5)·(0.8)" in qs[1].explain
    assert qs[2].answer() == pytest.approx(c.bp.grads["W2"][0, 0], abs=5e-5)
    assert all(q.section == fundamentals_worked.TITLE for q in qs)


def test_a_bad_target_becomes_a_sentence():
    out = fundamentals_worked.SECTION.view({"worked_y": 5})
    assert "worked_y must be between 0 and 1" in out[-1] and len(out) == len(fundamentals_worked.SECTION.outputs())
    assert out[3] == fundamentals_worked.link()
