"""/fitting: under- and overfitting on a known curve, bias and variance, learning curves, the memorize check."""

from __future__ import annotations

from typing import Any

from dash import html

from neuralab.app import ui, userdata
from neuralab.app.controls import alert, cid, controls, reseed_button, wire, wire_reseed
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text
from neuralab.app.selfcheck import Pick, Value
from neuralab.data import user
from neuralab.data.datasets import DATASET
from neuralab.fit import memorize, poly, table_curve
from neuralab.fit.memorize import MEMORIZE
from neuralab.fit.poly import BIAS_VARIANCE, FIT, LEARNING, LearningCurve, PolyFit
from neuralab.fit.table_curve import table_learning_curve
from neuralab.params import SEED, DatasetChoice, ParamError, ParamSpec
from neuralab.plots import fitting as figures
from neuralab.progress import Progress

P = prefix(__name__)
#: The learning curve on a real table: a built-in dataset or one of the learner's own (``user:<id>``).
TABLE_CURVE = ParamSpec("table-curve", dataset=DatasetChoice.from_choice(DATASET), seed=SEED)
SPEC = ParamSpec.merge(P, FIT, BIAS_VARIANCE, LEARNING, MEMORIZE, TABLE_CURVE)
LEARNING_VIEW = ParamSpec.merge("learning_view", LEARNING, ParamSpec("marker", n_train=FIT.fields["n_train"]))
DEGREES = list(range(1, poly.MAX_DEGREE + 1))


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Under- and overfitting",
                "A model can be too simple to follow the signal or flexible enough to follow the noise. Here the "
                "signal is known, so every error below can be compared with the best any model could reach.",
                messages,
            ),
            ui.toolbar(
                controls(P, SPEC, values, ["seed"]),
                reseed_button(P, "New sample"),
                html.P("“New sample” moves the seed on by one and draws new points. Each sample is drawn around "
                       "f(x) = sin(2πx) + ½·sin(4πx) with Gaussian noise of standard deviation σ; "
                       f"{poly.N_VAL} further points, never fitted, measure the validation error.",
                       className="nl-help"),
            ),
            _one_fit(values),
            _bias_variance(values),
            _learning(),
            _table_curve(values),
            _memorize(values),
            _fixes(),
        ]
    )


def _one_fit(values: dict) -> html.Section:
    return ui.section(
        "One sample, one polynomial",
        [
            ui.md(
                "A polynomial of degree *d* has *d* + 1 coefficients, fitted by least squares to the blue points. "
                "Drag the degree. At 1 or 2 the line cannot bend enough: it misses the curve on the points it was "
                "fitted to just as much as on new ones. That is **underfitting**. Near 15 the curve threads "
                "between the training points and swings wildly between and beyond them: it has learned this "
                "sample's noise. That is **overfitting**, and only the orange validation points expose it.\n\n"
                "The floor is σ²: fresh points carry fresh noise, so even the true curve scores σ² on them."
            ),
            ui.row(controls(P, SPEC, values, ["degree", "n_train", "noise"])),
            alert(cid(P, "fit-alert")),
            ui.chart(cid(P, "fit"), "Training and validation points, the true curve and the fitted polynomial"),
            html.Div(id=cid(P, "diagnosis"), className="nl-card", role="status", **{"aria-live": "polite"}),
            ui.md(
                f"**How the verdict is reached.** Validation error within {poly.TOLERANCE:g} σ² is a good fit. Above "
                "that, a training error at or above σ² means the model misses structure even where it was fitted "
                "(underfit); a training error below σ² with a high validation error means it has fitted noise "
                "(overfit). One sample's numbers are noisy themselves, so near a border the verdict can flip "
                "when you press *New sample*. The chart below averages that noise away."
            ),
            ui.chart(cid(P, "sweep"), "Training and validation error of this sample against the degree"),
            ui.md(
                "Training error can only fall as the degree grows, because every polynomial of degree *d* is "
                "also one of degree *d* + 1 with a zero coefficient. Validation error falls while the model "
                "gains the shape it was missing, then rises once the extra freedom goes into the noise. Add "
                "training points and watch the rise move to higher degrees."
            ),
        ],
    )


