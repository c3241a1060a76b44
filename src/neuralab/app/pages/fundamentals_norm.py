"""/fundamentals, normalization: batch norm against layer norm, train against eval mode, small batches."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.app.selfcheck import Pick, Value
from neuralab.basics import norm
from neuralab.params import ParamSpec
from neuralab.plots import fundamentals_norm as figures

P = prefix("neuralab.app.pages.fundamentals")
SPEC = ParamSpec.merge("fundamentals-norm", norm.STATS, norm.MODES, norm.SMALL)
STATS_TITLE = "Normalization: batch norm and layer norm average over different axes"
MODES_TITLE = "Batch norm's train mode and eval mode"
SMALL_TITLE = "Batch norm with small batches"
TINY = (2.0, 4.0, 9.0)
_, (TINY_MEAN,), (TINY_VAR,) = norm.batchnorm([[v] for v in TINY])

CODE = """import torch, torch.nn as nn

x = torch.randn(8, 13) * 50 + 100           # (batch, features)
bn = nn.BatchNorm1d(13, affine=False)       # per feature, over the batch
ln = nn.LayerNorm(13, elementwise_affine=False)  # per sample, over the features

mean, var = x.mean(0), x.var(0, unbiased=False)
print((bn(x) - (x - mean) / (var + 1e-5).sqrt()).abs().max())
mean, var = x.mean(1, keepdim=True), x.var(1, unbiased=False, keepdim=True)
print((ln(x) - (x - mean) / (var + 1e-5).sqrt()).abs().max())

model.eval()                 # BatchNorm uses its running statistics from here on
with torch.no_grad():
    logits = model(x_test)
model.train()                # and back to batch statistics before training again"""


def run_stats(values: dict, progress) -> norm.Stats:
    return norm.statistics(values["norm_batch"], values["norm_seed"])


def run_modes(values: dict, progress) -> norm.Modes:
    return norm.modes(values["norm_mix"], values["norm_seed"], progress=progress)


def run_small(values: dict, progress) -> norm.SmallBatches:
    return norm.small_batches(values["norm_epochs"], values["norm_seed"], progress=progress)


def layout(values: dict) -> list[html.Section]:
    return [_stats(values), _modes(values), _small(values)]


def _stats(values: dict) -> html.Section:
    return ui.section(STATS_TITLE, [
        ui.md(
            "Both layers compute the same thing, (x − mean) / √(var + ε), followed by a learned scale and "
            "shift per feature; they differ in which numbers the mean and variance are taken over. Think "
            "of a batch as a table with one row per sample and one column per feature.\n\n"
            "* **BatchNorm** works down each column: every feature gets its own mean and variance, computed "
            "over the samples of the current batch. Its output for one sample therefore depends on which "
            "other samples share the batch.\n"
            "* **LayerNorm** works along each row: every sample is normalized over its own features, with "
            "no reference to the rest of the batch. A sample gives the same output alone or in company.\n\n"
            "Both use the variance that divides by n (not n − 1), and ε = 1e-5 keeps a constant feature "
            "from dividing by zero. Below, a batch of raw wine measurements, in their own units, goes "
            "through both; the library's hand computation is compared with torch's modules."
        ),
        ui.row(controls(P, SPEC, values, ["norm_batch", "norm_seed"])),
        alert(cid(P, "norm-stats-alert")),
        ui.chart(cid(P, "norm-stats"), "The means and standard deviations each norm computes"),
        ui.chart(cid(P, "norm-outputs"), "What each norm outputs for the same batch"),
        ui.md("The check in a few lines of torch, and the call that switches batch norm to its running "
              "statistics:"),
        ui.code(CODE),
    ])


def _modes(values: dict) -> html.Section:
    return ui.section(MODES_TITLE, [
        ui.md(
            "In training, batch norm normalizes with the current batch's statistics and, on the side, keeps "
            "a running average of them: after each batch, running = (1 − momentum) · running + momentum · "
            "batch value (for the variance, the batch's n − 1 version), with momentum 0.1 by default, so the "
            "average forgets old batches over a few tens of steps. `model.eval()` switches the layer to those "
            "running averages, so a prediction no longer depends on what else is in the batch; `model.train()` "
            "switches back.\n\n"
            "Below, a small network with two batch-norm layers is trained on the handwritten digits "
            f"(batches of {norm.MODE_BATCH}, {norm.MODE_EPOCHS} epochs). One test digit is then put into "
            f"{norm.COMPANIES} batches with different companions and classified in each, once in train mode "
            "and once in eval mode. The second chart is the common bug: evaluating without `model.eval()`. "
            "Large shuffled batches hide it, because their statistics are close to the running ones; small "
            "batches, or batches that hold a single class (a test set sorted by label, a stream from one "
            "machine), do not. Each forgotten evaluation also updates the running statistics with test data."
        ),
        ui.row(controls(P, SPEC, values, ["norm_mix"])),
        alert(cid(P, "norm-modes-alert")),
        ui.chart(cid(P, "norm-modes"), "One test digit in different batches, train mode against eval mode", heavy=True),
        ui.chart(cid(P, "norm-forgot"), "Test accuracy with and without model.eval()"),
    ])


