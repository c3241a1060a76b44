"""/splits: train/validation/test, cross-validation schemes, and leakage measured."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
from dash import Input, Output, State, clientside_callback, html

from neuralab.app import ui, userdata
from neuralab.app.controls import alert, cid, controls, wire
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text
from neuralab.app.selfcheck import Pick, Value
from neuralab.data import guards, user
from neuralab.data.datasets import DATASET, DATASETS, load, with_copies
from neuralab.data.splits import (
    CV,
    LEAK,
    SCHEMES,
    SPLIT,
    CVResult,
    SplitReport,
    compare_splits,
    cross_validate,
    leakage,
    leakage_on,
    make_splitter,
    run_cv,
    split_report,
)
from neuralab.data.user import is_user
from neuralab.params import Applies, DatasetChoice, ParamSpec
from neuralab.plots import splits as figures
from neuralab.progress import Progress

P = prefix(__name__)
#: The dataset choice also takes the learner's own datasets (``user:<id>``, listed by userdata.wire_choice).
USER_DATASET = DatasetChoice.from_choice(DATASET)
SPLIT_U, CV_U, LEAK_U = (s.with_fields(dataset=USER_DATASET) for s in (SPLIT, CV, LEAK))
#: The copies slider adds noisy copies to a built-in dataset; on the learner's own table it is disabled, saying why.
COPIES_APPLY = Applies("copies", "dataset", tuple(v for v, _ in DATASET.options),
                       "Copies are added to the built-in datasets only: your own table is split as it is, and the "
                       "leakage check under the map counts the duplicates it already holds.")
CV_U = ParamSpec(CV_U.name, CV_U.rules, (*CV_U.applies, COPIES_APPLY), **CV_U.fields)
SPEC = ParamSpec.merge(P, SPLIT_U, CV_U, LEAK_U)
LEAK_ROWS = 2_000  # a user table's leak experiment runs on this many of its rows (seeded): 1,000 noise columns
#: A user table's size bar and class shares follow the training-share drag on this many of its rows (seeded).
LIGHT_ROWS = user.LIGHT_ROWS
GROUP_COPIES = 2  # the copies choosing Group k-fold sets when there were none, so that groups hold several samples


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Data splits & leakage",
                "How you divide your data decides whether a score can be believed. Every number below "
                "is computed on the dataset you pick, with scikit-learn's own splitters.",
                messages,
            ),
            ui.toolbar(controls(P, SPEC, values, ["dataset", "seed"]), html.P(id=cid(P, "blurb"), className="nl-help")),
            ui.section(
                "Three sets, three jobs",
                [
                    ui.md(
                        "The **training** set is what the weights learn from. The **validation** set is never "
                        "learned from, but you look at it every epoch to choose hyperparameters and when to stop, "
                        "so it slowly stops being neutral. The **test** set is opened once, at the end, for the "
                        "number you report."
                    ),
                    ui.row(controls(P, SPEC, values, ["train_pct", "val_pct"], drag=True)),
                    alert(cid(P, "split-alert")),
                    ui.chart(cid(P, "sizes"), "Sample counts per split"),
                    ui.md(
                        "A random split can leave a class under-represented in a small split. **Stratifying** "
                        "(`train_test_split(..., stratify=y)`) keeps every class's share. Each bar is how far a "
                        "class's share in one split lies from its share in the whole dataset; pick *Breast cancer, "
                        "rare class* and change the seed to see the random split wander."
                    ),
                    ui.chart(cid(P, "shares"), "Class share per split, random against stratified"),
                ],
            ),
            ui.section(
                "Cross-validation: which samples validate in which fold",
                [
                    ui.md(
                        "With little data, one validation split is a noisy measurement. k-fold cross-validation "
                        "rotates the validation role through k folds and reports the mean ± standard deviation. "
                        "Rows are folds, columns are samples: **blue trains, orange validates, grey is unused**. "
                        "The strip on top is each sample's class. The built-in datasets have no clock, so for the "
                        "time-series split their row order stands in for time; a dataset of yours with a time "
                        "column is put in time order first."
                    ),
                    ui.row(controls(P, SPEC, values, ["scheme", "k", "copies", "model"])),
                    alert(cid(P, "cv-alert")),
                    ui.chart(cid(P, "folds"), "Fold by sample map with each fold's validation accuracy", heavy=True),
                    html.Ul(id=cid(P, "cv-notes"), className="nl-notes"),
                    ui.md(
                        "Groups only matter when a group holds more than one sample. With 0 copies every sample is "
                        f"a group of its own, so choosing *Group k-fold* there sets the copies to {GROUP_COPIES}. "
                        "If copies are already 1 or more they are left as they are, and you can change them "
                        "afterwards. Then pick **1-nearest neighbour** and compare *K-fold* with *Group k-fold*: "
                        "plain k-fold puts a sample's copy in training while the sample validates, and the nearest "
                        "neighbour simply looks up that near-twin; the notes above count how many validation "
                        "samples had a copy in training. Drag across the map to zoom in and see a sample and "
                        "its copies side by side. In sensor data the same happens with overlapping windows or "
                        "several logs of one drive cycle: split by the cycle (the group), never by the row."
                    ),
                ],
            ),
            ui.section(
                "Leakage, measured",
                [
                    ui.md(
                        "A preprocessing step that learns from data (a scaler's mean and σ, a feature selector's "
                        "ranking) must be fitted on training data only. Here the same step runs twice over the "
                        "same folds: once fitted on *all* samples before cross-validation (the leak), once inside "
                        "a `Pipeline`, refitted on each training fold. Only where it is fitted differs. Scores are "
                        "balanced accuracy (the mean recall over classes), so guessing scores 1 / classes.\n\n"
                        "Selection leaks badly: with shuffled labels there is nothing to learn, yet the noise "
                        "columns that happen to match the labels best are picked using the validation rows too. "
                        "A scaler leaks little on rows that are independent, as these are; on a drifting sensor "
                        "log, statistics taken over the whole recording carry the future into training."
                    ),
                    ui.row(controls(P, SPEC, values, ["leak_step", "noise", "labels"])),
                    alert(cid(P, "leak-alert")),
                    ui.chart(cid(P, "leak"), "Validation accuracy with the step fitted outside or inside the folds",
                             heavy=True),
                    ui.code(
                        "from sklearn.pipeline import make_pipeline\n"
                        "from sklearn.feature_selection import SelectKBest, f_classif\n"
                        "from sklearn.preprocessing import StandardScaler\n"
                        "from sklearn.linear_model import RidgeClassifier\n"
                        "from sklearn.model_selection import StratifiedKFold, cross_val_score\n\n"
                        "# every learned step inside the pipeline: refitted on each training fold only\n"
                        "model = make_pipeline(SelectKBest(f_classif, k=20), StandardScaler(), RidgeClassifier())\n"
                        "scores = cross_val_score(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))\n"
                        "print(f\"{scores.mean():.3f} ± {scores.std(ddof=1):.3f}\")"
                    ),
                ],
            ),
        ]
    )


def _user(dataset: str, max_rows: int = user.INTERACTIVE_ROWS) -> tuple:
    """A user dataset as the page's splitters see it: the table (sampled), and it as a labelled dataset."""
    t = userdata.table(dataset, max_rows=max_rows)
    return t, userdata.dataset(t)