def _bias_variance(values: dict) -> html.Section:
    return ui.section(
        "Bias and variance, averaged over many samples",
        [
            ui.md(
                "Keep the training positions, redraw only the noise, refit, and repeat a few hundred times. For "
                "squared error the expected test error then splits exactly into three parts:\n\n"
                "* **bias²**: how far the *average* fitted curve lies from f; a lack of flexibility.\n"
                "* **variance**: how much the fitted curve moves from one noise draw to the next; "
                "flexibility spent on noise.\n"
                "* **σ²**: the noise of the new point itself, which no model removes.\n\n"
                "The circles are the test error measured directly on fresh noisy points; the dashed line is the "
                "sum of the three parts. They agree up to the Monte Carlo error, which is the decomposition "
                "checking itself. Raising the degree trades bias for variance; more training points lower "
                "the variance at every degree and move the best degree up. Where bias² is far smaller than "
                "the variance, its estimate is Monte Carlo noise around zero and sits on the bottom edge."
            ),
            ui.row(controls(P, SPEC, values, ["n_sets"])),
            alert(cid(P, "bv-alert")),
            ui.chart(cid(P, "bv"), "Bias², variance, noise and measured test error against the degree", heavy=True),
        ],
    )


def _learning() -> html.Section:
    return ui.section(
        "Learning curves: error against the amount of data",
        [
            ui.md(
                "Fix the degree and grow the training set; at each size, "
                f"{poly.REPEATS.default} random draws are fitted and the median is plotted with a band from the "
                "25th to the 75th percentile. Training error *rises* with more data (there are more points to "
                "bend through), validation error falls, and both approach σ² + bias². The shape tells you what "
                "to do next:\n\n"
                "* **Both curves meet high above σ²**: underfit. More data will not help; more capacity will.\n"
                "* **A wide gap that is still closing at the right edge**: overfit. More data helps, and so "
                "does regularization.\n"
                "* **Near n = d + 1** (13 points for degree 12) the polynomial has exactly enough coefficients to "
                "pass through every point: training error is zero and validation error peaks, at a median of "
                "about 1.6·10⁸ for degree 12 with σ = 0.3. With fewer points the fit is still exact, but least "
                "squares then picks, among the exact fits, the one with the smallest coefficients (measured after "
                "each power of x is scaled to unit norm), and validation error comes "
                "down again (about 0.7 at n = 5): the small double descent described in the reference entry.\n\n"
                "The red dotted line is the sample size chosen above. With a network, the same reading applies "
                "to loss against epochs: stop where validation is lowest."
            ),
            alert(cid(P, "lc-alert")),
            ui.chart(cid(P, "lc"), "Median training and validation error against training-set size", heavy=True),
        ],
    )


def _table_curve(values: dict) -> html.Section:
    return ui.section(
        "Learning curves on a real table, or on yours",
        [
            ui.md(
                "A real table has no known curve and no known noise floor, so only what can be measured is shown: "
                f"scikit-learn's `learning_curve` over {table_curve.FOLDS} folds, with a linear model (logistic "
                "regression for classes, ridge for a numeric target) that scales its input inside each training "
                "fold. Read it the same way: a gap still closing at the right edge means more rows would help; "
                "curves that have met mean the model is the limit. Upload a table on the Data page to see it "
                "listed here under its name; a long table is sampled (seeded) and the note below says so. The "
                "folds follow your table's roles: with a group column, no group is on both sides of a fold; with "
                "a time column, each fold validates on rows later than those it trains on; otherwise (the "
                "built-in tables, or yours without those columns) the folds are shuffled. With a time column the "
                f"curve stops at the first fold's training part, about 1/{table_curve.FOLDS + 1} of the rows, and "
                "each size trains on a fold's earliest rows: a gap there also contains the drift between those "
                "rows and the later ones it is validated on."
            ),
            ui.row(controls(P, SPEC, values, ["dataset"])),
            html.P(id=cid(P, "tc-blurb"), className="nl-help"),
            alert(cid(P, "tc-alert")),
            ui.chart(cid(P, "tc"), "Training and validation error against training-set size on the chosen table",
                     heavy=True),
        ],
    )


