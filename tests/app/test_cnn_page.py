"""/cnn's sections called as plain functions, on untrained stand-ins for the two networks."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import cnn as page
from neuralab.app.pages import cnn_current, cnn_filters, cnn_geometry, cnn_sharing
from neuralab.signal import spikes
from neuralab.train import cnn
from tests.app import tree
from tests.train.test_cnn import fake_nets


@pytest.fixture()
def nets(monkeypatch):
    fake = fake_nets()
    monkeypatch.setattr(cnn_filters, "kept", lambda: True)
    monkeypatch.setattr(cnn_filters, "nets", lambda: fake)
    monkeypatch.setattr(cnn_filters.zoo, "load", lambda *a, **k: pytest.fail("the zoo was asked for a network"))
    return fake


def _valid(fig):
    go.Figure(fig.to_dict())  # the builders skip plotly's validation: check it here
    layout = fig.to_dict()["layout"]
    for name, axis in layout.items():  # plotly.js draws no axis title given as a bare string
        if name.startswith(("xaxis", "yaxis")) and "title" in axis:
            assert isinstance(axis["title"], dict), f"{name} title {axis['title']!r} is a bare string"
    return fig


def test_every_part_is_on_the_page_with_its_controls_and_charts():
    ids = tree.ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"cnn-{name}" in ids
    for graph in ("filters", "maps", "where", "pixel", "geo-sizes", "geo-reach", "sharing", "shift", "shift-grid",
                  "spike-filters", "spike-window"):
        assert isinstance(ids[f"cnn-{graph}"], dcc.Graph) and f"cnn-{graph}-summary" in ids
    assert "cnn-nets" in ids and "cnn-sharing-progress" in ids and "cnn-shift-grid-progress" in ids
    assert cnn_sharing.SHARING_SECTION.job and not cnn_filters.MAPS_SECTION.job
    assert len(page.QUESTIONS) == 4


def test_the_light_sections_draw_and_describe(nets):
    for section in (cnn_filters.MAPS_SECTION, cnn_filters.PIXEL_SECTION, cnn_sharing.SHIFT_SECTION,
                    cnn_geometry.GEOMETRY_SECTION, cnn_current.SPIKE_SECTION):
        out = section.view(page.SPEC.defaults())
        assert len(out) == len(section.outputs()) and out[-1] == "", section.key
        assert all(_valid(o) for o in out if isinstance(o, go.Figure))
    out = cnn_filters.PIXEL_SECTION.view({**page.SPEC.defaults(), "pixel_layer": "2", "pixel_channel": 9})
    assert "72 products" in out[3] and "torch's Conv2d gives" in out[3] and "Conv2d (float32)" in str(out[4])
    out = cnn_sharing.SHIFT_SECTION.view({**page.SPEC.defaults(), "shift_dx": -2, "shift_dy": 1})
    assert "moved -2 px right and +1 px down" in out[1]


def test_moving_the_digit_changes_the_maps(nets):
    a = cnn_filters.MAPS_SECTION.view({"digit": 1})
    b = cnn_filters.MAPS_SECTION.view({"digit": 2})
    assert a[3] != b[3] and "Test digit 2" in b[3]


def test_before_the_networks_exist_the_light_sections_say_so_instead_of_training(monkeypatch):
    monkeypatch.setattr(cnn_filters, "kept", lambda: False)
    monkeypatch.setattr(cnn_filters, "nets", lambda: pytest.fail("trained in a light call"))
    monkeypatch.setattr(spikes, "train", lambda seed=0: pytest.fail("trained in a light call"))
    for section in (cnn_filters.MAPS_SECTION, cnn_filters.PIXEL_SECTION, cnn_sharing.SHIFT_SECTION,
                    cnn_current.SPIKE_SECTION):
        out = section.view(page.SPEC.defaults())
        assert out[-1] == cnn_filters.NETS.message and "being trained" in out[1]


def test_the_sharing_job_draws_its_chart_tables_and_grid(nets, monkeypatch):
    monkeypatch.setattr(cnn, "WIDTHS", (4, 8))
    monkeypatch.setattr(cnn, "_run", lambda w, s, recipe, split: cnn.Run(w, s, 75 * w + 10, 0.5 + 0.01 * w, 0.5))
    out = cnn_sharing.SHARING_SECTION.view({"sharing_seeds": 1})
    assert out[-1] == "" and len(out) == len(cnn_sharing.SHARING_SECTION.outputs())
    fig, caption, layers, runs, grid, grid_caption = out[:6]
    assert _valid(fig) and _valid(grid) and "No MLP here reaches it" in caption
    assert "74,752" in str(layers) and "MLP 64-8-10" in str(runs) and "In place the CNN scores" in grid_caption
    macs = f"{cnn.work(nets.cnn).macs:,}"
    assert macs in caption and macs in str(runs) and "multiply-accumulates" in caption


@pytest.mark.parametrize(("section", "values", "fragment"), [
    (cnn_filters.MAPS_SECTION, {"digit": 360}, "digit must be between 0 and 359"),
    (cnn_filters.PIXEL_SECTION, {"pixel_layer": "1", "pixel_channel": 12}, "pixel_channel must be below 8"),
    (cnn_filters.PIXEL_SECTION, {"pixel_row": 8}, "pixel_row must be between 0 and 7"),
    (cnn_sharing.SHIFT_SECTION, {"shift_dx": 3}, "shift_dx must be between -2 and 2"),
    (cnn_geometry.GEOMETRY_SECTION, {"geo_n": 4, "geo_k": 7, "geo_p": 0}, "geo_n = 4, geo_k = 7"),
    (cnn_geometry.GEOMETRY_SECTION, {"geo_pool": "maybe"}, "geo_pool must be on or off"),
    (cnn_sharing.SHARING_SECTION, {"sharing_seeds": 9}, "sharing_seeds must be between 1 and 3"),
    (cnn_current.SPIKE_SECTION, {"spike_threshold": 1.5}, "spike_threshold must be between 0.05 and 0.95"),
])
def test_bad_values_become_sentences(nets, section, values, fragment):
    out = section.view({**page.SPEC.defaults(), **values})
    assert fragment in out[-1] and len(out) == len(section.outputs())


def test_the_geometry_callback_follows_a_dragged_slider():
    # inputs: (drag_value, value) for geo_n, geo_k, geo_s, geo_p, geo_d, geo_depth; then geo_pool
    out = cnn_geometry.update_geometry(None, 16, 5, 3, None, 1, None, 2, None, 1, None, 2, False)
    assert out[-1] == "" and "The 16×16 input, through 2 convolution(s) of 5×5" in out[1] and "ends as 16×16" in out[1]


def test_the_threshold_moves_the_cnns_flags(nets):
    low = cnn_current.SPIKE_SECTION.view({**page.SPEC.defaults(), "spike_threshold": 0.05})
    high = cnn_current.SPIKE_SECTION.view({**page.SPEC.defaults(), "spike_threshold": 0.95})
    assert low[-1] == high[-1] == "" and low[3] != high[3] and "threshold 0.95" in high[3]
    chosen = f"{spikes.train().threshold:.2f}"
    assert f"At {chosen}, the threshold with the best F1 score on the training cycles" in low[3]
    assert "chosen on the training cycles" in str(low[4]) and str(low[4]).count("chosen") == 1