def _small(values: dict) -> html.Section:
    return ui.section(SMALL_TITLE, [
        ui.md(
            "With a batch of two, each feature's mean and variance come from two numbers: every normalized "
            "value (before the learned scale and shift) is then close to −1 or +1 whatever the inputs, and the "
            "statistics jump from batch to batch. The network learns through that noise, and at test time the "
            "running averages replace it, so the layer no longer behaves as it did in training. Layer norm "
            "has no such dependence, because it never looks across the batch.\n\n"
            "Batch statistics also sit badly in recurrent networks: they would have to be kept per time step, "
            "sequences differ in length, and the batch at a late step may hold only a few sequences. Recurrent "
            "layers and transformers usually use layer norm instead. Group norm is a middle way for "
            "convolutional networks trained on small batches: it normalizes each sample over groups of "
            "channels, so, like layer norm, it ignores the batch.\n\n"
            "Below, the same network is trained without normalization, with batch norm and with layer norm at "
            "each batch size, for the same number of epochs, with Adam at the same learning rate, and scored on "
            "the test digits in eval mode. Smaller batches take more steps per epoch; compare the norms at "
            "each batch size rather than the batch sizes with each other."
        ),
        ui.row(controls(P, SPEC, values, ["norm_epochs"])),
        alert(cid(P, "norm-small-alert")),
        ui.chart(cid(P, "norm-small"), "Test accuracy against batch size, per normalization", heavy=True),
    ])


STATS_SECTION = Section(
    P, "norm-stats", norm.STATS, run_stats,
    [Chart("norm-stats", figures.stats_figure, figures.describe_stats),
     Chart("norm-outputs", figures.outputs_figure, figures.describe_outputs)],
    fix="Fix the value above to normalize the batch.")
MODES_SECTION = Section(
    P, "norm-modes", norm.MODES, run_modes,
    [Chart("norm-modes", figures.modes_figure, figures.describe_modes),
     Chart("norm-forgot", figures.forgot_figure, figures.describe_forgot)],
    fix="Fix the value above to run the trained network.", job=True)
SMALL_SECTION = Section(
    P, "norm-small", norm.SMALL, run_small,
    [Chart("norm-small", figures.small_figure, figures.describe_small)],
    fix="Fix the value above to train the networks.", job=True)
SECTIONS = (STATS_SECTION, MODES_SECTION, SMALL_SECTION)
update_stats = STATS_SECTION.register()
update_modes = MODES_SECTION.register()
update_small = SMALL_SECTION.register()

QUESTIONS = (
    Pick("norm-batch-free", "Which normalization gives a sample the same output whatever else is in its batch, "
                            "in training as in use?",
         ("BatchNorm", "LayerNorm", "both", "neither"), 1,
         "LayerNorm takes its mean and variance over one sample's features; BatchNorm takes them over the batch, "
         "so in train mode its output moves with the other samples.", section=STATS_TITLE),
    Value("norm-tiny-batch",
          f"A BatchNorm1d layer in train mode (no learned scale or shift yet: weight 1, bias 0) sees one feature "
          f"with the values {', '.join(f'{v:g}' for v in TINY)} in a batch of three. What does it output for the "
          f"{TINY[-1]:g}? (two decimals)",
          lambda: round(norm.batchnorm_value(TINY, len(TINY) - 1), 2),
          f"The batch mean is {TINY_MEAN:g} and the variance, dividing by {len(TINY)}, is {TINY_VAR:.4g}, so "
          f"({TINY[-1]:g} − {TINY_MEAN:g}) / √({TINY_VAR:.4g} + 1e-5) = " "{answer}.",
          section=STATS_TITLE, tolerance=0.01),
    Pick("norm-forgot-eval", "A batch-norm network scores well in validation but badly when a script evaluates "
                             "it one class at a time. What is the likely cause?",
         ("the learning rate was too high", "model.eval() was not called before evaluating",
          "LayerNorm should have been used in the last layer", "the test set is too small"), 1,
         "In train mode batch norm normalizes with the batch's own statistics, and a batch of one class has "
         "statistics unlike the training data's.", section=MODES_TITLE),
)
