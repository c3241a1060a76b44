"""/hyperparameter-search's race and surrogate sections called as plain functions."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import hyperparameter_search, search_race
from tests.app import tree


def test_the_part_is_on_the_page_with_its_controls_and_outputs():
    ids = tree.ids(hyperparameter_search.layout(hyperparameter_search.SPEC.defaults(), []))
    for name in search_race.SPEC.fields:
        assert f"hyperparameter-search-{name}" in ids
    for graph in ("race", "regret", "surrogate"):
        assert isinstance(ids[f"hyperparameter-search-{graph}"], dcc.Graph)
    assert isinstance(ids["hyperparameter-search-surrogate-replay"], dcc.Store)
    assert search_race.RACE_SECTION in hyperparameter_search.SECTIONS


def test_the_race_view_draws_the_maps_the_regret_and_the_table(monkeypatch):
    from neuralab.search import race
    from neuralab.search.landscape import landscape

    tiny = landscape("spiral", res=8, seeds=1)
    monkeypatch.setattr(race, "_race", lambda d, n, r, how, progress: race.run_race(tiny, n, r, how))
    monkeypatch.setattr(search_race, "landscape", lambda d: tiny)
    out = search_race.RACE_SECTION.view({**search_race.SPEC.defaults(), "race_trials": 6, "race_repeats": 3})
    assert len(out) == len(search_race.RACE_SECTION.outputs()) and out[-1] == ""
    assert isinstance(out[0], go.Figure) and isinstance(out[2], go.Figure)
    assert "6 trials each" in out[1] and "Median over 3 repeats" in out[3]
    assert "median trials to regret ≤ 1 %" in str(out[4])


def test_the_surrogate_view_hands_the_steps_to_the_slider(monkeypatch):
    from neuralab.search import surrogate
    from tests.search.test_surrogate import _slice

    monkeypatch.setattr(surrogate, "_explore", lambda d, a, k, s, progress: surrogate.run_explore(_slice(), a, k, s,
                                                                                                  steps=3))
    figure, caption, readout, top, value, data, message = search_race.SURROGATE_SECTION.view(
        {**search_race.SPEC.defaults(), "acquisition": "lcb", "kappa": 1.0})
    assert message == "" and top == value == 3 and data["positions"] == [1, 2, 3] and data["at"] == 2
    assert "lower confidence bound" in caption and readout.startswith("Step 3: 5 trainings seen")
    assert figure.layout.meta == {"replay": data["token"], "at": 2}  # the browser restyles only this figure
    assert [t[0][:25] for t in data["texts"]] == ["Step 1: 3 trainings seen,"]
    assert caption == data["charts"][0]["captions"][2] and caption.startswith(readout)


@pytest.mark.parametrize(("section", "values", "fragment"), [
    ("RACE_SECTION", {"race_trials": 101}, "race_trials must be between 5 and 100"),
    ("RACE_SECTION", {"race_repeats": "many"}, "race_repeats must be"),
    ("RACE_SECTION", {"race_diverged": "skip"}, "race_diverged must be one of"),
    ("SURROGATE_SECTION", {"kappa": 9}, "kappa must be between 0 and 5"),
    ("SURROGATE_SECTION", {"acquisition": "pi"}, "acquisition must be one of"),
])
def test_bad_values_become_sentences(section, values, fragment):
    s = getattr(search_race, section)
    out = s.view({**search_race.SPEC.defaults(), **values})
    assert fragment in out[-1] and len(out) == len(s.outputs())
