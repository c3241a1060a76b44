"""/hyperparameter-search, part: honest scoring (the winner's curse, measured; nested cross-validation)."""

from __future__ import annotations

from fractions import Fraction

from dash import html
from sklearn.model_selection import ParameterGrid

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.params import ParamSpec
from neuralab.plots import search_honest as figures
from neuralab.search import honest, landscape
from neuralab.search.tasks import DATASET

P = prefix("neuralab.app.pages.hyperparameter_search")
CURSE_SPEC = ParamSpec("search-honest-curse", dataset=DATASET)
NESTED_SPEC = ParamSpec("search-honest-nested", dataset=DATASET, pool=honest.NESTED.fields["pool"])
SPEC = ParamSpec.merge("search-honest", CURSE_SPEC, NESTED_SPEC)
SHOWN = (1, 3, 10, 30, 100)  # search sizes in the table
N_GRID = len(ParameterGrid(honest.GRID))
SHAPE = " × ".join(str(len(g)) for g in honest.GRID.values())
INNER_SHARE = str(Fraction(honest.INNER - 1, honest.INNER))  # of the pool, per inner model of the plain protocol
OUTER_SHARE = str(Fraction(honest.OUTER - 1, honest.OUTER))  # of the pool, per model nested CV scores
NESTED_SHARE = str(Fraction(honest.INNER - 1, honest.INNER) * Fraction(honest.OUTER - 1, honest.OUTER))
MAX_10, MAX_100 = honest.expected_max(10), honest.expected_max(100)


def curse(values: dict, progress) -> honest.Curse:
    """The page's landscape (the one the other parts search) and the random searches replayed on it."""
    return honest.winners_curse(landscape.landscape(values["dataset"], progress=progress))


def nested(values: dict, progress) -> honest.Nested:
    return honest.nested_cv(values["dataset"], values["pool"], progress=progress)


def curse_table(c: honest.Curse) -> html.Table:
    """Loss and metric at a few search sizes: reported, the same network on test, the setting on other seeds."""
    keys = ("val", "test", "rerun")
    rows = [[f"{n}", *(figures.score(getattr(c, f"{key}_loss").mean[n - 1], "loss") for key in keys),
             *(figures.score(getattr(c, f"{key}_metric").mean[n - 1], c.metric) for key in keys)] for n in SHOWN]
    m = c.metric
    return table([f"trials (mean over {c.repeats:,} searches)", "best val loss",
                  "its test loss", "other seeds' val loss", f"best val {m}",
                  f"its test {m}", f"other seeds' val {m}"], rows)


def nested_table(r: honest.Nested) -> html.Table:
    rows = [[f"{k + 1}", f"α = {p['alpha']:g}, step {p['learning_rate_init']:g}",
             *(figures.score(float(getattr(r, key)[k]), r.metric) for key in ("plain", "nested", "test"))]
            for k, p in enumerate(r.chosen)]
    return table(["repeat", "setting chosen by the plain protocol (outer folds may differ)", "best inner CV",
                  "nested CV", "test, once"], rows)


