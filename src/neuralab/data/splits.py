"""Train/validation/test splits, cross-validation schemes and a leakage experiment.

Everything here is scikit-learn's own splitting, measured: class shares per split,
per-fold validation scores, and the score a leaky preprocessing step reports
against the score of the same step fitted inside each training fold.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedKFold,
    TimeSeriesSplit,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from neuralab.data.baselines import MODEL, make_model
from neuralab.data.datasets import COPIES, DATASET, Dataset, load, with_copies
from neuralab.params import SEED, Choice, Int, ParamError, ParamSpec, Rule
from neuralab.progress import Progress, quiet

__all__ = [
    "CV",
    "CVResult",
    "LEAK",
    "LeakResult",
    "SCHEMES",
    "SPLIT",
    "SplitReport",
    "ThreeWay",
    "class_shares",
    "compare_splits",
    "cross_validate",
    "run_cv",
    "fold_map",
    "leakage",
    "leakage_on",
    "split_report",
    "make_splitter",
    "three_way_split",
]

K = Int(2, 10, 5, label="Folds k", help="How many folds; each sample validates exactly once.")
TRAIN_PCT = Int(10, 90, 70, unit="%", label="Training share", help="Share of samples the model learns from.")
VAL_PCT = Int(5, 45, 15, unit="%", label="Validation share", help="Share used to tune and to stop early.")
MIN_TEST_PCT = 5


def _test_left(v: dict) -> bool:
    return v["train_pct"] + v["val_pct"] <= 100 - MIN_TEST_PCT


SPLIT = ParamSpec(
    "split",
    dataset=DATASET,
    train_pct=TRAIN_PCT,
    val_pct=VAL_PCT,
    seed=SEED,
    rules=[
        Rule(
            ("train_pct", "val_pct"),
            _test_left,
            lambda v: f"train_pct + val_pct must leave at least {MIN_TEST_PCT}% for the test set; "
            f"got {v['train_pct']}% + {v['val_pct']}% = {v['train_pct'] + v['val_pct']}%.",
        )
    ],
)


LEAK_STEP = Choice(
    (("select", "Feature selection (20 best)"), ("scale", "Standard scaler")),
    default="select",
    label="Preprocessing step",
    help="The step that is fitted either on all the data (leaky) or inside each training fold.",
)
NOISE = Int(0, 1000, 500, step=100, label="Pure-noise features added", help="Random columns with no information.")
LABELS = Choice(
    (("shuffled", "Shuffled: nothing to learn"), ("real", "Real labels")),
    default="shuffled",
    label="Labels",
    help="With shuffled labels an honest score can only reach chance level.",
)
LEAK = ParamSpec(
    "leak", dataset=DATASET, leak_step=LEAK_STEP, noise=NOISE, labels=LABELS, k=K, model=MODEL, seed=SEED
)

SPLIT_NAMES = ("train", "val", "test")

#: Called as ``progress(done, total)`` while a long computation runs (e.g. after each fold).




# --------------------------------------------------------------------------- three-way split


@dataclass(frozen=True)
class ThreeWay:
    """Sample indices of one train/validation/test split (disjoint, covering all)."""

    train: np.ndarray  # (n_train,) int
    val: np.ndarray  # (n_val,) int
    test: np.ndarray  # (n_test,) int


def three_way_split(y: np.ndarray, train_pct: int, val_pct: int, seed: int, stratify: bool) -> ThreeWay:
    """Split ``range(len(y))`` with scikit-learn's ``train_test_split``, applied twice.

    First the test share is set aside, then validation is cut from the rest. With
    ``stratify`` every split keeps the class shares of ``y`` as closely as counts allow.
    """
    SPLIT.validate(train_pct=train_pct, val_pct=val_pct, seed=seed)
    idx = np.arange(len(y))
    test_frac = (100 - train_pct - val_pct) / 100
    rest, test = train_test_split(idx, test_size=test_frac, random_state=seed, stratify=y if stratify else None)
    val_frac = val_pct / (train_pct + val_pct)
    train, val = train_test_split(
        rest, test_size=val_frac, random_state=seed, stratify=y[rest] if stratify else None
    )
    return ThreeWay(np.sort(train), np.sort(val), np.sort(test))


def class_shares(y: np.ndarray, parts: ThreeWay, n_classes: int) -> np.ndarray:
    """``(3, n_classes)`` share of each class within train, val and test (rows sum to 1)."""
    rows = [np.bincount(y[p], minlength=n_classes) / max(len(p), 1) for p in (parts.train, parts.val, parts.test)]
    return np.vstack(rows)


@dataclass(frozen=True)
class SplitReport:
    """Random against stratified splitting of one dataset, measured."""

    dataset: str  # registry key of the dataset split
    counts: tuple[int, int, int]  # samples in train, val, test
    overall: np.ndarray  # (n_classes,) class shares in the whole dataset
    random: np.ndarray  # (3, n_classes) class shares per split, plain random split
    stratified: np.ndarray  # (3, n_classes) the same with stratify=y
    rare_class: int  # index of the least frequent class
    rare_counts_random: tuple[int, int, int]  # that class's samples in each split
    rare_counts_stratified: tuple[int, int, int]

    @property
    def worst_random_pp(self) -> float:
        """Largest gap, in percentage points, between a split's class share and the overall one."""
        return float(np.abs(self.random - self.overall).max() * 100)

    @property
    def worst_stratified_pp(self) -> float:
        return float(np.abs(self.stratified - self.overall).max() * 100)


