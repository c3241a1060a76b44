"""The contract every declared page section keeps, checked for all of them at once.

A page lists its sections in ``SECTIONS``; each must draw into components its layout has,
answer any bad value with a sentence that names the parameter (with exactly as many outputs
as it declares), and keep a background cache key of its own.
"""

import importlib

import diskcache
import plotly.graph_objects as go
import pytest

from neuralab.app import jobs
from neuralab.app.registry import built
from neuralab.app.sections import Chart, Section
from neuralab.app.shell import render
from neuralab.params import Choice, Int, ParamSpec
from tests.app import tree


def _sections() -> list[tuple[str, Section]]:
    out = []
    for page in built():
        module = importlib.import_module(page.module)
        out += [(page.path, s) for s in getattr(module, "SECTIONS", ())]
    return out


SECTIONS = _sections()


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


def _name(item) -> str:
    path, section = item
    return f"{path}:{section.key}"


@pytest.mark.parametrize("item", SECTIONS, ids=_name)
def test_a_section_draws_into_its_page_and_listens_to_its_controls(item):
    path, section = item
    present = set(tree.ids(render(path, "")))
    wanted = {o.component_id for o in section.outputs()} | {i.component_id for i in section.inputs()}
    assert wanted <= present, f"not in the layout of {path}: {sorted(wanted - present)}"


@pytest.mark.parametrize("item", SECTIONS, ids=_name)
@pytest.mark.parametrize("bad", ["", None, "1e999", [1, 2], {"x": 1}, "a" * 10_000])
def test_every_field_answers_a_bad_value_with_a_sentence(item, bad):
    _, section = item
    defaults = section.spec.defaults()
    for name in section.spec.fields:
        out = section.view({**defaults, name: bad})
        assert len(out) == len(section.outputs())
        message = out[-1] if section.alert else out[1]
        assert isinstance(message, str) and name in message, (name, message)
        assert len(message) < 400  # a crafted value is not echoed in full
        first = out[0] if isinstance(section.shows[0], Chart) else None
        assert first is None or isinstance(first, go.Figure)


def test_the_error_branch_has_as_many_outputs_as_the_section_declares():
    from neuralab.app.sections import Text

    spec = ParamSpec("t", n=Int(1, 3, 2), how=Choice((("a", "A"), ("b", "B")), "a"))
    s = Section("t", "demo", spec, lambda v, _: v,
                [Chart("one", lambda r: go.Figure(), lambda r: f"n = {r['n']}"), Text("notes", str, blank=[]),
                 Chart("two", lambda r: go.Figure(), lambda r: "two")])
    assert len(s.outputs()) == 6
    good = s.view({"n": 3, "how": "b"})
    assert good[1] == "n = 3" and good[-1] == ""
    bad = s.view({"n": 9, "how": "b"})
    assert len(bad) == 6 and bad[2] == [] and "n must be between 1 and 3" in bad[1] and bad[1] == bad[-1]
    assert bad[4] == ""  # a second chart's caption stays empty: the sentence is said once, at the top


def test_views_take_values_and_callbacks_take_slider_positions():
    from neuralab.params import Float

    spec = ParamSpec("t", lr=Float(1e-4, 1.0, 0.01, step=0.05, log=True))
    s = Section("t", "lr", spec, lambda v, _: v["lr"], [Chart("c", lambda r: go.Figure(), lambda r: f"{r:.3g}")])
    assert s.view({"lr": 0.01})[1] == "0.01"
    assert s.answer({"lr": -2})[1] == "0.01"  # the log slider sits at log10(lr)


