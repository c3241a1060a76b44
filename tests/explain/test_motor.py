"""The motor's features: the simulator's law, permutation importance and SHAP."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from neuralab.data.motor import bench_windows
from neuralab.explain import motor
from neuralab.params import ParamError


def test_the_law_is_the_simulators_torque_and_ignores_speed_and_noise():
    d = motor.table(0)
    law = motor.law()
    assert law.score(d.X_test, d.y_test) > 0.99
    w = bench_windows(0)
    clean = np.column_stack([w.i_amp_clean, w.speed_rpm, w.temp_c, np.zeros(len(w.y))])
    assert np.allclose(law.predict(clean), w.torque_nm, rtol=0.01)  # exact but for the 6θ ripple's mean
    shuffled = d.X_test.copy()
    shuffled[:, [1, 3]] = shuffled[::-1][:, [1, 3]]
    assert np.array_equal(law.predict(shuffled), law.predict(d.X_test))


def test_the_split_holds_out_whole_cycles():
    d, w = motor.table(0), bench_windows(0)
    assert len(d.y_train) + len(d.y_test) == len(w.y) and len(d.y_test) == 3 * len(w.y) // 12


def test_permutation_importance_ranks_a_pure_noise_feature_last_and_shap_is_exact_for_a_linear_model():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = 3 * X[:, 0] + 1.0 * X[:, 1] + 0.05 * rng.normal(size=400)
    model = LinearRegression().fit(X[:300], y[:300])
    bg, rows = X[:40], X[300:320]
    e = motor.explain_features(model, X[300:], y[300:], bg, rows, seed=0)
    assert list(np.argsort(-e.perm)) == [0, 1, 2] and abs(e.perm[2]) < 0.01
    # a linear model's Shapley values with independent features: wᵢ · (xᵢ − mean of the background)
    assert np.allclose(e.shap, model.coef_ * (rows - bg.mean(0)), atol=1e-8)
    assert e.additivity < 1e-8 and e.base == pytest.approx(float(model.predict(bg).mean()))


def test_the_motor_model_is_explained_as_the_physics_says():
    r = motor.importance(0)
    assert r.test_r2 > 0.98 and r.shap_additivity < 1e-6
    assert r.ranking("truth")[:2] == r.ranking("perm")[:2] == r.ranking("shap")[:2] == ("i_amp", "temp_c")
    assert r.truth[1] == r.truth[3] == 0.0
    assert abs(r.perm[3]) < 3 * r.perm_std[3] + 1e-3  # the noise column: nothing the test score needs
    with pytest.raises(ParamError, match="motor_seed must be between 0 and 99"):
        motor.importance(100)
