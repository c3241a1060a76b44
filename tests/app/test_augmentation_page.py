"""/augmentation's sections called as plain functions (the training on stand-ins), its URL and its questions."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import augmentation as page
from neuralab.app.pages import augmentation_curve, augmentation_gallery, augmentation_wrong
from neuralab.app.selfcheck import Pick, Value, questions
from neuralab.robust import augmentation as aug
from tests.app import tree


def _valid(fig):
    go.Figure(fig.to_dict())  # the builders skip plotly's validation: check it here
    return fig


def test_the_page_lays_out_every_control_and_output():
    ids = tree.ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"augmentation-{name}" in ids
    for graph in ("gallery", "curve", "wrong"):
        assert isinstance(ids[f"augmentation-{graph}"], dcc.Graph)
    assert augmentation_curve.CURVE_SECTION.job and augmentation_wrong.WRONG_SECTION.job
    assert not augmentation_gallery.GALLERY_SECTION.job


def test_the_gallery_view_draws_the_digit_its_draws_and_the_turned_one():
    out = augmentation_gallery.GALLERY_SECTION.view({**page.SPEC.defaults(), "aug_kind": "rotate",
                                                      "aug_strength": 1.0, "aug_digit": 3})
    fig = _valid(out[0])
    assert len(fig.data) == aug.DRAWS + 2 and all(t.type == "heatmap" for t in fig.data)
    assert "random draws of a rotation of up to ±30°" in out[1]
    assert out[-1] == ""


def _scores(acc, nine_as_six=0):
    conf = np.diag(np.full(10, 36))
    conf[9, 9] -= nine_as_six
    conf[9, 6] += nine_as_six
    return aug.Scores(acc, conf)


def test_the_curve_view_reports_the_gain_at_the_smallest_size(monkeypatch):
    table = {5: (0.80, 0.86), 10: (0.90, 0.92), 30: (0.95, 0.951), 0: (0.96, 0.96)}
    monkeypatch.setattr(aug, "run", lambda n, k, s, seed: _scores(table[n][k != "none"]))
    seen = []
    out = augmentation_curve.CURVE_SECTION.view(page.SPEC.defaults(), progress=lambda d, t: seen.append((d, t)))
    fig = _valid(out[0])
    assert [t.name for t in fig.data] == ["without augmentation", "with shift (whole pixels)"]
    assert list(fig.data[0].x) == ["5", "30", "all (~108)"]  # the default leaves out 10 per class
    assert "moves the accuracy from 80.0% to 86.0% (+6.0 points, SD 0.0 over 3 seeds)" in out[1]
    # no spread between the stand-in's seeds: +0.1 points at 30 per class is beyond one SD, the 0 at all is not
    assert "From all (~108) per class on the mean gain is within one SD of the per-seed gain" in out[1]
    assert seen[-1] == (18, 18)
    seen.clear()
    out = augmentation_curve.CURVE_SECTION.view({**page.SPEC.defaults(), "aug_sizes": "four"},
                                                progress=lambda d, t: seen.append((d, t)))
    assert list(_valid(out[0]).data[0].x) == ["5", "10", "30", "all (~108)"] and seen[-1] == (24, 24)


def test_a_harmful_augmentation_is_not_called_within_the_spread(monkeypatch):
    table = {5: (0.80, 0.86), 30: (0.95, 0.92), 0: (0.96, 0.93)}
    monkeypatch.setattr(aug, "run", lambda n, k, s, seed: _scores(table[n][k != "none"]))
    out = augmentation_curve.CURVE_SECTION.view(page.SPEC.defaults())
    assert "At 30, all (~108) per class the augmentation costs accuracy" in out[1]
    assert "within one SD" not in out[1]


def test_the_wrong_view_measures_the_6s_and_9s(monkeypatch):
    monkeypatch.setattr(aug, "run", lambda n, k, s, seed: _scores(0.95, 9 if k == "rot180" else 0))
    out = augmentation_wrong.WRONG_SECTION.view(page.SPEC.defaults())
    fig = _valid(out[0])
    assert [t.name for t in fig.data] == ["no augmentation (the zoo's CNN)",
                                             "each image turned 180° with probability ½"]
    assert fig.data[1].y[2] == pytest.approx(75.0) and fig.data[1].y[4] == pytest.approx(25.0)
    assert "100.0% of the 6s and 75.0% of the 9s, against 100.0% and 100.0% without" in out[1]
    assert "25.0% of the 9s as a 6" in out[1]
    assert "the turned runs get +27 digits wrong on the 6s and 9s and +0 on the other digits" in out[1]


@pytest.mark.parametrize(("section", "values", "fragment"), [
    (augmentation_gallery.GALLERY_SECTION, {"aug_strength": 3}, "aug_strength must be between 0.25 and 1"),
    (augmentation_gallery.GALLERY_SECTION, {"aug_kind": "flip"}, "aug_kind must be one of shift, rotate, noise, all"),
    (augmentation_curve.CURVE_SECTION, {"aug_seed": -1}, "aug_seed must be between 0 and 9999"),
    (augmentation_wrong.WRONG_SECTION, {"aug_seed": "x"}, "aug_seed must be a whole number"),
])
def test_bad_values_become_sentences(section, values, fragment):
    out = section.view({**page.SPEC.defaults(), **values})
    assert fragment in out[-1] and fragment in out[1]


def test_a_bad_link_is_named_and_the_page_opens_on_the_default():
    values, messages = page.SPEC.parse_query("aug_strength=7&aug_kind=rotate&aug_digit=400")
    assert values["aug_strength"] == 0.5 and values["aug_kind"] == "rotate" and values["aug_digit"] == 0
    text = " ".join(messages)
    assert "aug_strength must be between 0.25 and 1" in text and "aug_digit must be between 0 and 359" in text


def test_the_questions_answer_from_the_library():
    qs = questions(page)
    assert 3 <= len(qs) <= 5
    values = {q.key: q.answer() for q in qs if isinstance(q, Value)}
    assert values == {"aug-shift-lost": 8, "aug-rotate-ink": pytest.approx(83.8)}
    assert any(isinstance(q, Pick) for q in qs)
    titles = tree.text(page.layout(page.SPEC.defaults(), []))
    assert all(q.section in titles for q in qs)
