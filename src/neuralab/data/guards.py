"""Leakage guards for a user's table and a chosen train/validation split.

:func:`check` runs four guards and returns what they found, each as a :class:`Finding` with one sentence:

* ``duplicates``: validation rows whose features also occur in training, exactly (hash of the row) or nearly
  (nearest training row, on features standardized with training statistics, closer than
  :data:`NEAR_RMS` standard deviations in root-mean-square over the features). A model is then graded partly
  on rows it has seen. On scikit-learn's cancer, wine and digits tables no validation row of a shuffled split
  is that close to a training row, while with one 5%-noise copy per sample (``datasets.with_copies``) nearly
  every copy whose twin landed in training is caught. The threshold is stated in the sentence so the reader can
  judge. A table with a time column is compared differently: consecutive rows of a log sampled fast are
  near-identical by nature (autocorrelation), so training rows within :func:`time_gap` rows of a validation row
  in time are left out of its comparison, and those neighbours are reported apart, as the expected effect of the
  shuffle that a time-ordered split avoids (``time_shuffled`` measures what it does to a score).
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

__all__ = ["Finding", "check", "duplicates", "time_gap", "time_shuffled", "proxy", "group_split", "NEAR_RMS",
           "PROXY_SCORE", "MAX_TIME_GAP"]

NEAR_RMS = 0.1  # near-duplicate: RMS difference over the standardized features below this many SDs
PROXY_SCORE = 0.98  # a single feature scoring this much on its own is flagged
PROXY_DEPTH = 6  # 64 leaves: enough to follow a continuous target that a feature copies
MAX_CHECK_ROWS = 5_000  # rows used by the model-based guards (time_shuffled, proxy)
MAX_TIME_GAP = 32  # a timed table's rows at most this many apart in time are neighbours, never near-duplicates
GAP_SHARE = 0.01  # neighbours: rows this far apart are within NEAR_RMS this much more often than random pairs


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


def time_gap(table: Table, *, seed: int = 0) -> int:
    """How many rows apart in time a timed table's rows stay near-identical: its neighbourhood, 0 to MAX_TIME_GAP.

    The smallest lag ``L`` at which row pairs ``L`` apart (in time order, features standardized) lie within
    :data:`NEAR_RMS` no more often than random pairs of rows do, give or take :data:`GAP_SHARE`, minus one;
    :data:`MAX_TIME_GAP` if even that far they do. 0 for independent rows (whatever their number of features) or a
    table without a time column. Measured on up to 2,000 seeded pairs per lag.
    """
    if table.time is None or len(table.y) < 3:
        return 0
    from sklearn.preprocessing import StandardScaler

    Z = StandardScaler().fit_transform(table.X[np.argsort(table.time, kind="stable")])
    rng = np.random.default_rng(seed)

    def near(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.mean(np.sqrt(np.mean((Z[a] - Z[b]) ** 2, axis=1)) <= NEAR_RMS))

    n = min(2_000, len(Z))
    chance = near(rng.integers(0, len(Z), n), rng.integers(0, len(Z), n)) + GAP_SHARE
    for lag in range(1, MAX_TIME_GAP + 1):
        if lag >= len(Z):
            return lag - 1
        start = rng.choice(len(Z) - lag, size=min(n, len(Z) - lag), replace=False)
        if near(start + lag, start) <= chance:
            return lag - 1
    return MAX_TIME_GAP


def _rank(table: Table) -> np.ndarray:
    """Each row's position in time order."""
    rank = np.empty(len(table.y), dtype=np.int64)
    rank[np.argsort(table.time, kind="stable")] = np.arange(len(table.y))
    return rank


def _exact_apart(h_tr: np.ndarray, r_tr: np.ndarray, h_va: np.ndarray, r_va: np.ndarray, gap: int) -> np.ndarray:
    """Validation rows whose hash occurs in training at a row more than ``gap`` rows away in time."""
    order = np.lexsort((r_tr, h_tr))
    h, r = h_tr[order], r_tr[order]
    lo, hi = np.searchsorted(h, h_va, "left"), np.searchsorted(h, h_va, "right")
    found = hi > lo
    first, last = r[np.minimum(lo, len(r) - 1)], r[np.maximum(hi - 1, 0)]  # ranks sorted within a hash
    return found & ((first < r_va - gap) | (last > r_va + gap))


