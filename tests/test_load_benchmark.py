"""The load test's reading of the lab (benchmarks/load/): its walks are valid, and it recognises every refusal."""

import json
import sys
from pathlib import Path

import plotly.io as pio
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "load"))
import catalog  # noqa: E402
import learner  # noqa: E402

from neuralab.app import limits  # noqa: E402
from neuralab.app.pages import preprocessing, splits  # noqa: E402

LIMITS_SOURCE = Path(limits.__file__).read_text()


def test_the_busy_mark_is_the_labs():
    assert learner.BUSY_MARK == limits.BUSY_MARK


@pytest.mark.parametrize(("name", "fragment"), learner.REFUSALS)
def test_every_refusal_fragment_is_still_in_the_labs_sentences(name, fragment):
    assert fragment in LIMITS_SOURCE, name


def _answer(outputs: list[dict], sentence: str) -> bytes:
    """A poll's answer carrying the page's outputs as limits.busy_outputs makes them, through JSON."""
    values = limits.busy_outputs(outputs, sentence)
    response = {o["id"]: {o["property"]: v} for o, v in zip(outputs, values, strict=True)}
    return pio.to_json({"multi": True, "response": response}, validate=False).encode()


OUTPUTS = [{"id": "splits-folds", "property": "figure"}, {"id": "splits-folds-summary", "property": "children"}]


@pytest.mark.parametrize(("sentence", "expected"), [
    (f"The lab is busy: all {limits.MAX_JOBS} computation slots are taken, and this one waited 30 s.",
     "busy: all slots taken"),
    ("The lab is running as many jobs as it can queue. Nothing was computed; try again in a few seconds.",
     "busy: queue full"),
    (f"This browser already has {limits.MAX_JOBS_PER_CLIENT} computations running, and this one waited 120 s.",
     "busy: browser's slots"),
    (limits.LOST, "lost"),
    (limits.STALLED.format(s=360), "given up"),
    (limits.FAILED.format(why="ValueError: the model diverged"), "failed"),
    (limits.FAILED.format(why="it ran past the lab's limit"), "failed"),  # the exception's words do not matter
])
def test_a_refusal_is_told_from_a_result(sentence, expected):
    assert learner.outcome(_answer(OUTPUTS, sentence)) == expected


def test_a_result_counts_as_computed():
    figure, summary = splits.SECTIONS[0].view(splits.SPEC.defaults())[:2]
    raw = pio.to_json({"response": {"splits-sizes": {"figure": figure}, "splits-sizes-summary": {"children": summary}}},
                      validate=False).encode()
    assert learner.outcome(raw) == "computed"


@pytest.mark.parametrize("module", [splits, preprocessing])  # both have a cross-field rule
def test_walks_change_one_control_a_step_and_stay_valid(module):
    import random

    controls = {f"{module.P}-{n}": {"field": n, "slider": False} for n in module.SPEC.fields if n != "seed"}
    for walk in catalog.walks(module.SPEC, controls, random.Random(1), n=3, steps=40):
        values = module.SPEC.defaults()
        assert len(walk["steps"]) == len(walk["queries"]) == 40
        for (ident, value), query in zip(walk["steps"], walk["queries"], strict=True):
            name = controls[ident]["field"]
            assert value != values[name]
            values[name] = value
            parsed, messages = module.SPEC.parse_query(query)
            assert not messages and parsed == values
            assert not module.SPEC.check(values)[1]


def test_the_answer_of_a_plain_callback_updates_only_what_callbacks_read():
    props = {"a": {"value": 1}}
    doc = json.loads('{"response": {"a": {"value": 2, "figure": {"data": []}}, "b": {"children": "x"}}}')
    changed = learner.apply(props, doc, keep={("a", "value")})
    assert props == {"a": {"value": 2}}
    assert changed == [("a", "value"), ("a", "figure"), ("b", "children")]