def _report(v: dict) -> tuple[SplitReport, tuple[str, ...], object]:
    """The split report, its dataset's class names (the shares chart labels them), and a user table or None."""
    if not is_user(v["dataset"]):
        return compare_splits(**v), load(v["dataset"]).class_names, None
    t, ds = _user(v["dataset"], LIGHT_ROWS)  # the split follows the slider's drag: a smaller sample, said in the blurb
    return _user_report(ds, v["dataset"], v["train_pct"], v["val_pct"], v["seed"]), ds.class_names, t


_REPORTS: dict[tuple, tuple] = {}  # (id of the prepared dataset, its values) -> (that dataset, the report)


def _user_report(ds, dataset: str, train_pct: int, val_pct: int, seed: int) -> SplitReport:
    """The report on a user table, made once for the size bar and the shares chart (one move asks both).

    Keyed by the prepared dataset object itself: a deleted or re-sampled table is a new object, never a stale hit.
    """
    key = (id(ds), dataset, train_pct, val_pct, seed)
    got = _REPORTS.get(key)
    if got is None or got[0] is not ds:
        if len(_REPORTS) >= 64:
            _REPORTS.clear()
        got = _REPORTS[key] = (ds, replace(split_report(ds, train_pct, val_pct, seed), dataset=dataset))
    return got[1]


def _sizes_caption(r: tuple) -> str:
    said = figures.describe_sizes(r[0])
    return said if r[2] is None else f"{r[2].name}: {said}"


def _blurb(r: tuple) -> str:
    return DATASETS[r[0].dataset].blurb if r[2] is None else userdata.describe(r[2], binned=True)