def duplicates(table: Table, train_idx, val_idx, *, seed: int = 0, shuffled: bool = False) -> Finding | None:
    """Exact and near-duplicate validation rows of training rows (features only).

    With a time column, training rows within :func:`time_gap` rows of a validation row in time are its
    neighbours: they are not counted as its duplicates, and the rows near only to such neighbours are reported
    apart (severity ``info`` when they are all there is, unless the split is ``shuffled``: then they sit on
    both sides of it and inflate its score, a ``warning``).
    """
    import pandas as pd
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    tr, va = _idx(train_idx), _idx(val_idx)
    if len(tr) == 0 or len(va) == 0:
        return None
    gap = time_gap(table, seed=seed)
    h_tr = pd.util.hash_pandas_object(pd.DataFrame(table.X[tr]), index=False).to_numpy()
    h_va = pd.util.hash_pandas_object(pd.DataFrame(table.X[va]), index=False).to_numpy()
    rank = _rank(table) if gap else None
    exact = np.isin(h_va, h_tr) if rank is None else _exact_apart(h_tr, rank[tr], h_va, rank[va], gap)
    scaler = StandardScaler().fit(table.X[tr])
    k = min(2 * gap + 1, len(tr))  # at most 2·gap training rows are neighbours: one of these k is not
    nn = NearestNeighbors(n_neighbors=k).fit(scaler.transform(table.X[tr]))
    rest = va[~exact]
    dist, ind = nn.kneighbors(scaler.transform(table.X[rest])) if len(rest) else (np.zeros((0, k)), None)
    rms = dist / np.sqrt(table.X.shape[1])
    if rank is None:
        near, only_neighbours = int((rms[:, 0] <= NEAR_RMS).sum()), 0
    else:
        apart = np.abs(rank[tr][ind] - rank[rest][:, None]) > gap if len(rest) else np.zeros((0, k), bool)
        nearest_apart = np.where(apart, rms, np.inf).min(axis=1, initial=np.inf)
        near = int((nearest_apart <= NEAR_RMS).sum())
        only_neighbours = int(((rms[:, 0] <= NEAR_RMS) & (nearest_apart > NEAR_RMS)).sum())
    n_exact = int(exact.sum())
    if n_exact + near + only_neighbours == 0:
        return None
    share = (n_exact + near) / len(va)
    scope = "" if rank is None else f"Compared with training rows more than {gap} row(s) away in time, "
    said = (f"{scope}{n_exact:,} validation row(s) repeat a training row exactly and {near:,} more are within "
            f"{NEAR_RMS} standard deviations (RMS over the {table.X.shape[1]} standardized features) of one: "
            f"{share:.1%} of the validation set is graded on rows the model has nearly seen.")
    if rank is not None:
        cap = f" (at least {gap}: the check stops there)" if gap >= MAX_TIME_GAP else ""
        said += (f" Another {only_neighbours / len(va):.1%} ({only_neighbours:,}) are that close only to training "
                 f"rows within {gap} row(s) of them in time{cap}: consecutive rows of a fast-sampled log are "
                 "correlated, so these are neighbours, not copies. A shuffled split still puts them on both sides "
                 "and inflates the validation score (the time-order check measures by how much); a time-ordered "
                 "split has them only at its boundary.")
    worse = n_exact + near or (shuffled and only_neighbours)
    return Finding("duplicates", "warning" if worse else "info", said, float(n_exact + near))


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
    for f in (duplicates(table, train_idx, val_idx, seed=seed, shuffled=shuffled),
              time_shuffled(table, train_idx, val_idx, shuffled=shuffled, seed=seed),
              group_split(table, train_idx, val_idx)):
        if f is not None:
            found.append(f)
    found.extend(proxy(table, train_idx, seed=seed))
    return tuple(found)