def layout(values: dict) -> list[html.Section]:
    return [
        ui.section("The best score of a search is too good", [
            ui.md(
                "Every trial's validation score is a measurement with noise in it: the initial weights, the order "
                "of the batches and the particular validation rows all move it. A search keeps the lowest of many "
                "such measurements, and the lowest of many noisy numbers is low partly because its noise happened "
                "to point down. So the score a search reports is biased in its own favour even when every single "
                "trial was measured fairly. Among settings of equal quality the bias grows with the number of "
                f"trials: the best of 10 equal settings sits about {MAX_10:.1f} σ below their common value on "
                f"average, the best of 100 about {MAX_100:.1f} σ (σ: one trial's noise). On a real landscape it "
                "competes with genuine improvement, so the charts below measure it rather than assume it. This "
                "is the winner's curse.\n\n"
                "Each replayed search draws cells and seeds at random from the measured grid, sees one real "
                "training's validation loss per trial and keeps the best. For the network it keeps we also know "
                "its loss on the test set, which the search never looked at, and the validation loss of the same "
                "setting trained from the other seeds. The orange curve is what the search reports, green is what "
                "you would actually get, blue is the same setting's validation loss from the other seeds, on the "
                "same validation rows and leaving out any that diverged. The lower panels subtract, search by "
                "search: how much better the reported score is than each check. Even at one trial the two sets "
                "differ, so the flattery is how far a curve rises above its one-trial value, where no choice has "
                "been made yet. The bands hold the middle "
                f"{honest.BAND[1] - honest.BAND[0]} % of the searches (percentiles {honest.BAND[0]} to "
                f"{honest.BAND[1]})."
            ),
            alert(cid(P, "curse-alert")),
            ui.chart(cid(P, "curse"), "Best validation score of a random search and the same network's test score",
                     heavy=True),
            html.Div(id=cid(P, "curse-table"), className="nl-table"),
            ui.md(
                "The rule that follows: **tune on validation, and touch the test set once**, to measure the one "
                "configuration you chose. The test score is honest only because nothing was chosen with it; a "
                "second look at it, followed by a change, turns it into a validation set with a misleading name. "
                "Quote the test score, not the search's best validation score. Training the winner again from new "
                "seeds removes seed luck, not the luck of the validation rows: that is what the test set is for."
            ),
        ]),
        ui.section("Nested cross-validation on a small data set", [
            ui.md(
                "With a few hundred examples a single validation split is itself noisy, so the usual move is to "
                "choose hyperparameters by k-fold cross-validation (scikit-learn's `GridSearchCV`). Its best mean "
                "score is then often quoted as the model's performance: the plain protocol. Nested "
                "cross-validation scores the whole procedure instead: an outer split holds out a fold, the "
                "complete grid search runs on the rest, and the winner is scored on the fold it never saw "
                "(`cross_val_score` around the `GridSearchCV`).\n\n"
                "Here the model is scikit-learn's `MLPClassifier` (`MLPRegressor` for a numeric target: the motor, "
                "or a table of yours), one hidden layer "
                f"of {honest.HIDDEN} units, at most {honest.MAX_ITER} Adam epochs: small enough to search the "
                "network itself rather than a cheaper model in its place. The grid is "
                f"{SHAPE} (weight penalty α and Adam's step size), the inner split {honest.INNER} folds, the outer "
                f"{honest.OUTER}. Each repeat draws a new pool of training rows and new folds, because one split is "
                "noise; the test split is the data set's own, never part of any pool. On a table of yours the pools "
                "and folds here are drawn at random even when it has a group or time column, so on a log both "
                "the plain and the nested score are optimistic; the test split still follows the table's roles. "
                "A table of yours needs at least "
                f"{honest.NESTED.fields['pool'].lo} training rows here; below that this part says so and the others "
                "still run."
            ),
            ui.row(controls(P, SPEC, values, ["pool"])),
            alert(cid(P, "nested-alert")),
            ui.chart(cid(P, "nested"), "Three estimates of the same procedure's score, per repeat", heavy=True),
            html.Div(id=cid(P, "nested-table"), className="nl-table"),
            ui.md(
                "Two errors pull the plain score in opposite directions. Picking the best of "
                f"{N_GRID} settings on the same folds that score them makes it optimistic. Training every inner "
                f"model on {INNER_SHARE} of the pool makes it pessimistic, because a network given fewer rows "
                "learns less, and the refitted winner gets them all. Nested CV removes the first error. The models "
                f"it scores still train on {OUTER_SHARE} of the pool, as the plain protocol's do, so the second "
                f"error remains; its inner searches choose on {NESTED_SHARE} of the pool, which can pick a setting "
                "that suits fewer rows. Each repeat scores on one test split, and the caption gives that "
                "split's standard error and the spread over the outer folds: differences smaller than about "
                "that are noise. Which one "
                "dominates depends on the size of the grid and on how steep the learning curve still is at this "
                "pool size: the caption gives the measured differences; try the spirals, whose curve is steep."
                "\n\n"
                "Nested CV costs the grid search once per outer fold. It pays when the data are too few to set "
                "aside a test split you can trust, when the number you publish is the cross-validated score "
                "itself, or when the grid is large enough for the choice to flatter the winner."
            ),
        ]),
    ]

CURSE = Section(P, "curse", CURSE_SPEC, curse,
                [Chart("curse", figures.curse_figure, figures.describe_curse), Text("curse-table", curse_table)],
                fix="Fix the value above to replay the searches.", job=True)
NESTED = Section(P, "nested", NESTED_SPEC, nested,
                 [Chart("nested", figures.nested_figure, figures.describe_nested), Text("nested-table", nested_table)],
                 fix="Fix the value above to run nested cross-validation.", job=True)
SECTIONS = (CURSE, NESTED)
update_curse = CURSE.register()
update_nested = NESTED.register()
