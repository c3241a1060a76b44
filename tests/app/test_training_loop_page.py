"""/training-loop callbacks called as plain functions."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import training_loop as page
from tests.app.tree import ids as _ids
from tests.app.tree import text as _text


def test_layout_has_every_control_and_output():
    ids = _ids(page.layout(page.SPEC.defaults(), []))
    for name in page.SPEC.fields:
        assert f"loop-{name}" in ids
    for name, _ in page.BUTTONS:
        assert f"loop-{name}" in ids
    for graph in ("step", "history"):
        assert isinstance(ids[f"loop-{graph}"], dcc.Graph) and f"loop-{graph}-summary" in ids


def _loop(batch_size, optimizer, lr, seed, tick) -> dict:
    return dict(batch_size=batch_size, optimizer=optimizer, lr=lr, seed=seed, tick=tick)


def test_view_walks_the_steps():
    out = page.LOOP_SECTION.view(_loop(32, "adam", 0.01, 0, 1))
    step, step_text, where, cards, code, weights, hist, hist_text, alert = out
    assert alert == "" and isinstance(step, go.Figure) and isinstance(hist, go.Figure)
    assert where.endswith("step 2 of 6: Loss") and "The batch loss is" in step_text
    assert "◀ here" in _text(code) and "loss = F.cross_entropy(logits, y)" in _text(code).split("◀")[0].splitlines()[-1]
    assert "not yet" in _text(cards)
    out4 = page.LOOP_SECTION.view(_loop(32, "adam", 0.01, 0, 3))
    assert "moved the tensors" in out4[1] and "+" in _text(out4[5])
    assert page.LOOP_SECTION.answer(_loop(32, "adam", -2, 0, 3))[1] == out4[1]  # the lr slider sits at log10


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((24, "adam", 0.01, 0, 0), "batch_size must be 16 plus a multiple of 16"),
        ((32, "lion", 0.01, 0, 0), "optimizer must be one of"),
        ((32, "adam", 1000, 0, 0), "lr must be between"),
        ((128, "adam", 0.01, 0, 1000), "tick must be below"),
        ((32, "adam", 0.01, "x; DROP", 0), "seed must be a whole number"),
    ],
)
def test_bad_values_become_a_sentence(args, fragment):
    out = page.LOOP_SECTION.view(_loop(*args))
    assert fragment in out[-1] and fragment in out[1]


def test_the_callback_owns_the_counter():
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    def press(prop_id: str):
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": 1}]))

    press("loop-next.n_clicks")
    out = page.update_loop(1, 0, 0, 0, 32, "adam", -2, 0, 4)
    assert out[0] == 5 and out[3].endswith("step 1 of 6: Forward pass") and "batch 2 of 34" in out[3]
    press("loop-batch_size.value")  # a new setting: a new run, at once, with no stale counter
    out = page.update_loop(1, 0, 0, 0, 128, "adam", -2, 0, 1000)
    assert out[0] == 0 and out[-1] == "" and "batch 1 of 9" in out[3]


def test_buttons_and_settings_move_the_counter():
    assert page.move("next", 4, 32) == 5
    assert page.move("batch", 6, 32) == 10
    assert page.move("restart", 40, 32) == 0
    assert page.move("lr", 40, 32) == 0  # a changed setting starts a new run
    assert page.move("next", "junk", 32) == 0
