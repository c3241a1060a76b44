"""/recurrent, part 1: a small trained vanilla RNN, rolled (its three matrices) and unrolled with real values."""

from __future__ import annotations

import inspect

from dash import dcc, html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.data.sequences import C_S, R_SC
from neuralab.nn import rnn_teaching
from neuralab.params import Int, ParamError, ParamSpec
from neuralab.plots import recurrent_unroll as figures
from neuralab.train import unroll
from neuralab.train.unroll import UNROLL, Window

P = prefix("neuralab.app.pages.recurrent")
SPEC = UNROLL
# The job below trains the network once and then bumps this hidden input, which is an input of the light
# section: on a cold machine the light section says the network is training instead of training it itself.
READY = ParamSpec("unroll-ready", unroll_ready=Int(0, 1, 0, label="Network trained"))
NET_SPEC = ParamSpec("unroll-net", unroll_cycle=UNROLL.fields["unroll_cycle"])


def run(values: dict, _progress) -> Window:
    if not unroll.ready():
        raise ParamError([unroll.NOT_READY])
    return unroll.window(values["unroll_cycle"], values["unroll_start"], values["unroll_steps"])


def run_net(values: dict, progress) -> Window:
    return unroll.window(values["unroll_cycle"], UNROLL.fields["unroll_start"].default, 1,
                         unroll.train(progress=progress))


def _check_table(w: Window) -> html.Table:
    return table(list(figures.CHECK_HEADER), figures.check_rows(w.data))


def layout(values: dict) -> list[html.Section]:
    return [ui.section(
        "Rolled and unrolled, with real values",
        [
            ui.md(
                "A vanilla recurrent network keeps a vector h of hidden values. At each step it reads the new "
                "input `x_t`, mixes it with the previous state and squashes the sum:\n\n"
                "`h_t = tanh(W_xh x_t + b_xh + W_hh h_(t−1) + b_hh)`  \n`ŷ_t = W_hy h_t + b_y`\n\n"
                "The network below is a real one: torch's `nn.RNN` with "
                f"{unroll.WIDTH} hidden units and a linear read-out, trained on the training drive cycles to "
                "estimate the winding temperature from three logged inputs (current amplitude, speed, coolant "
                "temperature), one sample every 10 s. Drawn rolled, it is one cell and a loop; all it has learned "
                "is in the three matrices on the right, printed with their trained values, and three bias "
                "vectors. Drawn "
                "unrolled, the loop is cut open into a chain of T copies of the cell, one per step, and the "
                "chain is as deep as the sequence is long. The copies are not new weights: every step multiplies "
                "by the same `W_xh`, `W_hh` and `W_hy`, which is why the parameter count does not grow with the "
                "length of the sequence. Pick a test cycle (never seen in training), a first step and T; "
                "the columns show what the network really read, what it held and what it answered."
            ),
            ui.row(controls(P, SPEC, values, ["unroll_cycle", "unroll_start", "unroll_steps"])),
            dcc.Input(id=cid(P, "unroll_ready"), type="hidden", value=0),
            alert(cid(P, "unroll-net-alert")),
            ui.chart(cid(P, "unroll-rolled"), "Rolled: the cell, its loop, and its three weight matrices",
                     heavy=True),
            alert(cid(P, "unroll-alert")),
            ui.chart(cid(P, "unroll-steps"), "Unrolled over T steps: inputs, hidden state, estimate"),
            ui.chart(cid(P, "unroll-cycle"), "The whole test cycle, with the window"),
            ui.md(
                "How to read it. Each column of the middle block is the state after one step: one number per "
                "hidden unit, blue for positive, orange for negative, grey near zero. Only the state crosses from "
                "one column to the next, so everything the network knows about the last minutes of current and "
                "speed must fit in these few numbers. The winding sits on the stator iron, whose heat capacity "
                "times its thermal resistance to the coolant is "
                f"{C_S * R_SC / 60:.0f} min in the lab's thermal model: the temperature now still carries the "
                "load of many minutes ago, which the present sample does not show. Only the carried state can "
                "hold it.\n\n"
                "Training unrolls the same way. Backpropagation through time runs the chain backwards: the "
                "error at step t reaches the state k steps earlier through k factors `diag(1 − h²)·W_hh`, one per "
                "step, and each weight's gradient is the sum of its contributions from every step, since there "
                "is only one copy of it. The module `neuralab.nn.rnn_teaching` writes the forward pass and "
                "this backward pass out in numpy; the table compares them with torch on this very network."
            ),
            html.Div(id=cid(P, "unroll-check"), className="nl-prose"),
            html.Details([html.Summary("The code being checked (neuralab.nn.rnn_teaching.bptt)"),
                          ui.code(inspect.getsource(rnn_teaching.bptt))]),
        ],
    )]


NET_SECTION = Section(
    P, "unroll-net", NET_SPEC, run_net,
    [Chart("unroll-rolled", lambda w: figures.rolled_figure(w.data), lambda w: figures.describe_rolled(w.data)),
     Text("unroll-check", lambda w: [html.P(figures.describe_check(w.data)), _check_table(w)]),
     Text("unroll_ready", lambda w: 1, prop="value", blank=0)],
    fix="Fix the value above to see the trained network.", job=True)
UNROLL_SECTION = Section(
    P, "unroll", ParamSpec.merge("unroll-light", UNROLL, READY), run,
    [Chart("unroll-steps", figures.unrolled_figure, figures.describe_unrolled),
     Chart("unroll-cycle", figures.cycle_figure, figures.describe_cycle)],
    fix="The unrolled network appears here once the values above are valid and the network is trained.",
    drag=("unroll_cycle", "unroll_start", "unroll_steps"))
SECTIONS = (NET_SECTION, UNROLL_SECTION)
update_net = NET_SECTION.register()
update_unroll = UNROLL_SECTION.register()