def _cv(v: dict, progress: Progress) -> tuple[CVResult, np.ndarray, tuple[str, ...], list[str]]:
    if not is_user(v["dataset"]):
        ds = with_copies(v["dataset"], v["copies"], v["seed"])
        return run_cv(**v, progress=progress), ds.y, ds.class_names, []
    t, ds = _user(v["dataset"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # few members of a rare class per fold
        result = cross_validate(ds, v["scheme"], v["k"], v["model"], v["seed"], progress)
    tr, va = result.folds[0]
    found = guards.check(t, tr, va, shuffled=v["scheme"] != "timeseries", seed=v["seed"])
    said = [userdata.describe(t, binned=True)]
    if v["scheme"] == "group" and t.groups is None:
        said.append("Your table has no group column, so every row is a group of its own and this is plain k-fold.")
    said += [f"Leakage check, first fold: {f.sentence}" for f in found] or [
        "Leakage check, first fold: no duplicate rows across the split, no single-feature proxy of the target, "
        "no group on both sides, no shuffled time order."]
    return result, ds.y, ds.class_names, said


def _cv_notes(out: tuple[CVResult, np.ndarray, tuple[str, ...], list[str]]) -> list:
    result, user_notes = out[0], out[3]
    twins = "" if user_notes else figures.describe_twins(result)
    return ([html.Li(SCHEMES[result.scheme].lesson)] + ([html.Li(twins)] if twins else [])
            + [html.Li(n) for n in result.notes] + [html.Li(n, className="nl-finding") for n in user_notes])


def _leak(v: dict, progress: Progress):
    if not is_user(v["dataset"]):
        return leakage(**v, progress=progress)
    _, ds = _user(v["dataset"])
    rest = {k: x for k, x in v.items() if k != "dataset"}
    return leakage_on(ds, **rest, progress=progress, max_rows=LEAK_ROWS)


def _leak_caption(dataset: str):
    def describe(r) -> str:
        said = figures.describe_leak(r)
        return said if not is_user(dataset) else said + f" On your data: {LEAK_ROWS:,} of its rows (seeded)."
    return describe


# The size bar (what the slider moves) and the shares chart are two sections, so the bar redraws at once.
SIZES = Section(P, "split", SPLIT_U, lambda v, _: _report(v),
                [Chart("sizes", lambda r: figures.sizes_figure(r[0]), _sizes_caption), Text("blurb", _blurb)],
                fix="Fix the value above to see the split.")
SHARES = Section(P, "shares", SPLIT_U, lambda v, _: _report(v),
                 [Chart("shares", lambda r: figures.class_share_figure(*r[:2]),
                        lambda r: figures.describe_class_shares(*r[:2]))],
                 fix="Fix the value above to see the class shares.", alert=False)
CV_SECTION = Section(P, "cv", CV_U, _cv,
                     [Chart("folds", lambda r: figures.fold_figure(*r[:3]), lambda r: figures.describe_folds(r[0])),
                      Text("cv-notes", _cv_notes, blank=[])],
                     fix="Fix the value above to run cross-validation.", job=True)
LEAK_SECTION = Section(P, "leak", LEAK_U, lambda v, progress: (v["dataset"], _leak(v, progress)),
                       [Chart("leak", lambda r: figures.leak_figure(r[1]), lambda r: _leak_caption(r[0])(r[1]))],
                       fix="Fix the value above to run the experiment.", job=True)
SECTIONS = (SIZES, SHARES, CV_SECTION, LEAK_SECTION)

update_sizes, update_shares, update_cv, update_leak = (s.register() for s in SECTIONS)
wire(P, SPEC)
fill_datasets = userdata.wire_choice(P, DATASET)


# Choosing Group k-fold with 0 copies sets GROUP_COPIES. Only a change of scheme runs this, never the first load,
# so a link with scheme=group&copies=0 reloads as it was written (the note under the chart then says why).
clientside_callback(
    f"""function(scheme, copies) {{
        return scheme === "group" && copies === 0 ? {GROUP_COPIES} : window.dash_clientside.no_update;
    }}""",
    Output(cid(P, "copies"), "value"),
    Input(cid(P, "scheme"), "value"),
    State(cid(P, "copies"), "value"),
    prevent_initial_call=True,
)


def _test_count() -> int:
    return compare_splits("wine", 70, 15, 0).counts[2]


def _first_fold_train() -> int:
    train, _ = next(make_splitter("timeseries", 5, 0).split(np.arange(120)))
    return len(train)


QUESTIONS = (
    Value("test-count", "The wine data split 70 % training and 15 % validation with seed 0: how many samples are left "
          "for the test set?", _test_count,
          "The test share is set aside first, and scikit-learn rounds a fractional test size up: {answer} samples.",
          section="Three sets, three jobs"),
    Value("first-fold", "A time-series split with k = 5 over 120 samples in time order: how many samples does the "
          "first fold train on?", _first_fold_train,
          "Each validation block holds 120 // (k + 1) samples and a fold trains only on what comes before its "
          "block, so the first fold has just {answer}; every later fold trains on more.",
          section="Cross-validation: which samples validate in which fold"),
    Pick("copies", "Every sample is in the data three times, with a little noise on each copy. Which scheme gives "
         "an honest validation score?",
         ("K-fold, shuffled", "Stratified k-fold", "Group k-fold, a sample and its copies forming one group",
          "Any of them: the copies average out"), 2,
         "Only grouping keeps a sample and its copies on the same side. Otherwise one copy trains while another "
         "validates, and a nearest-neighbour model simply looks the answer up.",
         section="Cross-validation: which samples validate in which fold"),
    Pick("selection", "Labels shuffled, 500 pure-noise columns, and the 20 best columns chosen on all rows before "
         "cross-validation. What does the validation score do?",
         ("Stays at chance level, as it should", "Climbs well above chance although there is nothing to learn",
          "Falls clearly below chance"), 1,
         "The selection saw the validation rows' labels and kept the noise that happens to agree with them. Fitted "
         "inside each training fold (a Pipeline), the same step brings the score back to chance.",
         section="Leakage, measured"),
)
