"""/fundamentals, debugging: the symptom table (each row linked to a live reproduction) and the overfit test."""

from __future__ import annotations

from typing import NamedTuple

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, table
from neuralab.app.selfcheck import Pick, Value
from neuralab.basics import debug
from neuralab.params import ParamSpec
from neuralab.plots import fundamentals_debug as figures

P = prefix("neuralab.app.pages.fundamentals")
SPEC = ParamSpec.merge("fundamentals-debug", debug.OVERFIT)

TABLE_TITLE = "Debugging checklist: symptom, likely cause, first check"
OVERFIT_TITLE = "The tiny-batch overfit test"
INIT_DEPTH = "/fundamentals#s-initialization-the-spread-of-activations-and-gradients-with-depth"


class Symptom(NamedTuple):
    symptom: str
    causes: str
    check: str
    links: tuple[tuple[str, str], ...]  # (what the link shows, href with its query and #s- anchor)


def _here(query: str) -> str:
    return f"/fundamentals?{query}#{ui.anchor(OVERFIT_TITLE)}"


#: The table, row by row. Links to /fundamentals#s-… name sections of this page (some built by other parts).
SYMPTOMS: tuple[Symptom, ...] = (
    Symptom(
        "Loss becomes NaN or shoots up",
        "Step size too large; an overflow in exp or log; unscaled inputs; gradients that explode through depth "
        "or time.",
        "Log the gradient norm at every step and find the first step where it jumps; then the learning rate, "
        "the input ranges and the largest logits.",
        (("Plain SGD thrown off a ravine wall at η = 0.12", "/gradient-descent?surface=ravine&lr=0.12"
          "#s-drop-a-ball-on-a-surface-and-let-the-optimizers-roll"),
         ("The range test runs the rate up until the loss blows up",
          "/learning-rate#s-finding-a-starting-lr-the-range-test"),
         ("Overfit test, SGD with the rate ×100", _here("debug_bug=lr")),
         ("Raw inputs under SGD", _here("debug_task=motor&debug_bug=raw")),
         ("Overflow in softmax and float16", "/fundamentals#s-numerics-softmax-overflow-and-the-max-shift"),
         ("Exploding gradients in a recurrent net", "/recurrent?memory_radius=3"
          "#s-vanishing-and-exploding-gradients-measured")),
    ),
    Symptom(
        "Loss flat, or barely falling",
        "Step size far too small; output layer and loss that do not match; labels not aligned with the inputs; "
        "weights that start equal; a bug in the update loop.",
        "The tiny-batch overfit test; then the labels next to their inputs, and the gradient norm of each layer.",
        (("Memorize one batch with the rate 1000× too small", "/fitting?bug=lr"
          "#s-before-a-long-run-can-the-network-memorize-one-batch"),
         ("Overfit test, labels paired anew each step", _here("debug_bug=shuffle")),
         ("Overfit test, all weights zero", _here("debug_bug=zero_init")),
         ("Softmax fed to the cross-entropy", "/fitting?bug=softmax"
          "#s-before-a-long-run-can-the-network-memorize-one-batch"),
         ("Which output layer goes with which loss", "/fundamentals#s-output-layer-and-loss-pairing"),
         ("Zero and badly scaled initial weights", INIT_DEPTH)),
    ),
    Symptom(
        "Loss oscillates or zig-zags",
        "Step size close to the stability limit; very small batches; momentum too high for the curvature.",
        "Lower the learning rate by a factor of 3 to 10, or add a decaying schedule; look at the batch size.",
        (("SGD zig-zags across a ravine at η = 0.09", "/gradient-descent?surface=ravine&lr=0.09"
          "#s-drop-a-ball-on-a-surface-and-let-the-optimizers-roll"),
         ("How noisy a step of two samples is", "/gradient-descent?bs_size=2#s-batch-size-how-noisy-is-each-step"),
         ("Overfit test, regression with Adam at ×100",
          _here("debug_task=motor&debug_optimizer=adam&debug_lr=0.01&debug_bug=lr")),
         ("Schedules that shrink the step", "/learning-rate#s-nine-schedules-on-a-real-run")),
    ),
    Symptom(
        "Training good, validation bad",
        "Overfitting; a split that lets near-copies through, or preprocessing fitted on all the data; "
        "validation data from another regime.",
        "Plot both losses per epoch; check how the split was made and what the model sees at inference.",
        (("A degree-15 polynomial through 30 points", "/fitting?degree=15#s-one-sample-one-polynomial"),
         ("Learning curves", "/fitting#s-learning-curves-error-against-the-amount-of-data"),
         ("Early stopping on noisy labels", "/regularization?label_noise=40#s-early-stopping-with-patience"),
         ("Weight penalties", "/regularization#s-weight-penalties-l2-l1-and-elastic-net"),
         ("Leakage through feature selection, measured", "/splits#s-leakage-measured")),
    ),
    Symptom(
        "Validation better than training",
        "Dropout or other noise active while the training loss is logged, but not at validation; a training "
        "loss averaged over an epoch in which the model improved; an easier validation set, or a leak.",
        "Evaluate the training set in eval mode after the epoch, with the same code as validation.",
        (("Dropout: what is switched off at evaluation", "/regularization?p=0.5"
          "#s-dropout-a-different-thinned-network-at-every-update"),
         ("Batch norm in train and eval mode", "/fundamentals#s-batch-norm-s-train-mode-and-eval-mode"),
         ("Three sets, three jobs", "/splits#s-three-sets-three-jobs")),
    ),
    Symptom(
        "Accuracy stuck at the majority class (predicts one class)",
        "A rare class the loss can afford to ignore; a threshold in the wrong place; broken labels; an output "
        "that cannot move (equal weights, dead units).",
        "The confusion matrix and the class shares; then a histogram of the logits.",
        (("Accuracy against balanced accuracy on a rare class", "/fundamentals#s-class-imbalance-and-metrics"),
         ("Overfit test, all weights zero", _here("debug_bug=zero_init"))),
    ),
    Symptom(
        "Gradients vanish in the first layers",
        "Saturating activations; poorly scaled initial weights in a deep stack; long recurrences.",
        "Gradient norm per layer at the first step; the activation statistics layer by layer.",
        (("Where each activation's gradient fades", "/feedforward?act=sigmoid"
          "#s-activation-functions-and-where-their-gradient-fades"),
         ("Variance layer by layer for each initialization", INIT_DEPTH),
         ("Vanishing gradients through time", "/recurrent?memory_radius=0.5"
          "#s-vanishing-and-exploding-gradients-measured")),
    ),
    Symptom(
        "Shape error, or a loss that is wrong without an error",
        "A tensor in the wrong layout (batch and channels swapped); broadcasting between (N,) and (N, 1).",
        "Print every tensor's shape through one forward pass; assert the loss input shapes.",
        (("Shapes through a network", "/fundamentals#s-shapes-through-a-network"),),
    ),
    Symptom(
        "Training very slow",
        "A tiny learning rate; a slow input pipeline; hardware left idle.",
        "A learning-rate range test; then a profiler and the batches per second.",
        (("The range test", "/learning-rate#s-finding-a-starting-lr-the-range-test"),
         ("Batch size and the linear scaling rule", "/learning-rate#s-batch-size-and-the-linear-scaling-rule")),
    ),
    Symptom(
        "Good offline, poor in use",
        "Preprocessing at inference that differs from training; inputs outside the training range; drift; "
        "an offline metric that is not the one that matters.",
        "Compare feature by feature what training and the deployed code see; the live input distribution.",
        (("A scaler fitted on the wrong rows, and inputs past the training range",
          "/preprocessing#s-the-pipeline-in-order"),
         ("Batch norm left in training mode", "/fundamentals#s-batch-norm-s-train-mode-and-eval-mode"),
         ("Measure the deployed model, stage by stage", "/deploy#s-four-stages-measured")),
    ),
)


