"""/derivatives sections as plain functions: figures and measured numbers for good input, sentences for bad."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import derivatives as page
from neuralab.app.selfcheck import Value
from neuralab.plots.format import num
from neuralab.signal import derivative
from neuralab.signal.derivative import RPM
from tests.app import tree


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


DEFAULTS = page.SPEC.defaults()


def test_layout_has_every_chart_and_the_drag_sliders():
    ids = tree.ids(page.layout(DEFAULTS, []))
    for graph in ("speed", "gain", "tradeoff"):
        assert isinstance(ids[f"derivatives-{graph}"], dcc.Graph) and f"derivatives-{graph}-summary" in ids
    assert ids["derivatives-window"].updatemode == "drag" and ids["derivatives-process_noise"].updatemode == "drag"
    assert ids["derivatives-bits"].updatemode == "mouseup"  # a new resolution sweeps the trade-off again
    assert "q² / 12" in tree.text(page.layout(DEFAULTS, []))


def test_compare_section_draws_the_library_numbers():
    fig, text, table, gain_fig, gain_text, alert = page.COMPARE.view(DEFAULTS)
    c = derivative.compare()
    assert alert == "" and isinstance(fig, go.Figure) and isinstance(gain_fig, go.Figure)
    names = [t.name for t in fig.data]
    assert names == [e.name for e in c.estimates] + ["True speed"]
    np.testing.assert_allclose(np.asarray(fig.data[2].y), c.estimates[2].speed * RPM)
    fd, sg, kf = c.estimates
    assert f"finite difference has {num(fd.metrics.noise * RPM)} rpm RMS of noise" in text
    assert f"arrives {num(sg.metrics.lag_s * 1000)} ms late" in text
    cells = tree.text(table)
    for e in c.estimates:
        assert e.name in cells and num(e.metrics.rms * RPM) in cells and num(e.metrics.noise * RPM) in cells
    a, b = derivative.alpha_beta(c.process_noise, np.sqrt(c.r), c.profile.dt)
    assert f"α = {a:.4g}" in gain_text and f"β = {b:.4g}" in gain_text
    assert f"after {c.settled:,} samples" in gain_text


def test_moving_the_window_moves_the_sg_lag_and_the_ring():
    short = page.COMPARE.view({**DEFAULTS, "window": 11})[1]
    long = page.COMPARE.view({**DEFAULTS, "window": 61})[1]
    assert "arrives 5 ms late" in short and "arrives 30 ms late" in long
    ring_short = page.TRADEOFF.view({**DEFAULTS, "window": 11})[0].data[3]
    ring_long = page.TRADEOFF.view({**DEFAULTS, "window": 61})[0].data[3]
    assert ring_short.x[0] == pytest.approx(5.0, abs=0.5) and ring_long.x[0] == pytest.approx(30.0, abs=0.5)


def test_constant_acceleration_shows_three_gains_and_no_closed_form():
    _, _, _, gain_fig, gain_text, alert = page.COMPARE.view({**DEFAULTS, "model": "ca", "process_noise": 1e4})
    assert alert == "" and len(gain_fig.data) == 3 and "γ =" in gain_text and "Kalata" not in gain_text


def test_tradeoff_section_curves_are_the_sweep():
    fig, text, alert = page.TRADEOFF.view(DEFAULTS)
    tr = derivative.tradeoff()
    assert alert == ""
    np.testing.assert_allclose(fig.data[0].x, [m.lag_s * 1000 for m in tr.savgol])
    np.testing.assert_allclose(fig.data[1].x, [m.lag_s * 1000 for m in tr.kalman])
    best = min(range(len(tr.windows)), key=lambda i: tr.savgol[i].noise)
    assert f"window here, {tr.windows[best]} samples" in text
    assert "gets noisier again" in text or "get noisier again" in text


@pytest.mark.parametrize(("values", "sentence"), [
    ({"bits": 13}, "bits must be between 6 and 12"),
    ({"window": 8}, "window must be 5 plus a multiple of 2"),
    ({"process_noise": 1e9}, "process_noise must be between 1 and 1e+06"),
    ({"model": "magic"}, "model must be one of cv, ca"),
    ({"seed": -1}, "seed"),
])
def test_a_bad_value_is_a_sentence_naming_it_in_every_section(values, sentence):
    for section in page.SECTIONS:
        out = section.view({**DEFAULTS, **values})
        assert sentence in out[1] and sentence in out[-1]


def test_the_url_round_trips():
    values = {**DEFAULTS, "bits": 8, "window": 41, "process_noise": 100.0, "model": "ca"}
    parsed, messages = page.SPEC.parse_query(page.SPEC.to_query(values))
    assert messages == [] and parsed == values
    _, messages = page.SPEC.parse_query("bits=6.5&window=31")
    assert any("bits" in m for m in messages)


def test_the_self_check_answers_are_the_pages_numbers():
    values = {q.key: q.answer() for q in page.QUESTIONS if isinstance(q, Value)}
    assert values["count"] == pytest.approx(58.6)
    assert values["sglag"] == 20