def _memorize(values: dict) -> html.Section:
    return ui.section(
        "Before a long run: can the network memorize one batch?",
        [
            ui.md(
                "A small network trained again and again on the *same* handful of examples should drive the loss "
                "to about zero and get every one of them right. It has far more weights than there are examples "
                "to store. If it cannot, a longer run on more data will not fix it: something in the set-up is "
                "broken. Run this for a few seconds on every new training script, before anything else.\n\n"
                f"Here a {memorize.N_PIXELS} → {memorize.HIDDEN} → {memorize.N_CLASSES} MLP (PyTorch, Adam, learning "
                f"rate {memorize.LR:g}) trains on a few of scikit-learn's 8 × 8 digits. The second run starts from the "
                "*same* weights on the *same* batch with one change:\n\n"
                "* **Softmax before the loss**: `CrossEntropyLoss` already applies log-softmax, so feeding it "
                "probabilities squashes every logit to between 0 and 1. The loss cannot fall below "
                "log(1 + 9/e) and the gradient fades.\n"
                "* **Learning rate 1000× too small**: the loss barely moves; from the curve alone it looks like "
                "a model that cannot learn.\n"
                "* **Labels shuffled**: not a bug, and the check still passes. Passing proves that the model can "
                "fit and that the loop updates it; it proves nothing about generalization."
            ),
            ui.row(controls(P, SPEC, values, ["batch", "steps", "bug"])),
            alert(cid(P, "memorize-alert")),
            ui.chart(cid(P, "memorize"), "Loss and batch accuracy per step, healthy and changed", heavy=True),
            ui.code(
                "import torch\n"
                "import torch.nn.functional as F\n\n"
                "x, y = next(iter(train_loader))  # one batch, kept fixed\n"
                "x, y = x[:32], y[:32]\n"
                "opt = torch.optim.Adam(model.parameters(), lr=1e-2)\n"
                "model.train()\n"
                "for step in range(300):\n"
                "    loss = F.cross_entropy(model(x), y)  # raw logits in, not softmax\n"
                "    opt.zero_grad()\n"
                "    loss.backward()\n"
                "    opt.step()\n"
                "acc = (model(x).argmax(1) == y).float().mean()\n"
                "print(f\"loss {loss.item():.4f}, batch accuracy {acc:.0%}\")  # expect ≈ 0 and 100%"
            ),
        ],
    )


def _fixes() -> html.Section:
    return ui.section(
        "Reading the two losses, and what to change",
        [
            ui.md(
                "| what you see | regime | try, cheapest first |\n"
                "| --- | --- | --- |\n"
                "| training and validation loss both high and close; training plateaus early | underfit "
                "(high bias) | a larger model, better features, less regularization, train longer, check the "
                "learning rate |\n"
                "| training keeps falling, validation bottoms out and rises; a wide gap | overfit "
                "(high variance) | more data or augmentation, early stopping, L2 / dropout, a smaller model |\n"
                "| both close to the noise level you expect | about right | stop tuning the model; improve the "
                "data or the measurement |\n\n"
                "A gap between training and validation is not always overfitting: if the validation data "
                "come from a different operating range (another temperature, another motor), the gap measures "
                "that shift, and more capacity or regularization will not close it."
            ),
        ],
    )


# ----------------------------------------------------------------------------- sections


def _diagnosis(fit: PolyFit) -> list:
    """The verdict card: the diagnosis, the two errors against σ², and what to do about it."""
    d = poly.DIAGNOSES[fit.diagnosis]
    return [
        html.Strong(d.title),
        html.Span(figures.describe_errors(fit), className="nl-badge"),
        html.Span(d.lesson, className="nl-card-blurb"),
    ]


def _learning_curves(v: dict[str, Any], progress: Progress) -> tuple[LearningCurve, int]:
    """The learning curves at the chosen degree, and the sample size the chart marks."""
    lc = poly.learning_curve(v["degree"], v["noise"], poly.SIZES, v["seed"], progress=progress)
    return lc, v["n_train"]


# The sliders report on release (``value``), which is what the heavy jobs listen to; the fast fit
# also follows ``drag_value``, so it moves with the handle while no job starts mid-drag.
FIT_SECTION = Section(P, "fit", FIT, lambda v, _: poly.fit_poly(**v),
                      [Chart("fit", figures.fit_figure, figures.describe_fit),
                       Chart("sweep", figures.sweep_figure, figures.describe_sweep),
                       Text("diagnosis", _diagnosis, blank=[])],
                      fix="Fix the value above to see the fit.", drag=("degree", "n_train", "noise"))
