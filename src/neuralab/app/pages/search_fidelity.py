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

FIDELITY_EPOCHS = FIDELITY.fields["epochs"].default
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
                f"* **Median rule**: after epoch *k*, stop a trial whose best loss so far is worse than the median "
                "loss at epoch *k* of the trials that ran to the end (pruned ones do not count). It waits for "
                f"{MEDIAN_STARTUP} complete trials and can stop a trial from epoch {MEDIAN_WARMUP} on (Optuna's "
                f"`n_warmup_steps={MEDIAN_WARMUP}`; the steps are the epochs, counted from 1).\n"
                f"* **ASHA** (asynchronous successive halving): rungs at {MIN_RESOURCE}, {MIN_RESOURCE * REDUCTION}, "
                f"{MIN_RESOURCE * REDUCTION ** 2}, … epochs. The *minimum resource* ({MIN_RESOURCE} epoch here) is "
                f"the first rung; the *reduction factor* η = {REDUCTION} sets both the spacing of the rungs and the "
                f"share promoted: a trial reaching a rung goes on only if it ranks in the best ⌊n/{REDUCTION}⌋ (at "
                "least the single best) of the *n* trials that have reached that rung so far. Optuna decides at "
                "once and for good; the original ASHA would leave the trial waiting at the rung and might promote "
                "it later. A trial that reaches its last epoch is never judged: it keeps its final value.\n"
                "* **Hyperband**: several ASHA brackets side by side, each with a different first rung, so some "
                "trials get a longer look before the first cut. It hedges against a minimum resource chosen too "
                f"small. With *E* epochs there are ⌊log_η *E*⌋ + 1 brackets ({fidelity.brackets(FIDELITY_EPOCHS)} at "
                f"the default {FIDELITY_EPOCHS} epochs). Optuna puts each trial in a bracket by a hash of the study's "
                "name and the trial's number, with bracket sizes in Hyperband's proportions, and a trial competes "
                "only with the trials of its own bracket: with a few dozen trials each rung has few competitors.\n\n"
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
                "have won.\n\n"
                "One seed per search: treat a speed-up as one sample, not a property of the pruner (the benchmark "
                "`benchmarks/search_fidelity.py` repeats it over several seeds). After the first pruning decision "
                "each search's sampler sees a different history, so the searches try different points; a pruned "
                "search that ends lower found a different path, not the same one cheaper. The target is, by "
                "construction, the worst search's best. Epochs stand in for cost, but their wall-clock price varies "
                "with batch size and width. Every best here is the minimum of validation losses, so it is "
                "optimistic."
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
                "come and go. Optuna's TPE with `multivariate=True, group=True` splits the parameters into groups "
                "that always appear together (here {lr, batch_size, depth, width_1, dropout, weight_decay, "
                "optimizer}, {width_2}, {width_3} and {momentum}) and models each group jointly, from the trials "
                "that have it; it models no dependence between groups. Independent TPE models "
                "each parameter alone, from whichever trials have it; random search ignores the history. All "
                f"three run here with the same seed and no pruning. At least their first {TPE_STARTUP} trials (more if "
                "some fail: TPE counts only complete and pruned trials toward its start-up) are identical: TPE "
                "draws its start-up trials at random, with the same generator as the random sampler. The "
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
                "trials alone. Both methods fit a random forest of the raw final loss on the parameters, with "
                "fixed seeds, and Optuna normalises each method's importances to sum to 1. **fANOVA** integrates "
                "the forest over every parameter but one and measures how much the prediction still varies along "
                "that one; Optuna's evaluator reports each parameter's effect on its own and leaves interactions "
                "out. **Mean decrease in impurity** is each parameter's share of the reduction in squared error "
                "made by the forest's splits. They can disagree: impurity favours parameters with many distinct "
                "values (continuous ones offer more split points) and credits a parameter for splits that only "
                "matter together with another. Both are computed on the trials TPE chose, which crowd where it "
                "found good losses, so they describe the region TPE explored, not the whole space. With a few "
                "dozen trials both are noisy: re-run with another seed before trusting a ranking. Conditional "
                "parameters are left out because not every trial has them.\n\n"
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