def test_two_sections_with_the_same_inputs_never_share_a_cached_result(tmp_path):
    m = jobs.JobManager(diskcache.Cache(str(tmp_path)), cache_by=[jobs.code_version])
    spec = ParamSpec("t", n=Int(1, 3, 2))
    one = Section("t", "one", spec, lambda v, _: v, [Chart("a", lambda r: go.Figure(), str)], job=True)
    two = Section("t", "two", spec, lambda v, _: v, [Chart("b", lambda r: go.Figure(), str)], job=True)
    f1, f2 = one.function(), two.function()
    assert m.build_cache_key(f1, [2], [], None) != m.build_cache_key(f2, [2], [], None)
    assert m.build_cache_key(f1, [2], [], None) == m.build_cache_key(f1, [2], [], None)


def test_an_alert_output_repeats_the_sentence_and_clears_with_a_result():
    from neuralab.app.sections import Alert

    spec = ParamSpec("t", n=Int(1, 3, 2))
    s = Section("t", "demo", spec, lambda v, _: v,
                [Chart("one", lambda r: go.Figure(), lambda r: "one"), Alert("one-alert"),
                 Chart("two", lambda r: go.Figure(), lambda r: "two"), Alert("alert")], alert=False)
    assert [o.component_id for o in s.outputs()] == ["t-one", "t-one-summary", "t-one-alert", "t-two",
                                                     "t-two-summary", "t-alert"]
    good = s.view({"n": 2})
    assert good[1] == "one" and good[2] == "" and good[5] == ""
    bad = s.view({"n": 9})
    assert len(bad) == 6 and "n must be between 1 and 3" in bad[1]
    assert bad[1] == bad[2] == bad[5] and bad[4] == ""


def test_marks_place_a_marker_and_never_block_the_result():
    from neuralab.params import Float

    marks = ParamSpec("m", at=Float(1e-4, 1.0, 0.01, step=0.25, log=True))
    s = Section("t", "sweep", ParamSpec("t", n=Int(1, 3, 2)), lambda v, _: v,
                [Chart("c", lambda r: go.Figure(), lambda r: f"n = {r['n']}, at {r['at']:g}")], marks=marks)
    assert [str(i) for i in s.inputs()] == ["t-n.value", "t-at.value"]
    assert s.view({"n": 3, "at": 0.1})[1] == "n = 3, at 0.1"
    assert s.answer({"n": 3, "at": -1})[1] == "n = 3, at 0.1"  # a log marker's slider sends log10
    assert s.view({"n": 3, "at": 99})[1] == "n = 3, at 0.01"  # a bad marker sits at its default
    assert "n must be between 1 and 3" in s.view({"n": 9, "at": 0.1})[-1]


def test_together_answers_several_sections_in_one_job_with_one_bar():
    from neuralab.app.sections import Text, Together

    def counting(steps):
        def run(v, progress):
            for i in range(steps):
                progress(i + 1, steps)
            return v
        return run

    spec = ParamSpec("t", n=Int(1, 3, 2), seed=Int(0, 9, 0))
    first = Section("t", "one", spec, counting(2), [Chart("a", lambda r: go.Figure(), lambda r: f"n = {r['n']}"),
                                                    Text("table", lambda r: "rows")], job=True)
    second = Section("t", "two", ParamSpec("s", seed=Int(0, 9, 0)), counting(3),
                     [Chart("b", lambda r: go.Figure(), lambda r: f"seed {r['seed']}")], job=True, alert=False)
    both = Together("t", "both", (first, second), (2, 3))
    assert [str(o) for o in both.outputs()] == [
        "t-a.figure", "t-a-summary.children", "t-table.children", "t-one-alert.children", "t-b.figure",
        "t-b-summary.children"]
    assert [str(i) for i in both.inputs()] == ["t-n.value", "t-seed.value"]  # a shared control is listened to once
    seen = []
    out = both.view({"n": 3, "seed": 4}, lambda d, t: seen.append((d, t)))
    assert out[1] == "n = 3" and out[3] == "" and out[5] == "seed 4"
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]  # one bar, once across both parts
    bad = both.view({"n": 9, "seed": 4})
    assert "n must be between 1 and 3" in bad[3] and bad[2] == "" and bad[5] == "seed 4"  # only its part blanks
    bar = []
    update = both.function()
    assert update(bar.append, 3, 4)[5] == "seed 4" and bar[-1] == ("5", "5")
    assert update.nl_key == "t.both"


