"""/explainability's sections called as plain functions (the zoo's CNN is trained once per test session)."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import explainability as page
from neuralab.app.pages import explainability_maps, explainability_motor
from neuralab.explain import digits
from tests.app import tree


@pytest.fixture(scope="module", autouse=True)
def _trained():
    digits.make()  # the zoo's CNN, as the page's job makes it first (seconds, once per session)


def _valid(fig):
    go.Figure(fig.to_dict())  # the builders skip plotly's validation: check it here
    for name, axis in fig.to_dict()["layout"].items():
        if name.startswith(("xaxis", "yaxis")) and "title" in axis:
            assert isinstance(axis["title"], dict), f"{name} title {axis['title']!r} is a bare string"
    return fig


def test_every_part_is_on_the_page_with_its_controls_and_charts():
    ids = tree.ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"explainability-{name}" in ids
    for graph in ("maps", "complete", "sanity", "motor"):
        assert isinstance(ids[f"explainability-{graph}"], dcc.Graph) and f"explainability-{graph}-summary" in ids
    assert "explainability-nets" in ids and "explainability-sanity-progress" in ids
    assert explainability_maps.SANITY_SECTION.job and explainability_motor.MOTOR_SECTION.job
    assert not explainability_maps.MAPS_SECTION.job and not explainability_maps.COMPLETE_SECTION.job
    titles = {q.section for q in page.QUESTIONS}
    text = str(page.layout(page.SPEC.defaults(), []))
    assert 3 <= len(page.QUESTIONS) <= 5 and all(t in text for t in titles)


def test_the_questions_answers_are_the_librarys():
    answers = {q.key: q.answer() for q in page.QUESTIONS if hasattr(q, "answer")}
    assert answers["linear-ig"] == pytest.approx(2 * 1 - 1 * 3 + 0.5 * 4)
    assert answers["flux"] == pytest.approx(12.0)


def test_the_light_sections_draw_and_describe():
    out = explainability_maps.MAPS_SECTION.view({"digit": 4, "steps": 16})
    assert out[-1] == "" and "Test digit 4" in out[1] and "Saliency |∇f|" in out[1] and "(16 steps)" in out[1]
    fig = _valid(out[0])
    assert len(fig.data) == 10
    hovers = {t.name: t.hovertemplate for t in fig.data}
    assert "logit per standard deviation" in hovers["Saliency |∇f|, trained"]
    assert "per standard deviation" not in hovers["Integrated gradients, trained"]
    out = explainability_maps.COMPLETE_SECTION.view({"digit": 4, "steps": 100})
    assert out[-1] == "" and "With 100 steps our midpoint sum" in out[1] and "riemann_middle" in out[1]
    assert list(_valid(out[0]).data[0].x) == [2, 4, 8, 16, 32, 64, 100, 128, 256]


def test_the_jobs_draw_and_describe():
    out = explainability_maps.SANITY_SECTION.view({"steps": 8})
    assert out[-1] == "" and "Over the first 120 test digits" in out[1] and "necessary, not sufficient" in out[1]
    assert len(_valid(out[0]).data) == 2
    out = explainability_motor.MOTOR_SECTION.view({"motor_seed": 0})
    assert out[-1] == "" and "The law T = 1.5 · p · ψ(ϑ) · i_q" in out[1] and "seed 0" in out[1]
    assert "minus the base value, the mean prediction over the 30 background windows" in out[1]
    assert "permutation importance reads 0 for it by construction" in out[1]
    assert len(_valid(out[0]).data) == 3


def test_a_bad_value_is_named_in_the_sections_alert():
    out = explainability_maps.MAPS_SECTION.view({"digit": 400, "steps": 32})
    assert "digit must be between 0 and 359" in out[-1]
    out = explainability_maps.COMPLETE_SECTION.view({"digit": 0, "steps": "many"})
    assert "steps" in out[-1]
    out = explainability_motor.MOTOR_SECTION.view({"motor_seed": -1})
    assert "motor_seed must be between 0 and 99" in out[-1]


def test_before_the_network_exists_the_light_sections_say_so_instead_of_training(monkeypatch):
    monkeypatch.setattr(digits, "kept", lambda: False)
    monkeypatch.setattr(digits.zoo, "load", lambda *a, **k: pytest.fail("trained in a light call"))
    for section in (explainability_maps.MAPS_SECTION, explainability_maps.COMPLETE_SECTION):
        out = section.view(page.SPEC.defaults())
        assert out[-1] == explainability_maps.NETS.message


@pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already require gradients")
def test_the_pages_sanity_check_recipe_runs_on_the_zoos_cnn_with_truly_random_weights():
    import copy

    import numpy as np
    import torch

    from neuralab.compress import zoo
    from neuralab.robust import digits as rd

    trained = copy.deepcopy(zoo.load("cnn").model)  # an nn.Sequential: type(model)() would be the identity
    scope = {"model": trained, "x": rd.threat().x[0]}
    exec(explainability_motor.RECIPE, scope)  # the code block exactly as the page shows it
    random = scope["random"]
    assert random is not trained and not random.training
    mine, theirs = trained.state_dict(), random.state_dict()
    assert mine.keys() == theirs.keys() and all(mine[k].shape == theirs[k].shape for k in mine)
    assert all(not torch.equal(mine[k], theirs[k]) for k in mine)  # every layer's weights redrawn
    with torch.no_grad():
        gap = float(trained(scope["x"])[0, scope["target"]] - trained(scope["baseline"])[0, scope["target"]])
    assert abs(float(scope["delta"])) < 0.05 * abs(gap)  # completeness, as the comment says
    sal = scope["sal_random"].abs().flatten()
    assert int((sal > 0).sum()) > 1  # a real network's map, not the one-hot map of an empty Sequential
    assert np.isfinite(scope["rho"]) and scope["rho"] < 0.9