def compare_splits(dataset: str, train_pct: int, val_pct: int, seed: int) -> SplitReport:
    """Split ``dataset`` at random and stratified with the same seed, and measure both."""
    SPLIT.validate(dataset=dataset, train_pct=train_pct, val_pct=val_pct, seed=seed)
    return split_report(load(dataset), train_pct, val_pct, seed)


def split_report(ds: Dataset, train_pct: int, val_pct: int, seed: int) -> SplitReport:
    """:func:`compare_splits` on a dataset object (a user's table as :class:`Dataset`); ``dataset`` is ``ds.name``."""
    rnd = three_way_split(ds.y, train_pct, val_pct, seed, stratify=False)
    strat = three_way_split(ds.y, train_pct, val_pct, seed, stratify=True)
    overall = np.bincount(ds.y, minlength=ds.n_classes) / ds.n_samples
    rare = int(np.argmin(overall))

    def rare_counts(p: ThreeWay) -> tuple[int, int, int]:
        return tuple(int((ds.y[s] == rare).sum()) for s in (p.train, p.val, p.test))

    return SplitReport(
        dataset=ds.name,
        counts=(len(rnd.train), len(rnd.val), len(rnd.test)),
        overall=overall,
        random=class_shares(ds.y, rnd, ds.n_classes),
        stratified=class_shares(ds.y, strat, ds.n_classes),
        rare_class=rare,
        rare_counts_random=rare_counts(rnd),
        rare_counts_stratified=rare_counts(strat),
    )


# --------------------------------------------------------------------------- cross-validation


@dataclass(frozen=True)
class _Scheme:
    title: str
    lesson: str  # one sentence: when to use it


SCHEMES: dict[str, _Scheme] = {
    "kfold": _Scheme("K-fold, shuffled", "Every sample validates once; fine for independent samples."),
    "stratified": _Scheme("Stratified k-fold", "Also keeps each class's share in every fold."),
    "group": _Scheme(
        "Group k-fold", "All samples of one group stay in one fold: no copy of a validation sample trains."
    ),
    "timeseries": _Scheme("Time-series split", "Trains only on the past of each validation block; the window grows."),
}


SCHEME = Choice(
    tuple((k, s.title) for k, s in SCHEMES.items()),
    default="kfold",
    label="Scheme",
    help="How the folds are drawn.",
)

CV = ParamSpec("cv", dataset=DATASET, scheme=SCHEME, copies=COPIES, k=K, model=MODEL, seed=SEED)


def make_splitter(scheme: str, k: int, seed: int):
    """The scikit-learn splitter behind ``scheme`` (a key of :data:`SCHEMES`)."""
    if scheme == "kfold":
        return KFold(k, shuffle=True, random_state=seed)
    if scheme == "stratified":
        return StratifiedKFold(k, shuffle=True, random_state=seed)
    if scheme == "group":
        return GroupKFold(k, shuffle=True, random_state=seed)
    if scheme == "timeseries":
        return TimeSeriesSplit(k)
    raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}; got {scheme!r}.")


@dataclass(frozen=True)
class CVResult:
    """One cross-validation scheme run on one dataset."""

    scheme: str
    folds: tuple[tuple[np.ndarray, np.ndarray], ...]  # (train indices, validation indices) per fold
    scores: np.ndarray  # (k,) validation accuracy per fold; NaN where the fold could not be fitted
    n_samples: int
    notes: tuple[str, ...] = ()  # why a fold has no score, in plain words
    twins: tuple[int, ...] = ()  # per fold: validation samples whose group (a sample and its copies) also trains
    groups: int = 0  # distinct groups in the data (n_samples when every sample is its own group)

    @property
    def mean(self) -> float:
        """Mean over the folds that have a score."""
        ok = self.scores[np.isfinite(self.scores)]
        return float(ok.mean()) if len(ok) else float("nan")

    @property
    def std(self) -> float:
        """Sample standard deviation (ddof=1) over the folds that have a score."""
        ok = self.scores[np.isfinite(self.scores)]
        return float(ok.std(ddof=1)) if len(ok) > 1 else float("nan")


def fold_map(folds, n_samples: int) -> np.ndarray:
    """``(k, n_samples)`` int8 map: 0 unused, 1 training, 2 validation, per fold."""
    out = np.zeros((len(folds), n_samples), dtype=np.int8)
    for i, (tr, va) in enumerate(folds):
        out[i, tr] = 1
        out[i, va] = 2
    return out


