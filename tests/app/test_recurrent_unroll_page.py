"""/recurrent's rolled-and-unrolled section called as a plain function (on a tiny fake network)."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import recurrent, recurrent_unroll
from neuralab.train import unroll
from tests.app import tree
from tests.plots.test_recurrent_unroll import fake_unrolled


@pytest.fixture()
def fake(monkeypatch):
    u = fake_unrolled()
    monkeypatch.setattr(unroll, "thermal_unrolled", lambda width=unroll.WIDTH: u)
    monkeypatch.setattr(unroll, "train", lambda width=unroll.WIDTH, progress=None: u)
    monkeypatch.setattr(unroll, "ready", lambda width=unroll.WIDTH: True)
    return u


def test_the_part_is_on_the_page_with_its_controls_and_graphs():
    assert recurrent_unroll in recurrent.PARTS and recurrent_unroll.UNROLL_SECTION in recurrent.SECTIONS
    assert recurrent_unroll.NET_SECTION in recurrent.SECTIONS and recurrent_unroll.NET_SECTION.job
    ids = tree.ids(recurrent.layout(recurrent.SPEC.defaults(), []))
    for name in ("unroll_cycle", "unroll_start", "unroll_steps"):
        assert f"recurrent-{name}" in ids
    for graph in ("unroll-rolled", "unroll-steps", "unroll-cycle"):
        assert isinstance(ids[f"recurrent-{graph}"], dcc.Graph)
    assert "recurrent-unroll-check" in ids and "recurrent-unroll-alert" in ids
    assert "recurrent-unroll-rolled-progress" in ids and ids["recurrent-unroll_ready"].value == 0
    assert "unroll_ready" not in recurrent.SPEC.fields  # a trigger, not a setting: not in the URL


def test_the_view_returns_figures_captions_and_the_check(fake):
    net = recurrent_unroll.NET_SECTION.view({"unroll_cycle": 2})
    assert len(net) == len(recurrent_unroll.NET_SECTION.outputs()) and net[-1] == ""
    rolled, c_rolled, check, ready = net[:4]
    assert isinstance(rolled, go.Figure) and "spectral radius" in c_rolled and ready == 1
    assert "nn.RNN" in str(check) and "∂L/∂W_hh" in str(check)
    out = recurrent_unroll.UNROLL_SECTION.view({"unroll_cycle": 2, "unroll_start": 4, "unroll_steps": 6})
    assert len(out) == len(recurrent_unroll.UNROLL_SECTION.outputs()) and out[-1] == ""
    steps, c_steps, cyc, c_cyc = out[:4]
    assert all(isinstance(f, go.Figure) for f in (steps, cyc))
    assert "Steps 4–9 of test cycle 2" in c_steps
    assert list(steps.data[1].x) == list(range(4, 10))


def test_before_the_network_is_trained_the_light_section_says_so_instead_of_training(fake, monkeypatch):
    monkeypatch.setattr(unroll, "ready", lambda width=unroll.WIDTH: False)
    monkeypatch.setattr(unroll, "thermal_unrolled", lambda width=unroll.WIDTH: pytest.fail("trained in a light call"))
    out = recurrent_unroll.UNROLL_SECTION.view(recurrent_unroll.SPEC.defaults())
    assert out[-1] == unroll.NOT_READY and out[1] == unroll.NOT_READY


def test_moving_a_slider_changes_the_window(fake):
    a = recurrent_unroll.UNROLL_SECTION.view({"unroll_cycle": 1, "unroll_start": 0, "unroll_steps": 3})
    b = recurrent_unroll.UNROLL_SECTION.view({"unroll_cycle": 3, "unroll_start": 0, "unroll_steps": 3})
    assert a[0].data[1].z != b[0].data[1].z


@pytest.mark.parametrize(("values", "fragment"), [
    ({"unroll_steps": 51}, "unroll_steps must be between 1 and 50"),
    ({"unroll_steps": 0}, "unroll_steps must be between 1 and 50"),
    ({"unroll_cycle": "two"}, "unroll_cycle must be"),
    ({"unroll_start": -1}, "unroll_start must be between 0 and 179"),
])
def test_bad_values_become_sentences(fake, values, fragment):
    out = recurrent_unroll.UNROLL_SECTION.view({**recurrent_unroll.SPEC.defaults(), **values})
    assert fragment in out[-1] and fragment in out[1] and len(out) == len(recurrent_unroll.UNROLL_SECTION.outputs())


def test_the_callback_follows_a_dragged_slider(fake):
    # inputs in order: (drag_value, value) for unroll_cycle, unroll_start, unroll_steps; then unroll_ready
    out = recurrent_unroll.update_unroll(None, 1, 12, 0, None, 4, 1)
    assert out[-1] == "" and list(out[0].data[1].x) == [12, 13, 14, 15]
    assert recurrent_unroll.update_unroll(None, 1, None, 0, None, 99, 1)[-1].startswith("unroll_steps must be")
