"""ParamSpec: validation sentences, URL round trips, merging."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neuralab.params import Choice, Float, Int, ParamError, ParamSpec, Rule

SPEC = ParamSpec(
    "demo",
    window=Int(5, 51, 15, step=2, label="Window"),
    order=Int(1, 5, 3),
    lr=Float(1e-4, 1.0, 0.01, log=True),
    kind=Choice((("a", "A"), ("b", "B")), default="a"),
    rules=[Rule(("order", "window"), lambda v: v["order"] < v["window"], "order must be below window; got {order}")],
)


def test_defaults_validate():
    assert SPEC.validate() == {"window": 15, "order": 3, "lr": 0.01, "kind": "a"}


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"window": 4}, "window must be between 5 and 51"),
        ({"window": 16}, "window must be 5 plus a multiple of 2"),
        ({"window": 7.5}, "window must be a whole number"),
        ({"window": "abc"}, "window must be a whole number; got 'abc'"),
        ({"window": True}, "window must be a whole number"),
        ({"window": None}, "window must be a whole number"),
        ({"window": [1]}, "window must be a whole number"),
        ({"lr": float("nan")}, "lr must be a finite number"),
        ({"lr": "inf"}, "lr must be a finite number"),
        ({"lr": -(10**400)}, "lr must be a finite number"),  # beyond any float: float() overflows
        ({"window": 10**400}, "window must be a finite number; got 1000000"),
        ({"window": 10**5000}, "window must be a finite number; got an integer of about 5000 digits"),
        ({"lr": 2.0}, "lr must be between 0.0001 and 1"),
        ({"kind": "c"}, "kind must be one of a, b; got 'c'"),
        ({"kind": 1}, "kind must be one of a, b"),
        ({"nope": 1}, "'nope' is not a parameter here"),
    ],
)
def test_bad_values_name_the_parameter_and_rule(raw, fragment):
    with pytest.raises(ParamError) as err:
        SPEC.validate(raw)
    assert fragment in str(err.value)


def test_cross_field_rule():
    spec = ParamSpec("x", a=Int(0, 10, 1), b=Int(0, 10, 2), rules=[Rule(("a", "b"), lambda v: v["a"] < v["b"],
                                                                         "a must be below b; got {a} and {b}")])
    with pytest.raises(ParamError, match="a must be below b; got 5 and 3"):
        spec.validate(a=5, b=3)


def test_huge_strings_are_not_echoed():
    with pytest.raises(ParamError) as err:
        SPEC.validate(window="9" * 100_000)
    assert len(str(err.value)) < 200


def test_numbers_from_strings_and_floats_are_accepted():
    assert SPEC.validate(window="17", order=2.0, lr="0.1")["window"] == 17


def test_query_round_trip():
    values = {"window": 21, "order": 4, "lr": 0.003, "kind": "b"}
    back, messages = SPEC.parse_query(SPEC.to_query(values))
    assert messages == []
    assert back["window"] == 21 and back["kind"] == "b" and math.isclose(back["lr"], 0.003)


def test_bad_query_values_fall_back_with_a_sentence():
    values, messages = SPEC.parse_query("?window=abc&order=2&zzz=1")
    assert values["window"] == 15 and values["order"] == 2
    assert len(messages) == 1 and "window" in messages[0] and "default" in messages[0]


def test_query_breaking_a_rule_falls_back_to_defaults():
    values, messages = SPEC.parse_query("?window=5&order=5")
    assert messages and "order must be below window" in messages[0]
    assert values == SPEC.defaults()


def test_merge_refuses_conflicting_fields():
    a = ParamSpec("a", k=Int(2, 10, 5))
    b = ParamSpec("b", k=Int(2, 20, 5))
    with pytest.raises(ValueError, match="declared differently"):
        ParamSpec.merge("ab", a, b)
    assert list(ParamSpec.merge("aa", a, ParamSpec("c", k=Int(2, 10, 5), j=Int(0, 1, 0))).fields) == ["k", "j"]


@given(st.integers(min_value=0, max_value=23))
def test_every_grid_value_survives_the_url(i):
    window = 5 + 2 * i
    values, messages = SPEC.parse_query(SPEC.to_query({**SPEC.defaults(), "window": window}))
    assert messages == [] and values["window"] == window


@given(st.one_of(st.text(max_size=30), st.floats(allow_nan=True), st.integers(), st.none(), st.booleans()))
def test_anything_either_validates_or_raises_param_error(raw):
    try:
        out = SPEC.validate(window=raw)
    except ParamError as err:
        assert "window" in str(err)
    else:
        assert 5 <= out["window"] <= 51 and out["window"] % 2 == 1


def test_a_bool_reads_what_a_link_or_a_widget_sends_and_writes_1_or_0():
    from neuralab.params import Bool

    spec = ParamSpec("t", on=Bool(True, label="On"))
    pairs = [(True, True), (False, False), ("1", True), ("0", False), ("true", True), ("off", False), (1, True)]
    for raw, want in pairs:
        assert spec.validate(on=raw)["on"] is want
    with pytest.raises(ParamError, match=r"on must be on or off \(1 or 0\); got 'maybe'"):
        spec.validate(on="maybe")
    with pytest.raises(ParamError, match="on must be on or off"):
        spec.validate(on=2)
    assert spec.to_query({"on": False}) == "?on=0"
    values, messages = spec.parse_query("?on=0")
    assert values == {"on": False} and messages == []


def test_a_choice_made_from_a_registry_lists_its_entries_in_order():
    from neuralab.params import Choice

    registry = {"sgd": "Plain SGD", "adam": "Adam"}
    c = Choice.of(registry, "adam", label="Optimizer")
    assert c.options == (("sgd", "Plain SGD"), ("adam", "Adam")) and c.default == "adam"
    assert Choice.of({"a": 1}, "a", title=lambda n: f"#{n}").options == (("a", "#1"),)


def test_the_playground_features_are_booleans_after_validation():
    from neuralab.data.playground import DATA, selected_features

    v = DATA.validate({"f_x": "1", "f_y": "0", "f_x2": "1"})
    assert v["f_x"] is True and v["f_y"] is False
    assert selected_features(v) == ("x", "x2")


def _no_x(name, text):
    if "x" in text:
        raise ValueError(f"{name} must not contain x.")


def test_text_fields_bound_length_run_their_check_and_round_trip():
    from neuralab.params import Text

    spec = ParamSpec("t", words=Text("ab; cd", max_len=10, check=_no_x))
    assert spec.validate(words="a;b") == {"words": "a;b"}
    for raw, fragment in ((3, "words must be text"), ("y" * 11, "at most 10 characters; got 11"),
                          ("axb", "words must not contain x")):
        with pytest.raises(ParamError, match=fragment):
            spec.validate(words=raw)
    assert spec.parse_query(spec.to_query({"words": "p; q=1&r"})) == ({"words": "p; q=1&r"}, [])
    values, messages = spec.parse_query("?words=" + "y" * 500)
    assert values == {"words": "ab; cd"} and "using the default" in messages[0] and "y" * 50 not in messages[0]


def test_a_text_field_is_a_debounced_text_box():
    from dash import dcc

    from neuralab.app.controls import control
    from neuralab.params import Text

    box = control("pg", "words", Text("ab", max_len=10), "ab").children[1]
    assert isinstance(box, dcc.Input) and box.type == "text" and box.debounce is True and box.value == "ab"


def test_applies_names_the_fields_a_choice_makes_ignored_and_merge_keeps_fields_read_elsewhere():
    from neuralab.params import Applies

    mode = Choice((("a", "Alpha (first)"), ("b", "Beta"), ("c", "Gamma")), "a", label="Mode")
    gain = Float(0.0, 1.0, 0.5, label="Gain")
    spec = ParamSpec("s", mode=mode, gain=gain, applies=[Applies("gain", "mode", ("a", "b"))])
    assert spec.idle({"mode": "a"}) == {} and spec.idle({"mode": "b"}) == {}
    assert spec.idle({"mode": "c"}) == {"gain": "Gain applies to Alpha and Beta only."}
    assert spec.to_query({"mode": "c", "gain": 0.25}) == "?mode=c&gain=0.25"  # an idle value still rides in the URL
    assert spec.parse_query("?mode=c&gain=0.25") == ({"mode": "c", "gain": 0.25}, [])
    told = ParamSpec("t", mode=mode, gain=gain, applies=[Applies("gain", "mode", ("a",), "Only for alpha.")])
    assert told.idle({"mode": "b"}) == {"gain": "Only for alpha."}
    # a page that also reads gain unconditionally (another spec) never disables it
    assert ParamSpec.merge("p", spec, ParamSpec("u", gain=gain)).applies == ()
    assert ParamSpec.merge("p", spec, ParamSpec("u", mode=mode)).applies == spec.applies
    with pytest.raises(ValueError, match="no option z"):
        ParamSpec("bad", mode=mode, gain=gain, applies=[Applies("gain", "mode", ("z",))])
    with pytest.raises(ValueError, match="a Choice field"):
        ParamSpec("bad", mode=mode, gain=gain, applies=[Applies("gain", "gain", ("a",))])
def test_a_slider_value_loses_its_float_noise_and_is_never_snapped_into_range():
    lr = Float(1e-5, 10.0, 0.03, step=0.01, log=True)
    assert lr.from_slider(math.log10(0.03)) != 0.03 and lr.snap(lr.from_slider(math.log10(0.03))) == 0.03
    assert Float(0.0, 1.0, 0.0, step=0.005).snap(0.1 + 0.2) == 0.3
    edge = Float(1e-4, 1.0, 0.1, step=0.25, log=True)
    assert edge.snap(1.0000000000000002) == 1.0000000000000002  # "1.0" would be inside the range: it stays out
