"""/recurrent, the memory part: the adding problem at any T, the sweep over T, and gradients through time."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.params import ParamSpec
from neuralab.plots import recurrent_memory as figures
from neuralab.train import memory
from neuralab.train.memory import (
    BUDGET,
    CHANCE_MSE,
    CLIP,
    CLIP_LENGTH,
    CLIP_LR,
    GRADIENTS,
    MEMORY,
    N_TRAIN,
    SWEEP,
    THRESHOLD,
)

P = prefix("neuralab.app.pages.recurrent")
SPEC = ParamSpec.merge("recurrent-memory-part", MEMORY, GRADIENTS, CLIP)
SWEEP_SPEC = ParamSpec("memory-sweep", memory_seed=MEMORY.fields["memory_seed"])


def layout(values: dict) -> list[html.Section]:
    return [_task(values), _gradients(values)]


def _task(values: dict) -> html.Section:
    return ui.section(
        "How far back can it remember? The adding problem",
        [
            ui.md(
                "The winding temperature needs a memory of many minutes, but how far back a network can learn "
                "is clearer on a task built for the question. In the adding problem (here in its common "
                "simplified form, after Hochreiter and Schmidhuber, 1997) each sequence is T steps of random "
                "numbers between 0 and 1, with a second "
                "input that marks two of them: one in the first half of the sequence and one in the second. The "
                "answer, read at the last step, is the sum of the two marked numbers. Everything between the "
                "marks is noise to be ignored, and the first mark lies at least T/2 steps before the last step, "
                "where the answer is read.\n\n"
                f"A network that learns nothing useful answers 1, the mean of the sum, and scores a mean "
                f"squared error of 1/6 = {CHANCE_MSE:.3f}. Here a network counts as having learned when its "
                f"test error is below half of that, {THRESHOLD:.3f}; one that has found the rule sits far below. "
                f"Each cell has 16 units and the same budget at every T: {N_TRAIN} training sequences, "
                f"{BUDGET.epochs} epochs of Adam (learning rate {BUDGET.lr:g}, batches of {BUDGET.batch}, "
                f"gradient norm clipped at {BUDGET.clip:g}), so {N_TRAIN // BUDGET.batch * BUDGET.epochs} "
                "updates. The limits found here belong to this budget: more sequences or more updates move them."
            ),
            ui.row(controls(P, SPEC, values, ["memory_length", "memory_seed"])),
            alert(cid(P, "memory-alert")),
            ui.chart(cid(P, "memory-curves"), "Validation error while training, at this T", heavy=True),
            ui.chart(cid(P, "memory-grad"), "Where the trained networks' gradient reaches"),
            ui.md(
                "The second chart explains the first. It takes the trained network, computes the loss of its "
                "answer, and backpropagates it step by step to every earlier hidden state (autograd through "
                "torch's own cells, sharing the trained weights). Where the first marker lies, the gradient "
                "must still be large, or the loss has no way to tell the network which number to keep."
            ),
            alert(cid(P, "memory-sweep-alert")),
            ui.chart(cid(P, "memory-sweep"), "Test error against T: where each cell stops learning", heavy=True),
            ui.md(
                f"The sweep trains all three cells at T = {', '.join(map(str, SWEEP))} with the budget above "
                "(each training is kept, so the chart above reuses it for these lengths). "
                "`benchmarks/recurrent_memory.py` repeats it over several seeds and prints the median of the "
                "largest T each cell learns."
            ),
        ],
    )


def _gradients(values: dict) -> html.Section:
    return ui.section(
        "Vanishing and exploding gradients, measured",
        [
            ui.md(
                "Backpropagation through time multiplies the gradient, once per step back, by that step's "
                "Jacobian. For the vanilla RNN it is `diag(1 − h_t²) · W_hh`: the tanh slopes, all between 0 "
                "and 1, times the same recurrent matrix every time. The gradient k steps back is therefore at "
                "most σ_max^k times the gradient at the last step, σ_max being the largest singular value of "
                "`W_hh`, so with σ_max below 1 it must shrink geometrically. The spectral radius ρ "
                "(the largest |eigenvalue|) describes the matrix alone over many steps: below 1 the linear part "
                "dies away, above 1 it can grow, and saturated tanh units (slopes near 0) cut the growth back.\n\n"
                "The chart measures it on fresh networks fed adding-problem inputs, with the loss at the last "
                "step. The slider rescales the vanilla RNN's `W_hh` to the spectral radius you choose; the "
                "dotted lines are ρ^k and σ_max^k from the RNN's last step. The LSTM and GRU keep torch's "
                "default initialisation, and the slider does not touch them. A fresh gated cell is not protected "
                "from vanishing: its gates start near one half, and the caption gives the factor by which its "
                "gradient shrinks per step. What the gates offer is a path that training can open, as the "
                "trained networks above show."
            ),
            ui.row(controls(P, SPEC, values, ["memory_radius"])),
            alert(cid(P, "gradients-alert")),
            ui.chart(cid(P, "gradients"), "‖∂L/∂h‖ at each step back: three fresh cells"),
            ui.md(
                "Gradient clipping is the standard guard against the growing case. It measures the norm of the "
                "whole gradient (all weights together) before each update and, if it is larger than a chosen "
                "level, scales it down to that level, keeping its direction (`torch.nn.utils.clip_grad_norm_`). "
                "Below, the same vanilla RNN with the spectral radius set above is trained twice on the adding "
                f"problem (T = {CLIP_LENGTH}) by plain SGD at learning rate {CLIP_LR:g}, so the size of the "
                "gradient is the size of the step. Without clipping, one large gradient can throw the weights "
                "far away and the loss blows up; the trainer then stops the run and the caption says at which "
                "update. Clipped, every step is at most the learning rate times the clip level. Clipping does "
                "not help the vanishing case: it can only shrink a gradient."
            ),
            ui.row(controls(P, SPEC, values, ["memory_clip"])),
            alert(cid(P, "clipping-alert")),
            ui.chart(cid(P, "clipping"), "Gradient norm and validation error, without and with clipping",
                     heavy=True),
        ],
    )


MEMORY_SECTION = Section(
    P, "memory", MEMORY, lambda v, progress: memory.at_length(v["memory_length"], v["memory_seed"],
                                                              progress=progress),
    [Chart("memory-curves", figures.curves_figure, figures.describe_curves),
     Chart("memory-grad", figures.trained_gradients_figure, figures.describe_trained_gradients)],
    fix="Fix the value above to train the three cells.", job=True)
SWEEP_SECTION = Section(
    P, "memory-sweep", SWEEP_SPEC, lambda v, progress: memory.sweep(v["memory_seed"], progress=progress),
    [Chart("memory-sweep", figures.sweep_figure, figures.describe_sweep)],
    fix="Fix the seed above to run the sweep.", job=True)
GRADIENTS_SECTION = Section(
    P, "gradients", GRADIENTS, lambda v, _p: memory.gradient_profiles(v["memory_radius"]),
    [Chart("gradients", figures.profiles_figure, figures.describe_profiles)],
    fix="Fix the value above to measure the gradients.")
CLIPPING_SECTION = Section(
    P, "clipping", CLIP, lambda v, progress: memory.clipping(v["memory_radius"], v["memory_clip"],
                                                             progress=progress),
    [Chart("clipping", figures.clip_figure, figures.describe_clip)],
    fix="Fix the value above to train the two runs.", job=True)
SECTIONS = (MEMORY_SECTION, SWEEP_SECTION, GRADIENTS_SECTION, CLIPPING_SECTION)
update_memory = MEMORY_SECTION.register()
update_sweep = SWEEP_SECTION.register()
update_gradients = GRADIENTS_SECTION.register()
update_clipping = CLIPPING_SECTION.register()
