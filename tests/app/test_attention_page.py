"""/attention's sections called as plain functions (an untrained model stands in for the trained one)."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import attention, attention_inside, attention_order, attention_scale
from neuralab.plots.format import pct
from neuralab.train import attention as lib
from tests.app import tree
from tests.plots.test_attention_plots import fake_opened, fake_order


@pytest.fixture()
def fake(monkeypatch):
    monkeypatch.setattr(lib, "kept", lambda *a, **k: True)
    monkeypatch.setattr(lib, "opened", lambda attn_example, attn_token, attn_head:
                        fake_opened(attn_example, attn_token, attn_head))
    order = fake_order()
    monkeypatch.setattr(lib, "order", lambda order_seed, progress=None: order)
    made = []
    monkeypatch.setattr(lib, "trained", lambda *a, **k: made.append(a))  # the job makes the model first
    return made


def test_the_parts_are_on_the_page_with_their_controls_and_graphs():
    assert attention.PARTS == (attention_inside, attention_scale, attention_order)
    ids = tree.ids(attention.layout(attention.SPEC.defaults(), []))
    for name in ("attn_example", "attn_token", "attn_head", "scale_dk", "scale_keys", "order_seed"):
        assert f"attention-{name}" in ids
    for graph in ("inside", "maps", "scale", "order"):
        assert isinstance(ids[f"attention-{graph}"], dcc.Graph)
    assert "attention-order-progress" in ids and "attention-inside-check" in ids and "attention-trained" in ids
    assert attention_order.ORDER_SECTION.job and not attention_inside.INSIDE_SECTION.job


def test_the_inside_view_returns_its_charts_and_the_check(fake):
    out = attention_inside.INSIDE_SECTION.view({"attn_example": 3, "attn_token": 2, "attn_head": 2, "trained": ""})
    assert len(out) == len(attention_inside.INSIDE_SECTION.outputs()) and out[-1] == ""
    inside, c_inside, check, maps, c_maps = out[:5]
    assert isinstance(inside, go.Figure) and isinstance(maps, go.Figure)
    assert "position 2" in c_inside and "head 2" in c_inside and "query position 2" in c_maps
    assert "scaled_dot_product_attention" in str(check)


def test_before_the_model_is_trained_the_light_section_says_so_instead_of_training(fake, monkeypatch):
    monkeypatch.setattr(lib, "kept", lambda *a, **k: False)
    monkeypatch.setattr(lib, "opened", lambda **k: pytest.fail("opened in a light call before training"))
    out = attention_inside.INSIDE_SECTION.view({**attention_inside.SPEC.defaults(), "trained": ""})
    assert "being trained" in out[-1] and "being trained" in out[1]


def test_moving_the_query_changes_the_chart(fake):
    a = attention_inside.INSIDE_SECTION.view({"attn_example": 1, "attn_token": 1, "attn_head": 1, "trained": ""})
    b = attention_inside.INSIDE_SECTION.view({"attn_example": 1, "attn_token": 7, "attn_head": 1, "trained": ""})
    assert list(a[0].data[0].z[0]) != list(b[0].data[0].z[0]) and a[1] != b[1]


def test_the_scale_view_follows_dk():
    a = attention_scale.SCALE_SECTION.view({"scale_dk": 4, "scale_keys": 8})
    b = attention_scale.SCALE_SECTION.view({"scale_dk": 256, "scale_keys": 8})
    assert a[-1] == b[-1] == "" and "d_k = 4" in a[1] and "d_k = 256" in b[1]


def test_the_order_job_trains_the_page_model_first_and_returns_its_chart_and_table(fake):
    out = attention_order.ORDER_SECTION.view({"order_seed": 0})
    assert fake == [("full", 0)]
    assert out[-1] == "" and isinstance(out[0], go.Figure) and "causal mask" in out[1]
    assert "none (same weights)" in str(out[2])


@pytest.mark.parametrize(("section", "values", "fragment"), [
    (attention_inside.INSIDE_SECTION, {"attn_token": 9}, "attn_token must be between 1 and 8"),
    (attention_inside.INSIDE_SECTION, {"attn_head": "two"}, "attn_head must be"),
    (attention_scale.SCALE_SECTION, {"scale_dk": 0}, "scale_dk must be between 1 and 512"),
    (attention_scale.SCALE_SECTION, {"scale_keys": 1e9}, "scale_keys must be between 2 and 64"),
    (attention_order.ORDER_SECTION, {"order_seed": 5}, "order_seed must be between 0 and 4"),
])
def test_bad_values_become_sentences(fake, section, values, fragment):
    out = section.view({**section.spec.defaults(), "trained": "", **values})
    assert fragment in out[-1] and fragment in out[1] and len(out) == len(section.outputs())


def test_the_callback_follows_a_dragged_slider(fake):
    # inputs: (drag_value, value) for attn_example, attn_token, attn_head; then the trained marker
    out = attention_inside.update_inside(None, 2, 6, 1, None, 1, "")
    assert out[-1] == "" and "position 6" in out[1]


def test_the_order_prose_quotes_the_computed_ceiling_and_which_model_is_the_one_above():
    text = tree.text(attention_order.layout(attention_order.SPEC.defaults()))
    assert f"right {pct(lib.best_without_positions())} of the time" in text
    assert "for seed 0, the model above" in text
    inside = tree.text(attention_inside.layout(attention_inside.SPEC.defaults()))
    assert "q_t = h_t W_Q + b_Q" in inside and "check the softmax and the mixing alone" in inside