def _links(links: tuple[tuple[str, str], ...]) -> html.Ul:
    return html.Ul([html.Li(html.A(text, href=href)) for text, href in links])


def layout(values: dict) -> list[html.Section]:
    return [_checklist(), _overfit(values)]


def _spread() -> str:
    return " and ".join(f"{debug.scale_spread(t):.0f}" for t in debug.TASKS)


def _checklist() -> html.Section:
    return ui.section(
        TABLE_TITLE,
        [
            ui.md(
                "When a training goes wrong, the curve rarely says why, but a few symptoms come back again and "
                "again, each with a short list of usual causes. Work in this order: first make sure the model "
                "can memorize a handful of samples (the test below); if it cannot, the fault is in the "
                "set-up (the code, the loss, the labels, or a learning rate that is grossly wrong), and "
                "nothing about validation is worth looking at yet. If it can, ask whether "
                "validation fails (overfitting, leakage, a shifted regime); if validation is fine, whether "
                "the deployed model fails (inputs prepared differently, drift).\n\n"
                "Every link below opens a page of the lab set up to show that symptom, computed live."
            ),
            html.Div(table(("Symptom", "Likely causes", "Check first", "See it happen"),
                           [(s.symptom, s.causes, s.check, _links(s.links)) for s in SYMPTOMS]),
                     className="nl-prose nl-symptoms"),
        ],
    )


