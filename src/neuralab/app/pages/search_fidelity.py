"""/hyperparameter-search, parts 4–6: pruners on a larger conditional space, TPE on that space, importances."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Alert, Chart, Section, Text, table
from neuralab.params import ParamSpec
from neuralab.plots import search_fidelity as figures
from neuralab.search import fidelity
from neuralab.search.fidelity import (
    BATCH,
    DEPTH,
    DROPOUT,
    FIDELITY,
    LR,
    MEDIAN_STARTUP,
    MEDIAN_WARMUP,
    MIN_RESOURCE,
    MOMENTUM,
    REDUCTION,
    TPE_STARTUP,
    WD,
    WIDTH,
)
from neuralab.search.tasks import DATASET

P = prefix("neuralab.app.pages.hyperparameter_search")
SPEC = ParamSpec("search-fidelity", dataset=DATASET, mf_trials=FIDELITY.fields["trials"],
                 mf_epochs=FIDELITY.fields["epochs"], mf_seed=FIDELITY.fields["seed"])
HEADER = ("search", "complete", "pruned", "failed", "epochs spent", "best val loss",
          "unpruned best in as many epochs", "epochs to target", "speed-up")


def measure(values: dict, progress) -> fidelity.Fidelity:
    return fidelity.fidelity(values["dataset"], values["mf_trials"], values["mf_epochs"], values["mf_seed"],
                             progress=progress)


def _table(result: fidelity.Fidelity) -> html.Table:
    return table(HEADER, figures.rows(result))


def layout(values: dict) -> list[html.Section]:
    return [_pruning(values), _conditional(), _glance()]


def _g(lo_hi: tuple[float, float]) -> str:
    return f"{lo_hi[0]:g} to {lo_hi[1]:g}"


def _pruning(values: dict) -> html.Section:
    return ui.section(
        "Stopping poor trials early: pruners",
        [
            ui.md(
                "Most of a search's time goes into trials that will lose. A pruner watches each trial's validation "
                "loss as it trains and stops the ones that look hopeless, so the epochs go to the promising ones. "
                "Using cheap, partial trainings to rank configurations is called multi-fidelity search.\n\n"
                f"The space here is larger than above: learning rate ({_g(LR)}, log), batch size ({_g(BATCH)}, "
                f"log), {_g(DEPTH)} hidden layers each with its own width ({_g(WIDTH)}, log), dropout "
                f"({_g(DROPOUT)}), weight decay ({_g(WD)}, log) and the optimizer: SGD with a momentum "
                f"({_g(MOMENTUM)}) or Adam. Every trial is a real PyTorch training that reports its validation "
                "loss after each epoch; its score is the loss after the last one. The same TPE sampler, with the "
                "same seed, runs four times: once without pruning and once under each pruner.\n\n"
                f"* **Median rule**: after epoch *k*, stop a trial whose loss is worse than the median of what the "
                f"earlier trials had at epoch *k*. It waits for {MEDIAN_STARTUP} finished trials and judges only from "
                f"epoch {MEDIAN_WARMUP + 1} on.\n"
                f"* **ASHA** (asynchronous successive halving): rungs at {MIN_RESOURCE}, {MIN_RESOURCE * REDUCTION}, "
                f"{MIN_RESOURCE * REDUCTION ** 2}, … epochs. The *minimum resource* ({MIN_RESOURCE} epoch here) is "
                f"the first rung; the *reduction factor* ({REDUCTION}) sets both the spacing of the rungs and the "
                f"share promoted: a trial reaching a rung goes on only if it is in the best 1/{REDUCTION} of the "
                "trials seen at that rung. Nothing waits for a full round, which is what makes it asynchronous.\n"
                "* **Hyperband**: several ASHA brackets side by side, each with a different first rung, so some "
                "trials get a longer look before the first cut. It hedges against a minimum resource chosen too "
                "small.\n\n"
                "The risk is the slow starter: a setting with a small learning rate or heavy dropout can trail "
                "after one epoch and lead after ten. A pruner that judges at epoch 1 kills it. Look for grey "
                "curves that were still falling steeply where their × is."
            ),
            ui.row(controls(P, SPEC, values, ["mf_trials", "mf_epochs", "mf_seed"])),
            alert(cid(P, "fidelity-alert")),
            ui.chart(cid(P, "fidelity-curves"), "Each trial's validation loss per epoch, under each pruner",
                     heavy=True),
            ui.md(
                "Below, each search's best final validation loss against the epochs it has spent. The target is "
                "the best score every search reached; the circle marks when each got there. The speed-up is the "
                "unpruned search's epochs to the target over the pruned one's. The table also reads the chart the "
                "other way: what the unpruned search had reached after as many epochs as each pruned one spent in "
                "all. A pruned search can be cheaper and still end worse, when it stopped the trial that would "
                "have won."
            ),
            ui.chart(cid(P, "fidelity-cost"), "Best validation loss so far against epochs spent, per pruner"),
            html.Div(id=cid(P, "fidelity-table"), className="nl-table"),
        ],
    )


def _conditional() -> html.Section:
    return ui.section(
        "A conditional space",
        [
            ui.md(
                "In this space some parameters exist only in some trials: `width_2` only when depth is at least 2, "
                "`width_3` only at depth 3, `momentum` only with SGD. A sampler must cope with parameters that "
                "come and go. Optuna's TPE with `multivariate=True, group=True` splits the trials into groups "
                "that share the same parameters and models each group's parameters jointly; independent TPE models "
                "each parameter alone, from whichever trials have it; random search ignores the history. All "
                f"three run here with the same seed and no pruning. Their first {TPE_STARTUP} trials are identical: "
                "TPE draws its start-up trials at random, with the same generator as the random sampler. The "
                "right panel counts where each sampler spent its trials."
            ),
            alert(cid(P, "fidelity-cond-alert")),
            ui.chart(cid(P, "fidelity-samplers"), "Best-so-far and the depths and optimizers each sampler drew"),
        ],
    )


def _glance() -> html.Section:
    return ui.section(
        "Which settings mattered",
        [
            ui.md(
                "Importance asks how much of the spread in the final loss each parameter explains, from the "
                "trials alone. Both methods fit a random forest of the loss on the parameters, with fixed seeds. "
                "**fANOVA** integrates the forest over every parameter but one and measures how much the "
                "prediction still varies along that one: its share of the variance. **Mean decrease in "
                "impurity** counts how much the forest's splits on a parameter reduced the squared error. They "
                "can disagree: impurity favours parameters with many distinct values (continuous ones offer "
                "more split points) and credits a parameter for splits that only matter together with another, "
                "while fANOVA separates main effects from interactions. With a few dozen trials both are noisy; "
                "take a ranking seriously only when the two agree. Conditional parameters are left out because "
                "not every trial has them.\n\n"
                "The three charts after it are Optuna's own (`optuna.visualization`), drawn from the trials of "
                "the unpruned search."
            ),
            alert(cid(P, "fidelity-glance-alert")),
            ui.chart(cid(P, "fidelity-importance"), "Parameter importances, fANOVA beside mean decrease in impurity"),
            ui.chart(cid(P, "fidelity-parallel"), "Parallel coordinates of the unpruned search"),
            ui.chart(cid(P, "fidelity-slice"), "Final validation loss against each of the four leading settings"),
            ui.chart(cid(P, "fidelity-contour"), "Final validation loss over the two most important settings"),
        ],
    )


FIDELITY_SECTION = Section(
    P, "fidelity", SPEC, measure,
    [Chart("fidelity-curves", figures.curves_figure, figures.describe_curves),
     Chart("fidelity-cost", figures.cost_figure, figures.describe_cost),
     Text("fidelity-table", _table, blank=None),
     Alert("fidelity-cond-alert"),
     Chart("fidelity-samplers", figures.samplers_figure, figures.describe_samplers),
     Alert("fidelity-glance-alert"),
     Chart("fidelity-importance", figures.importance_figure, figures.describe_importance),
     Chart("fidelity-parallel", figures.parallel_figure, figures.describe_parallel),
     Chart("fidelity-slice", figures.slice_figure, figures.describe_slice),
     Chart("fidelity-contour", figures.contour_figure, figures.describe_contour)],
    fix="Fix the value above to run the searches.", job=True)
SECTIONS = (FIDELITY_SECTION,)
update_fidelity = FIDELITY_SECTION.register()
