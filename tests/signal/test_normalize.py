"""Normalizers fitted on the training rows only, and the leak measured when they are not, against scikit-learn."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, Normalizer, RobustScaler, StandardScaler

from neuralab.params import ParamError
from neuralab.signal import features, normalize


def test_normalizer_registry_is_sklearn():
    assert normalize.NORMALIZERS == {
        "zscore": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler, "unit": Normalizer
    }
    assert [v for v, _ in normalize.NORMALIZER.options] == list(normalize.NORMALIZERS)
    sat = normalize.make_normalizer("minmax", saturate=True)
    assert isinstance(sat, MinMaxScaler) and sat.clip
    with pytest.raises(ParamError, match="saturate needs normalizer 'minmax'"):
        normalize.make_normalizer("zscore", saturate=True)


def _state(est):
    return {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([*normalize.NORMALIZERS, "detrend"]),
    arrays(np.float64, (12, 6), elements=st.floats(-1e6, 1e6, allow_subnormal=False)),
)
def test_fitting_on_training_rows_never_reflects_validation_rows(name, new_val):
    X = np.random.default_rng(0).normal(size=(40, 6))
    train = np.arange(28)
    changed = X.copy()
    changed[28:] = new_val  # anything at all in the validation rows

    def fit(data):
        est = features.Detrend() if name == "detrend" else normalize.make_normalizer(name)
        return est.fit(data[train])

    a, b = fit(X), fit(changed)
    for key, value in _state(a).items():
        np.testing.assert_array_equal(value, _state(b)[key])
    np.testing.assert_array_equal(a.transform(X[train]), b.transform(changed[train]))


# --------------------------------------------------------------------------- leakage through preprocessing


def _drifting(n=1000, seed=0):
    """Load and speed stay put; the winding heats up over the log, so the tail is hotter than any training row."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    temp = 20.0 + 100.0 * (t / n) ** 1.5 + rng.normal(0.0, 2.0, n)
    load, speed = rng.uniform(0.0, 1.0, (2, n))
    y = 10 * load * (1 + 0.004 * (temp - 20)) + 0.3 * speed + 0.05 * temp + rng.normal(0.0, 0.2, n)
    return np.column_stack([load, speed, temp]), y, t


def test_saturating_inputs_make_the_leaky_score_look_far_better_under_drift():
    X, y, t = _drifting()
    res = normalize.pipeline_leak(X, y, t, 0.7, "minmax", "saturate", "ridge")
    assert res.out_of_range[2] > 0.5  # most of the tail is hotter than any training row
    assert res.honest_rmse > 1.5 * res.leaky_rmse and res.gap > 0.3


def test_honest_arm_is_a_pipeline_fitted_on_the_oldest_rows():
    X, y, t = _drifting()
    shuffled = np.random.default_rng(5).permutation(len(y))  # time order, not row order, decides the split
    res = normalize.pipeline_leak(X[shuffled], y[shuffled], t[shuffled], 0.7, "zscore", "extrapolate", "ridge")
    pipe = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(X[:700], y[:700])
    np.testing.assert_allclose(res.pred_honest, pipe.predict(X[700:]))
    leaky_scaler = StandardScaler().fit(X)
    ridge = Ridge(alpha=1.0).fit(leaky_scaler.transform(X[:700]), y[:700])
    np.testing.assert_allclose(res.pred_leaky, ridge.predict(leaky_scaler.transform(X[700:])))
    assert abs(res.gap) < 0.01 * res.honest_rmse  # an affine scaler barely matters to a linear model


def test_a_normalizer_that_learns_nothing_cannot_leak():
    X, y, t = _drifting()
    res = normalize.pipeline_leak(X, y, t, 0.7, "unit", "extrapolate", "knn")
    assert res.gap == 0.0
    np.testing.assert_array_equal(res.pred_leaky, res.pred_honest)


@settings(max_examples=20, deadline=None)
@given(st.integers(700, 999), st.floats(-1e4, 1e4), st.sampled_from(list(normalize.NORMALIZERS)))
def test_changing_a_tail_row_moves_no_other_honest_prediction(row, value, normalizer):
    X, y, t = _drifting(seed=1)
    base = normalize.pipeline_leak(X, y, t, 0.7, normalizer, "extrapolate", "ridge")
    X2 = X.copy()
    X2[row, 2] = value
    res = normalize.pipeline_leak(X2, y, t, 0.7, normalizer, "extrapolate", "ridge")
    others = res.test != row
    np.testing.assert_array_equal(res.pred_honest[others], base.pred_honest[others])
    if normalizer in ("zscore", "minmax") and abs(value) > 1000:  # the leaky arm does see the change
        assert not np.array_equal(res.pred_leaky[others], base.pred_leaky[others])


def test_pipeline_leak_rejects_bad_input_with_sentences():
    X, y, t = _drifting(100)
    with pytest.raises(ParamError, match="inputs 'saturate' needs normalizer 'minmax'"):
        normalize.pipeline_leak(X, y, t, normalizer="robust")
    with pytest.raises(ParamError, match="split_frac must be between 0.5 and 0.9"):
        normalize.pipeline_leak(X, y, t, split_frac=0.95)
    with pytest.raises(ParamError, match="time_order must have one entry per row of X \\(100\\); got 99"):
        normalize.pipeline_leak(X, y, t[:-1])
    with pytest.raises(ParamError, match="X must have at least 20 rows to split; got 10"):
        normalize.pipeline_leak(X[:10], y[:10], t[:10])
    bad = y.copy()
    bad[3] = np.nan
    with pytest.raises(ParamError, match="y must be finite \\(no NaN or inf\\); got 1 non-finite"):
        normalize.pipeline_leak(X, bad, t)