BV_SECTION = Section(P, "bv", BIAS_VARIANCE, lambda v, progress: poly.bias_variance(DEGREES, **v, progress=progress),
                     [Chart("bv", figures.bias_variance_figure, figures.describe_bias_variance)],
                     fix="Fix the value above to run the experiment.", job=True)
LC_SECTION = Section(P, "lc", LEARNING_VIEW, _learning_curves,
                     [Chart("lc", lambda r: figures.learning_curve_figure(*r),
                            lambda r: figures.describe_learning_curve(*r))],
                     fix="Fix the value above to draw the learning curves.", job=True)
MEMORIZE_SECTION = Section(P, "memorize", MEMORIZE, lambda v, progress: memorize.memorize(**v, progress=progress),
                           [Chart("memorize", figures.memorize_figure, figures.describe_memorize)],
                           fix="Fix the value above to train.", job=True)


def _table_curve_run(v: dict[str, Any], progress: Progress) -> tuple:
    X, y, classify, name, said = userdata.xy(v["dataset"], seed=v["seed"])
    t = userdata.table(v["dataset"], seed=v["seed"]) if user.is_user(v["dataset"]) else None
    roles = {} if t is None else {"groups": t.groups} if t.split == "groups" else {"ordered": t.split == "time"}
    progress(0, 1)
    try:
        return table_learning_curve(X, y, classify=classify, seed=v["seed"], name=name, **roles), said
    except ValueError as exc:
        raise ParamError([f"dataset {v['dataset']}: {exc}"]) from None


TC_SECTION = Section(P, "tc", TABLE_CURVE, _table_curve_run,
                     [Chart("tc", lambda r: figures.table_curve_figure(r[0]),
                            lambda r: figures.describe_table_curve(r[0])),
                      Text("tc-blurb", lambda r: r[1])],
                     fix="Fix the value above to draw the learning curve.", job=True)
SECTIONS = (FIT_SECTION, BV_SECTION, LC_SECTION, MEMORIZE_SECTION, TC_SECTION)

update_fit, update_bias_variance, update_learning, update_memorize, update_table_curve = (
    s.register() for s in SECTIONS)
fill_datasets = userdata.wire_choice(P, DATASET)
new_sample = wire_reseed(P)
wire(P, SPEC)


QUESTIONS = (
    Value("floor", f"With noise σ = {poly.NOISE.default:g}, what validation MSE does the true curve itself score on "
          "average?", lambda: poly.NOISE.default ** 2,
          "Fresh points carry fresh noise of variance σ², so even the true curve scores σ² = {answer}. No model "
          "gets below that floor; a validation error far under it is a leak.",
          section="One sample, one polynomial", tolerance=0.02),
    Value("softmax-floor", "Softmax applied before CrossEntropyLoss on 10 classes: what is the lowest loss the "
          "network can still reach, in nats?", lambda: memorize.softmax_floor(10),
          "CrossEntropyLoss applies its own log-softmax, and probabilities between 0 and 1 cannot push the right "
          "class far enough ahead: the best case costs ln(1 + 9/e) = {answer} nats, so the batch is never "
          "memorized.", section="Before a long run: can the network memorize one batch?", tolerance=0.01,
          unit="nats"),
    Value("mlp-params", f"How many trainable numbers (weights and biases) does the {memorize.N_PIXELS} → "
          f"{memorize.HIDDEN} → {memorize.N_CLASSES} MLP of the memorization test have?",
          lambda: sum(p.numel() for p in memorize.mlp(0).parameters()),
          "in × out weights plus out biases per layer: {answer}, far more than the few dozen examples it has to "
          "store, which is why it must be able to learn them by heart.",
          section="Before a long run: can the network memorize one batch?"),
    Pick("regime", "Training and validation loss are both high and close together, and training levels off early. "
         "What is it, and what is worth trying first?",
         ("Overfitting: add dropout or weight decay", "Underfitting: a larger model, better features or less "
          "regularization", "A leak between the sets: re-split", "Nothing: both sit at the noise floor"), 1,
         "A model that cannot fit even the data it trains on lacks capacity or signal; more regularization or more "
         "data would not help.", section="Reading the two losses, and what to change"),
)
