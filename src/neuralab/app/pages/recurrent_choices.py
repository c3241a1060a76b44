"""/recurrent, training choices: truncated BPTT, where the loss looks, bidirectional, teacher forcing."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Alert, Chart, Section
from neuralab.params import ParamSpec
from neuralab.plots import recurrent_choices as figures
from neuralab.train import choices

P = prefix("neuralab.app.pages.recurrent")
SPEC = ParamSpec.merge("recurrent-choices", choices.CHOICES)
TAU_W, TAU_S = choices.tau_steps(10)


def _modes(dt_s: int = 10) -> tuple[float, float]:
    """The time constants of the coupled two-node thermal model (its linear part), in steps of ``dt_s``."""
    from neuralab.data.sequences import C_S, C_W, R_SC, R_WS
    a = np.array([[-1 / (C_W * R_WS), 1 / (C_W * R_WS)],
                  [1 / (C_S * R_WS), -(1 / R_WS + 1 / R_SC) / C_S]])
    fast, slow = sorted(-1 / np.linalg.eigvals(a).real)
    return fast / dt_s, slow / dt_s


MODES = _modes(10)


class Compared(NamedTuple):
    targets: choices.Targets
    bidirectional: choices.Bidirectional
    teacher: choices.Teacher


def run_tbptt(values: dict, progress) -> choices.TbpttSweep:
    return choices.tbptt_sweep(values["choices_cell"], values["choices_epochs"], values["choices_seed"],
                               progress=progress)


def run_compare(values: dict, progress) -> Compared:
    args = values["choices_cell"], values["choices_epochs"], values["choices_seed"]
    out = []
    for i, fn in enumerate((choices.target_compare, choices.bidirectional_compare, choices.teacher_compare)):
        out.append(fn(*args, progress=lambda d, t, i=i: progress(i * t + d, 3 * t)))
    return Compared(*out)


def layout(values: dict) -> list[html.Section]:
    return [_tbptt(values), _targets(), _bidirectional(), _teacher()]


def _tbptt(values: dict) -> html.Section:
    return ui.section(
        "Training choices: how far back the gradient goes",
        [
            ui.md(
        "Every network in this part is trained here on the 22 training cycles of the winding-temperature "
                "task, with Adam, batches of 8 cycles and the epochs set below; the same controls drive all four "
                "comparisons. Each training is kept on disk, so a setting seen once comes back at once.\n\n"
                "Backpropagation through a whole 30-minute cycle unrolls 180 steps. Truncated BPTT cuts the cycle "
                "into chunks of k steps: the hidden state still flows from one chunk into the next, but the "
                "gradient stops at the chunk's start (the state is detached), and the weights are updated after "
                "every chunk. Each update is cheaper and there are more of them, but no gradient ever links an "
                "error to an input k or more steps earlier, so whatever the network must learn about slower "
                "effects it has to learn without that signal.\n\n"
                f"The thermal model sets the scales: the winding follows its losses with a time constant "
                f"C_W·R_WS of {TAU_W:g} steps, the stator iron with C_S·R_SC = {TAU_S:g} steps (a step is 10 s). "
                f"These are the two products of the model's constants; the coupled two-node model's own modes, "
                f"which the reference entry quotes, are a little apart from them (about {MODES[0]:.1f} and "
                f"{MODES[1]:.0f} steps) but "
                "on the same scales. The chart marks both products beside the test error for each k. Compare the "
                "captions' update counts too: "
                "every k gets the same epochs, so the same cell steps forwards and backwards, but a shorter chunk "
                "splits them into more, smaller updates (and more Python overhead: the caption gives the time)."
            ),
            ui.row(controls(P, SPEC, values, list(SPEC.fields))),
            alert(cid(P, "choices-tbptt-alert")),
            ui.chart(cid(P, "choices-tbptt"), "Test error against the truncation length", heavy=True),
            ui.chart(cid(P, "choices-tbptt-curves"), "Validation error during training, per chunk length"),
        ],
    )


def _targets() -> html.Section:
    return ui.section(
        "Sequence-to-one or sequence-to-sequence",
        [
            ui.md(
        "If only the temperature at the end of a cycle mattered, the loss could look at the last step "
                "only. The same network (same initial weights, batches and number of updates) is trained both "
                "ways here. With the loss on the last step, each cycle gives one target per update; with the "
                "loss on every step it gives 180, so the gradient carries far more information per update, "
                "and the network learns an estimate that is valid at every step, not only at the end. Both are "
                "scored on what the first one was trained for: the error at the last step."
            ),
            alert(cid(P, "choices-alert")),
            ui.chart(cid(P, "choices-targets"), "Error at the last step of the validation cycles, per epoch",
                     heavy=True),
            ui.chart(cid(P, "choices-targets-steps"), "Error at every step of the test cycles"),
        ],
    )


def _bidirectional() -> html.Section:
    return ui.section(
        "Bidirectional: an estimate that reads the future",
        [
            ui.md(
        "A bidirectional layer runs a second recurrent pass from the end of the sequence back to its "
                "start and concatenates both hidden states at every step. Its estimate at step t therefore uses "
                "the samples after t, which is why it can be more accurate offline, on a finished log (the "
                "caption says whether it is here). The chart below measures that "
                "dependence: it keeps every input up to t, replaces those after t by another test cycle's, "
                "and records how far the estimate at t moves. For a causal "
                "network it cannot move at all.\n\n"
                "On a drive, the samples after t have not been measured yet when the estimate at t is needed. "
                "A bidirectional network can only be run live by recomputing the backward pass on the samples "
                "received so far, every step (O(t) work per sample instead of one cell update), and then its "
                "backward direction sees a sequence that ends now, unlike any it was trained on. The caption "
                "gives the error it makes that way."
            ),
            alert(cid(P, "choices-bidirectional-alert")),
            ui.chart(cid(P, "choices-bidirectional"), "How much the estimate at t depends on the samples after t"),
        ],
    )


def _teacher() -> html.Section:
    return ui.section(
        "Teacher forcing and exposure bias",
        [
            ui.md(
        "A different task: estimate the winding temperature at each step from that step's inputs and "
                "the temperature one step (10 s) earlier; before the first step that earlier temperature is the "
                "coolant's, since each cycle starts cold. Trained "
                "with teacher forcing, the network is always given the true previous temperature, and the whole "
                "cycle goes through the recurrent layer in one call. In use there is no true temperature to "
                "give it: it must be "
                "fed its own previous prediction (free running), a kind of input it never saw in training, and "
                "its errors feed back into its inputs. The alternative trains free running from the start, "
                "backpropagating through its own fed-back predictions: one time step after another, slower, "
                "but trained on the inputs it will meet. Both use gradient clipping at norm 1."
            ),
            alert(cid(P, "choices-teacher-alert")),
            ui.chart(cid(P, "choices-teacher"), "Error along the test cycles: teacher forcing against free running"),
        ],
    )


TBPTT_SECTION = Section(
    P, "choices-tbptt", choices.CHOICES, run_tbptt,
    [Chart("choices-tbptt", figures.tbptt_figure, figures.describe_tbptt),
     Chart("choices-tbptt-curves", figures.tbptt_curves_figure, figures.describe_tbptt_curves)],
    fix="Fix the value above to run the truncation sweep.", job=True)
COMPARE_SECTION = Section(
    P, "choices", choices.CHOICES, run_compare,
    [Chart("choices-targets", lambda c: figures.targets_figure(c.targets),
           lambda c: figures.describe_targets(c.targets)),
     Chart("choices-targets-steps", lambda c: figures.targets_steps_figure(c.targets),
           lambda c: figures.describe_targets_steps(c.targets)),
     Chart("choices-bidirectional", lambda c: figures.bidirectional_figure(c.bidirectional),
           lambda c: figures.describe_bidirectional(c.bidirectional)),
     Chart("choices-teacher", lambda c: figures.teacher_figure(c.teacher),
           lambda c: figures.describe_teacher(c.teacher)),
     Alert("choices-bidirectional-alert"), Alert("choices-teacher-alert")],
    fix="Fix the value above to train these networks.", job=True)
SECTIONS = (TBPTT_SECTION, COMPARE_SECTION)
update_tbptt = TBPTT_SECTION.register()
update_compare = COMPARE_SECTION.register()