def _overfit(values: dict) -> html.Section:
    return ui.section(
        OVERFIT_TITLE,
        [
            ui.md(
                "Take a few samples, switch off every kind of regularization and train on those samples "
                "alone. A network with hundreds of weights has more than enough freedom to store "
                f"{debug.OVERFIT.fields['debug_samples'].default} pairs of distinct inputs and their targets, so "
                "the loss should go to about zero. If it does not, more data or a bigger model will not fix it: "
                "capacity is not the problem, since the task is far smaller than the model. Something in the "
                "set-up is wrong: the code between the data and the update, the loss, the labels, or a learning "
                "rate that is grossly off.\n\n"
                "Choose a network and a data set below and plant one of the usual mistakes. The training is "
                "real (PyTorch, full batch, fixed seed). **Pass** means: training loss below "
                f"{debug.PASS_LOSS:g} at the last step, and, for classification, every sample of the batch "
                "right. Regression targets are standardized, so the mean squared error is in units of the "
                f"target's variance ({debug.PASS_LOSS:g} is an RMS error of a tenth of a standard deviation); "
                "cross-entropy is in nats. The grey line is the loss of the best constant prediction: a run "
                "that stays on it has learned nothing about the inputs."
            ),
            ui.row(controls(P, SPEC, values, list(SPEC.fields))),
            alert(cid(P, "debug-alert")),
            ui.chart(cid(P, "debug-overfit"), "Training loss and gradient norm on the tiny batch", heavy=True),
            ui.md(
                "What each planted bug does here:\n\n"
                "* **Labels shuffled at every step**: inputs and labels are shuffled by two different "
                "generators (two data loaders, say), so each step pairs them differently. There is no mapping "
                "to learn and the loss sits on the constant-prediction line. A label permutation that is fixed "
                "once is another matter: a big enough network memorizes it, which is why passing this test "
                "shows that the training loop can fit, not that the labels are right "
                "([/fitting shows it](/fitting?bug=shuffled#s-before-a-long-run-can-the-network-memorize-one-batch)).\n"
                "* **Learning rate ×100**: plain SGD overflows within a few steps. Switch to Adam (at 0.01): it "
                "keeps each weight's step at roughly the learning rate or less, so it bounces instead of "
                "blowing up, and may still pass on an easy batch. Check the gradient norm, not only the verdict.\n"
                "* **`optimizer.zero_grad()` forgotten**: PyTorch adds each new gradient to the stored one, "
                "so every update uses the sum of all gradients so far, a runaway momentum. Watch the gradient "
                "norm grow. Adam's normalization can hide it on the classification task; SGD cannot.\n"
                "* **All weights zero**: every hidden unit computes the same thing and, with an activation "
                "that is 0 at 0 (ReLU, tanh, GELU), outputs 0, so no gradient reaches the hidden weights. "
                "Only the output biases learn: the constant prediction, the majority-class accuracy.\n"
                "* **Inputs not normalized**: the largest column's standard deviation is "
                f"{_spread()} times the smallest's in the wine and motor sets. The first layer's gradient "
                "scales with the inputs, so a step size that suits standardized data is far too large for "
                "the big columns and useless for the small ones.\n\n"
                "If the test fails, check in this order: the loss against the output layer, labels printed "
                "next to their inputs, the gradient norm of each layer at the first step (zero, NaN or huge), "
                "the learning rate an order of magnitude either way, and the shapes entering the loss. If it "
                "passes, the plumbing works; only then is it worth looking at validation."
            ),
            ui.code(
                "import torch\n"
                "import torch.nn.functional as F\n\n"
                "x, y = next(iter(train_loader))          # one batch, kept for the whole test\n"
                "x, y = x[:16], y[:16]\n"
                "model.train()\n"
                "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
                "for step in range(300):\n"
                "    opt.zero_grad()\n"
                "    loss = F.cross_entropy(model(x), y)  # logits in, class indices in\n"
                "    loss.backward()\n"
                "    g = torch.norm(torch.stack([p.grad.norm() for p in model.parameters()]))\n"
                "    opt.step()\n"
                "    if step % 50 == 0:\n"
                "        print(step, loss.item(), g.item())\n"
                "assert loss.item() < 0.01, 'cannot memorize 16 samples: debug before tuning'"
            ),
        ],
    )


