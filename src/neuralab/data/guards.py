"""Leakage guards for a user's table and a chosen train/validation split.

:func:`check` runs four guards and returns what they found, each as a :class:`Finding` with one sentence:

* ``duplicates``: validation rows whose features also occur in training, exactly (hash of the row) or nearly
  (nearest training row, on features standardized with training statistics, closer than
  :data:`NEAR_RMS` standard deviations in root-mean-square over the features). A model is then graded partly
  on rows it has seen. On scikit-learn's cancer, wine and digits tables no validation row of a shuffled split
  is that close to a training row, while with one 5%-noise copy per sample (``datasets.with_copies``) nearly
  every copy whose twin landed in training is caught. A densely sampled log (rows milliseconds apart) is
  flagged too: its neighbouring rows are near-duplicates in this sense, which is the leak of a shuffled split.
  The threshold is stated in the sentence so the reader can judge.
* ``time_shuffled``: the table has a time column and the split is shuffled. Neighbouring rows in time are
  similar, so a shuffled split hands the model the neighbours of every validation row. The guard measures it:
  the validation score of a 5-nearest-neighbour model on the given split minus its score on a time-ordered
  split of the same sizes (the first rows train, the next rows validate).
* ``proxy``: a single feature whose own score reaches :data:`PROXY_SCORE` (3-fold cross-validated R², or
  balanced accuracy for classes, of a decision tree of depth :data:`PROXY_DEPTH` on that feature alone): a
  target in disguise, such as an ID that encodes the label or a measurement taken after the outcome.
* ``group_split``: groups with rows on both sides of the split.

Scores: R² for regression, balanced accuracy for classification. Large tables are subsampled
(:data:`MAX_CHECK_ROWS`, seeded) for the model-based guards; the sentences say when.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neuralab.data.user import Table

__all__ = ["Finding", "check", "duplicates", "time_shuffled", "proxy", "group_split", "NEAR_RMS", "PROXY_SCORE"]

NEAR_RMS = 0.1  # near-duplicate: RMS difference over the standardized features below this many SDs
PROXY_SCORE = 0.98  # a single feature scoring this much on its own is flagged
PROXY_DEPTH = 6  # 64 leaves: enough to follow a continuous target that a feature copies
MAX_CHECK_ROWS = 5_000  # rows used by the model-based guards (time_shuffled, proxy)


@dataclass(frozen=True)
class Finding:
    kind: str  # "duplicates" | "time_shuffled" | "proxy" | "group_split"
    severity: str  # "warning" (likely inflates the validation score) | "info" (measured, small)
    sentence: str
    value: float  # the count, the score difference or the proxy score


def _idx(a) -> np.ndarray:
    return np.asarray(a, dtype=np.int64).ravel()


def _score_name(table: Table) -> str:
    return "R²" if table.task == "regression" else "balanced accuracy"


def _score(table: Table, y_true: np.ndarray, y_pred: np.ndarray) -> float:
    from sklearn.metrics import balanced_accuracy_score, r2_score

    if table.task == "regression":
        return float(r2_score(y_true, y_pred))
    return float(balanced_accuracy_score(y_true, y_pred))


def duplicates(table: Table, train_idx, val_idx) -> Finding | None:
    """Exact and near-duplicate validation rows of training rows (features only)."""
    import pandas as pd
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    tr, va = _idx(train_idx), _idx(val_idx)
    if len(tr) == 0 or len(va) == 0:
        return None
    h_tr = pd.util.hash_pandas_object(pd.DataFrame(table.X[tr]), index=False).to_numpy()
    h_va = pd.util.hash_pandas_object(pd.DataFrame(table.X[va]), index=False).to_numpy()
    exact = np.isin(h_va, h_tr)
    scaler = StandardScaler().fit(table.X[tr])
    nn = NearestNeighbors(n_neighbors=1).fit(scaler.transform(table.X[tr]))
    dist, _ = nn.kneighbors(scaler.transform(table.X[va][~exact])) if (~exact).any() else (np.zeros((0, 1)), None)
    rms = dist[:, 0] / np.sqrt(table.X.shape[1])
    near = int((rms <= NEAR_RMS).sum())
    n_exact = int(exact.sum())
    if n_exact + near == 0:
        return None
    share = (n_exact + near) / len(va)
    return Finding("duplicates", "warning",
                   f"{n_exact:,} validation row(s) repeat a training row exactly and {near:,} more are within "
                   f"{NEAR_RMS} standard deviations (RMS over the {table.X.shape[1]} standardized features) of one: "
                   f"{share:.1%} of the validation set is graded on rows the model has nearly seen.",
                   float(n_exact + near))


def _subsample(idx: np.ndarray, seed: int) -> np.ndarray:
    if len(idx) <= MAX_CHECK_ROWS:
        return idx
    return np.sort(np.random.default_rng(seed).choice(idx, size=MAX_CHECK_ROWS, replace=False))


def _knn_score(table: Table, tr: np.ndarray, va: np.ndarray) -> float:
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    k = min(5, len(tr))
    model = KNeighborsRegressor(k) if table.task == "regression" else KNeighborsClassifier(k)
    pipe = make_pipeline(StandardScaler(), model).fit(table.X[tr], table.y[tr])
    return _score(table, table.y[va], pipe.predict(table.X[va]))


def time_shuffled(table: Table, train_idx, val_idx, *, shuffled: bool, seed: int = 0) -> Finding | None:
    """With a time column and a shuffled split: the validation score shuffled minus time-ordered."""
    if table.time is None or not shuffled:
        return None
    tr, va = _subsample(_idx(train_idx), seed), _subsample(_idx(val_idx), seed + 1)
    if len(tr) < 2 or len(va) < 2:
        return None
    order = np.argsort(table.time, kind="stable")
    # the same numbers of rows, in time order: train first, validation right after
    o_tr, o_va = order[: len(tr)], order[len(tr): len(tr) + len(va)]
    shuffled_score, ordered_score = _knn_score(table, tr, va), _knn_score(table, o_tr, o_va)
    diff = shuffled_score - ordered_score
    name = _score_name(table)
    sub = " (on a sample)" if len(tr) < len(_idx(train_idx)) else ""
    return Finding("time_shuffled", "warning" if diff > 0.02 else "info",
                   f"The table has a time column but the split is shuffled: a 5-nearest-neighbour model scores "
                   f"validation {name} {shuffled_score:.3f} on this split and {ordered_score:.3f} when validation "
                   f"rows come after the training rows in time{sub}, a difference of {diff:+.3f}.", diff)


def proxy(table: Table, train_idx, *, seed: int = 0) -> list[Finding]:
    """Single features that predict the target on their own (cross-validated score ≥ PROXY_SCORE)."""
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    tr = _subsample(_idx(train_idx), seed)
    if len(tr) < 6:
        return []
    X, y = table.X[tr], table.y[tr]
    if table.task == "regression":
        model, scoring, cv = DecisionTreeRegressor(max_depth=PROXY_DEPTH, random_state=seed), "r2", KFold(
            3, shuffle=True, random_state=seed)
    else:
        if np.bincount(y).min(initial=len(y)) < 3 and len(np.unique(y)) > 1:
            cv = KFold(3, shuffle=True, random_state=seed)
        else:
            cv = StratifiedKFold(3, shuffle=True, random_state=seed)
        model, scoring = DecisionTreeClassifier(max_depth=PROXY_DEPTH, random_state=seed), "balanced_accuracy"
    found = []
    sub = f", on a sample of {len(tr):,} training rows" if len(tr) < len(_idx(train_idx)) else ""
    for j, name in enumerate(table.feature_names):
        score = float(np.mean(cross_val_score(model, X[:, [j]], y, cv=cv, scoring=scoring)))
        if score >= PROXY_SCORE:
            found.append(Finding(
                "proxy", "warning",
                f"Feature {name!r} alone predicts the target with a cross-validated {_score_name(table)} of "
                f"{score:.3f} (a depth-{PROXY_DEPTH} tree on that one column{sub}): check that it is not the target in "
                "disguise or measured after it.", score))
    return found


def group_split(table: Table, train_idx, val_idx) -> Finding | None:
    """Groups with rows in both training and validation."""
    if table.groups is None:
        return None
    g_tr, g_va = np.unique(table.groups[_idx(train_idx)]), np.unique(table.groups[_idx(val_idx)])
    both = np.intersect1d(g_tr, g_va)
    if len(both) == 0:
        return None
    return Finding("group_split", "warning",
                   f"{len(both):,} of the {len(g_va):,} groups in validation also have rows in training: the model "
                   "is graded on groups it has seen; a group k-fold keeps each group on one side.", float(len(both)))


def check(table: Table, train_idx, val_idx, *, shuffled: bool, seed: int = 0) -> tuple[Finding, ...]:
    """Run every guard on a split of ``table``; an empty tuple means none fired."""
    found: list[Finding] = []
    for f in (duplicates(table, train_idx, val_idx),
              time_shuffled(table, train_idx, val_idx, shuffled=shuffled, seed=seed),
              group_split(table, train_idx, val_idx)):
        if f is not None:
            found.append(f)
    found.extend(proxy(table, train_idx, seed=seed))
    return tuple(found)
