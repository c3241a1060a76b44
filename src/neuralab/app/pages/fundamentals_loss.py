"""/fundamentals, loss: which output layer goes with which loss, and four classic mismatches trained for real."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, table
from neuralab.app.selfcheck import Pick, Value
from neuralab.basics import pairing
from neuralab.params import ParamSpec
from neuralab.plots import fundamentals_loss as figures

P = prefix("neuralab.app.pages.fundamentals")
SPEC = ParamSpec.merge("fundamentals-loss", pairing.LOSS)
PAIRING_TITLE = "Output layer and loss pairing"
HUBER_TITLE = "Regression losses: mean, median and Huber's δ"
MISTAKES_TITLE = "Loss pairing mistakes, trained"
EXAMPLE_LOGITS, EXAMPLE_TARGET = (2.0, 1.0, 0.1), 0

CODE = """import torch
from torch import nn

logits = model(x)                                   # (N, K) or (N,): raw scores, no activation
nn.MSELoss()(y_hat, y)                              # regression, fits the mean (L1Loss: median, HuberLoss: between)
nn.BCEWithLogitsLoss()(logits, y.float())           # binary: logits (N,), y in {0, 1}
nn.CrossEntropyLoss()(logits, y)                    # multi-class: logits (N, K), y class indices (N,)
nn.BCEWithLogitsLoss()(logits, y_multi.float())     # multi-label: logits (N, K), y_multi 0/1 (N, K)