def run_overfit(values: dict, progress) -> debug.Overfit:
    return debug.run(values, progress)


OVERFIT_SECTION = Section(
    P, "debug", debug.OVERFIT, run_overfit,
    [Chart("debug-overfit", figures.overfit_figure, figures.describe_overfit)],
    fix="Fix the value above to run the overfit test.", job=True)
SECTIONS = (OVERFIT_SECTION,)
update_overfit = OVERFIT_SECTION.register()


def _constant_loss() -> float:
    """Cross-entropy of predicting the class shares of the default tiny wine batch (what shuffled labels reach)."""
    d = debug.OVERFIT.defaults()
    b = debug.batch(d["debug_task"], d["debug_samples"], d["debug_seed"])
    return round(debug.class_share_loss(b.y), 3)


QUESTIONS = (
    Pick("debug-nan", "The training loss turns NaN after a few hundred steps. What do you look at first?",
         ("The validation accuracy", "The gradient norm at each step, and the learning rate",
          "The number of hidden layers", "The size of the validation set"),
         1, "A NaN loss that appears mid-training usually follows a step too large for the curvature, or an "
            "overflow; the gradient norm shows the step at which it starts to grow, and the learning rate is the first "
            "suspect.", TABLE_TITLE),
    Pick("debug-tiny", "A 3-layer network with 5000 weights cannot fit 16 training samples. What is the likely "
                       "cause?",
         ("Too little capacity: make the network wider", "Too few samples: collect more data",
          "A bug in the set-up (labels, loss, optimizer or initialization)", "Not enough regularization"),
         2, "Thousands of weights can store 16 samples outright; failing to do so points at the set-up, "
            "not the capacity.",
         OVERFIT_TITLE),
    Value("debug-constant", "With labels shuffled anew at every step, the loss on the default 16 wine samples "
                            "settles near the cross-entropy of always predicting the batch's class shares. What "
                            "is that cross-entropy, in nats (3 decimals)?",
          _constant_loss, "The entropy of the batch's class shares: {answer} nats. No input-dependent "
                          "prediction can beat it on average when the pairing changes every step.",
          OVERFIT_TITLE, tolerance=0.01, unit="nats"),
)