def test_a_view_takes_the_whole_pages_values():
    spec = ParamSpec("t", n=Int(1, 3, 2))
    s = Section("t", "one", spec, lambda v, _: v, [Chart("a", lambda r: go.Figure(), lambda r: f"n = {r['n']}")])
    assert s.view({"n": 3, "other_sections_field": "x"})[1] == "n = 3"


def test_a_light_section_leaves_what_it_needs_to_the_jobs_and_answers_once_they_said_so(monkeypatch):
    """Needs: the light section never makes the slow thing in a request; a job makes it and sets the marker."""
    from neuralab.app import sections
    from neuralab.app.sections import Needs

    store, said, runs = set(), [], []
    needs = Needs("made", ParamSpec("made", n=Int(1, 9, 1)), lambda v: v["n"] in store, lambda v: store.add(v["n"]),
                  "Being made; it appears here when done.")
    spec = ParamSpec("t", n=Int(1, 9, 1))
    light = Section("t", "light", spec, lambda v, _: runs.append(v) or v["n"],
                    [Chart("c", lambda r: go.Figure(), lambda r: f"n is {r}")], needs=needs)
    job = Section("t", "job", spec, lambda v, _: v["n"], [Chart("d", lambda r: go.Figure(), lambda r: f"{r}")],
                  job=True, needs=needs)
    monkeypatch.setattr(sections, "set_props", lambda ident, props: said.append((ident, props)))
    assert [str(i) for i in light.inputs()] == ["t-n.value", "t-made.value"]  # the marker is an input
    assert [str(i) for i in job.inputs()] == ["t-n.value"]  # the job only writes it
    assert light.answer({"n": 3, "made": ""})[1] == "Being made; it appears here when done." and runs == []
    for crafted in ("made|4", "3", None, ["made|3"]):
        assert light.answer({"n": 3, "made": crafted})[1].startswith("Being made") and runs == []
    assert job.answer({"n": 3})[1] == "3" and store == {3} and said == [("t-made", {"value": "made|3"})]
    assert light.answer({"n": 3, "made": ""})[1] == "n is 3"  # at hand now (e.g. on this machine's disk)
    assert light.answer({"n": 5, "made": "made|5"})[1] == "n is 5"  # a job elsewhere said so: the word counts
    assert Needs("x", ParamSpec("x"), bool, bool, "").key({}) != ""  # never the marker's first value


def test_a_section_waiting_for_what_it_needs_says_computing_in_every_chart():
    """Not only in the first: a second chart left blank is neither drawn nor computing (CI saw /cnn's so)."""
    from neuralab.app.sections import Needs
    from neuralab.app.ui import PENDING

    needs = Needs("made", ParamSpec("made"), lambda v: False, lambda v: None, "Being made.")
    s = Section("t", "two", ParamSpec("t", n=Int(1, 9, 1)), lambda v, _: v["n"],
                [Chart("a", lambda r: go.Figure(), str), Chart("b", lambda r: go.Figure(), str)], needs=needs)
    out = s.answer({"n": 3, "made": ""})
    texts = [[a["text"] for a in fig.layout.annotations] for fig in (out[0], out[2])]
    assert texts == [[PENDING], [PENDING]] and out[1] == "Being made." and out[3] == ""
    bad = s.blank("n must be 1 to 9.")  # bad input: the fix sentence in the first chart only
    assert [a["text"] for a in bad[2].layout.annotations] == [""]


def test_a_job_greys_every_chart_it_feeds_while_it_runs():
    from neuralab.app.controls import background

    running = background("p-a", also=["p-b", "p-c"])["running"]
    boxes = [out.component_id for out, on, off in running if on == "nl-graph nl-busy"]
    assert boxes == ["p-a-box", "p-b-box", "p-c-box"]  # a second chart of a job is no bare blank: it is busy