p = torch.sigmoid(logits)        # probabilities for reports and thresholds (multi-class: logits.softmax(dim=1))
pred = logits.argmax(dim=1)      # multi-class prediction; binary: logits > 0
"""


def run_mistake(values: dict, progress) -> pairing.MistakeRun:
    return pairing.mistake_run(values["loss_mistake"], values["loss_optimizer"], values["loss_steps"],
                               values["loss_seed"], progress=progress)


def run_huber(values: dict, progress) -> pairing.HuberSweep:
    return pairing.huber_sweep(values["loss_delta"], values["loss_seed"])


def layout(values: dict) -> list[html.Section]:
    return [_pairing(), _huber(values), _mistakes(values)]


def _pairing() -> html.Section:
    rows = [(p.task, p.output, p.loss, p.note) for p in pairing.PAIRINGS]
    return ui.section(PAIRING_TITLE, [
        ui.md(
            "The last layer of a network and its loss are chosen together, and PyTorch's losses are built to "
            "take the last linear layer's raw output, the logits. `CrossEntropyLoss` computes a log-softmax "
            "itself and `BCEWithLogitsLoss` a log-sigmoid, both in a form that cannot overflow. Adding your "
            "own softmax or sigmoid in front of them does not raise any error: the code runs and the loss "
            "goes down, only more slowly and never far enough. Probabilities are for reading the output, "
            "after training or in the metrics, not for the loss.\n\n"
            "Multi-class and multi-label differ in what a sample may be: exactly one of K classes (the softmax "
            "makes the K scores compete) against any subset of K labels (K independent yes/no questions, "
            "each with its own sigmoid)."
        ),
        table(("Task", "Last layer emits", "Loss", "What it does"), rows),
        ui.code(CODE),
    ])


def _huber(values: dict) -> html.Section:
    return ui.section(HUBER_TITLE, [
        ui.md(
            "For a regression the last layer is a plain linear output; the loss decides what the network "
            "estimates when the same input can end in different targets. Squared error is minimised by the "
            "average of those targets, absolute error by their middle value (half above, half below). Huber "
            "is squared below δ and linear above it, so small errors are treated as by MSE while a distant "
            "outlier pulls with a fixed force (δ), as under MAE, instead of one that grows with its error; δ is "
            "in the target's unit.\n\n"
            "The data are synthetic settle times of a speed loop after a load step: most steps settle fast, a "
            "few take much longer, so the distribution has a long right tail and its mean sits above its "
            "median. The chart fits one constant to the settle times at full load and moves δ."
        ),
        ui.row(controls(P, SPEC, values, ["loss_delta"])),
        alert(cid(P, "loss-huber-alert")),
        ui.chart(cid(P, "loss-huber"), "Best constant prediction against Huber's delta"),
    ])


def _mistakes(values: dict) -> html.Section:
    return ui.section(MISTAKES_TITLE, [
        ui.md(
            f"Each choice trains two copies of the same small network (one hidden layer of {pairing.HIDDEN} ReLU "
            "units, the "
            "same initial weights, the same full-batch updates): one with the mistake, one with the correct "
            "pairing. Every step records the loss, the size of the gradient arriving at the output layer and "
            "the training accuracy (for the regression, the training MAE).\n\n"
            "* **Softmax before `CrossEntropyLoss`.** The loss applies its own softmax to numbers that are "
            "already between 0 and 1, so its probabilities can never approach 1 and the loss has a floor "
            "above zero. The gradient is squeezed through two softmax Jacobians and comes out smaller.\n"
            "* **Sigmoid, then `BCEWithLogitsLoss`.** The loss reads the sigmoid's output as a logit. That "
            "value is always positive, so the probability the loss sees never falls below one half: negatives "
            "can never be fitted well and positives only up to a limit.\n"
            "* **MSE on class probabilities.** The squared error of a softmax output is multiplied by the "
            "softmax's slope, which is nearly zero when the network is confidently wrong: the samples that "
            "most need correcting push the weights least. Cross-entropy's gradient stays near −1 there.\n"
            "* **MAE on a skewed target.** Nothing breaks: the network learns the median per input, exactly "
            "as MAE asks. If the mean was needed (an energy budget, a total time summed over many cycles) "
            "every prediction is biased low.\n\n"
            "Accuracy is a poor alarm for the first two: the largest output is still the right one, so the "
            "predicted classes can look fine while the probabilities are wrong and learning is slow. The loss "
            "that stalls above zero and the small gradient are what give them away."
        ),
        ui.row(controls(P, SPEC, values, ["loss_mistake", "loss_optimizer", "loss_steps", "loss_seed"])),
        alert(cid(P, "loss-alert")),
        ui.chart(cid(P, "loss-curves"), "Training loss, mistake against correct pairing", heavy=True),
        ui.chart(cid(P, "loss-grads"), "Gradient at the output layer per step"),
        ui.chart(cid(P, "loss-detail"), "One sample's gradient against its logit, or where the predictions land"),
    ])


HUBER_SECTION = Section(P, "loss-huber", pairing.HUBER, run_huber,
                        [Chart("loss-huber", figures.huber_figure, figures.describe_huber)],
                        fix="Fix the value above to see this chart.")
MISTAKE_SECTION = Section(
    P, "loss", pairing.RUN, run_mistake,
    [Chart("loss-curves", figures.curves_figure, figures.describe_curves),
     Chart("loss-grads", figures.grads_figure, figures.describe_grads),
     Chart("loss-detail", figures.detail_figure, figures.describe_detail)],
    fix="Fix the value above to train both networks.", job=True)
SECTIONS = (HUBER_SECTION, MISTAKE_SECTION)
update_huber = HUBER_SECTION.register()
update_mistake = MISTAKE_SECTION.register()


def _ce_gradient() -> float:
    return round(float(pairing.ce_logit_gradient(EXAMPLE_LOGITS, EXAMPLE_TARGET)[EXAMPLE_TARGET]), 3)


QUESTIONS = (
    Pick("loss-multilabel", "A sensor window can show several faults at once (any of K). Which output and loss?",
         ("K logits + CrossEntropyLoss", "K logits + BCEWithLogitsLoss", "K softmax outputs + MSELoss",
          "one logit + BCEWithLogitsLoss"), 1,
         "Several labels may be true together, so each gets its own independent sigmoid: BCEWithLogitsLoss on "
         "K logits with a 0/1 target matrix. CrossEntropyLoss would force the K scores to compete for one class.",
         section=PAIRING_TITLE),
    Value("loss-ce-gradient",
          f"Logits {EXAMPLE_LOGITS} go into CrossEntropyLoss with true class {EXAMPLE_TARGET}. What is "
          f"∂loss/∂z{EXAMPLE_TARGET}, the derivative for that class's logit (three decimals)?",
          _ce_gradient, f"It is softmax(z)[{EXAMPLE_TARGET}] − 1, computed by autograd: " "{answer}.",
          section=PAIRING_TITLE,
          tolerance=0.01),
    Value("loss-double-softmax-floor",
          "A 10-class network feeds softmax outputs into CrossEntropyLoss. What is the lowest loss it can ever "
          "reach (three decimals)?",
          lambda: round(pairing.double_softmax_floor(10), 3),
          "The loss's own softmax sees inputs in [0, 1]: at best e against nine ones, so log(e + 9) − 1 = {answer}.",
          section=MISTAKES_TITLE, tolerance=0.01),
)
