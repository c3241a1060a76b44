"""/fundamentals, metrics: a rare fault class, what accuracy hides, ROC against PR, a threshold from costs."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.app.selfcheck import Pick, Value
from neuralab.basics import metrics
from neuralab.params import ParamSpec
from neuralab.plots import fundamentals_metrics as figures
from neuralab.plots.format import num, pct

P = prefix("neuralab.app.pages.fundamentals")
SPEC = ParamSpec.merge("fundamentals-metrics", metrics.METRICS)
IMBALANCE_TITLE = "Class imbalance and metrics"
CURVES_TITLE = "ROC and precision–recall curves"
COST_TITLE = "Choosing the threshold from the cost of errors"
FEATURE_LIST = ", ".join(f"{name} ({unit})" for name, unit, _, _ in metrics.FEATURES)

CODE = """from sklearn import metrics

pred = (p_fault >= threshold).astype(int)
tn, fp, fn, tp = metrics.confusion_matrix(y, pred, labels=[0, 1]).ravel()
metrics.balanced_accuracy_score(y, pred), metrics.precision_score(y, pred, zero_division=0)
metrics.recall_score(y, pred), metrics.f1_score(y, pred, zero_division=0)
metrics.roc_auc_score(y, p_fault), metrics.average_precision_score(y, p_fault)   # threshold-free
"""


def run(values: dict, progress) -> metrics.Evaluated:
    return metrics.evaluate(values["metrics_prevalence"], values["metrics_threshold"], values["metrics_cost"],
                            values["metrics_seed"])


def tables(e: metrics.Evaluated) -> html.Div:
    """The metrics and the confusion matrix at the chosen threshold."""
    rows = [("Accuracy", pct(e.accuracy), "share of windows answered right"),
            ("Always “no fault”", pct(e.baseline_accuracy), "accuracy of the majority-class baseline"),
            ("Balanced accuracy", pct(e.balanced_accuracy), "mean of the recall of each class"),
            ("Precision", pct(e.precision), "of the flagged windows, the share that are faults"),
            ("Recall", pct(e.recall), "of the faults, the share that are flagged"),
            ("F1", num(e.f1), "harmonic mean of precision and recall")]
    confusion = [("Fault", f"{e.tp:,} (true positive)", f"{e.fn:,} (missed)"),
                 ("Healthy", f"{e.fp:,} (false alarm)", f"{e.tn:,} (true negative)")]
    return html.Div([
        table(("Metric", "Value", "What it counts"), rows),
        table(("Actual ↓ / flagged →", "Flagged as fault", "Not flagged"), confusion),
        html.P(figures.describe_metrics(e), className="nl-summary"),
    ])


def layout(values: dict) -> list[html.Section]:
    return [_imbalance(values), _curves(), _cost(values)]


def _imbalance(values: dict) -> html.Section:
    return ui.section(IMBALANCE_TITLE, [
        ui.md(
            "A condition monitor looks at operating windows of a motor and flags the ones that show a fault. "
            "Faults are rare, and that is what makes the usual score misleading: a monitor that never raises "
            "an alarm is right on every healthy window, so its accuracy equals the share of healthy ones. "
            "Accuracy counts both kinds of error as equal, and with few faults the missed ones barely move it.\n\n"
            f"The set here is synthetic: {metrics.N_WINDOWS:,} windows with four features ({FEATURE_LIST}), "
            "each a little higher on average when there is a fault, with wide overlap. A logistic regression "
            "is fitted on half the windows (stratified) and scored on the other half; it outputs a fault "
            "probability, and the threshold turns it into an alarm. Only a new share of faults or a new seed "
            "refits; the threshold just recounts.\n\n"
            "Balanced accuracy averages the recall of each class, so the baseline scores 50% on it whatever "
            "the imbalance. Precision asks how many alarms were real, recall how many faults were caught; F1 "
            "combines them and ignores the true negatives entirely."
        ),
        ui.row(controls(P, SPEC, values, ["metrics_prevalence", "metrics_threshold", "metrics_seed"])),
        alert(cid(P, "metrics-alert")),
        html.Div(id=cid(P, "metrics-table"), className="nl-prose", **{"aria-live": "polite"}),
        ui.code(CODE),
    ])


def _curves() -> html.Section:
    return ui.section(CURVES_TITLE, [
        ui.md(
            "Both curves sweep the threshold from strict to lenient. ROC plots the share of faults caught "
            "against the share of healthy windows falsely flagged; each axis is normalised by its own class, "
            "so the curve (and its area, AUC) does not change when faults get rarer, as long as the detector "
            "ranks them equally well. That is a strength for comparing detectors and a weakness for judging "
            "one: a false-alarm rate that looks tiny can still mean many false alarms per real fault when "
            "healthy windows outnumber faults a hundred to one.\n\n"
            "Precision–recall replaces the false-alarm rate by precision, which does depend on the share of "
            "faults. A detector with no skill sits on a horizontal line at that share, so the baseline moves "
            "with the imbalance. When the positive class is rare and the alarms it raises are what people "
            "act on, read the PR curve and its average precision (AP). Move the share of faults and watch the "
            "AUC stay roughly put while AP falls. The red dot is the current threshold."
        ),
        ui.chart(cid(P, "metrics-roc"), "ROC curve with the current threshold"),
        ui.chart(cid(P, "metrics-pr"), "Precision-recall curve with the current threshold"),
    ])


def _cost(values: dict) -> html.Section:
    return ui.section(COST_TITLE, [
        ui.md(
            "A threshold of 0.5 is a convention, not a decision. If a missed fault costs c times as much as "
            "a false alarm, flag a window when the expected cost of staying silent, c·p, exceeds that of the "
            "alarm, 1·(1 − p): that is p above 1/(1 + c). This holds for probabilities that are well "
            "calibrated, which a logistic regression trained at the true share of faults roughly gives. In "
            "practice, count the errors on held-out data across thresholds and take the cheapest, as the "
            "chart does (it uses the test half; a real project picks the threshold on validation data and "
            "keeps the test set for the final figure); then check that the recall and the alarm rate it "
            "implies are acceptable to the people who answer the alarms."
        ),
        ui.row(controls(P, SPEC, values, ["metrics_cost"])),
        ui.chart(cid(P, "metrics-cost"), "Cost of the errors against the threshold"),
    ])


SECTION = Section(
    P, "metrics", metrics.METRICS, run,
    [Text("metrics-table", tables, blank=[]),
     Chart("metrics-roc", figures.roc_figure, figures.describe_roc),
     Chart("metrics-pr", figures.pr_figure, figures.describe_pr),
     Chart("metrics-cost", figures.cost_figure, figures.describe_cost)],
    fix="Fix the value above to see these metrics.", drag=("metrics_threshold",))
SECTIONS = (SECTION,)
update_metrics = SECTION.register()


def _baseline() -> float:
    f = metrics.METRICS.fields
    e = metrics.evaluate(f["metrics_prevalence"].default, f["metrics_threshold"].default, f["metrics_cost"].default,
                         f["metrics_seed"].default)
    return round(100 * e.baseline_accuracy, 1)


QUESTIONS = (
    Value("metrics-baseline",
          f"With {metrics.METRICS.fields['metrics_prevalence'].default:g}% faulty windows (the default, seed 0), what "
          "accuracy, in percent, does a monitor that always answers “no fault” score on the test windows?",
          _baseline, "It is right on every healthy window and wrong on every fault: {answer}%.",
          section=IMBALANCE_TITLE, tolerance=0.005, unit="%"),
    Pick("metrics-no-skill", "On which curve does a detector with no skill lie on a horizontal line at the share of "
         "positives?", ("ROC curve", "Precision–recall curve", "Both", "Neither"), 1,
         "Without skill, the flagged windows are faults as often as windows in general are, so precision equals "
         "the prevalence at every recall. On the ROC curve no skill is the diagonal, whatever the prevalence.",
         section=CURVES_TITLE),
    Pick("metrics-cost-threshold", "A missed fault costs 9 false alarms and the probabilities are well calibrated. "
         "Where should the threshold go?", ("0.9", "0.5", "0.1", "0.01"), 2,
         "Flag when 9·p > 1 − p, that is p > 1/(1 + 9) = 0.1.", section=COST_TITLE),
)
