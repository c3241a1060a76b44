"""The contract every built page keeps, checked for all of them at once.

Each page with a ``SPEC`` draws one control per field, shows the values of a link, names a bad
value of a link in a sentence (and still opens, on the default), and gives every chart a caption.
A new page is covered by being registered.
"""

import importlib

import pytest
from dash import dcc

from neuralab.app.controls import cid
from neuralab.app.registry import built
from neuralab.params import Bool, Choice, DatasetChoice, Float, Int, Text
from tests.app import tree

PAGES = built()


def test_every_built_page_declares_its_controls():
    assert [p.path for p in PAGES if getattr(importlib.import_module(p.module), "SPEC", None) is None] == []


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


def _module(page):
    return importlib.import_module(page.module)


def _other_value(f):
    """A valid value of field ``f`` other than its default."""
    if isinstance(f, DatasetChoice) and len(f.options) == 1:  # the one built-in, else a learner's dataset
        return "user:" + "A" * 16
    if isinstance(f, Choice):
        return next(v for v, _ in f.options if v != f.default)
    if isinstance(f, Bool):
        return not f.default
    if isinstance(f, Text):  # a trailing space: another text, and any sensible check accepts it
        return f.default + " "
    if isinstance(f, Int):
        return f.hi - (f.hi - f.lo) % f.step if f.default != f.hi - (f.hi - f.lo) % f.step else f.lo
    return f.hi if f.default != f.hi else f.lo


def _shown(f, value):
    """What the control holds for ``value`` (a log slider sits at log10 of it)."""
    return f.to_slider(value) if isinstance(f, Float | Int) else value


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_every_field_has_its_control_and_every_chart_its_caption(page):
    m = _module(page)
    found = tree.ids(m.layout(m.SPEC.defaults(), []))
    prefix = m.P
    for name, f in m.SPEC.fields.items():  # the URL sync reads each of these
        assert cid(prefix, name) in found, f"{page.path}: no control for {name}"
        shown = getattr(found[cid(prefix, name)], "value", None)
        if isinstance(f, Float) and shown is not None:  # a slider or a number box (hidden inputs hold text)
            assert shown == pytest.approx(_shown(f, f.default)), (name, shown)
    for g in [k for k, c in found.items() if isinstance(c, dcc.Graph)]:
        assert f"{g}-summary" in found, f"{page.path}: chart {g} has no caption"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_a_link_round_trips_every_field_and_its_value_reaches_the_control(page):
    m = _module(page)
    spec = m.SPEC
    for name, f in spec.fields.items():
        values = {**spec.defaults(), name: _other_value(f)}
        if spec.check(values)[1]:
            continue  # a rule ties this field to another: its default partner refuses the change
        back, messages = spec.parse_query(spec.to_query(values))
        assert messages == [], (name, messages)
        assert back[name] == pytest.approx(values[name]) if isinstance(f, Float) else back[name] == values[name]
        control = tree.ids(m.layout(back, []))[cid(m.P, name)]
        shown = getattr(control, "value", None)
        if isinstance(f, Int | Float) and not isinstance(shown, str):
            assert shown == pytest.approx(_shown(f, values[name])), (name, shown)
        elif isinstance(f, Text):
            assert shown == values[name], (name, shown)
        elif isinstance(f, Choice):
            assert shown == values[name] or values[name] in (shown or []), (name, shown)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_a_bad_value_in_a_link_is_named_and_the_page_still_opens(page):
    m = _module(page)
    for name in m.SPEC.fields:
        values, messages = m.SPEC.parse_query({name: "not-a-value"})
        assert values == m.SPEC.defaults() or messages == [], name  # bad values fall back to defaults
        if isinstance(m.SPEC.fields[name], Choice | Bool | Int | Float):
            assert messages and name in messages[0] and "using the default" in messages[0], (name, messages)
        text = tree.text(m.layout(values, messages))
        assert "Some values in the link were not usable" in text and name in text
