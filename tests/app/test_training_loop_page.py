"""/training-loop callbacks called as plain functions."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import training_loop
from tests.app import tree


def test_layout_has_every_control_and_output():
    ids = tree.ids(training_loop.layout(training_loop.SPEC.defaults(), []))
    for name in training_loop.SPEC.fields:
        assert f"training-loop-{name}" in ids
    for name, _ in training_loop.BUTTONS:
        assert f"training-loop-{name}" in ids
    for graph in ("step", "history"):
        assert isinstance(ids[f"training-loop-{graph}"], dcc.Graph) and f"training-loop-{graph}-summary" in ids


def _loop(batch_size, optimizer, lr, seed, tick) -> dict:
    return dict(batch_size=batch_size, optimizer=optimizer, lr=lr, seed=seed, tick=tick)


def test_view_walks_the_steps():
    out = training_loop.LOOP_SECTION.view(_loop(32, "adam", 0.01, 0, 1))
    step, step_text, where, cards, code, weights, hist, hist_text, alert = out
    assert alert == "" and isinstance(step, go.Figure) and isinstance(hist, go.Figure)
    assert where.endswith("step 2 of 6: Loss") and "The batch loss is" in step_text
    code_text = tree.text(code)
    assert "◀ here" in code_text and "loss = F.cross_entropy(logits, y)" in code_text.split("◀")[0].splitlines()[-1]
    assert "not yet" in tree.text(cards)
    out4 = training_loop.LOOP_SECTION.view(_loop(32, "adam", 0.01, 0, 3))
    assert "moved the tensors" in out4[1] and "+" in tree.text(out4[5])
    assert training_loop.LOOP_SECTION.answer(_loop(32, "adam", -2, 0, 3))[1] == out4[1]  # the lr slider sits at log10


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
    out = training_loop.LOOP_SECTION.view(_loop(*args))
    assert fragment in out[-1] and fragment in out[1]


def test_the_callback_owns_the_counter():
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    def press(prop_id: str):
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": 1}]))

    press("training-loop-next.n_clicks")
    out = training_loop.update_loop(1, 0, 0, 0, 32, "adam", -2, 0, 4)
    assert out[0] == 5 and out[3].endswith("step 1 of 6: Forward pass") and "batch 2 of 34" in out[3]
    press("training-loop-batch_size.value")  # a new setting: a new run, at once, with no stale counter
    out = training_loop.update_loop(1, 0, 0, 0, 128, "adam", -2, 0, 1000)
    assert out[0] == 0 and out[-1] == "" and "batch 1 of 9" in out[3]


def test_buttons_and_settings_move_the_counter():
    assert training_loop.move("next", 4, 32) == 5
    assert training_loop.move("batch", 6, 32) == 10
    assert training_loop.move("restart", 40, 32) == 0
    assert training_loop.move("lr", 40, 32) == 0  # a changed setting starts a new run
    assert training_loop.move("next", "junk", 32) == 0