def cross_validate(
    ds: Dataset, scheme: str, k: int, model: str, seed: int, progress: Progress = quiet
) -> CVResult:
    """Score ``model`` on each fold of ``scheme``; the scaler is fitted per training fold."""
    splitter = make_splitter(scheme, k, seed)
    folds = tuple(splitter.split(ds.X, ds.y, ds.groups))
    scores = np.full(len(folds), np.nan)
    notes = []
    twins = tuple(int(np.isin(ds.groups[va], ds.groups[tr]).sum()) for tr, va in folds)
    for i, (tr, va) in enumerate(folds):
        progress(i, len(folds))
        n_train_classes = len(np.unique(ds.y[tr]))
        if n_train_classes < 2:
            notes.append(f"Fold {i + 1} trains on one class only, so no classifier can be fitted.")
            continue
        est = make_model(model).fit(ds.X[tr], ds.y[tr])
        scores[i] = est.score(ds.X[va], ds.y[va])
    return CVResult(scheme, folds, scores, ds.n_samples, tuple(notes), twins, len(np.unique(ds.groups)))


def run_cv(
    dataset: str, scheme: str, copies: int, k: int, model: str, seed: int, progress: Progress = quiet
) -> CVResult:
    """Validated :func:`cross_validate` by names (deterministic given the seed)."""
    CV.validate(dataset=dataset, scheme=scheme, copies=copies, k=k, model=model, seed=seed)
    ds = with_copies(dataset, copies, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # few members of a rare class per fold
        return cross_validate(ds, scheme, k, model, seed, progress)


# --------------------------------------------------------------------------- leakage

SELECT_K = 20  # features kept by the selection step


@dataclass(frozen=True)
class LeakResult:
    """Cross-validated balanced accuracy of a step fitted outside against inside the folds.

    Balanced accuracy is the mean of per-class recall, so guessing scores
    1 / n_classes however rare a class is (plain accuracy would reward always
    answering with the common class).
    """

    leaky: np.ndarray  # (k,) step fitted on all samples, then cross-validated
    honest: np.ndarray  # (k,) step refitted on each training fold only (a Pipeline)
    chance: float  # balanced accuracy of guessing: 1 / n_classes
    n_features: int  # columns after the noise features were added

    @property
    def gap_pp(self) -> float:
        """How much the leak inflates the mean score, in percentage points."""
        return float((self.leaky.mean() - self.honest.mean()) * 100)


def _step(leak_step: str):
    return SelectKBest(f_classif, k=SELECT_K) if leak_step == "select" else StandardScaler()


def leakage(
    dataset: str, leak_step: str, noise: int, labels: str, k: int, model: str, seed: int, progress: Progress = quiet
) -> LeakResult:
    """Fit ``leak_step`` on all data then cross-validate, against fitting it per fold.

    The two runs share data, labels, folds and model; only where the step is fitted
    differs, so the score gap is what the leak is worth.
    """
    LEAK.validate(dataset=dataset, leak_step=leak_step, noise=noise, labels=labels, k=k, model=model, seed=seed)
    return leakage_on(load(dataset), leak_step, noise, labels, k, model, seed, progress)


def leakage_on(
    ds: Dataset, leak_step: str, noise: int, labels: str, k: int, model: str, seed: int, progress: Progress = quiet,
    max_rows: int | None = None,
) -> LeakResult:
    """:func:`leakage` on a dataset object (a user's table as :class:`Dataset`).

    With ``max_rows`` a longer dataset is first cut to that many rows, stratified by class (seeded): the noise
    columns make the experiment cost rows x noise.
    """
    if max_rows is not None and ds.n_samples > max_rows:
        keep = np.sort(train_test_split(np.arange(ds.n_samples), train_size=max_rows, random_state=seed,
                                        stratify=ds.y)[0])
        ds = Dataset(ds.name, ds.title, ds.X[keep], ds.y[keep], ds.groups[keep], ds.class_names)
    rng = np.random.default_rng(seed)
    X = np.hstack([ds.X, rng.normal(size=(ds.n_samples, noise))])  # (n, f + noise)
    y = ds.y if labels == "real" else rng.permutation(ds.y)
    if leak_step == "select" and X.shape[1] < SELECT_K:
        raise ParamError([f"noise must leave at least {SELECT_K} features to select from."])
    folds = list(StratifiedKFold(k, shuffle=True, random_state=seed).split(X, y))
    # after selection the model scales its own input; a leaky scaler must not be undone
    scale_in_model = leak_step == "select"
    leaky, honest = np.empty(k), np.empty(k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # constant columns (digit borders) give F = 0/0
        leaky_X = clone(_step(leak_step)).fit_transform(X, y)  # the leak: fitted on every row
        for i, (tr, va) in enumerate(folds):
            progress(i, k)
            est = make_model(model, scale=scale_in_model).fit(leaky_X[tr], y[tr])
            leaky[i] = balanced_accuracy_score(y[va], est.predict(leaky_X[va]))
            pipe = make_pipeline(_step(leak_step), make_model(model, scale=scale_in_model)).fit(X[tr], y[tr])
            honest[i] = balanced_accuracy_score(y[va], pipe.predict(X[va]))
    return LeakResult(leaky, honest, 1.0 / ds.n_classes, X.shape[1])
