"""/research-corner's sections called as plain functions (the capsule training shortened), its URL and questions."""

from __future__ import annotations

import dataclasses

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import research_corner as page
from neuralab.app.pages import research_corner_capsules, research_corner_ode
from neuralab.app.selfcheck import Pick, Value, questions
from neuralab.train import research
from tests.app import tree


def _valid(fig):
    go.Figure(fig.to_dict())  # the builders skip plotly's validation: check it here
    return fig


def test_the_page_lays_out_every_control_and_output():
    ids = tree.ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"research-corner-{name}" in ids
    for graph in ("coupling", "lengths", "iterations", "field", "cost"):
        assert isinstance(ids[f"research-corner-{graph}"], dcc.Graph)
    assert "research-corner-compare" in ids
    assert research_corner_capsules.CAPSULES_SECTION.job and research_corner_ode.ODE_SECTION.job
    assert "/hyperparameter-search" in page.INTRO


def test_the_capsule_view_routes_one_digit_and_compares(monkeypatch):
    monkeypatch.setattr(research, "RECIPE", dataclasses.replace(research.RECIPE, epochs=1))
    seen = []
    out = research_corner_capsules.CAPSULES_SECTION.view({**page.SPEC.defaults(), "caps_iters": 1, "caps_digit": 3},
                                                          progress=lambda d, t: seen.append((d, t)))
    coupling, lengths, its = _valid(out[0]), _valid(out[2]), _valid(out[4])
    assert len(coupling.data[0].z) == 10 and len(coupling.data[0].z[0]) == 64
    assert "1 routing iteration: every coupling coefficient is 0.1, uniform" in out[1]
    assert f"Test digit 3 (a {int(research.digits(0).y_test[3])})" in out[1]
    assert len(lengths.data[1].y) == 10 and "The longest digit capsule is" in out[3]
    assert list(its.data[0].x) == [1, 2, 3, 4, 5] and "on the 360 test digits, the CNN " in out[5]
    assert "With 3,760 parameters against the CNN's 3,818, one training epoch takes" in out[5]
    table = tree.text(out[6])
    assert "3,760" in table and "3,818" in table and "trained by the zoo" in table
    assert seen and seen[-1][0] == seen[-1][1]


def test_the_ode_view_draws_the_field_and_the_cost():
    out = research_corner_ode.ODE_SECTION.view(page.SPEC.defaults())
    field, cost = _valid(out[0]), _valid(out[2])
    names = [t.name for t in field.data]
    assert names[:3] == ["true field", "learned field f", "true trajectory"]
    assert "neural ODE, dopri5 at 1e-05" in names and any("Euler" in n for n in names)
    assert "with dopri5 at 1e-05, it stays on average" in out[1] and "differs from torchdiffeq's euler by 0)" in out[1]
    assert len(cost.data[0].x) == len(research.TOLERANCES)
    assert "on the training grid costs a fixed 400 evaluations" in out[3]


def test_a_capped_solve_says_so():
    out = research_corner_ode.ODE_SECTION.view({**page.SPEC.defaults(), "ode_tol": 1e-7, "ode_cap": 200})
    assert "The solve needed more than 200 evaluations of f and was stopped" in out[1]
    assert "passed the cap of 200 evaluations" in out[3]


@pytest.mark.parametrize(("section", "values", "fragment"), [
    (research_corner_capsules.CAPSULES_SECTION, {"caps_iters": 9}, "caps_iters must be between 1 and 5; got 9."),
    (research_corner_capsules.CAPSULES_SECTION, {"caps_digit": 400}, "caps_digit must be between 0 and 359"),
    (research_corner_ode.ODE_SECTION, {"ode_solver": "adams"}, "ode_solver must be one of dopri5, rk4, euler"),
    (research_corner_ode.ODE_SECTION, {"ode_tol": 1e-9}, "ode_tol must be between 1e-07 and 0.01; got 1e-09."),
    (research_corner_ode.ODE_SECTION, {"ode_cap": 10}, "ode_cap must be between 100 and 20000"),
])
def test_bad_values_become_sentences(section, values, fragment):
    out = section.view({**page.SPEC.defaults(), **values})
    assert fragment in out[-1] and fragment in out[1]


def test_a_bad_link_is_named_and_the_page_opens_on_the_default():
    values, messages = page.SPEC.parse_query("caps_iters=0&ode_solver=rk4&ode_tol=5")
    assert values["caps_iters"] == 3 and values["ode_solver"] == "rk4" and values["ode_tol"] == 1e-5
    text = " ".join(messages)
    assert "caps_iters must be between 1 and 5" in text and "ode_tol must be between" in text


def test_the_questions_answer_from_the_library():
    qs = questions(page)
    assert 3 <= len(qs) <= 5
    values = {q.key: q.answer() for q in qs if isinstance(q, Value)}
    assert values == {"rc-squash": 0.9, "rc-uniform": 0.1, "rc-params": 3760, "rc-rk4-nfe": 400}
    assert any(isinstance(q, Pick) for q in qs)
    titles = tree.text(page.layout(page.SPEC.defaults(), []))
    assert all(q.section in titles for q in qs)
