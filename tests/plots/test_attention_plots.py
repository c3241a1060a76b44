"""Figures of /attention, drawn from an untrained model and a one-epoch comparison (no real training)."""

import functools

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab.plots import attention as fig
from neuralab.train import attention as lib
from neuralab.train.attention import Recipe


def fake_opened(example=2, token=3, head=1):
    """The layer of an untrained model opened on a test sequence: every field of Opened, in milliseconds."""
    return lib.open_up(lib.build("full", 0).eval(), 0.125, example, token, head)


@functools.cache
def fake_order():
    return lib.order(0, recipe=Recipe(epochs=1))


def _valid(f):
    assert isinstance(f, go.Figure)
    go.Figure(f.to_dict())  # plotly's own validation of what figure() built unvalidated


@pytest.mark.parametrize(("token", "head"), [(1, 1), (5, 2), (8, 2)])
def test_inside_draws_the_query_the_keys_the_scores_and_the_weights_of_the_chosen_head(token, head):
    o = fake_opened(3, token, head)
    f = fig.inside_figure(o)
    _valid(f)
    qk, vo, s_on, w_on, s_off, w_off = f.data
    np.testing.assert_allclose(np.array(qk.z)[0], o.scaled.q[head - 1, token - 1].numpy())
    np.testing.assert_allclose(np.array(qk.z)[1:], o.scaled.k[head - 1].numpy())
    np.testing.assert_allclose(np.array(vo.z)[-1], o.scaled.heads[head - 1, token - 1].numpy())
    np.testing.assert_allclose(s_off.y, o.unscaled.scores[head - 1, token - 1].numpy())
    np.testing.assert_allclose(w_on.y, o.scaled.weights[head - 1, token - 1].numpy())
    assert sum(w_off.y) == pytest.approx(1.0)
    text = fig.describe_inside(o)
    assert f"position {token}" in text and f"head {head}" in text and "1/√16" in text
    # the score panel names both series, and the shared colour bar is not confused with the values v_j
    assert any("/√d" in a.text and "(orange)" in a.text for a in f.layout.annotations)
    assert f.layout.coloraxis.colorbar.title.text == "component"


def test_the_check_table_names_torchs_functions_and_the_differences():
    o = fake_opened()
    rows = fig.check_rows(o)
    assert len(rows) == 4 and all(float(r[2]) < 1e-5 for r in rows)
    # the first two rows check the whole layer; the SDPA rows are fed the hand-made q, k, v and say so
    assert all("MultiheadAttention" in r[1] for r in rows[:2])
    assert all("scaled_dot_product_attention" in r[1] and "hand-made" in r[1] for r in rows[2:])


def test_maps_have_one_heatmap_per_head_and_frame_the_query_row():
    o = fake_opened(4, 6, 1)
    f = fig.maps_figure(o)
    _valid(f)
    heat = [t for t in f.data if t.type == "heatmap"]
    assert len(heat) == o.maps.shape[1]
    np.testing.assert_allclose(np.array(heat[1].z), o.maps[0, 1])
    written = [t for t in f.data if t.type == "scatter" and t.mode == "text"]
    assert len(written) == len(heat)  # each head's weights written on its cells
    assert f.layout.shapes[0].y0 == pytest.approx(4.5)
    assert "query position 6" in fig.describe_maps(o)


@pytest.mark.parametrize(("dk", "n"), [(1, 2), (16, 8), (100, 64)])
def test_saturation_draws_both_scales_and_marks_the_chosen_dk(dk, n):
    s = lib.saturation(dk, n)
    f = fig.saturation_figure(s)
    _valid(f)
    assert len(f.data[0].y) == n and f.layout.shapes[0].x0 == dk
    assert f"d_k = {dk}" in fig.describe_saturation(s)


def test_order_draws_accuracy_per_position_and_each_variants_map():
    o = fake_order()
    f = fig.order_figure(o)
    _valid(f)
    lines = [t for t in f.data if t.type == "scatter"]
    np.testing.assert_allclose(lines[2].y, o.models["causal"].accuracy_by_position)
    assert len([t for t in f.data if t.type == "heatmap"]) == 3
    ceiling = next(t for t in lines if "without positions" in t.name)
    assert list(ceiling.y) == [pytest.approx(lib.best_without_positions())] * 2
    assert f"best possible without positions is {fig.pct(lib.best_without_positions())}" in fig.describe_order(o)
    assert "mean over the last epoch" in fig.ORDER_HEADER[4] and fig.ORDER_HEADER[3].endswith("position 8")
    rows = fig.order_rows(o)
    assert len(rows) == 4 and rows[0][0] == lib.VARIANTS["full"][0] and rows[-1][-1] == "none (same weights)"
    assert "Seed 0" in fig.describe_order(o) and "causal mask" in fig.describe_order(o)
