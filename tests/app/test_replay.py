"""sections.Replay: every position of a replayed control, answered at once, is the section's own view there.

The browser's ``neuralab.replay`` only selects; :func:`replayed` is that selection in Python, so these tests
check that the numbers a learner sees after a move are the ones the server path gives at that position.
"""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from neuralab.app.sections import Chart, Replay, Section, Text, _plain, replayed
from neuralab.params import Int, ParamSpec, Rule
from neuralab.plots.theme import figure


def _figure(r: dict) -> go.Figure:
    k = r["k"]
    return figure([dict(type="scatter", x=list(range(3 * k)), y=[r["n"] * i for i in range(3 * k)], name=f"k={k}"),
                   dict(type="bar", x=[1, 2], y=[r["n"], 3])],
                  shapes=[dict(type="line", x0=k, x1=k, y0=0, y1=1)], xaxis=dict(range=[0, 3 * k]))


SPEC = ParamSpec("t", n=Int(1, 30, 5), k=Int(1, 6, 2),
                 rules=[Rule(("n", "k"), lambda v: v["n"] * v["k"] <= 60, lambda v: "n × k must be at most 60.")])
TOY = Section("t", "toy", SPEC, lambda v, _: v,
              [Chart("one", _figure, lambda r: f"k = {r['k']}"), Text("notes", lambda r: f"n{r['n']}k{r['k']}"),
               Chart("still", lambda r: figure([dict(type="bar", x=[0], y=[r["n"]])]), lambda r: f"n = {r['n']}")],
              replay=Replay("k", ("one", "notes")))


def _bare(fig) -> dict:
    f = _plain(fig if isinstance(fig, dict) else fig.to_plotly_json())
    for key in ("meta", "template"):
        f["layout"].pop(key, None)
    return f


def _check(section: Section, values: dict, at_values: list[dict]) -> dict:
    """Every position of ``section``'s replay, selected from the store, equals its view at that position."""
    out = section.view(values)
    store = out[-2] if section.alert else out[-1]
    assert store is not None
    moving = dict(section._moving_charts())
    texts = section._moving_texts()
    drawn = -1 if store["at"] is None else store["at"]
    for i, v in enumerate(at_values):
        there = section.view(v)
        for c in store["charts"]:
            n = moving[c["graph"].removeprefix(f"{section.page}-")]
            assert _bare(replayed(_bare(out[n]), c, i, drawn)) == _bare(there[n]), (c["graph"], i)
            assert c["captions"][i] == there[n + 1]
        for (t, n), values_i in zip(texts, store["texts"], strict=True):
            assert values_i[i] == there[n], (t.id, i)
        if section.alert:
            assert store["alert"][i] == there[-1]
        if section.alert and there[-1]:  # a sentence blanks the charts that follow the control; the rest stay
            continue
        for n, (a, b) in enumerate(zip(out, there, strict=True)):  # what does not follow the control stays put
            if n in moving.values() or n - 1 in moving.values() or n in dict(texts).values() or n >= len(out) - 2:
                continue
            assert (_bare(a) == _bare(b)) if isinstance(a, go.Figure) else a == b, n
    return store


def test_the_toy_replays_every_position_as_its_own_view():
    store = _check(TOY, {"n": 5, "k": 2}, [{"n": 5, "k": k} for k in range(1, 7)])
    assert store["positions"] == [1, 2, 3, 4, 5, 6] and store["at"] == 1
    chart = store["charts"][0]
    assert set(chart["traces"]) == {"0"}  # the bar does not move: it is never sent again
    assert chart["traces"]["0"]["x"]["n"] == [3, 6, 9, 12, 15, 18]  # a growing array is sent once, with lengths
    assert list(chart["layout"][0]) == ["shapes", "xaxis.range"] and "whole" not in chart


def test_a_position_that_breaks_a_rule_says_the_sentence_and_the_others_still_draw():
    store = _check(TOY, {"n": 12, "k": 2}, [{"n": 12, "k": k} for k in range(1, 7)])
    assert store["alert"][5] == "n × k must be at most 60." and store["alert"][4] == ""
    chart = store["charts"][0]
    assert chart["whole"][5] is not None and chart["whole"][4] is None and chart["ref"]


