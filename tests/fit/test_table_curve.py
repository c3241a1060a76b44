"""The learning curve on a table: scikit-learn's own numbers, with folds that follow the table's roles."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, TimeSeriesSplit, learning_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from neuralab.fit.table_curve import table_learning_curve


def _table(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X @ np.array([1.0, -2.0, 0.5]) + rng.normal(0, 0.5, n)


def _sklearn(X, y, cv, sizes, **kw):
    target = (y - y.mean()) / y.std()
    model = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
    _, tr, va = learning_curve(model, X, target, train_sizes=sizes, cv=cv, scoring="neg_mean_squared_error", **kw)
    return -tr, -va


def test_shuffled_folds_are_sklearns_learning_curve():
    X, y = _table()
    tc = table_learning_curve(X, y, classify=False, seed=3)
    tr, va = _sklearn(X, y, KFold(5, shuffle=True, random_state=3), tc.sizes, shuffle=True, random_state=3)
    assert tc.folds == "shuffled"
    np.testing.assert_allclose(tc.train, tr)
    np.testing.assert_allclose(tc.val, va)


def test_time_ordered_folds_validate_on_later_rows():
    X, y = _table()
    tc = table_learning_curve(X, y, classify=False, seed=3, ordered=True)
    first = min(len(train) for train, _ in TimeSeriesSplit(5).split(X))  # the first fold trains on the fewest
    assert tc.folds == "time" and tc.sizes.max() == first == 70
    tr, va = _sklearn(X, y, TimeSeriesSplit(5), tc.sizes)
    np.testing.assert_allclose(tc.val, va)


def test_group_folds_show_the_error_on_unseen_units_that_shuffled_folds_hide():
    """Each unit has its own offset in the target, and a one-hot column per unit: shuffled folds learn every
    unit's offset and look good; group folds validate on units never trained on, and show the real error."""
    rng = np.random.default_rng(1)
    units, per = 20, 30
    groups = np.repeat(np.arange(units), per)
    x = rng.normal(size=len(groups))
    X = np.column_stack([x, np.eye(units)[groups]])
    y = rng.normal(0, 2.0, units)[groups] + x + rng.normal(0, 0.1, len(groups))
    shuffled = table_learning_curve(X, y, classify=False, seed=0)
    grouped = table_learning_curve(X, y, classify=False, seed=0, groups=groups)
    assert grouped.folds == "groups" and shuffled.folds == "shuffled"
    assert grouped.val_mean[-1] > 5 * shuffled.val_mean[-1]


def test_roles_that_cannot_both_hold_or_too_few_groups_are_refused():
    X, y = _table()
    with pytest.raises(ValueError, match="give one of them"):
        table_learning_curve(X, y, classify=False, seed=0, ordered=True, groups=np.arange(len(y)) % 7)
    with pytest.raises(ValueError, match="needs at least 5 groups; t has 3"):
        table_learning_curve(X, y, classify=False, seed=0, groups=np.arange(len(y)) % 3, name="t")