def test_the_server_standing_on_a_bad_position_draws_the_sentence_and_the_replay_still_works():
    out = TOY.view({"n": 12, "k": 6})
    assert out[-1] == "n × k must be at most 60." and out[-2]["at"] == 5
    assert out[1] == out[-1] and out[2] == "" and out[4] == "n = 12"  # what does not follow k is still drawn
    _check(TOY, {"n": 12, "k": 6}, [{"n": 12, "k": k} for k in range(1, 7)])


@pytest.mark.parametrize("bad", ["", None, "x", 3.5, [1, 2], 10**40, "1e999", {"k": 1}])
def test_a_bad_value_of_the_control_is_a_sentence_and_the_store_replays_the_grid(bad):
    out = TOY.view({"n": 5, "k": bad})
    assert "k must be" in out[-1] and out[-2]["at"] is None
    _check(TOY, {"n": 5, "k": bad}, [{"n": 5, "k": k} for k in range(1, 7)])


def test_a_bad_other_value_sends_no_store():
    out = TOY.view({"n": 99, "k": 2})
    assert "n must be between 1 and 30" in out[-1] and out[-2] is None


def test_the_control_is_read_not_listened_to_and_the_clientside_callback_writes_the_captions():
    assert [str(i) for i in TOY.inputs()] == ["t-n.value", "t-k.value"]
    assert type(TOY.inputs()[-1]).__name__ == "State"
    assert [o.component_id for o in TOY.outputs()][-2:] == ["t-toy-replay", "t-toy-alert"]
    assert TOY.store().id == "t-toy-replay"


def test_the_quantization_bits_slider_is_replayed_as_the_section_draws_it():
    from neuralab.app.pages import quantization

    s = quantization.LAYER_SECTION
    values = dict(model="mlp", layer=1, bits=4, scheme="symmetric", granularity="tensor")
    s.needs.make(s.needs.spec.subset(values))  # the reference network a job makes first (cached once made)
    store = _check(s, values, [values | {"bits": b} for b in range(1, 9)])
    assert store["positions"] == list(range(1, 9)) and store["at"] == 3
    assert "at 7 bits" in store["charts"][0]["captions"][6]


def test_the_surrogate_step_slider_is_replayed_as_each_step_is_drawn(monkeypatch):
    from neuralab.app.pages import search_race
    from neuralab.plots import search_race as figures
    from neuralab.search import surrogate
    from tests.search.test_surrogate import _slice

    monkeypatch.setattr(surrogate, "_explore", lambda d, a, k, s, progress: surrogate.run_explore(_slice(), a, k, s,
                                                                                                  steps=4))
    values = {**search_race.SPEC.defaults(), "acquisition": "ei"}
    out = search_race.SURROGATE_SECTION.view(values)
    store, e = out[-2], search_race.run_surrogate(search_race.GP_SPEC.subset(values), None)
    assert store["positions"] == [1, 2, 3, 4] and store["at"] == 3
    chart = store["charts"][0]
    for k in range(1, 5):
        assert _bare(replayed(_bare(out[0]), chart, k - 1, 3)) == _bare(figures.surrogate_figure(e, k))
        assert chart["captions"][k - 1] == figures.describe_step(e, k)
        assert store["texts"][0][k - 1] == figures.step_note(e, k)


def test_a_log_slider_is_replayed_in_its_own_units():
    from neuralab.params import Float

    spec = ParamSpec("g", lr=Float(0.001, 1.0, 0.01, step=0.5, log=True))
    s = Section("g", "log", spec, lambda v, _: v,
                [Chart("c", lambda r: figure([dict(type="scatter", x=[0, 1], y=[0, r["lr"]])]),
                       lambda r: f"lr {r['lr']:.3g}")],
                replay=Replay("lr", ("c",)))
    store = _check(s, {"lr": 0.01}, [{"lr": 10 ** (-3 + 0.5 * k)} for k in range(7)])
    assert store["positions"] == pytest.approx([-3, -2.5, -2, -1.5, -1, -0.5, 0])  # what the slider sends
    assert store["at"] == 2 and store["charts"][0]["captions"][6] == "lr 1"
